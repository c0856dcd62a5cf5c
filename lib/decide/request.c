/*
 * The request parser: turns a JSON decision request (docs/decision.md) into struct
 * hogo_request with yajl's streaming (SAX) parser — no document tree — resolving every id
 * against the vocabulary as it is read. Every rejection names the JSON pointer of the value
 * (/data/1), what is wrong, and how to fix it.
 * Decision layer.
 */
#include "decide_int.h"
#include "common/buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_parse.h>

/* Where the parser is: the containers from the root down to the current value. */
enum ctx_kind { CTX_ROOT, CTX_TOP, CTX_DATA, CTX_RECIPIENT, CTX_SUBJECT, CTX_LIST, CTX_CONSENTS,
                CTX_CONSENT, CTX_CONSENT_DATA };

/* The deepest container the grammar has: root, request, subject, consents, a consent, its
 * data. A container anywhere else is a wrong type, so the stack never grows past this. */
#define GRAMMAR_DEPTH 5

struct frame {
    enum ctx_kind kind;
    bool is_array;
    int index;        /* arrays: index of the next element */
    char key[64];     /* maps: the current key */
    int key_len;
};

/* The top-level fields, as bits of hogo_request.seen. */
enum top_field { T_POLICY, T_AT, T_ACTION, T_PURPOSE, T_DATA, T_SERVICE, T_RECIPIENT, T_FORM,
                 T_BASIS, T_CONSENT_ID, T_SUBJECT, T_SUBJECT_ID, T_COUNT };

static const char *const top_names[T_COUNT + 1] = {
    "policy", "at", "action", "purpose", "data", "service", "recipient", "form", "basis",
    "consent_id", "subject", "subject_id", NULL};

static const char *const recipient_names[] = {"id", "corporate_number", "country",
                                              "institution_type", NULL};
static const char *const consent_names[] = {"id", "recipient", "purpose", "data", NULL};

struct parse {
    struct hogo_request *req;
    const struct hogo_vocab *v;
    struct hogo_error *err;
    struct frame stack[GRAMMAR_DEPTH + 1];
    int depth;          /* number of open containers */
    int list_fact;      /* CTX_LIST: which subject fact */
    unsigned recipient_seen;
    unsigned consent_seen;
    bool failed;
    bool awaiting_value; /* a key was read and its value has not started */
    bool subject_only;   /* parsing a bare subject object (facts from a store) */
    long bad_escape;     /* byte offset of a lone surrogate escape, or -1 */
    yajl_handle h;
};

static void pointer(const struct parse *P, char *buf, size_t size, bool with_key)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 1; i <= P->depth && used + 1 < size; i++) {
        const struct frame *f = &P->stack[i];
        if (f->is_array) {
            if (i == P->depth && !with_key)
                break;
            used += (size_t)snprintf(buf + used, size - used, "/%d", f->index);
        } else if (f->key_len) {
            if (i == P->depth && !with_key)
                break;
            used += (size_t)snprintf(buf + used, size - used, "/");
            for (int k = 0; k < f->key_len && used + 3 < size; k++) {
                char c = f->key[k];
                if (c == '~' || c == '/') {
                    buf[used++] = '~';
                    buf[used++] = c == '~' ? '0' : '1';
                } else {
                    buf[used++] = c;
                }
            }
            buf[used] = '\0';
        }
    }
    if (used >= size)
        used = size - 1;
    if (!buf[0] && size > 1)
        snprintf(buf, size, "%s", "");
}

