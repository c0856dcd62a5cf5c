/*
 * Leak incidents (漏えい等, APPI Art. 26, Rules Arts. 7-10): the incident record, the people
 * affected (from the store), whether it must be reported to the PPC, the deadlines of the
 * preliminary (速報) and final (確報) reports, the reports' nine items and the notice to each
 * person. Rights layer. Every step is an audit event naming the actor.
 * Reportability (Rules Art. 7): sensitive data; a risk of financial loss; a possible wrongful
 * act; more than 1,000 people. Data under high encryption (and its key safe) is outside Art. 7
 * whichever case applies: the Rule's text excludes it from "personal data" for the whole
 * article. Deadlines count the day any department learned of it as day 1 and move off
 * holidays (holidays.c): preliminary about 3-5 days (guidelines; target day 3, latest day 5),
 * final day 30, or day 60 when a wrongful act may be involved.
 */
#include "rights_int.h"

#include <yajl/yajl_tree.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define THRESHOLD 1000

struct breach {
    int found;
    char summary[1024], discovered[16], cause[1024], items[1024];
    int sensitive, encrypted, financial, wrongful;
    int64_t affected;
    int has_prelim, has_final;
    char *report_items; /* owned JSON or NULL */
};

static int take_breach(void *ctx, const struct hogo__val *c, size_t n)
{
    struct breach *b = ctx;
    if (n < 11)
        return 1;
    b->found = 1;
    snprintf(b->summary, sizeof b->summary, "%s", c[0].s);
    snprintf(b->discovered, sizeof b->discovered, "%s", c[1].s);
    snprintf(b->cause, sizeof b->cause, "%s", c[2].type == HOGO__TEXT ? c[2].s : "");
    snprintf(b->items, sizeof b->items, "%s", c[3].s);
    b->sensitive = c[4].i != 0;
    b->encrypted = c[5].i != 0;
    b->financial = c[6].i != 0;
    b->wrongful = c[7].i != 0;
    b->has_prelim = c[8].type == HOGO__INT;
    b->has_final = c[9].type == HOGO__INT;
    if (c[10].type == HOGO__TEXT && !(b->report_items = strdup(c[10].s)))
        return HOGO_ENOMEM;
    return 1;
}

static int load(struct hogo_store *st, const char *id, struct breach *b, struct hogo_error *err)
{
    memset(b, 0, sizeof *b);
    struct hogo__val p[] = {HV_TEXT(id)};
    int rc = hogo__query(st,
                         "SELECT summary, discovered, cause, items, sensitive, encrypted,"
                         " financial, wrongful, preliminary_at, final_at, report_items FROM"
                         " breaches WHERE breach_id = ?",
                         p, 1, take_breach, b, err);
    if (rc == HOGO_ENOMEM)
        rc = hogo_error_set(err, rc, NULL, "out of memory");
    if (rc == 0 && !b->found)
        rc = hogo_error_set(err, HOGO_ENOTFOUND, NULL, "incident '%s' not found", id);
    if (rc == 0)
        rc = hogo__query_int(st, "SELECT COUNT(*) FROM breach_subjects WHERE breach_id = ?", p,
                             1, &b->affected, NULL, err);
    return rc;
}

static int event(struct hogo_store *st, const char *subject, const char *action, const char *id,
                 const char *detail, struct hogo_error *err)
{
    char object[96];
    snprintf(object, sizeof object, "breach:%s", id);
    return hogo__audit_append(st, subject, action, object, detail, err);
}

static int text_ok(const char *s, const char *what, size_t max, struct hogo_error *err)
{
    if (s && strlen(s) > max)
        return hogo_error_set(err, HOGO_EINVAL, NULL, "%s is longer than %zu bytes", what, max);
    return 0;
}

