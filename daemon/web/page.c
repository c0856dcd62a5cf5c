/*
 * The page shell of hogod's web pages and their answers: the document around every page
 * (lang, title, the one stylesheet, skip link, header with the signed-in name, sign-out and
 * the language switch, navigation, the flash message, footer), 303 redirects with a flash
 * message (POST-redirect-GET), and HTML error pages. Daemon layer (web foundation).
 */
#include "web_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Which area a path belongs to: the console or the privacy center. */
static bool is_console(struct hogod_exchange *x)
{
    const char *p = x->web ? x->web->path : "";
    return !strncmp(p, "/console", 8);
}

/* The operator's name (Japanese) from the policy of its id, or the id itself. */
static void operator_name(struct hogod_exchange *x, const char *id, char *out, size_t size)
{
    snprintf(out, size, "%s", id);
    struct hogod_policies *ps = hogod_policies_get(x->d);
    if (!ps)
        return;
    const struct hogo_policy *p = hogod_policy_find(ps, id);
    if (p && hogo_policy_operator(p) && *hogo_policy_operator(p))
        snprintf(out, size, "%s", hogo_policy_operator(p));
    hogod_policies_release(ps);
}

void web_page_begin(struct hogod_exchange *x, struct web_buf *b, const char *title,
                    const struct web_nav *nav)
{
    struct web_exchange *w = web_part(x);
    const struct web_session *s = web_session(x);
    bool console = is_console(x);
    const char *area = web_t(x, console ? "area.console" : "area.center");
    const char *base = console ? "/console/" : "/center/";
    const char *lang = web_lang(x);
    web_raw(b, "<!DOCTYPE html>\n<html");
    web_attr(b, "lang", lang);
    web_raw(b, ">\n<head>\n<meta charset=\"utf-8\">\n"
               "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
               "<title>");
    web_text(b, title);
    web_raw(b, " — ");
    web_text(b, area);
    web_raw(b, "</title>\n<link rel=\"stylesheet\"");
    web_attr(b, "href", console ? "/console/static/hogo.css" : "/center/static/hogo.css");
    web_raw(b, ">\n</head>\n<body>\n<a class=\"skip\" href=\"#main\">");
    web_text(b, web_t(x, "shell.skip"));
    web_raw(b, "</a>\n<header class=\"site\">\n<div class=\"bar\">\n<p class=\"area\"><a");
    web_attr(b, "href", base);
    web_raw(b, ">");
    web_text(b, area);
    web_raw(b, "</a></p>\n");
    if (s) {
        char op[256];
        operator_name(x, s->operator_id, op, sizeof op);
        web_raw(b, "<p class=\"who\">");
        web_text(b, op);
        web_raw(b, "<br><span class=\"muted\">");
        if (s->kind == WEB_OFFICER)
            web_textf(b, "%s: %s (%s)", web_t(x, "shell.officer"), s->officer,
                      web_t(x, s->role == WEB_ROLE_ADMIN     ? "role.admin"
                               : s->role == WEB_ROLE_HANDLER ? "role.handler"
                                                             : "role.viewer"));
        else
            web_textf(b, "%s: %s", web_t(x, "shell.member"), s->subject_id);
        web_raw(b, "</span></p>\n<form class=\"signout\" method=\"post\"");
        web_attr(b, "action", console ? "/console/signout" : "/center/signout");
        web_raw(b, ">");
        web_csrf_field(x, b);
        web_raw(b, "<button type=\"submit\">");
        web_text(b, web_t(x, "shell.signout"));
        web_raw(b, "</button></form>\n");
    }
    /* the language switch: the same page in the other language */
    bool en = !strcmp(lang, "en");
    web_raw(b, "<p class=\"lang\"><a");
    char href[600];
    snprintf(href, sizeof href, "%s?lang=%s", w && w->path[0] ? w->path : base,
             en ? "ja" : "en");
    web_attr(b, "href", href);
    web_attr(b, "lang", en ? "ja" : "en");
    web_attr(b, "hreflang", en ? "ja" : "en");
    web_raw(b, ">");
    web_text(b, en ? "日本語" : "English");
    web_raw(b, "</a></p>\n</div>\n");
    if (nav) {
        web_raw(b, "<nav");
        web_attr(b, "aria-label", web_t(x, "shell.nav"));
        web_raw(b, ">\n<ul>\n");
        for (const struct web_nav *n = nav; n->href; n++) {
            web_raw(b, "<li><a");
            web_attr(b, "href", n->href);
            if (w && !strcmp(w->path, n->href))
                web_raw(b, " aria-current=\"page\"");
            web_raw(b, ">");
            web_text(b, en ? n->en : n->ja);
            web_raw(b, "</a></li>\n");
        }
        web_raw(b, "</ul>\n</nav>\n");
    }
    web_raw(b, "</header>\n<main id=\"main\" tabindex=\"-1\">\n");
    if (s && w) {
        char flash[512];
        web_sessions_take_flash(x->d->web->sessions, w->session_id, flash, sizeof flash);
        if (flash[0]) {
            web_raw(b, "<p class=\"flash\" role=\"status\">");
            web_text(b, flash);
            web_raw(b, "</p>\n");
        }
    }
}

