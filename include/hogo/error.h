/*
 * Error codes and the error record every libhogo call that can fail fills in.
 * Public API layer. A function returns 0 on success or a negative HOGO_E* code; when the
 * caller passed a struct hogo_error, it also says where (a file:line:col in a policy or
 * config, a JSON pointer in a request) and what to do about it.
 *
 * Threads: hogo_strerror() returns static text and may be called from any thread; a struct
 * hogo_error is written by the one call it is passed to.
 */
#ifndef HOGO_ERROR_H
#define HOGO_ERROR_H

#include <stddef.h>

#if defined(HOGO_BUILDING_LIBRARY)
#define HOGO_EXTERN __attribute__((visibility("default")))
#else
#define HOGO_EXTERN
#endif

#ifdef __cplusplus
extern "C" {
#endif

enum {
    HOGO_OK = 0,
    HOGO_ENOMEM = -1,    /* out of memory */
    HOGO_EINVAL = -2,    /* malformed input: request, arguments, data */
    HOGO_EPOLICY = -3,   /* malformed or inconsistent policy or vocabulary */
    HOGO_EIO = -4,       /* reading or writing a file failed */
    HOGO_ENOTFOUND = -5, /* a named thing (policy, subject, record) does not exist */
    HOGO_ESTORE = -6,    /* the store failed */
    HOGO_EVERSION = -7,  /* a file or database is newer than this program */
    HOGO_ECRYPTO = -8,   /* decryption or signature check failed */
    HOGO_ETAMPER = -9,   /* an integrity check found a modification */
    HOGO_EBUSY = -10,    /* the resource is locked by someone else; try again */
    HOGO_ELIMIT = -11,   /* input exceeds a configured limit */
};

/* A detailed error: the code, where it happened, and a message saying what is wrong and how
 * to fix it. Plain data owned by the caller; no cleanup needed. */
struct hogo_error {
    int code;           /* HOGO_E* code, 0 when no error was recorded */
    char where[512];    /* "file:line:col", a JSON pointer like "/data/1", or "" */
    char message[1024]; /* lowercase, subject first, ends with how to fix it */
};

/* Returns a short static English description of a HOGO_E* code. */
HOGO_EXTERN const char *hogo_strerror(int code);

/* Records an error (printf-style message) in err, if err is not NULL; returns code. */
HOGO_EXTERN int hogo_error_set(struct hogo_error *err, int code, const char *where,
                               const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Clears err to "no error". */
HOGO_EXTERN void hogo_error_clear(struct hogo_error *err);

#ifdef __cplusplus
}
#endif
#endif
