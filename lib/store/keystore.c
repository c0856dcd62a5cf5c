/*
 * The key store's connection: the separate SQLite file that holds the wrapped subject keys
 * (lib/subject/data.c seals and opens them). Store layer: opening it, binding it to its
 * database and to the master key, and erasing keys so that no file keeps them.
 *
 * Only `hogo init` (a store opened with create) creates a key store. It then writes one
 * random database id into both the database (hogo_meta.database_id) and the key store
 * (key_meta.database_id), and, given the master key, the master key's keyed id (its check
 * value) into key_meta.master_key_id. Every later open refuses a key store that is missing
 * (a mistyped HOGO_KEY_STORE must not start an empty one), one of another database, and a
 * master key other than the bound one.
 *
 * The key store runs with secure_delete, so a deleted key's bytes are overwritten in its
 * pages; after each erasure its WAL is checkpointed and truncated, so no older frame keeps
 * the key either, even while another connection has the file open.
 */
#include "store-int.h"

#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char key_schema[] =
    "PRAGMA secure_delete=ON;\n"
    "CREATE TABLE IF NOT EXISTS subject_keys (subject_id TEXT PRIMARY KEY, wrapped BLOB NOT "
    "NULL, master_key_id TEXT NOT NULL, created_at BIGINT NOT NULL);\n"
    "CREATE TABLE IF NOT EXISTS key_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);\n";

void hogo__master_key_id(const unsigned char master[HOGO_KEY_BYTES], char out[33])
{
    unsigned char id[16];
    static const char label[] = "hogo-master-key-id";
    crypto_generichash(id, sizeof id, (const unsigned char *)label, sizeof label - 1, master,
                       HOGO_KEY_BYTES);
    hogo__hex(id, sizeof id, out);
}

static int take_text(void *ctx, const struct hogo__val *c, size_t n)
{
    char **o = ctx;
    if (n > 0 && c[0].type == HOGO__TEXT && !(*o = strdup(c[0].s)))
        return HOGO_ENOMEM;
    return 1;
}

int hogo__keys_text(struct hogo_store *st, const char *sql, const struct hogo__val *p, size_t n,
                    char **out, struct hogo_error *err)
{
    *out = NULL;
    int rc = st->keys_ops->query(st->keys, sql, p, n, take_text, out, err);
    return rc == HOGO_ENOMEM ? hogo_error_set(err, rc, NULL, "out of memory") : rc;
}

static int is_memory(const char *path)
{
    return !strcmp(path, ":memory:");
}

static int meta_text(struct hogo_store *st, const char *key, char **out, struct hogo_error *err)
{
    struct hogo__val p[] = {HV_TEXT(key)};
    return hogo__query_text(st, "SELECT value FROM hogo_meta WHERE key = ?", p, 1, out, err);
}

static int keys_meta(struct hogo_store *st, const char *key, char **out, struct hogo_error *err)
{
    struct hogo__val p[] = {HV_TEXT(key)};
    return hogo__keys_text(st, "SELECT value FROM key_meta WHERE key = ?", p, 1, out, err);
}

static int keys_meta_set(struct hogo_store *st, const char *key, const char *value,
                         struct hogo_error *err)
{
    struct hogo__val p[] = {HV_TEXT(key), HV_TEXT(value)};
    return st->keys_ops->exec(st->keys,
                              "INSERT INTO key_meta (key, value) VALUES (?, ?) ON CONFLICT (key) "
                              "DO UPDATE SET value = excluded.value",
                              p, 2, NULL, err);
}

/* Connects to the key store file (which must exist unless create) and applies its schema. */
static int connect_keys(struct hogo_store *st, int create, struct hogo_error *err)
{
    struct stat sb;
    if (!is_memory(st->key_store) && stat(st->key_store, &sb) != 0) {
        if (errno != ENOENT || !create)
            return hogo_error_set(
                err, HOGO_ENOTFOUND, st->key_store,
                "the key store '%s' does not exist (%s); only 'hogo init' creates one: check "
                "HOGO_KEY_STORE (or key_store), or run 'hogo init' to create this store's",
                st->key_store, strerror(errno));
    }
    void *k = NULL;
    int rc = st->keys_ops->open(&k, st->key_store, err);
    if (rc == 0)
        rc = st->keys_ops->script(k, key_schema, err);
    if (rc < 0) {
        if (k)
            st->keys_ops->close(k);
        return rc;
    }
    st->keys = k;
    return 0;
}

static void keys_close(struct hogo_store *st)
{
    if (st->keys)
        st->keys_ops->close(st->keys);
    st->keys = NULL;
}

