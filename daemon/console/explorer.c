/*
 * The console's decision explorer: GET /console/explorer shows a form where the officer
 * writes a decision request (docs/decision.md) or picks an example for the operator's policy
 * (?example=N); POST /console/explorer decides it and shows the answer with its clauses in
 * the text `hogo check --format text` writes (the same library calls: hogo_request_parse(),
 * hogo_decide(), hogo_writer_decision_text(); Japanese unless English is chosen), and the
 * JSON answer. A request that cannot be decided is shown with its JSON pointer. The explorer
 * decides on the request's own facts with no store: it reads no stored facts and records
 * nothing (no audit event, no ledger record). Daemon layer (privacy office console).
 */
#include "office.h"

#include <stdlib.h>
#include <string.h>

/* Examples per policy: what a label says, and the request. */
struct example {
    const char *policy, *ja, *en, *request;
};

/* clang-format off */
static const struct example examples[] = {
    {"irp", "応募した企業への提供（応募先の法人番号あり）", "Provision to a company the person applied to",
     "{\n"
     "  \"policy\": \"irp\",\n"
     "  \"at\": \"2026-11-25T10:00:00+09:00\",\n"
     "  \"action\": \"provide\",\n"
     "  \"purpose\": \"recruitment_selection\",\n"
     "  \"data\": [\n"
     "    \"name\",\n"
     "    \"contact\",\n"
     "    \"work_history\"\n"
     "  ],\n"
     "  \"service\": \"recruit_agent\",\n"
     "  \"recipient\": {\n"
     "    \"id\": \"participating_company\",\n"
     "    \"corporate_number\": \"9234567890123\",\n"
     "    \"country\": \"JP\"\n"
     "  },\n"
     "  \"form\": \"identified\",\n"
     "  \"basis\": \"policy\",\n"
     "  \"subject\": {\n"
     "    \"age\": 34,\n"
     "    \"applied_to\": [\n"
     "      \"9234567890123\"\n"
     "    ],\n"
     "    \"blocked_companies\": []\n"
     "  }\n"
     "}\n"},
    {"irp", "営業提案に氏名を含めた提供", "A sales proposal with names in it",
     "{\n"
     "  \"policy\": \"irp\",\n"
     "  \"action\": \"provide\",\n"
     "  \"purpose\": \"sales_proposal\",\n"
     "  \"data\": [\n"
     "    \"name\",\n"
     "    \"age\",\n"
     "    \"gender\",\n"
     "    \"work_history\"\n"
     "  ],\n"
     "  \"recipient\": {\n"
     "    \"id\": \"prospective_client\"\n"
     "  }\n"
     "}\n"},
    {"irp", "スカウトでブロックした企業への提供", "Provision to a company the person blocked in scouting",
     "{\n"
     "  \"policy\": \"irp\",\n"
     "  \"action\": \"provide\",\n"
     "  \"purpose\": \"scout_selection\",\n"
     "  \"data\": [\n"
     "    \"work_history\"\n"
     "  ],\n"
     "  \"service\": \"recruit_direct_scout\",\n"
     "  \"form\": \"deidentified\",\n"
     "  \"recipient\": {\n"
     "    \"id\": \"participating_company\",\n"
     "    \"corporate_number\": \"9234567890123\"\n"
     "  },\n"
     "  \"subject\": {\n"
     "    \"scout_service\": true,\n"
     "    \"blocked_companies\": [\n"
     "      \"9234567890123\"\n"
     "    ]\n"
     "  }\n"
     "}\n"},
    {"irp", "14歳・保護者の同意なしの利用", "Use for a 14-year-old without a guardian's agreement",
     "{\n"
     "  \"policy\": \"irp\",\n"
     "  \"action\": \"use\",\n"
     "  \"purpose\": \"ad_delivery\",\n"
     "  \"data\": [\n"
     "    \"email\"\n"
     "  ],\n"
     "  \"subject\": {\n"
     "    \"age\": 14\n"
     "  }\n"
     "}\n"},
    {"rcc", "本人確認のための利用", "Use for identity verification",
     "{\n"
     "  \"policy\": \"rcc\",\n"
     "  \"action\": \"use\",\n"
     "  \"purpose\": \"identity_verification\",\n"
     "  \"data\": [\n"
     "    \"name\",\n"
     "    \"identity_document\"\n"
     "  ]\n"
     "}\n"},
    {"rcc", "転職実績を氏名付きで公表", "Publishing career outcomes with names",
     "{\n"
     "  \"policy\": \"rcc\",\n"
     "  \"action\": \"use\",\n"
     "  \"purpose\": \"media_publication\",\n"
     "  \"data\": [\n"
     "    \"name\",\n"
     "    \"job_change_trend\"\n"
     "  ]\n"
     "}\n"},
    {"rea", "サービス運営のための利用", "Use to operate the service",
     "{\n"
     "  \"policy\": \"rea\",\n"
     "  \"action\": \"use\",\n"
     "  \"purpose\": \"service_operation\",\n"
     "  \"data\": [\n"
     "    \"name\",\n"
     "    \"email\"\n"
     "  ],\n"
     "  \"service\": \"paid_placement\"\n"
     "}\n"},
    {"rea", "説明なしに口コミを氏名付きで公開", "Publishing a review with the name, unexplained",
     "{\n"
     "  \"policy\": \"rea\",\n"
     "  \"action\": \"use\",\n"
     "  \"purpose\": \"review_publication\",\n"
     "  \"data\": [\n"
     "    \"name\",\n"
     "    \"review\"\n"
     "  ]\n"
     "}\n"},
    {"rmc", "サービス運営のための利用", "Use to operate the service",
     "{\n"
     "  \"policy\": \"rmc\",\n"
     "  \"at\": \"2026-11-25T10:00:00+09:00\",\n"
     "  \"action\": \"use\",\n"
     "  \"purpose\": \"service_operation\",\n"
     "  \"data\": [\n"
     "    \"name\",\n"
     "    \"email\"\n"
     "  ],\n"
     "  \"service\": \"paid_placement\"\n"
     "}\n"},
    {"rmc", "広告配信を停止した人へのメールマガジン", "A newsletter to a person who stopped ad delivery",
     "{\n"
     "  \"policy\": \"rmc\",\n"
     "  \"at\": \"2026-11-25T10:00:00+09:00\",\n"
     "  \"action\": \"use\",\n"
     "  \"purpose\": \"own_group_newsletter\",\n"
     "  \"data\": [\n"
     "    \"email\"\n"
     "  ],\n"
     "  \"subject\": {\n"
     "    \"opt_outs\": [\n"
     "      \"ad_delivery\"\n"
     "    ]\n"
     "  }\n"
     "}\n"},
    {"rkm", "サービス運営のための利用", "Use to operate the service",
     "{\n"
     "  \"policy\": \"rkm\",\n"
     "  \"at\": \"2025-06-01T10:00:00+09:00\",\n"
     "  \"action\": \"use\",\n"
     "  \"purpose\": \"service_operation\",\n"
     "  \"data\": [\n"
     "    \"name\",\n"
     "    \"email\"\n"
     "  ]\n"
     "}\n"},
    {"rkm", "広告配信を停止した人への広告配信", "Ads to a person who stopped ad delivery",
     "{\n"
     "  \"policy\": \"rkm\",\n"
     "  \"at\": \"2025-06-01T10:00:00+09:00\",\n"
     "  \"action\": \"use\",\n"
     "  \"purpose\": \"ad_delivery\",\n"
     "  \"data\": [\n"
     "    \"email\"\n"
     "  ],\n"
     "  \"subject\": {\n"
     "    \"opt_outs\": [\n"
     "      \"ad_delivery\"\n"
     "    ]\n"
     "  }\n"
     "}\n"},
};
/* clang-format on */
#define N_EXAMPLES (sizeof examples / sizeof examples[0])

