/*
 * The console's audit page: GET /console/audit shows the audit log's last checkpoint (the
 * event it seals, when, whether its signature holds under the public key of hogod's signing
 * key) and the unsealed tail after it; POST /console/audit runs the library's whole
 * verification (hogo audit verify: chain, checkpoints, every ledger record and fact against
 * its event) now and shows what it found. Reading and verifying change nothing. Daemon layer
 * (privacy office console).
 */
#include "office.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

void office_time(struct web_buf *b, int64_t us)
{
    char t[48];
    time_t s = (time_t)(us / 1000000) + 9 * 3600; /* JST has no daylight saving */
    struct tm tm;
    gmtime_r(&s, &tm);
    strftime(t, sizeof t, "%Y-%m-%d %H:%M:%S JST", &tm);
    web_text(b, t);
}

struct audit_run {
    bool verify;                             /* run the whole verification too */
    bool has_key;
    unsigned char pk[HOGO_SIGN_PUBLIC_BYTES];
    struct hogo_audit_checkpoint_info info;
    struct hogo_audit_report report;
    int result;                              /* hogo_audit_verify's: 0 intact, HOGO_ETAMPER */
    struct hogo_error verify_err;
};

static int audit_fn(struct hogo_store *st, void *ctx, struct hogo_error *err)
{
    struct audit_run *a = ctx;
    a->has_key = hogo_store_signing_public_key(st, a->pk) == 0;
    const unsigned char *pk = a->has_key ? a->pk : NULL;
    if (a->verify) {
        a->result = hogo_audit_verify(st, pk, &a->report, &a->verify_err);
        if (a->result && a->result != HOGO_ETAMPER) {
            *err = a->verify_err;
            return a->result;
        }
    }
    /* after the verification: its events are part of the log shown */
    return hogo_audit_last_checkpoint(st, pk, &a->info, err);
}

/* One row of a two-column table. */
static void row(struct web_buf *b, const char *head)
{
    web_raw(b, "<tr><th scope=\"row\">");
    web_text(b, head);
    web_raw(b, "</th><td>");
}

static void badge(struct web_buf *b, const char *cls, const char *text)
{
    web_rawf(b, "<span class=\"badge %s\">", cls);
    web_text(b, text);
    web_raw(b, "</span>");
}

