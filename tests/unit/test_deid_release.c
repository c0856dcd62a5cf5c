/*
 * Unit tests of what a de-identified table must satisfy before it leaves: every column
 * declared (anonymize, pseudonymize, apply), kept columns free of identifiers, rows in a
 * keyed order, ages top-coded, master keys read exactly and refused when weak or exposed,
 * pseudonyms separated per column.
 * Test layer.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "deid/deid_int.h"
#include <hogo/policy.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char *tmpfile_with(const char *content, size_t len, mode_t mode)
{
    char *path = strdup("/tmp/hogo_deid_relXXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, content, len), (ssize_t)len);
    assert_int_equal(fchmod(fd, mode), 0);
    close(fd);
    return path;
}

/* ---- keys ---- */

static void test_raw_key_ending_in_a_newline_byte_is_read_whole(void **state)
{
    (void)state;
    unsigned char raw[32], key[32];
    for (int i = 0; i < 32; i++)
        raw[i] = (unsigned char)(i * 37 + 1);
    raw[31] = '\n'; /* about 1 key in 128 ends like this */
    char *p = tmpfile_with((const char *)raw, 32, 0600);
    struct hogo_error err = {0};
    assert_int_equal(hogo_deid_key_load(p, key, &err), 0);
    assert_memory_equal(key, raw, 32);
    unlink(p);
    free(p);
    /* and one ending in "\r\n" */
    raw[30] = '\r';
    p = tmpfile_with((const char *)raw, 32, 0600);
    assert_int_equal(hogo_deid_key_load(p, key, &err), 0);
    assert_memory_equal(key, raw, 32);
    unlink(p);
    free(p);
}

static void test_hex_key_with_or_without_newline(void **state)
{
    (void)state;
    const char *hex = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
    unsigned char key[32];
    struct hogo_error err = {0};
    char buf[80];
    for (int nl = 0; nl < 2; nl++) {
        snprintf(buf, sizeof buf, "%s%s", hex, nl ? "\n" : "");
        char *p = tmpfile_with(buf, strlen(buf), 0600);
        assert_int_equal(hogo_deid_key_load(p, key, &err), 0);
        for (int i = 0; i < 32; i++)
            assert_int_equal(key[i], i);
        unlink(p);
        free(p);
    }
}

static void test_weak_or_exposed_keys_are_refused(void **state)
{
    (void)state;
    unsigned char key[32], zero[32] = {0}, ok[32];
    memset(ok, 0x5a, sizeof ok);
    struct hogo_error err = {0};
    char *p = tmpfile_with((const char *)zero, 32, 0600);
    assert_int_equal(hogo_deid_key_load(p, key, &err), HOGO_EINVAL);
    assert_non_null(strstr(err.message, "all-zero"));
    unlink(p);
    free(p);
    p = tmpfile_with((const char *)ok, 32, 0644);
    assert_int_equal(hogo_deid_key_load(p, key, &err), HOGO_EINVAL);
    assert_non_null(strstr(err.message, "chmod 600"));
    unlink(p);
    free(p);
    p = tmpfile_with((const char *)ok, 31, 0600);
    assert_int_equal(hogo_deid_key_load(p, key, &err), HOGO_EINVAL);
    assert_non_null(strstr(err.message, "exactly 32 bytes"));
    unlink(p);
    free(p);
    /* the library refuses an all-zero key too */
    char *csv = tmpfile_with("id\n1\n", 5, 0600);
    const char *ps[] = {"id", NULL};
    struct hogo_deid_pseudo_opts o = {NULL, ps, NULL, 2, "acme", zero, 0, NULL};
    FILE *f = fopen("/dev/null", "w");
    assert_int_equal(hogo_deid_pseudonymize(csv, &o, f, NULL, &err), HOGO_EINVAL);
    fclose(f);
    unlink(csv);
    free(csv);
}

/* ---- pseudonymize ---- */

/* Runs pseudonymize on csv; returns the output (allocated) or NULL with *rc set. */
static char *pseudo(const char *csv, const char *recipient, const char *const *drop,
                    const char *const *ps, const char *const *keep, int *rc,
                    struct hogo_error *err)
{
    unsigned char key[32];
    memset(key, 0x42, sizeof key);
    char *path = tmpfile_with(csv, strlen(csv), 0600), *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    struct hogo_deid_pseudo_opts o = {drop, ps, NULL, 2, recipient, key, 0, keep};
    *rc = hogo_deid_pseudonymize(path, &o, f, NULL, err);
    fclose(f);
    unlink(path);
    free(path);
    if (*rc) {
        free(buf);
        return NULL;
    }
    return buf;
}

