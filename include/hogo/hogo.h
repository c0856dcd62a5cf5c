/*
 * hogo: the umbrella header of libhogo, the personal-data governance engine.
 * Public API layer. Include this one header to get every public part of the library.
 */
#ifndef HOGO_H
#define HOGO_H

#include <hogo/audit.h>
#include <hogo/decide.h>
#include <hogo/deid.h>
#include <hogo/error.h>
#include <hogo/file.h>
#include <hogo/ledger.h>
#include <hogo/policy.h>
#include <hogo/store.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Returns the library version, e.g. "0.1.0" (static string). */
HOGO_EXTERN const char *hogo_version(void);

#ifdef __cplusplus
}
#endif
#endif
