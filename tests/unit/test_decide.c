/*
 * Unit tests of the decision layer on the fixture policy: request parsing (every rejection
 * with its JSON pointer), then each step of the evaluation order — restrictions and what
 * lifts them, the statute's own bar, permits with their conditions and forms, obligations,
 * and the closest clause with what it missed — and the JSON and text writers.
 * Test layer.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "decide/decide_int.h"
#include "fixture.h"
#include "test_support.h"

static struct hogo_vocab *vocab;
static struct hogo_policy *policy;
static struct hogo_request *req;
static struct hogo_writer *writer;

static int setup(void **state)
{
    (void)state;
    vocab = test_vocab();
    char *dir = test_policy_dir(fixture_text);
    if (!dir || test_write(dir, "irp.yaml", fixture_yaml))
        return -1;
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/irp.yaml", dir);
    struct hogo_policy_load_opts opts = {.vocab = vocab};
    struct hogo_error err = {0};
    int rc = hogo_policy_load(path, &opts, &policy, &err);
    test_remove_dir(dir);
    free(dir);
    if (rc) {
        fprintf(stderr, "%s: %s\n", err.where, err.message);
        return -1;
    }
    if (hogo_request_new(&req) || hogo_writer_new(false, &writer))
        return -1;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    hogo_writer_free(writer);
    hogo_request_free(req);
    hogo_policy_free(policy);
    hogo_vocab_free(vocab);
    return 0;
}

/* Parses json; returns the parse result and leaves the error in *err. */
static int parse(const char *json, struct hogo_error *err)
{
    return hogo_request_parse(req, vocab, json, strlen(json), HOGO_DEFAULT_MAX_REQUEST, err);
}

/* Parses and decides json, which must be a valid request; returns the JSON response. */
static const char *decide(const char *json, struct hogo_decision *d)
{
    struct hogo_error err = {0};
    if (parse(json, &err))
        fail_msg("request rejected: %s: %s", err.where, err.message);
    if (hogo_decide(policy, req, d, &err))
        fail_msg("decide failed: %s: %s", err.where, err.message);
    hogo_writer_clear(writer);
    assert_int_equal(hogo_writer_decision(writer, policy, req, d), 0);
    const char *buf;
    size_t len;
    hogo_writer_buffer(writer, &buf, &len);
    return buf;
}

static void expect_reject(const char *json, const char *where, const char *message_part)
{
    struct hogo_error err = {0};
    int rc = parse(json, &err);
    assert_true(rc < 0);
    if (strcmp(err.where, where) || !strstr(err.message, message_part))
        fail_msg("got '%s: %s', expected '%s' and '%s'", err.where, err.message, where,
                 message_part);
}

#define REQ(body) "{\"policy\":\"irp\"," body "}"
#define SALES REQ("\"action\":\"provide\",\"purpose\":\"sales_proposal\",\"recipient\":{\"id\":\"participating_company\"},\"data\":[\"name\",\"age\",\"gender\"]")

