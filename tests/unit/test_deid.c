/*
 * Unit tests of tabular anonymisation (lib/deid): CSV and config errors, hierarchies, every
 * privacy model and measure on a small hand-computed table, and property tests comparing the
 * lattice search with exhaustive search and re-checking every output independently.
 * Test layer. Fixtures live in tests/deid/ (run with cwd = repository root or
 * HOGO_SOURCE_DIR set).
 *
 * The hand-computed table (tests/deid/small.csv), QIs age (built-in: value, 5-year band,
 * 年代, *) and sex (M/F -> *), sensitive disease:
 *
 *   age sex disease       (1,1) = 5-year band, *      (2,0) = 年代, sex kept
 *   23  M   flu           20-24 *                     20代 M
 *   27  M   cold          25-29 *                     20代 M
 *   24  F   flu           20-24 *                     20代 F
 *   26  F   cancer        25-29 *                     20代 F
 *   33  M   flu           30-34 *                     30代 M
 *   38  M   cold          35-39 *                     30代 M
 *   31  F   cold          30-34 *                     30代 F
 *   36  F   flu           35-39 *                     30代 F
 *
 * k=2: (0,*) and (1,0) fail (all classes of size 1); (1,1) and (2,0) hold (4 classes of 2).
 * Distinct 2-diversity: (1,1) fails (20-24 = {flu, flu}); (2,0) holds.
 * Non-uniform entropy: age level 1: every age (count 1) goes to a band of 2 -> log2(2/1) = 1
 * per record = 8; level 2: band of 4 -> 2 per record = 16. sex level 1: 4 -> 8, 1 per record
 * = 8. So (1,1) = 8 + 8 = 16 and (2,0) = 16 + 0 = 16.
 * Loss: the built-in age domain is the 8 distinct ages; share at level 1 = 2/8, level 2 = 4/8.
 * Per attribute (sum of shares - n/|dom|) / (n - n/|dom|): age level 1: (2 - 1)/7 = 1/7,
 * level 2: (4 - 1)/7 = 3/7, level 3: 1; sex level 1: (8 - 4)/(8 - 4) = 1.
 * Geometric mean ((prod(v+1))^(1/2) - 1): (1,1) = sqrt(8/7 * 2) - 1 = 0.511858;
 * (2,0) = sqrt(10/7) - 1 = 0.195229; (3,0) = sqrt(2) - 1 = 0.414214;
 * (2,1) = sqrt(20/7) - 1 = 0.690309.
 * Discernibility: 4 classes of 2 = 4 * 2^2 = 16 for both (1,1) and (2,0).
 * Precision (arithmetic mean of level/(height-1)): (1,1) = (1/3 + 1)/2 = 2/3; (2,0) = 1/3.
 * t-closeness (equal-distance EMD = half the L1 distance to flu 4/8, cold 3/8, cancer 1/8):
 * at (2,0) the class 20代 F = {flu, cancer} is at 0.5 * (0 + 3/8 + 3/8) = 0.375, the others at
 * 0.125; at (3,0) and (2,1) every class is at 0.125. With t = 0.3 the optimum under loss is
 * (3,0) = 0.414214.
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
#include <unistd.h>

/* Compares doubles (cmocka's assert_float_equal works in float). */
#define assert_close(a, b, eps)                                                               \
    do {                                                                                      \
        double a_ = (a), b_ = (b);                                                            \
        if (fabs(a_ - b_) > (eps))                                                            \
            fail_msg("%.12g != %.12g", a_, b_);                                               \
    } while (0)

static char fixture_dir[1024];

static const char *fixture(const char *name)
{
    static char buf[4][1200];
    static int i;
    i = (i + 1) % 4;
    snprintf(buf[i], sizeof buf[i], "%s/%s", fixture_dir, name);
    return buf[i];
}

static int setup_dirs(void **state)
{
    (void)state;
    const char *src = getenv("HOGO_SOURCE_DIR");
    snprintf(fixture_dir, sizeof fixture_dir, "%s/tests/deid", src && *src ? src : ".");
    return 0;
}

/* Reads CSV text as the anonymiser does (dictionary codes), through a temporary file. */
static void coded_from_text(struct hogo__coded *t, const char *text, size_t len)
{
    char path[] = "/tmp/hogo-coded-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, len), (ssize_t)len);
    close(fd);
    struct hogo_error err = {0};
    assert_int_equal(hogo__coded_load(t, path, 0, NULL, &err), 0);
    unlink(path);
}

/* Builds the encoded small table (age built-in, sex from file, disease sensitive). */
struct small {
    struct hogo__csv csv;
    struct hogo__coded coded;
    struct hogo__hier age, sex;
    struct hogo__enc enc;
};

static void small_load(struct small *s)
{
    struct hogo_error err = {0};
    assert_int_equal(hogo__csv_load(&s->csv, fixture("small.csv"), 0, &err), 0);
    char *ages[8];
    for (int i = 0; i < 8; i++)
        ages[i] = s->csv.cells[(size_t)i * s->csv.ncols + 1];
    assert_int_equal(hogo__hier_builtin(&s->age, "age", ages, 8, &err), 0);
    assert_int_equal(hogo__hier_load(&s->sex, fixture("sex_hierarchy.csv"), &err), 0);
    struct hogo__hier *h[2] = {&s->age, &s->sex};
    int q[2] = {1, 2}, sc[1] = {3};
    assert_int_equal(hogo__coded_load(&s->coded, fixture("small.csv"), 0, NULL, &err), 0);
    assert_int_equal(hogo__enc_build(&s->enc, &s->coded, q, h, 2, sc, 1, &err), 0);
}

