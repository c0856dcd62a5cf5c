/*
 * Executing a decision's `deidentify` obligation on a CSV file: the columns whose data
 * category is in `drop` (or part of one, e.g. contact → email, phone, address, postal_code)
 * are removed; the attributes in `generalize` are produced from their source columns
 * (age_group = 年代 from age or birth date, residential_area = 都道府県 from an address,
 * gender/occupation kept as they are). Column headers name data categories of the vocabulary
 * (id, Japanese or English name, or another wording it lists), or are declared by the caller
 * (HEADER=CATEGORY, HEADER=drop, HEADER=keep); any other header is refused. Columns of direct
 * identifiers (name, contact details, account ids, identity documents) are dropped even when
 * `drop` does not name them (the clauses' 氏名や住所の情報の除外), and an age or a birth date
 * never leaves as it is: it becomes 年代, top-coded at "90+" (an age of 116 identifies). Kept
 * columns are checked for identifiers, and the rows leave in a random order.
 * De-identification layer.
 */
#include "common/json.h"
#include "deid_int.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

static int japanese_headers(const struct hogo__csv *csv)
{
    for (size_t c = 0; c < csv->ncols; c++)
        if ((unsigned char)csv->header[c][0] >= 0x80)
            return 1;
    return 0;
}

yajl_gen hogo__deid_report_open(FILE *out, struct hogo__json_stream *js)
{
    yajl_gen g = yajl_gen_alloc(NULL);
    if (!g)
        return NULL;
    *js = (struct hogo__json_stream){.out = out};
    hogo__gen_pretty(g);
    yajl_gen_config(g, yajl_gen_print_callback, hogo__json_stream_print, (void *)js);
    yajl_gen_map_open(g);
    return g;
}

void hogo__deid_report_columns(yajl_gen g, const char *const *keys, int nkeys,
                               const struct hogo__csv *csv, const int *cls)
{
    for (int k = 0; k < nkeys; k++) {
        yajl_gen_string(g, (const unsigned char *)keys[k], strlen(keys[k]));
        yajl_gen_array_open(g);
        for (size_t c = 0; c < csv->ncols; c++)
            if ((cls[c] < nkeys - 1 ? cls[c] : nkeys - 1) == k)
                yajl_gen_string(g, (const unsigned char *)csv->header[c],
                                strlen(csv->header[c]));
        yajl_gen_array_close(g);
    }
}

void hogo__deid_report_close(yajl_gen g, struct hogo__json_stream *js)
{
    yajl_gen_map_close(g);
    yajl_gen_free(g);
    hogo__json_stream_end(js);
    fputc('\n', js->out);
}

/* Checks that every element of the array arr (may be NULL), named name in messages, is a
 * data-category id string. */
static int check_ids(yajl_val arr, const char *name, struct hogo_error *err)
{
    for (size_t i = 0; arr && i < arr->u.array.len; i++)
        if (!YAJL_IS_STRING(arr->u.array.values[i])) {
            char where[48];
            snprintf(where, sizeof where, "/%s/%zu", name, i);
            return hogo_error_set(err, HOGO_EINVAL, where,
                                  "%s must be a data-category id string", where);
        }
    return 0;
}

enum { KEEP = 0, DROP, AGE_GROUP_FROM_AGE, AGE_GROUP_FROM_BIRTH, AREA_FROM_ADDRESS };

/* The category declared for header in decl ("HEADER=VALUE" entries), or NULL. */
static const char *declared(const char *const *decl, const char *header)
{
    size_t hl = strlen(header);
    for (; decl && *decl; decl++)
        if (!strncmp(*decl, header, hl) && (*decl)[hl] == '=')
            return *decl + hl + 1;
    return NULL;
}

int hogo_deid_apply(const char *obligation_json, size_t len, const char *csv_path, FILE *out,
                    FILE *report, struct hogo_error *err)
{
    return hogo_deid_apply_ex(obligation_json, len, csv_path, NULL, out, report, err);
}

