/*
 * hogod's configuration: command-line flags and the YAML config file (--config FILE), which
 * has one key per long flag (docs/hogod.md). The file is read first and flags override it.
 * A bad value names its flag, or its file:line:col, and what is accepted. Daemon layer.
 */
#include "hogod.h"

#include <errno.h>
#include <getopt.h>
#include <libfyaml.h>
#include <stdlib.h>
#include <string.h>

enum opt_kind { K_STR, K_LONG, K_LIST };

/* One option: flag name = config key, where it goes, and its range for numbers. */
struct option_def {
    const char *name;
    int kind;
    size_t offset;
    long min, max;
    const char *help;
};

#define STR(f) K_STR, offsetof(struct hogod_config, f), 0, 0
#define NUM(f, lo, hi) K_LONG, offsetof(struct hogod_config, f), lo, hi

static const struct option_def defs[] = {
    {"listen", STR(listen), "HOST:PORT to serve on, e.g. 127.0.0.1:8080 (required)"},
    {"db", STR(db), "store (file, sqlite:PATH, postgresql://...); none: stateless decisions only"},
    {"config", STR(config), "YAML file with these keys; flags override it"},
    {"policy", K_LIST, 0, 0, 0, "policy id or file to serve (repeat; default: every policy the vocabulary names)"},
    {"master-key", STR(master_key), "master key file (default $HOGO_MASTER_KEY_FILE)"},
    {"signing-key", STR(signing_key), "audit signing key file (checkpoints)"},
    {"signin-key", STR(signin_key), "sign-in tokens' Ed25519 public key file (web pages)"},
    {"key-store", STR(key_store), "subject key store file (default $HOGO_KEY_STORE)"},
    {"access-log", STR(access_log), "FILE, - (stderr, default) or off"},
    {"tls-cert", STR(tls_cert), "PEM certificate: serve HTTPS (with --tls-key)"},
    {"tls-key", STR(tls_key), "PEM private key"},
    {"threads", NUM(threads, 0, 256), "worker threads (default: processors; 64 with --db)"},
    {"max-request", NUM(max_request, 64, 1 << 30), "largest decision request, bytes (65536)"},
    {"max-body", NUM(max_body, 64, 1 << 30), "largest body of other requests, bytes (1048576)"},
    {"max-batch", NUM(max_batch, 64, 1L << 31), "largest decide:batch body, bytes (67108864)"},
    {"max-connections", NUM(max_connections, 1, 1000000), "open connections at most (1024)"},
    {"timeout", NUM(timeout, 1, 3600), "seconds a connection may stay silent (10)"},
    {"request-seconds", NUM(request_seconds, 1, 3600), "seconds a request body may take in all (30)"},
    {"rate-limit", NUM(rate_limit, 0, 100000000), "requests/s per key, 0 = unlimited (0)"},
    {"rate-burst", NUM(rate_burst, 0, 100000000), "requests a key may send at once (rate-limit)"},
    {"key-cache-seconds", NUM(key_cache_seconds, 0, 3600), "how long a key lookup is reused (5)"},
    {"drain-seconds", NUM(drain_seconds, 0, 3600), "SIGTERM: time in-flight requests get (30)"},
};
#define NDEFS ((int)(sizeof defs / sizeof defs[0]))

static void usage(FILE *out)
{
    fprintf(out, "usage: hogod --listen HOST:PORT [--db DB] [--config FILE] [options]\n\n"
                 "Serves hogo decisions and, with a store, subjects, data, the ledger and the\n"
                 "audit log over HTTP (docs/openapi.yaml). Every option is also a key of the\n"
                 "config file (YAML, without the dashes).\n\n");
    for (int i = 0; i < NDEFS; i++)
        fprintf(out, "  --%-18s %s\n", defs[i].name, defs[i].help);
    fprintf(out, "  --%-18s %s\n", "help", "this text");
}

