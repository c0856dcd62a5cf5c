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
    const char *seen_in; /* the policy ids whose text uses it, space-separated; "" when the
                            vocabulary does not say */
};

/* How many ids the vocabulary defines, of every kind. */
HOGO_EXTERN size_t hogo_vocab_count(const struct hogo_vocab *vocab);

/* The i-th id (kinds in the vocabulary's order); 0, or -1 when i is past the last. */
HOGO_EXTERN int hogo_vocab_entry(const struct hogo_vocab *vocab, size_t i,
                                 struct hogo_vocab_entry *out);

/* The vocabulary file a policy file is compiled over when no vocabulary is given:
 * vocabulary.yaml beside it, else the shipped one. Written into path. */
HOGO_EXTERN void hogo_policy_vocab_file(const char *policy_path, char *path, size_t size);

/* The vocabulary requests are read with when no policy file is named: vocabulary.yaml in the
 * first $HOGO_POLICY_PATH directory that has one, else the shipped one. Written into path. */
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
 * directories of $HOGO_POLICY_PATH (colon-separated), then the shipped policies. */
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

/* One version of a policy (hogo_policy_versions()): its version date and its file. */
struct hogo_policy_version {
    char version[11];      /* "2025-04-01" */
    int64_t in_force_from; /* 00:00 JST of that date, unix seconds */
    int current;           /* 1 for the current version (the policy itself) */
    char path[4096];
};

/* The versions of a policy, newest first: the current one (the policy itself), then every
 * earlier <id>@<version>.yaml beside it that hogo_policy_resolve_version() may choose (a
 * version date before the current one's). Fills up to max entries of out and returns how
 * many versions there are (more than max when out was too small). */
HOGO_EXTERN int hogo_policy_versions(const struct hogo_policy *current,
                                     struct hogo_policy_version *out, int max);

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

/* One difference between two revisions of a policy (hogo_policy_diff_each()). */
enum hogo_policy_change_kind {
    HOGO_CLAUSE_ADDED = 1,   /* a clause only the newer revision has */
    HOGO_CLAUSE_REMOVED,     /* a clause only the older revision has */
    HOGO_CLAUSE_CHANGED,     /* a clause both have, with another title or other rules */
    HOGO_RULE_ADDED,         /* a rule of the clause above only the newer revision has */
    HOGO_RULE_REMOVED,       /* a rule of the clause above only the older revision has */
    HOGO_RULE_CHANGED        /* a rule with the same quote in both, saying something else */
};
struct hogo_policy_change {
    enum hogo_policy_change_kind kind;
    const char *clause;       /* the clause id (borrowed from a policy) */
    const char *title_before; /* the clause's title in the older revision, "" when it has none,
                                 NULL when the clause is not there */
    const char *title_after;  /* the same in the newer revision */
    int rule_before;          /* rule entries: the rule's index in the older policy (for
                                 hogo_policy_rule()), -1 when absent; clause entries: -1 */
    int rule_after;           /* the same in the newer policy */
    char fields[160];         /* HOGO_RULE_CHANGED: what differs, space-separated names of
                                 struct hogo_rule_info fields (e.g. "recipients when"); "title"
                                 for a clause whose title changed */
};

/* Calls fn(ctx, change) for each difference from policy a (older) to b (newer): each clause
 * removed, then each clause of b added or changed in b's order, every clause entry followed
 * by one entry per rule added, removed or changed in it (rules are paired by their quote).
 * A nonzero return of fn stops the walk and is returned; otherwise returns the number of
 * clauses added, removed or changed (0: the clauses and rules are the same). */
HOGO_EXTERN int hogo_policy_diff_each(const struct hogo_policy *a, const struct hogo_policy *b,
                                      int (*fn)(void *ctx,
                                                const struct hogo_policy_change *change),
                                      void *ctx);

/* ---- 外部送信一覧: the registry of external transmissions of a policy's sites and apps ----
 * Under the Telecommunications Business Act (電気通信事業法 Art. 27-12) a site or app that makes
 * the person's browser or device send information about them to someone else (a tag, an SDK)
 * must say what is sent, to whom (by name) and for what purpose. A registry file
 * (docs/transmissions.md), one per policy, transmissions/<policy>.yaml beside the policy file,
 * lists them per site or app with vocabulary ids; the partners it names that the vocabulary
 * does not are declared in it with their names, and each partner's own opt-out, where it
 * offers one, is given by its address. A loaded registry borrows its vocabulary: free it
 * before the vocabulary (or the policy it was opened with). It is never changed after loading,
 * so threads may read it at once. */

struct hogo_transmissions; /* opaque: a loaded registry */

/* An id with its Japanese and English names (borrowed from the registry or its vocabulary). */
struct hogo_named {
    const char *id;
    const char *ja;
    const char *en; /* the Japanese name when the file gives no English one */
};

/* A recipient of transmissions: a named recipient of the vocabulary (google) or a partner the
 * registry declares with its name. Its id is also its opt-out id. */
struct hogo_transmission_partner {
    struct hogo_named name;
    bool in_vocabulary;                  /* false: declared by the registry itself */
    const char *opt_out_url;             /* the partner's own opt-out page; NULL when none */
    const char *opt_out_ja, *opt_out_en; /* how its opt-out works; "" when the file says nothing */
    const struct hogo_named *data;       /* every data category sent to it, in file order */
    size_t ndata;
    const struct hogo_named *purposes;   /* every purpose it is sent for */
    size_t npurposes;
    int line;                            /* where it is declared or first named */
};

