/*
 * The APPI ledger: provision records (Art. 29) and receipt confirmation records (Art. 30),
 * kept for their retention period and purged only after it. Public API layer.
 * Each record is written together with its audit event in one transaction.
 *
 * Threads: hogo_decide_stored(), hogo_provide(), hogo_provide_ex() and hogo_receive() may be
 * called from many threads at once on a store handle opened with group_commit (each thread
 * with its own request and decision; policies shared), and their writes then share commits.
 * Every other call here follows the store handle's rules (hogo/store.h). The structs passed in
 * are only read during the call.
 */
#ifndef HOGO_LEDGER_H
#define HOGO_LEDGER_H

#include <hogo/error.h>

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct hogo_store;

#define HOGO_LEDGER_ID_BYTES 40 /* room for a record id and its NUL */

/* A provision to a third party, as an already-made decision allowed it. Borrowed strings. */
struct hogo_provision {
    const char *subject_id;
    const char *policy;             /* policy id the decision was made under */
    const char *policy_version;     /* its version in force */
    const char *recipient_id;       /* recipient or recipient class id */
    const char *recipient_name;     /* name of the recipient (R20), or NULL */
    const char *recipient_corporate_number; /* validated when given */
    const char *recipient_address;  /* or NULL */
    const char *recipient_representative; /* or NULL */
    const char *recipient_country;  /* ISO 3166-1 alpha-2; NULL = "JP" */
    const char *purpose;            /* purpose id */
    const char *const *items;       /* data category ids provided (non-empty) */
    size_t n_items;
    const char *basis;              /* "policy", "consent", "opt_out", "law", ... */
    const char *consent_id;         /* the consent relied on, or NULL */
    int record_required;            /* 1 when APPI Art. 29 requires this record */
    int retention_years;            /* 3 or 1 */
    const char *retention_from;     /* "creation" or "last_provision" */
    int64_t provided_at;            /* microseconds since the epoch; 0 = now */
    const char *decision_json;      /* the decision response (ids and clauses), or NULL */
    const char *detail_json;        /* what was done to the data before it left, e.g. the
                                       de-identification applied (JSON object), or NULL */
};
/* Writes a provision record and its audit event in one transaction; id_out (may be NULL)
 * gets the record id. */
HOGO_EXTERN int hogo_ledger_record_provision(struct hogo_store *st,
                                             const struct hogo_provision *p,
                                             char id_out[HOGO_LEDGER_ID_BYTES],
                                             struct hogo_error *err);

/* A receipt from a third party with the Art. 30 confirmation. Borrowed strings. */
struct hogo_receipt {
    const char *subject_id;
    const char *policy;
    const char *policy_version;
    const char *provider_name;            /* required */
    const char *provider_address;         /* required */
    const char *provider_representative;  /* required */
    const char *provider_corporate_number; /* validated when given */
    const char *acquisition;              /* how the provider obtained the data; required */
    const char *const *items;             /* data category ids received (non-empty) */
    size_t n_items;
    const char *basis;
    int record_required;
    int retention_years;                  /* 3 or 1 */
    const char *retention_from;           /* "creation" or "last_provision" */
    int64_t received_at;                  /* 0 = now */
    const char *decision_json;            /* the decision that allowed it, or NULL */
};
/* Writes a receipt record and its audit event; refused (HOGO_EINVAL) when a confirmation
 * item is missing. */
HOGO_EXTERN int hogo_ledger_record_receipt(struct hogo_store *st, const struct hogo_receipt *r,
                                           char id_out[HOGO_LEDGER_ID_BYTES],
                                           struct hogo_error *err);

struct hogo_policy;
struct hogo_request;
struct hogo_decision;

/* ---- decide on stored facts ---- */

/* Decides req under policy on the facts the store holds about subject_id (NULL: the
 * request's "subject_id") and writes the decision as one "decision" audit event (ids and
 * clauses only), in one transaction, durable when the call returns. The stored facts, company
 * blocks followed through successor corporations, and the separate consents given under
 * policy and not withdrawn replace the request's facts (the request must not carry
 * "subject"); consent_id is resolved against those consents. With no subject named at all,
 * the request is decided on its own facts and the decision audited alike. *event_seq (may be
 * NULL) gets the event's sequence number in the audit log, which finds it again.
 * Returns 0 when decided (out->allow says which); a negative code when nothing was decided
 * and nothing written: HOGO_EINVAL for a request that cannot be decided (err->where is its
 * JSON pointer), HOGO_ENOTFOUND for a subject unknown or of another operator. Inside an open
 * transaction (hogo_store_begin()) the event is part of it, and a call that fails leaves the
 * transaction usable for the next one: a batch of decisions commits once. */
