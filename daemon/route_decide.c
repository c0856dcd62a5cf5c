/*
 * The decision routes: POST /v1/decide (one docs/decision.md request, answered with exactly
 * `hogo check`'s JSON plus "decision_id") and POST /v1/decide:batch (JSON lines in, one line
 * out per request, in order; a bad line gets {"error": ...} and the batch goes on). With a
 * store every decision is an audit event (hogo_decide_stored), written durably before the
 * answer (concurrent requests share one commit; a batch is one commit), its decision_id
 * "evt_N" naming the event's sequence number; a request naming "subject_id" is decided on
 * the subject's stored facts. Without a store the id is "dec_" and 32 random hex digits. A key decides only under its own
 * operator's policy. Daemon layer.
 */
#include "hogod.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

/* ---- per-thread request and writer ---- */

struct thread_objects {
    struct hogo_request *req;
    struct hogo_writer *w;
    struct thread_objects *next;
};

static _Thread_local struct thread_objects *mine;
static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static struct thread_objects *registry;

static struct thread_objects *thread_objects(void)
{
    if (mine)
        return mine;
    struct thread_objects *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    if (hogo_request_new(&t->req) || hogo_writer_new(false, &t->w)) {
        hogo_request_free(t->req);
        hogo_writer_free(t->w);
        free(t);
        return NULL;
    }
    pthread_mutex_lock(&registry_lock);
    t->next = registry;
    registry = t;
    pthread_mutex_unlock(&registry_lock);
    return mine = t;
}

struct hogo_request *hogod_thread_request(void)
{
    struct thread_objects *t = thread_objects();
    return t ? t->req : NULL;
}

struct hogo_writer *hogod_thread_writer(void)
{
    struct thread_objects *t = thread_objects();
    return t ? t->w : NULL;
}

void hogod_thread_objects_free(void)
{
    pthread_mutex_lock(&registry_lock);
    while (registry) {
        struct thread_objects *t = registry;
        registry = t->next;
        hogo_request_free(t->req);
        hogo_writer_free(t->w);
        free(t);
    }
    pthread_mutex_unlock(&registry_lock);
}

/* ---- one decision ---- */

/* A new decision id: "dec_" and 32 hex digits: 16 random per thread, drawn once, then a
 * per-thread count, so ids never repeat and cost no system call. */
static _Thread_local unsigned char id_prefix[8];
static _Thread_local uint64_t id_count;

static void new_decision_id(char id[40])
{
    if (id_count == 0)
        randombytes_buf(id_prefix, sizeof id_prefix);
    uint64_t n = ++id_count;
    unsigned char r[16];
    memcpy(r, id_prefix, 8);
    for (int i = 15; i >= 8; i--, n >>= 8)
        r[i] = (unsigned char)n;
    memcpy(id, "dec_", 4);
    sodium_bin2hex(id + 4, 33, r, sizeof r);
}

struct one {
    const struct hogo_policy *policy;
    struct hogo_request *req;
    const char *subject;          /* stored facts of this subject, or NULL */
    char *decision_id;            /* 40 bytes: "dec_" + random hex, or "evt_" + event seq */
    struct hogo_decision d;
};

/* Decides o on the subject's stored facts (or the request's own) and writes its audit
 * event, in the caller's transaction; the decision id names the event ("evt_" and its
 * sequence number in the audit log). */
static int decide_stored(struct hogo_store *st, struct one *o, struct hogo_error *err)
{
    int64_t seq = 0;
    int rc = hogo_decide_stored(st, o->policy, o->req, o->subject, &o->d, &seq, err);
    if (rc == HOGO_ENOTFOUND && o->subject)
        return hogo_error_set(err, rc, "/subject_id",
                              "subject '%s' not found; register it with POST /v1/subjects",
                              o->subject);
    if (rc == 0)
        snprintf(o->decision_id, 40, "evt_%lld", (long long)seq);
    return rc;
}

