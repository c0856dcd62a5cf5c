/*
 * Describing compiled policies for people: conditions rendered as English, a per-clause
 * summary (`hogo policy show`) and the differences between two revisions (`hogo policy diff`).
 * Policy layer.
 */
#include "policy_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A growable text buffer. */
struct text {
    char *s;
    size_t len, cap;
    bool failed;
};

static void textf(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void textf(struct text *t, const char *fmt, ...)
{
    if (t->failed)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) {
        t->failed = true;
        return;
    }
    if (t->len + (size_t)n + 1 > t->cap) {
        size_t ncap = t->cap ? t->cap : 4096;
        while (ncap < t->len + (size_t)n + 1)
            ncap *= 2;
        char *g = realloc(t->s, ncap);
        if (!g) {
            t->failed = true;
            return;
        }
        t->s = g;
        t->cap = ncap;
    }
    va_start(ap, fmt);
    vsnprintf(t->s + t->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    t->len += (size_t)n;
}

static char *text_take(struct text *t)
{
    if (t->failed) {
        free(t->s);
        return NULL;
    }
    if (!t->s)
        return strdup("");
    return t->s;
}

const char *hogo__selector_text(const struct hogo__selector *s)
{
    return s->present ? (s->text ? s->text : "") : "any";
}

static const char *fact_name(const struct hogo_policy *p, int f)
{
    return f < p->vocab->t[HOGO__K_FACT].n ? p->vocab->t[HOGO__K_FACT].v[f].id : "?";
}

static void render(const struct hogo_policy *p, int ci, struct text *t, int depth)
{
    const struct hogo__cond *c = &p->conds[ci];
    const struct hogo_vocab *v = p->vocab;
    switch (c->op) {
    case HOGO__C_ALL:
    case HOGO__C_ANY:
        if (depth)
            textf(t, "(");
        for (int i = 0; i < c->count; i++) {
            if (i)
                textf(t, c->op == HOGO__C_ALL ? " and " : " or ");
            render(p, p->children[c->first + i], t, depth + 1);
        }
        if (depth)
            textf(t, ")");
        break;
    case HOGO__C_NOT:
        textf(t, "not ");
        if (c->count == 1)
            render(p, p->children[c->first], t, depth + 1);
        break;
    case HOGO__C_HAS:
        if (!c->value) {
            textf(t, "subject.%s is not empty", fact_name(p, c->fact));
        } else {
            enum hogo__kind k = hogo__fact_kind(c->fact);
            textf(t, "subject.%s has %s", fact_name(p, c->fact),
                  c->num >= 0 && k != HOGO__K_COUNT ? v->t[k].v[c->num].id : "?");
        }
        break;
    case HOGO__C_HAS_CORP:
        textf(t, "subject.%s has %013llu", fact_name(p, c->fact), (unsigned long long)c->corp);
        break;
    case HOGO__C_IS:
        textf(t, "subject.%s is %s", fact_name(p, c->fact), c->value ? "true" : "false");
        break;
    case HOGO__C_AGE_AT_MOST:
        textf(t, "subject.age <= %d", c->num);
        break;
    case HOGO__C_AGE_AT_LEAST:
        textf(t, "subject.age >= %d", c->num);
        break;
    case HOGO__C_RECIPIENT_IN:
        textf(t, "recipient.corporate_number in subject.%s", fact_name(p, c->fact));
        break;
    case HOGO__C_SERVICE_IN:
        textf(t, "service in subject.%s", fact_name(p, c->fact));
        break;
    case HOGO__C_PURPOSE_OPTED_OUT:
        textf(t, "purpose in subject.opt_outs");
        break;
    case HOGO__C_RECIPIENT_FOREIGN:
        textf(t, "recipient.country is not JP");
        break;
    case HOGO__C_INSTITUTION_QUALIFIES:
        textf(t, "recipient.institution_type qualifies (APPI Art.16(8) and the listed bodies)");
        break;
    case HOGO__C_PURPOSE:
    case HOGO__C_SERVICE:
    case HOGO__C_RECIPIENT:
    case HOGO__C_DATA: {
        enum hogo__kind k = c->op == HOGO__C_PURPOSE     ? HOGO__K_PURPOSE
                            : c->op == HOGO__C_SERVICE   ? HOGO__K_SERVICE
                            : c->op == HOGO__C_RECIPIENT ? HOGO__K_RECIPIENT
                                                         : HOGO__K_DATA;
        const char *field = c->op == HOGO__C_PURPOSE     ? "purpose"
                            : c->op == HOGO__C_SERVICE   ? "service"
                            : c->op == HOGO__C_RECIPIENT ? "recipient"
                                                         : "data";
        textf(t, "%s in [", field);
        bool first = true;
        /* print the broadest ids only: those whose parents are not in the set */
        for (int i = 0; i < v->t[k].n; i++) {
            if (!hogo__set_has(&c->set, i))
                continue;
            bool broadest = true;
            for (int j = 0; j < v->t[k].n; j++)
                if (j != i && hogo__set_has(&v->t[k].up[i], j) && hogo__set_has(&c->set, j))
                    broadest = false;
            if (broadest) {
                textf(t, "%s%s", first ? "" : ", ", v->t[k].v[i].id);
                first = false;
            }
        }
        textf(t, "]");
        break;
    }
    case HOGO__C_BASIS:
        textf(t, "basis in [");
        for (int b = 0, first = 1; b < HOGO__BASIS_COUNT; b++)
            if (c->num & (1 << b)) {
                textf(t, "%s%s", first ? "" : ", ", v->t[HOGO__K_BASIS].v[b].id);
                first = 0;
            }
        textf(t, "]");
        break;
    default:
        textf(t, "?");
    }
}

void hogo__cond_render(const struct hogo_policy *p, int cond, char *buf, size_t size)
{
    struct text t = {0};
    if (cond >= 0)
        render(p, cond, &t, 0);
    snprintf(buf, size, "%s", t.failed || !t.s ? "" : t.s);
    free(t.s);
}

static void mask_text(const struct hogo_policy *p, enum hogo__kind k, unsigned mask, struct text *t)
{
    bool first = true;
    for (int i = 0; i < p->vocab->t[k].n && i < 32; i++)
        if (mask & (1u << i)) {
            textf(t, "%s%s", first ? "" : ", ", p->vocab->t[k].v[i].id);
            first = false;
        }
}

/* One rule as a few lines of text (shared by summary and diff). */
static void rule_text(const struct hogo_policy *p, const struct hogo__rule *r, struct text *t,
                      const char *indent)
{
    static const char *const effects[] = {"permit", "forbid", "obligation"};
    textf(t, "%s%s ", indent, effects[r->effect]);
    mask_text(p, HOGO__K_ACTION, r->actions, t);
    textf(t, "\n");
    if (r->purposes.present)
        textf(t, "%s  purposes:   %s\n", indent, hogo__selector_text(&r->purposes));
    if (r->recipients.present)
        textf(t, "%s  recipients: %s\n", indent, hogo__selector_text(&r->recipients));
    if (r->data.present)
        textf(t, "%s  data:       %s\n", indent, hogo__selector_text(&r->data));
    if (r->services.present)
        textf(t, "%s  services:   %s\n", indent, hogo__selector_text(&r->services));
    if (r->effect != HOGO__FORBID) {
        unsigned all = (1u << HOGO__IDENTIFIED) | (1u << HOGO__PSEUDONYMIZED) |
                       (1u << HOGO__DEIDENTIFIED) | (1u << HOGO__STATISTICS);
        if (r->forms != all) {
            textf(t, "%s  forms:      ", indent);
            mask_text(p, HOGO__K_FORM, r->forms, t);
            textf(t, "\n");
        }
        if (r->bases != (1u << HOGO__POLICY)) {
            textf(t, "%s  basis:      ", indent);
            mask_text(p, HOGO__K_BASIS, r->bases, t);
            textf(t, "\n");
        }
    }
    char c[1200];
    if (r->when >= 0) {
        hogo__cond_render(p, r->when, c, sizeof c);
        textf(t, "%s  when:       %s\n", indent, c);
    }
    if (r->unless >= 0) {
        hogo__cond_render(p, r->unless, c, sizeof c);
        textf(t, "%s  unless:     %s\n", indent, c);
    }
    if (r->yields_to) {
        textf(t, "%s  lifted by:  ", indent);
        mask_text(p, HOGO__K_BASIS, r->yields_to, t);
        textf(t, "\n");
    }
    if (r->obligations) {
        textf(t, "%s  duties:     ", indent);
        mask_text(p, HOGO__K_OBLIGATION, r->obligations, t);
        textf(t, "\n");
    }
    if (r->record_exempt)
        textf(t, "%s  record:     not required (%s)\n", indent,
              r->record_exempt_reason ? r->record_exempt_reason : "");
    textf(t, "%s  「%s」\n", indent, r->quote);
    if (r->note)
        textf(t, "%s  note: %s\n", indent, r->note);
}

void hogo__named_recipients(const struct hogo_policy *p, struct hogo__set *named)
{
    memset(named, 0, sizeof *named);
    for (int i = 0; i < p->nrules; i++)
        if (p->rules[i].effect == HOGO__PERMIT && p->rules[i].recipients.present &&
            !p->rules[i].recipients.negated)
            for (int j = 0; j < p->vocab->t[HOGO__K_RECIPIENT].n; j++)
                if (hogo__set_has(&p->rules[i].recipients.cover, j) &&
                    strstr(p->rules[i].recipients.text, p->vocab->t[HOGO__K_RECIPIENT].v[j].id))
                    hogo__set_add(named, j);
}

char *hogo_policy_summary(const struct hogo_policy *p)
{
    struct text t = {0};
    textf(&t, "policy %s — %s%s%s%s\n", p->id, p->operator_ja, p->operator_en ? " (" : "",
          p->operator_en ? p->operator_en : "", p->operator_en ? ")" : "");
    textf(&t, "version %s, %d clauses, %d rules, text %s\n", p->version, p->nclauses, p->nrules,
          p->source_path);
    /* recipients named anywhere, for the privacy officer's first question */
    struct hogo__set named;
    hogo__named_recipients(p, &named);
    textf(&t, "\nrecipients permitted by some clause:\n");
    for (int j = 0; j < p->vocab->t[HOGO__K_RECIPIENT].n; j++)
        if (hogo__set_has(&named, j)) {
            const struct hogo__entry *e = &p->vocab->t[HOGO__K_RECIPIENT].v[j];
            textf(&t, "  %-28s %s\n", e->id, e->ja ? e->ja : "");
        }
    textf(&t, "\nclauses:\n");
    for (int c = 0; c < p->nclauses; c++) {
        const struct hogo__clause *cl = &p->clauses[c];
        textf(&t, "\n[%s]%s%s\n", cl->id, cl->title ? " " : "", cl->title ? cl->title : "");
        for (int i = 0; i < cl->nrules; i++)
            rule_text(p, &p->rules[cl->first_rule + i], &t, "  ");
    }
    return text_take(&t);
}

static const struct hogo__clause *find_clause(const struct hogo_policy *p, const char *id)
{
    for (int i = 0; i < p->nclauses; i++)
        if (!strcmp(p->clauses[i].id, id))
            return &p->clauses[i];
    return NULL;
}

static char *clause_text(const struct hogo_policy *p, const struct hogo__clause *c)
{
    struct text t = {0};
    textf(&t, "%s\n", c->title ? c->title : "");
    for (int i = 0; i < c->nrules; i++)
        rule_text(p, &p->rules[c->first_rule + i], &t, "    ");
    return text_take(&t);
}

char *hogo_policy_diff(const struct hogo_policy *a, const struct hogo_policy *b, int *changes)
{
    struct text t = {0};
    int n = 0;
    textf(&t, "--- %s %s (%s)\n+++ %s %s (%s)\n", a->id, a->version, a->path, b->id, b->version,
          b->path);
    if (strcmp(a->id, b->id))
        textf(&t, "note: comparing two different policies (%s, %s)\n", a->id, b->id), n++;
    if (strcmp(a->operator_ja ? a->operator_ja : "", b->operator_ja ? b->operator_ja : ""))
        textf(&t, "operator: %s -> %s\n", a->operator_ja, b->operator_ja), n++;
    for (int i = 0; i < a->nclauses; i++)
        if (!find_clause(b, a->clauses[i].id)) {
            char *ct = clause_text(a, &a->clauses[i]);
            textf(&t, "\n- removed clause [%s] %s", a->clauses[i].id, ct ? ct : "\n");
            free(ct);
            n++;
        }
    for (int i = 0; i < b->nclauses; i++) {
        const struct hogo__clause *old = find_clause(a, b->clauses[i].id);
        char *nt = clause_text(b, &b->clauses[i]);
        if (!old) {
            textf(&t, "\n+ added clause [%s] %s", b->clauses[i].id, nt ? nt : "\n");
            n++;
        } else {
            char *ot = clause_text(a, old);
            if (ot && nt && strcmp(ot, nt)) {
                textf(&t, "\n~ changed clause [%s]\n  before: %s  after:  %s", b->clauses[i].id,
                      ot, nt);
                n++;
            }
            free(ot);
        }
        free(nt);
    }
    if (n == 0)
        textf(&t, "\nno differences in clauses and rules\n");
    if (changes)
        *changes = n;
    return text_take(&t);
}

/* The ids of a bit mask of kind k, comma-separated, into buf. */
static void mask_ids(const struct hogo_policy *p, enum hogo__kind k, unsigned mask, char *buf,
                     size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; i < p->vocab->t[k].n && i < 32 && used < size; i++)
        if (mask & (1u << i))
            used += (size_t)snprintf(buf + used, size - used, "%s%s", used ? "," : "",
                                     p->vocab->t[k].v[i].id);
}

