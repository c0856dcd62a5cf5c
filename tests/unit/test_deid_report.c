/*
 * Unit test of the anonymisation report: on the hand-computed table of tests/deid/small.csv
 * (8 rows; k=2 and distinct 2-diversity on disease; see tests/unit/test_deid.c for the
 * worked numbers) the JSON report names the chosen levels, the models with their parameters,
 * the risks and whether every model holds.
 * Test layer.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <hogo/deid.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void report_names_levels_models_and_risks(void **state)
{
    (void)state;
    const char *src = getenv("HOGO_SOURCE_DIR");
    char cfg_path[4096], csv_path[4096];
    snprintf(cfg_path, sizeof cfg_path, "%s/tests/deid/small.yaml", src ? src : ".");
    snprintf(csv_path, sizeof csv_path, "%s/tests/deid/small.csv", src ? src : ".");
    struct hogo_error err = {0};
    struct hogo_deid_config *cfg = NULL;
    struct hogo_deid_result *res = NULL;
    if (hogo_deid_config_load(cfg_path, &cfg, &err))
        fail_msg("%s: %s", err.where, err.message);
    if (hogo_deid_anonymize(cfg, csv_path, &res, &err))
        fail_msg("%s: %s", err.where, err.message);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    assert_int_equal(hogo_deid_result_write_report(res, f, &err), 0);
    fclose(f);
    /* the report is indented: compare without the layout */
    size_t w = 0;
    for (size_t i = 0; i < len; i++)
        if (buf[i] != ' ' && buf[i] != '\n')
            buf[w++] = buf[i];
    buf[w] = '\0';
    /* age generalised to 年代 (level 2), sex kept: four classes of two */
    assert_non_null(strstr(buf, "\"levels\":{\"age\":2,\"sex\":0}"));
    assert_non_null(strstr(buf, "\"classes\":4"));
    assert_non_null(strstr(buf, "\"sensitive\":[{\"attribute\":\"disease\",\"l_diversity\":\"distinct\",\"l\":2"));
    assert_non_null(strstr(buf, "\"prosecutor_max\":0.5"));
    assert_non_null(strstr(buf, "\"all_hold\":true"));
    free(buf);
    hogo_deid_result_free(res);
    hogo_deid_config_free(cfg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(report_names_levels_models_and_risks)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