static int fail(struct parse *P, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int fail(struct parse *P, int code, const char *fmt, ...)
{
    if (P->failed)
        return 0;
    P->failed = true;
    char where[512];
    pointer(P, where, sizeof where, true);
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    hogo_error_set(P->err, code, where[0] ? where : "/", "%s", msg);
    return 0;
}

static struct frame *top(struct parse *P)
{
    return &P->stack[P->depth];
}

static bool key_is(const struct frame *f, const char *name)
{
    return (int)strlen(name) == f->key_len && !memcmp(f->key, name, (size_t)f->key_len);
}

/* Resolves an id; on failure records "unknown X 'y' — did you mean 'z'?" */
static int lookup(struct parse *P, enum hogo__kind k, const unsigned char *s, size_t len)
{
    int i = hogo__vocab_find(P->v, k, (const char *)s, len);
    if (i >= 0)
        return i;
    char id[128], near[128];
    snprintf(id, sizeof id, "%.*s", (int)(len < 100 ? len : 100), (const char *)s);
    hogo__vocab_nearest(P->v, k, id, near, sizeof near);
    if (near[0])
        fail(P, HOGO_EINVAL, "unknown %s '%s' — did you mean '%s'?", hogo__kind_name(k), id, near);
    else
        fail(P, HOGO_EINVAL, "unknown %s '%s'; use an id from policies/vocabulary.yaml",
             hogo__kind_name(k), id);
    return -1;
}

/* Called before a value: advances array indexes. Returns the frame the value belongs to. */
static struct frame *value_slot(struct parse *P)
{
    return top(P);
}

static void after_value(struct parse *P)
{
    struct frame *f = top(P);
    if (f->is_array)
        f->index++;
}

/* Reads a corporate number into *out; 0 (and the error recorded) when it is not a valid
 * 13-digit 法人番号. */
static int corporate_number(struct parse *P, const unsigned char *s, size_t len, uint64_t *out)
{
    if (!hogo__corporate_number_valid((const char *)s, len))
        return fail(P, HOGO_EINVAL,
                    "'%.*s' is not a valid corporate number: 13 digits whose first digit is the "
                    "check digit of the other twelve (法人番号); check for a typo",
                    (int)(len < 40 ? len : 40), (const char *)s);
    char buf[16];
    memcpy(buf, s, 13);
    buf[13] = '\0';
    *out = strtoull(buf, NULL, 10);
    return 1;
}

/* Copies a text value of 1 to size-1 bytes into dst; 0 (and the error recorded) otherwise. */
static int copy_text(struct parse *P, char *dst, size_t size, const unsigned char *s, size_t len,
                     const char *what)
{
    if (len == 0 || len >= size)
        return fail(P, HOGO_EINVAL, "%s must be 1-%zu characters", what, size - 1);
    memcpy(dst, s, len);
    dst[len] = '\0';
    return 1;
}

static int corp_push(struct parse *P, struct hogo__corps *c, const unsigned char *s, size_t len)
{
    uint64_t number;
    if (!corporate_number(P, s, len, &number))
        return 0;
    if (HOGO__GROW(c->v, c->cap, (size_t)c->n + 1, 16) < 0)
        return fail(P, HOGO_ENOMEM, "out of memory");
    c->v[c->n++] = number;
    return 1;
}

static bool is_bool_fact(int f)
{
    return f >= 0 && hogo__facts[f].type == HOGO__FT_BOOLEAN;
}

static int current_fact(struct parse *P, const struct frame *f)
{
    int i = hogo__vocab_find(P->v, HOGO__K_FACT, f->key, (size_t)f->key_len);
    return i;
}

static int type_error(struct parse *P, const char *want)
{
    if (top(P)->kind == CTX_ROOT)
        return fail(P, HOGO_EINVAL, "a request is a JSON object {\"policy\": ..., \"action\": "
                                    "...}; see docs/decision.md");
    return fail(P, HOGO_EINVAL, "wrong type: expected %s", want);
}

/* True (and the error recorded) when the string just read holds the lone surrogate escape
 * found before parsing: yajl would silently turn it into '?'. */
static bool lone_surrogate_here(struct parse *P)
{
    if (P->bad_escape < 0 || (long)yajl_get_bytes_consumed(P->h) <= P->bad_escape)
        return false;
    fail(P, HOGO_EINVAL, "lone UTF-16 surrogate escape at byte %ld; encode characters outside "
                         "the BMP as a surrogate pair or as UTF-8",
         P->bad_escape);
    return true;
}

/* --- scalar values ------------------------------------------------------------------------ */

/* A JSON text may escape NUL (\u0000); no id or text of a request may hold one. */
static int refuse_nul(struct parse *P, const unsigned char *s, size_t len)
{
    if (!memchr(s, 0, len))
        return 1;
    return fail(P, HOGO_EINVAL,
                "the text holds a NUL character (\\u0000), which no id or text may hold; "
                "remove it");
}

static int on_string(void *ctx, const unsigned char *s, size_t len)
{
    struct parse *P = ctx;
    P->awaiting_value = false;
    if (!refuse_nul(P, s, len))
        return 0;
    if (lone_surrogate_here(P))
        return 0;
    struct hogo_request *r = P->req;
    struct frame *f = value_slot(P);
    int rc = 1;
    switch (f->kind) {
    case CTX_TOP:
        if (key_is(f, "policy")) {
            if (!copy_text(P, r->policy, sizeof r->policy, s, len, "a policy id (e.g. \"irp\")"))
                return 0;
        } else if (key_is(f, "at")) {
            if (hogo__parse_rfc3339((const char *)s, len, &r->at))
                return fail(P, HOGO_EINVAL,
                            "'%.*s' is not an RFC 3339 instant; write e.g. "
                            "\"2026-11-25T10:00:00+09:00\"",
                            (int)(len < 64 ? len : 64), (const char *)s);
            r->has_at = true;
        } else if (key_is(f, "action")) {
            r->action = lookup(P, HOGO__K_ACTION, s, len);
        } else if (key_is(f, "purpose")) {
            r->purpose = lookup(P, HOGO__K_PURPOSE, s, len);
        } else if (key_is(f, "service")) {
            r->service = lookup(P, HOGO__K_SERVICE, s, len);
        } else if (key_is(f, "form")) {
            r->form = lookup(P, HOGO__K_FORM, s, len);
        } else if (key_is(f, "basis")) {
            r->basis = lookup(P, HOGO__K_BASIS, s, len);
        } else if (key_is(f, "consent_id")) {
            if (!copy_text(P, r->consent_id, sizeof r->consent_id, s, len, "consent_id"))
                return 0;
        } else if (key_is(f, "subject_id")) {
            if (!copy_text(P, r->subject_id, sizeof r->subject_id, s, len, "subject_id"))
                return 0;
        } else {
            return type_error(P, key_is(f, "data") ? "an array of data category ids"
                                                   : "an object");
        }
        break;
    case CTX_DATA: {
        int d = lookup(P, HOGO__K_DATA, s, len);
        if (d >= 0)
            hogo__set_add(&r->data, d);
        break;
    }
    case CTX_RECIPIENT:
        if (key_is(f, "id")) {
            r->recipient = lookup(P, HOGO__K_RECIPIENT, s, len);
        } else if (key_is(f, "corporate_number")) {
            if (!corporate_number(P, s, len, &r->corp))
                return 0;
            r->has_corp = true;
        } else if (key_is(f, "country")) {
            if (len != 2 || s[0] < 'A' || s[0] > 'Z' || s[1] < 'A' || s[1] > 'Z')
                return fail(P, HOGO_EINVAL,
                            "country must be an ISO 3166-1 alpha-2 code in capitals (\"JP\", "
                            "\"US\", \"DE\")");
            r->country[0] = (char)s[0];
            r->country[1] = (char)s[1];
            r->country[2] = '\0';
        } else if (key_is(f, "institution_type")) {
            r->institution = lookup(P, HOGO__K_INSTITUTION, s, len);
        }
        break;
    case CTX_LIST: {
        struct hogo__subject *sub = &r->subject;
        enum hogo__kind k = hogo__fact_kind(P->list_fact);
        if (k == HOGO__K_COUNT) {
            rc = corp_push(P, &sub->corps[P->list_fact], s, len);
        } else {
            int i = lookup(P, k, s, len);
            if (i >= 0)
                hogo__set_add(&sub->ids[P->list_fact], i);
        }
        break;
    }
    case CTX_CONSENT: {
        struct hogo__consent *c = &r->subject.consents[r->subject.nconsents - 1];
        if (key_is(f, "id")) {
            if (!copy_text(P, c->id, sizeof c->id, s, len, "a consent id"))
                return 0;
        } else if (key_is(f, "recipient")) {
            c->recipient = lookup(P, HOGO__K_RECIPIENT, s, len);
        } else if (key_is(f, "purpose")) {
            c->purpose = lookup(P, HOGO__K_PURPOSE, s, len);
        } else {
            return type_error(P, "an array of data category ids");
        }
        break;
    }
    case CTX_CONSENT_DATA: {
        struct hogo__consent *c = &r->subject.consents[r->subject.nconsents - 1];
        int d = lookup(P, HOGO__K_DATA, s, len);
        if (d >= 0) {
            c->has_data = true;
            hogo__set_add(&c->data, d);
        }
        break;
    }
    case CTX_SUBJECT: {
        int fact = current_fact(P, f);
        if (fact == HOGO__F_AGE)
            return type_error(P, "an integer (age in years)");
        if (is_bool_fact(fact))
            return type_error(P, "true or false");
        return type_error(P, "an array");
    }
    default:
        return type_error(P, "an object");
    }
    after_value(P);
    return P->failed ? 0 : rc;
}

static int on_bool(void *ctx, int b)
{
    struct parse *P = ctx;
    P->awaiting_value = false;
    struct frame *f = top(P);
    if (f->kind == CTX_SUBJECT) {
        int fact = current_fact(P, f);
        if (is_bool_fact(fact)) {
            P->req->subject.flag[fact] = b != 0;
            P->req->subject.known |= 1u << fact;
            after_value(P);
            return 1;
        }
        if (fact == HOGO__F_AGE)
            return type_error(P, "an integer (age in years)");
        return type_error(P, "an array");
    }
    return type_error(P, f->kind == CTX_DATA || f->kind == CTX_LIST || f->kind == CTX_CONSENT_DATA
                             ? "a string id"
                             : "a string");
}

static int on_null(void *ctx)
{
    struct parse *P = ctx;
    P->awaiting_value = false;
    struct frame *f = top(P);
    if (f->kind == CTX_ROOT)
        return type_error(P, "an object");
    /* null stands for "not given" wherever a value is optional */
    if ((f->kind == CTX_TOP && !key_is(f, "policy") && !key_is(f, "action") &&
         !key_is(f, "purpose") && !key_is(f, "data")) ||
        f->kind == CTX_SUBJECT || (f->kind == CTX_RECIPIENT && !key_is(f, "id"))) {
        if (f->kind == CTX_TOP)
            for (int t = 0; t < T_COUNT; t++)
                if (key_is(f, top_names[t]))
                    P->req->seen &= ~(1u << t);
        after_value(P);
        return 1;
    }
    return fail(P, HOGO_EINVAL, "null is not allowed here; give a value or leave the field out");
}

static int on_integer(void *ctx, long long x)
{
    struct parse *P = ctx;
    P->awaiting_value = false;
    struct frame *f = top(P);
    if (f->kind == CTX_SUBJECT && current_fact(P, f) == HOGO__F_AGE) {
        if (x < 0 || x > 150)
            return fail(P, HOGO_EINVAL, "age %lld is out of range; give the age in years (0-150)",
                        x);
        P->req->subject.age = (int)x;
        P->req->subject.known |= 1u << HOGO__F_AGE;
        after_value(P);
        return 1;
    }
    if (f->kind == CTX_RECIPIENT && key_is(f, "corporate_number"))
        return fail(P, HOGO_EINVAL, "a corporate number is written as a string of 13 digits "
                                    "(\"9234567890123\")");
    if (f->kind == CTX_SUBJECT && is_bool_fact(current_fact(P, f)))
        return type_error(P, "true or false");
    return type_error(P, "a string");
}

static int on_double(void *ctx, double x)
{
    struct parse *P = ctx;
    P->awaiting_value = false;
    struct frame *f = top(P);
    (void)x;
    if (f->kind == CTX_SUBJECT && current_fact(P, f) == HOGO__F_AGE)
        return type_error(P, "an integer (age in whole years)");
    return type_error(P, "a string");
}

/* --- containers --------------------------------------------------------------------------- */

static int push(struct parse *P, enum ctx_kind kind, bool is_array)
{
    assert(P->depth < GRAMMAR_DEPTH);
    P->depth++;
    struct frame *f = top(P);
    memset(f, 0, sizeof *f);
    f->kind = kind;
    f->is_array = is_array;
    return 1;
}

static int grow_consents(struct parse *P)
{
    struct hogo__subject *s = &P->req->subject;
    if (HOGO__GROW(s->consents, s->capconsents, (size_t)s->nconsents + 1, 4) < 0)
        return fail(P, HOGO_ENOMEM, "out of memory");
    struct hogo__consent *c = &s->consents[s->nconsents++];
    memset(c, 0, sizeof *c);
    c->recipient = c->purpose = -1;
    return 1;
}

static int open_container(struct parse *P, bool is_array)
{
    P->awaiting_value = false;
    struct frame *f = top(P);
    switch (f->kind) {
    case CTX_ROOT:
        if (is_array)
            return fail(P, HOGO_EINVAL, "a request is a JSON object, not an array");
        return push(P, P->subject_only ? CTX_SUBJECT : CTX_TOP, false);
    case CTX_TOP:
        if (is_array && key_is(f, "data"))
            return push(P, CTX_DATA, true);
        if (!is_array && key_is(f, "recipient"))
            return push(P, CTX_RECIPIENT, false);
        if (!is_array && key_is(f, "subject"))
            return push(P, CTX_SUBJECT, false);
        if (key_is(f, "data"))
            return type_error(P, "an array of data category ids");
        if (key_is(f, "recipient"))
            return type_error(P, "an object {\"id\", \"corporate_number\", \"country\"}");
        if (key_is(f, "subject"))
            return type_error(P, "an object of subject facts");
        return type_error(P, "a string");
    case CTX_SUBJECT: {
        int fact = current_fact(P, f);
        assert(fact >= 0); /* on_map_key refused any other key */
        enum hogo__fact_type t = hogo__facts[fact].type;
        if (!is_array || !hogo__fact_type_is_array(t))
            return type_error(P, t == HOGO__FT_INTEGER   ? "an integer"
                                 : t == HOGO__FT_BOOLEAN ? "true or false"
                                                         : "an array");
        P->req->subject.known |= 1u << fact;
        if (t == HOGO__FT_CONSENTS)
            return push(P, CTX_CONSENTS, true);
        P->list_fact = fact;
        return push(P, CTX_LIST, true);
    }
    case CTX_CONSENTS:
        if (is_array)
            return type_error(P, "a consent object {\"id\", \"recipient\", \"purpose\", \"data\"}");
        if (!grow_consents(P))
            return 0;
        P->consent_seen = 0;
        return push(P, CTX_CONSENT, false);
    case CTX_CONSENT:
        if (is_array && key_is(f, "data"))
            return push(P, CTX_CONSENT_DATA, true);
        return type_error(P, key_is(f, "data") ? "an array of data category ids" : "a string");
    case CTX_DATA:
    case CTX_LIST:
    case CTX_CONSENT_DATA:
        return type_error(P, "a string id");
    case CTX_RECIPIENT:
        return type_error(P, "a string");
    }
    assert(!"every parser state is handled above");
    return 0;
}

static int on_start_map(void *ctx)
{
    return open_container(ctx, false);
}

static int on_start_array(void *ctx)
{
    return open_container(ctx, true);
}

static int check_map_end(struct parse *P, struct frame *f)
{
    struct hogo_request *r = P->req;
    if (f->kind == CTX_RECIPIENT && !(P->recipient_seen & 1)) {
        f->key_len = 0;
        return fail(P, HOGO_EINVAL, "recipient has no \"id\"; name a recipient or recipient class "
                                    "from the vocabulary");
    }
    if (f->kind == CTX_CONSENT && !r->subject.consents[r->subject.nconsents - 1].id[0]) {
        f->key_len = 0;
        return fail(P, HOGO_EINVAL, "a consent needs an \"id\" so a request can name it with "
                                    "consent_id");
    }
    return 1;
}

static int on_end_map(void *ctx)
{
    struct parse *P = ctx;
    if (!check_map_end(P, top(P)))
        return 0;
    P->depth--;
    after_value(P);
    return 1;
}

static int on_end_array(void *ctx)
{
    struct parse *P = ctx;
    struct frame *f = top(P);
    if (f->kind == CTX_DATA && f->index == 0) {
        P->depth--; /* point at the array, not into it */
        return fail(P, HOGO_EINVAL, "data is empty; list the data categories concerned "
                                    "(e.g. [\"name\", \"work_history\"])");
    }
    P->depth--;
    after_value(P);
    return 1;
}

static int unknown_key(struct parse *P, const char *const *names, const char *what)
{
    struct frame *f = top(P);
    char key[80];
    snprintf(key, sizeof key, "%.*s", f->key_len, f->key);
    size_t n = 0;
    while (names[n])
        n++;
    const char *near = hogo__nearest_name(key, names, n);
    if (near)
        return fail(P, HOGO_EINVAL, "unknown field '%s' in %s — did you mean '%s'?", key, what,
                    near);
    return fail(P, HOGO_EINVAL, "unknown field '%s' in %s; see docs/decision.md for the fields",
                key, what);
}

/* Accepts the current key if it is one of names (once), else reports it. */
static int known_key(struct parse *P, const char *const *names, unsigned *seen, const char *what)
{
    for (int i = 0; names[i]; i++)
        if (key_is(top(P), names[i])) {
            if (*seen & (1u << i))
                return fail(P, HOGO_EINVAL, "field given twice; keep one");
            *seen |= 1u << i;
            return 1;
        }
    return unknown_key(P, names, what);
}

static int on_map_key(void *ctx, const unsigned char *s, size_t len)
{
    struct parse *P = ctx;
    struct frame *f = top(P);
    P->awaiting_value = true;
    if (len >= sizeof f->key) {
        f->key_len = 0;
        return fail(P, HOGO_EINVAL, "field name longer than 63 characters");
    }
    memcpy(f->key, s, len);
    f->key_len = (int)len;
    if (memchr(s, 0, len)) {
        f->key_len = (int)strnlen((const char *)s, len); /* the pointer names the key up to it */
        return refuse_nul(P, s, len);
    }
    if (lone_surrogate_here(P))
        return 0;
    switch (f->kind) {
    case CTX_TOP:
        return known_key(P, top_names, &P->req->seen, "the request");
    case CTX_RECIPIENT:
        return known_key(P, recipient_names, &P->recipient_seen, "recipient");
    case CTX_CONSENT:
        return known_key(P, consent_names, &P->consent_seen, "a consent");
    case CTX_SUBJECT: {
        int fact = current_fact(P, f);
        if (fact < 0) {
            char id[80], near[128];
            snprintf(id, sizeof id, "%.*s", f->key_len, f->key);
            hogo__vocab_nearest(P->v, HOGO__K_FACT, id, near, sizeof near);
            if (near[0])
                return fail(P, HOGO_EINVAL, "unknown subject fact '%s' — did you mean '%s'?", id,
                            near);
            return fail(P, HOGO_EINVAL,
                        "unknown subject fact '%s'; the facts are listed under subject_facts in "
                        "policies/vocabulary.yaml",
                        id);
        }
        if (P->req->subject.known & (1u << fact))
            return fail(P, HOGO_EINVAL, "fact given twice; keep one");
        return 1;
    }
    default:
        return fail(P, HOGO_EINVAL, "unexpected field");
    }
}

static const yajl_callbacks callbacks = {
    .yajl_null = on_null,
    .yajl_boolean = on_bool,
    .yajl_integer = on_integer,
    .yajl_double = on_double,
    .yajl_string = on_string,
    .yajl_start_map = on_start_map,
    .yajl_map_key = on_map_key,
    .yajl_end_map = on_end_map,
    .yajl_start_array = on_start_array,
    .yajl_end_array = on_end_array,
};

/* yajl turns a lone UTF-16 surrogate escape into '?'; refuse it instead. Returns the byte
 * offset of the first bad escape, or -1. */
static long lone_surrogate(const char *s, size_t len)
{
    bool in_string = false;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (!in_string) {
            if (c == '"')
                in_string = true;
            continue;
        }
        if (c == '"') {
            in_string = false;
        } else if (c == '\\' && i + 1 < len) {
            if (s[i + 1] == 'u' && i + 5 < len) {
                unsigned cp = (unsigned)strtoul((char[5]){s[i + 2], s[i + 3], s[i + 4], s[i + 5], 0},
                                                NULL, 16);
                if (cp >= 0xD800 && cp <= 0xDBFF) {
                    unsigned lo = 0;
                    if (i + 11 < len && s[i + 6] == '\\' && s[i + 7] == 'u')
                        lo = (unsigned)strtoul(
                            (char[5]){s[i + 8], s[i + 9], s[i + 10], s[i + 11], 0}, NULL, 16);
                    if (lo < 0xDC00 || lo > 0xDFFF)
                        return (long)i;
                    i += 11;
                    continue;
                }
                if (cp >= 0xDC00 && cp <= 0xDFFF)
                    return (long)i;
                i += 5;
                continue;
            }
            i++;
        }
    }
    return -1;
}

