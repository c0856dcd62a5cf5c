/*
 * The store front end: connecting to a backend, the schema and its versioned migrations,
 * nesting transactions, the clock, and small SQL helpers shared by every module above.
 * Store layer, the bottom of the persistent side: it includes nothing from lib/ but
 * lib/common. Backends live in sqlite.c and pg.c behind struct hogo_store_ops; opening a
 * store by location (which records each migration in the audit chain) is lib/audit/open.c.
 *
 * Schema (one text for both backends; BLOB becomes bytea on PostgreSQL). Subject-bound
 * tables carry subject_id first in their primary and foreign keys so that Citus can
 * distribute them on subject_id unchanged (docs/scaling.md); hogo_meta, corporations,
 * corp_successions and checkpoints are small reference tables.
 */
#include "store-int.h"

#include "common/csv.h"

#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Migration n (1-based) brings the schema from version n-1 to n. Never edit a released one:
 * append a new one. */
static const char *const migrations[] = {
    /* 1: the initial schema */
    "CREATE TABLE hogo_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);\n"
    "CREATE TABLE corporations (corporate_number TEXT PRIMARY KEY, name TEXT NOT NULL,"
    " created_at BIGINT NOT NULL);\n"
    "CREATE TABLE corp_successions (predecessor TEXT NOT NULL, successor TEXT NOT NULL,"
    " kind TEXT NOT NULL, created_at BIGINT NOT NULL, PRIMARY KEY (predecessor, successor));\n"
    "CREATE TABLE subjects (subject_id TEXT NOT NULL, operator TEXT NOT NULL,"
    " created_at BIGINT NOT NULL, next_item BIGINT NOT NULL, erased_at BIGINT,"
    " PRIMARY KEY (subject_id));\n"
    "CREATE TABLE subject_facts (subject_id TEXT NOT NULL, fact TEXT NOT NULL,"
    " value TEXT NOT NULL, updated_at BIGINT NOT NULL,"
    " PRIMARY KEY (subject_id, fact, value),"
    " FOREIGN KEY (subject_id) REFERENCES subjects (subject_id));\n"
    "CREATE TABLE consents (subject_id TEXT NOT NULL, consent_id TEXT NOT NULL,"
    " recipient TEXT NOT NULL, purpose TEXT NOT NULL, data TEXT NOT NULL,"
    " policy TEXT NOT NULL, policy_version TEXT NOT NULL, method TEXT NOT NULL,"
    " given_at BIGINT NOT NULL, withdrawn_at BIGINT,"
    " PRIMARY KEY (subject_id, consent_id),"
    " FOREIGN KEY (subject_id) REFERENCES subjects (subject_id));\n"
    "CREATE TABLE subject_keys (subject_id TEXT NOT NULL, wrapped BLOB NOT NULL,"
    " master_key_id TEXT NOT NULL, created_at BIGINT NOT NULL,"
    " PRIMARY KEY (subject_id),"
    " FOREIGN KEY (subject_id) REFERENCES subjects (subject_id));\n"
    "CREATE TABLE data_items (subject_id TEXT NOT NULL, item_id BIGINT NOT NULL,"
    " category TEXT NOT NULL, value BLOB NOT NULL, channel TEXT NOT NULL, source TEXT,"
    " service TEXT, context TEXT, policy_version TEXT, acquired_at BIGINT NOT NULL,"
    " PRIMARY KEY (subject_id, item_id),"
    " FOREIGN KEY (subject_id) REFERENCES subjects (subject_id));\n"
    "CREATE TABLE provisions (subject_id TEXT NOT NULL, provision_id TEXT NOT NULL,"
    " created_at BIGINT NOT NULL, provided_at BIGINT NOT NULL, policy TEXT,"
    " policy_version TEXT, recipient_id TEXT NOT NULL, recipient_name TEXT,"
    " recipient_corporate_number TEXT, recipient_address TEXT,"
    " recipient_representative TEXT, recipient_country TEXT NOT NULL, purpose TEXT,"
    " items TEXT NOT NULL, basis TEXT NOT NULL, consent_id TEXT,"
    " record_required BIGINT NOT NULL, retention_years BIGINT NOT NULL,"
    " retention_from TEXT NOT NULL, last_provision_at BIGINT NOT NULL,"
    " purge_after BIGINT NOT NULL, decision TEXT,"
    " PRIMARY KEY (subject_id, provision_id));\n"
    "CREATE INDEX provisions_recipient ON provisions (recipient_id);\n"
    "CREATE INDEX provisions_purge ON provisions (purge_after);\n"
    "CREATE TABLE receipts (subject_id TEXT NOT NULL, receipt_id TEXT NOT NULL,"
    " created_at BIGINT NOT NULL, received_at BIGINT NOT NULL, policy TEXT,"
    " policy_version TEXT, provider_name TEXT NOT NULL, provider_address TEXT NOT NULL,"
    " provider_representative TEXT NOT NULL, provider_corporate_number TEXT,"
    " acquisition TEXT NOT NULL, items TEXT NOT NULL, basis TEXT NOT NULL,"
    " record_required BIGINT NOT NULL, retention_years BIGINT NOT NULL,"
    " retention_from TEXT NOT NULL, last_receipt_at BIGINT NOT NULL,"
    " purge_after BIGINT NOT NULL, PRIMARY KEY (subject_id, receipt_id));\n"
    "CREATE INDEX receipts_purge ON receipts (purge_after);\n"
    "CREATE TABLE audit_events (subject_id TEXT NOT NULL, seq BIGINT NOT NULL,"
    " at BIGINT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL, object TEXT NOT NULL,"
    " detail TEXT NOT NULL, prev_hash BLOB NOT NULL, hash BLOB NOT NULL,"
    " PRIMARY KEY (subject_id, seq));\n"
    "CREATE INDEX audit_events_seq ON audit_events (seq);\n"
    "CREATE TABLE checkpoints (seq BIGINT NOT NULL, at BIGINT NOT NULL, head BLOB NOT NULL,"
    " public_key BLOB NOT NULL, signature BLOB NOT NULL, PRIMARY KEY (seq));\n",
    /* 2: what was done to provided data (de-identification), the decision behind a receipt */
    "ALTER TABLE provisions ADD COLUMN detail TEXT;\n"
    "ALTER TABLE receipts ADD COLUMN decision TEXT;\n",
    /* 3: provisions_recipient served no query (the recipient filter matches id, name or
     * corporate number, so it scans either way) and cost an index write per provision */
    "DROP INDEX provisions_recipient;\n",
    /* 4: rights requests, breaches, imports (rights_schema.c) */
    hogo__rights_schema_sql,
};
#define N_MIGRATIONS ((int)(sizeof migrations / sizeof migrations[0]))

