/*
 * hogod's HTTP side over libmicrohttpd: matching a request to the route table, reading the
 * body within the route's limit (413 beyond it), checking the key (auth.c), calling the
 * handler, answering (problem+json for every error), one JSON access-log line and the
 * metrics per request, and starting and draining the server. Daemon layer.
 */
#include "hogod.h"
#include "web/web.h"

#include <microhttpd.h>

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* ---- answers ---- */

void hogod_reply_json_take(struct hogod_exchange *x, int status, char *json, size_t len)
{
    free(x->out);
    x->status = status;
    x->content_type = "application/json";
    x->out = json;
    x->out_len = len;
}

void hogod_reply_text(struct hogod_exchange *x, int status, const char *type, const char *text,
                      size_t len)
{
    char *copy = malloc(len + 1);
    if (copy) {
        memcpy(copy, text, len);
        copy[len] = '\0';
    }
    hogod_reply_json_take(x, copy ? status : 500, copy, copy ? len : 0);
    x->content_type = type;
}

void hogod_reply_json(struct hogod_exchange *x, int status, const char *json, size_t len)
{
    hogod_reply_text(x, status, "application/json", json, len);
}

static const char *status_title(int status)
{
    switch (status) {
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 413: return "Content Too Large";
    case 415: return "Unsupported Media Type";
    case 422: return "Unprocessable Content";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    default: return "Error";
    }
}

