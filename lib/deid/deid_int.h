/*
 * Private interface of the de-identification module (lib/deid): generalisation hierarchies, the encoded data set and the lattice search.
 * De-identification layer. Nothing here is exported from libhogo; the public API is
 * include/hogo/deid.h. Unit tests and benchmarks link the static library and use these
 * hogo__deid_* functions directly.
 */
#ifndef HOGO_DEID_INT_H
#define HOGO_DEID_INT_H

#include <hogo/deid.h>
#include <hogo/error.h>
#include <hogo/file.h>

#include "common/csv.h"
#include "common/dict.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "common/json.h"

#include <yajl/yajl_gen.h>

/* ---------- JSON reports ---------- */

/* Returns a generator writing indented JSON to out through js (empty containers tidied), with
 * its top-level object open; NULL when out of memory. */
yajl_gen hogo__deid_report_open(FILE *out, struct hogo__json_stream *js);
/* Writes each of the nkeys keys with the array of the header names of the columns of csv
 * whose class cls[c] is its index (a class past the last key counts as the last). */
void hogo__deid_report_columns(yajl_gen g, const char *const *keys, int nkeys,
                               const struct hogo__csv *csv, const int *cls);
/* Closes the top-level object, frees g and ends the report's line on js's FILE. */
void hogo__deid_report_close(yajl_gen g, struct hogo__json_stream *js);


/* ---------- hierarchies ---------- */

/* A generalisation hierarchy: nrows original values, each with nlevels labels (level 0 is the
 * value itself, the last level is usually "*"). Labels are strings owned by the hierarchy. */
struct hogo__hier {
    char name[256];   /* file name or "builtin:age" for messages */
    size_t nrows;     /* number of original values */
    int nlevels;      /* levels including level 0 */
    char **labels;    /* owned: nrows * nlevels strings, row-major */
    struct hogo__dict index; /* level-0 value -> row */
};
/* Loads a hierarchy CSV (one row per value, column 0 = value, then one column per level). */
int hogo__hier_load(struct hogo__hier *h, const char *path, struct hogo_error *err);
/* Builds a hierarchy from a parsed CSV table whose header row is data (hierarchy files have
 * no header): rows are taken as given. */
int hogo__hier_from_rows(struct hogo__hier *h, const char *name, char **cells, size_t nrows,
                         size_t ncols, struct hogo_error *err);
/* Builds a built-in hierarchy ("age", "date", "postal_code", "address") over the distinct
 * values; bad values fail with the value quoted. */
int hogo__hier_builtin(struct hogo__hier *h, const char *kind, char **values, size_t nvalues,
                       struct hogo_error *err);
void hogo__hier_release(struct hogo__hier *h);
/* Returns the label of row r at level l. */
static inline const char *hogo__hier_label(const struct hogo__hier *h, size_t r, int l)
{
    return h->labels[r * (size_t)h->nlevels + (size_t)l];
}

/* Japanese geography shared by the built-in address hierarchy and the text scrubber. */
/* Returns the byte length of a prefecture name at s (e.g. "東京都"), or 0; *index gets 0..46. */
size_t hogo__jp_prefecture_at(const char *s, int *index);
/* Returns the prefecture name of index i (0..46). */
const char *hogo__jp_prefecture_name(int i);
/* Returns the region (地方) of prefecture i, e.g. "関東地方". */
const char *hogo__jp_region_name(int i);

/* ---------- encoded data set and search ---------- */

enum hogo__attr_type { HOGO__INSENSITIVE = 0, HOGO__IDENTIFYING, HOGO__QUASI, HOGO__SENSITIVE };
enum hogo__measure { HOGO__M_LOSS = 0, HOGO__M_ENTROPY, HOGO__M_DISCERNIBILITY, HOGO__M_PRECISION };
/* How the non-uniform entropy charges suppressed records (ARX's two definitions, and
 * "generalised to the root"). */
enum hogo__entropy_sup {
    HOGO__ENT_INSIDE = 0, /* ARX default (non-monotonic): plus, per attribute, the entropy of the
                             generalised values inside the suppressed records (x their number) */
    HOGO__ENT_IGNORE,     /* ARX monotonic: suppressed records are charged like the others */
    HOGO__ENT_ROOT        /* suppressed records are charged as generalised to the root */
};
enum hogo__aggregate { HOGO__AGG_SUM = 0, HOGO__AGG_GEOMEAN, HOGO__AGG_ARITH, HOGO__AGG_MAX };
enum hogo__ldiv { HOGO__LDIV_NONE = 0, HOGO__LDIV_DISTINCT, HOGO__LDIV_ENTROPY };

/* One attribute of the configuration. */
struct hogo__attr_cfg {
    char *name;         /* owned: column header */
    int type;           /* enum hogo__attr_type */
    char *hier_path;    /* owned: hierarchy CSV path (resolved), or NULL */
    char *builtin;      /* owned: built-in hierarchy kind, or NULL */
    int cfg_line;       /* line in the config, for messages */
};

