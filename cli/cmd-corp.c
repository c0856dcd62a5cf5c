/*
 * `hogo corp`: corporate numbers (法人番号) and successions, so that company blocks follow a
 * blocked company through mergers and renames. CLI layer over include/hogo/store.h.
 * Exit status: 0 done (check: valid), 1 the store failed (check: invalid), 2 bad input.
 */
#include "commands.h"

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
    "exit status: 0 done (check: valid), 1 failed (check: invalid), 2 bad input\n";

int cmd_corp(int argc, char **argv)
{
    static const struct option longopts[] = {{"db", required_argument, NULL, 'd'},
                                              {"kind", required_argument, NULL, 'k'},
                                              {"help", no_argument, NULL, 'h'},
                                              {NULL, 0, NULL, 0}};
    const char *db = NULL, *kind = NULL;
    int c;
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        fputs(usage_text, argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    const char *sub = argv[1];
    argc--;
    argv++;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        if (c == 'h') {
            fputs(usage_text, stdout);
            return 0;
        } else if (c == 'd')
            db = optarg;
        else if (c == 'k')
            kind = optarg;
        else {
            cli_errorf("corp: unknown or incomplete option '%s'; see 'hogo corp --help'",
                       argv[optind - 1]);
            return 2;
        }
    }
    int npos = argc - optind;
    char **pos = argv + optind;
    if (!strcmp(sub, "check")) {
        if (npos != 1) {
            cli_errorf("corp: expected 'hogo corp check NUMBER'");
            return 2;
        }
        int ok = hogo_corporate_number_valid(pos[0]);
        printf("%s: %s\n", pos[0], ok ? "valid" : "invalid");
        return ok ? 0 : 1;
    }
    if ((strcmp(sub, "succeed") || npos != 2) && (strcmp(sub, "show") || npos != 1)) {
        cli_errorf("corp: expected 'hogo corp succeed OLD NEW' or 'hogo corp show NUMBER'; see "
                   "'hogo corp --help'");
        return 2;
    }
    struct hogo_error err;
    struct hogo_store *st = NULL;
    char *json = NULL;
    hogo_error_clear(&err);
    int rc = hogo_store_open_env(&st, db, NULL, NULL, 0, &err);
    if (rc == 0 && !strcmp(sub, "succeed"))
        rc = hogo_corp_succeed(st, pos[0], pos[1], kind, &err);
    else if (rc == 0) {
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
