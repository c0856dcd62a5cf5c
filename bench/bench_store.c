/*
 * Store benchmarks: durable hogo_provide() calls (stored facts read, decision, Art. 29 record
 * and audit events, one transaction each, committed with synchronous=FULL) as a ratio to a
 * bare insert-and-commit loop with the same settings in the same run; eight threads calling
 * hogo_provide() on one group-commit handle; batched provisions in one transaction; loading
 * subjects with 10 sealed data items each (time and database size), a subject's full
 * disclosure (median and 99th percentile) and batched provisions spread over that
 * population; audit verification speed.
 * Benchmark layer.
 * usage: bench_store [--quick] [--pg CONNINFO] [DIR] [DURABLE_N] [VERIFY_EVENTS] [SUBJECTS]
 *        (defaults: bench/out 2000 1000000 1000000; --quick: 300 100000 20000)
 * --pg runs everything on that PostgreSQL database (emptied before each part; the bare loop
 * uses libpq with synchronous_commit on); the key store stays a file in DIR.
 * Prints a Markdown table to stdout.
 */
#include <hogo/audit.h>
#include <hogo/decide.h>
#include <hogo/ledger.h>
#include <hogo/policy.h>
#include <hogo/store.h>
#include "store/store-int.h"

#include <sys/stat.h>

#include <libpq-fe.h>
#include <pthread.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what, const struct hogo_error *err)
{
    fprintf(stderr, "bench_store: %s: %s\n", what, err ? err->message : "");
    exit(1);
}

static void rm_db(const char *path)
{
    char p[1100];
    static const char *const sfx[] = {"", "-wal", "-shm"};
    for (int i = 0; i < 3; i++) {
        snprintf(p, sizeof p, "%s%s", path, sfx[i]);
        unlink(p);
    }
}

/* A bare SQLite loop: one row of the provisions table's width per transaction. */
static double bare_sqlite(const char *path, int n)
{
    sqlite3 *db;
    sqlite3_stmt *st;
    rm_db(path);
    if (sqlite3_open(path, &db) != SQLITE_OK)
        die("sqlite open", NULL);
    sqlite3_exec(db,
                 "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
                 "CREATE TABLE t (subject_id TEXT, id TEXT, at BIGINT, recipient TEXT, items TEXT,"
                 " basis TEXT, decision TEXT, PRIMARY KEY (subject_id, id));",
                 NULL, NULL, NULL);
    sqlite3_prepare_v2(db, "INSERT INTO t VALUES (?, ?, ?, ?, ?, ?, ?)", -1, &st, NULL);
    double t0 = now_s();
    for (int i = 0; i < n; i++) {
        char id[32];
        snprintf(id, sizeof id, "prov-%08d", i);
        sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
        sqlite3_bind_text(st, 1, "u1", -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, id, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 3, i);
        sqlite3_bind_text(st, 4, "participating_company", -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 5, "name,work_history", -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 6, "policy", -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 7, "{\"decision\":\"allow\"}", -1, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_DONE)
            die("sqlite insert", NULL);
        sqlite3_reset(st);
        sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
    }
    double dt = now_s() - t0;
    sqlite3_finalize(st);
    sqlite3_close(db);
    rm_db(path);
    return n / dt;
}

static unsigned char master[32];
static const char *pg;      /* --pg CONNINFO, or NULL for SQLite */

/* Empties the PostgreSQL database (a fresh schema) so each part starts from nothing. */
static void pg_reset(void)
{
    PGconn *c = PQconnectdb(pg);
    if (PQstatus(c) != CONNECTION_OK)
        die("pg connect", NULL);
    PGresult *r = PQexec(c, "DROP SCHEMA public CASCADE; CREATE SCHEMA public");
    if (PQresultStatus(r) != PGRES_COMMAND_OK)
        die(PQresultErrorMessage(r), NULL);
    PQclear(r);
    PQfinish(c);
}

