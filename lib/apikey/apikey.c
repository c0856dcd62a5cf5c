/*
 * API keys (include/hogo/apikey.h): creation, lookup by hash, revocation and listing over the
 * api_keys table, which is created on first use. API key layer: on lib/audit (each creation
 * and revocation is an audit event) and lib/store; nothing in lib/ builds on it.
 * A key is "hogo_" followed by 32 random bytes in unpadded base64url; the table holds its
 * BLAKE2b-256 hash (hex) and never the key. The public key id is the hash's first 16 hex
 * digits. Creation and revocation are audit events naming the key id and operator only.
 */
#include "audit/audit-int.h"
#include "common/json.h"

#include <hogo/apikey.h>

#include <sodium.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const known_scopes[] = {
    "decide",      "subjects:read", "subjects:write", "data:read",     "data:write",
    "ledger:read", "ledger:write",  "audit:read",     "policies:read", "metrics:read",
    "rights:read", "rights:write",  "breaches:read",  "breaches:write", "subjects:import",
};
#define N_SCOPES (sizeof known_scopes / sizeof known_scopes[0])

static const char table_sql[] =
    "CREATE TABLE IF NOT EXISTS api_keys (key_hash TEXT PRIMARY KEY, key_id TEXT NOT NULL,"
    " operator TEXT NOT NULL, scopes TEXT NOT NULL, created_at BIGINT NOT NULL,"
    " expires_at BIGINT NOT NULL, revoked_at BIGINT NOT NULL)";

const char *hogo_apikey_scopes_known(void)
{
    return "decide,subjects:read,subjects:write,data:read,data:write,ledger:read,"
           "ledger:write,audit:read,policies:read,metrics:read,rights:read,rights:write,"
           "breaches:read,breaches:write,subjects:import";
}

static int scope_known(const char *s, size_t n)
{
    for (size_t i = 0; i < N_SCOPES; i++)
        if (strlen(known_scopes[i]) == n && !memcmp(known_scopes[i], s, n))
            return 1;
    return 0;
}

/* Checks a comma-separated scope list; every entry must be known, at least one given. */
static int check_scopes(const char *scopes, struct hogo_error *err)
{
    if (!scopes || !*scopes || strlen(scopes) >= 512)
        return hogo_error_set(err, HOGO_EINVAL, NULL,
                              "a key needs one or more scopes, comma-separated, from: %s",
                              hogo_apikey_scopes_known());
    for (const char *p = scopes; *p;) {
        const char *c = strchr(p, ',');
        size_t n = c ? (size_t)(c - p) : strlen(p);
        if (!scope_known(p, n))
            return hogo_error_set(err, HOGO_EINVAL, NULL,
                                  "unknown scope '%.*s'; scopes are: %s", (int)n, p,
                                  hogo_apikey_scopes_known());
        p += n;
        if (*p == ',')
            p++;
    }
    return 0;
}

/* The hex BLAKE2b-256 of key. */
static void key_hash(const char *key, char hex[65])
{
    unsigned char h[32];
    crypto_generichash(h, sizeof h, (const unsigned char *)key, strlen(key), NULL, 0);
    sodium_bin2hex(hex, 65, h, sizeof h);
    sodium_memzero(h, sizeof h);
}

static int key_form_ok(const char *key)
{
    if (!key || strlen(key) != HOGO_APIKEY_CHARS || strncmp(key, "hogo_", 5))
        return 0;
    for (const char *p = key + 5; *p; p++)
        if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
              *p == '-' || *p == '_'))
            return 0;
    return 1;
}

static int table_present(struct hogo_store *st, int *present, struct hogo_error *err)
{
    return st->ops->table_exists(st->impl, "api_keys", present, err);
}

