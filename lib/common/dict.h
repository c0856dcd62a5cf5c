/*
 * A string dictionary: strings to dense ids 0..n-1 in insertion order. Common layer
 * (internal to libhogo): used by the de-identification and audit modules.
 */
#ifndef HOGO_COMMON_DICT_H
#define HOGO_COMMON_DICT_H

#include <stddef.h>
#include <stdint.h>

/* Maps strings to dense ids 0..n-1 in insertion order. Keys are copied. */
struct hogo__dict {
    char **keys;     /* owned: id -> string */
    uint32_t *slots; /* owned: open-addressing table of (id+1, hash tag) pairs, 0 = empty */
    size_t n, cap;   /* number of keys, slots capacity (power of 2) */
    size_t kcap;     /* capacity of keys */
};
void hogo__dict_init(struct hogo__dict *d);
void hogo__dict_release(struct hogo__dict *d);
/* Returns the id of s, or -1 when absent. */
long hogo__dict_find(const struct hogo__dict *d, const char *s);
/* Returns the id of s, adding it when absent; negative HOGO_ENOMEM on failure. */
long hogo__dict_add(struct hogo__dict *d, const char *s);
/* A 64-bit hash of s (eight bytes at a time, then mixed). */
uint64_t hogo__hash_str(const char *s);

#endif