/* The bare loop on PostgreSQL: the same row, BEGIN/INSERT/COMMIT per transaction. */
static double bare_pg(int n)
{
    pg_reset();
    PGconn *c = PQconnectdb(pg);
    PGresult *r = PQexec(c, "CREATE TABLE t (subject_id TEXT, id TEXT, at BIGINT, recipient "
                            "TEXT, items TEXT, basis TEXT, decision TEXT, PRIMARY KEY "
                            "(subject_id, id))");
    PQclear(r);
    r = PQprepare(c, "ins", "INSERT INTO t VALUES ($1, $2, $3, $4, $5, $6, $7)", 7, NULL);
    PQclear(r);
    double t0 = now_s();
    for (int i = 0; i < n; i++) {
        char id[32], at[24];
        snprintf(id, sizeof id, "prov-%08d", i);
        snprintf(at, sizeof at, "%d", i);
        const char *v[7] = {"u1", id, at, "participating_company", "name,work_history",
                            "policy", "{\"decision\":\"allow\"}"};
        PQclear(PQexec(c, "BEGIN"));
        r = PQexecPrepared(c, "ins", 7, v, NULL, NULL, 0);
        if (PQresultStatus(r) != PGRES_COMMAND_OK)
            die(PQresultErrorMessage(r), NULL);
        PQclear(r);
        PQclear(PQexec(c, "COMMIT"));
    }
    double dt = now_s() - t0;
    PQfinish(c);
    return n / dt;
}

static char db_path[1024];  /* SQLite: the database file; PostgreSQL: unused */

static struct hogo_store *open_store_opts(const unsigned char *sk, int fresh, int group)
{
    struct hogo_store_options o = {.create = 1, .signing_key = sk, .master_key = master,
                                   .group_commit = group};
    char keys[1100];
    snprintf(keys, sizeof keys, "%s.keys", db_path);
    o.key_store = keys;
    if (fresh) {
        rm_db(keys);
        if (pg)
            pg_reset();
        else
            rm_db(db_path);
    }
    struct hogo_store *st = NULL;
    struct hogo_error err;
    char loc[1200];
    snprintf(loc, sizeof loc, "pg:%s", pg ? pg : "");
    if (hogo_store_open(&st, pg ? loc : db_path, &o, &err))
        die("open", &err);
    return st;
}

static struct hogo_store *open_store(const char *path, const unsigned char *sk)
{
    (void)path;
    return open_store_opts(sk, 1, 0);
}

/* ---- eight threads on one group-commit handle ---- */

struct worker {
    struct hogo_store *st;
    const struct hogo_policy *policy;
    int n, calls;
};

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    char json[600];
    struct hogo_request *r = NULL;
    struct hogo_error err;
    snprintf(json, sizeof json,
             "{\"policy\":\"irp\",\"subject_id\":\"w%d\",\"action\":\"provide\",\"purpose\":"
             "\"recruitment_selection\",\"data\":[\"name\",\"email\",\"work_history\"],"
             "\"service\":\"recruit_agent\",\"recipient\":{\"id\":\"participating_company\","
             "\"corporate_number\":\"6100000000001\"}}",
             w->n);
    if (hogo_request_new(&r) ||
        hogo_request_parse(r, hogo_policy_vocab(w->policy), json, strlen(json), 0, &err))
        die("worker request", &err);
    for (int i = 0; i < w->calls; i++) {
        struct hogo_decision d;
        char id[HOGO_LEDGER_ID_BYTES];
        if (hogo_provide(w->st, w->policy, r, &d, id, &err) || !d.allow)
            die("worker provide", &err);
    }
    hogo_request_free(r);
    return NULL;
}

