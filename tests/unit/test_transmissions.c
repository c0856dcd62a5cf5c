/*
 * Unit tests of the 外部送信一覧 registry loader (lib/policy/transmissions.c): a small registry
 * loads with every field read back, the shipped registries load without a problem, and each
 * kind of error is reported at its file:line:col with the fix (the nearest id for a typo).
 * Test layer.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <yajl/yajl_tree.h>

#include "test_support.h"

static struct hogo_vocab *vocab;

static int setup(void **state)
{
    (void)state;
    vocab = test_vocab();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    hogo_vocab_free(vocab);
    return 0;
}

/* Line numbers matter: the error tests below name them. */
static const char registry[] =
    "policy: irp\n"                                                                /* 1 */
    "revised: '2025-04-01'\n"                                                      /* 2 */
    "example: true\n"                                                              /* 3 */
    "partners:\n"                                                                  /* 4 */
    "  - id: sample_analytics\n"                                                   /* 5 */
    "    name: {ja: サンプル解析株式会社（例）, en: Sample Analytics (example)}\n" /* 6 */
    "    opt_out: {url: 'https://sample-analytics.example/opt-out', ja: 設定できます。}\n"
    "  - id: google\n"                                                             /* 8 */
    "sites:\n"                                                                     /* 9 */
    "  - id: agent_web\n"                                                          /* 10 */
    "    kind: web\n"                                                              /* 11 */
    "    name: {ja: ウェブサイト, en: website}\n"                                  /* 12 */
    "    services: [recruit_agent]\n"                                              /* 13 */
    "    transmissions:\n"                                                         /* 14 */
    "      - tool: {ja: 広告配信タグ, en: ad tag}\n"                               /* 15 */
    "        recipient: google\n"                                                  /* 16 */
    "        data: [cookie, behavior_history]\n"                                   /* 17 */
    "        purposes: [custom_audience_ads]\n"                                    /* 18 */
    "      - tool: 解析タグ\n"                                                     /* 19 */
    "        recipient: sample_analytics\n"                                        /* 20 */
    "        data: [cookie, ip_address]\n"                                         /* 21 */
    "        purposes: [usage_analysis_improvement]\n"                             /* 22 */
    "        note: {ja: 閲覧したページのURLを送信します。}\n"                      /* 23 */
    "  - id: agent_app\n"                                                          /* 24 */
    "    kind: app\n"                                                              /* 25 */
    "    name: アプリ\n"                                                           /* 26 */
    "    transmissions:\n"                                                         /* 27 */
    "      - tool: 位置情報SDK\n"                                                  /* 28 */
    "        recipient: line\n"                                                    /* 29 */
    "        data: [location]\n"                                                   /* 30 */
    "        purposes: [preference_analysis]\n";                                   /* 31 */

struct loaded {
    struct hogo_transmissions *t;
    struct hogo_error err;
    int rc, errors, warnings;
    char messages[4096]; /* every problem, "where: message\n" */
};

static void collect(void *user, const struct hogo_error *e, bool warning)
{
    struct loaded *l = user;
    if (warning)
        l->warnings++;
    else
        l->errors++;
    size_t used = strlen(l->messages);
    snprintf(l->messages + used, sizeof l->messages - used, "%s: %s\n", e->where, e->message);
}

/* Loads text as a registry file named name in a temporary folder. */
static struct loaded load_named(const char *text, const char *name)
{
    struct loaded l = {0};
    char *dir = test_policy_dir("");
    assert_non_null(dir);
    assert_int_equal(test_write(dir, name, text), 0);
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    struct hogo_policy_load_opts o = {.vocab = vocab, .diag = collect, .diag_user = &l};
    l.rc = hogo_transmissions_load(path, &o, &l.t, &l.err);
    test_remove_dir(dir);
    free(dir);
    return l;
}

