/*
 * Benchmark of the anonymisation search on the UCI Adult data set (ARX's copy and
 * hierarchies), the standard setting of the Flash/ARX literature, and on a synthetic
 * 1,000,000-row table. Benchmark layer.
 *
 * usage: bench_deid [DATA_DIR] [--reps N] [--no-synthetic] [--only TEXT]
 *   DATA_DIR holds adult.csv and adult_hierarchy_*.csv; it defaults to ../shared/data/adult
 *   relative to the repository root (tried from the current directory, then from the
 *   repository this file was compiled from). When the data set is missing the Adult cases
 *   print "skipped: data set not found" and the program still exits 0.
 *   Output is one Markdown table (for bench/RESULTS.md), one row per case. Each case runs in
 *   its own child process so that its peak resident memory (getrusage) is its own. Times are
 *   medians of N runs (default 21): "search" = dictionary encoding + lattice search (what
 *   ARX times), "total" = also reading the CSV and hierarchy files.
 *   (a) 8 QIs, k=5, no suppression, non-uniform entropy;
 *   (b) 9 QIs (with salary-class), k=5, 4% suppression, loss (gs 0.5, geometric mean);
 *   (d) 8 QIs, k=5, 4% suppression, the three entropy definitions (ARX's default, ARX's
 *       monotonic variant, suppressed records as generalised to the root);
 *   (e) t-closeness: 7 QIs (all but occupation), occupation sensitive, k=2, t=0.2 (equal
 *       distance), 5% suppression, loss;
 *   (f) distinct l-diversity: the same 7 QIs, k=5, distinct 3-diversity, 4% suppression, loss;
 *   (g) entropy l-diversity: the same, entropy 3-diversity;
 *   (c) synthetic 1,000,000 rows, 4 QIs, k=5 + distinct 2-diversity, 1% suppression, loss
 *       (one run).
 *   Every column of the data is declared (salary-class, and occupation in (e)-(g), as kept or
 *   sensitive columns).
 */
#include "deid/deid_int.h"

#include <hogo/deid.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static const char *const adult_qis[] = {"age",        "education", "marital-status",
                                        "native-country", "occupation", "race",
                                        "sex",        "workclass", "salary-class"};

/* The Adult config: the first nq of adult_qis as quasi-identifiers (nq = 7 leaves out
 * occupation, which is then sensitive), the other columns as declared in rest. */
static char *adult_config(const char *dir, int nq, const char *rest, const char *models,
                          const char *measure)
{
    static const char *const seven[] = {"age", "education", "marital-status", "native-country",
                                        "race", "sex", "workclass"};
    size_t cap = 8192;
    char *s = malloc(cap);
    size_t n = (size_t)snprintf(s, cap, "separator: \";\"\nattributes:\n");
    for (int i = 0; i < nq; i++) {
        const char *a = nq == 7 ? seven[i] : adult_qis[i];
        n += (size_t)snprintf(s + n, cap - n,
                              "  %s: {type: quasi, hierarchy: %s/adult_hierarchy_%s.csv}\n", a,
                              dir, a);
    }
    snprintf(s + n, cap - n, "%s%s%s", rest, models, measure);
    return s;
}

static int run_case(const char *label, const char *cfgtext, const char *csv, int reps)
{
    struct hogo_error err = {0};
    struct hogo_deid_config *cfg = NULL;
    if (hogo_deid_config_parse(cfgtext, strlen(cfgtext), "bench.yaml", "", &cfg, &err) < 0) {
        fprintf(stderr, "%s: %s\n", err.where, err.message);
        return 1;
    }
    double *search = calloc((size_t)reps, sizeof *search), *total = calloc((size_t)reps, sizeof *total);
    struct hogo_deid_result *r = NULL;
    for (int i = 0; i < reps; i++) {
        hogo_deid_result_free(r);
        r = NULL;
        double t0 = now();
        if (hogo_deid_anonymize(cfg, csv, &r, &err) < 0) {
            fprintf(stderr, "%s: %s\n", err.where, err.message);
            return 1;
        }
        total[i] = now() - t0;
        search[i] = r->seconds;
    }
    qsort(search, (size_t)reps, sizeof *search, cmp_d);
    qsort(total, (size_t)reps, sizeof *total, cmp_d);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("| %s | %zu |", label, r->csv.nrows);
    for (size_t a = 0; a < r->q; a++)
        printf("%s%s=%d", a ? " " : " ", r->csv.header[r->qcols[a]], r->levels[a]);
    printf(" | %.6f | %zu | %zu | %zu of %zu (%zu stepping stones) | %.2f (min %.2f) | %.2f | "
           "%.1f | %s |\n",
           r->search.best.loss, r->search.best.classes, r->search.best.suppressed,
           r->search.checked, r->search.nodes, r->search.stones, search[reps / 2] * 1e3,
           search[0] * 1e3, total[reps / 2] * 1e3, (double)ru.ru_maxrss / 1024.0,
           r->models_hold ? "yes" : "NO");
    fflush(stdout);
    hogo_deid_result_free(r);
    hogo_deid_config_free(cfg);
    free(search);
    free(total);
    return 0;
}