int hogo_breach_open(struct hogo_store *st, const struct hogo_breach_open *o,
                     char id[HOGO_DSR_ID_BYTES], struct hogo_error *err)
{
    char check[11];
    if (!o->summary || !*o->summary)
        return hogo_error_set(err, HOGO_EINVAL, "/summary", "an incident needs a summary "
                              "(what happened, --summary)");
    int rc = text_ok(o->summary, "the summary", 1000, err);
    if (rc == 0)
        rc = text_ok(o->cause, "the cause", 1000, err);
    if (rc == 0 && hogo_deadline_day(o->discovered, 1, check, err) == HOGO_EINVAL)
        rc = hogo_error_set(err, HOGO_EINVAL, "/discovered",
                            "--discovered takes the day the incident became known, "
                            "YYYY-MM-DD, not '%s'",
                            o->discovered ? o->discovered : "");
    hogo_error_clear(err);
    if (rc < 0)
        return rc;
    char *items = NULL;
    char saved[128];
    rights_actor_set(st, o->actor, saved);
    rc = hogo__txn_begin(st, err);
    if (rc < 0) {
        rights_actor_restore(st, saved);
        return rc;
    }
    if (o->items && *o->items) { /* every category checked against the vocabulary */
        char *copy = strdup(o->items), *save = NULL;
        const char *list[64];
        size_t n = 0;
        if (!copy)
            rc = hogo_error_set(err, HOGO_ENOMEM, NULL, "out of memory");
        for (char *t = copy ? strtok_r(copy, ",", &save) : NULL; t && n < 64;
             t = strtok_r(NULL, ",", &save))
            list[n++] = t;
        if (rc == 0)
            rc = hogo__join_ids(st, "data_category", list, n, &items, err);
        free(copy);
    } else
        rc = hogo_error_set(err, HOGO_EINVAL, "/items",
                            "an incident names the data categories concerned (--items "
                            "name,email,...)");
    char bid[HOGO_DSR_ID_BYTES];
    rights_new_id("brc-", bid);
    if (rc == 0 && o->operator_id)
        rc = hogo__check_vocab(st, "policy", o->operator_id, err);
    struct hogo__val p[] = {HV_TEXT(bid),          HV_TEXT(o->summary), HV_TEXT(o->discovered),
                            HV_TEXT(o->cause),     HV_TEXT(items),      HV_INT(!!o->sensitive),
                            HV_INT(!!o->encrypted), HV_INT(!!o->financial),
                            HV_INT(!!o->wrongful), HV_INT(hogo__now_us(st)),
                            HV_TEXT(o->operator_id)};
    if (rc == 0)
        rc = hogo__exec(st,
                        "INSERT INTO breaches (breach_id, summary, discovered, cause, items,"
                        " sensitive, encrypted, financial, wrongful, created_at, operator)"
                        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        p, 11, NULL, err);
    if (rc == 0) {
        char detail[256];
        snprintf(detail, sizeof detail,
                 "{\"actor\":\"%s\",\"discovered\":\"%s\",\"sensitive\":%d,\"encrypted\":%d,"
                 "\"financial\":%d,\"wrongful\":%d}",
                 st->actor, o->discovered, !!o->sensitive, !!o->encrypted, !!o->financial,
                 !!o->wrongful);
        rc = event(st, NULL, "breach.open", bid, detail, err);
    }
    free(items);
    rc = hogo__txn_end(st, rc, err);
    rights_actor_restore(st, saved);
    if (rc == 0)
        memcpy(id, bid, HOGO_DSR_ID_BYTES);
    return rc;
}

