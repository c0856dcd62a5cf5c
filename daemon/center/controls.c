/*
 * The person's controls in the privacy center, shared parts: reading the person's choices
 * and the operator's policy, names of vocabulary ids in the person's language, dates in
 * Japan time, and running a change through the library with its flash message. Daemon layer
 * (privacy center); the pages are in accounts.c, consents.c, optouts.c, blocks.c and
 * requests.c.
 */
#include "controls.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct choices_read {
    const char *op, *subject;
    char *json;
};

static int choices_fn(struct hogo_store *st, void *ctx, struct hogo_error *err)
{
    struct choices_read *c = ctx;
    return hogo_subject_choices_json(st, c->op, c->subject, &c->json, err);
}

yajl_val ctl_choices(struct hogod_exchange *x)
{
    const struct web_session *s = web_session(x);
    struct choices_read c = {.op = s->operator_id, .subject = s->subject_id};
    struct hogo_error err = {0};
    int rc = hogod_store_run(x, choices_fn, &c, &err);
    if (rc) {
        web_error_from(x, rc, &err);
        return NULL;
    }
    yajl_val v = yajl_tree_parse(c.json, NULL, 0);
    free(c.json);
    if (!v)
        web_error_page(x, 500, web_l(x, "保存されている選択を読めませんでした。",
                                     "The stored choices could not be read."));
    return v;
}

yajl_val ctl_get(yajl_val v, const char *key, yajl_type type)
{
    const char *path[] = {key, NULL};
    return v ? yajl_tree_get(v, path, type) : NULL;
}

const char *ctl_str(yajl_val v, const char *key)
{
    yajl_val s = ctl_get(v, key, yajl_t_string);
    return s ? YAJL_GET_STRING(s) : NULL;
}

const char *ctl_name(struct hogod_exchange *x, const struct hogo_policy *pol, const char *kind,
                     const char *id)
{
    const struct hogo_vocab *v = pol ? hogo_policy_vocab(pol) : NULL;
    struct hogo_vocab_entry e;
    for (size_t i = 0; v && hogo_vocab_entry(v, i, &e) == 0; i++) {
        if (strcmp(e.id, id) || (kind && strcmp(e.kind, kind) &&
                                 !(!strcmp(kind, "recipient") &&
                                   !strcmp(e.kind, "recipient_class"))))
            continue;
        const char *ja = e.ja && *e.ja ? e.ja : id;
        return strcmp(web_lang(x), "en") ? ja : (e.en && *e.en ? e.en : ja);
    }
    return id;
}

void ctl_names(struct hogod_exchange *x, struct web_buf *b, const struct hogo_policy *pol,
               const char *kind, const char *ids)
{
    char buf[1024];
    snprintf(buf, sizeof buf, "%s", ids ? ids : "");
    char *save = NULL;
    int n = 0;
    for (char *t = strtok_r(buf, ", ", &save); t; t = strtok_r(NULL, ", ", &save)) {
        if (!strcmp(t, "not"))
            continue;
        if (n++)
            web_text(b, web_l(x, "、", ", "));
        web_text(b, ctl_name(x, pol, kind, t));
    }
}

