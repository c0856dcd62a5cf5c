/*
 * Unit tests of the common layer: error codes, their descriptions, and the error record that
 * carries where a problem is and how to fix it.
 * Test layer.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <hogo/hogo.h>

#include <string.h>

static void every_code_has_a_description(void **state)
{
    (void)state;
    for (int code = HOGO_ELIMIT; code <= HOGO_OK; code++) {
        const char *s = hogo_strerror(code);
        assert_non_null(s);
        assert_string_not_equal(s, "unknown error");
    }
    assert_string_equal(hogo_strerror(-999), "unknown error");
    assert_string_equal(hogo_strerror(HOGO_EPOLICY), "invalid policy");
}

static void error_record_keeps_place_and_message(void **state)
{
    (void)state;
    struct hogo_error err;
    hogo_error_clear(&err);
    assert_int_equal(err.code, 0);
    assert_int_equal(hogo_error_set(&err, HOGO_EINVAL, "/data/1", "unknown data category '%s'",
                                    "nmae"),
                     HOGO_EINVAL);
    assert_int_equal(err.code, HOGO_EINVAL);
    assert_string_equal(err.where, "/data/1");
    assert_string_equal(err.message, "unknown data category 'nmae'");
    /* no record: the code still comes back */
    assert_int_equal(hogo_error_set(NULL, HOGO_EIO, "x", "y"), HOGO_EIO);
    /* a long message is cut, never overflows */
    char big[3000];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    hogo_error_set(&err, HOGO_EINVAL, big, "%s", big);
    assert_int_equal(strlen(err.where), sizeof err.where - 1);
    assert_int_equal(strlen(err.message), sizeof err.message - 1);
    hogo_error_clear(&err);
    assert_string_equal(err.where, "");
}

static void version_is_the_project_version(void **state)
{
    (void)state;
    assert_string_equal(hogo_version(), "0.1.0");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_code_has_a_description),
        cmocka_unit_test(error_record_keeps_place_and_message),
        cmocka_unit_test(version_is_the_project_version),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