static void small_free(struct small *s)
{
    hogo__enc_release(&s->enc);
    hogo__coded_release(&s->coded);
    hogo__hier_release(&s->age);
    hogo__hier_release(&s->sex);
    hogo__csv_release(&s->csv);
}

static struct hogo__models models(int k, int ldiv, double l, double t, int measure, int agg)
{
    struct hogo__models m;
    memset(&m, 0, sizeof m);
    m.k = k;
    m.nsm = 1;
    m.ldistinct[0] = ldiv == HOGO__LDIV_DISTINCT ? l : 0;
    m.lentropy[0] = ldiv == HOGO__LDIV_ENTROPY ? l : 0;
    m.t[0] = t;
    m.measure = measure;
    m.aggregate = agg;
    m.gs_factor = 0.5;
    return m;
}

static struct hogo__eval eval_at(struct small *s, const struct hogo__models *m, int a, int b)
{
    struct hogo__engine *g = NULL;
    struct hogo_error err = {0};
    assert_int_equal(hogo__engine_new(&g, &s->enc, m, &err), 0);
    int lv[2] = {a, b};
    struct hogo__eval ev;
    hogo__engine_eval(g, lv, &ev);
    hogo__engine_free(g);
    return ev;
}

static void test_builtin_age_hierarchy_has_band_and_decade(void **state)
{
    (void)state;
    struct small s;
    small_load(&s);
    long r = hogo__dict_find(&s.age.index, "27");
    assert_true(r >= 0);
    assert_string_equal(hogo__hier_label(&s.age, (size_t)r, 1), "25-29");
    assert_string_equal(hogo__hier_label(&s.age, (size_t)r, 2), "20代");
    assert_string_equal(hogo__hier_label(&s.age, (size_t)r, 3), "*");
    small_free(&s);
}

static void test_k_anonymity_by_hand(void **state)
{
    (void)state;
    struct small s;
    small_load(&s);
    struct hogo__models m = models(2, HOGO__LDIV_NONE, 0, -1, HOGO__M_LOSS, HOGO__AGG_GEOMEAN);
    assert_false(eval_at(&s, &m, 0, 1).anonymous);
    assert_false(eval_at(&s, &m, 1, 0).anonymous);
    struct hogo__eval e11 = eval_at(&s, &m, 1, 1), e20 = eval_at(&s, &m, 2, 0);
    assert_true(e11.anonymous);
    assert_true(e20.anonymous);
    assert_int_equal(e11.classes, 4);
    assert_int_equal(e20.classes, 4);
    small_free(&s);
}

static void test_l_diversity_distinct_and_entropy_by_hand(void **state)
{
    (void)state;
    struct small s;
    small_load(&s);
    struct hogo__models m = models(2, HOGO__LDIV_DISTINCT, 2, -1, HOGO__M_LOSS, HOGO__AGG_GEOMEAN);
    assert_false(eval_at(&s, &m, 1, 1).anonymous); /* 20-24 = {flu, flu} */
    assert_true(eval_at(&s, &m, 2, 0).anonymous);
    m = models(1, HOGO__LDIV_ENTROPY, 2, -1, HOGO__M_LOSS, HOGO__AGG_GEOMEAN);
    assert_true(eval_at(&s, &m, 2, 0).anonymous); /* every class: 2 values, entropy ln 2 */
    m = models(1, HOGO__LDIV_ENTROPY, 3, -1, HOGO__M_LOSS, HOGO__AGG_GEOMEAN);
    assert_false(eval_at(&s, &m, 2, 0).anonymous);
    small_free(&s);
}

static void test_t_closeness_by_hand(void **state)
{
    (void)state;
    struct small s;
    small_load(&s);
    struct hogo__models m = models(1, HOGO__LDIV_NONE, 0, 0.3, HOGO__M_LOSS, HOGO__AGG_GEOMEAN);
    assert_false(eval_at(&s, &m, 2, 0).anonymous); /* 20代 F at 0.375 */
    assert_true(eval_at(&s, &m, 3, 0).anonymous);
    assert_true(eval_at(&s, &m, 2, 1).anonymous);
    m.t[0] = 0.375;
    assert_true(eval_at(&s, &m, 2, 0).anonymous);
    small_free(&s);
}

