/*
 * The disclosure package (APPI Art. 33, with 33(5)): everything held about a person, as JSON
 * and as a printable, self-contained Japanese HTML report. Rights layer.
 * Streaming: the JSON is generated piece by piece (yajl_gen's print callback) and each piece
 * goes to the JSON file and, through yajl's incremental parser, to the HTML writer, which
 * keeps only the nesting path. Data items are opened a page at a time, so memory stays the
 * same however many items the person has. Each value read is a data.read audit event.
 */
#include "rights_int.h"

#include <yajl/yajl_gen.h>
#include <yajl/yajl_parse.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PAGE 1000
#define MAX_DEPTH 64

/* ---- the HTML writer: one JSON event at a time ---- */

struct html {
    FILE *out;
    int depth;
    char kind[MAX_DEPTH]; /* 'm' map or 'a' array at each depth (depth 1 = the package) */
    int fail;
};

static void esc(FILE *f, const unsigned char *s, size_t n)
{
    size_t start = 0;
    for (size_t i = 0; i < n; i++) {
        const char *rep = s[i] == '&'    ? "&amp;"
                          : s[i] == '<'  ? "&lt;"
                          : s[i] == '>'  ? "&gt;"
                          : s[i] == '"'  ? "&quot;"
                          : s[i] == '\'' ? "&#39;"
                                         : NULL;
        if (!rep)
            continue;
        fwrite(s + start, 1, i - start, f);
        fputs(rep, f);
        start = i + 1;
    }
    fwrite(s + start, 1, n - start, f);
}

/* Japanese labels of the package's keys; others are shown as they are. */
static const char *const labels[][2] = {
    {"subject", "ご本人について"},
    {"subject_id", "本人ID"},
    {"operator", "事業者（ポリシー）"},
    {"facts", "判断に用いる事実"},
    {"consents", "同意"},
    {"data_items", "保有個人データ"},
    {"items", "データ項目（値を除く）"},
    {"provisions", "第三者提供の記録（法第29条）"},
    {"receipts", "第三者からの受領の記録（法第30条）"},
    {"decisions", "お客様のデータについての判断"},
    {"item_id", "項目番号"},
    {"category", "項目"},
    {"value", "内容"},
    {"value_base64", "内容（Base64）"},
    {"channel", "取得の方法"},
    {"source", "取得元"},
    {"service", "サービス"},
    {"context", "取得の状況"},
    {"policy_version", "同意・取得時のポリシー版"},
    {"acquired_at", "取得日時"},
    {"recipient", "提供先"},
    {"recipient_name", "提供先の名称"},
    {"purpose", "利用目的"},
    {"given_at", "同意日時"},
    {"withdrawn_at", "撤回日時"},
    {"generated_at", "作成日時"},
    {"records_only", "記録のみの開示"},
    {"opt_outs", "利用停止（配信停止等）"},
    {"at", "日時"},
    {"decision", "判断"},
    {"created_at", "登録日時"},
    {"erased", "消去済み"},
};

static void label(FILE *f, const unsigned char *k, size_t n)
{
    for (size_t i = 0; i < sizeof labels / sizeof labels[0]; i++)
        if (strlen(labels[i][0]) == n && !memcmp(labels[i][0], k, n)) {
            fputs(labels[i][1], f);
            return;
        }
    esc(f, k, n);
}

/* Before a value: an array element opens a list item. */
static void value_begin(struct html *h)
{
    if (h->depth >= 1 && h->kind[h->depth] == 'a')
        fputs("<li>", h->out);
}

/* After a value: closes what value_begin or the key opened. */
static void value_end(struct html *h)
{
    if (h->depth < 1)
        return;
    if (h->kind[h->depth] == 'a')
        fputs("</li>\n", h->out);
    else if (h->depth == 1)
        fputs("</section>\n", h->out);
    else
        fputs("</dd>\n", h->out);
}

static void scalar(struct html *h, const char *cls, const unsigned char *s, size_t n)
{
    value_begin(h);
    fprintf(h->out, "<span class=\"%s\">", cls);
    esc(h->out, s, n);
    fputs("</span>", h->out);
    value_end(h);
}