/* The outcome of one request. */
struct explained {
    bool decided, allow;
    char *text, *json;          /* allocated: the text and JSON answers */
    struct hogo_error err;      /* when not decided */
};

/* Decides json under the operator's policy with the request's own facts, as `hogo check`
 * does without a store. */
static void decide(struct hogod_exchange *x, const char *json, const char *lang,
                   struct explained *e)
{
    struct hogod_policies *ps = hogod_policies_get(x->d);
    struct hogo_request *req = NULL;
    struct hogo_writer *w = NULL;
    const char *op = web_session(x)->operator_id;
    size_t len = strlen(json);
    size_t max = (size_t)x->d->cfg->max_request;
    int rc = hogo_request_new(&req) || hogo_writer_new(false, &w)
                 ? hogo_error_set(&e->err, HOGO_ENOMEM, NULL, "out of memory")
                 : hogo_request_parse(req, ps->vocab, json, len, max, &e->err);
    const struct hogo_policy *p = NULL;
    if (rc == 0 && strcmp(hogo_request_policy(req), op))
        rc = hogo_error_set(&e->err, HOGO_EINVAL, "/policy",
                  "policy '%s' is not this operator's; the explorer decides under the "
                  "operator's own policy",
                  hogo_request_policy(req));
    if (rc == 0 && !(p = hogod_policy_for(ps, op, req, &e->err)))
        rc = e->err.code ? e->err.code : HOGO_ENOTFOUND;
    if (rc == 0 && hogo_policy_vocab(p) != ps->vocab)
        rc = hogo_request_parse(req, hogo_policy_vocab(p), json, len, max, &e->err);
    if (rc == 0 && *hogo_request_subject_id(req))
        rc = hogo_error_set(&e->err, HOGO_EINVAL, "/subject_id",
                            "\"subject_id\" names stored facts, which the explorer never "
                            "reads (it decides without the store and records nothing); write "
                            "the facts in \"subject\" instead");
    struct hogo_decision d;
    if (rc == 0)
        rc = hogo_decide(p, req, &d, &e->err);
    if (rc == 0 && hogo_writer_set_language(w, lang))
        rc = hogo_writer_set_language(w, "ja");
    if (rc == 0) {
        const char *buf;
        size_t blen;
        hogo_writer_decision_text(w, p, req, &d);
        hogo_writer_buffer(w, &buf, &blen);
        e->text = strndup(buf, blen);
        hogo_writer_clear(w);
        hogo_writer_free(w);
        w = NULL;
        if (hogo_writer_new(true, &w) == 0) {
            hogo_writer_decision(w, p, req, &d);
            hogo_writer_buffer(w, &buf, &blen);
            e->json = strndup(buf, blen);
        }
        e->decided = e->text && e->json;
        e->allow = d.allow;
        if (!e->decided)
            hogo_error_set(&e->err, HOGO_ENOMEM, NULL, "out of memory");
    }
    hogo_writer_free(w);
    hogo_request_free(req);
    hogod_policies_release(ps);
}

