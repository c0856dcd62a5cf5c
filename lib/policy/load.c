/*
 * The policy loader and compiler: reads a policy file (docs/policy-language.md) with libfyaml,
 * validates every key and id against the vocabulary, checks every quote against the policy's
 * source text, and compiles rules into bit-set selectors, condition trees and per-action rule
 * indexes for the evaluator. Every problem is reported with file:line:col and a fix.
 * Policy layer.
 */
#include "common/buf.h"
#include "policy_int.h"
#include "yaml_util.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>
#include <dirent.h>
#include <unistd.h>
#include <yajl/yajl_gen.h>

/* Loading state: the document, where problems go, and the growing arrays. */
struct loader {
    const char *path;
    struct hogo_policy *p;
    const struct hogo_vocab *v;
    const struct hogo_policy_load_opts *opts;
    struct hogo_error *err; /* first error */
    int errors;
    size_t rule_cap, cond_cap, child_cap, clause_cap; /* elements allocated */
};

static void problem(struct loader *L, struct fy_node *at, bool warning, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void problem(struct loader *L, struct fy_node *at, bool warning, const char *fmt, ...)
{
    struct hogo_error e;
    hogo__yaml_where(L->path, at, e.where, sizeof e.where);
    va_list ap;
    va_start(ap, fmt);
    e.code = HOGO_EPOLICY;
    vsnprintf(e.message, sizeof e.message, fmt, ap);
    va_end(ap);
    if (L->opts && L->opts->diag)
        L->opts->diag(L->opts->diag_user, &e, warning);
    if (!warning) {
        if (L->errors++ == 0 && L->err)
            *L->err = e;
    }
}

/* Checks that a mapping has only the allowed keys. */
static void check_keys(struct loader *L, struct fy_node *map, const char *what,
                       const char *const *allowed)
{
    void *it = NULL;
    struct fy_node_pair *pair;
    while ((pair = fy_node_mapping_iterate(map, &it)) != NULL) {
        struct fy_node *k = fy_node_pair_key(pair);
        size_t len = 0;
        const char *s = fy_node_get_scalar(k, &len);
        bool ok = false;
        for (size_t i = 0; s && allowed[i]; i++)
            if (strlen(allowed[i]) == len && !memcmp(allowed[i], s, len))
                ok = true;
        if (!ok) {
            char list[512] = "";
            for (size_t i = 0; allowed[i]; i++) {
                strncat(list, i ? ", " : "", sizeof list - strlen(list) - 1);
                strncat(list, allowed[i], sizeof list - strlen(list) - 1);
            }
            problem(L, k, false, "unknown key '%.*s' in %s; the keys are: %s", (int)len,
                    s ? s : "", what, list);
        }
    }
}

static struct fy_node *get(struct fy_node *map, const char *key)
{
    return fy_node_mapping_lookup_by_string(map, key, (size_t)-1);
}

static char *required_string(struct loader *L, struct fy_node *map, const char *key,
                             const char *what)
{
    struct fy_node *n = get(map, key);
    if (!n) {
        problem(L, map, false, "%s has no '%s'; add it", what, key);
        return NULL;
    }
    char *s = hogo__yaml_strdup(n);
    if (!s)
        problem(L, n, false, "'%s' of %s must be a single text value", key, what);
    return s;
}

/* Resolves an id of kind k or reports it with the nearest known id. */
static int resolve_id(struct loader *L, struct fy_node *n, enum hogo__kind k)
{
    size_t len = 0;
    const char *s = n && fy_node_get_type(n) == FYNT_SCALAR ? fy_node_get_scalar(n, &len) : NULL;
    if (!s) {
        problem(L, n, false, "expected a %s id here", hogo__kind_name(k));
        return -1;
    }
    int i = hogo__vocab_find(L->v, k, s, len);
    if (i < 0) {
        char id[128], near[128];
        snprintf(id, sizeof id, "%.*s", (int)(len < 100 ? len : 100), s);
        hogo__vocab_nearest(L->v, k, id, near, sizeof near);
        if (near[0])
            problem(L, n, false, "unknown %s '%s' — did you mean '%s'?", hogo__kind_name(k), id,
                    near);
        else
            problem(L, n, false, "unknown %s '%s'; use an id from policies/vocabulary.yaml",
                    hogo__kind_name(k), id);
    }
    return i;
}

/* Calls fn for each scalar of a scalar-or-sequence node. */
static void for_each_item(struct loader *L, struct fy_node *n, const char *what,
                          void (*fn)(struct loader *, struct fy_node *, void *), void *ctx)
{
    if (!n)
        return;
    if (fy_node_get_type(n) == FYNT_SCALAR) {
        fn(L, n, ctx);
        return;
    }
    if (fy_node_get_type(n) != FYNT_SEQUENCE) {
        problem(L, n, false, "'%s' must be an id or a list of ids", what);
        return;
    }
    void *it = NULL;
    struct fy_node *item;
    int count = 0;
    while ((item = fy_node_sequence_iterate(n, &it)) != NULL) {
        fn(L, item, ctx);
        count++;
    }
    if (count == 0)
        problem(L, n, false, "'%s' is an empty list; omit the key to mean any, or list ids", what);
}

struct mask_ctx {
    enum hogo__kind kind;
    unsigned *mask;
};

static void add_to_mask(struct loader *L, struct fy_node *n, void *ctx)
{
    struct mask_ctx *c = ctx;
    int i = resolve_id(L, n, c->kind);
    if (i >= 0 && i < 32)
        *c->mask |= 1u << i;
}

static unsigned read_mask(struct loader *L, struct fy_node *n, enum hogo__kind k, const char *what)
{
    unsigned mask = 0;
    struct mask_ctx c = {k, &mask};
    for_each_item(L, n, what, add_to_mask, &c);
    return mask;
}

struct set_ctx {
    enum hogo__kind kind;
    struct hogo__set *cover; /* ids and everything narrower */
    char text[1024];
};

static void add_to_set(struct loader *L, struct fy_node *n, void *ctx)
{
    struct set_ctx *c = ctx;
    int i = resolve_id(L, n, c->kind);
    if (i < 0)
        return;
    hogo__set_union(c->cover, &L->v->t[c->kind].down[i]);
    size_t used = strlen(c->text);
    snprintf(c->text + used, sizeof c->text - used, "%s%s", used ? ", " : "",
             L->v->t[c->kind].v[i].id);
}

/* Reads a selector: an id, a list of ids, or {not: [...]}. */
static void read_selector(struct loader *L, struct fy_node *n, enum hogo__kind k, const char *what,
                          struct hogo__selector *sel)
{
    memset(sel, 0, sizeof *sel);
    if (!n)
        return;
    sel->present = true;
    struct set_ctx c = {.kind = k, .cover = &sel->cover};
    if (fy_node_get_type(n) == FYNT_MAPPING) {
        struct fy_node *neg = get(n, "not");
        check_keys(L, n, what, (const char *const[]){"not", NULL});
        if (!neg) {
            problem(L, n, false, "'%s' as a mapping must be {not: [ids]}", what);
            return;
        }
        sel->negated = true;
        for_each_item(L, neg, what, add_to_set, &c);
        for (int i = 0; i < L->v->t[k].n; i++)
            if (hogo__set_has(&sel->cover, i))
                sel->cover.w[i >> 6] &= ~(UINT64_C(1) << (i & 63));
            else
                hogo__set_add(&sel->cover, i);
    } else {
        for_each_item(L, n, what, add_to_set, &c);
    }
    size_t need = strlen(c.text) + 8;
    sel->text = malloc(need);
    if (sel->text)
        snprintf(sel->text, need, "%s%s", sel->negated ? "not " : "", c.text);
}

/* --- conditions ---------------------------------------------------------------------------- */

static int new_cond(struct loader *L)
{
    struct hogo_policy *p = L->p;
    if (HOGO__GROW(p->conds, L->cond_cap, (size_t)p->nconds + 1, 32) < 0)
        return -1;
    memset(&p->conds[p->nconds], 0, sizeof p->conds[0]);
    p->conds[p->nconds].first = -1;
    return p->nconds++;
}

static int add_children(struct loader *L, const int *kids, int n)
{
    struct hogo_policy *p = L->p;
    if (HOGO__GROW(p->children, L->child_cap, (size_t)p->nchildren + (size_t)n, 32) < 0)
        return -1;
    int first = p->nchildren;
    memcpy(p->children + first, kids, (size_t)n * sizeof *kids);
    p->nchildren += n;
    return first;
}

static int fact_index(struct loader *L, struct fy_node *k)
{
    return resolve_id(L, k, HOGO__K_FACT);
}


static int compile_cond(struct loader *L, struct fy_node *n, int depth);

static int compile_list(struct loader *L, struct fy_node *n, int op, int depth, const char *what)
{
    int c = new_cond(L);
    if (c < 0)
        return -1;
    L->p->conds[c].op = (uint8_t)op;
    if (fy_node_get_type(n) != FYNT_SEQUENCE) {
        problem(L, n, false, "'%s' takes a list of conditions", what);
        return c;
    }
    int kids[64], nk = 0;
    void *it = NULL;
    struct fy_node *item;
    while ((item = fy_node_sequence_iterate(n, &it)) != NULL) {
        if (nk == 64) {
            problem(L, item, false, "'%s' has more than 64 conditions; nest them", what);
            break;
        }
        int k = compile_cond(L, item, depth + 1);
        if (k >= 0)
            kids[nk++] = k;
    }
    if (nk == 0)
        problem(L, n, false, "'%s' has no conditions; remove it", what);
    int first = add_children(L, kids, nk);
    L->p->conds[c].first = first;
    L->p->conds[c].count = nk;
    return c;
}

/* How a condition's value is written, which decides how it is compiled. */
enum cond_form {
    FORM_LIST,      /* all, any: a list of conditions */
    FORM_NOT,       /* not: one condition */
    FORM_FACT_TEST, /* has, is: {FACT: VALUE} */
    FORM_AGE,       /* age_at_most, age_at_least: years */
    FORM_FACT_LIST, /* recipient_in, service_in: the name of a list fact */
    FORM_FLAG,      /* purpose_opted_out, recipient_foreign, institution_qualifies: true */
    FORM_IDS,       /* purpose, service, recipient, data: vocabulary ids of kind */
    FORM_BASIS,     /* basis: basis ids */
};

/* The conditions a policy may write, in the order the error message lists them. */
static const struct cond_def {
    const char *name;
    uint8_t op;     /* HOGO__C_* */
    uint8_t form;   /* enum cond_form */
    uint8_t kind;   /* FORM_IDS: enum hogo__kind of the ids */
} cond_defs[] = {
    {"all", HOGO__C_ALL, FORM_LIST, 0},
    {"any", HOGO__C_ANY, FORM_LIST, 0},
    {"not", HOGO__C_NOT, FORM_NOT, 0},
    {"has", HOGO__C_HAS, FORM_FACT_TEST, 0},
    {"is", HOGO__C_IS, FORM_FACT_TEST, 0},
    {"age_at_most", HOGO__C_AGE_AT_MOST, FORM_AGE, 0},
    {"age_at_least", HOGO__C_AGE_AT_LEAST, FORM_AGE, 0},
    {"recipient_in", HOGO__C_RECIPIENT_IN, FORM_FACT_LIST, 0},
    {"service_in", HOGO__C_SERVICE_IN, FORM_FACT_LIST, 0},
    {"purpose_opted_out", HOGO__C_PURPOSE_OPTED_OUT, FORM_FLAG, 0},
    {"recipient_foreign", HOGO__C_RECIPIENT_FOREIGN, FORM_FLAG, 0},
    {"institution_qualifies", HOGO__C_INSTITUTION_QUALIFIES, FORM_FLAG, 0},
    {"purpose", HOGO__C_PURPOSE, FORM_IDS, HOGO__K_PURPOSE},
    {"service", HOGO__C_SERVICE, FORM_IDS, HOGO__K_SERVICE},
    {"recipient", HOGO__C_RECIPIENT, FORM_IDS, HOGO__K_RECIPIENT},
    {"data", HOGO__C_DATA, FORM_IDS, HOGO__K_DATA},
    {"basis", HOGO__C_BASIS, FORM_BASIS, HOGO__K_BASIS},
};
#define N_COND_DEFS (sizeof cond_defs / sizeof cond_defs[0])

/* The condition named op[0..len), or NULL. */
static const struct cond_def *find_cond_def(const char *op, size_t len)
{
    for (size_t i = 0; i < N_COND_DEFS; i++)
        if (strlen(cond_defs[i].name) == len && !memcmp(op, cond_defs[i].name, len))
            return &cond_defs[i];
    return NULL;
}

/* has/is: {FACT: VALUE} into condition c. */
static void compile_fact_test(struct loader *L, int c, const struct cond_def *d,
                              struct fy_node *val)
{
    struct hogo__cond *cd = &L->p->conds[c];
    bool has = d->op == HOGO__C_HAS;
    if (!val || fy_node_get_type(val) != FYNT_MAPPING || fy_node_mapping_item_count(val) != 1) {
        problem(L, val, false, "'%s' takes one fact: {%s: {FACT: VALUE}}", d->name, d->name);
        return;
    }
    void *it = NULL;
    struct fy_node_pair *fp = fy_node_mapping_iterate(val, &it);
    int f = fact_index(L, fy_node_pair_key(fp));
    struct fy_node *fv = fy_node_pair_value(fp);
    if (f < 0)
        return;
    cd->fact = (uint8_t)f;
    if (!has) {
        cd->op = HOGO__C_IS;
        if (hogo__facts[f].type != HOGO__FT_BOOLEAN)
            problem(L, fy_node_pair_key(fp), false,
                    "'is' tests a true/false fact; '%s' is not one (use 'has' for lists, "
                    "age_at_most/age_at_least for age)",
                    L->v->t[HOGO__K_FACT].v[f].id);
        if (hogo__yaml_is(fv, "true") || hogo__yaml_is(fv, "false"))
            cd->value = hogo__yaml_is(fv, "true");
        else
            problem(L, fv, false, "'is' compares with true or false");
        return;
    }
    cd->op = HOGO__C_HAS;
    if (!hogo__fact_type_is_array(hogo__facts[f].type) || hogo__facts[f].type == HOGO__FT_CONSENTS) {
        problem(L, fy_node_pair_key(fp), false, "'has' tests a list fact; '%s' is not one",
                L->v->t[HOGO__K_FACT].v[f].id);
        return;
    }
    if (hogo__yaml_is(fv, "any")) {
        cd->value = false;
        return;
    }
    cd->value = true;
    enum hogo__kind kind = hogo__fact_kind(f);
    if (kind == HOGO__K_COUNT) {
        size_t vl = 0;
        const char *num = fv ? fy_node_get_scalar(fv, &vl) : NULL;
        if (!num || !hogo__corporate_number_valid(num, vl)) {
            problem(L, fv, false,
                    "'%s' holds corporate numbers: give 'any' or a valid 13-digit 法人番号",
                    L->v->t[HOGO__K_FACT].v[f].id);
            return;
        }
        cd->op = HOGO__C_HAS_CORP;
        cd->corp = strtoull(num, NULL, 10);
        return;
    }
    cd->num = resolve_id(L, fv, kind);
}

/* age_at_most/age_at_least: an age in years into condition c. */
static void compile_age(struct loader *L, int c, const struct cond_def *d, struct fy_node *val)
{
    struct hogo__cond *cd = &L->p->conds[c];
    cd->op = d->op;
    char *s = hogo__yaml_strdup(val);
    char *end = NULL;
    long x = s ? strtol(s, &end, 10) : -1;
    if (!s || *end || x < 0 || x > 200)
        problem(L, val, false, "'%s' takes an age in years (0-200)", d->name);
    cd->num = (int32_t)x;
    free(s);
}

/* recipient_in/service_in: the list fact the request's recipient or service is looked up in. */
static void compile_fact_list(struct loader *L, int c, const struct cond_def *d,
                              struct fy_node *val)
{
    struct hogo__cond *cd = &L->p->conds[c];
    bool rin = d->op == HOGO__C_RECIPIENT_IN;
    cd->op = d->op;
    int f = fact_index(L, val);
    if (f < 0)
        return;
    cd->fact = (uint8_t)f;
    if (rin && hogo__facts[f].type != HOGO__FT_CORPS)
        problem(L, val, false,
                "recipient_in compares the recipient's corporate number with applied_to, "
                "affiliated_organizations or blocked_companies, not '%s'",
                L->v->t[HOGO__K_FACT].v[f].id);
    if (!rin && hogo__fact_kind(f) != HOGO__K_SERVICE)
        problem(L, val, false,
                "service_in compares the request's service with services_used, "
                "services_requested or point_program_services, not '%s'",
                L->v->t[HOGO__K_FACT].v[f].id);
}

static int compile_cond(struct loader *L, struct fy_node *n, int depth)
{
    if (depth > 16) {
        problem(L, n, false, "conditions nested deeper than 16 levels; simplify");
        return -1;
    }
    if (!n || fy_node_get_type(n) != FYNT_MAPPING || fy_node_mapping_item_count(n) != 1) {
        char names[512] = "";
        for (size_t i = 0; i < N_COND_DEFS; i++)
            snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s",
                     i ? ", " : "", cond_defs[i].name);
        problem(L, n, false, "a condition is a mapping with one key (%s)", names);
        return -1;
    }
    void *it = NULL;
    struct fy_node_pair *pair = fy_node_mapping_iterate(n, &it);
    struct fy_node *key = fy_node_pair_key(pair), *val = fy_node_pair_value(pair);
    size_t len = 0;
    const char *op = fy_node_get_scalar(key, &len);
    if (!op) {
        problem(L, key, false, "a condition's key must be text");
        return -1;
    }
    const struct cond_def *d = find_cond_def(op, len);
    if (d && d->form == FORM_LIST)
        return compile_list(L, val, d->op, depth, d->name);
    int c = new_cond(L);
    if (c < 0)
        return -1;
    if (!d) {
        problem(L, key, false,
                "unknown condition '%.*s'; see docs/policy-language.md for the conditions",
                (int)len, op);
        return c;
    }
    switch (d->form) {
    case FORM_NOT: {
        int k = compile_cond(L, val, depth + 1);
        struct hogo__cond *cd = &L->p->conds[c]; /* the child may have moved conds */
        cd->op = HOGO__C_NOT;
        if (k >= 0) {
            cd->first = add_children(L, &k, 1);
            cd->count = 1;
        }
        break;
    }
    case FORM_FACT_TEST: compile_fact_test(L, c, d, val); break;
    case FORM_AGE: compile_age(L, c, d, val); break;
    case FORM_FACT_LIST: compile_fact_list(L, c, d, val); break;
    case FORM_FLAG:
        L->p->conds[c].op = d->op;
        if (!hogo__yaml_is(val, "true"))
            problem(L, val, false, "'%s' is written with the value true", d->name);
        break;
    case FORM_IDS: {
        L->p->conds[c].op = d->op;
        struct hogo__set cover = {{0}};
        struct set_ctx sc = {.kind = (enum hogo__kind)d->kind, .cover = &cover};
        for_each_item(L, val, d->name, add_to_set, &sc);
        L->p->conds[c].set = cover;
        break;
    }
    case FORM_BASIS:
        L->p->conds[c].op = d->op;
        L->p->conds[c].num = (int32_t)read_mask(L, val, HOGO__K_BASIS, "basis");
        break;
    }
    return c;
}

