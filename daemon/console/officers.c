/*
 * The officer accounts page of the console, for admins: GET /console/officers lists the
 * officers of the admin's operator with their roles, state and last sign-in; POST
 * /console/officers adds one (name, role, first password); POST
 * /console/officers/{name}/role|disable|enable|password changes one. Each is the
 * hogo_officer_* call `hogo officer` makes, bound to the admin's operator (another
 * operator's officer answers 404) and audited with the actor "officer:NAME". An admin cannot
 * disable themself or lower their own role, so an operator is never left without an admin by
 * mistake. Daemon layer (privacy office console).
 */
#include "console.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct list_call {
    const char *op;
    struct web_buf *b;
    struct hogod_exchange *x;
};

static void role_select(struct hogod_exchange *x, struct web_buf *b, const char *id, int current)
{
    web_raw(b, "<select");
    web_attr(b, "id", id);
    web_raw(b, " name=\"role\">\n");
    for (int r = HOGO_OFFICER_VIEWER; r <= HOGO_OFFICER_ADMIN; r++) {
        web_raw(b, "<option");
        web_attr(b, "value", hogo_officer_role_name(r));
        if (r == current)
            web_raw(b, " selected");
        web_raw(b, ">");
        char key[32];
        snprintf(key, sizeof key, "role.%s", hogo_officer_role_name(r));
        web_text(b, web_t(x, key));
        web_raw(b, "</option>\n");
    }
    web_raw(b, "</select>\n");
}

static void officer_form(struct hogod_exchange *x, struct web_buf *b, const char *name,
                         const char *action)
{
    web_raw(b, "<form class=\"inline\" method=\"post\" action=\"/console/officers/");
    web_url(b, name);
    web_raw(b, "/");
    web_raw(b, action);
    web_raw(b, "\">");
    web_csrf_field(x, b);
}

static int row(void *ctx, const struct hogo_officer *o)
{
    struct list_call *c = ctx;
    struct web_buf *b = c->b;
    struct hogod_exchange *x = c->x;
    bool self = !strcmp(o->name, web_session(x)->officer);
    char t[32], key[32];
    web_raw(b, "<tr><th scope=\"row\">");
    web_text(b, o->name);
    web_raw(b, "</th><td>");
    snprintf(key, sizeof key, "role.%s", hogo_officer_role_name(o->role));
    web_text(b, web_t(x, key));
    web_raw(b, "</td><td>");
    web_text(b, o->enabled ? web_l(x, "有効", "enabled") : web_l(x, "無効", "disabled"));
    web_raw(b, "</td><td>");
    if (o->last_signin_at) {
        time_t s = (time_t)(o->last_signin_at / 1000000);
        struct tm tm;
        gmtime_r(&s, &tm);
        strftime(t, sizeof t, "%Y-%m-%dT%H:%M:%SZ", &tm);
        console_time(b, t);
    } else {
        web_text(b, web_l(x, "未サインイン", "never"));
    }
    web_raw(b, "</td><td>");
    if (self) {
        web_text(b, web_l(x, "（ご自身）", "(you)"));
    } else {
        char id[200];
        officer_form(x, b, o->name, "role");
        snprintf(id, sizeof id, "role-%s", o->name);
        web_raw(b, "<label class=\"inline\"");
        web_attr(b, "for", id);
        web_raw(b, ">");
        web_textf(b, web_l(x, "%sの権限", "Role of %s"), o->name);
        web_raw(b, "</label> ");
        role_select(x, b, id, o->role);
        web_raw(b, " <button type=\"submit\" class=\"secondary\">");
        web_text(b, web_l(x, "変更", "Change"));
        web_raw(b, "</button></form> ");
        officer_form(x, b, o->name, o->enabled ? "disable" : "enable");
        web_raw(b, "<button type=\"submit\" class=\"secondary\">");
        web_text(b, o->enabled ? web_l(x, "無効にする", "Disable")
                               : web_l(x, "有効にする", "Enable"));
        web_raw(b, "</button></form>\n");
        officer_form(x, b, o->name, "password");
        snprintf(id, sizeof id, "password-%s", o->name);
        web_raw(b, "<label class=\"inline\"");
        web_attr(b, "for", id);
        web_raw(b, ">");
        web_textf(b, web_l(x, "%sの新しいパスワード", "New password of %s"), o->name);
        web_raw(b, "</label> <input type=\"password\" name=\"password\" required minlength=\"10\" "
                   "maxlength=\"1024\" autocomplete=\"new-password\"");
        web_attr(b, "id", id);
        web_raw(b, "> <button type=\"submit\" class=\"secondary\">");
        web_text(b, web_l(x, "設定", "Set"));
        web_raw(b, "</button></form>");
    }
    web_raw(b, "</td></tr>\n");
    return 0;
}

static int list_fn(struct hogo_store *st, void *ctx, struct hogo_error *err)
{
    struct list_call *c = ctx;
    return hogo_officer_list(st, c->op, row, c, err);
}