int hogo_store_latest_schema_version(void) { return N_MIGRATIONS; }

/* Rewrites the BLOB token for the backend; allocated. */
static char *dialect_sql(const struct hogo_store_ops *ops, const char *sql)
{
    size_t extra = 0, bl = strlen(ops->blob_type);
    for (const char *p = sql; (p = strstr(p, "BLOB")); p += 4)
        extra += bl;
    char *out = malloc(strlen(sql) + extra + 1);
    if (!out)
        return NULL;
    char *o = out;
    const char *p = sql, *q;
    while ((q = strstr(p, "BLOB"))) {
        memcpy(o, p, (size_t)(q - p));
        o += q - p;
        memcpy(o, ops->blob_type, bl);
        o += bl;
        p = q + 4;
    }
    strcpy(o, p);
    return out;
}

static int read_version(struct hogo_store *st, int *version, struct hogo_error *err)
{
    int exists = 0;
    int rc = st->ops->table_exists(st->impl, "hogo_meta", &exists, err);
    if (rc < 0)
        return rc;
    if (!exists) {
        *version = 0;
        return 0;
    }
    char *v = NULL;
    rc = hogo__query_text(st, "SELECT value FROM hogo_meta WHERE key = 'schema_version'", NULL,
                          0, &v, err);
    if (rc < 0)
        return rc;
    *version = v ? atoi(v) : 0;
    free(v);
    return 0;
}

