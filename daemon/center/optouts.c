/*
 * Opt-outs (GET /center/opt-outs, POST /center/opt-outs): stopping mail and direct mail, ad
 * delivery and the ads that use ad identifiers, location and cookies, each a purpose of the
 * vocabulary kept in the person's opt_outs fact (hogo_subject_add_fact/remove_fact, the calls
 * of `hogo subject optout` and /v1/subjects/{id}/opt-outs); and the partners of the
 * operator's 外部送信一覧 (transmissions registry) that offer an opt-out of their own, with
 * what each receives and its opt-out page. Daemon layer (privacy center).
 */
#include "controls.h"

#include <stdio.h>
#include <string.h>

/* The purposes offered, by group. Vocabulary ids (never renamed); ad_delivery is the whole
 * of section 2(4): stopping it stops every purpose under it. */
static const char *const mail_purposes[] = {"own_group_newsletter",
                                            "third_party_product_newsletter", "campaign_notice",
                                            NULL};
static const char *const ad_purposes[] = {"ad_delivery", "behavioral_targeting_ads",
                                          "custom_audience_ads", NULL};

/* When the purpose is opted out: its "since"; NULL otherwise. */
static const char *opted_out(yajl_val list, const char *purpose)
{
    for (size_t i = 0; list && i < list->u.array.len; i++) {
        const char *p = ctl_str(list->u.array.values[i], "purpose");
        if (p && !strcmp(p, purpose))
            return ctl_str(list->u.array.values[i], "since");
    }
    return NULL;
}

/* True when the vocabulary knows the purpose. */
static bool known_purpose(const struct hogo_policy *pol, const char *id)
{
    const struct hogo_vocab *v = pol ? hogo_policy_vocab(pol) : NULL;
    struct hogo_vocab_entry e;
    for (size_t i = 0; v && hogo_vocab_entry(v, i, &e) == 0; i++)
        if (!strcmp(e.kind, "purpose") && !strcmp(e.id, id))
            return true;
    return false;
}

/* True when the purpose is one the person's policy names (the vocabulary's seen_in lists
 * it, or says nothing). */
static bool policy_names(const struct hogo_policy *pol, const char *id)
{
    const struct hogo_vocab *v = pol ? hogo_policy_vocab(pol) : NULL;
    const char *op = pol ? hogo_policy_id(pol) : "";
    size_t n = strlen(op);
    struct hogo_vocab_entry e;
    for (size_t i = 0; v && hogo_vocab_entry(v, i, &e) == 0; i++) {
        if (strcmp(e.kind, "purpose") || strcmp(e.id, id))
            continue;
        if (!*e.seen_in)
            return true;
        for (const char *p = strstr(e.seen_in, op); p; p = strstr(p + 1, op))
            if ((p == e.seen_in || p[-1] == ' ') && (p[n] == 0 || p[n] == ' '))
                return true;
        return false;
    }
    return false;
}

static void purpose_rows(struct hogod_exchange *x, struct web_buf *b,
                         const struct hogo_policy *pol, yajl_val list,
                         const char *const *purposes)
{
    const char *all = opted_out(list, "ad_delivery");
    web_raw(b, "<ul class=\"controls\">\n");
    for (size_t i = 0; purposes[i]; i++) {
        const char *p = purposes[i];
        if (!policy_names(pol, p) && !opted_out(list, p))
            continue; /* the person's policy does not speak of it (and it is not stopped) */
        const char *since = opted_out(list, p);
        char id[96];
        snprintf(id, sizeof id, "state-%s", p);
        web_raw(b, "<li><p><strong>");
        web_text(b, ctl_name(x, pol, "purpose", p));
        web_raw(b, "</strong><br><span");
        web_attr(b, "id", id);
        web_raw(b, ">");
        if (since) {
            web_text(b, web_l(x, "停止しています（", "Stopped (since "));
            ctl_date(b, since);
            web_text(b, web_l(x, "から）", ")"));
        } else if (all && strcmp(p, "ad_delivery"))
            web_text(b, web_l(x, "「各種サービスの提案・情報提供・広告配信」全体の停止により停止しています",
                              "Stopped with the whole of proposals, information and advertising"));
        else
            web_text(b, web_l(x, "利用しています", "In use"));
        web_raw(b, "</span></p>");
        ctl_form_begin(x, b, "/center/opt-outs");
        ctl_hidden(b, "purpose", p);
        ctl_hidden(b, "change", since ? "resume" : "stop");
        char label[512];
        snprintf(label, sizeof label,
                 since ? web_l(x, "「%s」を再開する", "Resume “%s”")
                       : web_l(x, "「%s」を停止する", "Stop “%s”"),
                 ctl_name(x, pol, "purpose", p));
        ctl_button(b, label, id);
        web_raw(b, "</li>\n");
    }
    web_raw(b, "</ul>\n");
}