/* --- rules and clauses --------------------------------------------------------------------- */

static void release_rule(struct hogo__rule *r)
{
    free(r->purposes.text);
    free(r->data.text);
    free(r->recipients.text);
    free(r->services.text);
    free(r->quote);
    free(r->quote_json);
    free(r->note);
    free(r->record_exempt_reason);
}

/* The next code point of s[0..len) (-1 at the end or on invalid UTF-8). */
static int32_t next_code_point(const char *s, size_t len)
{
    utf8proc_int32_t cp = -1;
    if (len == 0 || utf8proc_iterate((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)len, &cp) < 0)
        return -1;
    return cp;
}

/* The last code point of s[0..len). */
static int32_t last_code_point(const char *s, size_t len)
{
    size_t i = len;
    while (i > 0 && ((unsigned char)s[i - 1] & 0xC0) == 0x80)
        i--;
    return i > 0 ? next_code_point(s + i - 1, len - i + 1) : -1;
}

/* Punctuation that closes a sentence, a clause of one, or an item of a list. */
static bool closes_a_phrase(int32_t c)
{
    static const int32_t marks[] = {0x3002 /* 。 */, 0x3001 /* 、 */, 0xFF0E, 0xFF0C, '.', ',',
                                    0xFF09 /* ） */, ')', 0x300D /* 」 */, 0x300F, 0x3011,
                                    0xFF1A /* ： */, ':', 0xFF1B, ';', 0xFF01, '!', 0xFF1F, '?',
                                    0x30FB /* ・ */, ']', 0x3000 /* ideographic space */, ' '};
    for (size_t i = 0; i < sizeof marks / sizeof marks[0]; i++)
        if (c == marks[i])
            return true;
    return false;
}

