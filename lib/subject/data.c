/*
 * Personal data sealed per subject, and the keys that seal it. Subject layer (key files
 * themselves are read and written by lib/store/keyfile.c).
 * Each subject has a random 256-bit data key, stored only wrapped (XChaCha20-Poly1305) under
 * the master key, which lives outside the database (a key file or HOGO_MASTER_KEY). Values are
 * sealed with XChaCha20-Poly1305 under the subject key; the associated data binds a value to
 * its subject, item id and category so a ciphertext moved to another row does not open.
 * Erasing a subject deletes its wrapped key: its sealed values, wherever copied, no longer open.
 * Formats: wrapped key = nonce(24) || sealed(key); value = nonce(24) || sealed(value).
 */
#include "common/buf.h"
#include "subject-int.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NONCE crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
#define TAG crypto_aead_xchacha20poly1305_ietf_ABYTES
#define WRAPPED_BYTES (NONCE + HOGO_KEY_BYTES + TAG)

static void master_id(const unsigned char master[HOGO_KEY_BYTES], char out[33])
{
    hogo__master_key_id(master, out);
}

/* ---- the key store ----
 * Subject keys live outside the database, in a SQLite file of their own (the key store,
 * lib/store/keystore.c), so that no database backup, dump or replica holds them: destroying
 * a key there makes every copy of the subject's sealed data unreadable. A new key commits
 * just before the database transaction that depends on it, so it is durable before any value
 * sealed under it; erasure destroys the key only after the database has committed the
 * erasure and its event (a failure in between leaves the erasure recorded with its key
 * present: verify reports it and a repeated erasure finishes it). */

static int keys_open(struct hogo_store *st, struct hogo_error *err)
{
    return hogo__keys_open(st, err);
}

static int kexec(struct hogo_store *st, const char *sql, const struct hogo__val *p, size_t n,
                 struct hogo_error *err)
{
    return st->keys_ops->exec(st->keys, sql, p, n, NULL, err);
}

/* Inside a transaction: refuses a master key other than the one bound to the key store at
 * hogo init, and a store to which none was bound. */
static int check_master(struct hogo_store *st, struct hogo_error *err)
{
    if (!st->has_master)
        return hogo_error_set(err, HOGO_EINVAL, NULL,
                              "no master key: pass --master-key FILE or set HOGO_MASTER_KEY");
    char mine[33], *bound = NULL;
    master_id(st->master_key, mine);
    int rc = hogo__keys_bound_master(st, &bound, err);
    if (rc == 0 && !bound)
        rc = hogo_error_set(err, HOGO_EINVAL, st->key_store,
                            "no master key is bound to this store's key store '%s': run 'hogo "
                            "init' with the master key (HOGO_MASTER_KEY_FILE) to bind it",
                            st->key_store);
    else if (rc == 0 && strcmp(bound, mine) != 0)
        rc = hogo_error_set(err, HOGO_ECRYPTO, NULL,
                            "wrong master key: this store's data is sealed under master key "
                            "%.8s…, the key given is %.8s…; use the key the store was "
                            "initialised with",
                            bound, mine);
    free(bound);
    return rc;
}

static void key_ad(const char *subject_id, unsigned char *ad, size_t *adlen)
{
    static const char tag[] = "hogo-subject-key:";
    size_t l = strlen(subject_id);
    memcpy(ad, tag, sizeof tag - 1);
    memcpy(ad + sizeof tag - 1, subject_id, l);
    *adlen = sizeof tag - 1 + l;
}

static int wrap_key(const unsigned char master[HOGO_KEY_BYTES], const char *subject_id,
                    const unsigned char key[HOGO_KEY_BYTES], unsigned char out[WRAPPED_BYTES])
{
    unsigned char ad[160];
    size_t adlen;
    key_ad(subject_id, ad, &adlen);
    randombytes_buf(out, NONCE);
    crypto_aead_xchacha20poly1305_ietf_encrypt(out + NONCE, NULL, key, HOGO_KEY_BYTES, ad,
                                               adlen, NULL, out, master);
    return 0;
}