static void test_same_value_in_two_columns_gets_two_tokens(void **state)
{
    (void)state;
    const char *ps[] = {"member", "referrer", NULL};
    int rc;
    struct hogo_error err = {0};
    char *out = pseudo("member,referrer\nm1,m1\n", "acme", NULL, ps, NULL, &rc, &err);
    assert_non_null(out);
    char a[40], b[40];
    assert_int_equal(sscanf(out, "member,referrer\n%32[0-9a-f],%32[0-9a-f]", a, b), 2);
    assert_string_not_equal(a, b);
    free(out);
}

static void test_undeclared_or_identifying_kept_columns_are_refused(void **state)
{
    (void)state;
    const char *drop[] = {"name", NULL}, *ps[] = {"id", NULL}, *keep[] = {"memo", NULL};
    int rc;
    struct hogo_error err = {0};
    /* an undeclared column */
    assert_null(pseudo("id,name,mynumber\n1,A,123456789018\n", "acme", drop, ps, NULL, &rc, &err));
    assert_int_equal(rc, HOGO_EINVAL);
    assert_non_null(strstr(err.message, "'mynumber'"));
    assert_non_null(strstr(err.message, "not declared"));
    /* kept columns holding identifiers: phone, e-mail, card number, passport, My Number */
    static const char *const bad[] = {"電話は090-1234-5678まで", "連絡先 taro@example.jp",
                                      "4111 1111 1111 1111", "TK1234567", "123456789018"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char csv[256];
        snprintf(csv, sizeof csv, "id,name,memo\n1,A,ok\n2,B,%s\n", bad[i]);
        char *out = pseudo(csv, "acme", drop, ps, keep, &rc, &err);
        if (out)
            fail_msg("'%s' was kept: %s", bad[i], out);
        assert_int_equal(rc, HOGO_EINVAL);
        assert_non_null(strstr(err.message, "'memo'"));
        assert_non_null(strstr(err.where, ":3"));
    }
    /* harmless values pass */
    char *out = pseudo("id,name,memo\n1,A,良かった\n2,B,2回目\n", "acme", drop, ps, keep, &rc, &err);
    assert_non_null(out);
    free(out);
}

/* The ids of the rows of out (the kept column "n"), in output order. */
static void row_ids(const char *out, int *ids, size_t n)
{
    const char *p = strchr(out, '\n') + 1;
    for (size_t i = 0; i < n; i++) {
        const char *comma = strrchr(p, ',');
        const char *end = strchr(p, '\n');
        assert_non_null(end);
        /* the last field of the line */
        const char *last = p;
        for (const char *q = p; q < end; q++)
            if (*q == ',')
                last = q + 1;
        (void)comma;
        ids[i] = atoi(last);
        p = end + 1;
    }
}

static void test_rows_leave_in_a_keyed_order_per_recipient(void **state)
{
    (void)state;
    char csv[4096];
    size_t len = (size_t)snprintf(csv, sizeof csv, "id,n\n");
    enum { N = 64 };
    for (int i = 0; i < N; i++)
        len += (size_t)snprintf(csv + len, sizeof csv - len, "u%d,%d\n", i, i);
    const char *ps[] = {"id", NULL}, *keep[] = {"n", NULL};
    int rc, a[N], b[N], c[N];
    struct hogo_error err = {0};
    char *oa = pseudo(csv, "acme", NULL, ps, keep, &rc, &err);
    char *ob = pseudo(csv, "globex", NULL, ps, keep, &rc, &err);
    char *oc = pseudo(csv, "acme", NULL, ps, keep, &rc, &err);
    assert_non_null(oa);
    assert_non_null(ob);
    assert_non_null(oc);
    row_ids(oa, a, N);
    row_ids(ob, b, N);
    row_ids(oc, c, N);
    int same_as_input = 1, same_ab = 1, seen[N] = {0};
    for (int i = 0; i < N; i++) {
        same_as_input &= a[i] == i;
        same_ab &= a[i] == b[i];
        assert_true(a[i] >= 0 && a[i] < N);
        seen[a[i]]++;
    }
    for (int i = 0; i < N; i++)
        assert_int_equal(seen[i], 1); /* a permutation: every row once */
    assert_false(same_as_input);       /* not the source's order */
    assert_false(same_ab);             /* two recipients' copies differ */
    assert_memory_equal(a, c, sizeof a); /* drawn from the key: one recipient, one order */
    free(oa);
    free(ob);
    free(oc);
}

