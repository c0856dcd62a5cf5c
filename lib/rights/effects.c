/*
 * What a completed rights request does, made in the completion's transaction so that the
 * state "completed" and its effect are stored together or not at all. Rights layer.
 *  - suspension / cessation: the stored subject facts suspended / provision_stopped, which
 *    every decision on stored facts reads (the policy's rights clause then denies), and a
 *    rights_effects row naming the request;
 *  - erasure: the person's key destroyed and their data deleted (hogo_subject_erase); the
 *    provision and receipt records the law requires are kept, holding no data values;
 *  - correction: a new item holds the new value; the old one moves to data_item_history,
 *    still sealed under the person's key, and the audit trail links the two;
 *  - deletion: the items named are deleted;
 *  - disclosure / provision_records: the package is written (disclose.c);
 *  - purpose_notice: the purposes of the policy's purpose clauses, from the policy file.
 * Each returns the kind's paragraph of the Japanese notice.
 */
#include "rights_int.h"

#include "policy/policy_int.h"

#include <yajl/yajl_tree.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int nomem(struct hogo_error *err)
{
    return hogo_error_set(err, HOGO_ENOMEM, NULL, "out of memory");
}

/* The request's detail: "item" (an id) and "category", either may be absent. */
static int read_detail(const struct rights_request *r, int64_t *item, char category[65],
                       struct hogo_error *err)
{
    *item = 0;
    category[0] = '\0';
    if (!r->detail)
        return 0;
    char ebuf[128];
    yajl_val t = yajl_tree_parse(r->detail, ebuf, sizeof ebuf);
    if (!t || !YAJL_IS_OBJECT(t)) {
        yajl_tree_free(t);
        return hogo_error_set(err, HOGO_EINVAL, "/detail", "request %s: its detail is not a "
                              "JSON object", r->id);
    }
    const char *pi[] = {"item", NULL}, *pc[] = {"category", NULL};
    yajl_val vi = yajl_tree_get(t, pi, yajl_t_number);
    yajl_val vc = yajl_tree_get(t, pc, yajl_t_string);
    if (vi && YAJL_IS_INTEGER(vi))
        *item = YAJL_GET_INTEGER(vi);
    if (vc)
        snprintf(category, 65, "%s", YAJL_GET_STRING(vc));
    yajl_tree_free(t);
    return 0;
}

static int set_effect(struct hogo_store *st, const struct rights_request *r, const char *fact,
                      struct hogo_error *err)
{
    int rc = hogo_subject_set_fact(st, r->subject, fact, "true", err);
    struct hogo__val p[] = {HV_TEXT(r->subject), HV_TEXT(fact), HV_TEXT(r->id),
                            HV_INT(hogo__now_us(st))};
    if (rc == 0)
        rc = hogo__exec(st,
                        "INSERT INTO rights_effects (subject_id, effect, request_id, at) VALUES "
                        "(?, ?, ?, ?) ON CONFLICT (subject_id, effect) DO UPDATE SET "
                        "request_id = excluded.request_id, at = excluded.at",
                        p, 4, NULL, err);
    return rc;
}

static int effect_event(struct hogo_store *st, const struct rights_request *r, const char *what,
                        const char *detail, struct hogo_error *err)
{
    char object[160];
    snprintf(object, sizeof object, "request:%s kind:%s effect:%s", r->id, r->kind, what);
    return hogo__audit_append(st, r->subject, "dsr.effect", object, detail, err);
}

struct item_meta {
    int found;
    char category[65], channel[32], source[256], service[65], context[256], version[32];
};

static int take_meta(void *ctx, const struct hogo__val *c, size_t n)
{
    struct item_meta *m = ctx;
    if (n < 6)
        return 1;
    m->found = 1;
    snprintf(m->category, sizeof m->category, "%s", c[0].s ? c[0].s : "");
    snprintf(m->channel, sizeof m->channel, "%s", c[1].s ? c[1].s : "direct");
    snprintf(m->source, sizeof m->source, "%s", c[2].type == HOGO__TEXT ? c[2].s : "");
    snprintf(m->service, sizeof m->service, "%s", c[3].type == HOGO__TEXT ? c[3].s : "");
    snprintf(m->context, sizeof m->context, "%s", c[4].type == HOGO__TEXT ? c[4].s : "");
    snprintf(m->version, sizeof m->version, "%s", c[5].type == HOGO__TEXT ? c[5].s : "");
    return 1;
}

