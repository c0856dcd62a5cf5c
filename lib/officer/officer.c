/*
 * Officer accounts (include/hogo/officer.h): adding, signing in, roles, enabling and
 * passwords over the officers table, which is created on first use. Officer layer: on
 * lib/audit (every change and sign-in is an audit event) and lib/store; nothing in lib/
 * builds on it. Passwords are hashed with libsodium's crypto_pwhash_str (Argon2id, the
 * interactive limits) and checked with crypto_pwhash_str_verify; a hash made with older
 * limits is renewed at the next sign-in. Events name the officer and operator, never a
 * password or its hash.
 */
#include "audit/audit-int.h"
#include "common/json.h"

#include <hogo/officer.h>

#include <sodium.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char table_sql[] =
    "CREATE TABLE IF NOT EXISTS officers (name TEXT PRIMARY KEY, operator TEXT NOT NULL,"
    " role TEXT NOT NULL, password_hash TEXT NOT NULL, enabled INTEGER NOT NULL,"
    " created_at BIGINT NOT NULL, last_signin_at BIGINT NOT NULL)";

static const char *const role_names[] = {"", "viewer", "handler", "admin"};

#define PWHASH_OPS crypto_pwhash_OPSLIMIT_INTERACTIVE
#define PWHASH_MEM crypto_pwhash_MEMLIMIT_INTERACTIVE

int hogo_officer_role_parse(const char *s)
{
    for (int r = HOGO_OFFICER_VIEWER; s && r <= HOGO_OFFICER_ADMIN; r++)
        if (!strcmp(s, role_names[r]))
            return r;
    return 0;
}

const char *hogo_officer_role_name(int role)
{
    return role >= HOGO_OFFICER_VIEWER && role <= HOGO_OFFICER_ADMIN ? role_names[role] : "";
}

static int check_role(int role, struct hogo_error *err)
{
    if (!hogo_officer_role_name(role)[0])
        return hogo_error_set(err, HOGO_EINVAL, NULL,
                              "an officer's role is viewer, handler or admin");
    return 0;
}

static int check_name(const char *name, struct hogo_error *err)
{
    return hogo__check_id(name, "officer name", err);
}

static int check_password(const char *pw, struct hogo_error *err)
{
    size_t n = pw ? strlen(pw) : 0;
    if (n < HOGO_OFFICER_PASSWORD_MIN || n > HOGO_OFFICER_PASSWORD_MAX)
        return hogo_error_set(err, HOGO_EINVAL, NULL,
                              "a password has %d to %d characters; this one has %zu",
                              HOGO_OFFICER_PASSWORD_MIN, HOGO_OFFICER_PASSWORD_MAX, n);
    return 0;
}

static int hash_password(const char *pw, char out[crypto_pwhash_STRBYTES],
                         struct hogo_error *err)
{
    if (crypto_pwhash_str(out, pw, strlen(pw), PWHASH_OPS, PWHASH_MEM) != 0)
        return hogo_error_set(err, HOGO_ENOMEM, NULL,
                              "not enough memory to hash the password (Argon2id needs %zu MiB)",
                              (size_t)(PWHASH_MEM >> 20));
    return 0;
}

/* Runs the swap of st->actor around one call: events name actor (when given). */
static void actor_set(struct hogo_store *st, const char *actor, char saved[128])
{
    memcpy(saved, st->actor, 128);
    if (actor && *actor)
        snprintf(st->actor, sizeof st->actor, "%s", actor);
    for (char *c = st->actor; *c; c++)
        if (*c == '"' || *c == '\\' || (unsigned char)*c < 0x20)
            *c = '_';
}

static void actor_restore(struct hogo_store *st, const char saved[128])
{
    memcpy(st->actor, saved, 128);
}

static int event(struct hogo_store *st, const char *action, const char *name,
                 const char *operator_id, const char *extra, struct hogo_error *err)
{
    char obj[512];
    snprintf(obj, sizeof obj, "officer:%s operator:%s%s%s", name, operator_id,
             extra ? " " : "", extra ? extra : "");
    return hogo__audit_append(st, NULL, action, obj, NULL, err);
}

