/*
 * `hogo check`: decides one request (a file or stdin) or, with --jsonl, a stream of requests,
 * one per line, answering each on its own line in order. Exit 0 allow, 1 deny, 2 bad input.
 * With a store every decision goes through hogo_decide_stored() (stored facts, one audit
 * event); a --jsonl stream is then decided in batches, one transaction (one fsync) per batch,
 * and no line is answered before its batch is durable. CLI layer.
 */
#include "cli_util.h"
#include "commands.h"
#include "progress.h"

#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void usage(FILE *out)
{
    fprintf(out,
            "usage: hogo check --policy ID|FILE [--format json|jsonl|text] [--lang ja|en] "
            "[--max-request BYTES] [REQUEST.json]\n"
            "       hogo check --policy ID|FILE --jsonl [requests.jsonl]\n\n"
            "Decides whether a use or provision of personal data is allowed under a policy, and "
            "why.\n"
            "The request is the JSON of docs/decision.md, read from REQUEST.json or stdin.\n\n"
            "  --policy ID|FILE    policy id (see 'hogo policy list'; searched in $HOGO_POLICY_PATH,\n"
            "                      then the shipped policies) or a policy file; default: the\n"
            "                      request's own \"policy\"\n"
            "  --lang ja|en        the language of --format text (default $HOGO_LANG, else ja)\n"
            "  --format json|jsonl|text\n"
            "                      json (default): indented, as `hogo provide` writes it; jsonl:\n"
            "                      the same as --jsonl; text for a person: the clauses in\n"
            "                      Japanese (--lang en: English)\n"
            "  --jsonl             one request per line (the file, or stdin), one response per\n"
            "                      line on stdout;\n"
            "                      a bad line gets {\"error\": ...} and the run goes on\n"
            "  --max-request BYTES largest request accepted (default 65536)\n"
            "  --db DB             stateful mode (default $HOGO_DB): every decision is an audit\n"
            "                      event in the store DB, and a subject's facts come from it;\n"
            "                      with --jsonl the lines that have arrived are decided in one\n"
            "                      transaction and answered once it is committed (durable)\n"
            "  --subject ID        the subject whose stored facts to use (default: the\n"
            "                      request's \"subject_id\")\n\n"
            "exit status: 0 allow, 1 deny, 2 bad request or bad policy (with --jsonl: 2 if any\n"
            "line was bad, else 0)\n");
}

/* Policies loaded so far in this run, by id (for requests that name their own policy), and
 * the store of stateful mode. */
/* How many policy files (current versions and earlier ones named by "at") one run keeps
 * loaded: far more than the shipped policies and their versions; past it a request is
 * refused with a message naming the limit. */
#define MAX_LOADED_POLICIES 64

struct policy_cache {
    struct hogo_policy *fixed; /* from --policy, or NULL */
    struct hogo_policy *loaded[MAX_LOADED_POLICIES];
    int n;
    struct hogo_store *store;  /* --db, or NULL */
    struct hogo_vocab *vocab;  /* without --policy: the shipped vocabulary, which the policies
                                  loaded by id share (one parse per request) */
    const char *subject;       /* --subject, or NULL */
};

static struct hogo_policy *current_policy_for(struct policy_cache *c, const char *id,
                                              struct hogo_error *err);

/* The version of policy `id` in force at the request's "at": the current one, or an earlier
 * <id>@<version>.yaml beside it. */
static struct hogo_policy *policy_for(struct policy_cache *c, const struct hogo_request *req,
                                      struct hogo_error *err)
{
    struct hogo_policy *p = current_policy_for(c, hogo_request_policy(req), err);
    int64_t at;
    char path[4096];
    if (!p || !hogo_request_at(req, &at) ||
        hogo_policy_resolve_version(p, at, path, sizeof path))
        return p;
    for (int i = 0; i < c->n; i++)
        if (!strcmp(hogo_policy_path(c->loaded[i]), path))
            return c->loaded[i];
    struct hogo_policy *older = NULL;
    if (c->n == MAX_LOADED_POLICIES) {
        hogo_error_set(err, HOGO_ELIMIT, "/at",
                       "one run keeps at most %d policy files loaded; split the requests into "
                       "runs that need fewer policies or versions",
                       MAX_LOADED_POLICIES);
        return NULL;
    }
    if (cli_load_policy_shared(path, hogo_policy_vocab(p), &older, NULL)) {
        hogo_error_set(err, HOGO_EPOLICY, "/at", "the version in force then ('%s') cannot be "
                                                 "loaded", path);
        return NULL;
    }
    c->loaded[c->n++] = older;
    return older;
}

