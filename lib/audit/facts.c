/*
 * The facts decisions rest on, sealed by the audit chain. Audit layer. Every change of a
 * subject's facts (the subject row, its facts, its consents) or of the corporate successions
 * is an event whose detail holds "facts_blake2b", a hash of the whole state after the change;
 * hogo_audit_verify() recomputes the state of each subject from the tables and compares it
 * with the last such event, so a fact, consent, block, link, opt-out or operator changed, or a
 * subject inserted or deleted, directly in the database is found.
 */
#include "audit-int.h"
#include "common/buf.h"
#include "common/dict.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char facts_tag[] = "hogo-facts-v1";

static int row_hash(void *ctx, const struct hogo__val *c, size_t n)
{
    crypto_generichash_state *s = ctx;
    unsigned char sep = 0xff; /* one row ends */
    hogo__hash_values(s, c, n);
    crypto_generichash_update(s, &sep, 1);
    return 0;
}

int hogo__facts_hash(struct hogo_store *st, const char *subject_id, unsigned char out[32],
                     struct hogo_error *err)
{
    crypto_generichash_state s;
    crypto_generichash_init(&s, NULL, 0, 32);
    crypto_generichash_update(&s, (const unsigned char *)facts_tag, sizeof facts_tag - 1);
    int rc;
    if (!subject_id) {
        rc = hogo__query(st,
                         "SELECT predecessor, successor, kind, created_at FROM corp_successions "
                         "ORDER BY predecessor, successor",
                         NULL, 0, row_hash, &s, err);
    } else {
        struct hogo__val p[] = {HV_TEXT(subject_id)};
        unsigned char part = 1;
        rc = hogo__query(st,
                         "SELECT subject_id, operator, created_at, erased_at FROM subjects "
                         "WHERE subject_id = ?",
                         p, 1, row_hash, &s, err);
        crypto_generichash_update(&s, &part, 1);
        if (rc == 0)
            rc = hogo__query(st,
                             "SELECT fact, value, updated_at FROM subject_facts WHERE "
                             "subject_id = ? ORDER BY fact, value",
                             p, 1, row_hash, &s, err);
        part = 2;
        crypto_generichash_update(&s, &part, 1);
        if (rc == 0)
            rc = hogo__query(st,
                             "SELECT consent_id, recipient, purpose, data, policy, "
                             "policy_version, method, given_at, withdrawn_at FROM consents "
                             "WHERE subject_id = ? ORDER BY consent_id",
                             p, 1, row_hash, &s, err);
    }
    crypto_generichash_final(&s, out, 32);
    return rc;
}

int hogo__audit_append_facts(struct hogo_store *st, const char *subject_id, const char *action,
                             const char *object, const char *extra, struct hogo_error *err)
{
    unsigned char h[32];
    char hex[65], detail[512];
    int rc = hogo__facts_hash(st, subject_id, h, err);
    if (rc < 0)
        return rc;
    hogo__hex(h, sizeof h, hex);
    snprintf(detail, sizeof detail, "{%s%s\"facts_blake2b\":\"%s\"}", extra ? extra : "",
             extra ? "," : "", hex);
    return hogo__audit_append(st, subject_id, action, object, detail, err);
}

/* ---- verification ---- */

struct sealed {
    int64_t seq;        /* the last event sealing this state */
    unsigned char h[32];
};

struct hogo__facts_check {
    struct hogo__dict ids;  /* subject id ("" for the successions) -> index into e */
    struct sealed *e;
    size_t cap;
    struct hogo__dict added; /* subjects with a subject.add event (also older, unsealed ones) */
    int64_t bad_seq;
    int bad;
    char problem[512];
};

int hogo__facts_check_new(struct hogo__facts_check **out)
{
    struct hogo__facts_check *c = calloc(1, sizeof *c);
    if (!c)
        return HOGO_ENOMEM;
    hogo__dict_init(&c->ids);
    hogo__dict_init(&c->added);
    *out = c;
    return 0;
}

