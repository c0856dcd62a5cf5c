/*
 * GET /center/held: what the operator holds about the signed-in person — their registered
 * facts (linked accounts, opt-outs, company blocks, services, ...), their separate consents,
 * and every stored data item by category with where it came from (provenance). Values are
 * shown only when the person asks (?values=1): they are then opened by the disclosure call
 * (hogo_subject_disclose_json), each read an audit event. Daemon layer (privacy center).
 */
#include "center.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One fact's value in words. */
static void fact_value(struct hogod_exchange *x, struct web_buf *b, const char *fact,
                       yajl_val v)
{
    if (YAJL_IS_ARRAY(v)) {
        center_list_names(x, b, v, center_fact_kind(fact));
    } else if (YAJL_IS_TRUE(v)) {
        web_text(b, web_l(x, "はい", "yes"));
    } else if (YAJL_IS_FALSE(v)) {
        web_text(b, web_l(x, "いいえ", "no"));
    } else if (YAJL_IS_NUMBER(v)) {
        web_text(b, YAJL_GET_NUMBER(v));
    } else {
        web_text(b, hogod_str(v));
    }
}

static void facts_section(struct hogod_exchange *x, struct web_buf *b, yajl_val facts)
{
    center_heading(b, "h2", center_t(x, "held.facts"));
    web_raw(b, "<p>");
    web_text(b, center_t(x, "held.facts_lead"));
    web_raw(b, "</p>\n");
    size_t shown = 0;
    web_raw(b, "<dl class=\"facts\">\n");
    for (size_t i = 0; facts && i < facts->u.object.len; i++) {
        const char *k = facts->u.object.keys[i];
        if (!strcmp(k, "consents"))
            continue;
        web_raw(b, "<dt>");
        web_text(b, center_name(x, "subject_fact", k));
        web_raw(b, "</dt><dd>");
        fact_value(x, b, k, facts->u.object.values[i]);
        web_raw(b, "</dd>\n");
        shown++;
    }
    web_raw(b, "</dl>\n");
    if (!shown) {
        web_raw(b, "<p>");
        web_text(b, center_t(x, "held.no_facts"));
        web_raw(b, "</p>\n");
    }
}

static void consents_section(struct hogod_exchange *x, struct web_buf *b, yajl_val consents)
{
    center_heading(b, "h2", center_t(x, "held.consents"));
    if (!consents || !consents->u.array.len) {
        web_raw(b, "<p>");
        web_text(b, center_t(x, "held.no_consents"));
        web_raw(b, "</p>\n");
        return;
    }
    web_raw(b, "<table>\n<caption>");
    web_text(b, center_t(x, "held.consents_caption"));
    web_raw(b, "</caption>\n<thead><tr>");
    const char *cols[] = {"col.recipient", "col.purpose", "col.data", "col.given", "col.state"};
    for (size_t i = 0; i < 5; i++) {
        web_raw(b, "<th scope=\"col\">");
        web_text(b, center_t(x, cols[i]));
        web_raw(b, "</th>");
    }
    web_raw(b, "</tr></thead>\n<tbody>\n");
    for (size_t i = 0; i < consents->u.array.len; i++) {
        yajl_val c = consents->u.array.values[i];
        char when[64];
        center_when(x, hogod_str(center_get(c, "given_at", yajl_t_string)), when, sizeof when);
        yajl_val withdrawn = center_get(c, "withdrawn_at", yajl_t_string);
        web_raw(b, "<tr><th scope=\"row\">");
        web_text(b, center_name(x, "recipient",
                                hogod_str(center_get(c, "recipient", yajl_t_string))));
        web_raw(b, "</th><td>");
        web_text(b, center_name(x, "purpose", hogod_str(center_get(c, "purpose", yajl_t_string))));
        web_raw(b, "</td><td>");
        center_list_names(x, b, center_get(c, "data", yajl_t_array), "data_category");
        web_raw(b, "</td><td>");
        web_text(b, when);
        web_raw(b, "</td><td>");
        if (withdrawn) {
            char w[64];
            center_when(x, hogod_str(withdrawn), w, sizeof w);
            web_textf(b, "%s（%s）", center_t(x, "consent.withdrawn"), w);
        } else {
            web_text(b, center_t(x, "consent.active"));
        }
        web_raw(b, "</td></tr>\n");
    }
    web_raw(b, "</tbody>\n</table>\n");
}

