/*
 * The APPI ledger: provision records (Art. 29, R19-21) and receipt confirmation records
 * (Art. 30, R22-25), their retention periods, listing and export (JSON, CSV), and purging what
 * is past retention. Ledger layer, on top of the store's backend operations.
 * Retention (R21/R25): retention_years (3 or 1) counted from the record's creation, or from
 * the last provision to (receipt from) the same counterparty for a collective record or a
 * contract kept as the record; purge_after is stored with every row and recomputed for the
 * whole group when a later provision extends it.
 */
#include "ledger-int.h"

#include "common/csv.h"

#include <pthread.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <yajl/yajl_tree.h>

/* purge_after = at + years, calendar years in UTC. */
static int64_t add_years(int64_t us, int years)
{
    time_t t = (time_t)(us / 1000000);
    struct tm tm;
    gmtime_r(&t, &tm);
    tm.tm_year += years;
    return (int64_t)timegm(&tm) * 1000000 + us % 1000000;
}

/* A record id: "prov-" (or "rcpt-"), 13 hex digits of a microsecond clock that never repeats
 * or goes back within the process, and 7 hex digits drawn at random once per process against
 * other processes. Ids made later sort later, so a new record lands at the end of the primary
 * key's B-tree instead of on a random page of it (a random id rewrote a page of the index per
 * record, and more as the table grew). */
static _Atomic uint32_t id_salt; /* the 7 random hex digits; 0: not drawn yet */

static void forget_id_salt(void) { atomic_store(&id_salt, 0); } /* a forked child draws anew */

static void watch_forks(void) { pthread_atfork(NULL, NULL, forget_id_salt); }

static void new_id(const char prefix[5], char out[HOGO_LEDGER_ID_BYTES])
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    static _Atomic uint64_t last;
    pthread_once(&once, watch_forks);
    uint32_t r = atomic_load(&id_salt);
    if (!r) {
        r = 1 + randombytes_uniform(0xfffffffu); /* 1 .. 0xfffffff: 7 hex digits */
        atomic_store(&id_salt, r);
    }
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    uint64_t now = (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
    uint64_t prev = atomic_load(&last), next;
    do
        next = now > prev ? now : prev + 1;
    while (!atomic_compare_exchange_weak(&last, &prev, next));
    memcpy(out, prefix, 4);
    snprintf(out + 4, HOGO_LEDGER_ID_BYTES - 4, "-%013llx%07x", (unsigned long long)next,
             (unsigned)r); /* "prov-" + 20 hex digits + NUL */
}

/* A record the law requires keeps R21's 3 or 1 years; one it does not require (a court
 * order, outsourcing, ...) is kept for the operator's own period, 1 to 100 years. */
static int check_retention(int required, int years, const char *from, struct hogo_error *err)
{
    if (required && years != 1 && years != 3)
        return hogo_error_set(err, HOGO_EINVAL, "/retention_years",
                              "retention_years must be 3 or 1 (APPI R21), not %d", years);
    if (!required && (years < 1 || years > 100))
        return hogo_error_set(err, HOGO_EINVAL, "/retention_years",
                              "retention_years of a record the law does not require is the "
                              "operator's own period, 1 to 100 years, not %d",
                              years);
    if (!from || (strcmp(from, "creation") && strcmp(from, "last_provision")))
        return hogo_error_set(err, HOGO_EINVAL, "/retention_from",
                              "retention_from must be 'creation' or 'last_provision', not '%s'",
                              from ? from : "");
    return 0;
}

static int check_text(const char *v, const char *field, const char *why, struct hogo_error *err)
{
    if (!v || !*v)
        return hogo_error_set(err, HOGO_EINVAL, field, "%s is missing: %s", field + 1, why);
    if (strlen(v) > 1024)
        return hogo_error_set(err, HOGO_ELIMIT, field, "%s is over 1024 bytes", field + 1);
    return 0;
}

/* Free text (a name, an address, ...; may be NULL) must be valid UTF-8 without control
 * characters, so that every JSON and CSV hogo writes from it is valid. */
static int check_free_text(const char *v, const char *field, struct hogo_error *err)
{
    if (!v)
        return 0;
    size_t n = strlen(v);
    if (!hogo__utf8_valid(v, n))
        return hogo_error_set(err, HOGO_EINVAL, field,
                              "%s is not valid UTF-8; write it in UTF-8", field + 1);
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)v[i] < 0x20 || v[i] == 0x7f)
            return hogo_error_set(err, HOGO_EINVAL, field,
                                  "%s holds a control character (byte %zu); write it on one "
                                  "line without control characters",
                                  field + 1, i);
    return 0;
}

