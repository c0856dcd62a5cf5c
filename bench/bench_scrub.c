/*
 * Benchmark of the Japanese free-text scrubber against MeCab alone on the same text, in the
 * same run. Benchmark layer.
 *
 * usage: bench_scrub [MEGABYTES] [--reps N]
 *   The text is every sentence of the three labelled corpora (tests/deid/text_corpus*.txt,
 *   markup removed: reviews, inquiries, recruiter messages, job applications, counselling
 *   records, support), repeated to about MEGABYTES MB (default 8), one sentence per line as
 *   `hogo deid scrub` reads it. Each rep times (1) MeCab alone: one lattice parse per line
 *   with the same dictionary (IPADIC), the nodes walked; (2) hogo_deid_scrub() per line.
 *   Prints MB/s of each (medians of N reps, default 5) and their ratio.
 */
#include <hogo/deid.h>

#include <mecab.h>
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

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Appends the sentences of one corpus file (markup {TYPE|text} reduced to text). */
static int load_corpus(const char *path, char **buf, size_t *len, size_t *cap)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    char line[8192];
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '#' || line[0] == '\n')
            continue;
        for (char *p = line; *p; p++) {
            if (*p == '{') {
                char *bar = strchr(p, '|');
                if (bar) {
                    p = bar;
                    continue;
                }
            }
            if (*p == '}')
                continue;
            if (*len + 2 > *cap) {
                *cap = *cap ? *cap * 2 : 1 << 20;
                *buf = realloc(*buf, *cap);
                if (!*buf)
                    return -1;
            }
            (*buf)[(*len)++] = *p;
        }
    }
    fclose(f);
    return 0;
}

int main(int argc, char **argv)
{
    double mb = 8;
    int reps = 5;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--reps") && i + 1 < argc)
            reps = atoi(argv[++i]);
        else
            mb = atof(argv[i]);
    }
    if (reps < 1)
        reps = 1;
    static const char *const files[] = {"text_corpus.txt", "text_corpus_holdout.txt",
                                        "text_corpus_holdout2.txt"};
    char *one = NULL;
    size_t ol = 0, oc = 0;
    for (size_t k = 0; k < 3; k++) {
        char path[1024];
        snprintf(path, sizeof path, "tests/deid/%s", files[k]);
        if (load_corpus(path, &one, &ol, &oc) < 0) {
            snprintf(path, sizeof path, "%s/tests/deid/%s", HOGO_SOURCE_DIR, files[k]);
            if (load_corpus(path, &one, &ol, &oc) < 0) {
                fprintf(stderr, "bench_scrub: cannot read %s\n", files[k]);
                return 1;
            }
        }
    }
    size_t want = (size_t)(mb * 1e6), len = 0;
    char *text = malloc(want + ol + 1);
    if (!text)
        return 1;
    while (len < want) {
        memcpy(text + len, one, ol);
        len += ol;
    }
    text[len] = '\0';
    size_t lines = 0;
    for (size_t i = 0; i < len; i++)
        lines += text[i] == '\n';

    mecab_model_t *model = mecab_model_new2("");
    mecab_t *tagger = model ? mecab_model_new_tagger(model) : NULL;
    mecab_lattice_t *lattice = model ? mecab_model_new_lattice(model) : NULL;
    struct hogo_deid_scrubber *sc = NULL;
    struct hogo_error err = {0};
    if (!lattice || hogo_deid_scrubber_new(&sc, &err) < 0) {
        fprintf(stderr, "bench_scrub: cannot start MeCab\n");
        return 1;
    }
    double *tm = calloc((size_t)reps, sizeof *tm), *ts = calloc((size_t)reps, sizeof *ts);
    size_t nodes = 0, found = 0;
    for (int r = 0; r < reps; r++) {
        double t0 = now();
        for (char *p = text; *p;) {
            char *nl = strchr(p, '\n');
            size_t n = nl ? (size_t)(nl - p) : strlen(p);
            mecab_lattice_set_sentence2(lattice, p, n);
            if (mecab_parse_lattice(tagger, lattice))
                for (const mecab_node_t *x = mecab_lattice_get_bos_node(lattice); x; x = x->next)
                    nodes++;
            p += n + (nl != NULL);
        }
        double t1 = now();
        for (char *p = text; *p;) {
            char *nl = strchr(p, '\n');
            size_t n = nl ? (size_t)(nl - p) : strlen(p);
            char *out = NULL;
            struct hogo_deid_span *spans = NULL;
            size_t ns = 0;
            if (hogo_deid_scrub(sc, p, n, &out, NULL, &spans, &ns, &err) < 0) {
                fprintf(stderr, "bench_scrub: %s\n", err.message);
                return 1;
            }
            found += ns;
            free(out);
            free(spans);
            p += n + (nl != NULL);
        }
        double t2 = now();
        tm[r] = t1 - t0;
        ts[r] = t2 - t1;
    }
    qsort(tm, (size_t)reps, sizeof *tm, cmp_d);
    qsort(ts, (size_t)reps, sizeof *ts, cmp_d);
    double m = tm[reps / 2], s = ts[reps / 2], MB = (double)len / 1e6;
    printf("| text | MeCab alone | scrubber | scrubber / MeCab |\n|---|---|---|---|\n");
    printf("| %.1f MB, %zu lines (%zu identifiers found per pass) | %.2f MB/s | %.2f MB/s | "
           "**%.2f** |\n",
           MB, lines, found / (size_t)reps, MB / m, MB / s, m / s);
    (void)nodes;
    hogo_deid_scrubber_free(sc);
    mecab_lattice_destroy(lattice);
    mecab_destroy(tagger);
    mecab_model_destroy(model);
    free(tm);
    free(ts);
    free(text);
    free(one);
    return 0;
}