/* How an item was acquired, in words. */
static void provenance(struct hogod_exchange *x, struct web_buf *b, yajl_val item)
{
    const char *channel = hogod_str(center_get(item, "channel", yajl_t_string));
    char key[64];
    snprintf(key, sizeof key, "channel.%s", channel);
    web_text(b, center_t(x, key));
    const char *source = hogod_str(center_get(item, "source", yajl_t_string));
    const char *service = hogod_str(center_get(item, "service", yajl_t_string));
    if (*source)
        web_textf(b, web_l(x, "（取得元: %s）", " (from: %s)"), source);
    if (*service)
        web_textf(b, web_l(x, "（サービス: %s）", " (service: %s)"),
                  center_name(x, "service", service));
}

static void items_section(struct hogod_exchange *x, struct web_buf *b, yajl_val items,
                          bool values)
{
    center_heading(b, "h2", center_t(x, "held.items"));
    web_raw(b, "<p>");
    web_text(b, center_t(x, values ? "held.values_shown" : "held.items_lead"));
    web_raw(b, "</p>\n");
    if (!items || !items->u.array.len) {
        web_raw(b, "<p>");
        web_text(b, center_t(x, "held.no_items"));
        web_raw(b, "</p>\n");
        return;
    }
    if (!values) {
        web_raw(b, "<p><a href=\"/center/held?values=1\">");
        web_text(b, center_t(x, "held.show_values"));
        web_raw(b, "</a></p>\n");
    }
    /* one table per category, in the order the categories first appear */
    size_t n = items->u.array.len;
    bool *done = calloc(n, sizeof *done);
    if (!done) {
        b->failed = true;
        return;
    }
    for (size_t i = 0; i < n; i++) {
        if (done[i])
            continue;
        const char *cat = hogod_str(center_get(items->u.array.values[i], "category",
                                               yajl_t_string));
        web_raw(b, "<table>\n<caption>");
        web_text(b, center_name(x, "data_category", cat));
        web_raw(b, "</caption>\n<thead><tr>");
        const char *cols[] = {"col.item", "col.value", "col.provenance", "col.acquired"};
        for (size_t c = 0; c < 4; c++) {
            if (c == 1 && !values)
                continue;
            web_raw(b, "<th scope=\"col\">");
            web_text(b, center_t(x, cols[c]));
            web_raw(b, "</th>");
        }
        web_raw(b, "</tr></thead>\n<tbody>\n");
        for (size_t j = i; j < n; j++) {
            yajl_val it = items->u.array.values[j];
            if (done[j] || strcmp(hogod_str(center_get(it, "category", yajl_t_string)), cat))
                continue;
            done[j] = true;
            yajl_val id = center_get(it, "item_id", yajl_t_number);
            web_raw(b, "<tr><th scope=\"row\">");
            web_text(b, id ? YAJL_GET_NUMBER(id) : "");
            web_raw(b, "</th>");
            if (values) {
                web_raw(b, "<td>");
                yajl_val val = center_get(it, "value", yajl_t_string);
                if (val)
                    web_text(b, hogod_str(val));
                else
                    web_text(b, center_t(x, "held.binary"));
                web_raw(b, "</td>");
            }
            web_raw(b, "<td>");
            provenance(x, b, it);
            char when[64];
            center_when(x, hogod_str(center_get(it, "acquired_at", yajl_t_string)), when,
                        sizeof when);
            web_raw(b, "</td><td>");
            web_text(b, when);
            web_raw(b, "</td></tr>\n");
        }
        web_raw(b, "</tbody>\n</table>\n");
    }
    free(done);
}

void center_page_held(struct hogod_exchange *x)
{
    const char *q = hogod_query(x, "values");
    bool values = q && !strcmp(q, "1");
    yajl_val v = center_read(x, values ? CENTER_DISCLOSE : CENTER_SHOW);
    if (!v)
        return;
    yajl_val facts = center_get(v, "facts", yajl_t_object);
    struct web_buf b = {0};
    web_page_begin(x, &b, center_t(x, "held.title"), center_nav);
    center_heading(&b, "h1", center_t(x, "held.title"));
    web_raw(&b, "<p>");
    web_text(&b, center_t(x, "held.lead"));
    web_raw(&b, "</p>\n");
    facts_section(x, &b, facts);
    consents_section(x, &b, center_get(facts, "consents", yajl_t_array));
    items_section(x, &b, center_get(v, "data_items", yajl_t_array), values);
    yajl_tree_free(v);
    web_page_end(x, &b);
}
