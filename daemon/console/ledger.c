/*
 * The console's ledger pages: GET /console/ledger searches the APPI provision (Art. 29) and
 * receipt (Art. 30) records of the officer's operator by subject, recipient (or provider),
 * purpose, date range and kind, a page at a time (each page one ledger.search audit event);
 * GET /console/ledger.csv streams the same search as the CSV `hogo ledger export --format csv`
 * writes (one ledger.export audit event), read from the store in parts so that it is never
 * held whole in memory. Daemon layer (privacy office console).
 */
#include "office.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PAGE_RECORDS 50   /* records on one page unless ?limit= says (1 .. 200) */
#define PAGE_RECORDS_MAX 200
#define CSV_PART 200      /* records read from the store per part of the CSV */

/* The search as the query string gives it. */
struct search {
    const char *subject, *recipient, *purpose, *from, *to, *kind, *after, *limit;
    int page;             /* records on a page */
    struct hogo_ledger_filter f;
    char problem[1200];   /* what is wrong with the search, "" when nothing */
};

static const char *query(struct hogod_exchange *x, const char *name)
{
    const char *v = hogod_query(x, name);
    return v && *v ? v : NULL;
}

/* A UTC date (YYYY-MM-DD, the whole day for `to`) or time (YYYY-MM-DDTHH:MM:SSZ) in
 * microseconds, as `hogo ledger` reads --from and --to; -1 when it is neither. */
static int64_t parse_time(const char *s, bool end_of_day)
{
    struct tm tm = {0};
    int n = 0;
    if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2dZ%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
               &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &n) == 6 &&
        s[n] == '\0') {
        end_of_day = false;
    } else if (sscanf(s, "%4d-%2d-%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &n) == 3 &&
               s[n] == '\0') {
        tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
    } else {
        return -1;
    }
    if (tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 || tm.tm_mday > 31)
        return -1;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    int64_t t = (int64_t)timegm(&tm) * 1000000;
    return end_of_day ? t + 86400LL * 1000000 - 1 : t;
}

/* Reads the search from the query string; the operator's records only. */
static void read_search(struct hogod_exchange *x, const struct hogo_vocab *vocab,
                        struct search *s)
{
    memset(s, 0, sizeof *s);
    s->subject = query(x, "subject");
    s->recipient = query(x, "recipient");
    s->purpose = query(x, "purpose");
    s->from = query(x, "from");
    s->to = query(x, "to");
    s->kind = query(x, "kind");
    s->after = query(x, "after");
    s->limit = query(x, "limit");
    s->page = PAGE_RECORDS;
    s->f.subject_id = s->subject;
    s->f.recipient = s->recipient;
    s->f.purpose = s->purpose;
    s->f.policy = web_session(x)->operator_id;
    struct hogo_error err = {0};
    if (s->kind && strcmp(s->kind, "provision") && strcmp(s->kind, "receipt"))
        snprintf(s->problem, sizeof s->problem, "%s",
                 web_l(x, "種別は「提供」「受領」「両方」から選んでください。",
                       "Choose the kind: provisions, receipts or both."));
    else if (s->kind)
        s->f.kind = !strcmp(s->kind, "provision") ? 1 : 2;
    if (!s->problem[0] && s->from && (s->f.from = parse_time(s->from, false)) < 0)
        snprintf(s->problem, sizeof s->problem, "%s",
                 web_l(x, "開始日は 2026-01-31 の形で入力してください。",
                       "Write the start date as 2026-01-31."));
    if (!s->problem[0] && s->to && (s->f.to = parse_time(s->to, true)) < 0)
        snprintf(s->problem, sizeof s->problem, "%s",
                 web_l(x, "終了日は 2026-01-31 の形で入力してください。",
                       "Write the end date as 2026-01-31."));
    if (!s->problem[0] && s->limit) {
        char *end = NULL;
        long n = strtol(s->limit, &end, 10);
        if (!end || *end || n < 1 || n > PAGE_RECORDS_MAX)
            snprintf(s->problem, sizeof s->problem, "%s",
                     web_l(x, "1ページの件数（limit）は 1 から 200 です。",
                           "A page holds 1 to 200 records (limit)."));
        else
            s->page = (int)n;
    }
    if (!s->problem[0] && s->purpose && vocab &&
        hogo_vocab_check_id((void *)vocab, "purpose", s->purpose, &err))
        snprintf(s->problem, sizeof s->problem, "%s: %s",
                 web_l(x, "利用目的のIDが語彙にありません", "Not a purpose id of the vocabulary"),
                 err.message);
}