static double group_commit(const unsigned char *sk, const struct hogo_policy *policy,
                           int threads, int calls_each, double *per_batch, double *per_sync)
{
    struct hogo_store *st = open_store_opts(sk, 1, 1);
    struct hogo_error err;
    for (int t = 0; t < threads; t++) {
        char sid[16];
        snprintf(sid, sizeof sid, "w%d", t);
        if (hogo_subject_add(st, sid, "irp", &err) ||
            hogo_subject_add_fact(st, sid, "applied_to", "6100000000001", &err))
            die("subject", &err);
    }
    struct worker w[16];
    pthread_t th[16];
    double t0 = now_s();
    for (int t = 0; t < threads; t++) {
        w[t] = (struct worker){st, policy, t, calls_each};
        pthread_create(&th[t], NULL, worker_main, &w[t]);
    }
    for (int t = 0; t < threads; t++)
        pthread_join(th[t], NULL);
    double rate = threads * calls_each / (now_s() - t0);
    int64_t batches, items;
    hogo__group_stats(st, &batches, &items);
    *per_batch = batches ? (double)items / (double)batches : 0;
    int64_t syncs = hogo__group_syncs(st);
    *per_sync = syncs ? (double)items / (double)syncs : 0;
    hogo_store_free(st);
    return rate;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static const char provide_json[] =
    "{\"policy\":\"irp\",\"subject_id\":\"u1\",\"action\":\"provide\",\"purpose\":"
    "\"recruitment_selection\",\"data\":[\"name\",\"email\",\"work_history\"],\"service\":"
    "\"recruit_agent\",\"recipient\":{\"id\":\"participating_company\",\"corporate_number\":"
    "\"6100000000001\"}}";

static long long file_size(const char *path)
{
    struct stat sb;
    char p[1100];
    long long total = 0;
    static const char *const sfx[] = {"", "-wal"};
    for (int i = 0; i < 2; i++) {
        snprintf(p, sizeof p, "%s%s", path, sfx[i]);
        if (stat(p, &sb) == 0)
            total += sb.st_size;
    }
    return total;
}

int main(int argc, char **argv)
{
    int quick = argc > 1 && !strcmp(argv[1], "--quick");
    if (quick) {
        argv++;
        argc--;
    }
    if (argc > 2 && !strcmp(argv[1], "--pg")) {
        pg = argv[2];
        argv += 2;
        argc -= 2;
    }
    const char *dir = argc > 1 ? argv[1] : "bench/out";
    int n = argc > 2 ? atoi(argv[2]) : quick ? 300 : 2000;
    long nverify = argc > 3 ? atol(argv[3]) : quick ? 100000 : 1000000;
    long nsubjects = argc > 4 ? atol(argv[4]) : quick ? 20000 : 1000000;
    char path[1024];
    struct hogo_error err;
    unsigned char pk[32], sk[64];
    if (sodium_init() < 0)
        return 1;
    /* as the store does when it is the first to use SQLite in a process (lib/store/sqlite.c);
     * here the bare loop comes first */
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    crypto_sign_keypair(pk, sk);
    randombytes_buf(master, sizeof master);
    snprintf(path, sizeof path, "%s/bench-store-%d.db", dir, (int)getpid());
    snprintf(db_path, sizeof db_path, "%s", path);
    struct hogo_policy *policy = NULL;
    struct hogo_request *req = NULL;
    if (hogo_policy_open("irp", NULL, &policy, &err) || hogo_request_new(&req) ||
        hogo_request_parse(req, hogo_policy_vocab(policy), provide_json, strlen(provide_json), 0,
                           &err))
        die("policy/request", &err);

    /* durable hogo_provide(): one transaction (and one fsync) each, against the bare loop;
     * the two alternate in three rounds so that a change in the disk's speed during the run
     * (it is shared) weighs on both alike */
    char bare_path[1100];
    snprintf(bare_path, sizeof bare_path, "%s.bare", path);
    struct hogo_store *st = open_store(path, sk);
    if (hogo_subject_add(st, "u1", "irp", &err) ||
        hogo_subject_add_fact(st, "u1", "applied_to", "6100000000001", &err))
        die("subject", &err);
    struct hogo_decision d;
    char id[HOGO_LEDGER_ID_BYTES];
    double bare_time = 0, durable_time = 0, t0;
    int round_n = n / 3 > 0 ? n / 3 : 1;
    for (int round = 0; round < 3; round++) {
        bare_time += round_n / (pg ? bare_pg(round_n) : bare_sqlite(bare_path, round_n));
        if (pg) { /* bare_pg() emptied the database: the subject again */
            hogo_store_free(st);
            st = open_store_opts(sk, 0, 0);
            if (hogo_subject_add(st, "u1", "irp", &err) ||
                hogo_subject_add_fact(st, "u1", "applied_to", "6100000000001", &err))
                die("subject", &err);
        }
        /* untimed first call: statements prepared, as the bare loop prepares its INSERT */
        if (round == 0 || pg)
            if (hogo_provide(st, policy, req, &d, id, &err) || !d.allow)
                die("provide", &err);
        t0 = now_s();
        for (int i = 0; i < round_n; i++)
            if (hogo_provide(st, policy, req, &d, id, &err) || !d.allow)
                die("provide", &err);
        durable_time += now_s() - t0;
    }
    double bare = 3 * round_n / bare_time, durable = 3 * round_n / durable_time;

    /* batched: many provisions in one transaction */
    int batch = 1000, batches = 20;
    t0 = now_s();
    for (int b = 0; b < batches; b++) {
        if (hogo_store_begin(st, &err))
            die("begin", &err);
        for (int i = 0; i < batch; i++)
            if (hogo_provide(st, policy, req, &d, id, &err))
                die("provide", &err);
        if (hogo_store_commit(st, &err))
            die("commit", &err);
    }
    double batched = batch * batches / (now_s() - t0);
    hogo_store_free(st);

    /* eight callers, each its own thread, on one group-commit handle */
    double per_batch = 0, per_sync = 0;
    int gc_each = n / 2 > 50 ? n / 2 : 50;
    double grouped = group_commit(sk, policy, 8, gc_each, &per_batch, &per_sync);

    /* loading subjects with 10 sealed data items each, 1000 subjects per transaction */
    static const char *const cats[10] = {"name", "email", "phone", "address", "birth_date",
                                         "gender", "work_history", "annual_income",
                                         "education", "registration_info"};
    st = open_store(path, sk);
    t0 = now_s();
    for (long s0 = 0; s0 < nsubjects; s0 += 1000) {
        if (hogo_store_begin(st, &err))
            die("begin", &err);
        for (long s1 = s0; s1 < s0 + 1000 && s1 < nsubjects; s1++) {
            char sid[32], val[64];
            snprintf(sid, sizeof sid, "s%07ld", s1);
            if (hogo_subject_add(st, sid, "irp", &err))
                die("subject add", &err);
            for (int k = 0; k < 10; k++) {
                snprintf(val, sizeof val, "value %d of subject %ld", k, s1);
                if (hogo_data_put(st, sid, cats[k], val, strlen(val), NULL, NULL, &err))
                    die("data put", &err);
            }
        }
        if (hogo_store_commit(st, &err))
            die("commit", &err);
    }
    double load = now_s() - t0;
    hogo_store_free(st);
    long long dbsize = file_size(path);
    if (pg) {
        PGconn *c = PQconnectdb(pg);
        PGresult *r = PQexec(c, "SELECT pg_database_size(current_database())");
        dbsize = PQresultStatus(r) == PGRES_TUPLES_OK ? atoll(PQgetvalue(r, 0, 0)) : -1;
        PQclear(r);
        PQfinish(c);
    }
    char keys[1100];
    snprintf(keys, sizeof keys, "%s.keys", path);
    long long keysize = file_size(keys);

    /* a subject's full disclosure (facts, consents, 10 items opened, records; one durable
     * transaction with 11 audit events) on that population */
    int ndisc = quick ? 200 : 1000;
    double *dt = calloc((size_t)ndisc, sizeof *dt);
    st = open_store_opts(sk, 0, 0);
    for (int i = 0; i < ndisc; i++) {
        char sid[32], *json = NULL;
        snprintf(sid, sizeof sid, "s%07ld", (long)randombytes_uniform((uint32_t)nsubjects));
        double d0 = now_s();
        if (hogo_subject_disclose_json(st, sid, &json, &err))
            die("disclose", &err);
        dt[i] = now_s() - d0;
        free(json);
    }
    qsort(dt, (size_t)ndisc, sizeof *dt, cmp_double);

    /* batched again, each provision about another subject of that population (a court order,
     * allowed whatever the facts): the subject-first keys put each record and its event on
     * another page of their indexes, as a real batch does */
    static const char court_json[] =
        "{\"policy\":\"irp\",\"action\":\"provide\",\"purpose\":\"legal_response\","
        "\"data\":[\"name\",\"address\"],\"recipient\":{\"id\":\"court\"},"
        "\"basis\":\"court_order\"}";
    struct hogo_request *court = NULL;
    if (hogo_request_new(&court) ||
        hogo_request_parse(court, hogo_policy_vocab(policy), court_json, strlen(court_json), 0,
                           &err))
        die("court request", &err);
    t0 = now_s();
    for (int b = 0; b < batches; b++) {
        if (hogo_store_begin(st, &err))
            die("begin", &err);
        for (int i = 0; i < batch; i++) {
            char sid[32];
            snprintf(sid, sizeof sid, "s%07ld", (long)randombytes_uniform((uint32_t)nsubjects));
            struct hogo_provide_opts po = {.subject_id = sid};
            if (hogo_provide_ex(st, policy, court, &po, &d, id, &err) || !d.allow)
                die("provide", &err);
        }
        if (hogo_store_commit(st, &err))
            die("commit", &err);
    }
    double spread = batch * batches / (now_s() - t0);
    hogo_request_free(court);
    hogo_store_free(st);
    double disc_med = dt[ndisc / 2] * 1e3, disc_p99 = dt[ndisc * 99 / 100] * 1e3;
    free(dt);
    rm_db(keys);

    /* audit verification over nverify events (appended in large transactions) */
    st = open_store(path, sk);
    struct hogo_audit_event ev = {.subject_id = "u1", .action = "decision",
                                  .object = "policy:irp purpose:recruitment_selection",
                                  .detail_json = "{\"decision\":\"allow\",\"clause\":\"3(1)\"}"};
    t0 = now_s();
    for (long done = 1; done < nverify;) {
        if (hogo_store_begin(st, &err))
            die("begin", &err);
        for (int i = 0; i < 50000 && done < nverify; i++, done++)
            if (hogo_audit_append(st, &ev, &err))
                die("append", &err);
        if (hogo_store_commit(st, &err))
            die("commit", &err);
    }
    double append = nverify / (now_s() - t0);
    struct hogo_audit_report r;
    t0 = now_s();
    if (hogo_audit_verify(st, pk, &r, &err))
        die("verify", &err);
    double vdt = now_s() - t0;
    hogo_store_free(st);
    rm_db(path);
    rm_db(keys);
    hogo_request_free(req);
    hogo_policy_free(policy);

    printf("| measure (%s) | value |\n|---|---|\n", pg ? "PostgreSQL 15" : "SQLite");
    printf("| bare insert+commit (%s) | %.0f tx/s |\n",
           pg ? "libpq, synchronous_commit=on" : "WAL, synchronous=FULL", bare);
    printf("| durable hogo_provide() (facts, decision, record, its event; 1 tx each) | %.0f /s |\n",
           durable);
    printf("| ratio hogo_provide / bare (target >= 0.8) | %.2f |\n", durable / bare);
    printf("| 8 threads, group commit, durable hogo_provide() | %.0f /s (%.1fx single; %.1f "
           "calls per commit, %.1f per fsync) |\n",
           grouped, grouped / durable, per_batch, per_sync);
    printf("| batched hogo_provide() (%d per tx), one subject | %.0f /s |\n", batch, batched);
    printf("| batched hogo_provide() (%d per tx), each about a random subject of %ld | %.0f /s "
           "|\n",
           batch, nsubjects, spread);
    printf("| load %ld subjects x 10 sealed items (1000 subjects per tx) | %.1f s (%.0f items/s) |\n",
           nsubjects, load, nsubjects * 10 / load);
    printf("| database size after the load | %.1f MB (+ key store %.1f MB) |\n", dbsize / 1e6,
           keysize / 1e6);
    printf("| full disclosure (facts, consents, 10 items opened, records), %d random "
           "subjects of %ld | median %.2f ms, p99 %.2f ms |\n",
           ndisc, nsubjects, disc_med, disc_p99);
    printf("| audit append, batched | %.0f events/s |\n", append);
    printf("| audit verify (%lld events, %lld checkpoints) | %.0f events/s |\n",
           (long long)r.events, (long long)r.checkpoints, (double)r.events / vdt);
    return 0;
}
