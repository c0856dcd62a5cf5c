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
    const char *key; /* the key naming a list fact's value: "account", "purpose" */
    int rc;
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

static int row_successor(void *ctx, const struct hogo__val *c, size_t n)
{
    yajl_gen g = ctx;
    if (n >= 1 && c[0].type == HOGO__TEXT)
        hogo__gen_str(g, c[0].s);
    return 0;
}

/* The company blocks, read whole before their successors are asked for: a backend may not
 * run a second query while it is still handing over the rows of the first (PostgreSQL). */
struct block {
    char *number, *name;
    int64_t since;
};
struct blocks {
    struct block *v;
    size_t n, cap;
    int rc;
};

/* Row (number, updated_at, name) of a company block: kept for gen_blocks(). */
static int row_block(void *ctx, const struct hogo__val *c, size_t n)
{
    struct blocks *b = ctx;
    if (n < 3 || c[0].type != HOGO__TEXT || c[1].type != HOGO__INT) {
        b->rc = HOGO_ETAMPER;
        return 1;
    }
    if (b->n == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 8;
        struct block *v = realloc(b->v, cap * sizeof *v);
        if (!v) {
            b->rc = HOGO_ENOMEM;
            return 1;
        }
        b->v = v;
        b->cap = cap;
    }
    struct block *k = &b->v[b->n];
    k->number = strdup(c[0].s);
    k->name = strdup(c[2].type == HOGO__TEXT ? c[2].s : "");
    k->since = c[1].i;
    if (!k->number || !k->name) {
        free(k->number);
        free(k->name);
        b->rc = HOGO_ENOMEM;
        return 1;
    }
    b->n++;
    return 0;
}

/* Writes each block with the successor corporations of its company. */
static int gen_blocks(struct choices_ctx *x, const struct blocks *b, struct hogo_error *err)
{
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < b->n; i++) {
        char t[32];
        hogo__fmt_time(b->v[i].since, t);
        yajl_gen_map_open(x->g);
        hogo__gen_kv_str(x->g, "corporate_number", b->v[i].number);
        hogo__gen_kv_str(x->g, "name", b->v[i].name);
        hogo__gen_kv_str(x->g, "since", t);
        hogo__gen_str(x->g, "successors");
        yajl_gen_array_open(x->g);
        struct hogo__val p[] = {HV_TEXT(b->v[i].number), HV_TEXT(b->v[i].number)};
        rc = hogo__query(x->st,
                         "WITH RECURSIVE s(n) AS (SELECT CAST(? AS TEXT) UNION SELECT "
                         "c.successor FROM corp_successions c JOIN s ON c.predecessor = s.n) "
                         "SELECT n FROM s WHERE n <> ? ORDER BY n",
                         p, 2, row_successor, x->g, err);
        yajl_gen_array_close(x->g);
        yajl_gen_map_close(x->g);
    }
    return rc;
}

static void blocks_free(struct blocks *b)
{
    for (size_t i = 0; i < b->n; i++) {
        free(b->v[i].number);
        free(b->v[i].name);
    }
    free(b->v);
}

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
        hogo__gen_str(g, "blocked_companies");
        yajl_gen_array_open(g);
        struct blocks blocks = {0};
        rc = hogo__query(st,
                         "SELECT f.value, f.updated_at, c.name FROM subject_facts f LEFT JOIN "
                         "corporations c ON c.corporate_number = f.value WHERE f.subject_id = "
                         "? AND f.fact = 'blocked_companies' ORDER BY f.updated_at, f.value",
                         p, 1, row_block, &blocks, err);
        if (rc == 0 && blocks.rc)
            rc = blocks.rc == HOGO_ENOMEM ? hogo_error_set(err, HOGO_ENOMEM, NULL, "out of memory")
                                          : blocks.rc;
        if (rc == 0)
            rc = gen_blocks(&x, &blocks, err);
        blocks_free(&blocks);
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
