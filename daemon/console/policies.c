/*
 * The console's policy pages. A policy's versions are what hogod decides with: the current
 * file <id>.yaml and every earlier <id>@<YYYY-MM-DD>.yaml beside it, which a request's "at"
 * before the current version's date selects (hogo_policy_versions()). GET /console/policies
 * lists the operator's policy with its versions, each linked to what its successor changed;
 * GET /console/policies/{policy_id}/diff?from=V&to=V shows one revision clause by clause:
 * clauses added, removed and changed, and in each the rules added, removed or changed, with
 * the policy's own words (the seed's quotes) and, for a changed rule, what it said before and
 * after. Another operator's policy answers 404. Daemon layer (privacy office console).
 */
#include "office.h"

#include <stdlib.h>
#include <string.h>

#define MAX_VERSIONS 64

/* The operator's current policy (borrowed from ps), or NULL. */
static const struct hogo_policy *own_policy(struct hogod_exchange *x, struct hogod_policies *ps)
{
    return hogod_policy_find(ps, web_session(x)->operator_id);
}

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

static void version_link(struct web_buf *b, const char *id, const char *from, const char *to)
{
    web_raw(b, "<a href=\"/console/policies/");
    web_url(b, id);
    web_raw(b, "/diff?from=");
    web_url(b, from);
    web_raw(b, "&amp;to=");
    web_url(b, to);
    web_raw(b, "\">");
}

static void version_select(struct hogod_exchange *x, struct web_buf *b, const char *name,
                           const char *label, const struct hogo_policy_version *v, int n,
                           const char *chosen)
{
    web_rawf(b, "<div><label for=\"v-%s\">", name);
    web_text(b, label);
    web_rawf(b, "</label><select id=\"v-%s\" name=\"%s\">", name, name);
    for (int i = 0; i < n; i++) {
        web_raw(b, "<option");
        web_attr(b, "value", v[i].version);
        if (chosen && !strcmp(chosen, v[i].version))
            web_raw(b, " selected");
        web_raw(b, ">");
        web_text(b, v[i].version);
        if (v[i].current)
            web_text(b, web_l(x, "（現行）", " (current)"));
        web_raw(b, "</option>");
    }
    web_raw(b, "</select></div>\n");
}

void console_page_policies(struct hogod_exchange *x)
{
    struct hogod_policies *ps = hogod_policies_get(x->d);
    const struct hogo_policy *p = own_policy(x, ps);
    if (!p) {
        hogod_policies_release(ps);
        web_error_page(x, 404, web_l(x, "この事業者のポリシーは hogod で提供されていません。",
                                     "This operator's policy is not served by hogod."));
        return;
    }
    struct hogo_policy_version *v = calloc(MAX_VERSIONS, sizeof *v);
    int n = v ? hogo_policy_versions(p, v, MAX_VERSIONS) : 0;
    if (n > MAX_VERSIONS)
        n = MAX_VERSIONS;
    struct web_buf b = {0};
    const char *title = web_l(x, "ポリシーの版と変更", "Policy versions and changes");
    web_page_begin(x, &b, title, console_nav);
    web_raw(&b, "<h1>");
    web_text(&b, title);
    web_raw(&b, "</h1>\n<p>");
    web_textf(&b, "%s（%s）", hogo_policy_operator(p), hogo_policy_id(p));
    web_raw(&b, "</p>\n<p>");
    web_text(&b, web_l(x,
                       "判定は、依頼の日時（at）に施行されていた版で行われます。現行版は「ID.yaml」、以前の版はその横の「ID@施行日.yaml」のファイルです。",
                       "A request is decided under the version in force at its time (\"at\"): "
                       "the current version is the policy's file, earlier ones are the "
                       "\"ID@DATE.yaml\" files beside it."));
    web_raw(&b, "</p>\n<table>\n<caption>");
    web_text(&b, web_l(x, "版の一覧（新しい順）", "Versions, newest first"));
    web_raw(&b, "</caption>\n<thead><tr><th scope=\"col\">");
    web_text(&b, web_l(x, "版（施行日）", "Version (in force from)"));
    web_raw(&b, "</th><th scope=\"col\">");
    web_text(&b, web_l(x, "ファイル", "File"));
    web_raw(&b, "</th><th scope=\"col\">");
    web_text(&b, web_l(x, "前の版からの変更", "Changes from the previous version"));
    web_raw(&b, "</th></tr></thead>\n<tbody>\n");
    for (int i = 0; i < n; i++) {
        web_raw(&b, "<tr><th scope=\"row\">");
        web_text(&b, v[i].version);
        if (v[i].current)
            web_text(&b, web_l(x, "（現行）", " (current)"));
        web_raw(&b, "</th><td><code>");
        web_text(&b, base_name(v[i].path));
        web_raw(&b, "</code></td><td>");
        if (i + 1 < n) {
            version_link(&b, hogo_policy_id(p), v[i + 1].version, v[i].version);
            web_textf(&b, "%s → %s", v[i + 1].version, v[i].version);
            web_raw(&b, "</a>");
        } else {
            web_text(&b, web_l(x, "最初の版", "the first version"));
        }
        web_raw(&b, "</td></tr>\n");
    }
    web_raw(&b, "</tbody>\n</table>\n");
    if (n < 2) {
        web_raw(&b, "<p class=\"note\">");
        web_text(&b, web_l(x, "以前の版のファイルはありません。",
                           "There is no earlier version's file."));
        web_raw(&b, "</p>\n");
    } else {
        web_raw(&b, "<h2>");
        web_text(&b, web_l(x, "任意の二つの版を比べる", "Compare any two versions"));
        web_raw(&b, "</h2>\n<form method=\"get\" action=\"/console/policies/");
        web_url(&b, hogo_policy_id(p));
        web_raw(&b, "/diff\">\n");
        version_select(x, &b, "from", web_l(x, "比べる元の版", "From version"), v, n,
                       v[1].version);
        version_select(x, &b, "to", web_l(x, "比べる先の版", "To version"), v, n, v[0].version);
        web_raw(&b, "<p><button type=\"submit\">");
        web_text(&b, web_l(x, "変更を表示", "Show the changes"));
        web_raw(&b, "</button></p>\n</form>\n");
    }
    free(v);
    hogod_policies_release(ps);
    web_page_end(x, &b);
}