static int h_null(void *ctx)
{
    scalar(ctx, "null", (const unsigned char *)"—", strlen("—"));
    return 1;
}

static int h_bool(void *ctx, int b)
{
    const char *t = b ? "はい" : "いいえ";
    scalar(ctx, "bool", (const unsigned char *)t, strlen(t));
    return 1;
}

static int h_number(void *ctx, const char *s, size_t n)
{
    scalar(ctx, "num", (const unsigned char *)s, n);
    return 1;
}

static int h_string(void *ctx, const unsigned char *s, size_t n)
{
    scalar(ctx, "str", s, n);
    return 1;
}

static int h_start(struct html *h, char kind)
{
    if (h->depth + 1 >= MAX_DEPTH) {
        h->fail = 1;
        return 0;
    }
    if (h->depth >= 1)
        value_begin(h);
    h->depth++;
    h->kind[h->depth] = kind;
    if (h->depth > 1)
        fputs(kind == 'm' ? "<dl>\n" : "<ol>\n", h->out);
    return 1;
}

static int h_end(struct html *h)
{
    if (h->depth > 1)
        fputs(h->kind[h->depth] == 'm' ? "</dl>\n" : "</ol>\n", h->out);
    h->depth--;
    value_end(h);
    return 1;
}

static int h_start_map(void *ctx) { return h_start(ctx, 'm'); }
static int h_start_array(void *ctx) { return h_start(ctx, 'a'); }
static int h_end_any(void *ctx) { return h_end(ctx); }

static int h_key(void *ctx, const unsigned char *k, size_t n)
{
    struct html *h = ctx;
    if (h->depth == 1) {
        fputs("<section>\n<h2>", h->out);
        label(h->out, k, n);
        fputs("</h2>\n", h->out);
    } else {
        fputs("<dt>", h->out);
        label(h->out, k, n);
        fputs("</dt><dd>", h->out);
    }
    return 1;
}

static const yajl_callbacks html_callbacks = {
    h_null, h_bool, NULL, NULL, h_number, h_string, h_start_map, h_key, h_end_any,
    h_start_array, h_end_any};

static void html_head(FILE *f, const char *subject, const char *generated)
{
    fputs("<!DOCTYPE html>\n<html lang=\"ja\">\n<head>\n<meta charset=\"utf-8\">\n"
          "<title>保有個人データの開示</title>\n<style>\n"
          "body{font-family:\"Hiragino Sans\",\"Noto Sans JP\",\"Yu Gothic\",sans-serif;"
          "margin:2em;line-height:1.6;color:#111}\n"
          "h1{font-size:1.5em;border-bottom:2px solid #333}\n"
          "h2{font-size:1.15em;background:#eee;padding:.2em .5em;margin-top:1.5em}\n"
          "dl{display:grid;grid-template-columns:max-content 1fr;gap:.1em 1em;margin:.2em 0}\n"
          "dt{font-weight:bold}dd{margin:0}\nol{padding-left:1.5em}\n"
          "li{border-bottom:1px solid #ddd;padding:.3em 0}\n.null{color:#888}\n"
          "@media print{body{margin:0}h2{break-after:avoid}li{break-inside:avoid}}\n"
          "</style>\n</head>\n<body>\n<h1>保有個人データの開示</h1>\n<p>本人ID: ",
          f);
    esc(f, (const unsigned char *)subject, strlen(subject));
    fputs("<br>作成日時: ", f);
    esc(f, (const unsigned char *)generated, strlen(generated));
    fputs("<br>個人情報の保護に関する法律第33条（第5項を含む）に基づき、当社が保有するお客様の"
          "個人データ、その取得の経緯、同意、第三者提供・受領の記録、お客様のデータについての判断"
          "をお知らせします。</p>\n",
          f);
}

/* ---- the generator's sink ---- */

struct sink {
    FILE *json;
    struct html html;
    yajl_handle parser; /* NULL without HTML */
    int failed;
    char buf[65536];    /* the generator's small pieces, passed on in large ones */
    size_t used;
};

