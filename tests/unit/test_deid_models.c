/*
 * Unit tests of how tabular anonymisation enforces its models and measures: several models on
 * one sensitive attribute (every pair of model kinds), a result that fails the independent
 * re-check is refused, and the three definitions of the non-uniform entropy with suppression
 * compared with values computed here from the released table and the hierarchy files.
 * Test layer. Fixtures: tests/deid/adult_300.csv and ARX's Adult hierarchies.
 *
 * Every check here reads the anonymised table as written (CSV text) and groups its rows by
 * their released quasi-identifier strings, so it does not share code with the engine.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "deid/deid_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char fixture_dir[1024];

static int setup_dirs(void **state)
{
    (void)state;
    const char *src = getenv("HOGO_SOURCE_DIR");
    snprintf(fixture_dir, sizeof fixture_dir, "%s/tests/deid", src && *src ? src : ".");
    return 0;
}

static const char *const adult_qis[] = {"age", "education", "marital-status", "native-country",
                                        "race", "sex", "workclass", "occupation"};

/* Anonymises adult_300.csv with nq of adult_qis as quasi-identifiers, occupation sensitive
 * when nq = 7, salary-class kept, and the given models/measure text. */
static int run_adult(size_t nq, const char *tail, struct hogo_deid_result **r,
                     struct hogo_error *err)
{
    char yaml[4096], csv[1200];
    size_t n = (size_t)snprintf(yaml, sizeof yaml, "attributes:\n");
    for (size_t i = 0; i < nq; i++)
        n += (size_t)snprintf(yaml + n, sizeof yaml - n,
                              "  %s: {type: quasi, hierarchy: adult_hierarchy_%s.csv}\n",
                              adult_qis[i], adult_qis[i]);
    if (nq == 7)
        n += (size_t)snprintf(yaml + n, sizeof yaml - n, "  occupation: sensitive\n");
    n += (size_t)snprintf(yaml + n, sizeof yaml - n, "  salary-class: insensitive\n");
    snprintf(yaml + n, sizeof yaml - n, "%s", tail);
    struct hogo_deid_config *cfg = NULL;
    int rc = hogo_deid_config_parse(yaml, strlen(yaml), "m.yaml", fixture_dir, &cfg, err);
    if (rc == 0) {
        snprintf(csv, sizeof csv, "%s/adult_300.csv", fixture_dir);
        rc = hogo_deid_anonymize(cfg, csv, r, err);
    }
    hogo_deid_config_free(cfg);
    return rc;
}

/* The released table, parsed. */
static void released(const struct hogo_deid_result *r, struct hogo__csv *out)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    struct hogo_error err = {0};
    assert_int_equal(hogo_deid_result_write_csv(r, f, &err), 0);
    fclose(f);
    assert_int_equal(hogo__csv_parse(out, buf, len, "released.csv", 0, &err), 0);
    free(buf);
}

/* Row order of the released table sorted by the QI columns (class by class). */
static const struct hogo__csv *sort_csv;
static const int *sort_cols;
static size_t sort_ncols;
static int cmp_qi_rows(const void *x, const void *y)
{
    size_t a = *(const size_t *)x, b = *(const size_t *)y;
    for (size_t i = 0; i < sort_ncols; i++) {
        int c = strcmp(sort_csv->cells[a * sort_csv->ncols + (size_t)sort_cols[i]],
                       sort_csv->cells[b * sort_csv->ncols + (size_t)sort_cols[i]]);
        if (c)
            return c;
    }
    return 0;
}

/* One class of the released table: sensitive values of its rows. */
struct class_stats {
    size_t size, distinct;
    double entropy; /* natural log */
    double emd;     /* equal-distance EMD to the whole table's distribution */
};

/* Checks every released class of r (not suppressed) against distinct l, entropy l and t
 * (0 / 0 / -1 = not checked); returns the number of classes that violate one. */