int hogo_breach_add_affected(struct hogo_store *st, const char *id, const char *subject_id,
                             const char *category, const char *operator_id, int64_t *added,
                             const char *actor, struct hogo_error *err)
{
    if (!!subject_id == !!category)
        return hogo_error_set(err, HOGO_EINVAL, NULL,
                              "name the affected people either one subject at a time or by "
                              "the data category they hold, not both or neither");
    char saved[128];
    struct breach b;
    int64_t n = 0;
    rights_actor_set(st, actor, saved);
    int rc = hogo__txn_begin(st, err);
    if (rc == 0)
        rc = load(st, id, &b, err);
    free(b.report_items);
    char bop[64] = "";
    if (rc == 0)
        rc = hogo_breach_operator(st, id, bop, err);
    if (rc == 0 && bop[0] && operator_id && strcmp(bop, operator_id))
        rc = hogo_error_set(err, HOGO_EINVAL, NULL,
                            "incident %s concerns operator '%s', not '%s'", id, bop,
                            operator_id);
    if (rc == 0 && bop[0])
        operator_id = bop; /* an operator's incident affects only its people */
    if (rc == 0 && subject_id) {
        struct hogo__val p[] = {HV_TEXT(id), HV_TEXT(subject_id), HV_TEXT(operator_id),
                                HV_TEXT(operator_id)};
        rc = hogo__exec(st,
                        "INSERT INTO breach_subjects (breach_id, subject_id) SELECT ?, subject_id"
                        " FROM subjects WHERE subject_id = ? AND (? IS NULL OR operator = ?)"
                        " ON CONFLICT DO NOTHING",
                        p, 4, &n, err);
        int64_t known = 0;
        struct hogo__val q[] = {HV_TEXT(subject_id), HV_TEXT(operator_id), HV_TEXT(operator_id)};
        if (rc == 0)
            rc = hogo__query_int(st,
                                 "SELECT COUNT(*) FROM subjects WHERE subject_id = ? AND (? IS"
                                 " NULL OR operator = ?)",
                                 q, 3, &known, NULL, err);
        if (rc == 0 && !known)
            rc = hogo_error_set(err, HOGO_ENOTFOUND, NULL, "subject '%s' not found",
                                subject_id);
    } else if (rc == 0) {
        rc = hogo__check_vocab(st, "data_category", category, err);
        struct hogo__val p[] = {HV_TEXT(id), HV_TEXT(category), HV_TEXT(operator_id),
                                HV_TEXT(operator_id)};
        if (rc == 0)
            rc = hogo__exec(st,
                            "INSERT INTO breach_subjects (breach_id, subject_id) SELECT DISTINCT"
                            " ?, d.subject_id FROM data_items d JOIN subjects s ON s.subject_id"
                            " = d.subject_id WHERE d.category = ? AND (? IS NULL OR s.operator"
                            " = ?) ON CONFLICT DO NOTHING",
                            p, 4, &n, err);
    }
    if (rc == 0) {
        char detail[256];
        snprintf(detail, sizeof detail, "{\"actor\":\"%s\",\"added\":%lld,\"by\":\"%s\"}",
                 st->actor, (long long)n, subject_id ? "subject" : "category");
        rc = event(st, subject_id, "breach.affected", id, detail, err);
    }
    rc = hogo__txn_end(st, rc, err);
    rights_actor_restore(st, saved);
    if (rc == 0 && added)
        *added = n;
    return rc;
}

