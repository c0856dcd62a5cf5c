/*
 * The ledger's records against the audit events that wrote them, for hogo_audit_verify().
 * Audit layer. Each provision or receipt record is written with one event in the same
 * transaction (lib/ledger); the event names the record's id, recipient and items and holds
 * the BLAKE2b-256 of the stored decision and the record's first purge date. Once the chain
 * is verified those events are trustworthy, so a record that differs from its event was
 * edited, a record without an event was inserted, and a record missing before its purge date
 * was deleted (hogo ledger purge deletes only past it; a later provision only extends it).
 * A collective record (a continuing provision to one recipient) is written once and then
 * extended by "provision.extend" events, each naming its items so far and its purge date.
 * Events from before the hash and the purge date were recorded are checked for what they
 * name.
 */
#include <hogo/ledger.h> /* the record id size only: the ledger's tables are read with SQL */

#include "common/buf.h"
#include "audit-int.h"
#include "common/dict.h"

#include <sodium.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The columns of a record its event binds (all but the two dates a later provision to the
 * same recipient moves, whose purge date the events carry): a hash over their canonical
 * encoding is the record's "record_blake2b". */
#define PROVISION_BOUND                                                                        \
    "subject_id, provision_id, created_at, provided_at, policy, policy_version, "             \
    "recipient_id, recipient_name, recipient_corporate_number, recipient_address, "           \
    "recipient_representative, recipient_country, purpose, items, basis, consent_id, "        \
    "record_required, retention_years, retention_from, decision, detail"
#define RECEIPT_BOUND                                                                          \
    "subject_id, receipt_id, created_at, received_at, policy, policy_version, provider_name, " \
    "provider_address, provider_representative, provider_corporate_number, acquisition, "     \
    "items, basis, record_required, retention_years, retention_from, decision"

static const char record_tag[] = "hogo-record-v1";

void hogo__hash_values(crypto_generichash_state *s, const struct hogo__val *c, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char head[9];
        size_t hl = 1;
        const void *body = NULL;
        size_t bl = 0;
        head[0] = c[i].type == HOGO__INT    ? 1
                  : c[i].type == HOGO__TEXT ? 2
                  : c[i].type == HOGO__BLOB ? 3
                                            : 0;
        if (c[i].type == HOGO__INT) {
            for (int k = 0; k < 8; k++)
                head[1 + k] = (unsigned char)((uint64_t)c[i].i >> (8 * k));
            hl = 9;
        } else if (c[i].type == HOGO__TEXT || c[i].type == HOGO__BLOB) {
            body = c[i].type == HOGO__TEXT ? (const void *)c[i].s : c[i].b;
            bl = c[i].n;
            for (int k = 0; k < 4; k++)
                head[1 + k] = (unsigned char)((uint32_t)bl >> (8 * k));
            hl = 5;
        }
        crypto_generichash_update(s, head, hl);
        if (bl)
            crypto_generichash_update(s, body, bl);
    }
}

/* BLAKE2b-256 of the record tag and the canonical encoding of n column values. */
static int record_hash(const struct hogo__val *c, size_t n, unsigned char out[32])
{
    crypto_generichash_state s;
    crypto_generichash_init(&s, NULL, 0, 32);
    crypto_generichash_update(&s, (const unsigned char *)record_tag, sizeof record_tag - 1);
    hogo__hash_values(&s, c, n);
    return crypto_generichash_final(&s, out, 32);
}

struct one_hash {
    unsigned char h[32];
    int found;
};

static int row_one_hash(void *ctx, const struct hogo__val *c, size_t n)
{
    struct one_hash *o = ctx;
    record_hash(c, n, o->h);
    o->found = 1;
    return 0;
}

int hogo__record_hash(struct hogo_store *st, int receipt, const char *subject_id,
                      const char *id, char hex[65], struct hogo_error *err)
{
    struct one_hash o = {.found = 0};
    struct hogo__val p[] = {HV_TEXT(subject_id), HV_TEXT(id)};
    int rc = hogo__query(st,
                         receipt ? "SELECT " RECEIPT_BOUND
                                   " FROM receipts WHERE subject_id = ? AND receipt_id = ?"
                                 : "SELECT " PROVISION_BOUND
                                   " FROM provisions WHERE subject_id = ? AND provision_id = ?",
                         p, 2, row_one_hash, &o, err);
    if (rc < 0)
        return rc;
    if (!o.found)
        return hogo_error_set(err, HOGO_ESTORE, id, "record %s vanished while it was written",
                              id);
    hogo__hex(o.h, sizeof o.h, hex);
    return 0;
}

/* One record as its event describes it; its id is the same index in the dictionary. */
struct expected {
    int receipt;                   /* 1 receipt, 0 provision */
    int64_t seq;                   /* the event */
    char *recipient;               /* owned; NULL for a receipt */
    char *items;                   /* owned */
    int has_hash;
    unsigned char hash[32];        /* BLAKE2b-256 of the stored decision */
    int has_record_hash;
    unsigned char record[32];      /* the record's bound columns' hash (record_hash()) */
    int64_t purge_after;           /* 0: not recorded (older events) */
    int seen;                      /* its record was read */
};

