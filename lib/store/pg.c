/*
 * The PostgreSQL backend of the store (libpq). Store layer (backend); reached only through
 * hogo__pg_ops. Statements use the extended protocol with parameters ($n, renumbered from the
 * shared `?` form); binary values travel in binary format, everything else as text. Results
 * come in binary format (integers, booleans and bytea as they are, no text to convert or
 * unescape) and are read in single-row mode so a large scan (audit verify) needs constant
 * memory.
 * Writers are serialised by a transaction-scoped advisory lock taken at BEGIN, because the
 * audit chain has one head (docs/scaling.md discusses what that means under Citus).
 *
 * Inside a transaction the connection is in libpq's pipeline mode: BEGIN, the lock and every
 * statement whose result is not needed (an INSERT without a row count) are sent without
 * waiting, and their results are read at the next query, flush or COMMIT, which are the only
 * round trips. A statement that fails there fails that call (or COMMIT); PostgreSQL aborts the
 * transaction at the first error, so nothing after it, and nothing of the transaction, can
 * be committed (a COMMIT of an aborted transaction answers ROLLBACK, which is an error here).
 */
#include "store-int.h"

#include <libpq-fe.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PARAMS 32
#define OID_BOOL 16
#define OID_BYTEA 17
#define OID_INT8 20
#define OID_INT2 21
#define OID_INT4 23

#define MAX_PENDING 256 /* statements sent before their results are read, at most */

#define PREPARED 128 /* statements prepared per connection, at most (then sent unprepared) */

struct prepared {
    const char *key;    /* the SQL text pointer it was prepared from (borrowed) */
    char *sql;          /* owned copy */
};

struct pgc {
    PGconn *c;          /* owned connection */
    struct prepared prep[PREPARED]; /* statement "hN" is prep[N] */
    int nprep;
    char *sqlbuf;       /* owned scratch for renumbered SQL */
    size_t sqlcap;
    int piped;          /* in pipeline mode (inside a transaction) */
    int pending;        /* statements sent whose results were not read yet */
    /* the audit head sent with BEGIN (hogo__audit_head_sql): 0 none, 1 sent as pending
     * statement number 2 (from 0), 2 read (head_found: a row), 3 used or failed */
    int head_state, head_found;
    int head_at;        /* its place among the pending statements */
    int head_known;     /* the head query ran on this connection: audit_events exists */
    int64_t head_seq;
    unsigned char head_hash[32];
};

static void quiet(void *arg, const char *message)
{
    (void)arg;
    (void)message; /* the library never prints; notices are not errors */
}

static int pg_fail(struct pgc *p, const PGresult *res, const char *what, struct hogo_error *err)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    const char *msg = res ? PQresultErrorMessage(res) : PQerrorMessage(p->c);
    int code = HOGO_ESTORE;
    if (PQstatus(p->c) != CONNECTION_OK)
        code = HOGO_EIO;
    else if (state && (!strcmp(state, "40001") || !strcmp(state, "40P01") ||
                       !strcmp(state, "55P03")))
        code = HOGO_EBUSY;
    char clean[600];
    snprintf(clean, sizeof clean, "%s", msg && *msg ? msg : "unknown error");
    size_t l = strlen(clean);
    while (l && (clean[l - 1] == '\n' || clean[l - 1] == ' '))
        clean[--l] = '\0';
    return hogo_error_set(err, code, "postgresql", "postgresql %s failed: %s%s", what, clean,
                          code == HOGO_EBUSY ? "; try again" : "");
}

