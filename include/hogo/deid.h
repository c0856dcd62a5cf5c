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
struct hogo_vocab;       /* a loaded vocabulary (hogo/policy.h) */
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
 * that satisfies every model (all models given for one attribute). Every column must be
 * declared in cfg, and kept or sensitive columns must hold no identifier. Fails (HOGO_ETAMPER,
 * no result) when the independent re-check of the result does not hold. *out is allocated;
 * free with hogo_deid_result_free(). */
HOGO_EXTERN int hogo_deid_anonymize(const struct hogo_deid_config *cfg, const char *csv_path,
                                    struct hogo_deid_result **out, struct hogo_error *err);
/* Frees a result (NULL is allowed). */
HOGO_EXTERN void hogo_deid_result_free(struct hogo_deid_result *r);
/* Writes the transformed table (identifiers dropped, QIs generalised, suppressed rows'
 * QIs as "*") as CSV with the input's separator, rows in a fresh random order. */
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

/* ---- anonymously processed information (匿名加工情報, APPI Art. 43) ---- */

/* Who releases an anonymised table, to whom and how (borrowed strings; any may be NULL). */
struct hogo_deid_release_info {
    const char *operator_name;  /* the business that made it (publishes the items) */
    const char *recipient_name; /* the recipient, as addressed in the notice */
    const char *method;         /* method of provision, e.g. "暗号化したファイルを送付" */
    const char *created;        /* date of creation YYYY-MM-DD; NULL = today (UTC) */
};
/* Writes the list of the items of information about individuals the table contains, to be
 * published (Art. 43(3), Rules Art. 36): each released column and how it was processed
 * (Markdown, Japanese and English). */
HOGO_EXTERN int hogo_deid_result_write_items(const struct hogo_deid_result *r,
                                             const struct hogo_deid_release_info *info,
                                             FILE *out, struct hogo_error *err);
/* Writes the notice to the recipient that the data is anonymously processed information,
 * with its items and the method of provision (Art. 43(4), Rules Art. 37; Art. 45). */
HOGO_EXTERN int hogo_deid_result_write_notice(const struct hogo_deid_result *r,
                                              const struct hogo_deid_release_info *info,
                                              FILE *out, struct hogo_error *err);
/* *json (allocated) gets the release as a JSON object for the ledger record's detail: form,
 * date, rows, method, items with their processing, removed columns, the obligations met. */
HOGO_EXTERN int hogo_deid_result_release_json(const struct hogo_deid_result *r,
                                              const struct hogo_deid_release_info *info,
                                              char **json, struct hogo_error *err);

/* ---- Japanese free text ---- */

/* One identifier found in text: its type (placeholder name without brackets, e.g. "氏名"),
 * and its byte range in the input text as given. */
struct hogo_deid_span {
    const char *type; /* static string: 氏名 メールアドレス 電話番号 郵便番号 住所 個人番号 URL アカウント */
    size_t start, end;
};

struct hogo_deid_scrubber; /* MeCab tagger plus the pattern matchers */

/* Creates a scrubber (loads MeCab with IPADIC). Free with hogo_deid_scrubber_free(). */
HOGO_EXTERN int hogo_deid_scrubber_new(struct hogo_deid_scrubber **out, struct hogo_error *err);
/* Frees a scrubber (NULL is allowed). */
HOGO_EXTERN void hogo_deid_scrubber_free(struct hogo_deid_scrubber *s);
/* Scrubs text: finds identifiers in an NFKC-normalised copy and replaces each with a typed
 * placeholder (［氏名］, ［電話番号］, …); every byte outside an identifier is the input's. *out is
 * allocated (caller frees with free()); when spans is not NULL, *spans (allocated, caller frees)
 * and *nspans get the identifiers found, with byte offsets into the input text; *normalized
 * (allocated, when not NULL) gets the copy that was matched. */
HOGO_EXTERN int hogo_deid_scrub(struct hogo_deid_scrubber *s, const char *text, size_t len,
                                char **out, char **normalized, struct hogo_deid_span **spans,
                                size_t *nspans, struct hogo_error *err);

/* ---- deidentify obligations ---- */

/* Executes a `deidentify` obligation (JSON text, e.g. {"type":"deidentify","drop":["name"],
 * "generalize":["age_group"]}) on the CSV file csv_path, writing the result as CSV to out
 * (rows in a random order). Every header must name a data category of vocab, the loaded
 * vocabulary (hogo_vocab_load(); borrowed): its id, Japanese or English name, or another
 * wording it lists; ages are always given as 年代, top-coded at "90+". */
HOGO_EXTERN int hogo_deid_apply(const struct hogo_vocab *vocab, const char *obligation_json,
                                size_t len, const char *csv_path, FILE *out, FILE *report,
                                struct hogo_error *err);