/* Appends the search's fields as a query string (without `after`), each "&name=value". */
static void search_query(struct web_buf *b, const struct search *s)
{
    const struct {
        const char *name, *value;
    } q[] = {{"subject", s->subject}, {"recipient", s->recipient}, {"purpose", s->purpose},
             {"from", s->from},       {"to", s->to},               {"kind", s->kind},
             {"limit", s->limit}};
    for (size_t i = 0; i < sizeof q / sizeof q[0]; i++) {
        if (!q[i].value)
            continue;
        web_rawf(b, "%s%s=", b->len && b->data[b->len - 1] != '?' ? "&amp;" : "", q[i].name);
        web_url(b, q[i].value);
    }
}

/* The vocabulary's Japanese (or English) name of id of kind (any kind: NULL), or NULL. */
static const char *vocab_lookup(struct hogod_exchange *x, const struct hogo_vocab *v,
                                const char *kind, const char *id)
{
    struct hogo_vocab_entry e;
    bool en = !strcmp(web_lang(x), "en");
    for (size_t i = 0; v && hogo_vocab_entry(v, i, &e) == 0; i++)
        if (!strcmp(e.id, id) && (!kind || !strcmp(e.kind, kind))) {
            const char *name = en ? e.en : e.ja;
            return name && *name ? name : NULL;
        }
    return NULL;
}

/* Writes the vocabulary's name of id of kind, with the id beside it. */
static void vocab_name(struct hogod_exchange *x, struct web_buf *b, const struct hogo_vocab *v,
                       const char *kind, const char *id)
{
    const char *name = vocab_lookup(x, v, kind, id);
    if (!name) {
        web_text(b, id);
        return;
    }
    web_text(b, name);
    web_raw(b, " <span class=\"muted\">(");
    web_text(b, id);
    web_raw(b, ")</span>");
}

struct rows {
    struct hogod_exchange *x;
    const struct hogo_vocab *vocab;
    struct web_buf *b;
    int n;
};

static void time_text(struct web_buf *b, int64_t us)
{
    char t[32];
    time_t s = (time_t)(us / 1000000);
    struct tm tm;
    gmtime_r(&s, &tm);
    strftime(t, sizeof t, "%Y-%m-%dT%H:%M:%SZ", &tm);
    web_text(b, t);
}

static int row_html(void *ctx, const struct hogo_ledger_record *r)
{
    struct rows *w = ctx;
    struct web_buf *b = w->b;
    bool receipt = r->type && !strcmp(r->type, "receipt");
    web_raw(b, "<tr><td>");
    web_text(b, receipt ? web_l(w->x, "受領", "receipt") : web_l(w->x, "提供", "provision"));
    web_raw(b, "</td><th scope=\"row\">");
    web_text(b, r->id);
    web_raw(b, "</th><td>");
    web_text(b, r->subject_id);
    web_raw(b, "</td><td>");
    time_text(b, r->date);
    web_raw(b, "</td><td>");
    if (receipt)
        web_text(b, r->counterparty_name);
    else
        vocab_name(w->x, b, w->vocab, NULL, r->counterparty ? r->counterparty : "");
    const char *vn = receipt || !r->counterparty
                         ? NULL
                         : vocab_lookup(w->x, w->vocab, NULL, r->counterparty);
    if (!receipt && r->counterparty_name && *r->counterparty_name &&
        (!vn || strcmp(vn, r->counterparty_name))) {
        web_raw(b, "<br>");
        web_text(b, r->counterparty_name);
    }
    if (r->corporate_number && *r->corporate_number) {
        web_raw(b, "<br><span class=\"muted\">");
        web_textf(b, "%s %s", web_l(w->x, "法人番号", "corporate number"), r->corporate_number);
        web_raw(b, "</span>");
    }
    web_raw(b, "</td><td>");
    if (r->purpose)
        vocab_name(w->x, b, w->vocab, "purpose", r->purpose);
    web_raw(b, "</td><td>");
    if (r->items) {
        char *copy = strdup(r->items), *save = NULL;
        int i = 0;
        for (char *t = copy ? strtok_r(copy, ",", &save) : NULL; t;
             t = strtok_r(NULL, ",", &save)) {
            if (i++)
                web_raw(b, "、");
            vocab_name(w->x, b, w->vocab, "data_category", t);
        }
        free(copy);
    }
    web_raw(b, "</td><td>");
    time_text(b, r->purge_after);
    web_raw(b, "</td></tr>\n");
    w->n++;
    return 0;
}

