/*
 * Subjects and the facts a decision depends on: account links, services, applications,
 * company blocks (followed through successor corporations), opt-outs, age and guardian
 * consent, restrictions, and separate consents with their history. Store layer.
 * The facts are exactly `subject_facts` of spec/vocabulary.yaml; hogo_store_subject_facts_json()
 * renders them as the "subject" object of a decision request (spec/decision.md).
 * Storage: one subject_facts row per (fact, value); scalar facts have one row, array facts
 * one row per element; consents have their own table.
 */
#include "common/buf.h"
#include "common/corpnum.h"
#include "common/facts.h"
#include "subject-int.h"

#include <sodium.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A fact changed only through its own call: consents (consent/withdraw) and erased (erase). */
static int settable_fact(const struct hogo__fact_def *f)
{
    return f->type != HOGO__FT_CONSENTS && f != &hogo__facts[HOGO__F_ERASED];
}

static int is_array(enum hogo__fact_type t)
{
    return hogo__fact_type_is_array(t) && t != HOGO__FT_CONSENTS;
}

static const struct hogo__fact_def *find_fact(const char *name, struct hogo_error *err)
{
    for (size_t i = 0; i < HOGO__F_COUNT; i++)
        if (!strcmp(hogo__facts[i].name, name ? name : ""))
            return &hogo__facts[i];
    char list[1024] = "";
    for (size_t i = 0; i < HOGO__F_COUNT; i++) {
        strncat(list, hogo__facts[i].name, sizeof list - strlen(list) - 1);
        if (i + 1 < HOGO__F_COUNT)
            strncat(list, ", ", sizeof list - strlen(list) - 1);
    }
    hogo_error_set(err, HOGO_EINVAL, NULL, "unknown subject fact '%s'; known facts: %s",
                   name ? name : "", list);
    return NULL;
}

int hogo_corporate_number_valid(const char *s)
{
    return s && hogo__corporate_number_valid(s, strlen(s));
}

static int check_corp(const char *s, struct hogo_error *err)
{
    if (hogo_corporate_number_valid(s))
        return 0;
    if (!s || strlen(s) != 13 || strspn(s, "0123456789") != 13)
        return hogo_error_set(err, HOGO_EINVAL, NULL,
                              "corporate number '%s' must be 13 digits (法人番号, half-width)",
                              s ? s : "");
    return hogo_error_set(err, HOGO_EINVAL, NULL,
                          "corporate number '%s' has a wrong check digit (first digit); "
                          "check the number at the National Tax Agency's 法人番号 site",
                          s);
}

/* Checks one value of fact f; for scalars normalises into norm. */
static int check_value(struct hogo_store *st, const struct hogo__fact_def *f, const char *v,
                       char norm[32], struct hogo_error *err)
{
    switch (f->type) {
    case HOGO__FT_INTEGER: {
        char *end = NULL;
        long n = v && *v ? strtol(v, &end, 10) : -1;
        if (!v || !*v || *end || n < 0 || n > 150)
            return hogo_error_set(err, HOGO_EINVAL, NULL,
                                  "fact '%s' takes a whole number of years 0-150, not '%s'",
                                  f->name, v ? v : "");
        snprintf(norm, 32, "%ld", n);
        return 0;
    }
    case HOGO__FT_BOOLEAN:
        if (v && (!strcmp(v, "true") || !strcmp(v, "yes") || !strcmp(v, "1"))) {
            strcpy(norm, "true");
            return 0;
        }
        if (v && (!strcmp(v, "false") || !strcmp(v, "no") || !strcmp(v, "0"))) {
            strcpy(norm, "false");
            return 0;
        }
        return hogo_error_set(err, HOGO_EINVAL, NULL, "fact '%s' takes true or false, not '%s'",
                              f->name, v ? v : "");
    case HOGO__FT_CORPS: return check_corp(v, err);
    case HOGO__FT_ACCOUNTS: return hogo__check_vocab(st, "account", v, err);
    case HOGO__FT_SERVICES: return hogo__check_vocab(st, "service", v, err);
    case HOGO__FT_PURPOSES: return hogo__check_vocab(st, "purpose", v, err);
    default:
        return hogo_error_set(err, HOGO_EINVAL, NULL,
                              "fact '%s' is not set directly; use 'hogo subject %s'", f->name,
                              f->type == HOGO__FT_CONSENTS ? "consent/withdraw" : "erase");
    }
}

const char *hogo__fact_name(size_t i, int *settable)
{
    if (i >= HOGO__F_COUNT)
        return NULL;
    *settable = settable_fact(&hogo__facts[i]);
    return hogo__facts[i].name;
}

int hogo__fact_check(struct hogo_store *st, const char *fact, const char *value,
                     char norm[32], int *array, struct hogo_error *err)
{
    const struct hogo__fact_def *f = find_fact(fact, err);
    if (!f)
        return HOGO_EINVAL;
    if (!settable_fact(f))
        return hogo_error_set(err, HOGO_EINVAL, NULL,
                              "fact '%s' is not set directly; use 'hogo subject %s'", f->name,
                              f->type == HOGO__FT_CONSENTS ? "consent/withdraw" : "erase");
    *array = is_array(f->type);
    norm[0] = '\0';
    return check_value(st, f, value, norm, err);
}

/* Loads the subject's operator; HOGO_ENOTFOUND when absent. *erased set when given. */
struct lookup {
    int found;
    int64_t erased_at;
    char *op;       /* allocated when wanted */
    int want_op;
};

static int take_lookup(void *ctx, const struct hogo__val *c, size_t n)
{
    struct lookup *l = ctx;
    if (n < 2)
        return 1;
    l->found = 1;
    l->erased_at = c[0].type == HOGO__INT ? c[0].i : 0;
    if (l->want_op && c[1].type == HOGO__TEXT && !(l->op = strdup(c[1].s)))
        return HOGO_ENOMEM;
    return 1;
}

