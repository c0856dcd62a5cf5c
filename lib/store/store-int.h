/*
 * The private side of the store: the backend operations table every backend (SQLite,
 * PostgreSQL, and the tests' fault-injecting backend) implements, the store handle,
 * transactions, the clock and the SQL helpers. Store layer, the bottom of the persistent
 * side: this header includes nothing from lib/ but lib/common. lib/audit, lib/subject and
 * lib/ledger build on it (each with its own internal header); the daemon and the CLI use
 * include/hogo/store.h.
 *
 * SQL passed to a backend is written once, in the dialect both backends accept: `?` marks a
 * parameter (the PostgreSQL backend renumbers them to $1..$n), integers are BIGINT, and the
 * token BLOB in schema text is rewritten to the backend's binary type (bytea for PostgreSQL).
 */
#ifndef HOGO_STORE_INT_H
#define HOGO_STORE_INT_H

#include <hogo/store.h>

#include "common/json.h"

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

/* The most columns a query may return; a query that returns more fails (HOGO_ESTORE) before
 * its first row instead of silently losing the rest. */
#define HOGO__MAX_COLUMNS 32

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
    int64_t fixed_now;                /* nonzero: the clock reads this (set by tests) */
    hogo__vocab_fn vocab;             /* optional vocabulary check; NULL = format check only */
    void *vocab_ctx;
    char key_store[1024];             /* where subject keys live (data.c); "" = none */
    const struct hogo_store_ops *keys_ops; /* the key store's backend: hogo__sqlite_ops
                                         (the tests may put a fault-injecting one here) */
    void *keys;                       /* the key store's connection (keys_ops), opened at
                                         first use (keystore.c); owned */
    char **erase_pending;             /* subjects whose keys go once the erasure the open
                                         transaction records has committed; owned */
    size_t n_erase_pending;
    int64_t checkpoint_skipped;       /* the event at which a checkpoint was due but could not
                                         be written (no signing key), said once; 0: none */
    void (*notice)(void *ctx, const char *message); /* hogo_store_set_notice(); may be NULL */
    void *notice_ctx;
    int keys_txn;                     /* a key store transaction is open: it commits just
                                         before the database's (new keys durable first) */
    struct hogo__group *group;        /* group commit queue (group.c), or NULL; owned */
    /* the audit chain head as of the last event appended in the open transaction (audit.c);
       valid only while the transaction holding the write lock lasts */
    int head_valid;
    int64_t head_seq;
    unsigned char head_hash[32];
};

/* The key store (keystore.c): a SQLite file apart from the database, holding the wrapped
 * subject keys. Only a store opened with create (hogo init) creates it. */
/* The keyed id (check value) of a master key, as 32 hex digits. */
void hogo__master_key_id(const unsigned char master[HOGO_KEY_BYTES], char out[33]);
/* Opens st's key store if it is not open: refuses a missing one, and one not bound to this
 * database. */
int hogo__keys_open(struct hogo_store *st, struct hogo_error *err);
/* hogo init: creates the key store if missing (refused when the database's data is sealed
 * under keys kept elsewhere), binds it and the database to one id, and binds the master key
 * given (refuses another than the one bound). No-op without a key store. */
int hogo__keys_init(struct hogo_store *st, struct hogo_error *err);
/* The master key id bound at hogo init into *id (NULL: none bound); allocated. */
int hogo__keys_bound_master(struct hogo_store *st, char **id, struct hogo_error *err);
/* Runs a query on the key store that returns one text column; *out allocated, NULL if no row. */
int hogo__keys_text(struct hogo_store *st, const char *sql, const struct hogo__val *p, size_t n,
                    char **out, struct hogo_error *err);
/* *present = 1 when the key store holds a key for the subject. */
int hogo__keys_present(struct hogo_store *st, const char *subject_id, int *present,
                       struct hogo_error *err);
/* Deletes the subject's key and truncates the key store's WAL, so that no file holds it. */
int hogo__keys_destroy(struct hogo_store *st, const char *subject_id, struct hogo_error *err);
/* Inside the transaction recording an erasure: the subject's key is destroyed once that
 * transaction has committed (hogo__txn_end), never before. */
int hogo__keys_erase_after_commit(struct hogo_store *st, const char *subject_id,
                                  struct hogo_error *err);
/* After the commit: destroys the keys of the erasures it recorded. On failure the erasure
 * stays recorded with its key present, which verify reports and a repeated erasure finishes. */
int hogo__keys_erase_finish(struct hogo_store *st, struct hogo_error *err);
/* After a rollback: forgets the keys queued for destruction. */
void hogo__keys_erase_forget(struct hogo_store *st);

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

/* Allocates the store handle for opts and opens the backend ops on target, without touching
 * the schema (hogo__store_open_ops(), lib/audit, does the rest). */
int hogo__store_connect(struct hogo_store **out, const struct hogo_store_ops *ops,
                        const char *target, const struct hogo_store_options *opts,
                        struct hogo_error *err);
/* Called inside the transaction of each migration step with the version it reached; its
 * failure rolls the step back. */
typedef int (*hogo__migrated_fn)(struct hogo_store *st, int version, struct hogo_error *err);
/* Brings the schema up to date (create: a fresh database may be initialised), one
 * transaction per step, calling migrated (may be NULL) in each. */
int hogo__store_migrate(struct hogo_store *st, int create, const char *location,
                        hogo__migrated_fn migrated, struct hogo_error *err);

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

/* Schema migration 4: the tables of lib/rights (rights_schema.c). */
extern const char hogo__rights_schema_sql[];

/* The request (rights_effects) behind the subject's suspension or stop of provision still in
 * force, into out ("" when none). */
int hogo__rights_effect_request(struct hogo_store *st, const char *subject_id, char *out,
                                size_t cap, struct hogo_error *err);

/* Current time in microseconds since the epoch (or the fixed test clock). */
int64_t hogo__now_us(const struct hogo_store *st);
/* Fixes the clock (microseconds; 0 = real clock). For tests only: nothing in the library or
 * the command line calls it, and no environment variable reaches it. */
void hogo__store_set_now(struct hogo_store *st, int64_t us);

/* The query for the audit chain head (seq, hash of the last event). A backend may send it
 * with BEGIN and answer the transaction's first use of it from that (pg.c): the head cannot
 * move once the write lock is held, and the first read comes before any append. */
extern const char hogo__audit_head_sql[];

/* Checks that id is a plausible identifier (1..128 chars of [A-Za-z0-9._:@-]); what names it
 * in the message. */
int hogo__check_id(const char *id, const char *what, struct hogo_error *err);
/* Checks a vocabulary id (snake_case, or via the installed vocabulary check). */
int hogo__check_vocab(struct hogo_store *st, const char *kind, const char *id,
                      struct hogo_error *err);

/* Formats microseconds since the epoch as RFC 3339 UTC ("2026-01-02T03:04:05Z"). */
void hogo__fmt_time(int64_t us, char out[32]);

/* Joins strs with commas into an allocated string; checks each with hogo__check_vocab. */
int hogo__join_ids(struct hogo_store *st, const char *kind, const char *const *strs, size_t n,
                   char **out, struct hogo_error *err);

/* Joins the strings given (a NULL ends the list) into out, truncating to cap - 1 bytes; returns
 * the length written. A cheap snprintf("%s%s...") for the hot paths. */
size_t hogo__concat(char *out, size_t cap, ...);

/* Lowercase hex of n bytes into out (2n+1 bytes). */
void hogo__hex(const unsigned char *b, size_t n, char *out);

#endif
