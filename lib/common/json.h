/*
 * JSON generation helpers over yajl_gen, shared by every module that writes JSON answers.
 * Common layer: depends on nothing else in lib/.
 */
#ifndef HOGO_COMMON_JSON_H
#define HOGO_COMMON_JSON_H

#include <hogo/error.h>

#include <stdint.h>
#include <yajl/yajl_gen.h>

/* Writes s as a JSON string (NULL -> null). */
/* Makes g write indented JSON the way every indented output of hogo is: two spaces a level. */
void hogo__gen_pretty(yajl_gen g);
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