int hogo_apikey_create(struct hogo_store *st, const char *operator_id, const char *scopes,
                       int64_t expires_at, char key[HOGO_APIKEY_CHARS + 1],
                       char key_id[HOGO_APIKEY_ID_CHARS + 1], struct hogo_error *err)
{
    int rc = hogo__check_vocab(st, "policy", operator_id, err);
    if (rc == 0)
        rc = check_scopes(scopes, err);
    if (rc == 0 && expires_at < 0)
        rc = hogo_error_set(err, HOGO_EINVAL, NULL, "a key's expiry must be a time after 1970");
    if (rc < 0)
        return rc;
    unsigned char raw[32];
    randombytes_buf(raw, sizeof raw);
    memcpy(key, "hogo_", 5);
    sodium_bin2base64(key + 5, HOGO_APIKEY_CHARS + 1 - 5, raw, sizeof raw,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(raw, sizeof raw);
    char hash[65], id[HOGO_APIKEY_ID_CHARS + 1];
    key_hash(key, hash);
    memcpy(id, hash, HOGO_APIKEY_ID_CHARS);
    id[HOGO_APIKEY_ID_CHARS] = '\0';
    rc = hogo__txn_begin(st, err);
    if (rc < 0)
        return rc;
    rc = hogo__exec(st, table_sql, NULL, 0, NULL, err);
    if (rc == 0) {
        struct hogo__val p[] = {HV_TEXT(hash),      HV_TEXT(id),
                                HV_TEXT(operator_id), HV_TEXT(scopes),
                                HV_INT(hogo__now_us(st)), HV_INT(expires_at),
                                HV_INT(0)};
        rc = hogo__exec(st,
                        "INSERT INTO api_keys (key_hash, key_id, operator, scopes, created_at,"
                        " expires_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                        p, 7, NULL, err);
    }
    if (rc == 0) {
        char obj[256];
        snprintf(obj, sizeof obj, "key:%s operator:%s", id, operator_id);
        rc = hogo__audit_append(st, NULL, "apikey.create", obj, NULL, err);
    }
    rc = hogo__txn_end(st, rc, err);
    if (rc < 0) {
        sodium_memzero(key, HOGO_APIKEY_CHARS + 1);
        return rc;
    }
    if (key_id)
        memcpy(key_id, id, sizeof id);
    return 0;
}

static int take_key(void *ctx, const struct hogo__val *c, size_t n)
{
    struct hogo_apikey *k = ctx;
    if (n < 6)
        return 1;
    snprintf(k->key_id, sizeof k->key_id, "%s", c[0].s ? c[0].s : "");
    snprintf(k->operator_id, sizeof k->operator_id, "%s", c[1].s ? c[1].s : "");
    snprintf(k->scopes, sizeof k->scopes, "%s", c[2].s ? c[2].s : "");
    k->created_at = c[3].i;
    k->expires_at = c[4].i;
    k->revoked_at = c[5].i;
    return 1;
}

int hogo_apikey_lookup(struct hogo_store *st, const char *key, struct hogo_apikey *out,
                       struct hogo_error *err)
{
    memset(out, 0, sizeof *out);
    if (!key_form_ok(key))
        return hogo_error_set(err, HOGO_EINVAL, NULL,
                              "an API key is 'hogo_' and 43 base64url characters, as 'hogo "
                              "apikey create' printed it");
    int present = 0;
    int rc = table_present(st, &present, err);
    if (rc < 0)
        return rc;
    char hash[65];
    key_hash(key, hash);
    if (present) {
        struct hogo__val p[] = {HV_TEXT(hash)};
        rc = hogo__query(st,
                         "SELECT key_id, operator, scopes, created_at, expires_at, revoked_at "
                         "FROM api_keys WHERE key_hash = ?",
                         p, 1, take_key, out, err);
        if (rc < 0)
            return rc;
    }
    if (!out->key_id[0])
        return hogo_error_set(err, HOGO_ENOTFOUND, NULL,
                              "no such API key; create one with 'hogo apikey create'");
    return 0;
}

bool hogo_apikey_usable(const struct hogo_apikey *k, int64_t now_us)
{
    return k->revoked_at == 0 && (k->expires_at == 0 || now_us < k->expires_at);
}

bool hogo_apikey_has_scope(const struct hogo_apikey *k, const char *scope)
{
    size_t n = strlen(scope);
    for (const char *p = k->scopes; *p;) {
        const char *c = strchr(p, ',');
        size_t l = c ? (size_t)(c - p) : strlen(p);
        if (l == n && !memcmp(p, scope, n))
            return true;
        p += l;
        if (*p == ',')
            p++;
    }
    return false;
}

int hogo_apikey_revoke(struct hogo_store *st, const char *operator_id, const char *key_id,
                       struct hogo_error *err)
{
    int rc = hogo__check_id(key_id, "key id", err);
    if (rc < 0)
        return rc;
    rc = hogo__txn_begin(st, err);
    if (rc < 0)
        return rc;
    rc = hogo__exec(st, table_sql, NULL, 0, NULL, err);
    int64_t changes = 0;
    if (rc == 0) {
        struct hogo__val p[] = {HV_INT(hogo__now_us(st)), HV_TEXT(key_id),
                                HV_TEXT(operator_id ? operator_id : "")};
        rc = hogo__exec(st,
                        "UPDATE api_keys SET revoked_at = ? WHERE key_id = ? AND revoked_at = 0"
                        " AND (operator = ? OR ? = '')",
                        (struct hogo__val[]){p[0], p[1], p[2], p[2]}, 4, &changes, err);
    }
    if (rc == 0 && changes == 0)
        rc = hogo_error_set(err, HOGO_ENOTFOUND, NULL,
                            "no unrevoked key '%s'%s%s; see 'hogo apikey list'", key_id,
                            operator_id ? " of operator " : "", operator_id ? operator_id : "");
    if (rc == 0) {
        char obj[256];
        snprintf(obj, sizeof obj, "key:%s", key_id);
        rc = hogo__audit_append(st, NULL, "apikey.revoke", obj, NULL, err);
    }
    return hogo__txn_end(st, rc, err);
}

static int gen_key_row(void *ctx, const struct hogo__val *c, size_t n)
{
    yajl_gen g = ctx;
    if (n < 6)
        return 0;
    char t[32];
    yajl_gen_map_open(g);
    hogo__gen_kv_str(g, "key_id", c[0].s);
    hogo__gen_kv_str(g, "operator", c[1].s);
    hogo__gen_str(g, "scopes");
    hogo__gen_csv_array(g, c[2].s);
    hogo__fmt_time(c[3].i, t);
    hogo__gen_kv_str(g, "created_at", t);
    if (c[4].i)
        hogo__fmt_time(c[4].i, t);
    hogo__gen_kv_str(g, "expires_at", c[4].i ? t : NULL);
    if (c[5].i)
        hogo__fmt_time(c[5].i, t);
    hogo__gen_kv_str(g, "revoked_at", c[5].i ? t : NULL);
    yajl_gen_map_close(g);
    return 0;
}

int hogo_apikey_list_json(struct hogo_store *st, const char *operator_id, char **json,
                          struct hogo_error *err)
{
    *json = NULL;
    int present = 0;
    int rc = table_present(st, &present, err);
    if (rc < 0)
        return rc;
    yajl_gen g = yajl_gen_alloc(NULL);
    if (!g)
        return hogo_error_set(err, HOGO_ENOMEM, NULL, "out of memory");
    yajl_gen_array_open(g);
    if (present) {
        struct hogo__val p[] = {HV_TEXT(operator_id ? operator_id : ""),
                                HV_TEXT(operator_id ? operator_id : "")};
        rc = hogo__query(st,
                         "SELECT key_id, operator, scopes, created_at, expires_at, revoked_at "
                         "FROM api_keys WHERE operator = ? OR ? = '' ORDER BY created_at, "
                         "key_id",
                         p, 2, gen_key_row, g, err);
    }
    yajl_gen_array_close(g);
    if (rc == 0)
        rc = hogo__gen_take(g, json, err);
    yajl_gen_free(g);
    return rc;
}