/* The registry with the first `from` replaced by `to`. */
static char *variant(const char *from, const char *to)
{
    const char *at = strstr(registry, from);
    assert_non_null(at);
    size_t n = strlen(registry) - strlen(from) + strlen(to) + 1;
    char *s = malloc(n);
    assert_non_null(s);
    snprintf(s, n, "%.*s%s%s", (int)(at - registry), registry, to, at + strlen(from));
    return s;
}

/* The variant fails to load; its first error is at `where` and says `says`. */
static void expect_error(const char *from, const char *to, const char *where, const char *says)
{
    char *text = variant(from, to);
    struct loaded l = load_named(text, "irp.yaml");
    free(text);
    if (l.rc != HOGO_EPOLICY || !strstr(l.err.where, where) || !strstr(l.err.message, says))
        fprintf(stderr, "expected %s '%s', got rc %d:\n%s", where, says, l.rc, l.messages);
    assert_int_equal(l.rc, HOGO_EPOLICY);
    assert_null(l.t);
    assert_non_null(strstr(l.err.where, where));
    assert_non_null(strstr(l.err.message, says));
}

static void registry_loads_with_every_field(void **state)
{
    (void)state;
    struct loaded l = load_named(registry, "irp.yaml");
    if (l.rc)
        fprintf(stderr, "%s", l.messages);
    assert_int_equal(l.rc, 0);
    assert_int_equal(l.errors + l.warnings, 0);
    const struct hogo_transmissions *t = l.t;
    assert_string_equal(hogo_transmissions_policy(t), "irp");
    assert_string_equal(hogo_transmissions_revised(t), "2025-04-01");
    assert_true(hogo_transmissions_example(t));
    assert_int_equal(hogo_transmissions_site_count(t), 2);
    assert_int_equal(hogo_transmissions_count(t), 3);
    /* declared partners first, then line, named first by a transmission */
    assert_int_equal(hogo_transmissions_partner_count(t), 3);
    const struct hogo_transmission_partner *p = hogo_transmissions_partner(t, 0);
    assert_string_equal(p->name.id, "sample_analytics");
    assert_string_equal(p->name.ja, "サンプル解析株式会社（例）");
    assert_false(p->in_vocabulary);
    assert_string_equal(p->opt_out_url, "https://sample-analytics.example/opt-out");
    assert_string_equal(p->opt_out_ja, "設定できます。");
    assert_string_equal(p->opt_out_en, "設定できます。"); /* no English: the Japanese */
    assert_int_equal(p->ndata, 2);
    assert_string_equal(p->data[1].id, "ip_address");
    p = hogo_transmissions_partner(t, 1);
    assert_string_equal(p->name.id, "google");
    assert_string_equal(p->name.ja, "Google");
    assert_true(p->in_vocabulary);
    assert_null(p->opt_out_url);
    p = hogo_transmissions_partner(t, 2);
    assert_string_equal(p->name.id, "line");
    assert_int_equal(p->line, 29);
    assert_null(hogo_transmissions_partner(t, 3));
    /* only partners with their own opt-out are iterated as opt-outs */
    assert_ptr_equal(hogo_transmissions_optout(t, 0), hogo_transmissions_partner(t, 0));
    assert_null(hogo_transmissions_optout(t, 1));
    assert_ptr_equal(hogo_transmissions_find_partner(t, "line"), hogo_transmissions_partner(t, 2));
    assert_null(hogo_transmissions_find_partner(t, "nobody"));
    const struct hogo_transmission_site *s = hogo_transmissions_site(t, 1);
    assert_string_equal(s->id, "agent_app");
    assert_string_equal(s->kind, "app");
    assert_string_equal(s->name.en, "アプリ");
    assert_int_equal(s->first, 2);
    assert_int_equal(s->count, 1);
    assert_int_equal(hogo_transmissions_site(t, 0)->nservices, 1);
    const struct hogo_transmission *x = hogo_transmissions_get(t, 1);
    assert_int_equal(x->site, 0);
    assert_int_equal(x->partner, 0);
    assert_string_equal(x->tool.ja, "解析タグ");
    assert_string_equal(x->purposes[0].id, "usage_analysis_improvement");
    assert_string_equal(x->note_ja, "閲覧したページのURLを送信します。");
    assert_int_equal(x->line, 19);
    x = hogo_transmissions_get(t, 0);
    assert_string_equal(x->data[0].ja, "Cookie"); /* the vocabulary's names */
    assert_string_equal(x->note_ja, "");
    assert_null(hogo_transmissions_get(t, 3));
    hogo_transmissions_free(l.t);
}