static int subject_lookup(struct hogo_store *st, const char *id, char **op, int *erased,
                          struct hogo_error *err)
{
    struct hogo__val p[] = {HV_TEXT(id)};
    struct lookup l = {.want_op = op != NULL};
    int rc = hogo__query(st, "SELECT COALESCE(erased_at, 0), operator FROM subjects WHERE "
                             "subject_id = ?",
                         p, 1, take_lookup, &l, err);
    if (rc == HOGO_ENOMEM)
        rc = hogo_error_set(err, rc, NULL, "out of memory");
    if (rc < 0) {
        free(l.op);
        return rc;
    }
    if (!l.found)
        return hogo_error_set(err, HOGO_ENOTFOUND, NULL,
                              "subject '%s' not found; add it with 'hogo subject add %s "
                              "--operator POLICY'",
                              id, id);
    if (erased)
        *erased = l.erased_at != 0;
    if (op)
        *op = l.op;
    return 0;
}

int hogo_subject_add(struct hogo_store *st, const char *subject_id, const char *operator_id,
                     struct hogo_error *err)
{
    int rc = hogo__check_id(subject_id, "subject id", err);
    if (rc == 0)
        rc = hogo__check_vocab(st, "policy", operator_id, err);
    if (rc < 0)
        return rc;
    rc = hogo__txn_begin(st, err);
    if (rc < 0)
        return rc;
    struct hogo__val p[] = {HV_TEXT(subject_id), HV_TEXT(operator_id),
                            HV_INT(hogo__now_us(st))};
    int64_t changes = 0;
    rc = hogo__exec(st,
                    "INSERT INTO subjects (subject_id, operator, created_at, next_item) "
                    "VALUES (?, ?, ?, 1) ON CONFLICT (subject_id) DO NOTHING",
                    p, 3, &changes, err);
    if (rc == 0 && changes == 0)
        rc = hogo_error_set(err, HOGO_EINVAL, NULL,
                            "subject '%s' already exists; use 'hogo subject show %s'",
                            subject_id, subject_id);
    if (rc == 0) {
        char obj[160];
        snprintf(obj, sizeof obj, "operator:%s", operator_id);
        rc = hogo__audit_append_facts(st, subject_id, "subject.add", obj, NULL, err);
    }
    return hogo__txn_end(st, rc, err);
}

/* Writes one fact change and its audit event. op: 's' set, 'a' add, 'r' remove, 'u' unset. */
static int fact_change(struct hogo_store *st, const char *subject_id, const char *fact,
                       const char *value, int op, struct hogo_error *err)
{
    char norm[32] = "";
    int rc = hogo__check_id(subject_id, "subject id", err);
    if (rc < 0)
        return rc;
    const struct hogo__fact_def *f = find_fact(fact, err);
    if (!f)
        return HOGO_EINVAL;
    if (!settable_fact(f))
        return hogo_error_set(err, HOGO_EINVAL, NULL,
                              "fact '%s' is not set directly; use 'hogo subject %s'", f->name,
                              f->type == HOGO__FT_CONSENTS ? "consent/withdraw" : "erase");
    if ((op == 'a' || op == 'r') && !is_array(f->type))
        return hogo_error_set(err, HOGO_EINVAL, NULL,
                              "fact '%s' is not a list; set it with 'hogo subject set ID %s "
                              "VALUE'",
                              fact, fact);
    /* validate every value before touching the store */
    char *list = NULL;
    if (op == 's' && is_array(f->type)) {
        list = strdup(value ? value : "");
        if (!list)
            return hogo_error_set(err, HOGO_ENOMEM, NULL, "out of memory");
        char *save = NULL;
        for (char *t = strtok_r(list, ",", &save); t; t = strtok_r(NULL, ",", &save))
            if ((rc = check_value(st, f, t, norm, err)) < 0)
                goto out;
        strcpy(list, value ? value : "");
    } else if (op != 'u') {
        if ((rc = check_value(st, f, value, norm, err)) < 0)
            goto out;
    }
    rc = hogo__txn_begin(st, err);
    if (rc < 0)
        goto out;
    int64_t now = hogo__now_us(st);
    rc = subject_lookup(st, subject_id, NULL, NULL, err);
    struct hogo__val del[] = {HV_TEXT(subject_id), HV_TEXT(f->name)};
    if (rc == 0 && (op == 's' || op == 'u'))
        rc = hogo__exec(st, "DELETE FROM subject_facts WHERE subject_id = ? AND fact = ?", del,
                        2, NULL, err);
    static const char ins_sql[] =
        "INSERT INTO subject_facts (subject_id, fact, value, updated_at) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (subject_id, fact, value) DO NOTHING";
    if (rc == 0 && op == 's' && list) {
        char *save = NULL;
        for (char *t = strtok_r(list, ",", &save); t && rc == 0; t = strtok_r(NULL, ",", &save)) {
            struct hogo__val p[] = {HV_TEXT(subject_id), HV_TEXT(f->name), HV_TEXT(t),
                                    HV_INT(now)};
            rc = hogo__exec(st, ins_sql, p, 4, NULL, err);
        }
    } else if (rc == 0 && (op == 's' || op == 'a')) {
        const char *v = op == 's' ? norm : value;
        struct hogo__val p[] = {HV_TEXT(subject_id), HV_TEXT(f->name), HV_TEXT(v), HV_INT(now)};
        rc = hogo__exec(st, ins_sql, p, 4, NULL, err);
    } else if (rc == 0 && op == 'r') {
        struct hogo__val p[] = {HV_TEXT(subject_id), HV_TEXT(f->name), HV_TEXT(value)};
        int64_t changes = 0;
        rc = hogo__exec(st,
                        "DELETE FROM subject_facts WHERE subject_id = ? AND fact = ? AND "
                        "value = ?",
                        p, 3, &changes, err);
        if (rc == 0 && changes == 0)
            rc = hogo_error_set(err, HOGO_ENOTFOUND, NULL,
                                "subject '%s' has no '%s' in %s; nothing to remove",
                                subject_id, value, f->name);
    }
    if (rc == 0) {
        /* ids (accounts, services, purposes, corporate numbers) are not personal values;
         * age and flags are, so only the fact name is logged for them */
        char obj[256];
        static const char *const verbs[] = {"set", "add", "remove", "unset"};
        const char *verb = verbs[op == 's' ? 0 : op == 'a' ? 1 : op == 'r' ? 2 : 3];
        if (is_array(f->type) && op != 's' && op != 'u')
            snprintf(obj, sizeof obj, "fact:%s value:%s", f->name, value);
        else
            snprintf(obj, sizeof obj, "fact:%s", f->name);
        char action[32];
        snprintf(action, sizeof action, "subject.fact.%s", verb);
        rc = hogo__audit_append_facts(st, subject_id, action, obj, NULL, err);
    }
    rc = hogo__txn_end(st, rc, err);
out:
    free(list);
    return rc;
}

