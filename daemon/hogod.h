/*
 * hogod, the HTTP service over libhogo: the shared declarations of the daemon's parts — its
 * configuration, the policy set it serves, the route table, one HTTP exchange as a route
 * handler sees it, metrics, and the JSON helpers. Daemon layer: uses only the public headers
 * hogo/ headers of the library (and libmicrohttpd, yajl, libfyaml).
 */
#ifndef HOGOD_H
#define HOGOD_H

#include <hogo/hogo.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

/* ---- configuration (config.c) ---- */

#define HOGOD_MAX_POLICIES 32

/* Everything a flag or a config-file key sets. Strings are allocated (config_free). */
struct hogod_config {
    char *listen;            /* "HOST:PORT" */
    char *db;                /* store location, or NULL: stateless */
    char *config;            /* the config file read, or NULL */
    char *master_key;        /* file, or NULL ($HOGO_MASTER_KEY_FILE / $HOGO_MASTER_KEY) */
    char *signing_key;       /* file, or NULL */
    char *key_store;         /* subject key store file, or NULL ($HOGO_KEY_STORE) */
    char *policies[HOGOD_MAX_POLICIES]; /* ids or files; none: the five shipped policies */
    int npolicies;
    char *access_log;        /* file, "-" (stderr, default) or "off" */
    char *tls_cert, *tls_key; /* PEM files, both or neither */
    long threads;            /* worker threads; 0 = processors, 64 with a store */
    long max_request;        /* largest decision request, bytes */
    long max_body;           /* largest body of other routes, bytes */
    long max_batch;          /* largest decide:batch body, bytes */
    long max_connections;    /* open connections at most */
    long timeout;            /* seconds of inactivity before a connection is closed */
    long request_seconds;    /* seconds a request's body may take to arrive in all */
    long rate_limit;         /* requests per second per key; 0 = unlimited */
    long rate_burst;         /* bucket size; 0 = rate_limit */
    long key_cache_seconds;  /* how long a looked-up key is trusted before it is read again */
    long drain_seconds;      /* SIGTERM: how long in-flight requests may take */
    char *signin_key;        /* sign-in tokens' Ed25519 public key file, or NULL: the
                                web sign-in routes answer 503 */
};

/* Parses the command line (and the --config file it names; flags win). Returns -1 to go on,
 * else the exit status (0 after --help), the problem printed. */
int hogod_config_parse(struct hogod_config *c, int argc, char **argv);
void hogod_config_free(struct hogod_config *c);

/* ---- the policy set (policies.c): replaced whole on reload ---- */

struct hogod_policies {
    atomic_int refs;
    struct hogo_vocab *vocab;                 /* shared by the policies compiled over it */
    struct hogo_policy *current[HOGOD_MAX_POLICIES];
    struct hogo_transmissions *transmissions[HOGOD_MAX_POLICIES]; /* current[i]'s list of
                                                                     external transmissions,
                                                                     or NULL */
    int n;
    pthread_mutex_t lock;                     /* guards older[] */
    struct hogo_policy *older[HOGOD_MAX_POLICIES]; /* versions in force earlier, on demand */
    int nolder;
    int64_t loaded_at;                        /* unix seconds */
};

/* Loads the configured policies; on failure err says which and where. */
int hogod_policies_load(const struct hogod_config *c, struct hogod_policies **out,
                        struct hogo_error *err);
/* Drops one reference; the last frees the set. */
void hogod_policies_release(struct hogod_policies *p);
/* The policy named id in force at the request's "at" (its current version, or an older one
 * loaded on first use), or NULL with err naming /policy (or /at). */
const struct hogo_policy *hogod_policy_for(struct hogod_policies *p, const char *id,
                                           const struct hogo_request *req,
                                           struct hogo_error *err);
/* The current version of policy id, or NULL. */
const struct hogo_policy *hogod_policy_find(struct hogod_policies *p, const char *id);
/* The list of external transmissions of served policy id, or NULL (not served, or none). */
const struct hogo_transmissions *hogod_transmissions_find(struct hogod_policies *p,
                                                          const char *id);

