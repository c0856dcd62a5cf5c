/*
 * Sign-in tokens for hogod's web pages: short-lived, single-use, Ed25519-signed statements by
 * an operator's own login system that a person (or an officer) of that operator has signed
 * in. Public API layer (implemented in lib/signin).
 *
 * A token is "v1.<payload>.<signature>": payload is base64url (no padding) of the JSON object
 * {"kind":"person"|"officer","operator":ID,"sub":ID,"exp":UNIX,"jti":RANDOM}, signature the
 * base64url Ed25519 signature (crypto_sign_detached) of the bytes "v1.<payload>". The signing
 * key is an Ed25519 key as hogo_signing_key_generate() writes it (secret FILE, public
 * FILE.pub): the issuer holds the secret, hogod the public key. A token lives at most
 * HOGO_SIGNIN_MAX_TTL seconds; hogod accepts each jti once.
 *
 * Threads: every function here is reentrant.
 */
#ifndef HOGO_SIGNIN_H
#define HOGO_SIGNIN_H

#include <hogo/error.h>
#include <hogo/store.h>

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define HOGO_SIGNIN_MAX_TTL 600     /* a token lives ten minutes at most */
#define HOGO_SIGNIN_TOKEN_MAX 1024  /* a token's length at most (with its NUL) */

/* What a checked token says. */
struct hogo_signin_claims {
    char kind[16];         /* "person" or "officer" */
    char operator_id[64];  /* the operator (policy id) the person or officer belongs to */
    char subject[128];     /* the person's subject id, or the officer's name */
    int64_t exp;           /* unix seconds after which the token is void */
    char jti[64];          /* the token's own random id (single use) */
};

/* Writes a token into out (size at least HOGO_SIGNIN_TOKEN_MAX) for kind ("person" or
 * "officer"), operator_id and subject, valid from now (unix seconds) for ttl seconds
 * (1..HOGO_SIGNIN_MAX_TTL), signed with the Ed25519 secret key sk. HOGO_EINVAL says which
 * argument is wrong. */
HOGO_EXTERN int hogo_signin_issue(const unsigned char sk[HOGO_SIGN_SECRET_BYTES],
                                  const char *kind, const char *operator_id,
                                  const char *subject, int64_t now, int ttl,
                                  char *out, size_t size, struct hogo_error *err);

/* Checks token against the public key pk at now: its form, signature, kind (must equal kind),
 * and expiry (not past, and not more than HOGO_SIGNIN_MAX_TTL ahead). 0 with *out filled;
 * HOGO_EINVAL for a malformed token, HOGO_ECRYPTO for a bad signature or another key, and
 * HOGO_ELIMIT for an expired or too long-lived one, err saying which. Single use is the
 * checker's duty (remember out->jti until out->exp). */
HOGO_EXTERN int hogo_signin_check(const unsigned char pk[HOGO_SIGN_PUBLIC_BYTES],
                                  const char *token, const char *kind, int64_t now,
                                  struct hogo_signin_claims *out, struct hogo_error *err);

#ifdef __cplusplus
}
#endif
#endif