static void rejections_name_the_json_pointer(void **state)
{
    (void)state;
    expect_reject(REQ("\"action\":\"use\",\"purpose\":\"service_operation\",\"data\":[\"name\",\"nmae\"]"),
                  "/data/1", "did you mean 'name'");
    expect_reject(REQ("\"action\":\"use\",\"purpose\":\"service_operation\",\"data\":[]"), "/data",
                  "data is empty");
    expect_reject(REQ("\"action\":\"provide\",\"purpose\":\"recruitment_selection\",\"data\":[\"name\"],"
                      "\"recipient\":{\"id\":\"participating_company\",\"corporate_number\":\"8234567890123\"}"),
                  "/recipient/corporate_number", "check digit");
    expect_reject(REQ("\"action\":\"use\",\"purpose\":\"recruitment_selection\",\"data\":[\"name\"]"),
                  "/purpose", "not used with action 'use'");
    expect_reject(REQ("\"action\":\"provide\",\"purpose\":\"recruitment_selection\",\"data\":[\"name\"]"),
                  "/recipient", "needs a \"recipient\"");
    expect_reject(REQ("\"action\":\"use\",\"purpose\":\"service_operation\",\"data\":[\"name\"],"
                      "\"basis\":\"consent\",\"consent_id\":\"c9\",\"subject\":{\"consents\":[]}"),
                  "/consent_id", "not among subject.consents");
    expect_reject(REQ("\"action\":\"use\",\"purpose\":\"service_operation\",\"data\":[\"name\"],"
                      "\"subject\":{\"age\":\"34\"}"),
                  "/subject/age", "integer");
    expect_reject(REQ("\"action\":\"use\",\"purpose\":\"service_operation\",\"data\":[\"name\"],"
                      "\"subject\":{\"linked_acounts\":[]}"),
                  "/subject/linked_acounts", "did you mean 'linked_accounts'");
    expect_reject(REQ("\"action\":\"use\",\"purpse\":\"service_operation\",\"data\":[\"name\"]"),
                  "/purpse", "did you mean 'purpose'");
    expect_reject("[1,2]", "/", "JSON object");
    expect_reject("{\"policy\":\"irp\",", "/", "not valid JSON");
    expect_reject("{\"policy\":\"ir\xff\"}", "/policy", "UTF-8");
    expect_reject("{\"policy\":\"\\ud800x\"}", "/policy", "surrogate");
    expect_reject(REQ("\"action\":\"use\",\"purpose\":\"service_operation\",\"data\":[\"name\"],"
                      "\"at\":\"tomorrow\""),
                  "/at", "RFC 3339");
}

static void oversized_and_deep_requests_are_refused(void **state)
{
    (void)state;
    struct hogo_error err = {0};
    char deep[200] = "";
    for (int i = 0; i < 40; i++)
        strcat(deep, "[");
    assert_int_equal(parse(deep, &err), HOGO_EINVAL); /* the root must be an object */
    char nested[300] = "{\"policy\":\"irp\",\"subject\":{\"consents\":[{\"data\":[[[[";
    assert_true(parse(nested, &err) < 0);
    size_t big = HOGO_DEFAULT_MAX_REQUEST + 10;
    char *huge = malloc(big + 1);
    memset(huge, ' ', big);
    huge[big] = '\0';
    assert_int_equal(hogo_request_parse(req, vocab, huge, big, HOGO_DEFAULT_MAX_REQUEST, &err),
                     HOGO_ELIMIT);
    free(huge);
}

static void permit_needs_its_condition(void **state)
{
    (void)state;
    struct hogo_decision d;
    const char *out = decide(
        REQ("\"action\":\"provide\",\"purpose\":\"recruitment_selection\",\"data\":[\"name\",\"work_history\"],"
            "\"recipient\":{\"id\":\"participating_company\",\"corporate_number\":\"9234567890123\"},"
            "\"subject\":{\"applied_to\":[\"9234567890123\"]}"),
        &d);
    assert_true(d.allow);
    assert_non_null(strstr(out, "\"clause\":\"3(1)\""));
    assert_non_null(strstr(out, "\"type\":\"record_provision\""));
    /* not applied to that company: the same clause is cited with what was missing */
    out = decide(
        REQ("\"action\":\"provide\",\"purpose\":\"recruitment_selection\",\"data\":[\"name\"],"
            "\"recipient\":{\"id\":\"participating_company\",\"corporate_number\":\"9234567890123\"},"
            "\"subject\":{\"applied_to\":[]}"),
        &d);
    assert_false(d.allow);
    assert_non_null(strstr(out, "\"effect\":\"no_match\""));
    assert_non_null(strstr(out, "recipient.corporate_number in subject.applied_to"));
    /* unknown facts never satisfy a permit */
    out = decide(REQ("\"action\":\"provide\",\"purpose\":\"recruitment_selection\",\"data\":[\"name\"],"
                     "\"recipient\":{\"id\":\"participating_company\"}"),
                 &d);
    assert_false(d.allow);
}