int hogo__keys_open(struct hogo_store *st, struct hogo_error *err)
{
    if (st->keys)
        return 0;
    if (!st->key_store[0])
        return hogo_error_set(err, HOGO_EINVAL, NULL,
                              "no subject key store: a %s store keeps subject keys in a separate "
                              "file; set HOGO_KEY_STORE (or key_store) to a path outside the "
                              "database's backups",
                              st->ops->name);
    int rc = connect_keys(st, 0, err);
    if (rc < 0)
        return rc;
    char *mine = NULL, *theirs = NULL;
    rc = meta_text(st, "database_id", &mine, err);
    if (rc == 0)
        rc = keys_meta(st, "database_id", &theirs, err);
    if (rc == 0 && (!mine || !theirs))
        rc = hogo_error_set(err, HOGO_EINVAL, st->key_store,
                            "the key store '%s' is not bound to this database; run 'hogo init' "
                            "(with the master key) to bind it",
                            st->key_store);
    else if (rc == 0 && strcmp(mine, theirs) != 0)
        rc = hogo_error_set(err, HOGO_EINVAL, st->key_store,
                            "the key store '%s' belongs to another database (id %.8s…; this "
                            "database is %.8s…): set HOGO_KEY_STORE to this database's key store",
                            st->key_store, theirs, mine);
    free(mine);
    free(theirs);
    if (rc < 0)
        keys_close(st);
    return rc;
}

int hogo__keys_init(struct hogo_store *st, struct hogo_error *err)
{
    if (!st->key_store[0] || st->keys)
        return 0;
    char *dbid = NULL, *bound = NULL, *kid = NULL, *kmaster = NULL;
    int64_t items = 0;
    int rc = meta_text(st, "database_id", &dbid, err);
    if (rc == 0 && !dbid) {
        unsigned char r[16];
        char hex[33];
        randombytes_buf(r, sizeof r);
        hogo__hex(r, sizeof r, hex);
        struct hogo__val p[] = {HV_TEXT(hex)};
        /* two inits at once: the first id written is the database's */
        rc = hogo__exec(st,
                        "INSERT INTO hogo_meta (key, value) VALUES ('database_id', ?) ON "
                        "CONFLICT (key) DO NOTHING",
                        p, 1, NULL, err);
        if (rc == 0)
            rc = meta_text(st, "database_id", &dbid, err);
        if (rc == 0 && !dbid)
            rc = hogo_error_set(err, HOGO_ESTORE, NULL, "the database id could not be written");
    }
    /* a database whose data was sealed under keys elsewhere must not get a new, empty key
     * store: the keys it needs are in the old one */
    struct stat sb;
    if (rc == 0 && !is_memory(st->key_store) && stat(st->key_store, &sb) != 0) {
        rc = meta_text(st, "master_key_id", &bound, err);
        if (rc == 0)
            rc = hogo__query_int(st, "SELECT COUNT(*) FROM data_items", NULL, 0, &items, NULL,
                                 err);
        if (rc == 0 && (bound || items > 0))
            rc = hogo_error_set(err, HOGO_EINVAL, st->key_store,
                                "the key store '%s' does not exist, but this database already "
                                "has one (its data is sealed under keys kept there): restore it, "
                                "or set HOGO_KEY_STORE to it; a new one would not open that data",
                                st->key_store);
    }
    if (rc == 0)
        rc = connect_keys(st, 1, err);
    if (rc == 0)
        rc = keys_meta(st, "database_id", &kid, err);
    if (rc == 0 && kid && strcmp(kid, dbid) != 0)
        rc = hogo_error_set(err, HOGO_EINVAL, st->key_store,
                            "the key store '%s' belongs to another database (id %.8s…; this "
                            "database is %.8s…): set HOGO_KEY_STORE to this database's key store",
                            st->key_store, kid, dbid);
    if (rc == 0 && !kid)
        rc = keys_meta_set(st, "database_id", dbid, err);
    if (rc == 0)
        rc = keys_meta(st, "master_key_id", &kmaster, err);
    if (rc == 0 && st->has_master) {
        char mid[33];
        hogo__master_key_id(st->master_key, mid);
        if (kmaster && strcmp(kmaster, mid) != 0)
            rc = hogo_error_set(err, HOGO_ECRYPTO, st->key_store,
                                "wrong master key: this store is bound to master key %.8s…, "
                                "the key given is %.8s…; use the key given at 'hogo init'",
                                kmaster, mid);
        else if (!kmaster)
            rc = keys_meta_set(st, "master_key_id", mid, err);
        struct hogo__val p[] = {HV_TEXT(mid)};
        if (rc == 0 && !kmaster) /* the database keeps a copy, for the message above */
            rc = hogo__exec(st,
                            "INSERT INTO hogo_meta (key, value) VALUES ('master_key_id', ?) "
                            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                            p, 1, NULL, err);
    }
    free(dbid);
    free(bound);
    free(kid);
    free(kmaster);
    if (rc < 0)
        keys_close(st);
    return rc;
}

