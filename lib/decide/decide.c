/*
 * The evaluator: decides a parsed request under a compiled policy in the order of DESIGN.md —
 * restrictions (forbid rules, lifted only by the bases they yield to), then the statute's own
 * bars, then the rules that answer the request's basis, then the obligations the clauses and
 * the APPI attach; with nothing permitting, the closest permit and what it missed.
 * Decision layer. The hot path allocates nothing: all state is in the caller's
 * struct hogo_decision.
 */
#include "decide_int.h"

#include <stdio.h>
#include <string.h>

static bool corps_have(const struct hogo__corps *c, uint64_t x)
{
    for (int i = 0; i < c->n; i++)
        if (c->v[i] == x)
            return true;
    return false;
}

bool hogo__cond_eval(const struct hogo_policy *p, int ci, const struct hogo_request *r)
{
    const struct hogo__cond *c = &p->conds[ci];
    const struct hogo__subject *s = &r->subject;
    const struct hogo_vocab *v = p->vocab;
    bool known = c->fact < 32 && (s->known >> c->fact) & 1;
    switch (c->op) {
    case HOGO__C_ALL:
        for (int i = 0; i < c->count; i++)
            if (!hogo__cond_eval(p, p->children[c->first + i], r))
                return false;
        return true;
    case HOGO__C_ANY:
        for (int i = 0; i < c->count; i++)
            if (hogo__cond_eval(p, p->children[c->first + i], r))
                return true;
        return false;
    case HOGO__C_NOT:
        return c->count == 1 && !hogo__cond_eval(p, p->children[c->first], r);
    case HOGO__C_HAS: {
        if (!known)
            return false;
        if (hogo__facts[c->fact].type == HOGO__FT_CORPS)
            return s->corps[c->fact].n > 0; /* 'any' on a corporate-number list */
        if (!c->value)
            return !hogo__set_empty(&s->ids[c->fact]);
        enum hogo__kind k = hogo__fact_kind(c->fact);
        return c->num >= 0 && k != HOGO__K_COUNT &&
               hogo__set_meets(&s->ids[c->fact], &v->t[k].down[c->num]);
    }
    case HOGO__C_HAS_CORP:
        assert(hogo__facts[c->fact].type == HOGO__FT_CORPS);
        return known && corps_have(&s->corps[c->fact], c->corp);
    case HOGO__C_IS:
        return known && s->flag[c->fact] == c->value;
    case HOGO__C_AGE_AT_MOST:
        return (s->known & (1u << HOGO__F_AGE)) && s->age <= c->num;
    case HOGO__C_AGE_AT_LEAST:
        return (s->known & (1u << HOGO__F_AGE)) && s->age >= c->num;
    case HOGO__C_RECIPIENT_IN:
        return known && r->has_corp && corps_have(&s->corps[c->fact], r->corp);
    case HOGO__C_SERVICE_IN:
        return known && r->service >= 0 &&
               hogo__set_meets(&s->ids[c->fact], &v->t[HOGO__K_SERVICE].up[r->service]);
    case HOGO__C_PURPOSE_OPTED_OUT:
        return (s->known & (1u << HOGO__F_OPT_OUTS)) && r->purpose >= 0 &&
               hogo__set_meets(&s->ids[HOGO__F_OPT_OUTS], &v->t[HOGO__K_PURPOSE].up[r->purpose]);
    case HOGO__C_RECIPIENT_FOREIGN:
        return r->recipient >= 0 && strcmp(r->country, "JP") != 0;
    case HOGO__C_INSTITUTION_QUALIFIES:
        return r->institution >= 0 &&
               (v->t[HOGO__K_INSTITUTION].v[r->institution].flags & HOGO__FLAG_QUALIFIES);
    case HOGO__C_PURPOSE:
        return hogo__set_has(&c->set, r->purpose);
    case HOGO__C_SERVICE:
        return r->service >= 0 && hogo__set_has(&c->set, r->service);
    case HOGO__C_RECIPIENT:
        return r->recipient >= 0 && hogo__set_has(&c->set, r->recipient);
    case HOGO__C_DATA:
        return hogo__set_meets(&r->data, &c->set);
    case HOGO__C_BASIS:
        return (c->num >> r->basis) & 1;
    default:
        return false;
    }
}

