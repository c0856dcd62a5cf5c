/*
 * Signing in to hogod's web pages with a sign-in token (hogo/signin.h): the token is checked
 * against hogod's public key (--signin-key), its id spent (a token is good once; spent ids are
 * kept until the token's expiry), and the person's session started. The routes
 * GET /center/signin, GET /console/signin and POST /center|console/signout.
 * Daemon layer (web foundation).
 */
#include "web_int.h"

#include <sodium.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define JTI_MAX 200000

struct jti {
    char id[64];
    int64_t exp;
};

struct web_jtis {
    pthread_mutex_t lock;
    struct jti *items;
    size_t n, cap;
};

int web_jtis_new(struct web_jtis **out)
{
    struct web_jtis *j = calloc(1, sizeof *j);
    if (!j)
        return HOGO_ENOMEM;
    pthread_mutex_init(&j->lock, NULL);
    *out = j;
    return 0;
}

void web_jtis_free(struct web_jtis *j)
{
    if (!j)
        return;
    pthread_mutex_destroy(&j->lock);
    free(j->items);
    free(j);
}

int web_jtis_spend(struct web_jtis *j, const char *id, int64_t exp, int64_t now)
{
    pthread_mutex_lock(&j->lock);
    int rc = 0;
    size_t keep = 0;
    for (size_t i = 0; i < j->n; i++) {
        if (j->items[i].exp < now)
            continue; /* expired: its token is refused for its expiry anyway */
        if (!strcmp(j->items[i].id, id))
            rc = HOGO_EBUSY;
        j->items[keep++] = j->items[i];
    }
    j->n = keep;
    if (!rc) {
        if (j->n == JTI_MAX) {
            rc = HOGO_ELIMIT; /* refuse rather than forget a spent id too early */
        } else {
            if (j->n == j->cap) {
                size_t cap = j->cap ? j->cap * 2 : 256;
                struct jti *it = realloc(j->items, cap * sizeof *it);
                if (!it) {
                    pthread_mutex_unlock(&j->lock);
                    return HOGO_ENOMEM;
                }
                j->items = it;
                j->cap = cap;
            }
            snprintf(j->items[j->n].id, sizeof j->items[j->n].id, "%s", id);
            j->items[j->n].exp = exp;
            j->n++;
        }
    }
    pthread_mutex_unlock(&j->lock);
    return rc;
}

int web_signin_check(struct hogod_exchange *x, const char *token, const char *kind,
                     struct hogo_signin_claims *claims)
{
    struct web_state *w = x->d->web;
    if (!w->has_signin_key) {
        web_error_page(x, 503, web_t(x, "signin.no_key"));
        return -1;
    }
    if (!token || !*token) {
        web_error_page(x, 400, web_t(x, "signin.no_token"));
        return -1;
    }
    struct hogo_error err = {0};
    int64_t now = web_now();
    int rc = hogo_signin_check(w->signin_pk, token, kind, now, claims, &err);
    if (rc) {
        const char *key = rc == HOGO_ELIMIT ? "signin.expired"
                          : strstr(err.message, "this sign-in token is for") ? "signin.wrong_kind"
                                                                              : "signin.bad_token";
        web_error_page(x, 403, web_t(x, key));
        return -1;
    }
    rc = web_jtis_spend(w->jtis, claims->jti, claims->exp, now);
    if (rc) {
        web_error_page(x, rc == HOGO_EBUSY ? 403 : 503,
                       web_t(x, rc == HOGO_EBUSY ? "signin.used" : "error.busy"));
        return -1;
    }
    return 0;
}

struct person_check {
    const char *subject;
    char *json;
};

static int subject_show(struct hogo_store *st, void *ctx, struct hogo_error *err)
{
    struct person_check *p = ctx;
    return hogo_subject_show_json(st, p->subject, &p->json, err);
}

/* True when subject is a person of operator_id in the store. */
static bool person_of(struct hogod_exchange *x, const char *subject, const char *operator_id)
{
    struct person_check p = {.subject = subject};
    struct hogo_error err = {0};
    if (hogod_store_run(x, subject_show, &p, &err))
        return false;
    yajl_val v = yajl_tree_parse(p.json, NULL, 0);
    free(p.json);
    const char *path[] = {"operator", NULL};
    bool ok = v && !strcmp(hogod_str(yajl_tree_get(v, path, yajl_t_string)), operator_id);
    yajl_tree_free(v);
    return ok;
}

void web_route_center_signin(struct hogod_exchange *x)
{
    struct hogo_signin_claims c;
    if (web_signin_check(x, hogod_query(x, "token"), "person", &c))
        return;
    if (!person_of(x, c.subject, c.operator_id)) {
        web_error_page(x, 403, web_t(x, "signin.unknown"));
        return;
    }
    struct web_session s = {.kind = WEB_PERSON};
    snprintf(s.operator_id, sizeof s.operator_id, "%s", c.operator_id);
    snprintf(s.subject_id, sizeof s.subject_id, "%s", c.subject);
    web_sign_in(x, &s, "/center/");
    sodium_memzero(&c, sizeof c);
}

void web_route_console_signin_token(struct hogod_exchange *x)
{
    /* officer accounts (hogo/officer.h) decide who may enter; until they are part of hogod
       an officer token cannot be honoured */
    web_error_page(x, 503, web_t(x, "signin.no_officers"));
}

void web_route_signout(struct hogod_exchange *x)
{
    const struct web_session *s = web_session(x);
    web_sign_out(x, s && s->kind == WEB_OFFICER ? "/console/signin" : "/center/signed-out");
}