struct hogo__record_check {
    struct hogo__dict ids;  /* record id -> index into e */
    struct expected *e;     /* owned */
    size_t cap;             /* capacity of e */
    int64_t bad_seq;        /* the earliest mismatch's event (INT64_MAX: none) */
    int bad;
    char problem[512];
};

int hogo__record_check_new(struct hogo__record_check **out)
{
    struct hogo__record_check *c = calloc(1, sizeof *c);
    if (!c)
        return HOGO_ENOMEM;
    hogo__dict_init(&c->ids);
    c->bad_seq = INT64_MAX;
    *out = c;
    return 0;
}

void hogo__record_check_free(struct hogo__record_check *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->ids.n; i++) {
        free(c->e[i].recipient);
        free(c->e[i].items);
    }
    free(c->e);
    hogo__dict_release(&c->ids);
    free(c);
}

/* Records a mismatch; the one of the earliest event is reported. */
static void mismatch(struct hogo__record_check *c, int64_t seq, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void mismatch(struct hogo__record_check *c, int64_t seq, const char *fmt, ...)
{
    if (c->bad && seq >= c->bad_seq)
        return;
    c->bad = 1;
    c->bad_seq = seq;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->problem, sizeof c->problem, fmt, ap);
    va_end(ap);
}

/* The value of "key:" in an event object ("provision:ID recipient:R items:I ..."): *len
 * bytes at the returned pointer, NULL when absent. */
static const char *field(const char *s, size_t n, const char *key, size_t *len)
{
    size_t kl = strlen(key);
    for (size_t i = 0; i + kl <= n; i++) {
        if ((i == 0 || s[i - 1] == ' ') && !memcmp(s + i, key, kl)) {
            size_t j = i + kl;
            while (j < n && s[j] != ' ')
                j++;
            *len = j - i - kl;
            return s + i + kl;
        }
    }
    return NULL;
}

/* A later provision added to a collective record: the record now holds these items and is
 * kept until this purge date. */
static int extend_event(struct hogo__record_check *c, int64_t seq, const char *object,
                        size_t olen, const char *detail, size_t dlen)
{
    size_t idn = 0, in = 0;
    const char *id = field(object, olen, "provision:", &idn);
    const char *items = field(object, olen, "items:", &in);
    char key[HOGO_LEDGER_ID_BYTES];
    if (!id || !idn || idn >= HOGO_LEDGER_ID_BYTES || !items) {
        mismatch(c, seq, "event %lld extends a provision record but does not name it",
                 (long long)seq);
        return 0;
    }
    memcpy(key, id, idn);
    key[idn] = '\0';
    long k = hogo__dict_find(&c->ids, key);
    if (k < 0 || c->e[k].receipt) {
        mismatch(c, seq, "event %lld extends %s, which no earlier event recorded",
                 (long long)seq, key);
        return 0;
    }
    char *grown = strndup(items, in);
    if (!grown)
        return HOGO_ENOMEM;
    free(c->e[k].items);
    c->e[k].items = grown;
    char d[1024];
    snprintf(d, sizeof d, "%.*s", (int)(dlen < sizeof d ? dlen : sizeof d - 1), detail);
    const char *p = strstr(d, "\"purge_after\":");
    if (p) {
        int64_t purge = strtoll(p + 14, NULL, 10);
        if (purge > c->e[k].purge_after)
            c->e[k].purge_after = purge;
    }
    /* from now on the record is held to the hash of its extended form */
    const char *rh = strstr(d, "\"record_blake2b\":\"");
    if (rh && sodium_hex2bin(c->e[k].record, sizeof c->e[k].record, rh + 18, 64, NULL, NULL,
                             NULL) == 0)
        c->e[k].has_record_hash = 1;
    return 0;
}