int hogo__keys_bound_master(struct hogo_store *st, char **id, struct hogo_error *err)
{
    int rc = hogo__keys_open(st, err);
    return rc < 0 ? rc : keys_meta(st, "master_key_id", id, err);
}

int hogo__keys_present(struct hogo_store *st, const char *subject_id, int *present,
                       struct hogo_error *err)
{
    char *s = NULL;
    struct hogo__val p[] = {HV_TEXT(subject_id)};
    *present = 0;
    int rc = hogo__keys_open(st, err);
    if (rc == 0)
        rc = hogo__keys_text(st, "SELECT subject_id FROM subject_keys WHERE subject_id = ?", p,
                             1, &s, err);
    *present = s != NULL;
    free(s);
    return rc;
}

/* ---- erasure: the key goes after the database has recorded the erasure ----
 * hogo_subject_erase() queues the subject here inside the transaction that records the
 * erasure; hogo__txn_end() destroys the queued keys once that transaction has committed and
 * forgets them when it rolls back (a group-commit item rolled back to its savepoint drops
 * its own, group.c). */

int hogo__keys_erase_after_commit(struct hogo_store *st, const char *subject_id,
                                  struct hogo_error *err)
{
    int rc = hogo__keys_open(st, err);
    if (rc < 0)
        return rc;
    char **more = realloc(st->erase_pending, (st->n_erase_pending + 1) * sizeof *more);
    if (!more)
        return hogo_error_set(err, HOGO_ENOMEM, NULL, "out of memory");
    st->erase_pending = more;
    if (!(more[st->n_erase_pending] = strdup(subject_id)))
        return hogo_error_set(err, HOGO_ENOMEM, NULL, "out of memory");
    st->n_erase_pending++;
    return 0;
}

void hogo__keys_erase_forget(struct hogo_store *st)
{
    for (size_t i = 0; i < st->n_erase_pending; i++)
        free(st->erase_pending[i]);
    free(st->erase_pending);
    st->erase_pending = NULL;
    st->n_erase_pending = 0;
}

struct ckpt_result {
    int64_t busy;
};

static int take_busy(void *ctx, const struct hogo__val *c, size_t n)
{
    struct ckpt_result *r = ctx;
    if (n > 0 && c[0].type == HOGO__INT)
        r->busy = c[0].i;
    return 1;
}

int hogo__keys_destroy(struct hogo_store *st, const char *subject_id, struct hogo_error *err)
{
    struct hogo__val p[] = {HV_TEXT(subject_id)};
    int rc = hogo__keys_open(st, err);
    if (rc == 0)
        rc = st->keys_ops->exec(st->keys, "DELETE FROM subject_keys WHERE subject_id = ?", p, 1,
                                NULL, err);
    /* secure_delete has zeroed the key in the pages written; the WAL's older frames still
     * hold it until they are copied back and the WAL is cut to nothing */
    if (rc < 0)
        return rc;
    struct ckpt_result r = {0};
    char why[sizeof err->message] = "another connection is reading it";
    rc = st->keys_ops->query(st->keys, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, 0, take_busy, &r,
                             err);
    if (rc < 0)
        memcpy(why, err->message, sizeof why);
    else if (r.busy)
        rc = HOGO_EBUSY;
    if (rc < 0)
        rc = hogo_error_set(err, rc, st->key_store,
                            "the key of subject '%s' is deleted, but the key store's log "
                            "'%s-wal', which may still hold it, could not be cleared: %s",
                            subject_id, st->key_store, why);
    return rc;
}

int hogo__keys_erase_finish(struct hogo_store *st, struct hogo_error *err)
{
    int rc = 0;
    for (size_t i = 0; i < st->n_erase_pending && rc == 0; i++) {
        const char *id = st->erase_pending[i];
        rc = hogo__keys_destroy(st, id, err);
        if (rc < 0) {
            char why[sizeof err->message];
            memcpy(why, err->message, sizeof why);
            hogo_error_set(err, rc, id,
                           "the erasure of subject '%s' is recorded, but its key could not be "
                           "destroyed: %s; run 'hogo subject erase %s' again to finish it "
                           "('hogo audit verify' reports it until then)",
                           id, why, id);
        }
    }
    hogo__keys_erase_forget(st);
    return rc;
}
