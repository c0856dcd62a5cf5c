/*
 * The ledger routes: POST /v1/provisions and POST /v1/receipts decide on the subject's stored
 * facts and, when allowed, write the APPI Art. 29 / Art. 30 record in the same transaction
 * (as `hogo provide` / `hogo receive`); GET /v1/ledger lists (exports) the key's operator's
 * records as JSON, filtered by subject, recipient, kind and dates; GET /v1/ledger/{record_id}
 * shows one. Another operator's records are never listed and answer 404. Daemon layer.
 */
#define _XOPEN_SOURCE 700 /* strptime */
#include "hogod.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Parses body member "request" as a decision request for the key's operator; answers and
 * returns NULL on failure. */
/* Prefixes err->where (a pointer into the request) with "/request". */
static void under_request(struct hogo_error *err)
{
    size_t n = strlen(err->where);
    if (err->where[0] && err->where[0] != '/')
        return;
    if (n + 9 > sizeof err->where)
        n = sizeof err->where - 9;
    memmove(err->where + 8, err->where, n);
    memcpy(err->where, "/request", 8);
    err->where[n + 8] = '\0';
}

static const struct hogo_policy *parse_request(struct hogod_exchange *x, yajl_val body,
                                               struct hogod_policies *ps,
                                               struct hogo_request *req)
{
    const char *path[] = {"request", NULL};
    yajl_val r = yajl_tree_get(body, path, yajl_t_any);
    if (!r || !YAJL_IS_OBJECT(r)) {
        hogod_problem(x, 400, "/request",
                      "\"request\" is required: the decision request (docs/decision.md) with "
                      "\"subject_id\" and without \"subject\" facts");
        return NULL;
    }
    yajl_gen g = yajl_gen_alloc(NULL);
    hogod_gen_value(g, r);
    size_t len;
    char *json = hogod_gen_take(g, &len);
    yajl_gen_free(g);
    struct hogo_error err = {0};
    const struct hogo_policy *p = NULL;
    int rc = json ? hogo_request_parse(req, ps->vocab, json, len,
                                       (size_t)x->d->cfg->max_request, &err)
                  : HOGO_ENOMEM;
    if (rc == 0) {
        const char *id = hogo_request_policy(req);
        const char *op = hogod_operator(x);
        if (op && strcmp(op, id))
            rc = hogo_error_set(&err, HOGO_ENOTFOUND, "/policy",
                                "policy '%s' is not served here; GET /v1/policies lists the "
                                "policies this key may use",
                                id);
        else if (!(p = hogod_policy_for(ps, id, req, &err)))
            rc = err.code ? err.code : HOGO_ENOTFOUND;
        else if (hogo_policy_vocab(p) != ps->vocab)
            rc = hogo_request_parse(req, hogo_policy_vocab(p), json, len,
                                    (size_t)x->d->cfg->max_request, &err);
    }
    free(json);
    if (rc) {
        under_request(&err);
        hogod_problem_from(x, rc, &err);
        return NULL;
    }
    return p;
}

/* A string member of the object body[outer] (outer NULL: body itself). */
static const char *member(struct hogod_exchange *x, yajl_val body, const char *outer,
                          const char *name, bool *bad)
{
    yajl_val obj = body;
    if (outer) {
        const char *path[] = {outer, NULL};
        obj = yajl_tree_get(body, path, yajl_t_any);
        if (!obj)
            return NULL;
        if (!YAJL_IS_OBJECT(obj)) {
            char ptr[64];
            snprintf(ptr, sizeof ptr, "/%s", outer);
            hogod_problem(x, 400, ptr, "wrong type: \"%s\" is an object", outer);
            *bad = true;
            return NULL;
        }
    }
    const char *path[] = {name, NULL};
    yajl_val v = yajl_tree_get(obj, path, yajl_t_any);
    if (v && !YAJL_IS_STRING(v)) {
        char ptr[128];
        snprintf(ptr, sizeof ptr, "%s%s/%s", outer ? "/" : "", outer ? outer : "", name);
        hogod_problem(x, 400, ptr, "wrong type: \"%s\" is a string", name);
        *bad = true;
        return NULL;
    }
    return v ? hogod_str(v) : NULL;
}

