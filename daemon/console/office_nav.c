/*
 * What the ledger, audit, policy and explorer pages share: the console's navigation as they
 * show it and the actor their audit events name. Daemon layer (privacy office console).
 */
#include "office.h"

#include <stdio.h>

/* clang-format off */
const struct web_nav office_nav[] = {
    {"/console/",          "ホーム",                 "Home"},
    {"/console/requests",  "開示等の請求",           "Rights requests"},
    {"/console/breaches",  "漏えい等事案",           "Breaches"},
    {"/console/ledger",    "台帳",                   "Ledger"},
    {"/console/audit",     "監査ログ",               "Audit log"},
    {"/console/policies",  "ポリシーの版",           "Policy versions"},
    {"/console/explorer",  "判定エクスプローラー",   "Decision explorer"},
    {"/console/officers",  "担当者アカウント",       "Officers"},
    {NULL, NULL, NULL},
};
/* clang-format on */

void office_actor(struct hogod_exchange *x, char out[160])
{
    const struct web_session *s = web_session(x);
    snprintf(out, 160, "officer:%s", s ? s->officer : "unknown");
}