struct row {
    struct hogo_officer o;
    char hash[crypto_pwhash_STRBYTES];
    int found;
};

static void fill(struct hogo_officer *o, const struct hogo__val *c)
{
    memset(o, 0, sizeof *o);
    snprintf(o->name, sizeof o->name, "%s", c[0].s ? c[0].s : "");
    snprintf(o->operator_id, sizeof o->operator_id, "%s", c[1].s ? c[1].s : "");
    o->role = hogo_officer_role_parse(c[2].s);
    o->enabled = c[3].i != 0;
    o->created_at = c[4].i;
    o->last_signin_at = c[5].i;
}

static int take_row(void *ctx, const struct hogo__val *c, size_t n)
{
    struct row *r = ctx;
    if (n < 7)
        return 1;
    fill(&r->o, c);
    snprintf(r->hash, sizeof r->hash, "%s", c[6].s ? c[6].s : "");
    r->found = 1;
    return 1;
}

#define COLUMNS "name, operator, role, enabled, created_at, last_signin_at"

/* Reads officer name into *r (r->found = 0 when there is none). */
static int read_row(struct hogo_store *st, const char *name, struct row *r,
                    struct hogo_error *err)
{
    memset(r, 0, sizeof *r);
    int present = 0;
    int rc = st->ops->table_exists(st->impl, "officers", &present, err);
    if (rc < 0 || !present)
        return rc;
    struct hogo__val p[] = {HV_TEXT(name)};
    return hogo__query(st, "SELECT " COLUMNS ", password_hash FROM officers WHERE name = ?", p,
                       1, take_row, r, err);
}

static int not_found(struct hogo_error *err, const char *name, const char *operator_id)
{
    return hogo_error_set(err, HOGO_ENOTFOUND, NULL,
                          "no officer '%s'%s%s; see 'hogo officer list'", name,
                          operator_id ? " of operator " : "", operator_id ? operator_id : "");
}