/* Finds quote in text, letting a line break of the text fall inside a word of the quote (the
 * seeds break some words across lines: できま / す). Sets *end to the offset after the match;
 * returns the offset of its start or -1. */
static long find_quote(const char *text, const char *quote, size_t *end)
{
    size_t qn = strlen(quote);
    for (const char *at = strchr(text, quote[0]); at; at = strchr(at + 1, quote[0])) {
        size_t j = 0, k = 0;
        while (j < qn && at[k]) {
            if (at[k] == quote[j]) {
                j++, k++;
            } else if (j > 0 && (at[k] == '\n' || at[k] == '\r')) {
                k++;
            } else {
                break;
            }
        }
        if (j == qn) {
            *end = (size_t)(at - text) + k;
            return at - text;
        }
    }
    return -1;
}

/* Does a quote that ends at text[end] end at a sentence or item boundary? It does when the
 * text or its line ends there (and the next line does not carry on the same word), when
 * punctuation follows, or when the quote itself ends with closing punctuation. */
static bool ends_at_boundary(const char *text, size_t end, const char *quote)
{
    size_t len = strlen(text);
    if (closes_a_phrase(last_code_point(quote, strlen(quote))))
        return true;
    if (end >= len)
        return true;
    if (text[end] == '\n' || text[end] == '\r') {
        size_t k = end;
        while (k < len && (text[k] == '\n' || text[k] == '\r'))
            k++;
        int32_t c = next_code_point(text + k, len - k);
        /* a line that goes on with a comma, a full stop, a small kana or a kana that ends a
         * word or marks a case (す ん を は が に で と) is the same sentence, broken */
        static const int32_t goes_on[] = {0x3002, 0x3001, 0x3059, 0x3093, 0x3092, 0x306F,
                                          0x304C, 0x306B, 0x3067, 0x3068, 0x3063, 0x3083,
                                          0x3085, 0x3087, 0x3041, 0x3043, 0x3045, 0x3047, 0x3049};
        for (size_t i = 0; i < sizeof goes_on / sizeof goes_on[0]; i++)
            if (c == goes_on[i])
                return false;
        return true;
    }
    return closes_a_phrase(next_code_point(text + end, len - end));
}

