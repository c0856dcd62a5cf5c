/*
 * The anonymisation engine: dictionary encoding of the data set, equivalence classes by
 * hashing packed integer keys, the privacy models (k-anonymity, distinct and entropy
 * l-diversity, t-closeness with the equal-distance EMD), the loss measures, and the optimal
 * full-domain search over the generalisation lattice.
 * De-identification layer.
 *
 * Encoding. The table comes as dictionary codes (coded.c): every quasi-identifier code is
 * mapped once to its value's row number in the hierarchy (level-0 id); gen[a][l][id] gives
 * its id at level l; a sensitive value's id is its code. A record becomes one 64-bit key: the
 * sensitive values in the low bits, then one bit field per quasi-identifier. Records with the
 * same key are merged into distinct tuples with counts, so the hot loops only touch integers.
 *
 * Search (after Flash/OLA, Kohlmayer et al.). Each transformation (one level per QI) has a
 * lower bound of its loss that depends on the levels only. Transformations are visited in
 * order of that bound (a radix sort); the search stops when the bound reaches the best loss
 * found. The privacy models are monotone (when nothing may be suppressed, or for k-anonymity
 * and distinct l-diversity also with suppression), so a transformation that fails tags all
 * its specialisations as failing, and one that holds tags all its generalisations as holding,
 * without computing them.
 *
 * Classes (roll-up). The classes of a transformation, with their counts, are computed from
 * the classes of any computed specialisation: each source class maps to exactly one class of
 * the more general transformation. Computed class lists are kept in an LRU cache and the
 * smallest cached specialisation is the source, so most checks read a few hundred classes
 * instead of every tuple. When no specialisation is cached, a "stepping stone" (the node
 * with every level capped at 1) is computed from the tuples first and cached: the next nodes
 * in that region roll up from it. Counting uses a dense array indexed by the mixed-radix
 * number of the generalised values when their product is at most DENSE_MAX, else an
 * open-addressing hash table; neither allocates in the loop.
 *
 * Measures (as in ARX, so that results can be compared):
 *   entropy: non-uniform entropy, sum over attributes and records of log2(b/a), a = count of
 *            the record's original value, b = count of its generalised value; suppressed
 *            records count as generalised to the root.
 *   loss:    Iyengar's generalised loss from domain shares (share = hierarchy values under the
 *            generalised value / hierarchy size), normalised per attribute to [0,1]; suppressed
 *            records count 1 per attribute, weighted by the gs factor; attributes aggregated
 *            by sum, arithmetic or geometric mean ((prod(v+1))^(1/q) - 1) or max.
 *   discernibility: sum of squared class sizes, plus n for each suppressed record.
 *   precision: Sweeney's precision, level/(height-1) per attribute, 1 for suppressed records.
 */
#define _GNU_SOURCE /* qsort_r: the comparators take their context as an argument */
#include "deid_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define CACHE_SLOTS 256        /* cached class lists kept for roll-ups */
#define DENSE_MAX (1u << 20)   /* largest generalised domain counted in a dense array */

/* A list of (key, count) pairs: the classes (or class x sensitive-value cells) of one node. */
struct entries {
    uint64_t *key;
    uint32_t *count;
    size_t n;
};

struct cached {
    int levels[64];
    struct entries e;
    size_t cap;
    int used;
    uint64_t last_use; /* g->clock when last stored or used */
};


struct hogo__engine {
    const struct hogo__enc *e;
    struct hogo__models m;
    size_t q, s, nodes;
    int radix_mul[64];     /* mixed-radix multipliers of node indices */
    uint32_t ****up;       /* up[a][lp][ln][id at lp] -> id at ln */
    uint32_t ***gcount;    /* gcount[a][l][id]: rows with that generalised value */
    double ***suplog;      /* suplog[a][l][id] = log2(n / gcount[a][l][id]) (entropy of a
                              suppressed record's value) */
    double **lb_entropy;   /* per attribute and level: non-uniform entropy, nothing suppressed */
    double **lb_loss;      /* per attribute and level: un-normalised loss sum */
    /* hash table of entry indices + 1 (0 = empty) into g->cur; each roll-up uses and clears
     * only the first (power of two >= 2 x source entries) slots, so small roll-ups stay in
     * the processor cache */
    uint32_t *htab;
    size_t hcap;           /* slots allocated */
    /* current node's entries and a scratch list */
    struct entries cur;
    size_t ecap;
    struct cached cache[CACHE_SLOTS];
    size_t cache_total;    /* entries held by the cache */
    size_t cache_budget;   /* at most this many cached entries */
    uint64_t clock;        /* cache use counter */
    struct entries tmp;    /* a stepping stone that could not be cached */
    /* dense counting: dense[dcap] is all zero between roll-ups; dtab holds one index table
     * of dstride entries per attribute; dfirst/didx record each new class */
    uint32_t *dense, *dtab, *dfirst, *didx;
    size_t dcap, dstride;
    int reference;         /* 1 = no cache, no stepping stones, hash counting only */
    size_t stones;         /* stepping stones computed */
    /* class outcome map: QI key -> class size or 0 when suppressed (filled on request) */
    int want_outcomes;
    uint64_t *okey;
    uint32_t *oval;
    size_t on;
    double *cacc;          /* one sensitive attribute: distance and entropy per class (2 a
                              class), allocated on first need */
    /* entropy measure, ARX default: counts of generalised values among suppressed records
     * (supcnt[supoff[a] + id]), with the slots touched */
    double *supcnt;
    size_t *supoff;
    uint32_t *suptouched;
    /* scratch for sensitive attribute histograms */
    double *shist;
    uint32_t *stouched;
    size_t smax;
    /* search state */
    double *lb;
    unsigned char *status;
    uint32_t *order, *stack, *tagstack;
    unsigned char *dom;    /* 1 = a specialisation with no more loss holds (monotone measure) */
    size_t checked, rollups;
};

static inline uint64_t hmix(uint64_t k)
{
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdull;
    k ^= k >> 33;
    return k;
}

/* ---------- encoding ---------- */

void hogo__enc_release(struct hogo__enc *e)
{
    for (size_t a = 0; a < e->q; a++) {
        if (e->gen && e->gen[a]) {
            for (int l = 0; l < e->height[a]; l++)
                free(e->gen[a][l]);
            free(e->gen[a]);
        }
        if (e->share && e->share[a]) {
            for (int l = 0; l < e->height[a]; l++)
                free(e->share[a][l]);
            free(e->share[a]);
        }
        if (e->card)
            free(e->card[a]);
        if (e->vcount)
            free(e->vcount[a]);
    }
    free(e->gen);
    free(e->share);
    free(e->card);
    free(e->vcount);
    free(e->height);
    free(e->scard);
    free(e->sdist);
    free(e->soff);
    free(e->row_tuple);
    free(e->tkey);
    free(e->tcount);
    memset(e, 0, sizeof *e);
}

static int bits_for(uint32_t card)
{
    int b = 1;
    while (b < 32 && (1u << b) < card)
        b++;
    return b;
}

/* Allocates the encoding's per-attribute arrays for n rows, q quasi-identifiers and s
 * sensitive attributes; HOGO_ENOMEM when memory ran out. */
static int enc_alloc(struct hogo__enc *e, size_t n, size_t q, size_t s)
{
    e->n = n;
    e->q = q;
    e->s = s;
    e->height = calloc(q ? q : 1, sizeof *e->height);
    e->card = calloc(q ? q : 1, sizeof *e->card);
    e->gen = calloc(q ? q : 1, sizeof *e->gen);
    e->vcount = calloc(q ? q : 1, sizeof *e->vcount);
    e->share = calloc(q ? q : 1, sizeof *e->share);
    e->scard = calloc(s ? s : 1, sizeof *e->scard);
    e->soff = calloc(s + 1, sizeof *e->soff);
    e->row_tuple = malloc((n ? n : 1) * sizeof *e->row_tuple);
    if (!e->height || !e->card || !e->gen || !e->vcount || !e->share || !e->scard ||
        !e->soff || !e->row_tuple)
        return HOGO_ENOMEM;
    return 0;
}

/* The hierarchy-derived tables of each quasi-identifier: per level, every original value's
 * generalised id (gen), the number of distinct labels (card) and each label's share of the
 * values (share). HOGO_ENOMEM when memory ran out. */