static void test_measures_by_hand(void **state)
{
    (void)state;
    struct small s;
    small_load(&s);
    struct hogo__models m = models(2, HOGO__LDIV_NONE, 0, -1, HOGO__M_ENTROPY, HOGO__AGG_SUM);
    assert_close(eval_at(&s, &m, 1, 1).loss, 16.0, 1e-9);
    assert_close(eval_at(&s, &m, 2, 0).loss, 16.0, 1e-9);
    m.measure = HOGO__M_LOSS;
    m.aggregate = HOGO__AGG_GEOMEAN;
    assert_close(eval_at(&s, &m, 1, 1).loss, sqrt(16.0 / 7.0) - 1, 1e-9);
    assert_close(eval_at(&s, &m, 2, 0).loss, sqrt(10.0 / 7.0) - 1, 1e-9);
    m.aggregate = HOGO__AGG_ARITH;
    assert_close(eval_at(&s, &m, 2, 0).loss, 3.0 / 14.0, 1e-9);
    m.measure = HOGO__M_DISCERNIBILITY;
    assert_close(eval_at(&s, &m, 1, 1).loss, 16.0, 1e-9);
    m.measure = HOGO__M_PRECISION;
    assert_close(eval_at(&s, &m, 1, 1).loss, 2.0 / 3.0, 1e-9);
    assert_close(eval_at(&s, &m, 2, 0).loss, 1.0 / 3.0, 1e-9);
    /* Suppression: at (0,0) with k=2 every row is suppressed; discernibility = 8 rows * n. */
    m = models(2, HOGO__LDIV_NONE, 0, -1, HOGO__M_DISCERNIBILITY, HOGO__AGG_SUM);
    m.max_outliers = 8;
    struct hogo__eval e = eval_at(&s, &m, 0, 0);
    assert_true(e.anonymous);
    assert_int_equal(e.suppressed, 8);
    assert_close(e.loss, 64.0, 1e-9);
    small_free(&s);
}

static void test_search_finds_hand_computed_optimum(void **state)
{
    (void)state;
    struct hogo_error err = {0};
    struct hogo_deid_config *cfg = NULL;
    struct hogo_deid_result *r = NULL;
    assert_int_equal(hogo_deid_config_load(fixture("small.yaml"), &cfg, &err), 0);
    assert_int_equal(hogo_deid_anonymize(cfg, fixture("small.csv"), &r, &err), 0);
    const int *lv;
    assert_int_equal(hogo_deid_result_levels(r, &lv), 2);
    assert_int_equal(lv[0], 2);
    assert_int_equal(lv[1], 0);
    assert_close(hogo_deid_result_loss(r), sqrt(10.0 / 7.0) - 1, 1e-9);
    assert_int_equal(hogo_deid_result_classes(r), 4);
    assert_int_equal(hogo_deid_result_suppressed(r), 0);
    assert_true(hogo_deid_result_models_hold(r));
    assert_close(r->risk_prosecutor_max, 0.5, 1e-12);
    assert_int_equal(r->hist[1], 4); /* four classes in the 2-4 bucket */
    /* Output: name dropped, ages as 年代. */
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_int_equal(hogo_deid_result_write_csv(r, f, &err), 0);
    fclose(f);
    assert_null(strstr(buf, "佐藤"));
    assert_non_null(strstr(buf, "age,sex,disease\n"));
    assert_non_null(strstr(buf, "\n20代,M,flu\n")); /* rows in a random order */
    free(buf);
    hogo_deid_result_free(r);
    hogo_deid_config_free(cfg);
}

static void test_t_closeness_optimum_via_config(void **state)
{
    (void)state;
    const char *yaml = "attributes:\n  name: identifying\n"
                       "  age: {type: quasi, hierarchy: builtin:age}\n"
                       "  sex: {type: quasi, hierarchy: sex_hierarchy.csv}\n"
                       "  disease: sensitive\n"
                       "models:\n  t_closeness: {attribute: disease, t: 0.3}\n"
                       "measure: loss\n";
    struct hogo_error err = {0};
    struct hogo_deid_config *cfg = NULL;
    struct hogo_deid_result *r = NULL;
    assert_int_equal(hogo_deid_config_parse(yaml, strlen(yaml), "t.yaml", fixture_dir, &cfg, &err), 0);
    assert_int_equal(hogo_deid_anonymize(cfg, fixture("small.csv"), &r, &err), 0);
    const int *lv;
    hogo_deid_result_levels(r, &lv);
    assert_int_equal(lv[0], 3);
    assert_int_equal(lv[1], 0);
    assert_close(hogo_deid_result_loss(r), sqrt(2.0) - 1, 1e-9);
    hogo_deid_result_free(r);
    hogo_deid_config_free(cfg);
}

/* ---- property tests ---- */

static uint64_t rng = 0x2545F4914F6CDD1Dull;
static unsigned rnd(unsigned n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (unsigned)(rng % n);
}