static void check_quote(struct loader *L, struct fy_node *n, const char *quote)
{
    if (!quote || !L->p->source_text)
        return;
    if (!quote[0]) {
        problem(L, n, false, "the quote is empty; copy the policy's exact words");
        return;
    }
    size_t end = 0;
    if (find_quote(L->p->source_text, quote, &end) < 0) {
        problem(L, n, false,
                "quote not found verbatim in '%s': copy the exact words from the policy text "
                "(same characters; a line break of the text inside a word is left out)",
                L->p->source_path);
        return;
    }
    if (!ends_at_boundary(L->p->source_text, end, quote)) {
        size_t qn = strlen(quote), from = qn > 30 ? qn - 30 : 0;
        while (from > 0 && ((unsigned char)quote[from] & 0xC0) == 0x80)
            from--; /* start the excerpt on a whole character */
        problem(L, n, false,
                "the quote stops in the middle of a sentence of '%s' (after 「%s」 the text "
                "goes on): end it where the sentence, a clause of it (、) or an item ends",
                L->p->source_path, quote + from);
    }
}

static void read_obligations(struct loader *L, struct fy_node *n, struct hogo__rule *r)
{
    if (!n)
        return;
    if (fy_node_get_type(n) != FYNT_SEQUENCE) {
        problem(L, n, false, "'obligations' is a list");
        return;
    }
    void *it = NULL;
    struct fy_node *item;
    while ((item = fy_node_sequence_iterate(n, &it)) != NULL) {
        struct fy_node *idn = item, *params = NULL;
        if (fy_node_get_type(item) == FYNT_MAPPING) {
            void *it2 = NULL;
            struct fy_node_pair *pair = fy_node_mapping_iterate(item, &it2);
            if (fy_node_mapping_item_count(item) != 1 || !pair) {
                problem(L, item, false, "an obligation is an id or {id: {parameters}}");
                continue;
            }
            idn = fy_node_pair_key(pair);
            params = fy_node_pair_value(pair);
        }
        int ob = resolve_id(L, idn, HOGO__K_OBLIGATION);
        if (ob < 0)
            continue;
        if (ob == HOGO__OB_RECORD_PROVISION || ob == HOGO__OB_CONFIRM_RECEIPT ||
            ob == HOGO__OB_FOREIGN_TRANSFER_INFO) {
            problem(L, idn, false,
                    "'%s' is attached by the engine as the APPI requires; use the rule's "
                    "'record' key to change retention or exempt a rule",
                    L->v->t[HOGO__K_OBLIGATION].v[ob].id);
            continue;
        }
        r->obligations |= 1u << ob;
        if (params) {
            if (ob != HOGO__OB_DEIDENTIFY || fy_node_get_type(params) != FYNT_MAPPING) {
                problem(L, params, false, "only deidentify takes parameters: {drop: [...], "
                                          "generalize: [...]}");
                continue;
            }
            check_keys(L, params, "deidentify", (const char *const[]){"drop", "generalize", NULL});
            r->deid.given = true;
            struct set_ctx sc = {.kind = HOGO__K_DATA, .cover = &r->deid.drop};
            for_each_item(L, get(params, "drop"), "drop", add_to_set, &sc);
            struct set_ctx gc = {.kind = HOGO__K_DATA, .cover = &r->deid.generalize};
            for_each_item(L, get(params, "generalize"), "generalize", add_to_set, &gc);
        }
    }
}

