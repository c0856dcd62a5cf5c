/*
 * A person's own choices with the time each was made, as the privacy center shows them:
 * linked accounts (and links in progress), opt-outs, company blocks (with the company's name
 * when known and the successors a block follows) and separate consents with their history.
 * Subject layer. The facts are those of subject.c; this is one more way to read them.
 */
#include "subject-int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct choices_ctx {
    yajl_gen g;
    struct hogo_store *st;
    const char *key; /* the key naming a list fact's value ("account", "purpose"); for
                        blocks, the number being written (allocated) */
};

/* Row (value, updated_at) of a list fact. */
static int row_choice(void *ctx, const struct hogo__val *c, size_t n)
{
    struct choices_ctx *x = ctx;
    if (n < 2 || c[0].type != HOGO__TEXT || c[1].type != HOGO__INT)
        return HOGO_ETAMPER;
    char t[32];
    hogo__fmt_time(c[1].i, t);
    yajl_gen_map_open(x->g);
    hogo__gen_kv_str(x->g, x->key, c[0].s);
    hogo__gen_kv_str(x->g, "since", t);
    yajl_gen_map_close(x->g);
    return 0;
}

/* Writes "fact": [{key: value, "since": time}, ...] of one list fact. */
static int gen_choice_list(struct choices_ctx *x, const char *subject_id, const char *fact,
                           const char *key, struct hogo_error *err)
{
    struct hogo__val p[] = {HV_TEXT(subject_id), HV_TEXT(fact)};
    x->key = key;
    hogo__gen_str(x->g, fact);
    yajl_gen_array_open(x->g);
    int rc = hogo__query(x->st,
                         "SELECT value, updated_at FROM subject_facts WHERE subject_id = ? "
                         "AND fact = ? ORDER BY updated_at, value",
                         p, 2, row_choice, x, err);
    yajl_gen_array_close(x->g);
    return rc;
}

/* Row (number, updated_at, name, successor or NULL) of a company block: a block has a row
 * per successor, next to each other. */
static int row_block(void *ctx, const struct hogo__val *c, size_t n)
{
    struct choices_ctx *x = ctx;
    if (n < 4 || c[0].type != HOGO__TEXT || c[1].type != HOGO__INT)
        return HOGO_ETAMPER;
    if (!x->key || strcmp(x->key, c[0].s)) {
        if (x->key)
            yajl_gen_array_close(x->g), yajl_gen_map_close(x->g);
        free((char *)x->key);
        if (!(x->key = strdup(c[0].s)))
            return HOGO_ENOMEM;
        char t[32];
        hogo__fmt_time(c[1].i, t);
        yajl_gen_map_open(x->g);
        hogo__gen_kv_str(x->g, "corporate_number", c[0].s);
        hogo__gen_kv_str(x->g, "name", c[2].type == HOGO__TEXT ? c[2].s : "");
        hogo__gen_kv_str(x->g, "since", t);
        hogo__gen_str(x->g, "successors");
        yajl_gen_array_open(x->g);
    }
    if (c[3].type == HOGO__TEXT)
        hogo__gen_str(x->g, c[3].s);
    return 0;
}

/* The subject's blocks with their names and every successor, transitively (one row per
 * successor; parameters: the subject id twice). */
static const char blocks_sql[] =
    "WITH RECURSIVE s(root, n) AS (SELECT value, value FROM subject_facts WHERE subject_id = ? "
    "AND fact = 'blocked_companies' UNION SELECT s.root, c.successor FROM corp_successions c "
    "JOIN s ON c.predecessor = s.n) "
    "SELECT f.value, f.updated_at, co.name, s.n FROM subject_facts f LEFT JOIN corporations co "
    "ON co.corporate_number = f.value LEFT JOIN s ON s.root = f.value AND s.n <> f.value "
    "WHERE f.subject_id = ? AND f.fact = 'blocked_companies' ORDER BY f.updated_at, f.value, "
    "s.n";