/* A sensitive-attribute model. */
struct hogo__smodel {
    char *attr;     /* owned: sensitive column */
    int ldiv;       /* enum hogo__ldiv */
    double l;       /* l for l-diversity */
    double t;       /* t for t-closeness (equal-distance EMD), < 0 = none */
    int cfg_line;
};

/* The parsed configuration (opaque public struct hogo_deid_config). */
struct hogo_deid_config {
    char path[256];
    char sep;                       /* CSV separator, 0 = detect */
    struct hogo__attr_cfg *attrs;   /* owned */
    size_t nattrs;
    int k;                          /* k-anonymity, 1 = none */
    struct hogo__smodel *smodels;   /* owned */
    size_t nsmodels;
    double suppression;             /* suppression limit, fraction of rows 0..1 */
    int measure;                    /* enum hogo__measure */
    int entropy_sup;                /* enum hogo__entropy_sup */
    int aggregate;                  /* enum hogo__aggregate */
    double gs_factor;               /* generalisation/suppression weight 0..1 */
    int k_line;                     /* config line of k, for messages */
    char *pop_path;                 /* owned: population table CSV (resolved), or NULL */
    char *pop_count;                /* owned: its column of record counts, or NULL (1 a row) */
    int pop_line;                   /* config line of population, for messages */
};

/* The data set encoded for the search: q quasi-identifiers, s sensitive attributes.
 * Values are dictionary ids; gen[a][l][v] maps a level-0 id of attribute a to its id at
 * level l. Rows are compressed into distinct tuples with counts. */
struct hogo__enc {
    size_t n;          /* number of rows */
    size_t q;          /* number of quasi-identifiers */
    size_t s;          /* number of sensitive attributes */
    int *height;       /* owned: q levels per QI (incl. level 0) */
    uint32_t **card;   /* owned: q arrays [height]: distinct ids per level */
    uint32_t ***gen;   /* owned: q x height x card[0] maps */
    uint32_t **vcount; /* owned: q arrays: rows per level-0 id */
    double ***share;   /* owned: q x height x card[l]: domain share of each generalised value */
    uint32_t *scard;   /* owned: s sensitive domain sizes */
    uint32_t *sdist;   /* owned: concatenated overall sensitive distributions (counts) */
    size_t *soff;      /* owned: s offsets into sdist */
    int shift[64];     /* bit position of each attribute (QIs then sensitives) in packed keys */
    int bits[64];      /* bit width of each attribute */
    uint64_t qmask;    /* bits of the QI part of a key */
    uint32_t *row_tuple; /* owned: n: index of each row's distinct tuple */
    uint64_t *tkey;    /* owned: D packed level-0 keys (QIs + sensitives) */
    uint32_t *tcount;  /* owned: D counts */
    size_t ntuples;    /* D */
};

/* The privacy models and the measure, resolved against an encoding. Several models on one
 * sensitive attribute are all enforced: the strictest of each kind is kept (the largest l of
 * each l-diversity variant, the smallest t), and together they imply every model given. */
struct hogo__models {
    int k;
    size_t max_outliers;    /* rows that may be suppressed */
    size_t nsm;
    double ldistinct[16];   /* per sensitive attribute: distinct l-diversity, 0 = none */
    double lentropy[16];    /* per sensitive attribute: entropy l-diversity, 0 = none */
    double t[16];           /* < 0 = no t-closeness */
    int measure, aggregate;
    int entropy_sup;        /* enum hogo__entropy_sup (entropy measure only) */
    double gs_factor;
};

/* Adds the sensitive model sm to attribute j of m, keeping the strictest of each kind. */
void hogo__models_add(struct hogo__models *m, size_t j, const struct hogo__smodel *sm);
/* Sets attribute j of m to "no sensitive model". */
void hogo__models_clear(struct hogo__models *m, size_t j);

/* The outcome of checking one transformation. When it is not anonymous, the other figures
 * may be partial (counting stops once more rows than allowed are suppressed), except in the
 * reference mode (hogo__engine_set_reference). */
struct hogo__eval {
    int anonymous;          /* all models hold with at most max_outliers suppressed */
    size_t classes;         /* equivalence classes (non-suppressed) */
    size_t suppressed;      /* suppressed rows */
    double loss;            /* measure value (exact) */
    double lower;           /* lower bound (generalisation part) */
};

/* The search statistics and result. */
struct hogo__search {
    int levels[64];         /* the optimum */
    int found;              /* 0 when no transformation satisfies the models */
    struct hogo__eval best;
    size_t nodes;           /* lattice size */
    size_t checked;         /* transformations whose classes were computed */
    size_t rollups;         /* of which computed from a cached specialisation's classes */
    size_t stones;          /* extra nodes computed only as roll-up sources */
};

