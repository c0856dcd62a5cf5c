/*
 * Unit tests of the policy layer: the vocabulary (ids, hierarchies, nearest-id suggestions),
 * loading the fixture policy, and every kind of policy error with its file:line:col.
 * Test layer.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "fixture.h"
#include "policy/policy_int.h"
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

struct loaded {
    struct hogo_policy *policy;
    struct hogo_error err;
    int rc;
    int problems;
    int warnings;
};

static void count_problem(void *user, const struct hogo_error *e, bool warning)
{
    struct loaded *l = user;
    (void)e;
    if (warning)
        l->warnings++;
    else
        l->problems++;
}

/* Loads yaml as irp.yaml in a temporary directory beside the fixture text. */
static struct loaded load_yaml(const char *yaml)
{
    struct loaded l = {0};
    char *dir = test_policy_dir(fixture_text);
    assert_non_null(dir);
    assert_int_equal(test_write(dir, "irp.yaml", yaml), 0);
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/irp.yaml", dir);
    struct hogo_policy_load_opts opts = {.vocab = vocab, .diag = count_problem, .diag_user = &l};
    l.rc = hogo_policy_load(path, &opts, &l.policy, &l.err);
    test_remove_dir(dir);
    free(dir);
    return l;
}

static void vocabulary_hierarchies_close_both_ways(void **state)
{
    (void)state;
    int contact = hogo__vocab_find(vocab, HOGO__K_DATA, "contact", 7);
    int email = hogo__vocab_find(vocab, HOGO__K_DATA, "email", 5);
    int sensitive = hogo__vocab_find(vocab, HOGO__K_DATA, "sensitive_info", 14);
    int medical = hogo__vocab_find(vocab, HOGO__K_DATA, "medical_history", 15);
    assert_true(contact >= 0 && email >= 0 && sensitive >= 0 && medical >= 0);
    assert_true(hogo__set_has(&vocab->t[HOGO__K_DATA].down[contact], email));
    assert_false(hogo__set_has(&vocab->t[HOGO__K_DATA].down[email], contact));
    assert_true(hogo__set_has(&vocab->t[HOGO__K_DATA].up[medical], sensitive));
    assert_true(vocab->t[HOGO__K_DATA].v[medical].flags & HOGO__FLAG_SENSITIVE);
    /* a named recipient's classes cover it; a class never covers a bare named recipient */
    int recruit = hogo__vocab_find(vocab, HOGO__K_RECIPIENT, "recruit", 7);
    int group = hogo__vocab_find(vocab, HOGO__K_RECIPIENT, "group_company", 13);
    assert_true(hogo__set_has(&vocab->t[HOGO__K_RECIPIENT].up[recruit], group));
    assert_false(hogo__set_has(&vocab->t[HOGO__K_RECIPIENT].up[group], recruit));
    /* purposes: custom_audience_ads is under ad_delivery */
    int ads = hogo__vocab_find(vocab, HOGO__K_PURPOSE, "ad_delivery", 11);
    int custom = hogo__vocab_find(vocab, HOGO__K_PURPOSE, "custom_audience_ads", 19);
    assert_true(hogo__set_has(&vocab->t[HOGO__K_PURPOSE].down[ads], custom));
    /* the fixed ids sit where the engine expects them */
    assert_int_equal(hogo__vocab_find(vocab, HOGO__K_ACTION, "provide", 7), HOGO__PROVIDE);
    assert_int_equal(hogo__vocab_find(vocab, HOGO__K_FACT, "blocked_companies", 17),
                     HOGO__F_BLOCKED_COMPANIES);
}

static void vocabulary_suggests_nearest_id(void **state)
{
    (void)state;
    char near[128];
    hogo__vocab_nearest(vocab, HOGO__K_DATA, "nmae", near, sizeof near);
    assert_string_equal(near, "name");
    hogo__vocab_nearest(vocab, HOGO__K_PURPOSE, "ad_delivry", near, sizeof near);
    assert_string_equal(near, "ad_delivery");
    hogo__vocab_nearest(vocab, HOGO__K_DATA, "zzzzzzzzzzzzzz", near, sizeof near);
    assert_string_equal(near, "");
}