static bool selector_has(const struct hogo__selector *sel, int id)
{
    if (!sel->present)
        return true;
    if (id < 0)
        return sel->negated;
    return hogo__set_has(&sel->cover, id);
}

/* Does the named consent cover the request's recipient, purpose and data? */
bool hogo__consent_covers(const struct hogo_policy *p, const struct hogo_request *r)
{
    if (r->consent < 0)
        return false;
    const struct hogo__consent *c = &r->subject.consents[r->consent];
    const struct hogo_vocab *v = p->vocab;
    if (r->recipient >= 0 &&
        (c->recipient < 0 || !hogo__set_has(&v->t[HOGO__K_RECIPIENT].up[r->recipient], c->recipient)))
        return false;
    if (c->purpose < 0 || !hogo__set_has(&v->t[HOGO__K_PURPOSE].up[r->purpose], c->purpose))
        return false;
    return c->has_data && hogo__set_subset(&r->data, &c->data);
}

/* Bits of what a rule does not match in the request (0: it applies). */
unsigned hogo__rule_mismatch(const struct hogo_policy *p, const struct hogo__rule *rule,
                             const struct hogo_request *r)
{
    unsigned miss = 0;
    if (!(rule->actions & (1u << r->action)))
        miss |= HOGO__MISS_ACTION;
    if (!selector_has(&rule->purposes, r->purpose))
        miss |= HOGO__MISS_PURPOSE;
    if (rule->data.present) {
        bool ok = rule->effect == HOGO__FORBID ? hogo__set_meets(&r->data, &rule->data.cover)
                                               : hogo__set_subset(&r->data, &rule->data.cover);
        if (!ok)
            miss |= HOGO__MISS_DATA;
    }
    if (!selector_has(&rule->recipients, r->recipient))
        miss |= HOGO__MISS_RECIPIENT;
    if (!selector_has(&rule->services, r->service))
        miss |= HOGO__MISS_SERVICE;
    if (rule->effect != HOGO__FORBID) {
        if (!(rule->forms & (1u << r->form)))
            miss |= HOGO__MISS_FORM;
        if (!(rule->bases & (1u << r->basis)))
            miss |= HOGO__MISS_BASIS;
        else if (r->basis == HOGO__CONSENT && !hogo__consent_covers(p, r))
            miss |= HOGO__MISS_CONSENT;
    }
    if (rule->when >= 0 && !hogo__cond_eval(p, rule->when, r))
        miss |= HOGO__MISS_WHEN;
    if (rule->unless >= 0 && hogo__cond_eval(p, rule->unless, r))
        miss |= HOGO__MISS_UNLESS;
    return miss;
}

static void add_reason(struct hogo_decision *d, int rule, int effect)
{
    for (int i = 0; i < d->nreasons; i++)
        if (d->reasons[i].rule == rule && d->reasons[i].effect == effect)
            return;
    if (d->nreasons < HOGO_MAX_REASONS) {
        d->reasons[d->nreasons].rule = rule;
        d->reasons[d->nreasons].effect = effect;
        d->nreasons++;
    }
}

static int popcount(unsigned x)
{
    return __builtin_popcount(x);
}

/* How far a permit is from applying: parts weighted by how much they say about intent. */
static int distance(unsigned miss)
{
    int d = 0;
    if (miss & HOGO__MISS_ACTION)
        d += 100;
    if (miss & HOGO__MISS_PURPOSE)
        d += 8;
    if (miss & HOGO__MISS_RECIPIENT)
        d += 10; /* for a provision, the clause about this recipient is what a reader seeks */
    if (miss & HOGO__MISS_BASIS)
        d += 15; /* a rule on another ground (law, consent) only when nothing else is near */
    if (miss & (HOGO__MISS_DATA | HOGO__MISS_SERVICE))
        d += 3;
    return d + popcount(miss & (HOGO__MISS_FORM | HOGO__MISS_WHEN | HOGO__MISS_UNLESS |
                                HOGO__MISS_CONSENT));
}

