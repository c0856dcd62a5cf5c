/*
 * The rights-request queue of the console: GET /console/requests (the officer's operator's
 * open requests, overdue first, with their statutory deadlines; ?show=closed the closed ones),
 * GET /console/requests/{request_id} (the request, its verification, history and notice, and
 * the forms of the moves its state allows), and one POST per move: verify (本人確認, or its
 * start while documents are awaited), start, complete (with its effect; a correction's new
 * value), refuse (on an APPI ground the request's kind allows, with the reason), withdraw.
 * Each move is the hogo_dsr_* call the CLI and the API make, with the actor
 * "officer:NAME". Another operator's request answers 404. Daemon layer (privacy office
 * console).
 */
#include "console.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What the console reads of requests: whose one is, its JSON, where its pages are. */
static const struct console_record_kind request_kind = {hogo_dsr_operator, hogo_dsr_show_json,
                                                     "request", "/console/requests/"};

static bool true_at(yajl_val v, const char *name)
{
    const char *p[] = {name, NULL};
    return YAJL_IS_TRUE(yajl_tree_get(v, p, yajl_t_any));
}

static bool is_open(const char *state)
{
    return *state && strcmp(state, "completed") && strcmp(state, "refused") &&
           strcmp(state, "withdrawn");
}

/* ---- the queue ---- */

struct list_call {
    const char *op;
    char *json;
};

static int list_fn(struct hogo_store *st, void *ctx, struct hogo_error *err)
{
    struct list_call *c = ctx;
    return hogo_dsr_list_json(st, c->op, NULL, NULL, 0, &c->json, err);
}

/* Overdue first, then at risk under Art. 39, then by due date (the list's order). */
static int urgency(yajl_val r)
{
    return true_at(r, "overdue") ? 0 : true_at(r, "art39_risk") ? 1 : 2;
}

static int by_urgency(const void *a, const void *b)
{
    yajl_val ra = *(yajl_val const *)a, rb = *(yajl_val const *)b;
    int d = urgency(ra) - urgency(rb);
    if (d)
        return d;
    d = strcmp(console_str_at(ra, "due_at"), console_str_at(rb, "due_at"));
    return d ? d : strcmp(console_str_at(ra, "id"), console_str_at(rb, "id"));
}

static void deadline_cell(struct hogod_exchange *x, struct web_buf *b, yajl_val r, bool open)
{
    const char *due = console_str_at(r, "due_at");
    console_time(b, due);
    if (!open)
        return;
    int days = console_days_until(due);
    web_raw(b, "<br>");
    if (true_at(r, "overdue")) {
        web_raw(b, "<span class=\"badge bad\">");
        web_textf(b, web_l(x, "期限超過 %d日", "overdue by %d days"), days < 0 ? -days : 0);
        web_raw(b, "</span>");
    } else {
        web_raw(b, "<span class=\"badge ok\">");
        web_textf(b, web_l(x, "あと%d日", "%d days left"), days);
        web_raw(b, "</span>");
    }
    if (true_at(r, "art39_risk")) {
        web_raw(b, " <span class=\"badge warn\">");
        web_text(b, web_l(x, "受付から10日超（法第39条）", "over 10 days (APPI Art. 39)"));
        web_raw(b, "</span>");
    }
}

