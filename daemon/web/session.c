/*
 * Server-side sessions of hogod's web pages: a table in memory keyed by the BLAKE2b hash of a
 * 256-bit random id (the id itself lives only in the browser's cookie), ending after
 * WEB_SESSION_IDLE_SECONDS unused or WEB_SESSION_MAX_SECONDS after sign-in; each holds its
 * CSRF token, language and one flash message. Also the constant-time token comparison, the
 * cookie attributes and the Origin check. Daemon layer (web foundation).
 */
#include "web.h"

#include <sodium.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define BUCKETS 4096

struct entry {
    unsigned char hash[crypto_generichash_BYTES];
    struct web_session s;
    char flash[512];
    struct entry *next;
};

struct web_sessions {
    pthread_mutex_t lock;
    struct entry *buckets[BUCKETS];
    size_t count;
};

int web_sessions_new(struct web_sessions **out)
{
    if (sodium_init() < 0)
        return HOGO_EIO;
    struct web_sessions *t = calloc(1, sizeof *t);
    if (!t)
        return HOGO_ENOMEM;
    pthread_mutex_init(&t->lock, NULL);
    *out = t;
    return 0;
}

void web_sessions_free(struct web_sessions *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < BUCKETS; i++)
        for (struct entry *e = t->buckets[i], *n; e; e = n) {
            n = e->next;
            sodium_memzero(e, sizeof *e);
            free(e);
        }
    pthread_mutex_destroy(&t->lock);
    free(t);
}

