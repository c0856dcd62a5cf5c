/*
 * Unit tests of reading a decision without its JSON (hogo_decision_reason(),
 * hogo_decision_missing(), hogo_decision_obligation(), hogo_decision_deid_categories()): for
 * every request of the scenario files, under the shipped policies, what the readers give must
 * be exactly what the decision's JSON says, reason by reason and obligation by obligation.
 * Test layer.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <glob.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include "test_support.h"

static struct hogo_vocab *vocab;
static struct hogo_policy *policies[8];
static int npolicies;

static struct hogo_policy *policy_named(const char *id)
{
    for (int i = 0; i < npolicies; i++)
        if (!strcmp(hogo_policy_id(policies[i]), id))
            return policies[i];
    return NULL;
}

static int setup(void **state)
{
    (void)state;
    vocab = test_vocab();
    static const char *const ids[] = {"irp", "rcc", "rea", "rkm", "rmc"};
    for (int i = 0; i < 5; i++) {
        char path[PATH_MAX];
        snprintf(path, sizeof path, "%s/policies/%s.yaml", test_source_dir(), ids[i]);
        struct hogo_policy_load_opts opts = {.vocab = vocab};
        struct hogo_error err = {0};
        if (hogo_policy_load(path, &opts, &policies[npolicies], &err)) {
            fprintf(stderr, "%s: %s\n", err.where, err.message);
            return -1;
        }
        npolicies++;
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    for (int i = 0; i < npolicies; i++)
        hogo_policy_free(policies[i]);
    hogo_vocab_free(vocab);
    return 0;
}

static const char *text_at(yajl_val obj, const char *key)
{
    const char *path[] = {key, NULL};
    yajl_val v = yajl_tree_get(obj, path, yajl_t_string);
    return v ? YAJL_GET_STRING(v) : NULL;
}

static void assert_same_text(const char *from_reader, const char *from_json)
{
    if (!from_reader || !from_json)
        assert_ptr_equal(from_reader, from_json);
    else
        assert_string_equal(from_reader, from_json);
}

/* Collects the strings a reader hands to its callback. */
struct strings {
    char v[32][1200];
    int n;
};

static void collect(void *ctx, const char *s)
{
    struct strings *c = ctx;
    if (c->n < 32)
        snprintf(c->v[c->n++], sizeof c->v[0], "%s", s);
}

static void assert_array_is(yajl_val arr, const struct strings *got)
{
    assert_non_null(arr);
    assert_true(YAJL_IS_ARRAY(arr));
    assert_int_equal(arr->u.array.len, got->n);
    for (int i = 0; i < got->n; i++)
        assert_string_equal(YAJL_GET_STRING(arr->u.array.values[i]), got->v[i]);
}

static void check_reasons(const struct hogo_policy *p, const struct hogo_request *r,
                          const struct hogo_decision *d, yajl_val json)
{
    const char *rpath[] = {"reasons", NULL};
    yajl_val reasons = yajl_tree_get(json, rpath, yajl_t_array);
    assert_non_null(reasons);
    assert_int_equal(reasons->u.array.len, d->nreasons);
    for (int i = 0; i < d->nreasons; i++) {
        yajl_val jr = reasons->u.array.values[i];
        struct hogo_reason why;
        assert_int_equal(hogo_decision_reason(p, d, i, &why), 0);
        assert_same_text(why.clause, text_at(jr, "clause"));
        assert_same_text(why.effect, text_at(jr, "effect"));
        assert_same_text(why.statute, text_at(jr, "statute"));
        assert_same_text(why.quote, text_at(jr, why.statute ? "explanation" : "quote"));
        struct strings missing = {.n = 0};
        int n = hogo_decision_missing(p, r, d, i, collect, &missing);
        assert_int_equal(n, missing.n);
        const char *mpath[] = {"missing", NULL};
        yajl_val jm = yajl_tree_get(jr, mpath, yajl_t_array);
        if (n || jm)
            assert_array_is(jm, &missing);
        struct strings yields = {.n = 0};
        for (int b = 0; b < why.n_yields_to; b++)
            collect(&yields, why.yields_to[b]);
        const char *ypath[] = {"yields_to", NULL};
        yajl_val jy = yajl_tree_get(jr, ypath, yajl_t_array);
        if (yields.n || jy)
            assert_array_is(jy, &yields);
    }
    struct hogo_reason beyond;
    assert_int_equal(hogo_decision_reason(p, d, d->nreasons, &beyond), HOGO_EINVAL);
}