struct hogo__engine; /* search state: hash tables, caches, tags */

/* Encodes the QI and sensitive columns of csv with their hierarchies (hiers[i] for QI i).
 * Fails with file:line when a value is missing from its hierarchy. */
int hogo__enc_build(struct hogo__enc *e, const struct hogo__csv *csv, const int *qcols,
                    struct hogo__hier *const *hiers, size_t q, const int *scols, size_t s,
                    struct hogo_error *err);
void hogo__enc_release(struct hogo__enc *e);

int hogo__engine_new(struct hogo__engine **out, const struct hogo__enc *e,
                     const struct hogo__models *m, struct hogo_error *err);
void hogo__engine_free(struct hogo__engine *g);
/* on = 1: compute every transformation directly from the distinct tuples with the hash
 * table (no cached roll-up sources, no stepping stones, no dense counting): the reference
 * that tests compare the fast paths with. */
void hogo__engine_set_reference(struct hogo__engine *g, int on);
/* Checks one transformation: computes its classes and evaluates models and measure. */
int hogo__engine_eval(struct hogo__engine *g, const int *levels, struct hogo__eval *out);
/* Optimal search with monotonicity pruning and lower bounds. */
int hogo__engine_search(struct hogo__engine *g, struct hogo__search *out, struct hogo_error *err);
/* Exhaustive search over every transformation (reference for tests). */
int hogo__engine_search_exhaustive(struct hogo__engine *g, struct hogo__search *out,
                                   struct hogo_error *err);
/* After hogo__engine_eval: the class size of each row's class, 0 for suppressed rows.
 * Fills sizes[n]. */
void hogo__engine_row_classes(struct hogo__engine *g, const int *levels, uint32_t *sizes);
/* The loss measure value of a transformation when nothing is suppressed (level-only part). */
double hogo__engine_lower_bound(struct hogo__engine *g, const int *levels);

/* Independent re-check used by property tests: groups the generalised rows of the encoded
 * data set naively (sorting full tuples) and checks every model on the non-suppressed rows
 * given sizes from hogo__engine_row_classes. Returns 1 when every model holds. */
int hogo__models_recheck(const struct hogo__enc *e, const struct hogo__models *m,
                         const int *levels, const uint32_t *row_class_size);
/* As hogo__models_recheck; when a model fails, why[0..cap) (may be NULL) says which and
 * where. */
int hogo__models_recheck_why(const struct hogo__enc *e, const struct hogo__models *m,
                             const int *levels, const uint32_t *row_class_size, char *why,
                             size_t cap);

/* Anonymises as hogo_deid_anonymize; when tamper is not NULL it is called on the result
 * between the search and the independent re-check (tests use it to corrupt a result and
 * see the re-check refuse it). */
int hogo__deid_anonymize(const struct hogo_deid_config *cfg, const char *csv_path,
                         void (*tamper)(struct hogo_deid_result *r),
                         struct hogo_deid_result **out, struct hogo_error *err);

/* ---------- data categories of column headers (headers.c) ---------- */

/* One data category of the vocabulary. */
struct hogo__deid_cat {
    char *id;        /* owned */
    char *kind;      /* owned: identifier, contact, attribute, …; may be NULL */
    char **names;    /* owned: id, ja, en and the also_ja wordings */
    size_t nnames;
    char **part_of;  /* owned: broader category ids */
    size_t nparts;
};
struct hogo__deid_cats {
    struct hogo__deid_cat *cat; /* owned */
    size_t n;
};
/* Reads the data categories of the vocabulary file path; NULL = the shipped vocabulary. */
int hogo__deid_cats_load(const char *path, struct hogo__deid_cats **out, struct hogo_error *err);
void hogo__deid_cats_free(struct hogo__deid_cats *c);
/* The category a header names (its id, Japanese or English name or another wording; ASCII
 * case, spaces, '_' and '-' ignored), or NULL. */
const struct hogo__deid_cat *hogo__deid_cats_find(const struct hogo__deid_cats *c,
                                                  const char *header);
/* The category of an id, or NULL. */
const struct hogo__deid_cat *hogo__deid_cats_get(const struct hogo__deid_cats *c, const char *id);
/* 1 when k is a direct identifier (kind identifier, contact or document; photos of the
 * person). */
int hogo__deid_cat_direct(const struct hogo__deid_cat *k);
/* 1 when k is id or part of it, directly or through broader categories. */
int hogo__deid_cat_within(const struct hogo__deid_cats *c, const struct hogo__deid_cat *k,
                          const char *id);

/* ---------- before a table leaves (release.c) ---------- */

