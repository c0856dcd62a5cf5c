/*
 * Decision benchmark: loads the five shipped policies, parses a mixed workload of requests
 * (JSON lines, each naming its policy) once, then measures in-process hogo_decide() on one
 * core — throughput, and median/p99 latency of single calls — plus the cost of parsing a
 * request with the streaming parser and of writing a response.
 * Benchmark layer. Usage: bench_decide WORKLOAD.jsonl [SECONDS]
 */
#include <hogo/hogo.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bench_decide WORKLOAD.jsonl [SECONDS]\n");
        return 2;
    }
    double seconds = argc > 2 ? atof(argv[2]) : 2.0;
    const char *ids[] = {"rcc", "rea", "rmc", "rkm", "irp"};
    struct hogo_policy *pol[5] = {0};
    struct hogo_error err = {0};
    for (int i = 0; i < 5; i++)
        if (hogo_policy_open(ids[i], NULL, &pol[i], &err)) {
            fprintf(stderr, "%s: %s\n", err.where, err.message);
            return 1;
        }
    FILE *f = fopen(argv[1], "r");
    if (!f) {
        perror(argv[1]);
        return 1;
    }
    enum { MAX = 4096 };
    struct hogo_request *reqs[MAX];
    struct hogo_policy *rpol[MAX];
    char *lines[MAX];
    size_t lens[MAX];
    int n = 0;
    char *line = NULL;
    size_t cap = 0;
    ssize_t got;
    while (n < MAX && (got = getline(&line, &cap, f)) > 0) {
        struct hogo_request *r;
        if (hogo_request_new(&r))
            return 1;
        if (hogo_request_parse(r, hogo_policy_vocab(pol[0]), line, (size_t)got, 65536, &err)) {
            hogo_request_free(r);
            continue;
        }
        int which = -1;
        for (int i = 0; i < 5; i++)
            if (!strcmp(hogo_request_policy(r), ids[i]))
                which = i;
        if (which < 0) {
            hogo_request_free(r);
            continue;
        }
        struct hogo_decision d;
        if (hogo_decide(pol[which], r, &d, &err)) {
            hogo_request_free(r);
            continue;
        }
        reqs[n] = r;
        rpol[n] = pol[which];
        lines[n] = strndup(line, (size_t)got);
        lens[n] = (size_t)got;
        n++;
    }
    free(line);
    fclose(f);
    if (n == 0) {
        fprintf(stderr, "no usable requests in %s\n", argv[1]);
        return 1;
    }
    /* throughput: round-robin over the workload, no per-call timing */
    struct hogo_decision d;
    long allows = 0, calls = 0;
    double t0 = now(), t1;
    do {
        for (int k = 0; k < 100000; k++) {
            int i = (int)(calls++ % n);
            hogo_decide(rpol[i], reqs[i], &d, NULL);
            allows += d.allow;
        }
        t1 = now();
    } while (t1 - t0 < seconds);
    double per_sec = (double)calls / (t1 - t0);
    /* latency of single calls */
    enum { SAMPLES = 200000 };
    double *lat = malloc(SAMPLES * sizeof *lat);
    for (int k = 0; k < SAMPLES; k++) {
        int i = k % n;
        double a = now();
        hogo_decide(rpol[i], reqs[i], &d, NULL);
        lat[k] = now() - a;
    }
    /* the clock's own cost, measured the same way, is subtracted */
    double *clk = malloc(SAMPLES * sizeof *clk);
    for (int k = 0; k < SAMPLES; k++) {
        double a = now();
        clk[k] = now() - a;
    }
    qsort(lat, SAMPLES, sizeof *lat, cmp_double);
    qsort(clk, SAMPLES, sizeof *clk, cmp_double);
    double clock_cost = clk[SAMPLES / 2];
    /* parsing and writing */
    struct hogo_request *scratch;
    struct hogo_writer *w;
    hogo_request_new(&scratch);
    hogo_writer_new(false, &w);
    long parsed = 0;
    size_t bytes = 0;
    t0 = now();
    do {
        for (int k = 0; k < 10000; k++) {
            int i = (int)(parsed++ % n);
            hogo_request_parse(scratch, hogo_policy_vocab(pol[0]), lines[i], lens[i], 65536, &err);
            bytes += lens[i];
        }
        t1 = now();
    } while (t1 - t0 < seconds / 2);
    double parse_us = (t1 - t0) / (double)parsed * 1e6;
    long written = 0;
    t0 = now();
    do {
        for (int k = 0; k < 10000; k++) {
            int i = (int)(written++ % n);
            hogo_decide(rpol[i], reqs[i], &d, NULL);
            hogo_writer_decision(w, rpol[i], reqs[i], &d);
            hogo_writer_clear(w);
        }
        t1 = now();
    } while (t1 - t0 < seconds / 2);
    double write_us = (t1 - t0) / (double)written * 1e6;
    printf("workload: %d distinct requests over 5 policies (%.0f%% allow), mean %zu bytes\n", n,
           100.0 * (double)allows / (double)calls, bytes / (size_t)parsed);
    printf("in-process decisions/s (1 core): %.0f\n", per_sec);
    printf("latency per decision: median %.0f ns, p99 %.0f ns, p99.9 %.0f ns (clock cost %.0f ns "
           "subtracted)\n",
           (lat[SAMPLES / 2] - clock_cost) * 1e9, (lat[SAMPLES * 99 / 100] - clock_cost) * 1e9,
           (lat[SAMPLES * 999 / 1000] - clock_cost) * 1e9, clock_cost * 1e9);
    printf("request parse (yajl streaming): %.2f us; decide + write response: %.2f us\n",
           parse_us, write_us);
    for (int i = 0; i < n; i++) {
        hogo_request_free(reqs[i]);
        free(lines[i]);
    }
    hogo_request_free(scratch);
    hogo_writer_free(w);
    free(lat);
    free(clk);
    for (int i = 0; i < 5; i++)
        hogo_policy_free(pol[i]);
    return 0;
}
