/*
 * Signing officers in to the console: GET /console/signin with ?token= (a sign-in token of
 * kind officer, checked and spent by the web foundation, then the officer's account checked:
 * it must exist, be enabled and belong to the token's operator) or without (the password
 * form), and POST /console/signin with name and password (hogo_officer_authenticate). A failed
 * password sign-in is slowed (one second before the answer), logged on stderr and recorded as
 * the audit event officer.signin_failed by the library. Daemon layer (privacy office console).
 */
#include "console.h"

#include <sodium.h>

#include <stdio.h>
#include <string.h>
#include <time.h>

#define FAILURE_DELAY_MS 1000

struct signin_call {
    const char *operator_id, *name, *password, *method;
    struct hogo_officer officer;
    int refused;                /* HOGO_ENOTFOUND: the sign-in was refused (and recorded) */
    struct hogo_error why;
};

/* A refused sign-in is an answer, not a failure of the transaction: its audit event
   (officer.signin_failed) must be committed with it, so the call reports success. */
static int refusal(struct signin_call *c, int rc, struct hogo_error *err)
{
    if (rc == HOGO_ENOTFOUND) {
        c->refused = rc;
        c->why = *err;
        hogo_error_clear(err);
        return 0;
    }
    return rc;
}

static int token_fn(struct hogo_store *st, void *ctx, struct hogo_error *err)
{
    struct signin_call *c = ctx;
    return refusal(c, hogo_officer_signed_in(st, c->operator_id, c->name, c->method,
                                             &c->officer, err),
                   err);
}

static int password_fn(struct hogo_store *st, void *ctx, struct hogo_error *err)
{
    struct signin_call *c = ctx;
    return refusal(c, hogo_officer_authenticate(st, c->name, c->password, &c->officer, err),
                   err);
}

static void start_session(struct hogod_exchange *x, const struct hogo_officer *o)
{
    struct web_session s = {.kind = WEB_OFFICER};
    if (strlen(o->operator_id) >= sizeof s.operator_id || strlen(o->name) >= sizeof s.officer) {
        web_error_page(x, 400, web_l(x, "担当者名が長すぎます（127文字まで）。",
                                     "The officer name is too long (127 characters at most)."));
        return;
    }
    memcpy(s.operator_id, o->operator_id, strlen(o->operator_id) + 1);
    memcpy(s.officer, o->name, strlen(o->name) + 1);
    s.role = (enum web_role)o->role; /* the same order: viewer 1 < handler 2 < admin 3 */
    web_sign_in(x, &s, "/console/");
}

/* The password form, with message (may be NULL) above it. */
static void signin_form(struct hogod_exchange *x, const char *message, int status)
{
    struct web_buf b = {0};
    const char *title = web_l(x, "サインイン", "Sign in");
    web_page_begin(x, &b, title, NULL);
    web_raw(&b, "<h1>");
    web_text(&b, web_l(x, "プライバシー窓口コンソールへのサインイン",
                       "Sign in to the privacy office console"));
    web_raw(&b, "</h1>\n");
    if (message) {
        web_raw(&b, "<p class=\"error-detail\" role=\"alert\">");
        web_text(&b, message);
        web_raw(&b, "</p>\n");
    }
    web_raw(&b, "<form method=\"post\" action=\"/console/signin\">\n"
                "<label for=\"name\">");
    web_text(&b, web_l(x, "担当者名", "Officer name"));
    web_raw(&b, "</label>\n<input type=\"text\" id=\"name\" name=\"name\" required "
                "autocomplete=\"username\" autocapitalize=\"none\" spellcheck=\"false\" "
                "maxlength=\"128\"");
    const char *name = message ? web_form(x, "name") : NULL;
    if (name)
        web_attr(&b, "value", name);
    web_raw(&b, ">\n<label for=\"password\">");
    web_text(&b, web_l(x, "パスワード", "Password"));
    web_raw(&b, "</label>\n<input type=\"password\" id=\"password\" name=\"password\" required "
                "autocomplete=\"current-password\" maxlength=\"1024\">\n<p><button "
                "type=\"submit\">");
    web_text(&b, web_l(x, "サインイン", "Sign in"));
    web_raw(&b, "</button></p>\n</form>\n<p class=\"muted\">");
    web_text(&b, web_l(x, "アカウントは管理者が hogo officer add で作成します。"
                          "一定時間操作がないと自動的にサインアウトします。",
                       "Accounts are created by an administrator with hogo officer add. "
                       "You are signed out after a while without activity."));
    web_raw(&b, "</p>\n");
    web_page_end_status(x, &b, status);
}

void console_page_signin(struct hogod_exchange *x)
{
    const char *token = hogod_query(x, "token");
    if (!token) {
        signin_form(x, NULL, 200);
        return;
    }
    struct hogo_signin_claims claims;
    if (web_signin_check(x, token, "officer", &claims))
        return;
    struct signin_call c = {.operator_id = claims.operator_id, .name = claims.subject,
                            .method = "token"};
    struct hogo_error err = {0};
    int rc = hogod_store_run(x, token_fn, &c, &err);
    sodium_memzero(&claims, sizeof claims);
    if (rc == 0 && c.refused) {
        rc = c.refused;
        err = c.why;
    }
    if (rc == HOGO_ENOTFOUND) {
        web_error_page(x, 403, web_t(x, strstr(err.message, "disabled") ? "signin.disabled"
                                                                         : "signin.unknown"));
        return;
    }
    if (rc) {
        web_error_from(x, rc, &err);
        return;
    }
    start_session(x, &c.officer);
}

/* Logs a failed sign-in on stderr (the name only when it is of the form of a name). */
static void log_failure(const char *name, const char *why)
{
    bool plain = name && *name && strlen(name) <= 128 &&
                 strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
                              "._:@-") == strlen(name);
    fprintf(stderr,
            "{\"level\":\"warning\",\"source\":\"console\",\"message\":\"officer sign-in "
            "failed\",\"officer\":\"%s\",\"reason\":\"%s\"}\n",
            plain ? name : "(malformed)", why);
}

void console_signin_password(struct hogod_exchange *x)
{
    struct signin_call c = {.name = web_form(x, "name"), .password = web_form(x, "password")};
    struct hogo_error err = {0};
    int rc = c.name && c.password ? hogod_store_run(x, password_fn, &c, &err) : HOGO_ENOTFOUND;
    if (rc == 0 && c.refused) {
        rc = c.refused;
        err = c.why;
    }
    if (rc == 0) {
        start_session(x, &c.officer);
        return;
    }
    if (rc != HOGO_ENOTFOUND) {
        web_error_from(x, rc, &err);
        return;
    }
    bool disabled = strstr(err.message, "disabled") != NULL;
    log_failure(c.name, disabled ? "disabled" : "wrong name or password");
    /* slow every failure down: guessing costs a second an attempt on top of Argon2id */
    struct timespec delay = {FAILURE_DELAY_MS / 1000, (FAILURE_DELAY_MS % 1000) * 1000000L};
    nanosleep(&delay, NULL);
    signin_form(x,
                disabled ? web_t(x, "signin.disabled")
                         : web_l(x, "担当者名またはパスワードが違います。",
                                 "The officer name or the password is wrong."),
                401);
}