static int correct(struct hogo_store *st, const struct rights_request *r,
                   const struct hogo_dsr_complete *c, char **para, struct hogo_error *err)
{
    int64_t item = 0, new_id = 0;
    char category[65], detail[256];
    int rc = read_detail(r, &item, category, err);
    if (rc < 0)
        return rc;
    if (!c->value)
        return hogo_error_set(err, HOGO_EINVAL, "/value",
                              "a correction needs the new value (--value); it is sealed like "
                              "any data item and never kept in the request");
    if (!item && !category[0])
        return hogo_error_set(err, HOGO_EINVAL, "/detail",
                              "request %s names neither the item to correct ({\"item\":N}) "
                              "nor the category to add to ({\"category\":\"...\"})",
                              r->id);
    if (!item) { /* an addition (追加) */
        struct hogo_provenance prov = {.channel = "direct",
                                       .context = "added at the person's request"};
        rc = hogo_data_put(st, r->subject, category, c->value, strlen(c->value), &prov,
                           &new_id, err);
        snprintf(detail, sizeof detail, "{\"added\":%lld,\"category\":\"%s\"}",
                 (long long)new_id, category);
        if (rc == 0)
            rc = effect_event(st, r, "addition", detail, err);
        if (rc == 0 && rights_append(para, "ご請求のとおり、内容を追加しました（個人情報保護法"
                                           "第34条）。\n"))
            rc = nomem(err);
        return rc;
    }
    struct item_meta m = {0};
    struct hogo__val p[] = {HV_TEXT(r->subject), HV_INT(item)};
    rc = hogo__query(st,
                     "SELECT category, channel, source, service, context, policy_version FROM "
                     "data_items WHERE subject_id = ? AND item_id = ?",
                     p, 2, take_meta, &m, err);
    if (rc == 0 && !m.found)
        rc = hogo_error_set(err, HOGO_ENOTFOUND, "/detail/item",
                            "subject '%s' has no data item %lld ('hogo data list %s')",
                            r->subject, (long long)item, r->subject);
    if (rc < 0)
        return rc;
    char ctx[320];
    snprintf(ctx, sizeof ctx, "corrected at the person's request %s (was item %lld)", r->id,
             (long long)item);
    struct hogo_provenance prov = {.channel = m.channel,
                                   .source = m.source[0] ? m.source : NULL,
                                   .service = m.service[0] ? m.service : NULL,
                                   .context = ctx,
                                   .policy_version = m.version[0] ? m.version : NULL};
    rc = hogo_data_put(st, r->subject, m.category, c->value, strlen(c->value), &prov, &new_id,
                       err);
    /* the old version stays, sealed under the person's key, linked from the audit trail */
    struct hogo__val h[] = {HV_INT(new_id), HV_INT(hogo__now_us(st)), HV_TEXT(r->id),
                            HV_TEXT(r->subject), HV_INT(item)};
    if (rc == 0)
        rc = hogo__exec(st,
                        "INSERT INTO data_item_history (subject_id, item_id, category, value,"
                        " channel, source, service, context, policy_version, acquired_at,"
                        " replaced_by, replaced_at, request_id) SELECT subject_id, item_id,"
                        " category, value, channel, source, service, context, policy_version,"
                        " acquired_at, ?, ?, ? FROM data_items WHERE subject_id = ? AND"
                        " item_id = ?",
                        h, 5, NULL, err);
    if (rc == 0)
        rc = hogo_data_delete(st, r->subject, item, err);
    snprintf(detail, sizeof detail,
             "{\"old_item\":%lld,\"new_item\":%lld,\"category\":\"%s\",\"old_kept\":"
             "\"data_item_history, sealed\"}",
             (long long)item, (long long)new_id, m.category);
    if (rc == 0)
        rc = effect_event(st, r, "correction", detail, err);
    if (rc == 0 && rights_append(para, "ご請求のとおり、内容を訂正しました（個人情報保護法第34"
                                       "条）。訂正前の内容は、お客様の暗号鍵で封をしたまま履歴とし"
                                       "て保存し、訂正の記録を監査記録に残しています。\n"))
        rc = nomem(err);
    return rc;
}

static int delete_items(struct hogo_store *st, const struct rights_request *r, char **para,
                        struct hogo_error *err)
{
    int64_t item = 0, n = 0;
    char category[65], detail[160];
    int rc = read_detail(r, &item, category, err);
    if (rc < 0)
        return rc;
    if (item) {
        rc = hogo_data_delete(st, r->subject, item, err);
        n = 1;
    } else if (category[0]) {
        struct hogo__val p[] = {HV_TEXT(r->subject), HV_TEXT(category)};
        rc = hogo__exec(st, "DELETE FROM data_items WHERE subject_id = ? AND category = ?", p,
                        2, &n, err);
    } else
        return hogo_error_set(err, HOGO_EINVAL, "/detail",
                              "request %s names neither the item ({\"item\":N}) nor the "
                              "category ({\"category\":\"...\"}) to delete",
                              r->id);
    snprintf(detail, sizeof detail, "{\"items_deleted\":%lld,\"category\":\"%s\"}",
             (long long)n, category);
    if (rc == 0)
        rc = effect_event(st, r, "deletion", detail, err);
    char buf[256];
    snprintf(buf, sizeof buf, "ご請求のとおり、該当する個人データ（%lld件）を削除しました（個人"
                              "情報保護法第34条）。\n",
             (long long)n);
    if (rc == 0 && rights_append(para, buf))
        rc = nomem(err);
    return rc;
}

