/*
 * GET /center/policy: the operator's privacy policy as its policy file states it, clause by
 * clause (each with an anchor, #clause-3-2 for 3(2), and the policy's own words), and before
 * it, for each purpose the policy names, a plain-language card saying what it means for this
 * person: whether it applies to them given their stored facts (linked accounts, opt-outs,
 * applications, services), and to whom their data may go. Daemon layer (privacy center).
 */
#include "center.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The anchor of a clause id: "3(2)" -> "clause-3-2". */
static void anchor_of(const char *clause, char *out, size_t size)
{
    size_t n = (size_t)snprintf(out, size, "clause-");
    bool dash = false;
    for (const char *p = clause; *p && n + 2 < size; p++) {
        if (isalnum((unsigned char)*p)) {
            out[n++] = *p;
            dash = false;
        } else if (!dash && n > 7) {
            out[n++] = '-';
            dash = true;
        }
    }
    while (n > 7 && out[n - 1] == '-')
        n--;
    out[n] = '\0';
}

/* True when the comma-separated list (", " between ids; "not ..." lists excluded) names id. */
static bool list_has(const char *list, const char *id)
{
    if (!list || !*list || !strncmp(list, "not ", 4))
        return false;
    size_t n = strlen(id);
    for (const char *p = list; (p = strstr(p, id)); p += n) {
        bool start = p == list || p[-1] == ' ' || p[-1] == ',';
        bool end = !p[n] || p[n] == ',' || p[n] == ' ';
        if (start && end)
            return true;
    }
    return false;
}

/* Calls fn for each id of a comma-separated list (not for "not ..." lists). */
static void each_id(const char *list, void (*fn)(void *ctx, const char *id), void *ctx)
{
    if (!list || !*list || !strncmp(list, "not ", 4))
        return;
    char buf[1200];
    snprintf(buf, sizeof buf, "%s", list);
    for (char *save = NULL, *t = strtok_r(buf, ", ", &save); t; t = strtok_r(NULL, ", ", &save))
        fn(ctx, t);
}

/* What a rule's condition asks of the person, as far as a card can say it in words. */
enum cond { C_NONE, C_ACCOUNT, C_APPLIED, C_AFFILIATED, C_REQUESTED, C_SERVICES, C_FACT,
            C_OTHER };

static enum cond classify(const char *when, char *arg, size_t size)
{
    arg[0] = '\0';
    const char *p;
    if (!when || !*when)
        return C_NONE;
    if ((p = strstr(when, "subject.linked_accounts has "))) {
        sscanf(p + 28, "%63[a-z0-9_]", arg);
        return C_ACCOUNT;
    }
    if (strstr(when, "recipient.corporate_number in subject.applied_to"))
        return C_APPLIED;
    if (strstr(when, "recipient.corporate_number in subject.affiliated_organizations"))
        return C_AFFILIATED;
    if ((p = strstr(when, "subject.services_requested has "))) {
        sscanf(p + 31, "%63[a-z0-9_]", arg);
        return C_REQUESTED;
    }
    if (!strncmp(when, "subject.services_used is not empty", 34))
        return C_SERVICES;
    size_t wl = strlen(when);
    if (!strncmp(when, "subject.", 8) && wl > 16 && !strcmp(when + wl - 8, " is true")) {
        size_t n = wl - 16; /* the fact's name between "subject." and " is true" */
        if (n < size && !memchr(when + 8, ' ', n)) {
            memcpy(arg, when + 8, n);
            arg[n] = '\0';
            return C_FACT;
        }
    }
    return C_OTHER;
}

struct names {
    struct hogod_exchange *x;
    struct web_buf *b;
    const char *kind;
    int n;
};

static void write_name(void *ctx, const char *id)
{
    struct names *w = ctx;
    if (w->n++)
        web_text(w->b, web_l(w->x, "、", ", "));
    web_text(w->b, center_name(w->x, w->kind, id));
}

static void write_names(struct hogod_exchange *x, struct web_buf *b, const char *list,
                        const char *kind)
{
    struct names w = {x, b, kind, 0};
    each_id(list, write_name, &w);
}

/* The clause link: <a href="#clause-3-2">3(2)</a>. */
static void clause_link(struct web_buf *b, const char *clause)
{
    char anchor[96];
    anchor_of(clause, anchor, sizeof anchor);
    web_raw(b, "<a href=\"#");
    web_text(b, anchor);
    web_raw(b, "\">");
    web_text(b, clause);
    web_raw(b, "</a>");
}

struct person {
    yajl_val facts;
};