static int enc_hierarchy_tables(struct hogo__enc *e, struct hogo__hier *const *hiers)
{
    for (size_t a = 0; a < e->q; a++) {
        const struct hogo__hier *h = hiers[a];
        int H = h->nlevels;
        e->height[a] = H;
        e->card[a] = calloc((size_t)H, sizeof(uint32_t));
        e->gen[a] = calloc((size_t)H, sizeof(uint32_t *));
        e->share[a] = calloc((size_t)H, sizeof(double *));
        e->vcount[a] = calloc(h->nrows ? h->nrows : 1, sizeof(uint32_t));
        if (!e->card[a] || !e->gen[a] || !e->share[a] || !e->vcount[a])
            return HOGO_ENOMEM;
        for (int l = 0; l < H; l++) {
            struct hogo__dict d;
            hogo__dict_init(&d);
            e->gen[a][l] = malloc((h->nrows ? h->nrows : 1) * sizeof(uint32_t));
            if (!e->gen[a][l]) {
                hogo__dict_release(&d);
                return HOGO_ENOMEM;
            }
            for (size_t r = 0; r < h->nrows; r++) {
                long id = l == 0 ? (long)r : hogo__dict_add(&d, hogo__hier_label(h, r, l));
                if (id < 0) {
                    hogo__dict_release(&d);
                    return HOGO_ENOMEM;
                }
                e->gen[a][l][r] = (uint32_t)id;
            }
            e->card[a][l] = l == 0 ? (uint32_t)h->nrows : (uint32_t)d.n;
            hogo__dict_release(&d);
            e->share[a][l] = calloc(e->card[a][l] ? e->card[a][l] : 1, sizeof(double));
            if (!e->share[a][l])
                return HOGO_ENOMEM;
            for (size_t r = 0; r < h->nrows; r++)
                e->share[a][l][e->gen[a][l][r]] += 1.0 / (double)h->nrows;
        }
    }
    return 0;
}

/* Maps every code of each quasi-identifier's column to the value's row in its hierarchy
 * (map[a][code], the level-0 id). HOGO_EINVAL, with file:line, for a value missing from its
 * hierarchy; HOGO_ENOMEM when memory ran out. */
static int enc_value_rows(const struct hogo__enc *e, const struct hogo__coded *t,
                          const int *qcols, struct hogo__hier *const *hiers, uint32_t **map,
                          struct hogo_error *err)
{
    for (size_t a = 0; a < e->q; a++) {
        const struct hogo__dict *d = &t->dict[qcols[a]];
        if (!(map[a] = malloc((d->n ? d->n : 1) * sizeof **map)))
            return HOGO_ENOMEM;
        for (size_t v = 0; v < d->n; v++) {
            long id = hogo__dict_find(&hiers[a]->index, d->keys[v]);
            if (id < 0) {
                size_t row = 0;
                while (row < e->n && t->code[qcols[a]][row] != v)
                    row++;
                size_t line = hogo__coded_line(t, row);
                char where[300];
                snprintf(where, sizeof where, "%s:%zu", t->head.path, line);
                return hogo_error_set(err, HOGO_EINVAL, where,
                                      "value '%s' of column '%s' (%s line %zu) is missing from "
                                      "hierarchy '%s'; add a row for it",
                                      d->keys[v], t->head.header[qcols[a]], t->head.path, line,
                                      hiers[a]->name);
            }
            map[a][v] = (uint32_t)id;
        }
    }
    return 0;
}

/* Sizes each sensitive attribute's distribution (scard, soff, sdist): its values are the
 * column's codes, ids in order of first appearance. HOGO_ENOMEM when memory ran out. */
static int enc_sensitive_ids(struct hogo__enc *e, const struct hogo__coded *t, const int *scols)
{
    for (size_t j = 0; j < e->s; j++) {
        e->scard[j] = (uint32_t)t->dict[scols[j]].n;
        e->soff[j + 1] = e->soff[j] + e->scard[j];
    }
    e->sdist = calloc(e->soff[e->s] ? e->soff[e->s] : 1, sizeof *e->sdist);
    return e->sdist ? 0 : HOGO_ENOMEM;
}

/* Lays out a record's key: sensitive attributes in the low bits, then the quasi-identifiers
 * (bits, shift, qmask). HOGO_ELIMIT, with the error set, when they need more than 64 bits. */
static int enc_key_layout(struct hogo__enc *e, const char *path, struct hogo_error *err)
{
    size_t q = e->q, s = e->s;
    int shift = 0;
    for (size_t j = 0; j < s; j++) {
        e->bits[q + j] = bits_for(e->scard[j]);
        e->shift[q + j] = shift;
        shift += e->bits[q + j];
    }
    int sbits = shift;
    for (size_t a = 0; a < q; a++) {
        e->bits[a] = bits_for(e->card[a][0]);
        e->shift[a] = shift;
        shift += e->bits[a];
    }
    if (shift > 64)
        return hogo_error_set(err, HOGO_ELIMIT, path,
                              "the quasi-identifiers of '%s' have too many distinct values to "
                              "pack a record into 64 bits (%d bits needed); use fewer "
                              "attributes or coarser hierarchies",
                              path, shift);
    e->qmask = (shift == 64 ? ~0ull : ((1ull << shift) - 1)) & ~((sbits ? (1ull << sbits) : 1ull) - 1);
    if (sbits == 0)
        e->qmask = shift == 64 ? ~0ull : ((1ull << shift) - 1);
    return 0;
}

/* Encodes every row as a key and groups equal keys into distinct tuples (tkey, tcount,
 * row_tuple, ntuples), counting each quasi-identifier value (vcount) and sensitive value
 * (sdist). HOGO_ENOMEM when memory ran out. */
static int enc_rows(struct hogo__enc *e, const struct hogo__coded *t, const int *qcols,
                    const int *scols, uint32_t *const *map)
{
    size_t n = e->n, q = e->q, s = e->s;
    size_t hcap = 64;
    while (hcap < 2 * n)
        hcap <<= 1;
    uint32_t *hv = calloc(hcap, sizeof *hv); /* tuple index + 1, 0 = empty */
    e->tkey = malloc((n ? n : 1) * sizeof *e->tkey);
    e->tcount = malloc((n ? n : 1) * sizeof *e->tcount);
    if (!hv || !e->tkey || !e->tcount) {
        free(hv);
        return HOGO_ENOMEM;
    }
    int hs = 64;
    for (size_t c = hcap; c > 1; c >>= 1)
        hs--;
    for (size_t r = 0; r < n; r++) {
        uint64_t key = 0;
        for (size_t a = 0; a < q; a++) {
            uint32_t id = map[a][t->code[qcols[a]][r]];
            e->vcount[a][id]++;
            key |= (uint64_t)id << e->shift[a];
        }
        for (size_t j = 0; j < s; j++) {
            uint32_t id = t->code[scols[j]][r];
            e->sdist[e->soff[j] + id]++;
            key |= (uint64_t)id << e->shift[q + j];
        }
        size_t i = (size_t)(hmix(key) >> hs);
        uint32_t tu;
        for (;; i = (i + 1) & (hcap - 1)) {
            tu = hv[i];
            if (!tu) {
                hv[i] = tu = (uint32_t)++e->ntuples;
                e->tkey[tu - 1] = key;
                e->tcount[tu - 1] = 0;
                break;
            }
            if (e->tkey[tu - 1] == key)
                break;
        }
        e->tcount[tu - 1]++;
        e->row_tuple[r] = tu - 1;
    }
    free(hv);
    /* the tuple arrays shrink to the distinct tuples */
    if (e->ntuples) {
        uint64_t *k2 = realloc(e->tkey, e->ntuples * sizeof *k2);
        if (k2)
            e->tkey = k2;
        uint32_t *c2 = realloc(e->tcount, e->ntuples * sizeof *c2);
        if (c2)
            e->tcount = c2;
    }
    return 0;
}

int hogo__enc_build(struct hogo__enc *e, const struct hogo__coded *t, const int *qcols,
                    struct hogo__hier *const *hiers, size_t q, const int *scols, size_t s,
                    struct hogo_error *err)
{
    memset(e, 0, sizeof *e);
    const char *path = t->head.path;
    if (q + s > 64 || s > 16)
        return hogo_error_set(err, HOGO_ELIMIT, path,
                              "too many attributes (%zu quasi-identifiers, %zu sensitive); at "
                              "most 64 in all and 16 sensitive", q, s);
    uint32_t **map = calloc(q ? q : 1, sizeof *map); /* per QI: column code -> level-0 id */
    int rc = map ? enc_alloc(e, t->nrows, q, s) : HOGO_ENOMEM;
    if (rc == 0)
        rc = enc_hierarchy_tables(e, hiers);
    if (rc == 0)
        rc = enc_value_rows(e, t, qcols, hiers, map, err);
    if (rc == 0)
        rc = enc_sensitive_ids(e, t, scols);
    if (rc == 0)
        rc = enc_key_layout(e, path, err);
    if (rc == 0)
        rc = enc_rows(e, t, qcols, scols, map);
    if (rc == HOGO_ENOMEM)
        rc = hogo_error_set(err, HOGO_ENOMEM, path, "out of memory encoding '%s'", path);
    for (size_t a = 0; map && a < q; a++)
        free(map[a]);
    free(map);
    if (rc < 0)
        hogo__enc_release(e);
    return rc;
}

/* ---------- engine ---------- */