void web_page_end_status(struct hogod_exchange *x, struct web_buf *b, int status)
{
    web_raw(b, "</main>\n<footer class=\"site\"><p>");
    web_text(b, web_t(x, is_console(x) ? "shell.footer_console" : "shell.footer_center"));
    web_raw(b, "</p></footer>\n</body>\n</html>\n");
    if (b->failed) {
        web_buf_free(b);
        struct web_buf e = {0};
        web_raw(&e, "<!DOCTYPE html><html lang=\"en\"><title>500</title><p>out of memory</p>");
        *b = e;
        status = 500;
    }
    hogod_reply_json_take(x, b->data ? status : 500, b->data, b->len);
    x->content_type = "text/html; charset=utf-8";
    b->data = NULL;
    b->len = b->cap = 0;
}

void web_page_end(struct hogod_exchange *x, struct web_buf *b)
{
    web_page_end_status(x, b, 200);
}

void web_redirect(struct hogod_exchange *x, const char *to, const char *flash)
{
    struct web_exchange *w = web_part(x);
    if (flash && w && w->has_session)
        web_sessions_set_flash(x->d->web->sessions, w->session_id, flash);
    /* only a local path: never a redirect to another site */
    if (!to || to[0] != '/' || to[1] == '/' || to[1] == '\\')
        to = "/";
    snprintf(x->location, sizeof x->location, "%s", to);
    hogod_reply_text(x, 303, "text/plain; charset=utf-8", "", 0);
}

/* The heading of an error page by status. */
static const char *error_key(int status)
{
    switch (status) {
    case 400: return "error.400";
    case 401: return "error.401";
    case 403: return "error.403";
    case 404: return "error.404";
    case 405: return "error.405";
    case 413: return "error.413";
    case 415: return "error.415";
    case 503: return "error.503";
    default: return status >= 500 ? "error.500" : "error.400";
    }
}

void web_error_page(struct hogod_exchange *x, int status, const char *message)
{
    struct web_buf b = {0};
    const char *title = web_t(x, error_key(status));
    /* the language switch leads to the area's home: an error page never repeats the path
       asked for (it may name another person's request) */
    if (x->web)
        snprintf(x->web->path, sizeof x->web->path, "%s", is_console(x) ? "/console/" : "/center/");
    web_page_begin(x, &b, title, NULL);
    web_raw(&b, "<h1>");
    web_text(&b, title);
    web_raw(&b, "</h1>\n<p class=\"error-detail\">");
    web_text(&b, message);
    web_raw(&b, "</p>\n");
    if (web_session(x)) {
        web_raw(&b, "<p><a");
        web_attr(&b, "href", is_console(x) ? "/console/" : "/center/");
        web_raw(&b, ">");
        web_text(&b, web_t(x, "error.back"));
        web_raw(&b, "</a></p>\n");
    }
    web_page_end_status(x, &b, status);
}

void web_error_from(struct hogod_exchange *x, int code, const struct hogo_error *err)
{
    int status = code == HOGO_ENOTFOUND ? 404 : code == HOGO_EINVAL ? 400
                 : code == HOGO_EBUSY   ? 503 : 500;
    if (status == 404)
        web_error_page(x, 404, web_t(x, "error.not_found"));
    else if (status == 400 && err && err->message[0])
        web_error_page(x, 400, err->message);
    else
        web_error_page(x, status, web_t(x, status == 503 ? "error.busy" : "error.internal"));
    if (status == 500)
        hogod_metrics_store_error(x->d->metrics);
}
