/*
 * Column headers to data categories, for executing `deidentify` obligations: a header is
 * matched against the loaded vocabulary's data categories (policies/vocabulary.yaml) by their
 * id, Japanese name, English name and the other wordings the seeds use (also_ja); whether a
 * category is a direct identifier and which categories it is part of are the vocabulary's.
 * De-identification layer, on the policy layer's loaded vocabulary.
 */
#include "deid_int.h"
#include "policy/policy_int.h"

#include <string.h>

/* s folded for matching: ASCII letters lowercased, spaces, '_' and '-' removed. */
static void fold(const char *s, char *out, size_t cap)
{
    size_t n = 0;
    for (; *s && n + 1 < cap; s++) {
        char ch = *s;
        if (ch == ' ' || ch == '_' || ch == '-')
            continue;
        out[n++] = (char)(ch >= 'A' && ch <= 'Z' ? ch - 'A' + 'a' : ch);
    }
    out[n] = '\0';
}

/* The k-th name a header may give category e (k < 3 + e->nalso_ja): id, ja, en, then the
 * also_ja wordings; NULL for a missing ja or en. */
static const char *nth_name(const struct hogo__entry *e, int k)
{
    return k == 0 ? e->id : k == 1 ? e->ja : k == 2 ? e->en : e->also_ja[k - 3];
}

int hogo__deid_cat_find(const struct hogo_vocab *v, const char *header)
{
    const struct hogo__table *t = &v->t[HOGO__K_DATA];
    char h[512], x[512];
    /* exact names first, then folded ones (Email, E-mail, email_address) */
    for (int i = 0; i < t->n; i++)
        for (int k = 0; k < 3 + t->v[i].nalso_ja; k++) {
            const char *name = nth_name(&t->v[i], k);
            if (name && !strcmp(name, header))
                return i;
        }
    fold(header, h, sizeof h);
    if (!h[0])
        return -1;
    for (int i = 0; i < t->n; i++)
        for (int k = 0; k < 3 + t->v[i].nalso_ja; k++) {
            const char *name = nth_name(&t->v[i], k);
            if (!name)
                continue;
            fold(name, x, sizeof x);
            if (!strcmp(x, h))
                return i;
        }
    return -1;
}

int hogo__deid_cat_get(const struct hogo_vocab *v, const char *id)
{
    return hogo__vocab_find(v, HOGO__K_DATA, id, strlen(id));
}

const char *hogo__deid_cat_id(const struct hogo_vocab *v, int cat)
{
    return v->t[HOGO__K_DATA].v[cat].id;
}

bool hogo__deid_cat_direct(const struct hogo_vocab *v, int cat)
{
    return (v->t[HOGO__K_DATA].v[cat].flags & HOGO__FLAG_DIRECT_ID) != 0;
}

bool hogo__deid_cat_within(const struct hogo_vocab *v, int cat, const char *id)
{
    return hogo__set_has(&v->t[HOGO__K_DATA].up[cat], hogo__deid_cat_get(v, id));
}