static void record(struct hogod_exchange *x, bool receipt)
{
    yajl_val body = hogod_body_object(x);
    if (!body)
        return;
    static const char *const pnames[] = {"request", "recipient", "own_retention_years", NULL};
    static const char *const rnames[] = {"request", "provider", "acquisition",
                                         "own_retention_years", NULL};
    struct hogo_request *req = NULL;
    struct hogod_policies *ps = hogod_policies_get(x->d);
    bool bad = !hogod_members_known(x, body, receipt ? rnames : pnames);
    if (!bad && hogo_request_new(&req)) {
        hogod_problem(x, 503, NULL, "out of memory; retry later");
        bad = true;
    }
    const struct hogo_policy *p = bad ? NULL : parse_request(x, body, ps, req);
    struct hogo_provide_opts o = {0};
    if (p && !receipt) {
        o.recipient_name = member(x, body, "recipient", "name", &bad);
        o.recipient_address = bad ? NULL : member(x, body, "recipient", "address", &bad);
        o.recipient_representative =
            bad ? NULL : member(x, body, "recipient", "representative", &bad);
    } else if (p) {
        o.provider_name = member(x, body, "provider", "name", &bad);
        o.provider_address = bad ? NULL : member(x, body, "provider", "address", &bad);
        o.provider_representative =
            bad ? NULL : member(x, body, "provider", "representative", &bad);
        o.provider_corporate_number =
            bad ? NULL : member(x, body, "provider", "corporate_number", &bad);
        o.acquisition = bad ? NULL : member(x, body, NULL, "acquisition", &bad);
    }
    const char *yp[] = {"own_retention_years", NULL};
    yajl_val years = p && !bad ? yajl_tree_get(body, yp, yajl_t_any) : NULL;
    if (years && (!YAJL_IS_INTEGER(years) || YAJL_GET_INTEGER(years) < 1 ||
                  YAJL_GET_INTEGER(years) > 100)) {
        hogod_problem(x, 400, "/own_retention_years", "a whole number of years, 1 to 100");
        bad = true;
    } else if (years) {
        o.own_retention_years = (int)YAJL_GET_INTEGER(years);
    }
    if (p && !bad) {
        struct hogo_decision d;
        char record_id[HOGO_LEDGER_ID_BYTES] = "";
        struct hogo_error err = {0};
        int rc = receipt ? hogo_receive(x->d->store, p, req, &o, &d, record_id, &err)
                         : hogo_provide_ex(x->d->store, p, req, &o, &d, record_id, &err);
        char *dj = NULL;
        if (rc == 0)
            rc = hogo_decision_json(p, req, &d, &dj, &err);
        if (rc) {
            if (err.where[0] == '/')
                under_request(&err);
            if (rc == HOGO_ENOTFOUND && !err.where[0])
                snprintf(err.where, sizeof err.where, "/request/subject_id");
            hogod_problem_from(x, rc, &err);
        } else {
            hogod_metrics_decision(x->d->metrics, hogo_policy_id(p), d.allow);
            yajl_gen g = yajl_gen_alloc(NULL);
            yajl_gen_map_open(g);
            hogod_gen_kv(g, "record_id", record_id[0] ? record_id : NULL);
            hogod_gen_str(g, "decision");
            yajl_val dv = yajl_tree_parse(dj, NULL, 0);
            hogod_gen_value(g, dv);
            yajl_tree_free(dv);
            yajl_gen_map_close(g);
            size_t len;
            char *s = hogod_gen_take(g, &len);
            yajl_gen_free(g);
            if (record_id[0])
                snprintf(x->location, sizeof x->location, "/v1/ledger/%s", record_id);
            hogod_reply_json_take(x, s ? (record_id[0] ? 201 : 200) : 500, s, len);
        }
        free(dj);
    }
    hogo_request_free(req);
    hogod_policies_release(ps);
    yajl_tree_free(body);
}

void hogod_route_provisions(struct hogod_exchange *x) { record(x, false); }

void hogod_route_receipts(struct hogod_exchange *x) { record(x, true); }

struct export_ctx {
    struct hogo_ledger_filter f;
    const char *id;
    char *out;
};

