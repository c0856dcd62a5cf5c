/*
 * The web foundation of hogod: what every HTML page of the privacy center (/center/) and the
 * privacy office's console (/console/) is written with. HTML writing with escaping, the page
 * shell (lang, title, skip link, header/nav/main, flash message, language switch, the one
 * stylesheet), the ja/en message catalogue, server-side sessions with CSRF tokens and their
 * cookies, urlencoded forms (libmicrohttpd's post processor), POST-redirect-GET and HTML
 * error pages, and the security headers on every web answer. Daemon layer: pages include this
 * header, daemon/hogod.h and the public hogo/ headers only.
 *
 * A page, in short:
 *
 *     void center_page_overview(struct hogod_exchange *x)      // a route handler, as any
 *     {                                                         // route of daemon/routes.c
 *         const struct web_session *s = web_session(x);        // operator, subject, lang
 *         struct web_buf b = {0};
 *         web_page_begin(x, &b, web_t(x, "center.overview"), center_nav);
 *         web_raw(&b, "<h1>");  web_text(&b, web_t(x, "center.overview"));  web_raw(&b, "</h1>");
 *         web_page_end(x, &b);                                  // 200 text/html, b taken
 *     }
 *     void center_post_x(struct hogod_exchange *x)              // POST: CSRF already checked
 *     {
 *         const char *v = web_form(x, "purpose");               // NULL when absent
 *         ... the library call ...
 *         web_redirect(x, "/center/choices", web_t(x, "flash.saved"));   // 303 + flash
 *     }
 *
 * Route table scopes (daemon/routes.c): "web" (no session), "center" (a person's session,
 * cookie hogo_center), "console:viewer|handler|admin" (an officer's session of at least that
 * role, cookie hogo_console). Before a handler of a "center"/"console:*" route runs, the
 * session has been found and checked (401 page without one, 403 for a too-low role); before a
 * POST handler of any web scope runs, the form has been parsed and the Origin checked, and for
 * session scopes the csrf field compared (403 page when wrong or missing).
 */
#ifndef HOGOD_WEB_H
#define HOGOD_WEB_H

#include "../hogod.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- limits and timings ---- */

#define WEB_SESSION_IDLE_SECONDS (15 * 60)        /* a session unused this long ends */
#define WEB_SESSION_MAX_SECONDS (8 * 60 * 60)     /* and every session ends this long after
                                                     its sign-in */
#define WEB_SESSIONS_MAX 100000                    /* sessions held at most (oldest dropped) */
#define WEB_TOKEN_CHARS 43                         /* 32 random bytes, base64url, no padding */
#define WEB_FORM_MAX_FIELDS 64                     /* fields of one form at most */

/* ---- a growable output buffer (html.c) ---- */

/* Text being written; zero-initialise. After an allocation failure `failed` is set, later
 * writes do nothing and the page answers 500. */
struct web_buf {
    char *data;
    size_t len, cap;
    bool failed;
};

