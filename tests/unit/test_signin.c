/*
 * Unit tests of sign-in tokens (lib/signin, hogo/signin.h): a token issued is accepted once
 * checked with the right key, kind and time; a tampered payload or signature, another key,
 * another kind, an expired token, one living longer than ten minutes and malformed text are
 * each refused with their own code. Test layer.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <hogo/hogo.h>

#include <sodium.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NOW 1800000000

static unsigned char pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
static unsigned char pk2[crypto_sign_PUBLICKEYBYTES], sk2[crypto_sign_SECRETKEYBYTES];

static int setup(void **state)
{
    (void)state;
    if (sodium_init() < 0)
        return -1;
    crypto_sign_keypair(pk, sk);
    crypto_sign_keypair(pk2, sk2);
    return 0;
}

static void issue(char *tok, const char *kind, int ttl)
{
    struct hogo_error err = {0};
    assert_int_equal(hogo_signin_issue(sk, kind, "irp", "u-1", NOW, ttl, tok,
                                       HOGO_SIGNIN_TOKEN_MAX, &err), 0);
}

static void a_token_is_accepted_with_its_claims(void **state)
{
    (void)state;
    char tok[HOGO_SIGNIN_TOKEN_MAX];
    issue(tok, "person", 300);
    assert_memory_equal(tok, "v1.", 3);
    struct hogo_signin_claims c;
    struct hogo_error err = {0};
    assert_int_equal(hogo_signin_check(pk, tok, "person", NOW + 10, &c, &err), 0);
    assert_string_equal(c.kind, "person");
    assert_string_equal(c.operator_id, "irp");
    assert_string_equal(c.subject, "u-1");
    assert_int_equal(c.exp, NOW + 300);
    assert_true(strlen(c.jti) >= 20);
    /* two tokens never share an id */
    char tok2[HOGO_SIGNIN_TOKEN_MAX];
    issue(tok2, "person", 300);
    struct hogo_signin_claims c2;
    assert_int_equal(hogo_signin_check(pk, tok2, "person", NOW, &c2, &err), 0);
    assert_string_not_equal(c.jti, c2.jti);
}

/* Flips one character of the token at offset (a base64url character to another). */
static void flip(char *tok, size_t at)
{
    tok[at] = tok[at] == 'A' ? 'B' : 'A';
}

static void a_tampered_payload_or_signature_is_refused(void **state)
{
    (void)state;
    char tok[HOGO_SIGNIN_TOKEN_MAX], copy[HOGO_SIGNIN_TOKEN_MAX];
    issue(tok, "person", 300);
    struct hogo_signin_claims c;
    struct hogo_error err = {0};
    size_t dot = (size_t)(strrchr(tok, '.') - tok);
    strcpy(copy, tok);
    flip(copy, 5); /* in the payload */
    assert_int_equal(hogo_signin_check(pk, copy, "person", NOW, &c, &err), HOGO_ECRYPTO);
    assert_string_equal(c.subject, "");
    strcpy(copy, tok);
    flip(copy, dot + 3); /* in the signature */
    assert_int_equal(hogo_signin_check(pk, copy, "person", NOW, &c, &err), HOGO_ECRYPTO);
    /* a payload of another person spliced onto this signature */
    char other[HOGO_SIGNIN_TOKEN_MAX];
    struct hogo_error e2 = {0};
    assert_int_equal(hogo_signin_issue(sk, "person", "irp", "u-2", NOW, 300, other,
                                       sizeof other, &e2), 0);
    char spliced[2 * HOGO_SIGNIN_TOKEN_MAX];
    snprintf(spliced, sizeof spliced, "%.*s%s", (int)(strrchr(other, '.') - other), other,
             tok + dot);
    assert_int_equal(hogo_signin_check(pk, spliced, "person", NOW, &c, &err), HOGO_ECRYPTO);
    assert_non_null(strstr(err.message, "signature"));
}

