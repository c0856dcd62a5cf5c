/*
 * De-identification: "氏名や住所の除外や、性別や年代の属性情報にする", done by hogo itself.
 * Public API layer. Tabular anonymisation (k-anonymity, l-diversity, t-closeness over
 * generalisation hierarchies, optimal full-domain search), contingency tables with small-cell
 * and complementary suppression, keyed pseudonyms, scrubbing of Japanese free text, and
 * execution of a decision's `deidentify` obligation. Formats are described in docs/deid.md.
 *
 * Threads: a config (struct hogo_deid_config) and a result (struct hogo_deid_result) are not
 * changed after they are made and may be read by several threads; a scrubber (struct
 * hogo_deid_scrubber, with its MeCab tagger) belongs to one thread at a time. The other
 * calls keep no state outside their arguments, so threads may run them at once.
 */
#ifndef HOGO_DEID_H
#define HOGO_DEID_H

#include <hogo/error.h>

#include <stddef.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- tabular anonymisation ---- */

struct hogo_deid_config; /* a parsed anonymisation config (YAML) */
struct hogo_deid_result; /* the transformed table with its report */

/* Loads an anonymisation config (YAML); hierarchy and population paths are relative to its
 * folder. *out is allocated; free with hogo_deid_config_free(). Errors carry file:line. */
HOGO_EXTERN int hogo_deid_config_load(const char *path, struct hogo_deid_config **out,
                                      struct hogo_error *err);
/* Parses a config from memory; name is used in messages, base_dir resolves relative paths. */
HOGO_EXTERN int hogo_deid_config_parse(const char *text, size_t len, const char *name,
                                       const char *base_dir, struct hogo_deid_config **out,
                                       struct hogo_error *err);
/* Frees a config (NULL is allowed). */
HOGO_EXTERN void hogo_deid_config_free(struct hogo_deid_config *cfg);

/* Anonymises the CSV file csv_path under cfg: finds the transformation with the least loss
 * that satisfies every model. *out is allocated; free with hogo_deid_result_free(). */
HOGO_EXTERN int hogo_deid_anonymize(const struct hogo_deid_config *cfg, const char *csv_path,
                                    struct hogo_deid_result **out, struct hogo_error *err);
/* Frees a result (NULL is allowed). */
HOGO_EXTERN void hogo_deid_result_free(struct hogo_deid_result *r);
/* Writes the transformed table (identifiers dropped, QIs generalised, suppressed rows'
 * QIs as "*") as CSV with the input's separator. */
HOGO_EXTERN int hogo_deid_result_write_csv(const struct hogo_deid_result *r, FILE *out,
                                           struct hogo_error *err);
/* Writes the report as JSON: levels, loss, suppressed rows, class-size histogram, risks,
 * models_hold. */
HOGO_EXTERN int hogo_deid_result_write_report(const struct hogo_deid_result *r, FILE *out,
                                              struct hogo_error *err);
/* Returns the number of quasi-identifiers; *levels (borrowed) gets the chosen levels. */
HOGO_EXTERN size_t hogo_deid_result_levels(const struct hogo_deid_result *r, const int **levels);
/* Returns the chosen transformation's measure value. */
HOGO_EXTERN double hogo_deid_result_loss(const struct hogo_deid_result *r);
/* Returns the number of suppressed rows. */
HOGO_EXTERN size_t hogo_deid_result_suppressed(const struct hogo_deid_result *r);
/* Returns the number of equivalence classes among the non-suppressed rows. */
HOGO_EXTERN size_t hogo_deid_result_classes(const struct hogo_deid_result *r);
/* Returns 1 when an independent re-check found every model satisfied by the output. */
HOGO_EXTERN int hogo_deid_result_models_hold(const struct hogo_deid_result *r);

/* ---- Japanese free text ---- */

/* One identifier found in text: its type (placeholder name without brackets, e.g. "氏名"),
 * and its byte range in the NFKC-normalised input. */
struct hogo_deid_span {
    const char *type; /* static string: 氏名 メールアドレス 電話番号 郵便番号 住所 個人番号 URL アカウント */
    size_t start, end;
};

