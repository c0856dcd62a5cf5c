/*
 * Rights requests (開示等の請求, APPI Arts. 32-39), breach response (Art. 26, Rules Arts. 7-10)
 * and bulk loading of people. Public API layer over the store (hogo/store.h).
 * A request moves through states held as data (received, identity_pending, verified,
 * in_progress, completed, refused, withdrawn); every transition is an audit event naming
 * the actor, and a completed request's effect (suspension, erasure, ...) is made in the same
 * transaction as the completion. Strings are borrowed for the call unless said otherwise.
 */
#ifndef HOGO_RIGHTS_H
#define HOGO_RIGHTS_H

#include <hogo/error.h>
#include <hogo/policy.h>
#include <hogo/store.h>

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#define HOGO_DSR_ID_BYTES 40 /* "dsr-" + 26 characters + NUL, with room */

/* 1 when kind is a request kind: disclosure, provision_records, correction, deletion,
 * suspension, erasure, cessation, purpose_notice. */
HOGO_EXTERN int hogo_dsr_kind_valid(const char *kind);

/* Opening a request. */
struct hogo_dsr_open {
    const char *subject_id;
    const char *kind;          /* one of the kinds above */
    const char *agent;         /* NULL/"self": the person; "legal_representative" or
                                  "authorised_agent" (APPI Art. 37, Cabinet Order Art. 13) */
    const char *agent_name;    /* required with an agent */
    const char *represents;    /* legal_representative: "minor" or "ward" */
    const char *agent_document; /* authorised_agent: the power of attorney (委任状) reference */
    const char *method;        /* how the answer is given: "electronic" (default) or "paper" */
    const char *channel;       /* how the request came in: "web", "mail", "phone", ... or NULL */
    const char *detail_json;   /* what is asked, e.g. {"item":3,"value":"..."} for a
                                  correction, {"category":"email"} for a deletion; or NULL */
    const char *actor;         /* who records it (audit); NULL: the store's actor */
};
/* Opens a request in state received; id gets its id. The due date comes from the operator's
 * configuration (hogo_dsr_config_set). */
HOGO_EXTERN int hogo_dsr_open(struct hogo_store *st, const struct hogo_dsr_open *o,
                              char id[HOGO_DSR_ID_BYTES], struct hogo_error *err);

/* Identity verification (本人確認). method: "login_session" (registered ID and password),
 * "jpki", "callback" (phone call-back), "documents" (ID copy and registered mail),
 * "in_person". pending nonzero: the check has started and waits (identity_pending). */
HOGO_EXTERN int hogo_dsr_verify(struct hogo_store *st, const char *id, const char *method,
                                const char *verifier, int pending, const char *actor,
                                struct hogo_error *err);
/* Moves a verified request to in_progress. */
HOGO_EXTERN int hogo_dsr_start(struct hogo_store *st, const char *id, const char *actor,
                               struct hogo_error *err);

/* What completing a request needs besides the store. */
struct hogo_dsr_complete {
    const struct hogo_policy *policy; /* the subject's operator's policy (clause citations,
                                         purposes); NULL: the shipped one of that id */
    FILE *package_json;  /* disclosure/provision_records: the JSON package goes here */
    FILE *package_html;  /* and/or the printable Japanese report (either may be NULL) */
    const char *value;   /* correction/addition: the new value (never kept in the request) */
    const char *actor;
};
/* Completes a verified (or in_progress) request and makes its effect in one transaction;
 * *notice (may be NULL) gets the Japanese notice to the person (allocated; free()). */
HOGO_EXTERN int hogo_dsr_complete(struct hogo_store *st, const char *id,
                                  const struct hogo_dsr_complete *c, char **notice,
                                  struct hogo_error *err);
/* Refuses a request citing ground (see hogo_dsr_grounds_json); *notice as above. */
HOGO_EXTERN int hogo_dsr_refuse(struct hogo_store *st, const char *id, const char *ground,
                                const char *reason, const char *actor, char **notice,
                                struct hogo_error *err);