static int unwrap_key(const unsigned char master[HOGO_KEY_BYTES], const char *subject_id,
                      const unsigned char *w, size_t wn, unsigned char key[HOGO_KEY_BYTES])
{
    unsigned char ad[160];
    size_t adlen;
    if (wn != WRAPPED_BYTES)
        return HOGO_ECRYPTO;
    key_ad(subject_id, ad, &adlen);
    if (crypto_aead_xchacha20poly1305_ietf_decrypt(key, NULL, NULL, w + NONCE, wn - NONCE, ad,
                                                   adlen, w, master) != 0)
        return HOGO_ECRYPTO;
    return 0;
}

struct blob_out {
    unsigned char *p;
    size_t n;
    char *text; /* optional second column, text */
};

static int take_blob(void *ctx, const struct hogo__val *c, size_t n)
{
    struct blob_out *o = ctx;
    if (n < 1 || c[0].type != HOGO__BLOB)
        return 1;
    o->p = malloc(c[0].n ? c[0].n : 1);
    if (!o->p)
        return HOGO_ENOMEM;
    memcpy(o->p, c[0].b, c[0].n);
    o->n = c[0].n;
    if (n > 1 && c[1].type == HOGO__TEXT && !(o->text = strdup(c[1].s)))
        return HOGO_ENOMEM;
    return 1;
}


/* Inside a transaction: the subject's data key, created when create is set. A key found in
 * the database's legacy subject_keys table (schema 1) is moved to the key store. */
static int subject_key(struct hogo_store *st, const char *subject_id, int create,
                       unsigned char key[HOGO_KEY_BYTES], struct hogo_error *err)
{
    struct blob_out b = {0};
    struct hogo__val p[] = {HV_TEXT(subject_id)};
    int legacy = 0;
    int rc = keys_open(st, err);
    if (rc == 0)
        rc = st->keys_ops->query(st->keys,
                                    "SELECT wrapped FROM subject_keys WHERE subject_id = ?", p, 1,
                                    take_blob, &b, err);
    if (rc == 0 && !b.p) {
        rc = hogo__query(st, "SELECT wrapped FROM subject_keys WHERE subject_id = ?", p, 1,
                         take_blob, &b, err);
        legacy = b.p != NULL;
    }
    if (rc == HOGO_ENOMEM)
        rc = hogo_error_set(err, rc, NULL, "out of memory");
    if (rc < 0)
        goto out;
    if (b.p) {
        if (unwrap_key(st->master_key, subject_id, b.p, b.n, key) < 0) {
            rc = hogo_error_set(err, HOGO_ECRYPTO, NULL,
                                "the data key of subject '%s' does not open with the master "
                                "key: wrong master key or a damaged key row",
                                subject_id);
            goto out;
        }
        if (legacy) {
            char mid[33];
            master_id(st->master_key, mid);
            struct hogo__val q[] = {HV_TEXT(subject_id), HV_BLOB(b.p, b.n), HV_TEXT(mid),
                                    HV_INT(hogo__now_us(st))};
            rc = kexec(st,
                       "INSERT INTO subject_keys (subject_id, wrapped, master_key_id, "
                       "created_at) VALUES (?, ?, ?, ?)",
                       q, 4, err);
            if (rc == 0)
                rc = hogo__exec(st, "DELETE FROM subject_keys WHERE subject_id = ?", p, 1, NULL,
                                err);
        }
        goto out;
    }
    if (!create) {
        rc = hogo_error_set(err, HOGO_ENOTFOUND, NULL,
                            "subject '%s' has no data key (no data stored, or erased)",
                            subject_id);
        goto out;
    }
    unsigned char w[WRAPPED_BYTES];
    char mid[33];
    randombytes_buf(key, HOGO_KEY_BYTES);
    wrap_key(st->master_key, subject_id, key, w);
    master_id(st->master_key, mid);
    struct hogo__val q[] = {HV_TEXT(subject_id), HV_BLOB(w, sizeof w), HV_TEXT(mid),
                            HV_INT(hogo__now_us(st))};
    /* in a key store transaction that commits just before the database's, so the key is
     * durable before anything sealed under it (and a rolled-back put leaves no key) */
    if (!st->keys_txn && st->txn_depth > 0) {
        rc = st->keys_ops->begin(st->keys, err);
        if (rc < 0)
            goto out;
        st->keys_txn = 1;
    }
    rc = kexec(st,
               "INSERT INTO subject_keys (subject_id, wrapped, master_key_id, created_at) "
               "VALUES (?, ?, ?, ?)",
               q, 4, err);
out:
    free(b.p);
    free(b.text);
    return rc;
}