static size_t violations(const struct hogo_deid_result *r, double ldist, double lent, double t)
{
    struct hogo__csv out;
    released(r, &out);
    int qc[8], sc = hogo__csv_column(&out, "occupation");
    assert_true(sc >= 0);
    for (size_t i = 0; i < 7; i++)
        assert_true((qc[i] = hogo__csv_column(&out, adult_qis[i])) >= 0);
    /* overall distribution of the sensitive values (all rows, as in the input) */
    struct hogo__dict vals;
    hogo__dict_init(&vals);
    double all[64] = {0};
    for (size_t i = 0; i < out.nrows; i++) {
        long id = hogo__dict_add(&vals, out.cells[i * out.ncols + (size_t)sc]);
        assert_true(id >= 0 && id < 64);
        all[id] += 1.0 / (double)out.nrows;
    }
    /* suppressed rows show "*" in every QI; when every QI is at its top level every row
     * does, and none is suppressed */
    const int *levels = NULL;
    int all_top = 1;
    assert_int_equal(hogo_deid_result_levels(r, &levels), 7);
    for (size_t a = 0; a < 7; a++)
        all_top &= levels[a] + 1 == r->hiers[a]->nlevels;
    size_t *rows = malloc(out.nrows * sizeof *rows), kept = 0;
    for (size_t i = 0; i < out.nrows; i++) {
        int star = 1;
        for (size_t a = 0; a < 7; a++)
            star &= !strcmp(out.cells[i * out.ncols + (size_t)qc[a]], "*");
        if (!star || all_top)
            rows[kept++] = i;
    }
    sort_csv = &out;
    sort_cols = qc;
    sort_ncols = 7;
    qsort(rows, kept, sizeof *rows, cmp_qi_rows);
    size_t bad = 0, classes = 0;
    for (size_t i = 0; i < kept;) {
        size_t j = i + 1;
        while (j < kept && !cmp_qi_rows(&rows[i], &rows[j]))
            j++;
        double h[64] = {0};
        for (size_t x = i; x < j; x++)
            h[hogo__dict_find(&vals, out.cells[rows[x] * out.ncols + (size_t)sc])] += 1;
        struct class_stats st = {j - i, 0, 0, 0};
        for (size_t v = 0; v < vals.n; v++) {
            double p = h[v] / (double)st.size;
            st.distinct += h[v] > 0;
            if (p > 0)
                st.entropy -= p * log(p);
            st.emd += fabs(p - all[v]) / 2;
        }
        if ((ldist > 0 && (double)st.distinct < ldist) ||
            (lent > 0 && st.entropy < log(lent) - 1e-9) || (t >= 0 && st.emd > t + 1e-9))
            bad++;
        classes++;
        i = j;
    }
    assert_true(classes > 0);
    free(rows);
    hogo__dict_release(&vals);
    hogo__csv_release(&out);
    return bad;
}

/* A model: kind 'd' distinct l, 'e' entropy l, 't' t-closeness. */
struct model {
    char kind;
    double v;
};

static void model_yaml(char *buf, size_t cap, const struct model *m, size_t n)
{
    size_t len = (size_t)snprintf(buf, cap, "models:\n  k: 2\n");
    const char *section[2] = {"l_diversity", "t_closeness"};
    for (int sct = 0; sct < 2; sct++) {
        int any = 0;
        for (size_t i = 0; i < n; i++) {
            if ((m[i].kind == 't') != sct)
                continue;
            if (!any)
                len += (size_t)snprintf(buf + len, cap - len, "  %s:\n", section[sct]);
            any = 1;
            if (sct)
                len += (size_t)snprintf(buf + len, cap - len,
                                        "    - {attribute: occupation, t: %g}\n", m[i].v);
            else
                len += (size_t)snprintf(buf + len, cap - len,
                                        "    - {attribute: occupation, l: %g, variant: %s}\n",
                                        m[i].v, m[i].kind == 'd' ? "distinct" : "entropy");
        }
    }
    snprintf(buf + len, cap - len, "suppression_limit: 0.05\nmeasure: loss\n");
}