void console_page_officers(struct hogod_exchange *x)
{
    const struct web_session *s = web_session(x);
    struct web_buf b = {0};
    const char *title = web_l(x, "担当者アカウント", "Officers");
    web_page_begin(x, &b, title, console_nav);
    web_raw(&b, "<h1>");
    web_text(&b, title);
    web_raw(&b, "</h1>\n<p>");
    web_text(&b, web_l(x, "閲覧者は読むだけ、担当者は請求と事案に対応でき、管理者はさらにアカウントを管理します。"
                          "変更はすべて監査ログに記録されます。",
                       "Viewers read; handlers also act on requests and incidents; admins also "
                       "manage accounts. Every change is an audit event."));
    web_raw(&b, "</p>\n<table>\n<caption>");
    web_text(&b, web_l(x, "この事業者の担当者", "This operator's officers"));
    web_raw(&b, "</caption>\n<thead><tr>");
    console_th(&b, web_l(x, "担当者名", "Name"));
    console_th(&b, web_l(x, "権限", "Role"));
    console_th(&b, web_l(x, "状態", "State"));
    console_th(&b, web_l(x, "最終サインイン", "Last sign-in"));
    console_th(&b, web_l(x, "変更", "Change"));
    web_raw(&b, "</tr></thead>\n<tbody>\n");
    struct list_call c = {.op = s->operator_id, .b = &b, .x = x};
    struct hogo_error err = {0};
    int rc = hogod_store_run(x, list_fn, &c, &err);
    if (rc) {
        web_buf_free(&b);
        web_error_from(x, rc, &err);
        return;
    }
    web_raw(&b, "</tbody>\n</table>\n<h2>");
    web_text(&b, web_l(x, "担当者を追加する", "Add an officer"));
    web_raw(&b, "</h2>\n<form method=\"post\" action=\"/console/officers\">\n");
    web_csrf_field(x, &b);
    web_raw(&b, "<label for=\"o-name\">");
    web_text(&b, web_l(x, "担当者名（英数字と . _ : @ -）", "Name (letters, digits, . _ : @ -)"));
    web_raw(&b, "</label>\n<input type=\"text\" id=\"o-name\" name=\"name\" required "
                "maxlength=\"128\" autocomplete=\"off\">\n<label for=\"o-role\">");
    web_text(&b, web_l(x, "権限", "Role"));
    web_raw(&b, "</label>\n");
    role_select(x, &b, "o-role", HOGO_OFFICER_VIEWER);
    web_raw(&b, "<label for=\"o-password\">");
    web_text(&b, web_l(x, "最初のパスワード（10文字以上）", "First password (10 characters or more)"));
    web_raw(&b, "</label>\n<input type=\"password\" id=\"o-password\" name=\"password\" required "
                "minlength=\"10\" maxlength=\"1024\" autocomplete=\"new-password\">\n"
                "<p><button type=\"submit\">");
    web_text(&b, web_l(x, "追加する", "Add"));
    web_raw(&b, "</button></p>\n</form>\n");
    web_page_end(x, &b);
}

enum change { C_ADD, C_ROLE, C_DISABLE, C_ENABLE, C_PASSWORD };

struct change_call {
    enum change change;
    const char *op, *name, *password, *actor;
    int role;
};

static int change_fn(struct hogo_store *st, void *ctx, struct hogo_error *err)
{
    struct change_call *c = ctx;
    switch (c->change) {
    case C_ADD: return hogo_officer_add(st, c->name, c->op, c->role, c->password, c->actor, err);
    case C_ROLE: return hogo_officer_set_role(st, c->op, c->name, c->role, c->actor, err);
    case C_DISABLE: return hogo_officer_set_enabled(st, c->op, c->name, false, c->actor, err);
    case C_ENABLE: return hogo_officer_set_enabled(st, c->op, c->name, true, c->actor, err);
    case C_PASSWORD:
        return hogo_officer_set_password(st, c->op, c->name, c->password, c->actor, err);
    }
    return HOGO_EINVAL;
}

static void do_change(struct hogod_exchange *x, enum change ch)
{
    const struct web_session *s = web_session(x);
    char actor[160];
    console_actor(x, actor);
    struct change_call c = {.change = ch, .op = s->operator_id, .actor = actor,
                            .name = ch == C_ADD ? web_form(x, "name") : x->params[0],
                            .password = web_form(x, "password"),
                            .role = hogo_officer_role_parse(web_form(x, "role"))};
    if ((ch == C_ADD || ch == C_ROLE) && !c.role) {
        web_error_page(x, 400, web_l(x, "権限は閲覧者・担当者・管理者のいずれかです。",
                                     "The role is viewer, handler or admin."));
        return;
    }
    if (!c.name || ((ch == C_ADD || ch == C_PASSWORD) && !c.password)) {
        web_error_page(x, 400, web_l(x, "担当者名とパスワードを入力してください。",
                                     "Give the name and the password."));
        return;
    }
    if (ch != C_ADD && ch != C_PASSWORD && ch != C_ENABLE && !strcmp(c.name, s->officer)) {
        web_error_page(x, 400, web_l(x, "ご自身の権限の変更や無効化はできません。別の管理者に依頼してください。",
                                     "You cannot change your own role or disable yourself; "
                                     "ask another admin."));
        return;
    }
    struct hogo_error err = {0};
    int rc = hogod_store_run(x, change_fn, &c, &err);
    if (rc) {
        web_error_from(x, rc, &err);
        return;
    }
    web_redirect(x, "/console/officers", web_l(x, "担当者アカウントを更新しました。",
                                               "The officer accounts are updated."));
}

void console_officer_add(struct hogod_exchange *x) { do_change(x, C_ADD); }
void console_officer_role(struct hogod_exchange *x) { do_change(x, C_ROLE); }
void console_officer_disable(struct hogod_exchange *x) { do_change(x, C_DISABLE); }
void console_officer_enable(struct hogod_exchange *x) { do_change(x, C_ENABLE); }
void console_officer_password(struct hogod_exchange *x) { do_change(x, C_PASSWORD); }