int hogo_subject_set_fact(struct hogo_store *st, const char *subject_id, const char *fact,
                          const char *value, struct hogo_error *err)
{
    return fact_change(st, subject_id, fact, value, 's', err);
}

int hogo_subject_add_fact(struct hogo_store *st, const char *subject_id, const char *fact,
                          const char *value, struct hogo_error *err)
{
    return fact_change(st, subject_id, fact, value, 'a', err);
}

int hogo_subject_remove_fact(struct hogo_store *st, const char *subject_id, const char *fact,
                             const char *value, struct hogo_error *err)
{
    return fact_change(st, subject_id, fact, value, 'r', err);
}

int hogo_subject_unset_fact(struct hogo_store *st, const char *subject_id, const char *fact,
                            struct hogo_error *err)
{
    return fact_change(st, subject_id, fact, NULL, 'u', err);
}

int hogo_subject_consent(struct hogo_store *st, const char *subject_id,
                         const struct hogo_consent *c, struct hogo_error *err)
{
    char *data = NULL;
    int rc = hogo__check_id(subject_id, "subject id", err);
    if (rc == 0)
        rc = hogo__check_id(c->id, "consent id", err);
    if (rc == 0)
        rc = hogo__check_vocab(st, "recipient", c->recipient, err);
    if (rc == 0)
        rc = hogo__check_vocab(st, "purpose", c->purpose, err);
    if (rc == 0)
        rc = hogo__check_vocab(st, "policy", c->policy, err);
    if (rc == 0 && c->n_data == 0)
        rc = hogo_error_set(err, HOGO_EINVAL, NULL,
                            "consent '%s' names no data categories; give at least one",
                            c->id);
    if (rc == 0 && (!c->policy_version || !*c->policy_version))
        rc = hogo_error_set(err, HOGO_EINVAL, NULL,
                            "consent '%s' needs the policy version agreed to (e.g. 2025-04-01)",
                            c->id);
    if (rc == 0)
        rc = hogo__join_ids(st, "data_category", c->data, c->n_data, &data, err);
    if (rc < 0)
        return rc;
    rc = hogo__txn_begin(st, err);
    if (rc < 0)
        goto out;
    rc = subject_lookup(st, subject_id, NULL, NULL, err);
    int64_t changes = 0;
    struct hogo__val p[] = {HV_TEXT(subject_id), HV_TEXT(c->id), HV_TEXT(c->recipient),
                            HV_TEXT(c->purpose), HV_TEXT(data), HV_TEXT(c->policy),
                            HV_TEXT(c->policy_version),
                            HV_TEXT(c->method && *c->method ? c->method : "unspecified"),
                            HV_INT(c->given_at ? c->given_at : hogo__now_us(st))};
    if (rc == 0)
        rc = hogo__exec(st,
                        "INSERT INTO consents (subject_id, consent_id, recipient, purpose, "
                        "data, policy, policy_version, method, given_at) VALUES (?, ?, ?, ?, ?, "
                        "?, ?, ?, ?) ON CONFLICT (subject_id, consent_id) DO NOTHING",
                        p, 9, &changes, err);
    if (rc == 0 && changes == 0)
        rc = hogo_error_set(err, HOGO_EINVAL, NULL,
                            "consent '%s' already exists for subject '%s'; use a new id",
                            c->id, subject_id);
    if (rc == 0) {
        char obj[512];
        snprintf(obj, sizeof obj, "consent:%s recipient:%s purpose:%s data:%s", c->id,
                 c->recipient, c->purpose, data);
        rc = hogo__audit_append_facts(st, subject_id, "subject.consent", obj, NULL, err);
    }
    rc = hogo__txn_end(st, rc, err);
out:
    free(data);
    return rc;
}

int hogo_subject_withdraw(struct hogo_store *st, const char *subject_id, const char *consent_id,
                          struct hogo_error *err)
{
    int rc = hogo__check_id(subject_id, "subject id", err);
    if (rc == 0)
        rc = hogo__check_id(consent_id, "consent id", err);
    if (rc == 0)
        rc = hogo__txn_begin(st, err);
    if (rc < 0)
        return rc;
    int64_t changes = 0;
    struct hogo__val p[] = {HV_INT(hogo__now_us(st)), HV_TEXT(subject_id), HV_TEXT(consent_id)};
    rc = hogo__exec(st,
                    "UPDATE consents SET withdrawn_at = ? WHERE subject_id = ? AND consent_id = ? "
                    "AND withdrawn_at IS NULL",
                    p, 3, &changes, err);
    if (rc == 0 && changes == 0)
        rc = hogo_error_set(err, HOGO_ENOTFOUND, NULL,
                            "subject '%s' has no consent '%s' in force; see 'hogo subject show "
                            "%s'",
                            subject_id, consent_id, subject_id);
    if (rc == 0) {
        char obj[160];
        snprintf(obj, sizeof obj, "consent:%s", consent_id);
        rc = hogo__audit_append_facts(st, subject_id, "subject.withdraw", obj, NULL, err);
    }
    return hogo__txn_end(st, rc, err);
}

