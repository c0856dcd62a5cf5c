/*
 * The ledger's records against the audit events that wrote them, for hogo_audit_verify().
 * Audit layer. Each provision or receipt record is written with one event in the same
 * transaction (lib/ledger); the event names the record's id, recipient and items and holds
 * the BLAKE2b-256 of the stored decision and the record's first purge date. Once the chain
 * is verified those events are trustworthy, so a record that differs from its event was
 * edited, a record without an event was inserted, and a record missing before its purge date
 * was deleted (hogo ledger purge deletes only past it; a later provision only extends it).
 * Events from before the hash and the purge date were recorded are checked for what they
 * name.
 */
#include "store/store-int.h"

#include <sodium.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One record as its event describes it. */
struct expected {
    char id[HOGO_LEDGER_ID_BYTES]; /* "" marks a free slot */
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
    struct expected *slots; /* open addressing, a power of two */
    size_t cap, n;
    int64_t bad_seq;        /* the earliest mismatch's event (INT64_MAX: none) */
    int bad;
    char problem[512];
};

int hogo__record_check_new(struct hogo__record_check **out)
{
    struct hogo__record_check *c = calloc(1, sizeof *c);
    if (!c)
        return HOGO_ENOMEM;
    c->bad_seq = INT64_MAX;
    *out = c;
    return 0;
}

void hogo__record_check_free(struct hogo__record_check *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->cap; i++) {
        free(c->slots[i].recipient);
        free(c->slots[i].items);
    }
    free(c->slots);
    free(c);
}

static size_t id_hash(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603u; /* FNV-1a, then mixed so the low bits (the slot)
                                          depend on every byte */
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211u;
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdu;
    h ^= h >> 33;
    return (size_t)h;
}

/* The slot of id (length n < HOGO_LEDGER_ID_BYTES): its entry, or the free slot where it
 * belongs. */
static struct expected *slot(struct expected *slots, size_t cap, const char *id, size_t n)
{
    for (size_t i = id_hash(id, n) & (cap - 1);; i = (i + 1) & (cap - 1))
        if (!slots[i].id[0] || (!memcmp(slots[i].id, id, n) && !slots[i].id[n]))
            return &slots[i];
}

static int grow(struct hogo__record_check *c)
{
    size_t cap = c->cap ? c->cap * 2 : 1024;
    struct expected *s = calloc(cap, sizeof *s);
    if (!s)
        return HOGO_ENOMEM;
    for (size_t i = 0; i < c->cap; i++)
        if (c->slots[i].id[0])
            *slot(s, cap, c->slots[i].id, strlen(c->slots[i].id)) = c->slots[i];
    free(c->slots);
    c->slots = s;
    c->cap = cap;
    return 0;
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

int hogo__record_check_event(struct hogo__record_check *c, int64_t seq, const char *action,
                             size_t alen, const char *object, size_t olen, const char *detail,
                             size_t dlen)
{
    int receipt;
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
    if (2 * (c->n + 1) > c->cap && grow(c) < 0)
        return HOGO_ENOMEM;
    struct expected *e = slot(c->slots, c->cap, id, idn);
    if (e->id[0]) {
        mismatch(c, seq, "event %lld records %.*s, which event %lld recorded already",
                 (long long)seq, (int)idn, id, (long long)e->seq);
        return 0;
    }
    memcpy(e->id, id, idn);
    e->id[idn] = '\0';
    e->receipt = receipt;
    e->seq = seq;
    e->recipient = rcp ? strndup(rcp, rn) : NULL;
    e->items = strndup(items, in);
    c->n++;
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
    struct expected *e = k->cap && c[0].n < HOGO_LEDGER_ID_BYTES
                             ? slot(k->slots, k->cap, c[0].s, c[0].n)
                             : NULL;
    if (!e || !e->id[0] || e->receipt != rd->receipts) {
        mismatch(k, INT64_MAX - 1,
                 "%s record %.*s has no audit event: it was written outside hogo", kind,
                 (int)c[0].n, c[0].s);
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
                 kind, e->id, what, (long long)e->seq);
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
    for (size_t i = 0; i < c->cap; i++) {
        const struct expected *e = &c->slots[i];
        if (e->id[0] && !e->seen && e->purge_after > now)
            mismatch(c, e->seq,
                     "%s record %s (event %lld) was deleted before the end of its retention",
                     e->receipt ? "receipt" : "provision", e->id, (long long)e->seq);
    }
    if (!c->bad)
        return 0;
    *bad_seq = c->bad_seq >= INT64_MAX - 1 ? 0 : c->bad_seq;
    snprintf(problem, cap, "%s", c->problem);
    return HOGO_ETAMPER;
}
