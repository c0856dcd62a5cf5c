/*
 * The person's controls in the privacy center: linked accounts, consents, opt-outs, company
 * blocks and rights requests, under /center/. Each change goes through the same public
 * library call (and so the same audit event) as the command line and the API, on the
 * signed-in person's own subject only. Daemon layer (privacy center), on daemon/web/web.h.
 */
#ifndef HOGOD_CENTER_CONTROLS_H
#define HOGOD_CENTER_CONTROLS_H

#include "center.h"

/* ---- shared (controls.c) ---- */

/* The person's choices (hogo_subject_choices_json) parsed; NULL with the error page set. */
yajl_val ctl_choices(struct hogod_exchange *x);
/* A member of a parsed object of that type, or NULL; a string member, or NULL. */
yajl_val ctl_get(yajl_val v, const char *key, yajl_type type);
const char *ctl_str(yajl_val v, const char *key);
/* The name of a vocabulary id of kind ("purpose", "recipient" (classes too), ...) in the
 * person's language; the id itself when the vocabulary has none. */
const char *ctl_name(struct hogod_exchange *x, const struct hogo_policy *pol, const char *kind,
                     const char *id);
/* Writes the names of comma- or space-separated ids, joined with 、 (ja) or ", " (en). */
void ctl_names(struct hogod_exchange *x, struct web_buf *b, const struct hogo_policy *pol,
               const char *kind, const char *ids);
/* Writes an RFC 3339 UTC time as a <time> in Japan time ("2026-12-07 12:28"). */
void ctl_date(struct web_buf *b, const char *rfc3339);
/* The policy set serving now (release it with hogod_policies_release) and in *pol the
 * person's operator's policy (NULL when not served). */
struct hogod_policies *ctl_policy(struct hogod_exchange *x, const struct hogo_policy **pol);
/* After a change: 303 to `to` with the flash ok_ja/ok_en, or with what was wrong for bad
 * input (nothing changed), or an error page for a failure of the store. */
void ctl_change_done(struct hogod_exchange *x, int rc, const struct hogo_error *err,
                     const char *to, const char *ok_ja, const char *ok_en);
/* A POST form to action with the session's csrf field; a hidden field; the submit button
 * (described_by: an element id, or NULL) that closes the form. */
void ctl_form_begin(struct hogod_exchange *x, struct web_buf *b, const char *action);
void ctl_hidden(struct web_buf *b, const char *name, const char *value);
void ctl_button(struct web_buf *b, const char *label, const char *described_by);
/* The page shell with the center's navigation and the <h1>; a paragraph; in ja or en. */
void ctl_h1(struct hogod_exchange *x, struct web_buf *b, const char *ja, const char *en);
void ctl_p(struct hogod_exchange *x, struct web_buf *b, const char *ja, const char *en);

/* Runs one change of the person's own facts: hogo_subject_add_fact (op 'a'),
 * hogo_subject_remove_fact ('r') or hogo_subject_withdraw ('w', value = the consent id),
 * then ctl_change_done(). */
void ctl_fact_change(struct hogod_exchange *x, int op, const char *fact, const char *value,
                     const char *to, const char *ok_ja, const char *ok_en);

/* Writes "clause N" (ja_fmt/en_fmt with one %s), a link to the clause on the policy page
 * when the center has one. */
void ctl_clause(struct hogod_exchange *x, struct web_buf *b, const char *clause,
                const char *ja_fmt, const char *en_fmt);

/* ---- the pages ---- */

/* GET /center/accounts: linked accounts and what linking means under the policy. */
void center_page_accounts(struct hogod_exchange *x);
/* POST /center/accounts/unlink (account): removes a linked account. */
void center_post_unlink(struct hogod_exchange *x);
/* GET /center/consents: separate consents given, each withdrawable. */
void center_page_consents(struct hogod_exchange *x);
/* POST /center/consents/withdraw (consent): withdraws one (hogo_subject_withdraw). */
void center_post_withdraw(struct hogod_exchange *x);
/* GET /center/opt-outs: mail/DM, ads, ad identifiers and location, per-partner opt-outs. */
void center_page_optouts(struct hogod_exchange *x);
/* POST /center/opt-outs (purpose, change=stop|resume): adds or removes an opt-out. */
void center_post_optout(struct hogod_exchange *x);
/* GET /center/blocks (?q=): company blocks and the company search. */
void center_page_blocks(struct hogod_exchange *x);
/* POST /center/blocks (corporate_number): blocks a company. */
void center_post_block(struct hogod_exchange *x);
/* POST /center/blocks/remove (corporate_number): removes a block. */
void center_post_unblock(struct hogod_exchange *x);
/* GET /center/requests: the person's rights requests and the form to start one. */
void center_page_requests(struct hogod_exchange *x);
/* POST /center/requests (kind, item): opens a request as the person (channel web). */
void center_post_request(struct hogod_exchange *x);
/* GET /center/requests/{request_id}: its state, deadline, history and answer. */
void center_page_request(struct hogod_exchange *x);
/* POST /center/requests/{request_id}/withdraw: withdraws an open request. */
void center_post_request_withdraw(struct hogod_exchange *x);
/* GET /center/requests/{request_id}/package: the disclosure package of a completed
 * disclosure (or provision records) request, as a JSON attachment. */
void center_download_package(struct hogod_exchange *x);

#endif