/* Each of the n free-text fields (value, its JSON pointer) passes check_free_text(). */
static int check_free_texts(const char *const (*f)[2], size_t n, struct hogo_error *err)
{
    for (size_t i = 0; i < n; i++) {
        int rc = check_free_text(f[i][0], f[i][1], err);
        if (rc < 0)
            return rc;
    }
    return 0;
}

/* Checks that text (may be NULL) is a JSON object; field names it in the message. */
static int check_json_object(const char *text, const char *field, struct hogo_error *err)
{
    if (!text)
        return 0;
    char ebuf[128];
    yajl_val v = yajl_tree_parse(text, ebuf, sizeof ebuf);
    int rc = 0;
    if (!v || !YAJL_IS_OBJECT(v))
        rc = hogo_error_set(err, HOGO_EINVAL, field, "%s is not a JSON object: %s", field + 1,
                            v ? "" : ebuf);
    yajl_tree_free(v);
    return rc;
}

/* Moves the purge date of a subject's earlier collective records with the same counterparty
 * to retention after the newest one (parameters: at, purge, subject, counterparty, at). */
static const char provision_extend_sql[] =
    "UPDATE provisions SET last_provision_at = ?, purge_after = ? WHERE "
    "subject_id = ? AND recipient_id = ? AND retention_from = "
    "'last_provision' AND last_provision_at < ?";

/* A continuing provision to one recipient under one arrangement with the person (Rules
 * Art.19(2), 21): one collective record per person and recipient, kept until retention after
 * its last provision. A later provision adds its items to the record and moves its dates, and
 * an audit event "provision.extend" says so (lib/audit/records.c holds the record to it). */
static void record_detail(char *out, size_t cap, const char *fields, const char *decision_json);

struct collective {
    char id[HOGO_LEDGER_ID_BYTES];
    char *items; /* owned */
    int found;
};

static int row_collective(void *ctx, const struct hogo__val *c, size_t n)
{
    struct collective *k = ctx;
    if (k->found || n < 2 || c[0].type != HOGO__TEXT || c[0].n >= HOGO_LEDGER_ID_BYTES)
        return 0;
    memcpy(k->id, c[0].s, c[0].n);
    k->id[c[0].n] = '\0';
    k->items = c[1].type == HOGO__TEXT ? strndup(c[1].s, c[1].n) : strdup("");
    k->found = 1;
    return k->items ? 0 : HOGO_ENOMEM;
}

/* items (comma-separated ids) with those of more added that it lacks, in a new string. */
static char *items_union(const char *items, const char *more)
{
    size_t cap = strlen(items) + strlen(more) + 2;
    char *out = malloc(cap);
    if (!out)
        return NULL;
    snprintf(out, cap, "%s", items);
    for (const char *p = more; *p;) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        int have = 0;
        for (const char *q = out; *q;) {
            const char *qe = strchr(q, ',');
            size_t ql = qe ? (size_t)(qe - q) : strlen(q);
            if (ql == len && !memcmp(q, p, len))
                have = 1;
            q = qe ? qe + 1 : q + ql;
        }
        if (!have && len) {
            size_t used = strlen(out);
            snprintf(out + used, cap - used, "%s%.*s", used ? "," : "", (int)len, p);
        }
        p = end ? end + 1 : p + len;
    }
    return out;
}

/* Adds a provision to the subject's collective record for the recipient, when there is one
 * still within its retention: *done = 1 and id_out set. Runs inside the caller's
 * transaction. */
