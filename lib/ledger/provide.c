/*
 * Decide and record in one step: hogo_provide() (APPI Art. 29) and hogo_receive() (Art. 30).
 * Ledger layer, joining the decision engine (lib/decide) and the store. One transaction holds
 * the read of the subject's stored facts, the decision and its audit event, and — when the
 * decision allows — the provision or receipt record with its own audit event, so a provision
 * is never allowed without its record and a crash leaves either all of it or nothing.
 * Whether the law requires the record comes from the decision's obligations: record_provision
 * (confirm_receipt for receipts) with its retention means required; an allowed provision
 * without it (a court order, outsourcing, a recipient in Art. 16(2)) is recorded too, with
 * record_required false and the operator's own retention.
 */
#include "decide/decide_int.h"
#include "ledger-int.h"

#include <hogo/decide.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The request's data categories as ids, in vocabulary order (borrowed strings), into items,
 * which holds HOGO__MAX_IDS: every category a vocabulary may define. */
static size_t request_items(const struct hogo_policy *p, const struct hogo_request *r,
                            const char **items)
{
    const struct hogo__table *t = &p->vocab->t[HOGO__K_DATA];
    assert(t->n <= HOGO__MAX_IDS); /* the vocabulary loader refuses more */
    size_t n = 0;
    for (int i = 0; i < t->n; i++)
        if (hogo__set_has(&r->data, i))
            items[n++] = t->v[i].id;
    return n;
}

static const char *vocab_id(const struct hogo_policy *p, enum hogo__kind k, int i)
{
    return i >= 0 && i < p->vocab->t[k].n ? p->vocab->t[k].v[i].id : NULL;
}

/* The data category a column header names: a vocabulary id or its Japanese name; -1 if none. */
static int header_category(const struct hogo_vocab *v, const char *h)
{
    const struct hogo__table *t = &v->t[HOGO__K_DATA];
    int i = hogo__vocab_find(v, HOGO__K_DATA, h, strlen(h));
    for (int j = 0; i < 0 && j < t->n; j++)
        if (t->v[j].ja && !strcmp(t->v[j].ja, h))
            i = j;
    return i;
}

int hogo_provide_check_columns(const struct hogo_policy *p, const struct hogo_request *r,
                               const char *csv_path, struct hogo_error *err)
{
    const struct hogo_vocab *v = p->vocab;
    const struct hogo__table *t = &v->t[HOGO__K_DATA];
    char asked[512] = "", **header = NULL;
    size_t ncols = 0;
    for (int i = 0, off = 0; i < t->n && off < (int)sizeof asked - 1; i++)
        if (hogo__set_has(&r->data, i))
            off += snprintf(asked + off, sizeof asked - (size_t)off, "%s%s", off ? ", " : "",
                            t->v[i].id);
    int rc = hogo__csv_header(csv_path, &header, &ncols, err);
    for (size_t c = 0; rc == 0 && c < ncols; c++) {
        const char *h = header[c];
        int cat = header_category(v, h), covered = 0;
        if (cat < 0) {
            rc = hogo_error_set(err, HOGO_EINVAL, csv_path,
                                "column '%s' of '%s' names no data category of the "
                                "vocabulary, so what it holds cannot be checked against the "
                                "request (data: %s); remove the column or name it by its "
                                "data-category id or Japanese name (spec/vocabulary.yaml)",
                                h, csv_path, asked);
            break;
        }
        for (int i = 0; i < t->n && !covered; i++)
            covered = hogo__set_has(&r->data, i) && hogo__set_has(&t->down[i], cat);
        if (!covered)
            rc = hogo_error_set(err, HOGO_EINVAL, csv_path,
                                "column '%s' of '%s' is data category '%s', which the request "
                                "does not provide (data: %s); remove the column from the file, "
                                "or add '%s' to the request's \"data\" so that it is decided",
                                h, csv_path, t->v[cat].id, asked, t->v[cat].id);
    }
    for (size_t c = 0; c < ncols; c++)
        free(header[c]);
    free(header);
    return rc;
}

enum kind { PROVIDE, RECEIVE };

/* Checks, before the transaction, that the request is one this call records: its action,
 * and a subject whose stored facts decide it. */
static int check_request(const struct hogo_policy *p, const struct hogo_request *r,
                         enum kind kind, const char *subject, struct hogo_error *err)
{
    int rc = hogo__stored_precheck(p, r, NULL, err); /* the policy, before anything else */
    if (rc < 0)
        return rc;
    if (kind == PROVIDE && r->action != HOGO__PROVIDE && r->action != HOGO__OUTSOURCE)
        return hogo_error_set(err, HOGO_EINVAL, "/action",
                              "a provision is action 'provide' or 'outsource', not '%s'; use "
                              "'hogo check' for other actions",
                              vocab_id(p, HOGO__K_ACTION, r->action));
    if (kind == RECEIVE && r->action != HOGO__RECEIVE)
        return hogo_error_set(err, HOGO_EINVAL, "/action",
                              "a receipt is action 'receive', not '%s'",
                              vocab_id(p, HOGO__K_ACTION, r->action));
    if (!subject)
        return hogo_error_set(err, HOGO_EINVAL, "/subject_id",
                              "a %s record names the person: give \"subject_id\" in the "
                              "request (or --subject)",
                              kind == PROVIDE ? "provision" : "receipt");
    return hogo__stored_precheck(p, r, subject, err);
}

