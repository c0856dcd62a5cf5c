/*
 * Internal structures of the policy layer: the loaded vocabulary (ids, hierarchies as
 * closure bit sets), compiled policies (rules with selectors as bit sets, conditions as a
 * small expression tree) and the parsed request the decision layer evaluates.
 * Policy layer (private header, shared with lib/decide). Nothing here is public API.
 */
#ifndef HOGO_POLICY_INT_H
#define HOGO_POLICY_INT_H

#include <hogo/decide.h>
#include <hogo/file.h>
#include <hogo/policy.h>

#include "common/corpnum.h"
#include "common/facts.h"

#include <assert.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* A set of vocabulary indexes of one kind. 256 ids per kind is the limit the loader checks. */
#define HOGO__SET_WORDS 4
#define HOGO__MAX_IDS (HOGO__SET_WORDS * 64)

struct hogo__set {
    uint64_t w[HOGO__SET_WORDS];
};

static inline void hogo__set_add(struct hogo__set *s, int i)
{
    s->w[i >> 6] |= UINT64_C(1) << (i & 63);
}

static inline bool hogo__set_has(const struct hogo__set *s, int i)
{
    return i >= 0 && (s->w[i >> 6] >> (i & 63)) & 1;
}

static inline void hogo__set_union(struct hogo__set *d, const struct hogo__set *s)
{
    for (int k = 0; k < HOGO__SET_WORDS; k++)
        d->w[k] |= s->w[k];
}

/* True when every member of a is in b. */
static inline bool hogo__set_subset(const struct hogo__set *a, const struct hogo__set *b)
{
    uint64_t r = 0;
    for (int k = 0; k < HOGO__SET_WORDS; k++)
        r |= a->w[k] & ~b->w[k];
    return r == 0;
}

static inline bool hogo__set_meets(const struct hogo__set *a, const struct hogo__set *b)
{
    uint64_t r = 0;
    for (int k = 0; k < HOGO__SET_WORDS; k++)
        r |= a->w[k] & b->w[k];
    return r != 0;
}

static inline bool hogo__set_empty(const struct hogo__set *a)
{
    uint64_t r = 0;
    for (int k = 0; k < HOGO__SET_WORDS; k++)
        r |= a->w[k];
    return r == 0;
}

/* The kinds of ids the vocabulary defines. */
enum hogo__kind {
    HOGO__K_POLICY,
    HOGO__K_ACTION,
    HOGO__K_DATA,
    HOGO__K_PURPOSE,
    HOGO__K_SERVICE,
    HOGO__K_RECIPIENT, /* named recipients and recipient classes, one id space */
    HOGO__K_INSTITUTION,
    HOGO__K_ACCOUNT,
    HOGO__K_FORM,
    HOGO__K_BASIS,
    HOGO__K_FACT,
    HOGO__K_OBLIGATION,
    HOGO__K_COUNT
};

/* Fixed ids the engine itself reasons about, X(ENUM, id) in the order of the vocabulary's
 * sections; the loader checks the vocabulary has them in this order, so they can be used as
 * indexes. */
#define HOGO__ACTIONS(X)                                                                      \
    X(HOGO__USE, use) X(HOGO__PROVIDE, provide) X(HOGO__RECEIVE, receive)                     \
    X(HOGO__OUTSOURCE, outsource) X(HOGO__PROCESS_ENTRUSTED, process_entrusted)
#define HOGO__FORMS(X)                                                                        \
    X(HOGO__IDENTIFIED, identified) X(HOGO__PSEUDONYMIZED, pseudonymized)                     \
    X(HOGO__DEIDENTIFIED, deidentified) X(HOGO__STATISTICS, statistics)
#define HOGO__BASES(X)                                                                        \
    X(HOGO__POLICY, policy) X(HOGO__LAW, law) X(HOGO__POLICE, police_investigation)           \
    X(HOGO__COURT, court_order) X(HOGO__CONSENT, consent)
#define HOGO__FIXED_ENUM(e, id) e,
enum hogo__action { HOGO__ACTIONS(HOGO__FIXED_ENUM) HOGO__ACTION_COUNT };
enum hogo__form { HOGO__FORMS(HOGO__FIXED_ENUM) HOGO__FORM_COUNT };
enum hogo__basis { HOGO__BASES(HOGO__FIXED_ENUM) HOGO__BASIS_COUNT };
#undef HOGO__FIXED_ENUM
enum hogo__obligation {
    HOGO__OB_RECORD_PROVISION,
    HOGO__OB_CONFIRM_RECEIPT,
    HOGO__OB_DEIDENTIFY,
    HOGO__OB_FOREIGN_TRANSFER_INFO,
    HOGO__OB_SUPERVISE_PROCESSOR,
    HOGO__OB_LIMIT_USE_BY_CONTRACT,
    HOGO__OB_GUARDIAN_CONSENT_REQUIRED,
    HOGO__OB_CHECK_FOREIGN_SYSTEM,
    HOGO__OB_PUBLISH_ANONYMIZED_ITEMS,
    HOGO__OB_NOTIFY_ANONYMIZED_RECIPIENT,
    HOGO__OB_COUNT
};