static int pg_open(void **impl, const char *target, struct hogo_error *err)
{
    struct pgc *p = calloc(1, sizeof *p);
    if (!p)
        return hogo_error_set(err, HOGO_ENOMEM, NULL, "out of memory");
    p->c = PQconnectdb(target);
    if (!p->c || PQstatus(p->c) != CONNECTION_OK) {
        int rc = hogo_error_set(err, HOGO_EIO, "postgresql",
                                "cannot connect to postgresql: %s; check the connection string "
                                "and that the server runs",
                                p->c ? PQerrorMessage(p->c) : "out of memory");
        PQfinish(p->c);
        free(p);
        return rc;
    }
    PQsetNoticeProcessor(p->c, quiet, NULL);
    PGresult *r = PQexec(p->c, "SET client_min_messages = warning");
    PQclear(r);
    *impl = p;
    return 0;
}

static void pg_close(void *impl)
{
    struct pgc *p = impl;
    for (int i = 0; i < p->nprep; i++)
        free(p->prep[i].sql);
    PQfinish(p->c);
    free(p->sqlbuf);
    free(p);
}

/* Rewrites ? placeholders to $1..$n (outside quotes). */
static const char *renumber(struct pgc *p, const char *sql)
{
    size_t need = strlen(sql) * 2 + 16;
    if (need > p->sqlcap) {
        char *b = realloc(p->sqlbuf, need + 64);
        if (!b)
            return NULL;
        p->sqlbuf = b;
        p->sqlcap = need + 64;
    }
    char *o = p->sqlbuf;
    int n = 0, quoted = 0;
    for (const char *s = sql; *s; s++) {
        if (*s == '\'')
            quoted = !quoted;
        if (*s == '?' && !quoted)
            o += sprintf(o, "$%d", ++n);
        else
            *o++ = *s;
    }
    *o = '\0';
    return p->sqlbuf;
}

struct params {
    const char *values[MAX_PARAMS];
    int lengths[MAX_PARAMS];
    int formats[MAX_PARAMS];
    char ints[MAX_PARAMS][24];
};

static int to_params(const struct hogo__val *v, size_t n, struct params *pp,
                     struct hogo_error *err)
{
    if (n > MAX_PARAMS)
        return hogo_error_set(err, HOGO_ESTORE, NULL, "too many statement parameters (%zu)", n);
    for (size_t i = 0; i < n; i++) {
        pp->formats[i] = 0;
        pp->lengths[i] = 0;
        switch (v[i].type) {
        case HOGO__INT:
            snprintf(pp->ints[i], sizeof pp->ints[i], "%lld", (long long)v[i].i);
            pp->values[i] = pp->ints[i];
            break;
        case HOGO__TEXT: pp->values[i] = v[i].s; break;
        case HOGO__BLOB:
            pp->values[i] = v[i].b ? v[i].b : "";
            pp->lengths[i] = (int)v[i].n;
            pp->formats[i] = 1;
            break;
        default: pp->values[i] = NULL; break;
        }
    }
    return 0;
}

/* Reads one statement's results (until PQgetResult gives NULL): rows go to row, the row
 * count to changes; the first failure is returned (later ones are ignored). */