static void check_all(const struct hogo_deid_result *r, const struct model *m, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        size_t bad = violations(r, m[i].kind == 'd' ? m[i].v : 0, m[i].kind == 'e' ? m[i].v : 0,
                                m[i].kind == 't' ? m[i].v : -1);
        if (bad)
            fail_msg("model %c %g: %zu released classes violate it", m[i].kind, m[i].v, bad);
    }
}

static void test_every_pair_of_models_on_one_attribute_is_enforced(void **state)
{
    (void)state;
    /* each kind twice (a strict and a loose value) so that same-kind pairs occur, given in
     * both orders: the old code kept only the last model of an attribute */
    static const struct model pool[] = {{'d', 5}, {'d', 2}, {'e', 4}, {'e', 2},
                                        {'t', 0.15}, {'t', 0.4}};
    size_t np = sizeof pool / sizeof pool[0], pairs = 0, stricter = 0;
    for (size_t a = 0; a < np; a++)
        for (size_t b = 0; b < np; b++) {
            if (a == b)
                continue;
            struct model m[2] = {pool[a], pool[b]};
            char yaml[1024];
            struct hogo_error err = {0};
            struct hogo_deid_result *r = NULL, *ra = NULL, *rb = NULL;
            model_yaml(yaml, sizeof yaml, m, 2);
            assert_int_equal(run_adult(7, yaml, &r, &err), 0);
            check_all(r, m, 2);
            /* the pair is at least as costly as each model alone */
            model_yaml(yaml, sizeof yaml, &m[0], 1);
            assert_int_equal(run_adult(7, yaml, &ra, &err), 0);
            model_yaml(yaml, sizeof yaml, &m[1], 1);
            assert_int_equal(run_adult(7, yaml, &rb, &err), 0);
            double l = hogo_deid_result_loss(r), la = hogo_deid_result_loss(ra),
                   lb = hogo_deid_result_loss(rb);
            assert_true(l >= la - 1e-12 && l >= lb - 1e-12);
            stricter += l > la + 1e-12 || l > lb + 1e-12;
            pairs++;
            hogo_deid_result_free(r);
            hogo_deid_result_free(ra);
            hogo_deid_result_free(rb);
        }
    assert_int_equal(pairs, 30);
    assert_true(stricter > 0); /* some pair costs more than one of its models alone */
}

static void test_three_models_and_the_report_lists_each(void **state)
{
    (void)state;
    struct model m[3] = {{'d', 4}, {'e', 3}, {'t', 0.3}};
    char yaml[1024];
    struct hogo_error err = {0};
    struct hogo_deid_result *r = NULL;
    model_yaml(yaml, sizeof yaml, m, 3);
    assert_int_equal(run_adult(7, yaml, &r, &err), 0);
    check_all(r, m, 3);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_int_equal(hogo_deid_result_write_report(r, f, &err), 0);
    fclose(f);
    assert_non_null(strstr(buf, "\"distinct\""));
    assert_non_null(strstr(buf, "\"entropy\""));
    assert_non_null(strstr(buf, "\"t_closeness\": 0.2") || strstr(buf, "\"t_closeness\": 0.3"));
    assert_non_null(strstr(buf, "\"all_hold\": true"));
    free(buf);
    hogo_deid_result_free(r);
}

static void release_everything(struct hogo_deid_result *r)
{
    for (size_t a = 0; a < r->q; a++)
        r->levels[a] = 0;
    for (size_t i = 0; i < r->csv.nrows; i++)
        r->rsize[i] = 1;
}

static void unsuppress_one(struct hogo_deid_result *r)
{
    for (size_t i = 0; i < r->csv.nrows; i++)
        if (!r->rsize[i]) {
            r->rsize[i] = 1;
            return;
        }
}

