/*
 * Breach incidents in the console (APPI Art. 26): GET /console/breaches lists the officer's
 * operator's incidents with their 速報 and 確報 deadlines (open ones first) and, for handlers,
 * the form to record one (POST /console/breaches); GET /console/breaches/{breach_id} shows one
 * with its affected count, assessment and reports, and the handler's forms: add affected
 * people (a person, or everyone holding a data category), assess reportability and deadlines,
 * make the preliminary or final report. Each is the hogo_breach_* call of the CLI and the API,
 * with the actor "officer:NAME"; another operator's incident answers 404. Daemon layer
 * (privacy office console).
 */
#include "console.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What the console reads of incidents: whose one is, its JSON, where its pages are. */
static const struct console_record_kind incident_kind = {hogo_breach_operator, hogo_breach_show_json,
                                                     "incident", "/console/breaches/"};

static yajl_val at(yajl_val v, const char *name)
{
    const char *p[] = {name, NULL};
    return yajl_tree_get(v, p, yajl_t_any);
}

/* A deadline with how far it is, or when it was met. */
static void deadline(struct hogod_exchange *x, struct web_buf *b, const char *due,
                     const char *done)
{
    if (!*due) {
        web_text(b, web_l(x, "未判定", "not assessed"));
        return;
    }
    console_time(b, due);
    web_raw(b, "<br>");
    if (*done) {
        web_raw(b, "<span class=\"badge ok\">");
        web_text(b, web_l(x, "報告済み ", "reported "));
        console_time(b, done);
        web_raw(b, "</span>");
        return;
    }
    int days = console_days_until(due);
    web_rawf(b, "<span class=\"badge %s\">", days < 0 ? "bad" : days <= 2 ? "warn" : "ok");
    if (days < 0)
        web_textf(b, web_l(x, "期限超過 %d日", "overdue by %d days"), -days);
    else
        web_textf(b, web_l(x, "あと%d日", "%d days left"), days);
    web_raw(b, "</span>");
}

static void reportable(struct hogod_exchange *x, struct web_buf *b, yajl_val r)
{
    yajl_val v = at(r, "reportable");
    web_text(b, YAJL_IS_TRUE(v)    ? web_l(x, "報告対象", "reportable")
                : YAJL_IS_FALSE(v) ? web_l(x, "報告対象外", "not reportable")
                                   : web_l(x, "未判定", "not assessed"));
}

struct list_call {
    const char *op;
    char *json;
};

static int list_fn(struct hogo_store *st, void *ctx, struct hogo_error *err)
{
    struct list_call *c = ctx;
    return hogo_breach_list_json(st, c->op, &c->json, err);
}

static void check(struct web_buf *b, const char *name, const char *label)
{
    web_raw(b, "<p><input type=\"checkbox\" value=\"1\"");
    web_attr(b, "id", name);
    web_attr(b, "name", name);
    web_raw(b, "> <label class=\"inline\"");
    web_attr(b, "for", name);
    web_raw(b, ">");
    web_text(b, label);
    web_raw(b, "</label></p>\n");
}

static void field(struct web_buf *b, const char *name, const char *label, const char *type,
                  bool required)
{
    web_raw(b, "<label");
    web_attr(b, "for", name);
    web_raw(b, ">");
    web_text(b, label);
    web_raw(b, "</label>\n<input");
    web_attr(b, "type", type);
    web_attr(b, "id", name);
    web_attr(b, "name", name);
    web_raw(b, required ? " required maxlength=\"2000\">\n" : " maxlength=\"2000\">\n");
}