/* Row of a consent: id, recipient, purpose, data, policy, version, method, given, withdrawn. */
static int row_consent(void *ctx, const struct hogo__val *c, size_t n)
{
    struct choices_ctx *x = ctx;
    yajl_gen g = x->g;
    if (n < 9 || c[7].type != HOGO__INT)
        return HOGO_ETAMPER;
    char t[32];
    yajl_gen_map_open(g);
    hogo__gen_kv_str(g, "id", c[0].s);
    hogo__gen_kv_str(g, "recipient", c[1].s);
    hogo__gen_kv_str(g, "purpose", c[2].s);
    hogo__gen_str(g, "data");
    hogo__gen_csv_array(g, c[3].s);
    hogo__gen_kv_str(g, "policy", c[4].s);
    hogo__gen_kv_str(g, "policy_version", c[5].s);
    hogo__gen_kv_str(g, "method", c[6].s);
    hogo__fmt_time(c[7].i, t);
    hogo__gen_kv_str(g, "given_at", t);
    hogo__gen_str(g, "withdrawn_at");
    if (c[8].type == HOGO__INT) {
        hogo__fmt_time(c[8].i, t);
        hogo__gen_str(g, t);
    } else
        yajl_gen_null(g);
    yajl_gen_map_close(g);
    return 0;
}

int hogo_subject_choices_json(struct hogo_store *st, const char *policy, const char *subject_id,
                              char **json, struct hogo_error *err)
{
    char *op = NULL;
    yajl_gen g = NULL;
    int erased = 0;
    *json = NULL;
    int rc = hogo__subject_begin_read(st, subject_id, policy, &op, &erased, &g, err);
    if (rc < 0)
        return rc;
    struct choices_ctx x = {.g = g, .st = st};
    yajl_gen_map_open(g);
    hogo__gen_kv_str(g, "subject_id", subject_id);
    hogo__gen_kv_str(g, "operator", op);
    hogo__gen_str(g, "erased");
    yajl_gen_bool(g, erased);
    rc = gen_choice_list(&x, subject_id, "linked_accounts", "account", err);
    if (rc == 0)
        rc = gen_choice_list(&x, subject_id, "linking_in_progress", "account", err);
    if (rc == 0)
        rc = gen_choice_list(&x, subject_id, "opt_outs", "purpose", err);
    struct hogo__val p[] = {HV_TEXT(subject_id)};
    if (rc == 0) {
        struct hogo__val p2[] = {HV_TEXT(subject_id), HV_TEXT(subject_id)};
        hogo__gen_str(g, "blocked_companies");
        yajl_gen_array_open(g);
        x.key = NULL;
        rc = hogo__query(st, blocks_sql, p2, 2, row_block, &x, err);
        if (x.key)
            yajl_gen_array_close(g), yajl_gen_map_close(g);
        free((char *)x.key);
        x.key = NULL;
        yajl_gen_array_close(g);
    }
    if (rc == 0) {
        hogo__gen_str(g, "consents");
        yajl_gen_array_open(g);
        rc = hogo__query(st,
                         "SELECT consent_id, recipient, purpose, data, policy, policy_version, "
                         "method, given_at, withdrawn_at FROM consents WHERE subject_id = ? "
                         "ORDER BY given_at, consent_id",
                         p, 1, row_consent, &x, err);
        yajl_gen_array_close(g);
    }
    yajl_gen_map_close(g);
    if (rc == HOGO_ETAMPER)
        rc = hogo_error_set(err, rc, NULL,
                            "the stored choices of subject '%s' are malformed; run 'hogo audit "
                            "verify'",
                            subject_id);
    if (rc == 0)
        rc = hogo__audit_append(st, subject_id, "subject.read", "choices", NULL, err);
    rc = hogo__gen_end_read(st, g, rc, json, err);
    free(op);
    return rc;
}