void hogo__engine_free(struct hogo__engine *g)
{
    if (!g)
        return;
    const struct hogo__enc *e = g->e;
    for (size_t a = 0; a < g->q; a++) {
        int H = e->height[a];
        if (g->up && g->up[a]) {
            for (int lp = 0; lp < H; lp++) {
                if (g->up[a][lp])
                    for (int ln = 0; ln < H; ln++)
                        free(g->up[a][lp][ln]);
                free(g->up[a][lp]);
            }
            free(g->up[a]);
        }
        if (g->gcount && g->gcount[a]) {
            for (int l = 0; l < H; l++)
                free(g->gcount[a][l]);
            free(g->gcount[a]);
        }
        if (g->suplog && g->suplog[a]) {
            for (int l = 0; l < H; l++)
                free(g->suplog[a][l]);
            free(g->suplog[a]);
        }
        if (g->lb_entropy)
            free(g->lb_entropy[a]);
        if (g->lb_loss)
            free(g->lb_loss[a]);
    }
    free(g->up);
    free(g->gcount);
    free(g->suplog);
    free(g->lb_entropy);
    free(g->lb_loss);
    free(g->htab);
    free(g->cur.key);
    free(g->cur.count);
    free(g->tmp.key);
    free(g->tmp.count);
    for (int c = 0; c < CACHE_SLOTS; c++) {
        free(g->cache[c].e.key);
        free(g->cache[c].e.count);
    }
    free(g->okey);
    free(g->oval);
    free(g->dense);
    free(g->dtab);
    free(g->dfirst);
    free(g->didx);
    free(g->shist);
    free(g->stouched);
    free(g->cacc);
    free(g->supcnt);
    free(g->supoff);
    free(g->suptouched);
    free(g->lb);
    free(g->status);
    free(g->order);
    free(g->stack);
    free(g->tagstack);
    free(g->dom);
    free(g);
}

int hogo__engine_new(struct hogo__engine **out, const struct hogo__enc *e,
                     const struct hogo__models *m, struct hogo_error *err)
{
    int rc = 0;
    struct hogo__engine *g = calloc(1, sizeof *g);
    if (!g)
        return hogo_error_set(err, HOGO_ENOMEM, "", "out of memory");
    g->e = e;
    g->m = *m;
    g->q = e->q;
    g->s = e->s;
    size_t nodes = 1;
    for (size_t a = g->q; a-- > 0;) {
        g->radix_mul[a] = (int)nodes;
        nodes *= (size_t)e->height[a];
        if (nodes > 50000000u) {
            rc = hogo_error_set(err, HOGO_ELIMIT, "",
                                "the generalisation lattice has more than 50,000,000 "
                                "transformations; use fewer quasi-identifiers or levels");
            goto out;
        }
    }
    g->nodes = nodes;
    size_t qq = g->q ? g->q : 1;
    g->up = calloc(qq, sizeof *g->up);
    g->gcount = calloc(qq, sizeof *g->gcount);
    g->suplog = calloc(qq, sizeof *g->suplog);
    g->lb_entropy = calloc(qq, sizeof *g->lb_entropy);
    g->lb_loss = calloc(qq, sizeof *g->lb_loss);
    if (!g->up || !g->gcount || !g->suplog || !g->lb_entropy || !g->lb_loss)
        goto oom;
    for (size_t a = 0; a < g->q; a++) {
        int H = e->height[a];
        uint32_t n0 = e->card[a][0];
        g->up[a] = calloc((size_t)H, sizeof **g->up);
        g->gcount[a] = calloc((size_t)H, sizeof **g->gcount);
        g->suplog[a] = calloc((size_t)H, sizeof **g->suplog);
        g->lb_entropy[a] = calloc((size_t)H, sizeof(double));
        g->lb_loss[a] = calloc((size_t)H, sizeof(double));
        if (!g->up[a] || !g->gcount[a] || !g->suplog[a] || !g->lb_entropy[a] || !g->lb_loss[a])
            goto oom;
        for (int l = 0; l < H; l++) {
            g->gcount[a][l] = calloc(e->card[a][l], sizeof(uint32_t));
            if (!g->gcount[a][l])
                goto oom;
            for (uint32_t v = 0; v < n0; v++)
                g->gcount[a][l][e->gen[a][l][v]] += e->vcount[a][v];
            g->suplog[a][l] = malloc(e->card[a][l] * sizeof(double));
            if (!g->suplog[a][l])
                goto oom;
            for (uint32_t v = 0; v < e->card[a][l]; v++)
                g->suplog[a][l][v] =
                    g->gcount[a][l][v] ? log2((double)e->n / g->gcount[a][l][v]) : 0;
        }
        for (int lp = 0; lp < H; lp++) {
            g->up[a][lp] = calloc((size_t)H, sizeof(uint32_t *));
            if (!g->up[a][lp])
                goto oom;
            for (int ln = lp; ln < H; ln++) {
                g->up[a][lp][ln] = calloc(e->card[a][lp], sizeof(uint32_t));
                if (!g->up[a][lp][ln])
                    goto oom;
                for (uint32_t v = 0; v < n0; v++)
                    g->up[a][lp][ln][e->gen[a][lp][v]] = e->gen[a][ln][v];
            }
        }
        /* Level-only parts of the measures. */
        for (int l = 0; l < H; l++) {
            double ent = 0, loss = 0;
            for (uint32_t v = 0; v < n0; v++) {
                double av = e->vcount[a][v];
                if (av == 0)
                    continue;
                uint32_t gid = e->gen[a][l][v];
                ent += av * log2((double)g->gcount[a][l][gid] / av);
                loss += av * e->share[a][l][gid];
            }
            g->lb_entropy[a][l] = ent;
            g->lb_loss[a][l] = loss;
        }
    }
    /* Hash table and entry lists sized for the distinct tuples. */
    size_t D = e->ntuples ? e->ntuples : 1;
    g->hcap = 64;
    while (g->hcap < 2 * D)
        g->hcap <<= 1;
    g->htab = calloc(g->hcap, sizeof *g->htab);
    g->ecap = D;
    g->cur.key = malloc(D * sizeof(uint64_t));
    g->cur.count = malloc(D * sizeof(uint32_t));
    g->okey = malloc(D * sizeof(uint64_t));
    g->oval = malloc(D * sizeof(uint32_t));
    g->dfirst = malloc(D * sizeof(uint32_t));
    g->didx = malloc(D * sizeof(uint32_t));
    g->dcap = DENSE_MAX;
    g->dense = calloc(g->dcap, sizeof(uint32_t));
    g->dstride = 1;
    for (size_t a = 0; a < g->q; a++)
        if (e->card[a][0] > g->dstride)
            g->dstride = e->card[a][0];
    for (size_t j = 0; j < g->s; j++)
        if (e->scard[j] > g->dstride)
            g->dstride = e->scard[j];
    g->dtab = malloc((g->q + g->s + 1) * g->dstride * sizeof(uint32_t));
    /* Cached class lists: 2^20 entries (12 MB), many lists of a small data set; 2^18 for a
     * large one, whose memory matters more. */
    g->cache_budget = D <= (1u << 18) ? 1u << 20 : 1u << 18;
    g->smax = 1;
    for (size_t j = 0; j < g->s; j++)
        if (e->scard[j] > g->smax)
            g->smax = e->scard[j];
    g->supoff = calloc(g->q + 1, sizeof *g->supoff);
    if (g->supoff)
        for (size_t a = 0; a < g->q; a++)
            g->supoff[a + 1] = g->supoff[a] + e->card[a][0];
    size_t nsup = g->supoff && g->supoff[g->q] ? g->supoff[g->q] : 1;
    g->supcnt = calloc(nsup, sizeof *g->supcnt);
    g->suptouched = malloc(nsup * sizeof *g->suptouched);
    g->shist = calloc(g->smax, sizeof(double));
    g->stouched = malloc(g->smax * sizeof(uint32_t));
    g->lb = malloc(nodes * sizeof(double));
    g->status = calloc(nodes, 1);
    g->order = malloc(nodes * sizeof(uint32_t));
    g->stack = malloc(nodes * sizeof(uint32_t));
    g->tagstack = malloc(nodes * sizeof(uint32_t));
    g->dom = calloc(nodes, 1);
    if (!g->htab || !g->cur.key || !g->cur.count || !g->dfirst || !g->didx || !g->dense || !g->dtab ||
        !g->okey || !g->oval || !g->shist || !g->stouched || !g->lb || !g->status ||
        !g->order || !g->stack || !g->tagstack || !g->dom || !g->supoff || !g->supcnt ||
        !g->suptouched)
        goto oom;
    *out = g;
    g = NULL;
    goto out;
oom:
    rc = hogo_error_set(err, HOGO_ENOMEM, "", "out of memory preparing the search");
out:
    hogo__engine_free(g);
    return rc;
}