static int extend_collective(struct hogo_store *st, const struct hogo_provision *p,
                             const char *items, const char *decided, int64_t at, int64_t now,
                             int64_t purge, char id_out[HOGO_LEDGER_ID_BYTES], int *done,
                             struct hogo_error *err)
{
    struct collective k = {.found = 0};
    struct hogo__val q[] = {HV_TEXT(p->subject_id), HV_TEXT(p->recipient_id), HV_INT(now)};
    int rc = hogo__query(st,
                         "SELECT provision_id, items FROM provisions WHERE subject_id = ? AND "
                         "recipient_id = ? AND retention_from = 'last_provision' AND "
                         "record_required = 1 AND purge_after > ? ORDER BY created_at DESC",
                         q, 3, row_collective, &k, err);
    *done = 0;
    if (rc < 0 || !k.found) {
        free(k.items);
        return rc;
    }
    char *all = items_union(k.items, items);
    free(k.items);
    if (!all)
        return hogo_error_set(err, HOGO_ENOMEM, NULL, "out of memory");
    struct hogo__val u[] = {HV_TEXT(all), HV_INT(at), HV_INT(purge), HV_TEXT(k.id),
                            HV_INT(at)};
    rc = hogo__exec(st,
                    "UPDATE provisions SET items = ?, last_provision_at = ?, purge_after = ? "
                    "WHERE provision_id = ? AND last_provision_at <= ?",
                    u, 5, NULL, err);
    /* the record's items changed: the event binds the record as it now stands */
    char bound[65] = "";
    if (rc == 0)
        rc = hogo__record_hash(st, 0, p->subject_id, k.id, bound, err);
    if (rc == 0) {
        char obj[640], fields[200], detail[400], purge_s[24];
        hogo__concat(obj, sizeof obj, "provision:", k.id, " recipient:", p->recipient_id,
                     " items:", all, decided ? " " : "", decided ? decided : "", (char *)NULL);
        snprintf(purge_s, sizeof purge_s, "%lld", (long long)purge);
        hogo__concat(fields, sizeof fields, "\"collective\":true,\"purge_after\":", purge_s,
                     ",\"record_blake2b\":\"", bound, "\"", (char *)NULL);
        record_detail(detail, sizeof detail, fields, p->decision_json);
        const struct hogo_audit_event ev = {p->subject_id, "provision.extend", obj, detail};
        rc = hogo__audit_append_event(st, &ev, err);
    }
    free(all);
    if (rc == 0) {
        memcpy(id_out, k.id, HOGO_LEDGER_ID_BYTES);
        *done = 1;
    }
    return rc;
}
static const char receipt_extend_sql[] =
    "UPDATE receipts SET last_receipt_at = ?, purge_after = ? WHERE "
    "subject_id = ? AND provider_name = ? AND retention_from = "
    "'last_provision' AND last_receipt_at < ?";

/* Finishes a record whose row is inserted (rc its outcome so far): runs extend_sql (NULL:
 * not a collective record), appends first (may be NULL) and the record's audit event, ends
 * the transaction and copies id to id_out (may be NULL) on success. */
/* The record event's detail: the record's own fields (fields, a JSON object's members) and,
 * when the record holds the decision that allowed it, that decision's BLAKE2b-256, so the
 * chain seals the stored decision (a changed decision no longer matches the hash). */
static void record_detail(char *out, size_t cap, const char *fields, const char *decision_json)
{
    char hex[65] = "";
    if (decision_json) {
        unsigned char h[32];
        crypto_generichash(h, sizeof h, (const unsigned char *)decision_json,
                           strlen(decision_json), NULL, 0);
        hogo__hex(h, sizeof h, hex);
    }
    hogo__concat(out, cap, "{", fields, decision_json ? ",\"decision_blake2b\":\"" : "", hex,
                 decision_json ? "\"}" : "}", (char *)NULL);
}

/* Finishes a record: extends the retention of its collective group, appends its audit event
 * and ends the transaction. */
static int end_record(struct hogo_store *st, int rc, const char *extend_sql, int64_t at,
                      int64_t purge, const char *counterparty,
                      const struct hogo_audit_event *rec, const char *id,
                      char id_out[HOGO_LEDGER_ID_BYTES], struct hogo_error *err)
{
    if (rc == 0 && extend_sql) {
        struct hogo__val u[] = {HV_INT(at), HV_INT(purge), HV_TEXT(rec->subject_id),
                                HV_TEXT(counterparty), HV_INT(at)};
        rc = hogo__exec(st, extend_sql, u, 5, NULL, err);
    }
    if (rc == 0)
        rc = hogo__audit_append_event(st, rec, err);
    rc = hogo__txn_end(st, rc, err);
    if (rc == 0 && id_out)
        memcpy(id_out, id, HOGO_LEDGER_ID_BYTES);
    return rc;
}

int hogo_ledger_record_provision(struct hogo_store *st, const struct hogo_provision *p,
                                 char id_out[HOGO_LEDGER_ID_BYTES], struct hogo_error *err)
{
    int rc = check_json_object(p->decision_json, "/decision", err);
    if (rc == 0)
        rc = check_json_object(p->detail_json, "/detail", err);
    return rc < 0 ? rc : hogo__ledger_provision(st, p, id_out, err);
}

int hogo__ledger_provision(struct hogo_store *st, const struct hogo_provision *p,
                           char id_out[HOGO_LEDGER_ID_BYTES], struct hogo_error *err)
{
    return hogo__ledger_provision_decided(st, p, NULL, id_out, err);
}