static void read_record(struct loader *L, struct fy_node *n, struct hogo__rule *r)
{
    if (!n)
        return;
    if (fy_node_get_type(n) != FYNT_MAPPING) {
        problem(L, n, false, "'record' is {exempt: reason} or {retention_years: N, "
                             "retention_from: creation|last_provision}");
        return;
    }
    check_keys(L, n, "record",
               (const char *const[]){"exempt", "retention_years", "retention_from", NULL});
    struct fy_node *ex = get(n, "exempt");
    if (ex) {
        r->record_exempt = true;
        r->record_exempt_reason = hogo__yaml_strdup(ex);
        if (!r->record_exempt_reason)
            problem(L, ex, false, "'exempt' gives the reason the law requires no record");
    }
    struct fy_node *y = get(n, "retention_years");
    if (y) {
        if (hogo__yaml_is(y, "1"))
            r->retention_years = 1;
        else if (hogo__yaml_is(y, "3"))
            r->retention_years = 3;
        else
            problem(L, y, false, "retention_years is 1 or 3 (APPI Enforcement Rules Art.21)");
    }
    struct fy_node *from = get(n, "retention_from");
    if (from) {
        if (hogo__yaml_is(from, "last_provision"))
            r->retention_last = true;
        else if (!hogo__yaml_is(from, "creation"))
            problem(L, from, false, "retention_from is creation or last_provision");
    }
}

static const char *const rule_keys[] = {
    "effect", "quote", "actions", "purposes", "data", "recipients", "services", "forms", "basis",
    "when", "unless", "yields_to", "third_party", "obligations", "record", "note", NULL};

static void compile_rule(struct loader *L, struct fy_node *n, int clause)
{
    struct hogo_policy *p = L->p;
    if (fy_node_get_type(n) != FYNT_MAPPING) {
        problem(L, n, false, "a rule is a mapping (effect, quote, actions, ...)");
        return;
    }
    if (HOGO__GROW(p->rules, L->rule_cap, (size_t)p->nrules + 1, 32) < 0) {
        problem(L, n, false, "out of memory");
        return;
    }
    struct hogo__rule *r = &p->rules[p->nrules];
    memset(r, 0, sizeof *r);
    r->clause = clause;
    r->index = p->nrules;
    r->when = r->unless = -1;
    int col;
    hogo__yaml_pos(n, &r->line, &col);
    p->nrules++;
    check_keys(L, n, "a rule", rule_keys);

    struct fy_node *eff = get(n, "effect");
    if (hogo__yaml_is(eff, "permit"))
        r->effect = HOGO__PERMIT;
    else if (hogo__yaml_is(eff, "forbid"))
        r->effect = HOGO__FORBID;
    else if (hogo__yaml_is(eff, "obligation"))
        r->effect = HOGO__OBLIGE;
    else
        problem(L, eff ? eff : n, false, "a rule's effect is permit, forbid or obligation");

    r->quote = required_string(L, n, "quote", "a rule");
    check_quote(L, get(n, "quote"), r->quote);
    r->note = hogo__yaml_strdup(get(n, "note"));

    struct fy_node *acts = get(n, "actions");
    if (!acts)
        problem(L, n, false, "a rule needs 'actions' (use, provide, receive, outsource, "
                             "process_entrusted)");
    r->actions = read_mask(L, acts, HOGO__K_ACTION, "actions");
    read_selector(L, get(n, "purposes"), HOGO__K_PURPOSE, "purposes", &r->purposes);
    read_selector(L, get(n, "data"), HOGO__K_DATA, "data", &r->data);
    read_selector(L, get(n, "recipients"), HOGO__K_RECIPIENT, "recipients", &r->recipients);
    read_selector(L, get(n, "services"), HOGO__K_SERVICE, "services", &r->services);

    struct fy_node *forms = get(n, "forms");
    r->forms = forms ? read_mask(L, forms, HOGO__K_FORM, "forms")
                     : (1u << HOGO__IDENTIFIED) | (1u << HOGO__PSEUDONYMIZED) |
                           (1u << HOGO__DEIDENTIFIED) | (1u << HOGO__STATISTICS);
    struct fy_node *basis = get(n, "basis");
    r->bases = basis ? read_mask(L, basis, HOGO__K_BASIS, "basis")
           : r->effect == HOGO__OBLIGE ? (1u << HOGO__POLICY) | (1u << HOGO__CONSENT)
                                       : 1u << HOGO__POLICY;
    struct fy_node *yields = get(n, "yields_to");
    r->yields_to = read_mask(L, yields, HOGO__K_BASIS, "yields_to");
    struct fy_node *third = get(n, "third_party");
    if (third) {
        if (hogo__yaml_is(third, "true"))
            r->third_party = true;
        else if (!hogo__yaml_is(third, "false"))
            problem(L, third, false, "third_party is true or false");
        if (r->effect != HOGO__FORBID)
            problem(L, third, false, "'third_party' only makes sense on a forbid rule (a bar "
                                     "worded as 第三者提供); remove it");
        else if (!(r->actions & (1u << HOGO__PROVIDE)))
            problem(L, third, false, "'third_party' limits a bar on provision: the rule needs "
                                     "the action 'provide'");
    }
    if (get(n, "when"))
        r->when = compile_cond(L, get(n, "when"), 0);
    if (get(n, "unless"))
        r->unless = compile_cond(L, get(n, "unless"), 0);
    r = &p->rules[p->nrules - 1]; /* compile_cond may not move rules, but stay safe */
    read_obligations(L, get(n, "obligations"), r);
    read_record(L, get(n, "record"), r);

    /* A rule that can never apply is an error: say why. */
    if (r->effect != HOGO__FORBID && yields)
        problem(L, yields, false, "'yields_to' only makes sense on a forbid rule; remove it");
    if (r->effect == HOGO__FORBID && basis)
        problem(L, basis, false, "a forbid applies whatever the basis; use 'yields_to' to name "
                                 "the bases that lift it");
    if (r->yields_to & (1u << HOGO__POLICY))
        problem(L, yields, false, "a restriction that yields to 'policy' never applies; remove "
                                  "'policy' from yields_to");
    if (forms && r->forms == 0)
        problem(L, forms, false, "'forms' excludes every form: the rule can never apply");
    if (forms && r->effect == HOGO__PERMIT && (r->forms & (1u << HOGO__PSEUDONYMIZED)) &&
        (r->actions & (1u << HOGO__PROVIDE)))
        problem(L, forms, true,
                "pseudonymized data may not be provided to a third party (APPI Art.41(6)); the "
                "engine refuses it whatever this rule says");
    if (r->purposes.present && !r->purposes.negated && r->actions &&
        !hogo__set_empty(&r->purposes.cover)) {
        const struct hogo__table *pt = &L->v->t[HOGO__K_PURPOSE];
        for (unsigned a = 0; a < HOGO__ACTION_COUNT; a++) {
            if (!(r->actions & (1u << a)))
                continue;
            bool usable = false;
            for (int i = 0; i < pt->n; i++)
                if (hogo__set_has(&r->purposes.cover, i) && (pt->v[i].actions & (1u << a)))
                    usable = true;
            if (!usable)
                problem(L, get(n, "purposes"), false,
                        "none of the purposes (%s) may be used with action '%s' (vocabulary "
                        "for_actions), so the rule can never apply to it; fix 'actions' or "
                        "'purposes'",
                        r->purposes.text ? r->purposes.text : "", L->v->t[HOGO__K_ACTION].v[a].id);
        }
    }
    if ((r->purposes.present && hogo__set_empty(&r->purposes.cover)) ||
        (r->data.present && hogo__set_empty(&r->data.cover)) ||
        (r->recipients.present && hogo__set_empty(&r->recipients.cover)) ||
        (r->services.present && hogo__set_empty(&r->services.cover)))
        if (L->errors == 0)
            problem(L, n, false, "a selector of this rule covers no id: it can never apply");
}

