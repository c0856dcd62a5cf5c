/*
 * The fault-injecting backend: a third implementation of struct hogo_store_ops that forwards
 * every call to a real backend but makes call number N fail with an I/O error. Test layer
 * (compiled into the test programs only, never into libhogo): looping N over 1, 2, ... makes every store call of an operation fail in turn, and
 * each failure must be reported and leave the database as it was.
 * Target: "N:LOCATION", LOCATION being any location hogo_store_open() accepts.
 */
#include "fault_backend.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct fault {
    const struct hogo_store_ops *inner; /* the real backend */
    void *impl;                         /* its state; owned */
    long fail_at;                       /* 1-based call number that fails; 0 = never */
    long calls;                         /* calls made so far */
};

/* Counts this call; nonzero when it is the one to fail. */
static int hit(struct fault *f, const char *what, struct hogo_error *err)
{
    if (++f->calls != f->fail_at)
        return 0;
    return hogo_error_set(err, HOGO_EIO, "fault", "injected fault: store call %ld (%s) failed",
                          f->calls, what);
}

static int f_open(void **impl, const char *target, struct hogo_error *err)
{
    char *end = NULL;
    long n = strtol(target, &end, 10);
    if (!end || *end != ':')
        return hogo_error_set(err, HOGO_EINVAL, target,
                              "fault store target '%s' must be N:LOCATION", target);
    const char *loc = end + 1;
    struct fault *f = calloc(1, sizeof *f);
    if (!f)
        return hogo_error_set(err, HOGO_ENOMEM, NULL, "out of memory");
    f->fail_at = n;
    f->inner = &hogo__sqlite_ops;
    if (!strncmp(loc, "postgresql://", 13) || !strncmp(loc, "postgres://", 11))
        f->inner = &hogo__pg_ops;
    else if (!strncmp(loc, "pg:", 3)) {
        f->inner = &hogo__pg_ops;
        loc += 3;
    } else if (!strncmp(loc, "sqlite:", 7))
        loc += 7;
    int rc = hit(f, "open", err);
    if (rc == 0)
        rc = f->inner->open(&f->impl, loc, err);
    if (rc < 0) {
        free(f);
        return rc;
    }
    *impl = f;
    return 0;
}

static void f_close(void *impl)
{
    struct fault *f = impl;
    f->inner->close(f->impl);
    free(f);
}

static int f_begin(void *impl, struct hogo_error *err)
{
    struct fault *f = impl;
    int rc = hit(f, "begin", err);
    return rc < 0 ? rc : f->inner->begin(f->impl, err);
}

static int f_commit(void *impl, struct hogo_error *err)
{
    struct fault *f = impl;
    int rc = hit(f, "commit", err);
    return rc < 0 ? rc : f->inner->commit(f->impl, err);
}

static int f_rollback(void *impl, struct hogo_error *err)
{
    struct fault *f = impl;
    /* a failed rollback still leaves the transaction open in the real backend, which rolls
     * it back when the connection closes: the database is unchanged either way */
    int rc = hit(f, "rollback", err);
    return rc < 0 ? rc : f->inner->rollback(f->impl, err);
}

static int f_exec(void *impl, const char *sql, const struct hogo__val *p, size_t n,
                  int64_t *changes, struct hogo_error *err)
{
    struct fault *f = impl;
    int rc = hit(f, "exec", err);
    return rc < 0 ? rc : f->inner->exec(f->impl, sql, p, n, changes, err);
}

static int f_query(void *impl, const char *sql, const struct hogo__val *p, size_t n,
                   hogo__row_fn row, void *ctx, struct hogo_error *err)
{
    struct fault *f = impl;
    int rc = hit(f, "query", err);
    return rc < 0 ? rc : f->inner->query(f->impl, sql, p, n, row, ctx, err);
}

static int f_script(void *impl, const char *sql, struct hogo_error *err)
{
    struct fault *f = impl;
    int rc = hit(f, "script", err);
    return rc < 0 ? rc : f->inner->script(f->impl, sql, err);
}

static int f_table_exists(void *impl, const char *table, int *exists, struct hogo_error *err)
{
    struct fault *f = impl;
    int rc = hit(f, "table_exists", err);
    return rc < 0 ? rc : f->inner->table_exists(f->impl, table, exists, err);
}

static int f_flush(void *impl, struct hogo_error *err)
{
    struct fault *f = impl;
    return f->inner->flush ? f->inner->flush(f->impl, err) : 0;
}

long hogo__fault_calls(const struct hogo_store *st)
{
    if (st->ops != &hogo__fault_ops)
        return -1;
    return ((const struct fault *)st->impl)->calls;
}

const struct hogo_store_ops hogo__fault_ops = {
    .name = "fault",
    .blob_type = "BLOB",
    .open = f_open,
    .close = f_close,
    .begin = f_begin,
    .commit = f_commit,
    .rollback = f_rollback,
    .exec = f_exec,
    .query = f_query,
    .script = f_script,
    .table_exists = f_table_exists,
    .flush = f_flush,
};
