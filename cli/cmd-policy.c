/*
 * `hogo policy list|check|show|diff|transmissions`: validate policy files and their lists of
 * external transmissions (every problem with file:line:col), print a readable summary of a
 * policy, show what a revision changed, and list a policy's external transmissions.
 * CLI layer.
 */
#include "cli_util.h"
#include "commands.h"
#include "listing.h"

#include <stdlib.h>
#include <string.h>

static void usage(FILE *out)
{
    fprintf(out, "usage: hogo policy list [--format json|jsonl|csv|text]\n"
                 "       hogo policy check FILE|ID...\n"
                 "       hogo policy show ID|FILE [--format text|json|jsonl|csv] [--lang ja|en]\n"
                 "       hogo policy diff OLD NEW\n"
                 "       hogo policy transmissions ID|FILE [--format text|json|jsonl|csv] "
                 "[--lang ja|en]\n\n"
                 "  list   the policies the vocabulary names: id, operator, version, file\n"
                 "  check  load each policy, verify every id against the vocabulary and every\n"
                 "         quote against the policy text; print each problem as file:line:col;\n"
                 "         also checks the policy's list of external transmissions\n"
                 "         (transmissions/ID.yaml beside it), or such a list given as FILE\n"
                 "  show   the clauses of a policy: recipients, purposes, conditions, duties;\n"
                 "         --format json|jsonl|csv lists its rules, one row each; the text is\n"
                 "         Japanese unless --lang en (default $HOGO_LANG)\n"
                 "  diff   what changed between two revisions (clauses added, removed, changed)\n"
                 "  transmissions  the 外部送信一覧: each tag or SDK of each site or app, the\n"
                 "         recipient, the data sent, the purposes and the recipient's opt-out;\n"
                 "         text in Japanese unless --lang en (default $HOGO_LANG)\n\n"
                 "exit status: 0 ok, 1 diff found differences, 2 a policy has errors or bad "
                 "arguments\n");
}

/* `hogo policy list`: every policy of the shipped vocabulary that resolves to a file. */
static int policy_list(int argc, char **argv)
{
    enum listing_format format = LISTING_TEXT;
    for (int i = 1; i < argc; i++) {
        const char *value = !strncmp(argv[i], "--format=", 9) ? argv[i] + 9
                            : !strcmp(argv[i], "--format") && i + 1 < argc ? argv[++i]
                                                                           : NULL;
        if (!value) {
            cli_errorf("policy list: unknown argument '%s'; it takes --format only", argv[i]);
            return 2;
        }
        if (listing_format_parse("policy list", value, &format))
            return 2;
    }
    char vpath[4096];
    hogo_vocab_default_file(vpath, sizeof vpath);
    struct hogo_vocab *v = NULL;
    struct hogo_error err;
    if (hogo_vocab_load(vpath, &v, &err)) {
        cli_print_error(&err);
        return 2;
    }
    static const char *const cols[] = {"id", "operator", "version", "path"};
    struct listing *l = listing_begin(stdout, format, cols, 4);
    int status = l ? 0 : 2;
    struct hogo_vocab_entry e;
    for (size_t i = 0; l && hogo_vocab_entry(v, i, &e) == 0; i++) {
        if (strcmp(e.kind, "policy"))
            continue;
        struct hogo_policy *p = NULL;
        if (hogo_policy_open(e.id, NULL, &p, &err)) {
            const char *vals[] = {e.id, e.ja, NULL, NULL};
            listing_row(l, vals); /* named by the vocabulary, but no file loads */
            continue;
        }
        const char *vals[] = {hogo_policy_id(p), hogo_policy_operator(p), hogo_policy_version(p),
                              hogo_policy_path(p)};
        listing_row(l, vals);
        hogo_policy_free(p);
    }
    if (l)
        listing_end(l);
    hogo_vocab_free(v);
    return status;
}

/* Problems printed while loading a list of external transmissions. */
struct printed {
    int warnings, errors;
};

static void print_problem(void *user, const struct hogo_error *e, bool warning)
{
    struct printed *n = user;
    if (n && warning)
        n->warnings++;
    else if (n)
        n->errors++;
    fprintf(stderr, "%s: %s: %s\n", e->where[0] ? e->where : "hogo", warning ? "warning" : "error",
            e->message);
}

/* True when path names a registry of external transmissions: a .yaml file in a folder named
 * transmissions. */
static bool is_registry_path(const char *path)
{
    const char *slash = strrchr(path, '/');
    size_t n = strlen(path);
    if (!slash || n < 5 || strcmp(path + n - 5, ".yaml"))
        return false;
    const char *dir = slash;
    while (dir > path && dir[-1] != '/')
        dir--;
    return (size_t)(slash - dir) == 13 && !strncmp(dir, "transmissions", 13);
}

