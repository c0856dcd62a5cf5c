/*
 * Officer accounts of the privacy office: the people who sign in to hogod's console under
 * /console/. An officer has a name (what they sign in with), is bound to one operator (a
 * policy id such as irp) whose data alone they see, has a role (viewer < handler < admin:
 * viewers read, handlers also act on rights requests and breaches, admins also manage
 * officers), a password kept only as a libsodium crypto_pwhash_str hash (Argon2id), can be
 * disabled, and carries its creation and last sign-in times. Public API layer (implemented in
 * lib/officer); the accounts live in the store's officers table. Every change and every
 * sign-in, failed or not, is an audit event naming the officer, never the password.
 * Thread safety: the calls take a store handle and follow its rules (hogo/store.h);
 * struct hogo_officer is plain data.
 */
#ifndef HOGO_OFFICER_H
#define HOGO_OFFICER_H

#include <hogo/error.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct hogo_store;

/* Roles in increasing power: a role may do everything the roles below it may. */
enum hogo_officer_role {
    HOGO_OFFICER_VIEWER = 1,  /* reads the queue, the breaches, the ledger */
    HOGO_OFFICER_HANDLER = 2, /* also acts: verifies, completes, refuses, reports */
    HOGO_OFFICER_ADMIN = 3,   /* also adds officers, changes roles, disables */
};

#define HOGO_OFFICER_NAME_CHARS 128      /* a name is an id: [A-Za-z0-9._:@-], 1-128 */
#define HOGO_OFFICER_PASSWORD_MIN 10     /* characters (bytes) a password has at least */
#define HOGO_OFFICER_PASSWORD_MAX 1024   /* and at most */

/* The role named s ("viewer", "handler", "admin"), or 0 when s names none. */
HOGO_EXTERN int hogo_officer_role_parse(const char *s);
/* The name of role ("viewer", ...), or "" for a value that is not a role. */
HOGO_EXTERN const char *hogo_officer_role_name(int role);

/* What the store knows about one officer (never the password or its hash). */
struct hogo_officer {
    char name[HOGO_OFFICER_NAME_CHARS + 1];
    char operator_id[129];
    int role;               /* enum hogo_officer_role */
    bool enabled;
    int64_t created_at;     /* microseconds since the epoch */
    int64_t last_signin_at; /* microseconds; 0 = never signed in */
};

/* Adds officer name for operator_id (checked against the store's vocabulary check) with
 * role and password (HOGO_OFFICER_PASSWORD_MIN..MAX bytes, hashed with crypto_pwhash_str).
 * HOGO_EINVAL for a bad name, role or password or a name already taken. actor (may be NULL:
 * the store's) names who adds it in the audit event "officer.add". */
HOGO_EXTERN int hogo_officer_add(struct hogo_store *st, const char *name,
                                 const char *operator_id, int role, const char *password,
                                 const char *actor, struct hogo_error *err);

/* Fills *out with officer name; HOGO_ENOTFOUND when there is none, or when operator_id is
 * not NULL and the officer belongs to another operator. */
HOGO_EXTERN int hogo_officer_get(struct hogo_store *st, const char *operator_id,
                                 const char *name, struct hogo_officer *out,
                                 struct hogo_error *err);

/* Signs officer name in with password: 0 and *out filled when the password matches and the
 * officer is enabled (the hash is renewed when its parameters are outdated, the sign-in time
 * recorded, audit event "officer.signin"). Otherwise HOGO_ENOTFOUND, with the same message
 * for an unknown name and a wrong password (and as long a check, so neither is told apart),
 * and an audit event "officer.signin_failed"; a disabled officer's right password gets its
 * own message. */
HOGO_EXTERN int hogo_officer_authenticate(struct hogo_store *st, const char *name,
                                          const char *password, struct hogo_officer *out,
                                          struct hogo_error *err);

/* Records a sign-in proved by other means (method: e.g. "token", a signed sign-in token of
 * kind officer): the officer must exist, be enabled and belong to operator_id, else
 * HOGO_ENOTFOUND. Fills *out (may be NULL), records the time, audit event "officer.signin". */
HOGO_EXTERN int hogo_officer_signed_in(struct hogo_store *st, const char *operator_id,
                                       const char *name, const char *method,
                                       struct hogo_officer *out, struct hogo_error *err);

/* Changes the role of officer name (of operator_id; NULL: any). Audit event
 * "officer.set_role". HOGO_ENOTFOUND when there is no such officer. */
HOGO_EXTERN int hogo_officer_set_role(struct hogo_store *st, const char *operator_id,
                                      const char *name, int role, const char *actor,
                                      struct hogo_error *err);

/* Enables or disables officer name (of operator_id; NULL: any); a disabled officer cannot
 * sign in. Audit event "officer.enable" / "officer.disable". */
HOGO_EXTERN int hogo_officer_set_enabled(struct hogo_store *st, const char *operator_id,
                                         const char *name, bool enabled, const char *actor,
                                         struct hogo_error *err);

/* Sets a new password for officer name (of operator_id; NULL: any). Audit event
 * "officer.passwd". */
HOGO_EXTERN int hogo_officer_set_password(struct hogo_store *st, const char *operator_id,
                                          const char *name, const char *password,
                                          const char *actor, struct hogo_error *err);

/* Calls fn for each officer of operator_id (NULL: all), by name; fn returning nonzero stops.
 */
HOGO_EXTERN int hogo_officer_list(struct hogo_store *st, const char *operator_id,
                                  int (*fn)(void *ctx, const struct hogo_officer *o), void *ctx,
                                  struct hogo_error *err);

/* JSON array of {"name","operator","role","enabled","created_at","last_signin_at"} of
 * operator_id's officers (NULL: all), times RFC 3339 or null. *json allocated; free(). */
HOGO_EXTERN int hogo_officer_list_json(struct hogo_store *st, const char *operator_id,
                                       char **json, struct hogo_error *err);

#ifdef __cplusplus
}
#endif
#endif