/* A fresh random token: 32 bytes, base64url without padding. */
static void random_token(char out[WEB_TOKEN_CHARS + 1])
{
    unsigned char raw[32];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2base64(out, WEB_TOKEN_CHARS + 1, raw, sizeof raw,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(raw, sizeof raw);
}

static void hash_id(const char *id, unsigned char hash[crypto_generichash_BYTES])
{
    crypto_generichash(hash, crypto_generichash_BYTES, (const unsigned char *)id, strlen(id),
                       NULL, 0);
}

static size_t bucket_of(const unsigned char *hash)
{
    return ((size_t)hash[0] | (size_t)hash[1] << 8) % BUCKETS;
}

/* The entry of id (lock held); *prev gets the link pointing at it. */
static struct entry *lookup(struct web_sessions *t, const char *id, struct entry ***prev)
{
    if (!id || strlen(id) != WEB_TOKEN_CHARS)
        return NULL;
    unsigned char hash[crypto_generichash_BYTES];
    hash_id(id, hash);
    struct entry **link = &t->buckets[bucket_of(hash)];
    for (; *link; link = &(*link)->next)
        if (!sodium_memcmp((*link)->hash, hash, sizeof hash)) {
            if (prev)
                *prev = link;
            return *link;
        }
    return NULL;
}

static bool expired(const struct entry *e, int64_t now)
{
    return now - e->s.last_seen >= WEB_SESSION_IDLE_SECONDS ||
           now - e->s.created >= WEB_SESSION_MAX_SECONDS;
}

static void unlink_free(struct web_sessions *t, struct entry **link)
{
    struct entry *e = *link;
    *link = e->next;
    sodium_memzero(e, sizeof *e);
    free(e);
    t->count--;
}

/* Drops every expired session, and when the table is full the oldest (lock held). */
static void sweep(struct web_sessions *t, int64_t now)
{
    struct entry **oldest = NULL;
    for (size_t i = 0; i < BUCKETS; i++)
        for (struct entry **link = &t->buckets[i]; *link;) {
            if (expired(*link, now)) {
                unlink_free(t, link);
                continue;
            }
            if (!oldest || (*link)->s.last_seen < (*oldest)->s.last_seen)
                oldest = link;
            link = &(*link)->next;
        }
    if (t->count >= WEB_SESSIONS_MAX && oldest)
        unlink_free(t, oldest);
}

int web_sessions_create(struct web_sessions *t, struct web_session *s, int64_t now,
                        char id[WEB_TOKEN_CHARS + 1])
{
    struct entry *e = calloc(1, sizeof *e);
    if (!e)
        return HOGO_ENOMEM;
    random_token(id);
    random_token(s->csrf);
    s->created = s->last_seen = now;
    if (strcmp(s->lang, "en"))
        snprintf(s->lang, sizeof s->lang, "ja");
    hash_id(id, e->hash);
    e->s = *s;
    pthread_mutex_lock(&t->lock);
    if (t->count >= WEB_SESSIONS_MAX || (t->count && t->count % 1024 == 0))
        sweep(t, now);
    size_t b = bucket_of(e->hash);
    e->next = t->buckets[b];
    t->buckets[b] = e;
    t->count++;
    pthread_mutex_unlock(&t->lock);
    return 0;
}

int web_sessions_find(struct web_sessions *t, const char *id, int64_t now,
                      struct web_session *out)
{
    pthread_mutex_lock(&t->lock);
    struct entry **link = NULL;
    struct entry *e = lookup(t, id, &link);
    int rc = HOGO_ENOTFOUND;
    if (e && expired(e, now)) {
        unlink_free(t, link);
    } else if (e) {
        e->s.last_seen = now;
        *out = e->s;
        rc = 0;
    }
    pthread_mutex_unlock(&t->lock);
    return rc;
}

int web_sessions_delete(struct web_sessions *t, const char *id)
{
    pthread_mutex_lock(&t->lock);
    struct entry **link = NULL;
    int rc = lookup(t, id, &link) ? 0 : HOGO_ENOTFOUND;
    if (!rc)
        unlink_free(t, link);
    pthread_mutex_unlock(&t->lock);
    return rc;
}

int web_sessions_set_lang(struct web_sessions *t, const char *id, const char *lang)
{
    pthread_mutex_lock(&t->lock);
    struct entry *e = lookup(t, id, NULL);
    if (e)
        snprintf(e->s.lang, sizeof e->s.lang, "%s", strcmp(lang, "en") ? "ja" : "en");
    pthread_mutex_unlock(&t->lock);
    return e ? 0 : HOGO_ENOTFOUND;
}

int web_sessions_set_flash(struct web_sessions *t, const char *id, const char *flash)
{
    pthread_mutex_lock(&t->lock);
    struct entry *e = lookup(t, id, NULL);
    if (e)
        snprintf(e->flash, sizeof e->flash, "%s", flash ? flash : "");
    pthread_mutex_unlock(&t->lock);
    return e ? 0 : HOGO_ENOTFOUND;
}

void web_sessions_take_flash(struct web_sessions *t, const char *id, char *buf, size_t size)
{
    buf[0] = '\0';
    pthread_mutex_lock(&t->lock);
    struct entry *e = lookup(t, id, NULL);
    if (e) {
        snprintf(buf, size, "%s", e->flash);
        e->flash[0] = '\0';
    }
    pthread_mutex_unlock(&t->lock);
}

size_t web_sessions_count(struct web_sessions *t)
{
    pthread_mutex_lock(&t->lock);
    size_t n = t->count;
    pthread_mutex_unlock(&t->lock);
    return n;
}

bool web_csrf_equal(const char *expected, const char *given)
{
    if (!expected || !given || !*expected)
        return false;
    size_t n = strlen(expected);
    if (strlen(given) != n)
        return false;
    return sodium_memcmp(expected, given, n) == 0;
}

void web_cookie_format(char *out, size_t size, const char *name, const char *value,
                       const char *path, long max_age, bool secure)
{
    snprintf(out, size, "%s=%s; Path=%s; Max-Age=%ld; HttpOnly; SameSite=Strict%s", name,
             max_age > 0 ? value : "", path, max_age > 0 ? max_age : 0L,
             secure ? "; Secure" : "");
}

bool web_origin_ok(const char *origin, const char *host, bool tls)
{
    if (!origin)
        return true; /* no Origin header (not a browser's cross-site POST); csrf still holds */
    if (!host || !*host)
        return false;
    const char *scheme = tls ? "https://" : "http://";
    size_t sl = strlen(scheme);
    if (strncasecmp(origin, scheme, sl))
        return false;
    return !strcasecmp(origin + sl, host);
}

enum web_role web_role_parse(const char *name)
{
    if (!name)
        return WEB_ROLE_NONE;
    if (!strcmp(name, "viewer"))
        return WEB_ROLE_VIEWER;
    if (!strcmp(name, "handler"))
        return WEB_ROLE_HANDLER;
    if (!strcmp(name, "admin"))
        return WEB_ROLE_ADMIN;
    return WEB_ROLE_NONE;
}

const char *web_role_name(enum web_role role)
{
    switch (role) {
    case WEB_ROLE_VIEWER: return "viewer";
    case WEB_ROLE_HANDLER: return "handler";
    case WEB_ROLE_ADMIN: return "admin";
    default: return "none";
    }
}