static void another_key_is_refused(void **state)
{
    (void)state;
    char tok[HOGO_SIGNIN_TOKEN_MAX];
    issue(tok, "person", 300);
    struct hogo_signin_claims c;
    struct hogo_error err = {0};
    assert_int_equal(hogo_signin_check(pk2, tok, "person", NOW, &c, &err), HOGO_ECRYPTO);
}

static void the_wrong_kind_is_refused(void **state)
{
    (void)state;
    char tok[HOGO_SIGNIN_TOKEN_MAX];
    issue(tok, "person", 300);
    struct hogo_signin_claims c;
    struct hogo_error err = {0};
    assert_int_equal(hogo_signin_check(pk, tok, "officer", NOW, &c, &err), HOGO_EINVAL);
    assert_non_null(strstr(err.message, "for a person, not an officer"));
    issue(tok, "officer", 300);
    assert_int_equal(hogo_signin_check(pk, tok, "person", NOW, &c, &err), HOGO_EINVAL);
    assert_int_equal(hogo_signin_check(pk, tok, "officer", NOW, &c, &err), 0);
}

static void an_expired_token_is_refused(void **state)
{
    (void)state;
    char tok[HOGO_SIGNIN_TOKEN_MAX];
    issue(tok, "person", 60);
    struct hogo_signin_claims c;
    struct hogo_error err = {0};
    assert_int_equal(hogo_signin_check(pk, tok, "person", NOW + 59, &c, &err), 0);
    assert_int_equal(hogo_signin_check(pk, tok, "person", NOW + 60, &c, &err), HOGO_ELIMIT);
    assert_non_null(strstr(err.message, "expired"));
    assert_int_equal(hogo_signin_check(pk, tok, "person", NOW + 3600, &c, &err), HOGO_ELIMIT);
}

static void too_long_a_life_is_refused(void **state)
{
    (void)state;
    char tok[HOGO_SIGNIN_TOKEN_MAX];
    struct hogo_error err = {0};
    /* the issuer refuses it */
    assert_int_equal(hogo_signin_issue(sk, "person", "irp", "u-1", NOW, HOGO_SIGNIN_MAX_TTL + 1,
                                       tok, sizeof tok, &err), HOGO_EINVAL);
    assert_string_equal(err.where, "--ttl");
    assert_int_equal(hogo_signin_issue(sk, "person", "irp", "u-1", NOW, 0, tok, sizeof tok,
                                       &err), HOGO_EINVAL);
    /* and the checker refuses a token (validly signed) that lives longer: issued "in the
       future" so that its exp is more than ten minutes past the check */
    assert_int_equal(hogo_signin_issue(sk, "person", "irp", "u-1", NOW + 100,
                                       HOGO_SIGNIN_MAX_TTL, tok, sizeof tok, &err), 0);
    struct hogo_signin_claims c;
    assert_int_equal(hogo_signin_check(pk, tok, "person", NOW, &c, &err), HOGO_ELIMIT);
    assert_non_null(strstr(err.message, "longer than 600"));
    assert_int_equal(hogo_signin_check(pk, tok, "person", NOW + 100, &c, &err), 0);
}