/* ---- anonymize ---- */

static int anonymize_text(const char *yaml, const char *csv, struct hogo_deid_result **r,
                          struct hogo_error *err)
{
    char *path = tmpfile_with(csv, strlen(csv), 0600);
    struct hogo_deid_config *cfg = NULL;
    int rc = hogo_deid_config_parse(yaml, strlen(yaml), "a.yaml", "/tmp", &cfg, err);
    if (rc == 0)
        rc = hogo_deid_anonymize(cfg, path, r, err);
    hogo_deid_config_free(cfg);
    unlink(path);
    free(path);
    return rc;
}

static void test_anonymize_refuses_undeclared_and_identifying_columns(void **state)
{
    (void)state;
    char csv[4096];
    size_t len = (size_t)snprintf(csv, sizeof csv, "age,memo,card\n");
    for (int i = 0; i < 20; i++)
        len += (size_t)snprintf(csv + len, sizeof csv - len, "%d,fine,x%d\n", 20 + i % 10, i);
    struct hogo_deid_result *r = NULL;
    struct hogo_error err = {0};
    const char *base = "attributes:\n  age: {type: quasi, hierarchy: builtin:age}\n"
                       "  memo: insensitive\nmodels: {k: 2}\n";
    assert_int_equal(anonymize_text(base, csv, &r, &err), HOGO_EINVAL);
    assert_non_null(strstr(err.message, "'card'"));
    assert_non_null(strstr(err.message, "not declared"));
    char yaml[512];
    snprintf(yaml, sizeof yaml, "%s", "attributes:\n  age: {type: quasi, hierarchy: builtin:age}\n"
                                      "  memo: insensitive\n  card: identifying\nmodels: {k: 2}\n");
    assert_int_equal(anonymize_text(yaml, csv, &r, &err), 0);
    hogo_deid_result_free(r);
    r = NULL;
    /* an identifier in a kept column */
    snprintf(csv + len, sizeof csv - len, "33,call 03-1234-5678,x\n");
    assert_int_equal(anonymize_text(yaml, csv, &r, &err), HOGO_EINVAL);
    assert_non_null(strstr(err.message, "'memo'"));
    assert_non_null(strstr(err.message, "電話番号"));
    assert_null(r);
}

static void test_anonymized_rows_leave_in_a_fresh_order(void **state)
{
    (void)state;
    char csv[8192];
    enum { N = 64 };
    size_t len = (size_t)snprintf(csv, sizeof csv, "sex,n\n");
    for (int i = 0; i < N; i++)
        len += (size_t)snprintf(csv + len, sizeof csv - len, "%s,%d\n", i % 2 ? "M" : "F", i);
    const char *yaml = "attributes:\n  sex: {type: quasi, hierarchy: sex_hierarchy.csv}\n"
                       "  n: insensitive\nmodels: {k: 2}\n";
    char cfgdir[1200];
    const char *src = getenv("HOGO_SOURCE_DIR");
    snprintf(cfgdir, sizeof cfgdir, "%s/tests/deid", src && *src ? src : ".");
    char *path = tmpfile_with(csv, strlen(csv), 0600);
    struct hogo_deid_config *cfg = NULL;
    struct hogo_error err = {0};
    assert_int_equal(hogo_deid_config_parse(yaml, strlen(yaml), "a.yaml", cfgdir, &cfg, &err), 0);
    struct hogo_deid_result *r = NULL;
    assert_int_equal(hogo_deid_anonymize(cfg, path, &r, &err), 0);
    int ids[2][N];
    for (int k = 0; k < 2; k++) {
        char *buf = NULL;
        size_t blen = 0;
        FILE *f = open_memstream(&buf, &blen);
        assert_int_equal(hogo_deid_result_write_csv(r, f, &err), 0);
        fclose(f);
        row_ids(buf, ids[k], N);
        free(buf);
    }
    int in_order = 1, same = 1;
    for (int i = 0; i < N; i++) {
        in_order &= ids[0][i] == i;
        same &= ids[0][i] == ids[1][i];
    }
    assert_false(in_order);
    assert_false(same); /* each output its own order */
    hogo_deid_result_free(r);
    hogo_deid_config_free(cfg);
    unlink(path);
    free(path);
}

