/*
 * Response writers: the decision as JSON (docs/decision.md) with yajl's generator, errors as
 * {"error": {...}}, and the decision as text for a person — the answer, each deciding clause
 * in the policy's own Japanese words with an English gloss, what was missing, and the duties.
 * Decision layer.
 */
#include "common/json.h"
#include "decide_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_gen.h>

struct hogo_writer {
    yajl_gen g;
    char *buf; /* owned: everything written so far */
    size_t len, cap;
    bool pretty;
    bool english; /* text in English (default: Japanese) */
};

static int reserve(struct hogo_writer *w, size_t more)
{
    if (w->len + more + 1 <= w->cap)
        return 0;
    size_t ncap = w->cap ? w->cap : 4096;
    while (ncap < w->len + more + 1)
        ncap *= 2;
    char *g = realloc(w->buf, ncap);
    if (!g)
        return HOGO_ENOMEM;
    w->buf = g;
    w->cap = ncap;
    return 0;
}

static int append(struct hogo_writer *w, const char *s, size_t n)
{
    if (reserve(w, n))
        return HOGO_ENOMEM;
    memcpy(w->buf + w->len, s, n);
    w->len += n;
    w->buf[w->len] = '\0';
    return 0;
}

static int appendf(struct hogo_writer *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int appendf(struct hogo_writer *w, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || reserve(w, (size_t)n))
        return HOGO_ENOMEM;
    va_start(ap, fmt);
    vsnprintf(w->buf + w->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    w->len += (size_t)n;
    return 0;
}

int hogo_writer_new(bool pretty, struct hogo_writer **out)
{
    struct hogo_writer *w = calloc(1, sizeof *w);
    if (!w)
        return HOGO_ENOMEM;
    w->g = yajl_gen_alloc(NULL);
    if (!w->g) {
        free(w);
        return HOGO_ENOMEM;
    }
    w->pretty = pretty;
    if (pretty) {
        hogo__gen_pretty(w->g);
    }
    *out = w;
    return 0;
}

void hogo_writer_free(struct hogo_writer *w)
{
    if (!w)
        return;
    yajl_gen_free(w->g);
    free(w->buf);
    free(w);
}

void hogo_writer_buffer(const struct hogo_writer *w, const char **buf, size_t *len)
{
    *buf = w->buf ? w->buf : "";
    *len = w->len;
}

void hogo_writer_clear(struct hogo_writer *w)
{
    w->len = 0;
    if (w->buf)
        w->buf[0] = '\0';
}

/* Moves what yajl generated into the writer's buffer, one line per entity. */
static int flush(struct hogo_writer *w)
{
    const unsigned char *b;
    size_t n;
    yajl_gen_get_buf(w->g, &b, &n);
    while (n && b[n - 1] == '\n')
        n--;
    size_t at = w->len;
    int rc = append(w, (const char *)b, n);
    if (!rc && w->pretty) {
        w->len = at + hogo__json_tidy(w->buf + at, n);
        w->buf[w->len] = '\0';
    }
    if (!rc)
        rc = append(w, "\n", 1);
    yajl_gen_clear(w->g);
    yajl_gen_reset(w->g, NULL);
    return rc;
}

static void str(yajl_gen g, const char *s)
{
    yajl_gen_string(g, (const unsigned char *)s, strlen(s));
}

static void kv(yajl_gen g, const char *k, const char *v)
{
    str(g, k);
    str(g, v);
}

static const char *id_of(const struct hogo_policy *p, enum hogo__kind k, int i)
{
    return i >= 0 && i < p->vocab->t[k].n ? p->vocab->t[k].v[i].id : "?";
}

static void gen_missing_item(void *ctx, const char *s)
{
    str(ctx, s);
}

static void gen_id_set(yajl_gen g, const struct hogo_policy *p, enum hogo__kind k,
                       const struct hogo__set *s)
{
    yajl_gen_array_open(g);
    for (int i = 0; i < p->vocab->t[k].n; i++)
        if (hogo__set_has(s, i))
            str(g, p->vocab->t[k].v[i].id);
    yajl_gen_array_close(g);
}

static void gen_obligations(yajl_gen g, const struct hogo_policy *p, const struct hogo_request *r,
                            const struct hogo_decision *d)
{
    yajl_gen_array_open(g);
    for (int ob = 0; ob < HOGO__OB_COUNT; ob++) {
        if (!(d->obligations & (1u << ob)))
            continue;
        struct hogo_obligation o;
        hogo__obligation_read(p, r, d, ob, &o);
        yajl_gen_map_open(g);
        kv(g, "type", o.type);
        if (o.statute)
            kv(g, "statute", o.statute);
        if (o.retention_years) {
            str(g, "retention_years");
            yajl_gen_integer(g, o.retention_years);
            kv(g, "retention_from", o.retention_from);
            if (d->retention_last) {
                /* Rules Art.19(2): continuing provision under one arrangement with the person
                 * may be recorded collectively, kept 3 years from the last provision */
                str(g, "collective");
                yajl_gen_bool(g, 1);
            }
        }
        if (o.confirm) {
            str(g, "confirm");
            yajl_gen_array_open(g);
            str(g, "provider_name");
            str(g, "provider_address");
            str(g, "provider_representative");
            str(g, "how_the_provider_obtained_the_data");
            yajl_gen_array_close(g);
        }
        if (ob == HOGO__OB_DEIDENTIFY) {
            struct hogo__set drop, gen;
            hogo__deid_sets(p, r, d, &drop, &gen);
            str(g, "drop");
            gen_id_set(g, p, HOGO__K_DATA, &drop);
            str(g, "generalize");
            gen_id_set(g, p, HOGO__K_DATA, &gen);
            if (o.aggregate) {
                str(g, "aggregate");
                yajl_gen_bool(g, 1);
            }
            if (o.clause)
                kv(g, "clause", o.clause);
        }
        if (o.country) {
            kv(g, "country", o.country);
            kv(g, "regime", o.regime);
        }
        yajl_gen_map_close(g);
    }
    yajl_gen_array_close(g);
}

int hogo_writer_decision(struct hogo_writer *w, const struct hogo_policy *p,
                         const struct hogo_request *r, const struct hogo_decision *d)
{
    yajl_gen g = w->g;
    yajl_gen_map_open(g);
    kv(g, "decision", d->allow ? "allow" : "deny");
    kv(g, "policy", p->id);
    kv(g, "policy_version", p->version);
    str(g, "reasons");
    yajl_gen_array_open(g);
    for (int i = 0; i < d->nreasons; i++) {
        struct hogo_reason why;
        hogo_decision_reason(p, d, i, &why);
        yajl_gen_map_open(g);
        kv(g, "clause", why.clause);
        kv(g, "effect", why.effect);
        if (why.statute) {
            kv(g, "statute", why.statute);
            kv(g, "explanation", why.quote);
            yajl_gen_map_close(g);
            continue;
        }
        /* escaped once at load: yajl_gen_number copies a ready value verbatim */
        const struct hogo__rule *rule = &p->rules[d->reasons[i].rule];
        str(g, "quote");
        yajl_gen_number(g, rule->quote_json, rule->quote_json_len);
        if (d->reasons[i].effect == HOGO__REASON_NO_MATCH) {
            str(g, "missing");
            yajl_gen_array_open(g);
            hogo_decision_missing(p, r, d, i, gen_missing_item, g);
            yajl_gen_array_close(g);
        }
        if (why.n_yields_to) {
            str(g, "yields_to");
            yajl_gen_array_open(g);
            for (int b = 0; b < why.n_yields_to; b++)
                str(g, why.yields_to[b]);
            yajl_gen_array_close(g);
        }
        yajl_gen_map_close(g);
    }
    yajl_gen_array_close(g);
    str(g, "obligations");
    gen_obligations(g, p, r, d);
    yajl_gen_map_close(g);
    return flush(w);
}

int hogo_decision_json(const struct hogo_policy *p, const struct hogo_request *r,
                       const struct hogo_decision *d, char **out, struct hogo_error *err)
{
    struct hogo_writer *w = NULL;
    *out = NULL;
    if (hogo_writer_new(false, &w) == 0 && hogo_writer_decision(w, p, r, d) == 0) {
        size_t len = w->len;
        while (len && w->buf[len - 1] == '\n')
            len--;
        *out = strndup(w->buf, len);
    }
    hogo_writer_free(w);
    return *out ? 0 : hogo_error_set(err, HOGO_ENOMEM, NULL, "out of memory writing the decision");
}

/* The parts of a decision its JSON is written from. */
static bool same_decision(const struct hogo_decision *a, const struct hogo_decision *b)
{
    if (a->allow != b->allow || a->nreasons != b->nreasons ||
        a->obligations != b->obligations || a->missing != b->missing ||
        a->missing_cond != b->missing_cond || a->retention_years != b->retention_years ||
        a->retention_last != b->retention_last || a->deid_rule != b->deid_rule ||
        a->statute != b->statute)
        return false;
    for (int i = 0; i < a->nreasons; i++)
        if (a->reasons[i].rule != b->reasons[i].rule ||
            a->reasons[i].effect != b->reasons[i].effect)
            return false;
    return true;
}

int hogo__decision_json_memo(const struct hogo_policy *p, struct hogo_request *r,
                             const struct hogo_decision *d, const char **json,
                             struct hogo_error *err)
{
    /* besides the decision, its JSON reads only the request's own fields (data, form,
     * country) and the policy, except for a missed rule's "missing" parts */
    bool cacheable = true;
    for (int i = 0; i < d->nreasons; i++)
        cacheable = cacheable && d->reasons[i].effect != HOGO__REASON_NO_MATCH;
    /* a missed rule's JSON is reused only while the facts it was written for are in */
    if ((r->memo.valid && cacheable) || r->memo.fresh) {
        if (r->memo.policy_serial == p->serial && same_decision(&r->memo.decision, d)) {
            *json = r->memo.json;
            return 0;
        }
    }
    char *fresh = NULL;
    int rc = hogo_decision_json(p, r, d, &fresh, err);
    if (rc < 0)
        return rc;
    free(r->memo.json);
    r->memo.json = fresh;
    r->memo.valid = cacheable;
    r->memo.fresh = true;
    r->memo.policy_serial = p->serial;
    r->memo.decision = *d;
    *json = r->memo.json;
    return 0;
}

int hogo_request_decision_json(const struct hogo_policy *p, struct hogo_request *r,
                               const struct hogo_decision *d, const char **json, size_t *len,
                               struct hogo_error *err)
{
    int rc = hogo__decision_json_memo(p, r, d, json, err);
    if (len)
        *len = rc == 0 ? strlen(*json) : 0;
    return rc;
}

int hogo_writer_line(struct hogo_writer *w, const char *text, size_t len)
{
    int rc = append(w, text, len);
    return rc ? rc : append(w, "\n", 1);
}

int hogo_writer_error(struct hogo_writer *w, const struct hogo_error *err)
{
    yajl_gen g = w->g;
    yajl_gen_map_open(g);
    str(g, "error");
    yajl_gen_map_open(g);
    kv(g, "code", hogo_strerror(err->code));
    kv(g, "where", err->where);
    kv(g, "message", err->message);
    yajl_gen_map_close(g);
    yajl_gen_map_close(g);
    return flush(w);
}

/* --- text for a person ---------------------------------------------------------------------- */

static const char *en_of(const struct hogo_policy *p, enum hogo__kind k, int i)
{
    const struct hogo__entry *e = i >= 0 ? &p->vocab->t[k].v[i] : NULL;
    return e && e->en ? e->en : (e ? e->id : "");
}

static void text_missing_item(void *ctx, const char *s)
{
    appendf(ctx, "        - %s\n", s);
}


/* --- text for a person, in Japanese ------------------------------------------------------------ */

static const char *ja_of(const struct hogo_policy *p, enum hogo__kind k, int i)
{
    const struct hogo__entry *e = i >= 0 && i < p->vocab->t[k].n ? &p->vocab->t[k].v[i] : NULL;
    return !e ? "" : e->ja ? e->ja : e->en ? e->en : e->id;
}

/* Short Japanese names of the request bases (the vocabulary's consent name is a sentence). */
static const char *basis_ja(int b)
{
    static const char *const names[] = {"本プライバシーポリシー", "法令に基づく場合", "警察の捜査",
                                        "裁判所の命令", "本人の別途の同意"};
    return b >= 0 && b < 5 ? names[b] : "";
}

/* Writes the broadest ids of a set of kind k by their Japanese names, joined by 「、」. */
static void set_ja(struct hogo_writer *w, const struct hogo_policy *p, enum hogo__kind k,
                   const struct hogo__set *s)
{
    const struct hogo__table *t = &p->vocab->t[k];
    bool first = true;
    for (int i = 0; i < t->n; i++) {
        if (!hogo__set_has(s, i))
            continue;
        bool broadest = true;
        for (int j = 0; j < t->n; j++)
            if (j != i && hogo__set_has(&t->up[i], j) && hogo__set_has(s, j))
                broadest = false;
        if (broadest) {
            appendf(w, "%s「%s」", first ? "" : "、", ja_of(p, k, i));
            first = false;
        }
    }
}

static void selector_ja(struct hogo_writer *w, const struct hogo_policy *p, enum hogo__kind k,
                        const struct hogo__selector *sel)
{
    if (sel->negated) {
        /* the ids written after "not": the complement of what it covers */
        struct hogo__set out = {{0}};
        for (int i = 0; i < p->vocab->t[k].n; i++)
            if (!hogo__set_has(&sel->cover, i))
                hogo__set_add(&out, i);
        set_ja(w, p, k, &out);
        appendf(w, "以外");
        return;
    }
    set_ja(w, p, k, &sel->cover);
}

/* A condition as Japanese words. */
static void cond_ja(struct hogo_writer *w, const struct hogo_policy *p, int ci)
{
    const struct hogo__cond *c = &p->conds[ci];
    const struct hogo_vocab *v = p->vocab;
    const char *fact = ja_of(p, HOGO__K_FACT, c->fact);
    switch (c->op) {
    case HOGO__C_ALL:
    case HOGO__C_ANY:
        for (int i = 0; i < c->count; i++) {
            if (i)
                appendf(w, c->op == HOGO__C_ALL ? "、かつ" : "、または");
            cond_ja(w, p, p->children[c->first + i]);
        }
        break;
    case HOGO__C_NOT:
        appendf(w, "次に当たらないこと（");
        if (c->count == 1)
            cond_ja(w, p, p->children[c->first]);
        appendf(w, "）");
        break;
    case HOGO__C_HAS: {
        enum hogo__kind k = hogo__fact_kind(c->fact);
        if (!c->value || c->num < 0 || k == HOGO__K_COUNT)
            appendf(w, "本人について「%s」があること", fact);
        else
            appendf(w, "本人の「%s」に「%s」が含まれること", fact, ja_of(p, k, c->num));
        break;
    }
    case HOGO__C_HAS_CORP:
        appendf(w, "本人の「%s」に法人番号%013llu が含まれること", fact,
                (unsigned long long)c->corp);
        break;
    case HOGO__C_IS:
        appendf(w, "本人について「%s」%s", fact, c->value ? "に当たること" : "に当たらないこと");
        break;
    case HOGO__C_AGE_AT_MOST:
        appendf(w, "本人が%d歳以下であること", c->num);
        break;
    case HOGO__C_AGE_AT_LEAST:
        appendf(w, "本人が%d歳以上であること", c->num);
        break;
    case HOGO__C_RECIPIENT_IN:
        appendf(w, "提供先（その法人番号）が本人の「%s」に含まれること", fact);
        break;
    case HOGO__C_SERVICE_IN:
        appendf(w, "当社サービスが本人の「%s」に含まれること", fact);
        break;
    case HOGO__C_PURPOSE_OPTED_OUT:
        appendf(w, "本人がこの利用目的の利用の停止（配信停止等）を求めていること");
        break;
    case HOGO__C_RECIPIENT_FOREIGN:
        appendf(w, "提供先が外国にあること");
        break;
    case HOGO__C_INSTITUTION_QUALIFIES:
        appendf(w, "提供先が学術研究機関等その他この条項が挙げる大学・研究機関であること");
        break;
    case HOGO__C_PURPOSE:
        appendf(w, "利用目的が");
        set_ja(w, p, HOGO__K_PURPOSE, &c->set);
        appendf(w, "のいずれかであること");
        break;
    case HOGO__C_SERVICE:
        appendf(w, "当社サービスが");
        set_ja(w, p, HOGO__K_SERVICE, &c->set);
        appendf(w, "のいずれかであること");
        break;
    case HOGO__C_RECIPIENT:
        appendf(w, "提供先が");
        set_ja(w, p, HOGO__K_RECIPIENT, &c->set);
        appendf(w, "のいずれかであること");
        break;
    case HOGO__C_DATA:
        appendf(w, "情報に");
        set_ja(w, p, HOGO__K_DATA, &c->set);
        appendf(w, "のいずれかが含まれること");
        break;
    case HOGO__C_BASIS:
        appendf(w, "根拠が");
        for (int b = 0, first = 1; b < 5; b++)
            if (c->num & (1 << b)) {
                appendf(w, "%s「%s」", first ? "" : "、", basis_ja(b));
                first = 0;
            }
        appendf(w, "のいずれかであること");
        break;
    default:
        break;
    }
    (void)v;
}

/* What the closest clause lacks, as sentences a privacy officer would write. */
static void missing_ja(struct hogo_writer *w, const struct hogo_policy *p,
                       const struct hogo_request *r, const struct hogo_decision *d,
                       const struct hogo__rule *rule)
{
    const struct hogo_vocab *v = p->vocab;
    unsigned m = d->missing;
    const char *lead = "        ・";
    if (m & HOGO__MISS_ACTION) {
        appendf(w, "%sこの条項が定めるのは", lead);
        for (int a = 0, first = 1; a < 5; a++)
            if (rule->actions & (1u << a)) {
                appendf(w, "%s「%s」", first ? "" : "、", ja_of(p, HOGO__K_ACTION, a));
                first = 0;
            }
        appendf(w, "であり、「%s」ではありません。\n", ja_of(p, HOGO__K_ACTION, r->action));
    }
    if (m & HOGO__MISS_PURPOSE) {
        appendf(w, "%s利用目的「%s」はこの条項の対象外です（対象は", lead,
                ja_of(p, HOGO__K_PURPOSE, r->purpose));
        selector_ja(w, p, HOGO__K_PURPOSE, &rule->purposes);
        appendf(w, "）。\n");
    }
    if (m & HOGO__MISS_RECIPIENT) {
        appendf(w, "%s%s「%s」はこの条項の対象外です（対象は", lead,
                r->action == HOGO__RECEIVE ? "提供元" : "提供先",
                ja_of(p, HOGO__K_RECIPIENT, r->recipient));
        selector_ja(w, p, HOGO__K_RECIPIENT, &rule->recipients);
        appendf(w, "）。\n");
    }
    if (m & HOGO__MISS_DATA) {
        struct hogo__set extra = {{0}};
        for (int i = 0; i < v->t[HOGO__K_DATA].n; i++)
            if (hogo__set_has(&r->data, i) && !hogo__set_has(&rule->data.cover, i))
                hogo__set_add(&extra, i);
        appendf(w, "%s", lead);
        set_ja(w, p, HOGO__K_DATA, &extra);
        appendf(w, "はこの条項で認められた情報に含まれません（認められているのは");
        selector_ja(w, p, HOGO__K_DATA, &rule->data);
        appendf(w, "）。\n");
    }
    if (m & HOGO__MISS_SERVICE) {
        appendf(w, "%sこの条項は当社サービス", lead);
        selector_ja(w, p, HOGO__K_SERVICE, &rule->services);
        appendf(w, "についてのものです。\n");
    }
    if (m & HOGO__MISS_FORM)
        appendf(w, "%s%s\n", lead,
                rule->forms & (1u << HOGO__DEIDENTIFIED)
                    ? "この目的では、氏名や住所の除外、性別・年代への置き換え等により、提供先が特定の"
                      "個人を識別できない情報に加工した上でなければ扱えません。"
                : rule->forms & (1u << HOGO__STATISTICS)
                    ? "この目的では、集計した統計情報の形でなければ扱えません。"
                    : "この形態の情報はこの条項の対象外です。");
    if (m & HOGO__MISS_BASIS) {
        appendf(w, "%sこの条項が適用されるのは", lead);
        for (int b = 0, first = 1; b < 5; b++)
            if (rule->bases & (1u << b)) {
                appendf(w, "%s「%s」", first ? "" : "または", basis_ja(b));
                first = 0;
            }
        appendf(w, "の場合に限られます。\n");
    }
    if (m & HOGO__MISS_CONSENT)
        appendf(w, "%s同意「%s」は、この提供先・利用目的・情報を対象としていません。\n", lead,
                r->consent_id);
    if (m & HOGO__MISS_WHEN) {
        appendf(w, "%s次の条件を満たしていません: ", lead);
        cond_ja(w, p, rule->when);
        appendf(w, "。\n");
    }
    if (m & HOGO__MISS_UNLESS) {
        appendf(w, "%s次の場合には適用されません: ", lead);
        cond_ja(w, p, rule->unless);
        appendf(w, "。\n");
    }
}

/* The duties in the statute's own terms. */
static void obligations_ja(struct hogo_writer *w, const struct hogo_policy *p,
                           const struct hogo_request *r, const struct hogo_decision *d)
{
    const struct hogo_vocab *v = p->vocab;
    int years = d->retention_years ? d->retention_years : 3;
    for (int ob = 0; ob < HOGO__OB_COUNT; ob++) {
        if (!(d->obligations & (1u << ob)))
            continue;
        switch (ob) {
        case HOGO__OB_RECORD_PROVISION:
        case HOGO__OB_CONFIRM_RECEIPT:
            appendf(w, "    ・%s（法第%d条）、保存期間%d年（%s）",
                    ob == HOGO__OB_RECORD_PROVISION ? "第三者提供に係る記録の作成"
                                                    : "第三者提供を受ける際の確認・記録の作成",
                    ob == HOGO__OB_RECORD_PROVISION ? 29 : 30, years,
                    d->retention_last ? "最後に提供した日から起算" : "記録の作成日から起算");
            if (ob == HOGO__OB_CONFIRM_RECEIPT)
                appendf(w, "。提供者の氏名・名称、住所、代表者の氏名および取得の経緯を確認します");
            if (d->retention_last)
                appendf(w, "。本人との一つの取決めに基づく継続的な提供のため、一括して記録できます"
                           "（規則第19条第2項）");
            appendf(w, "\n");
            break;
        case HOGO__OB_DEIDENTIFY: {
            struct hogo__set drop, gen;
            hogo__deid_sets(p, r, d, &drop, &gen);
            appendf(w, "    ・提供先が特定の個人を識別できない情報への加工: ");
            if (!hogo__set_empty(&drop)) {
                set_ja(w, p, HOGO__K_DATA, &drop);
                appendf(w, "を除外し、");
            }
            set_ja(w, p, HOGO__K_DATA, &gen);
            appendf(w, "の属性情報にします%s\n",
                    r->form == HOGO__STATISTICS ? "（集計した統計情報として）" : "");
            break;
        }
        case HOGO__OB_FOREIGN_TRANSFER_INFO:
            appendf(w, "    ・外国にある第三者への提供に係る本人の同意の取得（法第28条第1項）と、"
                       "提供先の国名（%s）、その国の個人情報保護制度および提供先が講ずる措置の"
                       "情報提供（法第28条第2項、規則第17条）\n",
                    r->country);
            break;
        case HOGO__OB_SUPERVISE_PROCESSOR:
            appendf(w, "    ・委託先に対する必要かつ適切な監督（法第25条）\n");
            break;
        case HOGO__OB_LIMIT_USE_BY_CONTRACT:
            appendf(w, "    ・提供先の利用目的等を契約で限定すること\n");
            break;
        case HOGO__OB_GUARDIAN_CONSENT_REQUIRED:
            appendf(w, "    ・保護者や親権者等の法定代理人の同意（ガイドライン通則編2-16）\n");
            break;
        case HOGO__OB_CHECK_FOREIGN_SYSTEM:
            appendf(w, "    ・外国にある委託先等による相当措置の継続的な実施の確保（法第28条第3項、"
                       "規則第18条）: 定期的（年1回程度）な確認、問題があれば提供の停止、"
                       "本人の求めに応じた情報提供（%s）\n",
                    r->country);
            break;
        default:
            appendf(w, "    ・%s\n", ja_of(p, HOGO__K_OBLIGATION, ob));
            break;
        }
    }
    (void)v;
}

static int decision_text_ja(struct hogo_writer *w, const struct hogo_policy *p,
                            const struct hogo_request *r, const struct hogo_decision *d)
{
    const struct hogo_vocab *v = p->vocab;
    appendf(w, "%s  %s: %s", d->allow ? "許可" : "不可", ja_of(p, HOGO__K_ACTION, r->action),
            ja_of(p, HOGO__K_PURPOSE, r->purpose));
    if (r->recipient >= 0)
        appendf(w, " → %s%s%s%s", ja_of(p, HOGO__K_RECIPIENT, r->recipient),
                strcmp(r->country, "JP") ? "（" : "", strcmp(r->country, "JP") ? r->country : "",
                strcmp(r->country, "JP") ? "）" : "");
    appendf(w, "\n      ポリシー: %s（%s版）\n", p->operator_ja, p->version);
    if (r->service >= 0)
        appendf(w, "      サービス: %s\n", ja_of(p, HOGO__K_SERVICE, r->service));
    appendf(w, "      情報: ");
    set_ja(w, p, HOGO__K_DATA, &r->data);
    static const char *const forms_ja[] = {"個人情報", "仮名加工情報",
                                           "特定の個人を識別できないよう加工した情報", "統計情報",
                                           "匿名加工情報"};
    appendf(w, "（形態: %s、根拠: %s）\n\n",
            r->form >= 0 && r->form < 5 ? forms_ja[r->form] : ja_of(p, HOGO__K_FORM, r->form),
            basis_ja(r->basis));
    for (int i = 0; i < d->nreasons; i++) {
        int ri = d->reasons[i].rule;
        if (ri < 0) {
            bool contact = d->statute == HOGO__STATUTE_PSEUDONYMIZED_CONTACT;
            appendf(w, "  %s により認められません\n        %s\n\n",
                    contact ? "個人情報保護法第41条第8項" : "個人情報保護法第41条第6項",
                    contact ? "仮名加工情報に含まれる連絡先その他の情報を利用して、本人に電話をかけ、"
                              "郵便・電子メール等を送り、または住居を訪問することはできません。"
                            : "仮名加工情報は、法令に基づく場合を除き、第三者に提供することができません"
                              "（委託先・事業の承継先は第三者に該当しません）。匿名化または統計化した上で"
                              "提供してください。");
            continue;
        }
        const struct hogo__rule *rule = &p->rules[ri];
        const struct hogo__clause *c = &p->clauses[rule->clause];
        const char *what = d->reasons[i].effect == HOGO__REASON_PERMIT   ? "この条項により認められます"
                           : d->reasons[i].effect == HOGO__REASON_FORBID ? "この条項により認められません"
                           : d->reasons[i].effect == HOGO__REASON_OBLIGE
                               ? "この条項により次の義務が加わります"
                               : "最も近い条項ですが、この取扱いは認めていません";
        appendf(w, "  %s  %s%s%s\n", c->id, what, c->title ? " — " : "", c->title ? c->title : "");
        appendf(w, "        「%s」\n", rule->quote);
        if (d->reasons[i].effect == HOGO__REASON_FORBID && rule->yields_to) {
            appendf(w, "        この制限が解除されるのは");
            for (int b = 0, first = 1; b < 5; b++)
                if (rule->yields_to & (1u << b)) {
                    appendf(w, "%s「%s」", first ? "" : "、", basis_ja(b));
                    first = 0;
                }
            appendf(w, "の場合に限られます。\n");
        }
        if (d->reasons[i].effect == HOGO__REASON_NO_MATCH) {
            appendf(w, "        足りないもの:\n");
            missing_ja(w, p, r, d, rule);
        }
        appendf(w, "\n");
    }
    if (d->obligations) {
        appendf(w, "  %s:\n", d->allow ? "実施する場合の義務" : "認められるために必要なこと");
        obligations_ja(w, p, r, d);
    }
    (void)v;
    return 0;
}

/* --- a policy's clauses, in Japanese --------------------------------------------------------- */

/* The ids of a bit mask of kind k by their Japanese names, joined by 「、」. */
static void mask_ja(struct hogo_writer *w, const struct hogo_policy *p, enum hogo__kind k,
                    unsigned mask)
{
    bool first = true;
    for (int i = 0; i < p->vocab->t[k].n && i < 32; i++)
        if (mask & (1u << i)) {
            appendf(w, "%s「%s」", first ? "" : "、",
                    k == HOGO__K_BASIS ? basis_ja(i) : ja_of(p, k, i));
            first = false;
        }
}

/* One rule as a few lines: what it does, to what, when, and the policy's own words. */
static void rule_ja(struct hogo_writer *w, const struct hogo_policy *p, const struct hogo__rule *r)
{
    static const char *const effects[HOGO__EFFECT_COUNT] = {
        [HOGO__PERMIT] = "認める", [HOGO__FORBID] = "禁止する", [HOGO__OBLIGE] = "義務を課す"};
    appendf(w, "  %s: ", effects[r->effect]);
    mask_ja(w, p, HOGO__K_ACTION, r->actions);
    appendf(w, "\n");
    static const struct {
        enum hogo__kind kind;
        const char *label;
        size_t offset;
    } selectors[] = {
        {HOGO__K_PURPOSE, "利用目的", offsetof(struct hogo__rule, purposes)},
        {HOGO__K_RECIPIENT, "提供先", offsetof(struct hogo__rule, recipients)},
        {HOGO__K_DATA, "情報", offsetof(struct hogo__rule, data)},
        {HOGO__K_SERVICE, "サービス", offsetof(struct hogo__rule, services)},
    };
    for (size_t i = 0; i < sizeof selectors / sizeof selectors[0]; i++) {
        const struct hogo__selector *sel =
            (const struct hogo__selector *)((const char *)r + selectors[i].offset);
        if (!sel->present)
            continue;
        appendf(w, "    %s: ", selectors[i].label);
        selector_ja(w, p, selectors[i].kind, sel);
        appendf(w, "\n");
    }
    if (r->effect != HOGO__FORBID) {
        unsigned all_forms = (1u << HOGO__FORM_COUNT) - 1;
        if ((r->forms & all_forms) != all_forms) {
            appendf(w, "    形態: ");
            mask_ja(w, p, HOGO__K_FORM, r->forms);
            appendf(w, "\n");
        }
        if (r->bases != (1u << HOGO__POLICY)) {
            appendf(w, "    根拠: ");
            mask_ja(w, p, HOGO__K_BASIS, r->bases);
            appendf(w, "\n");
        }
    }
    if (r->when >= 0) {
        appendf(w, "    適用される場合: ");
        cond_ja(w, p, r->when);
        appendf(w, "\n");
    }
    if (r->unless >= 0) {
        appendf(w, "    適用されない場合: ");
        cond_ja(w, p, r->unless);
        appendf(w, "\n");
    }
    if (r->yields_to) {
        appendf(w, "    次の根拠があれば適用されません: ");
        mask_ja(w, p, HOGO__K_BASIS, r->yields_to);
        appendf(w, "\n");
    }
    if (r->obligations) {
        appendf(w, "    義務: ");
        mask_ja(w, p, HOGO__K_OBLIGATION, r->obligations);
        appendf(w, "\n");
    }
    if (r->record_exempt)
        appendf(w, "    記録: 作成の義務なし%s%s%s\n", r->record_exempt_reason ? "（" : "",
                r->record_exempt_reason ? r->record_exempt_reason : "",
                r->record_exempt_reason ? "）" : "");
    appendf(w, "    「%s」\n", r->quote);
}

int hogo_writer_policy_text(struct hogo_writer *w, const struct hogo_policy *p)
{
    if (w->english) {
        char *s = hogo_policy_summary(p);
        if (!s)
            return HOGO_ENOMEM;
        appendf(w, "%s", s);
        free(s);
        return 0;
    }
    appendf(w, "%s プライバシーポリシー（%s、%s版）\n", p->operator_ja, p->id, p->version);
    appendf(w, "条項 %d、規則 %d、本文 %s\n", p->nclauses, p->nrules, p->source_path);
    struct hogo__set named;
    hogo__named_recipients(p, &named);
    appendf(w, "\nいずれかの条項が提供を認める提供先:\n");
    for (int j = 0; j < p->vocab->t[HOGO__K_RECIPIENT].n; j++)
        if (hogo__set_has(&named, j))
            appendf(w, "  ・%s\n", ja_of(p, HOGO__K_RECIPIENT, j));
    appendf(w, "\n条項:\n");
    for (int c = 0; c < p->nclauses; c++) {
        const struct hogo__clause *cl = &p->clauses[c];
        appendf(w, "\n[%s]%s%s\n", strcmp(cl->id, "preamble") ? cl->id : "前文",
                cl->title ? " " : "", cl->title ? cl->title : "");
        for (int i = 0; i < cl->nrules; i++)
            rule_ja(w, p, &p->rules[cl->first_rule + i]);
    }
    return 0;
}

int hogo_writer_set_language(struct hogo_writer *w, const char *lang)
{
    if (!strcmp(lang, "ja"))
        w->english = false;
    else if (!strcmp(lang, "en"))
        w->english = true;
    else
        return HOGO_EINVAL;
    return 0;
}

int hogo_writer_decision_text(struct hogo_writer *w, const struct hogo_policy *p,
                              const struct hogo_request *r, const struct hogo_decision *d)
{
    if (!w->english)
        return decision_text_ja(w, p, r, d);
    const struct hogo_vocab *v = p->vocab;
    appendf(w, "%s  %s %s", d->allow ? "ALLOW" : "DENY ", id_of(p, HOGO__K_ACTION, r->action),
            id_of(p, HOGO__K_PURPOSE, r->purpose));
    if (r->recipient >= 0)
        appendf(w, " -> %s%s%s", id_of(p, HOGO__K_RECIPIENT, r->recipient),
                strcmp(r->country, "JP") ? " in " : "", strcmp(r->country, "JP") ? r->country : "");
    appendf(w, "\n       policy %s (%s), version %s\n", p->id, p->operator_ja, p->version);
    appendf(w, "       purpose: %s\n", en_of(p, HOGO__K_PURPOSE, r->purpose));
    appendf(w, "       data:");
    for (int i = 0; i < v->t[HOGO__K_DATA].n; i++)
        if (hogo__set_has(&r->data, i))
            appendf(w, " %s", v->t[HOGO__K_DATA].v[i].id);
    appendf(w, "  (form %s, basis %s)\n\n", id_of(p, HOGO__K_FORM, r->form),
            id_of(p, HOGO__K_BASIS, r->basis));
    for (int i = 0; i < d->nreasons; i++) {
        int ri = d->reasons[i].rule;
        if (ri < 0) {
            struct hogo_reason why;
            hogo_decision_reason(p, d, i, &why);
            appendf(w, "  %s  forbid\n        %s\n\n", why.statute, why.quote);
            continue;
        }
        const struct hogo__rule *rule = &p->rules[ri];
        const struct hogo__clause *c = &p->clauses[rule->clause];
        const char *what = d->reasons[i].effect == HOGO__REASON_PERMIT   ? "permits this"
                           : d->reasons[i].effect == HOGO__REASON_FORBID ? "forbids this"
                           : d->reasons[i].effect == HOGO__REASON_OBLIGE
                               ? "adds duties"
                               : "comes closest, but does not permit this";
        appendf(w, "  %s  %s%s%s\n", c->id, what, c->title ? " — " : "", c->title ? c->title : "");
        appendf(w, "        「%s」\n", rule->quote);
        if (rule->note)
            appendf(w, "        (%s)\n", rule->note);
        if (d->reasons[i].effect == HOGO__REASON_FORBID && rule->yields_to) {
            appendf(w, "        lifted only by basis:");
            for (int b = 0; b < 5; b++)
                if (rule->yields_to & (1u << b))
                    appendf(w, " %s", id_of(p, HOGO__K_BASIS, b));
            appendf(w, "\n");
        }
        if (d->reasons[i].effect == HOGO__REASON_NO_MATCH) {
            appendf(w, "        missing:\n");
            hogo_decision_missing(p, r, d, i, text_missing_item, w);
        }
        appendf(w, "\n");
    }
    if (d->obligations) {
        appendf(w, "  %s:\n", d->allow ? "if it goes ahead" : "to make it possible");
        for (int ob = 0; ob < HOGO__OB_COUNT; ob++) {
            if (!(d->obligations & (1u << ob)))
                continue;
            const struct hogo__entry *e = &v->t[HOGO__K_OBLIGATION].v[ob];
            appendf(w, "    - %s: %s (%s)", e->id, e->en ? e->en : "", e->ja ? e->ja : "");
            if (ob == HOGO__OB_RECORD_PROVISION || ob == HOGO__OB_CONFIRM_RECEIPT)
                appendf(w, "; keep %d years from %s", d->retention_years ? d->retention_years : 3,
                        d->retention_last ? "the last provision (a continuing provision to one "
                                            "recipient may be recorded collectively, Rules "
                                            "Art.19(2))"
                                          : "creation");
            if (ob == HOGO__OB_FOREIGN_TRANSFER_INFO)
                appendf(w, "; %s: %s", r->country, hogo__regime_text(r->country));
            if (ob == HOGO__OB_DEIDENTIFY) {
                struct hogo__set drop, gen;
                hogo__deid_sets(p, r, d, &drop, &gen);
                appendf(w, "; drop:");
                for (int i = 0; i < v->t[HOGO__K_DATA].n; i++)
                    if (hogo__set_has(&drop, i))
                        appendf(w, " %s", v->t[HOGO__K_DATA].v[i].id);
                appendf(w, "; generalize to:");
                for (int i = 0; i < v->t[HOGO__K_DATA].n; i++)
                    if (hogo__set_has(&gen, i))
                        appendf(w, " %s", v->t[HOGO__K_DATA].v[i].id);
            }
            appendf(w, "\n");
        }
    }
    return 0;
}
