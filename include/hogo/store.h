/*
 * The hogo store: what hogo remembers about people (subjects, their facts, consents and
 * choices), corporations and their successors, and personal data sealed per subject.
 * Public API layer. One interface over interchangeable backends chosen by the location given
 * to hogo_store_open(): a file path or "sqlite:PATH" (SQLite, the default) or a PostgreSQL
 * connection string ("postgresql://...", "postgres://..." or "pg:KEY=VALUE ...").
 * Every change and every read of personal data is written to the audit log (hogo/audit.h) in
 * the same transaction as the change itself.
 *
 * Threads: see struct hogo_store below. Several processes may open one database: their
 * writing transactions take turns (SQLite's single writer, a PostgreSQL advisory lock held to
 * commit), so each sees the other's commits and the audit chain stays one chain.
 */
#ifndef HOGO_STORE_H
#define HOGO_STORE_H

#include <hogo/error.h>

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define HOGO_KEY_BYTES 32         /* master key and per-subject keys */
#define HOGO_SIGN_SECRET_BYTES 64 /* Ed25519 secret key (seed + public key) */
#define HOGO_SIGN_PUBLIC_BYTES 32 /* Ed25519 public key */

/* An open store. Opaque. A handle is used by one thread at a time, except a handle opened
 * with group_commit: hogo_decide_stored(), hogo_provide(), hogo_provide_ex(), hogo_receive()
 * and hogo_store_run() may then be called on it from many threads at once (each call is
 * durable when it returns; concurrent calls share one transaction and one fsync). Every other call on a shared handle
 * must be made inside hogo_store_run(). Policies (struct hogo_policy) may be shared by
 * threads; requests and decisions may not. */
struct hogo_store;

/* How to open a store. Zero-initialise and set what you need. All pointers are borrowed
 * (keys are copied in). */
struct hogo_store_options {
    int create;                       /* nonzero: create/initialise (hogo init); else the
                                         database must already be initialised */
    const unsigned char *master_key;  /* HOGO_KEY_BYTES; NULL: personal data ops refused */
    const unsigned char *signing_key; /* HOGO_SIGN_SECRET_BYTES; NULL: no checkpoints */
    unsigned checkpoint_interval;     /* events between automatic checkpoints; 0 = 1000 */
    const char *actor;                /* who acts, recorded in audit events; NULL = "hogo" */
    const char *key_store;            /* the subject key store: a SQLite file kept OUT of the
                                         database's backups (docs/storage.md); NULL: for a
                                         SQLite database DB the file "DB.keys", for
                                         PostgreSQL none (personal data calls refused) */
    int group_commit;                 /* nonzero: the handle may be shared by threads and
                                         concurrent writes are committed in groups (above) */
    unsigned group_commit_max;        /* calls per group transaction at most; 0 = 1024 */
};

/* Opens (and migrates to the current schema) the store at location. Returns HOGO_EVERSION
 * for a database newer than this library, HOGO_ENOTFOUND for an uninitialised one without
 * opts->create. *out is set to a handle freed with hogo_store_free(). */
HOGO_EXTERN int hogo_store_open(struct hogo_store **out, const char *location,
                                const struct hogo_store_options *opts, struct hogo_error *err);
/* Opens the store as the command line does: location db, else $HOGO_DB; master key from
 * master_key_file, else $HOGO_MASTER_KEY_FILE, else $HOGO_MASTER_KEY (none: personal data
 * calls are refused); subject key store $HOGO_KEY_STORE (default as in the options); signing key from signing_key_file, else $HOGO_SIGNING_KEY_FILE (none:
 * no checkpoints); actor $HOGO_ACTOR or "cli"; automatic checkpoints every
 * $HOGO_CHECKPOINT_INTERVAL events (default 1000). create as in struct hogo_store_options. */
HOGO_EXTERN int hogo_store_open_env(struct hogo_store **out, const char *db,
                                    const char *master_key_file, const char *signing_key_file,
                                    int create, struct hogo_error *err);
/* Closes the store and wipes the keys it held. NULL is ignored. */
HOGO_EXTERN void hogo_store_free(struct hogo_store *st);
/* The backend's name: "sqlite", "postgresql" or "fault". */
HOGO_EXTERN const char *hogo_store_backend(const struct hogo_store *st);
/* The schema version of the open database, and the newest one this library knows. */
HOGO_EXTERN int hogo_store_schema_version(struct hogo_store *st, int *version,
                                          struct hogo_error *err);
HOGO_EXTERN int hogo_store_latest_schema_version(void);

/* Groups many calls into one transaction (e.g. a batch of ledger records). Calls nest; only
 * the outermost commit makes them durable. hogo_store_rollback() undoes the whole group. */
HOGO_EXTERN int hogo_store_begin(struct hogo_store *st, struct hogo_error *err);
HOGO_EXTERN int hogo_store_commit(struct hogo_store *st, struct hogo_error *err);
HOGO_EXTERN int hogo_store_rollback(struct hogo_store *st, struct hogo_error *err);

