/*
 * The private side of the ledger module: the one decision on a subject's stored facts that
 * hogo_decide_stored(), hogo_provide() and hogo_receive() share (stored.c). Ledger layer;
 * included only by lib/ledger.
 */
#ifndef HOGO_LEDGER_STORED_INT_H
#define HOGO_LEDGER_STORED_INT_H

#include <hogo/decide.h>
#include <hogo/error.h>

#include <stdbool.h>

struct hogo_store;
struct hogo_policy;
struct hogo_request;

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

#endif
