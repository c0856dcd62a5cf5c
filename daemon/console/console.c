/*
 * The console's shared pieces and its home page (GET /console/): the navigation, the actor
 * of the signed-in officer, times in JST, the names of kinds and states in Japanese and
 * English, and the home page's counts (open, overdue and at-risk requests, the nearest breach
 * deadline). Daemon layer (privacy office console).
 */
#include "console.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* clang-format off */
const struct web_nav console_nav[] = {
    {"/console/",          "ホーム",                 "Home"},
    {"/console/requests",  "開示等の請求",           "Rights requests"},
    {"/console/breaches",  "漏えい等事案",           "Breaches"},
    {"/console/ledger",    "台帳",                   "Ledger"},
    {"/console/audit",     "監査ログ",               "Audit log"},
    {"/console/policies",  "ポリシーの版",           "Policy versions"},
    {"/console/explorer",  "判定エクスプローラー",   "Decision explorer"},
    {"/console/officers",  "担当者アカウント",       "Officers"},
    {NULL, NULL, NULL},
};
/* clang-format on */

void console_actor(struct hogod_exchange *x, char out[160])
{
    const struct web_session *s = web_session(x);
    snprintf(out, 160, "officer:%s", s ? s->officer : "unknown");
}

/* Parses "YYYY-MM-DD" or "YYYY-MM-DDTHH:MM:SSZ" as UTC; 0 when neither. */
static int parse_time(const char *s, time_t *out, int *date_only)
{
    struct tm tm = {0};
    if (!s || strlen(s) < 10)
        return 0;
    if (sscanf(s, "%4d-%2d-%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday) != 3)
        return 0;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    *date_only = s[10] != 'T';
    if (!*date_only && sscanf(s + 11, "%2d:%2d:%2d", &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 3)
        return 0;
    *out = timegm(&tm);
    return 1;
}

void console_time(struct web_buf *b, const char *s)
{
    time_t t;
    int date_only;
    if (!s || !*s) {
        web_raw(b, "—");
        return;
    }
    if (!parse_time(s, &t, &date_only) || date_only) {
        web_text(b, s);
        return;
    }
    t += 9 * 3600; /* JST */
    struct tm tm;
    gmtime_r(&t, &tm);
    char out[32];
    strftime(out, sizeof out, "%Y-%m-%d %H:%M", &tm);
    web_text(b, out);
}

int console_days_until(const char *s)
{
    time_t t, now = time(NULL) + 9 * 3600;
    int date_only;
    if (!parse_time(s, &t, &date_only))
        return 0;
    if (!date_only)
        t += 9 * 3600;
    long day = (long)(t / 86400), today = (long)(now / 86400);
    return (int)(day - today);
}

struct name {
    const char *id, *ja, *en;
};

static const char *lookup(struct hogod_exchange *x, const struct name *t, const char *id)
{
    for (; id && t->id; t++)
        if (!strcmp(t->id, id))
            return web_l(x, t->ja, t->en);
    return id ? id : "";
}

const char *console_kind_name(struct hogod_exchange *x, const char *kind)
{
    static const struct name kinds[] = {
        {"disclosure", "保有個人データの開示", "disclosure"},
        {"provision_records", "第三者提供記録の開示", "disclosure of provision records"},
        {"correction", "内容の訂正・追加", "correction or addition"},
        {"deletion", "内容の削除", "deletion"},
        {"suspension", "利用の停止", "suspension of use"},
        {"erasure", "消去", "erasure"},
        {"cessation", "第三者提供の停止", "stop of third-party provision"},
        {"purpose_notice", "利用目的の通知", "notice of purposes"},
        {NULL, NULL, NULL}};
    return lookup(x, kinds, kind);
}

const char *console_state_name(struct hogod_exchange *x, const char *state)
{
    static const struct name states[] = {
        {"received", "受付済み", "received"},
        {"identity_pending", "本人確認中", "identity check pending"},
        {"verified", "本人確認済み", "identity verified"},
        {"in_progress", "対応中", "in progress"},
        {"completed", "完了", "completed"},
        {"refused", "不開示・拒否", "refused"},
        {"withdrawn", "取り下げ", "withdrawn"},
        {NULL, NULL, NULL}};
    return lookup(x, states, state);
}

const char *console_method_name(struct hogod_exchange *x, const char *method)
{
    static const struct name methods[] = {
        {"login_session", "登録済みのID・パスワードによるログイン", "login with the registered ID and password"},
        {"jpki", "公的個人認証（JPKI）", "JPKI (public personal authentication)"},
        {"callback", "登録電話番号への折り返し電話", "call-back to the registered phone number"},
        {"documents", "本人確認書類の写しと本人限定郵便等", "copy of an identity document and registered mail"},
        {"in_person", "窓口での対面確認", "in person at the counter"},
        {NULL, NULL, NULL}};
    return lookup(x, methods, method);
}

void console_th(struct web_buf *b, const char *text)
{
    web_raw(b, "<th scope=\"col\">");
    web_text(b, text);
    web_raw(b, "</th>");
}

/* ---- the home page ---- */

struct home {
    const char *op;
    char *requests, *breaches;
};

static int home_fn(struct hogo_store *st, void *ctx, struct hogo_error *err)
{
    struct home *h = ctx;
    int rc = hogo_dsr_list_json(st, h->op, NULL, NULL, 0, &h->requests, err);
    if (rc == 0)
        rc = hogo_breach_list_json(st, h->op, &h->breaches, err);
    return rc;
}

static bool is_open(const char *state)
{
    return strcmp(state, "completed") && strcmp(state, "refused") && strcmp(state, "withdrawn");
}

void console_page_home(struct hogod_exchange *x)
{
    const struct web_session *s = web_session(x);
    struct home h = {.op = s->operator_id};
    struct hogo_error err = {0};
    int rc = hogod_store_run(x, home_fn, &h, &err);
    if (rc) {
        free(h.requests);
        free(h.breaches);
        web_error_from(x, rc, &err);
        return;
    }
    yajl_val reqs = yajl_tree_parse(h.requests, NULL, 0);
    yajl_val brs = yajl_tree_parse(h.breaches, NULL, 0);
    free(h.requests);
    free(h.breaches);
    size_t open = 0, overdue = 0, risk = 0, pending = 0;
    const char *p_state[] = {"state", NULL}, *p_over[] = {"overdue", NULL},
               *p_risk[] = {"art39_risk", NULL};
    for (size_t i = 0; reqs && YAJL_IS_ARRAY(reqs) && i < reqs->u.array.len; i++) {
        yajl_val r = reqs->u.array.values[i];
        const char *st = hogod_str(yajl_tree_get(r, p_state, yajl_t_string));
        if (!is_open(st))
            continue;
        open++;
        if (YAJL_IS_TRUE(yajl_tree_get(r, p_over, yajl_t_any)))
            overdue++;
        if (YAJL_IS_TRUE(yajl_tree_get(r, p_risk, yajl_t_any)))
            risk++;
        if (!strcmp(st, "received") || !strcmp(st, "identity_pending"))
            pending++;
    }
    struct web_buf b = {0};
    const char *title = web_l(x, "ホーム", "Home");
    web_page_begin(x, &b, title, console_nav);
    web_raw(&b, "<h1>");
    web_text(&b, web_l(x, "プライバシー窓口コンソール", "Privacy office console"));
    web_raw(&b, "</h1>\n<p>");
    web_textf(&b, "%s %s", s->officer,
              web_l(x, "さん、ようこそ。この画面では担当する事業者の情報だけが表示されます。",
                    ": welcome. These pages show your operator's data only."));
    web_raw(&b, "</p>\n<h2>");
    web_text(&b, web_l(x, "開示等の請求", "Rights requests"));
    web_raw(&b, "</h2>\n<ul class=\"cards\">\n");
    struct {
        const char *ja, *en;
        size_t n;
        const char *cls;
    } cards[] = {
        {"対応中の請求", "open requests", open, ""},
        {"本人確認待ち", "awaiting identity verification", pending, ""},
        {"期限超過", "past their due date", overdue, overdue ? " bad" : " ok"},
        {"受付から10日超（法第39条の訴え提起のおそれ）",
         "older than 10 days (APPI Art. 39: the person may sue)", risk, risk ? " warn" : " ok"},
    };
    for (size_t i = 0; i < sizeof cards / sizeof cards[0]; i++) {
        web_raw(&b, "<li class=\"card\"><h3>");
        web_text(&b, web_l(x, cards[i].ja, cards[i].en));
        web_rawf(&b, "</h3><p><span class=\"badge%s\">%zu</span> ", cards[i].cls, cards[i].n);
        web_text(&b, web_l(x, "件", cards[i].n == 1 ? "request" : "requests"));
        web_raw(&b, "</p></li>\n");
    }
    web_raw(&b, "</ul>\n<p><a href=\"/console/requests\">");
    web_text(&b, web_l(x, "請求の一覧（期限超過が先頭）へ", "To the queue (overdue first)"));
    web_raw(&b, "</a></p>\n<h2>");
    web_text(&b, web_l(x, "漏えい等事案", "Breaches"));
    web_raw(&b, "</h2>\n");
    size_t open_breaches = 0;
    yajl_val next = NULL;
    const char *p_final_at[] = {"final_at", NULL};
    for (size_t i = 0; brs && YAJL_IS_ARRAY(brs) && i < brs->u.array.len; i++) {
        yajl_val r = brs->u.array.values[i];
        if (YAJL_IS_STRING(yajl_tree_get(r, p_final_at, yajl_t_any)))
            continue;
        open_breaches++;
        if (!next)
            next = r;
    }
    web_raw(&b, "<p>");
    web_textf(&b, "%s: %zu", web_l(x, "確報が済んでいない事案", "incidents without a final report"),
              open_breaches);
    if (next) {
        const char *p_id[] = {"breach_id", NULL}, *p_sum[] = {"summary", NULL},
                   *p_pre[] = {"preliminary_due", NULL}, *p_pre_at[] = {"preliminary_at", NULL},
                   *p_fin[] = {"final_due", NULL};
        const char *pre = hogod_str(yajl_tree_get(next, p_pre, yajl_t_string));
        const char *pre_at = hogod_str(yajl_tree_get(next, p_pre_at, yajl_t_string));
        const char *fin = hogod_str(yajl_tree_get(next, p_fin, yajl_t_string));
        web_raw(&b, "</p>\n<p>");
        web_text(&b, web_l(x, "最も期限の近い事案: ", "Nearest deadline: "));
        web_raw(&b, "<a");
        char href[128];
        snprintf(href, sizeof href, "/console/breaches/%s",
                 hogod_str(yajl_tree_get(next, p_id, yajl_t_string)));
        web_attr(&b, "href", href);
        web_raw(&b, ">");
        web_text(&b, hogod_str(yajl_tree_get(next, p_sum, yajl_t_string)));
        web_raw(&b, "</a> — ");
        if (*pre && !*pre_at) {
            web_text(&b, web_l(x, "速報の期限 ", "preliminary report due "));
            console_time(&b, pre);
        } else if (*fin) {
            web_text(&b, web_l(x, "確報の期限 ", "final report due "));
            console_time(&b, fin);
        } else {
            web_text(&b, web_l(x, "報告要否の判定がまだです", "not yet assessed"));
        }
    }
    web_raw(&b, "</p>\n<p><a href=\"/console/breaches\">");
    web_text(&b, web_l(x, "事案の一覧へ", "To the incidents"));
    web_raw(&b, "</a></p>\n");
    yajl_tree_free(reqs);
    yajl_tree_free(brs);
    web_page_end(x, &b);
}

const char *console_str_at(yajl_val v, const char *name)
{
    const char *p[] = {name, NULL};
    return hogod_str(yajl_tree_get(v, p, yajl_t_string));
}

int console_own(struct hogo_store *st, const struct console_record_kind *k, const char *op,
                const char *id, struct hogo_error *err)
{
    char owner[64];
    int rc = k->owner(st, id, owner, err);
    if (rc == 0 && strcmp(owner, op))
        rc = HOGO_ENOTFOUND;
    if (rc == HOGO_ENOTFOUND)
        hogo_error_set(err, rc, NULL, "%s '%s' not found", k->what, id);
    return rc;
}

struct record_call {
    const struct console_record_kind *k;
    const char *op, *id;
    char *json;
};

static int record_fn(struct hogo_store *st, void *ctx, struct hogo_error *err)
{
    struct record_call *c = ctx;
    int rc = console_own(st, c->k, c->op, c->id, err);
    return rc ? rc : c->k->show(st, c->id, &c->json, err);
}

yajl_val console_record(struct hogod_exchange *x, const struct console_record_kind *k)
{
    struct record_call c = {.k = k, .op = web_session(x)->operator_id, .id = x->params[0]};
    struct hogo_error err = {0};
    int rc = hogod_store_run(x, record_fn, &c, &err);
    if (rc) {
        free(c.json);
        web_error_from(x, rc, &err);
        return NULL;
    }
    yajl_val r = yajl_tree_parse(c.json, NULL, 0);
    free(c.json);
    if (!r)
        web_error_page(x, 500, web_t(x, "error.internal"));
    return r;
}

void console_form_start(struct hogod_exchange *x, struct web_buf *b,
                        const struct console_record_kind *k, const char *id,
                        const char *action)
{
    char href[160];
    snprintf(href, sizeof href, "%s%s/%s", k->base, id, action);
    web_raw(b, "<form method=\"post\"");
    web_attr(b, "action", href);
    web_raw(b, ">\n");
    web_csrf_field(x, b);
}