static void node_levels(const struct hogo__engine *g, size_t idx, int *levels)
{
    for (size_t a = 0; a < g->q; a++) {
        levels[a] = (int)(idx / (size_t)g->radix_mul[a]);
        idx %= (size_t)g->radix_mul[a];
    }
}

/* Aggregates per-attribute values. */
static double aggregate(int how, const double *v, size_t q)
{
    double r;
    switch (how) {
    case HOGO__AGG_GEOMEAN:
        r = 1.0;
        for (size_t a = 0; a < q; a++)
            r *= pow(v[a] + 1.0, 1.0 / (double)q);
        return r - 1.0;
    case HOGO__AGG_ARITH:
        r = 0;
        for (size_t a = 0; a < q; a++)
            r += v[a];
        return q ? r / (double)q : 0;
    case HOGO__AGG_MAX:
        r = 0;
        for (size_t a = 0; a < q; a++)
            r = v[a] > r ? v[a] : r;
        return r;
    default:
        r = 0;
        for (size_t a = 0; a < q; a++)
            r += v[a];
        return r;
    }
}

static void gs_factors(double gs, double *gf, double *sf)
{
    *sf = gs < 0.5 ? 2.0 * gs : 1.0;
    *gf = gs <= 0.5 ? 1.0 : 1.0 - 2.0 * (gs - 0.5);
}

static double loss_normalise(const struct hogo__engine *g, size_t a, double sum, double gf)
{
    double n = (double)g->e->n;
    double dom = (double)g->e->card[a][0];
    double min = gf * n / dom, max = n;
    if (max - min <= 0)
        return 0;
    double r = (sum - min) / (max - min);
    return r > 0 ? r : 0;
}

double hogo__engine_lower_bound(struct hogo__engine *g, const int *levels)
{
    double v[64];
    double gf, sf;
    gs_factors(g->m.gs_factor, &gf, &sf);
    switch (g->m.measure) {
    case HOGO__M_ENTROPY:
        for (size_t a = 0; a < g->q; a++)
            v[a] = gf * g->lb_entropy[a][levels[a]];
        return aggregate(g->m.aggregate, v, g->q);
    case HOGO__M_LOSS:
        for (size_t a = 0; a < g->q; a++)
            v[a] = loss_normalise(g, a, gf * g->lb_loss[a][levels[a]], gf);
        return aggregate(g->m.aggregate, v, g->q);
    case HOGO__M_PRECISION:
        for (size_t a = 0; a < g->q; a++)
            v[a] = g->e->height[a] > 1 ? (double)levels[a] / (double)(g->e->height[a] - 1) : 0;
        return aggregate(g->m.aggregate, v, g->q);
    default:
        return (double)g->e->n * (double)(g->m.k > 1 ? g->m.k : 1);
    }
}

/* Caches the entries in g->cur under levels, evicting the least recently used lists until
 * the budget allows. Returns the cache slot or -1. Caching is an optimisation only: running
 * out of memory just means no caching. */
static int cache_put(struct hogo__engine *g, const int *levels)
{
    size_t n = g->cur.n;
    if (n > g->cache_budget)
        return -1;
    for (;;) {
        int free_slot = -1, oldest = -1;
        for (int c = 0; c < CACHE_SLOTS; c++) {
            if (!g->cache[c].used) {
                if (free_slot < 0)
                    free_slot = c;
                continue;
            }
            if (oldest < 0 || g->cache[c].last_use < g->cache[oldest].last_use)
                oldest = c;
        }
        if (free_slot >= 0 && g->cache_total + n <= g->cache_budget) {
            struct cached *c = &g->cache[free_slot];
            if (c->cap < n) {
                uint64_t *k2 = realloc(c->e.key, n * sizeof *k2);
                if (!k2)
                    return -1;
                c->e.key = k2;
                uint32_t *c2 = realloc(c->e.count, n * sizeof *c2);
                if (!c2)
                    return -1;
                c->e.count = c2;
                c->cap = n;
            }
            memcpy(c->e.key, g->cur.key, n * sizeof *c->e.key);
            memcpy(c->e.count, g->cur.count, n * sizeof *c->e.count);
            c->e.n = n;
            memcpy(c->levels, levels, sizeof(int) * g->q);
            c->used = 1;
            c->last_use = ++g->clock;
            g->cache_total += n;
            return free_slot;
        }
        if (oldest < 0)
            return -1;
        g->cache_total -= g->cache[oldest].e.n;
        g->cache[oldest].used = 0;
    }
}

static void cache_clear(struct hogo__engine *g)
{
    for (int c = 0; c < CACHE_SLOTS; c++)
        g->cache[c].used = 0;
    g->cache_total = 0;
}

/* Rolls the entries skey/scount[0..sn) of the transformation `from` up to `levels`, writing
 * the distinct (key, count) pairs into g->cur. Counting uses a dense array indexed by the
 * mixed-radix number of the generalised values when their product is small (the usual case
 * once a few attributes are generalised), else the hash table. */
static void roll_up(struct hogo__engine *g, const uint64_t *skey, const uint32_t *scount,
                    size_t sn, const int *from, const int *levels)
{
    const struct hogo__enc *e = g->e;
    const size_t dims = g->q + g->s;
    /* Packed-key maps for the attributes whose level changes. */
    const uint32_t *map[64];
    uint64_t mask[64];
    int sh[64];
    size_t nq = 0;
    uint64_t keep = ~e->qmask; /* sensitive bits pass through */
    for (size_t a = 0; a < g->q; a++) {
        if (from[a] == levels[a]) {
            keep |= (((1ull << e->bits[a]) - 1) << e->shift[a]);
            continue;
        }
        map[nq] = g->up[a][from[a]][levels[a]];
        sh[nq] = e->shift[a];
        mask[nq] = (1ull << e->bits[a]) - 1;
        nq++;
    }
    uint64_t *ok = g->cur.key;
    uint32_t *oc = g->cur.count;
    size_t n = 0;

    /* Size of the generalised domain: decides dense counting. */
    size_t prod = 1;
    for (size_t d = 0; d < dims && prod <= g->dcap; d++) {
        uint32_t card = d < g->q ? e->card[d][levels[d]] : e->scard[d - g->q];
        prod *= card ? card : 1;
    }
    /* dense counting only while the array stays small next to the source (random access
     * into a large array misses the cache more than hashing a few entries) */
    if (!g->reference && prod <= g->dcap && (prod <= (1u << 16) || prod <= 8 * sn)) {
        const uint32_t *dt[64];
        int dsh[64];
        uint64_t dmask[64];
        size_t nd = 0;
        uint32_t radix = 1;
        for (size_t d = 0; d < dims; d++) {
            uint32_t tcard = d < g->q ? e->card[d][levels[d]] : e->scard[d - g->q];
            if (tcard <= 1)
                continue; /* one value: contributes nothing to the index */
            uint32_t *t = g->dtab + d * g->dstride;
            if (d < g->q) {
                const uint32_t *m = g->up[d][from[d]][levels[d]];
                for (uint32_t v = 0; v < e->card[d][from[d]]; v++)
                    t[v] = m[v] * radix;
            } else {
                for (uint32_t v = 0; v < tcard; v++)
                    t[v] = v * radix;
            }
            dt[nd] = t;
            dsh[nd] = e->shift[d];
            dmask[nd] = (1ull << e->bits[d]) - 1;
            nd++;
            radix *= tcard;
        }
        uint32_t *dense = g->dense, *first = g->dfirst, *didx = g->didx;
        for (size_t i = 0; i < sn; i++) {
            uint64_t k = skey[i];
            uint32_t idx = 0;
            for (size_t j = 0; j < nd; j++)
                idx += dt[j][(k >> dsh[j]) & dmask[j]];
            uint32_t c = dense[idx];
            /* Branch-free: record the class, keep it only when new (counts are >= 1, so
             * 0 means not seen yet). */
            didx[n] = idx;
            first[n] = (uint32_t)i;
            n += !c;
            dense[idx] = c + scount[i];
        }
        for (size_t t = 0; t < n; t++) {
            uint64_t k = skey[first[t]], nk = k & keep;
            for (size_t j = 0; j < nq; j++)
                nk |= (uint64_t)map[j][(k >> sh[j]) & mask[j]] << sh[j];
            ok[t] = nk;
            oc[t] = dense[didx[t]];
            dense[didx[t]] = 0;
        }
        g->cur.n = n;
        return;
    }

    size_t ucap = 64;
    int hs = 58;
    while (ucap < 2 * sn && ucap < g->hcap) {
        ucap <<= 1;
        hs--;
    }
    size_t hm = ucap - 1;
    uint32_t *tab = g->htab;
    memset(tab, 0, ucap * sizeof *tab);
    for (size_t i = 0; i < sn; i++) {
        uint64_t k = skey[i];
        uint64_t nk = k & keep;
        for (size_t j = 0; j < nq; j++)
            nk |= (uint64_t)map[j][(k >> sh[j]) & mask[j]] << sh[j];
        size_t h = (size_t)(hmix(nk) >> hs);
        for (;;) {
            uint32_t t = tab[h];
            if (!t) {
                tab[h] = (uint32_t)n + 1;
                ok[n] = nk;
                oc[n++] = scount[i];
                break;
            }
            if (ok[t - 1] == nk) {
                oc[t - 1] += scount[i];
                break;
            }
            h = (h + 1) & hm;
        }
    }
    g->cur.n = n;
}