int hogo_deid_apply_ex(const char *obligation_json, size_t len, const char *csv_path,
                       const struct hogo_deid_apply_opts *opts, FILE *out, FILE *report,
                       struct hogo_error *err)
{
    int rc = 0;
    char ebuf[256];
    yajl_val root = NULL;
    struct hogo__csv csv;
    int *action = NULL;
    char *json = NULL;
    struct hogo__deid_cats *cats = NULL;
    const struct hogo__deid_cat **colcat = NULL;
    int *keep_declared = NULL;
    struct hogo_deid_scrubber *scrubber = NULL;
    uint32_t *order = NULL;
    memset(&csv, 0, sizeof csv);
    json = malloc(len + 1);
    if (!json)
        return hogo_error_set(err, HOGO_ENOMEM, "", "out of memory");
    memcpy(json, obligation_json, len);
    json[len] = '\0';
    root = yajl_tree_parse(json, ebuf, sizeof ebuf);
    if (!root || !YAJL_IS_OBJECT(root)) {
        rc = hogo_error_set(err, HOGO_EINVAL, "/", "obligation is not a JSON object: %s; give "
                            "{\"type\":\"deidentify\",\"drop\":[...],\"generalize\":[...]}",
                            root ? "not an object" : ebuf);
        goto out;
    }
    const char *tp[] = {"type", NULL}, *dp[] = {"drop", NULL}, *gp[] = {"generalize", NULL};
    yajl_val type = yajl_tree_get(root, tp, yajl_t_string);
    yajl_val drop = yajl_tree_get(root, dp, yajl_t_any);
    yajl_val gen = yajl_tree_get(root, gp, yajl_t_any);
    if (!type || strcmp((type)->u.string, "deidentify")) {
        rc = hogo_error_set(err, HOGO_EINVAL, "/type",
                            "obligation type must be 'deidentify' (/type); other obligations "
                            "are not executed by 'deid apply'");
        goto out;
    }
    if ((drop && !YAJL_IS_ARRAY(drop)) || (gen && !YAJL_IS_ARRAY(gen))) {
        rc = hogo_error_set(err, HOGO_EINVAL, drop && !YAJL_IS_ARRAY(drop) ? "/drop" : "/generalize",
                            "'drop' and 'generalize' must be arrays of data-category ids");
        goto out;
    }
    if ((rc = check_ids(drop, "drop", err)) < 0 || (rc = check_ids(gen, "generalize", err)) < 0)
        goto out;
    if ((rc = hogo__csv_load(&csv, csv_path, 0, err)) < 0)
        goto out;
    if ((rc = hogo__deid_cats_load(opts ? opts->vocabulary : NULL, &cats, err)) < 0)
        goto out;
    action = calloc(csv.ncols, sizeof *action);
    colcat = calloc(csv.ncols, sizeof *colcat);
    keep_declared = calloc(csv.ncols, sizeof *keep_declared);
    if (!action || !colcat || !keep_declared)
        goto oom;
    /* Every header names a category or is declared. */
    for (size_t c = 0; c < csv.ncols; c++) {
        const char *d = declared(opts ? opts->columns : NULL, csv.header[c]);
        if (d && !strcmp(d, "drop")) {
            action[c] = DROP;
            continue;
        }
        if (d && !strcmp(d, "keep")) {
            keep_declared[c] = 1;
            continue;
        }
        colcat[c] = d ? hogo__deid_cats_get(cats, d) : hogo__deid_cats_find(cats, csv.header[c]);
        if (!colcat[c]) {
            rc = hogo_error_set(err, HOGO_EINVAL, csv_path,
                                d ? "column '%s' of '%s' is declared as '%s', which is not a "
                                    "data category of the vocabulary; declare a category id, "
                                    "drop or keep"
                                  : "column '%s' of '%s' names no data category of the "
                                    "vocabulary%s; rename it to a category id or name, or "
                                    "declare it (HEADER=CATEGORY, HEADER=drop, or HEADER=keep "
                                    "for a harmless column)",
                                csv.header[c], csv_path, d ? d : "");
            goto out;
        }
    }
    for (size_t c = 0; c < csv.ncols; c++)
        for (size_t i = 0; colcat[c] && drop && i < drop->u.array.len; i++)
            if (hogo__deid_cat_within(cats, colcat[c], (drop->u.array.values[i])->u.string))
                action[c] = DROP;
    for (size_t i = 0; gen && i < gen->u.array.len; i++) {
        const char *g = (gen->u.array.values[i])->u.string;
        int found = 0;
        for (size_t c = 0; c < csv.ncols; c++) {
            if (!colcat[c])
                continue;
            const char *cat = colcat[c]->id;
            if (!strcmp(g, "age_group") && !strcmp(cat, "age"))
                action[c] = AGE_GROUP_FROM_AGE, found = 1;
            else if (!strcmp(g, "age_group") && !strcmp(cat, "birth_date"))
                action[c] = AGE_GROUP_FROM_BIRTH, found = 1;
            else if (!strcmp(g, "residential_area") && !strcmp(cat, "address"))
                action[c] = AREA_FROM_ADDRESS, found = 1;
            else if (!strcmp(cat, g) && action[c] != DROP)
                found = 1; /* already at the asked granularity (gender, age_group, …) */
        }
        if (!found) {
            char where[48];
            snprintf(where, sizeof where, "/generalize/%zu", i);
            rc = hogo_error_set(err, HOGO_EINVAL, where,
                                "no column of '%s' gives '%s' (%s); add a column named after "
                                "the category or its source (age, birth_date, address)",
                                csv_path, g, where);
            goto out;
        }
    }
    /* 氏名や住所の情報の除外: a direct identifier never leaves as it is, whatever the drop
     * list names (an address generalised to 都道府県 is no longer one) */
    for (size_t c = 0; c < csv.ncols; c++)
        if (action[c] == KEEP && colcat[c] && hogo__deid_cat_direct(colcat[c]))
            action[c] = DROP;
    /* 性別や年代の属性情報にする: an age or a birth date never leaves as it is, whatever the
     * generalize list says (a bare obligation too) */
    for (size_t c = 0; c < csv.ncols; c++)
        if (action[c] == KEEP && colcat[c] && !strcmp(colcat[c]->id, "age"))
            action[c] = AGE_GROUP_FROM_AGE;
        else if (action[c] == KEEP && colcat[c] && !strcmp(colcat[c]->id, "birth_date"))
            action[c] = AGE_GROUP_FROM_BIRTH;
    /* What stays as it is must hold no identifier. */
    for (size_t c = 0; c < csv.ncols; c++)
        if (action[c] == KEEP &&
            (rc = hogo__deid_scan_column(&scrubber, &csv, c,
                                         keep_declared[c] ? "declared harmless (keep)"
                                                          : "kept as it is",
                                         err)) < 0)
            goto out;
    if ((rc = hogo__deid_row_order(NULL, csv.nrows, &order, err)) < 0)
        goto out;
    /* Output. */
    int ja = japanese_headers(&csv), first = 1;
    for (size_t c = 0; c < csv.ncols; c++) {
        if (action[c] == DROP)
            continue;
        if (!first)
            fputc(csv.sep, out);
        first = 0;
        const char *h = csv.header[c];
        if (action[c] == AGE_GROUP_FROM_AGE || action[c] == AGE_GROUP_FROM_BIRTH)
            h = ja ? "年代" : "age_group";
        else if (action[c] == AREA_FROM_ADDRESS)
            h = ja ? "居住地域" : "residential_area";
        hogo__csv_write_field(out, h, csv.sep);
    }
    fputc('\n', out);
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    for (size_t i = 0; i < csv.nrows; i++) {
        size_t r = order[i];
        first = 1;
        for (size_t c = 0; c < csv.ncols; c++) {
            if (action[c] == DROP)
                continue;
            if (!first)
                fputc(csv.sep, out);
            first = 0;
            const char *v = csv.cells[r * csv.ncols + c];
            char buf[128];
            char where[300];
            snprintf(where, sizeof where, "%s:%zu", csv_path, csv.lines[r]);
            if (action[c] == AGE_GROUP_FROM_AGE || action[c] == AGE_GROUP_FROM_BIRTH) {
                long age = -1;
                char *end = NULL;
                if (action[c] == AGE_GROUP_FROM_AGE) {
                    age = strtol(v, &end, 10);
                    if (end == v || *end || age < 0 || age > 150)
                        age = -1;
                } else {
                    int y, m, d;
                    if (sscanf(v, "%d-%d-%d", &y, &m, &d) == 3 ||
                        sscanf(v, "%d/%d/%d", &y, &m, &d) == 3) {
                        age = (tm.tm_year + 1900) - y;
                        if (tm.tm_mon + 1 < m || (tm.tm_mon + 1 == m && tm.tm_mday < d))
                            age--;
                        if (age < 0 || age > 150)
                            age = -1;
                    }
                }
                if (age < 0) {
                    rc = hogo_error_set(err, HOGO_EINVAL, where,
                                        "'%s' in column '%s' (%s) is not an age or a date "
                                        "YYYY-MM-DD; fix the value", v, csv.header[c], where);
                    goto out;
                }
                /* top-coded: 90 and over are one group (an age of 116 identifies) */
                if (age >= 90)
                    snprintf(buf, sizeof buf, "90+");
                else
                    snprintf(buf, sizeof buf, "%ld代", age / 10 * 10);
                v = buf;
            } else if (action[c] == AREA_FROM_ADDRESS) {
                int bad = 0, pi;
                char *norm = hogo__nfkc(v, strlen(v), &bad);
                size_t pl = norm ? hogo__jp_prefecture_at(norm, &pi) : 0;
                free(norm);
                if (!pl) {
                    rc = hogo_error_set(err, HOGO_EINVAL, where,
                                        "address '%s' (%s) does not start with a prefecture; "
                                        "write it with 都道府県", v, where);
                    goto out;
                }
                v = hogo__jp_prefecture_name(pi);
            }
            hogo__csv_write_field(out, v, csv.sep);
        }
        fputc('\n', out);
    }
    if (report) {
        struct hogo__json_stream js;
        yajl_gen g = hogo__deid_report_open(report, &js);
        if (!g)
            goto oom;
        /* KEEP, DROP, then every generalisation */
        static const char *const keys[] = {"kept", "dropped", "generalized"};
        hogo__deid_report_columns(g, keys, 3, &csv, action);
        yajl_gen_string(g, (const unsigned char *)"rows", 4);
        yajl_gen_integer(g, (long long)csv.nrows);
        hogo__deid_report_close(g, &js);
    }
    goto out;
oom:
    rc = hogo_error_set(err, HOGO_ENOMEM, "", "out of memory");
out:
    free(action);
    free(colcat);
    free(keep_declared);
    free(order);
    hogo_deid_scrubber_free(scrubber);
    hogo__deid_cats_free(cats);
    hogo__csv_release(&csv);
    if (root)
        yajl_tree_free(root);
    free(json);
    return rc;
}
