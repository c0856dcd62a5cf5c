/*
 * Response writers: the decision as JSON (docs/decision.md) with yajl's generator, errors as
 * {"error": {...}}, and the decision as text for a person — the answer, each deciding clause
 * in the policy's own Japanese words with an English gloss, what was missing, and the duties.
 * Decision layer.
 */
#include "decide_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_gen.h>

struct hogo_writer {
    yajl_gen g;
    char *buf; /* owned: everything written so far */
    size_t len, cap;
    bool pretty;
};

static int reserve(struct hogo_writer *w, size_t more)
{
    if (w->len + more + 1 <= w->cap)
        return 0;
    size_t ncap = w->cap ? w->cap : 4096;
    while (ncap < w->len + more + 1)
        ncap *= 2;
    char *g = realloc(w->buf, ncap);
    if (!g)
        return HOGO_ENOMEM;
    w->buf = g;
    w->cap = ncap;
    return 0;
}

static int append(struct hogo_writer *w, const char *s, size_t n)
{
    if (reserve(w, n))
        return HOGO_ENOMEM;
    memcpy(w->buf + w->len, s, n);
    w->len += n;
    w->buf[w->len] = '\0';
    return 0;
}

static int appendf(struct hogo_writer *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int appendf(struct hogo_writer *w, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || reserve(w, (size_t)n))
        return HOGO_ENOMEM;
    va_start(ap, fmt);
    vsnprintf(w->buf + w->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    w->len += (size_t)n;
    return 0;
}

int hogo_writer_new(bool pretty, struct hogo_writer **out)
{
    struct hogo_writer *w = calloc(1, sizeof *w);
    if (!w)
        return HOGO_ENOMEM;
    w->g = yajl_gen_alloc(NULL);
    if (!w->g) {
        free(w);
        return HOGO_ENOMEM;
    }
    w->pretty = pretty;
    if (pretty) {
        yajl_gen_config(w->g, yajl_gen_beautify, 1);
        yajl_gen_config(w->g, yajl_gen_indent_string, "  ");
    }
    *out = w;
    return 0;
}

void hogo_writer_free(struct hogo_writer *w)
{
    if (!w)
        return;
    yajl_gen_free(w->g);
    free(w->buf);
    free(w);
}

void hogo_writer_buffer(const struct hogo_writer *w, const char **buf, size_t *len)
{
    *buf = w->buf ? w->buf : "";
    *len = w->len;
}

void hogo_writer_clear(struct hogo_writer *w)
{
    w->len = 0;
    if (w->buf)
        w->buf[0] = '\0';
}

/* Moves what yajl generated into the writer's buffer, one line per entity. */
static int flush(struct hogo_writer *w)
{
    const unsigned char *b;
    size_t n;
    yajl_gen_get_buf(w->g, &b, &n);
    while (n && b[n - 1] == '\n')
        n--;
    int rc = append(w, (const char *)b, n);
    if (!rc)
        rc = append(w, "\n", 1);
    yajl_gen_clear(w->g);
    yajl_gen_reset(w->g, NULL);
    return rc;
}

static void str(yajl_gen g, const char *s)
{
    yajl_gen_string(g, (const unsigned char *)s, strlen(s));
}

static void kv(yajl_gen g, const char *k, const char *v)
{
    str(g, k);
    str(g, v);
}

static const char *id_of(const struct hogo_policy *p, enum hogo__kind k, int i)
{
    return i >= 0 && i < p->vocab->t[k].n ? p->vocab->t[k].v[i].id : "?";
}

static void gen_missing_item(void *ctx, const char *s)
{
    str(ctx, s);
}

static void gen_id_set(yajl_gen g, const struct hogo_policy *p, enum hogo__kind k,
                       const struct hogo__set *s)
{
    yajl_gen_array_open(g);
    for (int i = 0; i < p->vocab->t[k].n; i++)
        if (hogo__set_has(s, i))
            str(g, p->vocab->t[k].v[i].id);
    yajl_gen_array_close(g);
}

static void gen_obligations(yajl_gen g, const struct hogo_policy *p, const struct hogo_request *r,
                            const struct hogo_decision *d)
{
    yajl_gen_array_open(g);
    for (int ob = 0; ob < HOGO__OB_COUNT; ob++) {
        if (!(d->obligations & (1u << ob)))
            continue;
        struct hogo_obligation o;
        hogo__obligation_read(p, r, d, ob, &o);
        yajl_gen_map_open(g);
        kv(g, "type", o.type);
        if (o.statute)
            kv(g, "statute", o.statute);
        if (o.retention_years) {
            str(g, "retention_years");
            yajl_gen_integer(g, o.retention_years);
            kv(g, "retention_from", o.retention_from);
        }
        if (o.confirm) {
            str(g, "confirm");
            yajl_gen_array_open(g);
            str(g, "provider_name");
            str(g, "provider_address");
            str(g, "provider_representative");
            str(g, "how_the_provider_obtained_the_data");
            yajl_gen_array_close(g);
        }
        if (ob == HOGO__OB_DEIDENTIFY) {
            struct hogo__set drop, gen;
            hogo__deid_sets(p, r, d, &drop, &gen);
            str(g, "drop");
            gen_id_set(g, p, HOGO__K_DATA, &drop);
            str(g, "generalize");
            gen_id_set(g, p, HOGO__K_DATA, &gen);
            if (o.aggregate) {
                str(g, "aggregate");
                yajl_gen_bool(g, 1);
            }
            if (o.clause)
                kv(g, "clause", o.clause);
        }
        if (o.country) {
            kv(g, "country", o.country);
            kv(g, "regime", o.regime);
        }
        yajl_gen_map_close(g);
    }
    yajl_gen_array_close(g);
}

int hogo_writer_decision(struct hogo_writer *w, const struct hogo_policy *p,
                         const struct hogo_request *r, const struct hogo_decision *d)
{
    yajl_gen g = w->g;
    yajl_gen_map_open(g);
    kv(g, "decision", d->allow ? "allow" : "deny");
    kv(g, "policy", p->id);
    kv(g, "policy_version", p->version);
    str(g, "reasons");
    yajl_gen_array_open(g);
    for (int i = 0; i < d->nreasons; i++) {
        struct hogo_reason why;
        hogo_decision_reason(p, d, i, &why);
        yajl_gen_map_open(g);
        kv(g, "clause", why.clause);
        kv(g, "effect", why.effect);
        if (why.statute) {
            kv(g, "statute", why.statute);
            kv(g, "explanation", why.quote);
            yajl_gen_map_close(g);
            continue;
        }
        /* escaped once at load: yajl_gen_number copies a ready value verbatim */
        const struct hogo__rule *rule = &p->rules[d->reasons[i].rule];
        str(g, "quote");
        yajl_gen_number(g, rule->quote_json, rule->quote_json_len);
        if (d->reasons[i].effect == HOGO__REASON_NO_MATCH) {
            str(g, "missing");
            yajl_gen_array_open(g);
            hogo_decision_missing(p, r, d, i, gen_missing_item, g);
            yajl_gen_array_close(g);
        }
        if (why.n_yields_to) {
            str(g, "yields_to");
            yajl_gen_array_open(g);
            for (int b = 0; b < why.n_yields_to; b++)
                str(g, why.yields_to[b]);
            yajl_gen_array_close(g);
        }
        yajl_gen_map_close(g);
    }
    yajl_gen_array_close(g);
    str(g, "obligations");
    gen_obligations(g, p, r, d);
    yajl_gen_map_close(g);
    return flush(w);
}

int hogo_decision_json(const struct hogo_policy *p, const struct hogo_request *r,
                       const struct hogo_decision *d, char **out, struct hogo_error *err)
{
    struct hogo_writer *w = NULL;
    *out = NULL;
    if (hogo_writer_new(false, &w) == 0 && hogo_writer_decision(w, p, r, d) == 0) {
        size_t len = w->len;
        while (len && w->buf[len - 1] == '\n')
            len--;
        *out = strndup(w->buf, len);
    }
    hogo_writer_free(w);
    return *out ? 0 : hogo_error_set(err, HOGO_ENOMEM, NULL, "out of memory writing the decision");
}

/* The parts of a decision its JSON is written from. */
static bool same_decision(const struct hogo_decision *a, const struct hogo_decision *b)
{
    if (a->allow != b->allow || a->nreasons != b->nreasons ||
        a->obligations != b->obligations || a->missing != b->missing ||
        a->missing_cond != b->missing_cond || a->retention_years != b->retention_years ||
        a->retention_last != b->retention_last || a->deid_rule != b->deid_rule ||
        a->statute != b->statute)
        return false;
    for (int i = 0; i < a->nreasons; i++)
        if (a->reasons[i].rule != b->reasons[i].rule ||
            a->reasons[i].effect != b->reasons[i].effect)
            return false;
    return true;
}

int hogo__decision_json_memo(const struct hogo_policy *p, struct hogo_request *r,
                             const struct hogo_decision *d, const char **json,
                             struct hogo_error *err)
{
    /* besides the decision, its JSON reads only the request's own fields (data, form,
     * country) and the policy, except for a missed rule's "missing" parts */
    bool cacheable = true;
    for (int i = 0; i < d->nreasons; i++)
        cacheable = cacheable && d->reasons[i].effect != HOGO__REASON_NO_MATCH;
    /* a missed rule's JSON is reused only while the facts it was written for are in */
    if ((r->memo.valid && cacheable) || r->memo.fresh) {
        if (r->memo.policy_serial == p->serial && same_decision(&r->memo.decision, d)) {
            *json = r->memo.json;
            return 0;
        }
    }
    char *fresh = NULL;
    int rc = hogo_decision_json(p, r, d, &fresh, err);
    if (rc < 0)
        return rc;
    free(r->memo.json);
    r->memo.json = fresh;
    r->memo.valid = cacheable;
    r->memo.fresh = true;
    r->memo.policy_serial = p->serial;
    r->memo.decision = *d;
    *json = r->memo.json;
    return 0;
}

int hogo_request_decision_json(const struct hogo_policy *p, struct hogo_request *r,
                               const struct hogo_decision *d, const char **json, size_t *len,
                               struct hogo_error *err)
{
    int rc = hogo__decision_json_memo(p, r, d, json, err);
    if (len)
        *len = rc == 0 ? strlen(*json) : 0;
    return rc;
}

int hogo_writer_line(struct hogo_writer *w, const char *text, size_t len)
{
    int rc = append(w, text, len);
    return rc ? rc : append(w, "\n", 1);
}

int hogo_writer_error(struct hogo_writer *w, const struct hogo_error *err)
{
    yajl_gen g = w->g;
    yajl_gen_map_open(g);
    str(g, "error");
    yajl_gen_map_open(g);
    kv(g, "code", hogo_strerror(err->code));
    kv(g, "where", err->where);
    kv(g, "message", err->message);
    yajl_gen_map_close(g);
    yajl_gen_map_close(g);
    return flush(w);
}

/* --- text for a person ---------------------------------------------------------------------- */

static const char *en_of(const struct hogo_policy *p, enum hogo__kind k, int i)
{
    const struct hogo__entry *e = i >= 0 ? &p->vocab->t[k].v[i] : NULL;
    return e && e->en ? e->en : (e ? e->id : "");
}

static void text_missing_item(void *ctx, const char *s)
{
    appendf(ctx, "        - %s\n", s);
}

int hogo_writer_decision_text(struct hogo_writer *w, const struct hogo_policy *p,
                              const struct hogo_request *r, const struct hogo_decision *d)
{
    const struct hogo_vocab *v = p->vocab;
    appendf(w, "%s  %s %s", d->allow ? "ALLOW" : "DENY ", id_of(p, HOGO__K_ACTION, r->action),
            id_of(p, HOGO__K_PURPOSE, r->purpose));
    if (r->recipient >= 0)
        appendf(w, " -> %s%s%s", id_of(p, HOGO__K_RECIPIENT, r->recipient),
                strcmp(r->country, "JP") ? " in " : "", strcmp(r->country, "JP") ? r->country : "");
    appendf(w, "\n       policy %s (%s), version %s\n", p->id, p->operator_ja, p->version);
    appendf(w, "       purpose: %s\n", en_of(p, HOGO__K_PURPOSE, r->purpose));
    appendf(w, "       data:");
    for (int i = 0; i < v->t[HOGO__K_DATA].n; i++)
        if (hogo__set_has(&r->data, i))
            appendf(w, " %s", v->t[HOGO__K_DATA].v[i].id);
    appendf(w, "  (form %s, basis %s)\n\n", id_of(p, HOGO__K_FORM, r->form),
            id_of(p, HOGO__K_BASIS, r->basis));
    for (int i = 0; i < d->nreasons; i++) {
        int ri = d->reasons[i].rule;
        if (ri < 0) {
            appendf(w, "  APPI Art.41(6)  forbid\n        pseudonymised data (仮名加工情報) may not "
                       "be provided to a third party except as the law requires.\n\n");
            continue;
        }
        const struct hogo__rule *rule = &p->rules[ri];
        const struct hogo__clause *c = &p->clauses[rule->clause];
        const char *what = d->reasons[i].effect == HOGO__REASON_PERMIT   ? "permits this"
                           : d->reasons[i].effect == HOGO__REASON_FORBID ? "forbids this"
                           : d->reasons[i].effect == HOGO__REASON_OBLIGE
                               ? "adds duties"
                               : "comes closest, but does not permit this";
        appendf(w, "  %s  %s%s%s\n", c->id, what, c->title ? " — " : "", c->title ? c->title : "");
        appendf(w, "        「%s」\n", rule->quote);
        if (rule->note)
            appendf(w, "        (%s)\n", rule->note);
        if (d->reasons[i].effect == HOGO__REASON_FORBID && rule->yields_to) {
            appendf(w, "        lifted only by basis:");
            for (int b = 0; b < 5; b++)
                if (rule->yields_to & (1u << b))
                    appendf(w, " %s", id_of(p, HOGO__K_BASIS, b));
            appendf(w, "\n");
        }
        if (d->reasons[i].effect == HOGO__REASON_NO_MATCH) {
            appendf(w, "        missing:\n");
            hogo_decision_missing(p, r, d, i, text_missing_item, w);
        }
        appendf(w, "\n");
    }
    if (d->obligations) {
        appendf(w, "  %s:\n", d->allow ? "if it goes ahead" : "to make it possible");
        for (int ob = 0; ob < HOGO__OB_COUNT; ob++) {
            if (!(d->obligations & (1u << ob)))
                continue;
            const struct hogo__entry *e = &v->t[HOGO__K_OBLIGATION].v[ob];
            appendf(w, "    - %s: %s (%s)", e->id, e->en ? e->en : "", e->ja ? e->ja : "");
            if (ob == HOGO__OB_RECORD_PROVISION || ob == HOGO__OB_CONFIRM_RECEIPT)
                appendf(w, "; keep %d years from %s", d->retention_years ? d->retention_years : 3,
                        d->retention_last ? "the last provision" : "creation");
            if (ob == HOGO__OB_FOREIGN_TRANSFER_INFO)
                appendf(w, "; %s: %s", r->country, hogo__regime_text(r->country));
            if (ob == HOGO__OB_DEIDENTIFY) {
                struct hogo__set drop, gen;
                hogo__deid_sets(p, r, d, &drop, &gen);
                appendf(w, "; drop:");
                for (int i = 0; i < v->t[HOGO__K_DATA].n; i++)
                    if (hogo__set_has(&drop, i))
                        appendf(w, " %s", v->t[HOGO__K_DATA].v[i].id);
                appendf(w, "; generalize to:");
                for (int i = 0; i < v->t[HOGO__K_DATA].n; i++)
                    if (hogo__set_has(&gen, i))
                        appendf(w, " %s", v->t[HOGO__K_DATA].v[i].id);
            }
            appendf(w, "\n");
        }
    }
    return 0;
}
