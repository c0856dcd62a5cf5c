/*
 * The rights routes: rights requests (/v1/dsr…: open, list, show, verify, complete, refuse,
 * withdraw), breach incidents (/v1/breaches…: open, show, affected people, assess, report)
 * and bulk loading (POST /v1/subjects:import, JSON lines in the body). Daemon layer over
 * include/hogo/rights.h. A key acts for its operator only: another operator's request or
 * incident is answered 404 exactly as one that does not exist, lists hold only the key's
 * operator, and an import may load only the key's operator's people. The actor of every
 * audit event is the key ("key:ID").
 */
#include "hogod.h"

#include <hogo/rights.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- shared ---- */

static void actor_of(const struct hogod_exchange *x, char out[64])
{
    snprintf(out, 64, "key:%s", x->has_key ? x->key.key_id : "none");
}

/* Answers JSON text built by the library (taken), or the library's error. */
static void answer(struct hogod_exchange *x, int rc, const struct hogo_error *err, char *json,
                   int status)
{
    if (rc) {
        free(json);
        hogod_problem_from(x, rc, err);
    } else if (json)
        hogod_reply_json_take(x, status, json, strlen(json));
    else
        hogod_reply_text(x, 204, "application/json", "", 0);
}

/* A string member, optional; *bad set (and answered) when it has another type. */
static const char *opt_str(struct hogod_exchange *x, yajl_val body, const char *name, bool *bad)
{
    return *bad ? NULL : hogod_member_string(x, body, name, false, bad);
}

/* Checks that what id names belongs to the key's operator: the same 404 otherwise. */
static int own(struct hogo_store *st, const char *operator_id, const char *id, int breach,
               struct hogo_error *err)
{
    char op[64];
    int rc = breach ? hogo_breach_operator(st, id, op, err) : hogo_dsr_operator(st, id, op, err);
    if (rc == 0 && (!operator_id || strcmp(op, operator_id)))
        rc = HOGO_ENOTFOUND;
    if (rc == HOGO_ENOTFOUND)
        hogo_error_set(err, rc, NULL, "%s '%s' not found", breach ? "incident" : "request", id);
    return rc;
}

/* ---- one call on an owned request or incident ---- */

struct rights_call;
/* A library call on c->id, made once own() found it is the key's operator's. */
typedef int (*owned_fn)(struct hogo_store *st, struct rights_call *c, struct hogo_error *err);

/* What a route passes to the library and gets back. */
struct rights_call {
    const char *op, *id, *actor;
    int breach;   /* id names an incident (else a rights request) */
    owned_fn call; /* on the owned id; NULL: none */
    bool show;    /* then the request's or incident's JSON into json */
    struct hogo_dsr_open open;
    struct hogo_breach_open bopen;
    const char *method, *verifier, *ground, *reason, *value, *state, *subject, *category,
        *stage;
    struct hogo_breach_facts facts;
    bool pending, overdue, disclosure;
    char new_id[HOGO_DSR_ID_BYTES];
    int64_t added;
    char *json, *notice, *package;
    size_t package_len;
};

/* The call on the id the route names (x->params[0]), acting as the key. */
static struct rights_call owned_call(struct hogod_exchange *x, char actor[64], int breach,
                                     owned_fn call, bool show)
{
    actor_of(x, actor);
    return (struct rights_call){.op = hogod_operator(x), .id = x->params[0], .actor = actor,
                                .breach = breach, .call = call, .show = show};
}

static int run_owned_fn(struct hogo_store *st, void *ctx, struct hogo_error *err)
{
    struct rights_call *c = ctx;
    free(c->json); /* a retried call starts again */
    c->json = NULL;
    int rc = own(st, c->op, c->id, c->breach, err);
    if (rc == 0 && c->call)
        rc = c->call(st, c, err);
    if (rc == 0 && c->show)
        rc = c->breach ? hogo_breach_show_json(st, c->id, &c->json, err)
                       : hogo_dsr_show_json(st, c->id, &c->json, err);
    return rc;
}

