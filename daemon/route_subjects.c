/*
 * The subject routes: people an operator knows and the facts decisions use — register,
 * list, show, facts, set and forget a fact, opt-outs, company blocks, separate consents and
 * their withdrawal, erasure. A key sees only its operator's subjects: another operator's
 * subject is answered 404 exactly as a subject that does not exist. Each change is one store
 * transaction (shared with other requests' by group commit) with its audit event. Daemon
 * layer.
 */
#include "hogod.h"

#include <stdlib.h>
#include <string.h>

/* A subject operation run on the store after the visibility check, in one transaction. */
struct subject_op {
    const char *operator_id;
    const char *subject_id;
    int (*fn)(struct hogo_store *st, struct subject_op *op, struct hogo_error *err);
    const char *a, *b;        /* the operation's arguments */
    const struct hogo_consent *consent;
    char *json;               /* an answer produced by fn, or NULL */
};

static int subject_op_fn(struct hogo_store *st, void *ctx, struct hogo_error *err)
{
    struct subject_op *op = ctx;
    char *facts = NULL;
    int rc = hogo_store_subject_facts_json(st, op->operator_id, op->subject_id, &facts, err);
    free(facts);
    if (rc == HOGO_ENOTFOUND)
        return hogo_error_set(err, rc, NULL,
                              "subject '%s' not found; register it with POST /v1/subjects",
                              op->subject_id);
    if (rc)
        return rc;
    return op->fn ? op->fn(st, op, err) : 0;
}

/* Runs op for x's subject (params[0]); answers the error, or 204 / 200 with op.json. */
static void run_op(struct hogod_exchange *x, struct subject_op *op, int ok_status)
{
    op->operator_id = hogod_operator(x);
    op->subject_id = x->params[0];
    struct hogo_error err = {0};
    int rc = hogod_store_run(x, subject_op_fn, op, &err);
    if (rc) {
        free(op->json);
        hogod_problem_from(x, rc, &err);
        return;
    }
    if (op->json)
        hogod_reply_json_take(x, ok_status, op->json, strlen(op->json));
    else
        hogod_reply_text(x, 204, "application/json", "", 0);
}

/* ---- register and list ---- */

struct add_ctx {
    const char *subject_id, *operator_id;
};

static int add_fn(struct hogo_store *st, void *ctx, struct hogo_error *err)
{
    struct add_ctx *a = ctx;
    return hogo_subject_add(st, a->subject_id, a->operator_id, err);
}

void hogod_route_subjects_create(struct hogod_exchange *x)
{
    yajl_val body = hogod_body_object(x);
    if (!body)
        return;
    static const char *const names[] = {"subject_id", NULL};
    bool bad = false;
    const char *id = hogod_members_known(x, body, names)
                         ? hogod_member_string(x, body, "subject_id", true, &bad)
                         : NULL;
    if (id) {
        struct add_ctx a = {id, hogod_operator(x)};
        struct hogo_error err = {0};
        int rc = hogod_store_run(x, add_fn, &a, &err);
        if (rc == HOGO_EINVAL && strstr(err.message, "already exists")) {
            /* the same answer whoever holds the id: nothing about another operator leaks */
            hogod_problem(x, 409, "/subject_id",
                          "subject id '%s' is taken; choose another id", id);
        } else if (rc) {
            if (!err.where[0])
                snprintf(err.where, sizeof err.where, "/subject_id");
            hogod_problem_from(x, rc, &err);
        } else {
            yajl_gen g = yajl_gen_alloc(NULL);
            yajl_gen_map_open(g);
            hogod_gen_kv(g, "subject_id", id);
            hogod_gen_kv(g, "operator", a.operator_id);
            yajl_gen_map_close(g);
            size_t len;
            char *s = hogod_gen_take(g, &len);
            yajl_gen_free(g);
            snprintf(x->location, sizeof x->location, "/v1/subjects/%s", id);
            hogod_reply_json_take(x, s ? 201 : 500, s, len);
        }
    }
    yajl_tree_free(body);
}

struct list_ctx {
    const char *operator_id;
    char *json;
};

static int list_fn(struct hogo_store *st, void *ctx, struct hogo_error *err)
{
    struct list_ctx *l = ctx;
    return hogo_subject_list_json(st, l->operator_id, &l->json, err);
}

void hogod_route_subjects_list(struct hogod_exchange *x)
{
    struct list_ctx l = {.operator_id = hogod_operator(x)};
    struct hogo_error err = {0};
    int rc = hogod_store_run(x, list_fn, &l, &err);
    if (rc)
        hogod_problem_from(x, rc, &err);
    else
        hogod_reply_json_take(x, 200, l.json, strlen(l.json));
}