int hogo__key_present(struct hogo_store *st, const char *subject_id, int *present,
                      struct hogo_error *err)
{
    return hogo__keys_present(st, subject_id, present, err);
}

static void value_ad(const char *subject_id, int64_t item_id, const char *category,
                     unsigned char *ad, size_t *adlen)
{
    size_t a = strlen(subject_id), c = strlen(category);
    memcpy(ad, subject_id, a);
    ad[a] = 0;
    for (int i = 0; i < 8; i++)
        ad[a + 1 + i] = (unsigned char)((uint64_t)item_id >> (8 * i));
    memcpy(ad + a + 9, category, c);
    *adlen = a + 9 + c;
}

static int live_subject(struct hogo_store *st, const char *subject_id, struct hogo_error *err)
{
    struct hogo__val p[] = {HV_TEXT(subject_id)};
    int64_t erased = 0;
    int found = 0;
    int rc = hogo__query_int(st,
                             "SELECT COALESCE(erased_at, 0) FROM subjects WHERE subject_id = ?",
                             p, 1, &erased, &found, err);
    if (rc < 0)
        return rc;
    if (!found)
        return hogo_error_set(err, HOGO_ENOTFOUND, NULL,
                              "subject '%s' not found; add it with 'hogo subject add'",
                              subject_id);
    if (erased)
        return hogo_error_set(err, HOGO_EINVAL, NULL,
                              "subject '%s' was erased; no personal data may be stored for it",
                              subject_id);
    return 0;
}

static const char *const channels[] = {"direct", "automatic", "third_party", "public"};

int hogo_data_put(struct hogo_store *st, const char *subject_id, const char *category,
                  const void *value, size_t len, const struct hogo_provenance *prov,
                  int64_t *item_id, struct hogo_error *err)
{
    static const struct hogo_provenance none;
    unsigned char key[HOGO_KEY_BYTES], *sealed = NULL;
    if (!prov)
        prov = &none;
    int rc = hogo__check_id(subject_id, "subject id", err);
    if (rc == 0)
        rc = hogo__check_vocab(st, "data_category", category, err);
    if (rc == 0 && prov->service)
        rc = hogo__check_vocab(st, "service", prov->service, err);
    const char *channel = prov->channel ? prov->channel : "direct";
    int known = 0;
    for (size_t i = 0; i < sizeof channels / sizeof channels[0]; i++)
        known |= !strcmp(channel, channels[i]);
    if (rc == 0 && !known)
        rc = hogo_error_set(err, HOGO_EINVAL, NULL,
                            "acquisition channel '%s' is unknown; use direct, automatic, "
                            "third_party or public",
                            channel);
    if (rc == 0 && !strcmp(channel, "third_party") && !prov->source)
        rc = hogo_error_set(err, HOGO_EINVAL, NULL,
                            "data from a third party needs its source (--source NAME)");
    if (rc == 0 && len > 1024 * 1024)
        rc = hogo_error_set(err, HOGO_ELIMIT, NULL,
                            "value of %zu bytes is over the 1 MiB limit for one item", len);
    if (rc < 0)
        return rc;
    rc = hogo__txn_begin(st, err);
    if (rc < 0)
        return rc;
    int64_t id = 0;
    struct hogo__val p[] = {HV_TEXT(subject_id)};
    rc = live_subject(st, subject_id, err);
    if (rc == 0)
        rc = check_master(st, err);
    if (rc == 0)
        rc = subject_key(st, subject_id, 1, key, err);
    if (rc == 0)
        rc = hogo__query_int(st, "SELECT next_item FROM subjects WHERE subject_id = ?", p, 1,
                             &id, NULL, err);
    if (rc == 0)
        rc = hogo__exec(st, "UPDATE subjects SET next_item = next_item + 1 WHERE subject_id = ?",
                        p, 1, NULL, err);
    size_t sn = NONCE + len + TAG;
    if (rc == 0 && !(sealed = malloc(sn)))
        rc = hogo_error_set(err, HOGO_ENOMEM, NULL, "out of memory");
    if (rc == 0) {
        unsigned char ad[400];
        size_t adlen;
        value_ad(subject_id, id, category, ad, &adlen);
        randombytes_buf(sealed, NONCE);
        crypto_aead_xchacha20poly1305_ietf_encrypt(sealed + NONCE, NULL, value, len, ad, adlen,
                                                   NULL, sealed, key);
        struct hogo__val q[] = {HV_TEXT(subject_id),    HV_INT(id),
                                HV_TEXT(category),      HV_BLOB(sealed, sn),
                                HV_TEXT(channel),       HV_TEXT(prov->source),
                                HV_TEXT(prov->service), HV_TEXT(prov->context),
                                HV_TEXT(prov->policy_version), HV_INT(hogo__now_us(st))};
        rc = hogo__exec(st,
                        "INSERT INTO data_items (subject_id, item_id, category, value, channel, "
                        "source, service, context, policy_version, acquired_at) VALUES (?, ?, "
                        "?, ?, ?, ?, ?, ?, ?, ?)",
                        q, 10, NULL, err);
    }
    if (rc == 0) {
        char obj[128];
        snprintf(obj, sizeof obj, "item:%lld category:%s", (long long)id, category);
        char detail[256];
        snprintf(detail, sizeof detail, "{\"channel\":\"%s\",\"service\":\"%s\"}", channel,
                 prov->service ? prov->service : "");
        rc = hogo__audit_append(st, subject_id, "data.put", obj, detail, err);
    }
    rc = hogo__txn_end(st, rc, err);
    if (rc == 0 && item_id)
        *item_id = id;
    sodium_memzero(key, sizeof key);
    free(sealed);
    return rc;
}