int hogo_officer_add(struct hogo_store *st, const char *name, const char *operator_id,
                     int role, const char *password, const char *actor, struct hogo_error *err)
{
    int rc = check_name(name, err);
    if (rc == 0)
        rc = hogo__check_vocab(st, "policy", operator_id, err);
    if (rc == 0)
        rc = check_role(role, err);
    if (rc == 0)
        rc = check_password(password, err);
    if (rc < 0)
        return rc;
    char hash[crypto_pwhash_STRBYTES];
    rc = hash_password(password, hash, err);
    if (rc < 0)
        return rc;
    char saved[128];
    actor_set(st, actor, saved);
    rc = hogo__txn_begin(st, err);
    if (rc < 0) {
        actor_restore(st, saved);
        return rc;
    }
    rc = hogo__exec(st, table_sql, NULL, 0, NULL, err);
    struct row r;
    if (rc == 0)
        rc = read_row(st, name, &r, err);
    if (rc == 0 && r.found)
        rc = hogo_error_set(err, HOGO_EINVAL, NULL,
                            "an officer named '%s' exists already (operator %s); choose "
                            "another name",
                            name, r.o.operator_id);
    if (rc == 0) {
        struct hogo__val p[] = {HV_TEXT(name),         HV_TEXT(operator_id),
                                HV_TEXT(role_names[role]), HV_TEXT(hash),
                                HV_INT(1),             HV_INT(hogo__now_us(st)),
                                HV_INT(0)};
        rc = hogo__exec(st,
                        "INSERT INTO officers (name, operator, role, password_hash, enabled,"
                        " created_at, last_signin_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                        p, 7, NULL, err);
    }
    if (rc == 0) {
        char extra[32];
        snprintf(extra, sizeof extra, "role:%s", role_names[role]);
        rc = event(st, "officer.add", name, operator_id, extra, err);
    }
    rc = hogo__txn_end(st, rc, err);
    actor_restore(st, saved);
    sodium_memzero(hash, sizeof hash);
    return rc;
}

int hogo_officer_get(struct hogo_store *st, const char *operator_id, const char *name,
                     struct hogo_officer *out, struct hogo_error *err)
{
    memset(out, 0, sizeof *out);
    int rc = check_name(name, err);
    if (rc < 0)
        return rc;
    struct row r;
    rc = read_row(st, name, &r, err);
    sodium_memzero(r.hash, sizeof r.hash);
    if (rc < 0)
        return rc;
    if (!r.found || (operator_id && strcmp(operator_id, r.o.operator_id)))
        return not_found(err, name, operator_id);
    *out = r.o;
    return 0;
}

/* Records a successful sign-in of r (method) and, when given, the renewed hash. */
static int record_signin(struct hogo_store *st, const struct hogo_officer *o,
                         const char *method, const char *new_hash, struct hogo_error *err)
{
    char saved[128];
    actor_set(st, o->name, saved);
    int64_t now = hogo__now_us(st);
    int rc = hogo__txn_begin(st, err);
    if (rc == 0) {
        struct hogo__val p[] = {HV_INT(now), HV_TEXT(o->name)};
        rc = hogo__exec(st, "UPDATE officers SET last_signin_at = ? WHERE name = ?", p, 2,
                        NULL, err);
        if (rc == 0 && new_hash) {
            struct hogo__val q[] = {HV_TEXT(new_hash), HV_TEXT(o->name)};
            rc = hogo__exec(st, "UPDATE officers SET password_hash = ? WHERE name = ?", q, 2,
                            NULL, err);
        }
        if (rc == 0) {
            char extra[64];
            snprintf(extra, sizeof extra, "method:%s%s", method, new_hash ? " rehashed" : "");
            rc = event(st, "officer.signin", o->name, o->operator_id, extra, err);
        }
        rc = hogo__txn_end(st, rc, err);
    }
    actor_restore(st, saved);
    return rc;
}

static int record_failure(struct hogo_store *st, const char *name, const char *operator_id,
                          const char *why, struct hogo_error *err)
{
    char saved[128];
    actor_set(st, name, saved);
    int rc = hogo__txn_begin(st, err);
    if (rc == 0) {
        char extra[64];
        snprintf(extra, sizeof extra, "reason:%s", why);
        rc = event(st, "officer.signin_failed", name, operator_id, extra, err);
        rc = hogo__txn_end(st, rc, err);
    }
    actor_restore(st, saved);
    return rc;
}

/* The hash an unknown name is checked against (made once, with the current limits). */
static char dummy_hash[crypto_pwhash_STRBYTES];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;

static void make_dummy(void)
{
    unsigned char r[16];
    char pw[33];
    randombytes_buf(r, sizeof r);
    sodium_bin2hex(pw, sizeof pw, r, sizeof r);
    if (crypto_pwhash_str(dummy_hash, pw, strlen(pw), PWHASH_OPS, PWHASH_MEM) != 0)
        snprintf(dummy_hash, sizeof dummy_hash, "-");
}

int hogo_officer_authenticate(struct hogo_store *st, const char *name, const char *password,
                              struct hogo_officer *out, struct hogo_error *err)
{
    memset(out, 0, sizeof *out);
    struct hogo_error ignored;
    int rc = check_name(name, &ignored);
    if (rc < 0 || !password || strlen(password) > HOGO_OFFICER_PASSWORD_MAX)
        return hogo_error_set(err, HOGO_ENOTFOUND, NULL, "wrong officer name or password");
    struct row r;
    rc = read_row(st, name, &r, err);
    if (rc < 0)
        return rc;
    /* an unknown name costs a verification too, so the time does not tell it apart */
    pthread_once(&dummy_once, make_dummy);
    const char *hash = r.found ? r.hash : dummy_hash;
    int match = crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
    if (!r.found || !match) {
        rc = record_failure(st, name, r.found ? r.o.operator_id : "-",
                            r.found ? "password" : "unknown_name", err);
        sodium_memzero(r.hash, sizeof r.hash);
        if (rc < 0)
            return rc;
        return hogo_error_set(err, HOGO_ENOTFOUND, NULL, "wrong officer name or password");
    }
    if (!r.o.enabled) {
        sodium_memzero(r.hash, sizeof r.hash);
        rc = record_failure(st, name, r.o.operator_id, "disabled", err);
        if (rc < 0)
            return rc;
        return hogo_error_set(err, HOGO_ENOTFOUND, NULL,
                              "officer '%s' is disabled; an admin enables it again with "
                              "'hogo officer enable %s'",
                              name, name);
    }
    char renewed[crypto_pwhash_STRBYTES];
    int rehash = crypto_pwhash_str_needs_rehash(r.hash, PWHASH_OPS, PWHASH_MEM) != 0;
    sodium_memzero(r.hash, sizeof r.hash);
    if (rehash && hash_password(password, renewed, err) < 0)
        rehash = 0; /* keep the old hash; the sign-in itself stands */
    rc = record_signin(st, &r.o, "password", rehash ? renewed : NULL, err);
    sodium_memzero(renewed, sizeof renewed);
    if (rc < 0)
        return rc;
    *out = r.o;
    out->last_signin_at = hogo__now_us(st);
    return 0;
}

int hogo_officer_signed_in(struct hogo_store *st, const char *operator_id, const char *name,
                           const char *method, struct hogo_officer *out,
                           struct hogo_error *err)
{
    struct hogo_officer o;
    int rc = hogo_officer_get(st, operator_id, name, &o, err);
    if (rc < 0)
        return rc;
    if (!o.enabled) {
        rc = record_failure(st, name, o.operator_id, "disabled", err);
        if (rc < 0)
            return rc;
        return hogo_error_set(err, HOGO_ENOTFOUND, NULL,
                              "officer '%s' is disabled; an admin enables it again with "
                              "'hogo officer enable %s'",
                              name, name);
    }
    char m[32];
    snprintf(m, sizeof m, "%s", method && *method ? method : "other");
    for (char *c = m; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '_'))
            *c = '_';
    rc = record_signin(st, &o, m, NULL, err);
    if (rc < 0)
        return rc;
    o.last_signin_at = hogo__now_us(st);
    if (out)
        *out = o;
    return 0;
}