static void test_search_matches_exhaustive_and_outputs_recheck(void **state)
{
    (void)state;
    static const char *const pref[] = {"東京都新宿区西新宿1-1", "東京都渋谷区神南1-2",
                                       "大阪府大阪市北区梅田1-3", "京都府京都市左京区1-4",
                                       "北海道札幌市中央区1-5", "福岡県福岡市博多区1-6"};
    for (int iter = 0; iter < 60; iter++) {
        char text[16384];
        size_t n = 20 + rnd(60), len;
        len = (size_t)snprintf(text, sizeof text, "age,address,sex,d1\n");
        for (size_t i = 0; i < n; i++)
            len += (size_t)snprintf(text + len, sizeof text - len, "%u,%s,%s,v%u\n",
                                    18 + rnd(50), pref[rnd(6)], rnd(2) ? "M" : "F", rnd(4));
        struct hogo__csv csv;
        struct hogo_error err = {0};
        assert_int_equal(hogo__csv_parse(&csv, text, len, "prop.csv", 0, &err), 0);
        struct hogo__hier h[3];
        struct hogo__hier *hp[3] = {&h[0], &h[1], &h[2]};
        static const char *const kinds[3] = {"age", "address", NULL};
        for (int a = 0; a < 3; a++) {
            struct hogo__dict d;
            hogo__dict_init(&d);
            for (size_t r = 0; r < n; r++)
                hogo__dict_add(&d, csv.cells[r * 4 + (size_t)a]);
            if (kinds[a]) {
                assert_int_equal(hogo__hier_builtin(&h[a], kinds[a], d.keys, d.n, &err), 0);
            } else {
                char *cells[4] = {"M", "*", "F", "*"};
                assert_int_equal(hogo__hier_from_rows(&h[a], "sex", cells, 2, 2, &err), 0);
            }
            hogo__dict_release(&d);
        }
        int q[3] = {0, 1, 2}, sc[1] = {3};
        struct hogo__enc enc;
        struct hogo__coded coded;
        coded_from_text(&coded, text, len);
        assert_int_equal(hogo__enc_build(&enc, &coded, q, hp, 3, sc, 1, &err), 0);
        hogo__coded_release(&coded);
        struct hogo__models m = models(2 + (int)rnd(4), (int)rnd(3), 2, rnd(3) ? -1 : 0.4,
                                       (int)rnd(4), (int)rnd(4));
        m.max_outliers = rnd(2) ? 0 : n / 10;
        struct hogo__engine *g1 = NULL, *g2 = NULL;
        assert_int_equal(hogo__engine_new(&g1, &enc, &m, &err), 0);
        assert_int_equal(hogo__engine_new(&g2, &enc, &m, &err), 0);
        struct hogo__search s1, s2;
        assert_int_equal(hogo__engine_search(g1, &s1, &err), 0);
        assert_int_equal(hogo__engine_search_exhaustive(g2, &s2, &err), 0);
        assert_int_equal(s1.found, s2.found);
        if (s1.found) {
            assert_close(s1.best.loss, s2.best.loss, 1e-9 * (1 + fabs(s2.best.loss)));
            uint32_t *sizes = calloc(n, sizeof *sizes);
            hogo__engine_row_classes(g1, s1.levels, sizes);
            assert_true(hogo__models_recheck(&enc, &m, s1.levels, sizes));
            size_t sup = 0;
            for (size_t r = 0; r < n; r++)
                sup += sizes[r] == 0;
            assert_int_equal(sup, s1.best.suppressed);
            free(sizes);
        }
        hogo__engine_free(g1);
        hogo__engine_free(g2);
        hogo__enc_release(&enc);
        for (int a = 0; a < 3; a++)
            hogo__hier_release(&h[a]);
        hogo__csv_release(&csv);
    }
}

static void test_adult_sample_search_matches_exhaustive(void **state)
{
    (void)state;
    /* 300 Adult rows, 8 QIs with ARX's hierarchies: 6,480 transformations. */
    char yaml[4096];
    static const char *const q[] = {"age", "education", "marital-status", "native-country",
                                    "occupation", "race", "sex", "workclass"};
    size_t n = (size_t)snprintf(yaml, sizeof yaml, "attributes:\n");
    for (int i = 0; i < 8; i++)
        n += (size_t)snprintf(yaml + n, sizeof yaml - n,
                              "  %s: {type: quasi, hierarchy: adult_hierarchy_%s.csv}\n", q[i], q[i]);
    snprintf(yaml + n, sizeof yaml - n, "  salary-class: insensitive\n"
                                        "models: {k: 3}\nmeasure: {name: entropy}\n");
    struct hogo_error err = {0};
    struct hogo_deid_config *cfg = NULL;
    struct hogo_deid_result *r = NULL;
    assert_int_equal(hogo_deid_config_parse(yaml, strlen(yaml), "adult.yaml", fixture_dir, &cfg, &err), 0);
    assert_int_equal(hogo_deid_anonymize(cfg, fixture("adult_300.csv"), &r, &err), 0);
    assert_true(hogo_deid_result_models_hold(r));
    /* Compare with exhaustive search on the same encoding. */
    struct hogo__enc enc;
    /* the same encoding, built again from the file */
    struct hogo__coded coded;
    assert_int_equal(hogo__coded_load(&coded, fixture("adult_300.csv"), 0, NULL, &err), 0);
    assert_int_equal(hogo__enc_build(&enc, &coded, r->qcols, r->hiers, r->q, NULL, 0, &err), 0);
    hogo__coded_release(&coded);
    struct hogo__engine *g = NULL;
    assert_int_equal(hogo__engine_new(&g, &enc, &r->models, &err), 0);
    struct hogo__search ex;
    assert_int_equal(hogo__engine_search_exhaustive(g, &ex, &err), 0);
    assert_true(ex.found);
    assert_close(ex.best.loss, hogo_deid_result_loss(r), 1e-6);
    assert_memory_equal(ex.levels, r->levels, sizeof(int) * 8);
    assert_true(r->search.checked < ex.checked / 4);
    hogo__engine_free(g);
    hogo__enc_release(&enc);
    hogo_deid_result_free(r);
    hogo_deid_config_free(cfg);
}