void console_page_breaches(struct hogod_exchange *x)
{
    const struct web_session *s = web_session(x);
    struct list_call c = {.op = s->operator_id};
    struct hogo_error err = {0};
    int rc = hogod_store_run(x, list_fn, &c, &err);
    if (rc) {
        free(c.json);
        web_error_from(x, rc, &err);
        return;
    }
    yajl_val all = yajl_tree_parse(c.json, NULL, 0);
    free(c.json);
    struct web_buf b = {0};
    const char *title = web_l(x, "漏えい等事案", "Breach incidents");
    web_page_begin(x, &b, title, console_nav);
    web_raw(&b, "<h1>");
    web_text(&b, title);
    web_raw(&b, "</h1>\n<p>");
    web_text(&b, web_l(x, "個人情報保護委員会への速報（知った日を1日目として3〜5日）と確報（30日、"
                          "不正の目的によるおそれは60日）の期限。土日・祝日・年末年始は翌営業日に"
                          "なります。",
                       "Deadlines of the preliminary report to the PPC (day 3 to 5, the day of "
                       "learning being day 1) and the final report (day 30, or 60 for a "
                       "possible wrongful act), moved past weekends, holidays and 12/29-1/3."));
    web_raw(&b, "</p>\n");
    size_t n = all && YAJL_IS_ARRAY(all) ? all->u.array.len : 0;
    if (!n) {
        web_raw(&b, "<p class=\"note\">");
        web_text(&b, web_l(x, "記録された事案はありません。", "No incidents recorded."));
        web_raw(&b, "</p>\n");
    } else {
        web_raw(&b, "<table>\n<caption>");
        web_text(&b, web_l(x, "事案（確報前のものが先頭）", "Incidents (open ones first)"));
        web_raw(&b, "</caption>\n<thead><tr>");
        console_th(&b, web_l(x, "事案", "Incident"));
        console_th(&b, web_l(x, "発覚日", "Learned of"));
        console_th(&b, web_l(x, "本人の数", "People"));
        console_th(&b, web_l(x, "報告の要否", "Reportable"));
        console_th(&b, web_l(x, "速報の期限", "Preliminary report due"));
        console_th(&b, web_l(x, "確報の期限", "Final report due"));
        web_raw(&b, "</tr></thead>\n<tbody>\n");
        for (size_t i = 0; i < n; i++) {
            yajl_val r = all->u.array.values[i];
            char href[96];
            snprintf(href, sizeof href, "/console/breaches/%s", console_str_at(r, "breach_id"));
            web_raw(&b, "<tr><th scope=\"row\"><a");
            web_attr(&b, "href", href);
            web_raw(&b, ">");
            web_text(&b, console_str_at(r, "summary"));
            web_raw(&b, "</a><br><span class=\"muted\">");
            web_text(&b, console_str_at(r, "breach_id"));
            web_raw(&b, "</span></th><td>");
            console_time(&b, console_str_at(r, "discovered"));
            yajl_val aff = at(r, "affected");
            web_rawf(&b, "</td><td>%lld</td><td>",
                     aff && YAJL_IS_INTEGER(aff) ? YAJL_GET_INTEGER(aff) : 0LL);
            reportable(x, &b, r);
            web_raw(&b, "</td><td>");
            deadline(x, &b, console_str_at(r, "preliminary_due"), console_str_at(r, "preliminary_at"));
            web_raw(&b, "</td><td>");
            deadline(x, &b, console_str_at(r, "final_due"), console_str_at(r, "final_at"));
            web_raw(&b, "</td></tr>\n");
        }
        web_raw(&b, "</tbody>\n</table>\n");
    }
    yajl_tree_free(all);
    if (s->role >= WEB_ROLE_HANDLER) {
        web_raw(&b, "<h2>");
        web_text(&b, web_l(x, "事案を記録する", "Record an incident"));
        web_raw(&b, "</h2>\n<form method=\"post\" action=\"/console/breaches\">\n");
        web_csrf_field(x, &b);
        field(&b, "summary", web_l(x, "概要", "What happened"), "text", true);
        field(&b, "discovered", web_l(x, "事業者が知った日（1日目）", "The day it was learned of (day 1)"),
              "date", true);
        field(&b, "items", web_l(x, "漏えい等した情報の項目（カンマ区切りの語彙ID。例: name,email）",
                                 "Data categories (vocabulary ids, comma-separated, e.g. name,email)"),
              "text", true);
        field(&b, "cause", web_l(x, "原因（判明していれば）", "Cause (if known)"), "text", false);
        check(&b, "sensitive", web_l(x, "要配慮個人情報を含む", "Sensitive data involved"));
        check(&b, "financial", web_l(x, "財産的被害のおそれ", "Risk of financial loss"));
        check(&b, "wrongful", web_l(x, "不正の目的によるおそれ", "A possible wrongful act"));
        check(&b, "encrypted", web_l(x, "高度な暗号化等の措置が講じられていた",
                                     "The data was highly encrypted"));
        web_raw(&b, "<p><button type=\"submit\">");
        web_text(&b, web_l(x, "記録する", "Record"));
        web_raw(&b, "</button></p>\n</form>\n");
    }
    web_page_end(x, &b);
}