/* ---- apply ---- */

/* The shipped vocabulary, loaded once for every test (the caller of hogo_deid_apply loads
 * it, as the command line does). */
static struct hogo_vocab *shipped_vocab;

static int load_vocab(void **state)
{
    (void)state;
    struct hogo_error err = {0};
    return hogo_vocab_load("policies/vocabulary.yaml", &shipped_vocab, &err) < 0 ? -1 : 0;
}

static int free_vocab(void **state)
{
    (void)state;
    hogo_vocab_free(shipped_vocab);
    return 0;
}

static char *apply_with(const char *json, const char *csv, const char *const *columns, int *rc,
                        struct hogo_error *err)
{
    char *path = tmpfile_with(csv, strlen(csv), 0600), *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    struct hogo_deid_apply_opts o = {columns};
    *rc = hogo_deid_apply_ex(shipped_vocab, json, strlen(json), path, &o, f, NULL, err);
    fclose(f);
    unlink(path);
    free(path);
    return buf;
}

static void test_apply_maps_headers_through_the_vocabulary(void **state)
{
    (void)state;
    int rc;
    struct hogo_error err = {0};
    const char *ob = "{\"type\":\"deidentify\",\"drop\":[],\"generalize\":[\"gender\"]}";
    /* English names and spellings of the ids are matched (and dropped: direct identifiers) */
    char *out = apply_with(ob, "Email,E-mail,Postal Code,Telephone Number,Gender\n"
                               "a@example.jp,b@example.jp,100-0001,03-1234-5678,female\n",
                           NULL, &rc, &err);
    if (rc)
        fail_msg("%s", err.message);
    assert_string_equal(out, "Gender\nfemale\n");
    free(out);
    /* headers that name no category are refused unless declared */
    static const char *const unmapped[] = {"個人番号", "クレジットカード番号", "旅券番号",
                                           "会員番号", "メール", "備考"};
    for (size_t i = 0; i < sizeof unmapped / sizeof unmapped[0]; i++) {
        char csv[256];
        snprintf(csv, sizeof csv, "%s,性別\nx,女性\n", unmapped[i]);
        out = apply_with(ob, csv, NULL, &rc, &err);
        assert_int_equal(rc, HOGO_EINVAL);
        assert_non_null(strstr(err.message, unmapped[i]));
        assert_non_null(strstr(err.message, "names no data category"));
        free(out);
    }
    /* declared: メール as email (dropped), 会員番号 dropped, 備考 kept and checked */
    const char *decl[] = {"メール=email", "会員番号=drop", "備考=keep", NULL};
    out = apply_with(ob, "メール,会員番号,備考,性別\nx@example.jp,M-1,満足,女性\n", decl, &rc, &err);
    if (rc)
        fail_msg("%s", err.message);
    assert_string_equal(out, "備考,性別\n満足,女性\n");
    free(out);
    out = apply_with(ob, "メール,会員番号,備考,性別\nx@example.jp,M-1,電話 090-1111-2222,女性\n",
                     decl, &rc, &err);
    assert_int_equal(rc, HOGO_EINVAL);
    assert_non_null(strstr(err.message, "'備考'"));
    free(out);
    const char *baddecl[] = {"備考=notes", NULL};
    out = apply_with(ob, "備考,性別\nx,女性\n", baddecl, &rc, &err);
    assert_int_equal(rc, HOGO_EINVAL);
    assert_non_null(strstr(err.message, "'notes'"));
    free(out);
}

static void test_apply_top_codes_ages_and_a_bare_obligation_generalises(void **state)
{
    (void)state;
    int rc;
    struct hogo_error err = {0};
    char *out = apply_with("{\"type\":\"deidentify\"}", "年齢,性別\n116,女性\n",
                           NULL, &rc, &err);
    if (rc)
        fail_msg("%s", err.message);
    assert_string_equal(out, "年代,性別\n90+,女性\n");
    free(out);
    out = apply_with("{\"type\":\"deidentify\",\"generalize\":[\"age_group\"]}",
                     "age,gender\n89,male\n", NULL, &rc, &err);
    assert_string_equal(out, "age_group,gender\n80代,male\n");
    free(out);
    out = apply_with("{\"type\":\"deidentify\",\"drop\":[\"name\"]}",
                     "name,birth_date,gender\nA,1900-01-01,male\n", NULL, &rc, &err);
    assert_int_equal(rc, 0);
    assert_string_equal(out, "age_group,gender\n90+,male\n");
    free(out);
}