/* Returns the cache slot of the smallest cached specialisation of levels, or -1. */
static int cache_find(struct hogo__engine *g, const int *levels)
{
    int best = -1;
    for (int c = 0; c < CACHE_SLOTS; c++) {
        if (!g->cache[c].used || (best >= 0 && g->cache[c].e.n >= g->cache[best].e.n))
            continue;
        size_t a;
        for (a = 0; a < g->q; a++)
            if (g->cache[c].levels[a] > levels[a])
                break;
        if (a == g->q)
            best = c;
    }
    if (best >= 0)
        g->cache[best].last_use = ++g->clock;
    return best;
}

/* Computes the entries (key, count) of the node with the given levels into g->cur: rolled up
 * from the smallest cached specialisation, else from the distinct tuples. In the second case
 * the search first computes a "stepping stone", the node with every level capped at 1, from
 * the tuples and caches it: later nodes above it roll up from its few classes instead of from
 * all tuples. */
static void compute_entries(struct hogo__engine *g, const int *levels)
{
    const struct hogo__enc *e = g->e;
    static const int bottom[64];
    g->checked++;
    int best = g->reference ? -1 : cache_find(g, levels);
    if (best < 0 && !g->reference) {
        int stone[64];
        int differs = 0, above_bottom = 0;
        for (size_t a = 0; a < g->q; a++) {
            stone[a] = levels[a] < 1 ? levels[a] : 1;
            differs |= stone[a] != levels[a];
            above_bottom |= stone[a] != 0;
        }
        if (differs && above_bottom) {
            roll_up(g, e->tkey, e->tcount, e->ntuples, bottom, stone);
            g->stones++;
            best = cache_put(g, stone);
            if (best < 0 && !g->tmp.key) {
                /* allocated on first need (a large data set whose stone is not cached) */
                size_t D = e->ntuples ? e->ntuples : 1;
                g->tmp.key = malloc(D * sizeof(uint64_t));
                g->tmp.count = malloc(D * sizeof(uint32_t));
                if (!g->tmp.key || !g->tmp.count) {
                    free(g->tmp.key);
                    free(g->tmp.count);
                    g->tmp.key = NULL;
                    g->tmp.count = NULL;
                    /* no room for a copy: this node straight from the tuples */
                    roll_up(g, e->tkey, e->tcount, e->ntuples, bottom, levels);
                    return;
                }
            }
            if (best < 0) {
                /* Not cacheable: roll up from a copy. */
                struct entries t = g->tmp;
                g->tmp = g->cur;
                g->cur = t;
                g->rollups++;
                roll_up(g, g->tmp.key, g->tmp.count, g->tmp.n, stone, levels);
                return;
            }
        }
    }
    if (best >= 0) {
        struct cached *c = &g->cache[best];
        g->rollups++;
        roll_up(g, c->e.key, c->e.count, c->e.n, c->levels, levels);
    } else {
        roll_up(g, e->tkey, e->tcount, e->ntuples, bottom, levels);
    }
    if (!g->reference && g->cur.n < (best >= 0 ? g->cache[best].e.n : e->ntuples))
        cache_put(g, levels);
}

/* Reorders the entries key/cnt[0..n) in place so that the cells of one class (same QI
 * bits) are adjacent: classes are numbered in a hash table on their QI bits, then the
 * entries are permuted into their classes' ranges (an in-place counting sort, linear time).
 * Uses g->htab, g->okey (class keys), g->oval and g->dfirst (each class's next and end
 * position) and g->didx (class of each entry) as scratch. */
static void group_by_class(struct hogo__engine *g, uint64_t *key, uint32_t *cnt, size_t n)
{
    const uint64_t qmask = g->e->qmask;
    size_t ucap = 64;
    int hs = 58;
    while (ucap < 2 * n && ucap < g->hcap) {
        ucap <<= 1;
        hs--;
    }
    size_t hm = ucap - 1;
    uint32_t *tab = g->htab, *cls = g->didx, *next = g->oval, *end = g->dfirst;
    uint64_t *ckey = g->okey;
    size_t nc = 0;
    memset(tab, 0, ucap * sizeof *tab);
    for (size_t i = 0; i < n; i++) {
        uint64_t qk = key[i] & qmask;
        size_t h = (size_t)(hmix(qk) >> hs);
        uint32_t t;
        for (;; h = (h + 1) & hm) {
            t = tab[h];
            if (!t) {
                tab[h] = t = (uint32_t)++nc;
                ckey[t - 1] = qk;
                next[t - 1] = 0;
                break;
            }
            if (ckey[t - 1] == qk)
                break;
        }
        cls[i] = t - 1;
        next[t - 1]++;
    }
    uint32_t pos = 0;
    for (size_t c = 0; c < nc; c++) {
        uint32_t m = next[c];
        next[c] = pos;
        pos += m;
        end[c] = pos;
    }
    /* each swap puts one entry into its class's range for good */
    for (size_t c = 0; c < nc; c++)
        while (next[c] < end[c]) {
            uint32_t p = next[c], d = cls[p];
            if (d == c) {
                next[c]++;
                continue;
            }
            uint32_t q = next[d]++;
            uint64_t k = key[p];
            key[p] = key[q];
            key[q] = k;
            uint32_t x = cnt[p];
            cnt[p] = cnt[q];
            cnt[q] = x;
            cls[p] = cls[q];
            cls[q] = d;
        }
}

/* With one sensitive attribute, the classes without grouping the cells (each cell is one
 * class x value): classes numbered in a hash table on their QI bits (g->okey[c] key,
 * g->oval[c] size), then each cell adds its share to its class's distance and entropy.
 * g->dfirst[c] gets 1 when the sensitive models hold for class c. Returns the number of
 * classes, or SIZE_MAX when the accumulators could not be allocated (then group instead). */
static size_t classes_one_sensitive(struct hogo__engine *g, const uint64_t *key,
                                    const uint32_t *cnt, size_t n)
{
    const struct hogo__enc *e = g->e;
    const uint64_t qmask = e->qmask;
    int need_acc = g->m.t[0] >= 0 || g->m.lentropy[0] > 0;
    if (need_acc && !g->cacc) {
        g->cacc = malloc(2 * (e->ntuples ? e->ntuples : 1) * sizeof *g->cacc);
        if (!g->cacc)
            return SIZE_MAX;
    }
    size_t ucap = 64;
    int hs = 58;
    while (ucap < 2 * n && ucap < g->hcap) {
        ucap <<= 1;
        hs--;
    }
    size_t hm = ucap - 1;
    uint32_t *tab = g->htab, *cls = g->didx, *csize = g->oval, *cdist = g->dfirst;
    uint64_t *ckey = g->okey;
    size_t nc = 0;
    memset(tab, 0, ucap * sizeof *tab);
    for (size_t i = 0; i < n; i++) {
        uint64_t qk = key[i] & qmask;
        size_t h = (size_t)(hmix(qk) >> hs);
        uint32_t t;
        for (;; h = (h + 1) & hm) {
            t = tab[h];
            if (!t) {
                tab[h] = t = (uint32_t)++nc;
                ckey[t - 1] = qk;
                csize[t - 1] = 0;
                cdist[t - 1] = 0;
                break;
            }
            if (ckey[t - 1] == qk)
                break;
        }
        cls[i] = t - 1;
        csize[t - 1] += cnt[i];
        cdist[t - 1]++;
    }
    double *acc = g->cacc;
    if (need_acc) {
        /* equal-distance EMD = (1 + sum over the class's values of |p - q| - q) / 2, entropy
         * = -sum p ln p, as class_sensitive_ok computes them */
        memset(acc, 0, 2 * nc * sizeof *acc);
        const uint32_t *all = e->sdist + e->soff[0];
        double nn = (double)e->n;
        uint64_t mk = (1ull << e->bits[g->q]) - 1;
        int sh = e->shift[g->q];
        if (g->m.lentropy[0] > 0)
            for (size_t i = 0; i < n; i++) {
                uint32_t c = cls[i];
                double p = cnt[i] / (double)csize[c];
                acc[2 * c + 1] -= p * log(p);
            }
        if (g->m.t[0] >= 0)
            for (size_t i = 0; i < n; i++) {
                uint32_t c = cls[i];
                double p = cnt[i] / (double)csize[c];
                double qv = all[(key[i] >> sh) & mk] / nn;
                acc[2 * c] += fabs(p - qv) - qv;
            }
    }
    for (size_t c = 0; c < nc; c++) {
        int ok = !(g->m.ldistinct[0] > 0 && (double)cdist[c] < g->m.ldistinct[0]);
        if (ok && g->m.lentropy[0] > 0 && acc[2 * c + 1] < log(g->m.lentropy[0]) - 1e-12)
            ok = 0;
        if (ok && g->m.t[0] >= 0 && (1.0 + acc[2 * c]) / 2.0 > g->m.t[0] + 1e-12)
            ok = 0;
        cdist[c] = (uint32_t)ok;
    }
    return nc;
}