static int read_results(struct pgc *p, int64_t *changes, hogo__row_fn row, void *ctx,
                        int rc, struct hogo_error *err)
{
    int stop = 0;
    PGresult *res;
    struct hogo__val cols[HOGO__MAX_COLUMNS];
    while ((res = PQgetResult(p->c))) {
        ExecStatusType s = PQresultStatus(res);
        if (s == PGRES_SINGLE_TUPLE && rc == 0 && !stop && row &&
            PQnfields(res) > HOGO__MAX_COLUMNS)
            rc = hogo_error_set(err, HOGO_ESTORE, NULL,
                                "a query returns %d columns; the store reads at most %d per row",
                                PQnfields(res), HOGO__MAX_COLUMNS);
        if (s == PGRES_SINGLE_TUPLE && rc == 0 && !stop && row) {
            int nc = PQnfields(res);
            for (int i = 0; i < nc; i++) {
                if (PQgetisnull(res, 0, i)) {
                    cols[i] = HV_NULL;
                    continue;
                }
                const unsigned char *b = (const unsigned char *)PQgetvalue(res, 0, i);
                int len = PQgetlength(res, 0, i);
                Oid t = PQftype(res, i);
                if ((t == OID_INT8 && len == 8) || (t == OID_INT4 && len == 4) ||
                    (t == OID_INT2 && len == 2)) {
                    uint64_t u = 0; /* network byte order, sign-extended from its width */
                    for (int k = 0; k < len; k++)
                        u = u << 8 | b[k];
                    int64_t v = len == 8   ? (int64_t)u
                                : len == 4 ? (int64_t)(int32_t)(uint32_t)u
                                           : (int64_t)(int16_t)(uint16_t)u;
                    cols[i] = HV_INT(v);
                } else if (t == OID_BOOL && len == 1) {
                    cols[i] = HV_INT(b[0] != 0);
                } else if (t == OID_BYTEA) {
                    cols[i] = HV_BLOB(b, (size_t)len);
                } else { /* text, varchar, name: their bytes (libpq adds a NUL) */
                    cols[i] = (struct hogo__val){.type = HOGO__TEXT, .s = (const char *)b,
                                                 .n = (size_t)len};
                }
            }
            if (rc == 0) {
                int r = row(ctx, cols, (size_t)nc);
                if (r < 0)
                    rc = r;
                else if (r > 0)
                    stop = 1;
            }
        } else if (s == PGRES_COMMAND_OK) {
            if (changes) {
                const char *t = PQcmdTuples(res);
                *changes = t && *t ? strtoll(t, NULL, 10) : 0;
            }
        } else if (s == PGRES_PIPELINE_ABORTED) {
            if (rc == 0)
                rc = hogo_error_set(err, HOGO_ESTORE, "postgresql",
                                    "postgresql statement skipped: an earlier statement of the "
                                    "transaction failed");
        } else if (s != PGRES_TUPLES_OK && s != PGRES_SINGLE_TUPLE && rc == 0) {
            rc = pg_fail(p, res, row ? "query" : "statement", err);
        }
        PQclear(res);
    }
    return rc;
}

/* Pipeline mode: ends the pipeline with a sync and reads every pending statement's results,
 * then the sync's; returns the first failure. */
static int take_prefetched_head(void *ctx, const struct hogo__val *c, size_t n)
{
    struct pgc *p = ctx;
    if (n >= 2 && c[0].type == HOGO__INT && c[1].type == HOGO__BLOB && c[1].n == 32) {
        p->head_found = 1;
        p->head_seq = c[0].i;
        memcpy(p->head_hash, c[1].b, 32);
    } else
        p->head_state = 3; /* malformed: let the real query report it */
    return 1;
}

/* Reads the results of every pending statement, in the order they were sent. */
static int read_pending(struct pgc *p, int rc, struct hogo_error *err)
{
    for (int i = 0; p->pending > 0; p->pending--, i++) {
        if (p->head_state == 1 && i == p->head_at) {
            int hrc;
            PQsetSingleRowMode(p->c);
            p->head_found = 0;
            p->head_state = 2;
            hrc = read_results(p, NULL, take_prefetched_head, p, rc, err);
            if (hrc < 0)
                p->head_state = 3;
            rc = hrc;
        } else
            rc = read_results(p, NULL, NULL, NULL, rc, err);
    }
    if (p->head_state == 1)
        p->head_state = 3;
    return rc;
}

/* Reads up to the result of the sync sent last. */
static int wait_sync(struct pgc *p, int rc, struct hogo_error *err)
{
    for (;;) {
        PGresult *res = PQgetResult(p->c);
        if (!res) {
            if (PQstatus(p->c) != CONNECTION_OK)
                return rc < 0 ? rc : pg_fail(p, NULL, "pipeline sync", err);
            continue;
        }
        ExecStatusType s = PQresultStatus(res);
        PQclear(res);
        if (s == PGRES_PIPELINE_SYNC)
            return rc;
    }
}