void hogo__facts_check_free(struct hogo__facts_check *c)
{
    if (!c)
        return;
    free(c->e);
    hogo__dict_release(&c->ids);
    hogo__dict_release(&c->added);
    free(c);
}

static void mismatch(struct hogo__facts_check *c, int64_t seq, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void mismatch(struct hogo__facts_check *c, int64_t seq, const char *fmt, ...)
{
    if (c->bad)
        return;
    c->bad = 1;
    c->bad_seq = seq;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->problem, sizeof c->problem, fmt, ap);
    va_end(ap);
}

int hogo__facts_check_event(struct hogo__facts_check *c, int64_t seq, const char *subject_id,
                            size_t slen, const char *action, size_t alen, const char *detail,
                            size_t dlen)
{
    char id[256];
    if (slen >= sizeof id)
        return 0;
    memcpy(id, subject_id, slen);
    id[slen] = '\0';
    if (alen == 11 && !memcmp(action, "subject.add", 11) && hogo__dict_find(&c->added, id) < 0 &&
        hogo__dict_add(&c->added, id) < 0)
        return HOGO_ENOMEM;
    static const char key[] = "\"facts_blake2b\":\"";
    const char *h = NULL;
    for (size_t i = 0; i + sizeof key - 1 + 64 <= dlen && !h; i++)
        if (!memcmp(detail + i, key, sizeof key - 1))
            h = detail + i + sizeof key - 1;
    if (!h)
        return 0;
    long k = hogo__dict_find(&c->ids, id);
    if (k < 0) {
        if (HOGO__GROW(c->e, c->cap, c->ids.n + 1, 256) < 0 ||
            (k = hogo__dict_add(&c->ids, id)) < 0)
            return HOGO_ENOMEM;
    }
    c->e[k].seq = seq;
    if (sodium_hex2bin(c->e[k].h, 32, h, 64, NULL, NULL, NULL) != 0)
        mismatch(c, seq, "event %lld holds a malformed facts hash", (long long)seq);
    return 0;
}

static int row_subject_id(void *ctx, const struct hogo__val *c, size_t n)
{
    struct hogo__facts_check *k = ctx;
    if (n < 1 || c[0].type != HOGO__TEXT) {
        mismatch(k, 0, "a subject row has no text id");
        return 0;
    }
    if (hogo__dict_find(&k->ids, c[0].s) < 0 && hogo__dict_find(&k->added, c[0].s) < 0)
        mismatch(k, 0, "subject %s has no audit event: it was written outside hogo", c[0].s);
    return 0;
}

int hogo__facts_check_run(struct hogo_store *st, struct hogo__facts_check *c,
                          int64_t *bad_seq, char *problem, size_t cap, struct hogo_error *err)
{
    int rc = 0;
    for (size_t i = 0; i < c->ids.n && rc == 0 && !c->bad; i++) {
        unsigned char now[32];
        const char *id = c->ids.keys[i];
        rc = hogo__facts_hash(st, *id ? id : NULL, now, err);
        if (rc == 0 && sodium_memcmp(now, c->e[i].h, 32) != 0) {
            if (*id)
                mismatch(c, c->e[i].seq,
                         "the stored facts of subject %s (its operator, facts, consents or "
                         "erasure) are not what event %lld sealed: they were changed in the "
                         "database directly",
                         id, (long long)c->e[i].seq);
            else
                mismatch(c, c->e[i].seq,
                         "the corporate successions are not what event %lld sealed: they were "
                         "changed in the database directly",
                         (long long)c->e[i].seq);
        }
    }
    if (rc == 0 && !c->bad)
        rc = hogo__query(st, "SELECT subject_id FROM subjects", NULL, 0, row_subject_id, c,
                         err);
    if (rc < 0)
        return rc;
    if (!c->bad)
        return 0;
    *bad_seq = c->bad_seq;
    snprintf(problem, cap, "%s", c->problem);
    return HOGO_ETAMPER;
}