static void test_failed_recheck_releases_nothing(void **state)
{
    (void)state;
    char yaml[4096], csv[1200];
    size_t n = (size_t)snprintf(yaml, sizeof yaml, "attributes:\n");
    for (size_t i = 0; i < 8; i++)
        n += (size_t)snprintf(yaml + n, sizeof yaml - n,
                              "  %s: {type: quasi, hierarchy: adult_hierarchy_%s.csv}\n",
                              adult_qis[i], adult_qis[i]);
    snprintf(yaml + n, sizeof yaml - n, "  salary-class: insensitive\nmodels: {k: 5}\n"
                                        "suppression_limit: 0.04\nmeasure: loss\n");
    snprintf(csv, sizeof csv, "%s/adult_300.csv", fixture_dir);
    struct hogo_deid_config *cfg = NULL;
    struct hogo_error err = {0};
    assert_int_equal(hogo_deid_config_parse(yaml, strlen(yaml), "m.yaml", fixture_dir, &cfg, &err), 0);
    struct hogo_deid_result *r = NULL;
    /* untouched: released */
    assert_int_equal(hogo__deid_anonymize(cfg, csv, NULL, &r, &err), 0);
    assert_non_null(r);
    assert_true(hogo_deid_result_suppressed(r) > 0);
    hogo_deid_result_free(r);
    r = NULL;
    /* a corrupted result: refused, with the reason, and no result */
    assert_int_equal(hogo__deid_anonymize(cfg, csv, release_everything, &r, &err), HOGO_ETAMPER);
    assert_null(r);
    assert_non_null(strstr(err.message, "re-check"));
    assert_non_null(strstr(err.message, "fewer than k = 5"));
    hogo_error_clear(&err);
    assert_int_equal(hogo__deid_anonymize(cfg, csv, unsuppress_one, &r, &err), HOGO_ETAMPER);
    assert_null(r);
    assert_non_null(strstr(err.message, "not"));
    hogo_deid_config_free(cfg);
}

/* ---- entropy with suppression, computed from the released table ---- */

/* Reads a ';' hierarchy file: value -> label at level. Returns an allocated label or NULL. */
static char *hier_label(const char *attr, const char *value, int level)
{
    char path[1400], line[1024];
    snprintf(path, sizeof path, "%s/adult_hierarchy_%s.csv", fixture_dir, attr);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char *res = NULL;
    while (!res && fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = 0;
        char *save = NULL, *tok = strtok_r(line, ";", &save);
        if (!tok || strcmp(tok, value))
            continue;
        for (int l = 0; l < level && tok; l++)
            tok = strtok_r(NULL, ";", &save);
        assert_non_null(tok);
        res = strdup(tok);
    }
    fclose(f);
    return res;
}

/* Counts of strings. */
struct counts {
    char *s[4096];
    double c[4096];
    size_t n;
};

static void count_add(struct counts *k, const char *s, double by)
{
    for (size_t i = 0; i < k->n; i++)
        if (!strcmp(k->s[i], s)) {
            k->c[i] += by;
            return;
        }
    assert_true(k->n < 4096);
    k->s[k->n] = strdup(s);
    k->c[k->n++] = by;
}

static double count_of(const struct counts *k, const char *s)
{
    for (size_t i = 0; i < k->n; i++)
        if (!strcmp(k->s[i], s))
            return k->c[i];
    return 0;
}

static void counts_free(struct counts *k)
{
    for (size_t i = 0; i < k->n; i++)
        free(k->s[i]);
    k->n = 0;
}

/* The three definitions at the levels r chose, from the input, the hierarchy files and the
 * released table. Released rows show their generalised labels and suppressed rows show "*"
 * everywhere, so the labels of the suppressed rows are, as a multiset, those of all input
 * rows minus those of the released rows (whatever the row order). */