/* Options of hogo_deid_apply_ex(); zero-initialise. */
struct hogo_deid_apply_opts {
    /* declared columns, "HEADER=CATEGORY", "HEADER=drop" or "HEADER=keep" (kept as it is,
     * checked for identifiers), NULL-terminated; a header neither declared nor naming a
     * category is refused */
    const char *const *columns;
};
/* hogo_deid_apply() with options (opts may be NULL). */
HOGO_EXTERN int hogo_deid_apply_ex(const struct hogo_vocab *vocab, const char *obligation_json,
                                   size_t len, const char *csv_path,
                                   const struct hogo_deid_apply_opts *opts, FILE *out,
                                   FILE *report, struct hogo_error *err);

/* ---- statistics ---- */

/* Options of a contingency table. Two dimensions only: a third dimension or a hierarchy of
 * margins is not supported (the CLI refuses a repeated --rows or --cols). */
struct hogo_deid_stats_opts {
    const char *row_col;  /* column giving the table's rows */
    const char *col_col;  /* column giving the table's columns */
    const char *sum_col;  /* numeric column (values >= 0) to sum, or NULL for counts only */
    unsigned threshold;   /* cells and totals with 0 < count < threshold are sensitive */
    char sep;             /* CSV separator, 0 = detect */
    unsigned protection;  /* required interval width of a sensitive count, 0 = threshold */
    double p_percent;     /* p of the p % dominance rule for sums, 0 = 10 */
};

/* Writes the contingency table of csv_path (counts, and sums when sum_col is set, each with
 * row, column and grand totals) as CSV to out, with sensitive cells and totals hidden ("X")
 * and complements added until a linear-programming audit finds every sensitive cell's
 * feasible interval wide enough; the report (JSON, may be NULL) names the rules, every hidden
 * cell, why, and its audited interval. */
HOGO_EXTERN int hogo_deid_stats(const char *csv_path, const struct hogo_deid_stats_opts *opts,
                                FILE *out, FILE *report, struct hogo_error *err);

/* ---- pseudonyms ---- */

/* Reads a 32-byte master key from path: exactly 32 raw bytes (any bytes, a final newline
 * byte included), or 64 hex digits optionally followed by a line end. Refuses a file that
 * other users can read or write (chmod 600) and an all-zero key. */
HOGO_EXTERN int hogo_deid_key_load(const char *path, unsigned char key[32],
                                   struct hogo_error *err);

/* Writes into out (at least 33 bytes) the keyed pseudonym of value for one recipient: the
 * hex of a 16-byte keyed BLAKE2b of the value under a key derived from the 32-byte master
 * key and the recipient id, so two recipients' pseudonyms cannot be joined. */
HOGO_EXTERN int hogo_deid_pseudonym(const unsigned char master_key[32], const char *recipient,
                                    const char *value, size_t len, char out[33],
                                    struct hogo_error *err);
/* As hogo_deid_pseudonym, in the domain of one column: the same value in two columns gets
 * unrelated pseudonyms (what pseudonymize writes). */
HOGO_EXTERN int hogo_deid_pseudonym_column(const unsigned char master_key[32],
                                           const char *recipient, const char *column,
                                           const char *value, size_t len, char out[33],
                                           struct hogo_error *err);

/* Options of APPI pseudonymised-information processing (仮名加工情報). */
struct hogo_deid_pseudo_opts {
    const char *const *drop;       /* columns removed (names, addresses, …), NULL-terminated */
    const char *const *pseudonym;  /* columns replaced with keyed pseudonyms, NULL-terminated */
    const char *const *rare;       /* columns whose rare values are replaced by "*" */
    unsigned rare_threshold;       /* a value seen in fewer rows than this is rare */
    const char *recipient;         /* recipient id (selects the derived key) */
    const unsigned char *key;      /* 32-byte master key (not all zero) */
    char sep;                      /* CSV separator, 0 = detect */
    const char *const *keep;       /* columns kept as they are, NULL-terminated */
};

/* Processes csv_path into pseudonymised information (APPI Art. 41): drops the identifying
 * columns, replaces the unique identifiers with keyed pseudonyms (one domain per column) and
 * the rare values of the rare columns with "*"; writes CSV to out, rows in an order drawn
 * from the key and recipient, and a JSON report to report (may be NULL). Every column must be
 * declared in one of the lists; the kept and rare columns must hold no identifier (the
 * scrubber's detectors, card and passport numbers): else an error names the column. */
HOGO_EXTERN int hogo_deid_pseudonymize(const char *csv_path,
                                       const struct hogo_deid_pseudo_opts *opts, FILE *out,
                                       FILE *report, struct hogo_error *err);

#ifdef __cplusplus
}
#endif
#endif