static void registry_json_has_every_field(void **state)
{
    (void)state;
    struct loaded l = load_named(registry, "irp.yaml");
    assert_int_equal(l.rc, 0);
    size_t len = 0;
    char *json = hogo_transmissions_json(l.t, false, &len);
    assert_non_null(json);
    assert_int_equal(strlen(json), len);
    char ebuf[256];
    yajl_val root = yajl_tree_parse(json, ebuf, sizeof ebuf);
    assert_non_null(root);
    const char *pol[] = {"policy", NULL}, *sites[] = {"sites", NULL},
               *partners[] = {"partners", NULL};
    assert_string_equal(YAJL_GET_STRING(yajl_tree_get(root, pol, yajl_t_string)), "irp");
    yajl_val s = yajl_tree_get(root, sites, yajl_t_array);
    assert_non_null(s);
    assert_int_equal(YAJL_GET_ARRAY(s)->len, 2);
    yajl_val p = yajl_tree_get(root, partners, yajl_t_array);
    assert_int_equal(YAJL_GET_ARRAY(p)->len, 3);
    const char *url[] = {"opt_out", "url", NULL}, *oid[] = {"opt_out", "id", NULL};
    yajl_val p0 = YAJL_GET_ARRAY(p)->values[0];
    assert_string_equal(YAJL_GET_STRING(yajl_tree_get(p0, url, yajl_t_string)),
                        "https://sample-analytics.example/opt-out");
    assert_string_equal(YAJL_GET_STRING(yajl_tree_get(p0, oid, yajl_t_string)),
                        "sample_analytics");
    const char *oo[] = {"opt_out", NULL};
    assert_true(YAJL_IS_NULL(yajl_tree_get(YAJL_GET_ARRAY(p)->values[1], oo, yajl_t_any)));
    yajl_tree_free(root);
    free(json);
    /* flat: one object per transmission, with its site */
    json = hogo_transmissions_json(l.t, true, NULL);
    root = yajl_tree_parse(json, ebuf, sizeof ebuf);
    assert_non_null(root);
    assert_true(YAJL_IS_ARRAY(root));
    assert_int_equal(YAJL_GET_ARRAY(root)->len, 3);
    const char *site[] = {"site", NULL}, *rec[] = {"recipient", NULL};
    yajl_val last = YAJL_GET_ARRAY(root)->values[2];
    assert_string_equal(YAJL_GET_STRING(yajl_tree_get(last, site, yajl_t_string)), "agent_app");
    assert_string_equal(YAJL_GET_STRING(yajl_tree_get(last, rec, yajl_t_string)), "line");
    yajl_tree_free(root);
    free(json);
    hogo_transmissions_free(l.t);
}

static void shipped_registries_load_clean(void **state)
{
    (void)state;
    static const char *const ids[] = {"rcc", "rea", "rmc", "rkm", "irp"};
    for (size_t i = 0; i < 5; i++) {
        char path[PATH_MAX];
        snprintf(path, sizeof path, "%s/policies/transmissions/%s.yaml", test_source_dir(),
                 ids[i]);
        struct loaded l = {0};
        struct hogo_policy_load_opts o = {.vocab = vocab, .diag = collect, .diag_user = &l};
        l.rc = hogo_transmissions_load(path, &o, &l.t, &l.err);
        if (l.rc || l.warnings)
            fprintf(stderr, "%s:\n%s", path, l.messages);
        assert_int_equal(l.rc, 0);
        assert_int_equal(l.warnings, 0);
        assert_string_equal(hogo_transmissions_policy(l.t), ids[i]);
        assert_true(hogo_transmissions_example(l.t));
        assert_non_null(hogo_transmissions_optout(l.t, 0));
        hogo_transmissions_free(l.t);
    }
}