struct search_run {
    const struct search *s;
    char actor[160];
    struct rows rows;
    char next[HOGO_LEDGER_CURSOR_BYTES];
};

static int search_fn(struct hogo_store *st, void *ctx, struct hogo_error *err)
{
    struct search_run *r = ctx;
    return hogo_ledger_search(st, &r->s->f, r->s->after, r->s->page, row_html, &r->rows,
                              r->next, r->actor, err);
}

/* One labelled text input of the search form. */
static void field(struct web_buf *b, const char *name, const char *label, const char *hint,
                  const char *type, const char *value)
{
    web_rawf(b, "<div><label for=\"q-%s\">", name);
    web_text(b, label);
    web_raw(b, "</label>");
    if (hint) {
        web_rawf(b, "<p class=\"muted\" id=\"q-%s-hint\">", name);
        web_text(b, hint);
        web_raw(b, "</p>");
    }
    web_rawf(b, "<input id=\"q-%s\" name=\"%s\"", name, name);
    web_attr(b, "type", type);
    if (hint)
        web_rawf(b, " aria-describedby=\"q-%s-hint\"", name);
    if (value)
        web_attr(b, "value", value);
    web_raw(b, "></div>\n");
}

static void search_form(struct hogod_exchange *x, struct web_buf *b, const struct search *s)
{
    web_raw(b, "<form method=\"get\" action=\"/console/ledger\" class=\"search\">\n");
    field(b, "subject", web_l(x, "本人ID", "Subject id"), NULL, "text", s->subject);
    field(b, "recipient", web_l(x, "提供先・提供元", "Recipient or provider"),
          web_l(x, "提供先のID・名称・法人番号、または提供元の名称・法人番号",
                "the recipient's id, name or corporate number, or the provider's name or "
                "corporate number"),
          "text", s->recipient);
    field(b, "purpose", web_l(x, "利用目的のID", "Purpose id"),
          web_l(x, "例: recruitment_selection（受領の記録には目的がないため、提供のみ）",
                "e.g. recruitment_selection (receipts have no purpose: provisions only)"),
          "text", s->purpose);
    field(b, "from", web_l(x, "開始日（UTC）", "From (UTC)"), NULL, "date", s->from);
    field(b, "to", web_l(x, "終了日（UTC、その日を含む）", "To (UTC, that day included)"), NULL,
          "date", s->to);
    web_raw(b, "<div><label for=\"q-kind\">");
    web_text(b, web_l(x, "種別", "Kind"));
    web_raw(b, "</label><select id=\"q-kind\" name=\"kind\">");
    const char *kinds[][3] = {{"", "提供と受領", "provisions and receipts"},
                              {"provision", "提供（第29条）", "provisions (Art. 29)"},
                              {"receipt", "受領（第30条）", "receipts (Art. 30)"}};
    for (int i = 0; i < 3; i++) {
        web_raw(b, "<option");
        web_attr(b, "value", kinds[i][0]);
        if ((!s->kind && !i) || (s->kind && !strcmp(s->kind, kinds[i][0])))
            web_raw(b, " selected");
        web_raw(b, ">");
        web_text(b, web_l(x, kinds[i][1], kinds[i][2]));
        web_raw(b, "</option>");
    }
    web_raw(b, "</select></div>\n<p><button type=\"submit\">");
    web_text(b, web_l(x, "検索", "Search"));
    web_raw(b, "</button></p>\n</form>\n");
}