static bool recipient_in_class(const struct hogo_policy *p, int recipient, int cls)
{
    return recipient >= 0 && cls >= 0 &&
           hogo__set_has(&p->vocab->t[HOGO__K_RECIPIENT].up[recipient], cls);
}

/* The duties the APPI attaches by itself to an allowed request (docs/policy-language.md). */
static void statutory_obligations(const struct hogo_policy *p, const struct hogo_request *r,
                                  struct hogo_decision *d, bool record_exempt)
{
    const struct hogo_vocab *v = p->vocab;
    bool on_consent = r->basis == HOGO__POLICY || r->basis == HOGO__CONSENT;
    /* Art.28: a recipient abroad, unless in a country the PPC designates as equivalent */
    bool foreign = r->recipient >= 0 && strcmp(r->country, "JP") != 0 &&
                   !hogo__equivalent_regime(r->country);
    switch (r->action) {
    case HOGO__PROVIDE: {
        if (!on_consent)
            break;
        /* Art.29(1): none for outsourcing and succession (Art.27(5)); none for a recipient
         * of Art.16(2) (public authorities, local governments, incorporated administrative
         * agencies such as national universities) */
        bool exempt_class = recipient_in_class(p, r->recipient, v->processor) ||
                            recipient_in_class(p, r->recipient, v->successor) ||
                            recipient_in_class(p, r->recipient, v->public_authority) ||
                            recipient_in_class(p, r->recipient, v->local_government) ||
                            hogo__set_has(&v->public_institutions, r->institution);
        if (r->form != HOGO__STATISTICS && (!exempt_class || foreign) && !record_exempt)
            d->obligations |= 1u << HOGO__OB_RECORD_PROVISION;
        if (foreign)
            d->obligations |= 1u << HOGO__OB_FOREIGN_TRANSFER_INFO;
        break;
    }
    case HOGO__OUTSOURCE:
        d->obligations |= 1u << HOGO__OB_SUPERVISE_PROCESSOR;
        if (foreign && on_consent)
            d->obligations |= 1u << HOGO__OB_FOREIGN_TRANSFER_INFO;
        break;
    case HOGO__RECEIVE:
        /* aggregates are not personal data: receiving them needs no confirmation */
        if (on_consent && !record_exempt && r->form != HOGO__STATISTICS &&
            !recipient_in_class(p, r->recipient, v->public_authority))
            d->obligations |= 1u << HOGO__OB_CONFIRM_RECEIPT;
        break;
    default:
        break;
    }
}

int hogo_decide(const struct hogo_policy *p, const struct hogo_request *r,
                struct hogo_decision *d, struct hogo_error *err)
{
    memset(d, 0, sizeof *d);
    d->missing_cond = -1;
    d->deid_rule = -1;
    if (strcmp(r->policy, p->id) != 0)
        return hogo_error_set(err, HOGO_EINVAL, "/policy",
                              "the request is for policy '%s' but policy '%s' was loaded; send "
                              "it to the right policy or fix \"policy\"",
                              r->policy, p->id);
    if (r->has_at && r->at < p->in_force_from)
        return hogo_error_set(err, HOGO_EINVAL, "/at",
                              "policy '%s' version %s was not yet in force at that instant; "
                              "load the version in force then, or drop \"at\" to decide now",
                              p->id, p->version);
    if (r->action < 0 || r->action >= 5)
        return hogo_error_set(err, HOGO_EINVAL, "/action", "the request has no valid action");
    if (r->basis == HOGO__CONSENT && r->consent < 0)
        return hogo__consent_not_found(r->consent_id, err); /* no consents were ever set */

