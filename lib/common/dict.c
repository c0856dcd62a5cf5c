/*
 * A string dictionary: strings to dense ids in insertion order, with an open-addressing
 * table (lib/common/dict.h). Common layer: the de-identification module interns column
 * values with it, the audit module the ledger records it checks.
 */
#include "dict.h"
#include "buf.h"

#include <hogo/error.h>

#include <stdlib.h>
#include <string.h>

uint64_t hogo__hash_str(const char *s)
{
    /* Eight bytes at a time, then a multiply-xorshift finaliser. */
    size_t n = strlen(s);
    uint64_t h = 0x9E3779B97F4A7C15ull ^ n;
    while (n >= 8) {
        uint64_t w;
        memcpy(&w, s, 8);
        h = (h ^ w) * 0xff51afd7ed558ccdull;
        h ^= h >> 32;
        s += 8;
        n -= 8;
    }
    uint64_t w = 0;
    memcpy(&w, s, n);
    h = (h ^ w) * 0xc4ceb9fe1a85ec53ull;
    return h ^ (h >> 29);
}

void hogo__dict_init(struct hogo__dict *d)
{
    memset(d, 0, sizeof *d);
}

void hogo__dict_release(struct hogo__dict *d)
{
    for (size_t i = 0; i < d->n; i++)
        free(d->keys[i]);
    free(d->keys);
    free(d->slots);
    memset(d, 0, sizeof *d);
}

long hogo__dict_find(const struct hogo__dict *d, const char *s)
{
    if (!d->cap)
        return -1;
    size_t mask = d->cap - 1;
    uint64_t h = hogo__hash_str(s);
    uint32_t tag = (uint32_t)(h >> 32);
    for (size_t i = h & mask;; i = (i + 1) & mask) {
        uint32_t v = d->slots[2 * i];
        if (!v)
            return -1;
        if (d->slots[2 * i + 1] == tag && !strcmp(d->keys[v - 1], s))
            return (long)v - 1;
    }
}

static int dict_grow(struct hogo__dict *d)
{
    size_t cap = d->cap ? d->cap * 2 : 64;
    uint32_t *slots = calloc(2 * cap, sizeof *slots);
    if (!slots)
        return HOGO_ENOMEM;
    for (size_t k = 0; k < d->n; k++) {
        uint64_t h = hogo__hash_str(d->keys[k]);
        size_t i = h & (cap - 1);
        while (slots[2 * i])
            i = (i + 1) & (cap - 1);
        slots[2 * i] = (uint32_t)k + 1;
        slots[2 * i + 1] = (uint32_t)(h >> 32);
    }
    free(d->slots);
    d->slots = slots;
    d->cap = cap;
    return 0;
}

long hogo__dict_add(struct hogo__dict *d, const char *s)
{
    long id = hogo__dict_find(d, s);
    if (id >= 0)
        return id;
    if ((d->n + 1) * 2 > d->cap && dict_grow(d) < 0)
        return HOGO_ENOMEM;
    if (HOGO__GROW(d->keys, d->kcap, d->n + 1, 32) < 0)
        return HOGO_ENOMEM;
    char *copy = strdup(s);
    if (!copy)
        return HOGO_ENOMEM;
    size_t mask = d->cap - 1;
    uint64_t h = hogo__hash_str(s);
    size_t i = h & mask;
    while (d->slots[2 * i])
        i = (i + 1) & mask;
    d->keys[d->n] = copy;
    d->slots[2 * i] = (uint32_t)d->n + 1;
    d->slots[2 * i + 1] = (uint32_t)(h >> 32);
    return (long)d->n++;
}