/* Sets option i from text; where names the flag or file:line:col in messages. */
static int set_option(struct hogod_config *c, int i, const char *value, const char *where)
{
    const struct option_def *o = &defs[i];
    if (o->kind == K_LIST) {
        if (c->npolicies == HOGOD_MAX_POLICIES) {
            fprintf(stderr, "hogod: %s: at most %d policies\n", where, HOGOD_MAX_POLICIES);
            return 2;
        }
        c->policies[c->npolicies++] = strdup(value);
        return 0;
    }
    if (o->kind == K_STR) {
        char **f = (char **)((char *)c + o->offset);
        free(*f);
        *f = strdup(value);
        return 0;
    }
    char *end;
    errno = 0;
    long v = strtol(value, &end, 10);
    if (!*value || *end || errno || v < o->min || v > o->max) {
        fprintf(stderr, "hogod: %s: '%s' is not a whole number from %ld to %ld (%s)\n", where,
                value, o->min, o->max, o->help);
        return 2;
    }
    *(long *)((char *)c + o->offset) = v;
    return 0;
}

/* The option named name (len bytes); '_' and '-' are the same ("signin_key" = "signin-key"). */
static int find_def(const char *name, size_t len)
{
    for (int i = 0; i < NDEFS; i++) {
        if (strlen(defs[i].name) != len)
            continue;
        size_t j = 0;
        while (j < len && (defs[i].name[j] == name[j] ||
                           (defs[i].name[j] == '-' && name[j] == '_')))
            j++;
        if (j == len)
            return i;
    }
    return -1;
}

static void node_where(const char *file, struct fy_node *n, char *buf, size_t size)
{
    struct fy_token *t = n && fy_node_get_type(n) == FYNT_SCALAR ? fy_node_get_scalar_token(n)
                                                                 : NULL;
    const struct fy_mark *m = t ? fy_token_start_mark(t) : NULL;
    if (m)
        snprintf(buf, size, "%s:%d:%d", file, m->line + 1, m->column + 1);
    else
        snprintf(buf, size, "%s", file);
}

/* Reads the config file: a mapping of option names to scalars (a list for policy). */
static int read_file(struct hogod_config *c, const char *file)
{
    struct fy_diag_cfg dcfg;
    fy_diag_cfg_default(&dcfg);
    dcfg.fp = NULL;
    dcfg.output_fn = NULL;
    struct fy_diag *diag = fy_diag_create(&dcfg);
    if (!diag)
        return 2;
    fy_diag_set_collect_errors(diag, true);
    struct fy_parse_cfg pcfg = {.flags = FYPCF_QUIET | FYPCF_DEFAULT_VERSION_AUTO, .diag = diag};
    struct fy_document *doc = fy_document_build_from_file(&pcfg, file);
    int status = 0;
    if (!doc) {
        void *it = NULL;
        struct fy_diag_error *e = fy_diag_errors_iterate(diag, &it);
        if (e)
            fprintf(stderr, "hogod: %s:%d:%d: YAML syntax error: %s; fix the syntax here\n",
                    file, e->line + 1, e->column + 1, e->msg ? e->msg : "unparseable");
        else
            fprintf(stderr, "hogod: %s: cannot read the config file: %s\n", file,
                    strerror(errno));
        status = 2;
    }
    fy_diag_set_collect_errors(diag, false);
    fy_diag_destroy(diag);
    if (status)
        return status;
    struct fy_node *root = fy_document_root(doc);
    char where[600];
    if (root && fy_node_get_type(root) != FYNT_MAPPING) {
        node_where(file, root, where, sizeof where);
        fprintf(stderr, "hogod: %s: the config file is a mapping of option: value lines\n",
                where);
        status = 2;
    }
    void *iter = NULL;
    struct fy_node_pair *pair;
    while (!status && root && (pair = fy_node_mapping_iterate(root, &iter))) {
        struct fy_node *k = fy_node_pair_key(pair), *v = fy_node_pair_value(pair);
        size_t klen = 0;
        const char *key = k && fy_node_get_type(k) == FYNT_SCALAR ? fy_node_get_scalar(k, &klen)
                                                                   : NULL;
        node_where(file, k, where, sizeof where);
        int i = key ? find_def(key, klen) : -1;
        if (i < 0 || !strcmp(defs[i].name, "config")) {
            fprintf(stderr, "hogod: %s: unknown key '%.*s'; keys are the long flags of "
                            "'hogod --help' without the dashes\n",
                    where, (int)klen, key ? key : "");
            status = 2;
            break;
        }
        node_where(file, v, where, sizeof where);
        if (defs[i].kind == K_LIST && v && fy_node_get_type(v) == FYNT_SEQUENCE) {
            void *it2 = NULL;
            struct fy_node *e;
            while (!status && (e = fy_node_sequence_iterate(v, &it2))) {
                node_where(file, e, where, sizeof where);
                const char *s = fy_node_get_type(e) == FYNT_SCALAR ? fy_node_get_scalar0(e) : NULL;
                if (!s) {
                    fprintf(stderr, "hogod: %s: a policy is an id or a file name\n", where);
                    status = 2;
                } else
                    status = set_option(c, i, s, where);
            }
            continue;
        }
        const char *s = v && fy_node_get_type(v) == FYNT_SCALAR ? fy_node_get_scalar0(v) : NULL;
        if (!s) {
            fprintf(stderr, "hogod: %s: '%s' takes one value (%s)\n", where, defs[i].name,
                    defs[i].help);
            status = 2;
        } else
            status = set_option(c, i, s, where);
    }
    fy_document_destroy(doc);
    return status;
}