/* ---- one revision, clause by clause ---- */

struct diff_page {
    struct hogod_exchange *x;
    struct web_buf *b;
    const struct hogo_policy *a, *bp;
    bool in_clause;          /* a clause section is open */
    int added, removed, changed;
};

static const char *effect_name(struct hogod_exchange *x, const char *effect)
{
    return !strcmp(effect, "permit")   ? web_l(x, "許可", "permit")
           : !strcmp(effect, "forbid") ? web_l(x, "禁止", "forbid")
                                       : web_l(x, "義務", "obligation");
}

/* The fields of struct hogo_rule_info a page shows, with their labels. */
struct shown_field {
    const char *name, *ja, *en;
};
static const struct shown_field shown[] = {
    {"effect", "効果", "effect"},
    {"actions", "行為", "actions"},
    {"purposes", "利用目的", "purposes"},
    {"data", "情報", "data"},
    {"recipients", "提供先", "recipients"},
    {"services", "サービス", "services"},
    {"forms", "形態", "forms"},
    {"bases", "根拠", "bases"},
    {"yields_to", "例外となる根拠", "lifted by"},
    {"obligations", "義務", "obligations"},
    {"when", "条件", "when"},
    {"unless", "除外条件", "unless"},
    {"note", "解釈の注記", "note"},
};

static const char *field_value(const struct hogo_rule_info *r, const char *name)
{
    return !strcmp(name, "effect")        ? r->effect
           : !strcmp(name, "actions")     ? r->actions
           : !strcmp(name, "purposes")    ? r->purposes
           : !strcmp(name, "data")        ? r->data
           : !strcmp(name, "recipients")  ? r->recipients
           : !strcmp(name, "services")    ? r->services
           : !strcmp(name, "forms")       ? r->forms
           : !strcmp(name, "bases")       ? r->bases
           : !strcmp(name, "yields_to")   ? r->yields_to
           : !strcmp(name, "obligations") ? r->obligations
           : !strcmp(name, "when")        ? r->when
           : !strcmp(name, "unless")      ? r->unless
           : !strcmp(name, "note")        ? r->note
                                          : "";
}

/* A rule's quote and what it says, as a definition list. */
static void rule_block(struct hogod_exchange *x, struct web_buf *b, const struct hogo_rule_info *r)
{
    web_raw(b, "<blockquote lang=\"ja\">");
    web_textf(b, "「%s」", r->quote);
    web_raw(b, "</blockquote>\n<dl class=\"facts\">");
    for (size_t i = 0; i < sizeof shown / sizeof shown[0]; i++) {
        const char *v = field_value(r, shown[i].name);
        if (!v || !*v)
            continue;
        web_raw(b, "<dt>");
        web_text(b, web_l(x, shown[i].ja, shown[i].en));
        /* the interpretation notes are written in English in the policy files */
        web_raw(b, !strcmp(shown[i].name, "note") ? "</dt><dd lang=\"en\">" : "</dt><dd>");
        web_text(b, i == 0 ? effect_name(x, v) : v);
        web_raw(b, "</dd>");
    }
    web_raw(b, "</dl>\n");
}

