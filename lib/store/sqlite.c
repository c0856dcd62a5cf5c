/*
 * The SQLite backend of the store: one database file in WAL mode with synchronous=FULL, so a
 * committed transaction survives a crash or power loss. Store layer (backend); reached only
 * through hogo__sqlite_ops. Prepared statements are cached per SQL text.
 * A connection is used by one thread at a time (a group-commit store hands it to its committer
 * thread), so it is opened without SQLite's per-connection mutex; SQLite's memory statistics,
 * which take a process-wide mutex on every allocation, are switched off when this backend is
 * the first user of SQLite in the process. Neither changes what is written or when it is
 * durable.
 * Checkpoints (copying the WAL back into the database file) follow the size of the commits.
 * After small commits the writer checkpoints itself once the WAL passes CHECKPOINT_PAGES, as
 * SQLite does by default: the WAL then starts over and later commits overwrite it in place,
 * which keeps their fsyncs cheap (a growing file costs its size's metadata on every fsync).
 * Large commits (batches) leave checkpoints to a thread of their own with its own connection,
 * started when first needed, so the writer does not stop for them; should it fall behind
 * until the WAL passes WAL_LIMIT_PAGES, the writer checkpoints once, keeping the WAL bounded.
 */
#include "store-int.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CACHE_SLOTS 64
#define CHECKPOINT_PAGES 1000 /* WAL pages that wake the checkpointer (SQLite's default) */
#define WAL_LIMIT_PAGES 16000 /* WAL pages past which the writer checkpoints itself */
#define BIG_COMMIT_PAGES 64   /* a commit of this many pages leaves checkpoints to the thread */

struct cached {
    const char *key;     /* the SQL text pointer it was prepared from (borrowed) */
    char *sql;           /* owned copy, compared when the pointer differs */
    sqlite3_stmt *stmt;  /* owned */
};

/* The background checkpointer of one connection's database. */
struct checkpointer {
    pthread_t thread;
    int started;                     /* the thread runs */
    pthread_mutex_t lock;
    pthread_cond_t wake;             /* signalled when pending or stop is set */
    int pending;                     /* a commit asked for a checkpoint */
    int stop;                        /* the connection is closing */
    int copied;                      /* WAL frames the last checkpoint had copied */
    int last_pages;                  /* the WAL's size after the previous commit */
};

struct sq {
    sqlite3 *db;                     /* owned connection */
    char path[1024];                 /* for messages */
    struct cached cache[CACHE_SLOTS];
    unsigned next_victim;            /* round-robin eviction */
    struct checkpointer ckpt;
};

/* The checkpointer thread: a PASSIVE checkpoint on its own connection whenever asked; such a
 * checkpoint copies what no reader still needs and never waits for the writer. */
static void *checkpointer_main(void *arg)
{
    struct sq *s = arg;
    struct checkpointer *c = &s->ckpt;
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(s->path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) !=
        SQLITE_OK) {
        sqlite3_close(db);
        db = NULL; /* the writer's own checkpoints at WAL_LIMIT_PAGES remain */
    }
    pthread_mutex_lock(&c->lock);
    for (;;) {
        while (!c->pending && !c->stop)
            pthread_cond_wait(&c->wake, &c->lock);
        if (c->stop)
            break;
        c->pending = 0;
        pthread_mutex_unlock(&c->lock);
        int frames = 0, copied = 0;
        if (db)
            sqlite3_wal_checkpoint_v2(db, NULL, SQLITE_CHECKPOINT_PASSIVE, &frames, &copied);
        pthread_mutex_lock(&c->lock);
        c->copied = copied;
    }
    pthread_mutex_unlock(&c->lock);
    sqlite3_close(db);
    return NULL;
}