static void adult_300_encoding(struct hogo_deid_result **r, struct hogo__enc *enc, int nine,
                               const char *models_and_measure)
{
    char yaml[4096];
    static const char *const q[] = {"age",        "education", "marital-status",
                                    "native-country", "occupation", "race",
                                    "sex",        "workclass", "salary-class"};
    size_t n = (size_t)snprintf(yaml, sizeof yaml, "attributes:\n");
    for (int i = 0; i < (nine ? 9 : 8); i++)
        n += (size_t)snprintf(yaml + n, sizeof yaml - n,
                              "  %s: {type: quasi, hierarchy: adult_hierarchy_%s.csv}\n", q[i], q[i]);
    snprintf(yaml + n, sizeof yaml - n, "%s%s", nine ? "" : "  salary-class: insensitive\n",
             models_and_measure);
    struct hogo_error err = {0};
    struct hogo_deid_config *cfg = NULL;
    assert_int_equal(hogo_deid_config_parse(yaml, strlen(yaml), "adult.yaml", fixture_dir, &cfg, &err), 0);
    assert_int_equal(hogo_deid_anonymize(cfg, fixture("adult_300.csv"), r, &err), 0);
    hogo_deid_config_free(cfg);
    struct hogo__coded coded;
    assert_int_equal(hogo__coded_load(&coded, fixture("adult_300.csv"), 0, NULL, &err), 0);
    assert_int_equal(
        hogo__enc_build(enc, &coded, (*r)->qcols, (*r)->hiers, (*r)->q, NULL, 0, &err), 0);
    hogo__coded_release(&coded);
}

static void test_rolled_up_classes_equal_direct_computation_on_every_node(void **state)
{
    (void)state;
    /* Every transformation of the 8-QI Adult lattice, visited in a scrambled order so that
     * roll-ups come from many different cached nodes and stepping stones, dense and hashed
     * counting both occur: classes, suppression and measure must equal the reference. */
    struct hogo_deid_result *r = NULL;
    struct hogo__enc enc;
    adult_300_encoding(&r, &enc, 0, "models: {k: 3}\nsuppression_limit: 0.02\n"
                                    "measure: {name: entropy}\n");
    struct hogo__models m = r->models;
    struct hogo__engine *fast = NULL, *ref = NULL;
    struct hogo_error err = {0};
    assert_int_equal(hogo__engine_new(&fast, &enc, &m, &err), 0);
    assert_int_equal(hogo__engine_new(&ref, &enc, &m, &err), 0);
    hogo__engine_set_reference(ref, 1);
    size_t nodes = 1;
    for (size_t a = 0; a < enc.q; a++)
        nodes *= (size_t)enc.height[a];
    assert_int_equal(nodes, 6480);
    size_t anonymous = 0;
    for (size_t i = 0; i < nodes; i++) {
        size_t idx = (i * 2029) % nodes; /* 2029 is prime to 6480: a permutation */
        int lv[8];
        for (size_t a = enc.q, rest = idx; a-- > 0;) {
            lv[a] = (int)(rest % (size_t)enc.height[a]);
            rest /= (size_t)enc.height[a];
        }
        struct hogo__eval f, x;
        hogo__engine_eval(fast, lv, &f);
        hogo__engine_eval(ref, lv, &x);
        assert_int_equal(f.anonymous, x.anonymous);
        if (f.anonymous) {
            assert_int_equal(f.classes, x.classes);
            assert_int_equal(f.suppressed, x.suppressed);
            assert_close(f.loss, x.loss, 1e-9 * (1 + fabs(x.loss)));
        } else {
            /* the fast path stops counting once the limit is passed */
            assert_true(f.suppressed > m.max_outliers && f.suppressed <= x.suppressed);
        }
        anonymous += (size_t)f.anonymous;
    }
    assert_true(anonymous > 0 && anonymous < nodes);
    hogo__engine_free(fast);
    hogo__engine_free(ref);
    hogo__enc_release(&enc);
    hogo_deid_result_free(r);
}

static void test_adult_sample_nine_qis_with_suppression_matches_exhaustive(void **state)
{
    (void)state;
    /* Case (b) of the benchmark on 300 rows: 12,960 transformations, loss is not monotone
     * under suppression, so many nodes are computed. */
    struct hogo_deid_result *r = NULL;
    struct hogo__enc enc;
    adult_300_encoding(&r, &enc, 1, "models: {k: 5}\nsuppression_limit: 0.04\n"
                                    "measure: {name: loss, gs_factor: 0.5, "
                                    "aggregate: geometric_mean}\n");
    assert_true(hogo_deid_result_models_hold(r));
    struct hogo__engine *g = NULL;
    struct hogo_error err = {0};
    assert_int_equal(hogo__engine_new(&g, &enc, &r->models, &err), 0);
    struct hogo__search ex;
    assert_int_equal(hogo__engine_search_exhaustive(g, &ex, &err), 0);
    assert_int_equal(ex.nodes, 12960);
    assert_true(ex.found);
    assert_close(ex.best.loss, hogo_deid_result_loss(r), 1e-9);
    assert_int_equal(ex.best.suppressed, hogo_deid_result_suppressed(r));
    hogo__engine_free(g);
    hogo__enc_release(&enc);
    hogo_deid_result_free(r);
}