/* ---- the keys: each subject holding sealed data has its key; an erased one has none ---- */

struct id_list {
    char **ids;
    size_t n;
};

static int row_id_list(void *ctx, const struct hogo__val *c, size_t n)
{
    struct id_list *l = ctx;
    if (n < 1 || c[0].type != HOGO__TEXT)
        return 0;
    char **more = realloc(l->ids, (l->n + 1) * sizeof *more);
    if (!more)
        return HOGO_ENOMEM;
    l->ids = more;
    if (!(more[l->n] = strdup(c[0].s)))
        return HOGO_ENOMEM;
    l->n++;
    return 0;
}

static void id_list_free(struct id_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->ids[i]);
    free(l->ids);
}

/* The subject's last event, the one a problem with its key is reported at. */
static int64_t last_event_of(struct hogo_store *st, const char *id, struct hogo_error *err)
{
    int64_t seq = 0;
    struct hogo__val p[] = {HV_TEXT(id)};
    hogo__query_int(st, "SELECT COALESCE(MAX(seq), 0) FROM audit_events WHERE subject_id = ?", p,
                    1, &seq, NULL, err);
    return seq > 0 ? seq : 1;
}

int hogo__keys_check_run(struct hogo_store *st, int64_t *bad_seq, char *problem, size_t cap,
                         struct hogo_error *err)
{
    if (!st->key_store[0])
        return 0; /* a store without a key store holds no sealed data */
    struct stat sb;
    if (!st->keys && strcmp(st->key_store, ":memory:") != 0 && stat(st->key_store, &sb) != 0)
        return 0; /* verifying a copy of the database alone: its keys are not here to check */
    struct id_list live = {0}, erased = {0};
    int rc = hogo__query(st,
                         "SELECT DISTINCT d.subject_id FROM data_items d JOIN subjects s ON "
                         "s.subject_id = d.subject_id WHERE s.erased_at IS NULL ORDER BY 1",
                         NULL, 0, row_id_list, &live, err);
    if (rc == 0)
        rc = hogo__query(st,
                         "SELECT subject_id FROM subjects WHERE erased_at IS NOT NULL ORDER BY 1",
                         NULL, 0, row_id_list, &erased, err);
    if (rc == HOGO_ENOMEM)
        rc = hogo_error_set(err, rc, NULL, "out of memory checking the subject keys");
    if (rc == 0 && (live.n || erased.n))
        rc = hogo__keys_open(st, err);
    for (size_t i = 0; i < live.n && rc == 0; i++) {
        int present = 0;
        struct hogo__val p[] = {HV_TEXT(live.ids[i])};
        int64_t legacy = 0; /* schema 1 kept keys in the database itself */
        rc = hogo__keys_present(st, live.ids[i], &present, err);
        if (rc == 0 && !present)
            rc = hogo__query_int(st, "SELECT COUNT(*) FROM subject_keys WHERE subject_id = ?",
                                 p, 1, &legacy, NULL, err);
        if (rc == 0 && !present && !legacy) {
            *bad_seq = last_event_of(st, live.ids[i], err);
            snprintf(problem, cap,
                     "subject %s holds sealed data but its key is not in the key store: it was "
                     "deleted outside an erasure (an unaudited erasure)",
                     live.ids[i]);
            rc = HOGO_ETAMPER;
        }
    }
    for (size_t i = 0; i < erased.n && rc == 0; i++) {
        int present = 0;
        rc = hogo__keys_present(st, erased.ids[i], &present, err);
        if (rc == 0 && present) {
            *bad_seq = last_event_of(st, erased.ids[i], err);
            snprintf(problem, cap,
                     "subject %s is erased but its key is still in the key store: the erasure "
                     "did not finish; run 'hogo subject erase %s' to destroy it",
                     erased.ids[i], erased.ids[i]);
            rc = HOGO_ETAMPER;
        }
    }
    id_list_free(&live);
    id_list_free(&erased);
    return rc;
}