void ctl_date(struct web_buf *b, const char *rfc3339)
{
    struct tm tm = {0};
    if (!rfc3339 || sscanf(rfc3339, "%d-%d-%dT%d:%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                           &tm.tm_hour, &tm.tm_min) != 5) {
        web_text(b, rfc3339 ? rfc3339 : "");
        return;
    }
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    time_t t = timegm(&tm) + 9 * 3600; /* Japan time */
    struct tm j;
    gmtime_r(&t, &j);
    char out[40];
    strftime(out, sizeof out, "%Y-%m-%d %H:%M", &j);
    web_raw(b, "<time datetime=\"");
    web_text(b, rfc3339);
    web_raw(b, "\">");
    web_text(b, out);
    web_raw(b, "</time>");
}

struct hogod_policies *ctl_policy(struct hogod_exchange *x, const struct hogo_policy **pol)
{
    struct hogod_policies *ps = hogod_policies_get(x->d);
    *pol = ps ? hogod_policy_find(ps, web_session(x)->operator_id) : NULL;
    return ps;
}

void ctl_change_done(struct hogod_exchange *x, int rc, const struct hogo_error *err,
                     const char *to, const char *ok_ja, const char *ok_en)
{
    if (rc == 0) {
        web_redirect(x, to, web_l(x, ok_ja, ok_en));
        return;
    }
    if (rc == HOGO_EINVAL || rc == HOGO_ENOTFOUND || rc == HOGO_ELIMIT) {
        char msg[1200];
        snprintf(msg, sizeof msg, "%s%s", web_l(x, "変更できませんでした（入力をご確認ください）: ",
                                                  "Nothing was changed (please check what you entered): "),
                 err->message);
        web_redirect(x, to, msg);
        return;
    }
    web_error_from(x, rc, err);
}

void ctl_form_begin(struct hogod_exchange *x, struct web_buf *b, const char *action)
{
    web_raw(b, "<form method=\"post\"");
    web_attr(b, "action", action);
    web_raw(b, ">");
    web_csrf_field(x, b);
}

void ctl_hidden(struct web_buf *b, const char *name, const char *value)
{
    web_raw(b, "<input type=\"hidden\"");
    web_attr(b, "name", name);
    web_attr(b, "value", value);
    web_raw(b, ">");
}

void ctl_button(struct web_buf *b, const char *label, const char *described_by)
{
    web_raw(b, "<button type=\"submit\"");
    if (described_by)
        web_attr(b, "aria-describedby", described_by);
    web_raw(b, ">");
    web_text(b, label);
    web_raw(b, "</button></form>");
}

void ctl_h1(struct hogod_exchange *x, struct web_buf *b, const char *ja, const char *en)
{
    web_page_begin(x, b, web_l(x, ja, en), center_nav);
    web_raw(b, "<h1>");
    web_text(b, web_l(x, ja, en));
    web_raw(b, "</h1>\n");
}

void ctl_p(struct hogod_exchange *x, struct web_buf *b, const char *ja, const char *en)
{
    web_raw(b, "<p>");
    web_text(b, web_l(x, ja, en));
    web_raw(b, "</p>\n");
}

struct fact_change {
    const char *subject, *fact, *value;
    int op;
};

static int fact_change_fn(struct hogo_store *st, void *ctx, struct hogo_error *err)
{
    struct fact_change *c = ctx;
    if (c->op == 'a')
        return hogo_subject_add_fact(st, c->subject, c->fact, c->value, err);
    if (c->op == 'r')
        return hogo_subject_remove_fact(st, c->subject, c->fact, c->value, err);
    return hogo_subject_withdraw(st, c->subject, c->value, err);
}

void ctl_fact_change(struct hogod_exchange *x, int op, const char *fact, const char *value,
                     const char *to, const char *ok_ja, const char *ok_en)
{
    struct hogo_error err = {0};
    if (!value || !*value) {
        hogo_error_set(&err, HOGO_EINVAL, NULL, "%s",
                       web_l(x, "選択されていません。", "nothing was chosen."));
        ctl_change_done(x, HOGO_EINVAL, &err, to, ok_ja, ok_en);
        return;
    }
    struct fact_change c = {.subject = web_session(x)->subject_id, .fact = fact,
                            .value = value, .op = op};
    int rc = hogod_store_run(x, fact_change_fn, &c, &err);
    ctl_change_done(x, rc, &err, to, ok_ja, ok_en);
}

void ctl_clause(struct hogod_exchange *x, struct web_buf *b, const char *clause,
                const char *ja_fmt, const char *en_fmt)
{
    bool page = false;
    for (int i = 0; i < hogod_nroutes; i++)
        page |= !strcmp(hogod_routes[i].method, "GET") &&
                !strcmp(hogod_routes[i].path, "/center/policy");
    if (page) {
        /* the policy page's anchor: "3(2)" -> "clause-3-2" */
        char anchor[96] = "clause-";
        size_t n = 7;
        bool dash = false;
        for (const char *p = clause; *p && n + 2 < sizeof anchor; p++) {
            if (isalnum((unsigned char)*p)) {
                anchor[n++] = *p;
                dash = false;
            } else if (!dash && n > 7) {
                anchor[n++] = '-';
                dash = true;
            }
        }
        while (n > 7 && anchor[n - 1] == '-')
            n--;
        anchor[n] = 0;
        web_raw(b, "<a href=\"/center/policy#");
        web_raw(b, anchor);
        web_raw(b, "\">");
    }
    web_textf(b, web_l(x, ja_fmt, en_fmt), clause);
    if (page)
        web_raw(b, "</a>");
}