int hogo_data_get(struct hogo_store *st, const char *subject_id, int64_t item_id,
                  unsigned char **value, size_t *len, struct hogo_error *err)
{
    unsigned char key[HOGO_KEY_BYTES];
    struct blob_out b = {0};
    unsigned char *plain = NULL;
    *value = NULL;
    int rc = hogo__check_id(subject_id, "subject id", err);
    if (rc == 0)
        rc = hogo__txn_begin(st, err);
    if (rc < 0)
        return rc;
    rc = check_master(st, err);
    struct hogo__val p[] = {HV_TEXT(subject_id), HV_INT(item_id)};
    if (rc == 0)
        rc = hogo__query(st,
                         "SELECT value, category FROM data_items WHERE subject_id = ? AND "
                         "item_id = ?",
                         p, 2, take_blob, &b, err);
    if (rc == HOGO_ENOMEM)
        rc = hogo_error_set(err, rc, NULL, "out of memory");
    if (rc == 0 && !b.p)
        rc = hogo_error_set(err, HOGO_ENOTFOUND, NULL,
                            "subject '%s' has no data item %lld; see 'hogo data list'",
                            subject_id, (long long)item_id);
    if (rc == 0 && (!b.text || strlen(b.text) > 64))
        rc = hogo_error_set(err, HOGO_ECRYPTO, NULL, "data item %lld is damaged",
                            (long long)item_id);
    if (rc == 0)
        rc = subject_key(st, subject_id, 0, key, err);
    if (rc == 0 && (b.n < NONCE + TAG || !(plain = malloc(b.n - NONCE - TAG + 1))))
        rc = b.n < NONCE + TAG
                 ? hogo_error_set(err, HOGO_ECRYPTO, NULL, "data item %lld is damaged",
                                  (long long)item_id)
                 : hogo_error_set(err, HOGO_ENOMEM, NULL, "out of memory");
    if (rc == 0) {
        unsigned char ad[400];
        size_t adlen;
        unsigned long long plen = 0;
        value_ad(subject_id, item_id, b.text ? b.text : "", ad, &adlen);
        if (crypto_aead_xchacha20poly1305_ietf_decrypt(plain, &plen, NULL, b.p + NONCE,
                                                       b.n - NONCE, ad, adlen, b.p, key) != 0)
            rc = hogo_error_set(err, HOGO_ECRYPTO, NULL,
                                "data item %lld of subject '%s' does not open: it was altered "
                                "or moved",
                                (long long)item_id, subject_id);
        else {
            plain[plen] = '\0';
            *len = (size_t)plen;
        }
    }
    if (rc == 0) {
        char obj[128];
        snprintf(obj, sizeof obj, "item:%lld category:%s", (long long)item_id, b.text);
        rc = hogo__audit_append(st, subject_id, "data.read", obj, NULL, err);
    }
    rc = hogo__txn_end(st, rc, err);
    sodium_memzero(key, sizeof key);
    if (rc == 0)
        *value = plain;
    else
        free(plain);
    free(b.p);
    free(b.text);
    return rc;
}

