/*
 * The route table of hogod: every route's method, path, the key scope it needs, whether it
 * needs a store, its body limit and its handler. This table is the one place a route is
 * declared: the server matches requests against it, /metrics labels by it, `hogod
 * --list-routes` prints it, and the tests check it against docs/openapi.yaml both ways and
 * try every entry for operator isolation. To add a route: a handler in the route group's
 * file (route_*.c), a line here, and its description in docs/openapi.yaml. Daemon layer.
 */
#include "hogod.h"
#include "center/center.h"
#include "center/controls.h"
#include "console/console.h"
#include "console/office.h"
#include "web/web.h"

#define S "/v1/subjects/{subject_id}"

/* clang-format off */
const struct hogod_route hogod_routes[] = {
    /* operations (route_ops.c) */
    {"GET",    "/livez",                        "public",         false, 0,  hogod_route_livez,    "the process answers"},
    {"GET",    "/readyz",                       "public",         false, 0,  hogod_route_readyz,   "policies loaded and store reachable"},
    {"GET",    "/v1/openapi.yaml",              "public",         false, 0,  hogod_route_openapi,  "this API's description"},
    {"GET",    "/metrics",                      "metrics:read",   false, 0,  hogod_route_metrics,  "Prometheus metrics"},
    /* decisions (route_decide.c) */
    {"POST",   "/v1/decide",                    "decide",         false, -1, hogod_route_decide,       "decide one request"},
    {"POST",   "/v1/decide:batch",              "decide",         false, -2, hogod_route_decide_batch, "decide JSON lines"},
    /* policies (route_policies.c) */
    {"GET",    "/v1/policies",                  "policies:read",  false, 0,  hogod_route_policies_list,     "policies served"},
    {"GET",    "/v1/policies/{policy_id}",      "policies:read",  false, 0,  hogod_route_policy_show,       "one policy"},
    {"POST",   "/v1/policies:validate",         "policies:read",  false, 0,  hogod_route_policies_validate, "check a policy file"},
    /* the 外部送信一覧 (route_transmissions.c) */
    {"GET",    "/v1/transmissions/{policy_id}", "public",         false, 0,  hogod_route_transmissions,     "a policy's external transmissions"},
    /* subjects (route_subjects.c) */
    {"POST",   "/v1/subjects",                  "subjects:write", true,  0,  hogod_route_subjects_create,  "register a subject"},
    {"GET",    "/v1/subjects",                  "subjects:read",  true,  0,  hogod_route_subjects_list,    "the operator's subjects"},
    {"GET",    S,                               "subjects:read",  true,  0,  hogod_route_subject_show,     "a subject, without data values"},
    {"GET",    S "/facts",                      "subjects:read",  true,  0,  hogod_route_subject_facts,    "the facts decisions use"},
    {"PUT",    S "/facts/{fact}",               "subjects:write", true,  0,  hogod_route_subject_fact_set,   "set a fact"},
    {"DELETE", S "/facts/{fact}",               "subjects:write", true,  0,  hogod_route_subject_fact_unset, "forget a fact"},
    {"POST",   S "/opt-outs",                   "subjects:write", true,  0,  hogod_route_subject_optout_add,    "stop a purpose"},
    {"DELETE", S "/opt-outs/{purpose}",         "subjects:write", true,  0,  hogod_route_subject_optout_remove, "resume a purpose"},
    {"POST",   S "/blocks",                     "subjects:write", true,  0,  hogod_route_subject_block_add,     "block a company"},
    {"DELETE", S "/blocks/{corporate_number}",  "subjects:write", true,  0,  hogod_route_subject_block_remove,  "unblock a company"},
    {"POST",   S "/consents",                   "subjects:write", true,  0,  hogod_route_subject_consent_add,      "record a separate consent"},
    {"DELETE", S "/consents/{consent_id}",      "subjects:write", true,  0,  hogod_route_subject_consent_withdraw, "withdraw a consent"},
    {"POST",   S ":erase",                      "subjects:write", true,  0,  hogod_route_subject_erase,    "erase a subject"},
    /* sealed data (route_data.c) */
    {"POST",   S "/data",                       "data:write",     true,  0,  hogod_route_data_put,    "seal and store an item"},
    {"GET",    S "/data",                       "data:read",      true,  0,  hogod_route_data_list,   "the items, without values"},
    {"GET",    S "/data/{item_id}",             "data:read",      true,  0,  hogod_route_data_get,    "open one item"},
    {"DELETE", S "/data/{item_id}",             "data:write",     true,  0,  hogod_route_data_delete, "delete one item"},
    /* ledger (route_ledger.c) */
    {"POST",   "/v1/provisions",                "ledger:write",   true,  0,  hogod_route_provisions,  "decide and record a provision"},
    {"POST",   "/v1/receipts",                  "ledger:write",   true,  0,  hogod_route_receipts,    "decide and record a receipt"},
    {"GET",    "/v1/ledger",                    "ledger:read",    true,  0,  hogod_route_ledger_list, "list and export records"},
    {"GET",    "/v1/ledger/{record_id}",        "ledger:read",    true,  0,  hogod_route_ledger_show, "one record"},
    /* rights requests, breaches, bulk import (route_rights.c) */
    {"POST",   "/v1/dsr",                       "rights:write",   true,  0,  hogod_route_dsr_open,     "open a rights request"},
    {"GET",    "/v1/dsr",                       "rights:read",    true,  0,  hogod_route_dsr_list,     "the operator's rights requests"},
    {"GET",    "/v1/dsr/{request_id}",          "rights:read",    true,  0,  hogod_route_dsr_show,     "one rights request"},
    {"POST",   "/v1/dsr/{request_id}:verify",   "rights:write",   true,  0,  hogod_route_dsr_verify,   "record the identity check"},
    {"POST",   "/v1/dsr/{request_id}:complete", "rights:write",   true,  0,  hogod_route_dsr_complete, "complete with its effect"},
    {"POST",   "/v1/dsr/{request_id}:refuse",   "rights:write",   true,  0,  hogod_route_dsr_refuse,   "refuse on an APPI ground"},
    {"POST",   "/v1/dsr/{request_id}:withdraw", "rights:write",   true,  0,  hogod_route_dsr_withdraw, "withdraw a request"},
    {"POST",   "/v1/breaches",                  "breaches:write", true,  0,  hogod_route_breach_open,     "record a leak incident"},
    {"GET",    "/v1/breaches/{breach_id}",      "breaches:read",  true,  0,  hogod_route_breach_show,     "one incident"},
    {"POST",   "/v1/breaches/{breach_id}/affected", "breaches:write", true, 0, hogod_route_breach_affected, "add affected people"},
    {"POST",   "/v1/breaches/{breach_id}:assess", "breaches:write", true, 0, hogod_route_breach_assess,  "reportability and deadlines"},
    {"POST",   "/v1/breaches/{breach_id}:report", "breaches:write", true, 0, hogod_route_breach_report,  "the report to the PPC"},
    {"POST",   "/v1/subjects:import",           "subjects:import", true, -2, hogod_route_subjects_import, "load people from JSON lines"},
    /* audit (route_audit.c) */
    {"POST",   "/v1/audit:verify",              "audit:read",     true,  0,  hogod_route_audit_verify, "verify the audit log"},
    /* web pages (daemon/web, daemon/center): scope "web" needs nothing, "center" a person's
       session, "console:ROLE" an officer's session of at least that role (web/web.h) */
    {"GET",    "/center/static/hogo.css",       "web",            false, 0,  web_route_stylesheet,      "the web pages' stylesheet"},
    {"GET",    "/console/static/hogo.css",      "web",            false, 0,  web_route_stylesheet,      "the web pages' stylesheet"},
    {"GET",    "/center/signin",                "web",            true,  0,  web_route_center_signin,   "a person signs in with a token"},
    {"GET",    "/center/signed-out",            "web",            false, 0,  center_page_signed_out,    "the page after signing out"},
    {"POST",   "/center/signout",               "center",         true,  0,  web_route_signout,         "a person signs out"},
    {"GET",    "/center/",                      "center",         true,  0,  center_page_overview,      "the person's overview"},
    {"GET",    "/center/transmissions/{policy_id}", "web",        false, 0,  hogod_page_transmissions,  "a policy's external transmissions (page)"},
    {"GET",    "/center/held",                  "center",         true,  0,  center_page_held,          "what is held, by category"},
    {"GET",    "/center/provided",              "center",         true,  0,  center_page_provided,      "whom it was provided to"},
    {"GET",    "/center/policy",                "center",         true,  0,  center_page_policy,        "the policy and what it means"},
    /* the person's controls (daemon/center/controls.h) */
    {"GET",    "/center/accounts",              "center",         true,  0,  center_page_accounts,      "linked accounts and what linking means"},
    {"POST",   "/center/accounts/unlink",       "center",         true,  0,  center_post_unlink,        "unlink an account"},
    {"GET",    "/center/consents",              "center",         true,  0,  center_page_consents,      "consents given"},
    {"POST",   "/center/consents/withdraw",     "center",         true,  0,  center_post_withdraw,      "withdraw a consent"},
    {"GET",    "/center/opt-outs",              "center",         true,  0,  center_page_optouts,       "mail, ads and per-partner opt-outs"},
    {"POST",   "/center/opt-outs",              "center",         true,  0,  center_post_optout,        "stop or resume a purpose"},
    {"GET",    "/center/blocks",                "center",         true,  0,  center_page_blocks,        "company blocks and the company search"},
    {"POST",   "/center/blocks",                "center",         true,  0,  center_post_block,         "block a company"},
    {"POST",   "/center/blocks/remove",         "center",         true,  0,  center_post_unblock,       "unblock a company"},
    {"GET",    "/center/requests",              "center",         true,  0,  center_page_requests,      "the person's rights requests"},
    {"POST",   "/center/requests",              "center",         true,  0,  center_post_request,       "start a rights request"},
    {"GET",    "/center/requests/{request_id}", "center",         true,  0,  center_page_request,       "one of the person's requests"},
    {"POST",   "/center/requests/{request_id}/withdraw", "center", true, 0,  center_post_request_withdraw, "withdraw a request"},
    {"GET",    "/center/requests/{request_id}/package", "center", true,  0,  center_download_package,   "download a completed disclosure"},
    {"GET",    "/console/signin",               "web",            true,  0,  console_page_signin,       "an officer signs in: a token, or the password form"},
    {"POST",   "/console/signin",               "web",            true,  0,  console_signin_password,   "an officer signs in with name and password"},
    {"POST",   "/console/signout",              "console:viewer", true,  0,  web_route_signout,         "an officer signs out"},
    /* the privacy office's console (daemon/console/console.h): viewers read, handlers act,
       admins manage officers; the officer's operator only */
    {"GET",    "/console/",                     "console:viewer", true,  0,  console_page_home,         "the console's home"},
    {"GET",    "/console/requests",             "console:viewer", true,  0,  console_page_requests,     "the rights-request queue"},
    {"GET",    "/console/requests/{request_id}", "console:viewer", true, 0,  console_page_request,      "one rights request"},
    {"POST",   "/console/requests/{request_id}/verify",   "console:handler", true, 0, console_request_verify,   "record the identity verification"},
    {"POST",   "/console/requests/{request_id}/start",    "console:handler", true, 0, console_request_start,    "start working on a request"},
    {"POST",   "/console/requests/{request_id}/complete", "console:handler", true, 0, console_request_complete, "complete a request with its effect"},
    {"POST",   "/console/requests/{request_id}/refuse",   "console:handler", true, 0, console_request_refuse,   "refuse a request on an APPI ground"},
    {"POST",   "/console/requests/{request_id}/withdraw", "console:handler", true, 0, console_request_withdraw, "withdraw a request"},
    {"GET",    "/console/breaches",             "console:viewer", true,  0,  console_page_breaches,     "breach incidents and their deadlines"},
    {"POST",   "/console/breaches",             "console:handler", true, 0,  console_breach_open,       "record a breach incident"},
    {"GET",    "/console/breaches/{breach_id}", "console:viewer", true,  0,  console_page_breach,       "one breach incident"},
    {"POST",   "/console/breaches/{breach_id}/affected", "console:handler", true, 0, console_breach_affected, "add affected people"},
    {"POST",   "/console/breaches/{breach_id}/assess",   "console:handler", true, 0, console_breach_assess,   "assess reportability and deadlines"},
    {"POST",   "/console/breaches/{breach_id}/report",   "console:handler", true, 0, console_breach_report,   "make the preliminary or final report"},
    {"GET",    "/console/officers",             "console:admin",  true,  0,  console_page_officers,     "the operator's officer accounts"},
    {"POST",   "/console/officers",             "console:admin",  true,  0,  console_officer_add,       "add an officer"},
    {"POST",   "/console/officers/{officer}/role",     "console:admin", true, 0, console_officer_role,     "change an officer's role"},
    {"POST",   "/console/officers/{officer}/disable",  "console:admin", true, 0, console_officer_disable,  "disable an officer"},
    {"POST",   "/console/officers/{officer}/enable",   "console:admin", true, 0, console_officer_enable,   "enable an officer"},
    {"POST",   "/console/officers/{officer}/password", "console:admin", true, 0, console_officer_password, "set an officer's password"},
    /* the privacy office's console: the records, the audit log, the policy's versions, the
       decision explorer; viewers and up, the officer's operator only (daemon/console/office.h) */
    {"GET",    "/console/ledger",               "console:viewer", true,  0,  console_page_ledger,       "ledger search"},
    {"GET",    "/console/ledger.csv",           "console:viewer", true,  0,  console_ledger_csv,        "ledger search as CSV"},
    {"GET",    "/console/audit",                "console:viewer", true,  0,  console_page_audit,        "the audit log's last checkpoint"},
    {"POST",   "/console/audit",                "console:viewer", true,  0,  console_audit_verify,      "verify the audit log now"},
    {"GET",    "/console/policies",             "console:viewer", true,  0,  console_page_policies,     "the policy's versions"},
    {"GET",    "/console/policies/{policy_id}/diff", "console:viewer", true, 0, console_page_policy_diff, "what a revision changed"},
    {"GET",    "/console/explorer",             "console:viewer", true,  0,  console_page_explorer,     "the decision explorer"},
    {"POST",   "/console/explorer",             "console:viewer", true,  0,  console_explorer_decide,   "decide a request, recording nothing"},
};
/* clang-format on */

const int hogod_nroutes = (int)(sizeof hogod_routes / sizeof hogod_routes[0]);