int hogo_store_schema_version(struct hogo_store *st, int *version, struct hogo_error *err)
{
    return read_version(st, version, err);
}

int hogo__store_migrate(struct hogo_store *st, int create, const char *location,
                        hogo__migrated_fn migrated, struct hogo_error *err)
{
    int version = 0;
    int rc = read_version(st, &version, err);
    if (rc < 0)
        return rc;
    if (version > N_MIGRATIONS)
        return hogo_error_set(err, HOGO_EVERSION, location,
                              "database schema version %d is newer than this hogo (it knows "
                              "up to %d); use a newer hogo for this database",
                              version, N_MIGRATIONS);
    if (version == 0 && !create)
        return hogo_error_set(err, HOGO_ENOTFOUND, location,
                              "database '%s' is not initialised; run 'hogo init --db %s' first",
                              location, location);
    /* Each step re-reads the version under the write lock: another process opening the
     * same database at the same moment (a second instance starting) may have migrated it
     * meanwhile, and a step must not run twice. */
    while (version < N_MIGRATIONS) {
        rc = hogo__txn_begin(st, err);
        if (rc < 0)
            return rc;
        rc = read_version(st, &version, err);
        if (rc == 0 && version >= N_MIGRATIONS) {
            rc = hogo__txn_end(st, 0, err);
            break;
        }
        char *sql = rc == 0 ? dialect_sql(st->ops, migrations[version]) : NULL;
        if (rc == 0 && !sql)
            rc = hogo_error_set(err, HOGO_ENOMEM, NULL, "out of memory migrating the schema");
        if (rc == 0)
            rc = st->ops->script(st->impl, sql, err);
        free(sql);
        char vs[16];
        snprintf(vs, sizeof vs, "%d", version + 1);
        struct hogo__val p[] = {HV_TEXT(vs)};
        if (rc == 0)
            rc = hogo__exec(st,
                            "INSERT INTO hogo_meta (key, value) VALUES ('schema_version', ?) "
                            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                            p, 1, NULL, err);
        if (rc == 0 && migrated)
            rc = migrated(st, version + 1, err);
        if (rc == 0)
            version++;
        rc = hogo__txn_end(st, rc, err);
        if (rc < 0)
            return rc;
    }
    return 0;
}


int hogo__store_connect(struct hogo_store **out, const struct hogo_store_ops *ops,
                        const char *target, const struct hogo_store_options *opts,
                        struct hogo_error *err)
{
    static const struct hogo_store_options none;
    int rc = 0;
    struct hogo_store *st = NULL;
    *out = NULL;
    if (!opts)
        opts = &none;
    if (sodium_init() < 0)
        return hogo_error_set(err, HOGO_ECRYPTO, NULL, "libsodium failed to initialise");
    st = calloc(1, sizeof *st);
    if (!st)
        return hogo_error_set(err, HOGO_ENOMEM, NULL, "out of memory opening the store");
    st->ops = ops;
    st->keys_ops = &hogo__sqlite_ops;
    st->checkpoint_interval = opts->checkpoint_interval ? opts->checkpoint_interval : 1000;
    snprintf(st->actor, sizeof st->actor, "%s", opts->actor ? opts->actor : "hogo");
    if (opts->master_key) {
        memcpy(st->master_key, opts->master_key, HOGO_KEY_BYTES);
        st->has_master = 1;
    }
    if (opts->signing_key) {
        memcpy(st->signing_sk, opts->signing_key, HOGO_SIGN_SECRET_BYTES);
        st->has_signing = 1;
    }
    if (opts->key_store && *opts->key_store)
        snprintf(st->key_store, sizeof st->key_store, "%s", opts->key_store);
    else if (ops == &hogo__sqlite_ops)
        snprintf(st->key_store, sizeof st->key_store, "%s%s", target,
                 strcmp(target, ":memory:") ? ".keys" : "");
    rc = ops->open(&st->impl, target, err);
    if (rc < 0)
        goto out;
    out:
    if (rc < 0) {
        hogo_store_free(st);
        return rc;
    }
    *out = st;
    return 0;
}


