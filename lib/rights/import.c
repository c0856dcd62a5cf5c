/*
 * Bulk loading of people: `hogo subject import` and `hogo subject export`. Rights layer (it
 * writes the store's subject tables directly, in batches, for speed).
 * Formats, one person per line:
 *  - JSON lines: {"subject_id": "u1", "operator": "irp", "facts": {"age": 34,
 *    "linked_accounts": ["ponta"], "opt_outs": ["ad_delivery"], ...}, "consents": [{"id":
 *    "c1", "recipient": "...", "purpose": "...", "data": ["name"], "policy": "irp",
 *    "policy_version": "2025-04-01", "method": "web_form"}]};
 *  - CSV with a header: subject_id, operator, then any subject facts as columns; a list
 *    fact's values are separated by ';'; an empty cell leaves the fact unknown. (Consents
 *    travel in JSON lines only.)
 * Every value is checked (the facts' types, ids against the installed vocabulary check,
 * corporate numbers, UTF-8) before anything of the line is written, and the line's first
 * write claims its subject id, so a bad or duplicate line stores nothing. Lines are
 * committed in batches with the file's progress (import_runs, keyed by the file's content
 * hash) in the same transaction: a second run of the same file resumes after the last batch.
 * Each person is one subject.import audit event.
 */
#include "rights_int.h"

#include "policy/policy_int.h"

#include <sodium.h>
#include <utf8proc.h>
#include <yajl/yajl_tree.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_FACT_ROWS 256
#define MAX_CONSENTS 32
#define ARENA 65536

/* The vocabulary check installed by the CLI is hogo_vocab_check_id() (lib/policy). */

/* ---- one person, parsed ---- */

struct person {
    int64_t line;
    const char *subject, *op;
    const char *fact[MAX_FACT_ROWS], *value[MAX_FACT_ROWS];
    size_t nfacts;
    struct {
        const char *id, *recipient, *purpose, *policy, *version, *method;
        char *data; /* allocated: ids joined by commas */
    } consent[MAX_CONSENTS];
    size_t nconsents;
    char arena[ARENA]; /* normalised scalar values */
    size_t used;
};

static void person_reset(struct person *p, int64_t line)
{
    for (size_t i = 0; i < p->nconsents; i++)
        free(p->consent[i].data);
    p->line = line;
    p->subject = p->op = NULL;
    p->nfacts = p->nconsents = 0;
    p->used = 0;
}

static const char *keep(struct person *p, const char *s, struct hogo_error *err)
{
    size_t n = strlen(s) + 1;
    if (p->used + n > ARENA) {
        hogo_error_set(err, HOGO_ELIMIT, NULL, "the line holds too many values (over %d bytes)",
                       ARENA);
        return NULL;
    }
    char *d = p->arena + p->used;
    memcpy(d, s, n);
    p->used += n;
    return d;
}

/* Checks and adds one value of a fact (a list fact's element, or a scalar). */
static int add_fact(struct hogo_store *st, struct person *p, const char *fact, const char *v,
                    int want_array, struct hogo_error *err)
{
    char norm[32];
    int array = 0;
    int rc = hogo__fact_check(st, fact, v, norm, &array, err);
    if (rc < 0)
        return rc;
    if (want_array >= 0 && want_array != array)
        return hogo_error_set(err, HOGO_EINVAL, NULL,
                              array ? "fact '%s' is a list: give an array of values"
                                    : "fact '%s' takes one value, not a list",
                              fact);
    if (p->nfacts == MAX_FACT_ROWS)
        return hogo_error_set(err, HOGO_ELIMIT, NULL, "more than %d fact values on one line",
                              MAX_FACT_ROWS);
    const char *val = array ? v : keep(p, norm, err);
    if (!val)
        return HOGO_ELIMIT;
    for (size_t i = 0; i < p->nfacts; i++)
        if (!strcmp(p->fact[i], fact) && (!array || !strcmp(p->value[i], val)))
            return hogo_error_set(err, HOGO_EINVAL, NULL, "fact '%s' is given twice%s%s", fact,
                                  array ? ": " : "", array ? val : "");
    p->fact[p->nfacts] = fact;
    p->value[p->nfacts++] = val;
    return 0;
}

static int check_head(struct hogo_store *st, struct person *p, struct hogo_error *err)
{
    if (!p->subject)
        return hogo_error_set(err, HOGO_EINVAL, "/subject_id", "subject_id is missing");
    int rc = hogo__check_id(p->subject, "subject id", err);
    if (rc == 0 && !p->op)
        rc = hogo_error_set(err, HOGO_EINVAL, "/operator",
                            "operator is missing (the policy id, e.g. irp)");
    if (rc == 0)
        rc = hogo__check_vocab(st, "policy", p->op, err);
    return rc;
}

