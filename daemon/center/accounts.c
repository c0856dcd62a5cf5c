/*
 * Linked accounts (GET /center/accounts, POST /center/accounts/unlink): which accounts are
 * linked with the person's account, and what linking means under their operator's policy,
 * read from the policy file (the rules that depend on a link, with their clause and quote).
 * Daemon layer (privacy center).
 */
#include "controls.h"

#include <stdlib.h>
#include <string.h>

/* True when the rule's condition names account as linked (or being linked). */
static bool rule_links(const struct hogo_rule_info *r, const char *account)
{
    static const char *const facts[] = {"linked_accounts has ", "linking_in_progress has "};
    for (int f = 0; f < 2; f++) {
        size_t fl = strlen(facts[f]), al = strlen(account);
        for (const char *p = strstr(r->when, facts[f]); p; p = strstr(p + 1, facts[f])) {
            const char *a = p + fl;
            if (!strncmp(a, account, al) && (a[al] == 0 || a[al] == ' ' || a[al] == ')'))
                return true;
        }
    }
    return false;
}

/* Writes one rule: clause, what it permits (recipients, purposes), and its quote. */
static void write_rule(struct hogod_exchange *x, struct web_buf *b, const struct hogo_policy *pol,
                       const struct hogo_rule_info *r)
{
    web_raw(b, "<li><p>");
    ctl_clause(x, b, r->clause, "第%s項", "Clause %s");
    if (*r->recipients) {
        web_text(b, web_l(x, "　提供先: ", " — to: "));
        ctl_names(x, b, pol, "recipient", r->recipients);
    }
    if (*r->purposes) {
        web_text(b, web_l(x, "　目的: ", " — for: "));
        ctl_names(x, b, pol, "purpose", r->purposes);
    }
    web_raw(b, "</p><blockquote lang=\"ja\"><p>");
    web_text(b, r->quote);
    web_raw(b, "</p></blockquote></li>\n");
}

/* The value of the list member key of the choice with account (NULL when not in the list). */
static const char *since_of(yajl_val list, const char *account)
{
    for (size_t i = 0; list && i < list->u.array.len; i++) {
        yajl_val e = list->u.array.values[i];
        const char *a = ctl_str(e, "account");
        if (a && !strcmp(a, account))
            return ctl_str(e, "since");
    }
    return NULL;
}

void center_page_accounts(struct hogod_exchange *x)
{
    yajl_val ch = ctl_choices(x);
    if (!ch)
        return;
    const struct hogo_policy *pol = NULL;
    struct hogod_policies *ps = ctl_policy(x, &pol);
    yajl_val linked = ctl_get(ch, "linked_accounts", yajl_t_array);
    yajl_val pending = ctl_get(ch, "linking_in_progress", yajl_t_array);
    struct web_buf b = {0};
    ctl_h1(x, &b, "連携しているアカウント", "Linked accounts");
    ctl_p(x, &b,
          "リクルートIDにほかのアカウントを連携すると、プライバシーポリシーに定めるとおり、連携先の会社との間で情報が提供されます。アカウントごとに、連携の状態と、連携によって当社が行うことを示します。",
          "When you link another account with your Recruit ID, information is provided to or "
          "from the linked company as the privacy policy says. For each account: whether it "
          "is linked, and what linking means.");
    const struct hogo_vocab *v = pol ? hogo_policy_vocab(pol) : NULL;
    struct hogo_vocab_entry e;
    int shown = 0;
    for (size_t i = 0; v && hogo_vocab_entry(v, i, &e) == 0; i++) {
        if (strcmp(e.kind, "linkable_account"))
            continue;
        const char *since = since_of(linked, e.id), *in_progress = since_of(pending, e.id);
        int nrules = 0;
        struct hogo_rule_info r;
        for (int k = 0; hogo_policy_rule(pol, k, &r) == 0; k++)
            nrules += rule_links(&r, e.id);
        if (!nrules && !since && !in_progress)
            continue; /* this policy says nothing of it and it is not linked */
        shown++;
        web_raw(&b, "<section class=\"card\"><h2>");
        web_text(&b, e.ja && *e.ja ? e.ja : e.id);
        web_raw(&b, "</h2>\n<p><strong>");
        if (since) {
            web_text(&b, web_l(x, "連携しています（", "Linked (since "));
            ctl_date(&b, since);
            web_text(&b, web_l(x, "から）", ")"));
        } else if (in_progress)
            web_text(&b, web_l(x, "連携の手続き中です", "Linking in progress"));
        else
            web_text(&b, web_l(x, "連携していません", "Not linked"));
        web_raw(&b, "</strong></p>\n");
        if (nrules) {
            web_raw(&b, "<p>");
            web_text(&b, web_l(x, "連携すると、プライバシーポリシーの次の定めにより情報が提供・利用されます。",
                               "When linked, information is provided and used under these clauses of the privacy policy."));
            web_raw(&b, "</p><ul>\n");
            for (int k = 0; hogo_policy_rule(pol, k, &r) == 0; k++)
                if (rule_links(&r, e.id))
                    write_rule(x, &b, pol, &r);
            web_raw(&b, "</ul>\n");
        }
        if (since) {
            char id[160];
            snprintf(id, sizeof id, "unlink-%s", e.id);
            web_raw(&b, "<p");
            web_attr(&b, "id", id);
            web_raw(&b, ">");
            web_text(&b, web_l(x, "連携を解除すると、以後この連携による提供は行われません（解除前の提供の記録は残ります）。",
                               "After unlinking, nothing more is provided through this link (records of earlier provisions are kept)."));
            web_raw(&b, "</p>");
            ctl_form_begin(x, &b, "/center/accounts/unlink");
            ctl_hidden(&b, "account", e.id);
            char label[256];
            snprintf(label, sizeof label, web_l(x, "%sの連携を解除する", "Unlink %s"),
                     e.ja && *e.ja ? e.ja : e.id);
            ctl_button(&b, label, id);
        }
        web_raw(&b, "</section>\n");
    }
    /* Indeed: provisions the policy makes without any link */
    struct hogo_rule_info r;
    int indeed = 0;
    for (int k = 0; pol && hogo_policy_rule(pol, k, &r) == 0; k++)
        if (!strcmp(r.effect, "permit") && strstr(r.recipients, "indeed") &&
            !strstr(r.recipients, "not "))
            indeed++;
    if (indeed) {
        shown++;
        web_raw(&b, "<section class=\"card\"><h2>Indeed</h2>\n<p>");
        web_text(&b, web_l(x, "Indeedとの間の提供は、アカウントの連携によらず、プライバシーポリシーの次の定めに従って行われます。",
                           "Provision to Indeed does not depend on linking an account; it follows these clauses of the privacy policy."));
        web_raw(&b, "</p><ul>\n");
        for (int k = 0; hogo_policy_rule(pol, k, &r) == 0; k++)
            if (!strcmp(r.effect, "permit") && strstr(r.recipients, "indeed") &&
                !strstr(r.recipients, "not "))
                write_rule(x, &b, pol, &r);
        web_raw(&b, "</ul></section>\n");
    }
    if (!shown)
        ctl_p(x, &b, "このプライバシーポリシーには、アカウントの連携による提供の定めはありません。",
              "This privacy policy provides for no provision through linked accounts.");
    if (ps)
        hogod_policies_release(ps);
    yajl_tree_free(ch);
    web_page_end(x, &b);
}

void center_post_unlink(struct hogod_exchange *x)
{
    ctl_fact_change(x, 'r', "linked_accounts", web_form(x, "account"), "/center/accounts",
                    "アカウントの連携を解除しました。", "The account was unlinked.");
}