static void compile_clause(struct loader *L, struct fy_node *n)
{
    struct hogo_policy *p = L->p;
    if (fy_node_get_type(n) != FYNT_MAPPING) {
        problem(L, n, false, "a clause is a mapping with id, title and rules");
        return;
    }
    check_keys(L, n, "a clause", (const char *const[]){"id", "title", "rules", NULL});
    if (HOGO__GROW(p->clauses, L->clause_cap, (size_t)p->nclauses + 1, 16) < 0) {
        problem(L, n, false, "out of memory");
        return;
    }
    int ci = p->nclauses++;
    struct hogo__clause *c = &p->clauses[ci];
    memset(c, 0, sizeof *c);
    int col;
    hogo__yaml_pos(n, &c->line, &col);
    c->id = required_string(L, n, "id", "a clause");
    if (c->id) {
        for (int i = 0; i < ci; i++)
            if (p->clauses[i].id && !strcmp(p->clauses[i].id, c->id))
                problem(L, get(n, "id"), false,
                        "duplicate clause id '%s' (first at line %d); give each clause its own "
                        "numbering, refined after a dot if needed ('%s.2')",
                        c->id, p->clauses[i].line, c->id);
    }
    c->title = hogo__yaml_strdup(get(n, "title"));
    if (c->title)
        check_quote(L, get(n, "title"), c->title);
    struct fy_node *rules = get(n, "rules");
    c->first_rule = p->nrules;
    if (!rules || fy_node_get_type(rules) != FYNT_SEQUENCE ||
        fy_node_sequence_item_count(rules) == 0) {
        problem(L, rules ? rules : n, false, "clause '%s' needs a non-empty list of 'rules'",
                c->id ? c->id : "?");
        return;
    }
    void *it = NULL;
    struct fy_node *rn;
    while ((rn = fy_node_sequence_iterate(rules, &it)) != NULL)
        compile_rule(L, rn, ci);
    p->clauses[ci].nrules = p->nrules - p->clauses[ci].first_rule;
}

/* Escapes every quote as a JSON string literal once, so responses copy it as is. */
static int escape_quotes(struct hogo_policy *p)
{
    yajl_gen g = yajl_gen_alloc(NULL);
    if (!g)
        return HOGO_ENOMEM;
    int rc = 0;
    for (int i = 0; i < p->nrules && rc == 0; i++) {
        struct hogo__rule *r = &p->rules[i];
        if (!r->quote)
            continue;
        yajl_gen_clear(g);
        yajl_gen_reset(g, NULL);
        yajl_gen_string(g, (const unsigned char *)r->quote, strlen(r->quote));
        const unsigned char *buf;
        size_t len;
        yajl_gen_get_buf(g, &buf, &len);
        r->quote_json = strndup((const char *)buf, len);
        r->quote_json_len = len;
        if (!r->quote_json)
            rc = HOGO_ENOMEM;
    }
    yajl_gen_free(g);
    return rc;
}

static int build_indexes(struct hogo_policy *p)
{
    for (int a = 0; a < HOGO__ACTION_COUNT; a++)
        for (int e = 0; e < HOGO__EFFECT_COUNT; e++) {
            p->by_action[a][e] = malloc(((size_t)p->nrules + 1) * sizeof(int));
            if (!p->by_action[a][e])
                return HOGO_ENOMEM;
            p->nby_action[a][e] = 0;
            for (int i = 0; i < p->nrules; i++)
                if ((p->rules[i].actions & (1u << a)) && p->rules[i].effect == e)
                    p->by_action[a][e][p->nby_action[a][e]++] = i;
        }
    return 0;
}

void hogo_policy_free(struct hogo_policy *p)
{
    if (!p)
        return;
    for (int i = 0; i < p->nrules; i++)
        release_rule(&p->rules[i]);
    for (int i = 0; i < p->nclauses; i++) {
        free(p->clauses[i].id);
        free(p->clauses[i].title);
    }
    for (int a = 0; a < HOGO__ACTION_COUNT; a++)
        for (int e = 0; e < HOGO__EFFECT_COUNT; e++)
            free(p->by_action[a][e]);
    free(p->rules);
    free(p->clauses);
    free(p->conds);
    free(p->children);
    free(p->id);
    free(p->operator_ja);
    free(p->operator_en);
    free(p->version);
    free(p->file_version);
    free(p->path);
    free(p->source_path);
    free(p->source_text);
    hogo_vocab_free(p->own_vocab);
    free(p);
}

