/*
 * What `hogo provide` and `hogo receive` share: the --own-retention option, reading the
 * request and loading the policy it names, and printing the outcome. CLI layer.
 */
#include "provide_cli.h"

#include "cli_util.h"
#include "commands.h"

#include <hogo/ledger.h>

#include <errno.h>
#include <stdbool.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_tree.h>

int provide_cli_own_retention(const char *cmd, const char *own, int *years)
{
    if (!own || !*own)
        return 0;
    char *end;
    long y = strtol(own, &end, 10);
    if (*end || y < 1 || y > 100) {
        cli_errorf("%s: --own-retention takes 1 to 100 years, not '%s'", cmd, own);
        return -1;
    }
    *years = (int)y;
    return 0;
}

/* The policy id a request names (allocated), for when --policy is not given. */
static char *request_policy(const char *json)
{
    char ebuf[128];
    yajl_val v = yajl_tree_parse(json, ebuf, sizeof ebuf);
    const char *path[] = {"policy", NULL};
    yajl_val p = v ? yajl_tree_get(v, path, yajl_t_string) : NULL;
    char *s = p ? strdup(p->u.string) : NULL;
    yajl_tree_free(v);
    return s;
}

int provide_cli_load(struct provide_cli_input *in, const char *cmd, int argc, char **argv,
                     const char *policy_arg)
{
    if (optind < argc - 1) {
        cli_errorf("%s: one request file at most", cmd);
        return -1;
    }
    FILE *f = stdin;
    if (optind < argc && strcmp(argv[optind], "-") && !(f = fopen(argv[optind], "rb"))) {
        cli_errorf("%s: cannot open '%s': %s", cmd, argv[optind], strerror(errno));
        return -1;
    }
    struct hogo_error err = {0};
    int rc = cli_read_all(f, HOGO_DEFAULT_MAX_REQUEST, &in->json, &in->len, &err);
    if (f != stdin)
        fclose(f);
    if (rc) {
        cli_print_error(&err);
        return -1;
    }
    if (!policy_arg && !(policy_arg = in->pid = request_policy(in->json))) {
        cli_errorf("%s: the request names no \"policy\"; add it or pass --policy", cmd);
        return -1;
    }
    if (in->pid && !cli_is_policy_id(in->pid)) {
        cli_errorf("%s: /policy: '%.80s' is not a policy id; a request names its policy by id "
                   "(irp), a policy file is only given with --policy FILE",
                   cmd, in->pid);
        return -1;
    }
    if (cli_load_policy(policy_arg, &in->policy, NULL))
        return -1;
    if (hogo_request_new(&in->req) || hogo_writer_new(false, &in->w)) {
        cli_errorf("out of memory");
        return -1;
    }
    return 0;
}

int provide_cli_option(struct provide_cli_input *in, const char *cmd, int opt, const char *arg)
{
    if (opt == PROVIDE_CLI_FORMAT_OPTION) {
        static const char *const names[] = {[PROVIDE_JSON] = "json", [PROVIDE_JSONL] = "jsonl",
                                            [PROVIDE_TEXT] = "text"};
        for (int i = 0; i < (int)(sizeof names / sizeof names[0]); i++)
            if (!strcmp(arg, names[i])) {
                in->format = i;
                return 0;
            }
        cli_errorf("%s: --format is json, jsonl or text, not '%s'", cmd, arg);
        return -1;
    }
    if (strcmp(arg, "ja") && strcmp(arg, "en")) {
        cli_errorf("%s: --lang is ja or en, not '%s'", cmd, arg);
        return -1;
    }
    in->lang = arg;
    return 0;
}

/* Writes text (indented JSON) with every line after the first indented by two more spaces, so
 * that it nests as a member's value of an indented object. */
static void print_nested(const char *text, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        putchar(text[i]);
        if (text[i] == '\n' && i + 1 < len)
            fputs("  ", stdout);
    }
}

void provide_cli_print(const struct provide_cli_input *in, const struct hogo_decision *d,
                       const char *id, const char *obligation)
{
    const char *buf;
    size_t blen;
    /* whether a record is required is read from the compact JSON of the obligations */
    hogo_writer_decision(in->w, in->policy, in->req, d);
    hogo_writer_buffer(in->w, &buf, &blen);
    char *compact = strndup(buf, blen);
    bool required = d->allow && compact && strstr(compact, obligation) != NULL;
    free(compact);
    bool en = in->lang ? !strcmp(in->lang, "en") : !strcmp(cli_default_lang(), "en");
    if (in->format == PROVIDE_TEXT) {
        struct hogo_writer *t = NULL;
        if (hogo_writer_new(false, &t) || hogo_writer_set_language(t, en ? "en" : "ja")) {
            hogo_writer_free(t);
            cli_errorf("out of memory");
            return;
        }
        hogo_writer_decision_text(t, in->policy, in->req, d);
        hogo_writer_buffer(t, &buf, &blen);
        fwrite(buf, 1, blen, stdout);
        hogo_writer_free(t);
        if (!d->allow)
            puts(en ? "Record: none (not allowed, nothing recorded)"
                    : "記録: なし（認められないため、記録していません）");
        else if (required)
            printf(en ? "Record: %s (required by law)\n" : "記録: %s（法令上作成が必要な記録）\n", id);
        else
            printf(en ? "Record: %s (kept by the operator; not required by law)\n"
                      : "記録: %s（法令上の作成義務はなく、事業者として保存）\n",
                   id);
        return;
    }
    bool pretty = in->format == PROVIDE_JSON;
    struct hogo_writer *j = NULL;
    if (hogo_writer_new(pretty, &j)) {
        cli_errorf("out of memory");
        return;
    }
    hogo_writer_decision(j, in->policy, in->req, d);
    hogo_writer_buffer(j, &buf, &blen);
    while (blen && buf[blen - 1] == '\n')
        blen--;
    char idjson[HOGO_LEDGER_ID_BYTES + 2];
    snprintf(idjson, sizeof idjson, d->allow ? "\"%s\"" : "null", id);
    if (pretty) {
        printf("{\n  \"record_id\": %s,\n  \"record_required\": %s,\n  \"decision\": ", idjson,
               required ? "true" : "false");
        print_nested(buf, blen);
        fputs("\n}\n", stdout);
    } else {
        printf("{\"record_id\":%s,\"record_required\":%s,\"decision\":%.*s}\n", idjson,
               required ? "true" : "false", (int)blen, buf);
    }
    hogo_writer_free(j);
}

void provide_cli_release(struct provide_cli_input *in)
{
    free(in->json);
    free(in->pid);
    hogo_writer_free(in->w);
    hogo_request_free(in->req);
    hogo_policy_free(in->policy);
}
