/*
 * Store benchmarks: durable provision-record writes per second (each one a transaction with
 * its audit event, committed with synchronous=FULL) as a ratio to a bare SQLite
 * insert-and-commit loop with the same settings in the same run; batched records in one
 * transaction; audit verification speed. Benchmark layer.
 * usage: bench_store [DIR] [DURABLE_N] [VERIFY_EVENTS]   (defaults: /tmp 2000 1000000)
 * Prints a Markdown table to stdout.
 */
#include <hogo/audit.h>
#include <hogo/ledger.h>
#include <hogo/store.h>

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

static const char *const items[] = {"name", "work_history"};

static struct hogo_provision prov(void)
{
    return (struct hogo_provision){.subject_id = "u1", .policy = "irp",
                                   .policy_version = "2025-04-01",
                                   .recipient_id = "participating_company",
                                   .purpose = "recruitment_selection", .items = items,
                                   .n_items = 2, .basis = "policy", .record_required = 1,
                                   .retention_years = 3, .retention_from = "creation",
                                   .decision_json = "{\"decision\":\"allow\"}"};
}

static struct hogo_store *open_store(const char *path, const unsigned char *sk)
{
    struct hogo_store_options o = {.create = 1, .signing_key = sk};
    struct hogo_store *st = NULL;
    struct hogo_error err;
    rm_db(path);
    if (hogo_store_open(&st, path, &o, &err))
        die("open", &err);
    return st;
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : "/tmp";
    int n = argc > 2 ? atoi(argv[2]) : 2000;
    long nverify = argc > 3 ? atol(argv[3]) : 1000000;
    char path[1024];
    struct hogo_error err;
    unsigned char pk[32], sk[64];
    if (sodium_init() < 0)
        return 1;
    crypto_sign_keypair(pk, sk);
    snprintf(path, sizeof path, "%s/bench-store-%d.db", dir, (int)getpid());

    double bare = bare_sqlite(path, n);

    struct hogo_store *st = open_store(path, sk);
    struct hogo_provision p = prov();
    double t0 = now_s();
    for (int i = 0; i < n; i++)
        if (hogo_ledger_record_provision(st, &p, NULL, &err))
            die("record", &err);
    double durable = n / (now_s() - t0);

    int batch = 1000, batches = 20;
    t0 = now_s();
    for (int b = 0; b < batches; b++) {
        if (hogo_store_begin(st, &err))
            die("begin", &err);
        for (int i = 0; i < batch; i++)
            if (hogo_ledger_record_provision(st, &p, NULL, &err))
                die("record", &err);
        if (hogo_store_commit(st, &err))
            die("commit", &err);
    }
    double batched = batch * batches / (now_s() - t0);
    hogo_store_free(st);

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

    printf("| measure | value |\n|---|---|\n");
    printf("| bare SQLite insert+commit (WAL, synchronous=FULL) | %.0f tx/s |\n", bare);
    printf("| durable provision record + audit event, one tx each | %.0f records/s |\n", durable);
    printf("| ratio hogo / bare SQLite | %.2f |\n", durable / bare);
    printf("| batched provision records (%d per tx) | %.0f records/s |\n", batch, batched);
    printf("| audit append, batched | %.0f events/s |\n", append);
    printf("| audit verify (%lld events, %lld checkpoints) | %.0f events/s |\n",
           (long long)r.events, (long long)r.checkpoints, (double)r.events / vdt);
    return 0;
}