static int cite_clause(const struct hogo_dsr_complete *c, char **para)
{
    const char *clause = NULL, *quote = NULL;
    rights_policy_clause(c->policy, &clause, &quote);
    if (!clause)
        return 0;
    char buf[1536];
    snprintf(buf, sizeof buf, "根拠: プライバシーポリシー %s（%s）第%s項「%s」\n",
             hogo_policy_id(c->policy), hogo_policy_version(c->policy), clause, quote);
    return rights_append(para, buf);
}

static int erase(struct hogo_store *st, const struct rights_request *r, char **para,
                 struct hogo_error *err)
{
    int rc = hogo_subject_erase(st, r->subject, err);
    int64_t prov = 0, rcpt = 0;
    struct hogo__val p[] = {HV_TEXT(r->subject)};
    if (rc == 0)
        rc = hogo__query_int(st, "SELECT COUNT(*) FROM provisions WHERE subject_id = ?", p, 1,
                             &prov, NULL, err);
    if (rc == 0)
        rc = hogo__query_int(st, "SELECT COUNT(*) FROM receipts WHERE subject_id = ?", p, 1,
                             &rcpt, NULL, err);
    if (rc == 0) /* the sealed former versions are unreadable now; drop them too */
        rc = hogo__exec(st, "DELETE FROM data_item_history WHERE subject_id = ?", p, 1, NULL,
                        err);
    char detail[160], buf[1024];
    snprintf(detail, sizeof detail,
             "{\"key_destroyed\":true,\"kept_provision_records\":%lld,"
             "\"kept_receipt_records\":%lld}",
             (long long)prov, (long long)rcpt);
    if (rc == 0)
        rc = effect_event(st, r, "erasure", detail, err);
    snprintf(buf, sizeof buf,
             "ご請求のとおり、お客様の個人データを消去しました（個人情報保護法第35条）。お客様の"
             "データを封じていた暗号鍵を破棄したため、バックアップを含むすべての複製は今後読み出す"
             "ことができません。\nただし、法令により作成・保存が義務付けられている第三者提供の記録"
             "（同法第29条）%lld件および第三者からの受領の記録（同法第30条）%lld件は、提供先・提供"
             "元、項目名、日付など記録事項に限り、保存期間の満了まで保存します。これらの記録にお客"
             "様の個人データの内容は含まれません。\n",
             (long long)prov, (long long)rcpt);
    if (rc == 0 && rights_append(para, buf))
        rc = nomem(err);
    return rc;
}

static int purpose_notice(struct hogo_store *st, const struct rights_request *r,
                          const struct hogo_dsr_complete *c, char **para,
                          struct hogo_error *err)
{
    const struct hogo_policy *p = c->policy;
    const struct hogo__table *pt = &p->vocab->t[HOGO__K_PURPOSE];
    char buf[2048];
    snprintf(buf, sizeof buf,
             "お客様の個人情報の利用目的は、プライバシーポリシー %s（%s）の定めにより次のとおりで"
             "す（個人情報保護法第32条第2項）。\n",
             hogo_policy_id(p), hogo_policy_version(p));
    if (rights_append(para, buf))
        return nomem(err);
    int listed = 0;
    for (int i = 0; i < p->nclauses; i++) {
        const struct hogo__clause *cl = &p->clauses[i];
        if (strncmp(cl->id, "2(", 2))
            continue;
        for (int j = cl->first_rule; j < cl->first_rule + cl->nrules; j++) {
            const struct hogo__rule *ru = &p->rules[j];
            if (ru->effect != HOGO__PERMIT || !(ru->actions & (1u << HOGO__USE)) ||
                !ru->purposes.present)
                continue;
            char names[512] = ""; /* the purposes as the rule names them, in Japanese */
            const char *t = ru->purposes.text ? ru->purposes.text : "";
            while (*t) {
                size_t len = strcspn(t, ", ");
                int k = len ? hogo__vocab_find(p->vocab, HOGO__K_PURPOSE, t, len) : -1;
                size_t l = strlen(names);
                if (k >= 0)
                    snprintf(names + l, sizeof names - l, "%s%s", l ? "、" : "",
                             pt->v[k].ja ? pt->v[k].ja : pt->v[k].id);
                t += len;
                t += strspn(t, ", ");
            }
            char stopped[160] = "";
            for (const char *q = ru->purposes.text ? ru->purposes.text : ""; *q;) {
                size_t len = strcspn(q, ", ");
                char idb[128];
                snprintf(idb, sizeof idb, "%.*s", (int)(len < 127 ? len : 127), q);
                struct hogo__val o[] = {HV_TEXT(r->subject), HV_TEXT(idb)};
                int64_t n = 0;
                if (len && hogo__query_int(st,
                                           "SELECT COUNT(*) FROM subject_facts WHERE subject_id"
                                           " = ? AND fact = 'opt_outs' AND value = ?",
                                           o, 2, &n, NULL, err) == 0 &&
                    n > 0)
                    snprintf(stopped, sizeof stopped, "。お客様のご請求により停止しています");
                q += len;
                q += strspn(q, ", ");
            }
            if (strstr(ru->quote, names) || !names[0])
                snprintf(buf, sizeof buf, "・第%s項「%s」%s%s%s\n", cl->id, ru->quote,
                         stopped[0] ? "（" : "", stopped[0] ? stopped + 3 : "",
                         stopped[0] ? "）" : "");
            else
                snprintf(buf, sizeof buf, "・第%s項「%s」（%s%s）\n", cl->id, ru->quote, names,
                         stopped);
            if (rights_append(para, buf))
                return nomem(err);
            listed++;
            break; /* one line per clause */
        }
    }
    if (!listed && rights_append(para, "（ポリシーに利用目的の条項が見つかりませんでした）\n"))
        return nomem(err);
    char detail[96];
    snprintf(detail, sizeof detail, "{\"purpose_clauses\":%d,\"policy\":\"%s\"}", listed,
             hogo_policy_id(p));
    return effect_event(st, r, "purpose_notice", detail, err);
}