/* ---- show and facts ---- */

static int show_fn(struct hogo_store *st, struct subject_op *op, struct hogo_error *err)
{
    return hogo_subject_show_json(st, op->subject_id, &op->json, err);
}

void hogod_route_subject_show(struct hogod_exchange *x)
{
    struct subject_op op = {.fn = show_fn};
    run_op(x, &op, 200);
}

static int facts_fn(struct hogo_store *st, struct subject_op *op, struct hogo_error *err)
{
    return hogo_store_subject_facts_json(st, op->operator_id, op->subject_id, &op->json, err);
}

void hogod_route_subject_facts(struct hogod_exchange *x)
{
    struct subject_op op = {.fn = facts_fn};
    run_op(x, &op, 200);
}

static int set_fn(struct hogo_store *st, struct subject_op *op, struct hogo_error *err)
{
    return hogo_subject_set_fact(st, op->subject_id, op->a, op->b, err);
}

static int unset_fn(struct hogo_store *st, struct subject_op *op, struct hogo_error *err)
{
    return hogo_subject_unset_fact(st, op->subject_id, op->a, err);
}

static int add_value_fn(struct hogo_store *st, struct subject_op *op, struct hogo_error *err)
{
    return hogo_subject_add_fact(st, op->subject_id, op->a, op->b, err);
}

static int remove_value_fn(struct hogo_store *st, struct subject_op *op,
                           struct hogo_error *err)
{
    return hogo_subject_remove_fact(st, op->subject_id, op->a, op->b, err);
}

/* The text of a fact value: a string, number or boolean as is, an array of strings joined
 * by commas; NULL (answered 400 /value) for anything else. */
static char *value_text(struct hogod_exchange *x, yajl_val v)
{
    if (YAJL_IS_STRING(v))
        return strdup(hogod_str(v));
    if (YAJL_IS_INTEGER(v)) {
        char buf[32];
        snprintf(buf, sizeof buf, "%lld", YAJL_GET_INTEGER(v));
        return strdup(buf);
    }
    if (YAJL_IS_TRUE(v) || YAJL_IS_FALSE(v))
        return strdup(YAJL_IS_TRUE(v) ? "true" : "false");
    if (YAJL_IS_ARRAY(v)) {
        size_t len = 1;
        for (size_t i = 0; i < v->u.array.len; i++) {
            yajl_val e = v->u.array.values[i];
            if (!YAJL_IS_STRING(e) || strchr(hogod_str(e), ',')) {
                hogod_problem(x, 400, "/value", "a list fact takes an array of ids (strings "
                                                "without commas)");
                return NULL;
            }
            len += strlen(hogod_str(e)) + 1;
        }
        char *s = calloc(1, len);
        for (size_t i = 0; s && i < v->u.array.len; i++) {
            if (i)
                strcat(s, ",");
            strcat(s, hogod_str(v->u.array.values[i]));
        }
        return s;
    }
    hogod_problem(x, 400, "/value",
                  "wrong type: \"value\" is a number, true/false, an id or an array of ids");
    return NULL;
}

void hogod_route_subject_fact_set(struct hogod_exchange *x)
{
    yajl_val body = hogod_body_object(x);
    if (!body)
        return;
    static const char *const names[] = {"value", NULL};
    const char *path[] = {"value", NULL};
    yajl_val v = yajl_tree_get(body, path, yajl_t_any);
    char *text = NULL;
    if (!hogod_members_known(x, body, names)) {
    } else if (!v) {
        hogod_problem(x, 400, "/value", "\"value\" is required");
    } else if ((text = value_text(x, v))) {
        struct subject_op op = {.fn = set_fn, .a = x->params[1], .b = text};
        run_op(x, &op, 200);
    }
    free(text);
    yajl_tree_free(body);
}

void hogod_route_subject_fact_unset(struct hogod_exchange *x)
{
    struct subject_op op = {.fn = unset_fn, .a = x->params[1]};
    run_op(x, &op, 200);
}

/* POST {"<member>": "..."} adding one value to the list fact. */
static void add_value(struct hogod_exchange *x, const char *fact, const char *member)
{
    yajl_val body = hogod_body_object(x);
    if (!body)
        return;
    const char *names[] = {member, NULL};
    bool bad = false;
    const char *v = hogod_members_known(x, body, names)
                        ? hogod_member_string(x, body, member, true, &bad)
                        : NULL;
    if (v) {
        struct subject_op op = {.fn = add_value_fn, .a = fact, .b = v};
        run_op(x, &op, 200);
        if (x->status == 400 && x->out && !strstr(x->out, "\"pointer\"")) {
            /* the value was refused: point at it */
            struct hogo_error e = {0};
            yajl_val doc = yajl_tree_parse(x->out, NULL, 0);
            const char *dp[] = {"detail", NULL};
            yajl_val det = doc ? yajl_tree_get(doc, dp, yajl_t_string) : NULL;
            snprintf(e.message, sizeof e.message, "%s", det ? hogod_str(det) : "");
            snprintf(e.where, sizeof e.where, "/%s", member);
            yajl_tree_free(doc);
            hogod_problem_from(x, HOGO_EINVAL, &e);
        }
    }
    yajl_tree_free(body);
}

