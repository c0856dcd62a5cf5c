/*
 * Decisions: may this use or provision of a person's data happen, under this policy, now —
 * and why? Requests and responses are the JSON of docs/decision.md; the request is parsed
 * once into a reusable struct, the decision is computed without allocating, and the answer
 * is written as JSON (or text for a person).
 * Public API layer (implemented in lib/decide).
 *
 * Threads: a request (struct hogo_request), a writer (struct hogo_writer) and a decision
 * (struct hogo_decision) belong to one thread at a time; give each thread its own. Deciding,
 * writing and the decision readers only read the policy and the vocabulary, so many threads
 * may decide under one loaded policy at once. hogo_request_parse() keeps no state outside
 * the request.
 */
#ifndef HOGO_DECIDE_H
#define HOGO_DECIDE_H

#include <hogo/error.h>
#include <hogo/policy.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct hogo_request; /* opaque: a parsed request, reusable */
struct hogo_writer;  /* opaque: writes responses, reusable */

#define HOGO_MAX_REASONS 16
#define HOGO_DEFAULT_MAX_REQUEST (64 * 1024)
#define HOGO_MAX_DEPTH 32

/* The outcome of hogo_decide(). Plain data owned by the caller; fields are read-only. */
struct hogo_decision {
    bool allow;                        /* the answer */
    int nreasons;                      /* entries in reasons */
    struct {
        int rule;                      /* rule index in the policy, -1 for a statute */
        int effect;                    /* 0 permit, 1 forbid, 2 obligation, 3 no_match */
    } reasons[HOGO_MAX_REASONS];       /* most decisive first */
    unsigned obligations;              /* bit per obligation type (internal order) */
    unsigned missing;                  /* no_match: bit per missing part (internal) */
    int missing_cond;                  /* no_match: the condition that failed, -1 */
    int retention_years;               /* record/confirm retention */
    bool retention_last;               /* retention counted from the last provision */
    int deid_rule;                     /* the rule whose deidentify spec applies, -1 */
    int statute;                       /* nonzero: decided by the statute (internal code) */
};

/* Allocates an empty request; free with hogo_request_free(). */
HOGO_EXTERN int hogo_request_new(struct hogo_request **out);

/* Frees a request (NULL is fine). */
HOGO_EXTERN void hogo_request_free(struct hogo_request *req);

/* Parses a JSON request (docs/decision.md) against the vocabulary, replacing what req held.
 * Rejects (HOGO_EINVAL / HOGO_ELIMIT, err->where = JSON pointer) malformed JSON, invalid
 * UTF-8, unknown ids, wrong types, missing fields, input over max_len bytes or nested deeper
 * than HOGO_MAX_DEPTH. A consent_id is resolved against the request's own "subject" consents;
 * a request without "subject" keeps it for the consents a store supplies
 * (hogo_request_set_subject_rows(), hogo_decide_stored()). */
HOGO_EXTERN int hogo_request_parse(struct hogo_request *req, const struct hogo_vocab *vocab,
                                   const char *json, size_t len, size_t max_len,
                                   struct hogo_error *err);

/* The policy id the request names (borrowed). */
HOGO_EXTERN const char *hogo_request_policy(const struct hogo_request *req);

/* The request's "at" (unix seconds) through *at; false when the request has none. */
HOGO_EXTERN bool hogo_request_at(const struct hogo_request *req, int64_t *at);

/* The request's "subject_id" ("" when it has none; borrowed). */
HOGO_EXTERN const char *hogo_request_subject_id(const struct hogo_request *req);

/* True when the request itself carries "subject" facts. */
HOGO_EXTERN bool hogo_request_has_subject(const struct hogo_request *req);

/* Replaces the request's subject facts with a JSON object of facts (the "subject" field of
 * docs/decision.md, e.g. from hogo_store_subject_facts_json()), then re-checks consent_id. */
HOGO_EXTERN int hogo_request_set_subject_json(struct hogo_request *req,
                                              const struct hogo_vocab *vocab, const char *json,
                                              size_t len, struct hogo_error *err);