static void reset(struct hogo_request *r)
{
    struct hogo__subject keep = r->subject;
    char *memo = r->memo.json;
    memset(r, 0, sizeof *r);
    r->memo.json = memo; /* no longer valid; freed when replaced or with the request */
    r->action = r->purpose = r->service = r->recipient = r->institution = -1;
    r->form = HOGO__IDENTIFIED;
    r->basis = HOGO__POLICY;
    r->consent = -1;
    memcpy(r->country, "JP", 3);
    /* keep the subject's buffers for reuse */
    r->subject.consents = keep.consents;
    r->subject.capconsents = keep.capconsents;
    for (int i = 0; i < HOGO__F_COUNT; i++) {
        r->subject.corps[i].v = keep.corps[i].v;
        r->subject.corps[i].cap = keep.corps[i].cap;
    }
}

int hogo_request_new(struct hogo_request **out)
{
    *out = calloc(1, sizeof **out);
    if (!*out)
        return HOGO_ENOMEM;
    reset(*out);
    return 0;
}

void hogo_request_free(struct hogo_request *r)
{
    if (!r)
        return;
    for (int i = 0; i < HOGO__F_COUNT; i++)
        free(r->subject.corps[i].v);
    free(r->subject.consents);
    free(r->memo.json);
    free(r);
}

