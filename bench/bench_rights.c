/*
 * Benchmark of rights requests: the disclosure package of one person with N data items
 * (JSON and HTML, streamed) and its peak memory, and listing the overdue requests among
 * many. Benchmark layer. Usage:
 *   bench_rights disclose DB N      adds N items to person "big" (once), then times the
 *                                   package to /dev/null; prints seconds and peak RSS
 *   bench_rights overdue DB N       fills N requests (once; 1 in 1,000 open and past due),
 *                                   then times hogo_dsr_list_json(overdue) five times
 * The master key comes from $HOGO_MASTER_KEY_FILE as for the CLI.
 */
#include "store/store-int.h"

#include <hogo/rights.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int die(const char *what, const struct hogo_error *err)
{
    fprintf(stderr, "bench_rights: %s: %s\n", what, err->message);
    return 1;
}

static int disclose(struct hogo_store *st, long n)
{
    struct hogo_error err = {0};
    int64_t have = 0;
    struct hogo__val p[] = {HV_TEXT("big")};
    hogo_subject_add(st, "big", "irp", &err); /* may exist already */
    hogo_error_clear(&err);
    if (hogo__query_int(st, "SELECT COUNT(*) FROM data_items WHERE subject_id = ?", p, 1, &have,
                        NULL, &err))
        return die("count", &err);
    if (have < n) {
        double t0 = now_s();
        if (hogo_store_begin(st, &err))
            return die("begin", &err);
        struct hogo_provenance prov = {.channel = "automatic", .service = "rikunabi_next"};
        for (long i = have; i < n; i++) {
            char v[64];
            snprintf(v, sizeof v, "行動履歴 %ld: 求人票 %ld を閲覧", i, i * 7);
            if (hogo_data_put(st, "big", "browsing_history", v, strlen(v), &prov, NULL, &err))
                return die("data put", &err);
        }
        if (hogo_store_commit(st, &err))
            return die("commit", &err);
        fprintf(stderr, "added %ld items in %.1f s\n", n - (long)have, now_s() - t0);
    }
    FILE *json = fopen("/dev/null", "w"), *html = fopen("/dev/null", "w");
    double t0 = now_s();
    if (hogo_disclosure_write(st, "big", 0, json, html, &err))
        return die("disclose", &err);
    double t = now_s() - t0;
    fclose(json);
    fclose(html);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("disclosure of %ld items (JSON + HTML): %.3f s, peak RSS %ld MB\n", n, t,
           ru.ru_maxrss / 1024);
    return 0;
}

static int overdue(struct hogo_store *st, long n)
{
    struct hogo_error err = {0};
    int64_t have = 0;
    if (hogo__query_int(st, "SELECT COUNT(*) FROM dsr_requests", NULL, 0, &have, NULL, &err))
        return die("count", &err);
    int64_t now = hogo__now_us(st), day = 86400LL * 1000000;
    if (have < n) {
        hogo_subject_add(st, "q", "irp", &err);
        hogo_error_clear(&err);
        if (hogo_store_begin(st, &err))
            return die("begin", &err);
        for (long i = have; i < n; i++) {
            char id[32];
            snprintf(id, sizeof id, "dsr-bench%09ld", i);
            int open = i % 1000 == 0;
            int64_t received = now - (int64_t)(i % 30) * day;
            struct hogo__val v[] = {HV_TEXT(id), HV_TEXT(open ? "verified" : "completed"),
                                    HV_INT(open), HV_INT(received),
                                    HV_INT(received + 5 * day), HV_INT(received)};
            if (hogo__exec(st,
                           "INSERT INTO dsr_requests (request_id, subject_id, operator, kind,"
                           " state, is_open, agent, method, received_at, due_at, updated_at)"
                           " VALUES (?, 'q', 'irp', 'disclosure', ?, ?, 'self', 'electronic',"
                           " ?, ?, ?)",
                           v, 6, NULL, &err))
                return die("insert", &err);
        }
        if (hogo_store_commit(st, &err))
            return die("commit", &err);
    }
    for (int run = 0; run < 5; run++) {
        char *json = NULL;
        double t0 = now_s();
        if (hogo_dsr_list_json(st, NULL, NULL, NULL, 1, &json, &err))
            return die("list", &err);
        double t = now_s() - t0;
        size_t rows = 0;
        for (const char *s = json; (s = strstr(s, "\"id\":")); s++)
            rows++;
        printf("overdue among %ld requests: %zu listed in %.1f ms\n", n, rows, t * 1000);
        free(json);
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: bench_rights disclose|overdue DB N\n");
        return 2;
    }
    struct hogo_store *st = NULL;
    struct hogo_error err = {0};
    if (hogo_store_open_env(&st, argv[2], NULL, NULL, 0, &err))
        return die("open", &err);
    long n = atol(argv[3]);
    int rc = !strcmp(argv[1], "disclose") ? disclose(st, n) : overdue(st, n);
    hogo_store_free(st);
    return rc;
}
