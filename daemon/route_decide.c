/*
 * The decision routes: POST /v1/decide (one docs/decision.md request, answered with exactly
 * `hogo check`'s JSON plus "decision_id") and POST /v1/decide:batch (JSON lines in, one line
 * out per request, in order, streamed 512 lines at a time; a bad line gets {"error": ...}
 * and the batch goes on). With a store every decision is an audit event
 * (hogo_decide_stored), written durably before it is answered (concurrent requests share
 * one commit; each chunk of a batch is one commit), its decision_id "evt_N" naming the
 * event's sequence number; a request naming "subject_id" is decided on the subject's stored
 * facts. Without a store the id is "dec_" and 32 hex digits. A key decides only under its
 * own operator's policy. Daemon layer.
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
static int prepare(struct hogod *d, const char *op, struct hogod_policies *ps,
                   struct hogo_request *req, const char *json, size_t len, struct one *o,
                   struct hogo_error *err)
{
    size_t max = (size_t)d->cfg->max_request;
    int rc = hogo_request_parse(req, ps->vocab, json, len, max, err);
    if (rc)
        return rc;
    const char *id = hogo_request_policy(req);
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
    if (subject && !d->store)
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
    if (HOGO_GROW(*out, *cap, need, 1024))
        return HOGO_ENOMEM;
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
    int rc = prepare(x->d, hogod_operator(x), ps, req, x->body, x->body_len, &o, &err);
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

/* ---- batches, streamed ---- */

#define BATCH_LINES 512 /* lines decided (and with a store, committed) per chunk of output */

/* A batch being answered: the body (taken over from the exchange), how far it is decided,
 * and the answer lines of the current chunk not yet sent. Lives as long as the response. */
struct batch {
    struct hogod *d;
    char operator_id[129];        /* "" without a key */
    struct hogod_policies *ps;
    char *body;
    size_t len, pos;              /* input, and how much of it is decided */
    struct hogo_request *req;     /* the thread's (the callback runs on the connection's) */
    struct hogo_writer *w;
    char *out;
    size_t out_len, out_cap, sent;
    long decided;
    bool failed;
};

static int append_raw(struct batch *b, const char *s, size_t n)
{
    if (HOGO_GROW(b->out, b->out_cap, b->out_len + n + 1, 4096))
        return HOGO_ENOMEM;
    memcpy(b->out + b->out_len, s, n);
    b->out_len += n;
    return 0;
}

/* Decides the next BATCH_LINES lines into b->out; with a store on the committing thread, so
 * that the chunk is one durable transaction, answered only once committed. A bad line
 * answers an error line; a store failure ends the chunk (fatal set). */
static int chunk_fn(struct hogo_store *st, void *ctx, struct hogo_error *fatal)
{
    struct batch *b = ctx;
    size_t start_len = b->out_len;
    for (int lines = 0; lines < BATCH_LINES && b->pos < b->len;) {
        const char *p = b->body + b->pos, *end = b->body + b->len;
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
        b->pos += n + (nl ? 1 : 0);
        while (n && (p[n - 1] == '\r' || p[n - 1] == ' ' || p[n - 1] == '\t'))
            n--;
        if (!n)
            continue;
        lines++;
        struct hogo_error err = {0};
        char id[40] = "";
        struct one o = {.decision_id = id};
        int rc = prepare(b->d, b->operator_id[0] ? b->operator_id : NULL, b->ps, b->req, p, n,
                         &o, &err);
        if (rc == 0 && !st)
            new_decision_id(id);
        if (rc == 0)
            rc = st ? decide_stored(st, &o, &err) : hogo_decide(o.policy, b->req, &o.d, &err);
        if (rc == HOGO_ESTORE || rc == HOGO_EIO || rc == HOGO_ENOMEM || rc == HOGO_EBUSY) {
            b->out_len = start_len; /* nothing of a chunk that is not committed is answered */
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
        if ((rc = render(b->w, &o, &b->out, &b->out_len, &b->out_cap)))
            return hogo_error_set(fatal, rc, NULL, "out of memory");
        hogod_metrics_decision(b->d->metrics, hogo_policy_id(o.policy), o.d.allow);
        b->decided++;
    }
    return 0;
}

/* The response's reader: sends what is decided, then decides the next chunk. */
static long batch_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    (void)pos;
    struct batch *b = cls;
    if (b->sent == b->out_len) {
        b->sent = b->out_len = 0;
        if (b->failed || b->pos >= b->len)
            return HOGOD_STREAM_END;
        b->req = hogod_thread_request();
        b->w = hogod_thread_writer();
        struct hogo_error err = {0};
        int rc = !b->req || !b->w ? hogo_error_set(&err, HOGO_ENOMEM, NULL, "out of memory")
                 : b->d->store      ? hogo_store_run(b->d->store, chunk_fn, b, &err)
                                    : chunk_fn(NULL, b, &err);
        if (rc) {
            /* the status is sent already: the batch ends with an error line */
            if (rc == HOGO_ESTORE || rc == HOGO_EIO)
                hogod_metrics_store_error(b->d->metrics);
            b->failed = true;
            if (!err.message[0])
                snprintf(err.message, sizeof err.message, "%s; the lines after this one were "
                         "not decided", hogo_strerror(rc));
            char line[1400];
            int n = snprintf(line, sizeof line,
                             "{\"error\":{\"where\":\"\",\"message\":\"batch stopped: "
                             "the store failed; the lines from here on were not decided\","
                             "\"code\":%d}}\n", rc);
            append_raw(b, line, (size_t)n);
        }
        if (b->out_len == 0)
            return b->failed || b->pos >= b->len ? HOGOD_STREAM_END : 0;
    }
    size_t n = b->out_len - b->sent;
    if (n > max)
        n = max;
    memcpy(buf, b->out + b->sent, n);
    b->sent += n;
    return (long)n;
}

static void batch_free(void *cls)
{
    struct batch *b = cls;
    if (b->decided)
        hogod_metrics_batch(b->d->metrics, b->decided);
    hogod_policies_release(b->ps);
    free(b->body);
    free(b->out);
    free(b);
}

void hogod_route_decide_batch(struct hogod_exchange *x)
{
    struct batch *b = calloc(1, sizeof *b);
    if (!b) {
        hogod_problem(x, 503, NULL, "out of memory; retry later");
        return;
    }
    b->d = x->d;
    if (hogod_operator(x))
        snprintf(b->operator_id, sizeof b->operator_id, "%s", hogod_operator(x));
    b->ps = hogod_policies_get(x->d);
    b->body = x->body; /* the batch owns the body from here on */
    b->len = x->body_len;
    x->body = NULL;
    x->status = 200;
    x->content_type = "application/x-ndjson";
    x->stream = batch_read;
    x->stream_free = batch_free;
    x->stream_cls = b;
}
