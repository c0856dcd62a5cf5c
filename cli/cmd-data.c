/*
 * `hogo data`: personal data items, sealed under the subject's key, with their provenance.
 * CLI layer over include/hogo/store.h. Every read is an audit event; values never are.
 * Exit status: 0 done, 1 the store failed, 2 bad input (unknown subject/item, wrong key).
 */
#include "commands.h"
#include "store_cli.h"

#include <hogo/file.h>
#include <hogo/store.h>

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage_text[] =
    "usage: hogo data <subcommand> [--db DB] [--master-key FILE]\n"
    "  put SUBJECT CATEGORY VALUE|-       store a value (- reads it from stdin); options:\n"
    "      --channel direct|automatic|third_party|public  how it was acquired (direct)\n"
    "      --source NAME  (required for third_party)  --service ID  --context TEXT\n"
    "      --policy-version V             the policy version in force at acquisition\n"
    "  get SUBJECT ITEM                   print one value (an audited read)\n"
    "  list SUBJECT                       items with category and provenance, no values\n"
    "  delete SUBJECT ITEM                delete one item\n"
    "The master key comes from --master-key, HOGO_MASTER_KEY_FILE or HOGO_MASTER_KEY.\n"
    "exit status: 0 done, 1 the store failed, 2 bad input\n";

/* The most a value given on stdin (`hogo data put SUBJECT CATEGORY -`) may hold. */
#define MAX_STDIN_VALUE ((size_t)2 << 20)

/* The provenance options of `hogo data put`. */
enum { O_CH = 1, O_SRC, O_SVC, O_CTX, O_PV };

static int data_option(void *ctx, int id, const char *arg)
{
    struct hogo_provenance *pv = ctx;
    switch (id) {
    case O_CH: pv->channel = arg; break;
    case O_SRC: pv->source = arg; break;
    case O_SVC: pv->service = arg; break;
    case O_CTX: pv->context = arg; break;
    default: pv->policy_version = arg; break;
    }
    return 0;
}

int cmd_data(int argc, char **argv)
{
    static const struct option longopts[] = {STORE_CLI_OPT_DB, STORE_CLI_OPT_MASTER_KEY,
                                              STORE_CLI_OPT_SIGNING_KEY,
                                              {"channel", required_argument, NULL, O_CH},
                                              {"source", required_argument, NULL, O_SRC},
                                              {"service", required_argument, NULL, O_SVC},
                                              {"context", required_argument, NULL, O_CTX},
                                              {"policy-version", required_argument, NULL, O_PV},
                                              STORE_CLI_OPT_END};
    struct store_cli o = {.name = "data", .usage = usage_text};
    struct hogo_provenance pv = {0};
    int status = store_cli_parse(&o, argc, argv, 1, longopts, data_option, &pv);
    if (status >= 0)
        return status;
    const char *sub = o.sub;
    int npos = o.npos;
    char **pos = o.pos;
    int64_t item = 0;
    if ((!strcmp(sub, "put") && npos != 3) || (!strcmp(sub, "list") && npos != 1) ||
        ((!strcmp(sub, "get") || !strcmp(sub, "delete")) && npos != 2) ||
        (strcmp(sub, "put") && strcmp(sub, "list") && strcmp(sub, "get") &&
         strcmp(sub, "delete"))) {
        cli_errorf("data: expected 'hogo data put SUBJECT CATEGORY VALUE', 'get|delete SUBJECT "
                   "ITEM' or 'list SUBJECT'; see 'hogo data --help'");
        return 2;
    }
    if (!strcmp(sub, "get") || !strcmp(sub, "delete")) {
        char *end = NULL;
        item = strtoll(pos[1], &end, 10);
        if (!*pos[1] || *end || item <= 0) {
            cli_errorf("data: item '%s' is not an item number; see 'hogo data list'", pos[1]);
            return 2;
        }
    }
    struct hogo_error err;
    struct hogo_store *st = NULL;
    char *buf = NULL, *json = NULL;
    unsigned char *value = NULL;
    size_t len = 0;
    hogo_error_clear(&err);
    int rc = store_cli_open(&o, &st, 0, &err);
    if (rc == 0 && !strcmp(sub, "put")) {
        const char *v = pos[2];
        len = strlen(v);
        if (!strcmp(v, "-")) {
            rc = hogo_read_stream(stdin, "stdin", MAX_STDIN_VALUE, &buf, &len, &err);
            if (rc == HOGO_ELIMIT)
                rc = hogo_error_set(&err, HOGO_ELIMIT, NULL,
                                    "value on stdin is over 2 MiB; store a smaller value");
            v = buf;
        }
        int64_t id = 0;
        if (rc == 0)
            rc = hogo_data_put(st, pos[0], pos[1], v, len, &pv, &id, &err);
        if (rc == 0)
            printf("%lld\n", (long long)id);
    } else if (rc == 0 && !strcmp(sub, "get")) {
        rc = hogo_data_get(st, pos[0], item, &value, &len, &err);
        if (rc == 0) {
            fwrite(value, 1, len, stdout);
            putchar('\n');
        }
    } else if (rc == 0 && !strcmp(sub, "list")) {
        rc = hogo_data_list_json(st, pos[0], &json, &err);
        if (rc == 0)
            puts(json);
    } else if (rc == 0)
        rc = hogo_data_delete(st, pos[0], item, &err);
    hogo_store_free(st);
    free(buf);
    free(json);
    free(value);
    if (rc < 0) {
        cli_errorf("data: %s", err.message[0] ? err.message : hogo_strerror(rc));
        return rc == HOGO_EINVAL || rc == HOGO_ENOTFOUND || rc == HOGO_ECRYPTO ||
                       rc == HOGO_ELIMIT || rc == HOGO_EVERSION
                   ? 2
                   : 1;
    }
    return 0;
}