static void entropy_by_hand(const struct hogo_deid_result *r, double *inside, double *ignore,
                            double *root)
{
    struct hogo__csv in, out;
    struct hogo_error err = {0};
    char path[1200];
    snprintf(path, sizeof path, "%s/adult_300.csv", fixture_dir);
    assert_int_equal(hogo__csv_load(&in, path, 0, &err), 0);
    released(r, &out);
    assert_int_equal(in.nrows, out.nrows);
    const int *levels = NULL;
    size_t q = hogo_deid_result_levels(r, &levels);
    assert_int_equal(q, 8);
    int all_top = 1;
    for (size_t a = 0; a < q; a++)
        all_top &= levels[a] + 1 == r->hiers[a]->nlevels;
    assert_false(all_top);
    int oc[8];
    for (size_t a = 0; a < q; a++)
        assert_true((oc[a] = hogo__csv_column(&out, r->csv.header[r->qcols[a]])) >= 0);
    char *is_sup = calloc(out.nrows, 1);
    double S = 0;
    for (size_t i = 0; i < out.nrows; i++) {
        is_sup[i] = 1;
        for (size_t a = 0; a < q; a++)
            if (strcmp(out.cells[i * out.ncols + (size_t)oc[a]], "*"))
                is_sup[i] = 0;
        S += is_sup[i];
    }
    assert_true(S > 0); /* the case must suppress something */
    double n = (double)in.nrows, nue = 0, extra_inside = 0, extra_root = 0;
    static struct counts orig, gen, rel;
    for (size_t a = 0; a < q; a++) {
        const char *attr = r->csv.header[r->qcols[a]];
        int ic = hogo__csv_column(&in, attr);
        assert_true(ic >= 0);
        for (size_t i = 0; i < in.nrows; i++) {
            const char *v = in.cells[i * in.ncols + (size_t)ic];
            char *lab = hier_label(attr, v, levels[a]);
            assert_non_null(lab);
            count_add(&orig, v, 1);
            count_add(&gen, lab, 1);
            free(lab);
        }
        for (size_t i = 0; i < in.nrows; i++) {
            const char *v = in.cells[i * in.ncols + (size_t)ic];
            char *lab = hier_label(attr, v, levels[a]);
            nue += log2(count_of(&gen, lab) / count_of(&orig, v));
            free(lab);
            if (!is_sup[i])
                count_add(&rel, out.cells[i * out.ncols + (size_t)oc[a]], 1);
        }
        for (size_t v = 0; v < gen.n; v++) {
            double c = gen.c[v] - count_of(&rel, gen.s[v]); /* suppressed rows with label v */
            assert_true(c >= 0);
            if (c > 0) {
                extra_inside += c * log2(S / c);
                extra_root += c * log2(n / gen.c[v]);
            }
        }
        counts_free(&orig);
        counts_free(&gen);
        counts_free(&rel);
    }
    *ignore = nue;
    *inside = nue + extra_inside;
    *root = nue + extra_root;
    free(is_sup);
    hogo__csv_release(&in);
    hogo__csv_release(&out);
}

static void test_entropy_with_suppression_matches_hand_computation(void **state)
{
    (void)state;
    static const char *const names[] = {"entropy", "monotonic_entropy",
                                        "entropy_suppressed_as_root"};
    double got[3], want[3][3];
    for (int v = 0; v < 3; v++) {
        char tail[256];
        snprintf(tail, sizeof tail, "models: {k: 5}\nsuppression_limit: 0.04\n"
                                    "measure: {name: %s, aggregate: sum}\n", names[v]);
        struct hogo_deid_result *r = NULL;
        struct hogo_error err = {0};
        assert_int_equal(run_adult(8, tail, &r, &err), 0);
        got[v] = hogo_deid_result_loss(r);
        entropy_by_hand(r, &want[v][0], &want[v][1], &want[v][2]);
        if (fabs(got[v] - want[v][v]) > 1e-6 * want[v][v])
            fail_msg("%s: hogo %.9g, by hand %.9g", names[v], got[v], want[v][v]);
        /* the default is ARX's default: more than the monotonic value when rows are
         * suppressed, less than charging them as fully generalised */
        assert_true(want[v][1] < want[v][0] && want[v][0] < want[v][2]);
        hogo_deid_result_free(r);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_pair_of_models_on_one_attribute_is_enforced),
        cmocka_unit_test(test_three_models_and_the_report_lists_each),
        cmocka_unit_test(test_failed_recheck_releases_nothing),
        cmocka_unit_test(test_entropy_with_suppression_matches_hand_computation),
    };
    return cmocka_run_group_tests(tests, setup_dirs, NULL);
}