struct open_call {
    struct hogo_breach_open o;
    char id[HOGO_DSR_ID_BYTES];
};

static int open_fn(struct hogo_store *st, void *ctx, struct hogo_error *err)
{
    struct open_call *c = ctx;
    return hogo_breach_open(st, &c->o, c->id, err);
}

void console_breach_open(struct hogod_exchange *x)
{
    const struct web_session *s = web_session(x);
    char actor[160];
    console_actor(x, actor);
    const char *cause = web_form(x, "cause");
    struct open_call c = {.o = {.operator_id = s->operator_id,
                                .summary = web_form(x, "summary"),
                                .discovered = web_form(x, "discovered"),
                                .cause = cause && *cause ? cause : NULL,
                                .items = web_form(x, "items"),
                                .sensitive = web_form(x, "sensitive") != NULL,
                                .encrypted = web_form(x, "encrypted") != NULL,
                                .financial = web_form(x, "financial") != NULL,
                                .wrongful = web_form(x, "wrongful") != NULL,
                                .actor = actor}};
    if (!c.o.summary || !*c.o.summary || !c.o.discovered || !c.o.items) {
        web_error_page(x, 400, web_l(x, "概要、知った日、項目を入力してください。",
                                     "Give what happened, the day and the data categories."));
        return;
    }
    struct hogo_error err = {0};
    int rc = hogod_store_run(x, open_fn, &c, &err);
    if (rc) {
        web_error_from(x, rc, &err);
        return;
    }
    char to[96];
    snprintf(to, sizeof to, "/console/breaches/%s", c.id);
    web_redirect(x, to, web_l(x, "事案を記録しました。", "The incident is recorded."));
}

static void submit(struct web_buf *b, const char *label)
{
    web_raw(b, "<p><button type=\"submit\">");
    web_text(b, label);
    web_raw(b, "</button></p>\n</form>\n");
}

static void dt(struct web_buf *b, const char *term)
{
    web_raw(b, "<dt>");
    web_text(b, term);
    web_raw(b, "</dt><dd>");
}