static int decide_stored_fn(struct hogo_store *st, void *ctx, struct hogo_error *err)
{
    return decide_stored(st, ctx, err);
}

/* Parses and checks one request: its policy (the key's operator's only), the version in
 * force, and where its facts come from. Fills o; returns 0 or a HOGO_E* with err. */
static int prepare(struct hogod_exchange *x, struct hogod_policies *ps, struct hogo_request *req,
                   const char *json, size_t len, struct one *o, struct hogo_error *err)
{
    size_t max = (size_t)x->d->cfg->max_request;
    int rc = hogo_request_parse(req, ps->vocab, json, len, max, err);
    if (rc)
        return rc;
    const char *id = hogo_request_policy(req);
    const char *op = hogod_operator(x);
    if (op && strcmp(op, id))
        return hogo_error_set(err, HOGO_ENOTFOUND, "/policy",
                              "policy '%s' is not served here; GET /v1/policies lists the "
                              "policies this key may use",
                              id);
    const struct hogo_policy *p = hogod_policy_for(ps, id, req, err);
    if (!p)
        return err->code ? err->code : HOGO_ENOTFOUND;
    if (hogo_policy_vocab(p) != ps->vocab &&
        (rc = hogo_request_parse(req, hogo_policy_vocab(p), json, len, max, err)))
        return rc;
    const char *subject = hogo_request_subject_id(req);
    if (subject && !*subject)
        subject = NULL;
    if (subject && !x->d->store)
        return hogo_error_set(err, HOGO_EINVAL, "/subject_id",
                              "\"subject_id\" names stored facts, but this hogod has no store; "
                              "give the facts in \"subject\"");
    if (subject && hogo_request_has_subject(req))
        return hogo_error_set(err, HOGO_EINVAL, "/subject",
                              "the request carries subject facts and the store holds them too; "
                              "drop \"subject\" to decide on the stored facts");
    o->policy = p;
    o->req = req;
    o->subject = subject;
    return 0;
}

/* Appends the decision's JSON line (hogo check's, plus "decision_id") to the writer's text
 * in out. */
static int render(struct hogo_writer *w, const struct one *o, char **out, size_t *len,
                  size_t *cap)
{
    hogo_writer_clear(w);
    if (hogo_writer_decision(w, o->policy, o->req, &o->d))
        return HOGO_ENOMEM;
    const char *buf;
    size_t n;
    hogo_writer_buffer(w, &buf, &n);
    while (n && (buf[n - 1] == '\n' || buf[n - 1] == '}'))
        n--; /* the object's closing brace and the newline */
    size_t need = *len + n + 64;
    if (need > *cap) {
        size_t c = *cap ? *cap * 2 : 1024;
        while (c < need)
            c *= 2;
        char *s = realloc(*out, c);
        if (!s)
            return HOGO_ENOMEM;
        *out = s;
        *cap = c;
    }
    memcpy(*out + *len, buf, n);
    *len += n;
    *len += (size_t)snprintf(*out + *len, *cap - *len, ",\"decision_id\":\"%s\"}\n",
                             o->decision_id);
    return 0;
}

void hogod_route_decide(struct hogod_exchange *x)
{
    struct hogo_request *req = hogod_thread_request();
    struct hogo_writer *w = hogod_thread_writer();
    if (!req || !w) {
        hogod_problem(x, 503, NULL, "out of memory; retry later");
        return;
    }
    struct hogod_policies *ps = hogod_policies_get(x->d);
    struct hogo_error err = {0};
    struct one o = {.decision_id = x->decision_id};
    int rc = prepare(x, ps, req, x->body, x->body_len, &o, &err);
    if (rc == 0) {
        if (x->d->store) {
            rc = hogod_store_run(x, decide_stored_fn, &o, &err);
        } else {
            new_decision_id(x->decision_id);
            rc = hogo_decide(o.policy, req, &o.d, &err);
        }
    }
    if (rc) {
        x->decision_id[0] = '\0';
        hogod_problem_from(x, rc, &err);
    } else {
        char *out = NULL;
        size_t len = 0, cap = 0;
        if (render(w, &o, &out, &len, &cap)) {
            free(out);
            hogod_problem(x, 503, NULL, "out of memory; retry later");
        } else {
            hogod_metrics_decision(x->d->metrics, hogo_policy_id(o.policy), o.d.allow);
            hogod_reply_json_take(x, 200, out, len);
        }
    }
    hogod_policies_release(ps);
}

