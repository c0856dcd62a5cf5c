/*
 * hogod: hogo as a service. Reads its configuration, opens the store (when --db is given:
 * one handle shared by the worker threads, writes committed in groups), loads the policies,
 * serves HTTP, tells systemd it is ready, and then waits for signals: SIGHUP reloads the
 * policies atomically (a broken set is reported and the old one keeps serving), SIGTERM and
 * SIGINT stop accepting, let in-flight requests finish (up to --drain-seconds) and exit.
 * Daemon layer.
 */
#include "hogod.h"
#include "web/web.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

/* Writes one JSON line to stderr: level, event, and a message without personal values. */
static void log_event(const char *level, const char *event, const char *message)
{
    yajl_gen g = yajl_gen_alloc(NULL);
    if (!g)
        return;
    yajl_gen_map_open(g);
    hogod_gen_kv(g, "level", level);
    hogod_gen_kv(g, "event", event);
    hogod_gen_kv(g, "message", message);
    yajl_gen_map_close(g);
    const unsigned char *buf;
    size_t len;
    yajl_gen_get_buf(g, &buf, &len);
    fprintf(stderr, "%.*s\n", (int)len, (const char *)buf);
    fflush(stderr);
    yajl_gen_free(g);
}

/* Tells systemd (Type=notify) about a state change through $NOTIFY_SOCKET, if set. */
static void notify_systemd(const char *state)
{
    const char *path = getenv("NOTIFY_SOCKET");
    if (!path || !*path || strlen(path) >= sizeof(((struct sockaddr_un *)0)->sun_path))
        return;
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    memcpy(a.sun_path, path, strlen(path));
    if (a.sun_path[0] == '@')
        a.sun_path[0] = '\0'; /* abstract socket */
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return;
    socklen_t len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(path));
    if (sendto(fd, state, strlen(state), MSG_NOSIGNAL, (struct sockaddr *)&a, len) < 0)
        log_event("warning", "notify", "cannot notify systemd");
    close(fd);
}

/* Resolves "HOST:PORT" ("[::1]:PORT" for IPv6) into addr. */
static int parse_listen(const char *listen, struct sockaddr_storage *addr, char *why,
                        size_t whylen)
{
    char host[256];
    const char *colon = strrchr(listen, ':');
    if (!colon || colon == listen || !colon[1] || (size_t)(colon - listen) >= sizeof host) {
        snprintf(why, whylen, "--listen '%s' must be HOST:PORT, e.g. 127.0.0.1:8080", listen);
        return -1;
    }
    memcpy(host, listen, (size_t)(colon - listen));
    host[colon - listen] = '\0';
    if (host[0] == '[' && host[strlen(host) - 1] == ']') {
        memmove(host, host + 1, strlen(host));
        host[strlen(host) - 1] = '\0';
    }
    char *end;
    long port = strtol(colon + 1, &end, 10);
    if (*end || port < 1 || port > 65535) {
        snprintf(why, whylen, "--listen '%s': the port must be 1-65535", listen);
        return -1;
    }
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
                             .ai_flags = AI_NUMERICSERV}, *res = NULL;
    int rc = getaddrinfo(host, colon + 1, &hints, &res);
    if (rc || !res) {
        snprintf(why, whylen, "--listen '%s': cannot resolve '%s': %s", listen, host,
                 gai_strerror(rc));
        return -1;
    }
    memcpy(addr, res->ai_addr, res->ai_addrlen);
    freeaddrinfo(res);
    return 0;
}

static int open_store(struct hogod *d, struct hogo_error *err)
{
    const struct hogod_config *c = d->cfg;
    unsigned char master[HOGO_KEY_BYTES], sk[HOGO_SIGN_SECRET_BYTES];
    bool has_master = false, has_sk = false;
    const char *mk = c->master_key ? c->master_key : getenv("HOGO_MASTER_KEY_FILE");
    if (mk && !*mk)
        mk = NULL;
    if (mk || (getenv("HOGO_MASTER_KEY") && *getenv("HOGO_MASTER_KEY"))) {
        if (hogo_key_load(master, mk, "HOGO_MASTER_KEY", err))
            return err->code;
        has_master = true;
    }
    const char *skf = c->signing_key ? c->signing_key : getenv("HOGO_SIGNING_KEY_FILE");
    if (skf && *skf) {
        if (hogo_signing_key_load(sk, skf, err))
            return err->code;
        has_sk = true;
    }
    const char *ks = c->key_store ? c->key_store : getenv("HOGO_KEY_STORE");
    struct hogo_store_options o = {
        .master_key = has_master ? master : NULL,
        .signing_key = has_sk ? sk : NULL,
        .actor = "hogod",
        .key_store = ks && *ks ? ks : NULL,
        .group_commit = 1,
    };
    int rc = hogo_store_open(&d->store, c->db, &o, err);
    memset(master, 0, sizeof master);
    memset(sk, 0, sizeof sk);
    return rc;
}

static void flush_access_log(struct hogod *d)
{
    if (!d->access_log)
        return;
    pthread_mutex_lock(&d->log_lock);
    fflush(d->access_log);
    pthread_mutex_unlock(&d->log_lock);
}

