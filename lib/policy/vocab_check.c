/*
 * Checking an id against the vocabulary before it is stored, with the nearest known id as the
 * hint: the store's vocabulary check (hogo_store_set_vocabulary_check()) so that an unknown
 * opt-out purpose, linked account, service, consent recipient, data category or operator is
 * refused when written, instead of failing every later decision. Policy layer.
 */
#include "policy_int.h"

#include <stdio.h>
#include <string.h>

/* The vocabulary kind of a store kind name; HOGO__K_COUNT for a kind the vocabulary does not
 * list. */
static enum hogo__kind kind_of(const char *kind)
{
    static const struct {
        const char *name;
        enum hogo__kind k;
    } kinds[] = {{"data_category", HOGO__K_DATA}, {"purpose", HOGO__K_PURPOSE},
                 {"service", HOGO__K_SERVICE},    {"recipient", HOGO__K_RECIPIENT},
                 {"account", HOGO__K_ACCOUNT},    {"policy", HOGO__K_POLICY}};
    for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++)
        if (!strcmp(kinds[i].name, kind))
            return kinds[i].k;
    return HOGO__K_COUNT;
}

int hogo_vocab_check_id(void *vocab, const char *kind, const char *id, struct hogo_error *err)
{
    const struct hogo_vocab *v = vocab;
    enum hogo__kind k = kind_of(kind);
    if (!id || !*id)
        return hogo_error_set(err, HOGO_EINVAL, NULL, "an empty %s id", kind);
    if (k == HOGO__K_COUNT || hogo__vocab_find(v, k, id, strlen(id)) >= 0)
        return 0;
    char near[128];
    hogo__vocab_nearest(v, k, id, near, sizeof near);
    if (near[0])
        return hogo_error_set(err, HOGO_EINVAL, NULL, "unknown %s '%s' — did you mean '%s'?",
                              hogo__kind_name(k), id, near);
    return hogo_error_set(err, HOGO_EINVAL, NULL,
                          "unknown %s '%s'; use an id from %s", hogo__kind_name(k), id,
                          hogo_vocab_path(v));
}