static void page(struct hogod_exchange *x, const char *request, const char *lang,
                 long chosen, const struct explained *e)
{
    const char *op = web_session(x)->operator_id;
    struct web_buf b = {0};
    const char *title = web_l(x, "判定エクスプローラー", "Decision explorer");
    web_page_begin(x, &b, title, console_nav);
    web_raw(&b, "<h1>");
    web_text(&b, title);
    web_raw(&b, "</h1>\n<p>");
    web_text(&b, web_l(x,
                       "判定依頼（JSON）を書いて、どの条項によって許可・不許可になるかを確かめます。答えは hogo check --format text と同じです。依頼に書いた事実だけで判定し、保存された事実は読まず、何も記録しません。",
                       "Write a decision request (JSON) and see which clauses allow or deny it. "
                       "The answer is the one hogo check --format text gives. The request is "
                       "decided on the facts it carries: no stored fact is read and nothing "
                       "is recorded."));
    web_raw(&b, "</p>\n");
    /* the examples: a GET form, so that picking one changes nothing */
    web_raw(&b, "<form method=\"get\" action=\"/console/explorer\">\n<div><label for=\"example\">");
    web_text(&b, web_l(x, "例から選ぶ", "Start from an example"));
    web_raw(&b, "</label><select id=\"example\" name=\"example\">");
    for (size_t i = 0; i < N_EXAMPLES; i++) {
        if (strcmp(examples[i].policy, op))
            continue;
        web_rawf(&b, "<option value=\"%zu\"%s>", i, (long)i == chosen ? " selected" : "");
        web_text(&b, web_l(x, examples[i].ja, examples[i].en));
        web_raw(&b, "</option>");
    }
    web_raw(&b, "</select> <button type=\"submit\" class=\"secondary\">");
    web_text(&b, web_l(x, "この例を入れる", "Use this example"));
    web_raw(&b, "</button></div>\n</form>\n");
    /* the request */
    web_raw(&b, "<form method=\"post\" action=\"/console/explorer\">\n");
    web_csrf_field(x, &b);
    web_raw(&b, "<div><label for=\"request\">");
    web_text(&b, web_l(x, "判定依頼（JSON）", "Decision request (JSON)"));
    web_raw(&b, "</label><p class=\"muted\" id=\"request-hint\">");
    web_text(&b, web_l(x,
                       "docs/decision.md の形式。\"policy\" はこの事業者のポリシー、事実は \"subject\" に書きます。",
                       "The format of docs/decision.md. \"policy\" is this operator's policy; "
                       "the facts go in \"subject\"."));
    web_raw(&b, "</p><textarea id=\"request\" name=\"request\" rows=\"18\" cols=\"80\" "
                "spellcheck=\"false\" aria-describedby=\"request-hint\" class=\"code\">");
    web_text(&b, request);
    web_raw(&b, "</textarea></div>\n<div><label for=\"answer-lang\">");
    web_text(&b, web_l(x, "答えの言語", "Answer language"));
    web_raw(&b, "</label><select id=\"answer-lang\" name=\"answer_lang\">");
    web_rawf(&b, "<option value=\"ja\"%s>日本語</option>", strcmp(lang, "en") ? " selected" : "");
    web_rawf(&b, "<option value=\"en\"%s>English</option>", strcmp(lang, "en") ? "" : " selected");
    web_raw(&b, "</select></div>\n<p><button type=\"submit\">");
    web_text(&b, web_l(x, "判定する", "Decide"));
    web_raw(&b, "</button></p>\n</form>\n");
    int status = 200;
    if (e && e->decided) {
        web_raw(&b, "<section aria-labelledby=\"answer-h\">\n<h2 id=\"answer-h\">");
        web_text(&b, web_l(x, "答え", "Answer"));
        web_raw(&b, " ");
        web_rawf(&b, "<span class=\"badge %s\">", e->allow ? "ok" : "bad");
        web_text(&b, e->allow ? web_l(x, "許可", "allowed") : web_l(x, "不可", "denied"));
        web_raw(&b, "</span></h2>\n<pre class=\"answer\" id=\"answer-text\"");
        web_attr(&b, "lang", lang);
        web_raw(&b, ">");
        web_text(&b, e->text);
        web_raw(&b, "</pre>\n<details><summary>");
        web_text(&b, web_l(x, "JSON の答え", "The JSON answer"));
        web_raw(&b, "</summary><pre class=\"answer\" id=\"answer-json\">");
        web_text(&b, e->json);
        web_raw(&b, "</pre></details>\n</section>\n");
    } else if (e) {
        status = 400;
        web_raw(&b, "<section aria-labelledby=\"error-h\">\n<h2 id=\"error-h\">");
        web_text(&b, web_l(x, "判定できない依頼です", "The request cannot be decided"));
        web_raw(&b, "</h2>\n<div class=\"error-detail\" role=\"alert\"><p>");
        web_text(&b, web_l(x, "場所（JSON ポインタ）: ", "Where (JSON pointer): "));
        web_raw(&b, "<code id=\"error-where\">");
        web_text(&b, e->err.where[0] ? e->err.where : "/");
        web_raw(&b, "</code></p><p id=\"error-message\" lang=\"en\">");
        web_text(&b, e->err.message[0] ? e->err.message : hogo_strerror(e->err.code));
        web_raw(&b, "</p></div>\n</section>\n");
    }
    web_page_end_status(x, &b, status);
}