void console_page_ledger(struct hogod_exchange *x)
{
    struct hogod_policies *ps = hogod_policies_get(x->d);
    struct search s;
    read_search(x, ps->vocab, &s);
    struct web_buf b = {0};
    const char *title = web_l(x, "台帳（提供・受領の記録）", "Ledger (provision and receipt records)");
    web_page_begin(x, &b, title, console_nav);
    web_raw(&b, "<h1>");
    web_text(&b, title);
    web_raw(&b, "</h1>\n<p>");
    web_text(&b, web_l(x,
                       "個人情報保護法第29条の提供記録と第30条の確認記録を検索します。表示と出力はこの事業者の記録だけで、検索のたびに監査ログに残ります。",
                       "Search the provision records (APPI Art. 29) and receipt confirmation "
                       "records (Art. 30). Only this operator's records are shown or exported, "
                       "and every search is an event in the audit log."));
    web_raw(&b, "</p>\n");
    search_form(x, &b, &s);
    int status = 200;
    if (s.problem[0]) {
        status = 400;
        web_raw(&b, "<p class=\"error-detail\" role=\"alert\">");
        web_text(&b, s.problem);
        web_raw(&b, "</p>\n");
    } else {
        struct web_buf rows = {0};
        struct search_run run = {.s = &s, .rows = {.x = x, .vocab = ps->vocab, .b = &rows}};
        struct hogo_error err = {0};
        console_actor(x, run.actor);
        int rc = hogod_store_run(x, search_fn, &run, &err);
        if (rc) {
            web_buf_free(&rows);
            web_buf_free(&b);
            hogod_policies_release(ps);
            web_error_from(x, rc, &err);
            return;
        }
        web_raw(&b, "<h2>");
        web_text(&b, web_l(x, "検索結果", "Records found"));
        web_raw(&b, "</h2>\n<p><a href=\"/console/ledger.csv?");
        search_query(&b, &s);
        web_raw(&b, "\">");
        web_text(&b, web_l(x, "この検索をCSVで出力（hogo ledger export と同じ形式）",
                           "Export this search as CSV (the format of hogo ledger export)"));
        web_raw(&b, "</a></p>\n");
        if (run.rows.n == 0) {
            web_raw(&b, "<p class=\"note\">");
            web_text(&b, web_l(x, "条件に合う記録はありません。", "No record matches."));
            web_raw(&b, "</p>\n");
        } else {
            web_raw(&b, "<table>\n<caption>");
            web_textf(&b, "%d %s", run.rows.n,
                      web_l(x, "件（提供、受領の順、それぞれ日時順）",
                            "records (provisions, then receipts, each by date)"));
            web_raw(&b, "</caption>\n<thead><tr>");
            const char *heads[][2] = {{"種別", "Kind"},
                                      {"記録ID", "Record id"},
                                      {"本人ID", "Subject"},
                                      {"日時（UTC）", "Date (UTC)"},
                                      {"提供先・提供元", "Recipient or provider"},
                                      {"利用目的", "Purpose"},
                                      {"項目", "Items"},
                                      {"保存期限（UTC）", "Kept until (UTC)"}};
            for (size_t i = 0; i < sizeof heads / sizeof heads[0]; i++) {
                web_raw(&b, "<th scope=\"col\">");
                web_text(&b, web_l(x, heads[i][0], heads[i][1]));
                web_raw(&b, "</th>");
            }
            web_raw(&b, "</tr></thead>\n<tbody>\n");
            web_raw_n(&b, rows.data ? rows.data : "", rows.len);
            web_raw(&b, "</tbody>\n</table>\n");
        }
        web_buf_free(&rows);
        if (run.next[0] || s.after) {
            web_raw(&b, "<nav");
            web_attr(&b, "aria-label", web_l(x, "検索結果のページ", "Result pages"));
            web_raw(&b, "><ul>");
            if (s.after) {
                web_raw(&b, "<li><a href=\"/console/ledger?");
                search_query(&b, &s);
                web_raw(&b, "\">");
                web_text(&b, web_l(x, "最初のページ", "First page"));
                web_raw(&b, "</a></li>");
            }
            if (run.next[0]) {
                web_raw(&b, "<li><a rel=\"next\" href=\"/console/ledger?");
                search_query(&b, &s);
                web_raw(&b, b.data[b.len - 1] == '?' ? "after=" : "&amp;after=");
                web_url(&b, run.next);
                web_raw(&b, "\">");
                web_text(&b, web_l(x, "次のページ", "Next page"));
                web_raw(&b, "</a></li>");
            }
            web_raw(&b, "</ul></nav>\n");
        }
    }
    hogod_policies_release(ps);
    web_page_end_status(x, &b, status);
}