/* An entry says which policies' texts use it (seen_in), as the vocabulary lists them. */
static void vocabulary_entries_say_where_they_are_seen(void **state)
{
    (void)state;
    struct hogo_vocab_entry e;
    const char *targeting = NULL, *amazon = NULL, *ad = NULL;
    for (size_t i = 0; hogo_vocab_entry(vocab, i, &e) == 0; i++) {
        if (!strcmp(e.kind, "purpose") && !strcmp(e.id, "behavioral_targeting_ads"))
            targeting = e.seen_in;
        if (!strcmp(e.kind, "purpose") && !strcmp(e.id, "ad_delivery"))
            ad = e.seen_in;
        if (!strcmp(e.kind, "linkable_account") && !strcmp(e.id, "amazon"))
            amazon = e.seen_in;
        assert_non_null(e.seen_in);
    }
    assert_string_equal(targeting, "rcc rkm");
    assert_string_equal(ad, "rcc rea rmc rkm irp");
    assert_string_equal(amazon, "irp");
}

/* Loads the shipped vocabulary with from replaced by to; returns the load's result code and
 * fills err. */
static int load_vocab_variant(const char *from, const char *to, struct hogo_error *err)
{
    char path[PATH_MAX], *text = NULL;
    size_t len = 0;
    snprintf(path, sizeof path, "%s/policies/vocabulary.yaml", test_source_dir());
    assert_int_equal(hogo_read_file(path, 1u << 24, &text, &len, err), 0);
    char *at = strstr(text, from);
    assert_non_null(at);
    char *variant = malloc(len + strlen(to) + 1);
    assert_non_null(variant);
    snprintf(variant, len + strlen(to) + 1, "%.*s%s%s", (int)(at - text), text, to,
             at + strlen(from));
    char tmpl[] = "/tmp/hogo-test-XXXXXX";
    char *dir = mkdtemp(tmpl);
    assert_non_null(dir);
    assert_int_equal(test_write(dir, "vocabulary.yaml", variant), 0);
    free(variant);
    free(text);
    snprintf(path, sizeof path, "%s/vocabulary.yaml", dir);
    struct hogo_vocab *v = NULL;
    int rc = hogo_vocab_load(path, &v, err);
    hogo_vocab_free(v);
    test_remove_dir(dir);
    return rc;
}

/* The subject facts of a vocabulary are exactly those the engine reads, of the same types. */
static void vocabulary_facts_match_the_engine(void **state)
{
    (void)state;
    struct hogo_error err = {0};
    assert_int_equal(load_vocab_variant("  scout_service:\n    type: boolean",
                                        "  scout_service:\n    type: array", &err),
                     HOGO_EPOLICY);
    assert_non_null(strstr(err.message, "'scout_service' must have type: boolean"));
    assert_non_null(strstr(err.where, "vocabulary.yaml:"));
    memset(&err, 0, sizeof err);
    assert_int_equal(load_vocab_variant("subject_facts:\n",
                                        "subject_facts:\n  shoe_size:\n    type: integer\n",
                                        &err),
                     HOGO_EPOLICY);
    assert_non_null(strstr(err.message, "'shoe_size' is not one hogo reads"));
    /* and the shipped one matches: every fact of the table in its place */
    for (int f = 0; f < HOGO__F_COUNT; f++)
        assert_int_equal(hogo__vocab_find(vocab, HOGO__K_FACT, hogo__facts[f].name,
                                          strlen(hogo__facts[f].name)),
                         f);
}

static void corporate_number_check_digit(void **state)
{
    (void)state;
    assert_true(hogo__corporate_number_valid("9234567890123", 13)); /* decision.md's example */
    assert_false(hogo__corporate_number_valid("8234567890123", 13));
    assert_false(hogo__corporate_number_valid("923456789012", 12));
    assert_false(hogo__corporate_number_valid("92345678901a3", 13));
}