/* Called by SQLite after each commit with the WAL's size in pages. */
static int wal_hook(void *arg, sqlite3 *db, const char *name, int pages)
{
    struct sq *s = arg;
    struct checkpointer *c = &s->ckpt;
    int grew = pages - c->last_pages; /* this commit's pages, unless the WAL started over */
    c->last_pages = pages;
    if (pages < CHECKPOINT_PAGES)
        return SQLITE_OK;
    if (pages >= WAL_LIMIT_PAGES || (grew >= 0 && grew < BIG_COMMIT_PAGES)) {
        /* after a small commit, or with the checkpointer behind: checkpoint here, so the
         * next transaction can start the WAL over */
        sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
        return SQLITE_OK;
    }
    pthread_mutex_lock(&c->lock);
    if (pages < c->copied)
        c->copied = 0; /* the WAL started over */
    /* a checkpoint per CHECKPOINT_PAGES new pages, not one per commit once the WAL is that
     * long: it syncs the WAL and the database file each time */
    if (pages - c->copied >= CHECKPOINT_PAGES) {
        if (!c->started && !c->stop)
            c->started = pthread_create(&c->thread, NULL, checkpointer_main, s) == 0;
        c->pending = 1;
        c->copied = pages; /* asked for; the checkpointer sets what it copied */
        pthread_cond_signal(&c->wake);
    }
    pthread_mutex_unlock(&c->lock);
    return SQLITE_OK;
}

static void checkpointer_stop(struct sq *s)
{
    struct checkpointer *c = &s->ckpt;
    pthread_mutex_lock(&c->lock);
    c->stop = 1;
    pthread_cond_signal(&c->wake);
    pthread_mutex_unlock(&c->lock);
    if (c->started)
        pthread_join(c->thread, NULL);
    pthread_cond_destroy(&c->wake);
    pthread_mutex_destroy(&c->lock);
}

static int fail(struct sq *s, int src, const char *what, struct hogo_error *err)
{
    int code = HOGO_ESTORE;
    int prim = src & 0xff;
    if (prim == SQLITE_BUSY || prim == SQLITE_LOCKED)
        code = HOGO_EBUSY;
    else if (prim == SQLITE_IOERR || prim == SQLITE_FULL || prim == SQLITE_CANTOPEN)
        code = HOGO_EIO;
    else if (prim == SQLITE_NOMEM)
        code = HOGO_ENOMEM;
    else if (prim == SQLITE_NOTADB || prim == SQLITE_CORRUPT)
        code = HOGO_ESTORE;
    return hogo_error_set(err, code, s->path, "sqlite %s failed: %s%s", what,
                          s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(src),
                          code == HOGO_EBUSY ? "; another process holds the lock, try again"
                                             : "");
}

static void configure_once(void)
{
    /* fails harmlessly (SQLITE_MISUSE) when SQLite was already initialised */
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

static int sq_open(void **impl, const char *target, struct hogo_error *err)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, configure_once);
    int rc = 0;
    struct sq *s = calloc(1, sizeof *s);
    if (!s)
        return hogo_error_set(err, HOGO_ENOMEM, NULL, "out of memory");
    snprintf(s->path, sizeof s->path, "%s", target);
    pthread_mutex_init(&s->ckpt.lock, NULL);
    pthread_cond_init(&s->ckpt.wake, NULL);
    int src = sqlite3_open_v2(target, &s->db,
                              SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                              NULL);
    if (src != SQLITE_OK) {
        rc = hogo_error_set(err, HOGO_EIO, target,
                            "cannot open database '%s': %s; check the path and permissions",
                            target, s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(src));
        goto out;
    }
    sqlite3_extended_result_codes(s->db, 1);
    sqlite3_busy_timeout(s->db, 10000);
    static const char *const pragmas =
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"
        " PRAGMA cache_size=-16384; PRAGMA temp_store=MEMORY;";
    char *msg = NULL;
    src = sqlite3_exec(s->db, pragmas, NULL, NULL, &msg);
    if (src != SQLITE_OK) {
        rc = hogo_error_set(err, src == SQLITE_NOTADB ? HOGO_ESTORE : HOGO_EIO, target,
                            "cannot use '%s' as a database: %s", target, msg ? msg : "?");
        sqlite3_free(msg);
        goto out;
    }
    sqlite3_wal_hook(s->db, wal_hook, s); /* replaces SQLite's own automatic checkpoint */