int hogod_config_parse(struct hogod_config *c, int argc, char **argv)
{
    memset(c, 0, sizeof *c);
    c->max_request = HOGO_DEFAULT_MAX_REQUEST;
    c->max_body = 1 << 20;
    c->max_batch = 64L << 20;
    c->max_connections = 1024;
    c->timeout = 10;
    c->request_seconds = 30;
    c->key_cache_seconds = 5;
    c->drain_seconds = 30;
    struct option longopts[NDEFS + 2];
    for (int i = 0; i < NDEFS; i++)
        longopts[i] = (struct option){defs[i].name, required_argument, NULL, 1000 + i};
    longopts[NDEFS] = (struct option){"help", no_argument, NULL, 'h'};
    longopts[NDEFS + 1] = (struct option){NULL, 0, NULL, 0};
    /* first pass: --config and --help only */
    opterr = 0;
    optind = 1;
    int ch;
    while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        if (ch == 'h') {
            usage(stdout);
            return 0;
        }
        if (ch == '?' || ch == ':') {
            fprintf(stderr, "hogod: unknown or incomplete option '%s'; see 'hogod --help'\n",
                    argv[optind - 1]);
            return 2;
        }
        if (ch == 1000 + find_def("config", 6)) {
            free(c->config);
            c->config = strdup(optarg);
        }
    }
    if (optind < argc) {
        fprintf(stderr, "hogod: unexpected argument '%s'; see 'hogod --help'\n", argv[optind]);
        return 2;
    }
    if (c->config) {
        int st = read_file(c, c->config);
        if (st)
            return st;
    }
    /* second pass: flags override the file (policies from flags replace the file's) */
    int file_policies = c->npolicies;
    bool flag_policy = false;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        int i = ch - 1000;
        if (i < 0 || i >= NDEFS || !strcmp(defs[i].name, "config"))
            continue;
        if (defs[i].kind == K_LIST && !flag_policy) {
            for (int j = 0; j < file_policies; j++)
                free(c->policies[j]);
            c->npolicies = 0;
            flag_policy = true;
        }
        char where[80];
        snprintf(where, sizeof where, "--%s", defs[i].name);
        int st = set_option(c, i, optarg, where);
        if (st)
            return st;
    }
    if (!c->listen) {
        fprintf(stderr, "hogod: --listen HOST:PORT is required, e.g. --listen 127.0.0.1:8080\n");
        return 2;
    }
    if (!c->tls_cert != !c->tls_key) {
        fprintf(stderr, "hogod: --tls-cert and --tls-key go together: give both or neither\n");
        return 2;
    }
    if (c->db && !*c->db) {
        free(c->db);
        c->db = NULL;
    }
    return -1;
}

void hogod_config_free(struct hogod_config *c)
{
    char **strs[] = {&c->listen,   &c->db,         &c->config,   &c->master_key,
                     &c->signing_key, &c->key_store, &c->access_log, &c->tls_cert,
                     &c->tls_key, &c->signin_key};
    for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++) {
        free(*strs[i]);
        *strs[i] = NULL;
    }
    for (int i = 0; i < c->npolicies; i++)
        free(c->policies[i]);
    c->npolicies = 0;
}
