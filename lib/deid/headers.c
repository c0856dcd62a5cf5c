/*
 * Column headers to data categories, for executing `deidentify` obligations: the
 * vocabulary's data categories (policies/vocabulary.yaml) are read with their id, Japanese
 * name, English name, the other wordings the seeds use (also_ja), their kind and their broader
 * categories (part_of), and a header is matched against all of those names.
 * De-identification layer.
 */
#include "common/datacat.h"
#include "deid_int.h"

#include <hogo/policy.h>

#include <libfyaml.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void hogo__deid_cats_free(struct hogo__deid_cats *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n; i++) {
        free(c->cat[i].id);
        free(c->cat[i].kind);
        for (size_t k = 0; k < c->cat[i].nnames; k++)
            free(c->cat[i].names[k]);
        free(c->cat[i].names);
        for (size_t k = 0; k < c->cat[i].nparts; k++)
            free(c->cat[i].part_of[k]);
        free(c->cat[i].part_of);
    }
    free(c->cat);
    free(c);
}

static char *scalar_dup(struct fy_node *n)
{
    size_t len = 0;
    const char *s = n && fy_node_is_scalar(n) ? fy_node_get_scalar(n, &len) : NULL;
    return s ? strndup(s, len) : NULL;
}

/* Appends the scalar n, or every scalar of the sequence n, to (*arr, *cnt). */
static int add_strings(struct fy_node *n, char ***arr, size_t *cnt)
{
    if (!n)
        return 0;
    if (fy_node_is_sequence(n)) {
        void *it = NULL;
        struct fy_node *x;
        while ((x = fy_node_sequence_iterate(n, &it)) != NULL)
            if (add_strings(x, arr, cnt) < 0)
                return -1;
        return 0;
    }
    char *s = scalar_dup(n);
    char **a = s ? realloc(*arr, (*cnt + 1) * sizeof *a) : NULL;
    if (!a) {
        free(s);
        return -1;
    }
    a[(*cnt)++] = s;
    *arr = a;
    return 0;
}

int hogo__deid_cats_load(const char *path, struct hogo__deid_cats **out, struct hogo_error *err)
{
    char shipped[4096];
    if (!path) {
        hogo_vocab_default_file(shipped, sizeof shipped);
        path = shipped;
    }
    struct fy_parse_cfg cfg = {.flags = FYPCF_QUIET};
    struct fy_document *doc = fy_document_build_from_file(&cfg, path);
    if (!doc)
        return hogo_error_set(err, HOGO_EPOLICY, path,
                              "cannot read the vocabulary '%s' (for the data categories of the "
                              "column headers); check the path", path);
    struct fy_node *cats = fy_node_by_path(fy_document_root(doc), "/data_categories", -1, 0);
    struct hogo__deid_cats *c = calloc(1, sizeof *c);
    int rc = 0;
    if (!c)
        goto oom;
    if (!cats || !fy_node_is_mapping(cats)) {
        rc = hogo_error_set(err, HOGO_EPOLICY, path,
                            "the vocabulary '%s' has no data_categories mapping", path);
        goto out;
    }
    int n = fy_node_mapping_item_count(cats);
    c->cat = calloc((size_t)(n > 0 ? n : 1), sizeof *c->cat);
    if (!c->cat)
        goto oom;
    void *it = NULL;
    struct fy_node_pair *pair;
    while ((pair = fy_node_mapping_iterate(cats, &it)) != NULL) {
        struct hogo__deid_cat *k = &c->cat[c->n++];
        struct fy_node *body = fy_node_pair_value(pair);
        k->id = scalar_dup(fy_node_pair_key(pair));
        k->kind = scalar_dup(fy_node_by_path(body, "kind", -1, 0));
        if (!k->id || add_strings(fy_node_pair_key(pair), &k->names, &k->nnames) < 0 ||
            add_strings(fy_node_by_path(body, "ja", -1, 0), &k->names, &k->nnames) < 0 ||
            add_strings(fy_node_by_path(body, "en", -1, 0), &k->names, &k->nnames) < 0 ||
            add_strings(fy_node_by_path(body, "also_ja", -1, 0), &k->names, &k->nnames) < 0 ||
            add_strings(fy_node_by_path(body, "part_of", -1, 0), &k->part_of, &k->nparts) < 0)
            goto oom;
    }
    *out = c;
    c = NULL;
    goto out;
oom:
    rc = hogo_error_set(err, HOGO_ENOMEM, path, "out of memory reading '%s'", path);
out:
    hogo__deid_cats_free(c);
    fy_document_destroy(doc);
    return rc;
}

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

const struct hogo__deid_cat *hogo__deid_cats_find(const struct hogo__deid_cats *c,
                                                  const char *header)
{
    char h[512], x[512];
    /* exact names first, then folded ones (Email, E-mail, email_address) */
    for (size_t i = 0; i < c->n; i++)
        for (size_t k = 0; k < c->cat[i].nnames; k++)
            if (!strcmp(c->cat[i].names[k], header))
                return &c->cat[i];
    fold(header, h, sizeof h);
    if (!h[0])
        return NULL;
    for (size_t i = 0; i < c->n; i++)
        for (size_t k = 0; k < c->cat[i].nnames; k++) {
            fold(c->cat[i].names[k], x, sizeof x);
            if (!strcmp(x, h))
                return &c->cat[i];
        }
    return NULL;
}

const struct hogo__deid_cat *hogo__deid_cats_get(const struct hogo__deid_cats *c, const char *id)
{
    for (size_t i = 0; i < c->n; i++)
        if (!strcmp(c->cat[i].id, id))
            return &c->cat[i];
    return NULL;
}

int hogo__deid_cat_direct(const struct hogo__deid_cat *k)
{
    return hogo__data_category_direct(k->kind, k->id);
}

int hogo__deid_cat_within(const struct hogo__deid_cats *c, const struct hogo__deid_cat *k,
                          const char *id)
{
    /* walk up part_of (the vocabulary's hierarchy is shallow; depth-limited for safety) */
    const struct hogo__deid_cat *stack[32];
    size_t sp = 0;
    stack[sp++] = k;
    for (size_t steps = 0; sp && steps < 256; steps++) {
        const struct hogo__deid_cat *x = stack[--sp];
        if (!strcmp(x->id, id))
            return 1;
        for (size_t p = 0; p < x->nparts && sp < 32; p++) {
            const struct hogo__deid_cat *up = hogo__deid_cats_get(c, x->part_of[p]);
            if (up)
                stack[sp++] = up;
        }
    }
    return 0;
}