int hogo_data_list_json(struct hogo_store *st, const char *subject_id, char **json,
                        struct hogo_error *err)
{
    *json = NULL;
    int rc = hogo__check_id(subject_id, "subject id", err);
    if (rc == 0)
        rc = hogo__txn_begin(st, err);
    if (rc < 0)
        return rc;
    yajl_gen g = yajl_gen_alloc(NULL);
    rc = g ? 0 : hogo_error_set(err, HOGO_ENOMEM, NULL, "out of memory");
    int64_t known = 0;
    struct hogo__val p[] = {HV_TEXT(subject_id)};
    if (rc == 0)
        rc = hogo__query_int(st, "SELECT COUNT(*) FROM subjects WHERE subject_id = ?", p, 1,
                             &known, NULL, err);
    if (rc == 0 && !known)
        rc = hogo_error_set(err, HOGO_ENOTFOUND, NULL, "subject '%s' not found", subject_id);
    if (rc == 0)
        rc = hogo__gen_items(st, g, subject_id, err);
    if (rc == 0)
        rc = hogo__audit_append(st, subject_id, "data.list", "items", NULL, err);
    return hogo__gen_end_read(st, g, rc, json, err);
}

int hogo_data_delete(struct hogo_store *st, const char *subject_id, int64_t item_id,
                     struct hogo_error *err)
{
    int rc = hogo__check_id(subject_id, "subject id", err);
    if (rc == 0)
        rc = hogo__txn_begin(st, err);
    if (rc < 0)
        return rc;
    char *cat = NULL;
    struct hogo__val p[] = {HV_TEXT(subject_id), HV_INT(item_id)};
    rc = hogo__query_text(st, "SELECT category FROM data_items WHERE subject_id = ? AND item_id = ?",
                          p, 2, &cat, err);
    if (rc == 0 && !cat)
        rc = hogo_error_set(err, HOGO_ENOTFOUND, NULL,
                            "subject '%s' has no data item %lld; see 'hogo data list'",
                            subject_id, (long long)item_id);
    if (rc == 0)
        rc = hogo__exec(st, "DELETE FROM data_items WHERE subject_id = ? AND item_id = ?", p, 2,
                        NULL, err);
    if (rc == 0) {
        char obj[128];
        snprintf(obj, sizeof obj, "item:%lld category:%s", (long long)item_id, cat);
        rc = hogo__audit_append(st, subject_id, "data.delete", obj, NULL, err);
    }
    free(cat);
    return hogo__txn_end(st, rc, err);
}

/* ---- rotation ---- */

struct wrapped_row {
    char *subject_id;
    unsigned char w[WRAPPED_BYTES];
    int ok;
};

struct wrapped_list {
    struct wrapped_row *rows;
    size_t n, cap;
};

static int take_wrapped(void *ctx, const struct hogo__val *c, size_t n)
{
    struct wrapped_list *l = ctx;
    if (n < 2 || c[0].type != HOGO__TEXT)
        return 0;
    if (HOGO__GROW(l->rows, l->cap, l->n + 1, 64) < 0)
        return HOGO_ENOMEM;
    struct wrapped_row *r = &l->rows[l->n];
    r->subject_id = strdup(c[0].s);
    if (!r->subject_id)
        return HOGO_ENOMEM;
    r->ok = c[1].type == HOGO__BLOB && c[1].n == WRAPPED_BYTES;
    if (r->ok)
        memcpy(r->w, c[1].b, WRAPPED_BYTES);
    l->n++;
    return 0;
}

/* Opens a wrapped key of the list under the current master key and wraps it under new_master
 * into w; fails when it does not open. */
static int rewrap_row(const struct hogo_store *st, const unsigned char new_master[HOGO_KEY_BYTES],
                      const struct wrapped_row *r, unsigned char w[WRAPPED_BYTES],
                      struct hogo_error *err)
{
    unsigned char key[HOGO_KEY_BYTES];
    if (!r->ok || unwrap_key(st->master_key, r->subject_id, r->w, WRAPPED_BYTES, key))
        return hogo_error_set(err, HOGO_ECRYPTO, NULL,
                              "the data key of subject '%s' does not open with the current "
                              "master key; nothing was rotated",
                              r->subject_id);
    wrap_key(new_master, r->subject_id, key, w);
    sodium_memzero(key, sizeof key);
    return 0;
}