int hogo__ledger_provision_decided(struct hogo_store *st, const struct hogo_provision *p,
                                   const char *decided, char id_out[HOGO_LEDGER_ID_BYTES],
                                   struct hogo_error *err)
{
    char id[HOGO_LEDGER_ID_BYTES], *items = NULL;
    int rc = hogo__check_id(p->subject_id, "subject id", err);
    if (rc == 0)
        rc = hogo__check_vocab(st, "recipient", p->recipient_id, err);
    if (rc == 0 && p->purpose)
        rc = hogo__check_vocab(st, "purpose", p->purpose, err);
    if (rc == 0 && p->n_items == 0)
        rc = hogo_error_set(err, HOGO_EINVAL, "/items",
                            "a provision record needs the data items provided");
    if (rc == 0)
        rc = check_retention(p->record_required, p->retention_years, p->retention_from, err);
    if (rc == 0 && p->recipient_corporate_number &&
        !hogo_corporate_number_valid(p->recipient_corporate_number))
        rc = hogo_error_set(err, HOGO_EINVAL, "/recipient/corporate_number",
                            "corporate number '%s' is not a valid 13-digit 法人番号",
                            p->recipient_corporate_number);
    const char *const texts[][2] = {{p->recipient_name, "/recipient/name"},
                                    {p->recipient_address, "/recipient/address"},
                                    {p->recipient_representative, "/recipient/representative"},
                                    {p->recipient_country, "/recipient/country"},
                                    {p->policy_version, "/policy_version"},
                                    {p->consent_id, "/consent_id"}};
    if (rc == 0)
        rc = check_free_texts(texts, sizeof texts / sizeof *texts, err);
    if (rc == 0 && (!p->basis || !*p->basis))
        rc = hogo_error_set(err, HOGO_EINVAL, "/basis",
                            "a provision record needs its basis (policy, consent, opt_out, ...)");
    if (rc == 0 && !strcmp(p->basis, "consent") && !p->consent_id)
        rc = hogo_error_set(err, HOGO_EINVAL, "/consent_id",
                            "basis 'consent' needs the consent id relied on");
    if (rc == 0)
        rc = hogo__join_ids(st, "data_category", p->items, p->n_items, &items, err);
    if (rc < 0)
        return rc;
    rc = hogo__txn_begin(st, err);
    if (rc < 0)
        goto out;
    int64_t now = hogo__now_us(st), at = p->provided_at ? p->provided_at : now;
    int collective = !strcmp(p->retention_from, "last_provision");
    int64_t purge = add_years(collective ? at : now, p->retention_years);
    if (collective && p->record_required) {
        int done = 0;
        rc = extend_collective(st, p, items, decided, at, now, purge, id, &done, err);
        if (rc < 0 || done) {
            rc = hogo__txn_end(st, rc, err);
            if (rc == 0 && id_out)
                memcpy(id_out, id, HOGO_LEDGER_ID_BYTES);
            goto out;
        }
    }
    new_id("prov", id);
    struct hogo__val v[] = {
        HV_TEXT(p->subject_id), HV_TEXT(id), HV_INT(now), HV_INT(at), HV_TEXT(p->policy),
        HV_TEXT(p->policy_version), HV_TEXT(p->recipient_id), HV_TEXT(p->recipient_name),
        HV_TEXT(p->recipient_corporate_number), HV_TEXT(p->recipient_address),
        HV_TEXT(p->recipient_representative),
        HV_TEXT(p->recipient_country ? p->recipient_country : "JP"), HV_TEXT(p->purpose),
        HV_TEXT(items), HV_TEXT(p->basis), HV_TEXT(p->consent_id),
        HV_INT(p->record_required ? 1 : 0), HV_INT(p->retention_years),
        HV_TEXT(p->retention_from), HV_INT(at), HV_INT(purge), HV_TEXT(p->decision_json),
        HV_TEXT(p->detail_json)};
    rc = hogo__exec(st,
                    "INSERT INTO provisions (subject_id, provision_id, created_at, provided_at, "
                    "policy, policy_version, recipient_id, recipient_name, "
                    "recipient_corporate_number, recipient_address, recipient_representative, "
                    "recipient_country, purpose, items, basis, consent_id, record_required, "
                    "retention_years, retention_from, last_provision_at, purge_after, decision, "
                    "detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                    "?, ?, ?)",
                    v, 23, NULL, err);
    char obj[640], fields[500], detail[640], bound[65] = "";
    char years[16];
    snprintf(years, sizeof years, "%d", p->retention_years);
    /* the event binds every field of the record as stored */
    if (rc == 0)
        rc = hogo__record_hash(st, 0, p->subject_id, id, bound, err);
    hogo__concat(obj, sizeof obj, "provision:", id, " recipient:", p->recipient_id, " items:",
                 items, decided ? " " : "", decided ? decided : "", (char *)NULL);
    char purge_s[24];
    snprintf(purge_s, sizeof purge_s, "%lld", (long long)purge);
    hogo__concat(fields, sizeof fields, "\"basis\":\"", p->basis, "\",\"policy\":\"",
                 p->policy ? p->policy : "", "\",\"record_required\":",
                 p->record_required ? "true" : "false", ",\"retention_years\":", years,
                 ",\"purge_after\":", purge_s, ",\"record_blake2b\":\"", bound, "\"",
                 (char *)NULL);
    record_detail(detail, sizeof detail, fields, p->decision_json);
    const struct hogo_audit_event ev = {p->subject_id, "provision.record", obj, detail};
    /* a collective record is kept until retention after the last provision */
    rc = end_record(st, rc, collective ? provision_extend_sql : NULL, at, purge, p->recipient_id,
                    &ev, id, id_out, err);