void hogod_problem(struct hogod_exchange *x, int status, const char *pointer, const char *fmt,
                   ...)
{
    char detail[1600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    if (x->is_web) {
        /* a web page's error is a page (web/page.c) */
        web_error_page(x, status, detail);
        return;
    }
    yajl_gen g = yajl_gen_alloc(NULL);
    if (!g) {
        x->status = 500;
        return;
    }
    yajl_gen_map_open(g);
    hogod_gen_kv(g, "type", "about:blank");
    hogod_gen_kv(g, "title", status_title(status));
    hogod_gen_kv_int(g, "status", status);
    hogod_gen_kv(g, "detail", detail);
    if (pointer)
        hogod_gen_kv(g, "pointer", pointer);
    yajl_gen_map_close(g);
    size_t len = 0;
    char *s = hogod_gen_take(g, &len);
    yajl_gen_free(g);
    hogod_reply_json_take(x, s ? status : 500, s, len);
    x->content_type = "application/problem+json";
}

void hogod_problem_from(struct hogod_exchange *x, int code, const struct hogo_error *err)
{
    int status = 500;
    switch (code) {
    case HOGO_EINVAL: status = 400; break;
    case HOGO_ELIMIT: /* too large, or nested too deep inside the size limit */
        status = x->body_len > (size_t)x->d->cfg->max_request ? 413 : 400;
        break;
    case HOGO_ENOTFOUND: status = 404; break;
    case HOGO_EBUSY: status = 503; break;
    case HOGO_EPOLICY: status = 422; break;
    default: hogod_metrics_store_error(x->d->metrics); break;
    }
    const char *where = err && err->where[0] ? err->where : NULL;
    if (where && where[0] != '/')
        where = NULL; /* only JSON pointers go to the caller */
    hogod_problem(x, status, where, "%s",
                  err && err->message[0] ? err->message : hogo_strerror(code));
}

const char *hogod_query(struct hogod_exchange *x, const char *name)
{
    return MHD_lookup_connection_value(x->connection, MHD_GET_ARGUMENT_KIND, name);
}

const char *hogod_operator(const struct hogod_exchange *x)
{
    return x->has_key ? x->key.operator_id : NULL;
}

int hogod_store_run(struct hogod_exchange *x,
                    int (*fn)(struct hogo_store *st, void *ctx, struct hogo_error *err),
                    void *ctx, struct hogo_error *err)
{
    int rc = hogo_store_run(x->d->store, fn, ctx, err);
    if (rc == HOGO_ESTORE || rc == HOGO_EIO)
        hogod_metrics_store_error(x->d->metrics);
    return rc;
}

/* ---- routing ---- */

/* Matches path against pattern, filling x->params; true on a match. */
static bool path_match(const char *pattern, const char *path, struct hogod_exchange *x)
{
    size_t used = 0;
    int np = 0;
    const char *p = pattern, *u = path;
    while (*p && *u) {
        if (*p == '{') {
            const char *close = strchr(p, '}');
            const char *pend = strchr(close, '/');
            size_t suffix = pend ? (size_t)(pend - close - 1) : strlen(close + 1);
            const char *uend = strchr(u, '/');
            size_t seg = uend ? (size_t)(uend - u) : strlen(u);
            if (seg <= suffix || memcmp(u + seg - suffix, close + 1, suffix))
                return false;
            size_t vlen = seg - suffix;
            if (np == HOGOD_MAX_PARAMS || used + vlen + 1 > sizeof x->param_buf)
                return false;
            memcpy(x->param_buf + used, u, vlen);
            x->param_buf[used + vlen] = '\0';
            x->params[np++] = x->param_buf + used;
            used += vlen + 1;
            p = close + 1 + suffix;
            u += seg;
        } else if (*p == *u) {
            p++;
            u++;
        } else {
            return false;
        }
    }
    return !*p && !*u;
}

/* ---- the MHD callbacks ---- */

static void log_access(struct hogod_exchange *x, int64_t ns)
{
    struct hogod *d = x->d;
    if (!d->access_log)
        return;
    /* the date and time to the second are formatted once a second per thread */
    static _Thread_local time_t second = -1;
    static _Thread_local char when[40];
    static _Thread_local size_t n;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    if (ts.tv_sec != second) {
        struct tm tm;
        gmtime_r(&ts.tv_sec, &tm);
        n = strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%S", &tm);
        second = ts.tv_sec;
    }
    snprintf(when + n, sizeof when - n, ".%03dZ", (int)(ts.tv_nsec / 1000000));
    char line[768];
    int len = snprintf(line, sizeof line,
                       "{\"time\":\"%s\",\"method\":\"%s\",\"route\":\"%s\",\"status\":%d,"
                       "\"duration_ms\":%.3f,\"bytes_in\":%zu,\"bytes_out\":%zu",
                       when, x->route ? x->route->method : "-",
                       x->route ? x->route->path : "-", x->status, (double)ns / 1e6,
                       x->body_len, x->out_len);
    if (x->has_key)
        len += snprintf(line + len, sizeof line - (size_t)len,
                        ",\"key_id\":\"%s\",\"operator\":\"%s\"", x->key.key_id,
                        x->key.operator_id);
    if (x->decision_id[0])
        len += snprintf(line + len, sizeof line - (size_t)len, ",\"decision_id\":\"%s\"",
                        x->decision_id);
    if (len > (int)sizeof line - 3)
        len = (int)sizeof line - 3;
    line[len++] = '}';
    line[len++] = '\n';
    pthread_mutex_lock(&d->log_lock);
    fwrite(line, 1, (size_t)len, d->access_log);
    pthread_mutex_unlock(&d->log_lock);
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls,
                      enum MHD_RequestTerminationCode toe)
{
    (void)c;
    struct hogod *d = cls;
    struct hogod_exchange *x = *con_cls;
    if (!x)
        return;
    if (!x->status)
        x->status = toe == MHD_REQUEST_TERMINATED_TIMEOUT_REACHED ? 408 : 499;
    int64_t ns = now_ns() - x->started_ns;
    hogod_metrics_request(d->metrics, x->route ? x->route_index : -1, x->status, ns);
    log_access(x, ns);
    free(x->body);
    free(x->out);
    x->body = x->out = NULL;
    web_exchange_free(x);
    *con_cls = NULL;
    if (!x->stream || x->stream_only_ref)
        free(x);
    else
        x->stream_only_ref = true; /* the response still reads through it */
    atomic_fetch_sub(&d->in_flight, 1);
}

static ssize_t stream_reader(void *cls, uint64_t pos, char *buf, size_t max)
{
    struct hogod_exchange *x = cls;
    long n = x->stream(x->stream_cls, pos, buf, max);
    if (n == HOGOD_STREAM_END)
        return MHD_CONTENT_READER_END_OF_STREAM;
    x->out_len += (size_t)n;
    return (ssize_t)n;
}

static void stream_done(void *cls)
{
    struct hogod_exchange *x = cls;
    x->stream_free(x->stream_cls);
    x->stream_cls = NULL;
    if (x->stream_only_ref)
        free(x);
    else
        x->stream_only_ref = true;
}

static enum MHD_Result send_answer(struct hogod_exchange *x)
{
    if (x->stream) {
        /* the exchange lives until both the response and the request are done */
        struct MHD_Response *r =
            MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 64 * 1024, stream_reader, x,
                                              stream_done);
        if (!r) {
            x->stream_free(x->stream_cls);
            x->stream = NULL;
            return MHD_NO;
        }
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, x->content_type);
        if (x->is_web)
            web_add_headers(x, r);
        if (x->disposition[0])
            MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_DISPOSITION, x->disposition);
        enum MHD_Result ret = MHD_queue_response(x->connection, (unsigned)x->status, r);
        MHD_destroy_response(r);
        x->responded = true;
        return ret;
    }
    if (!x->out) {
        if (!x->status)
            hogod_problem(x, 500, NULL, "the handler gave no answer");
        if (!x->out) {
            x->out = strdup("");
            x->out_len = 0;
        }
    }
    /* the response takes the body over */
    struct MHD_Response *r =
        MHD_create_response_from_buffer(x->out_len, x->out, MHD_RESPMEM_MUST_FREE);
    if (!r)
        return MHD_NO;
    x->out = NULL;
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
                            x->content_type ? x->content_type : "application/json");
    if (x->retry_after[0])
        MHD_add_response_header(r, MHD_HTTP_HEADER_RETRY_AFTER, x->retry_after);
    if (x->status == 401 && !x->is_web)
        MHD_add_response_header(r, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer realm=\"hogod\"");
    if (x->is_web)
        web_add_headers(x, r);
    if (x->location[0])
        MHD_add_response_header(r, MHD_HTTP_HEADER_LOCATION, x->location);
    if (x->disposition[0])
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_DISPOSITION, x->disposition);
    if (x->status == 405 && x->allow)
        MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, x->allow);
    enum MHD_Result ret = MHD_queue_response(x->connection, (unsigned)x->status, r);
    MHD_destroy_response(r);
    x->responded = true;
    return ret;
}

