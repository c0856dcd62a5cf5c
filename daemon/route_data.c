/*
 * The data routes: personal data sealed per subject — store an item with its provenance,
 * list the items (metadata only), open one (an audit event), delete one. Only the key's
 * operator's subjects are visible. Daemon layer.
 */
#include "hogod.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

struct data_op {
    const char *operator_id, *subject_id;
    const char *category;
    const unsigned char *value;
    size_t len;
    struct hogo_provenance prov;
    int64_t item_id;
    char *json;
    unsigned char *opened;
    size_t opened_len;
    int what; /* 'p' put, 'l' list, 'g' get, 'd' delete */
};

static int data_fn(struct hogo_store *st, void *ctx, struct hogo_error *err)
{
    struct data_op *o = ctx;
    char *facts = NULL;
    int rc = hogo_store_subject_facts_json(st, o->operator_id, o->subject_id, &facts, err);
    free(facts);
    if (rc == HOGO_ENOTFOUND)
        return hogo_error_set(err, rc, NULL, "subject '%s' not found", o->subject_id);
    if (rc)
        return rc;
    switch (o->what) {
    case 'p':
        return hogo_data_put(st, o->subject_id, o->category, o->value, o->len, &o->prov,
                             &o->item_id, err);
    case 'l': return hogo_data_list_json(st, o->subject_id, &o->json, err);
    case 'g':
        return hogo_data_get(st, o->subject_id, o->item_id, &o->opened, &o->opened_len, err);
    default: return hogo_data_delete(st, o->subject_id, o->item_id, err);
    }
}

static int run(struct hogod_exchange *x, struct data_op *o)
{
    o->operator_id = hogod_operator(x);
    o->subject_id = x->params[0];
    struct hogo_error err = {0};
    int rc = hogod_store_run(x, data_fn, o, &err);
    if (rc)
        hogod_problem_from(x, rc, &err);
    return rc;
}

static bool item_param(struct hogod_exchange *x, int64_t *id)
{
    char *end;
    long long v = strtoll(x->params[1], &end, 10);
    if (*end || v <= 0) {
        hogod_problem(x, 404, NULL, "item '%s' not found; item ids are whole numbers",
                      x->params[1]);
        return false;
    }
    *id = v;
    return true;
}

void hogod_route_data_put(struct hogod_exchange *x)
{
    yajl_val body = hogod_body_object(x);
    if (!body)
        return;
    static const char *const names[] = {"category", "value", "value_base64", "provenance",
                                        NULL};
    static const char *const pnames[] = {"channel", "source", "service", "context",
                                         "policy_version", NULL};
    bool bad = !hogod_members_known(x, body, names);
    struct data_op o = {.what = 'p'};
    o.category = bad ? NULL : hogod_member_string(x, body, "category", true, &bad);
    const char *text = bad ? NULL : hogod_member_string(x, body, "value", false, &bad);
    const char *b64 = bad ? NULL : hogod_member_string(x, body, "value_base64", false, &bad);
    unsigned char *raw = NULL;
    if (!bad && !text == !b64) {
        hogod_problem(x, 400, "/value", "give the item as \"value\" (text) or "
                                        "\"value_base64\" (bytes), one of the two");
        bad = true;
    }
    if (!bad && b64) {
        size_t cap = strlen(b64) + 1, n = 0;
        raw = malloc(cap);
        if (!raw || sodium_base642bin(raw, cap, b64, strlen(b64), NULL, &n, NULL,
                                      sodium_base64_VARIANT_ORIGINAL)) {
            hogod_problem(x, 400, "/value_base64", "\"value_base64\" is not base64");
            bad = true;
        }
        o.value = raw;
        o.len = n;
    } else if (!bad) {
        o.value = (const unsigned char *)text;
        o.len = strlen(text);
    }
    const char *pp[] = {"provenance", NULL};
    yajl_val prov = bad ? NULL : yajl_tree_get(body, pp, yajl_t_any);
    if (!bad && (!prov || !YAJL_IS_OBJECT(prov))) {
        hogod_problem(x, 400, "/provenance",
                      "\"provenance\" is required: {\"channel\": \"direct\"|\"automatic\"|"
                      "\"third_party\"|\"public\", \"source\", \"service\", \"context\", "
                      "\"policy_version\"}");
        bad = true;
    }
    if (!bad && !hogod_members_known(x, prov, pnames))
        bad = true;
    if (!bad) {
        const char **fields[] = {&o.prov.channel, &o.prov.source, &o.prov.service,
                                 &o.prov.context, &o.prov.policy_version};
        for (int i = 0; i < 5 && !bad; i++) {
            const char *path[] = {pnames[i], NULL};
            yajl_val v = yajl_tree_get(prov, path, yajl_t_any);
            if (v && !YAJL_IS_STRING(v)) {
                char ptr[64];
                snprintf(ptr, sizeof ptr, "/provenance/%s", pnames[i]);
                hogod_problem(x, 400, ptr, "wrong type: \"%s\" is a string", pnames[i]);
                bad = true;
            } else
                *fields[i] = v ? hogod_str(v) : NULL;
        }
    }
    if (!bad && run(x, &o) == 0) {
        char out[96];
        int n = snprintf(out, sizeof out, "{\"item_id\":%lld}\n", (long long)o.item_id);
        snprintf(x->location, sizeof x->location, "/v1/subjects/%s/data/%lld", x->params[0],
                 (long long)o.item_id);
        hogod_reply_json(x, 201, out, (size_t)n);
    }
    free(raw);
    yajl_tree_free(body);
}

void hogod_route_data_list(struct hogod_exchange *x)
{
    struct data_op o = {.what = 'l'};
    if (run(x, &o) == 0)
        hogod_reply_json_take(x, 200, o.json, strlen(o.json));
}

void hogod_route_data_get(struct hogod_exchange *x)
{
    struct data_op o = {.what = 'g'};
    if (!item_param(x, &o.item_id) || run(x, &o))
        return;
    yajl_gen g = yajl_gen_alloc(NULL);
    yajl_gen_map_open(g);
    hogod_gen_kv_int(g, "item_id", o.item_id);
    /* text as is when it is UTF-8 (yajl checks), other bytes in base64 */
    yajl_gen_config(g, yajl_gen_validate_utf8, 1);
    hogod_gen_str(g, "value");
    if (yajl_gen_string(g, o.opened, o.opened_len) != yajl_gen_status_ok) {
        yajl_gen_free(g);
        g = yajl_gen_alloc(NULL);
        yajl_gen_map_open(g);
        hogod_gen_kv_int(g, "item_id", o.item_id);
        size_t cap = sodium_base64_ENCODED_LEN(o.opened_len, sodium_base64_VARIANT_ORIGINAL);
        char *b = malloc(cap);
        if (b) {
            sodium_bin2base64(b, cap, o.opened, o.opened_len, sodium_base64_VARIANT_ORIGINAL);
            hogod_gen_kv(g, "value_base64", b);
        }
        free(b);
    }
    yajl_gen_map_close(g);
    sodium_memzero(o.opened, o.opened_len);
    free(o.opened);
    size_t len;
    char *s = hogod_gen_take(g, &len);
    yajl_gen_free(g);
    hogod_reply_json_take(x, s ? 200 : 500, s, len);
}

void hogod_route_data_delete(struct hogod_exchange *x)
{
    struct data_op o = {.what = 'd'};
    if (item_param(x, &o.item_id) && run(x, &o) == 0)
        hogod_reply_text(x, 204, "application/json", "", 0);
}
