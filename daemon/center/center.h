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

/* GET /center/: the overview. */
void center_page_overview(struct hogod_exchange *x);
/* GET /center/signed-out: the page after signing out (no session). */
void center_page_signed_out(struct hogod_exchange *x);

#endif