/* Prints the ok line of a loaded registry. */
static void registry_ok(const struct hogo_transmissions *t, int warnings)
{
    size_t optouts = 0;
    while (hogo_transmissions_optout(t, optouts))
        optouts++;
    printf("ok: %s — external transmissions of policy %s (revised %s%s): %zu sites or apps, %zu "
           "transmissions, %zu recipients (%zu with an opt-out), every id in the vocabulary%s\n",
           hogo_transmissions_path(t), hogo_transmissions_policy(t), hogo_transmissions_revised(t),
           hogo_transmissions_example(t) ? ", example data" : "", hogo_transmissions_site_count(t),
           hogo_transmissions_count(t), hogo_transmissions_partner_count(t), optouts,
           warnings ? " (with warnings)" : "");
}

/* Checks a registry file named on the command line; 0 when it loads. */
static int check_registry_file(const char *path)
{
    struct hogo_transmissions *t = NULL;
    struct hogo_error err = {0};
    struct printed n = {0};
    struct hogo_policy_load_opts o = {.diag = print_problem, .diag_user = &n};
    int rc = hogo_transmissions_load(path, &o, &t, &err);
    if (rc) {
        if (!n.errors)
            cli_print_error(&err);
        else
            fprintf(stderr, "hogo: the list of external transmissions '%s' has errors (above); "
                            "fix them and run 'hogo policy check %s'\n", path, path);
        return 2;
    }
    registry_ok(t, n.warnings);
    hogo_transmissions_free(t);
    return 0;
}

/* Checks the registry of a loaded policy, when it has one; 0 when it has none or it loads. */
static int check_policy_registry(const struct hogo_policy *p)
{
    struct hogo_transmissions *t = NULL;
    struct hogo_error err = {0};
    struct printed n = {0};
    int rc = hogo_transmissions_open(p, print_problem, &n, &t, &err);
    if (rc == HOGO_ENOTFOUND)
        return 0;
    if (rc) {
        if (!n.errors)
            cli_print_error(&err);
        fprintf(stderr, "hogo: the list of external transmissions of policy '%s' has errors "
                        "(above); fix them and run 'hogo policy check %s'\n",
                hogo_policy_id(p), hogo_policy_id(p));
        return 2;
    }
    registry_ok(t, n.warnings);
    hogo_transmissions_free(t);
    return 0;
}

static int policy_check(int argc, char **argv)
{
    if (argc < 2) {
        cli_errorf("policy check: name at least one policy file or id");
        return 2;
    }
    int status = 0;
    for (int i = 1; i < argc; i++) {
        if (is_registry_path(argv[i])) {
            if (check_registry_file(argv[i]))
                status = 2;
            continue;
        }
        struct hogo_policy *p = NULL;
        int warnings = 0;
        if (cli_load_policy(argv[i], &p, &warnings)) {
            status = 2;
            continue;
        }
        printf("ok: %s — policy %s version %s: %d clauses, %d rules, every quote verbatim%s\n",
               hogo_policy_path(p), hogo_policy_id(p), hogo_policy_version(p),
               hogo_policy_clause_count(p), hogo_policy_rule_count(p),
               warnings ? " (with warnings)" : "");
        if (check_policy_registry(p))
            status = 2;
        hogo_policy_free(p);
    }
    return status;
}

/* The value of option name ("--format") at argv[*i], as "--format=V" or "--format V" (then
 * *i moves past it); NULL when argv[*i] is not that option. */
static const char *option_value(const char *name, int argc, char **argv, int *i)
{
    size_t n = strlen(name);
    if (!strncmp(argv[*i], name, n) && argv[*i][n] == '=')
        return argv[*i] + n + 1;
    if (!strcmp(argv[*i], name) && *i + 1 < argc)
        return argv[++*i];
    return NULL;
}

/* Reads [--format F] [--lang ja|en] around one positional argument; returns it, or NULL after
 * a message. */
static const char *one_arg_and_format(const char *command, int argc, char **argv,
                                      enum listing_format *format, const char **lang)
{
    const char *arg = NULL, *value;
    for (int i = 1; i < argc; i++) {
        if ((value = option_value("--format", argc, argv, &i))) {
            if (listing_format_parse(command, value, format))
                return NULL;
        } else if ((value = option_value("--lang", argc, argv, &i))) {
            if (strcmp(value, "ja") && strcmp(value, "en")) {
                cli_errorf("%s: --lang is ja or en, not '%s'", command, value);
                return NULL;
            }
            *lang = value;
        } else if (argv[i][0] == '-' || arg) {
            cli_errorf("%s: unknown argument '%s'; name one policy (id or file) and optionally "
                       "--format and --lang", command, argv[i]);
            return NULL;
        } else {
            arg = argv[i];
        }
    }
    if (!arg)
        cli_errorf("%s: name one policy (id or file)", command);
    return arg;
}