/* Writes the vocabulary's policy ids, space-separated, into buf (the names a request may use). */
static void policy_ids(const struct hogo_vocab *v, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    struct hogo_vocab_entry e;
    for (size_t i = 0; v && hogo_vocab_entry(v, i, &e) == 0; i++) {
        if (strcmp(e.kind, "policy"))
            continue;
        int n = snprintf(buf + used, size - used, "%s%s", used ? " " : "", e.id);
        if (n < 0 || (size_t)n >= size - used)
            break;
        used += (size_t)n;
    }
}

static struct hogo_policy *current_policy_for(struct policy_cache *c, const char *id,
                                              struct hogo_error *err)
{
    if (c->fixed) {
        if (strcmp(hogo_policy_id(c->fixed), id)) {
            hogo_error_set(err, HOGO_EINVAL, "/policy",
                           "the request is for policy '%s' but --policy is '%s'; send it to the "
                           "right policy or fix \"policy\"",
                           id, hogo_policy_id(c->fixed));
            return NULL;
        }
        return c->fixed;
    }
    for (int i = 0; i < c->n; i++)
        if (!strcmp(hogo_policy_id(c->loaded[i]), id))
            return c->loaded[i];
    struct hogo_policy *p = NULL;
    if (!cli_is_policy_id(id)) {
        hogo_error_set(err, HOGO_EINVAL, "/policy",
                       "'%.80s' is not a policy id; a request names its policy by id (irp), a "
                       "policy file is only given with --policy FILE",
                       id);
        return NULL;
    }
    if (c->n == MAX_LOADED_POLICIES) {
        hogo_error_set(err, HOGO_ELIMIT, "/policy",
                       "one run keeps at most %d policy files loaded; split the requests into "
                       "runs that need fewer policies or versions",
                       MAX_LOADED_POLICIES);
        return NULL;
    }
    if (cli_load_policy_shared(id, c->vocab, &p, NULL)) {
        char known[512];
        policy_ids(c->vocab, known, sizeof known);
        hogo_error_set(err, HOGO_EINVAL, "/policy",
                       "policy '%s' could not be loaded; name one of %s (see 'hogo policy "
                       "list') or pass --policy",
                       id, known);
        return NULL;
    }
    c->loaded[c->n++] = p;
    return p;
}

/* The vocabulary requests are parsed with: the --policy's, else the shipped one. */
static const struct hogo_vocab *vocab_for(struct policy_cache *c, struct hogo_error *err)
{
    if (c->fixed)
        return hogo_policy_vocab(c->fixed);
    if (!c->vocab) {
        char file[4200];
        hogo_vocab_default_file(file, sizeof file);
        if (hogo_vocab_load(file, &c->vocab, err))
            return NULL;
    }
    return c->vocab;
}

/* How an answer is written: one JSON line (--jsonl), indented JSON, or text for a person. */
enum answer { ANSWER_LINE, ANSWER_PRETTY, ANSWER_TEXT };

static int decide_one(struct policy_cache *cache, struct hogo_request *req,
                      struct hogo_writer *w, const char *json, size_t len, size_t max,
                      enum answer how, struct hogo_error *err)
{
    const struct hogo_vocab *v = vocab_for(cache, err);
    if (!v)
        return -1;
    if (hogo_request_parse(req, v, json, len, max, err))
        return -1;
    struct hogo_policy *p = policy_for(cache, req, err);
    if (!p)
        return -1;
    if (hogo_policy_vocab(p) != v) {
        /* a request for another policy file with its own vocabulary: parse again with it */
        if (hogo_request_parse(req, hogo_policy_vocab(p), json, len, max, err))
            return -1;
    }
    struct hogo_decision d;
    if (cache->store) {
        /* the stored facts when a subject is named, and an audit event either way */
        if (hogo_decide_stored(cache->store, p, req, cache->subject, &d, NULL, err))
            return -1;
    } else if (cache->subject || *hogo_request_subject_id(req)) {
        hogo_error_set(err, HOGO_EINVAL, "/subject_id",
                       "\"subject_id\" names stored facts, but no store was given; pass --db "
                       "(or set HOGO_DB), or give the facts in \"subject\"");
        return -1;
    } else if (hogo_decide(p, req, &d, err)) {
        return -1;
    }
    const char *line;
    size_t llen;
    if (how == ANSWER_TEXT)
        hogo_writer_decision_text(w, p, req, &d);
    else if (how == ANSWER_LINE && cache->store &&
             !hogo_request_decision_json(p, req, &d, &line, &llen, err))
        hogo_writer_line(w, line, llen); /* the JSON its audit event holds, not written again */
    else
        hogo_writer_decision(w, p, req, &d);
    return d.allow ? 0 : 1;
}

