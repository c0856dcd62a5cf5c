/*
 * API keys for the hogod service: a key is 256 random bits shown once at creation, stored only
 * as its BLAKE2b-256 hash, bound to one operator (the policy owner, e.g. "irp") and a set of
 * scopes, with an optional expiry, and revocable. Public API layer (implemented in
 * lib/store/apikey.c); the keys live in the store's api_keys table.
 * Thread safety: the calls take a store handle and follow its rules (hogo/store.h);
 * struct hogo_apikey is plain data.
 */
#ifndef HOGO_APIKEY_H
#define HOGO_APIKEY_H

#include <hogo/error.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct hogo_store;

#define HOGO_APIKEY_CHARS 48  /* "hogo_" + 43 base64url characters */
#define HOGO_APIKEY_ID_CHARS 16 /* the public key id: hex, from the key's hash */

/* The scopes a key may be given, comma-separated in one string (static). */
HOGO_EXTERN const char *hogo_apikey_scopes_known(void);

/* What the store knows about one key (never the key itself). */
struct hogo_apikey {
    char key_id[HOGO_APIKEY_ID_CHARS + 1]; /* public id, for list and revoke */
    char operator_id[129];                 /* the operator the key acts for */
    char scopes[512];                      /* comma-separated scopes */
    int64_t created_at;                    /* microseconds since the epoch */
    int64_t expires_at;                    /* microseconds; 0 = never */
    int64_t revoked_at;                    /* microseconds; 0 = not revoked */
};

/* Creates a key for operator with scopes (comma-separated, each one of
 * hogo_apikey_scopes_known()) expiring at expires_at (microseconds, 0 = never). key gets the
 * key itself (shown once: only its hash is stored), key_id (may be NULL) its public id. The
 * creation is an audit event. */
HOGO_EXTERN int hogo_apikey_create(struct hogo_store *st, const char *operator_id,
                                   const char *scopes, int64_t expires_at,
                                   char key[HOGO_APIKEY_CHARS + 1],
                                   char key_id[HOGO_APIKEY_ID_CHARS + 1],
                                   struct hogo_error *err);

/* Finds the key: HOGO_EINVAL when key is not of the key's form, HOGO_ENOTFOUND when no
 * such key was created; else fills *out (revoked and expired keys too: the caller judges). */
HOGO_EXTERN int hogo_apikey_lookup(struct hogo_store *st, const char *key,
                                   struct hogo_apikey *out, struct hogo_error *err);

/* True when the key is neither revoked nor expired at now_us. */
HOGO_EXTERN bool hogo_apikey_usable(const struct hogo_apikey *k, int64_t now_us);

/* True when scope is among the key's scopes. */
HOGO_EXTERN bool hogo_apikey_has_scope(const struct hogo_apikey *k, const char *scope);

/* Revokes the key with public id key_id, if it belongs to operator_id (NULL: any operator);
 * HOGO_ENOTFOUND otherwise. An audit event. */
HOGO_EXTERN int hogo_apikey_revoke(struct hogo_store *st, const char *operator_id,
                                   const char *key_id, struct hogo_error *err);

/* JSON array of {"key_id","operator","scopes":[...],"created_at","expires_at","revoked_at"}
 * of operator_id's keys (NULL: all). *json allocated; caller frees with free(). */
HOGO_EXTERN int hogo_apikey_list_json(struct hogo_store *st, const char *operator_id,
                                      char **json, struct hogo_error *err);

#ifdef __cplusplus
}
#endif
#endif