/* One sentence of a card: what rule r means for the person. */
static void rule_sentence(struct hogod_exchange *x, struct web_buf *b,
                          const struct hogo_rule_info *r, const struct person *me)
{
    bool has_to = r->recipients[0] && strncmp(r->recipients, "not ", 4);
    const char *act = !has_to                           ? "card.use"
                      : strstr(r->actions, "provide")   ? "card.provide"
                      : strstr(r->actions, "outsource") ? "card.outsource"
                      : strstr(r->actions, "receive")   ? "card.receive"
                                                        : "card.use";
    char arg[64];
    enum cond c = classify(r->when, arg, sizeof arg);
    bool applies = true;
    web_raw(b, "<li>");
    switch (c) {
    case C_NONE: break;
    case C_ACCOUNT:
        applies = center_has(center_get(me->facts, "linked_accounts", yajl_t_array), arg) ||
                  center_has(center_get(me->facts, "linking_in_progress", yajl_t_array), arg);
        web_textf(b, center_t(x, applies ? "card.account_yes" : "card.account_no"),
                  center_name(x, "linkable_account", arg));
        web_text(b, " ");
        break;
    case C_APPLIED: {
        yajl_val a = center_get(me->facts, "applied_to", yajl_t_array);
        applies = a && a->u.array.len;
        web_text(b, center_t(x, applies ? "card.applied_yes" : "card.applied_no"));
        web_text(b, " ");
        break;
    }
    case C_AFFILIATED:
        web_text(b, center_t(x, "card.affiliated"));
        web_text(b, " ");
        break;
    case C_REQUESTED:
        applies = center_has(center_get(me->facts, "services_requested", yajl_t_array), arg);
        web_textf(b, center_t(x, applies ? "card.requested_yes" : "card.requested_no"),
                  center_name(x, "service", arg));
        web_text(b, " ");
        break;
    case C_SERVICES: {
        yajl_val s = center_get(me->facts, "services_used", yajl_t_array);
        applies = s && s->u.array.len;
        web_text(b, center_t(x, applies ? "card.services_yes" : "card.services_no"));
        web_text(b, " ");
        break;
    }
    case C_FACT: {
        yajl_val f = center_get(me->facts, arg, yajl_t_any);
        applies = f && YAJL_IS_TRUE(f);
        web_textf(b, center_t(x, applies ? "card.fact_yes" : "card.fact_no"),
                  center_name(x, "subject_fact", arg));
        web_text(b, " ");
        break;
    }
    case C_OTHER:
        web_text(b, center_t(x, "card.other"));
        web_text(b, " ");
        break;
    }
    if (applies && strcmp(act, "card.use")) {
        char key[64];
        snprintf(key, sizeof key, "%s_to", act);
        web_text(b, center_t(x, key));
        web_raw(b, "<strong>");
        write_names(x, b, r->recipients, "recipient");
        web_raw(b, "</strong>");
        snprintf(key, sizeof key, "%s_end", act);
        web_text(b, center_t(x, key));
    } else if (applies) {
        web_text(b, center_t(x, act));
    } else if (b->len && b->data[b->len - 1] == ' ') {
        b->data[--b->len] = '\0';
    }
    web_text(b, web_l(x, "（", " ("));
    web_text(b, center_t(x, "card.clause"));
    clause_link(b, r->clause);
    web_text(b, web_l(x, "）", ")"));
    web_raw(b, "</li>\n");
}

/* The clause whose forbid rule honours opt-outs ("purpose in subject.opt_outs"), or NULL. */
static const char *optout_clause(const struct hogo_policy *p, struct hogo_rule_info *buf)
{
    int n = hogo_policy_rule_count(p);
    for (int i = 0; i < n; i++)
        if (!hogo_policy_rule(p, i, buf) && !strcmp(buf->effect, "forbid") &&
            strstr(buf->when, "purpose in subject.opt_outs"))
            return buf->clause;
    return NULL;
}

struct purposes {
    char ids[256][64];
    int n;
};

static void add_purpose(void *ctx, const char *id)
{
    struct purposes *ps = ctx;
    for (int i = 0; i < ps->n; i++)
        if (!strcmp(ps->ids[i], id))
            return;
    if (ps->n < 256)
        snprintf(ps->ids[ps->n++], sizeof ps->ids[0], "%s", id);
}