out:
    free(items);
    return rc;
}

int hogo_ledger_record_receipt(struct hogo_store *st, const struct hogo_receipt *r,
                               char id_out[HOGO_LEDGER_ID_BYTES], struct hogo_error *err)
{
    int rc = check_json_object(r->decision_json, "/decision", err);
    return rc < 0 ? rc : hogo__ledger_receipt(st, r, id_out, err);
}

int hogo__ledger_receipt(struct hogo_store *st, const struct hogo_receipt *r,
                         char id_out[HOGO_LEDGER_ID_BYTES], struct hogo_error *err)
{
    return hogo__ledger_receipt_decided(st, r, NULL, id_out, err);
}

int hogo__ledger_receipt_decided(struct hogo_store *st, const struct hogo_receipt *r,
                                 const char *decided, char id_out[HOGO_LEDGER_ID_BYTES],
                                 struct hogo_error *err)
{
    char id[HOGO_LEDGER_ID_BYTES], *items = NULL;
    static const char why[] = "APPI Art. 30 requires it to be confirmed before receiving";
    int rc = hogo__check_id(r->subject_id, "subject id", err);
    if (rc == 0)
        rc = check_text(r->provider_name, "/provider_name", why, err);
    if (rc == 0)
        rc = check_text(r->provider_address, "/provider_address", why, err);
    if (rc == 0)
        rc = check_text(r->provider_representative, "/provider_representative", why, err);
    if (rc == 0)
        rc = check_text(r->acquisition, "/acquisition",
                        "how the provider obtained the data (取得の経緯) must be confirmed", err);
    if (rc == 0 && r->provider_corporate_number &&
        !hogo_corporate_number_valid(r->provider_corporate_number))
        rc = hogo_error_set(err, HOGO_EINVAL, "/provider_corporate_number",
                            "corporate number '%s' is not a valid 13-digit 法人番号",
                            r->provider_corporate_number);
    const char *const texts[][2] = {{r->provider_name, "/provider_name"},
                                    {r->provider_address, "/provider_address"},
                                    {r->provider_representative, "/provider_representative"},
                                    {r->acquisition, "/acquisition"},
                                    {r->policy_version, "/policy_version"}};
    if (rc == 0)
        rc = check_free_texts(texts, sizeof texts / sizeof *texts, err);
    if (rc == 0 && r->n_items == 0)
        rc = hogo_error_set(err, HOGO_EINVAL, "/items",
                            "a receipt record needs the data items received");
    if (rc == 0)
        rc = check_retention(r->record_required, r->retention_years, r->retention_from, err);
    if (rc == 0)
        rc = hogo__join_ids(st, "data_category", r->items, r->n_items, &items, err);
    if (rc < 0)
        return rc;
    rc = hogo__txn_begin(st, err);
    if (rc < 0)
        goto out;
    int64_t now = hogo__now_us(st), at = r->received_at ? r->received_at : now;
    int collective = !strcmp(r->retention_from, "last_provision");
    int64_t purge = add_years(collective ? at : now, r->retention_years);
    new_id("rcpt", id);
    struct hogo__val v[] = {
        HV_TEXT(r->subject_id), HV_TEXT(id), HV_INT(now), HV_INT(at), HV_TEXT(r->policy),
        HV_TEXT(r->policy_version), HV_TEXT(r->provider_name), HV_TEXT(r->provider_address),
        HV_TEXT(r->provider_representative), HV_TEXT(r->provider_corporate_number),
        HV_TEXT(r->acquisition), HV_TEXT(items), HV_TEXT(r->basis ? r->basis : "consent"),
        HV_INT(r->record_required ? 1 : 0), HV_INT(r->retention_years),
        HV_TEXT(r->retention_from), HV_INT(at), HV_INT(purge), HV_TEXT(r->decision_json)};
    rc = hogo__exec(st,
                    "INSERT INTO receipts (subject_id, receipt_id, created_at, received_at, "
                    "policy, policy_version, provider_name, provider_address, "
                    "provider_representative, provider_corporate_number, acquisition, items, "
                    "basis, record_required, retention_years, retention_from, last_receipt_at, "
                    "purge_after, decision) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                    "?, ?, ?, ?)",
                    v, 19, NULL, err);
    char obj[640], fields[260], detail[400], bound[65] = "";
    if (rc == 0)
        rc = hogo__record_hash(st, 1, r->subject_id, id, bound, err);
    snprintf(obj, sizeof obj, "receipt:%s items:%s%s%s", id, items, decided ? " " : "",
             decided ? decided : "");
    snprintf(fields, sizeof fields,
             "\"record_required\":%s,\"retention_years\":%d,\"purge_after\":%lld,"
             "\"record_blake2b\":\"%s\"",
             r->record_required ? "true" : "false", r->retention_years, (long long)purge, bound);
    record_detail(detail, sizeof detail, fields, r->decision_json);
    const struct hogo_audit_event ev = {r->subject_id, "receipt.record", obj, detail};
    rc = end_record(st, rc, collective ? receipt_extend_sql : NULL, at, purge, r->provider_name,
                    &ev, id, id_out, err);
