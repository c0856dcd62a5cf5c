/*
 * hogo: the umbrella header of libhogo, the personal-data governance engine.
 * Public API layer. Include this one header to get every public part of the library.
 * Each header states which of its objects threads may share: loaded policies and vocabularies
 * always; a store handle when opened with group_commit (hogo/store.h); requests, decisions,
 * writers and text scrubbers one thread at a time.
 */
#ifndef HOGO_H
#define HOGO_H

#include <hogo/apikey.h>
#include <hogo/audit.h>
#include <hogo/decide.h>
#include <hogo/deid.h>
#include <hogo/error.h>
#include <hogo/file.h>
#include <hogo/ledger.h>
#include <hogo/officer.h>
#include <hogo/policy.h>
#include <hogo/rights.h>
#include <hogo/signin.h>
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