/* Signs payload JSON as a token with sk, for malformed-but-signed payloads. */
static void signed_token(char *out, size_t size, const char *json)
{
    char b64[1024];
    sodium_bin2base64(b64, sizeof b64, (const unsigned char *)json, strlen(json),
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    snprintf(out, size, "v1.%s", b64);
    unsigned char sig[crypto_sign_BYTES];
    crypto_sign_detached(sig, NULL, (const unsigned char *)out, strlen(out), sk);
    char s64[128];
    sodium_bin2base64(s64, sizeof s64, sig, sizeof sig, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    strncat(out, ".", size - strlen(out) - 1);
    strncat(out, s64, size - strlen(out) - 1);
}

static void malformed_tokens_are_refused(void **state)
{
    (void)state;
    struct hogo_signin_claims c;
    struct hogo_error err = {0};
    const char *bad[] = {"", "v1", "v1.", "v1..", "v2.abc.def", "v1.abc", "v1.abc.def.ghi",
                         "v1.e30.!!!", "v1.e30.AAAA"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(hogo_signin_check(pk, bad[i], "person", NOW, &c, &err), HOGO_EINVAL);
    assert_int_equal(hogo_signin_check(pk, NULL, "person", NOW, &c, &err), HOGO_EINVAL);
    char huge[HOGO_SIGNIN_TOKEN_MAX + 10];
    memset(huge, 'A', sizeof huge - 1);
    huge[sizeof huge - 1] = '\0';
    memcpy(huge, "v1.", 3);
    assert_int_equal(hogo_signin_check(pk, huge, "person", NOW, &c, &err), HOGO_EINVAL);
    /* signed, but the payload is not what a token carries */
    const char *payloads[] = {
        "[]", "not json", "{}",
        "{\"kind\":\"person\",\"operator\":\"irp\",\"sub\":\"u\",\"exp\":\"1800000100\",\"jti\":\"j\"}",
        "{\"kind\":\"person\",\"operator\":\"irp\",\"sub\":\"u\",\"exp\":1800000100}",
        "{\"kind\":\"person\",\"operator\":\"irp\",\"sub\":\"u\",\"exp\":1800000100,\"jti\":\"j\",\"x\":1}",
        "{\"kind\":\"admin\",\"operator\":\"irp\",\"sub\":\"u\",\"exp\":1800000100,\"jti\":\"j\"}",
        "{\"kind\":\"person\",\"operator\":\"i r p\",\"sub\":\"u\",\"exp\":1800000100,\"jti\":\"j\"}",
        "{\"kind\":\"person\",\"kind\":\"person\",\"operator\":\"irp\",\"sub\":\"u\",\"exp\":1800000100,\"jti\":\"j\"}",
    };
    char tok[2048];
    for (size_t i = 0; i < sizeof payloads / sizeof payloads[0]; i++) {
        signed_token(tok, sizeof tok, payloads[i]);
        assert_int_equal(hogo_signin_check(pk, tok, "person", NOW, &c, &err), HOGO_EINVAL);
    }
    /* the same shape, well formed, is accepted: the refusals above are for their faults */
    signed_token(tok, sizeof tok,
                 "{\"kind\":\"person\",\"operator\":\"irp\",\"sub\":\"u\",\"exp\":1800000100,\"jti\":\"j\"}");
    assert_int_equal(hogo_signin_check(pk, tok, "person", NOW, &c, &err), 0);
}

static void bad_issue_arguments_are_refused(void **state)
{
    (void)state;
    char tok[HOGO_SIGNIN_TOKEN_MAX];
    struct hogo_error err = {0};
    assert_int_equal(hogo_signin_issue(sk, "guest", "irp", "u", NOW, 60, tok, sizeof tok, &err),
                     HOGO_EINVAL);
    assert_string_equal(err.where, "--kind");
    assert_int_equal(hogo_signin_issue(sk, "person", "", "u", NOW, 60, tok, sizeof tok, &err),
                     HOGO_EINVAL);
    assert_string_equal(err.where, "--operator");
    assert_int_equal(hogo_signin_issue(sk, "person", "irp", "a b", NOW, 60, tok, sizeof tok,
                                       &err), HOGO_EINVAL);
    assert_string_equal(err.where, "--subject");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_token_is_accepted_with_its_claims),
        cmocka_unit_test(a_tampered_payload_or_signature_is_refused),
        cmocka_unit_test(another_key_is_refused),
        cmocka_unit_test(the_wrong_kind_is_refused),
        cmocka_unit_test(an_expired_token_is_refused),
        cmocka_unit_test(too_long_a_life_is_refused),
        cmocka_unit_test(malformed_tokens_are_refused),
        cmocka_unit_test(bad_issue_arguments_are_refused),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