/* 1 when value holds an identifier (the scrubber's: name, e-mail, phone, postal code, address,
 * My Number, URL, handle; or a payment-card or passport number), with *type its kind; 0 when
 * not; a negative code on failure. *scrubber is created on first need (caller frees). */
int hogo__deid_identifier_in(struct hogo_deid_scrubber **scrubber, const char *value,
                             const char **type, struct hogo_error *err);
/* Scans every distinct value of column col of csv; fails (HOGO_EINVAL, file:line, the kind
 * found) at the first identifier. why_kept says how the column was declared ("kept as
 * harmless", "sensitive", …) for the message. */
int hogo__deid_scan_column(struct hogo_deid_scrubber **scrubber, const struct hogo__csv *csv,
                           size_t col, const char *why_kept, struct hogo_error *err);
/* *order (allocated, n entries) gets a permutation of 0..n-1 drawn from a ChaCha20 stream
 * under key; key NULL = a fresh random key (a different order every time). */
int hogo__deid_row_order(const unsigned char key[32], size_t n, uint32_t **order,
                         struct hogo_error *err);

/* ---------- a CSV file as dictionary codes (coded.c) ---------- */

/* A CSV file read in chunks: per column, a dictionary of its distinct values and each row's
 * code; no cell is kept as text. */
struct hogo__coded {
    struct hogo__csv head;          /* the header row only (path, sep, ncols, header) */
    size_t nrows;                   /* data rows */
    size_t header_lines;            /* lines of the header row */
    struct hogo__dict *dict;        /* owned: ncols dictionaries */
    uint32_t **code;                /* owned: ncols arrays of nrows codes (NULL: not kept) */
    uint32_t *lines;                /* owned: source line of each row; NULL when every row
                                       is one line (row i on line header_lines + 1 + i) */
    unsigned char keep_col[64];     /* 1 = the column's codes are kept */
    uint8_t *narrow[64];            /* owned: codes of a column of at most 256 values, one
                                       byte each, once hogo__coded_narrow moved them here */
};
/* Moves the codes of column c to one byte each when it has at most 256 values. */
void hogo__coded_narrow(struct hogo__coded *t, size_t c);
/* The code of column c in row row. */
static inline uint32_t hogo__coded_get(const struct hogo__coded *t, size_t c, size_t row)
{
    return c < 64 && t->narrow[c] ? t->narrow[c][row] : t->code[c][row];
}
/* Reads path (separator sep, 0 = detect) in chunks into codes; the columns named in skip
 * (NULL-terminated, may be NULL) are read but not kept. Errors as hogo__csv_load (file:line). */
int hogo__coded_load(struct hogo__coded *t, const char *path, char sep,
                     const char *const *skip, struct hogo_error *err);
void hogo__coded_release(struct hogo__coded *t);
/* The 1-based source line of data row row. */
size_t hogo__coded_line(const struct hogo__coded *t, size_t row);
/* As hogo__enc_build, from the codes of t (the QI and sensitive columns must be kept). */
int hogo__enc_build_coded(struct hogo__enc *e, const struct hogo__coded *t, const int *qcols,
                          struct hogo__hier *const *hiers, size_t q, const int *scols, size_t s,
                          struct hogo_error *err);
/* As hogo__deid_scan_column, over the distinct values of column col of t; when the
 * column's codes were dropped, they are read from attribute keyattr of e's keys. */
int hogo__deid_scan_coded(struct hogo_deid_scrubber **scrubber, const struct hogo__coded *t,
                          size_t col, const struct hogo__enc *e, int keyattr,
                          const char *why_kept, struct hogo_error *err);

/* ---------- anonymisation result (opaque public struct hogo_deid_result) ---------- */
struct hogo_deid_result {
    struct hogo__csv csv;           /* borrowed from tab: the input's header row (nrows = its
                                       rows; no cells) */
    struct hogo__coded tab;         /* the input as codes (kept and sensitive columns) */
    struct hogo__enc enc;           /* the encoding (the QIs' level-0 ids of each row) */
    size_t q;
    int *qcols;                     /* owned */
    int scols[16];                  /* columns of the sensitive attributes */
    struct hogo__hier **hiers;      /* owned */
    int *levels;                    /* owned: chosen level per QI */
    int *drop;                      /* owned: ncols flags: column dropped */
    uint32_t *rsize;                /* owned: class size per row, 0 = suppressed */
    struct hogo__search search;
    struct hogo__models models;
    size_t hist[8];                 /* class-size histogram buckets */
    double risk_prosecutor_max, risk_prosecutor_avg, risk_journalist_max, risk_marketer;
    double population;              /* records in the population table; 0 = none given (the
                                       data set is taken as the population) */
    size_t records_at_risk;         /* rows in classes smaller than the given k (0 when k=1) */
    int models_hold;                /* independent re-check */
    double seconds;                 /* search time */
    char **qnames;                  /* borrowed from csv header */
};

#endif
