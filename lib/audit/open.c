/*
 * Opening a store: connect to the backend a location names, bring its schema up to date with
 * every migration step recorded as an audit event, and start group commit if asked. Audit
 * layer: it sits on lib/store (the connection, the schema) and the chain (audit.c), which is
 * why it is not in lib/store, which includes nothing above itself.
 */
#include "audit-int.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Records migration step version as a store.migrate event (hogo__migrated_fn). */
static int record_migration(struct hogo_store *st, int version, struct hogo_error *err)
{
    char detail[64];
    snprintf(detail, sizeof detail, "{\"schema_version\":%d}", version);
    return hogo__audit_append(st, NULL, "store.migrate", "schema", detail, err);
}

int hogo__store_open_ops(struct hogo_store **out, const struct hogo_store_ops *ops,
                         const char *target, const struct hogo_store_options *opts,
                         struct hogo_error *err)
{
    static const struct hogo_store_options none;
    struct hogo_store *st = NULL;
    if (!opts)
        opts = &none;
    int rc = hogo__store_connect(&st, ops, target, opts, err);
    if (rc < 0)
        return rc;
    rc = hogo__store_migrate(st, opts->create, target, record_migration, err);
    if (rc == 0 && opts->create) /* only hogo init creates and binds the key store */
        rc = hogo__keys_init(st, err);
    if (rc == 0 && opts->group_commit)
        rc = hogo__group_new(&st->group, st, opts->group_commit_max, err);
    if (rc < 0) {
        hogo_store_free(st);
        return rc;
    }
    *out = st;
    return 0;
}

int hogo_store_open(struct hogo_store **out, const char *location,
                    const struct hogo_store_options *opts, struct hogo_error *err)
{
    if (!out || !location || !*location)
        return hogo_error_set(err, HOGO_EINVAL, NULL,
                              "no database given; pass --db PATH or set HOGO_DB");
    if (!strncmp(location, "postgresql://", 13) || !strncmp(location, "postgres://", 11))
        return hogo__store_open_ops(out, &hogo__pg_ops, location, opts, err);
    if (!strncmp(location, "pg:", 3))
        return hogo__store_open_ops(out, &hogo__pg_ops, location + 3, opts, err);
    if (!strncmp(location, "sqlite:", 7))
        location += 7;
    if ((!opts || !opts->create) && strcmp(location, ":memory:") != 0 &&
        access(location, F_OK) != 0)
        return hogo_error_set(err, HOGO_ENOTFOUND, location,
                              "database '%s' does not exist; create it with 'hogo init --db %s'",
                              location, location);
    return hogo__store_open_ops(out, &hogo__sqlite_ops, location, opts, err);
}

int hogo_store_open_env(struct hogo_store **out, const char *db, const char *master_key_file,
                        const char *signing_key_file, int create, struct hogo_error *err)
{
    unsigned char master[HOGO_KEY_BYTES], sk[HOGO_SIGN_SECRET_BYTES];
    struct hogo_store_options o = {.create = create};
    int rc = 0;
    *out = NULL;
    if (!db || !*db)
        db = getenv("HOGO_DB");
    if (!master_key_file || !*master_key_file)
        master_key_file = getenv("HOGO_MASTER_KEY_FILE");
    if (!signing_key_file || !*signing_key_file)
        signing_key_file = getenv("HOGO_SIGNING_KEY_FILE");
    if (master_key_file && *master_key_file) {
        rc = hogo_key_load(master, master_key_file, NULL, err);
        o.master_key = master;
    } else if (getenv("HOGO_MASTER_KEY") && *getenv("HOGO_MASTER_KEY")) {
        rc = hogo_key_load(master, NULL, "HOGO_MASTER_KEY", err);
        o.master_key = master;
    }
    if (rc == 0 && signing_key_file && *signing_key_file) {
        rc = hogo_signing_key_load(sk, signing_key_file, err);
        o.signing_key = sk;
    }
    o.actor = getenv("HOGO_ACTOR") && *getenv("HOGO_ACTOR") ? getenv("HOGO_ACTOR") : "cli";
    const char *every = getenv("HOGO_CHECKPOINT_INTERVAL");
    long interval = every && *every ? strtol(every, NULL, 10) : 0;
    if (interval > 0 && interval < 1000000000)
        o.checkpoint_interval = (unsigned)interval;
    o.key_store = getenv("HOGO_KEY_STORE");
    if (rc == 0)
        rc = hogo_store_open(out, db, &o, err);
    sodium_memzero(master, sizeof master);
    sodium_memzero(sk, sizeof sk);
    return rc;
}