/* The assessment as stored and as JSON into g. */
static int assess(struct hogo_store *st, const char *id, const struct breach *b, yajl_gen g,
                  struct hogo_error *err)
{
    int protected_ = b->encrypted;
    int sens = b->sensitive && !protected_, fin = b->financial && !protected_,
        wrong = b->wrongful && !protected_, many = b->affected > THRESHOLD && !protected_;
    int reportable = sens || fin || wrong || many;
    char grounds[256] = "";
    if (sens)
        strcat(grounds, "sensitive_data(R7(i)) ");
    if (fin)
        strcat(grounds, "financial_harm(R7(ii)) ");
    if (wrong)
        strcat(grounds, "wrongful_act(R7(iii)) ");
    if (many)
        strcat(grounds, "over_1000_persons(R7(iv)) ");
    if (grounds[0])
        grounds[strlen(grounds) - 1] = '\0';
    char target[11] = "", pdue[11] = "", fdue[11] = "";
    int rc = 0;
    if (reportable) {
        rc = hogo_deadline_day(b->discovered, 3, target, err);
        if (rc == 0)
            rc = hogo_deadline_day(b->discovered, 5, pdue, err);
        if (rc == 0)
            rc = hogo_deadline_day(b->discovered, wrong ? 60 : 30, fdue, err);
    }
    struct hogo__val p[] = {HV_INT(reportable), HV_TEXT(grounds), HV_INT(b->affected),
                            HV_TEXT(pdue[0] ? pdue : NULL), HV_TEXT(fdue[0] ? fdue : NULL),
                            HV_TEXT(id)};
    if (rc == 0)
        rc = hogo__exec(st,
                        "UPDATE breaches SET reportable = ?, grounds = ?, affected = ?,"
                        " preliminary_due = ?, final_due = ? WHERE breach_id = ?",
                        p, 6, NULL, err);
    if (rc < 0)
        return rc;
    hogo__gen_kv_str(g, "breach_id", id);
    hogo__gen_kv_str(g, "discovered", b->discovered);
    hogo__gen_kv_int(g, "affected", b->affected);
    hogo__gen_str(g, "reportable");
    yajl_gen_bool(g, reportable);
    hogo__gen_str(g, "grounds");
    yajl_gen_array_open(g);
    if (sens)
        hogo__gen_str(g, "sensitive_data");
    if (fin)
        hogo__gen_str(g, "financial_harm");
    if (wrong)
        hogo__gen_str(g, "wrongful_act");
    if (many)
        hogo__gen_str(g, "over_1000_persons");
    yajl_gen_array_close(g);
    if (protected_)
        hogo__gen_kv_str(g, "not_reportable_because",
                         "high encryption (Rules Art. 7: data so protected is excluded)");
    hogo__gen_kv_str(g, "preliminary_target", target[0] ? target : NULL);
    hogo__gen_kv_str(g, "preliminary_due", pdue[0] ? pdue : NULL);
    hogo__gen_kv_str(g, "final_due", fdue[0] ? fdue : NULL);
    hogo__gen_kv_int(g, "final_days", reportable ? (wrong ? 60 : 30) : 0);
    hogo__gen_kv_str(g, "counting", "the day of learning is day 1; a deadline on a weekend, "
                                    "national holiday or 12/29-1/3 moves to the next working "
                                    "day");
    return 0;
}

int hogo_breach_assess(struct hogo_store *st, const char *id, const char *actor, char **json,
                       struct hogo_error *err)
{
    *json = NULL;
    char saved[128];
    struct breach b;
    yajl_gen g = yajl_gen_alloc(NULL);
    if (!g)
        return hogo_error_set(err, HOGO_ENOMEM, NULL, "out of memory");
    rights_actor_set(st, actor, saved);
    int rc = hogo__txn_begin(st, err);
    if (rc < 0) {
        yajl_gen_free(g);
        rights_actor_restore(st, saved);
        return rc;
    }
    rc = load(st, id, &b, err);
    free(b.report_items);
    yajl_gen_map_open(g);
    if (rc == 0)
        rc = assess(st, id, &b, g, err);
    yajl_gen_map_close(g);
    char *out = NULL;
    if (rc == 0)
        rc = hogo__gen_take(g, &out, err);
    if (rc == 0) {
        char *detail = malloc(strlen(out) + strlen(st->actor) + 32);
        if (!detail)
            rc = hogo_error_set(err, HOGO_ENOMEM, NULL, "out of memory");
        else {
            sprintf(detail, "{\"actor\":\"%s\",\"assessment\":%s}", st->actor, out);
            rc = event(st, NULL, "breach.assess", id, detail, err);
            free(detail);
        }
    }
    rc = hogo__txn_end(st, rc, err);
    rights_actor_restore(st, saved);
    yajl_gen_free(g);
    if (rc == 0)
        *json = out;
    else
        free(out);
    return rc;
}

/* ---- reports ---- */

static const char *const fact_keys[] = {"cause", "secondary_harm", "response", "publication",
                                        "prevention", "other"};
enum { N_REPORT_FACTS = sizeof fact_keys / sizeof *fact_keys };

static const char *stored_fact(yajl_val t, const char *k)
{
    const char *path[] = {k, NULL};
    yajl_val v = t ? yajl_tree_get(t, path, yajl_t_string) : NULL;
    return v ? YAJL_GET_STRING(v) : NULL;
}