static const char *tree_string(yajl_val o, const char *key)
{
    const char *path[] = {key, NULL};
    yajl_val v = yajl_tree_get(o, path, yajl_t_any);
    return v && YAJL_IS_STRING(v) ? YAJL_GET_STRING(v) : NULL;
}

static int parse_consent(struct hogo_store *st, struct person *p, yajl_val c, size_t idx,
                         struct hogo_error *err)
{
    if (!YAJL_IS_OBJECT(c))
        return hogo_error_set(err, HOGO_EINVAL, NULL, "consents[%zu] is not an object", idx);
    if (p->nconsents == MAX_CONSENTS)
        return hogo_error_set(err, HOGO_ELIMIT, NULL, "more than %d consents", MAX_CONSENTS);
    static const char *const known[] = {"id", "recipient", "purpose", "data", "policy",
                                        "policy_version", "method"};
    for (size_t i = 0; i < c->u.object.len; i++) {
        int ok = 0;
        for (size_t k = 0; k < sizeof known / sizeof known[0]; k++)
            ok |= !strcmp(c->u.object.keys[i], known[k]);
        if (!ok)
            return hogo_error_set(err, HOGO_EINVAL, NULL,
                                  "consents[%zu] has an unknown field '%s' (known: id, "
                                  "recipient, purpose, data, policy, policy_version, method)",
                                  idx, c->u.object.keys[i]);
    }
    size_t n = p->nconsents;
    p->consent[n].id = tree_string(c, "id");
    p->consent[n].recipient = tree_string(c, "recipient");
    p->consent[n].purpose = tree_string(c, "purpose");
    p->consent[n].policy = tree_string(c, "policy");
    p->consent[n].version = tree_string(c, "policy_version");
    p->consent[n].method = tree_string(c, "method");
    p->consent[n].data = NULL;
    const char *path[] = {"data", NULL};
    yajl_val d = yajl_tree_get(c, path, yajl_t_array);
    if (!p->consent[n].id || !p->consent[n].recipient || !p->consent[n].purpose || !d ||
        !p->consent[n].policy || !p->consent[n].version)
        return hogo_error_set(err, HOGO_EINVAL, NULL,
                              "consents[%zu] needs id, recipient, purpose, data (an array), "
                              "policy and policy_version",
                              idx);
    int rc = hogo__check_id(p->consent[n].id, "consent id", err);
    if (rc == 0)
        rc = hogo__check_vocab(st, "recipient", p->consent[n].recipient, err);
    if (rc == 0)
        rc = hogo__check_vocab(st, "purpose", p->consent[n].purpose, err);
    if (rc == 0)
        rc = hogo__check_vocab(st, "policy", p->consent[n].policy, err);
    int y, m, dd;
    char tail;
    if (rc == 0 && (strlen(p->consent[n].version) != 10 ||
                    sscanf(p->consent[n].version, "%4d-%2d-%2d%c", &y, &m, &dd, &tail) != 3))
        rc = hogo_error_set(err, HOGO_EINVAL, NULL,
                            "consents[%zu].policy_version '%s' is not a date YYYY-MM-DD", idx,
                            p->consent[n].version);
    const char *ids[64];
    size_t nid = 0;
    for (size_t i = 0; rc == 0 && i < d->u.array.len; i++) {
        if (!YAJL_IS_STRING(d->u.array.values[i]) || nid == 64)
            rc = hogo_error_set(err, HOGO_EINVAL, NULL,
                                "consents[%zu].data holds data category ids (strings, at most "
                                "64)",
                                idx);
        else
            ids[nid++] = YAJL_GET_STRING(d->u.array.values[i]);
    }
    if (rc == 0)
        rc = hogo__join_ids(st, "data_category", ids, nid, &p->consent[n].data, err);
    for (size_t i = 0; rc == 0 && i < n; i++)
        if (!strcmp(p->consent[i].id, p->consent[n].id))
            rc = hogo_error_set(err, HOGO_EINVAL, NULL, "consent id '%s' is given twice",
                                p->consent[n].id);
    p->nconsents++; /* data freed by person_reset either way */
    return rc;
}