int hogo_subject_erase(struct hogo_store *st, const char *subject_id, struct hogo_error *err)
{
    int rc = hogo__check_id(subject_id, "subject id", err);
    if (rc == 0)
        rc = hogo__txn_begin(st, err);
    if (rc < 0)
        return rc;
    int64_t now = hogo__now_us(st), items = 0;
    struct hogo__val p[] = {HV_TEXT(subject_id)};
    rc = subject_lookup(st, subject_id, NULL, NULL, err);
    /* the key goes first, durably, from the key store: from this moment every copy of the
     * subject's sealed data (database backups included) is unreadable */
    int64_t stored = 0;
    if (rc == 0)
        rc = hogo__query_int(st, "SELECT COUNT(*) FROM data_items WHERE subject_id = ?", p, 1,
                             &stored, NULL, err);
    if (rc == 0 && (stored > 0 || st->key_store[0]))
        rc = hogo__key_destroy(st, subject_id, err);
    if (rc == 0) /* a key left by schema 1 in the database itself */
        rc = hogo__exec(st, "DELETE FROM subject_keys WHERE subject_id = ?", p, 1, NULL, err);
    if (rc == 0)
        rc = hogo__exec(st, "DELETE FROM data_items WHERE subject_id = ?", p, 1, &items, err);
    struct hogo__val e[] = {HV_INT(now), HV_TEXT(subject_id)};
    if (rc == 0)
        rc = hogo__exec(st, "UPDATE subjects SET erased_at = ? WHERE subject_id = ?", e, 2,
                        NULL, err);
    if (rc == 0)
        rc = hogo__exec(st,
                        "DELETE FROM subject_facts WHERE subject_id = ? AND fact = 'erased'", p,
                        1, NULL, err);
    struct hogo__val f[] = {HV_TEXT(subject_id), HV_INT(now)};
    if (rc == 0)
        rc = hogo__exec(st,
                        "INSERT INTO subject_facts (subject_id, fact, value, updated_at) "
                        "VALUES (?, 'erased', 'true', ?)",
                        f, 2, NULL, err);
    if (rc == 0) {
        char detail[96];
        snprintf(detail, sizeof detail, "\"items_deleted\":%lld,\"key_destroyed\":true",
                 (long long)items);
        rc = hogo__audit_append_facts(st, subject_id, "subject.erase", "key data_items", detail,
                                      err);
    }
    return hogo__txn_end(st, rc, err);
}

/* ---- corporations ---- */

int hogo_corp_succeed(struct hogo_store *st, const char *predecessor, const char *successor,
                      const char *kind, struct hogo_error *err)
{
    int rc = check_corp(predecessor, err);
    if (rc == 0)
        rc = check_corp(successor, err);
    if (rc == 0 && !strcmp(predecessor, successor))
        rc = hogo_error_set(err, HOGO_EINVAL, NULL,
                            "corporation '%s' cannot succeed itself", predecessor);
    if (rc == 0 && kind)
        rc = hogo__check_vocab(st, "succession_kind", kind, err);
    if (rc == 0)
        rc = hogo__txn_begin(st, err);
    if (rc < 0)
        return rc;
    int64_t now = hogo__now_us(st);
    static const char corp_sql[] =
        "INSERT INTO corporations (corporate_number, name, created_at) VALUES (?, '', ?) "
        "ON CONFLICT (corporate_number) DO NOTHING";
    struct hogo__val a[] = {HV_TEXT(predecessor), HV_INT(now)};
    struct hogo__val b[] = {HV_TEXT(successor), HV_INT(now)};
    rc = hogo__exec(st, corp_sql, a, 2, NULL, err);
    if (rc == 0)
        rc = hogo__exec(st, corp_sql, b, 2, NULL, err);
    struct hogo__val s[] = {HV_TEXT(predecessor), HV_TEXT(successor),
                            HV_TEXT(kind ? kind : "merger"), HV_INT(now)};
    if (rc == 0)
        rc = hogo__exec(st,
                        "INSERT INTO corp_successions (predecessor, successor, kind, created_at) "
                        "VALUES (?, ?, ?, ?) ON CONFLICT (predecessor, successor) DO NOTHING",
                        s, 4, NULL, err);
    if (rc == 0) {
        char obj[96];
        snprintf(obj, sizeof obj, "corp:%s successor:%s", predecessor, successor);
        rc = hogo__audit_append_facts(st, NULL, "corp.succeed", obj, NULL, err);
    }
    return hogo__txn_end(st, rc, err);
}

static int gen_first_col(void *ctx, const struct hogo__val *c, size_t n)
{
    yajl_gen g = ctx;
    if (n > 0 && c[0].type == HOGO__TEXT)
        yajl_gen_string(g, (const unsigned char *)c[0].s, c[0].n);
    return 0;
}