const char *hogo_request_policy(const struct hogo_request *r)
{
    return r->policy;
}

static int missing(struct hogo_error *err, const char *where, const char *msg)
{
    return hogo_error_set(err, HOGO_EINVAL, where, "%s", msg);
}

int hogo__consent_not_found(const char *consent_id, struct hogo_error *err)
{
    return hogo_error_set(err, HOGO_EINVAL, "/consent_id",
                          "consent '%s' is not among subject.consents; record the separate "
                          "consent in subject.consents (id, recipient, purpose, data), or in "
                          "the store with 'hogo subject consent', or use another basis",
                          consent_id);
}

/* basis 'consent' and consent_id come together (checked whether or not the consents are
 * known yet). */
static int check_consent_basis(const struct hogo_request *r, struct hogo_error *err)
{
    if (r->basis == HOGO__CONSENT && !r->consent_id[0])
        return hogo_error_set(err, HOGO_EINVAL, "/consent_id",
                              "basis 'consent' needs \"consent_id\" naming one of "
                              "subject.consents");
    if (r->basis != HOGO__CONSENT && r->consent_id[0])
        return hogo_error_set(err, HOGO_EINVAL, "/consent_id",
                              "consent_id is only used with basis 'consent'; remove it or set "
                              "\"basis\": \"consent\"");
    return 0;
}

