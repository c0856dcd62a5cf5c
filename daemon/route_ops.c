/*
 * The operations routes: GET /livez (the process answers), GET /readyz (policies loaded and
 * the store reachable), GET /metrics (Prometheus text), GET /v1/openapi.yaml (the API
 * description, docs/openapi.yaml, built into the binary). Daemon layer.
 */
#include "hogod.h"

#include <stdlib.h>
#include <string.h>

extern const char hogod_openapi_yaml[];
extern const unsigned long hogod_openapi_yaml_len;

void hogod_route_livez(struct hogod_exchange *x)
{
    static const char ok[] = "{\"status\":\"live\"}\n";
    hogod_reply_json(x, 200, ok, sizeof ok - 1);
}

static int ping_fn(struct hogo_store *st, void *ctx, struct hogo_error *err)
{
    int v;
    (void)ctx;
    return hogo_store_schema_version(st, &v, err);
}

void hogod_route_readyz(struct hogod_exchange *x)
{
    struct hogod_policies *ps = hogod_policies_get(x->d);
    int n = ps->n;
    hogod_policies_release(ps);
    if (atomic_load(&x->d->draining)) {
        hogod_problem(x, 503, NULL, "shutting down; send requests to another instance");
        return;
    }
    if (n == 0) {
        hogod_problem(x, 503, NULL, "no policies loaded");
        return;
    }
    if (x->d->store) {
        struct hogo_error err = {0};
        int rc = hogod_store_run(x, ping_fn, NULL, &err);
        if (rc) {
            hogod_problem(x, 503, NULL, "the store is not reachable: %s", err.message);
            return;
        }
    }
    char body[160];
    int len = snprintf(body, sizeof body, "{\"status\":\"ready\",\"policies\":%d,\"store\":%s}\n",
                       n, x->d->store ? "true" : "false");
    hogod_reply_json(x, 200, body, (size_t)len);
}

void hogod_route_metrics(struct hogod_exchange *x)
{
    char *text = NULL;
    size_t len = 0;
    if (hogod_metrics_render(x->d, &text, &len)) {
        hogod_problem(x, 503, NULL, "out of memory; retry later");
        return;
    }
    hogod_reply_json_take(x, 200, text, len);
    x->content_type = "text/plain; version=0.0.4; charset=utf-8";
}

void hogod_route_openapi(struct hogod_exchange *x)
{
    hogod_reply_text(x, 200, "application/yaml", hogod_openapi_yaml,
                     (size_t)hogod_openapi_yaml_len);
}