int hogo_corp_show_json(struct hogo_store *st, const char *number, char **json,
                        struct hogo_error *err)
{
    int rc = check_corp(number, err);
    if (rc < 0)
        return rc;
    yajl_gen g = yajl_gen_alloc(NULL);
    if (!g)
        return hogo_error_set(err, HOGO_ENOMEM, NULL, "out of memory");
    struct hogo__val p[] = {HV_TEXT(number)};
    yajl_gen_map_open(g);
    hogo__gen_kv_str(g, "corporate_number", number);
    hogo__gen_str(g, "successors");
    yajl_gen_array_open(g);
    rc = hogo__query(st,
                     "WITH RECURSIVE s(n) AS (SELECT CAST(? AS TEXT) UNION SELECT c.successor "
                     "FROM corp_successions c JOIN s ON c.predecessor = s.n) "
                     "SELECT n FROM s WHERE n <> ? ORDER BY n",
                     (struct hogo__val[]){p[0], p[0]}, 2, gen_first_col, g, err);
    yajl_gen_array_close(g);
    hogo__gen_str(g, "predecessors");
    yajl_gen_array_open(g);
    if (rc == 0)
        rc = hogo__query(st,
                         "WITH RECURSIVE s(n) AS (SELECT CAST(? AS TEXT) UNION SELECT "
                         "c.predecessor FROM corp_successions c JOIN s ON c.successor = s.n) "
                         "SELECT n FROM s WHERE n <> ? ORDER BY n",
                         (struct hogo__val[]){p[0], p[0]}, 2, gen_first_col, g, err);
    yajl_gen_array_close(g);
    yajl_gen_map_close(g);
    if (rc == 0)
        rc = hogo__gen_take(g, json, err);
    yajl_gen_free(g);
    return rc;
}

/* ---- facts JSON ---- */

static const struct hogo__fact_def *fact_by_name(const char *name)
{
    for (size_t i = 0; i < HOGO__F_COUNT; i++)
        if (!strcmp(hogo__facts[i].name, name))
            return &hogo__facts[i];
    return NULL;
}

/* Writes the stored value rows of one fact. */
static int gen_fact_value(yajl_gen g, const struct hogo__fact_def *f, const char *v, size_t n)
{
    if (f->type == HOGO__FT_INTEGER)
        return yajl_gen_integer(g, strtoll(v, NULL, 10));
    if (f->type == HOGO__FT_BOOLEAN)
        return yajl_gen_bool(g, !strcmp(v, "true"));
    return yajl_gen_string(g, (const unsigned char *)v, n);
}

struct facts_ctx {
    yajl_gen g;
    const struct hogo__fact_def *cur; /* fact being collected */
    const char *skip;           /* fact rendered elsewhere (blocked_companies) */
    int skipped;                /* rows of skip were seen */
};

/* 1 when v is a value 'hogo subject set' writes for f (an age of digits, true/false). */
static int well_formed(const struct hogo__fact_def *f, const char *v, size_t n)
{
    if (memchr(v, 0, n))
        return 0;
    if (f->type == HOGO__FT_INTEGER)
        return n > 0 && n < 10 && strspn(v, "0123456789") == n;
    if (f->type == HOGO__FT_BOOLEAN)
        return !strcmp(v, "true") || !strcmp(v, "false");
    return 1;
}

static int row_fact(void *ctx, const struct hogo__val *c, size_t n)
{
    struct facts_ctx *x = ctx;
    if (n < 2 || c[0].type != HOGO__TEXT || c[1].type != HOGO__TEXT)
        return HOGO_ETAMPER;
    const struct hogo__fact_def *f = fact_by_name(c[0].s);
    if (!f)
        return 0;
    if (!well_formed(f, c[1].s, c[1].n))
        return HOGO_ETAMPER;
    if (x->skip && !strcmp(f->name, x->skip)) {
        x->skipped = 1;
        return 0;
    }
    if (x->cur != f) {
        if (x->cur && is_array(x->cur->type))
            yajl_gen_array_close(x->g);
        x->cur = f;
        hogo__gen_str(x->g, f->name);
        if (is_array(f->type))
            yajl_gen_array_open(x->g);
    } else if (!is_array(f->type)) {
        return 0; /* a scalar has one row; ignore strays */
    }
    gen_fact_value(x->g, f, c[1].s, c[1].n);
    return 0;
}

static int row_consent(void *ctx, const struct hogo__val *c, size_t n)
{
    struct facts_ctx *x = ctx;
    yajl_gen g = x->g;
    if (n < 4)
        return 0;
    yajl_gen_map_open(g);
    hogo__gen_kv_str(g, "id", c[0].s);
    hogo__gen_kv_str(g, "recipient", c[1].s);
    hogo__gen_kv_str(g, "purpose", c[2].s);
    hogo__gen_str(g, "data");
    hogo__gen_csv_array(g, c[3].s);
    if (n >= 9) {
        hogo__gen_kv_str(g, "policy", c[4].s);
        hogo__gen_kv_str(g, "policy_version", c[5].s);
        hogo__gen_kv_str(g, "method", c[6].s);
        char t[32];
        hogo__fmt_time(c[7].i, t);
        hogo__gen_kv_str(g, "given_at", t);
        hogo__gen_str(g, "withdrawn_at");
        if (c[8].type == HOGO__INT) {
            hogo__fmt_time(c[8].i, t);
            hogo__gen_str(g, t);
        } else
            yajl_gen_null(g);
    }
    yajl_gen_map_close(g);
    return 0;
}

/* A subject's blocked companies with every successor, transitively, in order (one
 * parameter: the subject id). */
static const char blocked_sql[] =
    "WITH RECURSIVE b(n) AS (SELECT value FROM subject_facts WHERE subject_id = ? AND "
    "fact = 'blocked_companies' UNION SELECT c.successor FROM corp_successions c JOIN b ON "
    "c.predecessor = b.n) SELECT n FROM b ORDER BY n";

/* Writes "blocked_companies": the subject's blocked companies with every successor,
 * transitively, into the open map g. */
static int gen_blocked(struct hogo_store *st, yajl_gen g, const char *subject_id,
                       struct hogo_error *err)
{
    struct hogo__val p[] = {HV_TEXT(subject_id)};
    hogo__gen_str(g, "blocked_companies");
    yajl_gen_array_open(g);
    int rc = hogo__query(st, blocked_sql, p, 1, gen_first_col, g, err);
    yajl_gen_array_close(g);
    return rc;
}