/* A receipt's Art. 30 confirmation is complete before anything is decided or written. */
static int check_confirmation(const struct hogo_provide_opts *o, struct hogo_error *err)
{
    static const char why[] = "APPI Art. 30 requires it to be confirmed before receiving";
    const char *need[] = {o->provider_name, o->provider_address, o->provider_representative,
                          o->acquisition};
    const char *field[] = {"/provider_name", "/provider_address", "/provider_representative",
                           "/acquisition"};
    for (size_t i = 0; i < sizeof need / sizeof *need; i++)
        if (!need[i] || !*need[i])
            return hogo_error_set(err, HOGO_EINVAL, field[i], "%s is missing: %s", field[i] + 1,
                                  i == 3 ? "how the provider obtained the data (取得の経緯) "
                                           "must be confirmed"
                                         : why);
    return 0;
}

static int own_years(const struct hogo_provide_opts *o)
{
    return o->own_retention_years ? o->own_retention_years : HOGO_OWN_RETENTION_YEARS;
}

/* What every record of an allowed decision holds besides its party: the items, whether the
 * law requires the record, its retention and basis. */
struct record_terms {
    const char *items[HOGO__MAX_IDS]; /* as many as the vocabulary has categories */
    size_t n_items;
    int required;       /* the decision carries the record's statutory obligation */
    int years;          /* statutory retention, else the operator's own */
    const char *from;   /* "creation" or "last_provision" */
    const char *basis;
};

static void record_terms(const struct hogo_policy *p, const struct hogo_request *r,
                         const struct hogo_provide_opts *o, enum kind kind,
                         const struct hogo_decision *d, struct record_terms *t)
{
    unsigned need = kind == PROVIDE ? 1u << HOGO__OB_RECORD_PROVISION
                                    : 1u << HOGO__OB_CONFIRM_RECEIPT;
    const char *basis = vocab_id(p, HOGO__K_BASIS, r->basis);
    t->n_items = request_items(p, r, t->items);
    t->required = (d->obligations & need) != 0;
    t->years = t->required ? (d->retention_years ? d->retention_years : HOGO__DEFAULT_RETENTION_YEARS) : own_years(o);
    t->from = t->required && d->retention_last ? "last_provision" : "creation";
    t->basis = basis ? basis : "policy";
}

/* The Art. 29 record of an allowed provision, whose event is also the decision's. */
static int record_provision(struct hogo_store *st, const struct hogo_policy *p,
                            const struct hogo_request *r, const struct hogo_provide_opts *o,
                            const struct record_terms *t, const struct hogo__decided *dd,
                            const char *detail, char id[HOGO_LEDGER_ID_BYTES],
                            struct hogo_error *err)
{
    char corp[24];
    const struct hogo__entry *rcp =
        r->recipient >= 0 ? &p->vocab->t[HOGO__K_RECIPIENT].v[r->recipient] : NULL;
    if (r->has_corp)
        snprintf(corp, sizeof corp, "%013llu", (unsigned long long)r->corp);
    struct hogo_provision pr = {
        .subject_id = dd->subject_id,
        .policy = hogo_policy_id(p),
        .policy_version = hogo_policy_version(p),
        .recipient_id = rcp ? rcp->id : NULL,
        .recipient_name = o->recipient_name ? o->recipient_name
                          : rcp && rcp->ja  ? rcp->ja
                          : rcp             ? rcp->en
                                            : NULL,
        .recipient_corporate_number = r->has_corp ? corp : NULL,
        .recipient_address = o->recipient_address,
        .recipient_representative = o->recipient_representative,
        .recipient_country = r->country[0] ? r->country : NULL,
        .purpose = vocab_id(p, HOGO__K_PURPOSE, r->purpose),
        .items = t->items,
        .n_items = t->n_items,
        .basis = t->basis,
        .consent_id = r->consent_id[0] ? r->consent_id : NULL,
        .record_required = t->required,
        .retention_years = t->years,
        .retention_from = t->from,
        .decision_json = dd->json,
        .detail_json = detail,
    };
    return hogo__ledger_provision_decided(st, &pr, dd->object, id, err);
}

/* The Art. 30 confirmation record of an allowed receipt, whose event is also the decision's. */
static int record_receipt(struct hogo_store *st, const struct hogo_policy *p,
                          const struct hogo_provide_opts *o, const struct record_terms *t,
                          const struct hogo__decided *dd, char id[HOGO_LEDGER_ID_BYTES],
                          struct hogo_error *err)
{
    struct hogo_receipt rr = {
        .subject_id = dd->subject_id,
        .policy = hogo_policy_id(p),
        .policy_version = hogo_policy_version(p),
        .provider_name = o->provider_name,
        .provider_address = o->provider_address,
        .provider_representative = o->provider_representative,
        .provider_corporate_number = o->provider_corporate_number,
        .acquisition = o->acquisition,
        .items = t->items,
        .n_items = t->n_items,
        .basis = t->basis,
        .record_required = t->required,
        .retention_years = t->years,
        .retention_from = t->from,
        .decision_json = dd->json,
    };
    return hogo__ledger_receipt_decided(st, &rr, dd->object, id, err);
}