/* Withdraws an open request at the person's wish. */
HOGO_EXTERN int hogo_dsr_withdraw(struct hogo_store *st, const char *id, const char *actor,
                                  struct hogo_error *err);

/* The request as JSON (state, dates, agent, verification, history of transitions). */
HOGO_EXTERN int hogo_dsr_show_json(struct hogo_store *st, const char *id, char **json,
                                   struct hogo_error *err);
/* Requests as a JSON array: operator_id and subject may be NULL (all); state NULL for all;
 * overdue nonzero: open requests past their due date or older than 10 days (APPI Art. 39:
 * a person may sue two weeks after a request). */
HOGO_EXTERN int hogo_dsr_list_json(struct hogo_store *st, const char *operator_id,
                                   const char *subject, const char *state, int overdue,
                                   char **json, struct hogo_error *err);
/* The operator of a request into op (64 bytes); HOGO_ENOTFOUND when there is none. */
HOGO_EXTERN int hogo_dsr_operator(struct hogo_store *st, const char *id, char op[64],
                                  struct hogo_error *err);
/* Counts of requests by state as a JSON object (for metrics). */
HOGO_EXTERN int hogo_dsr_counts_json(struct hogo_store *st, char **json, struct hogo_error *err);
/* The refusal grounds, the kinds each applies to and the article each cites, as JSON. */
HOGO_EXTERN const char *hogo_dsr_grounds_json(void);
/* Operator configuration: days from receipt to the due date, for kind (NULL: default). */
HOGO_EXTERN int hogo_dsr_config_set(struct hogo_store *st, const char *kind, int days,
                                    struct hogo_error *err);

/* The disclosure package of a subject, streamed: JSON to json and/or a self-contained
 * printable Japanese HTML report to html (either may be NULL). Each value read is an audit
 * event. Memory does not grow with the number of items. records_only: only the provision
 * and receipt records (APPI Art. 33(5)). */
HOGO_EXTERN int hogo_disclosure_write(struct hogo_store *st, const char *subject_id,
                                      int records_only, FILE *json, FILE *html,
                                      struct hogo_error *err);

/* ---- breach (APPI Art. 26) ---- */

struct hogo_breach_open {
    const char *operator_id;   /* the operator it concerns (a policy id), or NULL */
    const char *summary;       /* what happened */
    const char *discovered;    /* YYYY-MM-DD, the day any department learned of it (day 1) */
    const char *cause;         /* or NULL while unknown */
    const char *items;         /* data category ids leaked, comma-separated */
    int sensitive;             /* sensitive data (要配慮個人情報) involved */
    int encrypted;             /* the data was highly encrypted (then sensitive is no ground) */
    int financial;             /* risk of financial loss */
    int wrongful;              /* a possible wrongful act (hacking, insider, ...) */
    const char *actor;
};
/* Records an incident; id gets its id ("brc-..."). */
HOGO_EXTERN int hogo_breach_open(struct hogo_store *st, const struct hogo_breach_open *o,
                                 char id[HOGO_DSR_ID_BYTES], struct hogo_error *err);
/* Adds affected people: the listed subject (subject_id), or every subject holding data of
 * category (with operator, may be NULL). *added gets how many were new. */
HOGO_EXTERN int hogo_breach_add_affected(struct hogo_store *st, const char *id,
                                         const char *subject_id, const char *category,
                                         const char *operator_id, int64_t *added,
                                         const char *actor, struct hogo_error *err);
/* Decides whether the incident is reportable (Rules Art. 7, the affected count from the
 * store), computes the deadlines and stores them; *json the assessment. */
HOGO_EXTERN int hogo_breach_assess(struct hogo_store *st, const char *id, const char *actor,
                                   char **json, struct hogo_error *err);