static void test_cells_are_encoded_by_their_whole_bytes(void **state)
{
    (void)state;
    /* Values that share their first and last 8 bytes and their length, lengths 0, 8, 9, 16
     * and 17, and a quoted value: each must get its own hierarchy row. */
    static const char *const vals[] = {"",
                                       "abcdefgh",
                                       "abcdefghi",
                                       "abcdefgh12345678",
                                       "abcdefgh-X-12345678",
                                       "abcdefgh-Y-12345678",
                                       "abcdefgh-Y-1234567",
                                       "a,b"};
    const size_t nv = sizeof vals / sizeof *vals;
    char text[2048];
    size_t len = (size_t)snprintf(text, sizeof text, "v,w\n");
    for (size_t i = 0; i < 3 * nv; i++) {
        size_t v = (i * 5) % nv;
        len += (size_t)snprintf(text + len, sizeof text - len, "%s%s%s,%zu\n",
                                v == nv - 1 ? "\"" : "", vals[v], v == nv - 1 ? "\"" : "", v);
    }
    struct hogo__csv csv;
    struct hogo_error err = {0};
    assert_int_equal(hogo__csv_parse(&csv, text, len, "spans.csv", ',', &err), 0);
    char *cells[2 * 8];
    for (size_t v = 0; v < nv; v++) {
        cells[2 * v] = (char *)vals[v];
        cells[2 * v + 1] = "*";
    }
    struct hogo__hier h;
    assert_int_equal(hogo__hier_from_rows(&h, "spans", cells, nv, 2, &err), 0);
    struct hogo__hier *hp[1] = {&h};
    int q[1] = {0}, sc[1] = {1};
    struct hogo__enc enc;
    struct hogo__coded coded;
    coded_from_text(&coded, text, len);
    assert_int_equal(hogo__enc_build(&enc, &coded, q, hp, 1, sc, 1, &err), 0);
    hogo__coded_release(&coded);
    assert_int_equal(enc.scard[0], nv);
    for (size_t r = 0; r < csv.nrows; r++) {
        uint64_t key = enc.tkey[enc.row_tuple[r]];
        uint64_t id = (key >> enc.shift[0]) & ((1ull << enc.bits[0]) - 1);
        assert_string_equal(hogo__hier_label(&h, (size_t)id, 0), csv.cells[r * 2]);
        assert_int_equal(id, (uint64_t)strtoul(csv.cells[r * 2 + 1], NULL, 10));
        assert_int_equal(hogo__csv_cell_len(&csv, r * 2), strlen(csv.cells[r * 2]));
    }
    for (size_t v = 0; v < nv; v++)
        assert_int_equal(enc.vcount[0][v], 3);
    hogo__enc_release(&enc);
    hogo__hier_release(&h);
    hogo__csv_release(&csv);
}

static void test_journalist_risk_uses_the_population_table(void **state)
{
    (void)state;
    /* small.yaml's optimum is (2,0): 20代 M, 20代 F, 30代 M, 30代 F, two records each. The
     * population has 15, 4, 40 and 100 people in those classes: journalist risk 1/4, while
     * the prosecutor risk stays 1/2. */
    static const char *const base =
        "attributes:\n  name: identifying\n"
        "  age: {type: quasi, hierarchy: builtin:age}\n"
        "  sex: {type: quasi, hierarchy: sex_hierarchy.csv}\n"
        "  disease: sensitive\n"
        "models:\n  k: 2\n  l_diversity: {attribute: disease, l: 2, variant: distinct}\n"
        "measure: loss\n";
    char yaml[2048];
    struct hogo_error err = {0};
    struct hogo_deid_config *cfg = NULL;
    struct hogo_deid_result *r = NULL;
    snprintf(yaml, sizeof yaml, "%spopulation: {file: small_population.csv, count: n}\n", base);
    assert_int_equal(hogo_deid_config_parse(yaml, strlen(yaml), "p.yaml", fixture_dir, &cfg, &err), 0);
    assert_int_equal(hogo_deid_anonymize(cfg, fixture("small.csv"), &r, &err), 0);
    const int *lv;
    hogo_deid_result_levels(r, &lv);
    assert_int_equal(lv[0], 2);
    assert_int_equal(lv[1], 0);
    assert_close(r->risk_prosecutor_max, 0.5, 1e-12);
    assert_close(r->risk_journalist_max, 0.25, 1e-12);
    assert_close(r->population, 159, 1e-12);
    hogo_deid_result_free(r);
    hogo_deid_config_free(cfg);

    /* Without counts every row is one person: each class has 2, as in the data set. */
    snprintf(yaml, sizeof yaml, "%spopulation: small_population.csv\n", base);
    assert_int_equal(hogo_deid_config_parse(yaml, strlen(yaml), "p.yaml", fixture_dir, &cfg, &err), 0);
    assert_int_equal(hogo_deid_anonymize(cfg, fixture("small.csv"), &r, &err), 0);
    assert_close(r->risk_journalist_max, 0.5, 1e-12);
    hogo_deid_result_free(r);
    hogo_deid_config_free(cfg);

    /* A wrong count column is reported with the config line. */
    snprintf(yaml, sizeof yaml, "%spopulation: {file: small_population.csv, count: people}\n",
             base);
    assert_int_equal(hogo_deid_config_parse(yaml, strlen(yaml), "p.yaml", fixture_dir, &cfg, &err), 0);
    assert_int_equal(hogo_deid_anonymize(cfg, fixture("small.csv"), &r, &err), HOGO_EINVAL);
    assert_non_null(strstr(err.message, "'people'"));
    assert_non_null(strstr(err.where, "p.yaml:10"));
    hogo_deid_config_free(cfg);
}

