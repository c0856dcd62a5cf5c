/*
 * Rights requests as the person makes them (開示等の請求): GET/POST /center/requests to list
 * and start one (hogo_dsr_open, channel web, the person as actor), GET
 * /center/requests/{request_id} to follow its state and deadline, POST .../withdraw to
 * withdraw it (hogo_dsr_withdraw), and GET .../package to download the disclosure package
 * once the privacy office has completed the request. Only the signed-in person's own requests
 * are found; another's answers 404. Daemon layer (privacy center).
 */
#include "controls.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The kinds a person may ask for (lib/rights), with their names. */
static const char *const kinds[][3] = {
    {"disclosure", "保有個人データの開示", "Disclosure of the personal data held"},
    {"provision_records", "第三者提供記録の開示", "Disclosure of the records of provision to third parties"},
    {"correction", "内容の訂正・追加・削除", "Correction, addition or deletion of content"},
    {"deletion", "削除", "Deletion"},
    {"suspension", "利用の停止", "Suspension of use"},
    {"erasure", "消去", "Erasure"},
    {"cessation", "第三者提供の停止", "Stop of provision to third parties"},
    {"purpose_notice", "利用目的の通知", "Notice of the purposes of use"},
};
static const char *const states[][3] = {
    {"received", "受付済み", "Received"},
    {"identity_pending", "本人確認中", "Identity check in progress"},
    {"verified", "本人確認済み", "Identity checked"},
    {"in_progress", "対応中", "In progress"},
    {"completed", "完了", "Completed"},
    {"refused", "お断り", "Refused"},
    {"withdrawn", "取り下げ", "Withdrawn"},
};

static const char *label_of(struct hogod_exchange *x, const char *const (*table)[3], size_t n,
                            const char *id)
{
    for (size_t i = 0; id && i < n; i++)
        if (!strcmp(table[i][0], id))
            return web_l(x, table[i][1], table[i][2]);
    return id ? id : "";
}
#define KIND(x, id) label_of(x, kinds, sizeof kinds / sizeof kinds[0], id)
#define STATE(x, id) label_of(x, states, sizeof states / sizeof states[0], id)

struct dsr_read {
    const char *op, *subject, *id;
    char *json, *items;
};

static int list_fn(struct hogo_store *st, void *ctx, struct hogo_error *err)
{
    struct dsr_read *r = ctx;
    int rc = hogo_dsr_list_json(st, r->op, r->subject, NULL, 0, &r->json, err);
    if (rc == 0)
        rc = hogo_data_list_json(st, r->subject, &r->items, err);
    return rc;
}

/* The request as JSON, only when it is the person's own (else HOGO_ENOTFOUND). */
static int show_fn(struct hogo_store *st, void *ctx, struct hogo_error *err)
{
    struct dsr_read *r = ctx;
    int rc = hogo_dsr_show_json(st, r->id, &r->json, err);
    if (rc == 0) {
        yajl_val v = yajl_tree_parse(r->json, NULL, 0);
        const char *sub = ctl_str(v, "subject_id"), *op = ctl_str(v, "operator");
        bool mine = sub && op && !strcmp(sub, r->subject) && !strcmp(op, r->op);
        yajl_tree_free(v);
        if (!mine) {
            free(r->json);
            r->json = NULL;
            rc = hogo_error_set(err, HOGO_ENOTFOUND, NULL, "request '%s' not found", r->id);
        }
    }
    return rc;
}

static yajl_val read_request(struct hogod_exchange *x, const char *id)
{
    const struct web_session *s = web_session(x);
    struct dsr_read r = {.op = s->operator_id, .subject = s->subject_id, .id = id};
    struct hogo_error err = {0};
    int rc = hogod_store_run(x, show_fn, &r, &err);
    if (rc) {
        if (rc == HOGO_ENOTFOUND || rc == HOGO_EINVAL)
            web_error_page(x, 404, web_l(x, "このご請求は見つかりません。", "No such request of yours."));
        else
            web_error_from(x, rc, &err);
        return NULL;
    }
    yajl_val v = yajl_tree_parse(r.json, NULL, 0);
    free(r.json);
    if (!v)
        web_error_page(x, 500, web_l(x, "ご請求を読めませんでした。", "The request could not be read."));
    return v;
}

