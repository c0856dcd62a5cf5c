/*
 * The private side of the ledger: APPI provision and receipt records written without
 * re-parsing what the caller generated, a subject's records as JSON for disclosure, and the
 * header of a CSV file leaving with a provision. Ledger layer: on lib/subject, lib/audit and
 * lib/store; the top of the persistent side.
 */
#ifndef HOGO_LEDGER_INT_H
#define HOGO_LEDGER_INT_H

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

/* The header cells of the CSV file at path (ledger/csv_header.c): *names is an allocated
 * array of n allocated strings; caller frees each and the array. */
int hogo__csv_header(const char *path, char ***names, size_t *n, struct hogo_error *err);

#endif