static void unknown_ids_name_the_nearest(void **state)
{
    (void)state;
    expect_error("recipient: google", "recipient: gogle", "irp.yaml:16:20",
                 "unknown recipient 'gogle' — did you mean 'google'?");
    /* a declared partner is a candidate too */
    expect_error("recipient: sample_analytics", "recipient: sample_analytic", "irp.yaml:20:20",
                 "did you mean 'sample_analytics'?");
    expect_error("[cookie, behavior_history]", "[cookie, behaviour_history]", "irp.yaml:17:24",
                 "unknown data category 'behaviour_history' — did you mean 'behavior_history'?");
    expect_error("[custom_audience_ads]", "[custom_audience_ad]", "irp.yaml:18:20",
                 "unknown purpose 'custom_audience_ad' — did you mean 'custom_audience_ads'?");
    expect_error("[recruit_agent]", "[recruit_agnet]", "irp.yaml:13:16",
                 "did you mean 'recruit_agent'?");
    expect_error("policy: irp", "policy: ipr", "irp.yaml:1:9", "unknown policy 'ipr'");
}

static void recipients_must_be_named(void **state)
{
    (void)state;
    expect_error("recipient: line", "recipient: ad_platform", "irp.yaml:29:20",
                 "is a class of recipients");
    expect_error("  - id: google\n", "  - id: googel\n", "irp.yaml:8:9",
                 "did you mean 'google'? A partner the vocabulary does not name is declared");
    expect_error("  - id: google\n", "  - id: google\n    name: Google合同会社\n", "irp.yaml:9:11",
                 "is a recipient of the vocabulary");
    expect_error("  - id: google\n", "  - id: sample_analytics\n    name: 重複\n",
                 "irp.yaml:8:9", "declared twice");
}

static void bad_values_are_reported(void **state)
{
    (void)state;
    expect_error("'https://sample-analytics.example/opt-out'",
                 "'http://sample-analytics.example/opt-out'", "irp.yaml:7:21",
                 "not an https address");
    expect_error("revised: '2025-04-01'", "revised: '2025-13-01'", "irp.yaml:2:11",
                 "'revised' is a date");
    expect_error("kind: app", "kind: ios", "irp.yaml:25:11", "is web (a website) or app");
    expect_error("  - id: agent_app", "  - id: agent_web", "irp.yaml:24:9", "listed twice");
    expect_error("data: [location]", "data: []", "irp.yaml:30:9", "non-empty list");
    expect_error("      - tool: 位置情報SDK\n", "      - tool: {en: location SDK}\n",
                 "irp.yaml:28:16", "needs its Japanese text");
    expect_error("      - tool: 位置情報SDK\n        recipient", "      - recipient", "irp.yaml:28:9",
                 "needs its 'tool'");
    expect_error("example: true", "example: maybe", "irp.yaml:3:10", "true or false");
}

static void structure_errors_are_reported(void **state)
{
    (void)state;
    expect_error("    services: [recruit_agent]", "    service: [recruit_agent]", "irp.yaml:13:5",
                 "unknown key 'service' in a site or app; the keys are: id, kind, name, url");
    expect_error("        note:", "        remark:", "irp.yaml:23:9", "unknown key 'remark'");
    expect_error("data: [cookie, behavior_history]", "data: [cookie, [x]", "irp.yaml:",
                 "YAML syntax error");
}