/* The error for a subject of another operator than policy. */
static int other_operator(const char *subject_id, const char *policy, struct hogo_error *err)
{
    return hogo_error_set(err, HOGO_ENOTFOUND, NULL,
                          "subject '%s' not found for policy '%s'; it belongs to another "
                          "operator",
                          subject_id, policy);
}

int hogo__subject_begin_read(struct hogo_store *st, const char *subject_id, const char *policy,
                             char **op, int *erased, yajl_gen *g, struct hogo_error *err)
{
    int rc = hogo__check_id(subject_id, "subject id", err);
    if (rc < 0)
        return rc;
    rc = hogo__txn_begin(st, err);
    if (rc < 0)
        return rc;
    rc = subject_lookup(st, subject_id, op, erased, err);
    if (rc == 0 && policy && *op && strcmp(*op, policy) != 0)
        rc = other_operator(subject_id, policy, err);
    if (rc == 0 && !(*g = yajl_gen_alloc(NULL)))
        rc = hogo_error_set(err, HOGO_ENOMEM, NULL, "out of memory");
    if (rc < 0) {
        rc = hogo__txn_end(st, rc, err);
        free(*op);
        *op = NULL;
    }
    return rc;
}

int hogo__gen_end_read(struct hogo_store *st, yajl_gen g, int rc, char **json,
                       struct hogo_error *err)
{
    if (rc == 0)
        rc = hogo__gen_take(g, json, err);
    rc = hogo__txn_end(st, rc, err);
    if (rc < 0) {
        free(*json);
        *json = NULL;
    }
    if (g)
        yajl_gen_free(g);
    return rc;
}

int hogo__subject_gen_facts(struct hogo_store *st, yajl_gen g, const char *policy,
                            const char *subject_id, int history, struct hogo_error *err)
{
    struct facts_ctx x = {.g = g, .skip = "blocked_companies"};
    struct hogo__val p[] = {HV_TEXT(subject_id)};
    int rc = hogo__query(st,
                         "SELECT fact, value FROM subject_facts WHERE subject_id = ? ORDER BY "
                         "fact, value",
                         p, 1, row_fact, &x, err);
    if (rc == HOGO_ETAMPER)
        return hogo_error_set(err, rc, subject_id,
                              "a stored fact of subject '%s' is not well-formed (written "
                              "outside hogo); run 'hogo audit verify' and set it again with "
                              "'hogo subject set'",
                              subject_id);
    if (rc < 0)
        return rc;
    if (x.cur && is_array(x.cur->type))
        yajl_gen_array_close(g);
    /* blocked companies with every successor, transitively */
    if (x.skipped)
        rc = gen_blocked(st, g, subject_id, err);
    if (rc < 0)
        return rc;
    hogo__gen_str(g, "consents");
    yajl_gen_array_open(g);
    if (history)
        rc = hogo__query(st,
                         "SELECT consent_id, recipient, purpose, data, policy, policy_version, "
                         "method, given_at, withdrawn_at FROM consents WHERE subject_id = ? "
                         "ORDER BY given_at, consent_id",
                         p, 1, row_consent, &x, err);
    else if (policy) {
        struct hogo__val q[] = {HV_TEXT(subject_id), HV_TEXT(policy)};
        rc = hogo__query(st,
                         "SELECT consent_id, recipient, purpose, data FROM consents WHERE "
                         "subject_id = ? AND policy = ? AND withdrawn_at IS NULL ORDER BY "
                         "consent_id",
                         q, 2, row_consent, &x, err);
    } else
        rc = hogo__query(st,
                         "SELECT consent_id, recipient, purpose, data FROM consents WHERE "
                         "subject_id = ? AND withdrawn_at IS NULL ORDER BY consent_id",
                         p, 1, row_consent, &x, err);
    yajl_gen_array_close(g);
    return rc;
}

static int facts_json(struct hogo_store *st, const char *policy, const char *subject_id,
                      char **json, int audit, struct hogo_error *err)
{
    char *op = NULL;
    yajl_gen g = NULL;
    *json = NULL;
    int rc = hogo__subject_begin_read(st, subject_id, policy, &op, NULL, &g, err);
    if (rc < 0)
        return rc;
    yajl_gen_map_open(g);
    rc = hogo__subject_gen_facts(st, g, policy, subject_id, 0, err);
    yajl_gen_map_close(g);
    if (rc == 0 && audit) {
        char obj[96];
        snprintf(obj, sizeof obj, "facts policy:%s", policy ? policy : "*");
        rc = hogo__audit_append(st, subject_id, "subject.read", obj, NULL, err);
    }
    rc = hogo__gen_end_read(st, g, rc, json, err);
    free(op);
    return rc;
}

int hogo_store_subject_facts_json(struct hogo_store *st, const char *policy,
                                  const char *subject_id, char **json, struct hogo_error *err)
{
    return facts_json(st, policy, subject_id, json, 1, err);
}

/* The facts a decision needs, in one query without sorting or temporary tables: the subject
 * row (k 0), its fact rows (k 1) and the consents given under the policy and not withdrawn
 * (k 2). The rows are collected and ordered here (fact, value; consent id); blocked companies
 * are followed through their successors with a second query only when the subject has any. */
static const char decide_facts_sql[] =
    "SELECT 0, operator, NULL, NULL, NULL FROM subjects WHERE subject_id = ? "
    "UNION ALL SELECT 1, fact, value, NULL, NULL FROM subject_facts WHERE subject_id = ? "
    "UNION ALL SELECT 2, consent_id, recipient, purpose, data FROM consents WHERE "
    "subject_id = ? AND policy = ? AND withdrawn_at IS NULL";