static void sink_flush(struct sink *k)
{
    if (k->json && fwrite(k->buf, 1, k->used, k->json) != k->used)
        k->failed = 1;
    if (k->parser && k->used &&
        yajl_parse(k->parser, (const unsigned char *)k->buf, k->used) != yajl_status_ok)
        k->failed = 1;
    k->used = 0;
}

static void sink_print(void *ctx, const char *s, size_t n)
{
    struct sink *k = ctx;
    if (k->used + n > sizeof k->buf)
        sink_flush(k);
    if (n > sizeof k->buf) {
        if (k->json && fwrite(s, 1, n, k->json) != n)
            k->failed = 1;
        if (k->parser && yajl_parse(k->parser, (const unsigned char *)s, n) != yajl_status_ok)
            k->failed = 1;
        return;
    }
    memcpy(k->buf + k->used, s, n);
    k->used += n;
}

static int row_consent(void *ctx, const struct hogo__val *c, size_t n)
{
    yajl_gen g = ctx;
    if (n < 9)
        return 1;
    char t[32];
    yajl_gen_map_open(g);
    hogo__gen_kv_str(g, "id", c[0].s);
    hogo__gen_kv_str(g, "recipient", c[1].s);
    hogo__gen_kv_str(g, "purpose", c[2].s);
    hogo__gen_str(g, "data");
    hogo__gen_csv_array(g, c[3].s);
    hogo__gen_kv_str(g, "policy", c[4].s);
    hogo__gen_kv_str(g, "policy_version", c[5].s);
    hogo__gen_kv_str(g, "method", c[6].s);
    hogo__fmt_time(c[7].i, t);
    hogo__gen_kv_str(g, "given_at", t);
    if (c[8].type == HOGO__INT) {
        hogo__fmt_time(c[8].i, t);
        hogo__gen_kv_str(g, "withdrawn_at", t);
    } else
        hogo__gen_kv_str(g, "withdrawn_at", NULL);
    yajl_gen_map_close(g);
    return 0;
}

static int row_decision(void *ctx, const struct hogo__val *c, size_t n)
{
    yajl_gen g = ctx;
    if (n < 3)
        return 1;
    char t[32];
    hogo__fmt_time(c[0].i, t);
    yajl_gen_map_open(g);
    hogo__gen_kv_str(g, "at", t);
    hogo__gen_kv_str(g, "object", c[1].s);
    hogo__gen_str(g, "decision");
    if (c[2].type == HOGO__TEXT && c[2].s[0] == '{')
        yajl_gen_number(g, c[2].s, strlen(c[2].s)); /* a JSON object as stored */
    else
        yajl_gen_null(g);
    yajl_gen_map_close(g);
    return 0;
}

