/*
 * Consents (GET /center/consents, POST /center/consents/withdraw): the separate consents the
 * person gave (別途の同意), what each covers, and withdrawing one through
 * hogo_subject_withdraw(), the call and audit event of `hogo subject withdraw` and DELETE
 * /v1/subjects/{id}/consents/{consent_id}. Daemon layer (privacy center).
 */
#include "controls.h"

#include <stdio.h>
#include <string.h>

void center_page_consents(struct hogod_exchange *x)
{
    yajl_val ch = ctl_choices(x);
    if (!ch)
        return;
    const struct hogo_policy *pol = NULL;
    struct hogod_policies *ps = ctl_policy(x, &pol);
    yajl_val list = ctl_get(ch, "consents", yajl_t_array);
    struct web_buf b = {0};
    ctl_h1(x, &b, "同意", "Consents");
    ctl_p(x, &b,
          "プライバシーポリシーの定めとは別にお客様からいただいた同意です。撤回すると、その同意に基づく利用や提供は以後行われません。",
          "Consents you gave besides what the privacy policy provides. Once you withdraw one, "
          "nothing more is used or provided on the strength of it.");
    if (!list || !list->u.array.len)
        ctl_p(x, &b, "いただいている同意はありません。", "You have given no separate consent.");
    else {
        web_raw(&b, "<table><caption>");
        web_text(&b, web_l(x, "同意の一覧", "Your consents"));
        web_raw(&b, "</caption><thead><tr>");
        const char *heads[][2] = {{"目的", "Purpose"}, {"提供先", "Recipient"},
                                  {"情報", "Information"}, {"同意した日時", "Given"},
                                  {"状態", "State"}};
        for (size_t i = 0; i < 5; i++) {
            web_raw(&b, "<th scope=\"col\">");
            web_text(&b, web_l(x, heads[i][0], heads[i][1]));
            web_raw(&b, "</th>");
        }
        web_raw(&b, "</tr></thead><tbody>\n");
        for (size_t i = 0; i < list->u.array.len; i++) {
            yajl_val c = list->u.array.values[i];
            const char *id = ctl_str(c, "id"), *withdrawn = ctl_str(c, "withdrawn_at");
            web_raw(&b, "<tr><th scope=\"row\">");
            web_text(&b, ctl_name(x, pol, "purpose", ctl_str(c, "purpose")));
            web_raw(&b, "</th><td>");
            web_text(&b, ctl_name(x, pol, "recipient", ctl_str(c, "recipient")));
            web_raw(&b, "</td><td>");
            yajl_val data = ctl_get(c, "data", yajl_t_array);
            for (size_t k = 0; data && k < data->u.array.len; k++) {
                if (k)
                    web_text(&b, web_l(x, "、", ", "));
                web_text(&b, ctl_name(x, pol, "data_category",
                                      YAJL_GET_STRING(data->u.array.values[k])));
            }
            web_raw(&b, "</td><td>");
            ctl_date(&b, ctl_str(c, "given_at"));
            web_raw(&b, "</td><td>");
            if (withdrawn) {
                web_text(&b, web_l(x, "撤回済み（", "Withdrawn ("));
                ctl_date(&b, withdrawn);
                web_text(&b, web_l(x, "）", ")"));
            } else {
                web_text(&b, web_l(x, "有効", "In force"));
                ctl_form_begin(x, &b, "/center/consents/withdraw");
                ctl_hidden(&b, "consent", id);
                char label[256];
                snprintf(label, sizeof label, web_l(x, "「%s」の同意を撤回する", "Withdraw consent to “%s”"),
                         ctl_name(x, pol, "purpose", ctl_str(c, "purpose")));
                ctl_button(&b, label, NULL);
            }
            web_raw(&b, "</td></tr>\n");
        }
        web_raw(&b, "</tbody></table>\n");
    }
    if (ps)
        hogod_policies_release(ps);
    yajl_tree_free(ch);
    web_page_end(x, &b);
}

void center_post_withdraw(struct hogod_exchange *x)
{
    ctl_fact_change(x, 'w', NULL, web_form(x, "consent"), "/center/consents",
                    "同意を撤回しました。", "The consent was withdrawn.");
}