void console_page_requests(struct hogod_exchange *x)
{
    const struct web_session *s = web_session(x);
    bool closed = hogod_query(x, "show") && !strcmp(hogod_query(x, "show"), "closed");
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
    size_t n = all && YAJL_IS_ARRAY(all) ? all->u.array.len : 0, k = 0;
    yajl_val *rows = calloc(n ? n : 1, sizeof *rows);
    for (size_t i = 0; rows && i < n; i++) {
        yajl_val r = all->u.array.values[i];
        if (is_open(console_str_at(r, "state")) != closed)
            rows[k++] = r;
    }
    if (rows && !closed)
        qsort(rows, k, sizeof *rows, by_urgency);
    struct web_buf b = {0};
    const char *title = closed ? web_l(x, "終了した請求", "Closed requests")
                               : web_l(x, "開示等の請求（対応中）", "Rights requests (open)");
    web_page_begin(x, &b, title, console_nav);
    web_raw(&b, "<h1>");
    web_text(&b, title);
    web_raw(&b, "</h1>\n<p>");
    if (closed) {
        web_raw(&b, "<a href=\"/console/requests\">");
        web_text(&b, web_l(x, "対応中の請求へ", "To the open requests"));
    } else {
        web_text(&b, web_l(x, "期限を過ぎたものが先頭、次に受付から10日を超えたもの、"
                              "その後は期限の近い順です。",
                           "Overdue requests come first, then those older than 10 days, "
                           "then by due date."));
        web_raw(&b, " <a href=\"/console/requests?show=closed\">");
        web_text(&b, web_l(x, "終了した請求", "Closed requests"));
    }
    web_raw(&b, "</a></p>\n");
    if (!k) {
        web_raw(&b, "<p class=\"note\">");
        web_text(&b, closed ? web_l(x, "終了した請求はありません。", "No closed requests.")
                            : web_l(x, "対応中の請求はありません。", "No open requests."));
        web_raw(&b, "</p>\n");
    } else {
        web_raw(&b, "<table>\n<caption>");
        web_textf(&b, "%s（%zu%s）", title, k, web_l(x, "件", ""));
        web_raw(&b, "</caption>\n<thead><tr>");
        console_th(&b, web_l(x, "受付番号", "Request"));
        console_th(&b, web_l(x, "種類", "Kind"));
        console_th(&b, web_l(x, "本人", "Person"));
        console_th(&b, web_l(x, "状態", "State"));
        console_th(&b, web_l(x, "受付", "Received"));
        console_th(&b, closed ? web_l(x, "終了", "Closed") : web_l(x, "期限", "Due"));
        web_raw(&b, "</tr></thead>\n<tbody>\n");
        for (size_t i = 0; i < k; i++) {
            yajl_val r = rows[i];
            char href[96];
            snprintf(href, sizeof href, "/console/requests/%s", console_str_at(r, "id"));
            web_raw(&b, "<tr><th scope=\"row\"><a");
            web_attr(&b, "href", href);
            web_raw(&b, ">");
            web_text(&b, console_str_at(r, "id"));
            web_raw(&b, "</a></th><td>");
            web_text(&b, console_kind_name(x, console_str_at(r, "kind")));
            web_raw(&b, "</td><td>");
            web_text(&b, console_str_at(r, "subject_id"));
            if (strcmp(console_str_at(r, "agent"), "self") && *console_str_at(r, "agent")) {
                web_raw(&b, "<br><span class=\"muted\">");
                web_text(&b, web_l(x, "代理人による請求", "by an agent"));
                web_raw(&b, "</span>");
            }
            web_raw(&b, "</td><td>");
            web_text(&b, console_state_name(x, console_str_at(r, "state")));
            web_raw(&b, "</td><td>");
            console_time(&b, console_str_at(r, "received_at"));
            web_raw(&b, "</td><td>");
            if (closed)
                console_time(&b, console_str_at(r, "closed_at"));
            else
                deadline_cell(x, &b, r, true);
            web_raw(&b, "</td></tr>\n");
        }
        web_raw(&b, "</tbody>\n</table>\n");
    }
    free(rows);
    yajl_tree_free(all);
    web_page_end(x, &b);
}

/* ---- one request ---- */

static void dl_row(struct web_buf *b, const char *term, const char *value)
{
    web_raw(b, "<dt>");
    web_text(b, term);
    web_raw(b, "</dt><dd>");
    web_text(b, value && *value ? value : "—");
    web_raw(b, "</dd>\n");
}

static void button(struct web_buf *b, const char *label, bool secondary)
{
    web_raw(b, secondary ? "<p><button type=\"submit\" class=\"secondary\">"
                         : "<p><button type=\"submit\">");
    web_text(b, label);
    web_raw(b, "</button></p>\n</form>\n");
}

