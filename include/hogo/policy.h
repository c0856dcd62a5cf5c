/*
 * Policies as code: the shared vocabulary and the policy files written over it
 * (docs/policy-language.md), loaded, validated against the vocabulary and the policy's own
 * text, and compiled into decision tables.
 * Public API layer (implemented in lib/policy).
 *
 * Threads: a loaded vocabulary (struct hogo_vocab) and policy (struct hogo_policy) are never
 * changed after loading, so any number of threads may read, decide with and describe them at
 * once; freeing one must wait until no thread uses it (free a policy before its vocabulary).
 * Loading is reentrant: threads may load policies at the same time (each gets its own).
 */
#ifndef HOGO_POLICY_H
#define HOGO_POLICY_H

#include <hogo/error.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct hogo_vocab;  /* opaque: the loaded vocabulary */
struct hogo_policy; /* opaque: a loaded, compiled policy */

/* Receives every problem found while loading (errors and warnings), in file order. */
typedef void (*hogo_diag_fn)(void *user, const struct hogo_error *problem, bool warning);

/* Loads a vocabulary file (policies/vocabulary.yaml); on success *out is allocated, free it
 * with hogo_vocab_free(). */
HOGO_EXTERN int hogo_vocab_load(const char *path, struct hogo_vocab **out, struct hogo_error *err);

/* Frees a vocabulary (NULL is fine). Policies loaded over it must be freed first. */
HOGO_EXTERN void hogo_vocab_free(struct hogo_vocab *vocab);

/* A vocabulary check for hogo_store_set_vocabulary_check() (vocab: a struct hogo_vocab):
 * 0 when id is a known id of kind ("data_category", "purpose", "service", "recipient",
 * "account", "policy"; other kinds are not listed and pass), else HOGO_EINVAL naming the
 * nearest known id. */
HOGO_EXTERN int hogo_vocab_check_id(void *vocab, const char *kind, const char *id,
                                    struct hogo_error *err);

/* The file a vocabulary was loaded from (borrowed). */
HOGO_EXTERN const char *hogo_vocab_path(const struct hogo_vocab *vocab);

/* One id of the vocabulary, borrowed from it. */
struct hogo_vocab_entry {
    const char *kind;    /* "purpose", "data_category", "recipient", "recipient_class", ... */
    const char *id;
    const char *ja;      /* its Japanese name ("" when none) */
    const char *en;      /* its English description ("" when none) */
    const char *broader; /* the broader ids it names (part_of, parent, classes), space-separated */
};

/* How many ids the vocabulary defines, of every kind. */
HOGO_EXTERN size_t hogo_vocab_count(const struct hogo_vocab *vocab);

/* The i-th id (kinds in the vocabulary's order); 0, or -1 when i is past the last. */
HOGO_EXTERN int hogo_vocab_entry(const struct hogo_vocab *vocab, size_t i,
                                 struct hogo_vocab_entry *out);

/* The policies the vocabulary names, in its order: writes the first max of their ids into
 * ids[] and, when names is not NULL, their Japanese names ("" when none) into names[] (both
 * borrowed from vocab); returns how many there are, which may be more than max. */
HOGO_EXTERN size_t hogo_vocab_policy_ids(const struct hogo_vocab *vocab, const char **ids,
                                         const char **names, size_t max);

/* The vocabulary file a policy file is compiled over when no vocabulary is given:
 * vocabulary.yaml beside it, else hogo_vocab_default_file()'s. Written into path. */
HOGO_EXTERN void hogo_policy_vocab_file(const char *policy_path, char *path, size_t size);

/* The vocabulary requests are read with when no policy file is named: vocabulary.yaml in the
 * first $HOGO_POLICY_PATH directory that has one, else the installed one (share/hogo/policies
 * beside the program's bin/, else under the installation prefix). Written into path. */
HOGO_EXTERN void hogo_vocab_default_file(char *path, size_t size);