void hogod_route_subject_optout_add(struct hogod_exchange *x)
{
    add_value(x, "opt_outs", "purpose");
}

void hogod_route_subject_optout_remove(struct hogod_exchange *x)
{
    struct subject_op op = {.fn = remove_value_fn, .a = "opt_outs", .b = x->params[1]};
    run_op(x, &op, 200);
}

void hogod_route_subject_block_add(struct hogod_exchange *x)
{
    add_value(x, "blocked_companies", "corporate_number");
}

void hogod_route_subject_block_remove(struct hogod_exchange *x)
{
    struct subject_op op = {.fn = remove_value_fn, .a = "blocked_companies", .b = x->params[1]};
    run_op(x, &op, 200);
}

/* ---- consents and erasure ---- */

static int consent_fn(struct hogo_store *st, struct subject_op *op, struct hogo_error *err)
{
    return hogo_subject_consent(st, op->subject_id, op->consent, err);
}

void hogod_route_subject_consent_add(struct hogod_exchange *x)
{
    yajl_val body = hogod_body_object(x);
    if (!body)
        return;
    static const char *const names[] = {"consent_id", "recipient", "purpose", "data",
                                        "policy_version", "method", NULL};
    bool bad = false;
    if (!hogod_members_known(x, body, names)) {
        yajl_tree_free(body);
        return;
    }
    struct hogo_consent c = {0};
    c.id = hogod_member_string(x, body, "consent_id", true, &bad);
    if (!bad)
        c.recipient = hogod_member_string(x, body, "recipient", true, &bad);
    if (!bad)
        c.purpose = hogod_member_string(x, body, "purpose", true, &bad);
    if (!bad)
        c.policy_version = hogod_member_string(x, body, "policy_version", false, &bad);
    if (!bad)
        c.method = hogod_member_string(x, body, "method", false, &bad);
    const char *dp[] = {"data", NULL};
    yajl_val data = bad ? NULL : yajl_tree_get(body, dp, yajl_t_any);
    const char *cats[64];
    if (!bad && (!data || !YAJL_IS_ARRAY(data) || data->u.array.len == 0 ||
                 data->u.array.len > 64)) {
        hogod_problem(x, 400, "/data", "\"data\" is an array of 1 to 64 data category ids");
        bad = true;
    }
    for (size_t i = 0; !bad && i < data->u.array.len; i++) {
        if (!YAJL_IS_STRING(data->u.array.values[i])) {
            hogod_problem(x, 400, "/data", "wrong type: data category ids are strings");
            bad = true;
        } else
            cats[i] = hogod_str(data->u.array.values[i]);
    }
    if (!bad) {
        c.data = cats;
        c.n_data = data->u.array.len;
        c.policy = hogod_operator(x);
        /* the version agreed to: by default the one serving now */
        struct hogod_policies *ps = hogod_policies_get(x->d);
        const struct hogo_policy *p = hogod_policy_find(ps, c.policy);
        char version[64] = "";
        if (p)
            snprintf(version, sizeof version, "%s", hogo_policy_version(p));
        if (!c.policy_version)
            c.policy_version = version;
        hogod_policies_release(ps);
        struct subject_op op = {.fn = consent_fn, .consent = &c};
        run_op(x, &op, 201);
    }
    yajl_tree_free(body);
}

static int withdraw_fn(struct hogo_store *st, struct subject_op *op, struct hogo_error *err)
{
    return hogo_subject_withdraw(st, op->subject_id, op->a, err);
}

void hogod_route_subject_consent_withdraw(struct hogod_exchange *x)
{
    struct subject_op op = {.fn = withdraw_fn, .a = x->params[1]};
    run_op(x, &op, 200);
}

static int erase_fn(struct hogo_store *st, struct subject_op *op, struct hogo_error *err)
{
    return hogo_subject_erase(st, op->subject_id, err);
}

void hogod_route_subject_erase(struct hogod_exchange *x)
{
    struct subject_op op = {.fn = erase_fn};
    run_op(x, &op, 200);
}