    /* 1. restrictions */
    const int *forbids = p->by_action[r->action][HOGO__FORBID];
    for (int i = 0; i < p->nby_action[r->action][HOGO__FORBID]; i++) {
        const struct hogo__rule *rule = &p->rules[forbids[i]];
        if (hogo__rule_mismatch(p, rule, r))
            continue;
        if (rule->yields_to & (1u << r->basis)) {
            if (r->basis != HOGO__CONSENT || hogo__consent_covers(p, r))
                continue;
        }
        add_reason(d, rule->index, HOGO__REASON_FORBID);
        d->obligations |= rule->obligations;
    }
    if (d->nreasons) {
        d->allow = false;
        return 0;
    }
    /* 2. the statute's own bar: pseudonymised data never goes to a third party (Art. 41(6)) */
    if (r->action == HOGO__PROVIDE && r->form == HOGO__PSEUDONYMIZED &&
        (r->basis == HOGO__POLICY || r->basis == HOGO__CONSENT)) {
        d->statute = HOGO__STATUTE_PSEUDONYMIZED_PROVISION;
        add_reason(d, -1, HOGO__REASON_FORBID);
        d->allow = false;
        return 0;
    }
    /* 3. permits answering the request's basis */
    const int *permits = p->by_action[r->action][HOGO__PERMIT];
    int npermits = p->nby_action[r->action][HOGO__PERMIT];
    bool all_demand_deid = true, all_record_exempt = true;
    int best = -1, best_distance = 1 << 30;
    unsigned best_miss = 0;
    for (int i = 0; i < npermits; i++) {
        const struct hogo__rule *rule = &p->rules[permits[i]];
        unsigned miss = hogo__rule_mismatch(p, rule, r);
        if (miss) {
            int dist = distance(miss);
            if (dist < best_distance) {
                best_distance = dist;
                best = rule->index;
                best_miss = miss;
            }
            continue;
        }
        add_reason(d, rule->index, HOGO__REASON_PERMIT);
        d->obligations |= rule->obligations;
        if (rule->forms & (1u << HOGO__IDENTIFIED))
            all_demand_deid = false;
        else if (d->deid_rule < 0)
            d->deid_rule = rule->index;
        if (!rule->record_exempt)
            all_record_exempt = false;
        if (rule->retention_years && !d->retention_years) {
            d->retention_years = rule->retention_years;
            d->retention_last = rule->retention_last;
        }
    }
    if (d->nreasons == 0) {
        /* 5. nothing permits it: the closest permit of any action, and what it missed */
        if (best < 0) {
            for (int i = 0; i < p->nrules; i++) {
                const struct hogo__rule *rule = &p->rules[i];
                if (rule->effect != HOGO__PERMIT)
                    continue;
                unsigned miss = hogo__rule_mismatch(p, rule, r);
                int dist = distance(miss);
                if (dist < best_distance) {
                    best_distance = dist;
                    best = i;
                    best_miss = miss;
                }
            }
        }
        d->allow = false;
        d->obligations = 0;
        d->missing = best_miss;
        if (best >= 0)
            add_reason(d, best, HOGO__REASON_NO_MATCH);
        return 0;
    }
    /* 4. obligations */
    if (!all_demand_deid)
        d->deid_rule = -1;
    if (d->deid_rule >= 0 && r->form != HOGO__IDENTIFIED)
        d->obligations |= 1u << HOGO__OB_DEIDENTIFY;
    else
        d->obligations &= ~(1u << HOGO__OB_DEIDENTIFY);
    const int *obliges = p->by_action[r->action][HOGO__OBLIGE];
    for (int i = 0; i < p->nby_action[r->action][HOGO__OBLIGE]; i++) {
        const struct hogo__rule *rule = &p->rules[obliges[i]];
        if (hogo__rule_mismatch(p, rule, r))
            continue;
        add_reason(d, rule->index, HOGO__REASON_OBLIGE);
        d->obligations |= rule->obligations;
    }
    statutory_obligations(p, r, d, all_record_exempt);
    if (!d->retention_years)
        d->retention_years = HOGO__DEFAULT_RETENTION_YEARS;
    d->allow = true;
    return 0;
}