/* Runs c (own(), the call, the JSON) in one store call. */
static int run_owned(struct hogod_exchange *x, struct rights_call *c, struct hogo_error *err)
{
    return hogod_store_run(x, run_owned_fn, c, err);
}

/* Runs c and answers its JSON with status (204 without JSON), or the error; a bad value
 * (HOGO_EINVAL) without a place is placed at einval_where when not NULL. */
static void run_owned_and_answer(struct hogod_exchange *x, struct rights_call *c, int status,
                                 const char *einval_where)
{
    struct hogo_error err = {0};
    int rc = run_owned(x, c, &err);
    if (rc == HOGO_EINVAL && einval_where && !err.where[0])
        snprintf(err.where, sizeof err.where, "%s", einval_where);
    answer(x, rc, &err, c->json, status);
}

/* Answers {"request_id", "state", "notice"[, "package"]} after a completion or refusal. */
static void answer_notice(struct hogod_exchange *x, const struct rights_call *c,
                          const char *state)
{
    yajl_gen g = yajl_gen_alloc(NULL);
    yajl_gen_map_open(g);
    hogod_gen_kv(g, "request_id", c->id);
    hogod_gen_kv(g, "state", state);
    hogod_gen_kv(g, "notice", c->notice ? c->notice : "");
    if (c->package && c->package_len) {
        size_t n = c->package_len;
        while (n && c->package[n - 1] == '\n')
            n--;
        hogod_gen_str(g, "package");
        yajl_gen_number(g, c->package, n); /* the package's JSON as written */
    }
    yajl_gen_map_close(g);
    size_t len;
    char *s = hogod_gen_take(g, &len);
    yajl_gen_free(g);
    hogod_reply_json_take(x, s ? 200 : 500, s, len);
}

/* ---- rights requests ---- */

static int dsr_open_fn(struct hogo_store *st, void *ctx, struct hogo_error *err)
{
    struct rights_call *c = ctx;
    char *facts = NULL;
    /* the subject must be the key's operator's: the same 404 as for none */
    int rc = hogo_store_subject_facts_json(st, c->op, c->open.subject_id, &facts, err);
    free(facts);
    if (rc == HOGO_ENOTFOUND)
        return hogo_error_set(err, rc, "/subject_id", "subject '%s' not found",
                              c->open.subject_id);
    if (rc == 0)
        rc = hogo_dsr_open(st, &c->open, c->new_id, err);
    return rc;
}

void hogod_route_dsr_open(struct hogod_exchange *x)
{
    yajl_val body = hogod_body_object(x);
    if (!body)
        return;
    static const char *const names[] = {"subject_id", "kind", "agent", "agent_name",
                                        "represents", "agent_document", "method", "channel",
                                        "item", "category", NULL};
    bool bad = !hogod_members_known(x, body, names);
    struct rights_call c = {.op = hogod_operator(x)};
    char actor[64], detail[128] = "";
    actor_of(x, actor);
    c.open.actor = actor;
    if (!bad)
        c.open.subject_id = hogod_member_string(x, body, "subject_id", true, &bad);
    if (!bad)
        c.open.kind = hogod_member_string(x, body, "kind", true, &bad);
    c.open.agent = opt_str(x, body, "agent", &bad);
    c.open.agent_name = opt_str(x, body, "agent_name", &bad);
    c.open.represents = opt_str(x, body, "represents", &bad);
    c.open.agent_document = opt_str(x, body, "agent_document", &bad);
    c.open.method = opt_str(x, body, "method", &bad);
    c.open.channel = opt_str(x, body, "channel", &bad);
    const char *cat = opt_str(x, body, "category", &bad);
    const char *ip[] = {"item", NULL};
    yajl_val item = bad ? NULL : yajl_tree_get(body, ip, yajl_t_any);
    if (!bad && item) {
        if (!YAJL_IS_INTEGER(item) || YAJL_GET_INTEGER(item) < 1) {
            hogod_problem(x, 400, "/item", "\"item\" is a data item number (1 or more)");
            bad = true;
        } else
            snprintf(detail, sizeof detail, "{\"item\":%lld}", YAJL_GET_INTEGER(item));
    } else if (!bad && cat) {
        if (strspn(cat, "abcdefghijklmnopqrstuvwxyz0123456789_") != strlen(cat) ||
            strlen(cat) > 64) {
            hogod_problem(x, 400, "/category", "\"category\" is a data category id");
            bad = true;
        } else
            snprintf(detail, sizeof detail, "{\"category\":\"%s\"}", cat);
    }
    if (!bad) {
        c.open.detail_json = detail[0] ? detail : NULL;
        struct hogo_error err = {0};
        int rc = hogod_store_run(x, dsr_open_fn, &c, &err);
        if (rc)
            hogod_problem_from(x, rc, &err);
        else {
            char out[128];
            int n = snprintf(out, sizeof out, "{\"request_id\":\"%s\",\"state\":\"received\"}",
                             c.new_id);
            snprintf(x->location, sizeof x->location, "/v1/dsr/%s", c.new_id);
            hogod_reply_json(x, 201, out, (size_t)n);
        }
    }
    yajl_tree_free(body);
}