/* ---- reading a table in chunks ---- */

/* Writes a table of n rows, some cells quoted with separators, quotes and line breaks, some
 * lines ending in CRLF, after a byte-order mark; returns its path. */
static char *write_tricky_table(size_t n, const char *tail)
{
    char *path = strdup("/tmp/hogo_deid_codedXXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fputs("\xEF\xBB\xBFid,text,group\n", f);
    for (size_t i = 0; i < n; i++) {
        if (i % 97 == 5)
            fprintf(f, "%zu,\"line one\nline \"\"two\"\", with comma\",g%zu\r\n", i, i % 7);
        else if (i % 13 == 0)
            fprintf(f, "%zu,\"plain, quoted\",g%zu\n", i, i % 7);
        else
            fprintf(f, "%zu,値%zu,g%zu\n", i, i % 1000, i % 7);
    }
    fputs(tail, f);
    fclose(f);
    return path;
}

static void test_table_read_in_chunks_equals_the_text_parse(void **state)
{
    (void)state;
    /* about 2.5 MB: several chunks, with quoted line breaks across their ends */
    char *path = write_tricky_table(120000, "");
    struct hogo__csv csv;
    struct hogo__coded t;
    struct hogo_error err = {0};
    assert_int_equal(hogo__csv_load(&csv, path, 0, &err), 0);
    const char *skip[] = {"id", NULL};
    assert_int_equal(hogo__coded_load(&t, path, 0, skip, &err), 0);
    assert_int_equal(t.nrows, csv.nrows);
    assert_int_equal(t.head.ncols, 3);
    assert_string_equal(t.head.header[0], "id");
    assert_null(t.code[0]); /* skipped */
    for (size_t r = 0; r < csv.nrows; r++) {
        for (size_t c = 1; c < 3; c++)
            if (strcmp(t.dict[c].keys[hogo__coded_get(&t, c, r)], csv.cells[r * 3 + c]))
                fail_msg("row %zu column %zu: '%s' != '%s'", r, c,
                         t.dict[c].keys[hogo__coded_get(&t, c, r)], csv.cells[r * 3 + c]);
        assert_int_equal(hogo__coded_line(&t, r), csv.lines[r]);
    }
    hogo__coded_narrow(&t, 2); /* 7 groups: one byte each, same values */
    assert_non_null(t.narrow[2]);
    for (size_t r = 0; r < csv.nrows; r++)
        assert_string_equal(t.dict[2].keys[hogo__coded_get(&t, 2, r)], csv.cells[r * 3 + 2]);
    hogo__coded_release(&t);
    hogo__csv_release(&csv);
    unlink(path);
    free(path);
    /* an error in a late chunk names the file's line */
    path = write_tricky_table(120000, "1,ragged\n");
    assert_int_equal(hogo__csv_load(&csv, path, 0, &err), HOGO_EINVAL);
    char want[sizeof err.where];
    memcpy(want, err.where, sizeof want);
    assert_int_equal(hogo__coded_load(&t, path, 0, NULL, &err), HOGO_EINVAL);
    assert_string_equal(err.where, want);
    assert_non_null(strstr(err.message, "ragged"));
    unlink(path);
    free(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_raw_key_ending_in_a_newline_byte_is_read_whole),
        cmocka_unit_test(test_hex_key_with_or_without_newline),
        cmocka_unit_test(test_weak_or_exposed_keys_are_refused),
        cmocka_unit_test(test_same_value_in_two_columns_gets_two_tokens),
        cmocka_unit_test(test_undeclared_or_identifying_kept_columns_are_refused),
        cmocka_unit_test(test_rows_leave_in_a_keyed_order_per_recipient),
        cmocka_unit_test(test_anonymize_refuses_undeclared_and_identifying_columns),
        cmocka_unit_test(test_anonymized_rows_leave_in_a_fresh_order),
        cmocka_unit_test(test_apply_maps_headers_through_the_vocabulary),
        cmocka_unit_test(test_apply_top_codes_ages_and_a_bare_obligation_generalises),
        cmocka_unit_test(test_table_read_in_chunks_equals_the_text_parse),
    };
    return cmocka_run_group_tests(tests, load_vocab, free_vocab);
}