/* Closes each consent's data over the hierarchy and resolves consent_id (basis consent). */
static int validate_consent(struct hogo_request *r, const struct hogo_vocab *v,
                            struct hogo_error *err)
{
    for (int i = 0; i < r->subject.nconsents; i++) {
        struct hogo__consent *c = &r->subject.consents[i];
        struct hogo__set closed = c->data;
        for (int d = 0; d < v->t[HOGO__K_DATA].n; d++)
            if (hogo__set_has(&c->data, d))
                hogo__set_union(&closed, &v->t[HOGO__K_DATA].down[d]);
        c->data = closed;
    }
    int rc = check_consent_basis(r, err);
    if (rc < 0 || r->basis != HOGO__CONSENT)
        return rc;
    for (int i = 0; i < r->subject.nconsents; i++)
        if (!strcmp(r->subject.consents[i].id, r->consent_id))
            r->consent = i;
    return r->consent < 0 ? hogo__consent_not_found(r->consent_id, err) : 0;
}

/* Checks what the grammar cannot: required fields and their combinations. */
static int validate(struct hogo_request *r, const struct hogo_vocab *v, struct hogo_error *err)
{
    if (!(r->seen & (1u << T_POLICY)))
        return missing(err, "/policy", "the request has no \"policy\"; name the policy (e.g. "
                                       "\"irp\")");
    if (!(r->seen & (1u << T_ACTION)))
        return missing(err, "/action", "the request has no \"action\"; give one of use, "
                                       "provide, receive, outsource, process_entrusted");
    if (!(r->seen & (1u << T_PURPOSE)))
        return missing(err, "/purpose", "the request has no \"purpose\"; give a purpose id");
    if (!(r->seen & (1u << T_DATA)))
        return missing(err, "/data", "the request has no \"data\"; list the data categories "
                                     "concerned");
    const struct hogo__entry *pe = &v->t[HOGO__K_PURPOSE].v[r->purpose];
    if (!(pe->actions & (1u << r->action))) {
        char list[256] = "";
        for (int a = 0; a < HOGO__ACTION_COUNT; a++)
            if (pe->actions & (1u << a)) {
                strncat(list, list[0] ? ", " : "", sizeof list - strlen(list) - 1);
                strncat(list, v->t[HOGO__K_ACTION].v[a].id, sizeof list - strlen(list) - 1);
            }
        return hogo_error_set(err, HOGO_EINVAL, "/purpose",
                              "purpose '%s' is not used with action '%s' (it is for: %s); pick "
                              "a purpose of that action or change the action",
                              pe->id, v->t[HOGO__K_ACTION].v[r->action].id, list);
    }
    if (r->recipient < 0 && (r->action == HOGO__PROVIDE || r->action == HOGO__OUTSOURCE ||
                             r->action == HOGO__RECEIVE))
        return hogo_error_set(err, HOGO_EINVAL, "/recipient",
                              "action '%s' needs a \"recipient\" (%s): {\"id\": ..., "
                              "\"corporate_number\": ..., \"country\": ...}",
                              v->t[HOGO__K_ACTION].v[r->action].id,
                              r->action == HOGO__RECEIVE ? "the source the data comes from"
                                                         : "who gets the data");
    if (r->action == HOGO__USE && r->recipient >= 0)
        return hogo_error_set(err, HOGO_EINVAL, "/recipient",
                              "action 'use' is the operator's own use and has no recipient; "
                              "use action 'provide' for a third party");
    /* Without "subject" the consents may still come from a store (hogo_decide_stored(),
     * whichever way the subject is named): consent_id is resolved when they are set, and
     * hogo_decide() refuses a consent basis that was never resolved. */
    if (!(r->seen & (1u << T_SUBJECT)))
        return check_consent_basis(r, err);
    return validate_consent(r, v, err);
}