static int dsr_list_fn(struct hogo_store *st, void *ctx, struct hogo_error *err)
{
    struct rights_call *c = ctx;
    return hogo_dsr_list_json(st, c->op, c->subject, c->state, c->overdue, &c->json, err);
}

void hogod_route_dsr_list(struct hogod_exchange *x)
{
    const char *overdue = hogod_query(x, "overdue");
    struct rights_call c = {.op = hogod_operator(x), .state = hogod_query(x, "state"),
                            .subject = hogod_query(x, "subject_id"),
                            .overdue = overdue && strcmp(overdue, "false") && strcmp(overdue, "0")};
    struct hogo_error err = {0};
    int rc = hogod_store_run(x, dsr_list_fn, &c, &err);
    answer(x, rc, &err, c.json, 200);
}

void hogod_route_dsr_show(struct hogod_exchange *x)
{
    char actor[64];
    struct rights_call c = owned_call(x, actor, 0, NULL, true);
    run_owned_and_answer(x, &c, 200, NULL);
}

static int dsr_verify_call(struct hogo_store *st, struct rights_call *c, struct hogo_error *err)
{
    return hogo_dsr_verify(st, c->id, c->method, c->verifier, c->pending, c->actor, err);
}

void hogod_route_dsr_verify(struct hogod_exchange *x)
{
    yajl_val body = hogod_body_object(x);
    if (!body)
        return;
    static const char *const names[] = {"method", "verifier", "pending", NULL};
    bool bad = !hogod_members_known(x, body, names);
    char actor[64];
    struct rights_call c = owned_call(x, actor, 0, dsr_verify_call, true);
    if (!bad)
        c.method = hogod_member_string(x, body, "method", true, &bad);
    if (!bad)
        c.verifier = hogod_member_string(x, body, "verifier", true, &bad);
    const char *pp[] = {"pending", NULL};
    yajl_val pending = bad ? NULL : yajl_tree_get(body, pp, yajl_t_any);
    if (!bad && pending && !YAJL_IS_TRUE(pending) && !YAJL_IS_FALSE(pending)) {
        hogod_problem(x, 400, "/pending", "\"pending\" is true or false");
        bad = true;
    }
    c.pending = pending && YAJL_IS_TRUE(pending);
    if (!bad)
        run_owned_and_answer(x, &c, 200, NULL);
    yajl_tree_free(body);
}

static int dsr_complete_call(struct hogo_store *st, struct rights_call *c,
                             struct hogo_error *err)
{
    char *show = NULL;
    int rc = hogo_dsr_show_json(st, c->id, &show, err);
    c->disclosure = show && (strstr(show, "\"kind\":\"disclosure\"") ||
                             strstr(show, "\"kind\":\"provision_records\""));
    free(show);
    FILE *pkg = NULL;
    free(c->package);
    c->package = NULL;
    c->package_len = 0;
    if (rc == 0 && c->disclosure && !(pkg = open_memstream(&c->package, &c->package_len)))
        rc = hogo_error_set(err, HOGO_ENOMEM, NULL, "out of memory");
    struct hogo_dsr_complete dc = {.package_json = pkg, .value = c->value, .actor = c->actor};
    free(c->notice);
    c->notice = NULL;
    if (rc == 0)
        rc = hogo_dsr_complete(st, c->id, &dc, &c->notice, err);
    if (pkg)
        fclose(pkg);
    return rc;
}

