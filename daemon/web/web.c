/*
 * The web foundation's hooks into hogod's HTTP side: the daemon's web state (sessions, spent
 * sign-in tokens, the sign-in public key), which routes are web routes, finding and checking
 * the session of a "center" or "console:*" route, parsing and checking a POSTed form (Origin,
 * csrf), the security headers of every web answer, and signing in and out.
 * Daemon layer (web foundation).
 */
#include "web_int.h"

#include <microhttpd.h>
#include <sodium.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CSP "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; " \
            "frame-ancestors 'none'; base-uri 'none'"

int64_t web_now(void)
{
    return (int64_t)time(NULL);
}

int web_init(struct hogod *d, const char *key_file, char *why, size_t whylen)
{
    struct web_state *w = calloc(1, sizeof *w);
    if (!w || web_sessions_new(&w->sessions) || web_jtis_new(&w->jtis)) {
        snprintf(why, whylen, "out of memory");
        if (w) {
            web_sessions_free(w->sessions);
            free(w);
        }
        return -1;
    }
    if (key_file) {
        struct hogo_error err = {0};
        if (hogo_public_key_load(w->signin_pk, key_file, &err)) {
            snprintf(why, whylen,
                     "--signin-key %s: %s (give the public key, FILE.pub of 'hogo key generate "
                     "--signing FILE')",
                     key_file, err.message);
            web_jtis_free(w->jtis);
            web_sessions_free(w->sessions);
            free(w);
            return -1;
        }
        w->has_signin_key = true;
    }
    d->web = w;
    return 0;
}

void web_free(struct hogod *d)
{
    if (!d->web)
        return;
    web_sessions_free(d->web->sessions);
    web_jtis_free(d->web->jtis);
    sodium_memzero(d->web, sizeof *d->web);
    free(d->web);
    d->web = NULL;
}

bool web_scope(const char *scope)
{
    return !strcmp(scope, "web") || !strcmp(scope, "center") || !strncmp(scope, "console:", 8);
}

bool web_path(const char *url)
{
    return !strncmp(url, "/center/", 8) || !strcmp(url, "/center") ||
           !strncmp(url, "/console/", 9) || !strcmp(url, "/console");
}

struct web_exchange *web_part(struct hogod_exchange *x)
{
    if (!x->web)
        x->web = calloc(1, sizeof *x->web);
    return x->web;
}

void web_exchange_free(struct hogod_exchange *x)
{
    struct web_exchange *w = x->web;
    if (!w)
        return;
    for (int i = 0; i < w->nfields; i++) {
        free(w->fields[i].name);
        free(w->fields[i].value);
    }
    sodium_memzero(w, sizeof *w);
    free(w);
    x->web = NULL;
}

const struct web_session *web_session(struct hogod_exchange *x)
{
    return x->web && x->web->has_session ? &x->web->session : NULL;
}

const char *web_lang(struct hogod_exchange *x)
{
    if (x->web && x->web->has_session)
        return x->web->session.lang;
    if (x->web && x->web->lang[0])
        return x->web->lang;
    return "ja";
}

void web_set_lang(struct hogod_exchange *x, const char *lang)
{
    struct web_exchange *w = web_part(x);
    if (!w)
        return;
    const char *l = lang && !strcmp(lang, "en") ? "en" : "ja";
    snprintf(w->lang, sizeof w->lang, "%s", l);
    if (w->has_session) {
        snprintf(w->session.lang, sizeof w->session.lang, "%s", l);
        web_sessions_set_lang(x->d->web->sessions, w->session_id, l);
    }
}

/* The session cookie's name and path for a kind. */
static const char *cookie_name(enum web_kind k)
{
    return k == WEB_OFFICER ? "hogo_console" : "hogo_center";
}
static const char *cookie_path(enum web_kind k)
{
    return k == WEB_OFFICER ? "/console/" : "/center/";
}

