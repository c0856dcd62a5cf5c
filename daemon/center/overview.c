/*
 * The privacy center's overview (GET /center/) and the page after signing out. Daemon layer
 * (privacy center).
 */
#include "center.h"

#include <stdlib.h>
#include <string.h>

struct show {
    const char *subject;
    char *json;
};

static int show_fn(struct hogo_store *st, void *ctx, struct hogo_error *err)
{
    struct show *s = ctx;
    return hogo_subject_show_json(st, s->subject, &s->json, err);
}

void center_page_overview(struct hogod_exchange *x)
{
    const struct web_session *s = web_session(x);
    struct show sh = {.subject = s->subject_id};
    struct hogo_error err = {0};
    int rc = hogod_store_run(x, show_fn, &sh, &err);
    if (rc) {
        web_error_from(x, rc, &err);
        return;
    }
    yajl_val v = yajl_tree_parse(sh.json, NULL, 0);
    free(sh.json);
    const char *items_path[] = {"data_items", NULL};
    yajl_val items = v ? yajl_tree_get(v, items_path, yajl_t_array) : NULL;
    struct web_buf b = {0};
    web_page_begin(x, &b, center_t(x, "overview.title"), center_nav);
    web_raw(&b, "<h1>");
    web_text(&b, center_t(x, "overview.title"));
    web_raw(&b, "</h1>\n<p>");
    web_text(&b, center_t(x, "overview.lead"));
    web_raw(&b, "</p>\n<h2>");
    web_text(&b, center_t(x, "overview.held"));
    web_raw(&b, "</h2>\n<p>");
    web_textf(&b, "%zu %s", items ? items->u.array.len : 0, center_t(x, "overview.items"));
    web_raw(&b, "</p>\n");
    yajl_tree_free(v);
    web_page_end(x, &b);
}

void center_page_signed_out(struct hogod_exchange *x)
{
    struct web_buf b = {0};
    web_page_begin(x, &b, center_t(x, "signed_out.title"), NULL);
    web_raw(&b, "<h1>");
    web_text(&b, center_t(x, "signed_out.title"));
    web_raw(&b, "</h1>\n<p>");
    web_text(&b, center_t(x, "signed_out.body"));
    web_raw(&b, "</p>\n");
    web_page_end(x, &b);
}
