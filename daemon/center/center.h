/*
 * The privacy center: the pages a person of an operator sees under /center/ (what is held
 * about them, whom it was provided to, the policy and what it means for them). Every page reads
 * only the signed-in person's own subject, through the public library calls. Daemon layer,
 * on the web foundation (daemon/web/web.h).
 */
#ifndef HOGOD_CENTER_H
#define HOGOD_CENTER_H

#include "../web/web.h"

/* The center's navigation (the shell's <nav>) and its message table (ja/en). */
extern const struct web_nav center_nav[];
extern const struct web_message center_messages[];

/* A center message in the person's language (center_messages, then the foundation's). */
const char *center_t(struct hogod_exchange *x, const char *key);

/* ---- shared by the pages (common.c) ---- */

/* What center_read() reads about the signed-in person. */
enum center_read {
    CENTER_SHOW,       /* hogo_subject_show_json: facts, consents, data items without values */
    CENTER_DISCLOSE,   /* hogo_subject_disclose_json: with values and records (audited) */
    CENTER_PROVISIONS, /* hogo_ledger_export of the person's provision records (Art. 29) */
};
/* The signed-in person's record, parsed (free with yajl_tree_free); NULL when the answer is
 * already an error page. */
yajl_val center_read(struct hogod_exchange *x, enum center_read what);
/* A member of an object of that type, or NULL. */
yajl_val center_get(yajl_val v, const char *name, yajl_type type);
/* The name of a vocabulary id of kind ("data_category", "purpose", "service", "recipient",
 * "linkable_account", "subject_fact") in the person's language; the id itself when unknown.
 * The text lives until the thread's next call. */
const char *center_name(struct hogod_exchange *x, const char *kind, const char *id);
/* A UTC time "YYYY-MM-DDTHH:MM:SSZ" as a date and time in Japan, in the person's language. */
void center_when(struct hogod_exchange *x, const char *iso, char *out, size_t size);
/* The vocabulary kind of the ids an array fact holds (opt_outs: purpose, ...), or NULL. */
const char *center_fact_kind(const char *fact);
/* Writes the names of an array of ids, separated; "none" when empty. */
void center_list_names(struct hogod_exchange *x, struct web_buf *b, yajl_val arr,
                       const char *kind);
/* True when the array holds the string id. */
bool center_has(yajl_val arr, const char *id);
/* Writes <tag>text</tag> (tag a literal such as "h2"). */
void center_heading(struct web_buf *b, const char *tag, const char *text);

/* ---- the pages ---- */

/* GET /center/: the overview. */
void center_page_overview(struct hogod_exchange *x);
/* GET /center/held: what is held, by category, with provenance (?values=1: with values). */
void center_page_held(struct hogod_exchange *x);
/* GET /center/provided: whom the person's data was provided to and when (APPI Art. 33(5)). */
void center_page_provided(struct hogod_exchange *x);
/* GET /center/policy: the policy by clause, and what each purpose means for this person. */
void center_page_policy(struct hogod_exchange *x);
/* GET /center/signed-out: the page after signing out (no session). */
void center_page_signed_out(struct hogod_exchange *x);

#endif