/* What the operator states for a report (Rules Art. 8(1)); NULL: unchanged or 調査中. */
struct hogo_breach_facts {
    const char *cause, *secondary_harm, *response, *publication, *prevention, *other;
};
/* Produces the report (stage "preliminary" 速報 or "final" 確報) with the nine items of Rules
 * Art. 8(1) as JSON and records it as made (a final report needs every item). */
HOGO_EXTERN int hogo_breach_report(struct hogo_store *st, const char *id, const char *stage,
                                   const struct hogo_breach_facts *facts, const char *actor,
                                   char **json, struct hogo_error *err);
/* Writes the notice to each affected person (Rules Art. 10) as JSON lines to out. */
HOGO_EXTERN int hogo_breach_notices(struct hogo_store *st, const char *id, FILE *out,
                                    const char *actor, struct hogo_error *err);
/* The operator an incident was opened for into op (64 bytes, "" for none);
 * HOGO_ENOTFOUND when there is no such incident. */
HOGO_EXTERN int hogo_breach_operator(struct hogo_store *st, const char *id, char op[64],
                                     struct hogo_error *err);
/* The incidents of operator_id (NULL: all) as a JSON array of hogo_breach_show_json's
 * objects: open ones (no final report) first, the nearest deadline first. */
HOGO_EXTERN int hogo_breach_list_json(struct hogo_store *st, const char *operator_id,
                                      char **json, struct hogo_error *err);
/* The incident as JSON. */
HOGO_EXTERN int hogo_breach_show_json(struct hogo_store *st, const char *id, char **json,
                                      struct hogo_error *err);

/* Deadline arithmetic (Rules Art. 8): the day that is day n when day_one is day 1, moved to
 * the next working day when it falls on a weekend, a Japanese public holiday or the
 * year-end closure (12/29-1/3). Dates as YYYY-MM-DD; out gets 11 bytes. HOGO_ELIMIT for a
 * year outside the holiday table (hogo_holiday_years). */
HOGO_EXTERN int hogo_deadline_day(const char *day_one, int n, char out[11],
                                  struct hogo_error *err);
/* 1 when date (YYYY-MM-DD) is not a working day; <0 outside the table. */
HOGO_EXTERN int hogo_is_holiday(const char *date);
/* The first and last year of the public holiday table. */
HOGO_EXTERN void hogo_holiday_years(int *first, int *last);

/* ---- bulk loading ---- */

struct hogo_import_opts {
    int strict;           /* stop at the first bad line (else report it and go on) */
    unsigned batch;       /* people per transaction; 0 = 5000 */
    /* progress (may be NULL): lines read and bytes read of total so far */
    void (*progress)(void *ctx, int64_t lines, int64_t bytes, int64_t total_bytes);
    /* a bad line (may be NULL): its number and what is wrong */
    void (*bad_line)(void *ctx, int64_t line, const char *message);
    const char *operator_only; /* NULL, or the one operator lines may name (others are bad) */
    void *ctx;
};
struct hogo_import_result {
    int64_t imported, bad, skipped; /* skipped: lines done by an earlier, interrupted run */
};
/* Loads people (subject, operator, facts, consents, opt-outs) from a .jsonl or .csv file,
 * every value checked; a bad line stores nothing. Resumable: a second run of the same file
 * goes on after the last committed batch. Returns HOGO_EINVAL when a line was bad. */
HOGO_EXTERN int hogo_subject_import(struct hogo_store *st, const char *path,
                                    const struct hogo_import_opts *o,
                                    struct hogo_import_result *res, struct hogo_error *err);
/* The vocabulary check for hogo_store_set_vocabulary_check() is hogo_vocab_check_id()
 * (include/hogo/policy.h). */
/* Writes every subject (operator may be NULL) in the import format; csv nonzero for CSV. */
HOGO_EXTERN int hogo_subject_export(struct hogo_store *st, const char *operator_id, int csv,
                                    FILE *out, struct hogo_error *err);

#ifdef __cplusplus
}
#endif
#endif