static void verify_form(struct hogod_exchange *x, struct web_buf *b, const char *id,
                        bool pending_allowed)
{
    web_raw(b, "<h3>");
    web_text(b, web_l(x, "本人確認", "Verify the identity"));
    web_raw(b, "</h3>\n");
    console_form_start(x, b, &request_kind, id, "verify");
    web_raw(b, "<label for=\"v-method\">");
    web_text(b, web_l(x, "確認の方法", "Method"));
    web_raw(b, "</label>\n<select id=\"v-method\" name=\"method\" required>\n");
    static const char *const methods[] = {"login_session", "jpki", "callback", "documents",
                                          "in_person"};
    for (size_t i = 0; i < 5; i++) {
        web_raw(b, "<option");
        web_attr(b, "value", methods[i]);
        web_raw(b, ">");
        web_text(b, console_method_name(x, methods[i]));
        web_raw(b, "</option>\n");
    }
    web_raw(b, "</select>\n<label for=\"v-verifier\">");
    web_text(b, web_l(x, "確認した担当者", "Checked by"));
    web_raw(b, "</label>\n<input type=\"text\" id=\"v-verifier\" name=\"verifier\" required "
               "maxlength=\"200\"");
    web_attr(b, "value", web_session(x)->officer);
    web_raw(b, ">\n");
    if (pending_allowed) {
        web_raw(b, "<p><input type=\"checkbox\" id=\"v-pending\" name=\"pending\" value=\"1\"> "
                   "<label class=\"inline\" for=\"v-pending\">");
        web_text(b, web_l(x, "確認を開始し、書類の到着を待つ（本人確認中にする）",
                          "Started: waiting for the documents (identity check pending)"));
        web_raw(b, "</label></p>\n");
    }
    button(b, web_l(x, "本人確認を記録する", "Record the verification"), false);
}

struct grounds_ctx {
    const char *kind;
};

static void refuse_form(struct hogod_exchange *x, struct web_buf *b, const char *id,
                        const char *kind)
{
    web_raw(b, "<h3>");
    web_text(b, web_l(x, "請求に応じない（法定の理由による）", "Refuse (on a statutory ground)"));
    web_raw(b, "</h3>\n");
    console_form_start(x, b, &request_kind, id, "refuse");
    web_raw(b, "<label for=\"r-ground\">");
    web_text(b, web_l(x, "理由（条項）", "Ground (article)"));
    web_raw(b, "</label>\n<select id=\"r-ground\" name=\"ground\" required>\n");
    yajl_val g = yajl_tree_parse(hogo_dsr_grounds_json(), NULL, 0);
    for (size_t i = 0; g && YAJL_IS_ARRAY(g) && i < g->u.array.len; i++) {
        yajl_val e = g->u.array.values[i];
        const char *kinds = console_str_at(e, "kinds");
        /* the grounds the request's kind may be answered with ("all" or the kind listed) */
        bool fits = !strcmp(kinds, "all");
        for (const char *p = kinds; !fits && (p = strstr(p, kind)); p += strlen(kind))
            fits = (p == kinds || p[-1] == ' ') && (p[strlen(kind)] == ' ' || !p[strlen(kind)]);
        if (!fits)
            continue;
        web_raw(b, "<option");
        web_attr(b, "value", console_str_at(e, "ground"));
        web_raw(b, ">");
        web_textf(b, "%s — %s", console_str_at(e, "ground"), console_str_at(e, "article"));
        web_raw(b, "</option>\n");
    }
    yajl_tree_free(g);
    web_raw(b, "</select>\n<label for=\"r-reason\">");
    web_text(b, web_l(x, "本人に伝える理由の説明（任意）", "Reason told to the person (optional)"));
    web_raw(b, "</label>\n<textarea id=\"r-reason\" name=\"reason\" rows=\"3\" cols=\"60\" "
               "maxlength=\"2000\"></textarea>\n");
    button(b, web_l(x, "拒否して通知を作る", "Refuse and write the notice"), false);
}

