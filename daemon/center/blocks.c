/*
 * Company blocks (GET /center/blocks, POST /center/blocks, POST /center/blocks/remove): the
 * companies the person blocked from receiving their information through the scout services,
 * found by name or 法人番号 in the store's named corporations (hogo_corp_search_json), added
 * and removed with hogo_subject_add_fact/remove_fact on blocked_companies, the calls of `hogo
 * subject block` and /v1/subjects/{id}/blocks. A block follows the company through mergers
 * and renames (its successors). Daemon layer (privacy center).
 */
#include "controls.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct search {
    const char *q;
    char *json;
};

static int search_fn(struct hogo_store *st, void *ctx, struct hogo_error *err)
{
    struct search *s = ctx;
    return hogo_corp_search_json(st, s->q, 50, &s->json, err);
}

/* True when number is among the person's blocks. */
static bool blocked(yajl_val list, const char *number)
{
    for (size_t i = 0; list && i < list->u.array.len; i++) {
        const char *n = ctl_str(list->u.array.values[i], "corporate_number");
        if (n && !strcmp(n, number))
            return true;
    }
    return false;
}

static void block_form(struct hogod_exchange *x, struct web_buf *b, const char *action,
                       const char *number, const char *label)
{
    ctl_form_begin(x, b, action);
    ctl_hidden(b, "corporate_number", number);
    ctl_button(b, label, NULL);
}