/* One site or app of the registry, with its transmissions first .. first+count-1. */
struct hogo_transmission_site {
    const char *id;
    const char *kind;             /* "web" or "app" */
    struct hogo_named name;       /* name.id == id */
    const char *url;              /* the site's address or the app's page; NULL when not given */
    const struct hogo_named *services; /* vocabulary services it belongs to */
    size_t nservices;
    size_t first, count;
    int line;
};

/* One transmission: a tag or SDK on a site or app sending data to a recipient. */
struct hogo_transmission {
    size_t site;                       /* index of its site */
    size_t partner;                    /* index of its recipient among the partners */
    struct hogo_named tool;            /* the tag or SDK; tool.id is "" */
    const struct hogo_named *data;     /* the data categories sent */
    size_t ndata;
    const struct hogo_named *purposes; /* the purposes the recipient uses them for */
    size_t npurposes;
    const char *note_ja, *note_en;     /* more detail, "" when none */
    int line;
};

/* Loads a registry file. opts->vocab (borrowed) is the vocabulary its ids are checked against;
 * NULL: vocabulary.yaml of the folder above the registry's, else the shipped one. Every problem
 * goes to opts->diag; fails with HOGO_EPOLICY (err = the first error, file:line:col) if any is
 * an error. */
HOGO_EXTERN int hogo_transmissions_load(const char *path, const struct hogo_policy_load_opts *opts,
                                        struct hogo_transmissions **out, struct hogo_error *err);

/* The registry file of a policy file: transmissions/<id>.yaml in the policy's folder, written
 * into path. Returns 0 when it exists, HOGO_ENOTFOUND when the policy has none. */
HOGO_EXTERN int hogo_transmissions_file(const char *policy_path, const char *policy_id, char *path,
                                        size_t size);

/* Loads the registry of a loaded policy over the policy's vocabulary (diag may be NULL),
 * warning of a purpose no rule of the policy names; HOGO_ENOTFOUND when the policy has none,
 * HOGO_EPOLICY when it names another policy. */
HOGO_EXTERN int hogo_transmissions_open(const struct hogo_policy *policy, hogo_diag_fn diag,
                                        void *diag_user, struct hogo_transmissions **out,
                                        struct hogo_error *err);

/* Frees a registry (NULL is fine). */
HOGO_EXTERN void hogo_transmissions_free(struct hogo_transmissions *t);

/* The policy id the registry belongs to, the date it was last revised (YYYY-MM-DD), and the
 * file it was loaded from (borrowed). */
HOGO_EXTERN const char *hogo_transmissions_policy(const struct hogo_transmissions *t);
HOGO_EXTERN const char *hogo_transmissions_revised(const struct hogo_transmissions *t);
HOGO_EXTERN const char *hogo_transmissions_path(const struct hogo_transmissions *t);

/* The operator's name in Japanese or (en) English, when the registry was opened with its
 * policy (hogo_transmissions_open()); "" otherwise. */
HOGO_EXTERN const char *hogo_transmissions_operator(const struct hogo_transmissions *t, bool en);

/* True when the file says its entries are examples, not the operator's actual tags. */
HOGO_EXTERN bool hogo_transmissions_example(const struct hogo_transmissions *t);

/* The sites and apps, the transmissions (all sites, in file order) and the partners (in the
 * order they are declared or first named): counts, and the i-th (NULL past the last). */
HOGO_EXTERN size_t hogo_transmissions_site_count(const struct hogo_transmissions *t);
HOGO_EXTERN const struct hogo_transmission_site *
hogo_transmissions_site(const struct hogo_transmissions *t, size_t i);
HOGO_EXTERN size_t hogo_transmissions_count(const struct hogo_transmissions *t);
HOGO_EXTERN const struct hogo_transmission *
hogo_transmissions_get(const struct hogo_transmissions *t, size_t i);
HOGO_EXTERN size_t hogo_transmissions_partner_count(const struct hogo_transmissions *t);
HOGO_EXTERN const struct hogo_transmission_partner *
hogo_transmissions_partner(const struct hogo_transmissions *t, size_t i);

/* The i-th partner that offers its own opt-out (opt_out_url set), for per-partner opt-out
 * lists; NULL past the last. Its name.id is the opt-out id. */
HOGO_EXTERN const struct hogo_transmission_partner *
hogo_transmissions_optout(const struct hogo_transmissions *t, size_t i);

/* The partner with this id (an opt-out id), or NULL. */
HOGO_EXTERN const struct hogo_transmission_partner *
hogo_transmissions_find_partner(const struct hogo_transmissions *t, const char *id);

/* The registry as JSON (docs/transmissions.md): flat = false, the whole list (policy, its
 * operator when opened with hogo_transmissions_open(), else null, revised, example, partners,
 * sites with their transmissions); flat = true, an array with one
 * object per transmission. Allocated, free() it; NULL when out of memory. */
HOGO_EXTERN char *hogo_transmissions_json(const struct hogo_transmissions *t, bool flat,
                                          size_t *len);

#ifdef __cplusplus
}
#endif
#endif