static int in_child(const char *label, const char *cfg, const char *csv, int reps)
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0)
        _exit(run_case(label, cfg, csv, reps));
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

/* Writes a synthetic table of n rows: age (built-in hierarchy), sex, prefecture address,
 * postal code, date of birth and an occupation code, with a sensitive diagnosis column. */
static int write_synthetic(const char *path, size_t n)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    static const char *const pref[] = {"東京都新宿区西新宿2-8-1", "大阪府大阪市北区梅田1-1-3",
                                       "北海道札幌市中央区北1条西2丁目", "福岡県福岡市博多区博多駅前2-1",
                                       "愛知県名古屋市中村区名駅1-1-4", "宮城県仙台市青葉区本町3-8-1",
                                       "広島県広島市中区基町10-52", "香川県高松市番町4-1-10"};
    fprintf(f, "id,age,sex,address,postal,birth,occupation,diagnosis\n");
    unsigned long x = 88172645463325252ul;
    for (size_t i = 0; i < n; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        unsigned age = 18 + (unsigned)(x % 70);
        unsigned p = (unsigned)((x >> 8) % 8);
        fprintf(f, "%zu,%u,%s,%s,%03u-%04u,%u-%02u-%02u,occ%02u,d%u\n", i, age,
                (x >> 20) & 1 ? "男性" : "女性", pref[p], 100 + (unsigned)((x >> 24) % 40) * 10 + p,
                (unsigned)((x >> 30) % 100), 2024 - age, 1 + (unsigned)((x >> 36) % 12),
                1 + (unsigned)((x >> 40) % 28), (unsigned)((x >> 44) % 12),
                (unsigned)((x >> 50) % 5));
    }
    return fclose(f);
}

/* Finds the Adult directory: dir when given, else ../shared/data/adult from the current
 * directory or from the repository root this file was compiled in. */
static int find_adult(const char *dir, char *out, size_t cap)
{
    if (dir) {
        snprintf(out, cap, "%s", dir);
    } else {
        snprintf(out, cap, "../shared/data/adult");
        char probe[1200];
        snprintf(probe, sizeof probe, "%s/adult.csv", out);
        if (access(probe, R_OK) != 0) {
            /* __FILE__ is <root>/bench/bench_deid.c when built by CMake. */
            const char *f = __FILE__, *end = strstr(f, "/bench/bench_deid.c");
            if (end)
                snprintf(out, cap, "%.*s/../shared/data/adult", (int)(end - f), f);
        }
    }
    char probe[1200];
    snprintf(probe, sizeof probe, "%s/adult.csv", out);
    return access(probe, R_OK) == 0;
}