static int drain(struct pgc *p, struct hogo_error *err)
{
    int rc = 0;
    if (!p->piped || p->pending == 0)
        return 0; /* every statement sent so far was read with a sync */
    if (!PQpipelineSync(p->c))
        return pg_fail(p, NULL, "pipeline sync", err);
    rc = read_pending(p, rc, err);
    return wait_sync(p, rc, err);
}

/* Leaves pipeline mode after reading what is pending (before a call that needs the ordinary
 * protocol: PQexec, or the end of the transaction). */
static int unpipe(struct pgc *p, struct hogo_error *err)
{
    if (!p->piped)
        return 0;
    int rc = drain(p, err);
    if (!PQexitPipelineMode(p->c) && rc == 0)
        rc = pg_fail(p, NULL, "leaving pipeline mode", err);
    p->piped = 0;
    return rc;
}

/* The prepared statement for sql: found, or prepared now (one round trip, once per
 * connection and statement); *idx = -1 when the cache is full (send it unprepared). A
 * failure here is the call's failure, including one of a statement still pending. */
static int prepared(struct pgc *p, const char *sql, size_t n, int *idx, struct hogo_error *err)
{
    *idx = -1;
    for (int i = 0; i < p->nprep; i++)
        if (p->prep[i].key == sql && !strcmp(p->prep[i].sql, sql)) {
            *idx = i;
            return 0;
        }
    for (int i = 0; i < p->nprep; i++)
        if (!strcmp(p->prep[i].sql, sql)) {
            p->prep[i].key = sql;
            *idx = i;
            return 0;
        }
    if (p->nprep == PREPARED)
        return 0;
    char name[16], *copy = strdup(sql);
    const char *q = renumber(p, sql);
    if (!copy || !q) {
        free(copy);
        return hogo_error_set(err, HOGO_ENOMEM, NULL, "out of memory");
    }
    snprintf(name, sizeof name, "h%d", p->nprep);
    int rc = 0;
    if (p->piped) {
        if (!PQsendPrepare(p->c, name, q, (int)n, NULL) || !PQpipelineSync(p->c))
            rc = pg_fail(p, NULL, "prepare", err);
        else {
            rc = read_pending(p, rc, err);
            rc = read_results(p, NULL, NULL, NULL, rc, err);
            rc = wait_sync(p, rc, err);
        }
    } else {
        PGresult *r = PQprepare(p->c, name, q, (int)n, NULL);
        if (PQresultStatus(r) != PGRES_COMMAND_OK)
            rc = pg_fail(p, r, "prepare", err);
        PQclear(r);
    }
    if (rc < 0) {
        free(copy);
        return rc;
    }
    p->prep[p->nprep] = (struct prepared){.key = sql, .sql = copy};
    *idx = p->nprep++;
    return 0;
}

static int send_params(struct pgc *p, const char *sql, const struct hogo__val *v, size_t n,
                       struct hogo_error *err)
{
    struct params pp;
    int idx = -1;
    int rc = to_params(v, n, &pp, err);
    if (rc == 0)
        rc = prepared(p, sql, n, &idx, err);
    if (rc < 0)
        return rc;
    if (idx >= 0) {
        char name[16];
        snprintf(name, sizeof name, "h%d", idx);
        if (!PQsendQueryPrepared(p->c, name, (int)n, pp.values, pp.lengths, pp.formats, 1))
            return pg_fail(p, NULL, "query", err);
        return 0;
    }
    const char *q = renumber(p, sql);
    if (!q)
        return hogo_error_set(err, HOGO_ENOMEM, NULL, "out of memory");
    if (!PQsendQueryParams(p->c, q, (int)n, NULL, pp.values, pp.lengths, pp.formats, 1))
        return pg_fail(p, NULL, "query", err);
    return 0;
}

