/*
 * The private side of the subjects module: a subject's facts as rows for a decision, its data
 * items as JSON, subject reads, and the per-subject keys. Subject layer: on lib/audit and
 * lib/store; lib/ledger builds on it.
 */
#ifndef HOGO_SUBJECT_INT_H
#define HOGO_SUBJECT_INT_H

#include "audit/audit-int.h"

/* Subject keys (data.c; erasure destroys them through hogo__keys_erase_after_commit()). */
/* *present = 1 when the key store holds a key for the subject. */
int hogo__key_present(struct hogo_store *st, const char *subject_id, int *present,
                      struct hogo_error *err);

/* Ends a read that generated JSON into g (may be NULL): takes the text into *json when rc is
 * 0, ends the transaction and frees g; returns the outcome, with *json NULL on failure. */
int hogo__gen_end_read(struct hogo_store *st, yajl_gen g, int rc, char **json,
                       struct hogo_error *err);

/* Starts a read of a subject: checks the id, begins a transaction, looks the subject up (its
 * operator into *op, erasure into *erased, may be NULL), refuses a subject of another
 * operator than policy (may be NULL: any) and allocates *g. On failure nothing is left open
 * or allocated. */
int hogo__subject_begin_read(struct hogo_store *st, const char *subject_id, const char *policy,
                             char **op, int *erased, yajl_gen *g, struct hogo_error *err);
/* Generates the facts object body (inside an open map); history: all consents with details;
 * policy (may be NULL) limits consents to those given under it. */
int hogo__subject_gen_facts(struct hogo_store *st, yajl_gen g, const char *policy,
                            const char *subject_id, int history, struct hogo_error *err);

/* Writes an item's provenance keys (channel, source, service, context, policy_version,
 * acquired_at) from columns c[2..7] of a data_items row, inside an open map. */
void hogo__gen_provenance(yajl_gen g, const struct hogo__val *c);
/* Writes the subject's data items (metadata, no values) as a JSON array. */
int hogo__gen_items(struct hogo_store *st, yajl_gen g, const char *subject_id,
                    struct hogo_error *err);

/* Writes the subject's data items with their values opened (disclosure, data.c) as a JSON
 * array, and appends one data.read audit event per item; *n_items (may be NULL) gets how
 * many. Needs the master key when the subject has items. Inside the caller's transaction. */
int hogo__gen_items_opened(struct hogo_store *st, yajl_gen g, const char *subject_id,
                           int64_t *n_items, struct hogo_error *err);
/* As hogo__gen_items_opened(), one page: at most limit items after item id after, written
 * into the open array g (no brackets); *last gets the last id written, *n_items how many.
 * The page's reads are one data.read audit event naming the range of item ids. */
int hogo__gen_items_opened_page(struct hogo_store *st, yajl_gen g, const char *subject_id,
                                int64_t after, int limit, int64_t *last, int64_t *n_items,
                                struct hogo_error *err);
/* Checks one value of a settable subject fact (subject.c); a scalar's normal form goes to
 * norm ("" for a list fact), *array = 1 for a list fact. */
int hogo__fact_check(struct hogo_store *st, const char *fact, const char *value,
                     char norm[32], int *array, struct hogo_error *err);
/* The i-th subject fact in vocabulary order (NULL past the last); *settable = 0 for those
 * changed only through their own call (erased, consents). */
const char *hogo__fact_name(size_t i, int *settable);

/* Receives a subject's facts as rows: facts[2i] a fact's id and facts[2i + 1] one value as
 * text (a list fact has a row per value, next to each other); consents[4i .. 4i + 3] a
 * consent's id, recipient, purpose and data (ids separated by commas). Borrowed for the call. */
typedef int (*hogo__facts_fn)(void *ctx, const char *const *facts, size_t nfacts,
                              const char *const *consents, size_t nconsents,
                              struct hogo_error *err);
/* The facts a decision on subject_id under policy needs, read inside the caller's transaction
 * without an audit event of its own (the caller records the decision): the stored facts in
 * order of fact and value, blocked companies followed through their successors, and the
 * consents given under policy and not withdrawn; fn gets them and its result is returned.
 * A subject unknown or of another operator is an error (HOGO_ENOTFOUND). */
int hogo__subject_decide_rows(struct hogo_store *st, const char *policy, const char *subject_id,
                              hogo__facts_fn fn, void *ctx, struct hogo_error *err);

#endif
