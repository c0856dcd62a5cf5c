/*
 * The privacy office's console (/console/): signing in (password or a sign-in token of kind
 * officer), the home page, the rights-request queue with its statutory deadlines and every
 * action of the workflow, breach incidents with their reporting deadlines, and the officer
 * accounts (admins). Every page reads and writes only the signed-in officer's operator; another
 * operator's request or incident answers 404 as one that does not exist. Every change goes
 * through the same library call (hogo_dsr_*, hogo_breach_*, hogo_officer_*) and audit event as
 * the CLI and the API, with the actor "officer:NAME". Daemon layer, on the web foundation
 * (daemon/web/web.h); the ledger, audit, policy and explorer pages keep their own files.
 */
#ifndef HOGOD_CONSOLE_H
#define HOGOD_CONSOLE_H

#include "../web/web.h"

#include <hogo/hogo.h>

#include <yajl/yajl_tree.h>

/* The console's navigation. */
extern const struct web_nav console_nav[];

/* GET /console/signin: with ?token= a sign-in token of kind officer starts a session;
 * without, the password form. */
void console_page_signin(struct hogod_exchange *x);
/* POST /console/signin: name and password (failures slowed, logged and audited). */
void console_signin_password(struct hogod_exchange *x);
/* GET /console/: the home page: what waits, what is overdue, the next breach deadline. */
void console_page_home(struct hogod_exchange *x);

/* GET /console/requests: the queue of the operator's rights requests, overdue first
 * (?show=closed: the closed ones). */
void console_page_requests(struct hogod_exchange *x);
/* GET /console/requests/{request_id}: one request, its history and the actions its state
 * allows. */
void console_page_request(struct hogod_exchange *x);
/* POST /console/requests/{request_id}/verify|start|complete|refuse|withdraw: one action. */
void console_request_verify(struct hogod_exchange *x);
void console_request_start(struct hogod_exchange *x);
void console_request_complete(struct hogod_exchange *x);
void console_request_refuse(struct hogod_exchange *x);
void console_request_withdraw(struct hogod_exchange *x);

/* GET /console/breaches: the operator's incidents with their deadlines, and the form to
 * record one; POST /console/breaches records it. */
void console_page_breaches(struct hogod_exchange *x);
void console_breach_open(struct hogod_exchange *x);
/* GET /console/breaches/{breach_id}: one incident; POST .../affected|assess|report. */
void console_page_breach(struct hogod_exchange *x);
void console_breach_affected(struct hogod_exchange *x);
void console_breach_assess(struct hogod_exchange *x);
void console_breach_report(struct hogod_exchange *x);

/* GET /console/officers (admins): the operator's officers; POST /console/officers adds one;
 * POST /console/officers/{name}/role|disable|enable|password changes one. */
void console_page_officers(struct hogod_exchange *x);
void console_officer_add(struct hogod_exchange *x);
void console_officer_role(struct hogod_exchange *x);
void console_officer_disable(struct hogod_exchange *x);
void console_officer_enable(struct hogod_exchange *x);
void console_officer_password(struct hogod_exchange *x);

/* ---- shared by the console's files (console.c) ---- */

/* The audit actor of the signed-in officer: "officer:NAME". */
void console_actor(struct hogod_exchange *x, char out[160]);
/* Writes an RFC 3339 UTC time ("2026-04-06T01:02:03Z") as JST "2026-04-06 10:02"; a date
 * alone as it is; NULL or "" as "—". */
void console_time(struct web_buf *b, const char *rfc3339);
/* Days from today (JST) to the date/time s (negative: past); 0 when s is not a date. */
int console_days_until(const char *s);
/* The Japanese / English name of a request kind, state, verification method, refusal ground
 * or breach report stage; the id itself when unknown. */
const char *console_kind_name(struct hogod_exchange *x, const char *kind);
const char *console_state_name(struct hogod_exchange *x, const char *state);
const char *console_method_name(struct hogod_exchange *x, const char *method);
/* A table header cell <th scope="col">text</th>. */
void console_th(struct web_buf *b, const char *text);

/* The string member name of object v ("" when absent or not a string). */
const char *console_str_at(yajl_val v, const char *name);

/* One kind of the workflow's records (a rights request, an incident) as the console reads it:
 * who owns one, its JSON, and what a missing one is called ("request", "incident"). */
struct console_record_kind {
    int (*owner)(struct hogo_store *st, const char *id, char op[64], struct hogo_error *err);
    int (*show)(struct hogo_store *st, const char *id, char **json, struct hogo_error *err);
    const char *what;
    const char *base; /* "/console/requests/": where its pages and forms are */
};
/* HOGO_ENOTFOUND ("WHAT 'id' not found") unless record id of kind k belongs to operator op. */
int console_own(struct hogo_store *st, const struct console_record_kind *k, const char *op,
                const char *id, struct hogo_error *err);
/* The record x->params[0] of kind k, owned by the session's operator, parsed (free with
 * yajl_tree_free); NULL after the error page was answered (404 for another's). */
yajl_val console_record(struct hogod_exchange *x, const struct console_record_kind *k);
/* Opens a POST form to BASE/id/action of kind k, with the CSRF field. */
void console_form_start(struct hogod_exchange *x, struct web_buf *b,
                        const struct console_record_kind *k, const char *id,
                        const char *action);

#endif