/* The body limit of a route. */
static size_t body_limit(const struct hogod *d, const struct hogod_route *r)
{
    if (r->max_body == -1)
        return (size_t)d->cfg->max_request;
    if (r->max_body == -2)
        return (size_t)d->cfg->max_batch;
    return (size_t)(r->max_body > 0 ? r->max_body : d->cfg->max_body);
}

/* First call for a request: find its route and check the key. Returns false when the answer
 * is already set (no route, no key, too large). */
static bool begin(struct hogod_exchange *x, const char *url, const char *method)
{
    struct hogod *d = x->d;
    const struct hogod_route *path_only = NULL;
    /* a web page's errors are pages too, also for a path no route serves */
    x->is_web = web_path(url);
    if (x->is_web && !web_begin(x, url))
        return false;
    for (int i = 0; i < hogod_nroutes; i++) {
        const struct hogod_route *r = &hogod_routes[i];
        if (!path_match(r->path, url, x))
            continue;
        if (strcmp(r->method, method)) {
            path_only = r;
            continue;
        }
        x->route = r;
        x->route_index = i;
        break;
    }
    if (!x->route && x->is_web) {
        if (path_only) {
            x->allow = path_only->method;
            web_error_page(x, 405, web_t(x, "error.405"));
        } else {
            web_error_page(x, 404, web_t(x, "error.not_found"));
        }
        return false;
    }
    if (!x->route) {
        if (path_only) {
            x->allow = path_only->method;
            hogod_problem(x, 405, NULL, "%s is not served on this path; use %s", method,
                          path_only->method);
            return false;
        }
        hogod_problem(x, 404, NULL, "no route %s %s; GET /v1/openapi.yaml lists the routes",
                      method, url);
        return false;
    }
    if (web_scope(x->route->scope) && !x->is_web) {
        x->is_web = true;
        if (!web_begin(x, url))
            return false;
    }
    if (x->route->needs_store && !d->store) {
        hogod_problem(x, 404, NULL,
                      "%s needs a store and this hogod serves stateless decisions only; start "
                      "it with --db DB",
                      x->route->path);
        return false;
    }
    if (x->is_web) {
        /* sessions, not keys: the session was checked by web_begin() above */
        if (!web_begin_session(x))
            return false;
    } else if (d->store && strcmp(x->route->scope, "public")) {
        const char *auth = MHD_lookup_connection_value(x->connection, MHD_HEADER_KIND,
                                                       MHD_HTTP_HEADER_AUTHORIZATION);
        if (hogod_authorize(x, auth))
            return false;
    }
    x->body_max = body_limit(d, x->route);
    const char *cl = MHD_lookup_connection_value(x->connection, MHD_HEADER_KIND,
                                                 MHD_HTTP_HEADER_CONTENT_LENGTH);
    if (cl) {
        char *end;
        errno = 0;
        unsigned long long n = strtoull(cl, &end, 10);
        if (errno || *end || n > x->body_max) {
            hogod_problem(x, 413, NULL,
                          "the body is %s bytes; this route takes at most %zu (server option "
                          "--max-%s)",
                          cl, x->body_max,
                          x->route->max_body == -1   ? "request"
                          : x->route->max_body == -2 ? "batch"
                                                     : "body");
            return false;
        }
    }
    return true;
}