static void close_clause(struct diff_page *d)
{
    if (d->in_clause)
        web_raw(d->b, "</section>\n");
    d->in_clause = false;
}

static int diff_entry(void *ctx, const struct hogo_policy_change *c)
{
    struct diff_page *d = ctx;
    struct hogod_exchange *x = d->x;
    struct web_buf *b = d->b;
    struct hogo_rule_info before, after;
    switch (c->kind) {
    case HOGO_CLAUSE_ADDED:
    case HOGO_CLAUSE_REMOVED:
    case HOGO_CLAUSE_CHANGED: {
        close_clause(d);
        const char *what = c->kind == HOGO_CLAUSE_ADDED     ? web_l(x, "追加", "added")
                           : c->kind == HOGO_CLAUSE_REMOVED ? web_l(x, "削除", "removed")
                                                            : web_l(x, "変更", "changed");
        const char *cls = c->kind == HOGO_CLAUSE_ADDED     ? "ok"
                          : c->kind == HOGO_CLAUSE_REMOVED ? "bad"
                                                           : "warn";
        (*(c->kind == HOGO_CLAUSE_ADDED     ? &d->added
           : c->kind == HOGO_CLAUSE_REMOVED ? &d->removed
                                            : &d->changed))++;
        web_raw(b, "<section class=\"clause\">\n<h2>");
        web_textf(b, "%s %s ", web_l(x, "条項", "Clause"), c->clause);
        web_rawf(b, "<span class=\"badge %s\">", cls);
        web_text(b, what);
        web_raw(b, "</span></h2>\n");
        d->in_clause = true;
        const char *title = c->title_after ? c->title_after : c->title_before;
        if (c->kind == HOGO_CLAUSE_CHANGED && strstr(c->fields, "title")) {
            web_raw(b, "<p>");
            web_textf(b, "%s: 「%s」 → 「%s」", web_l(x, "見出し", "Title"), c->title_before,
                      c->title_after);
            web_raw(b, "</p>\n");
        } else if (title && *title) {
            web_raw(b, "<p>");
            web_textf(b, "%s: 「%s」", web_l(x, "見出し", "Title"), title);
            web_raw(b, "</p>\n");
        }
        return 0;
    }
    case HOGO_RULE_ADDED:
    case HOGO_RULE_REMOVED: {
        bool added = c->kind == HOGO_RULE_ADDED;
        if (hogo_policy_rule(added ? d->bp : d->a, added ? c->rule_after : c->rule_before,
                             added ? &after : &before))
            return 0;
        web_raw(b, "<h3>");
        web_rawf(b, "<span class=\"badge %s\">", added ? "ok" : "bad");
        web_text(b, added ? web_l(x, "追加された規則", "Rule added")
                          : web_l(x, "削除された規則", "Rule removed"));
        web_raw(b, "</span></h3>\n");
        rule_block(x, b, added ? &after : &before);
        return 0;
    }
    case HOGO_RULE_CHANGED:
        if (hogo_policy_rule(d->a, c->rule_before, &before) ||
            hogo_policy_rule(d->bp, c->rule_after, &after))
            return 0;
        web_raw(b, "<h3><span class=\"badge warn\">");
        web_text(b, web_l(x, "変更された規則", "Rule changed"));
        web_raw(b, "</span></h3>\n<blockquote lang=\"ja\">");
        web_textf(b, "「%s」", after.quote);
        web_raw(b, "</blockquote>\n<table>\n<thead><tr><th scope=\"col\">");
        web_text(b, web_l(x, "項目", "Field"));
        web_raw(b, "</th><th scope=\"col\">");
        web_text(b, web_l(x, "変更前", "Before"));
        web_raw(b, "</th><th scope=\"col\">");
        web_text(b, web_l(x, "変更後", "After"));
        web_raw(b, "</th></tr></thead>\n<tbody>\n");
        for (size_t i = 0; i < sizeof shown / sizeof shown[0]; i++) {
            const char *v0 = field_value(&before, shown[i].name);
            const char *v1 = field_value(&after, shown[i].name);
            if (!strcmp(v0, v1))
                continue;
            web_raw(b, "<tr><th scope=\"row\">");
            web_text(b, web_l(x, shown[i].ja, shown[i].en));
            web_raw(b, "</th><td>");
            web_text(b, *v0 ? (i == 0 ? effect_name(x, v0) : v0) : web_l(x, "（なし）", "(none)"));
            web_raw(b, "</td><td>");
            web_text(b, *v1 ? (i == 0 ? effect_name(x, v1) : v1) : web_l(x, "（なし）", "(none)"));
            web_raw(b, "</td></tr>\n");
        }
        if (!strcmp(c->fields, "record")) {
            web_raw(b, "<tr><th scope=\"row\">");
            web_text(b, web_l(x, "記録の作成", "Record"));
            web_raw(b, "</th><td colspan=\"2\">");
            web_text(b, web_l(x, "記録義務の免除が変わりました", "The record exemption changed"));
            web_raw(b, "</td></tr>\n");
        }
        web_raw(b, "</tbody>\n</table>\n");
        return 0;
    }
    return 0;
}