HOGO_EXTERN int hogo_decide_stored(struct hogo_store *st, const struct hogo_policy *policy,
                                   struct hogo_request *req, const char *subject_id,
                                   struct hogo_decision *out, int64_t *event_seq,
                                   struct hogo_error *err);

/* ---- decide and record in one step ---- */

#define HOGO_OWN_RETENTION_YEARS 3 /* default retention of records the law does not require */

/* What hogo_provide_ex() / hogo_receive() need besides the request. Zero-initialise; all
 * pointers borrowed. */
struct hogo_provide_opts {
    const char *subject_id;      /* overrides the request's "subject_id"; NULL: the request's */
    /* provisions: the recipient as R20 names it (NULL: the vocabulary's name, no address) */
    const char *recipient_name;
    const char *recipient_address;
    const char *recipient_representative;
    /* receipts: the Art. 30 confirmation; each of name, address, representative and
     * acquisition is required (the call is refused before anything is written without one) */
    const char *provider_name;
    const char *provider_address;
    const char *provider_representative;
    const char *provider_corporate_number; /* optional; validated when given */
    const char *acquisition;               /* how the provider obtained the data (取得の経緯) */
    /* retention (years) of a record the law does not require (court order, outsourcing, ...):
     * the operator's own rule; 0 = HOGO_OWN_RETENTION_YEARS */
    int own_retention_years;
    /* Called after an allowing decision, inside the transaction and before the record is
     * written (e.g. to de-identify what leaves). *detail_json (allocated with malloc, may stay
     * NULL) is stored in the record. A negative return rolls everything back: no record, no
     * audit event, and the provision must not happen. */
    int (*before_record)(void *ctx, const struct hogo_decision *d, const char *decision_json,
                         char **detail_json, struct hogo_error *err);
    void *ctx;
};

/* Decides a provision (action provide or outsource) and, when allowed, writes the Art. 29
 * record, in one transaction: the subject's stored facts are read (the request must name a
 * subject and carry no facts of its own), the decision is an audit event, and an allowed
 * provision always gets its record (record_required and the statutory retention when the
 * decision carries a record_provision obligation, else the operator's own retention).
 * Returns 0 when decided (out->allow says which; record_id gets the record id, "" when
 * denied), a negative code when nothing was decided or recorded. */
HOGO_EXTERN int hogo_provide_ex(struct hogo_store *st, const struct hogo_policy *policy,
                                struct hogo_request *req, const struct hogo_provide_opts *opts,
                                struct hogo_decision *out, char record_id[HOGO_LEDGER_ID_BYTES],
                                struct hogo_error *err);
/* hogo_provide_ex() with default options. */
HOGO_EXTERN int hogo_provide(struct hogo_store *st, const struct hogo_policy *policy,
                             struct hogo_request *req, struct hogo_decision *out,
                             char record_id[HOGO_LEDGER_ID_BYTES], struct hogo_error *err);
/* Decides a receipt (action receive) and, when allowed, writes the Art. 30 confirmation
 * record, in one transaction, as hogo_provide_ex() does (confirm_receipt obligation: the
 * statutory retention; none: the operator's own). Refused (HOGO_EINVAL, nothing written)
 * when a confirmation item in opts is missing. */
HOGO_EXTERN int hogo_receive(struct hogo_store *st, const struct hogo_policy *policy,
                             struct hogo_request *req, const struct hogo_provide_opts *opts,
                             struct hogo_decision *out, char record_id[HOGO_LEDGER_ID_BYTES],
                             struct hogo_error *err);

/* Checks that every column of the CSV file csv_path (headers: data-category ids or Japanese
 * names) is a category the request's "data" names or a part of one (email is part of
 * contact), before that file is sent with the provision; HOGO_EINVAL names the first other
 * column and how to fix it. */
HOGO_EXTERN int hogo_provide_check_columns(const struct hogo_policy *policy,
                                           const struct hogo_request *req,
                                           const char *csv_path, struct hogo_error *err);

/* Which records to list or export; zero fields mean "any". */
struct hogo_ledger_filter {
    const char *subject_id;
    const char *recipient;   /* recipient id, name or corporate number; provider for receipts */
    int64_t from, to;        /* record date range, microseconds, inclusive; 0 = open */
    int kind;                /* 0 both, 1 provisions only, 2 receipts only */
    const char *purpose;     /* purpose id; receipts have none, so it keeps provisions only */
    const char *policy;      /* the policy (operator) the records were made under */
};
enum { HOGO_LEDGER_JSON = 0, HOGO_LEDGER_CSV = 1 };
/* Writes the matching records as a JSON array or CSV (with header). *out allocated; caller
 * frees with free(). The export is an audit event. */