/* A JSON line into p (values borrowed from tree, which the caller frees after writing). */
static int parse_json(struct hogo_store *st, struct person *p, yajl_val t,
                      struct hogo_error *err)
{
    if (!YAJL_IS_OBJECT(t))
        return hogo_error_set(err, HOGO_EINVAL, NULL, "a line holds one JSON object");
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < t->u.object.len; i++) {
        const char *k = t->u.object.keys[i];
        yajl_val v = t->u.object.values[i];
        if (!strcmp(k, "subject_id") || !strcmp(k, "operator")) {
            if (!YAJL_IS_STRING(v))
                rc = hogo_error_set(err, HOGO_EINVAL, NULL, "%s must be a string", k);
            else if (k[0] == 's')
                p->subject = YAJL_GET_STRING(v);
            else
                p->op = YAJL_GET_STRING(v);
        } else if (!strcmp(k, "facts")) {
            if (!YAJL_IS_OBJECT(v)) {
                rc = hogo_error_set(err, HOGO_EINVAL, "/facts", "facts must be an object");
                break;
            }
            for (size_t j = 0; rc == 0 && j < v->u.object.len; j++) {
                const char *f = v->u.object.keys[j];
                yajl_val fv = v->u.object.values[j];
                char num[32];
                if (YAJL_IS_ARRAY(fv)) {
                    for (size_t e = 0; rc == 0 && e < fv->u.array.len; e++) {
                        yajl_val ev = fv->u.array.values[e];
                        rc = YAJL_IS_STRING(ev)
                                 ? add_fact(st, p, f, YAJL_GET_STRING(ev), 1, err)
                                 : hogo_error_set(err, HOGO_EINVAL, NULL,
                                                  "facts.%s[%zu] must be a string", f, e);
                    }
                    if (rc == 0 && fv->u.array.len == 0) /* a known, empty list */
                        rc = hogo_error_set(err, HOGO_EINVAL, NULL,
                                            "facts.%s is an empty list; leave the fact out "
                                            "instead",
                                            f);
                } else if (YAJL_IS_INTEGER(fv)) {
                    snprintf(num, sizeof num, "%lld", (long long)YAJL_GET_INTEGER(fv));
                    rc = add_fact(st, p, f, num, 0, err);
                } else if (YAJL_IS_TRUE(fv) || YAJL_IS_FALSE(fv))
                    rc = add_fact(st, p, f, YAJL_IS_TRUE(fv) ? "true" : "false", 0, err);
                else if (YAJL_IS_STRING(fv))
                    rc = add_fact(st, p, f, YAJL_GET_STRING(fv), 0, err);
                else
                    rc = hogo_error_set(err, HOGO_EINVAL, NULL,
                                        "facts.%s must be a number, true/false, a string or a "
                                        "list",
                                        f);
                if (rc < 0 && !strstr(err->message, f)) {
                    char m[sizeof err->message];
                    snprintf(m, sizeof m, "%s", err->message);
                    hogo_error_set(err, rc, NULL, "facts.%s: %s", f, m);
                }
            }
        } else if (!strcmp(k, "consents")) {
            if (!YAJL_IS_ARRAY(v))
                rc = hogo_error_set(err, HOGO_EINVAL, NULL, "consents must be an array");
            for (size_t j = 0; rc == 0 && j < v->u.array.len; j++)
                rc = parse_consent(st, p, v->u.array.values[j], j, err);
        } else
            rc = hogo_error_set(err, HOGO_EINVAL, NULL,
                                "unknown field '%s' (known: subject_id, operator, facts, "
                                "consents)",
                                k);
    }
    if (rc == 0)
        rc = check_head(st, p, err);
    return rc;
}

/* ---- CSV ---- */

/* Splits one CSV record (RFC 4180 quoting, no line breaks inside) into cells, in place. */
static int csv_split(char *line, char **cells, size_t cap, size_t *n, struct hogo_error *err)
{
    size_t k = 0;
    char *r = line, *w = line;
    for (;;) {
        if (k == cap)
            return hogo_error_set(err, HOGO_ELIMIT, NULL, "more than %zu columns", cap);
        cells[k++] = w;
        if (*r == '"') {
            r++;
            for (;;) {
                if (!*r)
                    return hogo_error_set(err, HOGO_EINVAL, NULL,
                                          "column %zu opens a quote it never closes", k);
                if (*r == '"' && r[1] == '"') {
                    *w++ = '"';
                    r += 2;
                } else if (*r == '"') {
                    r++;
                    break;
                } else
                    *w++ = *r++;
            }
            if (*r && *r != ',')
                return hogo_error_set(err, HOGO_EINVAL, NULL,
                                      "column %zu has text after its closing quote", k);
        } else
            while (*r && *r != ',') {
                if (*r == '"')
                    return hogo_error_set(err, HOGO_EINVAL, NULL,
                                          "column %zu has a quote inside an unquoted value; "
                                          "quote the whole value and double the quote",
                                          k);
                *w++ = *r++;
            }
        int more = *r == ',';
        *w++ = '\0';
        if (!more)
            break;
        r++;
    }
    *n = k;
    return 0;
}