/* ---- batches ---- */

struct batch {
    struct hogod_exchange *x;
    struct hogod_policies *ps;
    struct hogo_request *req;
    struct hogo_writer *w;
    char *out;
    size_t len, cap;
    long decided;
};

static int append_raw(struct batch *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t c = b->cap ? b->cap * 2 : 4096;
        while (c < b->len + n + 1)
            c *= 2;
        char *t = realloc(b->out, c);
        if (!t)
            return HOGO_ENOMEM;
        b->out = t;
        b->cap = c;
    }
    memcpy(b->out + b->len, s, n);
    b->len += n;
    return 0;
}

/* Decides every line of the body; on the committing thread when there is a store, so that
 * the whole batch is one durable transaction. A bad line answers an error line. */
static int batch_fn(struct hogo_store *st, void *ctx, struct hogo_error *fatal)
{
    struct batch *b = ctx;
    struct hogod_exchange *x = b->x;
    const char *p = x->body, *end = x->body + x->body_len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
        const char *line = p;
        p += n + (nl ? 1 : 0);
        while (n && (line[n - 1] == '\r' || line[n - 1] == ' ' || line[n - 1] == '\t'))
            n--;
        if (!n)
            continue;
        struct hogo_error err = {0};
        char id[40] = "";
        struct one o = {.decision_id = id};
        int rc = prepare(x, b->ps, b->req, line, n, &o, &err);
        if (rc == 0 && !st)
            new_decision_id(id);
        if (rc == 0)
            rc = st ? decide_stored(st, &o, &err) : hogo_decide(o.policy, b->req, &o.d, &err);
        if (rc == HOGO_ESTORE || rc == HOGO_EIO || rc == HOGO_ENOMEM) {
            *fatal = err;
            return rc;
        }
        if (rc) {
            hogo_writer_clear(b->w);
            hogo_writer_error(b->w, &err);
            const char *buf;
            size_t blen;
            hogo_writer_buffer(b->w, &buf, &blen);
            if ((rc = append_raw(b, buf, blen)))
                return hogo_error_set(fatal, rc, NULL, "out of memory");
            continue;
        }
        if ((rc = render(b->w, &o, &b->out, &b->len, &b->cap)))
            return hogo_error_set(fatal, rc, NULL, "out of memory");
        hogod_metrics_decision(x->d->metrics, hogo_policy_id(o.policy), o.d.allow);
        b->decided++;
    }
    return 0;
}

void hogod_route_decide_batch(struct hogod_exchange *x)
{
    struct batch b = {.x = x, .req = hogod_thread_request(), .w = hogod_thread_writer()};
    if (!b.req || !b.w) {
        hogod_problem(x, 503, NULL, "out of memory; retry later");
        return;
    }
    b.ps = hogod_policies_get(x->d);
    struct hogo_error err = {0};
    int rc;
    if (x->d->store) {
        rc = hogod_store_run(x, batch_fn, &b, &err);
    } else {
        rc = batch_fn(NULL, &b, &err);
    }
    if (rc == 0)
        hogod_metrics_commit(x->d->metrics, b.decided);
    hogod_policies_release(b.ps);
    if (rc) {
        free(b.out);
        hogod_problem_from(x, rc, &err);
        return;
    }
    if (!b.out)
        b.out = calloc(1, 1);
    hogod_reply_json_take(x, 200, b.out, b.len);
    x->content_type = "application/x-ndjson";
}