static void dates_and_instants(void **state)
{
    (void)state;
    int64_t t = 0, u = 0;
    assert_int_equal(hogo__parse_jst_date("2025-04-01", &t), 0);
    assert_int_equal(hogo__parse_rfc3339("2025-04-01T00:00:00+09:00", 25, &u), 0);
    assert_true(t == u);
    assert_int_equal(hogo__parse_rfc3339("2025-03-31T15:00:00Z", 20, &u), 0);
    assert_true(t == u);
    assert_int_not_equal(hogo__parse_rfc3339("2025-02-30T00:00:00Z", 20, &u), 0);
    assert_int_not_equal(hogo__parse_rfc3339("yesterday", 9, &u), 0);
    assert_int_not_equal(hogo__parse_jst_date("2025-4-1", &t), 0);
}

static void fixture_loads_clean(void **state)
{
    (void)state;
    struct loaded l = load_yaml(fixture_yaml);
    assert_int_equal(l.rc, 0);
    assert_int_equal(l.problems, 0);
    assert_int_equal(l.warnings, 0);
    assert_int_equal(hogo_policy_clause_count(l.policy), 8);
    assert_int_equal(hogo_policy_rule_count(l.policy), 9);
    assert_string_equal(hogo_policy_version(l.policy), "2025-04-01");
    hogo_policy_free(l.policy);
}

/* Loads a variant of the fixture and checks the first error's place and message. */
static void expect_error(const char *from, const char *to, const char *where_suffix,
                         const char *message_part)
{
    char *yaml = fixture_replace(from, to);
    assert_non_null(yaml);
    struct loaded l = load_yaml(yaml);
    free(yaml);
    assert_int_equal(l.rc, HOGO_EPOLICY);
    assert_null(l.policy);
    assert_true(l.problems >= 1);
    if (!strstr(l.err.where, where_suffix) || !strstr(l.err.message, message_part))
        fail_msg("got '%s: %s', expected place ending '%s' and message with '%s'", l.err.where,
                 l.err.message, where_suffix, message_part);
}

static void unknown_id_names_nearest(void **state)
{
    (void)state;
    expect_error("purposes: [recruitment_selection]", "purposes: [recruitment_selectio]",
                 "irp.yaml:20:20", "did you mean 'recruitment_selection'");
}

static void duplicate_clause_id(void **state)
{
    (void)state;
    expect_error("  - id: 3(2)\n", "  - id: 3(1)\n", "irp.yaml:22:9", "duplicate clause id '3(1)'");
}

static void quote_must_be_verbatim(void **state)
{
    (void)state;
    expect_error("quote: 営業提案のため\n", "quote: 営業提案のために\n", "irp.yaml:25:16",
                 "quote not found verbatim");
}

static void quote_must_end_at_a_boundary(void **state)
{
    (void)state;
    /* stops inside a sentence: 選考のため|に提供します */
    expect_error("quote: ユーザーが応募した企業に、選考のために提供します。\n",
                 "quote: ユーザーが応募した企業に、選考のため\n", "irp.yaml:",
                 "stops in the middle of a sentence");
    /* stops inside a word the text breaks across lines: できま|す */
    expect_error("quote: 利用の停止を求めることができます。\n",
                 "quote: 利用の停止を求めることができま\n", "irp.yaml:",
                 "stops in the middle of a sentence");
}

static void purpose_unusable_with_action(void **state)
{
    (void)state;
    expect_error("        actions: [provide]\n        recipients: [participating_company]\n",
                 "        actions: [use]\n        recipients: [participating_company]\n",
                 "irp.yaml:20", "may be used with action 'use'");
}

static void restriction_yielding_to_policy_never_applies(void **state)
{
    (void)state;
    expect_error("yields_to: [consent, law", "yields_to: [policy, law", "irp.yaml:36",
                 "never applies");
}

