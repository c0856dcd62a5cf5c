/*
 * Internal definitions shared by the evaluator and the response writers: what a rule can
 * miss, the kinds of reasons, and the statutory bars the engine applies by itself.
 * Decision layer (private).
 */
#ifndef HOGO_DECIDE_INT_H
#define HOGO_DECIDE_INT_H

#include "../policy/policy_int.h"

/* Parts of a request a rule may not match (struct hogo_decision.missing). */
enum {
    HOGO__MISS_ACTION = 1 << 0,
    HOGO__MISS_PURPOSE = 1 << 1,
    HOGO__MISS_DATA = 1 << 2,
    HOGO__MISS_RECIPIENT = 1 << 3,
    HOGO__MISS_SERVICE = 1 << 4,
    HOGO__MISS_FORM = 1 << 5,
    HOGO__MISS_BASIS = 1 << 6,
    HOGO__MISS_WHEN = 1 << 7,
    HOGO__MISS_UNLESS = 1 << 8,
    HOGO__MISS_CONSENT = 1 << 9,
};

/* struct hogo_decision.reasons[].effect */
enum { HOGO__REASON_PERMIT, HOGO__REASON_FORBID, HOGO__REASON_OBLIGE, HOGO__REASON_NO_MATCH };

/* struct hogo_decision.statute */
enum {
    HOGO__STATUTE_NONE,
    HOGO__STATUTE_PSEUDONYMIZED_PROVISION, /* APPI Art.41(6) */
    HOGO__STATUTE_PSEUDONYMIZED_CONTACT,   /* APPI Art.41(8) */
};

/* Evaluates condition ci of policy p on request r (unknown facts make tests false). */
bool hogo__cond_eval(const struct hogo_policy *p, int ci, const struct hogo_request *r);

/* Bits of what rule does not match in r; 0 when it applies. */
unsigned hogo__rule_mismatch(const struct hogo_policy *p, const struct hogo__rule *rule,
                             const struct hogo_request *r);

/* True when the consent the request names covers its recipient, purpose and data. */
bool hogo__consent_covers(const struct hogo_policy *p, const struct hogo_request *r);

#endif
