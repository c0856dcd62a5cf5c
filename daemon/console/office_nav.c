/*
 * The console's navigation as the ledger, audit, policy and explorer pages show it. Daemon
 * layer (privacy office console).
 */
#include "office.h"

/* clang-format off */
const struct web_nav office_nav[] = {
    {"/console/",          "ホーム",                 "Home"},
    {"/console/ledger",    "台帳",                   "Ledger"},
    {"/console/audit",     "監査ログ",               "Audit log"},
    {"/console/policies",  "ポリシーの版",           "Policy versions"},
    {"/console/explorer",  "判定エクスプローラー",   "Decision explorer"},
    {NULL, NULL, NULL},
};
/* clang-format on */