/* ---- the CSV, streamed ---- */

struct csv_stream {
    struct hogod *d;
    struct hogo_ledger_reader *rd;
    char *out;
    size_t len, cap, sent;
    bool done, failed;
};

static int csv_row(void *ctx, const struct hogo_ledger_record *r)
{
    struct csv_stream *c = ctx;
    char *line = NULL;
    size_t n = 0;
    if (hogo_ledger_record_csv(r, &line, &n))
        return HOGO_ENOMEM;
    if (c->len + n > c->cap) {
        size_t cap = c->cap ? c->cap : 65536;
        while (cap < c->len + n)
            cap *= 2;
        char *t = realloc(c->out, cap);
        if (!t) {
            free(line);
            return HOGO_ENOMEM;
        }
        c->out = t;
        c->cap = cap;
    }
    memcpy(c->out + c->len, line, n);
    c->len += n;
    free(line);
    return 0;
}

static int csv_part_fn(struct hogo_store *st, void *ctx, struct hogo_error *err)
{
    struct csv_stream *c = ctx;
    int done = 0;
    int rc = hogo_ledger_reader_next(st, c->rd, CSV_PART, csv_row, c, &done, err);
    if (rc == 0)
        c->done = done != 0;
    return rc;
}

static long csv_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    struct csv_stream *c = cls;
    (void)pos;
    if (c->sent == c->len) {
        c->sent = c->len = 0;
        if (c->done || c->failed)
            return HOGOD_STREAM_END;
        struct hogo_error err = {0};
        if (hogo_store_run(c->d->store, csv_part_fn, c, &err)) {
            /* the status is sent: the export ends short, and the log says why */
            hogod_metrics_store_error(c->d->metrics);
            fprintf(stderr, "hogod: ledger CSV export stopped: %s\n", err.message);
            c->failed = true;
        }
        if (c->len == 0)
            return c->done || c->failed ? HOGOD_STREAM_END : 0;
    }
    size_t n = c->len - c->sent;
    if (n > max)
        n = max;
    memcpy(buf, c->out + c->sent, n);
    c->sent += n;
    return (long)n;
}

static void csv_free(void *cls)
{
    struct csv_stream *c = cls;
    hogo_ledger_reader_free(c->rd);
    free(c->out);
    free(c);
}

struct csv_open {
    const struct hogo_ledger_filter *f;
    char actor[160];
    struct hogo_ledger_reader *rd;
};

static int csv_open_fn(struct hogo_store *st, void *ctx, struct hogo_error *err)
{
    struct csv_open *o = ctx;
    return hogo_ledger_reader_open(st, o->f, &o->rd, NULL, o->actor, err);
}

void console_ledger_csv(struct hogod_exchange *x)
{
    struct hogod_policies *ps = hogod_policies_get(x->d);
    struct search s;
    read_search(x, ps->vocab, &s);
    hogod_policies_release(ps);
    if (s.problem[0]) {
        web_error_page(x, 400, s.problem);
        return;
    }
    struct csv_stream *c = calloc(1, sizeof *c);
    const char *header = hogo_ledger_csv_header();
    size_t hl = strlen(header);
    if (!c || !(c->out = malloc(hl))) {
        free(c);
        web_error_page(x, 503, web_l(x, "メモリが足りません。しばらくしてからもう一度お試しください。",
                                      "Out of memory; try again shortly."));
        return;
    }
    memcpy(c->out, header, hl);
    c->len = c->cap = hl;
    c->d = x->d;
    struct csv_open o = {.f = &s.f};
    console_actor(x, o.actor);
    struct hogo_error err = {0};
    int rc = hogod_store_run(x, csv_open_fn, &o, &err);
    if (rc) {
        csv_free(c);
        web_error_from(x, rc, &err);
        return;
    }
    c->rd = o.rd;
    x->status = 200;
    x->content_type = "text/csv; charset=utf-8";
    snprintf(x->disposition, sizeof x->disposition,
             "attachment; filename=\"ledger-%s.csv\"", web_session(x)->operator_id);
    x->stream = csv_read;
    x->stream_free = csv_free;
    x->stream_cls = c;
}