/* Evaluates the sensitive-attribute models of one class made of entries [lo, hi) of a list
 * sorted by key. Returns 1 when all hold. */
static int class_sensitive_ok(struct hogo__engine *g, const uint64_t *key, const uint32_t *cnt,
                              size_t lo, size_t hi, double size)
{
    const struct hogo__enc *e = g->e;
    for (size_t j = 0; j < g->s; j++) {
        size_t nt = 0;
        uint64_t mk = (1ull << e->bits[g->q + j]) - 1;
        for (size_t i = lo; i < hi; i++) {
            uint32_t v = (uint32_t)((key[i] >> e->shift[g->q + j]) & mk);
            if (g->shist[v] == 0)
                g->stouched[nt++] = v;
            g->shist[v] += cnt[i];
        }
        int ok = 1;
        if (g->m.ldistinct[j] > 0 && (double)nt < g->m.ldistinct[j])
            ok = 0;
        if (ok && g->m.lentropy[j] > 0) {
            double h = 0;
            for (size_t t = 0; t < nt; t++) {
                double p = g->shist[g->stouched[t]] / size;
                h -= p * log(p);
            }
            if (h < log(g->m.lentropy[j]) - 1e-12)
                ok = 0;
        }
        if (ok && g->m.t[j] >= 0) {
            /* Equal-distance EMD: half the L1 distance to the overall distribution. */
            const uint32_t *all = e->sdist + e->soff[j];
            double nn = (double)e->n, d = 1.0;
            for (size_t t = 0; t < nt; t++) {
                double p = g->shist[g->stouched[t]] / size;
                double qv = all[g->stouched[t]] / nn;
                d += fabs(p - qv) - qv;
            }
            if (d / 2.0 > g->m.t[j] + 1e-12)
                ok = 0;
        }
        for (size_t t = 0; t < nt; t++)
            g->shist[g->stouched[t]] = 0;
        if (!ok)
            return 0;
    }
    return 1;
}

int hogo__engine_eval(struct hogo__engine *g, const int *levels, struct hogo__eval *out)
{
    const struct hogo__enc *e = g->e;
    compute_entries(g, levels);
    size_t n = g->cur.n;
    uint64_t *key = g->cur.key;
    uint32_t *cnt = g->cur.count;
    double gf, sf;
    gs_factors(g->m.gs_factor, &gf, &sf);
    size_t k = (size_t)(g->m.k > 1 ? g->m.k : 1);
    double sup_ent = 0, disc = 0;
    int ent_inside = g->m.measure == HOGO__M_ENTROPY && g->m.entropy_sup == HOGO__ENT_INSIDE;
    size_t ntouched = 0;
    double sup_loss[64] = {0}, share_sup[64] = {0};
    size_t suppressed = 0, classes = 0;
    g->on = 0;
    int need_classes = g->s > 0;
    /* one sensitive attribute: class by class from a hash table (no grouping); else the
     * cells are grouped by class (also the reference mode's way) */
    size_t units = n;
    int single = need_classes && g->s == 1 && !g->reference;
    if (single && (units = classes_one_sensitive(g, key, cnt, n)) == SIZE_MAX) {
        single = 0;
        units = n;
    }
    if (need_classes && !single)
        group_by_class(g, key, cnt, n);
    size_t outc = 0; /* outcome list written in place over okey/oval when requested */
    /* A transformation that suppresses too many rows fails whatever its other classes are:
     * stop counting there (not in the reference mode, which computes every figure). */
    int early_exit = !g->reference && !g->want_outcomes;
    for (size_t i = 0; i < units;) {
        size_t j = i + 1;
        double size;
        int ok;
        uint64_t qkey;
        if (single) {
            size = g->oval[i];
            qkey = g->okey[i];
            ok = (size_t)size >= k && g->dfirst[i];
        } else {
            size = cnt[i];
            if (need_classes) {
                while (j < n && (key[j] & e->qmask) == (key[i] & e->qmask)) {
                    size += cnt[j];
                    j++;
                }
            }
            ok = (size_t)size >= k;
            if (ok && need_classes)
                ok = class_sensitive_ok(g, key, cnt, i, j, size);
            qkey = key[i] & e->qmask;
        }
        if (!ok) {
            suppressed += (size_t)size;
            if (early_exit && suppressed > g->m.max_outliers)
                break; /* fails: the rest cannot change that */
            for (size_t a = 0; a < g->q; a++) {
                uint32_t gid = (uint32_t)((qkey >> e->shift[a]) & ((1ull << e->bits[a]) - 1));
                double sh = e->share[a][levels[a]][gid];
                sup_loss[a] += size;
                share_sup[a] += size * sh;
                if (g->m.measure == HOGO__M_ENTROPY)
                    sup_ent += size * g->suplog[a][levels[a]][gid];
                if (ent_inside) {
                    double *c = g->supcnt + g->supoff[a];
                    if (c[gid] == 0)
                        g->suptouched[ntouched++] = (uint32_t)(g->supoff[a] + gid);
                    c[gid] += size;
                }
            }
            disc += size * (double)e->n;
        } else {
            classes++;
            disc += size * size;
        }
        if (g->want_outcomes) {
            /* Written after the class was read; outc <= i so nothing unread is overwritten
             * when the classes are read from okey/oval. */
            g->okey[outc] = qkey;
            g->oval[outc] = ok ? (uint32_t)size : 0;
            outc++;
        }
        i = j;
    }
    g->on = outc;
    memset(out, 0, sizeof *out);
    out->classes = classes;
    out->suppressed = suppressed;
    out->anonymous = suppressed <= g->m.max_outliers;
    out->lower = hogo__engine_lower_bound(g, levels);
    double v[64];
    switch (g->m.measure) {
    case HOGO__M_ENTROPY:
        out->loss = out->lower;
        if (g->m.entropy_sup == HOGO__ENT_ROOT)
            out->loss += sf * sup_ent;
        if (ent_inside) {
            /* sum over attributes and generalised values v of the suppressed records of
             * c_v log2(S / c_v) = S log2 S - sum c_v log2 c_v (ARX's default definition) */
            double inside = 0, S = (double)suppressed;
            for (size_t t = 0; t < ntouched; t++) {
                double c = g->supcnt[g->suptouched[t]];
                inside -= c * log2(c);
                g->supcnt[g->suptouched[t]] = 0;
            }
            if (S > 0)
                inside += (double)g->q * S * log2(S);
            out->loss += sf * inside;
        }
        break;
    case HOGO__M_LOSS:
        for (size_t a = 0; a < g->q; a++) {
            /* Non-suppressed records: gf * share; suppressed: sf==1 ? 1 : share + sf*(1-share). */
            double total = gf * (g->lb_loss[a][levels[a]] - share_sup[a]);
            total += sf == 1.0 ? sup_loss[a] : share_sup[a] + sf * (sup_loss[a] - share_sup[a]);
            v[a] = loss_normalise(g, a, total, gf);
        }
        out->loss = aggregate(g->m.aggregate, v, g->q);
        break;
    case HOGO__M_PRECISION:
        for (size_t a = 0; a < g->q; a++) {
            double p = e->height[a] > 1 ? (double)levels[a] / (double)(e->height[a] - 1) : 0;
            double nn = (double)e->n;
            v[a] = nn > 0 ? (p * (nn - (double)suppressed) + (double)suppressed) / nn : 0;
        }
        out->loss = aggregate(g->m.aggregate, v, g->q);
        break;
    default:
        out->loss = disc;
        break;
    }
    return 0;
}

void hogo__engine_row_classes(struct hogo__engine *g, const int *levels, uint32_t *sizes)
{
    const struct hogo__enc *e = g->e;
    struct hogo__eval ev;
    g->want_outcomes = 1;
    hogo__engine_eval(g, levels, &ev);
    g->want_outcomes = 0;
    /* The outcomes (class key -> size, 0 = suppressed) in the hash table, then each distinct
     * tuple's generalised key looked up (no allocation: g->didx holds the tuples' sizes). */
    size_t on = g->on, ucap = 64;
    int hs = 58;
    while (ucap < 2 * on && ucap < g->hcap) {
        ucap <<= 1;
        hs--;
    }
    size_t hm = ucap - 1;
    uint32_t *tab = g->htab, *tsize = g->didx;
    memset(tab, 0, ucap * sizeof *tab);
    for (size_t i = 0; i < on; i++) {
        size_t h = (size_t)(hmix(g->okey[i]) >> hs);
        while (tab[h])
            h = (h + 1) & hm;
        tab[h] = (uint32_t)i + 1;
    }
    for (size_t t = 0; t < e->ntuples; t++) {
        uint64_t k = e->tkey[t], nk = 0;
        for (size_t a = 0; a < g->q; a++) {
            uint64_t m = (1ull << e->bits[a]) - 1;
            nk |= (uint64_t)g->up[a][0][levels[a]][(k >> e->shift[a]) & m] << e->shift[a];
        }
        size_t h = (size_t)(hmix(nk) >> hs);
        tsize[t] = 0;
        for (uint32_t x; (x = tab[h]) != 0; h = (h + 1) & hm)
            if (g->okey[x - 1] == nk) {
                tsize[t] = g->oval[x - 1];
                break;
            }
    }
    for (size_t r = 0; r < e->n; r++)
        sizes[r] = tsize[e->row_tuple[r]];
}