static void test_population_smaller_than_the_data_set_is_rejected(void **state)
{
    (void)state;
    /* sex as the only quasi-identifier: the data set has 4 M and 4 F, the population table
     * small_population_sex.csv one of each, so it cannot be the population. */
    const char *yaml = "attributes:\n  sex: {type: quasi, hierarchy: sex_hierarchy.csv}\n"
                       "  name: identifying\n  age: identifying\n  disease: sensitive\n"
                       "models: {k: 2}\nmeasure: loss\n"
                       "population: small_population_sex.csv\n";
    struct hogo_error err = {0};
    struct hogo_deid_config *cfg = NULL;
    struct hogo_deid_result *r = NULL;
    assert_int_equal(hogo_deid_config_parse(yaml, strlen(yaml), "s.yaml", fixture_dir, &cfg, &err), 0);
    assert_int_equal(hogo_deid_anonymize(cfg, fixture("small.csv"), &r, &err), HOGO_EINVAL);
    assert_non_null(strstr(err.message, "must include the data set"));
    hogo_deid_config_free(cfg);
}

/* ---- errors ---- */

static void test_ragged_row_is_reported_with_line(void **state)
{
    (void)state;
    const char *t = "a,b\n1,2\n3\n";
    struct hogo__csv csv;
    struct hogo_error err = {0};
    assert_int_equal(hogo__csv_parse(&csv, t, strlen(t), "x.csv", 0, &err), HOGO_EINVAL);
    assert_string_equal(err.where, "x.csv:3");
    assert_non_null(strstr(err.message, "ragged row"));
}

static void test_non_utf8_is_reported_with_line(void **state)
{
    (void)state;
    const char *t = "a,b\n1,2\n\x93\xfa,3\n";
    struct hogo__csv csv;
    struct hogo_error err = {0};
    assert_int_equal(hogo__csv_parse(&csv, t, strlen(t), "sjis.csv", 0, &err), HOGO_EINVAL);
    assert_string_equal(err.where, "sjis.csv:3");
    assert_non_null(strstr(err.message, "UTF-8"));
}

static void test_quoted_fields_and_crlf(void **state)
{
    (void)state;
    const char *t = "名前,メモ\r\n\"山田, 太郎\",\"言った \"\"はい\"\"\nです\"\r\n";
    struct hogo__csv csv;
    struct hogo_error err = {0};
    assert_int_equal(hogo__csv_parse(&csv, t, strlen(t), "q.csv", 0, &err), 0);
    assert_int_equal(csv.nrows, 1);
    assert_string_equal(csv.cells[0], "山田, 太郎");
    assert_string_equal(csv.cells[1], "言った \"はい\"\nです");
    hogo__csv_release(&csv);
}

static void test_value_missing_from_hierarchy(void **state)
{
    (void)state;
    const char *yaml = "attributes:\n  sex: {type: quasi, hierarchy: sex_hierarchy.csv}\n";
    char path[] = "/tmp/hogo_deid_missingXXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    const char *csv = "sex\nM\nX\n";
    assert_int_equal(write(fd, csv, strlen(csv)), (ssize_t)strlen(csv));
    close(fd);
    struct hogo_error err = {0};
    struct hogo_deid_config *cfg = NULL;
    struct hogo_deid_result *r = NULL;
    assert_int_equal(hogo_deid_config_parse(yaml, strlen(yaml), "m.yaml", fixture_dir, &cfg, &err), 0);
    assert_int_equal(hogo_deid_anonymize(cfg, path, &r, &err), HOGO_EINVAL);
    char want[300];
    snprintf(want, sizeof want, "%s:3", path);
    assert_string_equal(err.where, want);
    assert_non_null(strstr(err.message, "'X'"));
    assert_non_null(strstr(err.message, "missing from hierarchy"));
    unlink(path);
    hogo_deid_config_free(cfg);
}

static void test_k_larger_than_table(void **state)
{
    (void)state;
    const char *yaml = "attributes:\n  age: {type: quasi, hierarchy: builtin:age}\n"
                       "  name: identifying\n  sex: identifying\n  disease: identifying\n"
                       "models:\n  k: 50\n";
    struct hogo_error err = {0};
    struct hogo_deid_config *cfg = NULL;
    struct hogo_deid_result *r = NULL;
    assert_int_equal(hogo_deid_config_parse(yaml, strlen(yaml), "k.yaml", fixture_dir, &cfg, &err), 0);
    assert_int_equal(hogo_deid_anonymize(cfg, fixture("small.csv"), &r, &err), HOGO_EINVAL);
    assert_string_equal(err.where, "k.yaml:7");
    assert_non_null(strstr(err.message, "larger than the table"));
    hogo_deid_config_free(cfg);
}