int hogo_policy_rule(const struct hogo_policy *p, int i, struct hogo_rule_info *out)
{
    static const char *const effects[] = {"permit", "forbid", "obligation"};
    if (i < 0 || i >= p->nrules)
        return -1;
    const struct hogo__rule *r = &p->rules[i];
    const struct hogo__clause *c = &p->clauses[r->clause];
    memset(out, 0, sizeof *out);
    out->clause = c->id;
    out->title = c->title ? c->title : "";
    out->effect = effects[r->effect];
    out->quote = r->quote ? r->quote : "";
    out->note = r->note ? r->note : "";
    out->purposes = r->purposes.present ? hogo__selector_text(&r->purposes) : "";
    out->data = r->data.present ? hogo__selector_text(&r->data) : "";
    out->recipients = r->recipients.present ? hogo__selector_text(&r->recipients) : "";
    out->services = r->services.present ? hogo__selector_text(&r->services) : "";
    mask_ids(p, HOGO__K_ACTION, r->actions, out->actions, sizeof out->actions);
    if (r->effect != HOGO__FORBID) {
        mask_ids(p, HOGO__K_FORM, r->forms, out->forms, sizeof out->forms);
        mask_ids(p, HOGO__K_BASIS, r->bases, out->bases, sizeof out->bases);
    }
    mask_ids(p, HOGO__K_BASIS, r->yields_to, out->yields_to, sizeof out->yields_to);
    mask_ids(p, HOGO__K_OBLIGATION, r->obligations, out->obligations, sizeof out->obligations);
    if (r->when >= 0)
        hogo__cond_render(p, r->when, out->when, sizeof out->when);
    if (r->unless >= 0)
        hogo__cond_render(p, r->unless, out->unless, sizeof out->unless);
    out->line = r->line;
    return 0;
}