/* Runs one UPDATE on officer name (of operator_id) with its event, as actor. */
static int change(struct hogo_store *st, const char *operator_id, const char *name,
                  const char *set_sql, const struct hogo__val *value, const char *action,
                  const char *extra, const char *actor, struct hogo_error *err)
{
    int rc = check_name(name, err);
    if (rc < 0)
        return rc;
    char saved[128];
    actor_set(st, actor, saved);
    rc = hogo__txn_begin(st, err);
    if (rc < 0) {
        actor_restore(st, saved);
        return rc;
    }
    struct row r;
    rc = read_row(st, name, &r, err);
    sodium_memzero(r.hash, sizeof r.hash);
    if (rc == 0 && (!r.found || (operator_id && strcmp(operator_id, r.o.operator_id))))
        rc = not_found(err, name, operator_id);
    if (rc == 0) {
        char sql[160];
        snprintf(sql, sizeof sql, "UPDATE officers SET %s = ? WHERE name = ?", set_sql);
        struct hogo__val p[] = {*value, HV_TEXT(name)};
        rc = hogo__exec(st, sql, p, 2, NULL, err);
    }
    if (rc == 0)
        rc = event(st, action, name, r.o.operator_id, extra, err);
    rc = hogo__txn_end(st, rc, err);
    actor_restore(st, saved);
    return rc;
}

