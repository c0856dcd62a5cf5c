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

/* yajl writes a raw newline only between tokens (inside a string it is escaped), so an opening
 * bracket followed by nothing but newlines and spaces up to its closing bracket is an empty
 * container, whatever the brackets' depth. */
static size_t empty_container_end(const char *s, size_t len, size_t at)
{
    char close = s[at] == '[' ? ']' : '}';
    size_t k = at + 1;
    while (k < len && (s[k] == '\n' || s[k] == ' '))
        k++;
    return k < len && k > at + 1 && s[k] == close ? k : 0;
}

size_t hogo__json_tidy(char *s, size_t len)
{
    size_t w = 0;
    for (size_t r = 0; r < len; r++) {
        s[w++] = s[r];
        if ((s[r] == '[' || s[r] == '{') && r + 1 < len && s[r + 1] == '\n') {
            size_t k = empty_container_end(s, len, r);
            if (k) {
                s[w++] = s[k];
                r = k;
            }
        }
    }
    if (w < len)
        s[w] = '\0';
    return w;
}

static void stream_flush(struct hogo__json_stream *js)
{
    fwrite(js->held, 1, js->nheld, js->out);
    js->nheld = 0;
}

void hogo__json_stream_print(void *ctx, const char *s, size_t len)
{
    struct hogo__json_stream *js = ctx;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (js->nheld) {
            if ((c == '\n' || c == ' ') && js->nheld < sizeof js->held) {
                js->held[js->nheld++] = c;
                continue;
            }
            char close = js->held[0] == '[' ? ']' : '}';
            if (c == close && js->nheld > 1 && js->held[1] == '\n') {
                js->nheld = 1; /* the bracket alone, then its closing one below */
                stream_flush(js);
                fputc(c, js->out);
                continue;
            }
            stream_flush(js);
        }
        if (c == '[' || c == '{') {
            js->held[js->nheld++] = c;
            continue;
        }
        fputc(c, js->out);
    }
}

void hogo__json_stream_end(struct hogo__json_stream *js)
{
    stream_flush(js);
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
    if (memchr(s, '\n', len))
        hogo__json_tidy(s, len);
    *out = s;
    return 0;
}
