/*
 * hogod's metrics in the Prometheus text format: requests by route and status, latency
 * histograms by route, decisions by policy and outcome, store errors, group-commit sizes and
 * policy reloads. Labels hold route patterns, statuses and policy ids only, never a subject
 * id or any value from a request. Counters are atomics; no lock on the request path except
 * when a policy id is seen for the first time. Daemon layer.
 */
#include "hogod.h"

#include <hogo/rights.h>

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ROUTES 96
#define NSTATUS 600
#define NBUCKETS 14
#define MAX_POLICY_LABELS 64

static const double bucket_le[NBUCKETS] = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01,
                                           0.025,  0.05,    0.1,    0.25,  0.5,   1,     2.5};

struct hogod_metrics {
    atomic_ulong requests[MAX_ROUTES + 1][NSTATUS]; /* last row: no route matched */
    atomic_ulong buckets[MAX_ROUTES + 1][NBUCKETS + 1];
    atomic_ulong sum_ns[MAX_ROUTES + 1];
    pthread_mutex_t lock; /* guards adding a policy label */
    char policy[MAX_POLICY_LABELS][64];
    atomic_int npolicies;
    atomic_ulong decisions[MAX_POLICY_LABELS][2];
    atomic_ulong store_errors;
    atomic_ulong batch_decisions;
    atomic_ulong reloads_ok, reloads_failed;
};

int hogod_metrics_new(struct hogod_metrics **out)
{
    struct hogod_metrics *m = calloc(1, sizeof *m);
    if (!m)
        return HOGO_ENOMEM;
    pthread_mutex_init(&m->lock, NULL);
    *out = m;
    return 0;
}

void hogod_metrics_free(struct hogod_metrics *m)
{
    if (m)
        pthread_mutex_destroy(&m->lock);
    free(m);
}

void hogod_metrics_request(struct hogod_metrics *m, int route, int status, int64_t ns)
{
    int r = route < 0 || route >= MAX_ROUTES ? MAX_ROUTES : route;
    if (status < 0 || status >= NSTATUS)
        status = 0;
    atomic_fetch_add_explicit(&m->requests[r][status], 1, memory_order_relaxed);
    double s = (double)ns / 1e9;
    int b = 0;
    while (b < NBUCKETS && s > bucket_le[b])
        b++;
    atomic_fetch_add_explicit(&m->buckets[r][b], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&m->sum_ns[r], (unsigned long)ns, memory_order_relaxed);
}

void hogod_metrics_decision(struct hogod_metrics *m, const char *policy, bool allow)
{
    int n = atomic_load(&m->npolicies);
    for (int i = 0; i < n; i++)
        if (!strcmp(m->policy[i], policy)) {
            atomic_fetch_add_explicit(&m->decisions[i][allow], 1, memory_order_relaxed);
            return;
        }
    pthread_mutex_lock(&m->lock);
    n = atomic_load(&m->npolicies);
    int i = 0;
    while (i < n && strcmp(m->policy[i], policy))
        i++;
    if (i == n && n < MAX_POLICY_LABELS) {
        snprintf(m->policy[n], sizeof m->policy[n], "%s", policy);
        atomic_store(&m->npolicies, n + 1);
    }
    pthread_mutex_unlock(&m->lock);
    if (i < MAX_POLICY_LABELS)
        atomic_fetch_add_explicit(&m->decisions[i][allow], 1, memory_order_relaxed);
}

void hogod_metrics_store_error(struct hogod_metrics *m) { atomic_fetch_add(&m->store_errors, 1); }

void hogod_metrics_batch(struct hogod_metrics *m, int64_t decisions)
{
    atomic_fetch_add(&m->batch_decisions, (unsigned long)decisions);
}

void hogod_metrics_reload(struct hogod_metrics *m, bool ok)
{
    atomic_fetch_add(ok ? &m->reloads_ok : &m->reloads_failed, 1);
}

/* A growing text buffer. */
struct text {
    char *s;
    size_t len, cap;
    bool failed;
};

static void add(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add(struct text *t, const char *fmt, ...)
{
    if (t->failed)
        return;
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(t->s + t->len, t->cap - t->len, fmt, ap);
        va_end(ap);
        if (n < 0) {
            t->failed = true;
            return;
        }
        if ((size_t)n < t->cap - t->len) {
            t->len += (size_t)n;
            return;
        }
        if (HOGO_GROW(t->s, t->cap, t->len + (size_t)n + 1, 4096)) {
            t->failed = true;
            return;
        }
    }
}

static int rights_counts_fn(struct hogo_store *st, void *ctx, struct hogo_error *err)
{
    return hogo_dsr_counts_json(st, (char **)ctx, err);
}