static void cards(struct hogod_exchange *x, struct web_buf *b, const struct hogo_policy *p,
                  const struct person *me)
{
    struct purposes *ps = calloc(1, sizeof *ps);
    if (!ps) {
        b->failed = true;
        return;
    }
    int n = hogo_policy_rule_count(p);
    struct hogo_rule_info r;
    for (int i = 0; i < n; i++)
        if (!hogo_policy_rule(p, i, &r) && !strcmp(r.effect, "permit"))
            each_id(r.purposes, add_purpose, ps);
    struct hogo_rule_info ob;
    const char *oc = optout_clause(p, &ob);
    yajl_val optouts = center_get(me->facts, "opt_outs", yajl_t_array);
    center_heading(b, "h2", center_t(x, "policy.cards"));
    web_raw(b, "<p>");
    web_text(b, center_t(x, "policy.cards_lead"));
    web_raw(b, "</p>\n<ul class=\"cards\">\n");
    for (int k = 0; k < ps->n; k++) {
        const char *id = ps->ids[k];
        web_raw(b, "<li class=\"card\">\n");
        center_heading(b, "h3", center_name(x, "purpose", id));
        if (center_has(optouts, id)) {
            web_raw(b, "<p><span class=\"badge ok\">");
            web_text(b, center_t(x, "card.stopped"));
            web_raw(b, "</span> ");
            web_text(b, center_t(x, "card.stopped_text"));
            if (oc) {
                web_text(b, web_l(x, "（", " ("));
                web_text(b, center_t(x, "card.clause"));
                clause_link(b, oc);
                web_text(b, web_l(x, "）", ")"));
            }
            web_raw(b, "</p>\n<p>");
            web_text(b, center_t(x, "card.policy_says"));
            web_raw(b, "</p>\n");
        }
        web_raw(b, "<ul>\n");
        /* each sentence once per card (several rules of a clause may say the same to the
           person) */
        size_t first = b->len;
        for (int i = 0; i < n; i++) {
            if (hogo_policy_rule(p, i, &r) || strcmp(r.effect, "permit") ||
                !list_has(r.purposes, id))
                continue;
            size_t at = b->len;
            rule_sentence(x, b, &r, me);
            if (b->failed)
                break;
            size_t len = b->len - at;
            for (size_t k = first; k + len <= at; k++) {
                if (!memcmp(b->data + k, b->data + at, len) &&
                    (k == first || b->data[k - 1] == '\n')) {
                    b->len = at; /* said already */
                    b->data[at] = '\0';
                    break;
                }
            }
        }
        web_raw(b, "</ul>\n</li>\n");
    }
    web_raw(b, "</ul>\n");
    free(ps);
}

static void clauses(struct hogod_exchange *x, struct web_buf *b, const struct hogo_policy *p)
{
    center_heading(b, "h2", center_t(x, "policy.clauses"));
    web_raw(b, "<p>");
    web_text(b, center_t(x, "policy.clauses_lead"));
    web_raw(b, "</p>\n");
    int n = hogo_policy_rule_count(p);
    struct hogo_rule_info r;
    char current[64] = "";
    /* the quotes already written under the current clause, to write each once */
    char *seen[64];
    int nseen = 0;
    for (int i = 0; i < n; i++) {
        if (hogo_policy_rule(p, i, &r))
            continue;
        if (strcmp(r.clause, current)) {
            if (current[0])
                web_raw(b, "</section>\n");
            snprintf(current, sizeof current, "%s", r.clause);
            nseen = 0;
            char anchor[96];
            anchor_of(r.clause, anchor, sizeof anchor);
            web_raw(b, "<section class=\"clause\"");
            web_attr(b, "id", anchor);
            web_raw(b, ">\n<h3>");
            web_text(b, r.clause);
            if (r.title[0]) {
                web_text(b, " ");
                web_text(b, r.title);
            }
            web_raw(b, "</h3>\n");
        }
        bool dup = false;
        for (int k = 0; k < nseen && !dup; k++)
            dup = !strcmp(seen[k], r.quote);
        if (!dup && r.quote[0]) {
            if (nseen < 64)
                seen[nseen++] = (char *)r.quote;
            web_raw(b, "<blockquote lang=\"ja\"><p>");
            web_text(b, r.quote);
            web_raw(b, "</p></blockquote>\n");
        }
    }
    if (current[0])
        web_raw(b, "</section>\n");
}

void center_page_policy(struct hogod_exchange *x)
{
    const struct web_session *s = web_session(x);
    yajl_val v = center_read(x, CENTER_SHOW);
    if (!v)
        return;
    struct hogod_policies *set = hogod_policies_get(x->d);
    const struct hogo_policy *p = set ? hogod_policy_find(set, s->operator_id) : NULL;
    if (!p) {
        if (set)
            hogod_policies_release(set);
        yajl_tree_free(v);
        web_error_page(x, 404, web_t(x, "error.not_found"));
        return;
    }
    struct person me = {.facts = center_get(v, "facts", yajl_t_object)};
    struct web_buf b = {0};
    web_page_begin(x, &b, center_t(x, "policy.title"), center_nav);
    center_heading(&b, "h1", center_t(x, "policy.title"));
    web_raw(&b, "<p>");
    web_textf(&b, center_t(x, "policy.lead"), hogo_policy_operator(p), hogo_policy_version(p));
    web_raw(&b, "</p>\n");
    cards(x, &b, p, &me);
    clauses(x, &b, p);
    hogod_policies_release(set);
    yajl_tree_free(v);
    web_page_end(x, &b);
}