struct csv_header {
    char **names; /* owned */
    int *array;   /* owned: 1 for a list fact's column */
    size_t n;
    int subject_col, op_col;
};

static int parse_csv(struct hogo_store *st, struct person *p, const struct csv_header *h,
                     char *line, struct hogo_error *err)
{
    char *cells[256];
    size_t n = 0;
    int rc = csv_split(line, cells, 256, &n, err);
    if (rc < 0)
        return rc;
    if (n != h->n)
        return hogo_error_set(err, HOGO_EINVAL, NULL,
                              "the line has %zu columns, the header %zu; every line needs a "
                              "cell per column (empty for unknown)",
                              n, h->n);
    p->subject = cells[h->subject_col];
    p->op = cells[h->op_col];
    for (size_t c = 0; rc == 0 && c < n; c++) {
        if ((int)c == h->subject_col || (int)c == h->op_col || !cells[c][0])
            continue;
        int array = h->array[c];
        if (array) {
            char *save = NULL;
            for (char *v = strtok_r(cells[c], ";", &save); rc == 0 && v;
                 v = strtok_r(NULL, ";", &save))
                rc = add_fact(st, p, h->names[c], v, 1, err);
        } else
            rc = add_fact(st, p, h->names[c], cells[c], 0, err);
        if (rc < 0 && !strstr(err->message, h->names[c])) {
            char m[sizeof err->message];
            snprintf(m, sizeof m, "%s", err->message);
            hogo_error_set(err, rc, NULL, "column %s: %s", h->names[c], m);
        }
    }
    if (rc == 0)
        rc = check_head(st, p, err);
    return rc;
}

static int read_header(struct hogo_store *st, char *line, struct csv_header *h,
                       struct hogo_error *err)
{
    char *cells[256];
    size_t n = 0;
    int rc = csv_split(line, cells, 256, &n, err);
    if (rc < 0)
        return rc;
    h->subject_col = h->op_col = -1;
    if (!(h->names = calloc(n, sizeof *h->names)) || !(h->array = calloc(n, sizeof *h->array)))
        return hogo_error_set(err, HOGO_ENOMEM, NULL, "out of memory");
    h->n = n;
    for (size_t i = 0; i < n; i++) {
        if (!(h->names[i] = strdup(cells[i])))
            return hogo_error_set(err, HOGO_ENOMEM, NULL, "out of memory");
        if (!strcmp(cells[i], "subject_id"))
            h->subject_col = (int)i;
        else if (!strcmp(cells[i], "operator"))
            h->op_col = (int)i;
        else {
            char norm[32];
            int array = -1;
            hogo__fact_check(st, cells[i], "", norm, &array, err);
            if (array < 0)
                return HOGO_EINVAL; /* unknown, or not settable: err says which */
            hogo_error_clear(err);
            h->array[i] = array;
            for (size_t j = 0; j < i; j++)
                if (!strcmp(h->names[j], cells[i]))
                    return hogo_error_set(err, HOGO_EINVAL, NULL,
                                          "column '%s' appears twice in the header", cells[i]);
        }
    }
    if (h->subject_col < 0 || h->op_col < 0)
        return hogo_error_set(err, HOGO_EINVAL, NULL,
                              "the header needs the columns subject_id and operator");
    return 0;
}

/* ---- writing one person ---- */

static const char sql_subject[] =
    "INSERT INTO subjects (subject_id, operator, created_at, next_item) VALUES (?, ?, ?, 1) "
    "ON CONFLICT (subject_id) DO NOTHING";
static const char sql_fact[] =
    "INSERT INTO subject_facts (subject_id, fact, value, updated_at) VALUES (?, ?, ?, ?)";
static const char sql_consent[] =
    "INSERT INTO consents (subject_id, consent_id, recipient, purpose, data, policy,"
    " policy_version, method, given_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";