/* Options for hogo_policy_load(); all fields may be zero. */
struct hogo_policy_load_opts {
    const struct hogo_vocab *vocab; /* borrowed; NULL: vocabulary.yaml beside the policy file,
                                       else the shipped one */
    hogo_diag_fn diag;              /* called for every problem; NULL: only err is filled */
    void *diag_user;
};

/* Loads and compiles a policy file. Reports every problem to opts->diag and fails with
 * HOGO_EPOLICY (err = the first problem, with file:line:col) if any is an error. */
HOGO_EXTERN int hogo_policy_load(const char *path, const struct hogo_policy_load_opts *opts,
                                 struct hogo_policy **out, struct hogo_error *err);

/* Finds the file of a policy given an id ("irp") or a path: an id is looked up in the
 * directories of $HOGO_POLICY_PATH (colon-separated), then the installed policies (as for
 * hogo_vocab_default_file()); never in a source tree. */
HOGO_EXTERN int hogo_policy_resolve(const char *id_or_path, char *path, size_t size,
                                    struct hogo_error *err);

/* hogo_policy_resolve() then hogo_policy_load(). */
HOGO_EXTERN int hogo_policy_open(const char *id_or_path, const struct hogo_policy_load_opts *opts,
                                 struct hogo_policy **out, struct hogo_error *err);

/* Finds the file of the version of a policy in force at `at` (unix seconds) when that is
 * earlier than `current`: the latest <id>@<version>.yaml beside it whose version is not after
 * `at`. Returns 0 with its path, or HOGO_ENOTFOUND (current is in force, or none is). */
HOGO_EXTERN int hogo_policy_resolve_version(const struct hogo_policy *current, int64_t at,
                                            char *path, size_t size);

/* When the policy's version came into force: 00:00 JST of its date, unix seconds. */
HOGO_EXTERN int64_t hogo_policy_in_force_from(const struct hogo_policy *policy);

/* Frees a policy (NULL is fine). */
HOGO_EXTERN void hogo_policy_free(struct hogo_policy *policy);

/* The policy's id, version date, operator name (Japanese) and file path (borrowed strings). */
HOGO_EXTERN const char *hogo_policy_id(const struct hogo_policy *policy);
HOGO_EXTERN const char *hogo_policy_version(const struct hogo_policy *policy);
HOGO_EXTERN const char *hogo_policy_operator(const struct hogo_policy *policy);
HOGO_EXTERN const char *hogo_policy_path(const struct hogo_policy *policy);

/* The vocabulary the policy was compiled over (borrowed). */
HOGO_EXTERN const struct hogo_vocab *hogo_policy_vocab(const struct hogo_policy *policy);

/* Number of clauses and rules, for summaries. */
HOGO_EXTERN int hogo_policy_clause_count(const struct hogo_policy *policy);

/* One rule of a policy as text, for listings (`hogo policy show --format`). Strings point into
 * the policy or into the struct itself; empty when the rule says nothing of it. */
struct hogo_rule_info {
    const char *clause, *title, *effect, *quote, *note;
    const char *purposes, *data, *recipients, *services; /* the ids as written ("not a, b") */
    char actions[96], forms[96], bases[96], yields_to[96], obligations[256];
    char when[1200], unless[1200];
    int line; /* where the rule starts in the policy file */
};

/* Fills out with rule i (0 .. hogo_policy_rule_count()-1); 0, or -1 when i is out of range. */
HOGO_EXTERN int hogo_policy_rule(const struct hogo_policy *policy, int i,
                                 struct hogo_rule_info *out);
HOGO_EXTERN int hogo_policy_rule_count(const struct hogo_policy *policy);

/* A readable summary of the policy (clauses, recipients, purposes, conditions, obligations);
 * returns allocated text, free() it; NULL when out of memory. */
HOGO_EXTERN char *hogo_policy_summary(const struct hogo_policy *policy);

/* What changed from policy a to policy b (clauses added, removed, changed), as text; returns
 * allocated text (free() it), NULL when out of memory. *changes counts the differences. */
HOGO_EXTERN char *hogo_policy_diff(const struct hogo_policy *a, const struct hogo_policy *b,
                                   int *changes);

#ifdef __cplusplus
}
#endif
#endif