/* ---- the server ---- */

struct hogod_metrics;

struct hogod {
    struct hogod_config *cfg;
    struct hogo_store *store;        /* NULL: stateless */
    pthread_mutex_t policies_lock;   /* guards the pointer below */
    struct hogod_policies *policies; /* the set serving now */
    struct hogod_metrics *metrics;
    FILE *access_log;                /* NULL: off */
    pthread_mutex_t log_lock;
    atomic_long in_flight;           /* requests begun and not yet completed */
    atomic_bool draining;            /* SIGTERM received */
    struct hogod_keys *keys;         /* key cache and rate limits (auth.c) */
    struct web_state *web;           /* sessions and sign-in (daemon/web) */
    int64_t started_at;
};

/* Takes a reference to the policy set serving now (release with hogod_policies_release). */
struct hogod_policies *hogod_policies_get(struct hogod *d);
/* Reloads the policies; the old set keeps serving when the new one fails (err says why). */
int hogod_policies_reload(struct hogod *d, struct hogo_error *err);

/* ---- the HTTP server (http.c) ---- */

struct sockaddr;
/* Starts serving on addr with the configured threads, limits and TLS; NULL with why. */
void *hogod_http_start(struct hogod *d, const struct sockaddr *addr, char *why, size_t whylen);
/* Stops accepting connections (requests already received go on). */
void hogod_http_quiesce(void *server);
/* Closes every connection and stops the threads. */
void hogod_http_stop(void *server);

/* ---- one exchange, as a route handler sees it (http.c) ---- */

#define HOGOD_MAX_PARAMS 4

struct hogod_route;

struct hogod_exchange {
    struct hogod *d;
    const struct hogod_route *route;          /* NULL until matched */
    int route_index;
    void *connection;                         /* struct MHD_Connection */
    const char *method;
    const char *params[HOGOD_MAX_PARAMS];     /* path parameters, in the pattern's order */
    char param_buf[1024];
    char *body;                               /* NUL-terminated request body */
    size_t body_len, body_cap, body_max;
    bool too_big, responded;
    struct hogo_apikey key;                   /* the caller's key (with a store) */
    bool has_key;
    int64_t started_ns;
    /* the answer */
    int status;
    const char *content_type;
    char *out;                                /* allocated body */
    size_t out_len;
    char retry_after[24];                     /* 429: seconds */
    char decision_id[40];                     /* for the access log, when a decision was made */
    char location[256];                       /* 201: Location header */
    char disposition[160];                    /* Content-Disposition header, or "" */
    const char *allow;                        /* 405: the method the path takes */
    /* a streamed answer (x->out unused): stream(cls, pos, buf, max) returns bytes written,
       0 for none yet, HOGOD_STREAM_END at the end; stream_free(cls) when done */
    long (*stream)(void *cls, uint64_t pos, char *buf, size_t max);
    void (*stream_free)(void *cls);
    void *stream_cls;
    bool stream_only_ref;                     /* one of request and response is done */
    /* a web route's part (daemon/web/web.h): session, form, cookie; NULL otherwise */
    struct web_exchange *web;
    bool is_web;                              /* a web route or a /center/, /console/ path */
};

#define HOGOD_STREAM_END (-1L)

/* A route handler: reads x (params, body, key), sets x->status and x->out. */
typedef void (*hogod_handler)(struct hogod_exchange *x);

struct hogod_route {
    const char *method;   /* "GET", "POST", "PUT", "DELETE" */
    const char *path;     /* "/v1/subjects/{subject_id}/facts"; a "{name}" segment matches
                             one segment, a literal ":verb" may follow it */
    const char *scope;    /* the key scope required; "public": no key, ever */
    bool needs_store;     /* served only with --db */
    long max_body;        /* 0: the configured max-body; -1: the decision limit;
                             -2: the batch limit */
    hogod_handler handler;
    const char *summary;  /* one line, for the openapi comparison and logs */
};