/* Re-wraps every key of the key store under new_master in a key store transaction left open
 * for the caller to commit (rolled back on failure). */
static int rotate_key_store(struct hogo_store *st, const unsigned char new_master[HOGO_KEY_BYTES],
                            const char *mid, size_t *count, struct hogo_error *err)
{
    struct wrapped_list l = {0};
    int rc = st->keys_ops->begin(st->keys, err);
    if (rc < 0)
        return rc;
    rc = st->keys_ops->query(st->keys,
                                "SELECT subject_id, wrapped FROM subject_keys ORDER BY subject_id",
                                NULL, 0, take_wrapped, &l, err);
    if (rc == HOGO_ENOMEM)
        rc = hogo_error_set(err, rc, NULL, "out of memory");
    for (size_t i = 0; i < l.n && rc == 0; i++) {
        unsigned char w[WRAPPED_BYTES];
        if ((rc = rewrap_row(st, new_master, &l.rows[i], w, err)) < 0)
            break;
        struct hogo__val p[] = {HV_BLOB(w, sizeof w), HV_TEXT(mid),
                                HV_TEXT(l.rows[i].subject_id)};
        rc = kexec(st, "UPDATE subject_keys SET wrapped = ?, master_key_id = ? WHERE subject_id = ?",
                   p, 3, err);
    }
    struct hogo__val m[] = {HV_TEXT(mid)};
    if (rc == 0)
        rc = kexec(st,
                   "INSERT INTO key_meta (key, value) VALUES ('master_key_id', ?) ON CONFLICT "
                   "(key) DO UPDATE SET value = excluded.value",
                   m, 1, err);
    if (rc < 0) {
        struct hogo_error ignored;
        st->keys_ops->rollback(st->keys, &ignored);
    }
    *count = l.n;
    for (size_t i = 0; i < l.n; i++)
        free(l.rows[i].subject_id);
    free(l.rows);
    return rc;
}

int hogo_key_rotate(struct hogo_store *st, const unsigned char new_master[HOGO_KEY_BYTES],
                    int64_t *rewrapped, struct hogo_error *err)
{
    size_t in_store = 0;
    struct wrapped_list l = {0};
    int rc = hogo__txn_begin(st, err);
    if (rc < 0)
        return rc;
    rc = check_master(st, err);
    if (rc == 0)
        rc = hogo__query(st, "SELECT subject_id, wrapped FROM subject_keys ORDER BY subject_id",
                         NULL, 0, take_wrapped, &l, err);
    if (rc == HOGO_ENOMEM)
        rc = hogo_error_set(err, rc, NULL, "out of memory");
    char mid[33];
    master_id(new_master, mid);
    for (size_t i = 0; i < l.n && rc == 0; i++) {
        unsigned char w[WRAPPED_BYTES];
        if ((rc = rewrap_row(st, new_master, &l.rows[i], w, err)) < 0)
            break;
        struct hogo__val p[] = {HV_BLOB(w, sizeof w), HV_TEXT(mid),
                                HV_TEXT(l.rows[i].subject_id)};
        rc = hogo__exec(st,
                        "UPDATE subject_keys SET wrapped = ?, master_key_id = ? WHERE "
                        "subject_id = ?",
                        p, 3, NULL, err);
    }
    struct hogo__val m[] = {HV_TEXT(mid)};
    if (rc == 0)
        rc = hogo__exec(st, "UPDATE hogo_meta SET value = ? WHERE key = 'master_key_id'", m, 1,
                        NULL, err);
    /* the key store commits last before the database; if the database commit then fails
     * the key store is put back under the old key (after a crash in that window,
     * check_master trusts the key store) */
    int kopen = 0, kcommitted = 0;
    if (rc == 0) {
        rc = rotate_key_store(st, new_master, mid, &in_store, err);
        kopen = rc == 0;
    }
    if (rc == 0) {
        char detail[96];
        snprintf(detail, sizeof detail, "{\"rewrapped\":%zu,\"new_key_id\":\"%.8s\"}",
                 l.n + in_store, mid);
        rc = hogo__audit_append(st, NULL, "key.rotate", "subject_keys", detail, err);
    }
    if (kopen && rc == 0) {
        rc = st->keys_ops->commit(st->keys, err);
        kcommitted = rc == 0;
    } else if (kopen) {
        struct hogo_error ignored;
        st->keys_ops->rollback(st->keys, &ignored);
    }
    rc = hogo__txn_end(st, rc, err);
    if (rc < 0 && kcommitted) {
        unsigned char old[HOGO_KEY_BYTES];
        char oldmid[33];
        size_t back = 0;
        struct hogo_error ignored;
        memcpy(old, st->master_key, HOGO_KEY_BYTES);
        master_id(old, oldmid);
        memcpy(st->master_key, new_master, HOGO_KEY_BYTES);
        if (rotate_key_store(st, old, oldmid, &back, &ignored) == 0)
            st->keys_ops->commit(st->keys, &ignored);
        memcpy(st->master_key, old, HOGO_KEY_BYTES);
        sodium_memzero(old, sizeof old);
    }
    if (rc == 0) {
        memcpy(st->master_key, new_master, HOGO_KEY_BYTES);
        if (rewrapped)
            *rewrapped = (int64_t)(l.n + in_store);
    }
    for (size_t i = 0; i < l.n; i++)
        free(l.rows[i].subject_id);
    free(l.rows);
    return rc;
}