static void complete_form(struct hogod_exchange *x, struct web_buf *b, const char *id,
                          const char *kind, const char *state)
{
    if (!strcmp(state, "verified")) {
        web_raw(b, "<h3>");
        web_text(b, web_l(x, "対応を開始する", "Start working on it"));
        web_raw(b, "</h3>\n");
        console_form_start(x, b, &request_kind, id, "start");
        button(b, web_l(x, "対応中にする", "Mark as in progress"), true);
    }
    web_raw(b, "<h3>");
    web_text(b, web_l(x, "完了する（効果を実行して通知を作る）",
                      "Complete (carry out its effect and write the notice)"));
    web_raw(b, "</h3>\n<p>");
    if (!strcmp(kind, "disclosure") || !strcmp(kind, "provision_records"))
        web_text(b, web_l(x, "開示データ一式を作成します。本人はプライバシーセンターからダウンロードできます。",
                          "The disclosure package is made; the person downloads it from the "
                          "privacy center."));
    else if (!strcmp(kind, "suspension"))
        web_text(b, web_l(x, "利用停止を設定します。以後の判定はポリシーの該当条項により拒否されます。",
                          "Use is suspended: every later decision is denied by the policy's "
                          "rights clause."));
    else if (!strcmp(kind, "cessation"))
        web_text(b, web_l(x, "第三者提供を停止します。", "Third-party provision is stopped."));
    else if (!strcmp(kind, "erasure"))
        web_text(b, web_l(x, "本人の鍵を破棄し、データを読めなくします（法第29条・第30条の記録は残ります）。取り消せません。",
                          "The person's key is destroyed and their data made unreadable (the "
                          "Art. 29/30 records stay). This cannot be undone."));
    else if (!strcmp(kind, "deletion"))
        web_text(b, web_l(x, "請求の対象のデータを削除します。", "The data asked about is deleted."));
    else if (!strcmp(kind, "correction"))
        web_text(b, web_l(x, "新しい値を保存します（元の値は封印して履歴に残ります）。",
                          "The new value is stored (the old one stays sealed in the history)."));
    else
        web_text(b, web_l(x, "ポリシーの利用目的を引用した通知を作ります。",
                          "A notice quoting the policy's purposes is written."));
    web_raw(b, "</p>\n");
    console_form_start(x, b, &request_kind, id, "complete");
    if (!strcmp(kind, "correction")) {
        web_raw(b, "<label for=\"c-value\">");
        web_text(b, web_l(x, "訂正・追加後の値", "The corrected or added value"));
        web_raw(b, "</label>\n<input type=\"text\" id=\"c-value\" name=\"value\" required "
                   "maxlength=\"4000\">\n");
    }
    button(b, web_l(x, "完了する", "Complete"), false);
}