/* Appends n bytes as they are (trusted markup). */
void web_raw_n(struct web_buf *b, const char *s, size_t n);
/* Appends s as it is: literal markup written in the program, never data. */
void web_raw(struct web_buf *b, const char *s);
/* Appends printf-formatted markup; the arguments must be trusted (numbers, fixed ids). */
void web_rawf(struct web_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends s with & < > " ' escaped: safe as element text and inside a quoted attribute. NULL
 * writes nothing. Invalid UTF-8 bytes are written as U+FFFD, control characters dropped. */
void web_text(struct web_buf *b, const char *s);
/* web_text of the printf-formatted text (the whole result is escaped). */
void web_textf(struct web_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends ` name="value"` with value escaped (name must be a literal). */
void web_attr(struct web_buf *b, const char *name, const char *value);
/* Appends s percent-encoded for a URL query value or path segment (unreserved kept). */
void web_url(struct web_buf *b, const char *s);
/* Frees the buffer's text. */
void web_buf_free(struct web_buf *b);

/* ---- the message catalogue (messages.c) ---- */

/* One message in Japanese and English. A page module keeps its own table, ending {NULL}. */
struct web_message {
    const char *key, *ja, *en;
};
/* The foundation's shared messages (shell, errors, flash), ending {NULL}. */
extern const struct web_message web_messages[];
/* The message key in the exchange's language from the foundation's table; the key itself
 * when unknown (a unit test holds every table complete). */
const char *web_t(struct hogod_exchange *x, const char *key);
/* The same from a page module's own table (then the foundation's). */
const char *web_tt(struct hogod_exchange *x, const struct web_message *table, const char *key);
/* The text for lang ("ja" or "en") of key in table, or NULL; for tests and catalogues. */
const char *web_message_lookup(const struct web_message *table, const char *lang,
                               const char *key);
/* ja or en by the exchange's language: for one-off texts beside a page's table. */
const char *web_l(struct hogod_exchange *x, const char *ja, const char *en);

/* ---- sessions (session.c) ---- */

enum web_kind { WEB_PERSON = 1, WEB_OFFICER = 2 };
enum web_role { WEB_ROLE_NONE = 0, WEB_ROLE_VIEWER = 1, WEB_ROLE_HANDLER = 2,
                WEB_ROLE_ADMIN = 3 };

/* A signed-in person or officer, as a page reads it (a copy taken for the request). */
struct web_session {
    enum web_kind kind;
    char operator_id[64];   /* every page reads and writes only this operator's data */
    char subject_id[128];   /* WEB_PERSON: the person; only their own data */
    char officer[128];      /* WEB_OFFICER: the officer's name */
    enum web_role role;     /* WEB_OFFICER: the role */
    char lang[3];           /* "ja" (default) or "en" */
    char csrf[WEB_TOKEN_CHARS + 1]; /* the form token (web_csrf_field writes it) */
    int64_t created, last_seen;     /* unix seconds */
};

/* The session of the exchange (NULL on a "web" route without one). */
const struct web_session *web_session(struct hogod_exchange *x);
/* The exchange's language: the session's, else ?lang=, else "ja". */
const char *web_lang(struct hogod_exchange *x);
/* The role named ("viewer", "handler", "admin"), WEB_ROLE_NONE for another word. */
enum web_role web_role_parse(const char *name);
const char *web_role_name(enum web_role role);

/* Starts a session for s (kind, operator, subject or officer and role, lang; the rest is
 * filled in), sets its cookie on the answer, and redirects (303) to `to`. On failure an
 * error page is answered. */
void web_sign_in(struct hogod_exchange *x, const struct web_session *s, const char *to);
/* Ends the exchange's session (cookie cleared) and redirects (303) to `to`. */
void web_sign_out(struct hogod_exchange *x, const char *to);
/* Sets the session's language ("ja" or "en"); pages call it for ?lang= (the shell does). */
void web_set_lang(struct hogod_exchange *x, const char *lang);

/* The session table itself, with an explicit clock, for hogod and the unit tests. */
struct web_sessions;
int web_sessions_new(struct web_sessions **out);
void web_sessions_free(struct web_sessions *t);
/* Creates a session from s at now; writes its id (the cookie value) and fills s->csrf,
 * s->created and s->last_seen. Only the id's BLAKE2b hash is kept. 0 or HOGO_ENOMEM. */
int web_sessions_create(struct web_sessions *t, struct web_session *s, int64_t now,
                        char id[WEB_TOKEN_CHARS + 1]);
/* Finds the session of id at now (touching it): 0 with *out, HOGO_ENOTFOUND when unknown,
 * idle too long or past its absolute life (an expired one is deleted). */
int web_sessions_find(struct web_sessions *t, const char *id, int64_t now,
                      struct web_session *out);
/* Deletes the session of id; 0 or HOGO_ENOTFOUND. */
int web_sessions_delete(struct web_sessions *t, const char *id);
/* Sets a session's language or its flash message (shown once by the next page). */
int web_sessions_set_lang(struct web_sessions *t, const char *id, const char *lang);
int web_sessions_set_flash(struct web_sessions *t, const char *id, const char *flash);
/* Takes the flash message (cleared in the table) into buf; "" when none. */
void web_sessions_take_flash(struct web_sessions *t, const char *id, char *buf, size_t size);
/* How many sessions are held. */
size_t web_sessions_count(struct web_sessions *t);

/* True when the given token equals the session's, compared in constant time
 * (sodium_memcmp); false for NULL or a token of another length. */
bool web_csrf_equal(const char *expected, const char *given);
/* Writes the Set-Cookie value for cookie name = value: HttpOnly; SameSite=Strict; Path=path;
 * Max-Age=max_age (0: deletes it); Secure when secure. */
void web_cookie_format(char *out, size_t size, const char *name, const char *value,
                       const char *path, long max_age, bool secure);
/* True when the Origin header (NULL: absent, accepted) names this server: scheme, host and
 * port equal to host (the Host header) under https or http. ("null", which browsers send
 * under Referrer-Policy: no-referrer, is false here; a POST is then taken only with
 * Sec-Fetch-Site: same-origin, and any other Sec-Fetch-Site is refused.) */
bool web_origin_ok(const char *origin, const char *host, bool tls);

/* ---- sign-in tokens and their single use (signin.c) ---- */

/* Checks a sign-in token (hogo/signin.h) against hogod's public key, for kind, and spends its
 * jti (a token is good once, until its expiry). 0 with *claims; else the answer is set (an
 * error page saying why) and nonzero returned. 503 page when hogod has no --signin-key. */
struct hogo_signin_claims;
int web_signin_check(struct hogod_exchange *x, const char *token, const char *kind,
                     struct hogo_signin_claims *claims);

/* ---- forms (form.c) ---- */

/* A field of the POSTed form (urlencoded, parsed with libmicrohttpd's post processor);
 * NULL when absent. Repeated fields: the first. */
const char *web_form(struct hogod_exchange *x, const char *name);
/* The i-th value of a repeated field (0, 1, ...); NULL past the last. */
const char *web_form_nth(struct hogod_exchange *x, const char *name, int i);
/* Writes the hidden csrf field of the session: put it in every POST form. */
void web_csrf_field(struct hogod_exchange *x, struct web_buf *b);

/* ---- pages and answers (page.c) ---- */

/* One navigation link of a page area. An area keeps a table ending {NULL}. */
struct web_nav {
    const char *href;    /* "/center/held" */
    const char *ja, *en; /* its label */
};

/* Writes the page shell up to the start of <main>: doctype, <html lang>, <title> (title, then
 * the area's name), the stylesheet, the skip link, <header> with the area's name, the
 * signed-in name and sign-out, the language switch, <nav> with nav (the current page marked
 * aria-current), then <main id="main"> with the flash message (role="status") if any.
 * nav may be NULL (sign-in and error pages). */
void web_page_begin(struct hogod_exchange *x, struct web_buf *b, const char *title,
                    const struct web_nav *nav);
/* Closes <main>, writes the footer, and answers 200 text/html with b's text (taken). */
void web_page_end(struct hogod_exchange *x, struct web_buf *b);
/* Same with another status (e.g. 422 for a form sent back with its errors). */
void web_page_end_status(struct hogod_exchange *x, struct web_buf *b, int status);
/* Answers 303 See Other to `to` (a local path), keeping flash (may be NULL) for the next
 * page of the session. */
void web_redirect(struct hogod_exchange *x, const char *to, const char *flash);
/* Answers an HTML error page with status (403, 404, ...) and a sentence saying what happened
 * and what to do. */
void web_error_page(struct hogod_exchange *x, int status, const char *message);
/* A library error as an error page: HOGO_ENOTFOUND 404, HOGO_EINVAL 400, others 500. */
void web_error_from(struct hogod_exchange *x, int code, const struct hogo_error *err);

/* ---- the foundation's routes ---- */

/* GET /center|console/static/hogo.css: the stylesheet (style.c, bytes of daemon/web/hogo.css). */
void web_route_stylesheet(struct hogod_exchange *x);
/* GET /center/signin?token=: a person's token (kind person) starts a session; 303 /center/. */
void web_route_center_signin(struct hogod_exchange *x);
/* GET /console/signin?token=: an officer's token (kind officer). */
void web_route_console_signin_token(struct hogod_exchange *x);
/* POST /center/signout, POST /console/signout: ends the session. */
void web_route_signout(struct hogod_exchange *x);

/* ---- hooks called by http.c and main.c ---- */

struct web_state; /* per-daemon: sessions, spent token ids, the sign-in public key */
/* Makes the daemon's web state; key_file: the sign-in public key (NULL: sign-in answers
 * 503). 0, or nonzero with why. */
int web_init(struct hogod *d, const char *key_file, char *why, size_t whylen);
void web_free(struct hogod *d);
/* True when the route's scope is one of the web scopes. */
bool web_scope(const char *scope);
/* True when url is under /center/ or /console/ (its errors are HTML pages). */
bool web_path(const char *url);
/* For a web route or path (url), first: the path and ?lang= kept. False when out of memory
 * (the answer set). */
bool web_begin(struct hogod_exchange *x, const char *url);
/* For a matched web route, before the body is read: the session of a session scope found and
 * its kind and role checked (401/403 page when missing or too weak). False when the answer
 * is set. */
bool web_begin_session(struct hogod_exchange *x);
/* For a web route, after the body is read and before the handler: a POST's form parsed, its
 * Origin and (session scopes) csrf checked. False when the answer is set (403 page). */
bool web_before_handler(struct hogod_exchange *x);
/* Adds the security headers (and Set-Cookie) of a web answer to the response. */
void web_add_headers(struct hogod_exchange *x, void *mhd_response);
/* Frees the exchange's web part. */
void web_exchange_free(struct hogod_exchange *x);

#endif