void center_page_blocks(struct hogod_exchange *x)
{
    yajl_val ch = ctl_choices(x);
    if (!ch)
        return;
    const struct hogo_policy *pol = NULL;
    struct hogod_policies *ps = ctl_policy(x, &pol);
    yajl_val list = ctl_get(ch, "blocked_companies", yajl_t_array);
    const char *q = hogod_query(x, "q");
    struct web_buf b = {0};
    ctl_h1(x, &b, "企業ブロック", "Company blocks");
    ctl_p(x, &b,
          "ブロックした企業には、スカウトサービスを通じてお客様の情報が提供されません。企業が合併や商号変更をしても、ブロックは承継した企業に引き継がれます。",
          "A company you block receives nothing about you through the scout services. The "
          "block follows the company through mergers and renames.");
    /* the policy's own words on blocks */
    struct hogo_rule_info r;
    for (int k = 0; pol && hogo_policy_rule(pol, k, &r) == 0; k++)
        if (strstr(r.when, "blocked_companies")) {
            web_raw(&b, "<p>");
            ctl_clause(x, &b, r.clause, "プライバシーポリシー第%s項", "Privacy policy clause %s");
            web_raw(&b, "</p><blockquote lang=\"ja\"><p>");
            web_text(&b, r.quote);
            web_raw(&b, "</p></blockquote>\n");
            break;
        }
    web_raw(&b, "<h2>");
    web_text(&b, web_l(x, "ブロックしている企業", "Companies you block"));
    web_raw(&b, "</h2>\n");
    if (!list || !list->u.array.len)
        ctl_p(x, &b, "ブロックしている企業はありません。", "You block no company.");
    else {
        web_raw(&b, "<table><caption>");
        web_text(&b, web_l(x, "ブロックの一覧", "Your blocks"));
        web_raw(&b, "</caption><thead><tr>");
        const char *heads[][2] = {{"企業名", "Company"}, {"法人番号", "Corporate number"},
                                  {"設定日時", "Since"}, {"承継した企業", "Successors"},
                                  {"操作", "Action"}};
        for (size_t i = 0; i < 5; i++) {
            web_raw(&b, "<th scope=\"col\">");
            web_text(&b, web_l(x, heads[i][0], heads[i][1]));
            web_raw(&b, "</th>");
        }
        web_raw(&b, "</tr></thead><tbody>\n");
        for (size_t i = 0; i < list->u.array.len; i++) {
            yajl_val c = list->u.array.values[i];
            const char *num = ctl_str(c, "corporate_number"), *name = ctl_str(c, "name");
            web_raw(&b, "<tr><th scope=\"row\">");
            web_text(&b, name && *name ? name : web_l(x, "（名称の登録なし）", "(no name on record)"));
            web_raw(&b, "</th><td>");
            web_text(&b, num);
            web_raw(&b, "</td><td>");
            ctl_date(&b, ctl_str(c, "since"));
            web_raw(&b, "</td><td>");
            yajl_val succ = ctl_get(c, "successors", yajl_t_array);
            for (size_t k = 0; succ && k < succ->u.array.len; k++) {
                if (k)
                    web_text(&b, web_l(x, "、", ", "));
                web_text(&b, YAJL_GET_STRING(succ->u.array.values[k]));
            }
            web_raw(&b, "</td><td>");
            char label[400];
            snprintf(label, sizeof label, web_l(x, "%sのブロックを解除", "Unblock %s"),
                     name && *name ? name : num);
            block_form(x, &b, "/center/blocks/remove", num, label);
            web_raw(&b, "</td></tr>\n");
        }
        web_raw(&b, "</tbody></table>\n");
    }
    /* search */
    web_raw(&b, "<h2>");
    web_text(&b, web_l(x, "企業を探してブロックする", "Find a company to block"));
    web_raw(&b, "</h2>\n<form method=\"get\" action=\"/center/blocks\" role=\"search\"><p>"
                "<label for=\"q\">");
    web_text(&b, web_l(x, "企業名または法人番号", "Company name or corporate number"));
    web_raw(&b, "</label> <input type=\"search\" id=\"q\" name=\"q\" autocomplete=\"off\"");
    if (q)
        web_attr(&b, "value", q);
    web_raw(&b, "> <button type=\"submit\">");
    web_text(&b, web_l(x, "検索", "Search"));
    web_raw(&b, "</button></p></form>\n");
    if (q && *q) {
        struct search s = {.q = q};
        struct hogo_error err = {0};
        int rc = hogod_store_run(x, search_fn, &s, &err);
        yajl_val res = rc == 0 ? yajl_tree_parse(s.json, NULL, 0) : NULL;
        free(s.json);
        web_raw(&b, "<section aria-live=\"polite\"><h3>");
        web_textf(&b, web_l(x, "「%s」の検索結果", "Results for “%s”"), q);
        web_raw(&b, "</h3>\n");
        if (rc)
            ctl_p(x, &b, "検索できませんでした。企業名の一部か法人番号を入力してください。",
                  "The search failed; enter part of a company name or a corporate number.");
        else if (!res || !YAJL_IS_ARRAY(res) || !res->u.array.len)
            ctl_p(x, &b, "該当する企業は見つかりませんでした。13桁の法人番号が分かる場合は、下の欄から直接ブロックできます。",
                  "No company was found. If you know its 13-digit corporate number, you can block it below.");
        else {
            web_raw(&b, "<ul class=\"results\">\n");
            for (size_t i = 0; i < res->u.array.len; i++) {
                yajl_val c = res->u.array.values[i];
                const char *num = ctl_str(c, "corporate_number"), *name = ctl_str(c, "name");
                web_raw(&b, "<li>");
                web_text(&b, name);
                web_text(&b, web_l(x, "（法人番号 ", " (corporate number "));
                web_text(&b, num);
                web_text(&b, web_l(x, "）", ")"));
                if (blocked(list, num)) {
                    web_text(&b, web_l(x, " — ブロック中", " — blocked"));
                } else {
                    char label[400];
                    snprintf(label, sizeof label, web_l(x, "%sをブロックする", "Block %s"), name);
                    block_form(x, &b, "/center/blocks", num, label);
                }
                web_raw(&b, "</li>\n");
            }
            web_raw(&b, "</ul>\n");
        }
        yajl_tree_free(res);
        web_raw(&b, "</section>\n");
    }
    web_raw(&b, "<h2>");
    web_text(&b, web_l(x, "法人番号でブロックする", "Block by corporate number"));
    web_raw(&b, "</h2>\n");
    ctl_form_begin(x, &b, "/center/blocks");
    web_raw(&b, "<p><label for=\"corporate_number\">");
    web_text(&b, web_l(x, "法人番号（13桁）", "Corporate number (13 digits)"));
    web_raw(&b, "</label> <input type=\"text\" id=\"corporate_number\" name=\"corporate_number\" "
                "inputmode=\"numeric\" pattern=\"[0-9]{13}\" maxlength=\"13\" required "
                "autocomplete=\"off\"></p>");
    ctl_button(&b, web_l(x, "ブロックする", "Block"), NULL);
    if (ps)
        hogod_policies_release(ps);
    yajl_tree_free(ch);
    web_page_end(x, &b);
}

void center_post_block(struct hogod_exchange *x)
{
    ctl_fact_change(x, 'a', "blocked_companies", web_form(x, "corporate_number"),
                    "/center/blocks", "企業をブロックしました。", "The company was blocked.");
}

void center_post_unblock(struct hogod_exchange *x)
{
    ctl_fact_change(x, 'r', "blocked_companies", web_form(x, "corporate_number"),
                    "/center/blocks", "企業のブロックを解除しました。",
                    "The company was unblocked.");
}