static void test_bad_config_errors_carry_line(void **state)
{
    (void)state;
    struct {
        const char *yaml, *where, *needle;
    } cases[] = {
        {"attributes:\n  age: {type: quasi}\n", "c.yaml:2", "needs a hierarchy"},
        {"attributes:\n  age: weird\n", "c.yaml:2", "unknown attribute type"},
        {"attributes:\n  d: sensitive\nmodels:\n  l_diversity: {attribute: x, l: 2}\n",
         "c.yaml:4", "not declared 'sensitive'"},
        {"attributes:\n  a: identifying\nmeasure: speed\n", "c.yaml:3", "unknown measure"},
        {"attributes: [\n", "c.yaml:", "not valid YAML"},
        {"attribs:\n  a: identifying\n", "c.yaml:1", "unknown key"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct hogo_error err = {0};
        struct hogo_deid_config *cfg = NULL;
        int rc = hogo_deid_config_parse(cases[i].yaml, strlen(cases[i].yaml), "c.yaml", ".",
                                        &cfg, &err);
        assert_int_equal(rc, HOGO_EINVAL);
        if (strncmp(err.where, cases[i].where, strlen(cases[i].where)))
            fail_msg("case %zu: where %s, want %s", i, err.where, cases[i].where);
        if (!strstr(err.message, cases[i].needle))
            fail_msg("case %zu: '%s' lacks '%s'", i, err.message, cases[i].needle);
    }
}

static void test_hierarchy_that_is_not_a_tree_is_rejected(void **state)
{
    (void)state;
    char *cells[] = {"a", "x", "*", "b", "x", "*", "c", "y", "*", "d", "x", "**"};
    struct hogo__hier h;
    struct hogo_error err = {0};
    assert_int_equal(hogo__hier_from_rows(&h, "h.csv", cells, 4, 3, &err), HOGO_EINVAL);
    assert_string_equal(err.where, "h.csv:4");
    assert_non_null(strstr(err.message, "not a tree"));
}

static void test_builtin_address_and_postal_and_date(void **state)
{
    (void)state;
    char *v[] = {"神奈川県横浜市中区山下町1-2", "大阪府大阪市北区梅田1-3", "東京都千代田区丸の内1-1"};
    struct hogo__hier h;
    struct hogo_error err = {0};
    assert_int_equal(hogo__hier_builtin(&h, "address", v, 3, &err), 0);
    assert_string_equal(hogo__hier_label(&h, 0, 1), "神奈川県横浜市中区");
    assert_string_equal(hogo__hier_label(&h, 0, 2), "神奈川県");
    assert_string_equal(hogo__hier_label(&h, 0, 3), "関東地方");
    assert_string_equal(hogo__hier_label(&h, 1, 3), "近畿地方");
    assert_string_equal(hogo__hier_label(&h, 2, 1), "東京都千代田区");
    hogo__hier_release(&h);
    char *p[] = {"〒150-0002", "1500001"};
    assert_int_equal(hogo__hier_builtin(&h, "postal_code", p, 2, &err), 0);
    assert_string_equal(hogo__hier_label(&h, 0, 1), "150-****");
    assert_string_equal(hogo__hier_label(&h, 1, 2), "1**-****");
    hogo__hier_release(&h);
    char *d[] = {"1990-04-23"};
    assert_int_equal(hogo__hier_builtin(&h, "date", d, 1, &err), 0);
    assert_string_equal(hogo__hier_label(&h, 0, 1), "1990-04");
    assert_string_equal(hogo__hier_label(&h, 0, 2), "1990");
    hogo__hier_release(&h);
    char *bad[] = {"abc"};
    assert_int_equal(hogo__hier_builtin(&h, "age", bad, 1, &err), HOGO_EINVAL);
    assert_non_null(strstr(err.message, "'abc'"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_builtin_age_hierarchy_has_band_and_decade),
        cmocka_unit_test(test_k_anonymity_by_hand),
        cmocka_unit_test(test_l_diversity_distinct_and_entropy_by_hand),
        cmocka_unit_test(test_t_closeness_by_hand),
        cmocka_unit_test(test_measures_by_hand),
        cmocka_unit_test(test_search_finds_hand_computed_optimum),
        cmocka_unit_test(test_t_closeness_optimum_via_config),
        cmocka_unit_test(test_search_matches_exhaustive_and_outputs_recheck),
        cmocka_unit_test(test_adult_sample_search_matches_exhaustive),
        cmocka_unit_test(test_rolled_up_classes_equal_direct_computation_on_every_node),
        cmocka_unit_test(test_adult_sample_nine_qis_with_suppression_matches_exhaustive),
        cmocka_unit_test(test_cells_are_encoded_by_their_whole_bytes),
        cmocka_unit_test(test_journalist_risk_uses_the_population_table),
        cmocka_unit_test(test_population_smaller_than_the_data_set_is_rejected),
        cmocka_unit_test(test_ragged_row_is_reported_with_line),
        cmocka_unit_test(test_non_utf8_is_reported_with_line),
        cmocka_unit_test(test_quoted_fields_and_crlf),
        cmocka_unit_test(test_value_missing_from_hierarchy),
        cmocka_unit_test(test_k_larger_than_table),
        cmocka_unit_test(test_bad_config_errors_carry_line),
        cmocka_unit_test(test_hierarchy_that_is_not_a_tree_is_rejected),
        cmocka_unit_test(test_builtin_address_and_postal_and_date),
    };
    return cmocka_run_group_tests(tests, setup_dirs, NULL);
}