/* Entry flags. */
enum {
    HOGO__FLAG_SENSITIVE = 1 << 0,   /* data: 要配慮個人情報 */
    HOGO__FLAG_INFORMATIVE = 1 << 1, /* data: インフォマティブ情報 */
    HOGO__FLAG_QUALIFIES = 1 << 2,   /* institution type: meets the research clauses */
    HOGO__FLAG_CLASS = 1 << 3,       /* recipient: a class, not a named recipient */
    HOGO__FLAG_DIRECT_ID = 1 << 4,   /* data: a direct identifier de-identification drops */
};

/* One vocabulary id. */
struct hogo__entry {
    char *id;          /* owned */
    char *ja;          /* owned, may be NULL */
    char *en;          /* owned, may be NULL */
    char *parent_ids;  /* owned: space-separated broader ids as written, resolved later */
    unsigned flags;    /* HOGO__FLAG_SENSITIVE ... */
    unsigned actions;  /* purposes: bit per enum hogo__action allowed (for_actions) */
    char *version;     /* policies: the version date; owned, may be NULL */
};

/* All ids of one kind, with their hierarchy closed both ways. */
struct hogo__table {
    struct hogo__entry *v; /* owned, n entries */
    int n;
    int *order;            /* owned: indexes sorted by id, for lookup */
    struct hogo__set *up;  /* owned: up[i] = i and every broader id */
    struct hogo__set *down; /* owned: down[i] = i and every narrower id */
};

struct hogo_vocab {
    struct hogo__table t[HOGO__K_COUNT];
    char *path; /* owned: the file it was loaded from */
    /* recipient classes the APPI treats specially (-1 when the vocabulary lacks them) */
    int processor, successor, public_authority, local_government;
    /* institution types that are Art. 16(2) bodies (incorporated administrative agencies) */
    struct hogo__set public_institutions;
    /* purposes that reach the person (mail, e-mail, calls, notices, ads, scout messages): the
     * ones APPI Art.41(8) bars pseudonymised data from, with every narrower purpose */
    struct hogo__set contacting_purposes;
    /* data categories de-identification generalises to (性別・年代) */
    int gender, age_group;
};

/* Looks an id up in a table; returns its index or -1. */
int hogo__vocab_find(const struct hogo_vocab *v, enum hogo__kind k, const char *id, size_t len);

/* Writes into buf the known id of kind k nearest to id (edit distance), or "" if none is close. */
void hogo__vocab_nearest(const struct hogo_vocab *v, enum hogo__kind k, const char *id, char *buf,
                         size_t bufsize);

/* The name among names[0..n) nearest to id (edit distance, prefixes count as close), or NULL
 * when none is close enough to suggest. */
const char *hogo__nearest_name(const char *id, const char *const *names, size_t n);

/* Name of a kind for messages ("data category", "purpose"...). */
const char *hogo__kind_name(enum hogo__kind k);

/* --- Conditions -------------------------------------------------------------------------- */

enum hogo__cond_op {
    HOGO__C_ALL,
    HOGO__C_ANY,
    HOGO__C_NOT,
    HOGO__C_HAS,          /* list fact contains id (or any) */
    HOGO__C_HAS_CORP,     /* corporate-number list fact contains a number */
    HOGO__C_IS,           /* boolean fact equals */
    HOGO__C_AGE_AT_MOST,
    HOGO__C_AGE_AT_LEAST,
    HOGO__C_RECIPIENT_IN, /* recipient.corporate_number in a corp list fact */
    HOGO__C_SERVICE_IN,   /* request service (or broader) in a service list fact */
    HOGO__C_PURPOSE_OPTED_OUT,
    HOGO__C_RECIPIENT_FOREIGN,
    HOGO__C_INSTITUTION_QUALIFIES,
    HOGO__C_PURPOSE, /* request purpose covered by set */
    HOGO__C_SERVICE,
    HOGO__C_RECIPIENT,
    HOGO__C_DATA,
    HOGO__C_BASIS,
};

/* One node of a condition tree. Children of ALL/ANY/NOT are cond indexes kept in the policy's
 * child array from `first` for `count` entries. */
struct hogo__cond {
    uint8_t op;      /* enum hogo__cond_op */
    uint8_t fact;    /* enum hogo__fact for fact tests */
    bool value;      /* IS: expected value; HAS: false = any non-empty list */
    int32_t num;     /* AGE_*: the bound; HAS: the id index; BASIS: mask */
    uint64_t corp;   /* HAS_CORP: the corporate number */
    int first, count; /* children */
    struct hogo__set set; /* PURPOSE/SERVICE/RECIPIENT/DATA: covered ids */
};

/* --- Rules and clauses ------------------------------------------------------------------- */

enum hogo__effect { HOGO__PERMIT, HOGO__FORBID, HOGO__OBLIGE, HOGO__EFFECT_COUNT };

