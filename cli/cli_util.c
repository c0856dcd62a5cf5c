/*
 * Helpers shared by the hogo subcommands (cli_util.h).
 * CLI layer.
 */
#include "cli_util.h"
#include "commands.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void print_problem(void *user, const struct hogo_error *e, bool warning)
{
    int *warnings = user;
    if (warning && warnings)
        (*warnings)++;
    fprintf(stderr, "%s: %s: %s\n", e->where[0] ? e->where : "hogo", warning ? "warning" : "error",
            e->message);
}

int cli_load_policy(const char *id_or_path, struct hogo_policy **out, int *warnings)
{
    return cli_load_policy_shared(id_or_path, NULL, out, warnings);
}

int cli_load_policy_shared(const char *id_or_path, const struct hogo_vocab *shared,
                           struct hogo_policy **out, int *warnings)
{
    struct hogo_error err = {0};
    struct hogo_policy_load_opts opts = {.diag = print_problem, .diag_user = warnings};
    char path[4096];
    int rc = hogo_policy_resolve(id_or_path, path, sizeof path, &err);
    if (rc) {
        cli_print_error(&err);
        return rc;
    }
    if (shared) {
        char vocab[4200];
        hogo_policy_vocab_file(path, vocab, sizeof vocab);
        if (!strcmp(vocab, hogo_vocab_path(shared)))
            opts.vocab = shared;
    }
    rc = hogo_policy_load(path, &opts, out, &err);
    if (rc && rc != HOGO_EPOLICY)
        cli_print_error(&err);
    else if (rc)
        fprintf(stderr, "hogo: policy '%s' has errors (above); fix them and run "
                        "'hogo policy check %s'\n", path, path);
    return rc;
}

int cli_is_policy_id(const char *s)
{
    size_t n = 0;
    for (; s && s[n]; n++)
        if (!((s[n] >= 'a' && s[n] <= 'z') || (s[n] >= '0' && s[n] <= '9') || s[n] == '_' ||
              s[n] == '-'))
            return 0;
    return n > 0 && n < 64;
}

void cli_print_error(const struct hogo_error *err)
{
    if (err->where[0])
        fprintf(stderr, "hogo: %s: %s\n", err->where, err->message);
    else
        fprintf(stderr, "hogo: %s\n", err->message[0] ? err->message : hogo_strerror(err->code));
}

int cli_read_all(FILE *f, size_t max, char **buf, size_t *len, struct hogo_error *err)
{
    int rc = hogo_read_stream(f, "the request", max, buf, len, err);
    if (rc == HOGO_ELIMIT)
        return hogo_error_set(err, HOGO_ELIMIT, "/",
                              "request is over the limit of %zu bytes; send less data or raise "
                              "the limit with --max-request",
                              max);
    if (rc == HOGO_EIO)
        return hogo_error_set(err, HOGO_EIO, "", "cannot read the request");
    return rc;
}

void cli_errorf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("hogo: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

const char *cli_default_lang(void)
{
    const char *lang = getenv("HOGO_LANG");
    return lang && !strcmp(lang, "en") ? "en" : "ja";
}

int cli_bad_option(const char *command, char **argv)
{
    const char *arg = optind > 0 ? argv[optind - 1] : "";
    if (optopt && strncmp(arg, "--", 2) != 0)
        cli_errorf("%s: unknown option '-%c' or it needs a value; see 'hogo %s --help'", command,
                   optopt, command);
    else
        cli_errorf("%s: unknown option, or one that needs a value: '%s'; see 'hogo %s --help'",
                   command, arg, command);
    return 2;
}