void hogo_store_free(struct hogo_store *st)
{
    if (!st)
        return;
    hogo__group_free(st->group); /* first: its thread uses the connection */
    st->group = NULL;
    if (st->impl) {
        if (st->txn_depth > 0)
            st->ops->rollback(st->impl, NULL);
        st->ops->close(st->impl);
    }
    if (st->keys)
        st->keys_ops->close(st->keys);
    hogo__keys_erase_forget(st);
    sodium_memzero(st, sizeof *st);
    free(st);
}

const char *hogo_store_backend(const struct hogo_store *st) { return st->ops->name; }

void hogo_store_set_vocabulary_check(struct hogo_store *st,
                                     int (*fn)(void *, const char *, const char *,
                                               struct hogo_error *),
                                     void *ctx)
{
    st->vocab = fn;
    st->vocab_ctx = ctx;
}

void hogo_store_set_notice(struct hogo_store *st, void (*fn)(void *, const char *), void *ctx)
{
    st->notice = fn;
    st->notice_ctx = ctx;
}

/* ---- transactions ---- */

int hogo__txn_begin(struct hogo_store *st, struct hogo_error *err)
{
    if (st->txn_depth == 0) {
        st->head_valid = 0; /* another writer may have appended since */
        int rc = st->ops->begin(st->impl, err);
        if (rc < 0)
            return rc;
        st->txn_failed = 0;
    }
    st->txn_depth++;
    return 0;
}

int hogo__txn_end(struct hogo_store *st, int rc, struct hogo_error *err)
{
    if (st->txn_depth <= 0)
        return rc < 0 ? rc : hogo_error_set(err, HOGO_ESTORE, NULL, "commit without a transaction");
    if (rc < 0)
        st->txn_failed = 1;
    if (--st->txn_depth > 0)
        return rc;
    st->head_valid = 0;
    if (st->keys_txn && !st->txn_failed) {
        /* new subject keys become durable before anything sealed under them */
        st->keys_txn = 0;
        int krc = st->keys_ops->commit(st->keys, err);
        if (krc < 0) {
            struct hogo_error ignored;
            st->keys_ops->rollback(st->keys, &ignored);
            st->ops->rollback(st->impl, &ignored);
            st->txn_failed = 0;
            hogo__keys_erase_forget(st);
            return krc;
        }
    }
    if (st->txn_failed) {
        /* keep the first error's message: roll back without overwriting it */
        struct hogo_error ignored;
        hogo_error_clear(&ignored);
        if (st->keys_txn)
            st->keys_ops->rollback(st->keys, &ignored);
        st->keys_txn = 0;
        st->ops->rollback(st->impl, &ignored);
        st->txn_failed = 0;
        hogo__keys_erase_forget(st);
        st->checkpoint_skipped = 0;
        return rc < 0 ? rc
                      : hogo_error_set(err, HOGO_ESTORE, NULL,
                                       "transaction rolled back: a call inside it failed");
    }
    int crc = st->ops->commit(st->impl, err);
    if (crc < 0) {
        struct hogo_error ignored;
        st->ops->rollback(st->impl, &ignored);
        hogo__keys_erase_forget(st);
        return crc;
    }
    /* erasures: the database has recorded them (event included); now their keys go. A
     * failure here leaves them recorded with the key present (verify reports it, a repeated
     * erasure finishes it); in a group batch it is not the other items' failure */
    if (st->n_erase_pending) {
        struct hogo_error kerr;
        hogo_error_clear(&kerr);
        int krc = hogo__keys_erase_finish(st, &kerr);
        if (krc < 0 && !st->group) {
            if (err)
                *err = kerr;
            return krc;
        }
    }
    return 0;
}