bool web_begin(struct hogod_exchange *x, const char *url)
{
    struct web_exchange *w = web_part(x);
    if (!w) {
        hogod_problem(x, 500, NULL, "out of memory");
        return false;
    }
    snprintf(w->path, sizeof w->path, "%s", url);
    const char *lang = hogod_query(x, "lang");
    if (lang && (!strcmp(lang, "en") || !strcmp(lang, "ja")))
        snprintf(w->lang, sizeof w->lang, "%s", lang);
    return true;
}

bool web_begin_session(struct hogod_exchange *x)
{
    struct web_exchange *w = web_part(x);
    if (!w) {
        hogod_problem(x, 500, NULL, "out of memory");
        return false;
    }
    const char *scope = x->route->scope;
    enum web_kind kind;
    enum web_role need = WEB_ROLE_NONE;
    if (!strcmp(scope, "center")) {
        kind = WEB_PERSON;
    } else if (!strncmp(scope, "console:", 8)) {
        kind = WEB_OFFICER;
        need = web_role_parse(scope + 8);
    } else {
        return true; /* "web": no session needed */
    }
    const char *id = MHD_lookup_connection_value(x->connection, MHD_COOKIE_KIND,
                                                 cookie_name(kind));
    struct web_session s;
    if (!id || web_sessions_find(x->d->web->sessions, id, web_now(), &s) || s.kind != kind) {
        hogod_problem(x, 401, NULL, "%s",
                      kind == WEB_PERSON
                          ? web_t(x, "error.signin_person")
                          : web_t(x, "error.signin_officer"));
        return false;
    }
    w->session = s;
    w->has_session = true;
    snprintf(w->session_id, sizeof w->session_id, "%s", id);
    if (w->lang[0] && strcmp(w->lang, s.lang))
        web_set_lang(x, w->lang);
    if (kind == WEB_OFFICER && s.role < need) {
        hogod_problem(x, 403, NULL, "%s%s", web_t(x, "error.role"), web_role_name(need));
        return false;
    }
    return true;
}

/* The post processor's iterator: each field (or a further piece of one) into the form. */
static enum MHD_Result field_cb(void *cls, enum MHD_ValueKind kind, const char *key,
                                const char *filename, const char *content_type,
                                const char *transfer_encoding, const char *data, uint64_t off,
                                size_t size)
{
    (void)kind;
    (void)filename;
    (void)content_type;
    (void)transfer_encoding;
    struct web_exchange *w = cls;
    struct web_field *f = NULL;
    if (off > 0 && w->nfields && !strcmp(w->fields[w->nfields - 1].name, key)) {
        f = &w->fields[w->nfields - 1];
    } else {
        if (w->nfields == WEB_FORM_MAX_FIELDS) {
            w->form_failed = true;
            return MHD_NO;
        }
        f = &w->fields[w->nfields];
        f->name = strdup(key);
        f->value = calloc(1, 1);
        f->len = 0;
        if (!f->name || !f->value) {
            free(f->name);
            free(f->value);
            w->form_failed = true;
            return MHD_NO;
        }
        w->nfields++;
    }
    char *v = realloc(f->value, f->len + size + 1);
    if (!v) {
        w->form_failed = true;
        return MHD_NO;
    }
    memcpy(v + f->len, data, size);
    f->len += size;
    v[f->len] = '\0';
    f->value = v;
    return MHD_YES;
}