void hogod_route_dsr_complete(struct hogod_exchange *x)
{
    yajl_val body = x->body_len ? hogod_body_object(x) : NULL;
    if (x->body_len && !body)
        return;
    static const char *const names[] = {"value", NULL};
    bool bad = body && !hogod_members_known(x, body, names);
    char actor[64];
    struct rights_call c = owned_call(x, actor, 0, dsr_complete_call, false);
    if (body && !bad)
        c.value = hogod_member_string(x, body, "value", false, &bad);
    if (!bad) {
        struct hogo_error err = {0};
        int rc = run_owned(x, &c, &err);
        if (rc)
            hogod_problem_from(x, rc, &err);
        else
            answer_notice(x, &c, "completed");
    }
    free(c.notice);
    free(c.package);
    yajl_tree_free(body);
}

static int dsr_refuse_call(struct hogo_store *st, struct rights_call *c, struct hogo_error *err)
{
    free(c->notice);
    c->notice = NULL;
    return hogo_dsr_refuse(st, c->id, c->ground, c->reason, c->actor, &c->notice, err);
}

void hogod_route_dsr_refuse(struct hogod_exchange *x)
{
    yajl_val body = hogod_body_object(x);
    if (!body)
        return;
    static const char *const names[] = {"ground", "reason", NULL};
    bool bad = !hogod_members_known(x, body, names);
    char actor[64];
    struct rights_call c = owned_call(x, actor, 0, dsr_refuse_call, false);
    if (!bad)
        c.ground = hogod_member_string(x, body, "ground", true, &bad);
    c.reason = opt_str(x, body, "reason", &bad);
    if (!bad) {
        struct hogo_error err = {0};
        int rc = run_owned(x, &c, &err);
        if (rc == HOGO_EINVAL && !err.where[0])
            snprintf(err.where, sizeof err.where, "/ground");
        if (rc)
            hogod_problem_from(x, rc, &err);
        else
            answer_notice(x, &c, "refused");
    }
    free(c.notice);
    yajl_tree_free(body);
}

static int dsr_withdraw_call(struct hogo_store *st, struct rights_call *c,
                             struct hogo_error *err)
{
    return hogo_dsr_withdraw(st, c->id, c->actor, err);
}

void hogod_route_dsr_withdraw(struct hogod_exchange *x)
{
    char actor[64];
    struct rights_call c = owned_call(x, actor, 0, dsr_withdraw_call, false);
    run_owned_and_answer(x, &c, 204, NULL);
}

/* ---- breaches ---- */

static int breach_open_fn(struct hogo_store *st, void *ctx, struct hogo_error *err)
{
    struct rights_call *c = ctx;
    return hogo_breach_open(st, &c->bopen, c->new_id, err);
}

static int flag(struct hogod_exchange *x, yajl_val body, const char *name, bool *bad)
{
    const char *p[] = {name, NULL};
    yajl_val v = *bad ? NULL : yajl_tree_get(body, p, yajl_t_any);
    if (v && !YAJL_IS_TRUE(v) && !YAJL_IS_FALSE(v)) {
        hogod_problem(x, 400, NULL, "\"%s\" is true or false", name);
        *bad = true;
    }
    return v && YAJL_IS_TRUE(v);
}

