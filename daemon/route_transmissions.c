/*
 * The 外部送信一覧 route: GET /v1/transmissions/{policy_id} answers a served policy's list of
 * external transmissions (docs/transmissions.md) as JSON, to anyone: the Telecommunications
 * Business Act wants it easy for every user to find, so it needs no key. Daemon layer.
 */
#include "hogod.h"

#include <stdlib.h>

void hogod_route_transmissions(struct hogod_exchange *x)
{
    struct hogod_policies *ps = hogod_policies_get(x->d);
    const struct hogo_policy *p = hogod_policy_find(ps, x->params[0]);
    const struct hogo_transmissions *t = p ? hogod_transmissions_find(ps, x->params[0]) : NULL;
    if (!p) {
        hogod_problem(x, 404, NULL, "policy '%s' is not served here", x->params[0]);
    } else if (!t) {
        hogod_problem(x, 404, NULL,
                      "policy '%s' has no list of external transmissions; the operator writes "
                      "it as transmissions/%s.yaml beside the policy",
                      x->params[0], x->params[0]);
    } else {
        size_t len = 0;
        char *json = hogo_transmissions_json(t, false, &len);
        if (!json)
            hogod_problem(x, 503, NULL, "out of memory; retry later");
        else
            hogod_reply_json_take(x, 200, json, len);
    }
    hogod_policies_release(ps);
}
