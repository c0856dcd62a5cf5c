/*
 * Small JSON helpers for hogod over yajl: a depth check run before a body is parsed into a
 * tree (yajl's tree parser has no depth limit of its own), and generator shorthands.
 * Daemon layer.
 */
#include "hogod.h"

#include <stdlib.h>
#include <string.h>

bool hogod_json_depth_ok(const char *s, size_t len, int max)
{
    int depth = 0;
    bool in_string = false;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (in_string) {
            if (c == '\\')
                i++;
            else if (c == '"')
                in_string = false;
        } else if (c == '"') {
            in_string = true;
        } else if (c == '{' || c == '[') {
            if (++depth > max)
                return false;
        } else if (c == '}' || c == ']') {
            depth--;
        }
    }
    return true;
}

char *hogod_gen_take(yajl_gen g, size_t *len)
{
    const unsigned char *buf;
    size_t n;
    if (yajl_gen_get_buf(g, &buf, &n) != yajl_gen_status_ok)
        return NULL;
    char *s = malloc(n + 1);
    if (!s)
        return NULL;
    memcpy(s, buf, n);
    s[n] = '\0';
    if (len)
        *len = n;
    return s;
}

void hogod_gen_str(yajl_gen g, const char *s)
{
    yajl_gen_string(g, (const unsigned char *)s, strlen(s));
}

void hogod_gen_kv(yajl_gen g, const char *k, const char *v)
{
    hogod_gen_str(g, k);
    if (v)
        hogod_gen_str(g, v);
    else
        yajl_gen_null(g);
}

void hogod_gen_kv_int(yajl_gen g, const char *k, long long v)
{
    hogod_gen_str(g, k);
    yajl_gen_integer(g, v);
}

void hogod_gen_value(yajl_gen g, yajl_val v)
{
    if (!v) {
        yajl_gen_null(g);
    } else if (YAJL_IS_STRING(v)) {
        hogod_gen_str(g, hogod_str(v));
    } else if (YAJL_IS_NUMBER(v)) {
        const char *n = YAJL_GET_NUMBER(v);
        yajl_gen_number(g, n, strlen(n));
    } else if (YAJL_IS_TRUE(v) || YAJL_IS_FALSE(v)) {
        yajl_gen_bool(g, YAJL_IS_TRUE(v));
    } else if (YAJL_IS_OBJECT(v)) {
        yajl_gen_map_open(g);
        for (size_t i = 0; i < v->u.object.len; i++) {
            hogod_gen_str(g, v->u.object.keys[i]);
            hogod_gen_value(g, v->u.object.values[i]);
        }
        yajl_gen_map_close(g);
    } else if (YAJL_IS_ARRAY(v)) {
        yajl_gen_array_open(g);
        for (size_t i = 0; i < v->u.array.len; i++)
            hogod_gen_value(g, v->u.array.values[i]);
        yajl_gen_array_close(g);
    } else {
        yajl_gen_null(g);
    }
}