/* Runs yajl over the whole input with P's callbacks; returns the handle (free it with
 * yajl_free) or NULL when out of memory. *ended_early: the input stopped mid-value. */
static yajl_handle run_parser(struct parse *P, const char *json, size_t len, yajl_status *st,
                              bool *ended_early)
{
    P->bad_escape = lone_surrogate(json, len);
    P->stack[0].kind = CTX_ROOT;
    yajl_handle h = yajl_alloc(&callbacks, NULL, P);
    if (!h)
        return NULL;
    P->h = h;
    *ended_early = false;
    *st = yajl_parse(h, (const unsigned char *)json, len);
    if (*st == yajl_status_ok) {
        *st = yajl_complete_parse(h);
        *ended_early = *st != yajl_status_ok;
    }
    return h;
}

bool hogo_request_at(const struct hogo_request *r, int64_t *at)
{
    if (r->has_at && at)
        *at = r->at;
    return r->has_at;
}

bool hogo_request_has_subject(const struct hogo_request *r)
{
    return (r->seen & (1u << T_SUBJECT)) != 0;
}

const char *hogo_request_subject_id(const struct hogo_request *r)
{
    return r->subject_id;
}

/* Forgets the request's subject facts before new ones are set. */
static void clear_subject(struct hogo_request *req)
{
    struct hogo__subject *s = &req->subject;
    req->memo.fresh = false; /* a missed rule's "missing" parts may name the old facts */
    s->known = 0;
    s->age = 0;
    memset(s->flag, 0, sizeof s->flag);
    memset(s->ids, 0, sizeof s->ids);
    for (int i = 0; i < HOGO__F_COUNT; i++)
        s->corps[i].n = 0;
    s->nconsents = 0;
}