out:
    free(items);
    return rc;
}

/* ---- listing and export ---- */

/* The common columns of both kinds, in export order. */
static const char *const columns[] = {
    "type", "id", "subject_id", "date", "counterparty", "counterparty_name",
    "corporate_number", "address", "representative", "country", "purpose", "items", "basis",
    "consent_id", "acquisition", "record_required", "retention_years", "retention_from",
    "purge_after", "policy", "policy_version", "decision", "detail"};
#define N_COLS (sizeof columns / sizeof columns[0])
#define CSV_COLS 21 /* the CSV leaves out the two JSON columns, decision and detail */

static const char prov_select[] =
    "SELECT 'provision', provision_id, subject_id, provided_at, recipient_id, recipient_name, "
    "recipient_corporate_number, recipient_address, recipient_representative, "
    "recipient_country, purpose, items, basis, consent_id, NULL, record_required, "
    "retention_years, retention_from, purge_after, policy, policy_version, decision, detail "
    "FROM provisions";
static const char rcpt_select[] =
    "SELECT 'receipt', receipt_id, subject_id, received_at, provider_name, provider_name, "
    "provider_corporate_number, provider_address, provider_representative, NULL, NULL, items, "
    "basis, NULL, acquisition, record_required, retention_years, retention_from, purge_after, "
    "policy, policy_version, decision, NULL FROM receipts";

struct sbuf {
    char *p;
    size_t n, cap;
    int oom;
};