void center_page_requests(struct hogod_exchange *x)
{
    const struct web_session *s = web_session(x);
    struct dsr_read r = {.op = s->operator_id, .subject = s->subject_id};
    struct hogo_error err = {0};
    int rc = hogod_store_run(x, list_fn, &r, &err);
    if (rc) {
        free(r.json);
        free(r.items);
        web_error_from(x, rc, &err);
        return;
    }
    yajl_val list = yajl_tree_parse(r.json, NULL, 0), items = yajl_tree_parse(r.items, NULL, 0);
    free(r.json);
    free(r.items);
    const struct hogo_policy *pol = NULL;
    struct hogod_policies *ps = ctl_policy(x, &pol);
    struct web_buf b = {0};
    ctl_h1(x, &b, "開示等の請求", "Requests about your data");
    ctl_p(x, &b,
          "保有個人データの開示、訂正・追加・削除、利用の停止・消去、第三者提供の停止、利用目的の通知を請求できます。本人確認のうえ、期限までにお答えします。",
          "You can ask for disclosure, correction, addition or deletion, suspension or "
          "erasure, a stop of provision to third parties, or a notice of the purposes of use. "
          "We check your identity and answer by the due date.");
    web_raw(&b, "<h2>");
    web_text(&b, web_l(x, "これまでのご請求", "Your requests"));
    web_raw(&b, "</h2>\n");
    if (!list || !YAJL_IS_ARRAY(list) || !list->u.array.len)
        ctl_p(x, &b, "ご請求はまだありません。", "You have made no request yet.");
    else {
        web_raw(&b, "<table><caption>");
        web_text(&b, web_l(x, "ご請求の一覧", "Your requests"));
        web_raw(&b, "</caption><thead><tr>");
        const char *heads[][2] = {{"受付番号", "Number"}, {"種類", "Kind"}, {"状態", "State"},
                                  {"受付日時", "Received"}, {"回答期限", "Due"}};
        for (size_t i = 0; i < 5; i++) {
            web_raw(&b, "<th scope=\"col\">");
            web_text(&b, web_l(x, heads[i][0], heads[i][1]));
            web_raw(&b, "</th>");
        }
        web_raw(&b, "</tr></thead><tbody>\n");
        for (size_t i = 0; i < list->u.array.len; i++) {
            yajl_val q = list->u.array.values[i];
            const char *id = ctl_str(q, "id");
            char href[96];
            snprintf(href, sizeof href, "/center/requests/%s", id ? id : "");
            web_raw(&b, "<tr><th scope=\"row\"><a");
            web_attr(&b, "href", href);
            web_raw(&b, ">");
            web_text(&b, id);
            web_raw(&b, "</a></th><td>");
            web_text(&b, KIND(x, ctl_str(q, "kind")));
            web_raw(&b, "</td><td>");
            web_text(&b, STATE(x, ctl_str(q, "state")));
            web_raw(&b, "</td><td>");
            ctl_date(&b, ctl_str(q, "received_at"));
            web_raw(&b, "</td><td>");
            ctl_date(&b, ctl_str(q, "due_at"));
            web_raw(&b, "</td></tr>\n");
        }
        web_raw(&b, "</tbody></table>\n");
    }
    web_raw(&b, "<h2>");
    web_text(&b, web_l(x, "新しく請求する", "Make a request"));
    web_raw(&b, "</h2>\n");
    ctl_form_begin(x, &b, "/center/requests");
    web_raw(&b, "<p><label for=\"kind\">");
    web_text(&b, web_l(x, "請求の種類", "Kind of request"));
    web_raw(&b, "</label> <select id=\"kind\" name=\"kind\">");
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        web_raw(&b, "<option");
        web_attr(&b, "value", kinds[i][0]);
        web_raw(&b, ">");
        web_text(&b, web_l(x, kinds[i][1], kinds[i][2]));
        web_raw(&b, "</option>");
    }
    web_raw(&b, "</select></p>\n<p><label for=\"item\">");
    web_text(&b, web_l(x, "対象の情報（訂正・削除のとき）", "The information concerned (correction, deletion)"));
    web_raw(&b, "</label> <select id=\"item\" name=\"item\"><option value=\"\">");
    web_text(&b, web_l(x, "指定しない（すべて）", "None chosen (all)"));
    web_raw(&b, "</option>");
    for (size_t i = 0; items && YAJL_IS_ARRAY(items) && i < items->u.array.len; i++) {
        yajl_val it = items->u.array.values[i];
        yajl_val id = ctl_get(it, "id", yajl_t_number);
        if (!id || !YAJL_IS_INTEGER(id))
            continue;
        char v[32];
        snprintf(v, sizeof v, "%lld", YAJL_GET_INTEGER(id));
        web_raw(&b, "<option");
        web_attr(&b, "value", v);
        web_raw(&b, ">");
        web_textf(&b, "%s %s", v, ctl_name(x, pol, "data_category", ctl_str(it, "category")));
        web_raw(&b, "</option>");
    }
    web_raw(&b, "</select></p>\n");
    ctl_button(&b, web_l(x, "請求する", "Send the request"), NULL);
    if (ps)
        hogod_policies_release(ps);
    yajl_tree_free(list);
    yajl_tree_free(items);
    web_page_end(x, &b);
}