/* The route table (routes.c) and its length. */
extern const struct hogod_route hogod_routes[];
extern const int hogod_nroutes;

/* Answers with JSON text (copied). */
void hogod_reply_json(struct hogod_exchange *x, int status, const char *json, size_t len);
/* Answers with JSON text, taking ownership of json (malloc'd). */
void hogod_reply_json_take(struct hogod_exchange *x, int status, char *json, size_t len);
/* Answers with other text (copied). */
void hogod_reply_text(struct hogod_exchange *x, int status, const char *type, const char *text,
                      size_t len);
/* Answers application/problem+json (RFC 9457): title from the status, detail, and pointer
 * (a JSON pointer into the request body, or NULL). */
void hogod_problem(struct hogod_exchange *x, int status, const char *pointer,
                   const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Answers a library error: HOGO_EINVAL 400, HOGO_ELIMIT 413, HOGO_ENOTFOUND 404,
 * HOGO_EBUSY 503, others 500 (the store's errors are counted). */
void hogod_problem_from(struct hogod_exchange *x, int code, const struct hogo_error *err);
/* A query-string argument, or NULL. */
const char *hogod_query(struct hogod_exchange *x, const char *name);
/* The key's operator (with a store), or NULL on a stateless daemon. */
const char *hogod_operator(const struct hogod_exchange *x);

/* Runs fn on the store as one transaction shared with other threads' calls (group commit). */
int hogod_store_run(struct hogod_exchange *x,
                    int (*fn)(struct hogo_store *st, void *ctx, struct hogo_error *err),
                    void *ctx, struct hogo_error *err);

/* Parses the body as a JSON object (depth and UTF-8 checked); answers 400 and returns NULL
 * when it is not one. Free with yajl_tree_free. */
yajl_val hogod_body_object(struct hogod_exchange *x);
/* A string member of obj; NULL when absent. A member of another type answers 400 naming
 * /name and sets *bad. */
const char *hogod_member_string(struct hogod_exchange *x, yajl_val obj, const char *name,
                                bool required, bool *bad);
/* True when every member of obj is in names (NULL-terminated); else answers 400 naming it. */
bool hogod_members_known(struct hogod_exchange *x, yajl_val obj, const char *const *names);

/* ---- keys, scopes, rate limits (auth.c) ---- */

struct hogod_keys;
int hogod_keys_new(struct hogod_keys **out);
void hogod_keys_free(struct hogod_keys *k);
/* Checks the request's key for the route: 0 to go on (x->key set), else the answer is set
 * (401 no/malformed/unknown/revoked/expired key, 403 scope, 429 rate). */
int hogod_authorize(struct hogod_exchange *x, const char *authorization);

/* ---- metrics (metrics.c) ---- */

int hogod_metrics_new(struct hogod_metrics **out);
void hogod_metrics_free(struct hogod_metrics *m);
/* Counts one finished request of route (-1: none matched) with its status and duration. */
void hogod_metrics_request(struct hogod_metrics *m, int route, int status, int64_t ns);
/* Counts one decision under policy. */
void hogod_metrics_decision(struct hogod_metrics *m, const char *policy, bool allow);
/* Counts one store failure, n decisions of a decide:batch, one policy reload outcome. */
void hogod_metrics_store_error(struct hogod_metrics *m);
void hogod_metrics_batch(struct hogod_metrics *m, int64_t decisions);
void hogod_metrics_reload(struct hogod_metrics *m, bool ok);
/* The Prometheus text exposition; *out allocated. */
int hogod_metrics_render(struct hogod *d, char **out, size_t *len);

/* ---- JSON helpers (json.c) ---- */

/* True when the JSON text nests no deeper than max (strings skipped). */
bool hogod_json_depth_ok(const char *s, size_t len, int max);
/* Takes g's text as an allocated string. */
char *hogod_gen_take(yajl_gen g, size_t *len);
void hogod_gen_str(yajl_gen g, const char *s);
void hogod_gen_kv(yajl_gen g, const char *k, const char *v);
void hogod_gen_kv_int(yajl_gen g, const char *k, long long v);
/* The text of a string value ("" for anything else). */
static inline const char *hogod_str(yajl_val v)
{
    return v && v->type == yajl_t_string && v->u.string ? v->u.string : "";
}
/* Writes a parsed value back as JSON (numbers keep their text). */
void hogod_gen_value(yajl_gen g, yajl_val v);

/* ---- route groups: one file each ---- */

void hogod_route_livez(struct hogod_exchange *x);
void hogod_route_readyz(struct hogod_exchange *x);
void hogod_route_metrics(struct hogod_exchange *x);
void hogod_route_openapi(struct hogod_exchange *x);
void hogod_route_decide(struct hogod_exchange *x);
void hogod_route_decide_batch(struct hogod_exchange *x);
void hogod_route_policies_list(struct hogod_exchange *x);
void hogod_route_policy_show(struct hogod_exchange *x);
void hogod_route_policies_validate(struct hogod_exchange *x);
void hogod_route_transmissions(struct hogod_exchange *x);
void hogod_page_transmissions(struct hogod_exchange *x);
void hogod_route_subjects_create(struct hogod_exchange *x);
void hogod_route_subjects_list(struct hogod_exchange *x);
void hogod_route_subject_show(struct hogod_exchange *x);
void hogod_route_subject_facts(struct hogod_exchange *x);
void hogod_route_subject_fact_set(struct hogod_exchange *x);
void hogod_route_subject_fact_unset(struct hogod_exchange *x);
void hogod_route_subject_optout_add(struct hogod_exchange *x);
void hogod_route_subject_optout_remove(struct hogod_exchange *x);
void hogod_route_subject_block_add(struct hogod_exchange *x);
void hogod_route_subject_block_remove(struct hogod_exchange *x);
void hogod_route_subject_consent_add(struct hogod_exchange *x);
void hogod_route_subject_consent_withdraw(struct hogod_exchange *x);
void hogod_route_subject_erase(struct hogod_exchange *x);
void hogod_route_data_put(struct hogod_exchange *x);
void hogod_route_data_list(struct hogod_exchange *x);
void hogod_route_data_get(struct hogod_exchange *x);
void hogod_route_data_delete(struct hogod_exchange *x);
void hogod_route_provisions(struct hogod_exchange *x);
void hogod_route_receipts(struct hogod_exchange *x);
void hogod_route_ledger_list(struct hogod_exchange *x);
void hogod_route_ledger_show(struct hogod_exchange *x);
void hogod_route_audit_verify(struct hogod_exchange *x);
void hogod_route_dsr_open(struct hogod_exchange *x);
void hogod_route_dsr_list(struct hogod_exchange *x);
void hogod_route_dsr_show(struct hogod_exchange *x);
void hogod_route_dsr_verify(struct hogod_exchange *x);
void hogod_route_dsr_complete(struct hogod_exchange *x);
void hogod_route_dsr_refuse(struct hogod_exchange *x);
void hogod_route_dsr_withdraw(struct hogod_exchange *x);
void hogod_route_breach_open(struct hogod_exchange *x);
void hogod_route_breach_show(struct hogod_exchange *x);
void hogod_route_breach_affected(struct hogod_exchange *x);
void hogod_route_breach_assess(struct hogod_exchange *x);
void hogod_route_breach_report(struct hogod_exchange *x);
void hogod_route_subjects_import(struct hogod_exchange *x);

/* The per-thread request and writer reused by the decision routes (decide.c). */
struct hogo_request *hogod_thread_request(void);
struct hogo_writer *hogod_thread_writer(void);
/* Frees every thread's request and writer (at exit). */
void hogod_thread_objects_free(void);

#endif