static int export_fn(struct hogo_store *st, void *ctx, struct hogo_error *err)
{
    struct export_ctx *e = ctx;
    if (e->id)
        return hogo_ledger_show_json(st, e->id, &e->out, err);
    return hogo_ledger_export(st, &e->f, HOGO_LEDGER_JSON, &e->out, err);
}

static bool owned(yajl_val rec, const char *op)
{
    const char *path[] = {"policy", NULL};
    yajl_val p = yajl_tree_get(rec, path, yajl_t_string);
    const char *id = p ? hogod_str(p) : NULL;
    return !op || (id && !strcmp(id, op));
}

/* "2026-01-02" or RFC 3339 "2026-01-02T03:04:05Z" to microseconds; -1 when neither. */
static int64_t parse_date(const char *s, bool end_of_day)
{
    struct tm tm = {0};
    const char *rest = strptime(s, "%Y-%m-%d", &tm);
    if (!rest)
        return -1;
    if (*rest == 'T') {
        rest = strptime(rest + 1, "%H:%M:%S", &tm);
        if (!rest || strcmp(rest, "Z"))
            return -1;
    } else if (*rest) {
        return -1;
    } else if (end_of_day) {
        tm.tm_hour = 23;
        tm.tm_min = 59;
        tm.tm_sec = 59;
    }
    return (int64_t)timegm(&tm) * 1000000 + (end_of_day && !*rest ? 999999 : 0);
}

void hogod_route_ledger_list(struct hogod_exchange *x)
{
    struct export_ctx e = {0};
    e.f.subject_id = hogod_query(x, "subject_id");
    e.f.recipient = hogod_query(x, "recipient");
    const char *kind = hogod_query(x, "kind");
    const char *from = hogod_query(x, "from"), *to = hogod_query(x, "to");
    if (kind && strcmp(kind, "provision") && strcmp(kind, "receipt")) {
        hogod_problem(x, 400, NULL, "kind is provision or receipt, not '%s'", kind);
        return;
    }
    e.f.kind = !kind ? 0 : !strcmp(kind, "provision") ? 1 : 2;
    if ((from && (e.f.from = parse_date(from, false)) < 0) ||
        (to && (e.f.to = parse_date(to, true)) < 0)) {
        hogod_problem(x, 400, NULL, "from and to are dates (2026-01-31) or UTC times "
                                    "(2026-01-31T09:00:00Z)");
        return;
    }
    struct hogo_error err = {0};
    int rc = hogod_store_run(x, export_fn, &e, &err);
    if (rc) {
        hogod_problem_from(x, rc, &err);
        return;
    }
    yajl_val all = yajl_tree_parse(e.out, NULL, 0);
    free(e.out);
    if (!all || !YAJL_IS_ARRAY(all)) {
        yajl_tree_free(all);
        hogod_problem(x, 500, NULL, "the ledger export could not be read back");
        return;
    }
    yajl_gen g = yajl_gen_alloc(NULL);
    yajl_gen_array_open(g);
    for (size_t i = 0; i < all->u.array.len; i++)
        if (owned(all->u.array.values[i], hogod_operator(x)))
            hogod_gen_value(g, all->u.array.values[i]);
    yajl_gen_array_close(g);
    yajl_tree_free(all);
    size_t len;
    char *s = hogod_gen_take(g, &len);
    yajl_gen_free(g);
    hogod_reply_json_take(x, s ? 200 : 500, s, len);
}

void hogod_route_ledger_show(struct hogod_exchange *x)
{
    struct export_ctx e = {.id = x->params[0]};
    struct hogo_error err = {0};
    int rc = hogod_store_run(x, export_fn, &e, &err);
    yajl_val rec = rc ? NULL : yajl_tree_parse(e.out, NULL, 0);
    if ((rc == 0 && (!rec || !owned(rec, hogod_operator(x)))) || rc == HOGO_ENOTFOUND ||
        rc == HOGO_EINVAL) {
        /* one answer for a record that does not exist and another operator's */
        hogod_problem(x, 404, NULL, "record '%s' not found; GET /v1/ledger lists the records",
                      x->params[0]);
    } else if (rc) {
        hogod_problem_from(x, rc, &err);
    } else {
        hogod_reply_json_take(x, 200, e.out, strlen(e.out));
        e.out = NULL;
    }
    free(e.out);
    yajl_tree_free(rec);
}
