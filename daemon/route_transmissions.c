/*
 * The 外部送信一覧 routes (docs/transmissions.md): a served policy's list of external
 * transmissions, to anyone — the Telecommunications Business Act (Art. 27-12) wants it easy
 * for every user to find, so neither needs a key or a session.
 *   GET /v1/transmissions/{policy_id}      the list as JSON (docs/openapi.yaml)
 *   GET /center/transmissions/{policy_id}  the list as a page (Japanese, ?lang=en), on the web
 *                                          foundation: per site or app a table of each tag or
 *                                          SDK, its recipient, the data sent and the purposes,
 *                                          then each recipient with a link to its own opt-out
 * Daemon layer.
 */
#include "hogod.h"
#include "web/web.h"

#include <stdlib.h>
#include <string.h>

void hogod_route_transmissions(struct hogod_exchange *x)
{
    struct hogod_policies *ps = hogod_policies_get(x->d);
    const struct hogo_policy *p = hogod_policy_find(ps, x->params[0]);
    const struct hogo_transmissions *t = p ? hogod_transmissions_find(ps, x->params[0]) : NULL;
    if (!p) {
        hogod_problem(x, 404, NULL, "policy '%s' is not served here", x->params[0]);
    } else if (!t) {
        hogod_problem(x, 404, NULL,
                      "policy '%s' has no list of external transmissions; the operator writes "
                      "it as transmissions/%s.yaml beside the policy",
                      x->params[0], x->params[0]);
    } else {
        size_t len = 0;
        char *json = hogo_transmissions_json(t, false, &len);
        if (!json)
            hogod_problem(x, 503, NULL, "out of memory; retry later");
        else
            hogod_reply_json_take(x, 200, json, len);
    }
    hogod_policies_release(ps);
}

/* The names of a list, joined: 「、」 in Japanese, "; " in English. */
static void names(struct web_buf *b, const struct hogo_named *v, size_t n, bool en)
{
    for (size_t i = 0; i < n; i++) {
        if (i)
            web_raw(b, en ? "; " : "、");
        web_text(b, en ? v[i].en : v[i].ja);
    }
}

/* A link to a partner's own opt-out page, or a sentence saying the list names none. */
static void opt_out_cell(struct web_buf *b, const struct hogo_transmission_partner *r, bool en)
{
    if (!r->opt_out_url) {
        web_text(b, en ? "None listed" : "記載なし");
        return;
    }
    web_raw(b, "<a");
    web_attr(b, "href", r->opt_out_url);
    web_raw(b, " rel=\"noopener noreferrer\">");
    web_text(b, en ? "Opt-out page of " : "");
    web_text(b, en ? r->name.en : r->name.ja);
    web_text(b, en ? "" : "のオプトアウト");
    web_raw(b, "</a>");
}

static void site_table(struct web_buf *b, const struct hogo_transmissions *t,
                       const struct hogo_transmission_site *s, bool en)
{
    web_raw(b, "<section");
    web_attr(b, "id", s->id);
    web_raw(b, ">\n<h2>");
    web_text(b, en ? s->name.en : s->name.ja);
    web_raw(b, " <span class=\"badge\">");
    web_text(b, !strcmp(s->kind, "app") ? (en ? "app" : "アプリ") : (en ? "website" : "ウェブサイト"));
    web_raw(b, "</span></h2>\n");
    if (s->url) {
        web_raw(b, "<p><a");
        web_attr(b, "href", s->url);
        web_raw(b, ">");
        web_text(b, s->url);
        web_raw(b, "</a></p>\n");
    }
    web_raw(b, "<table>\n<caption>");
    web_text(b, en ? "What this site or app sends, to whom and for what"
                   : "送信される情報・送信先・利用目的");
    web_raw(b, "</caption>\n<thead><tr>");
    static const char *const ja_cols[] = {"ツール（タグ・SDK）", "送信先", "送信される情報",
                                          "利用目的", "送信先のオプトアウト"};
    static const char *const en_cols[] = {"tool (tag or SDK)", "recipient", "data sent",
                                          "purposes of use", "recipient's opt-out"};
    for (int c = 0; c < 5; c++) {
        web_raw(b, "<th scope=\"col\">");
        web_text(b, en ? en_cols[c] : ja_cols[c]);
        web_raw(b, "</th>");
    }
    web_raw(b, "</tr></thead>\n<tbody>\n");
    for (size_t i = s->first; i < s->first + s->count; i++) {
        const struct hogo_transmission *tx = hogo_transmissions_get(t, i);
        const struct hogo_transmission_partner *r = hogo_transmissions_partner(t, tx->partner);
        web_raw(b, "<tr><th scope=\"row\">");
        web_text(b, en ? tx->tool.en : tx->tool.ja);
        web_raw(b, "</th><td>");
        web_text(b, en ? r->name.en : r->name.ja);
        web_raw(b, "</td><td>");
        names(b, tx->data, tx->ndata, en);
        if (tx->note_ja[0]) {
            web_raw(b, "<br><span class=\"muted\">");
            web_text(b, en ? tx->note_en : tx->note_ja);
            web_raw(b, "</span>");
        }
        web_raw(b, "</td><td>");
        names(b, tx->purposes, tx->npurposes, en);
        web_raw(b, "</td><td>");
        opt_out_cell(b, r, en);
        web_raw(b, "</td></tr>\n");
    }
    web_raw(b, "</tbody>\n</table>\n</section>\n");
}