/* Directory part of a path ("." when none), into buf. */
static void dir_of(const char *path, char *buf, size_t size)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        snprintf(buf, size, ".");
    else
        snprintf(buf, size, "%.*s", (int)(slash - path ? slash - path : 1), path);
}

static int file_exists(const char *path)
{
    return access(path, R_OK) == 0;
}

/* The installed data directory of the shipped policies, into dir: the one next to the running
 * program (HOGO_RELATIVE_POLICY_DIR from its directory, so an installation moved as a whole,
 * or installed under DESTDIR, finds its own), else the one the installation prefix names.
 * Never the source tree: tests and scripts name theirs with --policy or HOGO_POLICY_PATH. */
static void installed_policy_dir(char *dir, size_t size)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = '\0';
            if (snprintf(dir, size, "%s/%s", exe, HOGO_RELATIVE_POLICY_DIR) >= (int)size)
                dir[0] = '\0';
            char probe[PATH_MAX];
            if (snprintf(probe, sizeof probe, "%s/vocabulary.yaml", dir) < (int)sizeof probe &&
                file_exists(probe))
                return;
        }
    }
    snprintf(dir, size, "%s", HOGO_INSTALLED_POLICY_DIR);
}

/* The shipped vocabulary's file, written into path. */
static void shipped_vocab_file(char *path, size_t size)
{
    char dir[PATH_MAX];
    installed_policy_dir(dir, sizeof dir);
    snprintf(path, size, "%s/vocabulary.yaml", dir);
}

void hogo_policy_vocab_file(const char *policy_path, char *path, size_t size)
{
    char dir[PATH_MAX];
    dir_of(policy_path, dir, sizeof dir);
    snprintf(path, size, "%s/vocabulary.yaml", dir);
    if (!file_exists(path))
        hogo_vocab_default_file(path, size);
}

void hogo_vocab_default_file(char *path, size_t size)
{
    const char *d = getenv("HOGO_POLICY_PATH");
    while (d && *d) {
        const char *end = strchr(d, ':');
        size_t len = end ? (size_t)(end - d) : strlen(d);
        if (len) {
            snprintf(path, size, "%.*s/vocabulary.yaml", (int)len, d);
            if (file_exists(path))
                return;
        }
        d = end ? end + 1 : d + len;
    }
    shipped_vocab_file(path, size);
}

static int load_vocab_for(const char *policy_path, struct hogo_vocab **out,
                          struct hogo_error *err)
{
    char path[PATH_MAX + 32];
    hogo_policy_vocab_file(policy_path, path, sizeof path);
    return hogo_vocab_load(path, out, err);
}

int hogo_policy_load(const char *path, const struct hogo_policy_load_opts *opts,
                     struct hogo_policy **out, struct hogo_error *err)
{
    int rc = 0;
    struct fy_document *doc = NULL;
    struct hogo_policy *p = calloc(1, sizeof *p);
    struct loader L = {.path = path, .p = p, .opts = opts, .err = err};
    *out = NULL;
    if (!p)
        return HOGO_ENOMEM;
    static _Atomic uint64_t serials;
    p->serial = atomic_fetch_add(&serials, 1) + 1;
    hogo_error_clear(err);
    p->path = strdup(path);
    if (!p->path) {
        rc = HOGO_ENOMEM;
        goto out;
    }
    if (opts && opts->vocab) {
        p->vocab = opts->vocab;
    } else {
        rc = load_vocab_for(path, &p->own_vocab, err);
        if (rc)
            goto out;
        p->vocab = p->own_vocab;
    }
    L.v = p->vocab;
    rc = hogo__yaml_load(path, &doc, err);
    if (rc) {
        if (opts && opts->diag && err)
            opts->diag(opts->diag_user, err, false);
        goto out;
    }
    struct fy_node *root = fy_document_root(doc);
    if (!root || fy_node_get_type(root) != FYNT_MAPPING) {
        problem(&L, root, false, "a policy file is a YAML mapping (policy, operator, version, "
                                 "source, clauses); see docs/policy-language.md");
        goto done;
    }
    check_keys(&L, root, "the policy",
               (const char *const[]){"policy", "operator", "version", "source", "clauses", NULL});
    p->id = required_string(&L, root, "policy", "the policy");
    if (p->id) {
        int known = hogo__vocab_find(L.v, HOGO__K_POLICY, p->id, strlen(p->id));
        const char *base = strrchr(path, '/');
        base = base ? base + 1 : path;
        size_t idlen = strlen(p->id);
        if (known < 0)
            problem(&L, get(root, "policy"), true,
                    "policy id '%s' is not in the vocabulary's policies; add it there so "
                    "requests can name it",
                    p->id);
        /* the current version is <id>.yaml, an earlier one <id>@<version>.yaml */
        bool named_ok = !strncmp(base, p->id, idlen) &&
                        (!strcmp(base + idlen, ".yaml") ||
                         (base[idlen] == '@' && strlen(base + idlen) == 16 &&
                          !strcmp(base + idlen + 11, ".yaml")));
        if (!named_ok)
            problem(&L, get(root, "policy"), true,
                    "policy '%s' is in file '%s'; name the file '%s.yaml' (or "
                    "'%s@VERSION.yaml' for an earlier version) so it is found by id",
                    p->id, base, p->id, p->id);
        else if (base[idlen] == '@')
            p->file_version = strndup(base + idlen + 1, 10);
    }
    struct fy_node *op = get(root, "operator");
    if (!op || fy_node_get_type(op) != FYNT_MAPPING) {
        problem(&L, op ? op : root, false, "'operator' is a mapping with ja and en names");
    } else {
        check_keys(&L, op, "operator", (const char *const[]){"ja", "en", "corporate_number", NULL});
        p->operator_ja = required_string(&L, op, "ja", "operator");
        p->operator_en = hogo__yaml_strdup(get(op, "en"));
        struct fy_node *cn = get(op, "corporate_number");
        size_t cl = 0;
        const char *cs = cn ? fy_node_get_scalar(cn, &cl) : NULL;
        if (cn && (!cs || !hogo__corporate_number_valid(cs, cl)))
            problem(&L, cn, false, "operator corporate_number is not a valid 13-digit 法人番号 "
                                   "(check digit); quote it as text");
    }
    p->version = required_string(&L, root, "version", "the policy");
    if (p->version && p->file_version && strcmp(p->version, p->file_version))
        problem(&L, get(root, "version"), false,
                "version '%s' differs from the file name's '%s'; an earlier version lives in "
                "<id>@<its version>.yaml",
                p->version, p->file_version);
    if (p->version && hogo__parse_jst_date(p->version, &p->in_force_from))
        problem(&L, get(root, "version"), false,
                "version '%s' is not a date YYYY-MM-DD; write the date printed on the policy, "
                "quoted ('2025-04-01')",
                p->version);
    char *source = required_string(&L, root, "source", "the policy");
    if (source) {
        char dir[PATH_MAX];
        dir_of(path, dir, sizeof dir);
        size_t need = strlen(dir) + strlen(source) + 2;
        p->source_path = malloc(need);
        if (p->source_path)
            snprintf(p->source_path, need, "%s/%s", dir, source);
        struct hogo_error read_err;
        hogo_error_clear(&read_err);
        if (!p->source_path)
            hogo_error_set(&read_err, HOGO_ENOMEM, NULL, "out of memory");
        else
            hogo_read_file(p->source_path, HOGO_READ_UNLIMITED, &p->source_text, NULL,
                           &read_err);
        if (!p->source_text)
            problem(&L, get(root, "source"), false,
                    "cannot read the policy text '%s' (%s); 'source' is relative to the policy "
                    "file",
                    p->source_path ? p->source_path : source, read_err.message);
        free(source);
    }
    struct fy_node *clauses = get(root, "clauses");
    if (!clauses || fy_node_get_type(clauses) != FYNT_SEQUENCE) {
        problem(&L, clauses ? clauses : root, false, "'clauses' is a list of clauses");
    } else {
        void *it = NULL;
        struct fy_node *cn;
        while ((cn = fy_node_sequence_iterate(clauses, &it)) != NULL)
            compile_clause(&L, cn);
        if (p->nclauses == 0)
            problem(&L, clauses, false, "the policy has no clauses");
    }
done:
    if (L.errors) {
        rc = HOGO_EPOLICY;
        goto out;
    }
    rc = build_indexes(p);
    if (!rc)
        rc = escape_quotes(p);
    if (rc)
        goto out;
    *out = p;
    p = NULL;
out:
    if (doc)
        fy_document_destroy(doc);
    hogo_policy_free(p);
    return rc;
}

