/*
 * Decisions on stored facts: the one path by which a request is decided on what the store
 * holds about a person (facts, company blocks followed through successors, separate consents)
 * and the decision becomes an audit event. hogo_decide_stored() is that path alone (`hogo
 * check --db`, the daemon); hogo_provide() and hogo_receive() (provide.c) take the same
 * decision and go on to write the record it allows. Ledger layer, joining the decision engine
 * (lib/decide) and the store.
 * The facts go into the request as rows (no JSON written and parsed back); the decision's JSON
 * is the request's memo, written once per distinct decision; the audit object is built here
 * only.
 */
#include "decide/decide_int.h"
#include "ledger-int.h"

#include <stdio.h>
#include <string.h>

const char *hogo__decided_subject(const struct hogo_request *r, const char *subject_id)
{
    const char *s = subject_id ? subject_id : hogo_request_subject_id(r);
    return s && *s ? s : NULL;
}

int hogo__stored_precheck(const struct hogo_policy *p, const struct hogo_request *r,
                          const char *subject, struct hogo_error *err)
{
    if (strcmp(hogo_request_policy(r), hogo_policy_id(p)) != 0)
        return hogo_error_set(err, HOGO_EINVAL, "/policy",
                              "the request is for policy '%s' but the policy given is '%s'",
                              hogo_request_policy(r), hogo_policy_id(p));
    if (!subject)
        return 0;
    if (hogo_request_has_subject(r))
        return hogo_error_set(err, HOGO_EINVAL, "/subject",
                              "the request carries subject facts and the store holds them too; "
                              "drop \"subject\" from the request to decide on the stored facts");
    return hogo__check_id(subject, "subject id", err);
}

/* The stored facts into the request (hogo__subject_decide_rows' receiver). */
struct set_facts {
    struct hogo_request *r;
    const struct hogo_vocab *v;
};

static int set_facts(void *ctx, const char *const *facts, size_t nfacts,
                     const char *const *consents, size_t nconsents, struct hogo_error *err)
{
    struct set_facts *sf = ctx;
    return hogo_request_set_subject_rows(sf->r, sf->v, facts, nfacts, consents, nconsents, err);
}

int hogo__decide_on_facts(struct hogo_store *st, const struct hogo_policy *p,
                          struct hogo_request *r, const char *subject, struct hogo_decision *d,
                          struct hogo__decided *out, struct hogo_error *err)
{
    int rc = 0;
    if (subject) {
        struct set_facts sf = {r, hogo_policy_vocab(p)};
        rc = hogo__subject_decide_rows(st, hogo_policy_id(p), subject, set_facts, &sf, err);
    }
    if (rc == 0)
        rc = hogo_decide(p, r, d, err);
    if (rc == 0)
        rc = hogo__decision_json_memo(p, r, d, &out->json, err);
    if (rc < 0)
        return rc;
    out->subject_id = subject;
    hogo__concat(out->object, sizeof out->object, "policy:", hogo_policy_id(p),
                 d->allow ? " decision:allow" : " decision:deny", subject ? " facts:stored" : "",
                 (char *)NULL);
    if (subject && !d->allow) { /* a denial while a rights request stops use names it */
        char request[64];
        rc = hogo__rights_effect_request(st, subject, request, sizeof request, err);
        if (rc == 0 && request[0]) {
            size_t l = strlen(out->object);
            snprintf(out->object + l, sizeof out->object - l, " request:%s", request);
        }
    }
    return rc;
}

/* One hogo_decide_stored() call, for the group commit queue. */
struct stored_call {
    const struct hogo_policy *p;
    struct hogo_request *r;
    const char *subject;
    struct hogo_decision *d;
    int64_t seq; /* the decision's audit event */
};

static int decide_and_audit(struct hogo_store *st, void *ctx, struct hogo_error *err)
{
    struct stored_call *c = ctx;
    struct hogo__decided dd;
    int rc = hogo__txn_begin(st, err);
    if (rc < 0)
        return rc;
    rc = hogo__decide_on_facts(st, c->p, c->r, c->subject, c->d, &dd, err);
    if (rc < 0) {
        /* nothing was written: close this level as it is, so that an enclosing transaction
         * (a batch of decisions) goes on without this one */
        struct hogo_error ignored;
        hogo_error_clear(&ignored);
        hogo__txn_end(st, 0, &ignored);
        return rc;
    }
    const struct hogo_audit_event ev = {dd.subject_id, "decision", dd.object, dd.json};
    rc = hogo__audit_append_event(st, &ev, err);
    if (rc == 0)
        c->seq = st->head_seq;
    return hogo__txn_end(st, rc, err);
}

int hogo_decide_stored(struct hogo_store *st, const struct hogo_policy *policy,
                       struct hogo_request *req, const char *subject_id,
                       struct hogo_decision *out, int64_t *event_seq, struct hogo_error *err)
{
    struct stored_call c = {policy, req, hogo__decided_subject(req, subject_id), out, 0};
    memset(out, 0, sizeof *out);
    if (event_seq)
        *event_seq = 0;
    int rc = hogo__stored_precheck(policy, req, c.subject, err);
    if (rc == 0)
        rc = hogo__group_run(st, decide_and_audit, &c, err);
    if (rc < 0) {
        memset(out, 0, sizeof *out);
        return rc;
    }
    if (event_seq)
        *event_seq = c.seq;
    return 0;
}
