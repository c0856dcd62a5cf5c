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
    {"GET",    "/console/signin",               "web",            true,  0,  web_route_console_signin_token, "an officer signs in with a token"},
    {"POST",   "/console/signout",              "console:viewer", true,  0,  web_route_signout,         "an officer signs out"},
};
/* clang-format on */

const int hogod_nroutes = (int)(sizeof hogod_routes / sizeof hogod_routes[0]);
