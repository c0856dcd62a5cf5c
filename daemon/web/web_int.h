/*
 * What the web foundation's own files share (not for pages): the per-daemon web state and the
 * per-exchange web part. Daemon layer (web foundation).
 */
#ifndef HOGOD_WEB_INT_H
#define HOGOD_WEB_INT_H

#include "web.h"

#include <hogo/signin.h>

struct web_jtis; /* spent sign-in token ids (signin.c) */

struct web_state {
    struct web_sessions *sessions;
    struct web_jtis *jtis;
    unsigned char signin_pk[HOGO_SIGN_PUBLIC_BYTES];
    bool has_signin_key;
};

struct web_field {
    char *name, *value;
    size_t len;
};

struct web_exchange {
    char path[512];                        /* the request's path (no query) */
    struct web_session session;
    bool has_session;
    char session_id[WEB_TOKEN_CHARS + 1];
    char lang[3];
    char set_cookie[512];
    char attachment[128];                  /* a download's file name, "" when none */
    struct web_field fields[WEB_FORM_MAX_FIELDS];
    int nfields;
    bool form_failed;
};

/* The exchange's web part, made on first use (NULL when out of memory). */
struct web_exchange *web_part(struct hogod_exchange *x);
/* The request's current time, unix seconds. */
int64_t web_now(void);

int web_jtis_new(struct web_jtis **out);
void web_jtis_free(struct web_jtis *j);
/* Spends jti (kept until exp): 0 the first time, HOGO_EBUSY when it was spent already. */
int web_jtis_spend(struct web_jtis *j, const char *jti, int64_t exp, int64_t now);

#endif
