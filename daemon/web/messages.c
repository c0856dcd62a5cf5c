/*
 * The web foundation's message catalogue: every text of the page shell, the error pages and
 * the sign-in in Japanese and English, and the lookup pages use for their own tables.
 * Daemon layer (web foundation).
 */
#include "web_int.h"

#include <string.h>

/* clang-format off */
const struct web_message web_messages[] = {
    {"area.center", "プライバシーセンター", "Privacy Center"},
    {"area.console", "プライバシー管理コンソール", "Privacy Office Console"},
    {"shell.skip", "本文へ移動", "Skip to main content"},
    {"shell.nav", "主なページ", "Main pages"},
    {"shell.signout", "サインアウト", "Sign out"},
    {"shell.member", "会員ID", "Member ID"},
    {"shell.officer", "担当者", "Officer"},
    {"shell.footer_center", "このページは、当社がお客様の情報をどのように取り扱っているかをお知らせするものです。外部のサイトへの通信は行いません。",
                            "This page tells you how we handle information about you. It sends nothing to any other site."},
    {"shell.footer_console", "プライバシー管理コンソール — 操作はすべて監査ログに記録されます。",
                             "Privacy Office Console — every action is recorded in the audit log."},
    {"role.viewer", "閲覧者", "viewer"},
    {"role.handler", "担当者", "handler"},
    {"role.admin", "管理者", "administrator"},
    {"error.400", "リクエストを処理できませんでした", "The request could not be processed"},
    {"error.401", "サインインが必要です", "Please sign in"},
    {"error.403", "この操作は許可されていません", "This action is not allowed"},
    {"error.404", "ページが見つかりません", "Page not found"},
    {"error.405", "この方法ではご利用いただけません", "Not available this way"},
    {"error.413", "送信された内容が大きすぎます", "What was sent is too large"},
    {"error.415", "送信形式が正しくありません", "The form was sent in a format this page does not take"},
    {"error.500", "エラーが発生しました", "Something went wrong"},
    {"error.503", "現在ご利用いただけません", "Not available now"},
    {"error.back", "トップページへ戻る", "Back to the start page"},
    {"error.not_found", "お探しのページまたは情報は見つかりませんでした。アドレスをご確認ください。",
                        "The page or information you asked for was not found. Please check the address."},
    {"error.internal", "時間をおいてもう一度お試しください。繰り返し発生する場合はお問い合わせください。",
                       "Please try again later. If it happens again, please contact us."},
    {"error.busy", "混み合っています。しばらくしてからもう一度お試しください。",
                   "The service is busy. Please try again in a moment."},
    {"error.signin_person", "プライバシーセンターを開くには、ご利用のサービスにログインし、マイページのリンクから開いてください。一定時間操作がなかった場合も、もう一度開き直してください。",
                            "To open the Privacy Center, sign in to the service you use and follow the link on your account page. If you were away for a while, open it again the same way."},
    {"error.signin_officer", "コンソールを使うにはサインインしてください（一定時間操作がない場合は自動的にサインアウトします）。",
                             "Please sign in to use the console (you are signed out after a while without activity)."},
    {"error.role", "この操作にはより上位の権限が必要です。必要な権限: ",
                   "This action needs a higher role. Role needed: "},
    {"error.origin", "別のサイトから送信されたフォームは受け付けられません。このサイトのページから操作してください。",
                     "A form sent from another site is not accepted. Please use the pages of this site."},
    {"error.csrf", "フォームの有効期限が切れたか、正しくありません。ページを開き直してからもう一度送信してください。",
                   "The form has expired or is not valid. Please reload the page and send it again."},
    {"error.form", "フォームの内容を読み取れませんでした。ページを開き直してからもう一度送信してください。",
                   "The form could not be read. Please reload the page and send it again."},
    {"error.form_type", "フォームは application/x-www-form-urlencoded で送信してください。",
                        "Send forms as application/x-www-form-urlencoded."},
    {"signin.no_token", "サインイン用のリンクが正しくありません。ご利用のサービスからもう一度開いてください。",
                        "The sign-in link is not complete. Please open it again from the service you use."},
    {"signin.bad_token", "サインイン用のリンクが正しくないか、改ざんされています。ご利用のサービスからもう一度開いてください。",
                         "The sign-in link is not valid or has been altered. Please open it again from the service you use."},
    {"signin.expired", "サインイン用のリンクの有効期限が切れています。ご利用のサービスからもう一度開いてください。",
                       "The sign-in link has expired. Please open it again from the service you use."},
    {"signin.used", "このサインイン用のリンクはすでに使用されています。ご利用のサービスからもう一度開いてください。",
                    "This sign-in link has already been used. Please open it again from the service you use."},
    {"signin.wrong_kind", "このリンクは別の画面用です。正しいリンクから開いてください。",
                          "This link is meant for another page. Please use the right link."},
    {"signin.unknown", "このアカウントの情報が見つかりません。ご利用のサービスにお問い合わせください。",
                       "No account was found for this link. Please contact the service you use."},
    {"signin.no_key", "このサービスではサインインが設定されていません（hogod --signin-key）。管理者にお問い合わせください。",
                      "Sign-in is not set up on this service (hogod --signin-key). Please contact the administrator."},
    {"signin.no_officers", "担当者アカウントの機能がまだ組み込まれていないため、担当者のサインインは利用できません。",
                           "Officer sign-in is not available: officer accounts are not built into this hogod yet."},
    {"signin.disabled", "この担当者アカウントは無効です。管理者にお問い合わせください。",
                        "This officer account is disabled. Please contact an administrator."},
    {"flash.signed_in", "サインインしました。", "You are signed in."},
    {"flash.lang", "表示言語を切り替えました。", "The language has been changed."},
    {NULL, NULL, NULL},
};
/* clang-format on */

const char *web_message_lookup(const struct web_message *table, const char *lang,
                               const char *key)
{
    if (!table || !key)
        return NULL;
    bool en = lang && !strcmp(lang, "en");
    for (const struct web_message *m = table; m->key; m++)
        if (!strcmp(m->key, key))
            return en ? m->en : m->ja;
    return NULL;
}

const char *web_tt(struct hogod_exchange *x, const struct web_message *table, const char *key)
{
    const char *lang = web_lang(x);
    const char *s = web_message_lookup(table, lang, key);
    if (!s)
        s = web_message_lookup(web_messages, lang, key);
    return s ? s : key;
}

const char *web_t(struct hogod_exchange *x, const char *key)
{
    return web_tt(x, NULL, key);
}

const char *web_l(struct hogod_exchange *x, const char *ja, const char *en)
{
    return strcmp(web_lang(x), "en") ? ja : en;
}
