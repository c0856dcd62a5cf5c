/*
 * The private side of the ledger: APPI provision and receipt records written without
 * re-parsing what the caller generated, a subject's records as JSON for disclosure, the
 * decision on stored facts that every deciding call shares, and the header of a CSV file
 * leaving with a provision. Ledger layer: on lib/subject, lib/audit and lib/store (and the
 * decision engine, lib/decide); the top of the persistent side.
 */
#ifndef HOGO_LEDGER_INT_H
#define HOGO_LEDGER_INT_H

#include <hogo/decide.h>
#include <hogo/ledger.h>

#include "subject/subject-int.h"

/* Writes "provisions": [...] and "receipts": [...] (the subject's ledger records, as
 * hogo_ledger_export() gives them) into the open map g (ledger.c). */
int hogo__ledger_gen_subject(struct hogo_store *st, yajl_gen g, const char *subject_id,
                             int64_t *n_records, struct hogo_error *err);

/* hogo_ledger_record_provision() / _receipt() without re-parsing decision_json and
 * detail_json (callers that generated them). */
int hogo__ledger_provision(struct hogo_store *st, const struct hogo_provision *p,
                           char id_out[HOGO_LEDGER_ID_BYTES], struct hogo_error *err);
int hogo__ledger_receipt(struct hogo_store *st, const struct hogo_receipt *r,
                         char id_out[HOGO_LEDGER_ID_BYTES], struct hogo_error *err);
/* As above, for a record whose decision was just made: decided (may be NULL) is added to the
 * record event's object ("policy:irp decision:allow facts:stored"), so that one event is both
 * the allowing decision and the record. */
int hogo__ledger_provision_decided(struct hogo_store *st, const struct hogo_provision *p,
                                   const char *decided, char id_out[HOGO_LEDGER_ID_BYTES],
                                   struct hogo_error *err);
int hogo__ledger_receipt_decided(struct hogo_store *st, const struct hogo_receipt *r,
                                 const char *decided, char id_out[HOGO_LEDGER_ID_BYTES],
                                 struct hogo_error *err);

/* ---- the decision on stored facts that hogo_decide_stored(), hogo_provide() and
 * hogo_receive() share (stored.c) ---- */

/* A decision made by hogo__decide_on_facts(), ready to be written as an audit event. */
struct hogo__decided {
    const char *subject_id; /* borrowed: the subject decided on, or NULL (no subject) */
    const char *json;       /* borrowed from the request (its decision memo): the decision
                               JSON, one line, valid until the request is decided again */
    char object[160];       /* the audit event's object, e.g.
                               "policy:irp decision:allow facts:stored" */
};

/* Which subject a call decides on: subject_id when given, else the request's "subject_id";
 * NULL when neither names one. */
const char *hogo__decided_subject(const struct hogo_request *r, const char *subject_id);

/* Checks, before any transaction, that r can be decided on stored facts under p: the request
 * is for p, and it does not carry facts of its own when it names a subject (subject may be
 * NULL: no subject). */
int hogo__stored_precheck(const struct hogo_policy *p, const struct hogo_request *r,
                          const char *subject, struct hogo_error *err);

/* Inside the caller's transaction: reads subject's stored facts into r (no read when subject
 * is NULL: r's own facts are used), decides, and fills *out. Writes nothing, so a failure
 * leaves the transaction as it was. */
int hogo__decide_on_facts(struct hogo_store *st, const struct hogo_policy *p,
                          struct hogo_request *r, const char *subject, struct hogo_decision *d,
                          struct hogo__decided *out, struct hogo_error *err);

/* The header cells of the CSV file at path (ledger/csv_header.c): *names is an allocated
 * array of n allocated strings; caller frees each and the array. */
int hogo__csv_header(const char *path, char ***names, size_t *n, struct hogo_error *err);

#endif