/* As hogo_request_set_subject_json(), from the rows a store keeps instead of JSON, with the
 * same checks and messages: facts[2i] is a fact's id and facts[2i + 1] one value as text
 * ("true"/"false", an age, an id, a corporate number; a list fact has a row per value, next to
 * each other); consents[4i .. 4i + 3] a consent's id, recipient, purpose and data (category
 * ids separated by commas). */
HOGO_EXTERN int hogo_request_set_subject_rows(struct hogo_request *req,
                                              const struct hogo_vocab *v,
                                              const char *const *facts, size_t nfacts,
                                              const char *const *consents, size_t nconsents,
                                              struct hogo_error *err);

/* Decides req under policy into *out. Allocates nothing. Fails (HOGO_EINVAL) only when the
 * request cannot be decided under this policy: another policy id, an `at` before the
 * policy's version came into force, or basis consent naming a consent the subject never gave
 * (no "subject" consents were set). */
HOGO_EXTERN int hogo_decide(const struct hogo_policy *policy, const struct hogo_request *req,
                            struct hogo_decision *out, struct hogo_error *err);

/* ---- reading a decision without its JSON ----
 * What docs/decision.md's response holds, read from the decision itself: the reasons (clause,
 * effect, quote, what a closest clause missed) and the obligations. Strings are borrowed from
 * the policy (valid while it is loaded) or, where said, from the request (valid until it is
 * parsed or its facts are set again). */

/* One reason of a decision (hogo_decision_reason()). */
struct hogo_reason {
    const char *clause;    /* clause id, e.g. "3(1)"; "APPI Art.41(6)" for the statute's bar */
    const char *effect;    /* "permit", "forbid", "obligation" or "no_match" */
    const char *quote;     /* the clause's exact words in the policy; for the statute's bar,
                              an explanation in English */
    const char *title;     /* the clause's title in the policy, or NULL */
    const char *statute;   /* "APPI Art.41(6)" when the statute itself decided, else NULL */
    const char *yields_to[8]; /* forbid: the bases that alone lift it (basis ids; the engine
                                 knows five) */
    int n_yields_to;
};

/* Reads reason i (0 .. d->nreasons - 1, most decisive first) into *out; HOGO_EINVAL for
 * another i. */
HOGO_EXTERN int hogo_decision_reason(const struct hogo_policy *policy,
                                     const struct hogo_decision *d, int i,
                                     struct hogo_reason *out);

/* Calls fn(ctx, part) for each part of the request that reason i missed (a "no_match"
 * reason; each part as in the response's "missing", e.g. "form: deidentified"); returns how
 * many (0 for another effect). The parts are built in a buffer valid only during the call. */
HOGO_EXTERN int hogo_decision_missing(const struct hogo_policy *policy,
                                      const struct hogo_request *req,
                                      const struct hogo_decision *d, int i,
                                      void (*fn)(void *ctx, const char *part), void *ctx);

/* One obligation of a decision (hogo_decision_obligation()). Fields that do not apply to its
 * type are 0 / NULL. */
struct hogo_obligation {
    const char *type;           /* obligation id, e.g. "record_provision", "deidentify" */
    const char *statute;        /* e.g. "APPI Art.29", or NULL */
    int retention_years;        /* record_provision, confirm_receipt: years to keep the record */
    const char *retention_from; /* the same: "creation" or "last_provision" */
    bool confirm;               /* confirm_receipt: the provider's name, address and
                                   representative and how it obtained the data are confirmed */
    const char *country;        /* foreign_transfer_info: the recipient's country (borrowed
                                   from the request) */
    const char *regime;         /* foreign_transfer_info: what its regime means for the duty */
    const char *clause;         /* deidentify: the clause whose specification applies, or NULL */
    bool aggregate;             /* deidentify: the data leaves as statistics only */
};

/* The number of obligations the decision carries. */
HOGO_EXTERN int hogo_decision_obligation_count(const struct hogo_decision *d);