static void forms_excluding_everything(void **state)
{
    (void)state;
    expect_error("forms: [deidentified, statistics]", "forms: []", "irp.yaml:29:9",
                 "empty list");
}

static void unknown_key_lists_the_keys(void **state)
{
    (void)state;
    expect_error("        purposes: [sales_proposal]\n", "        purpose: [sales_proposal]\n",
                 "irp.yaml:28:9", "unknown key 'purpose'");
}

static void yaml_syntax_error_has_position(void **state)
{
    (void)state;
    expect_error("    rules:\n      - effect: forbid\n        quote: 要配慮",
                 "    rules:\n      - effect: [forbid\n        quote: 要配慮", "irp.yaml:",
                 "YAML syntax error");
}

static void non_utf8_policy_is_refused_with_position(void **state)
{
    (void)state;
    /* libfyaml alone would accept this (or loop forever after a directive) */
    expect_error("version: '2025-04-01'\n", "version: '2025-04-01'\n# \xf0\n", "irp.yaml:4:3",
                 "not valid UTF-8");
    struct loaded l = load_yaml("%\xf0");
    assert_int_equal(l.rc, HOGO_EPOLICY);
    assert_non_null(strstr(l.err.where, "irp.yaml:1:2"));
}

static void bad_condition_is_reported(void **state)
{
    (void)state;
    expect_error("{recipient_in: applied_to}", "{recipient_in: services_used}", "irp.yaml:21",
                 "recipient_in compares");
}

static void every_problem_is_reported(void **state)
{
    (void)state;
    char *a = fixture_replace("purposes: [sales_proposal]", "purposes: [sales_propsal]");
    assert_non_null(a);
    const char *dup = "  - id: '7'\n";
    char *b_at = strstr(a, dup);
    assert_non_null(b_at);
    memcpy(b_at, "  - id: '3'\n", strlen(dup)); /* same length: a duplicate id too */
    struct loaded l = load_yaml(a);
    free(a);
    assert_int_equal(l.rc, HOGO_EPOLICY);
    assert_int_equal(l.problems, 2);
}

static void shipped_policies_load_without_warnings(void **state)
{
    (void)state;
    const char *ids[] = {"rcc", "rea", "rmc", "rkm", "irp"};
    for (size_t i = 0; i < 5; i++) {
        char path[PATH_MAX];
        snprintf(path, sizeof path, "%s/policies/%s.yaml", test_source_dir(), ids[i]);
        struct loaded l = {0};
        struct hogo_policy_load_opts opts = {.vocab = vocab, .diag = count_problem,
                                             .diag_user = &l};
        l.rc = hogo_policy_load(path, &opts, &l.policy, &l.err);
        if (l.rc)
            fail_msg("%s: %s: %s", ids[i], l.err.where, l.err.message);
        assert_int_equal(l.warnings, 0);
        assert_string_equal(hogo_policy_id(l.policy), ids[i]);
        char *summary = hogo_policy_summary(l.policy);
        assert_non_null(summary);
        assert_non_null(strstr(summary, "3(1)"));
        free(summary);
        int changes = -1;
        char *diff = hogo_policy_diff(l.policy, l.policy, &changes);
        assert_int_equal(changes, 0);
        free(diff);
        hogo_policy_free(l.policy);
    }
}

static void diff_reports_changes(void **state)
{
    (void)state;
    struct loaded a = load_yaml(fixture_yaml);
    char *yaml = fixture_replace("purposes: [sales_proposal]", "purposes: [survey_report]");
    struct loaded b = load_yaml(yaml);
    free(yaml);
    assert_int_equal(a.rc, 0);
    assert_int_equal(b.rc, 0);
    int changes = 0;
    char *diff = hogo_policy_diff(a.policy, b.policy, &changes);
    assert_int_equal(changes, 1);
    assert_non_null(strstr(diff, "changed clause [3(2)]"));
    assert_non_null(strstr(diff, "survey_report"));
    free(diff);
    hogo_policy_free(a.policy);
    hogo_policy_free(b.policy);
}

