/*
 * Corporation names beside their corporate numbers (法人番号 → 商号), so that a person can find
 * a company to block by its name as well as by its number, and the privacy center can show
 * which company a blocked number is. Subject layer (with the successions in subject.c).
 * Names are not facts a decision rests on (blocks are kept by number); naming one is an
 * audit event all the same, which records the number and the name.
 */
#include "common/csv.h"
#include "subject-int.h"

#include <utf8proc.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CORP_NAME_MAX 256 /* bytes of a corporation's name */

/* A name must be 1..CORP_NAME_MAX bytes of UTF-8 without control characters. */
static int check_name(const char *name, struct hogo_error *err)
{
    size_t n = name ? strlen(name) : 0;
    if (n == 0)
        return hogo_error_set(err, HOGO_EINVAL, NULL,
                              "corporation name is empty; give the registered name (商号)");
    if (n > CORP_NAME_MAX)
        return hogo_error_set(err, HOGO_ELIMIT, NULL,
                              "corporation name is %zu bytes, over the limit of %d; shorten it",
                              n, CORP_NAME_MAX);
    if (!hogo__utf8_valid(name, n))
        return hogo_error_set(err, HOGO_EINVAL, NULL,
                              "corporation name is not valid UTF-8; write it in UTF-8");
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)name[i] < 0x20 || name[i] == 0x7f)
            return hogo_error_set(err, HOGO_EINVAL, NULL,
                                  "corporation name holds a control character (byte %zu); "
                                  "write it on one line",
                                  i);
    return 0;
}

int hogo_corp_register(struct hogo_store *st, const char *number, const char *name,
                       struct hogo_error *err)
{
    if (!hogo_corporate_number_valid(number))
        return hogo_error_set(err, HOGO_EINVAL, NULL,
                              "corporate number '%s' is not a valid 13-digit 法人番号 (check "
                              "digit first); check it at the National Tax Agency's site",
                              number ? number : "");
    int rc = check_name(name, err);
    if (rc == 0)
        rc = hogo__txn_begin(st, err);
    if (rc < 0)
        return rc;
    struct hogo__val p[] = {HV_TEXT(number), HV_TEXT(name), HV_INT(hogo__now_us(st))};
    rc = hogo__exec(st,
                    "INSERT INTO corporations (corporate_number, name, created_at) "
                    "VALUES (?, ?, ?) ON CONFLICT (corporate_number) DO UPDATE SET name = "
                    "excluded.name",
                    p, 3, NULL, err);
    if (rc == 0) {
        char obj[64];
        snprintf(obj, sizeof obj, "corp:%s", number);
        yajl_gen g = yajl_gen_alloc(NULL);
        char *detail = NULL;
        if (!g)
            rc = hogo_error_set(err, HOGO_ENOMEM, NULL, "out of memory");
        if (rc == 0) {
            yajl_gen_map_open(g);
            hogo__gen_kv_str(g, "name", name);
            yajl_gen_map_close(g);
            rc = hogo__gen_take(g, &detail, err);
        }
        if (g)
            yajl_gen_free(g);
        if (rc == 0)
            rc = hogo__audit_append(st, NULL, "corp.register", obj, detail, err);
        free(detail);
    }
    return hogo__txn_end(st, rc, err);
}

struct search_ctx {
    yajl_gen g;
};

static int row_corp(void *ctx, const struct hogo__val *c, size_t n)
{
    struct search_ctx *x = ctx;
    if (n < 2 || c[0].type != HOGO__TEXT)
        return 0;
    yajl_gen_map_open(x->g);
    hogo__gen_kv_str(x->g, "corporate_number", c[0].s);
    hogo__gen_kv_str(x->g, "name", c[1].type == HOGO__TEXT ? c[1].s : "");
    yajl_gen_map_close(x->g);
    return 0;
}

/* The query folded the way names are compared: NFKC (full-width digits and letters become
 * half-width, half-width kana full-width), surrounding spaces dropped. *out allocated. */
