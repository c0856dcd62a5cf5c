/*
 * The privacy center's navigation and its texts in Japanese and English. Daemon layer
 * (privacy center).
 */
#include "center.h"

/* clang-format off */
const struct web_nav center_nav[] = {
    {"/center/", "概要", "Overview"},
    {NULL, NULL, NULL},
};

const struct web_message center_messages[] = {
    {"overview.title", "あなたの情報の取り扱い", "How your information is handled"},
    {"overview.lead", "当社がお客様について保有している情報、その提供先、プライバシーポリシーがお客様にとって何を意味するかを確認できます。",
                      "See what we hold about you, whom it was provided to, and what our privacy policy means for you."},
    {"overview.held", "保有している情報", "Information we hold"},
    {"overview.items", "件のデータ項目", "data items"},
    {"signed_out.title", "サインアウトしました", "You have signed out"},
    {"signed_out.body", "プライバシーセンターからサインアウトしました。もう一度ご覧になるには、ご利用のサービスから開いてください。",
                        "You have signed out of the Privacy Center. To open it again, follow the link in the service you use."},
    {NULL, NULL, NULL},
};
/* clang-format on */

const char *center_t(struct hogod_exchange *x, const char *key)
{
    return web_tt(x, center_messages, key);
}