int hogo_breach_report(struct hogo_store *st, const char *id, const char *stage,
                       const struct hogo_breach_facts *facts, const char *actor, char **json,
                       struct hogo_error *err)
{
    *json = NULL;
    int final = stage && !strcmp(stage, "final");
    if (!stage || (!final && strcmp(stage, "preliminary")))
        return hogo_error_set(err, HOGO_EINVAL, "/stage",
                              "stage '%s' is neither 'preliminary' (速報) nor 'final' (確報)",
                              stage ? stage : "");
    static const struct hogo_breach_facts none;
    if (!facts)
        facts = &none;
    const char *given[] = {facts->cause,      facts->secondary_harm, facts->response,
                           facts->publication, facts->prevention,    facts->other};
    _Static_assert(sizeof given / sizeof *given == N_REPORT_FACTS, "a value per report fact");
    for (int i = 0; i < N_REPORT_FACTS; i++)
        if (text_ok(given[i], fact_keys[i], 2000, err) < 0)
            return HOGO_EINVAL;
    char saved[128];
    struct breach b;
    yajl_gen g = yajl_gen_alloc(NULL), ig = yajl_gen_alloc(NULL);
    if (!g || !ig) {
        yajl_gen_free(g);
        yajl_gen_free(ig);
        return hogo_error_set(err, HOGO_ENOMEM, NULL, "out of memory");
    }
    rights_actor_set(st, actor, saved);
    int rc = hogo__txn_begin(st, err);
    if (rc < 0)
        goto done;
    rc = load(st, id, &b, err);
    yajl_val t = rc == 0 && b.report_items ? yajl_tree_parse(b.report_items, NULL, 0) : NULL;
    const char *now_facts[N_REPORT_FACTS];
    for (int i = 0; i < N_REPORT_FACTS; i++) {
        now_facts[i] = given[i] && *given[i] ? given[i] : stored_fact(t, fact_keys[i]);
        if (i == 0 && !now_facts[0] && b.cause[0])
            now_facts[0] = b.cause;
    }
    if (rc == 0 && final)
        for (int i = 0; i < N_REPORT_FACTS && rc == 0; i++)
            if (!now_facts[i] || !*now_facts[i]) {
                char opt[32];
                snprintf(opt, sizeof opt, "%s", fact_keys[i]);
                for (char *u = opt; *u; u++)
                    if (*u == '_')
                        *u = '-';
                rc = hogo_error_set(err, HOGO_EINVAL, NULL,
                                    "a final report (確報) states every item of Rules Art. 8(1);"
                                    " '%s' is missing: give it with --%s",
                                    fact_keys[i], opt);
            }
    char *items_json = NULL;
    yajl_gen_map_open(ig);
    for (int i = 0; i < N_REPORT_FACTS; i++)
        if (now_facts[i])
            hogo__gen_kv_str(ig, fact_keys[i], now_facts[i]);
    yajl_gen_map_close(ig);
    if (rc == 0)
        rc = hogo__gen_take(ig, &items_json, err);
    yajl_gen_map_open(g);
    hogo__gen_kv_str(g, "stage", final ? "final" : "preliminary");
    hogo__gen_kv_str(g, "stage_ja", final ? "確報" : "速報");
    hogo__gen_kv_str(g, "to", "個人情報保護委員会");
    if (rc == 0)
        rc = assess(st, id, &b, g, err);
    hogo__gen_str(g, "items"); /* Rules Art. 8(1)(i)-(ix) */
    yajl_gen_map_open(g);
    const char *pending = final ? NULL : "調査中";
    hogo__gen_kv_str(g, "1_summary", b.summary);
    hogo__gen_kv_str(g, "2_data_items", b.items);
    hogo__gen_kv_int(g, "3_persons", b.affected);
    hogo__gen_kv_str(g, "4_cause", now_facts[0] ? now_facts[0] : pending);
    hogo__gen_kv_str(g, "5_secondary_harm", now_facts[1] ? now_facts[1] : pending);
    hogo__gen_kv_str(g, "6_response_to_persons", now_facts[2] ? now_facts[2] : pending);
    hogo__gen_kv_str(g, "7_publication", now_facts[3] ? now_facts[3] : pending);
    hogo__gen_kv_str(g, "8_prevention", now_facts[4] ? now_facts[4] : pending);
    hogo__gen_kv_str(g, "9_other", now_facts[5] ? now_facts[5] : pending);
    yajl_gen_map_close(g);
    yajl_gen_map_close(g);
    yajl_tree_free(t);
    free(b.report_items);
    char *out = NULL;
    if (rc == 0)
        rc = hogo__gen_take(g, &out, err);
    struct hogo__val p[] = {HV_TEXT(items_json), HV_INT(hogo__now_us(st)), HV_TEXT(id)};
    if (rc == 0)
        rc = hogo__exec(st,
                        final ? "UPDATE breaches SET report_items = ?, final_at = ? WHERE "
                                "breach_id = ?"
                              : "UPDATE breaches SET report_items = ?, preliminary_at = ? WHERE "
                                "breach_id = ?",
                        p, 3, NULL, err);
    if (rc == 0) {
        char *detail = malloc(strlen(out) + strlen(st->actor) + 32);
        if (!detail)
            rc = hogo_error_set(err, HOGO_ENOMEM, NULL, "out of memory");
        else {
            sprintf(detail, "{\"actor\":\"%s\",\"report\":%s}", st->actor, out);
            rc = event(st, NULL, final ? "breach.report_final" : "breach.report_preliminary",
                       id, detail, err);
            free(detail);
        }
    }
    free(items_json);
    rc = hogo__txn_end(st, rc, err);
    if (rc == 0)
        *json = out;
    else
        free(out);
done:
    rights_actor_restore(st, saved);
    yajl_gen_free(g);
    yajl_gen_free(ig);
    return rc;
}