static void deidentification_clause_demands_the_form(void **state)
{
    (void)state;
    struct hogo_decision d;
    const char *out = decide(SALES, &d);
    assert_false(d.allow);
    assert_non_null(strstr(out, "\"missing\":[\"form: deidentified\"]"));
    out = decide(REQ("\"action\":\"provide\",\"purpose\":\"sales_proposal\",\"form\":\"deidentified\","
                     "\"recipient\":{\"id\":\"prospective_client\"},\"data\":[\"name\",\"age\",\"gender\"]"),
                 &d);
    assert_true(d.allow);
    assert_non_null(strstr(out, "\"type\":\"deidentify\",\"drop\":[\"name\"],\"generalize\":[\"age_group\",\"gender\"]"));
    assert_non_null(strstr(out, "\"type\":\"record_provision\""));
    /* statistics: aggregates are not personal data, so no provision record */
    out = decide(REQ("\"action\":\"provide\",\"purpose\":\"sales_proposal\",\"form\":\"statistics\","
                     "\"recipient\":{\"id\":\"prospective_client\"},\"data\":[\"age\"]"),
                 &d);
    assert_true(d.allow);
    assert_null(strstr(out, "record_provision"));
    assert_non_null(strstr(out, "\"aggregate\":true"));
}

static void restriction_and_what_lifts_it(void **state)
{
    (void)state;
    struct hogo_decision d;
    const char *out = decide(
        REQ("\"action\":\"provide\",\"purpose\":\"sales_proposal\",\"form\":\"deidentified\","
            "\"recipient\":{\"id\":\"participating_company\"},\"data\":[\"medical_history\"]"),
        &d);
    assert_false(d.allow);
    assert_non_null(strstr(out, "\"clause\":\"3(3)\",\"effect\":\"forbid\""));
    /* a separate consent that covers recipient, purpose and data lifts it */
    out = decide(
        REQ("\"action\":\"provide\",\"purpose\":\"sales_proposal\",\"basis\":\"consent\",\"consent_id\":\"c1\","
            "\"recipient\":{\"id\":\"participating_company\"},\"data\":[\"medical_history\"],"
            "\"subject\":{\"consents\":[{\"id\":\"c1\",\"recipient\":\"participating_company\","
            "\"purpose\":\"sales_proposal\",\"data\":[\"sensitive_info\"]}]}"),
        &d);
    assert_true(d.allow);
    assert_non_null(strstr(out, "\"clause\":\"3\""));
    assert_non_null(strstr(out, "record_provision"));
    /* a consent for other data does not */
    out = decide(
        REQ("\"action\":\"provide\",\"purpose\":\"sales_proposal\",\"basis\":\"consent\",\"consent_id\":\"c1\","
            "\"recipient\":{\"id\":\"participating_company\"},\"data\":[\"medical_history\"],"
            "\"subject\":{\"consents\":[{\"id\":\"c1\",\"recipient\":\"participating_company\","
            "\"purpose\":\"sales_proposal\",\"data\":[\"name\"]}]}"),
        &d);
    assert_false(d.allow);
    assert_non_null(strstr(out, "\"clause\":\"3(3)\""));
    /* the law lifts it, and a provision required by law needs no record */
    out = decide(REQ("\"action\":\"provide\",\"purpose\":\"legal_response\",\"basis\":\"court_order\","
                     "\"recipient\":{\"id\":\"court\"},\"data\":[\"medical_history\",\"name\"]"),
                 &d);
    assert_true(d.allow);
    assert_non_null(strstr(out, "\"obligations\":[]"));
}