int rights_effect(struct hogo_store *st, const struct rights_request *r,
                  const struct hogo_dsr_complete *c, char **para, struct hogo_error *err)
{
    int rc = 0;
    if (strcmp(hogo_policy_id(c->policy), r->op))
        return hogo_error_set(err, HOGO_EINVAL, "/policy",
                              "request %s concerns a person of operator '%s'; complete it "
                              "under that operator's policy, not '%s'",
                              r->id, r->op, hogo_policy_id(c->policy));
    if (!strcmp(r->kind, "suspension") || !strcmp(r->kind, "cessation")) {
        int susp = !strcmp(r->kind, "suspension");
        rc = set_effect(st, r, susp ? "suspended" : "provision_stopped", err);
        if (rc == 0)
            rc = effect_event(st, r, susp ? "suspended" : "provision_stopped", NULL, err);
        if (rc == 0 &&
            rights_append(para, susp ? "ご請求のとおり、お客様の個人データの利用を停止しました"
                                       "（個人情報保護法第35条）。法令に基づく場合を除き、今後の"
                                       "利用および第三者への提供は行いません。\n"
                                     : "ご請求のとおり、お客様の個人データの第三者への提供を停止"
                                       "しました（個人情報保護法第35条第3項）。当社内での利用は"
                                       "プライバシーポリシーの定めの範囲で続きます。\n"))
            rc = nomem(err);
        if (rc == 0 && cite_clause(c, para))
            rc = nomem(err);
    } else if (!strcmp(r->kind, "erasure"))
        rc = erase(st, r, para, err);
    else if (!strcmp(r->kind, "correction"))
        rc = correct(st, r, c, para, err);
    else if (!strcmp(r->kind, "deletion"))
        rc = delete_items(st, r, para, err);
    else if (!strcmp(r->kind, "purpose_notice"))
        rc = purpose_notice(st, r, c, para, err);
    else { /* disclosure, provision_records */
        int records = !strcmp(r->kind, "provision_records");
        if (!c->package_json && !c->package_html)
            return hogo_error_set(err, HOGO_EINVAL, "/out",
                                  "a disclosure is completed by writing the package: give "
                                  "--out FILE.json and/or --html FILE.html");
        rc = hogo_disclosure_write(st, r->subject, records, c->package_json, c->package_html,
                                   err);
        char buf[512], detail[128];
        snprintf(detail, sizeof detail, "{\"method\":\"%s\",\"json\":%s,\"html\":%s}",
                 r->method, c->package_json ? "true" : "false",
                 c->package_html ? "true" : "false");
        if (rc == 0)
            rc = effect_event(st, r, records ? "provision_records" : "disclosure", detail, err);
        snprintf(buf, sizeof buf, "%sを、ご指定の方法（%s）によりお渡しします（個人情報保護法"
                                  "%s）。\n",
                 records ? "第三者提供・受領の記録" : "お客様の保有個人データ",
                 !strcmp(r->method, "paper") ? "書面の交付" : "電磁的記録の提供",
                 records ? "第33条第5項" : "第33条第1項");
        if (rc == 0 && rights_append(para, buf))
            rc = nomem(err);
    }
    return rc;
}
