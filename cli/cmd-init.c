/*
 * `hogo init`: creates a store (SQLite file or PostgreSQL database) or brings an existing one
 * up to this program's schema version; creates the subject key store (the only command that
 * does), binds it to the database, and binds the master key given. CLI layer over
 * include/hogo/store.h.
 * Exit status: 0 done, 1 the store failed, 2 bad input (e.g. a database newer than hogo, a
 * master key other than the one bound, a key store of another database).
 */
#include "commands.h"
#include "store_cli.h"

#include <hogo/store.h>

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage_text[] =
    "usage: hogo init --db DB [--master-key FILE]\n"
    "Creates the database DB (a file path, sqlite:PATH, or postgresql://... / pg:CONNINFO),\n"
    "or applies pending schema migrations to it. HOGO_DB is used when --db is absent.\n"
    "Also creates the subject key store (DB.keys, or $HOGO_KEY_STORE; no other command\n"
    "creates one), binds it to DB, and binds the master key (--master-key FILE,\n"
    "$HOGO_MASTER_KEY_FILE or $HOGO_MASTER_KEY): personal data is then stored only under\n"
    "that key. Run it again with the master key to bind one to a store made without.\n"
    "exit status: 0 done, 1 the store failed, 2 bad input\n";

int cmd_init(int argc, char **argv)
{
    static const struct option longopts[] = {STORE_CLI_OPT_DB, STORE_CLI_OPT_MASTER_KEY,
                                             STORE_CLI_OPT_END};
    struct store_cli o = {.name = "init", .usage = usage_text};
    int status = store_cli_parse(&o, argc, argv, 0, longopts, NULL, NULL);
    if (status >= 0)
        return status;
    if (o.npos > 0) {
        cli_errorf("init: unexpected argument '%s'; use --db DB", o.pos[0]);
        return 2;
    }
    const char *where = o.db ? o.db : getenv("HOGO_DB");
    if (where && (!strcmp(where, ":memory:") || !strncmp(where, "file::memory:", 13))) {
        cli_errorf("init: '%s' is an in-memory database that vanishes when hogo exits; give "
                   "a file path or a postgresql:// URI",
                   where);
        return 2;
    }
    struct hogo_error err;
    struct hogo_store *st = NULL;
    hogo_error_clear(&err);
    int rc = store_cli_open(&o, &st, 1, &err);
    if (rc < 0) {
        cli_errorf("init: %s", err.message[0] ? err.message : hogo_strerror(rc));
        return rc == HOGO_EVERSION || rc == HOGO_EINVAL || rc == HOGO_ECRYPTO ? 2 : 1;
    }
    int v = 0;
    hogo_store_schema_version(st, &v, &err);
    printf("initialised %s store, schema version %d\n", hogo_store_backend(st), v);
    hogo_store_free(st);
    return 0;
}