static void sb_add(struct sbuf *b, const char *s, size_t n)
{
    if (b->oom)
        return;
    if (b->n + n + 1 > b->cap) {
        size_t nc = b->cap ? b->cap : 4096;
        while (nc < b->n + n + 1)
            nc *= 2;
        char *q = realloc(b->p, nc);
        if (!q) {
            b->oom = 1;
            return;
        }
        b->p = q;
        b->cap = nc;
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = '\0';
}

static void sb_csv(struct sbuf *b, const char *s)
{
    if (!s)
        return;
    if (!strpbrk(s, ",\"\r\n")) {
        sb_add(b, s, strlen(s));
        return;
    }
    sb_add(b, "\"", 1);
    for (const char *p = s; *p; p++) {
        if (*p == '"')
            sb_add(b, "\"", 1);
        sb_add(b, p, 1);
    }
    sb_add(b, "\"", 1);
}

struct export_ctx {
    int format;
    yajl_gen g;
    struct sbuf csv;
    int64_t rows;
};

static int is_time_col(size_t i) { return i == 3 || i == 18; }

static int row_export(void *ctx, const struct hogo__val *c, size_t n)
{
    struct export_ctx *x = ctx;
    char t[32], num[24];
    x->rows++;
    if (x->format == HOGO_LEDGER_CSV) {
        for (size_t i = 0; i < CSV_COLS && i < n; i++) {
            if (i)
                sb_add(&x->csv, ",", 1);
            if (c[i].type == HOGO__TEXT)
                sb_csv(&x->csv, c[i].s);
            else if (c[i].type == HOGO__INT) {
                if (is_time_col(i))
                    hogo__fmt_time(c[i].i, t);
                else
                    snprintf(t, sizeof t, "%lld", (long long)c[i].i);
                sb_csv(&x->csv, t);
            }
        }
        sb_add(&x->csv, "\n", 1);
        return x->csv.oom ? HOGO_ENOMEM : 0;
    }
    yajl_gen g = x->g;
    yajl_gen_map_open(g);
    for (size_t i = 0; i < N_COLS && i < n; i++) {
        hogo__gen_str(g, columns[i]);
        if (c[i].type == HOGO__NULL)
            yajl_gen_null(g);
        else if (i == 11)
            hogo__gen_csv_array(g, c[i].s);
        else if (i >= 21 && c[i].type == HOGO__TEXT)
            /* validated JSON object text, embedded as is (yajl emits number text verbatim) */
            yajl_gen_number(g, c[i].s, c[i].n);
        else if (c[i].type == HOGO__INT && is_time_col(i)) {
            hogo__fmt_time(c[i].i, t);
            hogo__gen_str(g, t);
        } else if (c[i].type == HOGO__INT && i == 15)
            yajl_gen_bool(g, c[i].i != 0);
        else if (c[i].type == HOGO__INT) {
            snprintf(num, sizeof num, "%lld", (long long)c[i].i);
            yajl_gen_number(g, num, strlen(num));
        } else
            hogo__gen_str(g, c[i].s);
    }
    yajl_gen_map_close(g);
    return 0;
}

/* Builds "SELECT ... WHERE ..." for one kind into sql and params. */
static void build_query(const char *select, int receipts, const struct hogo_ledger_filter *f,
                        char *sql, size_t cap, struct hogo__val *p, size_t *np)
{
    size_t k = 0;
    const char *date = receipts ? "received_at" : "provided_at";
    snprintf(sql, cap, "%s WHERE 1 = 1", select);
    if (f->subject_id) {
        strncat(sql, " AND subject_id = ?", cap - strlen(sql) - 1);
        p[k++] = HV_TEXT(f->subject_id);
    }
    if (f->recipient) {
        strncat(sql,
                receipts ? " AND (provider_name = ? OR provider_corporate_number = ?)"
                         : " AND (recipient_id = ? OR recipient_name = ? OR "
                           "recipient_corporate_number = ?)",
                cap - strlen(sql) - 1);
        for (int i = 0; i < (receipts ? 2 : 3); i++)
            p[k++] = HV_TEXT(f->recipient);
    }
    char cond[64];
    if (f->from) {
        snprintf(cond, sizeof cond, " AND %s >= ?", date);
        strncat(sql, cond, cap - strlen(sql) - 1);
        p[k++] = HV_INT(f->from);
    }
    if (f->to) {
        snprintf(cond, sizeof cond, " AND %s <= ?", date);
        strncat(sql, cond, cap - strlen(sql) - 1);
        p[k++] = HV_INT(f->to);
    }
    snprintf(cond, sizeof cond, " ORDER BY %s, %s", date, receipts ? "receipt_id" : "provision_id");
    strncat(sql, cond, cap - strlen(sql) - 1);
    *np = k;
}

int hogo_ledger_export(struct hogo_store *st, const struct hogo_ledger_filter *f, int format,
                       char **out, struct hogo_error *err)
{
    static const struct hogo_ledger_filter all;
    struct export_ctx x = {.format = format};
    char sql[2048];
    struct hogo__val p[8];
    size_t np;
    int rc;
    *out = NULL;
    if (!f)
        f = &all;
    if (format == HOGO_LEDGER_JSON) {
        if (!(x.g = yajl_gen_alloc(NULL)))
            return hogo_error_set(err, HOGO_ENOMEM, NULL, "out of memory");
        yajl_gen_array_open(x.g);
    } else {
        for (size_t i = 0; i < CSV_COLS; i++) {
            if (i)
                sb_add(&x.csv, ",", 1);
            sb_add(&x.csv, columns[i], strlen(columns[i]));
        }
        sb_add(&x.csv, "\n", 1);
    }
    rc = hogo__txn_begin(st, err);
    if (rc < 0)
        goto out;
    if (f->kind != 2) {
        build_query(prov_select, 0, f, sql, sizeof sql, p, &np);
        rc = hogo__query(st, sql, p, np, row_export, &x, err);
    }
    if (rc == 0 && f->kind != 1) {
        build_query(rcpt_select, 1, f, sql, sizeof sql, p, &np);
        rc = hogo__query(st, sql, p, np, row_export, &x, err);
    }
    if (rc == HOGO_ENOMEM)
        rc = hogo_error_set(err, rc, NULL, "out of memory exporting the ledger");
    if (rc == 0) {
        char detail[64];
        snprintf(detail, sizeof detail, "{\"records\":%lld}", (long long)x.rows);
        rc = hogo__audit_append(st, f->subject_id, "ledger.export",
                                f->recipient ? f->recipient : "*", detail, err);
    }
    rc = hogo__txn_end(st, rc, err);
    if (rc < 0)
        goto out;
    if (format == HOGO_LEDGER_JSON) {
        yajl_gen_array_close(x.g);
        rc = hogo__gen_take(x.g, out, err);
    } else if (x.csv.oom) {
        rc = hogo_error_set(err, HOGO_ENOMEM, NULL, "out of memory exporting the ledger");
    } else {
        *out = x.csv.p;
        x.csv.p = NULL;
    }
out:
    if (x.g)
        yajl_gen_free(x.g);
    free(x.csv.p);
    return rc;
}

int hogo_ledger_show_json(struct hogo_store *st, const char *id, char **json,
                          struct hogo_error *err)
{
    struct export_ctx x = {.format = HOGO_LEDGER_JSON};
    char sql[1024];
    *json = NULL;
    int rc = hogo__check_id(id, "record id", err);
    if (rc < 0)
        return rc;
    int receipt = !strncmp(id, "rcpt-", 5);
    snprintf(sql, sizeof sql, "%s WHERE %s = ?", receipt ? rcpt_select : prov_select,
             receipt ? "receipt_id" : "provision_id");
    if (!(x.g = yajl_gen_alloc(NULL)))
        return hogo_error_set(err, HOGO_ENOMEM, NULL, "out of memory");
    hogo__gen_pretty(x.g);
    struct hogo__val p[] = {HV_TEXT(id)};
    rc = hogo__query(st, sql, p, 1, row_export, &x, err);
    if (rc == 0 && x.rows == 0)
        rc = hogo_error_set(err, HOGO_ENOTFOUND, NULL,
                            "no ledger record '%s'; see 'hogo ledger list'", id);
    if (rc == 0)
        rc = hogo__gen_take(x.g, json, err);
    yajl_gen_free(x.g);
    return rc;
}

int hogo_ledger_purge(struct hogo_store *st, int64_t *purged, struct hogo_error *err)
{
    int64_t now = hogo__now_us(st), a = 0, b = 0;
    int rc = hogo__txn_begin(st, err);
    if (rc < 0)
        return rc;
    struct hogo__val p[] = {HV_INT(now)};
    rc = hogo__exec(st, "DELETE FROM provisions WHERE purge_after < ?", p, 1, &a, err);
    if (rc == 0)
        rc = hogo__exec(st, "DELETE FROM receipts WHERE purge_after < ?", p, 1, &b, err);
    if (rc == 0) {
        char detail[96];
        snprintf(detail, sizeof detail, "{\"provisions\":%lld,\"receipts\":%lld}", (long long)a,
                 (long long)b);
        rc = hogo__audit_append(st, NULL, "ledger.purge", "past_retention", detail, err);
    }
    rc = hogo__txn_end(st, rc, err);
    if (rc == 0 && purged)
        *purged = a + b;
    return rc;
}

int hogo__ledger_gen_subject(struct hogo_store *st, yajl_gen g, const char *subject_id,
                             int64_t *n_records, struct hogo_error *err)
{
    const struct hogo_ledger_filter f = {.subject_id = subject_id};
    struct export_ctx x = {.format = HOGO_LEDGER_JSON, .g = g};
    char sql[2048];
    struct hogo__val p[8];
    size_t np;
    hogo__gen_str(g, "provisions");
    yajl_gen_array_open(g);
    build_query(prov_select, 0, &f, sql, sizeof sql, p, &np);
    int rc = hogo__query(st, sql, p, np, row_export, &x, err);
    yajl_gen_array_close(g);
    hogo__gen_str(g, "receipts");
    yajl_gen_array_open(g);
    if (rc == 0) {
        build_query(rcpt_select, 1, &f, sql, sizeof sql, p, &np);
        rc = hogo__query(st, sql, p, np, row_export, &x, err);
    }
    yajl_gen_array_close(g);
    if (rc == HOGO_ENOMEM)
        rc = hogo_error_set(err, rc, NULL, "out of memory reading the ledger");
    if (n_records)
        *n_records = x.rows;
    return rc;
}