struct hogo_deid_scrubber; /* MeCab tagger plus the pattern matchers */

/* Creates a scrubber (loads MeCab with IPADIC). Free with hogo_deid_scrubber_free(). */
HOGO_EXTERN int hogo_deid_scrubber_new(struct hogo_deid_scrubber **out, struct hogo_error *err);
/* Frees a scrubber (NULL is allowed). */
HOGO_EXTERN void hogo_deid_scrubber_free(struct hogo_deid_scrubber *s);
/* Scrubs text: NFKC-normalises it and replaces every identifier with a typed placeholder
 * (［氏名］, ［電話番号］, …). *out is allocated (caller frees with free()); when spans is not
 * NULL, *spans (allocated, caller frees) and *nspans get the identifiers found, with byte
 * offsets into the normalised text (*normalized, allocated, when not NULL). */
HOGO_EXTERN int hogo_deid_scrub(struct hogo_deid_scrubber *s, const char *text, size_t len,
                                char **out, char **normalized, struct hogo_deid_span **spans,
                                size_t *nspans, struct hogo_error *err);

/* ---- deidentify obligations ---- */

/* Executes a `deidentify` obligation (JSON text, e.g. {"type":"deidentify","drop":["name"],
 * "generalize":["age_group"]}) on the CSV file csv_path, writing the result as CSV to out.
 * Headers may be vocabulary data-category ids or their Japanese names. */
HOGO_EXTERN int hogo_deid_apply(const char *obligation_json, size_t len, const char *csv_path,
                                FILE *out, FILE *report, struct hogo_error *err);

/* ---- statistics ---- */

/* Options of a contingency table. */
struct hogo_deid_stats_opts {
    const char *row_col;  /* column giving the table's rows */
    const char *col_col;  /* column giving the table's columns */
    const char *sum_col;  /* numeric column to sum, or NULL for counts only */
    unsigned threshold;   /* cells with 0 < count < threshold are suppressed */
    char sep;             /* CSV separator, 0 = detect */
};

/* Writes the contingency table of csv_path (counts, and sums when sum_col is set) with
 * small-cell and complementary suppression as CSV to out, and the suppression report (JSON:
 * which cells and why) to report (may be NULL). */
HOGO_EXTERN int hogo_deid_stats(const char *csv_path, const struct hogo_deid_stats_opts *opts,
                                FILE *out, FILE *report, struct hogo_error *err);

/* ---- pseudonyms ---- */

/* Writes into out (at least 33 bytes) the keyed pseudonym of value for one recipient: the
 * hex of a 16-byte keyed BLAKE2b of the value under a key derived from the 32-byte master
 * key and the recipient id, so two recipients' pseudonyms cannot be joined. */
HOGO_EXTERN int hogo_deid_pseudonym(const unsigned char master_key[32], const char *recipient,
                                    const char *value, size_t len, char out[33],
                                    struct hogo_error *err);

/* Options of APPI pseudonymised-information processing (仮名加工情報). */
struct hogo_deid_pseudo_opts {
    const char *const *drop;       /* columns removed (names, addresses, …), NULL-terminated */
    const char *const *pseudonym;  /* columns replaced with keyed pseudonyms, NULL-terminated */
    const char *const *rare;       /* columns whose rare values are replaced by "*" */
    unsigned rare_threshold;       /* a value seen in fewer rows than this is rare */
    const char *recipient;         /* recipient id (selects the derived key) */
    const unsigned char *key;      /* 32-byte master key */
    char sep;                      /* CSV separator, 0 = detect */
};

/* Processes csv_path into pseudonymised information (APPI Art. 41): drops the identifying
 * columns, replaces the unique identifiers with keyed pseudonyms and the rare values of the
 * rare columns with "*"; writes CSV to out and a JSON report to report (may be NULL). */
HOGO_EXTERN int hogo_deid_pseudonymize(const char *csv_path,
                                       const struct hogo_deid_pseudo_opts *opts, FILE *out,
                                       FILE *report, struct hogo_error *err);

#ifdef __cplusplus
}
#endif
#endif
