/*
 * The private side of the store: the backend operations table every backend (SQLite,
 * PostgreSQL, the fault-injecting test backend) implements, the store handle, and the helpers
 * the store, ledger and audit modules share. Store layer. Only lib/store, lib/ledger and
 * lib/audit include this header; everything above them uses include/hogo/store.h.
 *
 * SQL passed to a backend is written once, in the dialect both backends accept: `?` marks a
 * parameter (the PostgreSQL backend renumbers them to $1..$n), integers are BIGINT, and the
 * token BLOB in schema text is rewritten to the backend's binary type (bytea for PostgreSQL).
 */
#ifndef HOGO_STORE_INT_H
#define HOGO_STORE_INT_H

#include <hogo/audit.h>
#include <hogo/ledger.h>
#include <hogo/store.h>

#include <stddef.h>
#include <stdint.h>
#include <yajl/yajl_gen.h>

/* A value bound to a parameter or read from a column. Borrowed pointers only. */
enum hogo__val_type { HOGO__NULL = 0, HOGO__INT, HOGO__TEXT, HOGO__BLOB };
struct hogo__val {
    int type;          /* enum hogo__val_type */
    int64_t i;         /* HOGO__INT */
    const char *s;     /* HOGO__TEXT: NUL-terminated */
    const void *b;     /* HOGO__BLOB */
    size_t n;          /* HOGO__BLOB length; HOGO__TEXT length when read from a column */
};

#define HV_INT(x) ((struct hogo__val){.type = HOGO__INT, .i = (x)})
static inline struct hogo__val hogo__hv_text(const char *s)
{
    return (struct hogo__val){.type = s ? HOGO__TEXT : HOGO__NULL, .s = s};
}
#define HV_TEXT(x) hogo__hv_text(x) /* NULL binds SQL NULL */
#define HV_BLOB(p, len) ((struct hogo__val){.type = HOGO__BLOB, .b = (p), .n = (len)})
#define HV_NULL ((struct hogo__val){.type = HOGO__NULL})

/* Called once per result row; cols are valid only during the call. Return 0 to go on, 1 to
 * stop early (not an error), or a negative HOGO_E* code to abort the query with that code. */
typedef int (*hogo__row_fn)(void *ctx, const struct hogo__val *cols, size_t ncols);

/* The operations a backend provides. Every function returns 0 or a negative HOGO_E* code and
 * fills err. impl is the backend's own connection state, created by open. */
struct hogo_store_ops {
    const char *name;    /* "sqlite", "postgresql", "fault" */
    const char *blob_type; /* the binary column type: "BLOB" or "BYTEA" */
    int (*open)(void **impl, const char *target, struct hogo_error *err);
    void (*close)(void *impl);
    /* Starts a write transaction that holds the write lock from its start (so the audit chain
     * head read inside it cannot change underneath). */
    int (*begin)(void *impl, struct hogo_error *err);
    int (*commit)(void *impl, struct hogo_error *err);
    int (*rollback)(void *impl, struct hogo_error *err);
    /* Runs one statement; *changes (may be NULL) gets the number of rows it changed. */
    int (*exec)(void *impl, const char *sql, const struct hogo__val *params, size_t nparams,
                int64_t *changes, struct hogo_error *err);
    /* Runs one query and calls row for each row. */
    int (*query)(void *impl, const char *sql, const struct hogo__val *params, size_t nparams,
                 hogo__row_fn row, void *ctx, struct hogo_error *err);
    /* Runs a script of statements without parameters (schema migrations). */
    int (*script)(void *impl, const char *sql, struct hogo_error *err);
    /* Nonzero when the named table exists. */
    int (*table_exists)(void *impl, const char *table, int *exists, struct hogo_error *err);
    /* Optional (NULL: every call already waits for its result). Waits for the results of
     * statements sent without waiting and returns their first failure, so that it is
     * reported to the call that made it (group commit: before the item's savepoint is
     * released). */
    int (*flush)(void *impl, struct hogo_error *err);
};

extern const struct hogo_store_ops hogo__sqlite_ops;
extern const struct hogo_store_ops hogo__pg_ops;
extern const struct hogo_store_ops hogo__fault_ops;

/* Calls the fault backend has counted so far (-1 for another backend). */
long hogo__fault_calls(const struct hogo_store *st);

/* Checks a value before it is stored; the host (policy module) installs it. */
typedef int (*hogo__vocab_fn)(void *ctx, const char *kind, const char *id, struct hogo_error *err);