void console_page_request(struct hogod_exchange *x)
{
    const struct web_session *s = web_session(x);
    yajl_val r = console_record(x, &request_kind);
    if (!r)
        return;
    const char *id = console_str_at(r, "id"), *kind = console_str_at(r, "kind"), *state = console_str_at(r, "state");
    bool open = is_open(state);
    struct web_buf b = {0};
    char title[256];
    snprintf(title, sizeof title, "%s %s", console_kind_name(x, kind), id);
    web_page_begin(x, &b, title, console_nav);
    web_raw(&b, "<h1>");
    web_text(&b, console_kind_name(x, kind));
    web_raw(&b, " <span class=\"muted\">");
    web_text(&b, id);
    web_raw(&b, "</span></h1>\n<dl class=\"facts\">\n");
    dl_row(&b, web_l(x, "状態", "State"), console_state_name(x, state));
    dl_row(&b, web_l(x, "本人", "Person"), console_str_at(r, "subject_id"));
    const char *agent = console_str_at(r, "agent");
    if (*agent && strcmp(agent, "self")) {
        char a[400];
        snprintf(a, sizeof a, "%s (%s%s%s)", console_str_at(r, "agent_name"),
                 !strcmp(agent, "legal_representative") ? web_l(x, "法定代理人", "legal representative")
                                                        : web_l(x, "任意代理人", "authorised agent"),
                 *console_str_at(r, "agent_document") ? ", " : "", console_str_at(r, "agent_document"));
        dl_row(&b, web_l(x, "代理人", "Agent"), a);
    }
    dl_row(&b, web_l(x, "受付経路", "Channel"), console_str_at(r, "channel"));
    dl_row(&b, web_l(x, "回答方法", "Answer by"),
           !strcmp(console_str_at(r, "method"), "paper") ? web_l(x, "書面", "paper")
                                                 : web_l(x, "電磁的方法", "electronic"));
    web_raw(&b, "<dt>");
    web_text(&b, web_l(x, "受付", "Received"));
    web_raw(&b, "</dt><dd>");
    console_time(&b, console_str_at(r, "received_at"));
    web_raw(&b, "</dd>\n<dt>");
    web_text(&b, web_l(x, "期限", "Due"));
    web_raw(&b, "</dt><dd>");
    deadline_cell(x, &b, r, open);
    web_raw(&b, "</dd>\n");
    const char *vp[] = {"verification", NULL};
    yajl_val v = yajl_tree_get(r, vp, yajl_t_object);
    web_raw(&b, "<dt>");
    web_text(&b, web_l(x, "本人確認", "Identity"));
    web_raw(&b, "</dt><dd>");
    if (v) {
        web_textf(&b, "%s — %s, ", console_method_name(x, console_str_at(v, "method")),
                  console_str_at(v, "verifier"));
        console_time(&b, console_str_at(v, "at"));
    } else {
        web_text(&b, web_l(x, "未確認", "not verified"));
    }
    web_raw(&b, "</dd>\n");
    if (*console_str_at(r, "ground")) {
        char g[300];
        snprintf(g, sizeof g, "%s (%s) %s", console_str_at(r, "ground"), console_str_at(r, "ground_article"),
                 console_str_at(r, "reason"));
        dl_row(&b, web_l(x, "拒否の理由", "Refused on"), g);
    }
    web_raw(&b, "</dl>\n");
    const char *notice = console_str_at(r, "notice");
    if (*notice) {
        web_raw(&b, "<h2>");
        web_text(&b, web_l(x, "本人への通知", "The notice to the person"));
        web_raw(&b, "</h2>\n<pre class=\"notice\">");
        web_text(&b, notice);
        web_raw(&b, "</pre>\n");
    }
    web_raw(&b, "<h2>");
    web_text(&b, web_l(x, "操作", "Actions"));
    web_raw(&b, "</h2>\n");
    if (!open) {
        web_raw(&b, "<p class=\"note\">");
        web_text(&b, web_l(x, "この請求は終了しています。", "This request is closed."));
        web_raw(&b, "</p>\n");
    } else if (s->role < WEB_ROLE_HANDLER) {
        web_raw(&b, "<p class=\"note\">");
        web_text(&b, web_l(x, "閲覧者の権限では操作できません。担当者以上の権限が必要です。",
                           "A viewer cannot act; the handler role is needed."));
        web_raw(&b, "</p>\n");
    } else {
        if (!strcmp(state, "received") || !strcmp(state, "identity_pending"))
            verify_form(x, &b, id, !strcmp(state, "received"));
        else
            complete_form(x, &b, id, kind, state);
        refuse_form(x, &b, id, kind);
        web_raw(&b, "<h3>");
        web_text(&b, web_l(x, "取り下げ", "Withdrawal"));
        web_raw(&b, "</h3>\n");
        console_form_start(x, &b, &request_kind, id, "withdraw");
        button(&b, web_l(x, "本人の申し出により取り下げる", "Withdrawn at the person's wish"),
               true);
    }
    const char *hp[] = {"history", NULL};
    yajl_val h = yajl_tree_get(r, hp, yajl_t_array);
    web_raw(&b, "<h2>");
    web_text(&b, web_l(x, "経過", "History"));
    web_raw(&b, "</h2>\n<table>\n<caption>");
    web_text(&b, web_l(x, "状態の移り変わり（監査ログにも記録）",
                       "Every move (each also an audit event)"));
    web_raw(&b, "</caption>\n<thead><tr>");
    console_th(&b, web_l(x, "日時", "When"));
    console_th(&b, web_l(x, "状態", "State"));
    console_th(&b, web_l(x, "操作した人", "By"));
    web_raw(&b, "</tr></thead>\n<tbody>\n");
    for (size_t i = 0; h && i < h->u.array.len; i++) {
        yajl_val e = h->u.array.values[i];
        web_raw(&b, "<tr><td>");
        console_time(&b, console_str_at(e, "at"));
        web_raw(&b, "</td><td>");
        web_text(&b, console_state_name(x, console_str_at(e, "to")));
        web_raw(&b, "</td><td>");
        web_text(&b, console_str_at(e, "actor"));
        web_raw(&b, "</td></tr>\n");
    }
    web_raw(&b, "</tbody>\n</table>\n<p><a href=\"/console/requests\">");
    web_text(&b, web_l(x, "請求の一覧へ戻る", "Back to the queue"));
    web_raw(&b, "</a></p>\n");
    yajl_tree_free(r);
    web_page_end(x, &b);
}