int hogo_officer_set_role(struct hogo_store *st, const char *operator_id, const char *name,
                          int role, const char *actor, struct hogo_error *err)
{
    int rc = check_role(role, err);
    if (rc < 0)
        return rc;
    char extra[32];
    snprintf(extra, sizeof extra, "role:%s", role_names[role]);
    struct hogo__val v = HV_TEXT(role_names[role]);
    return change(st, operator_id, name, "role", &v, "officer.set_role", extra, actor, err);
}

int hogo_officer_set_enabled(struct hogo_store *st, const char *operator_id, const char *name,
                             bool enabled, const char *actor, struct hogo_error *err)
{
    struct hogo__val v = HV_INT(enabled ? 1 : 0);
    return change(st, operator_id, name, "enabled", &v,
                  enabled ? "officer.enable" : "officer.disable", NULL, actor, err);
}

int hogo_officer_set_password(struct hogo_store *st, const char *operator_id, const char *name,
                              const char *password, const char *actor, struct hogo_error *err)
{
    int rc = check_password(password, err);
    if (rc < 0)
        return rc;
    char hash[crypto_pwhash_STRBYTES];
    rc = hash_password(password, hash, err);
    if (rc < 0)
        return rc;
    struct hogo__val v = HV_TEXT(hash);
    rc = change(st, operator_id, name, "password_hash", &v, "officer.passwd", NULL, actor, err);
    sodium_memzero(hash, sizeof hash);
    return rc;
}

struct each {
    int (*fn)(void *ctx, const struct hogo_officer *o);
    void *ctx;
    int stopped;
};

static int each_row(void *ctx, const struct hogo__val *c, size_t n)
{
    struct each *e = ctx;
    if (n < 6 || e->stopped)
        return 1;
    struct hogo_officer o;
    fill(&o, c);
    e->stopped = e->fn(e->ctx, &o) != 0;
    return e->stopped;
}

int hogo_officer_list(struct hogo_store *st, const char *operator_id,
                      int (*fn)(void *ctx, const struct hogo_officer *o), void *ctx,
                      struct hogo_error *err)
{
    int present = 0;
    int rc = st->ops->table_exists(st->impl, "officers", &present, err);
    if (rc < 0 || !present)
        return rc;
    struct each e = {fn, ctx, 0};
    struct hogo__val p[] = {HV_TEXT(operator_id ? operator_id : ""),
                            HV_TEXT(operator_id ? operator_id : "")};
    return hogo__query(st,
                       "SELECT " COLUMNS " FROM officers WHERE operator = ? OR ? = ''"
                       " ORDER BY name",
                       p, 2, each_row, &e, err);
}

static int gen_officer(void *ctx, const struct hogo_officer *o)
{
    yajl_gen g = ctx;
    char t[32];
    yajl_gen_map_open(g);
    hogo__gen_kv_str(g, "name", o->name);
    hogo__gen_kv_str(g, "operator", o->operator_id);
    hogo__gen_kv_str(g, "role", hogo_officer_role_name(o->role));
    hogo__gen_str(g, "enabled");
    yajl_gen_bool(g, o->enabled);
    hogo__fmt_time(o->created_at, t);
    hogo__gen_kv_str(g, "created_at", t);
    if (o->last_signin_at)
        hogo__fmt_time(o->last_signin_at, t);
    hogo__gen_kv_str(g, "last_signin_at", o->last_signin_at ? t : NULL);
    yajl_gen_map_close(g);
    return 0;
}

int hogo_officer_list_json(struct hogo_store *st, const char *operator_id, char **json,
                           struct hogo_error *err)
{
    *json = NULL;
    yajl_gen g = yajl_gen_alloc(NULL);
    if (!g)
        return hogo_error_set(err, HOGO_ENOMEM, NULL, "out of memory");
    yajl_gen_array_open(g);
    int rc = hogo_officer_list(st, operator_id, gen_officer, g, err);
    yajl_gen_array_close(g);
    if (rc == 0)
        rc = hogo__gen_take(g, json, err);
    yajl_gen_free(g);
    return rc;
}
