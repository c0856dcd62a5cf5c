/*
 * The policy routes: GET /v1/policies (the policies served: with a key, its operator's only),
 * GET /v1/policies/{policy_id} (one policy's id, version, clause and rule counts and its
 * summary), POST /v1/policies:validate (a policy file's text checked against the served
 * vocabulary: every problem with line:col). Daemon layer.
 */
#include "hogod.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

static bool visible(struct hogod_exchange *x, const struct hogo_policy *p)
{
    const char *op = hogod_operator(x);
    return !op || !strcmp(op, hogo_policy_id(p));
}

static void gen_policy(yajl_gen g, const struct hogo_policy *p, bool summary)
{
    yajl_gen_map_open(g);
    hogod_gen_kv(g, "id", hogo_policy_id(p));
    hogod_gen_kv(g, "version", hogo_policy_version(p));
    hogod_gen_kv(g, "operator", hogo_policy_operator(p));
    hogod_gen_kv_int(g, "clauses", hogo_policy_clause_count(p));
    hogod_gen_kv_int(g, "rules", hogo_policy_rule_count(p));
    if (summary) {
        char *s = hogo_policy_summary(p);
        hogod_gen_kv(g, "summary", s ? s : "");
        free(s);
    }
    yajl_gen_map_close(g);
}

void hogod_route_policies_list(struct hogod_exchange *x)
{
    struct hogod_policies *ps = hogod_policies_get(x->d);
    yajl_gen g = yajl_gen_alloc(NULL);
    yajl_gen_array_open(g);
    for (int i = 0; i < ps->n; i++)
        if (visible(x, ps->current[i]))
            gen_policy(g, ps->current[i], false);
    yajl_gen_array_close(g);
    hogod_policies_release(ps);
    size_t len;
    char *s = hogod_gen_take(g, &len);
    yajl_gen_free(g);
    if (!s)
        hogod_problem(x, 503, NULL, "out of memory; retry later");
    else
        hogod_reply_json_take(x, 200, s, len);
}

void hogod_route_policy_show(struct hogod_exchange *x)
{
    struct hogod_policies *ps = hogod_policies_get(x->d);
    const struct hogo_policy *p = hogod_policy_find(ps, x->params[0]);
    if (!p || !visible(x, p)) {
        hogod_problem(x, 404, NULL, "policy '%s' is not served here; GET /v1/policies lists them",
                      x->params[0]);
    } else {
        yajl_gen g = yajl_gen_alloc(NULL);
        gen_policy(g, p, true);
        size_t len;
        char *s = hogod_gen_take(g, &len);
        yajl_gen_free(g);
        if (!s)
            hogod_problem(x, 503, NULL, "out of memory; retry later");
        else
            hogod_reply_json_take(x, 200, s, len);
    }
    hogod_policies_release(ps);
}

struct diags {
    yajl_gen g;
    int errors;
};

static void on_diag(void *user, const struct hogo_error *e, bool warning)
{
    struct diags *d = user;
    /* the file is a temporary copy: report line:col only */
    const char *where = e->where;
    const char *colon = strchr(where, ':');
    yajl_gen_map_open(d->g);
    hogod_gen_kv(d->g, "severity", warning ? "warning" : "error");
    hogod_gen_kv(d->g, "where", colon ? colon + 1 : where);
    hogod_gen_kv(d->g, "message", e->message);
    yajl_gen_map_close(d->g);
    if (!warning)
        d->errors++;
}

void hogod_route_policies_validate(struct hogod_exchange *x)
{
    if (memchr(x->body, '\0', x->body_len) || x->body_len == 0) {
        hogod_problem(x, 400, NULL, "send the policy file's YAML text as the body");
        return;
    }
    /* the file is checked in a scratch folder beside the served policies' seed texts
       (text/) and vocabulary, as if it were one of them */
    struct hogod_policies *ps = hogod_policies_get(x->d);
    char dir[] = "/tmp/hogod-validate-XXXXXX", path[128], text[128], vocab[128];
    char served[4096] = "";
    if (ps->n)
        snprintf(served, sizeof served, "%s", hogo_policy_path(ps->current[0]));
    char *slash = strrchr(served, '/');
    if (slash)
        slash[1] = '\0';
    snprintf(path, sizeof path, "%s/policy.yaml", dir);
    bool ok = mkdtemp(dir) != NULL;
    snprintf(path, sizeof path, "%s/policy.yaml", dir);
    snprintf(text, sizeof text, "%s/text", dir);
    snprintf(vocab, sizeof vocab, "%s/vocabulary.yaml", dir);
    char target[4200];
    snprintf(target, sizeof target, "%stext", served);
    if (ok && symlink(target, text))
        ok = false;
    if (ok && symlink(hogo_vocab_path(ps->vocab), vocab))
        ok = false;
    int fd = ok ? open(path, O_WRONLY | O_CREAT | O_EXCL, 0600) : -1;
    ok = fd >= 0 && write(fd, x->body, x->body_len) == (ssize_t)x->body_len;
    if (fd >= 0)
        close(fd);
    if (!ok) {
        unlink(path);
        unlink(text);
        unlink(vocab);
        rmdir(dir);
        hogod_policies_release(ps);
        hogod_problem(x, 503, NULL, "cannot hold the policy for checking; retry later");
        return;
    }
    struct diags dg = {.g = yajl_gen_alloc(NULL)};
    yajl_gen_map_open(dg.g);
    hogod_gen_str(dg.g, "problems");
    yajl_gen_array_open(dg.g);
    struct hogo_policy_load_opts o = {.vocab = ps->vocab, .diag = on_diag, .diag_user = &dg};
    struct hogo_policy *p = NULL;
    struct hogo_error err = {0};
    int rc = hogo_policy_load(path, &o, &p, &err);
    unlink(path);
    unlink(text);
    unlink(vocab);
    rmdir(dir);
    if (rc && dg.errors == 0) {
        const char *colon = strchr(err.where, ':');
        yajl_gen_map_open(dg.g);
        hogod_gen_kv(dg.g, "severity", "error");
        hogod_gen_kv(dg.g, "where", colon ? colon + 1 : "");
        hogod_gen_kv(dg.g, "message", err.message);
        yajl_gen_map_close(dg.g);
    }
    yajl_gen_array_close(dg.g);
    hogod_gen_str(dg.g, "valid");
    yajl_gen_bool(dg.g, rc == 0);
    if (p) {
        hogod_gen_kv(dg.g, "id", hogo_policy_id(p));
        hogod_gen_kv(dg.g, "version", hogo_policy_version(p));
    }
    yajl_gen_map_close(dg.g);
    hogo_policy_free(p);
    hogod_policies_release(ps);
    size_t len;
    char *s = hogod_gen_take(dg.g, &len);
    yajl_gen_free(dg.g);
    if (!s)
        hogod_problem(x, 503, NULL, "out of memory; retry later");
    else
        hogod_reply_json_take(x, rc ? 422 : 200, s, len);
}