struct dsr_open_call {
    struct hogo_dsr_open o;
    char id[HOGO_DSR_ID_BYTES];
};

static int open_fn(struct hogo_store *st, void *ctx, struct hogo_error *err)
{
    struct dsr_open_call *c = ctx;
    return hogo_dsr_open(st, &c->o, c->id, err);
}

void center_post_request(struct hogod_exchange *x)
{
    const struct web_session *s = web_session(x);
    const char *kind = web_form(x, "kind"), *item = web_form(x, "item");
    struct hogo_error err = {0};
    char detail[64] = "", actor[160];
    snprintf(actor, sizeof actor, "person:%s", s->subject_id);
    if (!kind || !hogo_dsr_kind_valid(kind)) {
        hogo_error_set(&err, HOGO_EINVAL, NULL, "%s",
                       web_l(x, "請求の種類を選んでください。", "choose the kind of request."));
        ctl_change_done(x, HOGO_EINVAL, &err, "/center/requests", "", "");
        return;
    }
    if (item && *item) {
        char *end = NULL;
        long long n = strtoll(item, &end, 10);
        if (*end || n < 1) {
            hogo_error_set(&err, HOGO_EINVAL, NULL, "%s",
                           web_l(x, "対象の情報を一覧から選んでください。",
                                 "choose the information from the list."));
            ctl_change_done(x, HOGO_EINVAL, &err, "/center/requests", "", "");
            return;
        }
        snprintf(detail, sizeof detail, "{\"item\":%lld}", n);
    }
    struct dsr_open_call c = {.o = {.subject_id = s->subject_id, .kind = kind,
                                    .channel = "web", .method = "electronic",
                                    .detail_json = detail[0] ? detail : NULL, .actor = actor}};
    int rc = hogod_store_run(x, open_fn, &c, &err);
    if (rc == 0) {
        char to[96], flash[256];
        snprintf(to, sizeof to, "/center/requests/%s", c.id);
        snprintf(flash, sizeof flash,
                 web_l(x, "ご請求を受け付けました（受付番号 %s）。", "Your request was received (number %s)."),
                 c.id);
        web_redirect(x, to, flash);
        return;
    }
    ctl_change_done(x, rc, &err, "/center/requests", "", "");
}

void center_page_request(struct hogod_exchange *x)
{
    const char *id = x->params[0];
    yajl_val q = read_request(x, id);
    if (!q)
        return;
    const char *state = ctl_str(q, "state"), *kind = ctl_str(q, "kind");
    yajl_val open = ctl_get(q, "closed_at", yajl_t_string);
    struct web_buf b = {0};
    ctl_h1(x, &b, "ご請求の状況", "Your request");
    web_raw(&b, "<dl class=\"facts\"><dt>");
    web_text(&b, web_l(x, "受付番号", "Number"));
    web_raw(&b, "</dt><dd>");
    web_text(&b, id);
    web_raw(&b, "</dd><dt>");
    web_text(&b, web_l(x, "種類", "Kind"));
    web_raw(&b, "</dt><dd>");
    web_text(&b, KIND(x, kind));
    web_raw(&b, "</dd><dt>");
    web_text(&b, web_l(x, "状態", "State"));
    web_raw(&b, "</dt><dd id=\"state\">");
    web_text(&b, STATE(x, state));
    web_raw(&b, "</dd><dt>");
    web_text(&b, web_l(x, "受付日時", "Received"));
    web_raw(&b, "</dt><dd>");
    ctl_date(&b, ctl_str(q, "received_at"));
    web_raw(&b, "</dd><dt>");
    web_text(&b, web_l(x, "回答期限", "Due"));
    web_raw(&b, "</dt><dd>");
    ctl_date(&b, ctl_str(q, "due_at"));
    web_raw(&b, "</dd>");
    if (open) {
        web_raw(&b, "<dt>");
        web_text(&b, web_l(x, "完了日時", "Closed"));
        web_raw(&b, "</dt><dd>");
        ctl_date(&b, YAJL_GET_STRING(open));
        web_raw(&b, "</dd>");
    }
    web_raw(&b, "</dl>\n");
    bool completed = state && !strcmp(state, "completed");
    if (completed && kind && (!strcmp(kind, "disclosure") || !strcmp(kind, "provision_records"))) {
        char href[128];
        snprintf(href, sizeof href, "/center/requests/%s/package", id);
        web_raw(&b, "<p><a class=\"button\" download");
        web_attr(&b, "href", href);
        web_raw(&b, ">");
        web_text(&b, web_l(x, "開示する情報をダウンロード（JSON）", "Download the disclosed information (JSON)"));
        web_raw(&b, "</a></p>\n");
    }
    const char *notice = ctl_str(q, "notice");
    if (notice) {
        web_raw(&b, "<h2>");
        web_text(&b, web_l(x, "当社からのお知らせ", "Our answer"));
        web_raw(&b, "</h2>\n<pre class=\"notice\" lang=\"ja\">");
        web_text(&b, notice);
        web_raw(&b, "</pre>\n");
    }
    yajl_val hist = ctl_get(q, "history", yajl_t_array);
    if (hist && hist->u.array.len) {
        web_raw(&b, "<h2>");
        web_text(&b, web_l(x, "経過", "History"));
        web_raw(&b, "</h2>\n<ol>");
        for (size_t i = 0; i < hist->u.array.len; i++) {
            yajl_val h = hist->u.array.values[i];
            web_raw(&b, "<li>");
            ctl_date(&b, ctl_str(h, "at"));
            web_raw(&b, " ");
            web_text(&b, STATE(x, ctl_str(h, "to")));
            web_raw(&b, "</li>");
        }
        web_raw(&b, "</ol>\n");
    }
    if (!open) {
        char action[128];
        snprintf(action, sizeof action, "/center/requests/%s/withdraw", id);
        ctl_form_begin(x, &b, action);
        ctl_button(&b, web_l(x, "このご請求を取り下げる", "Withdraw this request"), NULL);
    }
    web_raw(&b, "<p><a href=\"/center/requests\">");
    web_text(&b, web_l(x, "ご請求の一覧へ", "All your requests"));
    web_raw(&b, "</a></p>\n");
    yajl_tree_free(q);
    web_page_end(x, &b);
}