static void guardian_restriction_and_unknown_facts(void **state)
{
    (void)state;
    struct hogo_decision d;
    const char *out = decide(
        REQ("\"action\":\"provide\",\"purpose\":\"ponta_registration\",\"data\":[\"email\"],"
            "\"recipient\":{\"id\":\"loyalty_marketing\"},\"subject\":{\"age\":12,\"linked_accounts\":[\"ponta\"]}"),
        &d);
    assert_false(d.allow);
    assert_non_null(strstr(out, "\"clause\":\"preamble\""));
    assert_non_null(strstr(out, "guardian_consent_required"));
    out = decide(REQ("\"action\":\"provide\",\"purpose\":\"ponta_registration\",\"data\":[\"email\"],"
                     "\"recipient\":{\"id\":\"loyalty_marketing\"},"
                     "\"subject\":{\"age\":12,\"guardian_consent\":true,\"linking_in_progress\":[\"ponta\"]}"),
                 &d);
    assert_true(d.allow);
    assert_non_null(strstr(out, "\"clause\":\"3(4)\""));
    /* email is part of contact, which the clause names */
    out = decide(REQ("\"action\":\"provide\",\"purpose\":\"ponta_registration\",\"data\":[\"email\",\"payment_info\"],"
                     "\"recipient\":{\"id\":\"loyalty_marketing\"},\"subject\":{\"linked_accounts\":[\"ponta\"]}"),
                 &d);
    assert_false(d.allow);
    assert_non_null(strstr(out, "data: payment_info not covered"));
}

static void opt_out_covers_sub_purposes(void **state)
{
    (void)state;
    struct hogo_decision d;
    const char *out = decide(
        REQ("\"action\":\"provide\",\"purpose\":\"ponta_registration\",\"data\":[\"email\"],"
            "\"recipient\":{\"id\":\"loyalty_marketing\"},"
            "\"subject\":{\"linked_accounts\":[\"ponta\"],\"opt_outs\":[\"ponta_registration\"]}"),
        &d);
    assert_false(d.allow);
    assert_non_null(strstr(out, "\"clause\":\"7\""));
}

static void foreign_recipient_adds_duties(void **state)
{
    (void)state;
    struct hogo_decision d;
    const char *out = decide(
        REQ("\"action\":\"provide\",\"purpose\":\"ponta_registration\",\"data\":[\"name\"],"
            "\"recipient\":{\"id\":\"loyalty_marketing\",\"country\":\"US\"},"
            "\"subject\":{\"linked_accounts\":[\"ponta\"]}"),
        &d);
    assert_true(d.allow);
    assert_non_null(strstr(out, "\"clause\":\"5\",\"effect\":\"obligation\""));
    assert_non_null(strstr(out, "\"type\":\"foreign_transfer_info\",\"statute\":\"APPI Art.28\",\"country\":\"US\""));
    assert_non_null(strstr(out, "record_provision"));
    /* the EU/EEA and the UK are designated as equivalent: not a foreign provision (Art. 28) */
    out = decide(REQ("\"action\":\"provide\",\"purpose\":\"ponta_registration\",\"data\":[\"name\"],"
                     "\"recipient\":{\"id\":\"loyalty_marketing\",\"country\":\"DE\"},"
                     "\"subject\":{\"linked_accounts\":[\"ponta\"]}"),
                 &d);
    assert_true(d.allow);
    assert_null(strstr(out, "foreign_transfer_info"));
    assert_non_null(strstr(out, "record_provision"));
}

static void pseudonymised_data_is_not_provided(void **state)
{
    (void)state;
    struct hogo_decision d;
    const char *out = decide(
        REQ("\"action\":\"provide\",\"purpose\":\"sales_proposal\",\"form\":\"pseudonymized\","
            "\"recipient\":{\"id\":\"participating_company\"},\"data\":[\"age\"]"),
        &d);
    assert_false(d.allow);
    assert_non_null(strstr(out, "APPI Art.41(6)"));
}