static int write_person(struct hogo_store *st, const struct person *p, int64_t now,
                        const char *file, struct hogo_error *err)
{
    struct hogo__val s[] = {HV_TEXT(p->subject), HV_TEXT(p->op), HV_INT(now)};
    int64_t changes = 0;
    int rc = hogo__exec(st, sql_subject, s, 3, &changes, err);
    if (rc == 0 && changes == 0)
        return hogo_error_set(err, HOGO_EINVAL, "/subject_id",
                              "subject '%s' already exists (an earlier line, or already in the "
                              "store); nothing of this line was stored",
                              p->subject);
    for (size_t i = 0; rc == 0 && i < p->nfacts; i++) {
        struct hogo__val f[] = {HV_TEXT(p->subject), HV_TEXT(p->fact[i]), HV_TEXT(p->value[i]),
                                HV_INT(now)};
        rc = hogo__exec(st, sql_fact, f, 4, NULL, err);
    }
    for (size_t i = 0; rc == 0 && i < p->nconsents; i++) {
        struct hogo__val c[] = {HV_TEXT(p->subject),
                                HV_TEXT(p->consent[i].id),
                                HV_TEXT(p->consent[i].recipient),
                                HV_TEXT(p->consent[i].purpose),
                                HV_TEXT(p->consent[i].data),
                                HV_TEXT(p->consent[i].policy),
                                HV_TEXT(p->consent[i].version),
                                HV_TEXT(p->consent[i].method ? p->consent[i].method : "import"),
                                HV_INT(now)};
        rc = hogo__exec(st, sql_consent, c, 9, NULL, err);
    }
    if (rc == 0) {
        char object[64], detail[320];
        snprintf(object, sizeof object, "line:%lld", (long long)p->line);
        snprintf(detail, sizeof detail, "\"facts\":%zu,\"consents\":%zu,\"file\":\"%.200s\"",
                 p->nfacts, p->nconsents, file);
        /* the event seals the person's facts as imported (lib/audit/facts.c) */
        rc = hogo__audit_append_facts(st, p->subject, "subject.import", object, detail, err);
    }
    return rc;
}

/* ---- the run ---- */

/* The file's content hash (its run key) and size. */
static int file_key(const char *path, char key[65], int64_t *size, struct hogo_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return hogo_error_set(err, HOGO_EIO, path, "cannot read '%s': %s", path,
                              strerror(errno));
    crypto_generichash_state s;
    unsigned char buf[65536], h[32];
    size_t n;
    *size = 0;
    crypto_generichash_init(&s, NULL, 0, sizeof h);
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) {
        crypto_generichash_update(&s, buf, n);
        *size += (int64_t)n;
    }
    int bad = ferror(f);
    fclose(f);
    if (bad)
        return hogo_error_set(err, HOGO_EIO, path, "reading '%s' failed", path);
    crypto_generichash_final(&s, h, sizeof h);
    hogo__hex(h, sizeof h, key);
    return 0;
}

static int valid_utf8(const char *s, size_t n)
{
    const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
    utf8proc_ssize_t left = (utf8proc_ssize_t)n;
    while (left > 0) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t k = utf8proc_iterate(p, left, &cp);
        if (k < 0 || cp == 0)
            return 0;
        p += k;
        left -= k;
    }
    return 1;
}

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

