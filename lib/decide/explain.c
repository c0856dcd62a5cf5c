/*
 * Reading a decision without its JSON: its reasons (clause, effect, quote), what a closest
 * clause missed, and its obligations with their particulars, straight from struct
 * hogo_decision, the policy and the request. The JSON and text writers (writer.c) are built on
 * these same readers, so an embedder reads exactly what the response says.
 * Decision layer.
 */
#include "decide_int.h"

#include <stdio.h>
#include <string.h>

static const char statute_41_6[] = "APPI Art.41(6)";
static const char statute_41_8[] = "APPI Art.41(8)";

static const char *effect_name(int effect)
{
    switch (effect) {
    case HOGO__REASON_PERMIT: return "permit";
    case HOGO__REASON_FORBID: return "forbid";
    case HOGO__REASON_OBLIGE: return "obligation";
    default: return "no_match";
    }
}

int hogo_decision_reason(const struct hogo_policy *p, const struct hogo_decision *d, int i,
                         struct hogo_reason *out)
{
    memset(out, 0, sizeof *out);
    if (i < 0 || i >= d->nreasons)
        return HOGO_EINVAL;
    int ri = d->reasons[i].rule;
    if (ri < 0) {
        bool contact = d->statute == HOGO__STATUTE_PSEUDONYMIZED_CONTACT;
        out->clause = contact ? statute_41_8 : statute_41_6;
        out->effect = "forbid";
        out->statute = out->clause;
        out->quote = contact
                         ? "pseudonymised data (仮名加工情報) may not be used to call, mail, e-mail "
                           "or otherwise reach the person; use identified data on the policy's "
                           "own terms, or do not contact"
                         : "pseudonymised data (仮名加工情報) may not be provided to a third party "
                           "except as the law requires (a processor or a successor is not a "
                           "third party, Art.27(5)); provide it de-identified or as statistics";
        return 0;
    }
    const struct hogo__rule *rule = &p->rules[ri];
    const struct hogo__clause *c = &p->clauses[rule->clause];
    out->clause = c->id;
    out->title = c->title;
    out->effect = effect_name(d->reasons[i].effect);
    out->quote = rule->quote;
    if (d->reasons[i].effect == HOGO__REASON_FORBID)
        for (int b = 0; b < p->vocab->t[HOGO__K_BASIS].n && out->n_yields_to < (int)(sizeof out->yields_to / sizeof *out->yields_to); b++)
            if (rule->yields_to & (1u << b))
                out->yields_to[out->n_yields_to++] = p->vocab->t[HOGO__K_BASIS].v[b].id;
    return 0;
}

/* Appends the ids of the data categories in s to buf, separated by sep; returns the new
 * length. */
static size_t append_ids(char *buf, size_t cap, size_t used, const struct hogo_vocab *v,
                         const struct hogo__set *s, const char *sep)
{
    bool first = true;
    for (int i = 0; i < v->t[HOGO__K_DATA].n && used < cap - 80; i++)
        if (hogo__set_has(s, i)) {
            used += (size_t)snprintf(buf + used, cap - used, "%s%s", first ? "" : sep,
                                     v->t[HOGO__K_DATA].v[i].id);
            first = false;
        }
    return used;
}

/* Hands one part to the caller's function and counts it. */
static void emit(void (*fn)(void *ctx, const char *s), void *ctx, const char *s, int *n)
{
    fn(ctx, s);
    (*n)++;
}

