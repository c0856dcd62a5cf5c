/*
 * JSON generation helpers over yajl_gen, shared by every module that writes JSON answers.
 * Common layer: depends on nothing else in lib/.
 */
#ifndef HOGO_COMMON_JSON_H
#define HOGO_COMMON_JSON_H

#include <hogo/error.h>

#include <stdint.h>
#include <stdio.h>
#include <yajl/yajl_gen.h>

/* Writes s as a JSON string (NULL -> null). */
/* Makes g write indented JSON the way every indented output of hogo is: two spaces a level. */
void hogo__gen_pretty(yajl_gen g);
/* Rewrites yajl's indented empty containers ("[\n\n  ]") as "[]" and "{}" in s, in place;
 * returns the new length (s stays NUL-terminated when it was). Other text is left as it is. */
size_t hogo__json_tidy(char *s, size_t len);

/* A yajl print callback writing to a FILE with empty containers tidied as hogo__json_tidy()
 * does; zero-initialise with .out set, pass as the callback's context, and call
 * hogo__json_stream_end() after the last value. */
struct hogo__json_stream {
    FILE *out;
    char held[256]; /* an opening bracket and the whitespace after it, not yet written */
    size_t nheld;
};
void hogo__json_stream_print(void *ctx, const char *s, size_t len);
void hogo__json_stream_end(struct hogo__json_stream *js);
void hogo__gen_str(yajl_gen g, const char *s);
/* Writes a key and a string value (v NULL -> null). */
void hogo__gen_kv_str(yajl_gen g, const char *k, const char *v);
/* Writes a key and an integer value. */
void hogo__gen_kv_int(yajl_gen g, const char *k, int64_t v);
/* Writes "a,b,c" as a JSON array of strings. */
void hogo__gen_csv_array(yajl_gen g, const char *csv);
/* Takes the generated text as an allocated NUL-terminated string. */
int hogo__gen_take(yajl_gen g, char **out, struct hogo_error *err);

#endif
