/*
 * Small helpers for generating JSON with yajl, shared by the store, audit, subject and ledger
 * modules. Common layer (below every other module).
 */
#include "json.h"

#include <stdlib.h>
#include <string.h>

void hogo__gen_pretty(yajl_gen g)
{
    yajl_gen_config(g, yajl_gen_beautify, 1);
    yajl_gen_config(g, yajl_gen_indent_string, "  ");
}

void hogo__gen_str(yajl_gen g, const char *s)
{
    if (s)
        yajl_gen_string(g, (const unsigned char *)s, strlen(s));
    else
        yajl_gen_null(g);
}

void hogo__gen_kv_str(yajl_gen g, const char *k, const char *v)
{
    hogo__gen_str(g, k);
    hogo__gen_str(g, v);
}

void hogo__gen_kv_int(yajl_gen g, const char *k, int64_t v)
{
    hogo__gen_str(g, k);
    yajl_gen_integer(g, (long long)v);
}

void hogo__gen_csv_array(yajl_gen g, const char *csv)
{
    yajl_gen_array_open(g);
    const char *p = csv ? csv : "";
    while (*p) {
        const char *c = strchr(p, ',');
        size_t l = c ? (size_t)(c - p) : strlen(p);
        if (l)
            yajl_gen_string(g, (const unsigned char *)p, l);
        p += l;
        if (*p == ',')
            p++;
    }
    yajl_gen_array_close(g);
}

int hogo__gen_take(yajl_gen g, char **out, struct hogo_error *err)
{
    const unsigned char *buf;
    size_t len;
    *out = NULL;
    if (yajl_gen_get_buf(g, &buf, &len) != yajl_gen_status_ok)
        return hogo_error_set(err, HOGO_ESTORE, NULL, "generating JSON failed");
    char *s = malloc(len + 1);
    if (!s)
        return hogo_error_set(err, HOGO_ENOMEM, NULL, "out of memory generating JSON");
    memcpy(s, buf, len);
    s[len] = '\0';
    *out = s;
    return 0;
}
