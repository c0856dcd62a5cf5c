/*
 * `hogo corp`: corporate numbers (法人番号) and successions, so that company blocks follow a
 * blocked company through mergers and renames. CLI layer over include/hogo/store.h.
 * Exit status: 0 done (check: valid), 1 the store failed (check: invalid), 2 bad input.
 */
#include "commands.h"
#include "store_cli.h"

#include <hogo/store.h>

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage_text[] =
    "usage: hogo corp <subcommand> [--db DB]\n"
    "  succeed OLD NEW [--kind merger|rename|split]  NEW took over OLD; blocks on OLD cover NEW\n"
    "  show NUMBER                                   successors and predecessors of NUMBER\n"
    "  check NUMBER                                  is NUMBER a valid 13-digit 法人番号?\n"
    "  name NUMBER NAME                              record the corporation's name (商号)\n"
    "  search TEXT                                   named corporations whose name holds TEXT\n"
    "                                                or whose number begins with it (JSON)\n"
    "exit status: 0 done (check: valid), 1 failed (check: invalid), 2 bad input\n";

/* --kind */
static int corp_option(void *ctx, int id, const char *arg)
{
    (void)id;
    *(const char **)ctx = arg;
    return 0;
}

int cmd_corp(int argc, char **argv)
{
    enum { O_KIND = 1 };
    static const struct option longopts[] = {STORE_CLI_OPT_DB,
                                              {"kind", required_argument, NULL, O_KIND},
                                              STORE_CLI_OPT_END};
    struct store_cli o = {.name = "corp", .usage = usage_text};
    const char *kind = NULL;
    int status = store_cli_parse(&o, argc, argv, 1, longopts, corp_option, &kind);
    if (status >= 0)
        return status;
    const char *sub = o.sub;
    int npos = o.npos;
    char **pos = o.pos;
    if (!strcmp(sub, "check")) {
        if (npos != 1) {
            cli_errorf("corp: expected 'hogo corp check NUMBER'");
            return 2;
        }
        int ok = hogo_corporate_number_valid(pos[0]);
        printf("%s: %s\n", pos[0], ok ? "valid" : "invalid");
        return ok ? 0 : 1;
    }
    if ((strcmp(sub, "succeed") || npos != 2) && (strcmp(sub, "show") || npos != 1) &&
        (strcmp(sub, "name") || npos != 2) && (strcmp(sub, "search") || npos != 1)) {
        cli_errorf("corp: expected 'hogo corp succeed OLD NEW', 'hogo corp show NUMBER', 'hogo "
                   "corp name NUMBER NAME' or 'hogo corp search TEXT'; see 'hogo corp --help'");
        return 2;
    }
    struct hogo_error err;
    struct hogo_store *st = NULL;
    char *json = NULL;
    hogo_error_clear(&err);
    int rc = store_cli_open(&o, &st, 0, &err);
    if (rc == 0 && !strcmp(sub, "succeed"))
        rc = hogo_corp_succeed(st, pos[0], pos[1], kind, &err);
    else if (rc == 0 && !strcmp(sub, "name"))
        rc = hogo_corp_register(st, pos[0], pos[1], &err);
    else if (rc == 0 && !strcmp(sub, "search")) {
        rc = hogo_corp_search_json(st, pos[0], 0, &json, &err);
        if (rc == 0)
            puts(json);
        free(json);
    } else if (rc == 0) {
        rc = hogo_corp_show_json(st, pos[0], &json, &err);
        if (rc == 0)
            puts(json);
        free(json);
    }
    hogo_store_free(st);
    if (rc < 0) {
        cli_errorf("corp: %s", err.message[0] ? err.message : hogo_strerror(rc));
        return rc == HOGO_EINVAL || rc == HOGO_ENOTFOUND || rc == HOGO_EVERSION ? 2 : 1;
    }
    return 0;
}