/* ---- the moves ---- */

enum move { M_VERIFY, M_START, M_COMPLETE, M_REFUSE, M_WITHDRAW };

struct move_call {
    enum move move;
    const char *op, *id, *actor;
    const char *method, *verifier, *ground, *reason, *value;
    int pending;
};

static int move_fn(struct hogo_store *st, void *ctx, struct hogo_error *err)
{
    struct move_call *c = ctx;
    int rc = console_own(st, &request_kind, c->op, c->id, err);
    if (rc)
        return rc;
    char *notice = NULL;
    switch (c->move) {
    case M_VERIFY:
        rc = hogo_dsr_verify(st, c->id, c->method, c->verifier, c->pending, c->actor, err);
        break;
    case M_START: rc = hogo_dsr_start(st, c->id, c->actor, err); break;
    case M_COMPLETE: {
        /* a disclosure's package: the person downloads it from the privacy center, made
           again from the store; here it is written and not kept */
        FILE *sink = fopen("/dev/null", "w");
        if (!sink)
            return hogo_error_set(err, HOGO_EIO, NULL, "cannot open /dev/null");
        struct hogo_dsr_complete dc = {.package_json = sink, .value = c->value,
                                       .actor = c->actor};
        rc = hogo_dsr_complete(st, c->id, &dc, &notice, err);
        fclose(sink);
        break;
    }
    case M_REFUSE:
        rc = hogo_dsr_refuse(st, c->id, c->ground, c->reason, c->actor, &notice, err);
        break;
    case M_WITHDRAW: rc = hogo_dsr_withdraw(st, c->id, c->actor, err); break;
    }
    free(notice); /* kept with the request: the request page shows it */
    return rc;
}

static void do_move(struct hogod_exchange *x, enum move m)
{
    const struct web_session *s = web_session(x);
    char actor[160];
    console_actor(x, actor);
    struct move_call c = {.move = m, .op = s->operator_id, .id = x->params[0], .actor = actor};
    if (m == M_VERIFY) {
        c.method = web_form(x, "method");
        c.verifier = web_form(x, "verifier");
        c.pending = web_form(x, "pending") != NULL;
        if (!c.method || !c.verifier || !*c.verifier) {
            web_error_page(x, 400, web_l(x, "確認の方法と確認した担当者を入力してください。",
                                         "Give the method and who checked."));
            return;
        }
    } else if (m == M_REFUSE) {
        c.ground = web_form(x, "ground");
        c.reason = web_form(x, "reason");
        if (c.reason && !*c.reason)
            c.reason = NULL;
        if (!c.ground) {
            web_error_page(x, 400, web_l(x, "拒否の理由を選んでください。", "Choose a ground."));
            return;
        }
    } else if (m == M_COMPLETE) {
        c.value = web_form(x, "value");
        if (c.value && !*c.value)
            c.value = NULL;
    }
    struct hogo_error err = {0};
    int rc = hogod_store_run(x, move_fn, &c, &err);
    if (rc) {
        web_error_from(x, rc, &err);
        return;
    }
    static const char *const ja[] = {"本人確認を記録しました。", "対応中にしました。",
                                     "請求を完了し、通知を作成しました。",
                                     "請求を拒否し、通知を作成しました。",
                                     "請求を取り下げました。"};
    static const char *const en[] = {"The verification is recorded.", "Marked as in progress.",
                                     "The request is completed and its notice written.",
                                     "The request is refused and its notice written.",
                                     "The request is withdrawn."};
    char to[128];
    snprintf(to, sizeof to, "/console/requests/%s", c.id);
    web_redirect(x, to, web_l(x, ja[m], en[m]));
}

void console_request_verify(struct hogod_exchange *x) { do_move(x, M_VERIFY); }
void console_request_start(struct hogod_exchange *x) { do_move(x, M_START); }
void console_request_complete(struct hogod_exchange *x) { do_move(x, M_COMPLETE); }
void console_request_refuse(struct hogod_exchange *x) { do_move(x, M_REFUSE); }
void console_request_withdraw(struct hogod_exchange *x) { do_move(x, M_WITHDRAW); }