int hogo_decision_missing(const struct hogo_policy *p, const struct hogo_request *r,
                          const struct hogo_decision *d, int i,
                          void (*fn)(void *ctx, const char *part), void *ctx)
{
    if (i < 0 || i >= d->nreasons || d->reasons[i].rule < 0 ||
        d->reasons[i].effect != HOGO__REASON_NO_MATCH)
        return 0;
    const struct hogo__rule *rule = &p->rules[d->reasons[i].rule];
    const struct hogo_vocab *v = p->vocab;
    char buf[1200];
    unsigned m = d->missing;
    int n = 0;
    if (m & HOGO__MISS_ACTION) {
        char acts[128] = "";
        for (int a = 0; a < v->t[HOGO__K_ACTION].n; a++)
            if (rule->actions & (1u << a)) {
                strncat(acts, acts[0] ? " or " : "", sizeof acts - strlen(acts) - 1);
                strncat(acts, v->t[HOGO__K_ACTION].v[a].id, sizeof acts - strlen(acts) - 1);
            }
        snprintf(buf, sizeof buf, "action: %s", acts);
        emit(fn, ctx, buf, &n);
    }
    if (m & HOGO__MISS_PURPOSE) {
        snprintf(buf, sizeof buf, "purpose: %s", rule->purposes.text ? rule->purposes.text : "");
        emit(fn, ctx, buf, &n);
    }
    if (m & HOGO__MISS_RECIPIENT) {
        snprintf(buf, sizeof buf, "recipient: %s",
                 rule->recipients.text ? rule->recipients.text : "");
        emit(fn, ctx, buf, &n);
    }
    if (m & HOGO__MISS_DATA) {
        struct hogo__set uncovered;
        memset(&uncovered, 0, sizeof uncovered);
        for (int k = 0; k < v->t[HOGO__K_DATA].n; k++)
            if (hogo__set_has(&r->data, k) && !hogo__set_has(&rule->data.cover, k))
                hogo__set_add(&uncovered, k);
        size_t used = (size_t)snprintf(buf, sizeof buf, "data: ");
        used = append_ids(buf, sizeof buf, used, v, &uncovered, ", ");
        snprintf(buf + used, sizeof buf - used, " not covered (covered: %s)",
                 rule->data.text ? rule->data.text : "");
        emit(fn, ctx, buf, &n);
    }
    if (m & HOGO__MISS_SERVICE) {
        snprintf(buf, sizeof buf, "service: %s", rule->services.text ? rule->services.text : "");
        emit(fn, ctx, buf, &n);
    }
    if (m & HOGO__MISS_FORM) {
        const char *f = rule->forms & (1u << HOGO__DEIDENTIFIED)  ? "deidentified"
                        : rule->forms & (1u << HOGO__STATISTICS) ? "statistics"
                        : rule->forms & (1u << HOGO__IDENTIFIED) ? "identified"
                                                                 : "pseudonymized";
        snprintf(buf, sizeof buf, "form: %s", f);
        emit(fn, ctx, buf, &n);
    }
    if (m & HOGO__MISS_BASIS) {
        size_t used = (size_t)snprintf(buf, sizeof buf, "basis: ");
        bool first = true;
        for (int b = 0; b < v->t[HOGO__K_BASIS].n; b++)
            if (rule->bases & (1u << b)) {
                used += (size_t)snprintf(buf + used, sizeof buf - used, "%s%s",
                                         first ? "" : " or ", v->t[HOGO__K_BASIS].v[b].id);
                first = false;
            }
        emit(fn, ctx, buf, &n);
    }
    if (m & HOGO__MISS_CONSENT) {
        snprintf(buf, sizeof buf,
                 "consent: '%s' does not cover this recipient, purpose and data", r->consent_id);
        emit(fn, ctx, buf, &n);
    }
    if (m & HOGO__MISS_WHEN) {
        char c[1000];
        hogo__cond_render(p, rule->when, c, sizeof c);
        snprintf(buf, sizeof buf, "condition: %s", c);
        emit(fn, ctx, buf, &n);
    }
    if (m & HOGO__MISS_UNLESS) {
        char c[1000];
        hogo__cond_render(p, rule->unless, c, sizeof c);
        snprintf(buf, sizeof buf, "condition: not (%s)", c);
        emit(fn, ctx, buf, &n);
    }
    return n;
}