/* Runs fn(st, ctx, err) as one transaction, and returns fn's result once it is durable. On a
 * group_commit handle it is queued and committed together with other threads' calls: each
 * call runs in a savepoint, so a failing one is undone alone and fails only its caller.
 * fn runs on the committing thread, must use only st (and what ctx holds), and must not
 * block on other callers. */
HOGO_EXTERN int hogo_store_run(struct hogo_store *st,
                               int (*fn)(struct hogo_store *st, void *ctx,
                                         struct hogo_error *err),
                               void *ctx, struct hogo_error *err);

/* Installs a vocabulary check used before ids (categories, purposes, services, recipients,
 * accounts) are stored: fn(ctx, kind, id, err) returns 0 when id is a known id of kind
 * ("data_category", "purpose", "service", "recipient", "account", "policy"). Without one only
 * the id's form (lowercase snake_case) is checked. */
HOGO_EXTERN void hogo_store_set_vocabulary_check(
    struct hogo_store *st,
    int (*fn)(void *ctx, const char *kind, const char *id, struct hogo_error *err), void *ctx);

/* Installs fn to be told, once per handle, of what the store did not do but should be
 * known: a writer without the signing key skipping an automatic checkpoint. The CLI prints
 * it on stderr. fn(ctx, message) is called on the thread of the call concerned. */
HOGO_EXTERN void hogo_store_set_notice(struct hogo_store *st,
                                       void (*fn)(void *ctx, const char *message), void *ctx);

/* ---- keys (kept outside the database) ---- */

/* Loads a 32-byte key written as 64 hex digits from file, or when file is NULL from the
 * environment variable env (e.g. "HOGO_MASTER_KEY"). The key is never logged. */
HOGO_EXTERN int hogo_key_load(unsigned char key[HOGO_KEY_BYTES], const char *file,
                              const char *env, struct hogo_error *err);
/* Writes a new random 32-byte key as hex to path (mode 0600; refuses to overwrite). */
HOGO_EXTERN int hogo_key_generate(const char *path, struct hogo_error *err);
/* Writes a new Ed25519 signing key: secret to path (0600), public key to path.pub. */
HOGO_EXTERN int hogo_signing_key_generate(const char *path, struct hogo_error *err);
/* Loads an Ed25519 secret key (128 hex digits) written by hogo_signing_key_generate(). */
HOGO_EXTERN int hogo_signing_key_load(unsigned char sk[HOGO_SIGN_SECRET_BYTES],
                                      const char *path, struct hogo_error *err);
/* Loads an Ed25519 public key (64 hex digits), e.g. path.pub. */
HOGO_EXTERN int hogo_public_key_load(unsigned char pk[HOGO_SIGN_PUBLIC_BYTES], const char *path,
                                     struct hogo_error *err);
/* Re-wraps every subject key under new_master in one transaction; afterwards the store uses
 * new_master. The old master key must be the one the store was opened with. */
HOGO_EXTERN int hogo_key_rotate(struct hogo_store *st,
                                const unsigned char new_master[HOGO_KEY_BYTES],
                                int64_t *rewrapped, struct hogo_error *err);

/* ---- corporations (法人番号) ---- */

/* 1 when s is a 13-digit corporate number whose check digit is right, else 0. */
HOGO_EXTERN int hogo_corporate_number_valid(const char *s);
/* Records that successor took over predecessor (merger, rename, split: kind is free text
 * such as "merger"). Blocks on predecessor then also cover successor. */
HOGO_EXTERN int hogo_corp_succeed(struct hogo_store *st, const char *predecessor,
                                  const char *successor, const char *kind,
                                  struct hogo_error *err);
/* JSON {"corporate_number":..., "successors":[...], "predecessors":[...]} (transitive).
 * *json allocated; caller frees with free(). */
HOGO_EXTERN int hogo_corp_show_json(struct hogo_store *st, const char *number, char **json,
                                    struct hogo_error *err);

/* ---- subjects and their facts ---- */

/* Registers subject_id as a person known to operator (a policy id such as "irp"). */
HOGO_EXTERN int hogo_subject_add(struct hogo_store *st, const char *subject_id,
                                 const char *operator_id, struct hogo_error *err);
/* Sets a scalar fact (age, guardian_consent, scout_service, suspended, provision_stopped,
 * contract_limited, name_publication_explained; value "34", "true", "false"). For an array
 * fact it replaces the whole array with the comma-separated value ("" = empty). */
HOGO_EXTERN int hogo_subject_set_fact(struct hogo_store *st, const char *subject_id,
                                      const char *fact, const char *value,
                                      struct hogo_error *err);
/* Adds value to / removes value from an array fact (linked_accounts, linking_in_progress,
 * services_used, services_requested, applied_to, affiliated_organizations, blocked_companies,
 * opt_outs, point_program_services). Corporate numbers are validated. */
HOGO_EXTERN int hogo_subject_add_fact(struct hogo_store *st, const char *subject_id,
                                      const char *fact, const char *value,
                                      struct hogo_error *err);
HOGO_EXTERN int hogo_subject_remove_fact(struct hogo_store *st, const char *subject_id,
                                         const char *fact, const char *value,
                                         struct hogo_error *err);
