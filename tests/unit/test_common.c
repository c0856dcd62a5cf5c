/*
 * Unit tests of the common layer: error codes, their descriptions, the error record that
 * carries where a problem is and how to fix it, the growable buffer and the bounded reader.
 * Test layer.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <hogo/hogo.h>

#include "common/buf.h"
#include "common/datacat.h"
#include "common/json.h"

#include <yajl/yajl_gen.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

static void buffer_grows_to_its_maximum_and_no_further(void **state)
{
    (void)state;
    struct hogo__buf b = HOGO__BUF_INIT(10);
    assert_int_equal(hogo__buf_add(&b, "hello", 5), 0);
    assert_int_equal(hogo__buf_add(&b, "world", 5), 0);
    assert_int_equal(b.len, 10);
    assert_string_equal(b.data, "helloworld");
    assert_int_equal(hogo__buf_add(&b, "!", 1), HOGO_ELIMIT);
    assert_int_equal(b.len, 10); /* unchanged on failure */
    size_t len = 0;
    char *s = hogo__buf_detach(&b, &len);
    assert_string_equal(s, "helloworld");
    assert_int_equal(len, 10);
    assert_null(b.data);
    free(s);
    struct hogo__buf e = HOGO__BUF_INIT(0);
    s = hogo__buf_detach(&e, &len); /* empty: still a string */
    assert_string_equal(s, "");
    free(s);
}

static void array_grows_by_doubling_and_keeps_its_elements(void **state)
{
    (void)state;
    int *a = NULL;
    size_t cap = 0;
    for (size_t i = 0; i < 1000; i++) {
        assert_int_equal(HOGO__GROW(a, cap, i + 1, 4), 0);
        assert_true(cap >= i + 1);
        a[i] = (int)i;
    }
    for (size_t i = 0; i < 1000; i++)
        assert_int_equal(a[i], (int)i);
    assert_int_equal(cap, 1024);
    free(a);
}

static void reader_reads_files_and_refuses_the_rest(void **state)
{
    (void)state;
    char path[] = "/tmp/hogo-read-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "0123456789", 10), 10);
    close(fd);
    struct hogo_error err;
    hogo_error_clear(&err);
    char *text = NULL;
    size_t len = 0;
    assert_int_equal(hogo_read_file(path, HOGO_READ_UNLIMITED, &text, &len, &err), 0);
    assert_int_equal(len, 10);
    assert_string_equal(text, "0123456789");
    free(text);
    assert_int_equal(hogo_read_file(path, 10, &text, &len, &err), 0); /* exactly the limit */
    free(text);
    assert_int_equal(hogo_read_file(path, 9, &text, &len, &err), HOGO_ELIMIT);
    assert_null(text);
    assert_non_null(strstr(err.message, "larger than 9 bytes"));
    assert_int_equal(hogo_read_file("/tmp", HOGO_READ_UNLIMITED, &text, &len, &err), HOGO_EIO);
    assert_non_null(strstr(err.message, "not a regular file"));
    assert_int_equal(hogo_read_file("/nonexistent/x", HOGO_READ_UNLIMITED, &text, &len, &err),
                     HOGO_EIO);
    assert_string_equal(err.where, "/nonexistent/x");
    unlink(path);
}

/* Direct identifiers: the kinds identifier, contact and document, and photos of the person;
 * not attributes, not an unknown kind. */
static void direct_identifiers_by_kind_and_photos(void **state)
{
    (void)state;
    assert_true(hogo__data_category_direct("identifier", "name"));
    assert_true(hogo__data_category_direct("contact", "email"));
    assert_true(hogo__data_category_direct("document", "identity_document"));
    assert_true(hogo__data_category_direct("attribute", "profile_photo"));
    assert_true(hogo__data_category_direct(NULL, "posted_photo"));
    assert_false(hogo__data_category_direct("attribute", "gender"));
    assert_false(hogo__data_category_direct(NULL, "occupation"));
    assert_false(hogo__data_category_direct("identifiers", "x"));
}

/* The same value generated indented, taken whole (tidied) and streamed a byte at a time. */
static void generate(yajl_gen g)
{
    yajl_gen_map_open(g);
    hogo__gen_kv_str(g, "text", "[\n\n]{ }");
    yajl_gen_string(g, (const unsigned char *)"empty", 5);
    yajl_gen_array_open(g);
    yajl_gen_array_close(g);
    yajl_gen_string(g, (const unsigned char *)"nested", 6);
    yajl_gen_array_open(g);
    yajl_gen_map_open(g);
    yajl_gen_map_close(g);
    yajl_gen_array_open(g);
    yajl_gen_array_close(g);
    yajl_gen_array_close(g);
    yajl_gen_string(g, (const unsigned char *)"full", 4);
    yajl_gen_array_open(g);
    yajl_gen_integer(g, 1);
    yajl_gen_array_close(g);
    yajl_gen_map_close(g);
}

static const char tidy_expected[] = "{\n"
                                    "  \"text\": \"[\\n\\n]{ }\",\n"
                                    "  \"empty\": [],\n"
                                    "  \"nested\": [\n"
                                    "    {},\n"
                                    "    []\n"
                                    "  ],\n"
                                    "  \"full\": [\n"
                                    "    1\n"
                                    "  ]\n"
                                    "}\n";

static void indented_empty_containers_are_written_as_brackets(void **state)
{
    (void)state;
    yajl_gen g = yajl_gen_alloc(NULL);
    hogo__gen_pretty(g);
    generate(g);
    char *s = NULL;
    struct hogo_error err = {0};
    assert_int_equal(hogo__gen_take(g, &s, &err), 0);
    yajl_gen_free(g);
    assert_string_equal(s, tidy_expected);
    free(s);
}

static void one_byte_at_a_time(void *ctx, const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        hogo__json_stream_print(ctx, s + i, 1);
}

static void a_streamed_report_is_tidied_across_chunks(void **state)
{
    (void)state;
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    struct hogo__json_stream js = {.out = f};
    yajl_gen g = yajl_gen_alloc(NULL);
    hogo__gen_pretty(g);
    yajl_gen_config(g, yajl_gen_print_callback, one_byte_at_a_time, (void *)&js);
    generate(g);
    yajl_gen_free(g);
    hogo__json_stream_end(&js);
    fclose(f);
    assert_string_equal(text, tidy_expected);
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_code_has_a_description),
        cmocka_unit_test(direct_identifiers_by_kind_and_photos),
        cmocka_unit_test(error_record_keeps_place_and_message),
        cmocka_unit_test(version_is_the_project_version),
        cmocka_unit_test(buffer_grows_to_its_maximum_and_no_further),
        cmocka_unit_test(array_grows_by_doubling_and_keeps_its_elements),
        cmocka_unit_test(reader_reads_files_and_refuses_the_rest),
        cmocka_unit_test(indented_empty_containers_are_written_as_brackets),
        cmocka_unit_test(a_streamed_report_is_tidied_across_chunks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