static int run(struct pgc *p, const char *sql, const struct hogo__val *v, size_t n,
               int64_t *changes, hogo__row_fn row, void *ctx, struct hogo_error *err)
{
    if (p->piped && sql == hogo__audit_head_sql && p->head_state >= 1 && p->head_state <= 2) {
        int rc = p->head_state == 1 ? drain(p, err) : 0; /* read with what was sent */
        if (rc < 0)
            return rc;
        if (p->head_state == 2) {
            p->head_state = 3; /* the first read only: later ones follow this transaction */
            if (p->head_found && row) {
                struct hogo__val c[2] = {HV_INT(p->head_seq), HV_BLOB(p->head_hash, 32)};
                int r = row(ctx, c, 2);
                return r < 0 ? r : 0;
            }
            return 0;
        }
    }
    if (sql == hogo__audit_head_sql)
        p->head_known = 1; /* (a failure below fails the call; the table is there after) */
    int rc = send_params(p, sql, v, n, err);
    if (rc < 0)
        return rc;
    if (p->piped) {
        if (!row && !changes) {
            /* nothing to wait for: read with the next round trip */
            if (++p->pending >= MAX_PENDING)
                return drain(p, err);
            return 0;
        }
        /* the pending statements, then this one, in one round trip */
        if (!PQpipelineSync(p->c))
            return pg_fail(p, NULL, "pipeline sync", err);
        rc = read_pending(p, rc, err);
        if (row)
            PQsetSingleRowMode(p->c);
        rc = read_results(p, changes, row, ctx, rc, err);
        return wait_sync(p, rc, err);
    }
    if (row)
        PQsetSingleRowMode(p->c);
    return read_results(p, changes, row, ctx, 0, err);
}

static int pg_exec(void *impl, const char *sql, const struct hogo__val *v, size_t n,
                   int64_t *changes, struct hogo_error *err)
{
    return run(impl, sql, v, n, changes, NULL, NULL, err);
}

static int pg_query(void *impl, const char *sql, const struct hogo__val *v, size_t n,
                    hogo__row_fn row, void *ctx, struct hogo_error *err)
{
    return run(impl, sql, v, n, NULL, row, ctx, err);
}

static int simple(struct pgc *p, const char *sql, const char *what, struct hogo_error *err)
{
    PGresult *r = PQexec(p->c, sql);
    ExecStatusType s = PQresultStatus(r);
    int rc = 0;
    if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK)
        rc = pg_fail(p, r, what, err);
    else if (!strcmp(what, "commit") && !strcmp(PQcmdStatus(r), "ROLLBACK"))
        rc = hogo_error_set(err, HOGO_ESTORE, "postgresql",
                            "postgresql commit rolled back: a statement in the transaction "
                            "failed");
    PQclear(r);
    return rc;
}

static int pg_script(void *impl, const char *sql, struct hogo_error *err)
{
    int rc = unpipe(impl, err);
    return rc < 0 ? rc : simple(impl, sql, "schema script", err);
}

/* Read committed, whatever the server's default_transaction_isolation says: each statement
 * then sees what was committed before it started, so the audit head read after the lock is
 * the head the last writer committed. Under repeatable read or serializable the snapshot
 * would be taken by the lock statement itself, before the lock is granted, and two processes
 * could chain onto the same head (a forked chain). */
static const char begin_sql[] = "BEGIN ISOLATION LEVEL READ COMMITTED";

static int pg_begin(void *impl, struct hogo_error *err)
{
    struct pgc *p = impl;
    int urc = unpipe(p, err);
    if (urc < 0)
        return urc;
    /* one writer at a time: the audit chain head must not move inside a transaction. Both
     * statements go out with the transaction's first query. */
    p->head_state = 0;
    if (PQenterPipelineMode(p->c)) {
        p->piped = 1;
        p->pending = 0;
        int rc = run(p, begin_sql, NULL, 0, NULL, NULL, NULL, err);
        if (rc == 0)
            rc = run(p, "SELECT pg_advisory_xact_lock(7238190451)", NULL, 0, NULL, NULL, NULL,
                     err);
        /* the audit head too, read under the lock with the transaction's first query */
        if (rc == 0 && p->head_known) {
            rc = send_params(p, hogo__audit_head_sql, NULL, 0, err);
            if (rc == 0) {
                p->head_at = p->pending++;
                p->head_state = 1;
            }
        }
        return rc;
    }
    char sql[128];
    snprintf(sql, sizeof sql, "%s; SELECT pg_advisory_xact_lock(7238190451)", begin_sql);
    return simple(impl, sql, "begin", err);
}