int hogo_subject_import(struct hogo_store *st, const char *path,
                        const struct hogo_import_opts *o, struct hogo_import_result *res,
                        struct hogo_error *err)
{
    static const struct hogo_import_opts defaults;
    if (!o)
        o = &defaults;
    memset(res, 0, sizeof *res);
    size_t plen = path ? strlen(path) : 0;
    int csv = plen > 4 && !strcmp(path + plen - 4, ".csv");
    if (!csv && !(plen > 6 && !strcmp(path + plen - 6, ".jsonl")))
        return hogo_error_set(err, HOGO_EINVAL, path,
                              "'%s': import reads .jsonl (one JSON object per line) or .csv "
                              "(a header, then a person per line)",
                              path ? path : "");
    char key[65];
    int64_t total = 0, done = 0;
    int rc = file_key(path, key, &total, err);
    if (rc < 0)
        return rc;
    struct hogo__val k[] = {HV_TEXT(key)};
    rc = hogo__query_int(st, "SELECT lines_done FROM import_runs WHERE run_key = ?", k, 1,
                         &done, NULL, err);
    if (rc < 0)
        return rc;
    FILE *f = fopen(path, "rb");
    if (!f)
        return hogo_error_set(err, HOGO_EIO, path, "cannot read '%s': %s", path,
                              strerror(errno));
    struct person *p = calloc(1, sizeof *p);
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    int64_t lineno = 0, bytes = 0, in_batch = 0, first_bad = 0;
    unsigned batch = o->batch ? o->batch : 5000;
    struct csv_header h = {0};
    const char *file = base_name(path);
    char first_msg[sizeof err->message + sizeof err->where + 8] = "";
    if (!p) {
        fclose(f);
        return hogo_error_set(err, HOGO_ENOMEM, NULL, "out of memory");
    }
    int open_txn = 0, stop = 0;
    while (!stop && (len = getline(&line, &cap, f)) >= 0) {
        lineno++;
        bytes += len;
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = '\0';
        if (csv && lineno == 1) {
            rc = read_header(st, line, &h, err);
            if (rc < 0) {
                char m[sizeof err->message];
                snprintf(m, sizeof m, "%s", err->message);
                hogo_error_set(err, rc, path, "%s:1: %s", path, m);
                break;
            }
            continue;
        }
        if (lineno <= done) {
            res->skipped++;
            continue;
        }
        if (len == 0)
            continue;
        if (!open_txn) {
            if ((rc = hogo__txn_begin(st, err)) < 0)
                break;
            open_txn = 1;
        }
        person_reset(p, lineno);
        struct hogo_error lerr;
        hogo_error_clear(&lerr);
        yajl_val t = NULL;
        int lrc = 0;
        if (!valid_utf8(line, (size_t)len))
            lrc = hogo_error_set(&lerr, HOGO_EINVAL, NULL,
                                 "the line is not valid UTF-8 (or holds a NUL byte); save the "
                                 "file as UTF-8");
        else if (csv)
            lrc = parse_csv(st, p, &h, line, &lerr);
        else {
            char ebuf[256];
            t = yajl_tree_parse(line, ebuf, sizeof ebuf);
            if (!t) {
                ebuf[strcspn(ebuf, "\n")] = '\0';
                lrc = hogo_error_set(&lerr, HOGO_EINVAL, NULL, "not JSON: %s", ebuf);
            } else
                lrc = parse_json(st, p, t, &lerr);
        }
        if (lrc == 0 && o->operator_only && strcmp(p->op, o->operator_only))
            lrc = hogo_error_set(&lerr, HOGO_EINVAL, "/operator",
                                 "operator '%s' is not '%s', the only one this import may "
                                 "load",
                                 p->op, o->operator_only);
        if (lrc == 0) {
            lrc = write_person(st, p, hogo__now_us(st), file, &lerr);
            if (lrc < 0 && lrc != HOGO_EINVAL) { /* the store failed: give up the batch */
                yajl_tree_free(t);
                *err = lerr;
                rc = lrc;
                break;
            }
        }
        yajl_tree_free(t);
        if (lrc < 0) {
            res->bad++;
            char msg[sizeof lerr.message + sizeof lerr.where + 8];
            snprintf(msg, sizeof msg, "%s%s%s", lerr.message, lerr.where[0] ? " at " : "",
                     lerr.where);
            if (o->bad_line)
                o->bad_line(o->ctx, lineno, msg);
            if (!first_bad) {
                first_bad = lineno;
                memcpy(first_msg, msg, sizeof first_msg);
            }
            if (o->strict)
                stop = 1;
        } else
            res->imported++;
        in_batch++;
        if (in_batch >= batch || stop) {
            struct hogo__val u[] = {HV_TEXT(key), HV_TEXT(path), HV_INT(stop ? lineno - 1 : lineno),
                                    HV_INT(res->imported), HV_INT(hogo__now_us(st))};
            rc = hogo__exec(st,
                            "INSERT INTO import_runs (run_key, path, lines_done, imported,"
                            " updated_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (run_key) DO UPDATE"
                            " SET lines_done = excluded.lines_done, imported ="
                            " import_runs.imported + excluded.imported, updated_at ="
                            " excluded.updated_at",
                            u, 5, NULL, err);
            rc = hogo__txn_end(st, rc, err);
            open_txn = 0;
            in_batch = 0;
            if (rc < 0)
                break;
            if (o->progress)
                o->progress(o->ctx, lineno, bytes, total);
        }
    }
    if (open_txn) {
        if (rc == 0) {
            struct hogo__val u[] = {HV_TEXT(key), HV_TEXT(path), HV_INT(lineno),
                                    HV_INT(res->imported), HV_INT(hogo__now_us(st))};
            rc = hogo__exec(st,
                            "INSERT INTO import_runs (run_key, path, lines_done, imported,"
                            " updated_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (run_key) DO UPDATE"
                            " SET lines_done = excluded.lines_done, updated_at ="
                            " excluded.updated_at",
                            u, 5, NULL, err);
        }
        rc = hogo__txn_end(st, rc, err);
    }
    if (rc == 0 && o->progress)
        o->progress(o->ctx, lineno, bytes, total);
    if (rc == 0 && ferror(f))
        rc = hogo_error_set(err, HOGO_EIO, path, "reading '%s' failed", path);
    person_reset(p, 0);
    free(p);
    free(line);
    for (size_t i = 0; i < h.n; i++)
        free(h.names[i]);
    free(h.names);
    free(h.array);
    fclose(f);
    if (rc == 0 && res->bad)
        rc = hogo_error_set(err, HOGO_EINVAL, path,
                            "%s:%lld: %s (%lld bad line%s, nothing of %s stored%s)", path,
                            (long long)first_bad, first_msg, (long long)res->bad,
                            res->bad == 1 ? "" : "s", res->bad == 1 ? "it" : "them",
                            o->strict ? "; stopped there (--strict)" : "");
    return rc;
}