/* True when the partner receives one of the data categories (or their parts). */
static bool sends_any(const struct hogo_transmission_partner *pt, const char *const *cats)
{
    for (size_t i = 0; i < pt->ndata; i++)
        for (size_t k = 0; cats[k]; k++)
            if (!strcmp(pt->data[i].id, cats[k]))
                return true;
    return false;
}

static void named_list(struct hogod_exchange *x, struct web_buf *b, const struct hogo_named *n,
                       size_t count)
{
    for (size_t i = 0; i < count; i++) {
        if (i)
            web_text(b, web_l(x, "、", ", "));
        web_text(b, web_l(x, n[i].ja, n[i].en));
    }
}

/* Partners of the registry (only those receiving one of cats when cats is not NULL). */
static int partner_list(struct hogod_exchange *x, struct web_buf *b,
                        const struct hogo_transmissions *t, const char *const *cats)
{
    int n = 0;
    for (size_t i = 0; t && i < hogo_transmissions_partner_count(t); i++) {
        const struct hogo_transmission_partner *pt = hogo_transmissions_partner(t, i);
        if (cats ? !sends_any(pt, cats) : !pt->opt_out_url)
            continue;
        if (!n++)
            web_raw(b, "<ul class=\"partners\">\n");
        web_raw(b, "<li><p><strong>");
        web_text(b, web_l(x, pt->name.ja, pt->name.en));
        web_raw(b, "</strong><br>");
        web_text(b, web_l(x, "送信される情報: ", "Sent: "));
        named_list(x, b, pt->data, pt->ndata);
        web_raw(b, "<br>");
        web_text(b, web_l(x, "利用目的: ", "Used for: "));
        named_list(x, b, pt->purposes, pt->npurposes);
        web_raw(b, "</p>");
        if (pt->opt_out_url) {
            web_raw(b, "<p>");
            web_text(b, web_l(x, pt->opt_out_ja, pt->opt_out_en));
            web_raw(b, " <a rel=\"noreferrer\"");
            web_attr(b, "href", pt->opt_out_url);
            web_raw(b, ">");
            web_textf(b, web_l(x, "%sのオプトアウトのページ（外部サイト）", "%s's opt-out page (another site)"),
                      web_l(x, pt->name.ja, pt->name.en));
            web_raw(b, "</a></p>");
        } else {
            web_raw(b, "<p>");
            web_text(b, web_l(x, "この送信先は独自のオプトアウトを設けていません。上の利用目的の停止をご利用ください。",
                              "This recipient offers no opt-out of its own; stop the purposes above instead."));
            web_raw(b, "</p>");
        }
        web_raw(b, "</li>\n");
    }
    if (n)
        web_raw(b, "</ul>\n");
    return n;
}

