/*
 * `hogo apikey`: API keys for hogod. `create` prints the new key alone on one line of stdout
 * (it is shown once; the store keeps only its hash), `list` prints the keys' public ids,
 * operators, scopes and dates as JSON, `revoke` ends a key. CLI layer over
 * include/hogo/apikey.h. Exit status: 0 done, 1 the store failed, 2 bad input.
 */
#include "commands.h"
#include "store_cli.h"

#include <hogo/hogo.h>

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char usage_text[] =
    "usage: hogo apikey create --db DB --operator ID --scopes SCOPE,... [--expires-days N]\n"
    "       hogo apikey list [--db DB] [--operator ID]\n"
    "       hogo apikey revoke KEY_ID [--db DB] [--operator ID]\n"
    "API keys for hogod: requests carry 'Authorization: Bearer KEY'. A key acts for one\n"
    "operator (a policy id such as irp) and only within its scopes:\n"
    "  decide subjects:read subjects:write data:read data:write ledger:read ledger:write\n"
    "  audit:read policies:read metrics:read rights:read rights:write breaches:read\n"
    "  breaches:write subjects:import\n"
    "create prints the key alone on one line; it is not shown again (only its hash is kept).\n"
    "exit status: 0 done, 1 the store failed, 2 bad input\n";

struct apikey_opts {
    const char *operator_id;
    const char *scopes;
    long expires_days;
};

enum { O_OPERATOR = 1, O_SCOPES, O_EXPIRES_DAYS };

static int apikey_option(void *ctx, int id, const char *arg)
{
    struct apikey_opts *a = ctx;
    if (id == O_OPERATOR)
        a->operator_id = arg;
    else if (id == O_SCOPES)
        a->scopes = arg;
    else if (id == O_EXPIRES_DAYS) {
        char *end;
        long d = strtol(arg, &end, 10);
        if (*end || d < 1 || d > 36500) {
            cli_errorf("apikey: --expires-days takes a whole number of days 1-36500, not '%s'",
                       arg);
            return 2;
        }
        a->expires_days = d;
    }
    return 0;
}

int cmd_apikey(int argc, char **argv)
{
    static const struct option longopts[] = {
        STORE_CLI_OPT_DB,
        {"operator", required_argument, NULL, O_OPERATOR},
        {"scopes", required_argument, NULL, O_SCOPES},
        {"expires-days", required_argument, NULL, O_EXPIRES_DAYS},
        STORE_CLI_OPT_END};
    struct store_cli o = {.name = "apikey", .usage = usage_text};
    struct apikey_opts a = {0};
    int status = store_cli_parse(&o, argc, argv, 1, longopts, apikey_option, &a);
    if (status >= 0)
        return status;
    const char *sub = o.sub;
    if (!strcmp(sub, "create")) {
        if (o.npos || !a.operator_id || !a.scopes) {
            cli_errorf("apikey: expected 'hogo apikey create --db DB --operator ID --scopes "
                       "SCOPE,...'");
            return 2;
        }
    } else if (!strcmp(sub, "revoke")) {
        if (o.npos != 1) {
            cli_errorf("apikey: expected 'hogo apikey revoke KEY_ID' (ids: 'hogo apikey list')");
            return 2;
        }
    } else if (strcmp(sub, "list") || o.npos) {
        cli_errorf("apikey: unknown subcommand '%s'; use create, list or revoke", sub);
        return 2;
    }
    struct hogo_error err;
    struct hogo_store *st = NULL;
    hogo_error_clear(&err);
    int rc = store_cli_open(&o, &st, 0, &err);
    if (rc == 0 && !strcmp(sub, "create")) {
        char key[HOGO_APIKEY_CHARS + 1];
        int64_t expires = 0;
        if (a.expires_days) {
            /* counted from now */
            expires = ((int64_t)time(NULL) + a.expires_days * 86400) * 1000000;
        }
        rc = hogo_apikey_create(st, a.operator_id, a.scopes, expires, key, NULL, &err);
        if (rc == 0 && (puts(key) < 0 || fflush(stdout)))
            rc = hogo_error_set(&err, HOGO_EIO, NULL, "cannot write the key to stdout");
        memset(key, 0, sizeof key);
    } else if (rc == 0 && !strcmp(sub, "revoke")) {
        rc = hogo_apikey_revoke(st, a.operator_id, o.pos[0], &err);
        if (rc == 0)
            printf("revoked %s\n", o.pos[0]);
    } else if (rc == 0) {
        char *json = NULL;
        rc = hogo_apikey_list_json(st, a.operator_id, &json, &err);
        if (rc == 0)
            puts(json);
        free(json);
    }
    hogo_store_free(st);
    if (rc < 0) {
        cli_errorf("apikey: %s", err.message[0] ? err.message : hogo_strerror(rc));
        return rc == HOGO_EINVAL || rc == HOGO_ENOTFOUND || rc == HOGO_EVERSION ? 2 : 1;
    }
    return 0;
}