/* ---- notices to persons (Rules Art. 10) ---- */

struct notify_ctx {
    FILE *out;
    const char *text; /* the notice, the same for everyone */
    int64_t n;
    char **ids;       /* a page of subject ids, for their audit events */
    size_t nids;
};

static int row_subject(void *ctx, const struct hogo__val *c, size_t n)
{
    struct notify_ctx *x = ctx;
    if (n < 1 || c[0].type != HOGO__TEXT)
        return 1;
    if (!(x->ids[x->nids++] = strdup(c[0].s)))
        return HOGO_ENOMEM;
    return 0;
}

int hogo_breach_notices(struct hogo_store *st, const char *id, FILE *out, const char *actor,
                        struct hogo_error *err)
{
    char saved[128];
    struct breach b;
    rights_actor_set(st, actor, saved);
    int rc = hogo__txn_begin(st, err);
    if (rc < 0) {
        rights_actor_restore(st, saved);
        return rc;
    }
    rc = load(st, id, &b, err);
    yajl_val t = rc == 0 && b.report_items ? yajl_tree_parse(b.report_items, NULL, 0) : NULL;
    const char *cause = stored_fact(t, "cause");
    const char *harm = stored_fact(t, "secondary_harm");
    const char *other = stored_fact(t, "other");
    char *text = NULL;
    if (rc == 0) {
        size_t cap = 8192;
        text = malloc(cap);
        if (!text)
            rc = hogo_error_set(err, HOGO_ENOMEM, NULL, "out of memory");
        else
            snprintf(text, cap,
                     "個人データの漏えい等に関するお知らせ\n\n"
                     "このたび、お客様の個人データについて漏えい等が発生し、又は発生したおそれが"
                     "あることが判明しました（%s 判明）。深くお詫び申し上げます。個人情報保護法第"
                     "26条第2項に基づき、次のとおりお知らせします。\n\n"
                     "1. 概要: %s\n2. 漏えい等が発生し、又は発生したおそれがある個人データの項目:"
                     " %s\n3. 原因: %s\n4. 二次被害又はそのおそれの有無及びその内容: %s\n"
                     "5. その他参考となる事項: %s\n\n"
                     "お問い合わせは、プライバシーポリシーに記載の個人情報に関する問合せ先までご連"
                     "絡ください。\n",
                     b.discovered, b.summary, b.items,
                     cause ? cause : (b.cause[0] ? b.cause : "調査中"), harm ? harm : "調査中",
                     other ? other : "なし");
    }
    yajl_tree_free(t);
    free(b.report_items);
    /* one line per person, in pages of subject ids (memory stays flat), each an audit event
     * on the person's own trail */
    char *page[1000];
    struct notify_ctx x = {out, text, 0, page, 0};
    char after[160] = "";
    for (;;) {
        if (rc < 0)
            break;
        x.nids = 0;
        struct hogo__val p[] = {HV_TEXT(id), HV_TEXT(after)};
        rc = hogo__query(st,
                         "SELECT subject_id FROM breach_subjects WHERE breach_id = ? AND "
                         "subject_id > ? ORDER BY subject_id LIMIT 1000",
                         p, 2, row_subject, &x, err);
        if (rc == HOGO_ENOMEM)
            rc = hogo_error_set(err, rc, NULL, "out of memory");
        for (size_t i = 0; i < x.nids; i++) {
            if (rc == 0) {
                yajl_gen g = yajl_gen_alloc(NULL);
                const unsigned char *buf;
                size_t len;
                yajl_gen_map_open(g);
                hogo__gen_kv_str(g, "subject_id", x.ids[i]);
                hogo__gen_kv_str(g, "breach_id", id);
                hogo__gen_kv_str(g, "notice", text);
                yajl_gen_map_close(g);
                yajl_gen_get_buf(g, &buf, &len);
                if (fwrite(buf, 1, len, out) != len || fputc('\n', out) == EOF)
                    rc = hogo_error_set(err, HOGO_EIO, NULL, "writing the notices failed");
                yajl_gen_free(g);
                if (rc == 0)
                    rc = event(st, x.ids[i], "breach.notify", id, "{\"rule\":\"R10\"}", err);
                x.n++;
            }
            if (i + 1 == x.nids)
                snprintf(after, sizeof after, "%s", x.ids[i]);
            free(x.ids[i]);
        }
        if (x.nids < 1000)
            break;
    }
    struct hogo__val u[] = {HV_INT(hogo__now_us(st)), HV_TEXT(id)};
    if (rc == 0)
        rc = hogo__exec(st, "UPDATE breaches SET notified_at = ? WHERE breach_id = ?", u, 2,
                        NULL, err);
    if (rc == 0) {
        char detail[160];
        snprintf(detail, sizeof detail, "{\"actor\":\"%s\",\"notices\":%lld}", st->actor,
                 (long long)x.n);
        rc = event(st, NULL, "breach.notify_all", id, detail, err);
    }
    free(text);
    rc = hogo__txn_end(st, rc, err);
    rights_actor_restore(st, saved);
    return rc;
}