static void nothing_permits_names_the_closest_clause(void **state)
{
    (void)state;
    struct hogo_decision d;
    const char *out = decide(REQ("\"action\":\"provide\",\"purpose\":\"ponta_registration\",\"data\":[\"name\"],"
                                 "\"recipient\":{\"id\":\"ntt_docomo\"},\"subject\":{\"linked_accounts\":[\"ponta\"]}"),
                             &d);
    assert_false(d.allow);
    assert_non_null(strstr(out, "\"clause\":\"3(4)\",\"effect\":\"no_match\""));
    assert_non_null(strstr(out, "recipient: loyalty_marketing"));
}

static void wrong_policy_or_version_is_an_error(void **state)
{
    (void)state;
    struct hogo_error err = {0};
    struct hogo_decision d;
    assert_int_equal(parse("{\"policy\":\"rcc\",\"action\":\"use\",\"purpose\":\"service_operation\",\"data\":[\"name\"]}", &err), 0);
    assert_int_equal(hogo_decide(policy, req, &d, &err), HOGO_EINVAL);
    assert_string_equal(err.where, "/policy");
    assert_int_equal(parse(REQ("\"action\":\"use\",\"purpose\":\"service_operation\",\"data\":[\"name\"],"
                               "\"at\":\"2025-03-31T23:59:59+09:00\""), &err), 0);
    assert_int_equal(hogo_decide(policy, req, &d, &err), HOGO_EINVAL);
    assert_string_equal(err.where, "/at");
    assert_int_equal(parse(REQ("\"action\":\"use\",\"purpose\":\"service_operation\",\"data\":[\"name\"],"
                               "\"at\":\"2025-04-01T00:00:00+09:00\""), &err), 0);
    assert_int_equal(hogo_decide(policy, req, &d, &err), 0);
}

static void text_answer_quotes_the_clause(void **state)
{
    (void)state;
    struct hogo_decision d;
    decide(SALES, &d);
    hogo_writer_clear(writer);
    assert_int_equal(hogo_writer_decision_text(writer, policy, req, &d), 0);
    const char *buf;
    size_t len;
    hogo_writer_buffer(writer, &buf, &len);
    /* Japanese by default: the answer, the clause's words, what is missing as a sentence */
    assert_non_null(strstr(buf, "不可"));
    assert_non_null(strstr(buf, "「営業提案のため」"));
    assert_non_null(strstr(buf, "識別できない情報に加工した上でなければ扱えません"));
    assert_null(strstr(buf, "deidentified"));
    /* English on request */
    hogo_writer_clear(writer);
    assert_int_equal(hogo_writer_set_language(writer, "en"), 0);
    assert_int_equal(hogo_writer_decision_text(writer, policy, req, &d), 0);
    hogo_writer_buffer(writer, &buf, &len);
    assert_non_null(strstr(buf, "DENY"));
    assert_non_null(strstr(buf, "form: deidentified"));
    assert_int_equal(hogo_writer_set_language(writer, "fr"), HOGO_EINVAL);
    assert_int_equal(hogo_writer_set_language(writer, "ja"), 0);
}

static void decisions_are_repeatable_on_a_reused_request(void **state)
{
    (void)state;
    struct hogo_decision a, b;
    decide(SALES, &a);
    decide(REQ("\"action\":\"use\",\"purpose\":\"service_operation\",\"data\":[\"name\"],"
               "\"subject\":{\"applied_to\":[\"9234567890123\"],\"consents\":[{\"id\":\"x\"}]}"),
           &b);
    decide(SALES, &b);
    assert_int_equal(a.allow, b.allow);
    assert_int_equal(a.nreasons, b.nreasons);
    assert_int_equal(a.missing, b.missing);
}

/* The decision JSON a request keeps (hogo__decision_json_memo, used by hogo_provide) is the
 * one hogo_decision_json() writes, whatever changed since: the request's own fields (which
 * the decision itself may not show), or the subject's facts. */