/* ---------- search ---------- */

static int cmp_nodes(const void *x, const void *y, void *ctx)
{
    const struct hogo__engine *sort_ctx = ctx;
    uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
    double la = sort_ctx->lb[a], lb = sort_ctx->lb[b];
    if (la != lb)
        return la < lb ? -1 : 1;
    /* Ties: fewer total levels first, then index. */
    int sa = 0, sb = 0;
    size_t ia = a, ib = b;
    for (size_t q = 0; q < sort_ctx->q; q++) {
        sa += (int)(ia / (size_t)sort_ctx->radix_mul[q]);
        ia %= (size_t)sort_ctx->radix_mul[q];
        sb += (int)(ib / (size_t)sort_ctx->radix_mul[q]);
        ib %= (size_t)sort_ctx->radix_mul[q];
    }
    if (sa != sb)
        return sa < sb ? -1 : 1;
    return a < b ? -1 : a > b;
}

/* A double as an unsigned integer with the same order. */
static inline uint64_t order_bits(double d)
{
    uint64_t b;
    if (d == 0)
        d = 0; /* -0 sorts as 0 */
    memcpy(&b, &d, sizeof b);
    return b >> 63 ? ~b : b | (1ull << 63);
}

/* Orders the nodes by lower bound, then by total level, then by index (as cmp_nodes) with a
 * stable radix sort: counting sort by total level, then byte-wise by the bound's bits. Falls
 * back to qsort when the scratch memory is not available. */
static void prepare_order(struct hogo__engine *g)
{
    int lv[64];
    size_t N = g->nodes, maxsum = 0;
    uint64_t *key = malloc(N * sizeof *key);
    uint32_t *tmp = malloc(N * sizeof *tmp);
    uint16_t *sum = malloc(N * sizeof *sum);
    for (size_t a = 0; a < g->q; a++)
        maxsum += (size_t)g->e->height[a] - 1;
    size_t *scnt = maxsum < UINT16_MAX ? calloc(maxsum + 2, sizeof *scnt) : NULL;
    for (size_t i = 0; i < N; i++) {
        node_levels(g, i, lv);
        g->lb[i] = hogo__engine_lower_bound(g, lv);
        g->order[i] = (uint32_t)i;
        if (sum) {
            unsigned t = 0;
            for (size_t a = 0; a < g->q; a++)
                t += (unsigned)lv[a];
            sum[i] = (uint16_t)t;
        }
    }
    if (!key || !tmp || !sum || !scnt) {
        qsort_r(g->order, N, sizeof *g->order, cmp_nodes, g);
        goto out;
    }
    for (size_t i = 0; i < N; i++)
        scnt[sum[i] + 1]++;
    for (size_t v = 1; v <= maxsum + 1; v++)
        scnt[v] += scnt[v - 1];
    for (size_t i = 0; i < N; i++)
        g->order[scnt[sum[i]]++] = (uint32_t)i;
    for (size_t i = 0; i < N; i++)
        key[i] = order_bits(g->lb[i]);
    uint32_t *src = g->order, *dst = tmp;
    for (int pass = 0; pass < 8; pass++) {
        size_t cnt[257] = {0};
        int sh = 8 * pass;
        for (size_t i = 0; i < N; i++)
            cnt[((key[i] >> sh) & 0xff) + 1]++;
        int single = 0;
        for (int v = 1; v <= 256; v++)
            single |= cnt[v] == N;
        if (single)
            continue; /* every key has the same byte here */
        for (int v = 1; v <= 256; v++)
            cnt[v] += cnt[v - 1];
        for (size_t i = 0; i < N; i++) {
            uint32_t x = src[i];
            dst[cnt[(key[x] >> sh) & 0xff]++] = x;
        }
        uint32_t *t = src;
        src = dst;
        dst = t;
    }
    if (src != g->order)
        memcpy(g->order, src, N * sizeof *src);
out:
    free(key);
    free(tmp);
    free(sum);
    free(scnt);
}

/* Sets arr[] to tagv for idx and every specialisation (dir -1) or generalisation (dir +1),
 * stopping at nodes that already carry tagv (their neighbours do too). */
static void tag_array(struct hogo__engine *g, unsigned char *arr, size_t idx, int dir,
                      unsigned char tagv)
{
    size_t sp = 0;
    const struct hogo__enc *e = g->e;
    uint32_t *stack = g->tagstack;
    if (arr[idx] == tagv)
        return;
    arr[idx] = tagv;
    stack[sp++] = (uint32_t)idx;
    while (sp) {
        size_t cur = stack[--sp];
        size_t rest = cur;
        for (size_t a = 0; a < g->q; a++) {
            size_t lv = rest / (size_t)g->radix_mul[a];
            rest %= (size_t)g->radix_mul[a];
            size_t nb;
            if (dir < 0) {
                if (lv == 0)
                    continue;
                nb = cur - (size_t)g->radix_mul[a];
            } else {
                if ((int)lv + 1 >= e->height[a])
                    continue;
                nb = cur + (size_t)g->radix_mul[a];
            }
            if (arr[nb] == tagv)
                continue;
            arr[nb] = tagv;
            stack[sp++] = (uint32_t)nb;
        }
    }
}

static void tag(struct hogo__engine *g, size_t idx, int dir, unsigned char tagv)
{
    tag_array(g, g->status, idx, dir, tagv);
}

static int models_monotone(const struct hogo__engine *g)
{
    if (g->m.max_outliers == 0)
        return 1;
    for (size_t j = 0; j < g->s; j++)
        if (g->m.lentropy[j] > 0 || g->m.t[j] >= 0)
            return 0;
    return 1;
}

enum { ST_UNKNOWN = 0, ST_ANON = 1, ST_NOT = 2 };

/* Flash-style check of an upward path: from start, repeatedly step to the untagged
 * generalisation with the smallest lower bound; then binary-search the path for its lowest
 * anonymous node, tagging up (holds) or down (fails) after each check. Afterwards start's
 * status is known. */
static void path_check(struct hogo__engine *g, size_t start)
{
    const struct hogo__enc *e = g->e;
    uint32_t *path = g->stack; /* tag() has its own stack */
    size_t len = 0, cur = start;
    path[len++] = (uint32_t)cur;
    for (;;) {
        size_t rest = cur, best = SIZE_MAX;
        for (size_t a = 0; a < g->q; a++) {
            size_t lv = rest / (size_t)g->radix_mul[a];
            rest %= (size_t)g->radix_mul[a];
            if ((int)lv + 1 >= e->height[a])
                continue;
            size_t nb = cur + (size_t)g->radix_mul[a];
            if (g->status[nb] != ST_UNKNOWN)
                continue;
            if (best == SIZE_MAX || g->lb[nb] < g->lb[best])
                best = nb;
        }
        if (best == SIZE_MAX || len >= g->nodes)
            break;
        path[len++] = (uint32_t)best;
        cur = best;
    }
    long lo = 0, hi = (long)len - 1;
    int lv[64];
    while (lo <= hi) {
        long mid = (lo + hi) / 2;
        size_t node = path[mid];
        if (g->status[node] == ST_UNKNOWN) {
            struct hogo__eval ev;
            node_levels(g, node, lv);
            hogo__engine_eval(g, lv, &ev);
            tag(g, node, ev.anonymous ? +1 : -1, ev.anonymous ? ST_ANON : ST_NOT);
        }
        if (g->status[node] == ST_ANON)
            hi = mid - 1;
        else
            lo = mid + 1;
    }
}