void hogod_route_breach_open(struct hogod_exchange *x)
{
    yajl_val body = hogod_body_object(x);
    if (!body)
        return;
    static const char *const names[] = {"summary", "discovered", "items", "cause", "sensitive",
                                        "encrypted", "financial", "wrongful", NULL};
    bool bad = !hogod_members_known(x, body, names);
    char actor[64];
    actor_of(x, actor);
    struct rights_call c = {.op = hogod_operator(x)};
    c.bopen.operator_id = c.op;
    c.bopen.actor = actor;
    if (!bad)
        c.bopen.summary = hogod_member_string(x, body, "summary", true, &bad);
    if (!bad)
        c.bopen.discovered = hogod_member_string(x, body, "discovered", true, &bad);
    if (!bad)
        c.bopen.items = hogod_member_string(x, body, "items", true, &bad);
    c.bopen.cause = opt_str(x, body, "cause", &bad);
    c.bopen.sensitive = flag(x, body, "sensitive", &bad);
    c.bopen.encrypted = flag(x, body, "encrypted", &bad);
    c.bopen.financial = flag(x, body, "financial", &bad);
    c.bopen.wrongful = flag(x, body, "wrongful", &bad);
    if (!bad) {
        struct hogo_error err = {0};
        int rc = hogod_store_run(x, breach_open_fn, &c, &err);
        if (rc)
            hogod_problem_from(x, rc, &err);
        else {
            char out[96];
            int n = snprintf(out, sizeof out, "{\"breach_id\":\"%s\"}", c.new_id);
            snprintf(x->location, sizeof x->location, "/v1/breaches/%s", c.new_id);
            hogod_reply_json(x, 201, out, (size_t)n);
        }
    }
    yajl_tree_free(body);
}

void hogod_route_breach_show(struct hogod_exchange *x)
{
    char actor[64];
    struct rights_call c = owned_call(x, actor, 1, NULL, true);
    run_owned_and_answer(x, &c, 200, NULL);
}

static int breach_affected_call(struct hogo_store *st, struct rights_call *c,
                                struct hogo_error *err)
{
    return hogo_breach_add_affected(st, c->id, c->subject, c->category, c->op, &c->added,
                                    c->actor, err);
}

void hogod_route_breach_affected(struct hogod_exchange *x)
{
    yajl_val body = hogod_body_object(x);
    if (!body)
        return;
    static const char *const names[] = {"subject_id", "category", NULL};
    bool bad = !hogod_members_known(x, body, names);
    char actor[64];
    struct rights_call c = owned_call(x, actor, 1, breach_affected_call, false);
    c.subject = opt_str(x, body, "subject_id", &bad);
    c.category = opt_str(x, body, "category", &bad);
    if (!bad) {
        struct hogo_error err = {0};
        int rc = run_owned(x, &c, &err);
        if (rc)
            hogod_problem_from(x, rc, &err);
        else {
            char out[64];
            int n = snprintf(out, sizeof out, "{\"added\":%lld}", (long long)c.added);
            hogod_reply_json(x, 200, out, (size_t)n);
        }
    }
    yajl_tree_free(body);
}

static int breach_assess_call(struct hogo_store *st, struct rights_call *c,
                              struct hogo_error *err)
{
    return hogo_breach_assess(st, c->id, c->actor, &c->json, err);
}

void hogod_route_breach_assess(struct hogod_exchange *x)
{
    char actor[64];
    struct rights_call c = owned_call(x, actor, 1, breach_assess_call, false);
    run_owned_and_answer(x, &c, 200, NULL);
}

static int breach_report_call(struct hogo_store *st, struct rights_call *c,
                              struct hogo_error *err)
{
    return hogo_breach_report(st, c->id, c->stage, &c->facts, c->actor, &c->json, err);
}

void hogod_route_breach_report(struct hogod_exchange *x)
{
    yajl_val body = hogod_body_object(x);
    if (!body)
        return;
    static const char *const names[] = {"stage",      "cause",      "secondary_harm", "response",
                                        "publication", "prevention", "other",          NULL};
    bool bad = !hogod_members_known(x, body, names);
    char actor[64];
    struct rights_call c = owned_call(x, actor, 1, breach_report_call, false);
    if (!bad)
        c.stage = hogod_member_string(x, body, "stage", true, &bad);
    c.facts.cause = opt_str(x, body, "cause", &bad);
    c.facts.secondary_harm = opt_str(x, body, "secondary_harm", &bad);
    c.facts.response = opt_str(x, body, "response", &bad);
    c.facts.publication = opt_str(x, body, "publication", &bad);
    c.facts.prevention = opt_str(x, body, "prevention", &bad);
    c.facts.other = opt_str(x, body, "other", &bad);
    if (!bad)
        run_owned_and_answer(x, &c, 200, "/stage");
    yajl_tree_free(body);
}