static void check_obligations(const struct hogo_policy *p, const struct hogo_request *r,
                              const struct hogo_decision *d, yajl_val json)
{
    const char *opath[] = {"obligations", NULL};
    yajl_val obs = yajl_tree_get(json, opath, yajl_t_array);
    assert_non_null(obs);
    int n = hogo_decision_obligation_count(d);
    assert_int_equal(obs->u.array.len, n);
    for (int i = 0; i < n; i++) {
        yajl_val jo = obs->u.array.values[i];
        struct hogo_obligation o;
        assert_int_equal(hogo_decision_obligation(p, r, d, i, &o), 0);
        assert_same_text(o.type, text_at(jo, "type"));
        assert_same_text(o.statute, text_at(jo, "statute"));
        assert_same_text(o.retention_from, text_at(jo, "retention_from"));
        assert_same_text(o.country, text_at(jo, "country"));
        assert_same_text(o.regime, text_at(jo, "regime"));
        assert_same_text(o.clause, text_at(jo, "clause"));
        const char *ypath[] = {"retention_years", NULL};
        yajl_val years = yajl_tree_get(jo, ypath, yajl_t_number);
        assert_int_equal(o.retention_years, years ? YAJL_GET_INTEGER(years) : 0);
        const char *apath[] = {"aggregate", NULL}, *cpath[] = {"confirm", NULL};
        assert_int_equal(o.aggregate, yajl_tree_get(jo, apath, yajl_t_true) != NULL);
        assert_int_equal(o.confirm, yajl_tree_get(jo, cpath, yajl_t_array) != NULL);
        if (!strcmp(o.type, "deidentify")) {
            struct strings drop = {.n = 0}, gen = {.n = 0};
            int ndrop = hogo_decision_deid_categories(p, r, d, false, collect, &drop);
            int ngen = hogo_decision_deid_categories(p, r, d, true, collect, &gen);
            assert_int_equal(ndrop, drop.n);
            assert_int_equal(ngen, gen.n);
            const char *dpath[] = {"drop", NULL}, *gpath[] = {"generalize", NULL};
            assert_array_is(yajl_tree_get(jo, dpath, yajl_t_array), &drop);
            assert_array_is(yajl_tree_get(jo, gpath, yajl_t_array), &gen);
        }
    }
    struct hogo_obligation beyond;
    assert_int_equal(hogo_decision_obligation(p, r, d, n, &beyond), HOGO_EINVAL);
}

/* Writes a parsed JSON value back as JSON. */
static void gen_value(yajl_gen g, yajl_val v)
{
    if (YAJL_IS_OBJECT(v)) {
        yajl_gen_map_open(g);
        for (size_t i = 0; i < v->u.object.len; i++) {
            const char *k = v->u.object.keys[i];
            yajl_gen_string(g, (const unsigned char *)k, strlen(k));
            gen_value(g, v->u.object.values[i]);
        }
        yajl_gen_map_close(g);
    } else if (YAJL_IS_ARRAY(v)) {
        yajl_gen_array_open(g);
        for (size_t i = 0; i < v->u.array.len; i++)
            gen_value(g, v->u.array.values[i]);
        yajl_gen_array_close(g);
    } else if (YAJL_IS_STRING(v)) {
        const char *s = YAJL_GET_STRING(v);
        yajl_gen_string(g, (const unsigned char *)s, strlen(s));
    } else if (YAJL_IS_NUMBER(v)) {
        const char *s = YAJL_GET_NUMBER(v);
        yajl_gen_number(g, s, strlen(s));
    } else if (YAJL_IS_TRUE(v) || YAJL_IS_FALSE(v)) {
        yajl_gen_bool(g, YAJL_IS_TRUE(v));
    } else {
        yajl_gen_null(g);
    }
}

static void readers_say_what_the_json_says(void **state)
{
    (void)state;
    char pattern[PATH_MAX];
    snprintf(pattern, sizeof pattern, "%s/tests/scenarios/*.jsonl", test_source_dir());
    glob_t files;
    assert_int_equal(glob(pattern, 0, NULL, &files), 0);
    struct hogo_request *req = NULL;
    assert_int_equal(hogo_request_new(&req), 0);
    int decided = 0, with_missing = 0, with_obligations = 0, with_deid = 0;
    for (size_t f = 0; f < files.gl_pathc; f++) {
        FILE *in = fopen(files.gl_pathv[f], "r");
        assert_non_null(in);
        char *line = NULL;
        size_t cap = 0;
        while (getline(&line, &cap, in) > 0) {
            if (line[0] != '{')
                continue;
            char ebuf[256];
            yajl_val scase = yajl_tree_parse(line, ebuf, sizeof ebuf);
            assert_non_null(scase);
            const char *qpath[] = {"request", NULL};
            yajl_val request = yajl_tree_get(scase, qpath, yajl_t_object);
            /* the request again as text: the scenario line holds it as a JSON object */
            yajl_gen g = yajl_gen_alloc(NULL);
            assert_non_null(g);
            struct hogo_error err = {0};
            const unsigned char *body;
            size_t blen;
            gen_value(g, request);
            yajl_gen_get_buf(g, &body, &blen);
            struct hogo_decision d;
            const struct hogo_policy *p = NULL;
            if (hogo_request_parse(req, vocab, (const char *)body, blen, 0, &err) == 0 &&
                (p = policy_named(hogo_request_policy(req))) &&
                hogo_decide(p, req, &d, &err) == 0) {
                char *json = NULL;
                assert_int_equal(hogo_decision_json(p, req, &d, &json, &err), 0);
                yajl_val dj = yajl_tree_parse(json, ebuf, sizeof ebuf);
                assert_non_null(dj);
                check_reasons(p, req, &d, dj);
                check_obligations(p, req, &d, dj);
                decided++;
                with_obligations += hogo_decision_obligation_count(&d) > 0;
                with_deid += hogo_decision_deid_categories(p, req, &d, true, collect,
                                                           &(struct strings){.n = 0}) > 0;
                for (int i = 0; i < d.nreasons; i++) {
                    struct strings m = {.n = 0};
                    with_missing += hogo_decision_missing(p, req, &d, i, collect, &m) > 0;
                }
                yajl_tree_free(dj);
                free(json);
            }
            yajl_gen_free(g);
            yajl_tree_free(scase);
        }
        free(line);
        fclose(in);
    }
    globfree(&files);
    hogo_request_free(req);
    /* the scenarios reach every kind of part the readers give */
    assert_true(decided > 400);
    assert_true(with_missing > 10);
    assert_true(with_obligations > 100);
    assert_true(with_deid > 5);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(readers_say_what_the_json_says),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