static enum MHD_Result access_handler(void *cls, struct MHD_Connection *c, const char *url,
                                      const char *method, const char *version,
                                      const char *upload_data, size_t *upload_data_size,
                                      void **con_cls)
{
    (void)version;
    struct hogod *d = cls;
    struct hogod_exchange *x = *con_cls;
    if (!x) {
        x = calloc(1, sizeof *x);
        if (!x)
            return MHD_NO;
        x->d = d;
        x->connection = c;
        x->method = method;
        x->route_index = -1;
        x->started_ns = now_ns();
        atomic_fetch_add(&d->in_flight, 1);
        *con_cls = x;
        if (!begin(x, url, method))
            return send_answer(x);
        return MHD_YES;
    }
    if (x->responded) {
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (*upload_data_size) {
        size_t n = *upload_data_size;
        *upload_data_size = 0;
        /* a body trickling in (each piece within --timeout) may still take no longer than
           --request-seconds in all: the connection is closed */
        if (now_ns() - x->started_ns > (int64_t)d->cfg->request_seconds * 1000000000) {
            x->status = 408;
            return MHD_NO;
        }
        if (x->too_big || x->body_len + n > x->body_max) {
            x->too_big = true;
            return MHD_YES;
        }
        if (HOGO_GROW(x->body, x->body_cap, x->body_len + n + 1, 4096))
            return MHD_NO;
        memcpy(x->body + x->body_len, upload_data, n);
        x->body_len += n;
        x->body[x->body_len] = '\0';
        return MHD_YES;
    }
    if (x->too_big) {
        hogod_problem(x, 413, NULL, "the body is over %zu bytes, the most this route takes",
                      x->body_max);
        return send_answer(x);
    }
    if (!x->body) {
        x->body = calloc(1, 1);
        if (!x->body)
            return MHD_NO;
    }
    if (!x->is_web || web_before_handler(x))
        x->route->handler(x);
    return send_answer(x);
}

/* ---- body helpers ---- */

yajl_val hogod_body_object(struct hogod_exchange *x)
{
    if (memchr(x->body, '\0', x->body_len)) {
        hogod_problem(x, 400, "", "the body holds a NUL byte; send a JSON object");
        return NULL;
    }
    if (!hogod_json_depth_ok(x->body, x->body_len, HOGO_MAX_DEPTH)) {
        hogod_problem(x, 400, "", "the body nests deeper than %d levels; flatten it",
                      HOGO_MAX_DEPTH);
        return NULL;
    }
    char errbuf[256] = "";
    yajl_val v = yajl_tree_parse(x->body, errbuf, sizeof errbuf);
    if (!v) {
        for (char *p = errbuf; *p; p++)
            if (*p == '\n')
                *p = ' ';
        hogod_problem(x, 400, "", "the body is not valid JSON (UTF-8): %.200s", errbuf);
        return NULL;
    }
    if (!YAJL_IS_OBJECT(v)) {
        yajl_tree_free(v);
        hogod_problem(x, 400, "", "the body must be a JSON object");
        return NULL;
    }
    return v;
}

const char *hogod_member_string(struct hogod_exchange *x, yajl_val obj, const char *name,
                                bool required, bool *bad)
{
    const char *path[] = {name, NULL};
    yajl_val v = yajl_tree_get(obj, path, yajl_t_any);
    char pointer[128];
    snprintf(pointer, sizeof pointer, "/%s", name);
    if (!v) {
        if (required) {
            hogod_problem(x, 400, pointer, "\"%s\" is required (a string)", name);
            *bad = true;
        }
        return NULL;
    }
    if (!YAJL_IS_STRING(v)) {
        hogod_problem(x, 400, pointer, "wrong type: \"%s\" must be a string", name);
        *bad = true;
        return NULL;
    }
    return hogod_str(v);
}

bool hogod_members_known(struct hogod_exchange *x, yajl_val obj, const char *const *names)
{
    for (size_t i = 0; i < obj->u.object.len; i++) {
        const char *k = obj->u.object.keys[i];
        bool ok = false;
        for (const char *const *n = names; *n && !ok; n++)
            ok = !strcmp(*n, k);
        if (!ok) {
            char pointer[300];
            snprintf(pointer, sizeof pointer, "/%.250s", k);
            char list[512] = "";
            for (const char *const *n = names; *n; n++)
                snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s",
                         n == names ? "" : ", ", *n);
            hogod_problem(x, 400, pointer, "unknown member \"%.200s\"; this body takes: %s", k,
                          list);
            return false;
        }
    }
    return true;
}