int hogo_breach_operator(struct hogo_store *st, const char *id, char op[64],
                         struct hogo_error *err)
{
    struct hogo__val p[] = {HV_TEXT(id)};
    int64_t n = 0;
    char *v = NULL;
    int rc = hogo__query_int(st, "SELECT COUNT(*) FROM breaches WHERE breach_id = ?", p, 1, &n,
                             NULL, err);
    if (rc == 0 && !n)
        rc = hogo_error_set(err, HOGO_ENOTFOUND, NULL, "incident '%s' not found", id);
    if (rc == 0)
        rc = hogo__query_text(st, "SELECT operator FROM breaches WHERE breach_id = ?", p, 1, &v,
                              err);
    if (rc == 0)
        snprintf(op, 64, "%s", v ? v : "");
    free(v);
    return rc;
}

static int row_show(void *ctx, const struct hogo__val *c, size_t n)
{
    yajl_gen g = ctx;
    static const char *const names[] = {"breach_id", "operator", "summary", "discovered",
                                        "cause", "items",
                                        "sensitive", "encrypted", "financial", "wrongful",
                                        "reportable", "grounds", "affected", "preliminary_due",
                                        "final_due", "preliminary_at", "final_at",
                                        "notified_at", "report_items"};
    if (n < 19)
        return 1;
    yajl_gen_map_open(g);
    for (size_t i = 0; i < 19; i++) {
        hogo__gen_str(g, names[i]);
        if (c[i].type == HOGO__NULL)
            yajl_gen_null(g);
        else if (i >= 15 && i <= 17) {
            char t[32];
            hogo__fmt_time(c[i].i, t);
            hogo__gen_str(g, t);
        } else if (i >= 6 && i <= 10)
            yajl_gen_bool(g, c[i].i != 0);
        else if (c[i].type == HOGO__INT)
            yajl_gen_integer(g, c[i].i);
        else if (i == 18)
            yajl_gen_number(g, c[i].s, strlen(c[i].s));
        else
            hogo__gen_str(g, c[i].s);
    }
    yajl_gen_map_close(g);
    return 1;
}