/* What hogo_policy_diff_each() reported, one line per change: "KIND CLAUSE [fields] before|after". */
struct changes {
    const struct hogo_policy *a, *b;
    char log[4096];
    int calls;
};

static int log_change(void *ctx, const struct hogo_policy_change *c)
{
    struct changes *l = ctx;
    static const char *const kinds[] = {"", "clause+", "clause-", "clause~",
                                        "rule+", "rule-", "rule~"};
    struct hogo_rule_info before = {0}, after = {0};
    if (c->rule_before >= 0)
        assert_int_equal(hogo_policy_rule(l->a, c->rule_before, &before), 0);
    if (c->rule_after >= 0)
        assert_int_equal(hogo_policy_rule(l->b, c->rule_after, &after), 0);
    size_t used = strlen(l->log);
    snprintf(l->log + used, sizeof l->log - used, "%s %s [%s] %s|%s\n", kinds[c->kind],
             c->clause, c->fields, before.quote ? before.quote : "",
             after.quote ? after.quote : "");
    l->calls++;
    return 0;
}

static void diff_each_names_clauses_rules_and_quotes(void **state)
{
    (void)state;
    struct loaded a = load_yaml(fixture_yaml);
    char *yaml = fixture_replace("purposes: [sales_proposal]", "purposes: [survey_report]");
    struct loaded b = load_yaml(yaml);
    free(yaml);
    /* c: the fixture without clause 3(1) */
    char *cut = strdup(fixture_yaml);
    char *from = strstr(cut, "  - id: 3(1)\n"), *to = from ? strstr(from + 4, "  - id:") : NULL;
    assert_non_null(to);
    memmove(from, to, strlen(to) + 1);
    struct loaded c = load_yaml(cut);
    free(cut);
    assert_int_equal(a.rc | b.rc | c.rc, 0);

    struct changes l = {.a = a.policy, .b = a.policy};
    assert_int_equal(hogo_policy_diff_each(a.policy, a.policy, log_change, &l), 0);
    assert_int_equal(l.calls, 0);

    l = (struct changes){.a = a.policy, .b = b.policy};
    assert_int_equal(hogo_policy_diff_each(a.policy, b.policy, log_change, &l), 1);
    assert_string_equal(l.log, "clause~ 3(2) [] |\n"
                               "rule~ 3(2) [purposes] 営業提案のため|営業提案のため\n");

    l = (struct changes){.a = a.policy, .b = c.policy};
    assert_int_equal(hogo_policy_diff_each(a.policy, c.policy, log_change, &l), 1);
    assert_string_equal(l.log, "clause- 3(1) [] |\n"
                               "rule- 3(1) [] ユーザーが応募した企業に、選考のために提供します。|\n");

    l = (struct changes){.a = c.policy, .b = a.policy};
    assert_int_equal(hogo_policy_diff_each(c.policy, a.policy, log_change, &l), 1);
    assert_string_equal(l.log, "clause+ 3(1) [] |\n"
                               "rule+ 3(1) [] |ユーザーが応募した企業に、選考のために提供します。\n");
    /* the count agrees with the text diff */
    int n = 0;
    free(hogo_policy_diff(c.policy, a.policy, &n));
    assert_int_equal(n, 1);
    hogo_policy_free(a.policy);
    hogo_policy_free(b.policy);
    hogo_policy_free(c.policy);
}

