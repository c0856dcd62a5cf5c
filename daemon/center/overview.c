/*
 * The privacy center's overview (GET /center/): how much is held about the person, how often
 * it was provided to third parties, their linked accounts and the uses they stopped, with a
 * way to each page; and the page after signing out. Daemon layer (privacy center).
 */
#include "center.h"

#include <stdlib.h>
#include <string.h>

/* A summary card opens with its heading ... */
static void summary(struct hogod_exchange *x, struct web_buf *b, const char *heading)
{
    web_raw(b, "<li class=\"card\">\n");
    center_heading(b, "h2", center_t(x, heading));
}

/* ... and closes with a link to the page that tells more. */
static void summary_end(struct hogod_exchange *x, struct web_buf *b, const char *href,
                        const char *label_key)
{
    web_raw(b, "<p><a");
    web_attr(b, "href", href);
    web_raw(b, ">");
    web_text(b, center_t(x, label_key));
    web_raw(b, "</a></p>\n</li>\n");
}

void center_page_overview(struct hogod_exchange *x)
{
    yajl_val v = center_read(x, CENTER_SHOW);
    if (!v)
        return;
    yajl_val prov = center_read(x, CENTER_PROVISIONS);
    if (!prov) {
        yajl_tree_free(v);
        return;
    }
    yajl_val facts = center_get(v, "facts", yajl_t_object);
    yajl_val items = center_get(v, "data_items", yajl_t_array);
    struct web_buf b = {0};
    web_page_begin(x, &b, center_t(x, "overview.title"), center_nav);
    center_heading(&b, "h1", center_t(x, "overview.title"));
    web_raw(&b, "<p>");
    web_text(&b, center_t(x, "overview.lead"));
    web_raw(&b, "</p>\n<ul class=\"cards\">\n");

    summary(x, &b, "overview.held");
    web_raw(&b, "<p>");
    web_textf(&b, "%s: %zu", center_t(x, "overview.held_text"), items ? items->u.array.len : 0);
    web_raw(&b, "</p>\n");
    summary_end(x, &b, "/center/held", "overview.more");

    summary(x, &b, "overview.provided");
    web_raw(&b, "<p>");
    web_textf(&b, "%s: %zu", center_t(x, "overview.provided_text"),
              YAJL_IS_ARRAY(prov) ? prov->u.array.len : 0);
    web_raw(&b, "</p>\n");
    summary_end(x, &b, "/center/provided", "overview.more");

    summary(x, &b, "overview.accounts");
    web_raw(&b, "<p>");
    center_list_names(x, &b, center_get(facts, "linked_accounts", yajl_t_array),
                      "linkable_account");
    web_raw(&b, "</p>\n");
    summary_end(x, &b, "/center/policy", "overview.policy");

    summary(x, &b, "overview.optouts");
    web_raw(&b, "<p>");
    center_list_names(x, &b, center_get(facts, "opt_outs", yajl_t_array), "purpose");
    web_raw(&b, "</p>\n");
    summary_end(x, &b, "/center/held", "overview.more");

    web_raw(&b, "</ul>\n<h2>");
    web_text(&b, center_t(x, "overview.policy"));
    web_raw(&b, "</h2>\n<p>");
    web_text(&b, center_t(x, "overview.policy_text"));
    web_raw(&b, " <a href=\"/center/policy\">");
    web_text(&b, center_t(x, "overview.more"));
    web_raw(&b, "</a></p>\n");
    yajl_tree_free(prov);
    yajl_tree_free(v);
    web_page_end(x, &b);
}

void center_page_signed_out(struct hogod_exchange *x)
{
    struct web_buf b = {0};
    web_page_begin(x, &b, center_t(x, "signed_out.title"), NULL);
    center_heading(&b, "h1", center_t(x, "signed_out.title"));
    web_raw(&b, "<p>");
    web_text(&b, center_t(x, "signed_out.body"));
    web_raw(&b, "</p>\n");
    web_page_end(x, &b);
}
