/*
 * The tamper-evident audit log: every decision, every change and every read of personal data
 * is an event, hash-chained with BLAKE2b and sealed from time to time by a checkpoint signed
 * with Ed25519 (key kept outside the database). Public API layer.
 * Event hash = BLAKE2b-256(prev_hash || u64le(seq) || u64le(at) || for each of subject_id,
 * actor, action, object, detail: u32le(length) || bytes); the first prev_hash is 32 zero bytes.
 * A checkpoint signs "hogo-checkpoint-v1" || u64le(seq) || hash-of-event-seq.
 * Events hold ids and categories only, never personal values.
 *
 * Threads: the calls here take a store handle and follow its rules (hogo/store.h): on a
 * handle opened with group_commit call them inside hogo_store_run(); otherwise one thread at
 * a time. Processes sharing one database append safely: every writing transaction takes the
 * store's write lock before it reads the chain's head (SQLite's one writer, a PostgreSQL
 * advisory lock), so the chain never forks. struct hogo_audit_report belongs to its caller.
 */
#ifndef HOGO_AUDIT_H
#define HOGO_AUDIT_H

#include <hogo/error.h>

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct hogo_store;

/* One event to append. Borrowed strings; detail_json must hold no personal values. */
struct hogo_audit_event {
    const char *subject_id;  /* the person concerned, or NULL */
    const char *action;      /* e.g. "decision", "subject.add", "data.read" */
    const char *object;      /* ids/categories acted on, e.g. "item:3 category:email" */
    const char *detail_json; /* JSON object text, or NULL for "{}" */
};

/* Appends ev in its own transaction, or in the caller's if one is open (hogo_store_begin). */
HOGO_EXTERN int hogo_audit_append(struct hogo_store *st, const struct hogo_audit_event *ev,
                                  struct hogo_error *err);
/* Signs a checkpoint over the current head (needs the signing key). *seq (may be NULL) gets
 * the sequence number sealed; 0 when the log is empty (nothing sealed). */
HOGO_EXTERN int hogo_audit_checkpoint(struct hogo_store *st, int64_t *seq,
                                      struct hogo_error *err);

/* What a verification found. */
struct hogo_audit_report {
    int64_t events;          /* events read */
    int64_t checkpoints;     /* checkpoints checked */
    int64_t last_seq;        /* sequence number of the last event */
    int64_t first_bad_seq;   /* first event found bad; 0 when none */
    int signatures_checked;  /* 1 when a public key was given and signatures were checked */
    char problem[512];       /* what is wrong, "" when the log is intact */
    int64_t last_sealed;     /* the last event a matching checkpoint seals; 0 when none */
    int64_t unsealed;        /* events after it: the unsealed tail, which a writer without
                                the signing key leaves and only an anchor (below) protects */
    int anchor_checked;      /* 1 when an anchor was given and the log reaches it */
    int64_t skipped_at;      /* the audit.checkpoint_skipped event by which a writer without
                                the signing key said it could not write the checkpoint due
                                after the last sealed event (the tail is unsealed from
                                there); 0 when none */
};

/* Events between automatic checkpoints when the store options do not say. */
#define HOGO_AUDIT_CHECKPOINT_INTERVAL 1000

/* Verifies the whole log: chain, sequence, event times never going backwards, checkpoints
 * (signatures with public_key, may be NULL to check the chain only). With public_key, the
 * checkpoint due every checkpoint_interval events (the store's option) up to the last event
 * must be there and signed; the events after the last one are reported as unsealed. Returns 0 when intact, HOGO_ETAMPER naming the first bad
 * event in report->first_bad_seq / problem, or another code when it could not be read. */
HOGO_EXTERN int hogo_audit_verify(struct hogo_store *st,
                                  const unsigned char *public_key,
                                  struct hogo_audit_report *report, struct hogo_error *err);
/* Writes the latest checkpoint to the anchor file at path (one line: "hogo-anchor-v1 SEQ
 * HEAD SIGNATURE", hex), to be kept or published outside the database; *seq (may be NULL) gets
 * the event it seals. HOGO_ENOTFOUND when the log has no checkpoint yet. */
HOGO_EXTERN int hogo_audit_anchor(struct hogo_store *st, const char *path, int64_t *seq,
                                  struct hogo_error *err);
/* As hogo_audit_verify(), also holding the log to an anchor (its text): the anchor must be
 * signed by public_key (required) and the log must reach its event with the same hash, so a
 * restored older copy of the database or a rewritten one is HOGO_ETAMPER. */
HOGO_EXTERN int hogo_audit_verify_anchored(struct hogo_store *st,
                                           const unsigned char *public_key, const char *anchor,
                                           size_t anchor_len, struct hogo_audit_report *report,
                                           struct hogo_error *err);
/* Writes the log as JSON lines (one {"event":...} per event, then one {"checkpoint":...}
 * per checkpoint; binary values in hex). *out allocated; caller frees with free(). */
HOGO_EXTERN int hogo_audit_export(struct hogo_store *st, char **out, size_t *len,
                                  struct hogo_error *err);
/* Verifies an export without any database, with the public key alone (checkpoints due every
 * HOGO_AUDIT_CHECKPOINT_INTERVAL events). An empty export is HOGO_ETAMPER. */
HOGO_EXTERN int hogo_audit_verify_export(const char *text, size_t len,
                                         const unsigned char *public_key,
                                         struct hogo_audit_report *report,
                                         struct hogo_error *err);
/* As hogo_audit_verify_export(), with checkpoints due every interval events (0: none due). */
HOGO_EXTERN int hogo_audit_verify_export_every(const char *text, size_t len,
                                               const unsigned char *public_key,
                                               unsigned interval,
                                               struct hogo_audit_report *report,
                                               struct hogo_error *err);

#ifdef __cplusplus
}
#endif
#endif
