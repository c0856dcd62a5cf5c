/*
 * The route table of hogod: every route's method, path, the key scope it needs, whether it
 * needs a store, its body limit and its handler. This table is the one place a route is
 * declared: the server matches requests against it, /metrics labels by it, and the tests
 * check it against docs/openapi.yaml and try every entry for isolation (`hogod
 * --list-routes` prints it). Add a route here and in docs/openapi.yaml. Daemon layer.
 */
#include "hogod.h"

/* clang-format off */
const struct hogod_route hogod_routes[] = {
    /* operations (route_ops.c) */
    {"GET",    "/livez",                       "public",        false, 0,  hogod_route_livez,    "the process answers"},
    {"GET",    "/readyz",                      "public",        false, 0,  hogod_route_readyz,   "policies loaded and store reachable"},
    {"GET",    "/v1/openapi.yaml",             "public",        false, 0,  hogod_route_openapi,  "this API's description"},
    {"GET",    "/metrics",                     "metrics:read",  false, 0,  hogod_route_metrics,  "Prometheus metrics"},
    /* decisions (route_decide.c) */
    {"POST",   "/v1/decide",                   "decide",        false, -1, hogod_route_decide,       "decide one request"},
    {"POST",   "/v1/decide:batch",             "decide",        false, -2, hogod_route_decide_batch, "decide JSON lines"},
    /* policies (route_policies.c) */
    {"GET",    "/v1/policies",                 "policies:read", false, 0,  hogod_route_policies_list,     "policies served"},
    {"GET",    "/v1/policies/{policy_id}",     "policies:read", false, 0,  hogod_route_policy_show,       "one policy"},
    {"POST",   "/v1/policies:validate",        "policies:read", false, 0,  hogod_route_policies_validate, "check a policy file"},
};
/* clang-format on */

const int hogod_nroutes = (int)(sizeof hogod_routes / sizeof hogod_routes[0]);