int hogo_store_begin(struct hogo_store *st, struct hogo_error *err)
{
    return hogo__txn_begin(st, err);
}

int hogo_store_commit(struct hogo_store *st, struct hogo_error *err)
{
    return hogo__txn_end(st, 0, err);
}

int hogo_store_rollback(struct hogo_store *st, struct hogo_error *err)
{
    if (st->txn_depth <= 0)
        return hogo_error_set(err, HOGO_ESTORE, NULL, "rollback without a transaction");
    st->txn_failed = 1;
    st->head_valid = 0;
    if (--st->txn_depth > 0)
        return 0;
    st->txn_failed = 0;
    hogo__keys_erase_forget(st);
    st->checkpoint_skipped = 0;
    if (st->keys_txn) {
        struct hogo_error ignored;
        st->keys_ops->rollback(st->keys, &ignored);
        st->keys_txn = 0;
    }
    return st->ops->rollback(st->impl, err);
}

/* ---- thin wrappers ---- */

/* Every text hogo stores is valid UTF-8: names, addresses, consent methods, the free text of
 * rights requests and breaches, key and officer names, actors. Checked here, where every
 * write passes, so that no caller can store text that would make hogo's JSON invalid. */
static int text_is_utf8(const struct hogo__val *p, size_t n, struct hogo_error *err)
{
    for (size_t i = 0; i < n; i++) {
        if (p[i].type != HOGO__TEXT || !p[i].s)
            continue;
        size_t len = strlen(p[i].s), bad = hogo__utf8_invalid_at(p[i].s, len);
        if (bad == len)
            continue;
        size_t from = bad > 60 ? bad - 60 : 0; /* the text before it, whole characters */
        while (from < bad && ((unsigned char)p[i].s[from] & 0xC0) == 0x80)
            from++;
        return hogo_error_set(err, HOGO_EINVAL, NULL,
                              "a text given is not valid UTF-8: after '%s%.*s' comes byte 0x%02x "
                              "(byte %zu of the text); write it in UTF-8 (nothing was stored)",
                              from ? "…" : "", (int)(bad - from), p[i].s + from,
                              (unsigned char)p[i].s[bad], bad + 1);
    }
    return 0;
}

int hogo__exec(struct hogo_store *st, const char *sql, const struct hogo__val *p, size_t n,
               int64_t *changes, struct hogo_error *err)
{
    int rc = text_is_utf8(p, n, err);
    if (rc < 0)
        return rc;
    return st->ops->exec(st->impl, sql, p, n, changes, err);
}

int hogo__query(struct hogo_store *st, const char *sql, const struct hogo__val *p, size_t n,
                hogo__row_fn row, void *ctx, struct hogo_error *err)
{
    return st->ops->query(st->impl, sql, p, n, row, ctx, err);
}

struct one_int {
    int64_t v;
    int found;
};

static int take_int(void *ctx, const struct hogo__val *cols, size_t ncols)
{
    struct one_int *o = ctx;
    if (ncols > 0 && cols[0].type == HOGO__INT) {
        o->v = cols[0].i;
        o->found = 1;
    } else if (ncols > 0 && cols[0].type == HOGO__TEXT) {
        o->v = strtoll(cols[0].s, NULL, 10);
        o->found = 1;
    }
    return 1;
}

int hogo__query_int(struct hogo_store *st, const char *sql, const struct hogo__val *p, size_t n,
                    int64_t *out, int *found, struct hogo_error *err)
{
    struct one_int o = {0, 0};
    int rc = hogo__query(st, sql, p, n, take_int, &o, err);
    if (rc < 0)
        return rc;
    *out = o.v;
    if (found)
        *found = o.found;
    return 0;
}

static int take_text(void *ctx, const struct hogo__val *cols, size_t ncols)
{
    char **o = ctx;
    if (ncols > 0 && cols[0].type == HOGO__TEXT) {
        *o = strdup(cols[0].s);
        if (!*o)
            return HOGO_ENOMEM;
    }
    return 1;
}

