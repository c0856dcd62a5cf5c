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

/* One record as its event describes it; its id is the same index in the dictionary. */
struct expected {
    int receipt;                   /* 1 receipt, 0 provision */
    int64_t seq;                   /* the event */
    char *recipient;               /* owned; NULL for a receipt */
    char *items;                   /* owned */
    int has_hash;
    unsigned char hash[32];        /* BLAKE2b-256 of the stored decision */
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

/* One record row: id, recipient (NULL for receipts), items, decision. */
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
    int rc = hogo__query(st, "SELECT provision_id, recipient_id, items, decision FROM provisions",
                         NULL, 0, row_record, &rd, err);
    if (rc == 0) {
        rd.receipts = 1;
        rc = hogo__query(st, "SELECT receipt_id, NULL, items, decision FROM receipts", NULL, 0,
                         row_record, &rd, err);
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