struct withdraw_call {
    struct dsr_read r;
    const char *actor;
};

static int withdraw_fn(struct hogo_store *st, void *ctx, struct hogo_error *err)
{
    struct withdraw_call *c = ctx;
    int rc = show_fn(st, &c->r, err);
    free(c->r.json);
    c->r.json = NULL;
    return rc ? rc : hogo_dsr_withdraw(st, c->r.id, c->actor, err);
}

void center_post_request_withdraw(struct hogod_exchange *x)
{
    const struct web_session *s = web_session(x);
    char actor[160], to[96];
    snprintf(actor, sizeof actor, "person:%s", s->subject_id);
    struct withdraw_call c = {.r = {.op = s->operator_id, .subject = s->subject_id,
                                    .id = x->params[0]},
                              .actor = actor};
    struct hogo_error err = {0};
    int rc = hogod_store_run(x, withdraw_fn, &c, &err);
    if (rc == HOGO_ENOTFOUND) {
        web_error_page(x, 404, web_l(x, "このご請求は見つかりません。", "No such request of yours."));
        return;
    }
    snprintf(to, sizeof to, "/center/requests/%s", x->params[0]);
    ctl_change_done(x, rc, &err, to, "ご請求を取り下げました。", "The request was withdrawn.");
}

struct package_call {
    struct dsr_read r;
    int records_only;
    char *out;
    size_t len;
};

static int package_fn(struct hogo_store *st, void *ctx, struct hogo_error *err)
{
    struct package_call *c = ctx;
    FILE *f = open_memstream(&c->out, &c->len);
    if (!f)
        return hogo_error_set(err, HOGO_ENOMEM, NULL, "out of memory");
    int rc = hogo_disclosure_write(st, c->r.subject, c->records_only, f, NULL, err);
    if (fclose(f) != 0 && rc == 0)
        rc = hogo_error_set(err, HOGO_ENOMEM, NULL, "out of memory");
    return rc;
}

void center_download_package(struct hogod_exchange *x)
{
    const char *id = x->params[0];
    yajl_val q = read_request(x, id);
    if (!q)
        return;
    const char *state = ctl_str(q, "state"), *kind = ctl_str(q, "kind");
    bool ok = state && kind && !strcmp(state, "completed") &&
              (!strcmp(kind, "disclosure") || !strcmp(kind, "provision_records"));
    int records_only = kind && !strcmp(kind, "provision_records");
    yajl_tree_free(q);
    if (!ok) {
        web_error_page(x, 409, web_l(x, "開示の準備ができていません。ご請求が完了してからダウンロードできます。",
                                     "The disclosure is not ready; you can download it once the request is completed."));
        return;
    }
    const struct web_session *s = web_session(x);
    struct package_call c = {.r = {.op = s->operator_id, .subject = s->subject_id, .id = id},
                             .records_only = records_only};
    struct hogo_error err = {0};
    int rc = hogod_store_run(x, package_fn, &c, &err);
    if (rc) {
        free(c.out);
        web_error_from(x, rc, &err);
        return;
    }
    char name[96];
    snprintf(name, sizeof name, "%s.json", id);
    web_attachment(x, name);
    hogod_reply_json_take(x, 200, c.out, c.len);
}