const char *hogo__regime_text(const char *country)
{
    return hogo__equivalent_regime(country)
               ? "equivalent: the PPC designates this country's personal-data protection system "
                 "as equivalent to Japan's (EU/EEA/UK)"
               : "not designated: tell the person the country, its protection system and the "
                 "recipient's measures (Enforcement Rules Art.17), or confirm the recipient "
                 "keeps a system meeting APPI standards (Art.16)";
}

void hogo__obligation_read(const struct hogo_policy *p, const struct hogo_request *r,
                           const struct hogo_decision *d, int ob, struct hogo_obligation *o)
{
    memset(o, 0, sizeof *o);
    o->type = p->vocab->t[HOGO__K_OBLIGATION].v[ob].id;
    switch (ob) {
    case HOGO__OB_RECORD_PROVISION:
    case HOGO__OB_CONFIRM_RECEIPT:
        o->statute = ob == HOGO__OB_RECORD_PROVISION ? "APPI Art.29" : "APPI Art.30";
        o->retention_years = d->retention_years ? d->retention_years : HOGO__DEFAULT_RETENTION_YEARS;
        o->retention_from = d->retention_last ? "last_provision" : "creation";
        o->confirm = ob == HOGO__OB_CONFIRM_RECEIPT;
        break;
    case HOGO__OB_DEIDENTIFY:
        o->aggregate = r->form == HOGO__STATISTICS;
        if (d->deid_rule >= 0)
            o->clause = p->clauses[p->rules[d->deid_rule].clause].id;
        break;
    case HOGO__OB_FOREIGN_TRANSFER_INFO:
        o->statute = "APPI Art.28";
        o->country = r->country;
        o->regime = hogo__regime_text(r->country);
        break;
    case HOGO__OB_SUPERVISE_PROCESSOR:
        o->statute = "APPI Art.25";
        break;
    case HOGO__OB_GUARDIAN_CONSENT_REQUIRED:
        o->statute = "APPI guidelines 2-16";
        break;
    case HOGO__OB_CHECK_FOREIGN_SYSTEM:
        o->statute = "APPI Art.28(3), Rules Art.18";
        break;
    default:
        break;
    }
}

int hogo_decision_obligation_count(const struct hogo_decision *d)
{
    int n = 0;
    for (int ob = 0; ob < HOGO__OB_COUNT; ob++)
        n += (d->obligations >> ob) & 1;
    return n;
}

int hogo_decision_obligation(const struct hogo_policy *p, const struct hogo_request *r,
                             const struct hogo_decision *d, int i, struct hogo_obligation *out)
{
    memset(out, 0, sizeof *out);
    for (int ob = 0; ob < HOGO__OB_COUNT && i >= 0; ob++)
        if ((d->obligations >> ob) & 1 && i-- == 0) {
            hogo__obligation_read(p, r, d, ob, out);
            return 0;
        }
    return HOGO_EINVAL;
}

void hogo__deid_sets(const struct hogo_policy *p, const struct hogo_request *r,
                     const struct hogo_decision *d, struct hogo__set *drop,
                     struct hogo__set *gen)
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

int hogo_decision_deid_categories(const struct hogo_policy *p, const struct hogo_request *r,
                                  const struct hogo_decision *d, bool generalize,
                                  void (*fn)(void *ctx, const char *id), void *ctx)
{
    if (!(d->obligations & (1u << HOGO__OB_DEIDENTIFY)))
        return 0;
    struct hogo__set drop, gen;
    hogo__deid_sets(p, r, d, &drop, &gen);
    const struct hogo__set *s = generalize ? &gen : &drop;
    const struct hogo__table *t = &p->vocab->t[HOGO__K_DATA];
    int n = 0;
    for (int i = 0; i < t->n; i++)
        if (hogo__set_has(s, i))
            emit(fn, ctx, t->v[i].id, &n);
    return n;
}