/* The rules of a policy as a listing, one row each. */
static void show_rules(const struct hogo_policy *p, enum listing_format format)
{
    static const char *const cols[] = {
        "clause", "effect", "actions", "purposes", "data", "recipients", "services", "forms",
        "basis", "when", "unless", "yields_to", "obligations", "quote", "note", "line"};
    struct listing *l = listing_begin(stdout, format, cols, 16);
    struct hogo_rule_info ri;
    for (int i = 0; l && hogo_policy_rule(p, i, &ri) == 0; i++) {
        char line[16];
        snprintf(line, sizeof line, "%d", ri.line);
        const char *vals[] = {ri.clause,     ri.effect, ri.actions,  ri.purposes,
                              ri.data,       ri.recipients, ri.services, ri.forms,
                              ri.bases,      ri.when,   ri.unless,   ri.yields_to,
                              ri.obligations, ri.quote, ri.note,     line};
        listing_row(l, vals);
    }
    if (l)
        listing_end(l);
}

static int policy_show(int argc, char **argv)
{
    enum listing_format format = LISTING_TEXT;
    const char *lang = cli_default_lang();
    const char *arg = one_arg_and_format("policy show", argc, argv, &format, &lang);
    if (!arg)
        return 2;
    struct hogo_policy *p = NULL;
    if (cli_load_policy(arg, &p, NULL))
        return 2;
    if (format != LISTING_TEXT) {
        show_rules(p, format);
        hogo_policy_free(p);
        return 0;
    }
    struct hogo_writer *w = NULL;
    const char *text = NULL;
    size_t len = 0;
    int rc = hogo_writer_new(false, &w) || hogo_writer_set_language(w, lang) ||
             hogo_writer_policy_text(w, p);
    if (!rc) {
        hogo_writer_buffer(w, &text, &len);
        fwrite(text, 1, len, stdout);
    } else {
        cli_errorf("policy show: out of memory");
    }
    hogo_writer_free(w);
    hogo_policy_free(p);
    return rc ? 2 : 0;
}

/* Joins the names (lang "en": English, else Japanese) or, with ids, the ids of a list. */
static void join_names(const struct hogo_named *v, size_t n, bool ids, bool en, char *buf,
                       size_t size)
{
    buf[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        size_t used = strlen(buf);
        snprintf(buf + used, size - used, "%s%s", i ? (ids ? "," : en ? "; " : "、") : "",
                 ids ? v[i].id : en ? v[i].en : v[i].ja);
    }
}