void console_page_explorer(struct hogod_exchange *x)
{
    const char *op = web_session(x)->operator_id;
    const char *pick = hogod_query(x, "example");
    const char *request = NULL;
    long chosen = -1;
    if (pick) {
        char *end = NULL;
        unsigned long i = strtoul(pick, &end, 10);
        if (end && !*end && i < N_EXAMPLES && !strcmp(examples[i].policy, op)) {
            request = examples[i].request;
            chosen = (long)i;
        }
    }
    if (!request)
        for (size_t i = 0; i < N_EXAMPLES && !request; i++)
            if (!strcmp(examples[i].policy, op))
                request = examples[i].request;
    char blank[160];
    if (!request) {
        snprintf(blank, sizeof blank,
                 "{\n  \"policy\": \"%s\",\n  \"action\": \"use\",\n  \"purpose\": \"\",\n"
                 "  \"data\": []\n}\n",
                 op);
        request = blank;
    }
    page(x, request, "ja", chosen, NULL);
}

void console_explorer_decide(struct hogod_exchange *x)
{
    const char *request = web_form(x, "request");
    const char *lang = web_form(x, "answer_lang");
    if (!lang || strcmp(lang, "en"))
        lang = "ja";
    struct explained e = {0};
    if (!request || !*request)
        hogo_error_set(&e.err, HOGO_EINVAL, "/",
                       "write a decision request (a JSON object) or pick an example");
    else
        decide(x, request, lang, &e);
    page(x, request ? request : "", lang, -1, &e);
    free(e.text);
    free(e.json);
}