/* A selector over one kind of id: which request ids it covers. */
struct hogo__selector {
    bool present;        /* false: any */
    bool negated;        /* written {not: [...]} */
    struct hogo__set cover; /* ids covered (already complemented when negated) */
    char *text;          /* owned: the ids as written, for explanations */
};

/* A deidentify obligation's parameters as a rule states them. */
struct hogo__deid_spec {
    bool given;
    struct hogo__set drop;       /* data categories */
    struct hogo__set generalize; /* data categories */
};

struct hogo__rule {
    int clause;          /* index of its clause */
    int index;           /* index within the policy's rule array */
    uint8_t effect;      /* enum hogo__effect */
    unsigned actions;    /* bit per enum hogo__action */
    unsigned forms;      /* bit per enum hogo__form allowed (permit) */
    unsigned bases;      /* bit per enum hogo__basis the rule answers (permit/oblige) */
    unsigned yields_to;  /* forbid: bases that lift it */
    bool third_party;    /* forbid: worded as a bar on 第三者提供; APPI Art.27(5) recipients
                          * (processors, successors) are outside it */
    struct hogo__selector purposes, data, recipients, services;
    int when;            /* cond index or -1 */
    int unless;          /* cond index or -1 */
    unsigned obligations; /* bit per enum hogo__obligation the rule attaches */
    struct hogo__deid_spec deid;
    bool record_exempt;   /* record: {exempt: ...} */
    char *record_exempt_reason; /* owned */
    int retention_years;  /* record: retention_years, 0 = default */
    bool retention_last;  /* record: retention_from last_provision */
    char *quote;          /* owned */
    char *quote_json;     /* owned: the quote as a JSON string literal, escaped once at load */
    size_t quote_json_len;
    char *note;           /* owned, may be NULL */
    int line;             /* where the rule starts in the policy file */
};

struct hogo__clause {
    char *id;    /* owned: "3(5)" */
    char *title; /* owned, may be NULL */
    int first_rule, nrules;
    int line;
};

struct hogo_policy {
    uint64_t serial;    /* unique among the policies loaded by the process (never reused) */
    char *id;           /* owned */
    char *operator_ja;  /* owned */
    char *operator_en;  /* owned */
    char *version;      /* owned: "YYYY-MM-DD" */
    char *file_version; /* owned: the version in an <id>@<version>.yaml name, or NULL */
    int64_t in_force_from; /* unix time of 00:00 JST on the version date */
    char *path;         /* owned: the policy file */
    char *source_path;  /* owned: the source text */
    char *source_text;  /* owned: contents of the source text */
    struct hogo__clause *clauses; /* owned */
    int nclauses;
    struct hogo__rule *rules; /* owned */
    int nrules;
    struct hogo__cond *conds; /* owned */
    int nconds;
    int *children; /* owned */
    int nchildren;
    /* rule indexes per action and effect, in file order, for the evaluator */
    int *by_action[HOGO__ACTION_COUNT][HOGO__EFFECT_COUNT]; /* owned */
    int nby_action[HOGO__ACTION_COUNT][HOGO__EFFECT_COUNT];
    const struct hogo_vocab *vocab; /* borrowed */
    struct hogo_vocab *own_vocab;   /* owned when the policy loaded its own vocabulary */
};

/* The kind of id a list fact holds (accounts, services, purposes); HOGO__K_COUNT for the
 * corporate-number lists and for facts that are not lists of ids. */
static inline enum hogo__kind hogo__fact_kind(int fact)
{
    assert(fact >= 0 && fact < HOGO__F_COUNT);
    switch (hogo__facts[fact].type) {
    case HOGO__FT_ACCOUNTS:
        return HOGO__K_ACCOUNT;
    case HOGO__FT_SERVICES:
        return HOGO__K_SERVICE;
    case HOGO__FT_PURPOSES:
        return HOGO__K_PURPOSE;
    default:
        return HOGO__K_COUNT;
    }
}

/* True for the EU/EEA member states and the UK, whose personal-data protection the PPC
 * designates as equivalent (APPI Art.28(1)): provision there is not a foreign provision. */
bool hogo__equivalent_regime(const char *country);

/* Renders a condition as English text into buf (for explanations and `policy show`). */
void hogo__cond_render(const struct hogo_policy *p, int cond, char *buf, size_t size);

/* Renders a selector as text ("any" / "a, b" / "not a, b"). */
const char *hogo__selector_text(const struct hogo__selector *s);
/* The recipients some permitting clause names by id (not only covers through a class). */
void hogo__named_recipients(const struct hogo_policy *p, struct hogo__set *named);

/* Parses "YYYY-MM-DD" as 00:00 in Japan (UTC+9); returns 0 and sets *t, or -1. */
int hogo__parse_jst_date(const char *s, int64_t *t);

/* Parses an RFC 3339 instant; returns 0 and sets *t (unix seconds), or -1. */
int hogo__parse_rfc3339(const char *s, size_t len, int64_t *t);

#endif