struct hogo_store {
    const struct hogo_store_ops *ops; /* the backend; borrowed static table */
    void *impl;                       /* the backend's state; owned */
    int txn_depth;                    /* nesting of hogo__txn_begin; only depth 0->1 begins */
    int txn_failed;                   /* an inner level failed: the outer commit must roll back */
    int has_master;                   /* master_key is set */
    unsigned char master_key[32];     /* owned copy; wiped on free */
    int has_signing;                  /* signing_sk is set */
    unsigned char signing_sk[64];     /* Ed25519 secret key; owned copy; wiped on free */
    unsigned checkpoint_interval;     /* events between automatic checkpoints */
    char actor[128];                  /* recorded in audit events */
    int64_t fixed_now;                /* nonzero: the clock reads this (tests, HOGO_NOW) */
    hogo__vocab_fn vocab;             /* optional vocabulary check; NULL = format check only */
    void *vocab_ctx;
    char key_store[1024];             /* where subject keys live (data.c); "" = none */
    void *keys;                       /* the key store's SQLite connection (hogo__sqlite_ops),
                                         opened at first use; owned */
    int keys_txn;                     /* a key store transaction is open: it commits just
                                         before the database's (new keys durable first) */
    struct hogo__group *group;        /* group commit queue (group.c), or NULL; owned */
    /* the audit chain head as of the last event appended in the open transaction (audit.c);
       valid only while the transaction holding the write lock lasts */
    int head_valid;
    int64_t head_seq;
    unsigned char head_hash[32];
};

/* Group commit (group.c). */
struct hogo__group;
/* Starts the group's committer thread, which uses st's connection. */
int hogo__group_new(struct hogo__group **out, struct hogo_store *st, unsigned max_batch,
                    struct hogo_error *err);
/* Runs what is queued, stops the committer thread and frees the group. */
void hogo__group_free(struct hogo__group *g);
/* Runs fn(st, ctx, err) as one item of a group commit batch and returns its result once the
 * batch is durable; runs it directly when st has no group, or on the committer thread. fn's own transactions nest inside the batch's. */
int hogo__group_run(struct hogo_store *st,
                    int (*fn)(struct hogo_store *st, void *ctx, struct hogo_error *err),
                    void *ctx, struct hogo_error *err);
/* Batches committed and items run so far (0 without a group). */
void hogo__group_stats(struct hogo_store *st, int64_t *batches, int64_t *items);
/* fsyncs made for the group's commits so far (one per batch; 0 without a group). */
int64_t hogo__group_syncs(struct hogo_store *st);

/* Subject keys (data.c). Destroys the subject's key in the key store (durable on return);
 * 0 also when it had none. */
int hogo__key_destroy(struct hogo_store *st, const char *subject_id, struct hogo_error *err);
/* *present = 1 when the key store holds a key for the subject. */
int hogo__key_present(struct hogo_store *st, const char *subject_id, int *present,
                      struct hogo_error *err);

/* Opens a store on an explicit backend (tests: the fault backend). */
int hogo__store_open_ops(struct hogo_store **out, const struct hogo_store_ops *ops,
                         const char *target, const struct hogo_store_options *opts,
                         struct hogo_error *err);

/* Transactions that nest: the outermost begin/commit reach the backend. On failure call
 * hogo__txn_end(st, rc, err) with the failing rc: it rolls back and returns rc. */
int hogo__txn_begin(struct hogo_store *st, struct hogo_error *err);
int hogo__txn_end(struct hogo_store *st, int rc, struct hogo_error *err);

/* Thin wrappers over the ops table. */
int hogo__exec(struct hogo_store *st, const char *sql, const struct hogo__val *p, size_t n,
               int64_t *changes, struct hogo_error *err);
int hogo__query(struct hogo_store *st, const char *sql, const struct hogo__val *p, size_t n,
                hogo__row_fn row, void *ctx, struct hogo_error *err);
/* Runs a query whose first row's first column is an integer; *found = 0 when no row. */
int hogo__query_int(struct hogo_store *st, const char *sql, const struct hogo__val *p, size_t n,
                    int64_t *out, int *found, struct hogo_error *err);
/* As above, text: *out allocated (caller frees) or NULL when no row / NULL value. */
int hogo__query_text(struct hogo_store *st, const char *sql, const struct hogo__val *p,
                     size_t n, char **out, struct hogo_error *err);

