/*
 * What the files of lib/rights share: the acting person for audit events, request ids,
 * dates in Japan time, and the policy's rights clause. Rights layer (above the store and the
 * policy module, whose internal headers it reads like the ledger does).
 */
#ifndef HOGO_RIGHTS_INT_H
#define HOGO_RIGHTS_INT_H

#include "common/json.h"
#include "ledger/ledger-int.h"

#include <hogo/policy.h>
#include <hogo/rights.h>

#include <stdint.h>

/* Sets st's actor to actor (when given) for the audit events of one call; the previous one
 * goes into saved (128 bytes) for rights_actor_restore(). */
void rights_actor_set(struct hogo_store *st, const char *actor, char saved[128]);
void rights_actor_restore(struct hogo_store *st, const char saved[128]);

/* A new id: prefix and 24 random hex digits. */
void rights_new_id(const char *prefix, char id[HOGO_DSR_ID_BYTES]);

/* The date in Japan (UTC+9) of a time in microseconds, as YYYY-MM-DD and as 2026年1月2日. */
void rights_jst_date(int64_t us, char out[11]);
void rights_jst_date_ja(int64_t us, char out[32]);

/* The policy's clause on rights requests (開示等の請求): the clause whose rule stops use of
 * a suspended person's data; *clause and *quote borrowed from the policy, NULL if none. */
void rights_policy_clause(const struct hogo_policy *p, const char **clause, const char **quote);

/* The effect a completed request makes, in the caller's transaction (effects.c). *notice
 * gets the kind's paragraph of the notice (allocated). */
struct rights_request;
int rights_effect(struct hogo_store *st, const struct rights_request *r,
                  const struct hogo_dsr_complete *c, char **paragraph, struct hogo_error *err);

/* A request as stored (dsr.c). */
struct rights_request {
    char id[HOGO_DSR_ID_BYTES];
    char subject[132];
    char op[64];
    char kind[32];
    char state[24];
    char agent[32];
    char method[16];
    int64_t received_at;
    char *detail; /* owned, may be NULL */
};

/* Appends text to an allocated string (*s may be NULL); returns 0 or HOGO_ENOMEM. */
int rights_append(char **s, const char *text);

#endif