static void audit_page(struct hogod_exchange *x, bool verify)
{
    struct audit_run a = {.verify = verify};
    struct hogo_error err = {0};
    int rc = hogod_store_run(x, audit_fn, &a, &err);
    if (rc) {
        web_error_from(x, rc, &err);
        return;
    }
    struct web_buf b = {0};
    const char *title = web_l(x, "監査ログ", "Audit log");
    web_page_begin(x, &b, title, console_nav);
    web_raw(&b, "<h1>");
    web_text(&b, title);
    web_raw(&b, "</h1>\n<p>");
    web_text(&b, web_l(x,
                       "すべての判定・変更・個人データの読み出しは、ハッシュで連鎖した監査ログのイベントです。チェックポイントはその時点までのログを署名で封印します。",
                       "Every decision, change and read of personal data is an event of the "
                       "hash-chained audit log; a checkpoint seals the log up to its event "
                       "with a signature."));
    web_raw(&b, "</p>\n");

    if (verify) {
        web_raw(&b, "<h2>");
        web_text(&b, web_l(x, "検証の結果", "Verification result"));
        web_raw(&b, "</h2>\n<div role=\"status\">\n");
        if (a.result == 0) {
            web_raw(&b, "<p>");
            badge(&b, "ok", web_l(x, "改ざんなし", "intact"));
            web_raw(&b, " ");
            web_textf(&b, "%s %lld、%s %lld%s", web_l(x, "イベント", "events"),
                      (long long)a.report.events, web_l(x, "チェックポイント", "checkpoints"),
                      (long long)a.report.checkpoints,
                      a.report.signatures_checked
                          ? web_l(x, "（署名も検証済み）", " (signatures checked)")
                          : web_l(x, "（公開鍵がないため署名は未検証）",
                                  " (signatures not checked: hogod has no signing key)"));
            web_raw(&b, "</p>\n");
        } else {
            web_raw(&b, "<p class=\"error-detail\">");
            badge(&b, "bad", web_l(x, "改ざんを検出", "TAMPERED"));
            web_raw(&b, " ");
            web_textf(&b, "%s %lld: %s", web_l(x, "最初の不正なイベント", "first bad event"),
                      (long long)a.report.first_bad_seq,
                      a.report.problem[0] ? a.report.problem : a.verify_err.message);
            web_raw(&b, "</p>\n");
        }
        web_raw(&b, "</div>\n");
    }

    web_raw(&b, "<h2>");
    web_text(&b, web_l(x, "最後のチェックポイント", "Last checkpoint"));
    web_raw(&b, "</h2>\n");
    if (a.info.seq == 0) {
        web_raw(&b, "<p class=\"note\">");
        web_text(&b, web_l(x, "チェックポイントはまだありません（hogo audit checkpoint で作成します）。",
                           "No checkpoint yet (hogo audit checkpoint makes one)."));
        web_raw(&b, "</p>\n");
    } else {
        web_raw(&b, "<table>\n<tbody>\n");
        row(&b, web_l(x, "封印したイベント", "Seals event"));
        web_textf(&b, "%lld", (long long)a.info.seq);
        web_raw(&b, "</td></tr>\n");
        row(&b, web_l(x, "作成日時", "Made at"));
        office_time(&b, a.info.at);
        web_raw(&b, "</td></tr>\n");
        row(&b, web_l(x, "署名", "Signature"));
        if (a.info.signature > 0)
            badge(&b, "ok", web_l(x, "署名あり・有効（hogod の公開鍵で検証）",
                                  "signed, valid under hogod's public key"));
        else if (a.info.signature < 0)
            badge(&b, "bad", web_l(x, "署名が hogod の公開鍵で検証できません",
                                   "the signature does not hold under hogod's public key"));
        else
            badge(&b, "warn", web_l(x, "未検証（hogod に署名鍵がありません）",
                                    "not checked (hogod has no signing key)"));
        web_raw(&b, "</td></tr>\n");
        row(&b, web_l(x, "封印したハッシュ", "Head hash"));
        web_raw(&b, "<code>");
        web_text(&b, a.info.head);
        web_raw(&b, "</code></td></tr>\n");
        row(&b, web_l(x, "署名した鍵", "Signed by key"));
        web_raw(&b, "<code>");
        web_text(&b, a.info.public_key);
        web_raw(&b, "</code></td></tr>\n</tbody>\n</table>\n");
    }
    web_raw(&b, "<h2>");
    web_text(&b, web_l(x, "未封印のイベント", "Unsealed tail"));
    web_raw(&b, "</h2>\n<p>");
    if (a.info.unsealed == 0) {
        web_text(&b, web_l(x, "最後のイベントまで封印されています。",
                           "The log is sealed up to its last event."));
    } else {
        web_textf(&b, "%s %lld – %lld（%lld %s）",
                  web_l(x, "イベント", "events"), (long long)(a.info.seq + 1),
                  (long long)a.info.last_seq, (long long)a.info.unsealed,
                  web_l(x, "件。次のチェックポイントで封印されます",
                        "events; the next checkpoint seals them"));
    }
    web_raw(&b, "</p>\n<h2>");
    web_text(&b, web_l(x, "今すぐ検証する", "Verify now"));
    web_raw(&b, "</h2>\n<p>");
    web_text(&b, web_l(x,
                       "ログ全体（連鎖、チェックポイントと署名、台帳の記録と事実がそれぞれのイベントと一致すること）を検証します。ログが大きいと時間がかかります。",
                       "Checks the whole log: the chain, the checkpoints and their signatures, "
                       "and every ledger record and fact against its event. A large log takes "
                       "a while."));
    web_raw(&b, "</p>\n<form method=\"post\" action=\"/console/audit\">");
    web_csrf_field(x, &b);
    web_raw(&b, "<button type=\"submit\">");
    web_text(&b, web_l(x, "検証する", "Verify"));
    web_raw(&b, "</button></form>\n");
    web_page_end(x, &b);
}

void console_page_audit(struct hogod_exchange *x) { audit_page(x, false); }

void console_audit_verify(struct hogod_exchange *x) { audit_page(x, true); }
