/*
 * `hogo policy check|show|diff`: validate policy files (every problem with file:line:col),
 * print a readable summary of a policy, and show what a revision changed.
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
                 "       hogo policy diff OLD NEW\n\n"
                 "  list   the policies the vocabulary names: id, operator, version, file\n"
                 "  check  load each policy, verify every id against the vocabulary and every\n"
                 "         quote against the policy text; print each problem as file:line:col\n"
                 "  show   the clauses of a policy: recipients, purposes, conditions, duties;\n"
                 "         --format json|jsonl|csv lists its rules, one row each; the text is\n"
                 "         Japanese unless --lang en (default $HOGO_LANG)\n"
                 "  diff   what changed between two revisions (clauses added, removed, changed)\n\n"
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

static int policy_check(int argc, char **argv)
{
    if (argc < 2) {
        cli_errorf("policy check: name at least one policy file or id");
        return 2;
    }
    int status = 0;
    for (int i = 1; i < argc; i++) {
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
    cli_errorf("policy: unknown subcommand '%s' (list, check, show, diff)", argv[1]);
    return 2;
}
