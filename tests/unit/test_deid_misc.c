/*
 * Unit tests of `deidentify` obligations (hogo_deid_apply), keyed pseudonyms (published
 * statistics are tested in test_deid_stats.c), pseudonymised-information
 * processing, and the `hogo deid` command (cli/cmd-deid.c is compiled into this test with a
 * the CLI's helpers, since unit tests link only the library). Test layer.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sys/stat.h>

#include "deid/deid_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The CLI command under test, with the CLI's helpers. */
int cmd_deid(int argc, char **argv);
#include "../../cli/cli_util.c"
#include "../../cli/cmd-deid.c"
#include "../../cli/progress.c"

static char *tmpfile_with(const char *content)
{
    char *path = strdup("/tmp/hogo_deid_testXXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, content, strlen(content)), (ssize_t)strlen(content));
    close(fd);
    return path;
}

static char *apply_declared(const char *json, const char *csv, const char *const *columns,
                            int *rc, struct hogo_error *err)
{
    char *path = tmpfile_with(csv), *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    struct hogo_deid_apply_opts o = {NULL, columns};
    *rc = hogo_deid_apply_ex(json, strlen(json), path, &o, f, NULL, err);
    fclose(f);
    unlink(path);
    free(path);
    return buf;
}

static char *apply_to(const char *json, const char *csv, int *rc, struct hogo_error *err)
{
    return apply_declared(json, csv, NULL, rc, err);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* s with its lines after the first sorted (rows leave in a random order). */
static char *rows_sorted(const char *s)
{
    char *copy = strdup(s), *lines[256], *save = NULL;
    size_t n = 0;
    for (char *l = strtok_r(copy, "\n", &save); l && n < 256; l = strtok_r(NULL, "\n", &save))
        lines[n++] = l;
    if (n > 1)
        qsort(lines + 1, n - 1, sizeof *lines, cmp_str);
    char *out = calloc(strlen(s) + 2, 1);
    for (size_t i = 0; i < n; i++) {
        strcat(out, lines[i]);
        strcat(out, "\n");
    }
    free(copy);
    return out;
}

/* Applies json to csv with the declared columns and checks that it succeeds with the output
 * want (rows in any order). */
static void assert_applies_declared(const char *json, const char *csv,
                                    const char *const *columns, const char *want)
{
    struct hogo_error err = {0};
    int rc;
    char *out = apply_declared(json, csv, columns, &rc, &err);
    if (rc)
        fail_msg("%s: %s", err.where, err.message);
    char *a = rows_sorted(out), *b = rows_sorted(want);
    assert_string_equal(a, b);
    free(a);
    free(b);
    free(out);
}

static void assert_applies(const char *json, const char *csv, const char *want)
{
    assert_applies_declared(json, csv, NULL, want);
}

static void test_apply_drops_and_generalises_japanese_headers(void **state)
{
    (void)state;
    const char *decl[] = {"購入額=keep", NULL};
    assert_applies_declared("{\"type\":\"deidentify\",\"drop\":[\"name\",\"address\"],"
                            "\"generalize\":[\"gender\",\"age_group\"]}",
                            "氏名,住所,年齢,性別,購入額\n山田太郎,東京都新宿区西新宿2-8-1,34,女性,1200\n"
                            "鈴木一郎,大阪府大阪市北区梅田1-1,58,男性,800\n",
                            decl, "年代,性別,購入額\n30代,女性,1200\n50代,男性,800\n");
}

static void test_apply_contact_umbrella_and_residential_area(void **state)
{
    (void)state;
    /* address is dropped (part of contact) and replaced by its generalisation, the
     * prefecture; e-mail and phone are dropped with it. */
    assert_applies("{\"type\":\"deidentify\",\"drop\":[\"name\",\"contact\"],"
                   "\"generalize\":[\"residential_area\"]}",
                   "name,email,phone,address,gender\n"
                   "A,a@example.com,090-1111-2222,神奈川県横浜市中区1-1,female\n",
                   "residential_area,gender\n神奈川県,female\n");
    assert_applies("{\"type\":\"deidentify\",\"drop\":[\"name\",\"email\",\"phone\"],"
                   "\"generalize\":[\"residential_area\"]}",
                   "name,email,phone,address,gender\n"
                   "A,a@example.com,090-1111-2222,神奈川県横浜市中区1-1,female\n",
                   "residential_area,gender\n神奈川県,female\n");
}

static void test_apply_drops_direct_identifiers_the_drop_list_omits(void **state)
{
    (void)state;
    /* the obligation of clause 3(1) as the decision gives it: nothing in drop */
    assert_applies("{\"type\":\"deidentify\",\"drop\":[],"
                   "\"generalize\":[\"age_group\",\"gender\"]}",
                   "name,email,recruit_id,postal_code,age,gender,service_usage\n"
                   "山田太郎,y@example.jp,R123,100-0001,34,女性,5\n",
                   "age_group,gender,service_usage\n30代,女性,5\n");
    /* an address asked to be generalised leaves as its prefecture only */
    assert_applies("{\"type\":\"deidentify\",\"generalize\":[\"residential_area\"]}",
                   "氏名,住所,電話番号,性別\n山田太郎,東京都新宿区西新宿2-8-1,03-1234-5678,女性\n",
                   "居住地域,性別\n東京都,女性\n");
}

static void test_apply_rejects_bad_obligations(void **state)
{
    (void)state;
    struct hogo_error err = {0};
    int rc;
    free(apply_to("{\"type\":\"record_provision\"}", "a\n1\n", &rc, &err));
    assert_int_equal(rc, HOGO_EINVAL);
    assert_string_equal(err.where, "/type");
    free(apply_to("{\"type\":\"deidentify\",\"drop\":[1]}", "a\n1\n", &rc, &err));
    assert_string_equal(err.where, "/drop/0");
    free(apply_to("{\"type\":", "a\n1\n", &rc, &err));
    assert_int_equal(rc, HOGO_EINVAL);
    free(apply_to("{\"type\":\"deidentify\",\"generalize\":[\"age_group\"]}",
                   "age\n34\nold\n", &rc, &err));
    assert_int_equal(rc, HOGO_EINVAL);
    assert_non_null(strstr(err.where, ":3"));
}

static void test_pseudonyms_are_keyed_and_per_recipient(void **state)
{
    (void)state;
    unsigned char key[32], key2[32];
    memset(key, 7, sizeof key);
    memset(key2, 8, sizeof key2);
    char a[33], b[33], c[33], d[33];
    struct hogo_error err = {0};
    assert_int_equal(hogo_deid_pseudonym(key, "acme", "user-42", 7, a, &err), 0);
    assert_int_equal(hogo_deid_pseudonym(key, "acme", "user-42", 7, b, &err), 0);
    assert_int_equal(hogo_deid_pseudonym(key, "globex", "user-42", 7, c, &err), 0);
    assert_int_equal(hogo_deid_pseudonym(key2, "acme", "user-42", 7, d, &err), 0);
    assert_string_equal(a, b);       /* deterministic: one recipient can join its own data */
    assert_string_not_equal(a, c);   /* two recipients cannot join theirs */
    assert_string_not_equal(a, d);   /* depends on the secret key */
    assert_int_equal(strlen(a), 32);
    assert_int_equal(strspn(a, "0123456789abcdef"), 32);
}

static void test_pseudonymize_drops_keys_and_coarsens_rare_values(void **state)
{
    (void)state;
    char *path = tmpfile_with("name,member_id,job,pref\n山田,m1,engineer,東京都\n佐藤,m2,engineer,東京都\n"
                              "鈴木,m3,astronaut,東京都\n");
    unsigned char key[32] = {1};
    const char *drop[] = {"name", NULL}, *ps[] = {"member_id", NULL}, *rare[] = {"job", NULL},
               *keep[] = {"pref", NULL};
    struct hogo_deid_pseudo_opts o = {drop, ps, rare, 2, "acme", key, 0, keep};
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    struct hogo_error err = {0};
    assert_int_equal(hogo_deid_pseudonymize(path, &o, f, NULL, &err), 0);
    fclose(f);
    char m1[33];
    hogo_deid_pseudonym_column(key, "acme", "member_id", "m1", 2, m1, &err);
    assert_null(strstr(buf, "山田"));
    assert_null(strstr(buf, "astronaut"));
    assert_non_null(strstr(buf, "member_id,job,pref\n"));
    assert_non_null(strstr(buf, m1));
    assert_non_null(strstr(buf, ",*,東京都\n"));
    unlink(path);
    free(path);
    free(buf);
}

static int run_cli(int argc, char **argv)
{
    return cmd_deid(argc, argv);
}

static void test_cli_help_and_exit_codes(void **state)
{
    (void)state;
    static const char *const subs[] = {"anonymize", "stats", "pseudonymize", "scrub", "apply"};
    for (size_t i = 0; i < 5; i++) {
        char *argv[] = {"deid", (char *)subs[i], "--help", NULL};
        assert_int_equal(run_cli(3, argv), 0);
    }
    char *help[] = {"deid", "--help", NULL};
    assert_int_equal(run_cli(2, help), 0);
    char *unknown[] = {"deid", "frobnicate", NULL};
    assert_int_equal(run_cli(2, unknown), 2);
    char *noconfig[] = {"deid", "anonymize", "x.csv", NULL};
    assert_int_equal(run_cli(3, noconfig), 2);
    const char *src = getenv("HOGO_SOURCE_DIR");
    char cfg[1024], csv[1024], out[] = "/tmp/hogo_deid_cli_outXXXXXX";
    snprintf(cfg, sizeof cfg, "%s/tests/deid/small.yaml", src && *src ? src : ".");
    snprintf(csv, sizeof csv, "%s/tests/deid/small.csv", src && *src ? src : ".");
    int fd = mkstemp(out);
    close(fd);
    struct stat null_before, null_after;
    int null_known = stat("/dev/null", &null_before) == 0;
    char *ok[] = {"deid", "anonymize", "--config", cfg, "--output", out, "--report", "/dev/null", csv, NULL};
    assert_int_equal(run_cli(9, ok), 0);
    /* a device given as an output is written in place, never replaced by a staged file */
    if (null_known && S_ISCHR(null_before.st_mode)) {
        assert_int_equal(stat("/dev/null", &null_after), 0);
        assert_true(S_ISCHR(null_after.st_mode));
        assert_true(null_after.st_ino == null_before.st_ino);
    }
    FILE *f = fopen(out, "r");
    char line[256];
    assert_non_null(fgets(line, sizeof line, f));
    assert_string_equal(line, "age,sex,disease\n");
    fclose(f);
    unlink(out);
    char *bad[] = {"deid", "anonymize", "--config", cfg, "/nonexistent.csv", NULL};
    assert_int_equal(run_cli(5, bad), 2);
    char *badob[] = {"deid", "apply", "--obligation", "{\"type\":\"x\"}", csv, NULL};
    assert_int_equal(run_cli(5, badob), 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_apply_drops_and_generalises_japanese_headers),
        cmocka_unit_test(test_apply_contact_umbrella_and_residential_area),
        cmocka_unit_test(test_apply_drops_direct_identifiers_the_drop_list_omits),
        cmocka_unit_test(test_apply_rejects_bad_obligations),
        cmocka_unit_test(test_pseudonyms_are_keyed_and_per_recipient),
        cmocka_unit_test(test_pseudonymize_drops_keys_and_coarsens_rare_values),
        cmocka_unit_test(test_cli_help_and_exit_codes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