int hogo_request_set_subject_json(struct hogo_request *req, const struct hogo_vocab *v,
                                  const char *json, size_t len, struct hogo_error *err)
{
    hogo_error_clear(err);
    clear_subject(req);
    struct parse P = {.req = req, .v = v, .err = err, .subject_only = true};
    bool ended_early;
    yajl_status st;
    yajl_handle h = run_parser(&P, json, len, &st, &ended_early);
    if (!h)
        return HOGO_ENOMEM;
    int rc = 0;
    if (P.failed)
        rc = err && err->code ? err->code : HOGO_EINVAL;
    else if (st != yajl_status_ok || P.bad_escape >= 0)
        rc = hogo_error_set(err, HOGO_EINVAL, "/subject",
                            "the stored subject facts are not a valid JSON object");
    yajl_free(h);
    req->consent = -1;
    if (rc == 0)
        rc = validate_consent(req, v, err);
    return rc;
}

/* The parser's events for a key or a string value, from C strings. */
static int feed_key(struct parse *P, const char *k)
{
    return on_map_key(P, (const unsigned char *)k, strlen(k));
}

static int feed_string(struct parse *P, const char *s)
{
    return on_string(P, (const unsigned char *)s, strlen(s));
}

/* One fact's rows (facts[0..2n)) as the parser's events: a scalar takes the first row. */
static int feed_fact(struct parse *P, int fact, const char *const *facts, size_t n)
{
    if (!feed_key(P, facts[0]))
        return 0;
    /* a stored value is exactly what 'hogo subject set' writes; anything else is an error */
    if (fact == HOGO__F_AGE) {
        char *end = NULL;
        long long age = strtoll(facts[1], &end, 10);
        if (!*facts[1] || *end || facts[1][0] == '-' || facts[1][0] == '+' || facts[1][0] == ' ')
            return fail(P, HOGO_EINVAL,
                        "the stored age '%.40s' is not a whole number (written outside hogo); "
                        "set it again with 'hogo subject set ID age N'",
                        facts[1]);
        return on_integer(P, age);
    }
    if (is_bool_fact(fact)) {
        if (strcmp(facts[1], "true") && strcmp(facts[1], "false"))
            return fail(P, HOGO_EINVAL,
                        "the stored value '%.40s' is neither true nor false (written outside "
                        "hogo); set it again with 'hogo subject set'",
                        facts[1]);
        return on_bool(P, !strcmp(facts[1], "true"));
    }
    int ok = on_start_array(P);
    for (size_t i = 0; ok && i < n; i++)
        ok = feed_string(P, facts[2 * i + 1]);
    return ok && on_end_array(P);
}