static void expect_memo_current(const char *label)
{
    struct hogo_decision d;
    struct hogo_error err = {0};
    const char *kept = NULL;
    char *fresh = NULL;
    if (hogo_decide(policy, req, &d, &err))
        fail_msg("%s: decide failed: %s", label, err.message);
    assert_int_equal(hogo__decision_json_memo(policy, req, &d, &kept, &err), 0);
    assert_int_equal(hogo_decision_json(policy, req, &d, &fresh, &err), 0);
    if (strcmp(kept, fresh) != 0)
        fail_msg("%s: kept %s\nfresh %s", label, kept, fresh);
    free(fresh);
}

static void the_decision_json_a_request_keeps_is_current(void **state)
{
    (void)state;
    struct hogo_error err = {0};
#define DEID(data) REQ("\"action\":\"provide\",\"purpose\":\"sales_proposal\",\"recipient\":{\"id\":\"participating_company\"},\"form\":\"deidentified\",\"data\":" data)
    assert_int_equal(parse(DEID("[\"age\",\"gender\"]"), &err), 0);
    expect_memo_current("deidentified, no identifier");
    expect_memo_current("the same again");
    /* the same decision, but the obligation now drops the name: written anew */
    assert_int_equal(parse(DEID("[\"name\",\"age\",\"gender\"]"), &err), 0);
    expect_memo_current("deidentified, with the name");
    struct hogo_decision d;
    const char *kept = NULL;
    assert_int_equal(hogo_decide(policy, req, &d, &err), 0);
    assert_int_equal(hogo__decision_json_memo(policy, req, &d, &kept, &err), 0);
    assert_non_null(strstr(kept, "\"drop\":[\"name\"]"));
#undef DEID
    /* stored facts change under the same request */
    assert_int_equal(parse(REQ("\"action\":\"provide\",\"purpose\":\"recruitment_selection\","
                               "\"data\":[\"name\"],\"recipient\":{\"id\":\"participating_company\","
                               "\"corporate_number\":\"9234567890123\"}"),
                           &err),
                     0);
    const char *applied[] = {"applied_to", "9234567890123"};
    const char *other[] = {"applied_to", "5010401089998"};
    assert_int_equal(hogo_request_set_subject_rows(req, vocab, applied, 1, NULL, 0, &err), 0);
    expect_memo_current("applied");
    assert_int_equal(hogo_request_set_subject_rows(req, vocab, other, 1, NULL, 0, &err), 0);
    expect_memo_current("applied elsewhere (the closest clause and what it missed)");
    assert_int_equal(hogo_request_set_subject_rows(req, vocab, NULL, 0, NULL, 0, &err), 0);
    expect_memo_current("no facts");
    assert_int_equal(hogo_request_set_subject_rows(req, vocab, applied, 1, NULL, 0, &err), 0);
    expect_memo_current("applied again");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rejections_name_the_json_pointer),
        cmocka_unit_test(oversized_and_deep_requests_are_refused),
        cmocka_unit_test(permit_needs_its_condition),
        cmocka_unit_test(deidentification_clause_demands_the_form),
        cmocka_unit_test(restriction_and_what_lifts_it),
        cmocka_unit_test(guardian_restriction_and_unknown_facts),
        cmocka_unit_test(opt_out_covers_sub_purposes),
        cmocka_unit_test(foreign_recipient_adds_duties),
        cmocka_unit_test(pseudonymised_data_is_not_provided),
        cmocka_unit_test(nothing_permits_names_the_closest_clause),
        cmocka_unit_test(wrong_policy_or_version_is_an_error),
        cmocka_unit_test(text_answer_quotes_the_clause),
        cmocka_unit_test(decisions_are_repeatable_on_a_reused_request),
        cmocka_unit_test(the_decision_json_a_request_keeps_is_current),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