/* Reads obligation i (0 .. count - 1, in docs/decision.md's order) into *out; HOGO_EINVAL
 * for another i. */
HOGO_EXTERN int hogo_decision_obligation(const struct hogo_policy *policy,
                                         const struct hogo_request *req,
                                         const struct hogo_decision *d, int i,
                                         struct hogo_obligation *out);

/* For a deidentify obligation: calls fn(ctx, id) for each data category to drop (generalize
 * false) or to generalise to (true), in vocabulary order; returns how many. */
HOGO_EXTERN int hogo_decision_deid_categories(const struct hogo_policy *policy,
                                              const struct hogo_request *req,
                                              const struct hogo_decision *d, bool generalize,
                                              void (*fn)(void *ctx, const char *id), void *ctx);

/* Allocates a response writer; pretty: indented output. Free with hogo_writer_free(). */
HOGO_EXTERN int hogo_writer_new(bool pretty, struct hogo_writer **out);

/* Frees a writer (NULL is fine). */
HOGO_EXTERN void hogo_writer_free(struct hogo_writer *w);

/* Appends the JSON response for a decision (docs/decision.md) followed by a newline. */
HOGO_EXTERN int hogo_writer_decision(struct hogo_writer *w, const struct hogo_policy *policy,
                                     const struct hogo_request *req,
                                     const struct hogo_decision *dec);

/* The JSON response for a decision as one line without a newline; *out is allocated, free()
 * it. For callers that store or log the decision (the ledger, the audit log). */
HOGO_EXTERN int hogo_decision_json(const struct hogo_policy *policy,
                                   const struct hogo_request *req,
                                   const struct hogo_decision *dec, char **out,
                                   struct hogo_error *err);

/* hogo_decision_json() borrowed from the request, which keeps the last decision JSON written
 * for it (by this call, hogo_decide_stored() or hogo_provide()), so a decision it already
 * holds is not written again. *json (one line, NUL-terminated, *len bytes) stays valid until
 * req is parsed, given facts or decided again. */
HOGO_EXTERN int hogo_request_decision_json(const struct hogo_policy *policy,
                                           struct hogo_request *req,
                                           const struct hogo_decision *dec, const char **json,
                                           size_t *len, struct hogo_error *err);

/* Appends text (a response already written, e.g. by hogo_request_decision_json()) and a
 * newline. */
HOGO_EXTERN int hogo_writer_line(struct hogo_writer *w, const char *text, size_t len);

/* Appends {"error": {"where", "message", "code"}} followed by a newline. */
HOGO_EXTERN int hogo_writer_error(struct hogo_writer *w, const struct hogo_error *err);

/* Chooses the language of the text a writer writes: "ja" (the default) or "en". Returns 0,
 * or HOGO_EINVAL for another language. */
HOGO_EXTERN int hogo_writer_set_language(struct hogo_writer *w, const char *lang);

/* Appends the decision as text for a person, in the writer's language (Japanese unless
 * hogo_writer_set_language() chose English): the answer, each deciding clause in the policy's
 * own words, what was missing as sentences, and the duties in the statute's terms. */
HOGO_EXTERN int hogo_writer_decision_text(struct hogo_writer *w, const struct hogo_policy *policy,
                                          const struct hogo_request *req,
                                          const struct hogo_decision *dec);

/* Appends a policy's clauses as text for a person, in the writer's language: in Japanese by
 * the vocabulary's names and the statute's terms, in English as hogo_policy_summary(). */
HOGO_EXTERN int hogo_writer_policy_text(struct hogo_writer *w, const struct hogo_policy *policy);

/* The bytes written so far (borrowed until the next call on w). */
HOGO_EXTERN void hogo_writer_buffer(const struct hogo_writer *w, const char **buf, size_t *len);

/* Forgets the bytes written so far (keeps its memory for reuse). */
HOGO_EXTERN void hogo_writer_clear(struct hogo_writer *w);

#ifdef __cplusplus
}
#endif
#endif