/* Checks one value of a settable subject fact (subject.c); a scalar's normal form goes to
 * norm ("" for a list fact), *array = 1 for a list fact. */
int hogo__fact_check(struct hogo_store *st, const char *fact, const char *value,
                     char norm[32], int *array, struct hogo_error *err);

/* The i-th subject fact in vocabulary order (NULL past the last); *settable = 0 for those
 * changed only through their own call (erased, consents). */
const char *hogo__fact_name(size_t i, int *settable);

/* Schema migration 4: the tables of lib/rights (rights_schema.c). */
extern const char hogo__rights_schema_sql[];

/* The request (rights_effects) behind the subject's suspension or stop of provision still in
 * force, into out ("" when none). */
int hogo__rights_effect_request(struct hogo_store *st, const char *subject_id, char *out,
                                size_t cap, struct hogo_error *err);

/* Current time in microseconds since the epoch (or the fixed test clock). */
int64_t hogo__now_us(const struct hogo_store *st);
/* Fixes the clock (microseconds; 0 = real clock). For tests and `HOGO_NOW`. */
void hogo__store_set_now(struct hogo_store *st, int64_t us);

/* The query for the audit chain head (seq, hash of the last event). A backend may send it
 * with BEGIN and answer the transaction's first use of it from that (pg.c): the head cannot
 * move once the write lock is held, and the first read comes before any append. */
extern const char hogo__audit_head_sql[];

/* The ledger's records against the events that wrote them (audit/records.c), for
 * hogo_audit_verify(). */
struct hogo__record_check;
int hogo__record_check_new(struct hogo__record_check **out);
void hogo__record_check_free(struct hogo__record_check *c);
/* Notes one verified event; only provision.record and receipt.record events matter. <0 only
 * when out of memory. */
int hogo__record_check_event(struct hogo__record_check *c, int64_t seq, const char *action,
                             size_t alen, const char *object, size_t olen, const char *detail,
                             size_t dlen);
/* Reads every record and checks it against its event, and every event's record: an edited,
 * inserted or (before its purge date, now in microseconds) deleted record is HOGO_ETAMPER,
 * the earliest one's event in *bad_seq (0 for a record without an event) and what is wrong
 * in problem. */
int hogo__record_check_run(struct hogo_store *st, struct hogo__record_check *c, int64_t now,
                           int64_t *bad_seq, char *problem, size_t cap,
                           struct hogo_error *err);

/* Appends one audit event inside the caller's transaction (st->txn_depth must be > 0). */
int hogo__audit_append(struct hogo_store *st, const char *subject_id, const char *action,
                       const char *object, const char *detail, struct hogo_error *err);
/* As hogo__audit_append(), the event as a struct. */
int hogo__audit_append_event(struct hogo_store *st, const struct hogo_audit_event *ev,
                             struct hogo_error *err);

/* Checks that id is a plausible identifier (1..128 chars of [A-Za-z0-9._:@-]); what names it
 * in the message. */
int hogo__check_id(const char *id, const char *what, struct hogo_error *err);
/* Checks a vocabulary id (snake_case, or via the installed vocabulary check). */
int hogo__check_vocab(struct hogo_store *st, const char *kind, const char *id,
                      struct hogo_error *err);

/* JSON generation helpers (yajl). */
void hogo__gen_str(yajl_gen g, const char *s);
void hogo__gen_kv_str(yajl_gen g, const char *k, const char *v); /* v NULL -> null */
void hogo__gen_kv_int(yajl_gen g, const char *k, int64_t v);
/* Writes "a,b,c" as a JSON array of strings. */
void hogo__gen_csv_array(yajl_gen g, const char *csv);
/* Takes the generated text as an allocated NUL-terminated string. */
int hogo__gen_take(yajl_gen g, char **out, struct hogo_error *err);

/* Ends a read that generated JSON into g (may be NULL): takes the text into *json when rc is
 * 0, ends the transaction and frees g; returns the outcome, with *json NULL on failure. */
int hogo__gen_end_read(struct hogo_store *st, yajl_gen g, int rc, char **json,
                       struct hogo_error *err);

/* Formats microseconds since the epoch as RFC 3339 UTC ("2026-01-02T03:04:05Z"). */
void hogo__fmt_time(int64_t us, char out[32]);

/* Joins strs with commas into an allocated string; checks each with hogo__check_vocab. */
int hogo__join_ids(struct hogo_store *st, const char *kind, const char *const *strs, size_t n,
                   char **out, struct hogo_error *err);