struct df_row {
    int k;         /* 1 fact, 2 consent, 3 a blocked company (or one of its successors) */
    size_t off[4]; /* offsets of a, b, c, d in the arena; (size_t)-1 for NULL */
};

struct decide_facts {
    const char *policy;
    int found, other_operator, blocked;
    struct df_row *rows; /* owned */
    size_t n, cap;
    char *arena; /* owned: the rows' text */
    size_t used, arena_cap;
};

static const char *df_str(const struct decide_facts *x, const struct df_row *r, int i)
{
    return r->off[i] == (size_t)-1 ? NULL : x->arena + r->off[i];
}

/* Appends a row of kind k with up to four texts (n of c, NULL or not text for NULL). */
static int df_push(struct decide_facts *x, int k, const struct hogo__val *c, int n)
{
    if (HOGO__GROW(x->rows, x->cap, x->n + 1, 32) < 0)
        return HOGO_ENOMEM;
    struct df_row *r = &x->rows[x->n++];
    r->k = k;
    for (int i = 0; i < 4; i++) {
        const struct hogo__val *v = i < n ? &c[i] : NULL;
        if (!v || v->type != HOGO__TEXT) {
            r->off[i] = (size_t)-1;
            continue;
        }
        if (HOGO__GROW(x->arena, x->arena_cap, x->used + v->n + 1, 1024) < 0)
            return HOGO_ENOMEM;
        memcpy(x->arena + x->used, v->s, v->n);
        x->arena[x->used + v->n] = '\0';
        r->off[i] = x->used;
        x->used += v->n + 1;
    }
    return 0;
}

static int row_decide_fact(void *ctx, const struct hogo__val *c, size_t n)
{
    struct decide_facts *x = ctx;
    if (n < 5 || c[0].type != HOGO__INT || c[1].type != HOGO__TEXT)
        return HOGO_ETAMPER;
    /* a fact's value and a consent's fields are text; anything else (a BLOB, a number) was
     * written outside hogo and is an error, never read as 'unknown' */
    for (int i = 2; i < (c[0].i == 2 ? 5 : c[0].i == 1 ? 3 : 2); i++)
        if (c[i].type != HOGO__TEXT || memchr(c[i].s, 0, c[i].n))
            return HOGO_ETAMPER;
    if (c[0].i == 0) {
        x->found = 1;
        x->other_operator = strcmp(c[1].s, x->policy) != 0;
        return 0;
    }
    if (c[0].i == 1 && !fact_by_name(c[1].s))
        return 0; /* not a fact of this vocabulary: as facts_json() */
    if (c[0].i == 1 && !strcmp(c[1].s, "blocked_companies")) {
        x->blocked = 1; /* listed, with their successors, by the second query */
        return 0;
    }
    return df_push(x, (int)c[0].i, c + 1, 4);
}

static int row_blocked(void *ctx, const struct hogo__val *c, size_t n)
{
    static const char name[] = "blocked_companies";
    if (n < 1 || c[0].type != HOGO__TEXT)
        return 0;
    struct hogo__val v[2] = {{.type = HOGO__TEXT, .s = name, .n = sizeof name - 1}, c[0]};
    return df_push(ctx, 3, v, 2);
}

/* Insertion sort by kind, then fact and value (consent id): a subject has a handful of
 * rows; the blocked companies come out of their query in order. */
static void sort_rows(struct decide_facts *x)
{
    for (size_t i = 1; i < x->n; i++) {
        struct df_row t = x->rows[i];
        size_t j = i;
        while (j > 0) {
            const struct df_row *p = &x->rows[j - 1];
            int c = p->k - t.k;
            if (!c && t.k != 3)
                c = strcmp(df_str(x, p, 0), df_str(x, &t, 0));
            if (!c && t.k == 1)
                c = strcmp(df_str(x, p, 1), df_str(x, &t, 1));
            if (c <= 0)
                break;
            x->rows[j] = *p;
            j--;
        }
        x->rows[j] = t;
    }
}

int hogo__subject_decide_rows(struct hogo_store *st, const char *policy, const char *subject_id,
                              hogo__facts_fn fn, void *ctx, struct hogo_error *err)
{
    int rc = hogo__check_id(subject_id, "subject id", err);
    if (rc < 0)
        return rc;
    struct decide_facts x = {.policy = policy};
    const char **facts = NULL, **consents = NULL;
    struct hogo__val p[] = {HV_TEXT(subject_id), HV_TEXT(subject_id), HV_TEXT(subject_id),
                            HV_TEXT(policy)};
    rc = hogo__query(st, decide_facts_sql, p, 4, row_decide_fact, &x, err);
    if (rc == 0 && x.found && !x.other_operator && x.blocked)
        rc = hogo__query(st, blocked_sql, p, 1, row_blocked, &x, err);
    if (rc == HOGO_ENOMEM)
        rc = hogo_error_set(err, rc, NULL, "out of memory reading subject facts");
    else if (rc == HOGO_ETAMPER)
        rc = hogo_error_set(err, rc, subject_id,
                            "a stored fact or consent of subject '%s' is not well-formed text "
                            "(written outside hogo); run 'hogo audit verify' and set it again "
                            "with 'hogo subject set'",
                            subject_id);
    else if (rc == 0 && !x.found)
        rc = hogo_error_set(err, HOGO_ENOTFOUND, NULL,
                            "subject '%s' not found; add it with 'hogo subject add %s "
                            "--operator POLICY'",
                            subject_id, subject_id);
    else if (rc == 0 && x.other_operator)
        rc = other_operator(subject_id, policy, err);
    if (rc < 0)
        goto out;
    sort_rows(&x);
    size_t nf = 0, nc = 0;
    facts = malloc((2 * x.n + 1) * sizeof *facts);
    consents = malloc((4 * x.n + 1) * sizeof *consents);
    if (!facts || !consents) {
        rc = hogo_error_set(err, HOGO_ENOMEM, NULL, "out of memory reading subject facts");
        goto out;
    }
    for (size_t i = 0; i < x.n; i++) {
        const struct df_row *r = &x.rows[i];
        if (r->k == 2) {
            for (int k = 0; k < 4; k++)
                consents[4 * nc + (size_t)k] = df_str(&x, r, k) ? df_str(&x, r, k) : "";
            nc++;
        } else {
            facts[2 * nf] = df_str(&x, r, 0);
            facts[2 * nf + 1] = df_str(&x, r, 1) ? df_str(&x, r, 1) : "";
            nf++;
        }
    }
    rc = fn(ctx, facts, nf, consents, nc, err);
out:
    free(facts);
    free(consents);
    free(x.rows);
    free(x.arena);
    return rc;
}