static int fold_query(const char *q, char **out, struct hogo_error *err)
{
    size_t n = strlen(q);
    if (!hogo__utf8_valid(q, n))
        return hogo_error_set(err, HOGO_EINVAL, NULL,
                              "search text is not valid UTF-8; write it in UTF-8");
    utf8proc_uint8_t *f = utf8proc_NFKC((const utf8proc_uint8_t *)q);
    if (!f)
        return hogo_error_set(err, HOGO_ENOMEM, NULL, "out of memory");
    char *s = (char *)f;
    while (*s == ' ')
        s++;
    size_t len = strlen(s);
    while (len && s[len - 1] == ' ')
        len--;
    memmove(f, s, len);
    f[len] = 0;
    *out = (char *)f;
    return 0;
}

int hogo_corp_search_json(struct hogo_store *st, const char *query, int limit, char **json,
                          struct hogo_error *err)
{
    *json = NULL;
    if (!query)
        query = "";
    if (strlen(query) > CORP_NAME_MAX)
        return hogo_error_set(err, HOGO_ELIMIT, NULL,
                              "search text is over %d bytes; search for part of the name",
                              CORP_NAME_MAX);
    if (limit <= 0 || limit > 1000)
        limit = 50;
    char *q = NULL;
    int rc = fold_query(query, &q, err);
    if (rc < 0)
        return rc;
    if (!*q) {
        free(q);
        return hogo_error_set(err, HOGO_EINVAL, NULL,
                              "search text is empty; give part of a company name or a "
                              "corporate number");
    }
    /* a LIKE pattern matching q anywhere, with %, _ and the escape itself escaped */
    size_t qn = strlen(q);
    char *pat = malloc(2 * qn + 3);
    if (!pat) {
        free(q);
        return hogo_error_set(err, HOGO_ENOMEM, NULL, "out of memory");
    }
    size_t k = 0;
    pat[k++] = '%';
    for (size_t i = 0; i < qn; i++) {
        if (q[i] == '%' || q[i] == '_' || q[i] == '!')
            pat[k++] = '!';
        pat[k++] = q[i];
    }
    pat[k++] = '%';
    pat[k] = 0;
    int digits = strspn(q, "0123456789") == qn;
    yajl_gen g = yajl_gen_alloc(NULL);
    if (!g) {
        free(q);
        free(pat);
        return hogo_error_set(err, HOGO_ENOMEM, NULL, "out of memory");
    }
    struct search_ctx x = {.g = g};
    yajl_gen_array_open(g);
    /* a number (or its beginning) matches by prefix; anything else the name, anywhere */
    char prefix[32] = "";
    if (digits && qn <= 13)
        snprintf(prefix, sizeof prefix, "%s%%", q);
    struct hogo__val p[] = {HV_TEXT(pat), HV_TEXT(digits && qn <= 13 ? prefix : ""),
                            HV_INT(limit)};
    rc = hogo__query(st,
                     "SELECT corporate_number, name FROM corporations WHERE name LIKE ? "
                     "ESCAPE '!' OR corporate_number LIKE ? ORDER BY name, corporate_number "
                     "LIMIT ?",
                     p, 3, row_corp, &x, err);
    yajl_gen_array_close(g);
    if (rc == 0)
        rc = hogo__gen_take(g, json, err);
    yajl_gen_free(g);
    free(q);
    free(pat);
    return rc;
}

/* Row: the name of one corporation. */
static int take_name(void *ctx, const struct hogo__val *c, size_t n)
{
    char **out = ctx;
    if (n >= 1 && c[0].type == HOGO__TEXT && c[0].n > 0 && !(*out = strdup(c[0].s)))
        return HOGO_ENOMEM;
    return 1;
}

int hogo_corp_name(struct hogo_store *st, const char *number, char **name,
                   struct hogo_error *err)
{
    *name = NULL;
    struct hogo__val p[] = {HV_TEXT(number)};
    int rc = hogo__query(st, "SELECT name FROM corporations WHERE corporate_number = ?", p, 1,
                         take_name, name, err);
    if (rc == HOGO_ENOMEM)
        return hogo_error_set(err, rc, NULL, "out of memory");
    if (rc < 0)
        return rc;
    if (!*name)
        return hogo_error_set(err, HOGO_ENOTFOUND, NULL,
                              "corporation %s has no name on record; name it with 'hogo corp "
                              "name %s NAME'",
                              number ? number : "", number ? number : "");
    return 0;
}