/* Writes an item's provenance keys (channel, source, service, context, policy_version,
 * acquired_at) from columns c[2..7] of a data_items row, inside an open map. */
void hogo__gen_provenance(yajl_gen g, const struct hogo__val *c);
/* Writes the subject's data items (metadata, no values) as a JSON array. */
int hogo__gen_items(struct hogo_store *st, yajl_gen g, const char *subject_id,
                    struct hogo_error *err);

/* Writes the subject's data items with their values opened (disclosure, data.c) as a JSON
 * array, and appends one data.read audit event per item; *n_items (may be NULL) gets how
 * many. Needs the master key when the subject has items. Inside the caller's transaction. */
int hogo__gen_items_opened(struct hogo_store *st, yajl_gen g, const char *subject_id,
                           int64_t *n_items, struct hogo_error *err);
/* As hogo__gen_items_opened(), one page: at most limit items after item id after, written
 * into the open array g (no brackets); *last gets the last id written, *n_items how many.
 * The page's reads are one data.read audit event naming the range of item ids. */
int hogo__gen_items_opened_page(struct hogo_store *st, yajl_gen g, const char *subject_id,
                                int64_t after, int limit, int64_t *last, int64_t *n_items,
                                struct hogo_error *err);
/* Writes "provisions": [...] and "receipts": [...] (the subject's ledger records, as
 * hogo_ledger_export() gives them) into the open map g (ledger.c). */
int hogo__ledger_gen_subject(struct hogo_store *st, yajl_gen g, const char *subject_id,
                             int64_t *n_records, struct hogo_error *err);

/* hogo_ledger_record_provision() / _receipt() without re-parsing decision_json and
 * detail_json (callers that generated them). */
int hogo__ledger_provision(struct hogo_store *st, const struct hogo_provision *p,
                           char id_out[HOGO_LEDGER_ID_BYTES], struct hogo_error *err);
int hogo__ledger_receipt(struct hogo_store *st, const struct hogo_receipt *r,
                         char id_out[HOGO_LEDGER_ID_BYTES], struct hogo_error *err);
/* As above, for a record whose decision was just made: decided (may be NULL) is added to the
 * record event's object ("policy:irp decision:allow facts:stored"), so that one event is both
 * the allowing decision and the record. */
int hogo__ledger_provision_decided(struct hogo_store *st, const struct hogo_provision *p,
                                   const char *decided, char id_out[HOGO_LEDGER_ID_BYTES],
                                   struct hogo_error *err);
int hogo__ledger_receipt_decided(struct hogo_store *st, const struct hogo_receipt *r,
                                 const char *decided, char id_out[HOGO_LEDGER_ID_BYTES],
                                 struct hogo_error *err);

/* Receives a subject's facts as rows: facts[2i] a fact's id and facts[2i + 1] one value as
 * text (a list fact has a row per value, next to each other); consents[4i .. 4i + 3] a
 * consent's id, recipient, purpose and data (ids separated by commas). Borrowed for the call. */
typedef int (*hogo__facts_fn)(void *ctx, const char *const *facts, size_t nfacts,
                              const char *const *consents, size_t nconsents,
                              struct hogo_error *err);
/* The facts a decision on subject_id under policy needs, read inside the caller's transaction
 * without an audit event of its own (the caller records the decision): the stored facts in
 * order of fact and value, blocked companies followed through their successors, and the
 * consents given under policy and not withdrawn; fn gets them and its result is returned.
 * A subject unknown or of another operator is an error (HOGO_ENOTFOUND). */
int hogo__subject_decide_rows(struct hogo_store *st, const char *policy, const char *subject_id,
                              hogo__facts_fn fn, void *ctx, struct hogo_error *err);

/* The header cells of the CSV file at path (ledger/csv_header.c): *names is an allocated
 * array of n allocated strings; caller frees each and the array. */
int hogo__csv_header(const char *path, char ***names, size_t *n, struct hogo_error *err);

/* Joins the strings given (a NULL ends the list) into out, truncating to cap - 1 bytes; returns
 * the length written. A cheap snprintf("%s%s...") for the hot paths. */
size_t hogo__concat(char *out, size_t cap, ...);

/* Lowercase hex of n bytes into out (2n+1 bytes). */
void hogo__hex(const unsigned char *b, size_t n, char *out);

#endif