static int row_item_meta(void *ctx, const struct hogo__val *c, size_t n)
{
    yajl_gen g = ctx;
    if (n < 8)
        return 0;
    yajl_gen_map_open(g);
    hogo__gen_kv_int(g, "item_id", c[0].i);
    hogo__gen_kv_str(g, "category", c[1].s);
    hogo__gen_provenance(g, c);
    yajl_gen_map_close(g);
    return 0;
}

void hogo__gen_provenance(yajl_gen g, const struct hogo__val *c)
{
    char t[32];
    hogo__gen_kv_str(g, "channel", c[2].s);
    hogo__gen_kv_str(g, "source", c[3].type == HOGO__TEXT ? c[3].s : NULL);
    hogo__gen_kv_str(g, "service", c[4].type == HOGO__TEXT ? c[4].s : NULL);
    hogo__gen_kv_str(g, "context", c[5].type == HOGO__TEXT ? c[5].s : NULL);
    hogo__gen_kv_str(g, "policy_version", c[6].type == HOGO__TEXT ? c[6].s : NULL);
    hogo__fmt_time(c[7].i, t);
    hogo__gen_kv_str(g, "acquired_at", t);
}

int hogo__gen_items(struct hogo_store *st, yajl_gen g, const char *subject_id,
                    struct hogo_error *err)
{
    struct hogo__val p[] = {HV_TEXT(subject_id)};
    yajl_gen_array_open(g);
    int rc = hogo__query(st,
                         "SELECT item_id, category, channel, source, service, context, "
                         "policy_version, acquired_at FROM data_items WHERE subject_id = ? "
                         "ORDER BY item_id",
                         p, 1, row_item_meta, g, err);
    yajl_gen_array_close(g);
    return rc;
}

int hogo_subject_show_json(struct hogo_store *st, const char *subject_id, char **json,
                           struct hogo_error *err)
{
    char *op = NULL;
    yajl_gen g = NULL;
    int erased = 0;
    *json = NULL;
    int rc = hogo__subject_begin_read(st, subject_id, NULL, &op, &erased, &g, err);
    if (rc < 0)
        return rc;
    hogo__gen_pretty(g);
    yajl_gen_map_open(g);
    hogo__gen_kv_str(g, "subject_id", subject_id);
    hogo__gen_kv_str(g, "operator", op);
    hogo__gen_str(g, "facts");
    yajl_gen_map_open(g);
    rc = hogo__subject_gen_facts(st, g, NULL, subject_id, 1, err);
    yajl_gen_map_close(g);
    int has_key = 0;
    if (rc == 0 && st->key_store[0])
        rc = hogo__key_present(st, subject_id, &has_key, err);
    if (rc == 0) {
        hogo__gen_str(g, "data_key");
        hogo__gen_str(g, has_key ? "present" : erased ? "destroyed" : "none");
        hogo__gen_str(g, "data_items");
        rc = hogo__gen_items(st, g, subject_id, err);
        yajl_gen_map_close(g);
    }
    if (rc == 0)
        rc = hogo__audit_append(st, subject_id, "subject.read", "show", NULL, err);
    rc = hogo__gen_end_read(st, g, rc, json, err);
    free(op);
    return rc;
}

static int row_subject(void *ctx, const struct hogo__val *c, size_t n)
{
    yajl_gen g = ctx;
    if (n < 4)
        return 0;
    char t[32];
    yajl_gen_map_open(g);
    hogo__gen_kv_str(g, "subject_id", c[0].s);
    hogo__gen_kv_str(g, "operator", c[1].s);
    hogo__fmt_time(c[2].i, t);
    hogo__gen_kv_str(g, "created_at", t);
    hogo__gen_str(g, "erased");
    yajl_gen_bool(g, c[3].type == HOGO__INT);
    yajl_gen_map_close(g);
    return 0;
}

int hogo_subject_list_json(struct hogo_store *st, const char *operator_id, char **json,
                           struct hogo_error *err)
{
    yajl_gen g = yajl_gen_alloc(NULL);
    int rc;
    *json = NULL;
    if (!g)
        return hogo_error_set(err, HOGO_ENOMEM, NULL, "out of memory");
    yajl_gen_array_open(g);
    if (operator_id) {
        struct hogo__val p[] = {HV_TEXT(operator_id)};
        rc = hogo__query(st,
                         "SELECT subject_id, operator, created_at, erased_at FROM subjects "
                         "WHERE operator = ? ORDER BY subject_id",
                         p, 1, row_subject, g, err);
    } else
        rc = hogo__query(st,
                         "SELECT subject_id, operator, created_at, erased_at FROM subjects "
                         "ORDER BY subject_id",
                         NULL, 0, row_subject, g, err);
    yajl_gen_array_close(g);
    if (rc == 0)
        rc = hogo__gen_take(g, json, err);
    yajl_gen_free(g);
    return rc;
}