int hogo_disclosure_write(struct hogo_store *st, const char *subject_id, int records_only,
                          FILE *json, FILE *html, struct hogo_error *err)
{
    struct sink *k = calloc(1, sizeof *k);
    char now[32];
    hogo__fmt_time(hogo__now_us(st), now);
    if (!k)
        return hogo_error_set(err, HOGO_ENOMEM, NULL, "out of memory");
    k->json = json;
    int rc = hogo__check_id(subject_id, "subject id", err);
    if (rc < 0) {
        free(k);
        return rc;
    }
    yajl_gen g = yajl_gen_alloc(NULL);
    if (!g) {
        free(k);
        return hogo_error_set(err, HOGO_ENOMEM, NULL, "out of memory");
    }
    if (html) {
        k->html.out = html;
        k->parser = yajl_alloc(&html_callbacks, NULL, &k->html);
        if (!k->parser) {
            yajl_gen_free(g);
            free(k);
            return hogo_error_set(err, HOGO_ENOMEM, NULL, "out of memory");
        }
        html_head(html, subject_id, now);
    }
    yajl_gen_config(g, yajl_gen_print_callback, sink_print, k);
    rc = hogo__txn_begin(st, err);
    if (rc < 0)
        goto out;
    char *show = NULL; /* the facts: small, whatever the number of items */
    int64_t n_items = 0, n_records = 0, n_decisions = 0, count = 0;
    struct hogo__val p[] = {HV_TEXT(subject_id)};
    char *op = NULL;
    rc = hogo__query_text(st, "SELECT operator FROM subjects WHERE subject_id = ?", p, 1, &op,
                          err);
    if (rc == 0 && !op)
        rc = hogo_error_set(err, HOGO_ENOTFOUND, NULL, "subject '%s' not found", subject_id);
    if (rc == 0)
        rc = hogo_store_subject_facts_json(st, NULL, subject_id, &show, err);
    yajl_gen_map_open(g);
    hogo__gen_kv_str(g, "subject_id", subject_id);
    hogo__gen_kv_str(g, "generated_at", now);
    hogo__gen_str(g, "records_only");
    yajl_gen_bool(g, records_only);
    hogo__gen_kv_str(g, "operator", op);
    free(op);
    if (rc == 0 && !records_only) {
        hogo__gen_str(g, "facts");
        yajl_gen_number(g, show, strlen(show));
        hogo__gen_str(g, "consents"); /* with their history: withdrawn ones too */
        yajl_gen_array_open(g);
        rc = hogo__query(st,
                         "SELECT consent_id, recipient, purpose, data, policy, policy_version,"
                         " method, given_at, withdrawn_at FROM consents WHERE subject_id = ?"
                         " ORDER BY given_at, consent_id",
                         p, 1, row_consent, g, err);
        yajl_gen_array_close(g);
        hogo__gen_str(g, "data_items");
        yajl_gen_array_open(g);
        rc = hogo__query_int(st, "SELECT COUNT(*) FROM data_items WHERE subject_id = ?", p, 1,
                             &count, NULL, err);
        for (int64_t after = 0, got = PAGE; rc == 0 && count > 0 && got == PAGE;) {
            rc = hogo__gen_items_opened_page(st, g, subject_id, after, PAGE, &after, &got, err);
            n_items += got;
        }
        yajl_gen_array_close(g);
    }
    free(show);
    if (rc == 0)
        rc = hogo__ledger_gen_subject(st, g, subject_id, &n_records, err);
    if (rc == 0 && !records_only) {
        hogo__gen_str(g, "decisions");
        yajl_gen_array_open(g);
        rc = hogo__query(st,
                         "SELECT at, object, detail FROM audit_events WHERE subject_id = ? AND"
                         " action = 'decision' ORDER BY seq",
                         p, 1, row_decision, g, err);
        yajl_gen_array_close(g);
    }
    yajl_gen_map_close(g);
    sink_flush(k);
    if (rc == 0 && k->parser && yajl_complete_parse(k->parser) != yajl_status_ok)
        k->failed = 1;
    if (rc == 0 && json && (fputc('\n', json) == EOF || fflush(json) == EOF))
        k->failed = 1;
    if (rc == 0 && html) {
        fputs("<footer><p>以上</p></footer>\n</body>\n</html>\n", html);
        if (fflush(html) == EOF)
            k->failed = 1;
    }
    if (rc == 0 && k->failed)
        rc = hogo_error_set(err, HOGO_EIO, NULL,
                            "the disclosure package could not be written (disk full or a "
                            "closed output?); nothing was recorded as disclosed");
    if (rc == 0) {
        char detail[160];
        snprintf(detail, sizeof detail,
                 "{\"items\":%lld,\"records\":%lld,\"records_only\":%s,\"json\":%s,\"html\":%s}",
                 (long long)n_items, (long long)n_records, records_only ? "true" : "false",
                 json ? "true" : "false", html ? "true" : "false");
        rc = hogo__audit_append(st, subject_id, "subject.disclose", "package", detail, err);
    }
    (void)n_decisions;
    rc = hogo__txn_end(st, rc, err);
out:
    yajl_gen_free(g);
    if (k->parser)
        yajl_free(k->parser);
    free(k);
    return rc;
}