int hogo__query_text(struct hogo_store *st, const char *sql, const struct hogo__val *p,
                     size_t n, char **out, struct hogo_error *err)
{
    *out = NULL;
    int rc = hogo__query(st, sql, p, n, take_text, out, err);
    if (rc == HOGO_ENOMEM)
        return hogo_error_set(err, rc, NULL, "out of memory reading the store");
    return rc;
}

const char hogo__audit_head_sql[] =
    "SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1";

/* ---- clock ---- */

int64_t hogo__now_us(const struct hogo_store *st)
{
    if (st && st->fixed_now)
        return st->fixed_now;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

void hogo__store_set_now(struct hogo_store *st, int64_t us) { st->fixed_now = us; }

void hogo__fmt_time(int64_t us, char out[32])
{
    time_t t = (time_t)(us / 1000000);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* ---- ids ---- */

int hogo__check_id(const char *id, const char *what, struct hogo_error *err)
{
    size_t n = id ? strlen(id) : 0;
    if (n == 0 || n > 128)
        return hogo_error_set(err, HOGO_EINVAL, NULL,
                              "%s '%s' must be 1 to 128 characters long", what, id ? id : "");
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)id[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-' || c == ':' || c == '@'))
            return hogo_error_set(err, HOGO_EINVAL, NULL,
                                  "%s '%s' has character '%c' at %zu; use letters, digits and "
                                  "._-:@ only",
                                  what, id, c >= 32 && c < 127 ? c : '?', i + 1);
    }
    return 0;
}

int hogo__check_vocab(struct hogo_store *st, const char *kind, const char *id,
                      struct hogo_error *err)
{
    if (st->vocab)
        return st->vocab(st->vocab_ctx, kind, id, err);
    size_t n = id ? strlen(id) : 0;
    if (n == 0 || n > 64)
        return hogo_error_set(err, HOGO_EINVAL, NULL, "%s id '%s' must be 1 to 64 characters",
                              kind, id ? id : "");
    for (size_t i = 0; i < n; i++) {
        char c = id[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
            return hogo_error_set(err, HOGO_EINVAL, NULL,
                                  "%s id '%s' is not a vocabulary id; ids are lowercase "
                                  "snake_case (see spec/vocabulary.yaml)",
                                  kind, id);
    }
    return 0;
}

int hogo__join_ids(struct hogo_store *st, const char *kind, const char *const *strs, size_t n,
                   char **out, struct hogo_error *err)
{
    size_t total = 1;
    *out = NULL;
    for (size_t i = 0; i < n; i++) {
        int rc = hogo__check_vocab(st, kind, strs[i], err);
        if (rc < 0)
            return rc;
        total += strlen(strs[i]) + 1;
    }
    char *s = malloc(total);
    if (!s)
        return hogo_error_set(err, HOGO_ENOMEM, NULL, "out of memory");
    s[0] = '\0';
    size_t off = 0;
    for (size_t i = 0; i < n; i++) {
        size_t l = strlen(strs[i]);
        if (i)
            s[off++] = ',';
        memcpy(s + off, strs[i], l);
        off += l;
        s[off] = '\0';
    }
    *out = s;
    return 0;
}

size_t hogo__concat(char *out, size_t cap, ...)
{
    va_list ap;
    size_t len = 0;
    va_start(ap, cap);
    for (const char *s; (s = va_arg(ap, const char *));) {
        size_t l = strlen(s);
        if (l > cap - 1 - len)
            l = cap - 1 - len;
        memcpy(out + len, s, l);
        len += l;
    }
    va_end(ap);
    out[len] = '\0';
    return len;
}

void hogo__hex(const unsigned char *b, size_t n, char *out)
{
    static const char hx[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = hx[b[i] >> 4];
        out[2 * i + 1] = hx[b[i] & 15];
    }
    out[2 * n] = '\0';
}