void hogod_page_transmissions(struct hogod_exchange *x)
{
    struct hogod_policies *ps = hogod_policies_get(x->d);
    const struct hogo_policy *p = hogod_policy_find(ps, x->params[0]);
    const struct hogo_transmissions *t = p ? hogod_transmissions_find(ps, x->params[0]) : NULL;
    if (!t) {
        hogod_policies_release(ps);
        web_error_page(x, 404, web_l(x, "この会社の外部送信一覧はありません。アドレスをご確認ください。",
                                     "There is no list of external transmissions for this "
                                     "company; check the address."));
        return;
    }
    bool en = !strcmp(web_lang(x), "en");
    const char *title = en ? "External transmissions" : "外部送信一覧";
    struct web_buf b = {0};
    web_page_begin(x, &b, title, NULL);
    web_raw(&b, "<h1>");
    web_text(&b, title);
    web_raw(&b, "</h1>\n<p>");
    const char *op = hogo_transmissions_operator(t, en);
    if (en)
        web_textf(&b, "%s lists here what the tags and SDKs of its websites and apps send about "
                      "you to other companies: what is sent, to whom, and what they use it for "
                      "(Telecommunications Business Act, Art. 27-12). Where a recipient offers its "
                      "own opt-out, its page is linked.", op);
    else
        web_textf(&b, "%sのウェブサイトおよびアプリに組み込まれたタグ・SDKが、利用者に関する情報を"
                      "外部に送信する場合の、送信される情報の内容、送信先、利用目的を掲載しています"
                      "（電気通信事業法第27条の12）。送信先がオプトアウトの手段を提供している場合は、"
                      "そのページへのリンクを掲載しています。", op);
    web_raw(&b, "</p>\n<p class=\"muted\">");
    web_textf(&b, en ? "Last revised: %s" : "最終更新日: %s", hogo_transmissions_revised(t));
    web_raw(&b, "</p>\n");
    if (hogo_transmissions_example(t)) {
        web_raw(&b, "<p class=\"note\"><strong>");
        web_text(&b, en ? "Example data." : "例示データです。");
        web_raw(&b, "</strong> ");
        web_text(&b, en ? "The entries below illustrate the format of this list; they are not the "
                          "tags and SDKs the company actually uses."
                        : "以下の記載は一覧の形式を示すための例であり、実際に使用しているタグ・"
                          "SDKではありません。");
        web_raw(&b, "</p>\n");
    }
    web_raw(&b, "<nav");
    web_attr(&b, "aria-label", en ? "Sites and apps" : "サイト・アプリ");
    web_raw(&b, "><ul>\n");
    for (size_t i = 0; i < hogo_transmissions_site_count(t); i++) {
        const struct hogo_transmission_site *s = hogo_transmissions_site(t, i);
        web_raw(&b, "<li><a href=\"#");
        web_url(&b, s->id);
        web_raw(&b, "\">");
        web_text(&b, en ? s->name.en : s->name.ja);
        web_raw(&b, "</a></li>\n");
    }
    web_raw(&b, "<li><a href=\"#opt-outs\">");
    web_text(&b, en ? "Opt-outs by recipient" : "送信先ごとのオプトアウト");
    web_raw(&b, "</a></li>\n</ul></nav>\n");
    for (size_t i = 0; i < hogo_transmissions_site_count(t); i++)
        site_table(&b, t, hogo_transmissions_site(t, i), en);
    /* every recipient once, with what it receives and its own opt-out */
    web_raw(&b, "<section id=\"opt-outs\">\n<h2>");
    web_text(&b, en ? "Opt-outs by recipient" : "送信先ごとのオプトアウト");
    web_raw(&b, "</h2>\n<table>\n<caption>");
    web_text(&b, en ? "Each recipient, everything it receives, and its own opt-out"
                    : "送信先ごとの送信される情報・利用目的とオプトアウト");
    web_raw(&b, "</caption>\n<thead><tr>");
    static const char *const ja_cols[] = {"送信先", "送信される情報", "利用目的", "オプトアウト"};
    static const char *const en_cols[] = {"recipient", "data sent", "purposes of use", "opt-out"};
    for (int c = 0; c < 4; c++) {
        web_raw(&b, "<th scope=\"col\">");
        web_text(&b, en ? en_cols[c] : ja_cols[c]);
        web_raw(&b, "</th>");
    }
    web_raw(&b, "</tr></thead>\n<tbody>\n");
    for (size_t i = 0; i < hogo_transmissions_partner_count(t); i++) {
        const struct hogo_transmission_partner *r = hogo_transmissions_partner(t, i);
        web_raw(&b, "<tr");
        web_attr(&b, "id", r->name.id);
        web_raw(&b, "><th scope=\"row\">");
        web_text(&b, en ? r->name.en : r->name.ja);
        web_raw(&b, "</th><td>");
        names(&b, r->data, r->ndata, en);
        web_raw(&b, "</td><td>");
        names(&b, r->purposes, r->npurposes, en);
        web_raw(&b, "</td><td>");
        opt_out_cell(&b, r, en);
        if (r->opt_out_url && r->opt_out_ja[0]) {
            web_raw(&b, "<br><span class=\"muted\">");
            web_text(&b, en ? r->opt_out_en : r->opt_out_ja);
            web_raw(&b, "</span>");
        }
        web_raw(&b, "</td></tr>\n");
    }
    web_raw(&b, "</tbody>\n</table>\n</section>\n<p><a");
    char href[256];
    snprintf(href, sizeof href, "/v1/transmissions/%s", hogo_policy_id(p));
    web_attr(&b, "href", href);
    web_raw(&b, ">");
    web_text(&b, en ? "This list as JSON" : "この一覧のJSON形式");
    web_raw(&b, "</a></p>\n");
    hogod_policies_release(ps);
    web_page_end(x, &b);
}
