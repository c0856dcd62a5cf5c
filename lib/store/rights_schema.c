/*
 * The tables of rights requests, breach incidents and bulk imports (schema migration 4).
 * Store layer. Kept apart from store.c's initial schema so that lib/rights owns what it
 * stores; store.c lists this text as one of its versioned migrations.
 *  - dsr_requests: one row per rights request, its state, agent, verification and notice;
 *    is_open and due_at index the overdue work queue.
 *  - dsr_transitions: every state change, who made it and when (the audit log holds it too).
 *  - rights_effects: which completed request put a suspension or a stop of provision on a
 *    person, so that a denial can cite it.
 *  - data_item_history: a corrected item's former version, still sealed under the person's
 *    key (erasing the person makes it unreadable with the rest).
 *  - breaches, breach_subjects: incidents (APPI Art. 26) and the people they affect.
 *  - import_runs: how far an import of a file got, so that a second run resumes.
 * hogo__rights_effect_request() names the request behind a person's suspension or stop of
 * provision, for the denials it causes.
 */
#include "store-int.h"

#include <stdio.h>
#include <stdlib.h>

const char hogo__rights_schema_sql[] =
    "CREATE TABLE dsr_requests (request_id TEXT NOT NULL, subject_id TEXT NOT NULL,"
    " operator TEXT NOT NULL, kind TEXT NOT NULL, state TEXT NOT NULL,"
    " is_open BIGINT NOT NULL, agent TEXT NOT NULL, agent_name TEXT, represents TEXT,"
    " agent_document TEXT, method TEXT NOT NULL, channel TEXT, detail TEXT,"
    " received_at BIGINT NOT NULL, due_at BIGINT NOT NULL, verify_method TEXT, verifier TEXT,"
    " verified_at BIGINT, closed_at BIGINT, ground TEXT, reason TEXT, notice TEXT,"
    " updated_at BIGINT NOT NULL, PRIMARY KEY (request_id));\n"
    "CREATE INDEX dsr_requests_queue ON dsr_requests (is_open, due_at);\n"
    "CREATE INDEX dsr_requests_subject ON dsr_requests (subject_id);\n"
    "CREATE TABLE dsr_transitions (request_id TEXT NOT NULL, n BIGINT NOT NULL,"
    " from_state TEXT NOT NULL, to_state TEXT NOT NULL, at BIGINT NOT NULL,"
    " actor TEXT NOT NULL, note TEXT, PRIMARY KEY (request_id, n));\n"
    "CREATE TABLE rights_effects (subject_id TEXT NOT NULL, effect TEXT NOT NULL,"
    " request_id TEXT NOT NULL, at BIGINT NOT NULL, PRIMARY KEY (subject_id, effect));\n"
    "CREATE TABLE data_item_history (subject_id TEXT NOT NULL, item_id BIGINT NOT NULL,"
    " category TEXT NOT NULL, value BLOB NOT NULL, channel TEXT NOT NULL, source TEXT,"
    " service TEXT, context TEXT, policy_version TEXT, acquired_at BIGINT NOT NULL,"
    " replaced_by BIGINT NOT NULL, replaced_at BIGINT NOT NULL, request_id TEXT NOT NULL,"
    " PRIMARY KEY (subject_id, item_id));\n"
    "CREATE TABLE breaches (breach_id TEXT NOT NULL, operator TEXT, summary TEXT NOT NULL,"
    " discovered TEXT NOT NULL, cause TEXT, items TEXT NOT NULL, sensitive BIGINT NOT NULL,"
    " encrypted BIGINT NOT NULL, financial BIGINT NOT NULL, wrongful BIGINT NOT NULL,"
    " reportable BIGINT, grounds TEXT, affected BIGINT, preliminary_due TEXT, final_due TEXT,"
    " preliminary_at BIGINT, final_at BIGINT, notified_at BIGINT, report_items TEXT,"
    " created_at BIGINT NOT NULL,"
    " PRIMARY KEY (breach_id));\n"
    "CREATE TABLE breach_subjects (breach_id TEXT NOT NULL, subject_id TEXT NOT NULL,"
    " PRIMARY KEY (breach_id, subject_id));\n"
    "CREATE TABLE import_runs (run_key TEXT NOT NULL, path TEXT NOT NULL,"
    " lines_done BIGINT NOT NULL, imported BIGINT NOT NULL, updated_at BIGINT NOT NULL,"
    " PRIMARY KEY (run_key));\n";

int hogo__rights_effect_request(struct hogo_store *st, const char *subject_id, char *out,
                                size_t cap, struct hogo_error *err)
{
    char *id = NULL;
    struct hogo__val p[] = {HV_TEXT(subject_id)};
    out[0] = '\0';
    int rc = hogo__query_text(st,
                              "SELECT e.request_id FROM rights_effects e JOIN subject_facts f"
                              " ON f.subject_id = e.subject_id AND f.fact = e.effect AND"
                              " f.value = 'true' WHERE e.subject_id = ? ORDER BY e.at DESC"
                              " LIMIT 1",
                              p, 1, &id, err);
    if (rc == 0 && id)
        snprintf(out, cap, "%s", id);
    free(id);
    return rc;
}