int hogo_policy_resolve(const char *id_or_path, char *path, size_t size, struct hogo_error *err)
{
    if (!id_or_path || !*id_or_path)
        return hogo_error_set(err, HOGO_EINVAL, "--policy",
                              "no policy given; pass --policy with an id (irp) or a file");
    if (strchr(id_or_path, '/') || strstr(id_or_path, ".yaml") || strstr(id_or_path, ".yml")) {
        if (!file_exists(id_or_path))
            return hogo_error_set(err, HOGO_ENOTFOUND, id_or_path,
                                  "policy file '%s' does not exist or is unreadable", id_or_path);
        snprintf(path, size, "%s", id_or_path);
        return 0;
    }
    for (const char *s = id_or_path; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_' || *s == '-'))
            return hogo_error_set(err, HOGO_EINVAL, "--policy",
                                  "'%s' is neither a policy id (lowercase letters, digits, _) "
                                  "nor a .yaml file",
                                  id_or_path);
    const char *env = getenv("HOGO_POLICY_PATH");
    char searched[1024] = "";
    if (env && *env) {
        const char *d = env;
        while (*d) {
            const char *end = strchr(d, ':');
            size_t len = end ? (size_t)(end - d) : strlen(d);
            if (len) {
                snprintf(path, size, "%.*s/%s.yaml", (int)len, d, id_or_path);
                if (file_exists(path))
                    return 0;
                size_t used = strlen(searched);
                snprintf(searched + used, sizeof searched - used, "%.*s, ", (int)len, d);
            }
            d = end ? end + 1 : d + len;
        }
    }
    char dir[PATH_MAX];
    installed_policy_dir(dir, sizeof dir);
    snprintf(path, size, "%s/%s.yaml", dir, id_or_path);
    if (file_exists(path))
        return 0;
    size_t used = strlen(searched);
    if (snprintf(searched + used, sizeof searched - used, "%s", dir) >= (int)(sizeof searched - used))
        searched[sizeof searched - 1] = '\0';
    return hogo_error_set(err, HOGO_ENOTFOUND, "--policy",
                          "no policy '%s' (looked in %s); the shipped policies are rcc rea rmc "
                          "rkm irp: give a file path, or set HOGO_POLICY_PATH to the directory "
                          "that holds them",
                          id_or_path, searched);
}

int hogo_policy_resolve_version(const struct hogo_policy *current, int64_t at, char *path,
                                size_t size)
{
    if (at >= current->in_force_from)
        return HOGO_ENOTFOUND;
    char dir[PATH_MAX];
    dir_of(current->path, dir, sizeof dir);
    DIR *d = opendir(dir);
    if (!d)
        return HOGO_ENOTFOUND;
    size_t idlen = strlen(current->id);
    char best[16] = "";
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        const char *n = e->d_name;
        if (strncmp(n, current->id, idlen) || n[idlen] != '@' || strlen(n + idlen) != 16 ||
            strcmp(n + idlen + 11, ".yaml"))
            continue;
        char date[11];
        memcpy(date, n + idlen + 1, 10);
        date[10] = '\0';
        int64_t from;
        if (hogo__parse_jst_date(date, &from) || from > at)
            continue;
        if (strcmp(date, best) > 0)
            memcpy(best, date, 11);
    }
    closedir(d);
    if (!best[0])
        return HOGO_ENOTFOUND;
    snprintf(path, size, "%s/%s@%s.yaml", dir, current->id, best);
    return 0;
}

int64_t hogo_policy_in_force_from(const struct hogo_policy *p)
{
    return p->in_force_from;
}

int hogo_policy_open(const char *id_or_path, const struct hogo_policy_load_opts *opts,
                     struct hogo_policy **out, struct hogo_error *err)
{
    char path[PATH_MAX];
    int rc = hogo_policy_resolve(id_or_path, path, sizeof path, err);
    if (rc)
        return rc;
    return hogo_policy_load(path, opts, out, err);
}

const char *hogo_policy_id(const struct hogo_policy *p)
{
    return p->id;
}

const char *hogo_policy_version(const struct hogo_policy *p)
{
    return p->version;
}

const char *hogo_policy_operator(const struct hogo_policy *p)
{
    return p->operator_ja;
}

const char *hogo_policy_path(const struct hogo_policy *p)
{
    return p->path;
}

const struct hogo_vocab *hogo_policy_vocab(const struct hogo_policy *p)
{
    return p->vocab;
}

int hogo_policy_clause_count(const struct hogo_policy *p)
{
    return p->nclauses;
}

int hogo_policy_rule_count(const struct hogo_policy *p)
{
    return p->nrules;
}