/* Inside the transaction, after the decision: a denial is its own audit event; an allowed
 * decision is stored once, in the record it allows, whose audit event names the decision in
 * its object and seals the stored decision with its hash. */
static int write_outcome(struct hogo_store *st, const struct hogo_policy *p,
                         const struct hogo_request *r, const struct hogo_provide_opts *o,
                         enum kind kind, const struct hogo_decision *d,
                         const struct hogo__decided *dd, char id[HOGO_LEDGER_ID_BYTES],
                         struct hogo_error *err)
{
    if (!d->allow) {
        const struct hogo_audit_event ev = {dd->subject_id, "decision", dd->object, dd->json};
        return hogo__audit_append_event(st, &ev, err);
    }
    char *detail = NULL;
    struct record_terms t;
    int rc = o->before_record ? o->before_record(o->ctx, d, dd->json, &detail, err) : 0;
    if (rc == 0) {
        record_terms(p, r, o, kind, d, &t);
        rc = kind == PROVIDE ? record_provision(st, p, r, o, &t, dd, detail, id, err)
                             : record_receipt(st, p, o, &t, dd, id, err);
    }
    free(detail);
    return rc;
}

static int decide_and_record(struct hogo_store *st, const struct hogo_policy *p,
                             struct hogo_request *r, const struct hogo_provide_opts *o,
                             enum kind kind, struct hogo_decision *d,
                             char record_id[HOGO_LEDGER_ID_BYTES], struct hogo_error *err)
{
    static const struct hogo_provide_opts none;
    char id[HOGO_LEDGER_ID_BYTES] = "";
    struct hogo__decided dd;
    if (!o)
        o = &none;
    const char *subject = hogo__decided_subject(r, o->subject_id);
    memset(d, 0, sizeof *d);
    if (record_id)
        record_id[0] = '\0';
    int rc = check_request(p, r, kind, subject, err);
    if (rc == 0 && kind == RECEIVE)
        rc = check_confirmation(o, err);
    if (rc == 0)
        rc = hogo__txn_begin(st, err);
    if (rc < 0)
        return rc;
    rc = hogo__decide_on_facts(st, p, r, subject, d, &dd, err);
    if (rc == 0)
        rc = write_outcome(st, p, r, o, kind, d, &dd, id, err);
    rc = hogo__txn_end(st, rc, err);
    if (rc == 0 && record_id)
        memcpy(record_id, id, HOGO_LEDGER_ID_BYTES);
    if (rc < 0)
        memset(d, 0, sizeof *d);
    return rc;
}

/* One call's arguments, for the group commit queue. */
struct call {
    const struct hogo_policy *p;
    struct hogo_request *r;
    const struct hogo_provide_opts *o;
    enum kind kind;
    struct hogo_decision *d;
    char *record_id;
};

static int run_call(struct hogo_store *st, void *ctx, struct hogo_error *err)
{
    struct call *c = ctx;
    return decide_and_record(st, c->p, c->r, c->o, c->kind, c->d, c->record_id, err);
}

/* Runs the call directly, or queued for a group commit when st is shared (group.c). */
static int grouped(struct hogo_store *st, const struct hogo_policy *p, struct hogo_request *r,
                   const struct hogo_provide_opts *o, enum kind kind, struct hogo_decision *d,
                   char record_id[HOGO_LEDGER_ID_BYTES], struct hogo_error *err)
{
    struct call c = {p, r, o, kind, d, record_id};
    return hogo__group_run(st, run_call, &c, err);
}

int hogo_provide_ex(struct hogo_store *st, const struct hogo_policy *policy,
                    struct hogo_request *req, const struct hogo_provide_opts *opts,
                    struct hogo_decision *out, char record_id[HOGO_LEDGER_ID_BYTES],
                    struct hogo_error *err)
{
    return grouped(st, policy, req, opts, PROVIDE, out, record_id, err);
}

int hogo_provide(struct hogo_store *st, const struct hogo_policy *policy,
                 struct hogo_request *req, struct hogo_decision *out,
                 char record_id[HOGO_LEDGER_ID_BYTES], struct hogo_error *err)
{
    return grouped(st, policy, req, NULL, PROVIDE, out, record_id, err);
}

int hogo_receive(struct hogo_store *st, const struct hogo_policy *policy,
                 struct hogo_request *req, const struct hogo_provide_opts *opts,
                 struct hogo_decision *out, char record_id[HOGO_LEDGER_ID_BYTES],
                 struct hogo_error *err)
{
    return grouped(st, policy, req, opts, RECEIVE, out, record_id, err);
}