static void non_utf8_and_misnamed_files(void **state)
{
    (void)state;
    char *text = variant("name: アプリ", "name: \xff");
    struct loaded l = load_named(text, "irp.yaml");
    free(text);
    assert_int_equal(l.rc, HOGO_EPOLICY);
    assert_non_null(strstr(l.err.where, "irp.yaml:26:11"));
    assert_non_null(strstr(l.err.message, "not valid UTF-8"));
    l = load_named(registry, "other.yaml");
    assert_int_equal(l.rc, HOGO_EPOLICY);
    assert_non_null(strstr(l.err.where, "other.yaml:1:9"));
    assert_non_null(strstr(l.err.message, "name it 'irp.yaml'"));
    l = load_named("- just a list\n", "irp.yaml");
    assert_int_equal(l.rc, HOGO_EPOLICY);
    assert_non_null(strstr(l.err.message, "is a YAML mapping"));
}

static void unused_partner_is_a_warning(void **state)
{
    (void)state;
    char *text = variant("  - id: google\n", "  - id: google\n  - id: facebook\n");
    struct loaded l = load_named(text, "irp.yaml");
    free(text);
    assert_int_equal(l.rc, 0);
    assert_int_equal(l.warnings, 1);
    assert_non_null(strstr(l.messages, "irp.yaml:9:9: partner 'facebook' is declared but"));
    hogo_transmissions_free(l.t);
}

static void every_problem_is_reported(void **state)
{
    (void)state;
    char *a = variant("recipient: google", "recipient: gogle");
    char *b = NULL;
    {
        const char *from = "[location]";
        const char *at = strstr(a, from);
        assert_non_null(at);
        size_t n = strlen(a) + 16;
        b = malloc(n);
        snprintf(b, n, "%.*s[locaton]%s", (int)(at - a), a, at + strlen(from));
    }
    struct loaded l = load_named(b, "irp.yaml");
    free(a);
    free(b);
    assert_int_equal(l.rc, HOGO_EPOLICY);
    assert_int_equal(l.errors, 2);
    assert_non_null(strstr(l.messages, "irp.yaml:16:20"));
    assert_non_null(strstr(l.messages, "irp.yaml:30:16"));
    assert_non_null(strstr(l.messages, "did you mean 'location'?"));
}

static void registry_of_a_policy_is_found_beside_it(void **state)
{
    (void)state;
    char policy[PATH_MAX], path[PATH_MAX];
    snprintf(policy, sizeof policy, "%s/policies/irp.yaml", test_source_dir());
    assert_int_equal(hogo_transmissions_file(policy, "irp", path, sizeof path), 0);
    assert_non_null(strstr(path, "/policies/transmissions/irp.yaml"));
    assert_int_equal(hogo_transmissions_file(policy, "nosuch", path, sizeof path),
                     HOGO_ENOTFOUND);
    struct hogo_policy_load_opts o = {.vocab = vocab};
    struct hogo_policy *p = NULL;
    struct hogo_error err = {0};
    assert_int_equal(hogo_policy_load(policy, &o, &p, &err), 0);
    struct hogo_transmissions *t = NULL;
    assert_int_equal(hogo_transmissions_open(p, NULL, NULL, &t, &err), 0);
    assert_string_equal(hogo_transmissions_policy(t), "irp");
    /* irp's example app sends location to a partner with its own opt-out */
    const struct hogo_transmission_partner *loc =
        hogo_transmissions_find_partner(t, "sample_location_insights");
    assert_non_null(loc);
    assert_non_null(loc->opt_out_url);
    assert_string_equal(loc->data[0].id, "location");
    hogo_transmissions_free(t);
    hogo_policy_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(registry_loads_with_every_field),
        cmocka_unit_test(registry_json_has_every_field),
        cmocka_unit_test(shipped_registries_load_clean),
        cmocka_unit_test(unknown_ids_name_the_nearest),
        cmocka_unit_test(recipients_must_be_named),
        cmocka_unit_test(bad_values_are_reported),
        cmocka_unit_test(structure_errors_are_reported),
        cmocka_unit_test(non_utf8_and_misnamed_files),
        cmocka_unit_test(unused_partner_is_a_warning),
        cmocka_unit_test(every_problem_is_reported),
        cmocka_unit_test(registry_of_a_policy_is_found_beside_it),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