/* The lines of stdin, read in chunks: a batch is every complete line that has arrived, so a
 * caller that sends one line and waits is answered at once, and a stream is taken in large
 * batches. */
struct line_reader {
    char *buf;      /* owned: bytes read, buf[start .. len) not yet used */
    size_t start, len, cap;
    bool eof;       /* stdin is at its end (or failed) */
};

#define BATCH_BYTES (1u << 20) /* read ahead up to this much while more is waiting */
#define BATCH_LINES 8192       /* decisions per commit at most */

static bool input_waiting(void)
{
    struct pollfd pf = {.fd = STDIN_FILENO, .events = POLLIN};
    return poll(&pf, 1, 0) > 0;
}

/* Reads once (blocking) and then as long as more is waiting and there is room. Returns false
 * when out of memory. */
static bool fill(struct line_reader *lr)
{
    if (lr->start) {
        memmove(lr->buf, lr->buf + lr->start, lr->len - lr->start);
        lr->len -= lr->start;
        lr->start = 0;
    }
    bool first = true;
    while (!lr->eof && (first || (lr->len < BATCH_BYTES && input_waiting()))) {
        if (lr->cap - lr->len < 65536) {
            size_t ncap = lr->cap ? lr->cap * 2 : 2 * BATCH_BYTES;
            char *g = realloc(lr->buf, ncap);
            if (!g)
                return false;
            lr->buf = g;
            lr->cap = ncap;
        }
        ssize_t n = read(STDIN_FILENO, lr->buf + lr->len, lr->cap - lr->len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            lr->eof = true;
        else
            lr->len += (size_t)n;
        first = false;
    }
    return true;
}

/* The next complete line (the last one may end without a newline at end of input) without
 * its line ending, or NULL when none is complete. */
static const char *next_line(struct line_reader *lr, size_t *len)
{
    if (lr->start >= lr->len)
        return NULL;
    char *line = lr->buf + lr->start;
    char *nl = memchr(line, '\n', lr->len - lr->start);
    if (!nl && !lr->eof)
        return NULL;
    size_t n = nl ? (size_t)(nl - line) : lr->len - lr->start;
    lr->start += n + (nl != NULL);
    while (n && line[n - 1] == '\r')
        n--;
    *len = n;
    return line;
}

static bool blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t')
            return false;
    return true;
}

/* Decides the lines that have arrived, as one transaction in stateful mode, and answers
 * them once it is committed (durable). Returns the run's status so far. */
static int run_batch(struct policy_cache *cache, struct line_reader *lr,
                     struct hogo_request *req, struct hogo_writer *w, size_t max, int status)
{
    struct hogo_error err = {0};
    const char *line;
    size_t len;
    int n = 0;
    if (cache->store && hogo_store_begin(cache->store, &err)) {
        cli_print_error(&err);
        return 2;
    }
    while (n < BATCH_LINES && (line = next_line(lr, &len))) {
        if (blank(line, len))
            continue;
        hogo_error_clear(&err);
        if (decide_one(cache, req, w, line, len, max, ANSWER_LINE, &err) < 0) {
            hogo_writer_error(w, &err);
            status = 2;
        }
        n++;
    }
    if (cache->store && hogo_store_commit(cache->store, &err)) {
        /* nothing of the batch is durable: no line of it is answered with a decision */
        hogo_writer_clear(w);
        for (int i = 0; i < n; i++)
            hogo_writer_error(w, &err);
        status = 2;
    }
    const char *buf;
    size_t blen;
    hogo_writer_buffer(w, &buf, &blen);
    if (fwrite(buf, 1, blen, stdout) != blen || fflush(stdout) != 0)
        status = 2;
    hogo_writer_clear(w);
    return status;
}

static int run_jsonl(struct policy_cache *cache, size_t max)
{
    struct hogo_request *req = NULL;
    struct hogo_writer *w = NULL;
    struct line_reader lr = {0};
    int status = 0;
    if (hogo_request_new(&req) || hogo_writer_new(false, &w)) {
        cli_errorf("out of memory");
        status = 2;
        goto out;
    }
    struct progress shown;
    progress_begin(&shown, "check --jsonl", NULL);
    for (;;) {
        size_t before = lr.start;
        size_t dummy;
        if (!next_line(&lr, &dummy)) {
            if (lr.eof)
                break;
            if (!fill(&lr)) {
                cli_errorf("out of memory reading the requests");
                status = 2;
                break;
            }
            continue;
        }
        lr.start = before; /* peeked: a complete line is there */
        status = run_batch(cache, &lr, req, w, max, status);
    }
    progress_end(&shown);
    if (ferror(stdout)) {
        cli_errorf("cannot write the responses");
        status = 2;
    }
out:
    free(lr.buf);
    hogo_request_free(req);
    hogo_writer_free(w);
    return status;
}

