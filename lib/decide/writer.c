/*
 * Response writers: the decision as JSON (docs/decision.md) with yajl's generator, errors as
 * {"error": {...}}, and the decision as text for a person — the answer, each deciding clause
 * in the policy's own Japanese words with an English gloss, what was missing, and the duties.
 * Decision layer.
 */
#include "decide_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_gen.h>

struct hogo_writer {
    yajl_gen g;
    char *buf; /* owned: everything written so far */
    size_t len, cap;
    bool pretty;
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
        yajl_gen_config(w->g, yajl_gen_beautify, 1);
        yajl_gen_config(w->g, yajl_gen_indent_string, "  ");
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
    int rc = append(w, (const char *)b, n);
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

static const char *effect_name(int effect)
{
    switch (effect) {
    case HOGO__REASON_PERMIT: return "permit";
    case HOGO__REASON_FORBID: return "forbid";
    case HOGO__REASON_OBLIGE: return "obligation";
    default: return "no_match";
    }
}

static const char *regime_text(const char *country)
{
    return hogo__equivalent_regime(country)
               ? "equivalent: the PPC designates this country's personal-data protection system "
                 "as equivalent to Japan's (EU/EEA/UK)"
               : "not designated: tell the person the country, its protection system and the "
                 "recipient's measures (Enforcement Rules Art.17), or confirm the recipient "
                 "keeps a system meeting APPI standards (Art.16)";
}

/* The missing parts of a no_match, one string each, through fn. */
static void each_missing(const struct hogo_policy *p, const struct hogo_request *r,
                         const struct hogo_decision *d, const struct hogo__rule *rule,
                         void (*fn)(void *, const char *), void *ctx)
{
    char buf[1200];
    const struct hogo_vocab *v = p->vocab;
    unsigned m = d->missing;
    if (m & HOGO__MISS_ACTION) {
        char acts[128] = "";
        for (int a = 0; a < 5; a++)
            if (rule->actions & (1u << a)) {
                strncat(acts, acts[0] ? " or " : "", sizeof acts - strlen(acts) - 1);
                strncat(acts, v->t[HOGO__K_ACTION].v[a].id, sizeof acts - strlen(acts) - 1);
            }
        snprintf(buf, sizeof buf, "action: %s", acts);
        fn(ctx, buf);
    }
    if (m & HOGO__MISS_PURPOSE) {
        snprintf(buf, sizeof buf, "purpose: %s", rule->purposes.text ? rule->purposes.text : "");
        fn(ctx, buf);
    }
    if (m & HOGO__MISS_RECIPIENT) {
        snprintf(buf, sizeof buf, "recipient: %s",
                 rule->recipients.text ? rule->recipients.text : "");
        fn(ctx, buf);
    }
    if (m & HOGO__MISS_DATA) {
        size_t used = (size_t)snprintf(buf, sizeof buf, "data: ");
        bool first = true;
        for (int i = 0; i < v->t[HOGO__K_DATA].n && used < sizeof buf - 80; i++)
            if (hogo__set_has(&r->data, i) && !hogo__set_has(&rule->data.cover, i)) {
                used += (size_t)snprintf(buf + used, sizeof buf - used, "%s%s",
                                         first ? "" : ", ", v->t[HOGO__K_DATA].v[i].id);
                first = false;
            }
        snprintf(buf + used, sizeof buf - used, " not covered (covered: %s)",
                 rule->data.text ? rule->data.text : "");
        fn(ctx, buf);
    }
    if (m & HOGO__MISS_SERVICE) {
        snprintf(buf, sizeof buf, "service: %s", rule->services.text ? rule->services.text : "");
        fn(ctx, buf);
    }
    if (m & HOGO__MISS_FORM) {
        const char *f = rule->forms & (1u << HOGO__DEIDENTIFIED)  ? "deidentified"
                        : rule->forms & (1u << HOGO__STATISTICS) ? "statistics"
                        : rule->forms & (1u << HOGO__IDENTIFIED) ? "identified"
                                                                 : "pseudonymized";
        snprintf(buf, sizeof buf, "form: %s", f);
        fn(ctx, buf);
    }
    if (m & HOGO__MISS_BASIS) {
        size_t used = (size_t)snprintf(buf, sizeof buf, "basis: ");
        bool first = true;
        for (int b = 0; b < 5; b++)
            if (rule->bases & (1u << b)) {
                used += (size_t)snprintf(buf + used, sizeof buf - used, "%s%s", first ? "" : " or ",
                                         v->t[HOGO__K_BASIS].v[b].id);
                first = false;
            }
        fn(ctx, buf);
    }
    if (m & HOGO__MISS_CONSENT) {
        snprintf(buf, sizeof buf,
                 "consent: '%s' does not cover this recipient, purpose and data", r->consent_id);
        fn(ctx, buf);
    }
    if (m & HOGO__MISS_WHEN) {
        char c[1000];
        hogo__cond_render(p, rule->when, c, sizeof c);
        snprintf(buf, sizeof buf, "condition: %s", c);
        fn(ctx, buf);
    }
    if (m & HOGO__MISS_UNLESS) {
        char c[1000];
        hogo__cond_render(p, rule->unless, c, sizeof c);
        snprintf(buf, sizeof buf, "condition: not (%s)", c);
        fn(ctx, buf);
    }
}

static void gen_missing_item(void *ctx, const char *s)
{
    str(ctx, s);
}

/* The categories a deidentify obligation drops, and those it generalises to. */
static void deid_sets(const struct hogo_policy *p, const struct hogo_request *r,
                      const struct hogo_decision *d, struct hogo__set *drop, struct hogo__set *gen)
{
    const struct hogo_vocab *v = p->vocab;
    const struct hogo__rule *rule = d->deid_rule >= 0 ? &p->rules[d->deid_rule] : NULL;
    memset(drop, 0, sizeof *drop);
    memset(gen, 0, sizeof *gen);
    for (int i = 0; i < v->t[HOGO__K_DATA].n; i++)
        if (hogo__set_has(&r->data, i) &&
            ((v->t[HOGO__K_DATA].v[i].flags & HOGO__FLAG_DIRECT_ID) ||
             (rule && rule->deid.given && hogo__set_has(&rule->deid.drop, i))))
            hogo__set_add(drop, i);
    if (rule && rule->deid.given && !hogo__set_empty(&rule->deid.generalize)) {
        *gen = rule->deid.generalize;
    } else {
        if (v->gender >= 0)
            hogo__set_add(gen, v->gender);
        if (v->age_group >= 0)
            hogo__set_add(gen, v->age_group);
    }
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

/* A decision the statute made by itself (a reason without a rule). */
struct statute_bar {
    const char *statute, *en, *ja;
};

static const struct statute_bar *statute_bar_of(const struct hogo_decision *d)
{
    static const struct statute_bar provision = {
        "APPI Art.41(6)",
        "pseudonymised data (仮名加工情報) may not be provided to a third party except as the law "
        "requires (a processor or a successor is not a third party, Art.27(5)); provide it "
        "de-identified or as statistics",
        "仮名加工情報は、法令に基づく場合を除き、第三者に提供することができません（委託先・事業の承継先は"
        "第三者に該当しません）。匿名化または統計化した上で提供してください。"};
    static const struct statute_bar contact = {
        "APPI Art.41(8)",
        "pseudonymised data (仮名加工情報) may not be used to call, mail, e-mail or otherwise "
        "reach the person; use identified data on the policy's own terms, or do not contact",
        "仮名加工情報に含まれる連絡先その他の情報を利用して、本人に電話をかけ、郵便・電子メール等を"
        "送り、または住居を訪問することはできません。"};
    return d->statute == HOGO__STATUTE_PSEUDONYMIZED_CONTACT ? &contact : &provision;
}

static void gen_obligations(yajl_gen g, const struct hogo_policy *p, const struct hogo_request *r,
                            const struct hogo_decision *d)
{
    yajl_gen_array_open(g);
    for (int ob = 0; ob < HOGO__OB_COUNT; ob++) {
        if (!(d->obligations & (1u << ob)))
            continue;
        yajl_gen_map_open(g);
        kv(g, "type", id_of(p, HOGO__K_OBLIGATION, ob));
        switch (ob) {
        case HOGO__OB_RECORD_PROVISION:
        case HOGO__OB_CONFIRM_RECEIPT:
            kv(g, "statute", ob == HOGO__OB_RECORD_PROVISION ? "APPI Art.29" : "APPI Art.30");
            str(g, "retention_years");
            yajl_gen_integer(g, d->retention_years ? d->retention_years : 3);
            kv(g, "retention_from", d->retention_last ? "last_provision" : "creation");
            if (d->retention_last) {
                /* Rules Art.19(2): continuing provision under one arrangement with the person
                 * may be recorded collectively, kept 3 years from the last provision */
                str(g, "collective");
                yajl_gen_bool(g, 1);
            }
            if (ob == HOGO__OB_CONFIRM_RECEIPT) {
                str(g, "confirm");
                yajl_gen_array_open(g);
                str(g, "provider_name");
                str(g, "provider_address");
                str(g, "provider_representative");
                str(g, "how_the_provider_obtained_the_data");
                yajl_gen_array_close(g);
            }
            break;
        case HOGO__OB_DEIDENTIFY: {
            struct hogo__set drop, gen;
            deid_sets(p, r, d, &drop, &gen);
            str(g, "drop");
            gen_id_set(g, p, HOGO__K_DATA, &drop);
            str(g, "generalize");
            gen_id_set(g, p, HOGO__K_DATA, &gen);
            if (r->form == HOGO__STATISTICS) {
                str(g, "aggregate");
                yajl_gen_bool(g, 1);
            }
            if (d->deid_rule >= 0)
                kv(g, "clause", p->clauses[p->rules[d->deid_rule].clause].id);
            break;
        }
        case HOGO__OB_FOREIGN_TRANSFER_INFO:
            kv(g, "statute", "APPI Art.28");
            kv(g, "country", r->country);
            kv(g, "regime", regime_text(r->country));
            break;
        case HOGO__OB_SUPERVISE_PROCESSOR:
            kv(g, "statute", "APPI Art.25");
            break;
        case HOGO__OB_GUARDIAN_CONSENT_REQUIRED:
            kv(g, "statute", "APPI guidelines 2-16");
            break;
        case HOGO__OB_CHECK_FOREIGN_SYSTEM:
            kv(g, "statute", "APPI Art.28(3), Rules Art.18");
            kv(g, "country", r->country);
            break;
        default:
            break;
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
        yajl_gen_map_open(g);
        int ri = d->reasons[i].rule;
        if (ri < 0) {
            const struct statute_bar *bar = statute_bar_of(d);
            kv(g, "clause", bar->statute);
            kv(g, "effect", "forbid");
            kv(g, "statute", bar->statute);
            kv(g, "explanation", bar->en);
            yajl_gen_map_close(g);
            continue;
        }
        const struct hogo__rule *rule = &p->rules[ri];
        kv(g, "clause", p->clauses[rule->clause].id);
        kv(g, "effect", effect_name(d->reasons[i].effect));
        /* escaped once at load: yajl_gen_number copies a ready value verbatim */
        str(g, "quote");
        yajl_gen_number(g, rule->quote_json, rule->quote_json_len);
        if (d->reasons[i].effect == HOGO__REASON_NO_MATCH) {
            str(g, "missing");
            yajl_gen_array_open(g);
            each_missing(p, r, d, rule, gen_missing_item, g);
            yajl_gen_array_close(g);
        }
        if (d->reasons[i].effect == HOGO__REASON_FORBID && rule->yields_to) {
            str(g, "yields_to");
            yajl_gen_array_open(g);
            for (int b = 0; b < 5; b++)
                if (rule->yields_to & (1u << b))
                    str(g, id_of(p, HOGO__K_BASIS, b));
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
    if (r->memo.valid && cacheable && r->memo.policy_serial == p->serial &&
        same_decision(&r->memo.decision, d)) {
        *json = r->memo.json;
        return 0;
    }
    char *fresh = NULL;
    int rc = hogo_decision_json(p, r, d, &fresh, err);
    if (rc < 0)
        return rc;
    free(r->memo.json);
    r->memo.json = fresh;
    r->memo.valid = cacheable;
    r->memo.policy_serial = p->serial;
    r->memo.decision = *d;
    *json = r->memo.json;
    return 0;
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

int hogo_writer_decision_text(struct hogo_writer *w, const struct hogo_policy *p,
                              const struct hogo_request *r, const struct hogo_decision *d)
{
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
            const struct statute_bar *bar = statute_bar_of(d);
            appendf(w, "  %s  forbid\n        %s\n\n", bar->statute, bar->en);
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
            each_missing(p, r, d, rule, text_missing_item, w);
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
                appendf(w, "; %s: %s", r->country, regime_text(r->country));
            if (ob == HOGO__OB_DEIDENTIFY) {
                struct hogo__set drop, gen;
                deid_sets(p, r, d, &drop, &gen);
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