void console_page_breach(struct hogod_exchange *x)
{
    const struct web_session *s = web_session(x);
    yajl_val r = console_record(x, &incident_kind);
    if (!r)
        return;
    const char *id = console_str_at(r, "breach_id");
    struct web_buf b = {0};
    web_page_begin(x, &b, console_str_at(r, "summary"), console_nav);
    web_raw(&b, "<h1>");
    web_text(&b, console_str_at(r, "summary"));
    web_raw(&b, " <span class=\"muted\">");
    web_text(&b, id);
    web_raw(&b, "</span></h1>\n<dl class=\"facts\">\n");
    dt(&b, web_l(x, "知った日", "Learned of"));
    console_time(&b, console_str_at(r, "discovered"));
    web_raw(&b, "</dd>\n");
    dt(&b, web_l(x, "原因", "Cause"));
    web_text(&b, *console_str_at(r, "cause") ? console_str_at(r, "cause") : web_l(x, "調査中", "under investigation"));
    web_raw(&b, "</dd>\n");
    dt(&b, web_l(x, "項目", "Data categories"));
    web_text(&b, console_str_at(r, "items"));
    web_raw(&b, "</dd>\n");
    yajl_val aff = at(r, "affected");
    dt(&b, web_l(x, "本人の数", "People affected"));
    web_rawf(&b, "%lld</dd>\n", aff && YAJL_IS_INTEGER(aff) ? YAJL_GET_INTEGER(aff) : 0LL);
    dt(&b, web_l(x, "報告の要否", "Reportable"));
    reportable(x, &b, r);
    yajl_val grounds = at(r, "grounds");
    if (grounds && YAJL_IS_STRING(grounds)) {
        web_raw(&b, " (");
        web_text(&b, YAJL_GET_STRING(grounds));
        web_raw(&b, ")");
    }
    web_raw(&b, "</dd>\n");
    dt(&b, web_l(x, "速報の期限", "Preliminary report due"));
    deadline(x, &b, console_str_at(r, "preliminary_due"), console_str_at(r, "preliminary_at"));
    web_raw(&b, "</dd>\n");
    dt(&b, web_l(x, "確報の期限", "Final report due"));
    deadline(x, &b, console_str_at(r, "final_due"), console_str_at(r, "final_at"));
    web_raw(&b, "</dd>\n</dl>\n");
    if (s->role < WEB_ROLE_HANDLER) {
        web_raw(&b, "<p class=\"note\">");
        web_text(&b, web_l(x, "閲覧者の権限では操作できません。担当者以上の権限が必要です。",
                           "A viewer cannot act; the handler role is needed."));
        web_raw(&b, "</p>\n");
    } else if (!*console_str_at(r, "final_at")) {
        web_raw(&b, "<h2>");
        web_text(&b, web_l(x, "影響を受けた本人を加える", "Add affected people"));
        web_raw(&b, "</h2>\n");
        console_form_start(x, &b, &incident_kind, id, "affected");
        field(&b, "subject", web_l(x, "本人のID（一人ずつ）", "A person's id (one)"), "text", false);
        field(&b, "category", web_l(x, "またはデータ項目（その項目を保有する全員。例: email）",
                                    "or a data category (everyone holding it, e.g. email)"),
              "text", false);
        submit(&b, web_l(x, "加える", "Add"));
        web_raw(&b, "<h2>");
        web_text(&b, web_l(x, "報告の要否と期限を判定する", "Assess reportability and deadlines"));
        web_raw(&b, "</h2>\n");
        console_form_start(x, &b, &incident_kind, id, "assess");
        submit(&b, web_l(x, "判定する", "Assess"));
        web_raw(&b, "<h2>");
        web_text(&b, web_l(x, "報告を作成する", "Make a report"));
        web_raw(&b, "</h2>\n");
        console_form_start(x, &b, &incident_kind, id, "report");
        web_raw(&b, "<label for=\"stage\">");
        web_text(&b, web_l(x, "報告の段階", "Stage"));
        web_raw(&b, "</label>\n<select id=\"stage\" name=\"stage\">\n<option value=\"preliminary\">");
        web_text(&b, web_l(x, "速報", "preliminary"));
        web_raw(&b, "</option>\n<option value=\"final\">");
        web_text(&b, web_l(x, "確報（すべての項目が必要）", "final (every item needed)"));
        web_raw(&b, "</option>\n</select>\n");
        field(&b, "cause", web_l(x, "発生原因", "Cause"), "text", false);
        field(&b, "secondary_harm", web_l(x, "二次被害又はそのおそれの有無及びその内容",
                                          "Secondary harm or its risk"),
              "text", false);
        field(&b, "response", web_l(x, "本人への対応の実施状況", "What was done for the people"),
              "text", false);
        field(&b, "publication", web_l(x, "公表の実施状況", "Publication"), "text", false);
        field(&b, "prevention", web_l(x, "再発防止のための措置", "Measures against recurrence"),
              "text", false);
        field(&b, "other", web_l(x, "その他参考となる事項", "Other"), "text", false);
        submit(&b, web_l(x, "報告を作成する", "Make the report"));
    }
    /* what the operator stated for the reports (Rules Art. 8(1)); the rest of the nine
       items is the incident above */
    yajl_val items = at(r, "report_items");
    if (items && YAJL_IS_OBJECT(items) && items->u.object.len) {
        web_raw(&b, "<h2>");
        web_text(&b, web_l(x, "報告に記載した事業者の説明", "What the reports state"));
        web_raw(&b, "</h2>\n<dl class=\"facts\">\n");
        for (size_t i = 0; i < items->u.object.len; i++) {
            yajl_val v = items->u.object.values[i];
            dt(&b, items->u.object.keys[i]);
            web_text(&b, YAJL_IS_STRING(v) ? YAJL_GET_STRING(v) : "");
            web_raw(&b, "</dd>\n");
        }
        web_raw(&b, "</dl>\n");
    }
    web_raw(&b, "<p><a href=\"/console/breaches\">");
    web_text(&b, web_l(x, "事案の一覧へ戻る", "Back to the incidents"));
    web_raw(&b, "</a></p>\n");
    yajl_tree_free(r);
    web_page_end(x, &b);
}