static int pg_commit(void *impl, struct hogo_error *err)
{
    struct pgc *p = impl;
    if (!p->piped)
        return simple(impl, "COMMIT", "commit", err);
    /* the pending statements and COMMIT in one round trip */
    int rc = send_params(p, "COMMIT", NULL, 0, err);
    if (rc == 0 && !PQpipelineSync(p->c))
        rc = pg_fail(p, NULL, "pipeline sync", err);
    if (rc == 0) {
        rc = read_pending(p, rc, err);
        /* COMMIT's own result: "ROLLBACK" when the transaction had failed */
        PGresult *res;
        int was_rollback = 0;
        while ((res = PQgetResult(p->c))) {
            ExecStatusType s = PQresultStatus(res);
            if (s == PGRES_COMMAND_OK && !strcmp(PQcmdStatus(res), "ROLLBACK"))
                was_rollback = 1;
            else if (s != PGRES_COMMAND_OK && rc == 0)
                rc = s == PGRES_PIPELINE_ABORTED
                         ? hogo_error_set(err, HOGO_ESTORE, "postgresql",
                                          "postgresql commit skipped: a statement in the "
                                          "transaction failed")
                         : pg_fail(p, res, "commit", err);
            PQclear(res);
        }
        if (was_rollback && rc == 0)
            rc = hogo_error_set(err, HOGO_ESTORE, "postgresql",
                                "postgresql commit rolled back: a statement in the transaction "
                                "failed");
        rc = wait_sync(p, rc, err);
    }
    if (rc < 0)
        return rc; /* still in pipeline mode: the rollback that follows leaves it */
    p->pending = 0;
    if (!PQexitPipelineMode(p->c))
        rc = pg_fail(p, NULL, "leaving pipeline mode", err);
    p->piped = 0;
    return rc;
}

static int pg_rollback(void *impl, struct hogo_error *err)
{
    struct pgc *p = impl;
    struct hogo_error ignored;
    unpipe(p, &ignored); /* what was pending failed or is undone anyway */
    if (PQtransactionStatus(p->c) == PQTRANS_IDLE)
        return 0;
    return simple(impl, "ROLLBACK", "rollback", err);
}

static int pg_flush(void *impl, struct hogo_error *err)
{
    return drain(impl, err);
}

static int pg_table_exists(void *impl, const char *table, int *exists, struct hogo_error *err)
{
    struct hogo__val v[] = {HV_TEXT(table)};
    int64_t n = 0;
    int rc = 0;
    struct pgc *p = impl;
    struct params pp;
    rc = unpipe(p, err);
    if (rc < 0)
        return rc;
    to_params(v, 1, &pp, err);
    PGresult *r = PQexecParams(p->c,
                               "SELECT COUNT(*) FROM information_schema.tables WHERE "
                               "table_schema = current_schema() AND table_name = $1",
                               1, NULL, pp.values, pp.lengths, pp.formats, 0);
    if (PQresultStatus(r) != PGRES_TUPLES_OK)
        rc = pg_fail(p, r, "schema query", err);
    else
        n = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    PQclear(r);
    *exists = n > 0;
    return rc;
}

const struct hogo_store_ops hogo__pg_ops = {
    .name = "postgresql",
    .blob_type = "BYTEA",
    .open = pg_open,
    .close = pg_close,
    .begin = pg_begin,
    .commit = pg_commit,
    .rollback = pg_rollback,
    .exec = pg_exec,
    .query = pg_query,
    .script = pg_script,
    .table_exists = pg_table_exists,
    .flush = pg_flush,
};