/* Forgets a fact: it becomes unknown again. */
HOGO_EXTERN int hogo_subject_unset_fact(struct hogo_store *st, const char *subject_id,
                                        const char *fact, struct hogo_error *err);

/* A separate explicit consent (別途の同意). Borrowed strings. */
struct hogo_consent {
    const char *id;              /* unique per subject */
    const char *recipient;       /* recipient or recipient class id */
    const char *purpose;         /* purpose id */
    const char *const *data;     /* data category ids */
    size_t n_data;
    const char *policy;          /* policy the consent was given under */
    const char *policy_version;  /* the version agreed to, e.g. "2025-04-01" */
    const char *method;          /* how: "web_form", "paper", "app", ... */
    int64_t given_at;            /* microseconds since the epoch; 0 = now */
};
/* Records a consent. */
HOGO_EXTERN int hogo_subject_consent(struct hogo_store *st, const char *subject_id,
                                     const struct hogo_consent *c, struct hogo_error *err);
/* Marks a consent withdrawn now; it stops appearing in the facts. */
HOGO_EXTERN int hogo_subject_withdraw(struct hogo_store *st, const char *subject_id,
                                      const char *consent_id, struct hogo_error *err);
/* Erases a subject: destroys its data key in the key store first (every copy of its sealed
 * data, database backups included, becomes unreadable), then deletes its data items and
 * sets the facts erased=true. */
HOGO_EXTERN int hogo_subject_erase(struct hogo_store *st, const char *subject_id,
                                   struct hogo_error *err);

/* The subject's facts as the JSON object a decision request's "subject" field takes
 * (spec/decision.md): only known facts appear; consents are those given under policy and not
 * withdrawn (policy NULL: all); blocked_companies includes successors of blocked numbers.
 * HOGO_ENOTFOUND when the subject does not exist or belongs to another operator than policy.
 * *json allocated; caller frees with free(). */
HOGO_EXTERN int hogo_store_subject_facts_json(struct hogo_store *st, const char *policy,
                                              const char *subject_id, char **json,
                                              struct hogo_error *err);
/* Everything held about a subject except data values: operator, facts, consents with their
 * history, data item metadata, key state. *json allocated; caller frees with free(). */
HOGO_EXTERN int hogo_subject_show_json(struct hogo_store *st, const char *subject_id,
                                       char **json, struct hogo_error *err);
/* The subject's full disclosure (APPI Art. 33, with 33(5)): operator, facts, consents with
 * their history, every data item with its value opened (text as is, other bytes as
 * "value_base64") and provenance, and the provision (Art. 29) and receipt (Art. 30) records
 * about the subject. Each item read is a data.read audit event and the disclosure a
 * subject.disclose event, in one transaction. Needs the master key when the subject has
 * data items. *json allocated; caller frees with free(). */
HOGO_EXTERN int hogo_subject_disclose_json(struct hogo_store *st, const char *subject_id,
                                           char **json, struct hogo_error *err);
/* JSON array of {"subject_id","operator","created_at","erased"} (operator NULL: all). */
HOGO_EXTERN int hogo_subject_list_json(struct hogo_store *st, const char *operator_id,
                                       char **json, struct hogo_error *err);

/* ---- personal data, sealed per subject ---- */

/* Where a data item came from. Borrowed strings. */
struct hogo_provenance {
    const char *channel;        /* "direct", "automatic", "third_party" or "public" */
    const char *source;         /* third party / public source name, or NULL */
    const char *service;        /* service id it was acquired in, or NULL */
    const char *context;        /* free text without personal values, or NULL */
    const char *policy_version; /* policy version in force at acquisition */
};
/* Seals value under the subject's key and stores it; *item_id (may be NULL) gets its id. */
HOGO_EXTERN int hogo_data_put(struct hogo_store *st, const char *subject_id,
                              const char *category, const void *value, size_t len,
                              const struct hogo_provenance *prov, int64_t *item_id,
                              struct hogo_error *err);
/* Opens one item; *value allocated (NUL-terminated for convenience, len excludes the NUL);
 * caller frees with free(). The read is an audit event. */
HOGO_EXTERN int hogo_data_get(struct hogo_store *st, const char *subject_id, int64_t item_id,
                              unsigned char **value, size_t *len, struct hogo_error *err);
/* JSON array of the subject's items: id, category, provenance, acquired_at; no values. */
HOGO_EXTERN int hogo_data_list_json(struct hogo_store *st, const char *subject_id, char **json,
                                    struct hogo_error *err);
/* Deletes one item. */
HOGO_EXTERN int hogo_data_delete(struct hogo_store *st, const char *subject_id,
                                 int64_t item_id, struct hogo_error *err);

/* ---- group commit figures (lib/store/stats.c) ---- */

/* On a handle opened with group_commit: the transactions committed so far and the calls
 * they carried (items / batches is the mean commit size); both 0 on another handle. Safe
 * from any thread. */
HOGO_EXTERN void hogo_store_commit_stats(struct hogo_store *st, int64_t *commits,
                                         int64_t *calls);

#ifdef __cplusplus
}
#endif
#endif