static void versions_list_the_earlier_files_beside_the_policy(void **state)
{
    (void)state;
    char *dir = test_policy_dir(fixture_text);
    assert_non_null(dir);
    assert_int_equal(test_write(dir, "irp.yaml", fixture_yaml), 0);
    /* listed: earlier versions of irp; not: a later date, another policy, another name */
    const char *names[] = {"irp@2023-04-01.yaml", "irp@2024-10-01.yaml", "irp@2026-01-01.yaml",
                           "rcc@2020-01-01.yaml", "irp@2024-10-01.yml", "irp@notadate.yaml"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        assert_int_equal(test_write(dir, names[i], "x: 1\n"), 0);
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/irp.yaml", dir);
    struct hogo_policy_load_opts opts = {.vocab = vocab};
    struct hogo_policy *p = NULL;
    struct hogo_error err = {0};
    assert_int_equal(hogo_policy_load(path, &opts, &p, &err), 0);
    struct hogo_policy_version *v = calloc(8, sizeof *v);
    assert_int_equal(hogo_policy_versions(p, v, 8), 3);
    assert_string_equal(v[0].version, "2025-04-01");
    assert_int_equal(v[0].current, 1);
    assert_string_equal(v[0].path, path);
    assert_string_equal(v[1].version, "2024-10-01");
    assert_int_equal(v[1].current, 0);
    assert_non_null(strstr(v[1].path, "/irp@2024-10-01.yaml"));
    assert_string_equal(v[2].version, "2023-04-01");
    assert_true(v[2].in_force_from < v[1].in_force_from);
    assert_int_equal(v[1].in_force_from, 1727708400); /* 2024-10-01 00:00 JST */
    /* too small an array: still the number of versions */
    assert_int_equal(hogo_policy_versions(p, v, 1), 3);
    free(v);
    hogo_policy_free(p);
    test_remove_dir(dir);
    free(dir);
}

static void resolve_follows_policy_path(void **state)
{
    (void)state;
    char *dir = test_policy_dir(fixture_text);
    assert_int_equal(test_write(dir, "rcc.yaml", "x: 1\n"), 0);
    setenv("HOGO_POLICY_PATH", dir, 1);
    char path[PATH_MAX];
    struct hogo_error err = {0};
    assert_int_equal(hogo_policy_resolve("rcc", path, sizeof path, &err), 0);
    assert_non_null(strstr(path, dir));
    assert_int_equal(hogo_policy_resolve("irp", path, sizeof path, &err), 0);
    assert_null(strstr(path, dir));
    assert_int_equal(hogo_policy_resolve("nosuch", path, sizeof path, &err), HOGO_ENOTFOUND);
    assert_int_equal(hogo_policy_resolve("../etc", path, sizeof path, &err), HOGO_ENOTFOUND);
    unsetenv("HOGO_POLICY_PATH");
    test_remove_dir(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(vocabulary_hierarchies_close_both_ways),
        cmocka_unit_test(vocabulary_suggests_nearest_id),
        cmocka_unit_test(vocabulary_entries_say_where_they_are_seen),
        cmocka_unit_test(vocabulary_facts_match_the_engine),
        cmocka_unit_test(corporate_number_check_digit),
        cmocka_unit_test(dates_and_instants),
        cmocka_unit_test(fixture_loads_clean),
        cmocka_unit_test(unknown_id_names_nearest),
        cmocka_unit_test(duplicate_clause_id),
        cmocka_unit_test(quote_must_be_verbatim),
        cmocka_unit_test(quote_must_end_at_a_boundary),
        cmocka_unit_test(purpose_unusable_with_action),
        cmocka_unit_test(restriction_yielding_to_policy_never_applies),
        cmocka_unit_test(forms_excluding_everything),
        cmocka_unit_test(unknown_key_lists_the_keys),
        cmocka_unit_test(yaml_syntax_error_has_position),
        cmocka_unit_test(non_utf8_policy_is_refused_with_position),
        cmocka_unit_test(bad_condition_is_reported),
        cmocka_unit_test(every_problem_is_reported),
        cmocka_unit_test(shipped_policies_load_without_warnings),
        cmocka_unit_test(diff_reports_changes),
        cmocka_unit_test(diff_each_names_clauses_rules_and_quotes),
        cmocka_unit_test(versions_list_the_earlier_files_beside_the_policy),
        cmocka_unit_test(resolve_follows_policy_path),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