int main(int argc, char **argv)
{
    const char *arg = NULL;
    int reps = 21, synthetic = 1;
    const char *only = NULL; /* run only the cases whose label contains this */
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--reps") && i + 1 < argc)
            reps = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--no-synthetic"))
            synthetic = 0;
        else if (!strcmp(argv[i], "--only") && i + 1 < argc)
            only = argv[++i];
        else
            arg = argv[i];
    }
    if (reps < 1)
        reps = 1;
    char dir[1024], csv[1100];
    int have = find_adult(arg, dir, sizeof dir);
    snprintf(csv, sizeof csv, "%s/adult.csv", dir);
    int rc = 0;
    printf("bench_deid: medians of %d runs, one process per case; search = encode + lattice "
           "search, total = + reading files\n\n",
           reps);
    printf("| case | rows | optimum (levels) | measure | classes | suppressed | computed of "
           "lattice | search ms | total ms | peak RSS MB | models hold |\n");
    printf("|---|---|---|---|---|---|---|---|---|---|---|\n");
    fflush(stdout);
    if (!have) {
        printf("| (a), (b) Adult | skipped: data set not found ('%s') |||||||||\n", csv);
    } else {
        static const struct {
            const char *label;
            int nq;
            const char *rest, *models, *measure;
        } cases[] = {
            {"(a) Adult, 8 QIs, k=5, 0% suppression, non-uniform entropy", 8,
             "  salary-class: insensitive\n", "models: {k: 5}\nsuppression_limit: 0\n",
             "measure: {name: entropy, aggregate: sum}\n"},
            {"(b) Adult, 9 QIs, k=5, 4% suppression, loss (gs 0.5, geometric mean)", 9, "",
             "models: {k: 5}\nsuppression_limit: 0.04\n",
             "measure: {name: loss, gs_factor: 0.5, aggregate: geometric_mean}\n"},
            {"(d1) Adult, 8 QIs, k=5, 4% suppression, entropy (ARX's default)", 8,
             "  salary-class: insensitive\n", "models: {k: 5}\nsuppression_limit: 0.04\n",
             "measure: {name: entropy, aggregate: sum}\n"},
            {"(d2) same, monotonic_entropy (ARX's monotonic variant)", 8,
             "  salary-class: insensitive\n", "models: {k: 5}\nsuppression_limit: 0.04\n",
             "measure: {name: monotonic_entropy, aggregate: sum}\n"},
            {"(d3) same, entropy_suppressed_as_root", 8, "  salary-class: insensitive\n",
             "models: {k: 5}\nsuppression_limit: 0.04\n",
             "measure: {name: entropy_suppressed_as_root, aggregate: sum}\n"},
            {"(e) Adult, 7 QIs, occupation sensitive, k=2 + t-closeness 0.2, 5% suppression, "
             "loss", 7, "  occupation: sensitive\n  salary-class: insensitive\n",
             "models: {k: 2, t_closeness: {attribute: occupation, t: 0.2}}\n"
             "suppression_limit: 0.05\n", "measure: {name: loss}\n"},
            {"(f) Adult, 7 QIs, occupation sensitive, k=5 + distinct 3-diversity, 4% "
             "suppression, loss", 7, "  occupation: sensitive\n  salary-class: insensitive\n",
             "models: {k: 5, l_diversity: {attribute: occupation, l: 3, variant: distinct}}\n"
             "suppression_limit: 0.04\n", "measure: {name: loss}\n"},
            {"(g) Adult, 7 QIs, occupation sensitive, k=5 + entropy 3-diversity, 4% "
             "suppression, loss", 7, "  occupation: sensitive\n  salary-class: insensitive\n",
             "models: {k: 5, l_diversity: {attribute: occupation, l: 3, variant: entropy}}\n"
             "suppression_limit: 0.04\n", "measure: {name: loss}\n"},
        };
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
            if (only && !strstr(cases[i].label, only))
                continue;
            char *c = adult_config(dir, cases[i].nq, cases[i].rest, cases[i].models,
                                   cases[i].measure);
            rc |= in_child(cases[i].label, c, csv, reps);
            free(c);
        }
    }
    if (synthetic) {
        const char *path = "/tmp/hogo_bench_deid_1m.csv";
        if (write_synthetic(path, 1000000) != 0) {
            fprintf(stderr, "bench_deid: cannot write %s\n", path);
            return 2;
        }
        const char *cfg =
            "attributes:\n  id: identifying\n  sex: insensitive\n  occupation: insensitive\n"
            "  age: {type: quasi, hierarchy: builtin:age}\n"
            "  address: {type: quasi, hierarchy: builtin:address}\n"
            "  postal: {type: quasi, hierarchy: builtin:postal_code}\n"
            "  birth: {type: quasi, hierarchy: builtin:date}\n"
            "  diagnosis: sensitive\n"
            "models: {k: 5, l_diversity: {attribute: diagnosis, l: 2}}\n"
            "suppression_limit: 0.01\nmeasure: {name: loss}\n";
        rc |= in_child("(c) synthetic, 4 QIs (age, address, postal, birth), k=5 + distinct "
                       "2-diversity, 1% suppression, loss (1 run)",
                       cfg, path, 1);
        unlink(path);
    }
    return rc;
}