static void print_routes(void)
{
    for (int i = 0; i < hogod_nroutes; i++)
        printf("%s %s %s %s\n", hogod_routes[i].method, hogod_routes[i].path,
               hogod_routes[i].scope, hogod_routes[i].needs_store ? "store" : "any");
}

int main(int argc, char **argv)
{
    if (argc == 2 && !strcmp(argv[1], "--list-routes")) {
        print_routes();
        return 0;
    }
    if (argc == 2 && !strcmp(argv[1], "--version")) {
        printf("hogod %s\n", hogo_version());
        return 0;
    }
    struct hogod_config cfg;
    int status = hogod_config_parse(&cfg, argc, argv);
    if (status >= 0) {
        hogod_config_free(&cfg);
        return status;
    }
    struct hogod d = {.cfg = &cfg, .started_at = (int64_t)time(NULL)};
    pthread_mutex_init(&d.policies_lock, NULL);
    pthread_mutex_init(&d.log_lock, NULL);
    struct hogo_error err = {0};
    char why[2000];
    struct sockaddr_storage addr;
    void *server = NULL;
    status = 1;
    if (parse_listen(cfg.listen, &addr, why, sizeof why)) {
        fprintf(stderr, "hogod: %s\n", why);
        status = 2;
        goto out;
    }
    if (hogod_metrics_new(&d.metrics) || hogod_keys_new(&d.keys)) {
        fprintf(stderr, "hogod: out of memory\n");
        goto out;
    }
    if (web_init(&d, cfg.signin_key, why, sizeof why)) {
        fprintf(stderr, "hogod: %s\n", why);
        status = 2;
        goto out;
    }
    /* the access log is written in 64 KiB blocks and flushed at least once a second (and
       at exit): a write per request would cost more than the request */
    if (!cfg.access_log || !strcmp(cfg.access_log, "-")) {
        d.access_log = stderr;
        setvbuf(stderr, NULL, _IOFBF, 1 << 16);
    } else if (strcmp(cfg.access_log, "off")) {
        d.access_log = fopen(cfg.access_log, "a");
        if (!d.access_log) {
            fprintf(stderr, "hogod: --access-log: cannot open '%s': %s\n", cfg.access_log,
                    strerror(errno));
            status = 2;
            goto out;
        }
        setvbuf(d.access_log, NULL, _IOFBF, 1 << 16);
    }
    if (hogod_policies_load(&cfg, &d.policies, &err)) {
        fprintf(stderr, "hogod: %s%s%s\n", err.where, err.where[0] ? ": " : "", err.message);
        status = 2;
        goto out;
    }
    if (cfg.db && open_store(&d, &err)) {
        fprintf(stderr, "hogod: --db %s: %s\n", cfg.db, err.message);
        status = 2;
        goto out;
    }
    /* signals are taken by this thread alone (sigwait); the server's threads inherit the
       mask */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    server = hogod_http_start(&d, (struct sockaddr *)&addr, why, sizeof why);
    if (!server) {
        fprintf(stderr, "hogod: %s\n", why);
        goto out;
    }
    snprintf(why, sizeof why, "serving %s on %s (%s, %d policies)",
             cfg.tls_cert ? "https" : "http", cfg.listen,
             d.store ? hogo_store_backend(d.store) : "stateless", d.policies->n);
    log_event("info", "start", why);
    notify_systemd("READY=1");
    for (;;) {
        struct timespec second = {1, 0};
        int sig = sigtimedwait(&set, NULL, &second);
        if (sig < 0) {
            flush_access_log(&d);
            continue;
        }
        if (sig == SIGHUP) {
            notify_systemd("RELOADING=1");
            struct hogo_error rerr = {0};
            if (hogod_policies_reload(&d, &rerr)) {
                snprintf(why, sizeof why,
                         "policy reload failed, the previous policies keep serving: %s%s%s",
                         rerr.where, rerr.where[0] ? ": " : "", rerr.message);
                log_event("error", "reload", why);
            } else {
                log_event("info", "reload", "policies reloaded");
            }
            notify_systemd("READY=1");
            continue;
        }
        break;
    }
    notify_systemd("STOPPING=1");
    atomic_store(&d.draining, true);
    log_event("info", "drain", "stopped accepting; finishing in-flight requests");
    hogod_http_quiesce(server);
    for (long waited = 0; atomic_load(&d.in_flight) > 0 && waited < cfg.drain_seconds * 100;
         waited++) {
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    status = 0;
out:
    if (server)
        hogod_http_stop(server);
    flush_access_log(&d);
    if (server)
        log_event("info", "stop", "stopped");
    hogo_store_free(d.store);
    hogod_thread_objects_free();
    hogod_policies_release(d.policies);
    hogod_keys_free(d.keys);
    web_free(&d);
    hogod_metrics_free(d.metrics);
    if (d.access_log && d.access_log != stderr)
        fclose(d.access_log);
    pthread_mutex_destroy(&d.policies_lock);
    pthread_mutex_destroy(&d.log_lock);
    hogod_config_free(&cfg);
    return status;
}
