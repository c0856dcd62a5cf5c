/*
 * The PostgreSQL backend of the store (libpq). Store layer (backend); reached only through
 * hogo__pg_ops. Statements use the extended protocol with parameters ($n, renumbered from the
 * shared `?` form); binary values travel in binary format, everything else as text. Results
 * are read in single-row mode so a large scan (audit verify) needs constant memory.
 * Writers are serialised by a transaction-scoped advisory lock taken at BEGIN, because the
 * audit chain has one head (docs/scaling.md discusses what that means under Citus).
 */
#include "store-int.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PARAMS 32
#define OID_BOOL 16
#define OID_BYTEA 17
#define OID_INT8 20
#define OID_INT2 21
#define OID_INT4 23

struct pgc {
    PGconn *c;          /* owned connection */
    char *sqlbuf;       /* owned scratch for renumbered SQL */
    size_t sqlcap;
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

static int run(struct pgc *p, const char *sql, const struct hogo__val *v, size_t n,
               int64_t *changes, hogo__row_fn row, void *ctx, struct hogo_error *err)
{
    struct params pp;
    int rc = to_params(v, n, &pp, err);
    if (rc < 0)
        return rc;
    const char *q = renumber(p, sql);
    if (!q)
        return hogo_error_set(err, HOGO_ENOMEM, NULL, "out of memory");
    if (!PQsendQueryParams(p->c, q, (int)n, NULL, pp.values, pp.lengths, pp.formats, 0))
        return pg_fail(p, NULL, "query", err);
    if (row)
        PQsetSingleRowMode(p->c);
    int stop = 0;
    PGresult *res;
    struct hogo__val cols[32];
    unsigned char *unesc[32];
    while ((res = PQgetResult(p->c))) {
        ExecStatusType s = PQresultStatus(res);
        if (s == PGRES_SINGLE_TUPLE && rc == 0 && !stop) {
            int nc = PQnfields(res);
            if (nc > 32)
                nc = 32;
            for (int i = 0; i < nc; i++) {
                unesc[i] = NULL;
                if (PQgetisnull(res, 0, i)) {
                    cols[i] = HV_NULL;
                    continue;
                }
                const char *txt = PQgetvalue(res, 0, i);
                Oid t = PQftype(res, i);
                if (t == OID_INT8 || t == OID_INT4 || t == OID_INT2)
                    cols[i] = HV_INT(strtoll(txt, NULL, 10));
                else if (t == OID_BOOL)
                    cols[i] = HV_INT(txt[0] == 't');
                else if (t == OID_BYTEA) {
                    size_t len = 0;
                    unesc[i] = PQunescapeBytea((const unsigned char *)txt, &len);
                    if (!unesc[i]) {
                        rc = hogo_error_set(err, HOGO_ENOMEM, NULL, "out of memory");
                        cols[i] = HV_NULL;
                    } else
                        cols[i] = HV_BLOB(unesc[i], len);
                } else {
                    cols[i] = (struct hogo__val){.type = HOGO__TEXT, .s = txt,
                                                 .n = (size_t)PQgetlength(res, 0, i)};
                }
            }
            if (rc == 0) {
                int r = row(ctx, cols, (size_t)nc);
                if (r < 0)
                    rc = r;
                else if (r > 0)
                    stop = 1;
            }
            for (int i = 0; i < nc; i++)
                PQfreemem(unesc[i]);
        } else if (s == PGRES_COMMAND_OK) {
            if (changes) {
                const char *t = PQcmdTuples(res);
                *changes = t && *t ? strtoll(t, NULL, 10) : 0;
            }
        } else if (s != PGRES_TUPLES_OK && s != PGRES_SINGLE_TUPLE && rc == 0) {
            rc = pg_fail(p, res, row ? "query" : "statement", err);
        }
        PQclear(res);
    }
    return rc;
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
    return simple(impl, sql, "schema script", err);
}

static int pg_begin(void *impl, struct hogo_error *err)
{
    /* one writer at a time: the audit chain head must not move inside a transaction */
    return simple(impl, "BEGIN; SELECT pg_advisory_xact_lock(7238190451)", "begin", err);
}

static int pg_commit(void *impl, struct hogo_error *err)
{
    return simple(impl, "COMMIT", "commit", err);
}

static int pg_rollback(void *impl, struct hogo_error *err)
{
    struct pgc *p = impl;
    if (PQtransactionStatus(p->c) == PQTRANS_IDLE)
        return 0;
    return simple(impl, "ROLLBACK", "rollback", err);
}

static int pg_table_exists(void *impl, const char *table, int *exists, struct hogo_error *err)
{
    struct hogo__val v[] = {HV_TEXT(table)};
    int64_t n = 0;
    int rc = 0;
    struct pgc *p = impl;
    struct params pp;
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
};