int hogo_breach_show_json(struct hogo_store *st, const char *id, char **json,
                          struct hogo_error *err)
{
    *json = NULL;
    yajl_gen g = yajl_gen_alloc(NULL);
    if (!g)
        return hogo_error_set(err, HOGO_ENOMEM, NULL, "out of memory");
    struct hogo__val p[] = {HV_TEXT(id)};
    int rc = hogo__txn_begin(st, err);
    if (rc == 0)
        rc = hogo__query(st,
                         "SELECT b.breach_id, operator, summary, discovered, cause, items,"
                         " sensitive,"
                         " encrypted, financial, wrongful, reportable, grounds,"
                         " (SELECT COUNT(*) FROM breach_subjects s WHERE s.breach_id ="
                         " b.breach_id), preliminary_due, final_due, preliminary_at, final_at,"
                         " notified_at, report_items FROM breaches b WHERE b.breach_id = ?",
                         p, 1, row_show, g, err);
    const unsigned char *buf;
    size_t len = 0;
    yajl_gen_get_buf(g, &buf, &len);
    if (rc == 0 && len == 0)
        rc = hogo_error_set(err, HOGO_ENOTFOUND, NULL, "incident '%s' not found", id);
    return hogo__gen_end_read(st, g, rc, json, err);
}

/* row_show for every row of a list (row_show stops after the first). */
static int row_list(void *ctx, const struct hogo__val *c, size_t n)
{
    row_show(ctx, c, n);
    return 0;
}

int hogo_breach_list_json(struct hogo_store *st, const char *operator_id, char **json,
                          struct hogo_error *err)
{
    *json = NULL;
    yajl_gen g = yajl_gen_alloc(NULL);
    if (!g)
        return hogo_error_set(err, HOGO_ENOMEM, NULL, "out of memory");
    yajl_gen_array_open(g);
    struct hogo__val p[] = {HV_TEXT(operator_id ? operator_id : ""),
                            HV_TEXT(operator_id ? operator_id : "")};
    int rc = hogo__txn_begin(st, err);
    /* open incidents (no final report yet) first, the nearest deadline first */
    if (rc == 0)
        rc = hogo__query(st,
                         "SELECT b.breach_id, operator, summary, discovered, cause, items,"
                         " sensitive,"
                         " encrypted, financial, wrongful, reportable, grounds,"
                         " (SELECT COUNT(*) FROM breach_subjects s WHERE s.breach_id ="
                         " b.breach_id), preliminary_due, final_due, preliminary_at, final_at,"
                         " notified_at, report_items FROM breaches b"
                         " WHERE operator = ? OR ? = ''"
                         " ORDER BY CASE WHEN final_at IS NULL THEN 0 ELSE 1 END,"
                         " COALESCE(preliminary_due, final_due, discovered), discovered,"
                         " b.breach_id",
                         p, 2, row_list, g, err);
    if (rc == 0)
        yajl_gen_array_close(g);
    return hogo__gen_end_read(st, g, rc, json, err);
}