/* ---- server start and stop ---- */

/* The whole file at path (allocated, NUL-terminated), or NULL when it cannot be read. */
static char *read_file(const char *path)
{
    char *out = NULL;
    struct hogo_error err = {0};
    return hogo_read_file(path, HOGO_READ_UNLIMITED, &out, NULL, &err) < 0 ? NULL : out;
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    char msg[512];
    vsnprintf(msg, sizeof msg, fmt, ap);
    size_t n = strlen(msg);
    while (n && msg[n - 1] == '\n')
        msg[--n] = '\0';
    fprintf(stderr, "{\"level\":\"warning\",\"source\":\"http\",\"message\":\"");
    for (const char *p = msg; *p; p++)
        if (*p == '"' || *p == '\\')
            fprintf(stderr, "\\%c", *p);
        else if ((unsigned char)*p >= 32)
            fputc(*p, stderr);
    fprintf(stderr, "\"}\n");
}

static char *tls_key, *tls_cert;

void *hogod_http_start(struct hogod *d, const struct sockaddr *addr, char *why, size_t whylen)
{
    const struct hogod_config *c = d->cfg;
    /* with a store a request waits for its group commit: many threads keep many requests
       in one commit; without, one thread per processor is fastest */
    long threads = c->threads ? c->threads : d->store ? 64 : sysconf(_SC_NPROCESSORS_ONLN);
    if (threads < 1)
        threads = 1;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC |
                     MHD_USE_ERROR_LOG;
    char *cert = NULL, *key = NULL;
    if (c->tls_cert) {
        cert = read_file(c->tls_cert);
        key = read_file(c->tls_key);
        if (!cert || !key) {
            snprintf(why, whylen, "cannot read %s; check --tls-cert and --tls-key",
                     !cert ? c->tls_cert : c->tls_key);
            free(cert);
            free(key);
            return NULL;
        }
        flags |= MHD_USE_TLS;
    }
    struct MHD_OptionItem tls[] = {
        {cert ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, 0, cert},
        {MHD_OPTION_HTTPS_MEM_KEY, 0, key},
        {MHD_OPTION_END, 0, NULL}};
    struct MHD_Daemon *mhd = MHD_start_daemon(
        flags, 0, NULL, NULL, access_handler, d, MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
        MHD_OPTION_SOCK_ADDR, addr,
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned)(threads > 1 ? threads : 0),
        MHD_OPTION_CONNECTION_LIMIT, (unsigned)c->max_connections,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)c->timeout, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
        (size_t)(16 * 1024), MHD_OPTION_NOTIFY_COMPLETED, completed, d,
        MHD_OPTION_LISTEN_BACKLOG_SIZE, 1024u,
        MHD_OPTION_ARRAY, tls, MHD_OPTION_END);
    if (!mhd) {
        if (key)
            memset(key, 0, strlen(key));
        free(key);
        free(cert);
    } else {
        tls_key = key; /* MHD keeps pointers to them while it runs */
        tls_cert = cert;
    }
    if (!mhd)
        snprintf(why, whylen, "cannot serve on %s: %s (is the port in use? is the TLS pair "
                              "valid?)",
                 c->listen, strerror(errno));
    return mhd;
}

void hogod_http_quiesce(void *mhd)
{
    int fd = MHD_quiesce_daemon(mhd);
    if (fd >= 0)
        close(fd);
}

void hogod_http_stop(void *mhd)
{
    MHD_stop_daemon(mhd);
    if (tls_key)
        memset(tls_key, 0, strlen(tls_key));
    free(tls_key);
    free(tls_cert);
    tls_key = tls_cert = NULL;
}