int hogo__record_check_event(struct hogo__record_check *c, int64_t seq, const char *action,
                             size_t alen, const char *object, size_t olen, const char *detail,
                             size_t dlen)
{
    int receipt;
    if (alen == 16 && !memcmp(action, "provision.extend", 16))
        return extend_event(c, seq, object, olen, detail, dlen);
    if (alen == 16 && !memcmp(action, "provision.record", 16))
        receipt = 0;
    else if (alen == 14 && !memcmp(action, "receipt.record", 14))
        receipt = 1;
    else
        return 0;
    size_t idn = 0, rn = 0, in = 0;
    const char *id = field(object, olen, receipt ? "receipt:" : "provision:", &idn);
    const char *rcp = receipt ? NULL : field(object, olen, "recipient:", &rn);
    const char *items = field(object, olen, "items:", &in);
    if (!id || !idn || idn >= HOGO_LEDGER_ID_BYTES || !items || (!receipt && !rcp)) {
        mismatch(c, seq, "event %lld records a %s but does not name it", (long long)seq,
                 receipt ? "receipt" : "provision");
        return 0;
    }
    char key[HOGO_LEDGER_ID_BYTES];
    memcpy(key, id, idn);
    key[idn] = '\0';
    long k = hogo__dict_find(&c->ids, key);
    if (k >= 0) {
        mismatch(c, seq, "event %lld records %s, which event %lld recorded already",
                 (long long)seq, key, (long long)c->e[k].seq);
        return 0;
    }
    if (HOGO__GROW(c->e, c->cap, c->ids.n + 1, 1024) < 0)
        return HOGO_ENOMEM;
    k = hogo__dict_add(&c->ids, key);
    if (k < 0)
        return HOGO_ENOMEM;
    struct expected *e = &c->e[k];
    memset(e, 0, sizeof *e);
    e->receipt = receipt;
    e->seq = seq;
    e->recipient = rcp ? strndup(rcp, rn) : NULL;
    e->items = strndup(items, in);
    if ((rcp && !e->recipient) || !e->items)
        return HOGO_ENOMEM;
    /* the detail is the event's own, verified with it; older events lack these two */
    char d[1024];
    snprintf(d, sizeof d, "%.*s", (int)(dlen < sizeof d ? dlen : sizeof d - 1), detail);
    const char *h = strstr(d, "\"decision_blake2b\":\"");
    if (h && sodium_hex2bin(e->hash, sizeof e->hash, h + 20, 64, NULL, NULL, NULL) == 0)
        e->has_hash = 1;
    const char *p = strstr(d, "\"purge_after\":");
    if (p)
        e->purge_after = strtoll(p + 14, NULL, 10);
    const char *rh = strstr(d, "\"record_blake2b\":\"");
    if (rh && sodium_hex2bin(e->record, sizeof e->record, rh + 18, 64, NULL, NULL, NULL) == 0)
        e->has_record_hash = 1;
    return 0;
}

struct reader {
    struct hogo__record_check *c;
    int receipts;
};

static int text_is(const struct hogo__val *v, const char *s)
{
    return v->type == HOGO__TEXT && s && strlen(s) == v->n && !memcmp(v->s, s, v->n);
}

/* One record row: id, recipient (NULL for receipts), items, decision, then the bound
 * columns. */
static int row_record(void *ctx, const struct hogo__val *c, size_t n)
{
    struct reader *rd = ctx;
    struct hogo__record_check *k = rd->c;
    const char *kind = rd->receipts ? "receipt" : "provision";
    if (n < 4 || c[0].type != HOGO__TEXT)
        return 0;
    /* a record id, like every text column, is NUL-terminated (lib/store backends) */
    const char *id = c[0].s;
    long i = hogo__dict_find(&k->ids, id);
    struct expected *e = i >= 0 ? &k->e[i] : NULL;
    if (!e || e->receipt != rd->receipts) {
        mismatch(k, INT64_MAX - 1,
                 "%s record %s has no audit event: it was written outside hogo", kind, id);
        return 0;
    }
    e->seen = 1;
    const char *what = NULL;
    if (!rd->receipts && !text_is(&c[1], e->recipient))
        what = "its recipient";
    else if (!text_is(&c[2], e->items))
        what = "its items";
    else if (e->has_hash) {
        unsigned char h[32];
        const char *dj = c[3].type == HOGO__TEXT ? c[3].s : NULL;
        crypto_generichash(h, sizeof h, (const unsigned char *)(dj ? dj : ""),
                           dj ? c[3].n : 0, NULL, 0);
        if (!dj || sodium_memcmp(h, e->hash, sizeof h) != 0)
            what = "its decision";
    }
    if (!what && e->has_record_hash) {
        unsigned char h[32];
        record_hash(c + 4, n - 4, h);
        if (sodium_memcmp(h, e->record, sizeof h) != 0)
            what = "a field (subject, purpose, basis, consent, a date, the counterparty's name, "
                   "address, representative, corporate number or country, the retention or "
                   "record_required)";
    }
    if (what)
        mismatch(k, e->seq, "%s record %s was changed: %s is not what event %lld recorded",
                 kind, id, what, (long long)e->seq);
    return 0;
}

int hogo__record_check_run(struct hogo_store *st, struct hogo__record_check *c, int64_t now,
                           int64_t *bad_seq, char *problem, size_t cap,
                           struct hogo_error *err)
{
    struct reader rd = {c, 0};
    int rc = hogo__query(st,
                         "SELECT provision_id, recipient_id, items, decision, " PROVISION_BOUND
                         " FROM provisions",
                         NULL, 0, row_record, &rd, err);
    if (rc == 0) {
        rd.receipts = 1;
        rc = hogo__query(st,
                         "SELECT receipt_id, NULL, items, decision, " RECEIPT_BOUND
                         " FROM receipts",
                         NULL, 0, row_record, &rd, err);
    }
    if (rc < 0)
        return rc;
    for (size_t i = 0; i < c->ids.n; i++) {
        const struct expected *e = &c->e[i];
        if (!e->seen && e->purge_after > now)
            mismatch(c, e->seq,
                     "%s record %s (event %lld) was deleted before the end of its retention",
                     e->receipt ? "receipt" : "provision", c->ids.keys[i], (long long)e->seq);
    }
    if (!c->bad)
        return 0;
    *bad_seq = c->bad_seq >= INT64_MAX - 1 ? 0 : c->bad_seq;
    snprintf(problem, cap, "%s", c->problem);
    return HOGO_ETAMPER;
}