/* ---- disclosure (APPI Art. 33): every item opened ---- */

struct open_ctx {
    struct hogo_store *st;
    const char *subject_id;
    const unsigned char *key; /* the subject key; NULL when it has none */
    yajl_gen g;
    int64_t n;                /* items written */
    struct read_item {
        int64_t id;
        char category[65];
    } *read;                  /* owned: the items read, for their audit events */
    size_t read_cap;          /* elements allocated for read */
    struct hogo_error *err;
};

static int row_item_open(void *ctx, const struct hogo__val *c, size_t n)
{
    struct open_ctx *x = ctx;
    yajl_gen g = x->g;
    if (n < 9 || c[0].type != HOGO__INT || c[1].type != HOGO__TEXT || c[8].type != HOGO__BLOB)
        return hogo_error_set(x->err, HOGO_ECRYPTO, NULL, "a data item of subject '%s' is "
                              "damaged", x->subject_id);
    if (!x->key)
        return hogo_error_set(x->err, HOGO_ENOTFOUND, NULL,
                              "subject '%s' has data items but no data key (erased or the key "
                              "store is not the one the data was sealed with)",
                              x->subject_id);
    if (c[8].n < NONCE + TAG || c[1].n > 64)
        return hogo_error_set(x->err, HOGO_ECRYPTO, NULL, "data item %lld is damaged",
                              (long long)c[0].i);
    unsigned char stackbuf[1024], *plain = stackbuf, ad[400];
    size_t adlen, need = c[8].n - NONCE - TAG + 1;
    unsigned long long plen = 0;
    if (need > sizeof stackbuf && !(plain = malloc(need)))
        return hogo_error_set(x->err, HOGO_ENOMEM, NULL, "out of memory");
    value_ad(x->subject_id, c[0].i, c[1].s, ad, &adlen);
    const unsigned char *b = c[8].b;
    if (crypto_aead_xchacha20poly1305_ietf_decrypt(plain, &plen, NULL, b + NONCE,
                                                   c[8].n - NONCE, ad, adlen, b,
                                                   x->key) != 0) {
        if (plain != stackbuf)
            free(plain);
        return hogo_error_set(x->err, HOGO_ECRYPTO, NULL,
                              "data item %lld of subject '%s' does not open: it was altered "
                              "or moved",
                              (long long)c[0].i, x->subject_id);
    }
    yajl_gen_map_open(g);
    hogo__gen_kv_int(g, "item_id", c[0].i);
    hogo__gen_kv_str(g, "category", c[1].s);
    /* text values as they are; other bytes in base64 */
    hogo__gen_str(g, "value");
    if (yajl_gen_string(g, plain, (size_t)plen) == yajl_gen_invalid_string) {
        size_t bl = sodium_base64_ENCODED_LEN(plen, sodium_base64_VARIANT_ORIGINAL);
        char *b64 = malloc(bl);
        if (b64)
            sodium_bin2base64(b64, bl, plain, (size_t)plen, sodium_base64_VARIANT_ORIGINAL);
        yajl_gen_null(g);
        hogo__gen_kv_str(g, "value_base64", b64);
        free(b64);
    }
    sodium_memzero(plain, (size_t)plen);
    if (plain != stackbuf)
        free(plain);
    hogo__gen_provenance(g, c);
    yajl_gen_map_close(g);
    if (HOGO__GROW(x->read, x->read_cap, (size_t)x->n + 1, 16) < 0)
        return hogo_error_set(x->err, HOGO_ENOMEM, NULL, "out of memory");
    x->read[x->n].id = c[0].i;
    snprintf(x->read[x->n].category, sizeof x->read[x->n].category, "%s", c[1].s);
    x->n++;
    return 0;
}

