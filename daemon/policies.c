/*
 * The set of policies hogod serves: loaded at start, replaced whole on SIGHUP (a reload that
 * fails leaves the old set serving), shared by the worker threads through a reference count.
 * Versions in force before the current one (<id>@<version>.yaml) are loaded on first use.
 * Each policy's list of external transmissions (transmissions/<id>.yaml), when it has one, is
 * loaded and replaced with it. Daemon layer.
 */
#include "hogod.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>


static void set_free(struct hogod_policies *p)
{
    for (int i = 0; i < p->nolder; i++)
        hogo_policy_free(p->older[i]);
    for (int i = 0; i < p->n; i++) {
        hogo_transmissions_free(p->transmissions[i]);
        hogo_policy_free(p->current[i]);
    }
    hogo_vocab_free(p->vocab); /* after the policies that borrow it */
    pthread_mutex_destroy(&p->lock);
    free(p);
}

int hogod_policies_load(const struct hogod_config *c, struct hogod_policies **out,
                        struct hogo_error *err)
{
    *out = NULL;
    struct hogod_policies *p = calloc(1, sizeof *p);
    if (!p)
        return hogo_error_set(err, HOGO_ENOMEM, NULL, "out of memory");
    pthread_mutex_init(&p->lock, NULL);
    atomic_init(&p->refs, 1);
    /* without a list of policies: every policy the vocabulary names */
    const char *named[HOGOD_MAX_POLICIES];
    int n = c->npolicies;
    int rc = 0;
    if (!n) {
        char vfile[4200];
        hogo_vocab_default_file(vfile, sizeof vfile);
        if ((rc = hogo_vocab_load(vfile, &p->vocab, err))) {
            set_free(p);
            return rc;
        }
        size_t all = hogo_vocab_policy_ids(p->vocab, named, NULL, HOGOD_MAX_POLICIES);
        if (all > HOGOD_MAX_POLICIES) {
            set_free(p);
            return hogo_error_set(err, HOGO_ELIMIT, vfile,
                                  "the vocabulary names more than %d policies, the most "
                                  "hogod serves; list the ones to serve with --policy",
                                  HOGOD_MAX_POLICIES);
        }
        n = (int)all;
    }
    for (int i = 0; i < n && rc == 0; i++) {
        const char *name = c->npolicies ? c->policies[i] : named[i];
        char path[4096], vfile[4200];
        rc = hogo_policy_resolve(name, path, sizeof path, err);
        if (rc)
            break;
        hogo_policy_vocab_file(path, vfile, sizeof vfile);
        if (!p->vocab && (rc = hogo_vocab_load(vfile, &p->vocab, err)))
            break;
        struct hogo_policy_load_opts o = {0};
        if (!strcmp(hogo_vocab_path(p->vocab), vfile))
            o.vocab = p->vocab;
        struct hogo_policy *pol = NULL;
        rc = hogo_policy_load(path, &o, &pol, err);
        if (rc)
            break;
        for (int j = 0; j < p->n; j++)
            if (!strcmp(hogo_policy_id(p->current[j]), hogo_policy_id(pol))) {
                rc = hogo_error_set(err, HOGO_EPOLICY, path,
                                    "policy '%s' is served twice; list each policy once",
                                    hogo_policy_id(pol));
            }
        struct hogo_transmissions *t = NULL;
        if (!rc) {
            rc = hogo_transmissions_open(pol, NULL, NULL, &t, err);
            if (rc == HOGO_ENOTFOUND)
                rc = 0;
        }
        if (rc) {
            hogo_policy_free(pol);
            break;
        }
        p->transmissions[p->n] = t;
        p->current[p->n++] = pol;
    }
    if (rc) {
        set_free(p);
        return rc;
    }
    p->loaded_at = (int64_t)time(NULL);
    *out = p;
    return 0;
}

void hogod_policies_release(struct hogod_policies *p)
{
    if (p && atomic_fetch_sub(&p->refs, 1) == 1)
        set_free(p);
}

const struct hogo_policy *hogod_policy_find(struct hogod_policies *p, const char *id)
{
    for (int i = 0; i < p->n; i++)
        if (!strcmp(hogo_policy_id(p->current[i]), id))
            return p->current[i];
    return NULL;
}

const struct hogo_transmissions *hogod_transmissions_find(struct hogod_policies *p, const char *id)
{
    for (int i = 0; i < p->n; i++)
        if (!strcmp(hogo_policy_id(p->current[i]), id))
            return p->transmissions[i];
    return NULL;
}

const struct hogo_policy *hogod_policy_for(struct hogod_policies *p, const char *id,
                                           const struct hogo_request *req,
                                           struct hogo_error *err)
{
    const struct hogo_policy *cur = hogod_policy_find(p, id);
    if (!cur) {
        hogo_error_set(err, HOGO_ENOTFOUND, "/policy",
                       "policy '%s' is not served here; GET /v1/policies lists the policies "
                       "this key may use",
                       id);
        return NULL;
    }
    int64_t at;
    char path[4096];
    if (!hogo_request_at(req, &at) || hogo_policy_resolve_version(cur, at, path, sizeof path))
        return cur;
    const struct hogo_policy *found = NULL;
    pthread_mutex_lock(&p->lock);
    for (int i = 0; i < p->nolder && !found; i++)
        if (!strcmp(hogo_policy_path(p->older[i]), path))
            found = p->older[i];
    if (!found && p->nolder < HOGOD_MAX_POLICIES) {
        struct hogo_policy_load_opts o = {.vocab = hogo_policy_vocab(cur)};
        struct hogo_policy *older = NULL;
        struct hogo_error e = {0};
        if (hogo_policy_load(path, &o, &older, &e) == 0)
            found = p->older[p->nolder++] = older;
    }
    pthread_mutex_unlock(&p->lock);
    if (!found)
        hogo_error_set(err, HOGO_EPOLICY, "/at",
                       "the version of '%s' in force then cannot be loaded; ask the operator "
                       "to check %s",
                       id, path);
    return found;
}

struct hogod_policies *hogod_policies_get(struct hogod *d)
{
    pthread_mutex_lock(&d->policies_lock);
    struct hogod_policies *p = d->policies;
    atomic_fetch_add(&p->refs, 1);
    pthread_mutex_unlock(&d->policies_lock);
    return p;
}

int hogod_policies_reload(struct hogod *d, struct hogo_error *err)
{
    struct hogod_policies *fresh = NULL;
    int rc = hogod_policies_load(d->cfg, &fresh, err);
    hogod_metrics_reload(d->metrics, rc == 0);
    if (rc)
        return rc;
    pthread_mutex_lock(&d->policies_lock);
    struct hogod_policies *old = d->policies;
    d->policies = fresh;
    pthread_mutex_unlock(&d->policies_lock);
    hogod_policies_release(old);
    return 0;
}
