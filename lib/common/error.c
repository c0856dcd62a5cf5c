/*
 * Error codes and detailed error records (include/hogo/error.h).
 * Common layer: used by every other module of libhogo.
 */
#include <hogo/error.h>

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *hogo_strerror(int code)
{
    switch (code) {
    case HOGO_OK: return "success";
    case HOGO_ENOMEM: return "out of memory";
    case HOGO_EINVAL: return "invalid input";
    case HOGO_EPOLICY: return "invalid policy";
    case HOGO_EIO: return "input/output error";
    case HOGO_ENOTFOUND: return "not found";
    case HOGO_ESTORE: return "store error";
    case HOGO_EVERSION: return "unsupported version";
    case HOGO_ECRYPTO: return "cryptographic check failed";
    case HOGO_ETAMPER: return "integrity check failed";
    case HOGO_EBUSY: return "resource busy";
    case HOGO_ELIMIT: return "limit exceeded";
    default: return "unknown error";
    }
}

int hogo_error_set(struct hogo_error *err, int code, const char *where, const char *fmt, ...)
{
    if (!err)
        return code;
    err->code = code;
    snprintf(err->where, sizeof err->where, "%s", where ? where : "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    return code;
}

void hogo_error_clear(struct hogo_error *err)
{
    if (!err)
        return;
    err->code = 0;
    err->where[0] = '\0';
    err->message[0] = '\0';
}
