/*
 * The private side of the audit chain: appending events inside a store transaction, and the
 * check of the ledger's records against their events. Audit layer: on lib/store (and
 * lib/common); lib/subject and lib/ledger build on it.
 */
#ifndef HOGO_AUDIT_INT_H
#define HOGO_AUDIT_INT_H

#include <hogo/audit.h>

#include "store/store-int.h"

#include <sodium.h>

/* Opens a store on an explicit backend (tests: the fault backend); open.c: connects, migrates with
 * each step an audit event, starts group commit. */
int hogo__store_open_ops(struct hogo_store **out, const struct hogo_store_ops *ops,
                         const char *target, const struct hogo_store_options *opts,
                         struct hogo_error *err);

/* Appends one audit event inside the caller's transaction (st->txn_depth must be > 0). */
int hogo__audit_append(struct hogo_store *st, const char *subject_id, const char *action,
                       const char *object, const char *detail, struct hogo_error *err);
/* As hogo__audit_append(), the event as a struct. */
int hogo__audit_append_event(struct hogo_store *st, const struct hogo_audit_event *ev,
                             struct hogo_error *err);

/* Adds n column values to s in the canonical encoding: per value a type byte (0 NULL,
 * 1 integer as u64le, 2 text and 3 blob as u32le length and bytes). */
void hogo__hash_values(crypto_generichash_state *s, const struct hogo__val *c, size_t n);

/* The facts a decision rests on, sealed by their events (audit/facts.c). The state hash of a
 * subject (subject_id) or, for NULL, of the corporate successions: BLAKE2b-256 over the
 * canonical encoding of its rows (subject row, facts, consents; or every succession). */
int hogo__facts_hash(struct hogo_store *st, const char *subject_id, unsigned char out[32],
                     struct hogo_error *err);
/* Appends an event for a change of the facts of subject_id (NULL: the corporate
 * successions) inside the caller's transaction, its detail holding "facts_blake2b", the state
 * hash after the change, and the JSON members extra (may be NULL, e.g. "\"n\":1"). */
int hogo__audit_append_facts(struct hogo_store *st, const char *subject_id, const char *action,
                             const char *object, const char *extra, struct hogo_error *err);
/* Holds the stored facts to the last event of each subject (and of the successions) for
 * hogo_audit_verify(). */
struct hogo__facts_check;
int hogo__facts_check_new(struct hogo__facts_check **out);
void hogo__facts_check_free(struct hogo__facts_check *c);
/* Notes one verified event; <0 only when out of memory. */
int hogo__facts_check_event(struct hogo__facts_check *c, int64_t seq, const char *subject_id,
                            size_t slen, const char *action, size_t alen, const char *detail,
                            size_t dlen);
/* Compares the stored facts with the last events: HOGO_ETAMPER naming the subject and event
 * when they differ, or a subject that no event wrote. */
int hogo__facts_check_run(struct hogo_store *st, struct hogo__facts_check *c,
                          int64_t *bad_seq, char *problem, size_t cap, struct hogo_error *err);
/* Every subject holding sealed data has its key in the key store, and no erased subject has
 * one (an erasure that did not finish); HOGO_ETAMPER with the problem otherwise. */
int hogo__keys_check_run(struct hogo_store *st, int64_t *bad_seq, char *problem, size_t cap,
                         struct hogo_error *err);

/* The hash binding a ledger record to its event: BLAKE2b-256 (hex) over the canonical encoding
 * of every column of the stored record (receipt or provision, subject_id and id) but the two
 * dates a later provision moves. The writer puts it in the event's detail as
 * "record_blake2b"; hogo_audit_verify() recomputes it from the row. */
int hogo__record_hash(struct hogo_store *st, int receipt, const char *subject_id,
                      const char *id, char hex[65], struct hogo_error *err);

/* The ledger's records against the events that wrote them (audit/records.c), for
 * hogo_audit_verify(). */
struct hogo__record_check;
int hogo__record_check_new(struct hogo__record_check **out);
void hogo__record_check_free(struct hogo__record_check *c);
/* Notes one verified event; only provision.record and receipt.record events matter. <0 only
 * when out of memory. */
int hogo__record_check_event(struct hogo__record_check *c, int64_t seq, const char *action,
                             size_t alen, const char *object, size_t olen, const char *detail,
                             size_t dlen);
/* Reads every record and checks it against its event, and every event's record: an edited,
 * inserted or (before its purge date, now in microseconds) deleted record is HOGO_ETAMPER,
 * the earliest one's event in *bad_seq (0 for a record without an event) and what is wrong
 * in problem. */
int hogo__record_check_run(struct hogo_store *st, struct hogo__record_check *c, int64_t now,
                           int64_t *bad_seq, char *problem, size_t cap,
                           struct hogo_error *err);

#endif