bool web_before_handler(struct hogod_exchange *x)
{
    struct web_exchange *w = web_part(x);
    if (!w) {
        hogod_problem(x, 500, NULL, "out of memory");
        return false;
    }
    if (strcmp(x->method, "POST"))
        return true;
    /* a browser's cross-site request is refused before its form is read */
    const char *origin = MHD_lookup_connection_value(x->connection, MHD_HEADER_KIND, "Origin");
    const char *host = MHD_lookup_connection_value(x->connection, MHD_HEADER_KIND,
                                                   MHD_HTTP_HEADER_HOST);
    const char *site = MHD_lookup_connection_value(x->connection, MHD_HEADER_KIND,
                                                   "Sec-Fetch-Site");
    /* Referrer-Policy: no-referrer makes a browser send "Origin: null" with every POST; such
       a request must then say it comes from this site's own page (Sec-Fetch-Site) */
    bool null_origin = origin && !strcmp(origin, "null");
    bool origin_ok = null_origin ? site && !strcmp(site, "same-origin")
                                 : web_origin_ok(origin, host, x->d->cfg->tls_cert != NULL);
    if (!origin_ok || (site && strcmp(site, "same-origin"))) {
        hogod_problem(x, 403, NULL, "%s", web_t(x, "error.origin"));
        return false;
    }
    if (x->body_len) {
        struct MHD_PostProcessor *pp = MHD_create_post_processor(x->connection, 4096, field_cb,
                                                                 w);
        if (!pp) {
            hogod_problem(x, 415, NULL, "%s", web_t(x, "error.form_type"));
            return false;
        }
        enum MHD_Result ok = MHD_post_process(pp, x->body, x->body_len);
        MHD_destroy_post_processor(pp);
        if (ok != MHD_YES || w->form_failed) {
            hogod_problem(x, 400, NULL, "%s", web_t(x, "error.form"));
            return false;
        }
    }
    if (w->has_session && !web_csrf_equal(w->session.csrf, web_form(x, "csrf"))) {
        hogod_problem(x, 403, NULL, "%s", web_t(x, "error.csrf"));
        return false;
    }
    return true;
}

const char *web_form_nth(struct hogod_exchange *x, const char *name, int i)
{
    struct web_exchange *w = x->web;
    if (!w)
        return NULL;
    for (int k = 0; k < w->nfields; k++)
        if (!strcmp(w->fields[k].name, name) && i-- == 0)
            return w->fields[k].value;
    return NULL;
}

const char *web_form(struct hogod_exchange *x, const char *name)
{
    return web_form_nth(x, name, 0);
}

void web_csrf_field(struct hogod_exchange *x, struct web_buf *b)
{
    const struct web_session *s = web_session(x);
    web_raw(b, "<input type=\"hidden\" name=\"csrf\"");
    web_attr(b, "value", s ? s->csrf : "");
    web_raw(b, ">");
}

void web_add_headers(struct hogod_exchange *x, void *response)
{
    struct MHD_Response *r = response;
    MHD_add_response_header(r, "Content-Security-Policy", CSP);
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(r, "Cache-Control", "no-store");
    MHD_add_response_header(r, "X-Frame-Options", "DENY");
    if (x->web && x->web->set_cookie[0])
        MHD_add_response_header(r, MHD_HTTP_HEADER_SET_COOKIE, x->web->set_cookie);
}

void web_sign_in(struct hogod_exchange *x, const struct web_session *given, const char *to)
{
    struct web_exchange *w = web_part(x);
    if (!w) {
        hogod_problem(x, 500, NULL, "out of memory");
        return;
    }
    struct web_session s = *given;
    if (!s.lang[0])
        snprintf(s.lang, sizeof s.lang, "%s", w->lang[0] ? w->lang : "ja");
    char id[WEB_TOKEN_CHARS + 1];
    if (web_sessions_create(x->d->web->sessions, &s, web_now(), id)) {
        hogod_problem(x, 500, NULL, "out of memory");
        return;
    }
    w->session = s;
    w->has_session = true;
    snprintf(w->session_id, sizeof w->session_id, "%s", id);
    web_cookie_format(w->set_cookie, sizeof w->set_cookie, cookie_name(s.kind), id,
                      cookie_path(s.kind), WEB_SESSION_MAX_SECONDS, x->d->cfg->tls_cert != NULL);
    sodium_memzero(id, sizeof id);
    web_redirect(x, to, NULL);
}

void web_sign_out(struct hogod_exchange *x, const char *to)
{
    struct web_exchange *w = web_part(x);
    if (!w || !w->has_session) {
        web_redirect(x, to, NULL);
        return;
    }
    web_sessions_delete(x->d->web->sessions, w->session_id);
    web_cookie_format(w->set_cookie, sizeof w->set_cookie, cookie_name(w->session.kind), "",
                      cookie_path(w->session.kind), 0, x->d->cfg->tls_cert != NULL);
    w->has_session = false;
    web_redirect(x, to, NULL);
}