int hogo__engine_search(struct hogo__engine *g, struct hogo__search *out, struct hogo_error *err)
{
    (void)err;
    memset(out, 0, sizeof *out);
    prepare_order(g);
    memset(g->status, 0, g->nodes);
    memset(g->dom, 0, g->nodes);
    int mono_models = models_monotone(g);
    /* ARX's monotonic entropy charges suppressed records like the others: the loss is the
     * level-only bound whatever is suppressed */
    int mono_measure = g->m.max_outliers == 0 ||
                       (g->m.measure == HOGO__M_ENTROPY && g->m.entropy_sup == HOGO__ENT_IGNORE);
    int level_only = mono_measure && g->m.measure != HOGO__M_DISCERNIBILITY;
    double best = INFINITY;
    int lv[64];
    g->checked = g->rollups = g->stones = 0;
    cache_clear(g);
    for (size_t o = 0; o < g->nodes; o++) {
        size_t idx = g->order[o];
        if (out->found && g->lb[idx] >= best)
            break;
        if (mono_models) {
            if (g->status[idx] == ST_UNKNOWN)
                path_check(g, idx);
            if (g->status[idx] == ST_NOT)
                continue;
            if (level_only) {
                /* Loss = lower bound, and this is the first anonymous node in bound order. */
                best = g->lb[idx];
                out->found = 1;
                node_levels(g, idx, out->levels);
                continue;
            }
        }
        if (mono_measure && g->dom[idx])
            continue;
        node_levels(g, idx, lv);
        struct hogo__eval ev;
        hogo__engine_eval(g, lv, &ev);
        if (!ev.anonymous) {
            if (mono_models)
                tag(g, idx, -1, ST_NOT);
            continue;
        }
        if (mono_measure)
            tag_array(g, g->dom, idx, +1, 1);
        if (!out->found || ev.loss < best) {
            best = ev.loss;
            out->found = 1;
            memcpy(out->levels, lv, sizeof(int) * g->q);
        }
    }
    if (out->found)
        hogo__engine_eval(g, out->levels, &out->best);
    out->nodes = g->nodes;
    out->checked = g->checked;
    out->rollups = g->rollups;
    out->stones = g->stones;
    return 0;
}

void hogo__engine_set_reference(struct hogo__engine *g, int on)
{
    g->reference = on;
    cache_clear(g);
}

int hogo__engine_search_exhaustive(struct hogo__engine *g, struct hogo__search *out,
                                   struct hogo_error *err)
{
    (void)err;
    memset(out, 0, sizeof *out);
    prepare_order(g);
    int lv[64];
    /* Reference mode: every node from the distinct tuples with the hash table, no roll-up. */
    g->reference = 1;
    for (size_t o = 0; o < g->nodes; o++) {
        size_t idx = g->order[o];
        node_levels(g, idx, lv);
        struct hogo__eval ev;
        hogo__engine_eval(g, lv, &ev);
        if (ev.anonymous && (!out->found || ev.loss < out->best.loss)) {
            out->found = 1;
            out->best = ev;
            memcpy(out->levels, lv, sizeof(int) * g->q);
        }
    }
    g->reference = 0;
    out->nodes = g->nodes;
    out->checked = g->nodes;
    return 0;
}

/* ---------- models ---------- */

void hogo__models_clear(struct hogo__models *m, size_t j)
{
    m->ldistinct[j] = 0;
    m->lentropy[j] = 0;
    m->t[j] = -1;
}

void hogo__models_add(struct hogo__models *m, size_t j, const struct hogo__smodel *sm)
{
    if (sm->ldiv == HOGO__LDIV_DISTINCT && sm->l > m->ldistinct[j])
        m->ldistinct[j] = sm->l;
    if (sm->ldiv == HOGO__LDIV_ENTROPY && sm->l > m->lentropy[j])
        m->lentropy[j] = sm->l;
    if (sm->t >= 0 && (m->t[j] < 0 || sm->t < m->t[j]))
        m->t[j] = sm->t;
}

/* ---------- independent re-check ---------- */

struct recheck_ctx {
    const uint32_t *vals; /* n x w */
    size_t w;
};
static int cmp_rows(const void *x, const void *y, void *ctx)
{
    const struct recheck_ctx *rc_ctx = ctx;
    uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
    const uint32_t *ra = rc_ctx->vals + (size_t)a * rc_ctx->w;
    const uint32_t *rb = rc_ctx->vals + (size_t)b * rc_ctx->w;
    for (size_t i = 0; i < rc_ctx->w; i++)
        if (ra[i] != rb[i])
            return ra[i] < rb[i] ? -1 : 1;
    return 0;
}

int hogo__models_recheck(const struct hogo__enc *e, const struct hogo__models *m,
                         const int *levels, const uint32_t *row_class_size)
{
    return hogo__models_recheck_why(e, m, levels, row_class_size, NULL, 0);
}

int hogo__models_recheck_why(const struct hogo__enc *e, const struct hogo__models *m,
                             const int *levels, const uint32_t *row_class_size, char *why,
                             size_t cap)
{
#define FAIL(...)                                                                             \
    do {                                                                                      \
        if (why && ok)                                                                        \
            snprintf(why, cap, __VA_ARGS__);                                                  \
        ok = 0;                                                                               \
    } while (0)
    if (why && cap)
        why[0] = '\0';
    /* Rebuild each row's generalised QI values from scratch (not from packed keys' roll-up),
     * sort the kept rows, and check every class. */
    size_t n = e->n, w = e->q, ok = 1, kept = 0, suppressed = 0;
    uint32_t *vals = malloc((n ? n : 1) * (w ? w : 1) * sizeof *vals);
    uint32_t *sv = malloc((n ? n : 1) * (e->s ? e->s : 1) * sizeof *sv);
    uint32_t *rows = malloc((n ? n : 1) * sizeof *rows);
    double *hist = calloc(64 + (e->soff[e->s] ? e->soff[e->s] : 1), sizeof *hist);
    if (!vals || !sv || !rows || !hist) {
        FAIL("out of memory");
        goto out;
    }
    for (size_t r = 0; r < n; r++) {
        uint64_t key = e->tkey[e->row_tuple[r]];
        for (size_t a = 0; a < w; a++) {
            uint32_t id0 = (uint32_t)((key >> e->shift[a]) & ((1ull << e->bits[a]) - 1));
            vals[r * w + a] = e->gen[a][levels[a]][id0];
        }
        for (size_t j = 0; j < e->s; j++)
            sv[r * e->s + j] =
                (uint32_t)((key >> e->shift[e->q + j]) & ((1ull << e->bits[e->q + j]) - 1));
        if (row_class_size[r])
            rows[kept++] = (uint32_t)r;
        else
            suppressed++;
    }
    if (suppressed > m->max_outliers)
        FAIL("%zu rows are suppressed, more than the limit of %zu", suppressed,
             m->max_outliers);
    struct recheck_ctx ctx = {vals, w};
    qsort_r(rows, kept, sizeof *rows, cmp_rows, &ctx);
    for (size_t i = 0; i < kept && ok;) {
        size_t j = i + 1;
        while (j < kept && !memcmp(vals + (size_t)rows[i] * w, vals + (size_t)rows[j] * w,
                                   w * sizeof *vals))
            j++;
        size_t size = j - i;
        if ((int)size < (m->k > 1 ? m->k : 1))
            FAIL("a released class (row %u of the data) has %zu rows, fewer than k = %d",
                 rows[i] + 1, size, m->k);
        for (size_t t = i; t < j; t++)
            if (row_class_size[rows[t]] != size)
                FAIL("row %u of the data is in a class of %zu rows, not %u as the search "
                     "computed", rows[t] + 1, size, row_class_size[rows[t]]);
        for (size_t s = 0; s < e->s && ok; s++) {
            double *h = hist + e->soff[s];
            size_t distinct = 0;
            for (size_t t = i; t < j; t++)
                if (h[sv[(size_t)rows[t] * e->s + s]]++ == 0)
                    distinct++;
            if (m->ldistinct[s] > 0 && (double)distinct < m->ldistinct[s])
                FAIL("a released class (row %u of the data) has %zu distinct values of "
                     "sensitive attribute %zu, fewer than l = %g", rows[i] + 1, distinct, s + 1,
                     m->ldistinct[s]);
            double ent = 0, emd = 0;
            for (size_t v = 0; v < e->scard[s]; v++) {
                double p = h[v] / (double)size;
                if (p > 0)
                    ent -= p * log(p);
                emd += fabs(p - (double)e->sdist[e->soff[s] + v] / (double)n);
            }
            if (m->lentropy[s] > 0 && ent < log(m->lentropy[s]) - 1e-9)
                FAIL("a released class (row %u of the data) has an entropy of sensitive "
                     "attribute %zu of exp(%.6g) = %.6g, below l = %g", rows[i] + 1, s + 1, ent,
                     exp(ent), m->lentropy[s]);
            if (m->t[s] >= 0 && emd / 2.0 > m->t[s] + 1e-9)
                FAIL("a released class (row %u of the data) is at distance %.6g from the "
                     "distribution of sensitive attribute %zu, more than t = %g", rows[i] + 1,
                     emd / 2.0, s + 1, m->t[s]);
            memset(h, 0, e->scard[s] * sizeof *h);
        }
        i = j;
    }
out:
    free(vals);
    free(sv);
    free(rows);
    free(hist);
    return (int)ok;
#undef FAIL
}