int hogo__gen_items_opened(struct hogo_store *st, yajl_gen g, const char *subject_id,
                           int64_t *n_items, struct hogo_error *err)
{
    unsigned char key[HOGO_KEY_BYTES];
    struct hogo__val p[] = {HV_TEXT(subject_id)};
    struct open_ctx x = {.st = st, .subject_id = subject_id, .g = g, .err = err};
    int64_t count = 0;
    int rc = hogo__query_int(st, "SELECT COUNT(*) FROM data_items WHERE subject_id = ?", p, 1,
                             &count, NULL, err);
    if (rc == 0 && count > 0) {
        rc = check_master(st, err);
        if (rc == 0)
            rc = subject_key(st, subject_id, 0, key, err);
        if (rc == 0)
            x.key = key;
    }
    yajl_gen_config(g, yajl_gen_validate_utf8, 1);
    yajl_gen_array_open(g);
    if (rc == 0 && count > 0)
        rc = hogo__query(st,
                         "SELECT item_id, category, channel, source, service, context, "
                         "policy_version, acquired_at, value FROM data_items WHERE "
                         "subject_id = ? ORDER BY item_id",
                         p, 1, row_item_open, &x, err);
    yajl_gen_array_close(g);
    yajl_gen_config(g, yajl_gen_validate_utf8, 0);
    /* each value read is an audit event (ids and categories only) */
    for (int64_t i = 0; rc == 0 && i < x.n; i++) {
        char obj[160];
        snprintf(obj, sizeof obj, "item:%lld category:%s", (long long)x.read[i].id,
                 x.read[i].category);
        rc = hogo__audit_append(st, subject_id, "data.read", obj, "{\"for\":\"disclosure\"}",
                                err);
    }
    free(x.read);
    sodium_memzero(key, sizeof key);
    if (n_items)
        *n_items = x.n;
    return rc;
}

int hogo__gen_items_opened_page(struct hogo_store *st, yajl_gen g, const char *subject_id,
                                int64_t after, int limit, int64_t *last, int64_t *n_items,
                                struct hogo_error *err)
{
    unsigned char key[HOGO_KEY_BYTES];
    struct hogo__val p[] = {HV_TEXT(subject_id), HV_INT(after), HV_INT(limit)};
    struct open_ctx x = {.st = st, .subject_id = subject_id, .g = g, .err = err};
    int rc = check_master(st, err);
    if (rc == 0)
        rc = subject_key(st, subject_id, 0, key, err);
    if (rc == 0)
        x.key = key;
    yajl_gen_config(g, yajl_gen_validate_utf8, 1);
    if (rc == 0)
        rc = hogo__query(st,
                         "SELECT item_id, category, channel, source, service, context, "
                         "policy_version, acquired_at, value FROM data_items WHERE "
                         "subject_id = ? AND item_id > ? ORDER BY item_id LIMIT ?",
                         p, 3, row_item_open, &x, err);
    yajl_gen_config(g, yajl_gen_validate_utf8, 0);
    if (rc == 0 && x.n) { /* one event for the page: the items read, by id range */
        char obj[160], detail[96];
        snprintf(obj, sizeof obj, "items:%lld-%lld", (long long)x.read[0].id,
                 (long long)x.read[x.n - 1].id);
        snprintf(detail, sizeof detail, "{\"for\":\"disclosure\",\"items\":%lld}",
                 (long long)x.n);
        rc = hogo__audit_append(st, subject_id, "data.read", obj, detail, err);
    }
    *last = x.n ? x.read[x.n - 1].id : after;
    *n_items = x.n;
    free(x.read);
    sodium_memzero(key, sizeof key);
    return rc;
}