int cmd_check(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"policy", required_argument, NULL, 'p'}, {"format", required_argument, NULL, 'f'},
        {"jsonl", no_argument, NULL, 'j'},        {"max-request", required_argument, NULL, 'm'},
        {"db", required_argument, NULL, 'd'},     {"subject", required_argument, NULL, 's'},
        {"lang", required_argument, NULL, 'l'},   {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    const char *policy_arg = NULL, *db = NULL, *subject = NULL, *lang = cli_default_lang();
    bool jsonl = false, text = false;
    size_t max = HOGO_DEFAULT_MAX_REQUEST;
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "p:f:jm:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'd':
            db = optarg;
            break;
        case 's':
            subject = optarg;
            break;
        case 'p':
            policy_arg = optarg;
            break;
        case 'f':
            if (!strcmp(optarg, "text"))
                text = true;
            else if (!strcmp(optarg, "jsonl"))
                jsonl = true;
            else if (strcmp(optarg, "json")) {
                cli_errorf("check: --format is json, jsonl or text, not '%s'", optarg);
                return 2;
            }
            break;
        case 'l':
            if (strcmp(optarg, "ja") && strcmp(optarg, "en")) {
                cli_errorf("check: --lang is ja or en, not '%s'", optarg);
                return 2;
            }
            lang = optarg;
            break;
        case 'j':
            jsonl = true;
            break;
        case 'm': {
            char *end;
            unsigned long long v = strtoull(optarg, &end, 10);
            if (*end || v < 64 || v > (1ull << 30)) {
                cli_errorf("check: --max-request takes a byte count between 64 and 1073741824");
                return 2;
            }
            max = (size_t)v;
            break;
        }
        case 'h':
            usage(stdout);
            return 0;
        default:
            return cli_bad_option("check", argv);
        }
    }
    if (jsonl && text) {
        cli_errorf("check: --jsonl writes JSON lines; drop --format text");
        return 2;
    }
    if (optind < argc - 1) {
        cli_errorf("check: one request file at most (use --jsonl for many)");
        return 2;
    }
    struct policy_cache cache = {.subject = subject};
    int status = 2;
    if (!db && getenv("HOGO_DB") && *getenv("HOGO_DB"))
        db = getenv("HOGO_DB");
    if (subject && !db) {
        cli_errorf("check: --subject needs a store: pass --db DB (or set HOGO_DB)");
        return 2;
    }
    if (db) {
        struct hogo_error serr = {0};
        if (hogo_store_open_env(&cache.store, db, NULL, NULL, 0, &serr)) {
            cli_print_error(&serr);
            return 2;
        }
    }
    if (policy_arg && cli_load_policy(policy_arg, &cache.fixed, NULL)) {
        hogo_store_free(cache.store);
        return 2;
    }
    if (jsonl) {
        if (optind < argc && strcmp(argv[optind], "-") && !freopen(argv[optind], "rb", stdin)) {
            cli_errorf("check: cannot open '%s': %s", argv[optind], strerror(errno));
            goto out;
        }
        status = run_jsonl(&cache, max);
        goto out;
    }
    FILE *in = stdin;
    if (optind < argc && strcmp(argv[optind], "-")) {
        in = fopen(argv[optind], "rb");
        if (!in) {
            cli_errorf("check: cannot open '%s'", argv[optind]);
            goto out;
        }
    }
    struct hogo_error err = {0};
    char *json = NULL;
    size_t len = 0;
    int rc = cli_read_all(in, max, &json, &len, &err);
    if (in != stdin)
        fclose(in);
    if (rc) {
        cli_print_error(&err);
        goto out;
    }
    struct hogo_request *req = NULL;
    struct hogo_writer *w = NULL;
    if (hogo_request_new(&req) || hogo_writer_new(!text, &w) ||
        hogo_writer_set_language(w, lang)) {
        cli_errorf("out of memory");
    } else {
        int r = decide_one(&cache, req, w, json, len, max, text ? ANSWER_TEXT : ANSWER_PRETTY, &err);
        if (r < 0) {
            cli_print_error(&err);
        } else {
            const char *buf;
            size_t blen;
            hogo_writer_buffer(w, &buf, &blen);
            fwrite(buf, 1, blen, stdout);
            status = fflush(stdout) == 0 ? r : 2;
        }
    }
    free(json);
    hogo_request_free(req);
    hogo_writer_free(w);
out:
    hogo_store_free(cache.store);
    hogo_policy_free(cache.fixed);
    for (int i = cache.n - 1; i >= 0; i--)
        hogo_policy_free(cache.loaded[i]);
    hogo_vocab_free(cache.vocab); /* after the policies that borrow it */
    return status;
}
