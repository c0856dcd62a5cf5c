/*
 * The privacy office's console pages that read the records: ledger search and its CSV
 * export (ledger.c), the audit log's verification and last checkpoint (audit.c), the
 * policy's versions and what each revision changed (policies.c), and the decision explorer
 * (explorer.c). Every page shows only the signed-in officer's operator; none of them changes
 * anything (the explorer decides without a store, so it records nothing). Daemon layer, on
 * the web foundation (daemon/web/web.h) and the console's shared pieces (console.h: the
 * navigation, the officer's actor); the other console pages keep their own files.
 */
#ifndef HOGOD_CONSOLE_OFFICE_H
#define HOGOD_CONSOLE_OFFICE_H

#include "console.h"

/* GET /console/ledger: the search form and one page of records (?subject, recipient,
 * purpose, from, to, kind, after). */
void console_page_ledger(struct hogod_exchange *x);
/* GET /console/ledger.csv: the same search as CSV (hogo ledger export's), streamed. */
void console_ledger_csv(struct hogod_exchange *x);
/* GET /console/audit: the last checkpoint and the unsealed tail. */
void console_page_audit(struct hogod_exchange *x);
/* POST /console/audit: verifies the whole log now and shows the result with the above. */
void console_audit_verify(struct hogod_exchange *x);
/* GET /console/policies: the operator's policy and its versions. */
void console_page_policies(struct hogod_exchange *x);
/* GET /console/policies/{policy_id}/diff?from=V&to=V: what one revision changed. */
void console_page_policy_diff(struct hogod_exchange *x);
/* GET /console/explorer: the decision explorer's form (?example=N fills it). */
void console_page_explorer(struct hogod_exchange *x);
/* POST /console/explorer: decides the request written in the form and shows the answer. */
void console_explorer_decide(struct hogod_exchange *x);

/* Writes "YYYY-MM-DD HH:MM:SS" in JST (UTC+9) for a time in microseconds. */
void office_time(struct web_buf *b, int64_t us);

#endif
