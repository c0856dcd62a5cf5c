/*
 * The audit log: appending hash-chained events inside the caller's transaction, signed
 * checkpoints, verification of the log in the database or of an exported copy, and export.
 * Audit layer, on top of the store's backend operations (lib/store/store-int.h). The hash
 * and signature formats are documented in include/hogo/audit.h.
 */
#include "common/buf.h"
#include "audit-int.h"

#include <hogo/file.h>

#include <assert.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_tree.h>

#define HASH_BYTES 32
/* An event's hashed text fields (subject_id, actor, action, object, detail) and its columns in
 * audit_events (seq, at, the five fields, prev_hash, hash). */
enum { EVENT_FIELDS = 5, EVENT_COLUMNS = 2 + EVENT_FIELDS + 2 };
static const char cp_tag[] = "hogo-checkpoint-v1";

static void put_u64(unsigned char *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static void put_u32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

/* The event hash; fields are subject_id, actor, action, object, detail. */
static int event_hash(const unsigned char prev[HASH_BYTES], int64_t seq, int64_t at,
                      const char *const f[EVENT_FIELDS], const size_t fl[EVENT_FIELDS],
                      unsigned char out[HASH_BYTES])
{
    unsigned char stackbuf[2048];
    size_t need = HASH_BYTES + 16 + EVENT_FIELDS * 4;
    for (int i = 0; i < EVENT_FIELDS; i++)
        need += fl[i];
    unsigned char *buf = need <= sizeof stackbuf ? stackbuf : malloc(need);
    if (!buf)
        return HOGO_ENOMEM;
    unsigned char *p = buf;
    memcpy(p, prev, HASH_BYTES);
    p += HASH_BYTES;
    put_u64(p, (uint64_t)seq);
    put_u64(p + 8, (uint64_t)at);
    p += 16;
    for (int i = 0; i < EVENT_FIELDS; i++) {
        put_u32(p, (uint32_t)fl[i]);
        p += 4;
        if (fl[i])
            memcpy(p, f[i], fl[i]);
        p += fl[i];
    }
    crypto_generichash(out, HASH_BYTES, buf, need, NULL, 0);
    if (buf != stackbuf)
        free(buf);
    return 0;
}

static void checkpoint_message(int64_t seq, const unsigned char head[HASH_BYTES],
                               unsigned char msg[sizeof cp_tag - 1 + 8 + HASH_BYTES])
{
    memcpy(msg, cp_tag, sizeof cp_tag - 1);
    put_u64(msg + sizeof cp_tag - 1, (uint64_t)seq);
    memcpy(msg + sizeof cp_tag - 1 + 8, head, HASH_BYTES);
}

struct head {
    int64_t seq;
    unsigned char hash[HASH_BYTES];
};

static int take_head(void *ctx, const struct hogo__val *c, size_t n)
{
    struct head *h = ctx;
    if (n >= 2 && c[0].type == HOGO__INT && c[1].type == HOGO__BLOB && c[1].n == HASH_BYTES) {
        h->seq = c[0].i;
        memcpy(h->hash, c[1].b, HASH_BYTES);
        return 1;
    }
    return HOGO_ETAMPER;
}

static int read_head(struct hogo_store *st, struct head *h, struct hogo_error *err)
{
    memset(h, 0, sizeof *h);
    if (st->head_valid) {
        /* appended by this transaction, which holds the write lock */
        h->seq = st->head_seq;
        memcpy(h->hash, st->head_hash, HASH_BYTES);
        return 0;
    }
    int rc = hogo__query(st, hogo__audit_head_sql, NULL, 0, take_head, h, err);
    if (rc == HOGO_ETAMPER)
        return hogo_error_set(err, rc, "audit_events",
                              "the last audit event is malformed; run 'hogo audit verify'");
    return rc;
}

static int write_checkpoint(struct hogo_store *st, const struct head *h, struct hogo_error *err)
{
    unsigned char msg[sizeof cp_tag - 1 + 8 + HASH_BYTES];
    unsigned char sig[crypto_sign_BYTES];
    checkpoint_message(h->seq, h->hash, msg);
    crypto_sign_detached(sig, NULL, msg, sizeof msg, st->signing_sk);
    struct hogo__val p[] = {HV_INT(h->seq), HV_INT(hogo__now_us(st)),
                            HV_BLOB(h->hash, HASH_BYTES),
                            HV_BLOB(st->signing_sk + 32, crypto_sign_PUBLICKEYBYTES),
                            HV_BLOB(sig, sizeof sig)};
    return hogo__exec(st,
                      "INSERT INTO checkpoints (seq, at, head, public_key, signature) "
                      "VALUES (?, ?, ?, ?, ?) ON CONFLICT (seq) DO NOTHING",
                      p, 5, NULL, err);
}

/* One event about to be inserted: its fields, lengths and hashes. */
struct pending {
    const char *f[EVENT_FIELDS];
    size_t fl[EVENT_FIELDS];
    int64_t seq, at;
    unsigned char prev[HASH_BYTES], hash[HASH_BYTES];
};

/* Chains ev after h (updating h to it). */
static int chain(struct hogo_store *st, struct head *h, const struct hogo_audit_event *ev,
                 int64_t at, struct pending *e, struct hogo_error *err)
{
    e->f[0] = ev->subject_id ? ev->subject_id : "";
    e->f[1] = st->actor;
    e->f[2] = ev->action;
    e->f[3] = ev->object ? ev->object : "";
    e->f[4] = ev->detail_json ? ev->detail_json : "{}";
    for (int i = 0; i < EVENT_FIELDS; i++)
        e->fl[i] = strlen(e->f[i]);
    e->seq = h->seq + 1;
    e->at = at;
    memcpy(e->prev, h->hash, HASH_BYTES);
    if (event_hash(e->prev, e->seq, at, e->f, e->fl, e->hash) < 0)
        return hogo_error_set(err, HOGO_ENOMEM, NULL, "out of memory hashing an audit event");
    h->seq = e->seq;
    memcpy(h->hash, e->hash, HASH_BYTES);
    return 0;
}

static void bind_event(const struct pending *e, struct hogo__val *p)
{
    p[0] = (struct hogo__val){.type = HOGO__TEXT, .s = e->f[0], .n = e->fl[0]};
    p[1] = HV_INT(e->seq);
    p[2] = HV_INT(e->at);
    for (int i = 1; i < EVENT_FIELDS; i++)
        p[2 + i] = (struct hogo__val){.type = HOGO__TEXT, .s = e->f[i], .n = e->fl[i]};
    p[7] = HV_BLOB(e->prev, HASH_BYTES);
    p[8] = HV_BLOB(e->hash, HASH_BYTES);
}

int hogo__audit_append_event(struct hogo_store *st, const struct hogo_audit_event *ev,
                             struct hogo_error *err)
{
    struct head h;
    struct pending e;
    struct hogo__val p[EVENT_COLUMNS];
    /* every caller appends inside its own transaction, so that the event and the change it
     * records commit together */
    assert(st->txn_depth > 0);
    int rc = read_head(st, &h, err);
    if (rc == 0 && !st->has_signing && st->checkpoint_interval && !st->checkpoint_skipped &&
        (h.seq + 1) % st->checkpoint_interval == 0) {
        /* a writer without the signing key cannot write the checkpoint due at this event: it
         * says so, in the log itself (the event takes the due place; verify then reports the
         * unsealed tail from here, not a deleted checkpoint) and to whoever opened the store,
         * once per handle; the caller's event follows it */
        char detail[64];
        snprintf(detail, sizeof detail, "{\"due\":%lld}", (long long)(h.seq + 1));
        st->checkpoint_skipped = h.seq + 1;
        rc = hogo__audit_append(st, NULL, "audit.checkpoint_skipped", "checkpoints", detail, err);
        if (rc == 0 && st->notice) {
            char msg[400];
            snprintf(msg, sizeof msg,
                     "no signing key: the automatic checkpoint due at audit event %lld was not "
                     "written, and events from there on stay unsealed until 'hogo audit "
                     "checkpoint' is run with the signing key (HOGO_SIGNING_KEY_FILE)",
                     (long long)(h.seq + 1));
            st->notice(st->notice_ctx, msg);
        }
        if (rc == 0)
            rc = read_head(st, &h, err);
    }
    if (rc == 0)
        rc = chain(st, &h, ev, hogo__now_us(st), &e, err);
    if (rc < 0)
        return rc;
    bind_event(&e, p);
    rc = hogo__exec(st,
                    "INSERT INTO audit_events (subject_id, seq, at, actor, action, object, "
                    "detail, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    p, 9, NULL, err);
    if (rc < 0)
        return rc;
    st->head_valid = 1;
    st->head_seq = h.seq;
    memcpy(st->head_hash, h.hash, HASH_BYTES);
    if (st->has_signing && st->checkpoint_interval && e.seq % st->checkpoint_interval == 0) {
        struct head nh = {.seq = e.seq};
        memcpy(nh.hash, e.hash, HASH_BYTES);
        rc = write_checkpoint(st, &nh, err);
    }
    return rc;
}

int hogo__audit_append(struct hogo_store *st, const char *subject_id, const char *action,
                       const char *object, const char *detail, struct hogo_error *err)
{
    const struct hogo_audit_event ev = {subject_id, action, object, detail};
    return hogo__audit_append_event(st, &ev, err);
}

int hogo_audit_append(struct hogo_store *st, const struct hogo_audit_event *ev,
                      struct hogo_error *err)
{
    if (!ev || !ev->action || !*ev->action)
        return hogo_error_set(err, HOGO_EINVAL, NULL, "audit event without an action");
    if (ev->subject_id) {
        int rc = hogo__check_id(ev->subject_id, "subject id", err);
        if (rc < 0)
            return rc;
    }
    int rc = hogo__txn_begin(st, err);
    if (rc < 0)
        return rc;
    rc = hogo__audit_append(st, ev->subject_id, ev->action, ev->object, ev->detail_json, err);
    return hogo__txn_end(st, rc, err);
}

int hogo_audit_checkpoint(struct hogo_store *st, int64_t *seq, struct hogo_error *err)
{
    if (!st->has_signing)
        return hogo_error_set(err, HOGO_EINVAL, NULL,
                              "no signing key: pass --signing-key FILE or set "
                              "HOGO_SIGNING_KEY_FILE (create one with 'hogo key generate "
                              "--signing FILE')");
    int rc = hogo__txn_begin(st, err);
    if (rc < 0)
        return rc;
    struct head h;
    rc = read_head(st, &h, err);
    if (rc == 0 && h.seq > 0)
        rc = write_checkpoint(st, &h, err);
    rc = hogo__txn_end(st, rc, err);
    if (rc == 0 && seq)
        *seq = h.seq;
    return rc;
}

/* ---- verification, shared by the database and the export paths ---- */

struct cp {
    int64_t seq;
    unsigned char head[HASH_BYTES];
    unsigned char pk[crypto_sign_PUBLICKEYBYTES];
    unsigned char sig[crypto_sign_BYTES];
};

struct verifier {
    struct hogo_audit_report *r;
    const unsigned char *pk;      /* borrowed; NULL: signatures not checked */
    unsigned char prev[HASH_BYTES];
    int64_t expect;               /* next expected seq */
    int64_t last_sealed;          /* seq of the last checkpoint that matched */
    struct cp *cps;               /* owned, sorted by seq */
    size_t ncp, icp, cap;
    int bad;
    struct hogo__record_check *records; /* borrowed; NULL: the records are not checked */
    struct hogo__facts_check *facts;    /* borrowed; NULL: the facts are not checked */
    unsigned interval;            /* with pk: a checkpoint is promised every interval events */
    int64_t prev_at;              /* time of the previous event */
    unsigned char last_sealed_head[HASH_BYTES]; /* the head the last checkpoint sealed */
    int64_t anchor_seq;           /* an anchor's sealed event; 0: no anchor */
    unsigned char anchor_head[HASH_BYTES];
    int64_t skipped;              /* the last audit.checkpoint_skipped event; 0: none */
};

static void vbad(struct verifier *v, int64_t seq, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void vbad(struct verifier *v, int64_t seq, const char *fmt, ...)
{
    if (v->bad)
        return;
    v->bad = 1;
    v->r->first_bad_seq = seq;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(v->r->problem, sizeof v->r->problem, fmt, ap);
    va_end(ap);
}

static int add_cp(struct verifier *v, const struct cp *c)
{
    if (c->seq < 1) {
        vbad(v, 0, "a checkpoint names event %lld; events are numbered from 1",
             (long long)c->seq);
        return 0;
    }
    if (HOGO__GROW(v->cps, v->cap, v->ncp + 1, 16) < 0)
        return HOGO_ENOMEM;
    v->cps[v->ncp++] = *c;
    return 0;
}

static int cmp_cp(const void *a, const void *b)
{
    const struct cp *x = a, *y = b;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void check_cp(struct verifier *v, const struct cp *c, const unsigned char *hash)
{
    if (sodium_memcmp(c->head, hash, HASH_BYTES) != 0) {
        vbad(v, v->last_sealed + 1,
             "checkpoint at event %lld does not match the log: an event after %lld and up to "
             "%lld was changed and the chain rewritten",
             (long long)c->seq, (long long)v->last_sealed, (long long)c->seq);
        return;
    }
    if (v->pk) {
        unsigned char msg[sizeof cp_tag - 1 + 8 + HASH_BYTES];
        checkpoint_message(c->seq, c->head, msg);
        if (sodium_memcmp(c->pk, v->pk, crypto_sign_PUBLICKEYBYTES) != 0 ||
            crypto_sign_verify_detached(c->sig, msg, sizeof msg, v->pk) != 0) {
            vbad(v, v->last_sealed + 1,
                 "checkpoint at event %lld is not signed by the given public key: the "
                 "checkpoint or the events before it were forged",
                 (long long)c->seq);
            return;
        }
    }
    v->r->checkpoints++;
    v->last_sealed = c->seq;
    memcpy(v->last_sealed_head, c->head, HASH_BYTES);
}

static int feed_event(struct verifier *v, int64_t seq, int64_t at,
                      const char *const f[EVENT_FIELDS], const size_t fl[EVENT_FIELDS],
                      const void *prev, size_t prevn, const void *hash,
                      size_t hashn)
{
    if (v->bad)
        return 1;
    v->r->events++;
    if (seq != v->expect) {
        if (seq > v->expect)
            vbad(v, v->expect, "event %lld is missing (the log jumps from %lld to %lld)",
                 (long long)v->expect, (long long)v->expect - 1, (long long)seq);
        else
            vbad(v, seq, "event %lld appears again after event %lld (inserted or reordered)",
                 (long long)seq, (long long)v->expect - 1);
        return 1;
    }
    if (prevn != HASH_BYTES || hashn != HASH_BYTES ||
        sodium_memcmp(prev, v->prev, HASH_BYTES) != 0) {
        vbad(v, seq, "event %lld does not link to event %lld (inserted, deleted or reordered)",
             (long long)seq, (long long)seq - 1);
        return 1;
    }
    unsigned char h[HASH_BYTES];
    if (event_hash(v->prev, seq, at, f, fl, h) < 0)
        return HOGO_ENOMEM;
    if (sodium_memcmp(h, hash, HASH_BYTES) != 0) {
        vbad(v, seq, "event %lld was changed: its content does not match its hash",
             (long long)seq);
        return 1;
    }
    if (seq > 1 && at < v->prev_at) {
        vbad(v, seq,
             "event %lld is dated before event %lld: the clock was moved back or the events "
             "were rewritten",
             (long long)seq, (long long)seq - 1);
        return 1;
    }
    v->prev_at = at;
    if (seq == v->anchor_seq && sodium_memcmp(h, v->anchor_head, HASH_BYTES) != 0) {
        vbad(v, seq,
             "event %lld is not the one the anchor sealed: the log up to it was rewritten",
             (long long)seq);
        return 1;
    }
    /* events come gapless from 1 and checkpoints, sorted, name events from 1: none is passed
     * over; every checkpoint of this event is checked (an export may repeat one) */
    assert(v->icp >= v->ncp || v->cps[v->icp].seq >= seq);
    for (; v->icp < v->ncp && v->cps[v->icp].seq == seq; v->icp++)
        check_cp(v, &v->cps[v->icp], h);
    if (v->bad)
        return 1;
    memcpy(v->prev, h, HASH_BYTES);
    v->r->last_seq = seq;
    v->expect++;
    return 0;
}

static int finish(struct verifier *v)
{
    if (!v->bad && v->icp < v->ncp)
        vbad(v, v->expect,
             "the log was truncated: checkpoint seals event %lld but the log ends at %lld",
             (long long)v->cps[v->icp].seq, (long long)v->expect - 1);
    int64_t last = v->expect - 1;
    if (!v->bad && v->anchor_seq > last)
        vbad(v, last + 1,
             "the store is behind its anchor: the anchor seals event %lld but the log ends at "
             "%lld (an older copy of the database was restored, or events were deleted)",
             (long long)v->anchor_seq, (long long)last);
    v->r->anchor_checked = !v->bad && v->anchor_seq > 0;
    if (!v->bad && v->r->events == 0)
        vbad(v, 1, "the log holds no event at all: it was emptied, or this is not an audit log");
    /* with the public key, the checkpoints the log promises (one every interval events)
     * must be there: the last one due seals everything before it */
    int64_t due = v->interval ? last / v->interval * v->interval : 0;
    /* a writer without the signing key said, after the last sealed event, that it could
     * not write a checkpoint then due: everything after the last sealed event is reported
     * as the unsealed tail (which only an anchor protects), not as deleted checkpoints */
    int declared = v->skipped > v->last_sealed;
    v->r->skipped_at = declared && !v->bad ? v->skipped : 0;
    if (!v->bad && v->pk && due > 0 && v->last_sealed < due && !declared)
        vbad(v, v->last_sealed + 1,
             "no signed checkpoint seals event %lld, although one is due every %u events (the "
             "last seals event %lld): the checkpoints were deleted, or the events after event "
             "%lld rewritten",
             (long long)due, v->interval, (long long)v->last_sealed, (long long)v->last_sealed);
    v->r->last_sealed = v->last_sealed;
    v->r->unsealed = v->bad ? 0 : last - v->last_sealed;
    free(v->cps);
    v->cps = NULL;
    return v->bad ? HOGO_ETAMPER : 0;
}

static int row_cp(void *ctx, const struct hogo__val *c, size_t n)
{
    struct verifier *v = ctx;
    struct cp cp;
    if (n < 4 || c[0].type != HOGO__INT || c[1].type != HOGO__BLOB || c[1].n != HASH_BYTES ||
        c[2].type != HOGO__BLOB || c[2].n != crypto_sign_PUBLICKEYBYTES ||
        c[3].type != HOGO__BLOB || c[3].n != crypto_sign_BYTES) {
        vbad(v, 0, "a checkpoint row is malformed");
        return 0;
    }
    cp.seq = c[0].i;
    memcpy(cp.head, c[1].b, HASH_BYTES);
    memcpy(cp.pk, c[2].b, sizeof cp.pk);
    memcpy(cp.sig, c[3].b, sizeof cp.sig);
    return add_cp(v, &cp);
}

static const char skipped_action[] = "audit.checkpoint_skipped";

static int row_event(void *ctx, const struct hogo__val *c, size_t n)
{
    struct verifier *v = ctx;
    if (n < EVENT_COLUMNS || c[0].type != HOGO__INT || c[1].type != HOGO__INT) {
        vbad(v, v->expect, "event %lld is malformed", (long long)v->expect);
        return 1;
    }
    const char *f[EVENT_FIELDS];
    size_t fl[EVENT_FIELDS];
    for (int i = 0; i < EVENT_FIELDS; i++) {
        const struct hogo__val *x = &c[2 + i];
        f[i] = x->type == HOGO__TEXT ? x->s : "";
        fl[i] = x->type == HOGO__TEXT ? x->n : 0;
    }
    const struct hogo__val *pv = &c[7], *hv = &c[8];
    int rc = feed_event(v, c[0].i, c[1].i, f, fl, pv->type == HOGO__BLOB ? pv->b : "",
                        pv->type == HOGO__BLOB ? pv->n : 0, hv->type == HOGO__BLOB ? hv->b : "",
                        hv->type == HOGO__BLOB ? hv->n : 0);
    if (rc == 0 && !v->bad && fl[2] == sizeof skipped_action - 1 &&
        !memcmp(f[2], skipped_action, fl[2]) && v->skipped <= v->last_sealed)
        v->skipped = c[0].i; /* the first since the last checkpoint */
    if (rc == 0 && v->records) /* f: subject_id, actor, action, object, detail */
        rc = hogo__record_check_event(v->records, c[0].i, f[2], fl[2], f[3], fl[3], f[4], fl[4]);
    if (rc == 0 && v->facts)
        rc = hogo__facts_check_event(v->facts, c[0].i, f[0], fl[0], f[2], fl[2], f[4], fl[4]);
    return rc;
}

static int take_checkpoint(void *ctx, const struct hogo__val *c, size_t n)
{
    struct cp *cp = ctx;
    if (n < 4 || c[0].type != HOGO__INT || c[1].type != HOGO__BLOB || c[1].n != HASH_BYTES ||
        c[3].type != HOGO__BLOB || c[3].n != crypto_sign_BYTES)
        return HOGO_ETAMPER;
    cp->seq = c[0].i;
    memcpy(cp->head, c[1].b, HASH_BYTES);
    memcpy(cp->sig, c[3].b, crypto_sign_BYTES);
    return 1;
}

static int unhex(const char *s, unsigned char *out, size_t n);

/* ---- anchors: the latest checkpoint kept outside the database ---- */

static const char anchor_tag[] = "hogo-anchor-v1";

int hogo_audit_anchor(struct hogo_store *st, const char *path, int64_t *seq,
                      struct hogo_error *err)
{
    struct cp c = {0};
    int found = 0;
    int rc = hogo__query(st,
                         "SELECT seq, head, public_key, signature FROM checkpoints "
                         "ORDER BY seq DESC LIMIT 1",
                         NULL, 0, take_checkpoint, &c, err);
    if (rc < 0)
        return rc;
    found = c.seq > 0;
    if (!found)
        return hogo_error_set(err, HOGO_ENOTFOUND, NULL,
                              "no checkpoint to anchor; seal the log first with 'hogo audit "
                              "checkpoint'");
    char head[2 * HASH_BYTES + 1], sig[2 * crypto_sign_BYTES + 1], line[300];
    hogo__hex(c.head, HASH_BYTES, head);
    hogo__hex(c.sig, crypto_sign_BYTES, sig);
    int n = snprintf(line, sizeof line, "%s %lld %s %s\n", anchor_tag, (long long)c.seq, head,
                     sig);
    rc = hogo_write_file(path, line, (size_t)n, err);
    if (rc == 0 && seq)
        *seq = c.seq;
    return rc;
}

struct last_cp {
    struct cp c;
    int64_t at;
    int found;
};

static int take_last_checkpoint(void *ctx, const struct hogo__val *c, size_t n)
{
    struct last_cp *l = ctx;
    if (n < 5 || c[0].type != HOGO__INT || c[1].type != HOGO__INT || c[2].type != HOGO__BLOB ||
        c[2].n != HASH_BYTES || c[3].type != HOGO__BLOB ||
        c[3].n != crypto_sign_PUBLICKEYBYTES || c[4].type != HOGO__BLOB ||
        c[4].n != crypto_sign_BYTES)
        return HOGO_ETAMPER;
    l->c.seq = c[0].i;
    l->at = c[1].i;
    memcpy(l->c.head, c[2].b, HASH_BYTES);
    memcpy(l->c.pk, c[3].b, crypto_sign_PUBLICKEYBYTES);
    memcpy(l->c.sig, c[4].b, crypto_sign_BYTES);
    l->found = 1;
    return 1;
}

int hogo_audit_last_checkpoint(struct hogo_store *st, const unsigned char *public_key,
                               struct hogo_audit_checkpoint_info *out, struct hogo_error *err)
{
    struct last_cp l = {0};
    memset(out, 0, sizeof *out);
    int found = 0;
    int rc = hogo__query_int(st, "SELECT MAX(seq) FROM audit_events", NULL, 0, &out->last_seq,
                             &found, err);
    if (rc < 0)
        return rc;
    rc = hogo__query(st,
                     "SELECT seq, at, head, public_key, signature FROM checkpoints "
                     "ORDER BY seq DESC LIMIT 1",
                     NULL, 0, take_last_checkpoint, &l, err);
    if (rc == HOGO_ETAMPER)
        return hogo_error_set(err, rc, "checkpoints",
                              "the latest checkpoint is malformed; run 'hogo audit verify'");
    if (rc < 0)
        return rc;
    if (!l.found) {
        out->unsealed = out->last_seq;
        return 0;
    }
    out->seq = l.c.seq;
    out->at = l.at;
    hogo__hex(l.c.head, HASH_BYTES, out->head);
    hogo__hex(l.c.pk, crypto_sign_PUBLICKEYBYTES, out->public_key);
    if (public_key) {
        unsigned char msg[sizeof cp_tag - 1 + 8 + HASH_BYTES];
        checkpoint_message(l.c.seq, l.c.head, msg);
        out->signature =
            crypto_sign_verify_detached(l.c.sig, msg, sizeof msg, public_key) == 0 ? 1 : -1;
    }
    out->unsealed = out->last_seq > out->seq ? out->last_seq - out->seq : 0;
    return 0;
}

/* Reads an anchor (text, len) into v after checking its signature with v->pk. */
static int load_anchor(struct verifier *v, const char *text, size_t len, struct hogo_error *err)
{
    char tag[32], head[2 * HASH_BYTES + 2], sig[2 * crypto_sign_BYTES + 2], line[320];
    long long seq = 0;
    struct cp c;
    snprintf(line, sizeof line, "%.*s", (int)(len < sizeof line ? len : sizeof line - 1), text);
    if (!v->pk)
        return hogo_error_set(err, HOGO_EINVAL, "anchor",
                              "checking an anchor needs the public key (--public-key FILE.pub)");
    if (sscanf(line, "%31s %lld %65s %129s", tag, &seq, head, sig) != 4 ||
        strcmp(tag, anchor_tag) || seq <= 0 || unhex(head, c.head, HASH_BYTES) ||
        unhex(sig, c.sig, crypto_sign_BYTES))
        return hogo_error_set(err, HOGO_EINVAL, "anchor",
                              "not an anchor: expected one line '%s SEQ HEAD SIGNATURE' as "
                              "written by 'hogo audit checkpoint --anchor FILE'",
                              anchor_tag);
    unsigned char msg[sizeof cp_tag - 1 + 8 + HASH_BYTES];
    checkpoint_message(seq, c.head, msg);
    if (crypto_sign_verify_detached(c.sig, msg, sizeof msg, v->pk) != 0)
        return hogo_error_set(err, HOGO_ETAMPER, "anchor",
                              "the anchor is not signed by the given public key");
    v->anchor_seq = seq;
    memcpy(v->anchor_head, c.head, HASH_BYTES);
    return 0;
}

static int verify_store(struct hogo_store *st, const unsigned char *public_key,
                        const char *anchor, size_t anchor_len,
                        struct hogo_audit_report *report, struct hogo_error *err)
{
    struct verifier v = {.r = report, .pk = public_key, .expect = 1,
                         .interval = st->checkpoint_interval};
    memset(report, 0, sizeof *report);
    report->signatures_checked = public_key != NULL;
    if (anchor) {
        int arc = load_anchor(&v, anchor, anchor_len, err);
        if (arc < 0)
            return arc;
    }
    int rc = hogo__record_check_new(&v.records);
    if (rc == 0)
        rc = hogo__facts_check_new(&v.facts);
    if (rc < 0) {
        hogo__record_check_free(v.records);
        return hogo_error_set(err, rc, NULL, "out of memory");
    }
    rc = hogo__query(st, "SELECT seq, head, public_key, signature FROM checkpoints",
                     NULL, 0, row_cp, &v, err);
    if (rc == HOGO_ENOMEM)
        hogo_error_set(err, rc, NULL, "out of memory reading checkpoints");
    if (rc < 0)
        goto out;
    if (v.ncp)
        qsort(v.cps, v.ncp, sizeof *v.cps, cmp_cp);
    rc = hogo__query(st,
                     "SELECT seq, at, subject_id, actor, action, object, detail, prev_hash, "
                     "hash FROM audit_events ORDER BY seq",
                     NULL, 0, row_event, &v, err);
    if (rc == HOGO_ENOMEM)
        hogo_error_set(err, rc, NULL, "out of memory verifying the audit log");
    if (rc < 0)
        goto out;
    rc = finish(&v);
    if (rc < 0) {
        hogo_error_set(err, rc, "audit_events", "audit log tampered: %s", report->problem);
        goto out;
    }
    /* the chain holds: the records must be what its events say they are */
    rc = hogo__record_check_run(st, v.records, hogo__now_us(st), &report->first_bad_seq,
                                report->problem, sizeof report->problem, err);
    if (rc == HOGO_ETAMPER) {
        hogo_error_set(err, rc, "ledger", "ledger tampered: %s", report->problem);
        goto out;
    }
    /* and the facts must be what their last events sealed */
    if (rc == 0)
        rc = hogo__facts_check_run(st, v.facts, &report->first_bad_seq, report->problem,
                                   sizeof report->problem, err);
    if (rc == HOGO_ETAMPER)
        hogo_error_set(err, rc, "subjects", "facts tampered: %s", report->problem);
    /* and every key is where the events say: none deleted outside an erasure, none left */
    if (rc == 0)
        rc = hogo__keys_check_run(st, &report->first_bad_seq, report->problem,
                                  sizeof report->problem, err);
    if (rc == HOGO_ETAMPER)
        hogo_error_set(err, rc, "key store", "subject keys tampered: %s", report->problem);
out:
    free(v.cps);
    hogo__record_check_free(v.records);
    hogo__facts_check_free(v.facts);
    return rc;
}

int hogo_audit_verify(struct hogo_store *st, const unsigned char *public_key,
                      struct hogo_audit_report *report, struct hogo_error *err)
{
    return verify_store(st, public_key, NULL, 0, report, err);
}

int hogo_audit_verify_anchored(struct hogo_store *st, const unsigned char *public_key,
                               const char *anchor, size_t anchor_len,
                               struct hogo_audit_report *report, struct hogo_error *err)
{
    return verify_store(st, public_key, anchor, anchor_len, report, err);
}

/* ---- export ---- */

struct exporter {
    yajl_gen g;
};

static void gen_hex(yajl_gen g, const char *k, const struct hogo__val *b)
{
    char hex[2 * 64 + 1];
    size_t n = b->type == HOGO__BLOB && b->n <= 64 ? b->n : 0;
    hogo__hex(b->type == HOGO__BLOB ? b->b : (const unsigned char *)"", n, hex);
    hogo__gen_kv_str(g, k, hex);
}

static int row_export_event(void *ctx, const struct hogo__val *c, size_t n)
{
    struct exporter *x = ctx;
    static const char *const names[] = {"seq", "at", "subject_id", "actor", "action",
                                        "object", "detail", "prev_hash", "hash"};
    _Static_assert(sizeof names / sizeof *names == EVENT_COLUMNS, "a name per column");
    if (n < EVENT_COLUMNS)
        return HOGO_ESTORE;
    yajl_gen g = x->g;
    yajl_gen_map_open(g);
    hogo__gen_str(g, "event");
    yajl_gen_map_open(g);
    for (int i = 0; i < EVENT_COLUMNS; i++) {
        if (i < 2)
            hogo__gen_kv_int(g, names[i], c[i].type == HOGO__INT ? c[i].i : 0);
        else if (i < 2 + EVENT_FIELDS) {
            hogo__gen_str(g, names[i]);
            if (c[i].type == HOGO__TEXT)
                yajl_gen_string(g, (const unsigned char *)c[i].s, c[i].n);
            else
                yajl_gen_string(g, (const unsigned char *)"", 0);
        } else
            gen_hex(g, names[i], &c[i]);
    }
    yajl_gen_map_close(g);
    yajl_gen_map_close(g);
    yajl_gen_reset(g, "\n"); /* one JSON value per line */
    return 0;
}

static int row_export_cp(void *ctx, const struct hogo__val *c, size_t n)
{
    struct exporter *x = ctx;
    if (n < 5)
        return HOGO_ESTORE;
    yajl_gen g = x->g;
    yajl_gen_map_open(g);
    hogo__gen_str(g, "checkpoint");
    yajl_gen_map_open(g);
    hogo__gen_kv_int(g, "seq", c[0].i);
    hogo__gen_kv_int(g, "at", c[1].i);
    gen_hex(g, "head", &c[2]);
    gen_hex(g, "public_key", &c[3]);
    gen_hex(g, "signature", &c[4]);
    yajl_gen_map_close(g);
    yajl_gen_map_close(g);
    yajl_gen_reset(g, "\n");
    return 0;
}

int hogo_audit_export(struct hogo_store *st, char **out, size_t *len, struct hogo_error *err)
{
    int rc = 0;
    struct exporter x = {yajl_gen_alloc(NULL)};
    *out = NULL;
    if (!x.g)
        return hogo_error_set(err, HOGO_ENOMEM, NULL, "out of memory");
    /* one JSON value per line: yajl_gen_beautify off, separator "\n" between values */
    yajl_gen_config(x.g, yajl_gen_beautify, 0);
    rc = hogo__query(st,
                     "SELECT seq, at, subject_id, actor, action, object, detail, prev_hash, "
                     "hash FROM audit_events ORDER BY seq",
                     NULL, 0, row_export_event, &x, err);
    if (rc == 0)
        rc = hogo__query(st,
                         "SELECT seq, at, head, public_key, signature FROM checkpoints "
                         "ORDER BY seq",
                         NULL, 0, row_export_cp, &x, err);
    if (rc < 0)
        goto out;
    rc = hogo__gen_take(x.g, out, err);
    if (rc == 0 && len)
        *len = strlen(*out);
out:
    yajl_gen_free(x.g);
    return rc;
}

/* ---- verifying an export ---- */

static int unhex(const char *s, unsigned char *out, size_t n)
{
    size_t got = 0;
    if (!s || strlen(s) != 2 * n)
        return -1;
    if (sodium_hex2bin(out, n, s, 2 * n, NULL, &got, NULL) != 0 || got != n)
        return -1;
    return 0;
}

static const char *jstr(yajl_val o, const char *k)
{
    const char *path[] = {k, NULL};
    yajl_val v = yajl_tree_get(o, path, yajl_t_string);
    return v ? YAJL_GET_STRING(v) : NULL;
}

static int jint(yajl_val o, const char *k, int64_t *out)
{
    const char *path[] = {k, NULL};
    yajl_val v = yajl_tree_get(o, path, yajl_t_number);
    if (!v || !YAJL_IS_INTEGER(v))
        return -1;
    *out = YAJL_GET_INTEGER(v);
    return 0;
}

/* Notes an exported checkpoint (line where) for the second pass. */
static int export_checkpoint(struct verifier *v, yajl_val cp, const char *where,
                             struct hogo_error *err)
{
    struct cp c;
    if (jint(cp, "seq", &c.seq) || unhex(jstr(cp, "head"), c.head, HASH_BYTES) ||
        unhex(jstr(cp, "public_key"), c.pk, sizeof c.pk) ||
        unhex(jstr(cp, "signature"), c.sig, sizeof c.sig))
        return hogo_error_set(err, HOGO_EINVAL, where, "malformed checkpoint");
    if (add_cp(v, &c) < 0)
        return hogo_error_set(err, HOGO_ENOMEM, NULL, "out of memory");
    return 0;
}

/* Checks an exported event (line where) against the chain so far; a malformed one is
 * tampering, reported in v. */
static int export_event(struct verifier *v, yajl_val ev, const char *where,
                        struct hogo_error *err)
{
    static const char *const names[] = {"subject_id", "actor", "action", "object", "detail"};
    const char *f[EVENT_FIELDS];
    size_t fl[EVENT_FIELDS];
    int64_t seq, at;
    unsigned char prev[HASH_BYTES], hash[HASH_BYTES];
    int ok = !jint(ev, "seq", &seq) && !jint(ev, "at", &at) &&
             !unhex(jstr(ev, "prev_hash"), prev, HASH_BYTES) &&
             !unhex(jstr(ev, "hash"), hash, HASH_BYTES);
    for (int i = 0; i < EVENT_FIELDS && ok; i++) {
        f[i] = jstr(ev, names[i]);
        ok = f[i] != NULL;
        fl[i] = ok ? strlen(f[i]) : 0;
    }
    if (!ok) {
        vbad(v, v->expect, "event at %s is malformed", where);
        return 0;
    }
    if (feed_event(v, seq, at, f, fl, prev, HASH_BYTES, hash, HASH_BYTES) < 0)
        return hogo_error_set(err, HOGO_ENOMEM, NULL, "out of memory");
    return 0;
}

/* One line of an export (NUL-terminated; lineno counts from 1): in pass 0 its checkpoint, in
 * pass 1 its event; anything else is an error. */
static int export_line(struct verifier *v, const char *line, long lineno, int pass,
                       struct hogo_error *err)
{
    char ebuf[256], where[32];
    yajl_val root = yajl_tree_parse(line, ebuf, sizeof ebuf);
    const char *evp[] = {"event", NULL}, *cpp[] = {"checkpoint", NULL};
    yajl_val ev = root ? yajl_tree_get(root, evp, yajl_t_object) : NULL;
    yajl_val cp = root ? yajl_tree_get(root, cpp, yajl_t_object) : NULL;
    int rc = 0;
    snprintf(where, sizeof where, "line %ld", lineno);
    if (!root || (!ev && !cp))
        rc = hogo_error_set(err, HOGO_EINVAL, where,
                            "export line is not an event or checkpoint: %s",
                            root ? "unknown object" : ebuf);
    else if (pass == 0 && cp)
        rc = export_checkpoint(v, cp, where, err);
    else if (pass == 1 && ev)
        rc = export_event(v, ev, where, err);
    yajl_tree_free(root);
    return rc;
}

int hogo_audit_verify_export(const char *text, size_t len, const unsigned char *public_key,
                             struct hogo_audit_report *report, struct hogo_error *err)
{
    return hogo_audit_verify_export_every(text, len, public_key,
                                          HOGO_AUDIT_CHECKPOINT_INTERVAL, report, err);
}

int hogo_audit_verify_export_every(const char *text, size_t len,
                                   const unsigned char *public_key, unsigned interval,
                                   struct hogo_audit_report *report, struct hogo_error *err)
{
    struct verifier v = {.r = report, .pk = public_key, .expect = 1, .interval = interval};
    int rc = 0;
    memset(report, 0, sizeof *report);
    report->signatures_checked = public_key != NULL;
    char *copy = malloc(len + 1);
    if (!copy)
        return hogo_error_set(err, HOGO_ENOMEM, NULL, "out of memory");
    memcpy(copy, text, len);
    copy[len] = '\0';
    /* two passes: checkpoints first, then events in order */
    for (int pass = 0; pass < 2 && rc == 0 && !v.bad; pass++) {
        char *line = copy;
        long lineno = 0;
        while (line && *line && rc == 0 && !v.bad) {
            char *nl = strchr(line, '\n');
            if (nl)
                *nl = '\0';
            lineno++;
            if (*line)
                rc = export_line(&v, line, lineno, pass, err);
            line = nl ? nl + 1 : NULL;
            if (nl)
                *nl = '\n';
        }
        if (pass == 0 && v.ncp)
            qsort(v.cps, v.ncp, sizeof *v.cps, cmp_cp);
    }
    if (rc == 0) {
        rc = finish(&v);
        if (rc < 0)
            hogo_error_set(err, rc, "export", "audit log tampered: %s", report->problem);
    }
    free(v.cps);
    free(copy);
    return rc;
}