int hogod_metrics_render(struct hogod *d, char **out, size_t *len)
{
    struct hogod_metrics *m = d->metrics;
    struct text t = {.s = malloc(8192), .cap = 8192};
    if (!t.s)
        return HOGO_ENOMEM;
    t.s[0] = '\0';
    add(&t, "# HELP hogod_requests_total HTTP requests answered, by route and status.\n"
            "# TYPE hogod_requests_total counter\n");
    for (int r = 0; r <= MAX_ROUTES && r <= hogod_nroutes; r++) {
        const char *method = r < hogod_nroutes ? hogod_routes[r].method : "-";
        const char *path = r < hogod_nroutes ? hogod_routes[r].path : "unmatched";
        int row = r < hogod_nroutes ? r : MAX_ROUTES;
        for (int s = 0; s < NSTATUS; s++) {
            unsigned long v = atomic_load(&m->requests[row][s]);
            if (v)
                add(&t, "hogod_requests_total{method=\"%s\",route=\"%s\",status=\"%d\"} %lu\n",
                    method, path, s, v);
        }
    }
    add(&t, "# HELP hogod_request_duration_seconds Time from the request's first byte to its "
            "answer, by route.\n# TYPE hogod_request_duration_seconds histogram\n");
    for (int r = 0; r < hogod_nroutes && r < MAX_ROUTES; r++) {
        unsigned long cum = 0;
        char le[32];
        for (int b = 0; b <= NBUCKETS; b++) {
            cum += atomic_load(&m->buckets[r][b]);
            if (b < NBUCKETS)
                snprintf(le, sizeof le, "%g", bucket_le[b]);
            else
                snprintf(le, sizeof le, "+Inf");
            add(&t,
                "hogod_request_duration_seconds_bucket{method=\"%s\",route=\"%s\",le=\"%s\"} "
                "%lu\n",
                hogod_routes[r].method, hogod_routes[r].path, le, cum);
        }
        add(&t, "hogod_request_duration_seconds_sum{method=\"%s\",route=\"%s\"} %.6f\n",
            hogod_routes[r].method, hogod_routes[r].path,
            (double)atomic_load(&m->sum_ns[r]) / 1e9);
        add(&t, "hogod_request_duration_seconds_count{method=\"%s\",route=\"%s\"} %lu\n",
            hogod_routes[r].method, hogod_routes[r].path, cum);
    }
    add(&t, "# HELP hogod_decisions_total Decisions made, by policy and outcome.\n"
            "# TYPE hogod_decisions_total counter\n");
    int64_t commits = 0, calls = 0;
    hogo_store_commit_stats(d->store, &commits, &calls);
    int np = atomic_load(&m->npolicies);
    for (int i = 0; i < np; i++)
        for (int a = 0; a < 2; a++)
            add(&t, "hogod_decisions_total{policy=\"%s\",decision=\"%s\"} %lu\n", m->policy[i],
                a ? "allow" : "deny", atomic_load(&m->decisions[i][a]));
    add(&t,
        "# HELP hogod_store_errors_total Store calls that failed.\n"
        "# TYPE hogod_store_errors_total counter\nhogod_store_errors_total %lu\n"
        "# HELP hogod_store_commits_total Store transactions committed (group commits).\n"
        "# TYPE hogod_store_commits_total counter\nhogod_store_commits_total %lld\n"
        "# HELP hogod_store_commit_calls_total Store calls those transactions carried (their "
        "sum of sizes).\n"
        "# TYPE hogod_store_commit_calls_total counter\nhogod_store_commit_calls_total %lld\n"
        "# HELP hogod_batch_decisions_total Decisions made by decide:batch requests.\n"
        "# TYPE hogod_batch_decisions_total counter\nhogod_batch_decisions_total %lu\n"
        "# HELP hogod_policy_reloads_total Policy reloads (SIGHUP), by outcome.\n"
        "# TYPE hogod_policy_reloads_total counter\n"
        "hogod_policy_reloads_total{outcome=\"ok\"} %lu\n"
        "hogod_policy_reloads_total{outcome=\"failed\"} %lu\n"
        "# HELP hogod_in_flight_requests Requests being served now.\n"
        "# TYPE hogod_in_flight_requests gauge\nhogod_in_flight_requests %ld\n",
        atomic_load(&m->store_errors), (long long)commits, (long long)calls,
        atomic_load(&m->batch_decisions), atomic_load(&m->reloads_ok),
        atomic_load(&m->reloads_failed), atomic_load(&d->in_flight));
    if (d->store) { /* rights requests by state, the work queue at a glance */
        char *counts = NULL;
        struct hogo_error err = {0};
        if (hogo_store_run(d->store, rights_counts_fn, &counts, &err) == 0 && counts) {
            yajl_val doc = yajl_tree_parse(counts, NULL, 0);
            add(&t, "# HELP hogod_rights_requests Rights requests (開示等の請求), by state.\n"
                    "# TYPE hogod_rights_requests gauge\n");
            for (size_t i = 0; doc && YAJL_IS_OBJECT(doc) && i < doc->u.object.len; i++)
                if (YAJL_IS_INTEGER(doc->u.object.values[i]))
                    add(&t, "hogod_rights_requests{state=\"%s\"} %lld\n",
                        doc->u.object.keys[i], YAJL_GET_INTEGER(doc->u.object.values[i]));
            yajl_tree_free(doc);
        }
        free(counts);
    }
    if (t.failed) {
        free(t.s);
        return HOGO_ENOMEM;
    }
    *out = t.s;
    *len = t.len;
    return 0;
}