/* `hogo policy transmissions ID|FILE`: the 外部送信一覧 as a listing. */
static int policy_transmissions(int argc, char **argv)
{
    enum listing_format format = LISTING_TEXT;
    const char *lang = cli_default_lang();
    const char *arg = NULL;
    for (int i = 1; i < argc; i++) {
        const char *fmt = !strncmp(argv[i], "--format=", 9) ? argv[i] + 9
                          : !strcmp(argv[i], "--format") && i + 1 < argc ? argv[++i]
                                                                         : NULL;
        const char *lng = fmt ? NULL
                          : !strncmp(argv[i], "--lang=", 7) ? argv[i] + 7
                          : !strcmp(argv[i], "--lang") && i + 1 < argc ? argv[++i]
                                                                       : NULL;
        if (fmt) {
            if (listing_format_parse("policy transmissions", fmt, &format))
                return 2;
        } else if (lng) {
            if (strcmp(lng, "ja") && strcmp(lng, "en")) {
                cli_errorf("policy transmissions: --lang is ja or en, not '%s'", lng);
                return 2;
            }
            lang = lng;
        } else if (argv[i][0] == '-' || arg) {
            cli_errorf("policy transmissions: unknown argument '%s'; name one policy (id or "
                       "file) or its list of transmissions, and optionally --format, --lang",
                       argv[i]);
            return 2;
        } else {
            arg = argv[i];
        }
    }
    if (!arg) {
        cli_errorf("policy transmissions: name one policy (id or file)");
        return 2;
    }
    struct hogo_transmissions *t = NULL;
    struct hogo_policy *p = NULL;
    struct hogo_error err = {0};
    struct printed n = {0};
    int rc;
    if (is_registry_path(arg)) {
        struct hogo_policy_load_opts o = {.diag = print_problem, .diag_user = &n};
        rc = hogo_transmissions_load(arg, &o, &t, &err);
    } else {
        if (cli_load_policy(arg, &p, NULL))
            return 2;
        rc = hogo_transmissions_open(p, print_problem, &n, &t, &err);
    }
    if (rc) {
        if (!n.errors)
            cli_print_error(&err);
        hogo_policy_free(p);
        return 2;
    }
    bool en = !strcmp(lang, "en");
    int status = 0;
    if (format == LISTING_JSON || format == LISTING_JSONL) {
        char *json = hogo_transmissions_json(t, true, NULL);
        if (!json || listing_json_array(stdout, format, json, NULL, 0, NULL) < 0)
            status = 2;
        free(json);
    } else {
        static const char *const cols_csv[] = {"site", "site_kind", "tool", "recipient",
                                               "recipient_name", "data", "purposes",
                                               "opt_out_url"};
        static const char *const cols_ja[] = {"サイト・アプリ", "ツール", "送信先",
                                              "送信される情報", "利用目的", "オプトアウト"};
        static const char *const cols_en[] = {"site or app", "tool", "recipient", "data sent",
                                              "purposes", "opt-out"};
        bool csv = format == LISTING_CSV;
        struct listing *l = listing_begin(stdout, format, csv ? cols_csv : en ? cols_en : cols_ja,
                                          csv ? 8 : 6);
        for (size_t i = 0; l && i < hogo_transmissions_count(t); i++) {
            const struct hogo_transmission *x = hogo_transmissions_get(t, i);
            const struct hogo_transmission_site *s = hogo_transmissions_site(t, x->site);
            const struct hogo_transmission_partner *r = hogo_transmissions_partner(t, x->partner);
            char data[2048], purposes[4096];
            join_names(x->data, x->ndata, csv, en, data, sizeof data);
            join_names(x->purposes, x->npurposes, csv, en, purposes, sizeof purposes);
            const char *optout = r->opt_out_url ? r->opt_out_url : csv ? "" : en ? "none" : "なし";
            if (csv) {
                const char *vals[] = {s->id, s->kind, en ? x->tool.en : x->tool.ja, r->name.id,
                                      en ? r->name.en : r->name.ja, data, purposes, optout};
                listing_row(l, vals);
            } else {
                const char *vals[] = {en ? s->name.en : s->name.ja, en ? x->tool.en : x->tool.ja,
                                      en ? r->name.en : r->name.ja, data, purposes, optout};
                listing_row(l, vals);
            }
        }
        if (l)
            listing_end(l);
        else
            status = 2;
        if (!csv && hogo_transmissions_example(t))
            printf(en ? "\n(example data: these entries illustrate the format; they are not the "
                        "operator's actual tags)\n"
                      : "\n（例示データ: 記載は形式を示す例であり、実際のタグ・SDKではありません）\n");
    }
    hogo_transmissions_free(t);
    hogo_policy_free(p);
    return status;
}

static int policy_diff(int argc, char **argv)
{
    if (argc != 3) {
        cli_errorf("policy diff: give the old and the new policy (ids or files)");
        return 2;
    }
    struct hogo_policy *a = NULL, *b = NULL;
    int status = 2;
    if (cli_load_policy(argv[1], &a, NULL) || cli_load_policy(argv[2], &b, NULL))
        goto out;
    int changes = 0;
    char *s = hogo_policy_diff(a, b, &changes);
    if (s) {
        fputs(s, stdout);
        status = changes ? 1 : 0;
    }
    free(s);
out:
    hogo_policy_free(a);
    hogo_policy_free(b);
    return status;
}

int cmd_policy(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (argc > 2 && (!strcmp(argv[2], "--help") || !strcmp(argv[2], "-h"))) {
        usage(stdout);
        return 0;
    }
    if (!strcmp(argv[1], "list"))
        return policy_list(argc - 1, argv + 1);
    if (!strcmp(argv[1], "check"))
        return policy_check(argc - 1, argv + 1);
    if (!strcmp(argv[1], "show"))
        return policy_show(argc - 1, argv + 1);
    if (!strcmp(argv[1], "diff"))
        return policy_diff(argc - 1, argv + 1);
    if (!strcmp(argv[1], "transmissions"))
        return policy_transmissions(argc - 1, argv + 1);
    cli_errorf("policy: unknown subcommand '%s' (list, check, show, diff, transmissions)",
               argv[1]);
    return 2;
}