out:
    if (rc < 0) {
        sqlite3_close(s->db);
        checkpointer_stop(s);
        free(s);
        return rc;
    }
    *impl = s;
    return 0;
}

static void sq_close(void *impl)
{
    struct sq *s = impl;
    checkpointer_stop(s); /* first: closing the last connection checkpoints what is left */
    for (int i = 0; i < CACHE_SLOTS; i++) {
        sqlite3_finalize(s->cache[i].stmt);
        free(s->cache[i].sql);
    }
    sqlite3_close(s->db);
    free(s);
}

static int prepare(struct sq *s, const char *sql, sqlite3_stmt **out, struct hogo_error *err)
{
    /* most SQL is a string constant: the same pointer finds its slot at once (its text is
     * still compared, since a caller's buffer may hold other SQL at the same address) */
    for (int i = 0; i < CACHE_SLOTS; i++) {
        struct cached *c = &s->cache[i];
        if (c->stmt && c->key == sql && !strcmp(c->sql, sql)) {
            *out = c->stmt;
            return 0;
        }
    }
    for (int i = 0; i < CACHE_SLOTS; i++) {
        struct cached *c = &s->cache[i];
        if (c->stmt && !strcmp(c->sql, sql)) {
            c->key = sql;
            *out = c->stmt;
            return 0;
        }
    }
    sqlite3_stmt *st = NULL;
    int src = sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL);
    if (src != SQLITE_OK)
        return fail(s, src, "prepare", err);
    char *copy = strdup(sql);
    if (!copy) {
        sqlite3_finalize(st);
        return hogo_error_set(err, HOGO_ENOMEM, NULL, "out of memory");
    }
    struct cached *c = &s->cache[s->next_victim++ % CACHE_SLOTS];
    sqlite3_finalize(c->stmt);
    free(c->sql);
    c->key = sql;
    c->sql = copy;
    c->stmt = st;
    *out = st;
    return 0;
}

static int bind(struct sq *s, sqlite3_stmt *st, const struct hogo__val *p, size_t n,
                struct hogo_error *err)
{
    if ((int)n != sqlite3_bind_parameter_count(st))
        sqlite3_clear_bindings(st); /* no stale pointer from an earlier call stays bound */
    for (size_t i = 0; i < n; i++) {
        int src, idx = (int)i + 1;
        switch (p[i].type) {
        case HOGO__INT: src = sqlite3_bind_int64(st, idx, p[i].i); break;
        case HOGO__TEXT:
            src = sqlite3_bind_text64(st, idx, p[i].s, p[i].n ? p[i].n : strlen(p[i].s),
                                      SQLITE_STATIC, SQLITE_UTF8);
            break;
        case HOGO__BLOB:
            src = sqlite3_bind_blob64(st, idx, p[i].b ? p[i].b : "", p[i].n, SQLITE_STATIC);
            break;
        default: src = sqlite3_bind_null(st, idx); break;
        }
        if (src != SQLITE_OK)
            return fail(s, src, "bind", err);
    }
    return 0;
}

static int sq_exec(void *impl, const char *sql, const struct hogo__val *p, size_t n,
                   int64_t *changes, struct hogo_error *err)
{
    struct sq *s = impl;
    sqlite3_stmt *st;
    int rc = prepare(s, sql, &st, err);
    if (rc < 0)
        return rc;
    rc = bind(s, st, p, n, err);
    if (rc == 0) {
        int src;
        while ((src = sqlite3_step(st)) == SQLITE_ROW)
            ;
        if (src != SQLITE_DONE)
            rc = fail(s, src, "statement", err);
        else if (changes)
            *changes = sqlite3_changes64(s->db);
    }
    sqlite3_reset(st); /* every parameter is bound again by the next call */
    return rc;
}

