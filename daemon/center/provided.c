/*
 * GET /center/provided: whom the signed-in person's data was provided to and when — the
 * provision records the operator keeps under APPI Art. 29, which the person may see under
 * Art. 33(5) — read with hogo_ledger_export for their own subject only (an audit event).
 * Daemon layer (privacy center).
 */
#include "center.h"

#include <stdio.h>
#include <string.h>

void center_page_provided(struct hogod_exchange *x)
{
    yajl_val v = center_read(x, CENTER_PROVISIONS);
    if (!v)
        return;
    struct web_buf b = {0};
    web_page_begin(x, &b, center_t(x, "provided.title"), center_nav);
    center_heading(&b, "h1", center_t(x, "provided.title"));
    web_raw(&b, "<p>");
    web_text(&b, center_t(x, "provided.lead"));
    web_raw(&b, "</p>\n");
    size_t n = YAJL_IS_ARRAY(v) ? v->u.array.len : 0;
    if (!n) {
        web_raw(&b, "<p class=\"note\">");
        web_text(&b, center_t(x, "provided.none"));
        web_raw(&b, "</p>\n");
    } else {
        web_raw(&b, "<table>\n<caption>");
        web_textf(&b, "%s（%zu）", center_t(x, "provided.caption"), n);
        web_raw(&b, "</caption>\n<thead><tr>");
        const char *cols[] = {"col.date", "col.recipient", "col.purpose", "col.data",
                              "col.basis", "col.country"};
        for (size_t c = 0; c < 6; c++) {
            web_raw(&b, "<th scope=\"col\">");
            web_text(&b, center_t(x, cols[c]));
            web_raw(&b, "</th>");
        }
        web_raw(&b, "</tr></thead>\n<tbody>\n");
        /* newest first */
        for (size_t i = n; i-- > 0;) {
            yajl_val r = v->u.array.values[i];
            char when[64];
            center_when(x, hogod_str(center_get(r, "date", yajl_t_string)), when, sizeof when);
            web_raw(&b, "<tr><th scope=\"row\">");
            web_text(&b, when);
            web_raw(&b, "</th><td>");
            const char *name = hogod_str(center_get(r, "counterparty_name", yajl_t_string));
            const char *rid = hogod_str(center_get(r, "counterparty", yajl_t_string));
            web_text(&b, *name ? name : center_name(x, "recipient", rid));
            const char *corp = hogod_str(center_get(r, "corporate_number", yajl_t_string));
            if (*corp) {
                web_raw(&b, "<br><span class=\"muted\">");
                web_textf(&b, "%s: %s", center_t(x, "provided.corporate_number"), corp);
                web_raw(&b, "</span>");
            }
            const char *addr = hogod_str(center_get(r, "address", yajl_t_string));
            if (*addr) {
                web_raw(&b, "<br><span class=\"muted\">");
                web_text(&b, addr);
                web_raw(&b, "</span>");
            }
            web_raw(&b, "</td><td>");
            web_text(&b, center_name(x, "purpose", hogod_str(center_get(r, "purpose",
                                                                          yajl_t_string))));
            web_raw(&b, "</td><td>");
            center_list_names(x, &b, center_get(r, "items", yajl_t_array), "data_category");
            web_raw(&b, "</td><td>");
            char key[64];
            snprintf(key, sizeof key, "basis.%s",
                     hogod_str(center_get(r, "basis", yajl_t_string)));
            web_text(&b, center_t(x, key));
            web_raw(&b, "</td><td>");
            const char *country = hogod_str(center_get(r, "country", yajl_t_string));
            web_text(&b, !strcmp(country, "JP") || !*country ? center_t(x, "country.jp")
                                                              : country);
            web_raw(&b, "</td></tr>\n");
        }
        web_raw(&b, "</tbody>\n</table>\n");
    }
    web_raw(&b, "<p class=\"muted\">");
    web_text(&b, center_t(x, "provided.law"));
    web_raw(&b, "</p>\n");
    yajl_tree_free(v);
    web_page_end(x, &b);
}