HOGO_EXTERN int hogo_ledger_export(struct hogo_store *st, const struct hogo_ledger_filter *f,
                                   int format, char **out, struct hogo_error *err);
/* One record as hogo_ledger_search() and hogo_ledger_reader_next() give it: the columns of
 * the export (strings borrowed for the call; NULL where the record has no value). */
struct hogo_ledger_record {
    const char *type;             /* "provision" or "receipt" */
    const char *id, *subject_id;
    int64_t date;                 /* provided or received, microseconds since the epoch */
    const char *counterparty;     /* recipient id; the provider's name for a receipt */
    const char *counterparty_name, *corporate_number, *address, *representative, *country;
    const char *purpose;          /* NULL for a receipt */
    const char *items;            /* data category ids, comma-separated */
    const char *basis, *consent_id, *acquisition;
    int record_required, retention_years;
    const char *retention_from;
    int64_t purge_after;          /* microseconds */
    const char *policy, *policy_version;
    const char *decision_json, *detail_json; /* JSON object text, or NULL */
};
/* Called for each record read; a nonzero return stops the read and is returned. */
typedef int (*hogo_ledger_record_fn)(void *ctx, const struct hogo_ledger_record *r);

#define HOGO_LEDGER_CURSOR_BYTES 64 /* room for a search cursor and its NUL */
#define HOGO_LEDGER_PAGE_MAX 1000   /* the most records one page may ask for */

/* One page of the records matching f, in the export's order (provisions, then receipts, each
 * by date and id): up to limit (1 .. HOGO_LEDGER_PAGE_MAX) records after the cursor `after`
 * (NULL or "": from the first), each given to fn. next (may be NULL) gets the cursor of the
 * following page, "" when there is none. The read is one "ledger.search" audit event with
 * actor as who read (NULL: the store's actor). HOGO_EINVAL for a malformed cursor or limit. */
HOGO_EXTERN int hogo_ledger_search(struct hogo_store *st, const struct hogo_ledger_filter *f,
                                   const char *after, int limit, hogo_ledger_record_fn fn,
                                   void *ctx, char next[HOGO_LEDGER_CURSOR_BYTES],
                                   const char *actor, struct hogo_error *err);

/* An export read in parts, so that it is never held whole in memory. */
struct hogo_ledger_reader;
/* Begins an export of the records matching f (its strings are copied): one "ledger.export"
 * audit event now, as hogo_ledger_export() writes, counting the records that match
 * (*matching, may be NULL), with actor as who exports (NULL: the store's actor). Free the
 * reader with hogo_ledger_reader_free(). */
HOGO_EXTERN int hogo_ledger_reader_open(struct hogo_store *st, const struct hogo_ledger_filter *f,
                                        struct hogo_ledger_reader **out, int64_t *matching,
                                        const char *actor, struct hogo_error *err);
/* Gives fn the next up to limit (1 .. HOGO_LEDGER_PAGE_MAX) records in the export's order;
 * *done becomes 1 once the last has been given. Each call is a transaction of its own and
 * writes no audit event (the open did). */
HOGO_EXTERN int hogo_ledger_reader_next(struct hogo_store *st, struct hogo_ledger_reader *rd,
                                        int limit, hogo_ledger_record_fn fn, void *ctx,
                                        int *done, struct hogo_error *err);
/* Frees a reader (NULL is fine). */
HOGO_EXTERN void hogo_ledger_reader_free(struct hogo_ledger_reader *rd);
/* The header line of the export's CSV (with its newline; static). */
HOGO_EXTERN const char *hogo_ledger_csv_header(void);
/* One record as a line of the export's CSV (RFC 4180, with its newline): *line allocated
 * (free() it), *len its length. HOGO_ENOMEM when out of memory. */
HOGO_EXTERN int hogo_ledger_record_csv(const struct hogo_ledger_record *r, char **line,
                                       size_t *len);
/* One record by id as a JSON object. */
HOGO_EXTERN int hogo_ledger_show_json(struct hogo_store *st, const char *id, char **json,
                                      struct hogo_error *err);
/* Deletes the records whose retention period has ended (never earlier); *purged (may be
 * NULL) gets how many. */
HOGO_EXTERN int hogo_ledger_purge(struct hogo_store *st, int64_t *purged,
                                  struct hogo_error *err);

#ifdef __cplusplus
}
#endif
#endif
