/*
 * Internal definitions shared by the request parser, the evaluator and the response writers:
 * the parsed request, what a rule can miss, the kinds of reasons, and the statutory bars the
 * engine applies by itself. Decision layer (private), on the policy layer's policy_int.h;
 * the ledger's provide step, above it, includes it for the request it records.
 */
#ifndef HOGO_DECIDE_INT_H
#define HOGO_DECIDE_INT_H

#include "policy/policy_int.h"

/* Years a provision or receipt record is kept when no rule says otherwise (APPI Enforcement
 * Rules Art.21, Art.25: three years, one year for the cases they list). */
#define HOGO__DEFAULT_RETENTION_YEARS 3

/* --- Requests ---------------------------------------------------------------------------- */

struct hogo__consent {
    char id[96];
    int recipient; /* -1: any */
    int purpose;   /* -1: any */
    bool has_data;
    struct hogo__set data;
};

/* A growable array of corporate numbers, reused across requests. */
struct hogo__corps {
    uint64_t *v; /* owned */
    int n;
    size_t cap; /* elements allocated */
};

_Static_assert(HOGO__F_COUNT <= 32, "hogo__subject.known holds one bit per subject fact");

struct hogo__subject {
    uint32_t known; /* bit per enum hogo__fact given */
    int age;
    bool flag[HOGO__F_COUNT];          /* boolean facts */
    struct hogo__set ids[HOGO__F_COUNT]; /* id-list facts (accounts, services, purposes) */
    struct hogo__corps corps[HOGO__F_COUNT]; /* corporate-number list facts (HOGO__FT_CORPS) */
    struct hogo__consent *consents;     /* owned, reused */
    int nconsents;
    size_t capconsents; /* elements allocated */
};

struct hogo_request {
    char policy[64];
    bool has_at;
    int64_t at; /* unix seconds */
    int action, purpose, service, recipient, institution, form, basis;
    struct hogo__set data;
    bool has_corp;
    uint64_t corp;
    char country[3];
    char consent_id[96];
    int consent; /* index into subject.consents, -1 */
    char subject_id[128];
    struct hogo__subject subject;
    unsigned seen; /* which top-level fields were given */
    /* the JSON of the last decision written for this request (hogo__decision_json_memo()),
     * valid while the request's own fields stay as they are; reset() invalidates it */
    struct {
        bool valid;
        bool fresh; /* written for the request as it is now: its facts were not set since */
        uint64_t policy_serial; /* the policy it was written under (hogo_policy.serial) */
        struct hogo_decision decision;
        char *json; /* owned; a reset leaves it to be freed by the next one */
    } memo;
};

/* The decision JSON of hogo_decision_json() (one line), borrowed from the request, which
 * keeps the last one it wrote: a batch deciding one request for many subjects (the facts
 * change, the request does not) writes it once per distinct decision. A decision that
 * misses a rule (whose "missing" parts may name the subject's facts) is written afresh. */
int hogo__decision_json_memo(const struct hogo_policy *p, struct hogo_request *r,
                             const struct hogo_decision *d, const char **json,
                             struct hogo_error *err);

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
enum { HOGO__STATUTE_NONE, HOGO__STATUTE_PSEUDONYMIZED_PROVISION };

/* Evaluates condition ci of policy p on request r (unknown facts make tests false). */
bool hogo__cond_eval(const struct hogo_policy *p, int ci, const struct hogo_request *r);

/* Bits of what rule does not match in r; 0 when it applies. */
unsigned hogo__rule_mismatch(const struct hogo_policy *p, const struct hogo__rule *rule,
                             const struct hogo_request *r);

/* The readers of explain.c the writers share: an obligation by its type (HOGO__OB_*), the
 * categories a deidentify obligation drops and generalises to, and what a foreign country's
 * regime means for Art. 28. */
void hogo__obligation_read(const struct hogo_policy *p, const struct hogo_request *r,
                           const struct hogo_decision *d, int ob, struct hogo_obligation *o);
void hogo__deid_sets(const struct hogo_policy *p, const struct hogo_request *r,
                     const struct hogo_decision *d, struct hogo__set *drop,
                     struct hogo__set *gen);
const char *hogo__regime_text(const char *country);

/* The error for a consent_id that names no consent of the subject's (request.c). */
int hogo__consent_not_found(const char *consent_id, struct hogo_error *err);

/* True when the consent the request names covers its recipient, purpose and data. */
bool hogo__consent_covers(const struct hogo_policy *p, const struct hogo_request *r);

#endif