enum step { S_AFFECTED, S_ASSESS, S_REPORT };

struct step_call {
    enum step step;
    const char *op, *id, *actor, *subject, *category, *stage;
    struct hogo_breach_facts facts;
    int64_t added;
};

static int step_fn(struct hogo_store *st, void *ctx, struct hogo_error *err)
{
    struct step_call *c = ctx;
    int rc = console_own(st, &incident_kind, c->op, c->id, err);
    if (rc)
        return rc;
    char *json = NULL;
    if (c->step == S_AFFECTED)
        rc = hogo_breach_add_affected(st, c->id, c->subject, c->category,
                                      c->category ? c->op : NULL, &c->added, c->actor, err);
    else if (c->step == S_ASSESS)
        rc = hogo_breach_assess(st, c->id, c->actor, &json, err);
    else
        rc = hogo_breach_report(st, c->id, c->stage, &c->facts, c->actor, &json, err);
    free(json);
    return rc;
}

static const char *nonempty(struct hogod_exchange *x, const char *name)
{
    const char *v = web_form(x, name);
    return v && *v ? v : NULL;
}

static void do_step(struct hogod_exchange *x, enum step step)
{
    const struct web_session *s = web_session(x);
    char actor[160];
    console_actor(x, actor);
    struct step_call c = {.step = step, .op = s->operator_id, .id = x->params[0],
                          .actor = actor};
    if (step == S_AFFECTED) {
        c.subject = nonempty(x, "subject");
        c.category = nonempty(x, "category");
        if (!c.subject == !c.category) {
            web_error_page(x, 400, web_l(x, "本人のIDかデータ項目のどちらか一方を入力してください。",
                                         "Give either a person's id or a data category."));
            return;
        }
    } else if (step == S_REPORT) {
        c.stage = web_form(x, "stage");
        c.facts = (struct hogo_breach_facts){nonempty(x, "cause"), nonempty(x, "secondary_harm"),
                                             nonempty(x, "response"), nonempty(x, "publication"),
                                             nonempty(x, "prevention"), nonempty(x, "other")};
    }
    struct hogo_error err = {0};
    int rc = hogod_store_run(x, step_fn, &c, &err);
    if (rc) {
        web_error_from(x, rc, &err);
        return;
    }
    char to[96], flash[160];
    snprintf(to, sizeof to, "/console/breaches/%s", c.id);
    if (step == S_AFFECTED)
        snprintf(flash, sizeof flash, web_l(x, "%lld人を加えました。", "%lld people added."),
                 (long long)c.added);
    else
        snprintf(flash, sizeof flash, "%s",
                 step == S_ASSESS ? web_l(x, "判定しました。", "Assessed.")
                                  : web_l(x, "報告を作成しました。", "The report is made."));
    web_redirect(x, to, flash);
}

void console_breach_affected(struct hogod_exchange *x) { do_step(x, S_AFFECTED); }
void console_breach_assess(struct hogod_exchange *x) { do_step(x, S_ASSESS); }
void console_breach_report(struct hogod_exchange *x) { do_step(x, S_REPORT); }