/* Loads version `version` of current (the current itself, or an earlier file), into *out
 * (*owned when it must be freed). */
static int load_version(const struct hogo_policy *current, const struct hogo_policy_version *v,
                        int n, const char *version, const struct hogo_policy **out,
                        struct hogo_policy **owned)
{
    *owned = NULL;
    for (int i = 0; i < n; i++) {
        if (strcmp(v[i].version, version))
            continue;
        if (v[i].current) {
            *out = current;
            return 0;
        }
        struct hogo_policy_load_opts o = {.vocab = hogo_policy_vocab(current)};
        struct hogo_error err = {0};
        if (hogo_policy_load(v[i].path, &o, owned, &err))
            return -1;
        *out = *owned;
        return 0;
    }
    return -1;
}

void console_page_policy_diff(struct hogod_exchange *x)
{
    struct hogod_policies *ps = hogod_policies_get(x->d);
    const struct hogo_policy *p = own_policy(x, ps);
    if (!p || strcmp(x->params[0], hogo_policy_id(p))) {
        /* one answer for a policy not served and another operator's */
        hogod_policies_release(ps);
        web_error_page(x, 404, web_l(x, "そのポリシーはありません。", "No such policy."));
        return;
    }
    struct hogo_policy_version *v = calloc(MAX_VERSIONS, sizeof *v);
    int n = v ? hogo_policy_versions(p, v, MAX_VERSIONS) : 0;
    if (n > MAX_VERSIONS)
        n = MAX_VERSIONS;
    const char *from = hogod_query(x, "from"), *to = hogod_query(x, "to");
    if (!to && n > 0)
        to = v[0].version;
    if (!from && n > 0)
        from = v[n > 1 ? 1 : 0].version; /* one version only: compared with itself */
    const struct hogo_policy *a = NULL, *bp = NULL;
    struct hogo_policy *own_a = NULL, *own_b = NULL;
    if (!from || !to || load_version(p, v, n, from, &a, &own_a) ||
        load_version(p, v, n, to, &bp, &own_b)) {
        free(v);
        hogo_policy_free(own_a);
        hogo_policy_free(own_b);
        hogod_policies_release(ps);
        web_error_page(x, 404, web_l(x,
                                     "その版はありません（または読み込めません）。ポリシーの一覧から版を選んでください。",
                                     "No such version (or it cannot be loaded); choose versions "
                                     "from the policy page."));
        return;
    }
    struct web_buf b = {0};
    const char *title = web_l(x, "ポリシーの変更", "Policy changes");
    web_page_begin(x, &b, title, console_nav);
    web_raw(&b, "<h1>");
    web_textf(&b, "%s: %s %s → %s", title, hogo_policy_id(p), from, to);
    web_raw(&b, "</h1>\n<p><a href=\"/console/policies\">");
    web_text(&b, web_l(x, "版の一覧へ戻る", "Back to the versions"));
    web_raw(&b, "</a></p>\n");
    struct web_buf body = {0};
    struct diff_page d = {.x = x, .b = &body, .a = a, .bp = bp};
    hogo_policy_diff_each(a, bp, diff_entry, &d);
    close_clause(&d);
    web_raw(&b, "<p role=\"status\">");
    if (d.added + d.removed + d.changed == 0)
        web_text(&b, web_l(x, "条項と規則に違いはありません。",
                           "The clauses and rules are the same."));
    else
        web_textf(&b, "%s %d、%s %d、%s %d", web_l(x, "追加された条項", "clauses added"),
                  d.added, web_l(x, "削除された条項", "removed"), d.removed,
                  web_l(x, "変更された条項", "changed"), d.changed);
    web_raw(&b, "</p>\n");
    web_raw_n(&b, body.data ? body.data : "", body.len);
    web_buf_free(&body);
    hogo_policy_free(own_a);
    hogo_policy_free(own_b);
    free(v);
    hogod_policies_release(ps);
    web_page_end(x, &b);
}
