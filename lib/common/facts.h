/*
 * The subject facts a decision depends on (spec/vocabulary.yaml `subject_facts`): their ids,
 * their order and what each holds, written once as an X-macro table. The policy loader checks
 * a loaded vocabulary against it, the request parser and the evaluator index by it, and the
 * store takes the facts it keeps from it. Common layer: depends on nothing else in lib/.
 */
#ifndef HOGO_COMMON_FACTS_H
#define HOGO_COMMON_FACTS_H

/* What a fact holds. INTEGER and BOOLEAN are single values; the others are arrays (the
 * vocabulary's `type: array`) of linkable-account ids, service ids, corporate numbers,
 * purpose ids, or consent objects. */
enum hogo__fact_type {
    HOGO__FT_INTEGER,
    HOGO__FT_BOOLEAN,
    HOGO__FT_ACCOUNTS,
    HOGO__FT_SERVICES,
    HOGO__FT_CORPS,
    HOGO__FT_PURPOSES,
    HOGO__FT_CONSENTS,
};

/* X(ENUM_SUFFIX, id, type suffix), in the order of the vocabulary's subject_facts. */
#define HOGO__SUBJECT_FACTS(X)                  \
    X(AGE, age, INTEGER)                        \
    X(GUARDIAN_CONSENT, guardian_consent, BOOLEAN) \
    X(LINKED_ACCOUNTS, linked_accounts, ACCOUNTS) \
    X(LINKING_IN_PROGRESS, linking_in_progress, ACCOUNTS) \
    X(SERVICES_USED, services_used, SERVICES)   \
    X(SERVICES_REQUESTED, services_requested, SERVICES) \
    X(APPLIED_TO, applied_to, CORPS)            \
    X(AFFILIATED_ORGANIZATIONS, affiliated_organizations, CORPS) \
    X(SCOUT_SERVICE, scout_service, BOOLEAN)    \
    X(BLOCKED_COMPANIES, blocked_companies, CORPS) \
    X(OPT_OUTS, opt_outs, PURPOSES)             \
    X(SUSPENDED, suspended, BOOLEAN)            \
    X(ERASED, erased, BOOLEAN)                  \
    X(PROVISION_STOPPED, provision_stopped, BOOLEAN) \
    X(CONSENTS, consents, CONSENTS)             \
    X(CONTRACT_LIMITED, contract_limited, BOOLEAN) \
    X(POINT_PROGRAM_SERVICES, point_program_services, SERVICES) \
    X(NAME_PUBLICATION_EXPLAINED, name_publication_explained, BOOLEAN)

/* Subject facts, in the order of the vocabulary's subject_facts. */
enum hogo__fact {
#define HOGO__FACT_ENUM(e, id, type) HOGO__F_##e,
    HOGO__SUBJECT_FACTS(HOGO__FACT_ENUM)
#undef HOGO__FACT_ENUM
    HOGO__F_COUNT
};

/* One subject fact: its vocabulary id and what it holds. */
struct hogo__fact_def {
    const char *name; /* the id in the vocabulary */
    enum hogo__fact_type type;
};

/* Every subject fact, indexed by enum hogo__fact. */
extern const struct hogo__fact_def hogo__facts[HOGO__F_COUNT];

/* True for the facts written as JSON arrays (everything but integers and booleans). */
static inline int hogo__fact_type_is_array(enum hogo__fact_type t)
{
    return t != HOGO__FT_INTEGER && t != HOGO__FT_BOOLEAN;
}

/* The vocabulary's name of a fact type: "integer", "boolean" or "array". */
static inline const char *hogo__fact_type_name(enum hogo__fact_type t)
{
    return t == HOGO__FT_INTEGER ? "integer" : t == HOGO__FT_BOOLEAN ? "boolean" : "array";
}

#endif