/* ---- export ---- */

struct export_ctx {
    struct hogo_store *st;
    FILE *out;
    int csv;
    char cur[132], op[64];
    int have;
    yajl_gen g;             /* JSON: the line being built */
    char *cells[64];        /* CSV: one cell per settable fact (allocated) */
    const char *names[64];
    size_t nnames;
    int failed;
    char list[64]; /* JSON: the list fact whose array is open, or "" */
    struct hogo_error *err;
};

static void close_list(struct export_ctx *x)
{
    if (x->list[0])
        yajl_gen_array_close(x->g);
    x->list[0] = '\0';
}

static void csv_cell(FILE *f, const char *s)
{
    if (!strpbrk(s, ",\"\r\n")) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

static int row_consent(void *ctx, const struct hogo__val *c, size_t n)
{
    yajl_gen g = ctx;
    if (n < 7)
        return 1;
    yajl_gen_map_open(g);
    hogo__gen_kv_str(g, "id", c[0].s);
    hogo__gen_kv_str(g, "recipient", c[1].s);
    hogo__gen_kv_str(g, "purpose", c[2].s);
    hogo__gen_str(g, "data");
    hogo__gen_csv_array(g, c[3].s);
    hogo__gen_kv_str(g, "policy", c[4].s);
    hogo__gen_kv_str(g, "policy_version", c[5].s);
    hogo__gen_kv_str(g, "method", c[6].s);
    yajl_gen_map_close(g);
    return 0;
}

static int flush_person(struct export_ctx *x)
{
    if (!x->have)
        return 0;
    int rc = 0;
    if (x->csv) {
        csv_cell(x->out, x->cur);
        fputc(',', x->out);
        csv_cell(x->out, x->op);
        for (size_t i = 0; i < x->nnames; i++) {
            fputc(',', x->out);
            if (x->cells[i])
                csv_cell(x->out, x->cells[i]);
            free(x->cells[i]);
            x->cells[i] = NULL;
        }
        fputc('\n', x->out);
    } else {
        yajl_gen g = x->g;
        close_list(x);
        yajl_gen_map_close(g); /* facts */
        hogo__gen_str(g, "consents");
        yajl_gen_array_open(g);
        struct hogo__val p[] = {HV_TEXT(x->cur)};
        rc = hogo__query(x->st,
                         "SELECT consent_id, recipient, purpose, data, policy, policy_version,"
                         " method FROM consents WHERE subject_id = ? AND withdrawn_at IS NULL"
                         " ORDER BY consent_id",
                         p, 1, row_consent, g, x->err);
        yajl_gen_array_close(g);
        yajl_gen_map_close(g);
        const unsigned char *buf;
        size_t len;
        yajl_gen_get_buf(g, &buf, &len);
        if (fwrite(buf, 1, len, x->out) != len || fputc('\n', x->out) == EOF)
            x->failed = 1;
        yajl_gen_clear(g);
        yajl_gen_reset(g, NULL);
    }
    x->have = 0;
    return rc;
}

/* Rows: subject_id, operator, fact, value (fact NULL for a subject without facts), ordered
 * by subject and fact. */
static int row_export(void *ctx, const struct hogo__val *c, size_t n)
{
    struct export_ctx *x = ctx;
    if (n < 4)
        return 1;
    if (!x->have || strcmp(x->cur, c[0].s)) {
        int rc = flush_person(x);
        if (rc < 0)
            return rc;
        snprintf(x->cur, sizeof x->cur, "%s", c[0].s);
        snprintf(x->op, sizeof x->op, "%s", c[1].s);
        x->have = 1;
        if (!x->csv) {
            yajl_gen_map_open(x->g);
            hogo__gen_kv_str(x->g, "subject_id", x->cur);
            hogo__gen_kv_str(x->g, "operator", x->op);
            hogo__gen_str(x->g, "facts");
            yajl_gen_map_open(x->g);
        }
    }
    if (c[2].type != HOGO__TEXT || !strcmp(c[2].s, "erased"))
        return 0;
    char norm[32];
    int array = 0;
    hogo__fact_check(x->st, c[2].s, c[3].s, norm, &array, x->err);
    hogo_error_clear(x->err);
    if (x->csv) {
        for (size_t i = 0; i < x->nnames; i++)
            if (!strcmp(x->names[i], c[2].s)) {
                if (x->cells[i]) {
                    size_t a = strlen(x->cells[i]), b = strlen(c[3].s);
                    char *m = realloc(x->cells[i], a + b + 2);
                    if (!m)
                        return HOGO_ENOMEM;
                    m[a] = ';';
                    memcpy(m + a + 1, c[3].s, b + 1);
                    x->cells[i] = m;
                } else if (!(x->cells[i] = strdup(c[3].s)))
                    return HOGO_ENOMEM;
            }
        return 0;
    }
    /* JSON: a list fact's rows are next to each other (ordered by fact, value) */
    yajl_gen g = x->g;
    if (array) {
        if (strcmp(x->list, c[2].s)) {
            close_list(x);
            hogo__gen_str(g, c[2].s);
            yajl_gen_array_open(g);
            snprintf(x->list, sizeof x->list, "%s", c[2].s);
        }
        hogo__gen_str(g, c[3].s);
    } else {
        close_list(x);
        hogo__gen_str(g, c[2].s);
        if (!strcmp(c[3].s, "true") || !strcmp(c[3].s, "false"))
            yajl_gen_bool(g, c[3].s[0] == 't');
        else if (strspn(c[3].s, "0123456789") == strlen(c[3].s) && c[3].s[0] &&
                 strlen(c[3].s) < 4)
            yajl_gen_number(g, c[3].s, strlen(c[3].s));
        else
            hogo__gen_str(g, c[3].s);
    }
    return 0;
}

int hogo_subject_export(struct hogo_store *st, const char *operator_id, int csv, FILE *out,
                        struct hogo_error *err)
{
    struct export_ctx x = {.st = st, .out = out, .csv = csv, .err = err};
    int settable;
    const char *name;
    for (size_t i = 0; (name = hogo__fact_name(i, &settable)) && x.nnames < 64; i++)
        if (settable)
            x.names[x.nnames++] = name;
    if (!csv && !(x.g = yajl_gen_alloc(NULL)))
        return hogo_error_set(err, HOGO_ENOMEM, NULL, "out of memory");
    if (csv) {
        fputs("subject_id,operator", out);
        for (size_t i = 0; i < x.nnames; i++)
            fprintf(out, ",%s", x.names[i]);
        fputc('\n', out);
    }
    struct hogo__val p[] = {HV_TEXT(operator_id), HV_TEXT(operator_id)};
    int rc = hogo__txn_begin(st, err);
    if (rc == 0)
        rc = hogo__query(st,
                         "SELECT s.subject_id, s.operator, f.fact, f.value FROM subjects s LEFT"
                         " JOIN subject_facts f ON f.subject_id = s.subject_id WHERE"
                         " s.erased_at IS NULL AND (? IS NULL OR s.operator = ?) ORDER BY"
                         " s.subject_id, f.fact, f.value",
                         p, 2, row_export, &x, err);
    if (rc == HOGO_ENOMEM)
        rc = hogo_error_set(err, rc, NULL, "out of memory");
    if (rc == 0)
        rc = flush_person(&x);
    if (rc == 0) {
        char detail[96];
        snprintf(detail, sizeof detail, "{\"format\":\"%s\"}", csv ? "csv" : "jsonl");
        rc = hogo__audit_append(st, NULL, "subject.export", operator_id ? operator_id : "all",
                                detail, err);
    }
    rc = hogo__txn_end(st, rc, err);
    for (size_t i = 0; i < x.nnames; i++)
        free(x.cells[i]);
    if (x.g)
        yajl_gen_free(x.g);
    if (rc == 0 && (x.failed || fflush(out) == EOF))
        rc = hogo_error_set(err, HOGO_EIO, NULL, "writing the export failed");
    return rc;
}