static int sq_query(void *impl, const char *sql, const struct hogo__val *p, size_t n,
                    hogo__row_fn row, void *ctx, struct hogo_error *err)
{
    struct sq *s = impl;
    sqlite3_stmt *st;
    struct hogo__val cols[HOGO__MAX_COLUMNS];
    int rc = prepare(s, sql, &st, err);
    if (rc < 0)
        return rc;
    rc = bind(s, st, p, n, err);
    int ncols = sqlite3_column_count(st);
    if (rc == 0 && ncols > HOGO__MAX_COLUMNS)
        rc = hogo_error_set(err, HOGO_ESTORE, NULL,
                            "a query returns %d columns; the store reads at most %d per row",
                            ncols, HOGO__MAX_COLUMNS);
    while (rc == 0) {
        int src = sqlite3_step(st);
        if (src == SQLITE_DONE)
            break;
        if (src != SQLITE_ROW) {
            rc = fail(s, src, "query", err);
            break;
        }
        for (int i = 0; i < ncols; i++) {
            struct hogo__val *v = &cols[i];
            switch (sqlite3_column_type(st, i)) {
            case SQLITE_INTEGER:
            case SQLITE_FLOAT:
                *v = (struct hogo__val){.type = HOGO__INT, .i = sqlite3_column_int64(st, i)};
                break;
            case SQLITE_TEXT:
                v->type = HOGO__TEXT;
                v->s = (const char *)sqlite3_column_text(st, i);
                v->n = (size_t)sqlite3_column_bytes(st, i);
                break;
            case SQLITE_BLOB:
                v->type = HOGO__BLOB;
                v->b = sqlite3_column_blob(st, i);
                v->n = (size_t)sqlite3_column_bytes(st, i);
                break;
            default: *v = HV_NULL; break;
            }
        }
        int r = row(ctx, cols, (size_t)ncols);
        if (r < 0) {
            rc = r;
            break;
        }
        if (r > 0)
            break;
    }
    sqlite3_reset(st); /* every parameter is bound again by the next call */
    return rc;
}

static int sq_script(void *impl, const char *sql, struct hogo_error *err)
{
    struct sq *s = impl;
    char *msg = NULL;
    int src = sqlite3_exec(s->db, sql, NULL, NULL, &msg);
    if (src != SQLITE_OK) {
        int rc = hogo_error_set(err, HOGO_ESTORE, s->path, "schema script failed: %s",
                                msg ? msg : sqlite3_errstr(src));
        sqlite3_free(msg);
        return rc;
    }
    return 0;
}

static int simple(struct sq *s, const char *sql, const char *what, struct hogo_error *err)
{
    int src = sqlite3_exec(s->db, sql, NULL, NULL, NULL);
    return src == SQLITE_OK ? 0 : fail(s, src, what, err);
}

static int sq_begin(void *impl, struct hogo_error *err)
{
    return simple(impl, "BEGIN IMMEDIATE", "begin", err);
}

static int sq_commit(void *impl, struct hogo_error *err)
{
    return simple(impl, "COMMIT", "commit", err);
}

static int sq_rollback(void *impl, struct hogo_error *err)
{
    struct sq *s = impl;
    if (sqlite3_get_autocommit(s->db))
        return 0; /* already rolled back (e.g. by an I/O error) */
    return simple(impl, "ROLLBACK", "rollback", err);
}

static int sq_table_exists(void *impl, const char *table, int *exists, struct hogo_error *err)
{
    struct hogo__val p[] = {HV_TEXT(table)};
    struct sq *s = impl;
    sqlite3_stmt *st;
    int rc = prepare(s, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", &st,
                     err);
    if (rc < 0)
        return rc;
    rc = bind(s, st, p, 1, err);
    if (rc == 0) {
        int src = sqlite3_step(st);
        if (src == SQLITE_ROW)
            *exists = 1;
        else if (src == SQLITE_DONE)
            *exists = 0;
        else
            rc = fail(s, src, "schema query", err);
    }
    sqlite3_reset(st);
    return rc;
}

const struct hogo_store_ops hogo__sqlite_ops = {
    .name = "sqlite",
    .blob_type = "BLOB",
    .open = sq_open,
    .close = sq_close,
    .begin = sq_begin,
    .commit = sq_commit,
    .rollback = sq_rollback,
    .exec = sq_exec,
    .query = sq_query,
    .script = sq_script,
    .table_exists = sq_table_exists,
};