/* ---- bulk import ---- */

struct import_call {
    const char *path, *op;
    struct hogo_import_result res;
    yajl_gen errors; /* the first 100 bad lines */
    int listed;
    struct hogo_vocab *vocab; /* the operator's policy's vocabulary; owned */
};

static void import_bad(void *ctx, int64_t line, const char *message)
{
    struct import_call *c = ctx;
    if (c->listed++ >= 100)
        return;
    yajl_gen_map_open(c->errors);
    hogod_gen_kv_int(c->errors, "line", (long long)line);
    hogod_gen_kv(c->errors, "message", message);
    yajl_gen_map_close(c->errors);
}

static int import_fn(struct hogo_store *st, void *ctx, struct hogo_error *err)
{
    struct import_call *c = ctx;
    struct hogo_import_opts o = {.bad_line = import_bad, .ctx = c, .operator_only = c->op};
    /* ids are checked against the operator's vocabulary for this call only: calls on the
     * shared handle run one at a time on the committing thread */
    if (c->vocab)
        hogo_store_set_vocabulary_check(st, hogo_vocab_check_id, c->vocab);
    int rc = hogo_subject_import(st, c->path, &o, &c->res, err);
    if (c->vocab)
        hogo_store_set_vocabulary_check(st, NULL, NULL);
    return rc == HOGO_EINVAL && c->res.bad ? 0 : rc;
}

void hogod_route_subjects_import(struct hogod_exchange *x)
{
    char path[] = "/tmp/hogod-import-XXXXXX.jsonl";
    int fd = mkstemps(path, 6);
    if (fd < 0) {
        hogod_problem(x, 500, NULL, "cannot stage the import");
        return;
    }
    size_t done = 0;
    while (done < x->body_len) {
        ssize_t w = write(fd, x->body + done, x->body_len - done);
        if (w <= 0)
            break;
        done += (size_t)w;
    }
    close(fd);
    struct import_call c = {.path = path, .op = hogod_operator(x), .errors = yajl_gen_alloc(NULL)};
    yajl_gen_array_open(c.errors);
    struct hogo_error err = {0};
    char policy[4096], vfile[4096];
    int rc = done == x->body_len ? 0
                                 : hogo_error_set(&err, HOGO_EIO, NULL, "cannot stage the import");
    if (rc == 0 && c.op && hogo_policy_resolve(c.op, policy, sizeof policy, &err) == 0) {
        hogo_policy_vocab_file(policy, vfile, sizeof vfile);
        rc = hogo_vocab_load(vfile, &c.vocab, &err);
    }
    hogo_error_clear(&err);
    if (rc == 0)
        rc = hogod_store_run(x, import_fn, &c, &err);
    unlink(path);
    yajl_gen_array_close(c.errors);
    if (rc)
        hogod_problem_from(x, rc, &err);
    else {
        const unsigned char *eb;
        size_t el;
        yajl_gen_get_buf(c.errors, &eb, &el);
        yajl_gen g = yajl_gen_alloc(NULL);
        yajl_gen_map_open(g);
        hogod_gen_kv_int(g, "imported", c.res.imported);
        hogod_gen_kv_int(g, "bad", c.res.bad);
        hogod_gen_kv_int(g, "skipped", c.res.skipped);
        hogod_gen_str(g, "errors");
        yajl_gen_number(g, (const char *)eb, el);
        yajl_gen_map_close(g);
        size_t len;
        char *s = hogod_gen_take(g, &len);
        yajl_gen_free(g);
        hogod_reply_json_take(x, s ? (c.res.bad ? 422 : 200) : 500, s, len);
    }
    yajl_gen_free(c.errors);
    hogo_vocab_free(c.vocab);
}