void center_page_optouts(struct hogod_exchange *x)
{
    yajl_val ch = ctl_choices(x);
    if (!ch)
        return;
    const struct hogo_policy *pol = NULL;
    struct hogod_policies *ps = ctl_policy(x, &pol);
    const struct hogo_transmissions *t =
        ps ? hogod_transmissions_find(ps, web_session(x)->operator_id) : NULL;
    yajl_val list = ctl_get(ch, "opt_outs", yajl_t_array);
    struct web_buf b = {0};
    ctl_h1(x, &b, "配信・広告の停止", "Stop mail and ads");
    ctl_p(x, &b,
          "次の目的でのお客様の情報の利用を止めることができます（プライバシーポリシーの「利用の停止」）。停止した目的での利用と提供は、法令に基づく場合を除き行われません。",
          "You can stop the use of your information for these purposes (the privacy policy's "
          "利用の停止). A stopped purpose is neither used nor provided for, except where the "
          "law requires it.");
    web_raw(&b, "<section><h2>");
    web_text(&b, web_l(x, "メールマガジン・ダイレクトメール", "Newsletters and direct mail"));
    web_raw(&b, "</h2>\n");
    purpose_rows(x, &b, pol, list, mail_purposes);
    web_raw(&b, "</section>\n<section><h2>");
    web_text(&b, web_l(x, "広告配信", "Advertising"));
    web_raw(&b, "</h2>\n");
    purpose_rows(x, &b, pol, list, ad_purposes);
    web_raw(&b, "</section>\n<section><h2>");
    web_text(&b, web_l(x, "広告識別子・位置情報", "Ad identifiers and location"));
    web_raw(&b, "</h2>\n");
    ctl_p(x, &b,
          "広告識別子（AAID・IDFA）や位置情報は、上の広告配信の目的に使われます。広告配信を停止すると、当社はこれらを広告のために使いません。アプリやサイトから次の送信先に送られる広告識別子・位置情報は、各社のオプトアウトや端末の設定で止めることができます。",
          "Ad identifiers (AAID, IDFA) and location are used for the advertising purposes "
          "above; once advertising is stopped, we do not use them for ads. What our apps and "
          "sites send to the recipients below can be stopped with each one's opt-out or in "
          "your device's settings.");
    static const char *const adid_location[] = {"ad_identifier", "aaid", "idfa", "location",
                                                NULL};
    if (!t)
        ctl_p(x, &b, "この事業者の外部送信一覧はまだありません。",
              "This operator has no list of external transmissions yet.");
    else if (!partner_list(x, &b, t, adid_location))
        ctl_p(x, &b, "外部送信一覧には、広告識別子・位置情報を受け取る送信先はありません。",
              "No recipient in the list of external transmissions receives ad identifiers or location.");
    web_raw(&b, "</section>\n<section><h2>");
    web_text(&b, web_l(x, "提携先ごとのオプトアウト（Cookie等）", "Opt-out per partner (cookies and the like)"));
    web_raw(&b, "</h2>\n");
    if (t && hogo_transmissions_example(t))
        ctl_p(x, &b, "この一覧の項目は例示です（実際のタグの一覧ではありません）。",
              "The entries of this list are examples, not the operator's actual tags.");
    if (!t)
        ctl_p(x, &b, "この事業者の外部送信一覧はまだありません。",
              "This operator has no list of external transmissions yet.");
    else if (!partner_list(x, &b, t, NULL))
        ctl_p(x, &b, "独自のオプトアウトを設けている送信先はありません。",
              "No recipient offers an opt-out of its own.");
    web_raw(&b, "</section>\n");
    if (ps)
        hogod_policies_release(ps);
    yajl_tree_free(ch);
    web_page_end(x, &b);
}

void center_post_optout(struct hogod_exchange *x)
{
    const char *action = web_form(x, "change");
    bool resume = action && !strcmp(action, "resume");
    if (!action || (!resume && strcmp(action, "stop"))) {
        struct hogo_error err = {0};
        hogo_error_set(&err, HOGO_EINVAL, NULL, "change must be stop or resume");
        ctl_change_done(x, HOGO_EINVAL, &err, "/center/opt-outs", "", "");
        return;
    }
    const struct hogo_policy *pol = NULL;
    struct hogod_policies *ps = ctl_policy(x, &pol);
    const char *purpose = web_form(x, "purpose");
    bool known = purpose && known_purpose(pol, purpose);
    if (ps)
        hogod_policies_release(ps);
    if (!known) {
        struct hogo_error err = {0};
        hogo_error_set(&err, HOGO_EINVAL, NULL, "%s",
                       web_l(x, "停止できる利用目的ではありません。", "that is not a purpose you can stop."));
        ctl_change_done(x, HOGO_EINVAL, &err, "/center/opt-outs", "", "");
        return;
    }
    if (resume)
        ctl_fact_change(x, 'r', "opt_outs", web_form(x, "purpose"), "/center/opt-outs",
                        "再開しました。", "Resumed.");
    else
        ctl_fact_change(x, 'a', "opt_outs", web_form(x, "purpose"), "/center/opt-outs",
                        "停止しました。", "Stopped.");
}
