/*
 * The audit route: POST /v1/audit:verify checks the whole hash chain, its checkpoints and
 * the ledger records against their events (hogo audit verify), and answers what it found.
 * Daemon layer.
 */
#include "hogod.h"

#include <string.h>

struct verify_ctx {
    struct hogo_audit_report report;
    int result;
};

static int verify_fn(struct hogo_store *st, void *ctx, struct hogo_error *err)
{
    struct verify_ctx *v = ctx;
    v->result = hogo_audit_verify(st, NULL, &v->report, err);
    return v->result == HOGO_ETAMPER ? 0 : v->result;
}

void hogod_route_audit_verify(struct hogod_exchange *x)
{
    struct verify_ctx v = {0};
    struct hogo_error err = {0};
    int rc = hogod_store_run(x, verify_fn, &v, &err);
    if (rc) {
        hogod_problem_from(x, rc, &err);
        return;
    }
    yajl_gen g = yajl_gen_alloc(NULL);
    yajl_gen_map_open(g);
    hogod_gen_str(g, "intact");
    yajl_gen_bool(g, v.result == 0);
    hogod_gen_kv_int(g, "events", v.report.events);
    hogod_gen_kv_int(g, "checkpoints", v.report.checkpoints);
    hogod_gen_kv_int(g, "last_seq", v.report.last_seq);
    if (v.result) {
        hogod_gen_kv_int(g, "first_bad_seq", v.report.first_bad_seq);
        hogod_gen_kv(g, "problem", v.report.problem);
    }
    yajl_gen_map_close(g);
    size_t len;
    char *s = hogod_gen_take(g, &len);
    yajl_gen_free(g);
    hogod_reply_json_take(x, s ? 200 : 500, s, len);
}
