/*
 * Keys, scopes and rate limits for hogod: the Bearer key of a request is looked up in the
 * store (hogo/apikey.h) and the answer kept for key-cache-seconds, so that a busy key costs
 * no store read per request; a revoked or expired key, a key without the route's scope, and
 * a key over its rate (token bucket: rate-limit per second, rate-burst at once) are refused.
 * Daemon layer.
 */
#include "hogod.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SLOTS 4096

struct entry {
    char key[HOGO_APIKEY_CHARS + 1]; /* "" = free slot */
    struct hogo_apikey info;
    int64_t fetched_ns;
    double tokens;
    int64_t refilled_ns;
};

struct hogod_keys {
    pthread_mutex_t lock;
    struct entry slots[SLOTS];
    int used;
};

int hogod_keys_new(struct hogod_keys **out)
{
    struct hogod_keys *k = calloc(1, sizeof *k);
    if (!k)
        return HOGO_ENOMEM;
    pthread_mutex_init(&k->lock, NULL);
    *out = k;
    return 0;
}

void hogod_keys_free(struct hogod_keys *k)
{
    if (!k)
        return;
    pthread_mutex_destroy(&k->lock);
    memset(k->slots, 0, sizeof k->slots);
    free(k);
}

static int64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int64_t wall_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static size_t slot_of(const char *key)
{
    size_t h = 1469598103934665603u;
    for (const char *p = key; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211u;
    return h % SLOTS;
}

/* The cached entry of key (lock held), or NULL. */
static struct entry *find(struct hogod_keys *k, const char *key)
{
    for (size_t i = slot_of(key), n = 0; n < SLOTS; i = (i + 1) % SLOTS, n++) {
        if (!k->slots[i].key[0])
            return NULL;
        if (!strcmp(k->slots[i].key, key))
            return &k->slots[i];
    }
    return NULL;
}

static struct entry *insert(struct hogod_keys *k, const char *key)
{
    if (k->used >= SLOTS * 3 / 4) {
        memset(k->slots, 0, sizeof k->slots);
        k->used = 0;
    }
    size_t i = slot_of(key);
    while (k->slots[i].key[0])
        i = (i + 1) % SLOTS;
    k->used++;
    snprintf(k->slots[i].key, sizeof k->slots[i].key, "%s", key);
    return &k->slots[i];
}

struct lookup {
    const char *key;
    struct hogo_apikey info;
};

static int lookup_fn(struct hogo_store *st, void *ctx, struct hogo_error *err)
{
    struct lookup *l = ctx;
    return hogo_apikey_lookup(st, l->key, &l->info, err);
}

int hogod_authorize(struct hogod_exchange *x, const char *authorization)
{
    struct hogod *d = x->d;
    if (!authorization || !*authorization) {
        hogod_problem(x, 401, NULL,
                      "%s needs an API key: send 'Authorization: Bearer KEY' (keys come from "
                      "'hogo apikey create')",
                      x->route->path);
        return -1;
    }
    if (strncasecmp(authorization, "Bearer ", 7)) {
        hogod_problem(x, 401, NULL,
                      "the Authorization header must be 'Bearer KEY'; other schemes are not "
                      "accepted");
        return -1;
    }
    const char *key = authorization + 7;
    while (*key == ' ')
        key++;
    if (strlen(key) != HOGO_APIKEY_CHARS) {
        hogod_problem(x, 401, NULL,
                      "malformed API key: a key is 'hogo_' and 43 base64url characters, as "
                      "'hogo apikey create' printed it");
        return -1;
    }
    int64_t now = mono_ns();
    int64_t ttl = (int64_t)d->cfg->key_cache_seconds * 1000000000;
    struct hogod_keys *k = d->keys;
    pthread_mutex_lock(&k->lock);
    struct entry *e = find(k, key);
    bool fresh = e && now - e->fetched_ns < ttl;
    if (fresh)
        x->key = e->info;
    pthread_mutex_unlock(&k->lock);
    if (!fresh) {
        struct lookup l = {.key = key};
        struct hogo_error err = {0};
        int rc = hogod_store_run(x, lookup_fn, &l, &err);
        if (rc == HOGO_EINVAL || rc == HOGO_ENOTFOUND) {
            hogod_problem(x, 401, NULL, "%s", rc == HOGO_EINVAL
                                                  ? "malformed API key: a key is 'hogo_' and "
                                                    "43 base64url characters"
                                                  : "unknown API key; create one with 'hogo "
                                                    "apikey create'");
            return -1;
        }
        if (rc) {
            hogod_problem_from(x, rc, &err);
            return -1;
        }
        x->key = l.info;
        pthread_mutex_lock(&k->lock);
        e = find(k, key);
        if (!e) {
            e = insert(k, key);
            e->tokens = (double)(d->cfg->rate_burst ? d->cfg->rate_burst : d->cfg->rate_limit);
            e->refilled_ns = now;
        }
        e->info = l.info;
        e->fetched_ns = now;
        pthread_mutex_unlock(&k->lock);
    }
    if (!hogo_apikey_usable(&x->key, wall_us())) {
        hogod_problem(x, 401, NULL, "API key %s is %s; ask for a new key ('hogo apikey create')",
                      x->key.key_id, x->key.revoked_at ? "revoked" : "expired");
        return -1;
    }
    x->has_key = true;
    if (!hogo_apikey_has_scope(&x->key, x->route->scope)) {
        hogod_problem(x, 403, NULL,
                      "API key %s lacks the scope '%s' that %s %s needs; create a key with "
                      "--scopes %s",
                      x->key.key_id, x->route->scope, x->route->method, x->route->path,
                      x->route->scope);
        return -1;
    }
    long rate = d->cfg->rate_limit;
    if (rate > 0) {
        double burst = (double)(d->cfg->rate_burst ? d->cfg->rate_burst : rate);
        bool ok;
        double wait_s = 0;
        pthread_mutex_lock(&k->lock);
        e = find(k, key);
        if (!e) {
            ok = true; /* the cache was just emptied: let this one through */
        } else {
            e->tokens += (double)(now - e->refilled_ns) / 1e9 * (double)rate;
            if (e->tokens > burst)
                e->tokens = burst;
            e->refilled_ns = now;
            ok = e->tokens >= 1.0;
            if (ok)
                e->tokens -= 1.0;
            else
                wait_s = (1.0 - e->tokens) / (double)rate;
        }
        pthread_mutex_unlock(&k->lock);
        if (!ok) {
            long secs = (long)wait_s + 1;
            snprintf(x->retry_after, sizeof x->retry_after, "%ld", secs);
            hogod_problem(x, 429, NULL,
                          "API key %s is over its rate of %ld requests a second; retry after "
                          "%ld s",
                          x->key.key_id, rate, secs);
            return -1;
        }
    }
    return 0;
}