/* A consent's data ("name,email") as the parser's events for its array. */
static int feed_csv(struct parse *P, const char *csv)
{
    char id[128];
    int ok = on_start_array(P);
    for (const char *p = csv; ok && *p;) {
        size_t n = strcspn(p, ",");
        if (n && n < sizeof id) {
            memcpy(id, p, n);
            id[n] = '\0';
            ok = feed_string(P, id);
        } else if (n) {
            ok = on_string(P, (const unsigned char *)p, n); /* reported as unknown */
        }
        p += n + (p[n] == ',');
    }
    return ok && on_end_array(P);
}

int hogo_request_set_subject_rows(struct hogo_request *req, const struct hogo_vocab *v,
                                  const char *const *facts, size_t nfacts,
                                  const char *const *consents, size_t nconsents,
                                  struct hogo_error *err)
{
    hogo_error_clear(err);
    clear_subject(req);
    /* the events the parser gets for {"fact": value or [values], ..., "consents": [...]},
     * so that the checks and the messages are those of hogo_request_set_subject_json() */
    struct parse P = {.req = req, .v = v, .err = err, .subject_only = true, .bad_escape = -1};
    P.stack[0].kind = CTX_ROOT;
    int ok = on_start_map(&P);
    for (size_t i = 0; ok && i < nfacts;) {
        size_t n = 1;
        while (i + n < nfacts && !strcmp(facts[2 * (i + n)], facts[2 * i]))
            n++;
        int fact = hogo__vocab_find(v, HOGO__K_FACT, facts[2 * i], strlen(facts[2 * i]));
        ok = feed_fact(&P, fact, facts + 2 * i, n);
        i += n;
    }
    if (ok)
        ok = feed_key(&P, "consents") && on_start_array(&P);
    for (size_t i = 0; ok && i < nconsents; i++) {
        const char *const *c = consents + 4 * i;
        ok = on_start_map(&P) && feed_key(&P, "id") && feed_string(&P, c[0]) &&
             feed_key(&P, "recipient") && feed_string(&P, c[1]) && feed_key(&P, "purpose") &&
             feed_string(&P, c[2]) && feed_key(&P, "data") && feed_csv(&P, c[3]) &&
             on_end_map(&P);
    }
    if (ok)
        ok = on_end_array(&P) && on_end_map(&P);
    req->consent = -1;
    if (!ok || P.failed)
        return err && err->code ? err->code : HOGO_EINVAL;
    return validate_consent(req, v, err);
}

int hogo_request_parse(struct hogo_request *req, const struct hogo_vocab *v, const char *json,
                       size_t len, size_t max_len, struct hogo_error *err)
{
    reset(req);
    hogo_error_clear(err);
    if (max_len && len > max_len)
        return hogo_error_set(err, HOGO_ELIMIT, "/",
                              "request is %zu bytes, over the limit of %zu; send less data or "
                              "raise the limit (--max-request)",
                              len, max_len);
    if (len == 0)
        return hogo_error_set(err, HOGO_EINVAL, "/", "the request is empty; send a JSON object "
                                                     "(see docs/decision.md)");
    struct parse P = {.req = req, .v = v, .err = err};
    bool ended_early;
    yajl_status st;
    yajl_handle h = run_parser(&P, json, len, &st, &ended_early);
    if (!h)
        return HOGO_ENOMEM;
    int rc = 0;
    if (P.failed) {
        rc = err && err->code ? err->code : HOGO_EINVAL;
    } else if (st != yajl_status_ok) {
        unsigned char *msg = yajl_get_error(h, 0, (const unsigned char *)json, len);
        size_t at = ended_early ? len : yajl_get_bytes_consumed(h);
        char where[512];
        pointer(&P, where, sizeof where, !ended_early || P.awaiting_value);
        char m[256];
        snprintf(m, sizeof m, "%s", msg ? (const char *)msg : "parse error");
        for (size_t i = strlen(m); i > 0 && (m[i - 1] == '\n' || m[i - 1] == ' '); i--)
            m[i - 1] = '\0';
        const char *hint = strstr(m, "UTF8") ? "the request must be UTF-8 text"
                           : ended_early      ? "the JSON ends too early; close every { and ["
                                              : "fix the JSON syntax at that byte";
        rc = hogo_error_set(err, HOGO_EINVAL, where[0] ? where : "/",
                            "request is not valid JSON at byte %zu: %s; %s", at, m, hint);
        yajl_free_error(h, msg);
    } else if (P.bad_escape >= 0) {
        rc = hogo_error_set(err, HOGO_EINVAL, "/",
                            "lone UTF-16 surrogate escape at byte %ld; encode characters outside "
                            "the BMP as a surrogate pair or as UTF-8",
                            P.bad_escape);
    } else {
        rc = validate(req, v, err);
    }
    yajl_free(h);
    return rc;
}
