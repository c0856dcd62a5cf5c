/*
 * What the privacy center's pages share: reading the signed-in person's own records through
 * the library (as JSON, parsed), the names of vocabulary ids in the person's language, dates
 * in Japan time, and the names of facts and acquisition channels. Daemon layer (privacy
 * center).
 */
#include "center.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct fetch {
    enum center_read what;
    const char *subject;
    char *json;
};

static int fetch_fn(struct hogo_store *st, void *ctx, struct hogo_error *err)
{
    struct fetch *f = ctx;
    switch (f->what) {
    case CENTER_SHOW: return hogo_subject_show_json(st, f->subject, &f->json, err);
    case CENTER_DISCLOSE: return hogo_subject_disclose_json(st, f->subject, &f->json, err);
    case CENTER_PROVISIONS: {
        struct hogo_ledger_filter lf = {.subject_id = f->subject, .kind = 1};
        return hogo_ledger_export(st, &lf, HOGO_LEDGER_JSON, &f->json, err);
    }
    }
    return HOGO_EINVAL;
}

yajl_val center_read(struct hogod_exchange *x, enum center_read what)
{
    const struct web_session *s = web_session(x);
    struct fetch f = {.what = what, .subject = s->subject_id};
    struct hogo_error err = {0};
    int rc = hogod_store_run(x, fetch_fn, &f, &err);
    if (rc) {
        free(f.json);
        web_error_from(x, rc, &err);
        return NULL;
    }
    char ebuf[128];
    yajl_val v = yajl_tree_parse(f.json, ebuf, sizeof ebuf);
    free(f.json);
    if (!v)
        web_error_page(x, 500, web_t(x, "error.internal"));
    return v;
}

yajl_val center_get(yajl_val v, const char *name, yajl_type type)
{
    const char *path[] = {name, NULL};
    return v ? yajl_tree_get(v, path, type) : NULL;
}

const char *center_name(struct hogod_exchange *x, const char *kind, const char *id)
{
    static _Thread_local char found[512];
    snprintf(found, sizeof found, "%s", id ? id : "");
    if (!id)
        return found;
    struct hogod_policies *ps = hogod_policies_get(x->d);
    if (!ps)
        return found;
    struct hogo_vocab_entry e;
    bool en = !strcmp(web_lang(x), "en");
    for (size_t i = 0; hogo_vocab_entry(ps->vocab, i, &e) == 0; i++) {
        if (strcmp(e.id, id) || (strcmp(e.kind, kind) &&
                                 !(!strcmp(kind, "recipient") &&
                                   !strcmp(e.kind, "recipient_class"))))
            continue;
        const char *name = en && e.en[0] ? e.en : e.ja[0] ? e.ja : e.id;
        snprintf(found, sizeof found, "%s", name);
        break;
    }
    hogod_policies_release(ps);
    return found;
}

void center_when(struct hogod_exchange *x, const char *iso, char *out, size_t size)
{
    struct tm tm = {0};
    snprintf(out, size, "%s", iso ? iso : "");
    if (!iso || sscanf(iso, "%4d-%2d-%2dT%2d:%2d:%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                       &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6)
        return;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    time_t t = timegm(&tm) + 9 * 3600; /* Japan time */
    struct tm j;
    gmtime_r(&t, &j);
    if (!strcmp(web_lang(x), "en"))
        strftime(out, size, "%Y-%m-%d %H:%M JST", &j);
    else
        snprintf(out, size, "%d年%d月%d日 %02d:%02d", j.tm_year + 1900, j.tm_mon + 1,
                 j.tm_mday, j.tm_hour, j.tm_min);
}

const char *center_fact_kind(const char *fact)
{
    static const struct {
        const char *fact, *kind;
    } kinds[] = {{"linked_accounts", "linkable_account"},
                 {"linking_in_progress", "linkable_account"},
                 {"opt_outs", "purpose"},
                 {"services_used", "service"},
                 {"services_requested", "service"},
                 {"point_program_services", "service"}};
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (!strcmp(kinds[i].fact, fact))
            return kinds[i].kind;
    return NULL;
}

void center_list_names(struct hogod_exchange *x, struct web_buf *b, yajl_val arr,
                       const char *kind)
{
    if (!arr || !YAJL_IS_ARRAY(arr) || !arr->u.array.len) {
        web_text(b, center_t(x, "none"));
        return;
    }
    for (size_t i = 0; i < arr->u.array.len; i++) {
        if (i)
            web_text(b, web_l(x, "、", ", "));
        const char *id = hogod_str(arr->u.array.values[i]);
        web_text(b, kind ? center_name(x, kind, id) : id);
    }
}

bool center_has(yajl_val arr, const char *id)
{
    if (!arr || !YAJL_IS_ARRAY(arr))
        return false;
    for (size_t i = 0; i < arr->u.array.len; i++)
        if (!strcmp(hogod_str(arr->u.array.values[i]), id))
            return true;
    return false;
}

void center_heading(struct web_buf *b, const char *tag, const char *text)
{
    web_rawf(b, "<%s>", tag);
    web_text(b, text);
    web_rawf(b, "</%s>\n", tag);
}
