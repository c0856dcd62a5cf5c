/*
 * The 外部送信一覧 registry loader (docs/transmissions.md): reads a policy's list of external
 * transmissions — the tags and SDKs of each site or app, what each sends, to whom and for what
 * (電気通信事業法 Art. 27-12) — with libfyaml, checks every id against the vocabulary (with
 * the nearest id as the hint) and every key, name and address, reporting each problem with
 * file:line:col and how to fix it, and writes the loaded list as JSON.
 * Policy layer.
 */
#include "common/buf.h"
#include "policy_int.h"
#include "yaml_util.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <yajl/yajl_gen.h>

struct hogo_transmissions {
    char *path, *policy, *revised;
    char *operator_ja, *operator_en; /* the policy's operator, when opened with the policy */
    bool example;
    const struct hogo_vocab *vocab;
    struct hogo_vocab *own_vocab;
    struct hogo_transmission_partner *partners;
    size_t npartners, partner_cap;
    struct hogo_transmission_site *sites;
    size_t nsites, site_cap;
    struct hogo_transmission *tx;
    size_t ntx, tx_cap;
    char **owned; /* every string the registry allocated */
    size_t nowned, owned_cap;
};

/* Loading state: where problems go and how many errors there were. */
struct tloader {
    const char *path;
    struct hogo_transmissions *t;
    const struct hogo_policy *policy; /* the policy the list belongs to, when known */
    const struct hogo_policy_load_opts *opts;
    struct hogo_error *err;
    int errors;
    bool nomem;
};

static void problem(struct tloader *L, struct fy_node *at, bool warning, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void problem(struct tloader *L, struct fy_node *at, bool warning, const char *fmt, ...)
{
    struct hogo_error e;
    hogo__yaml_where(L->path, at, e.where, sizeof e.where);
    va_list ap;
    va_start(ap, fmt);
    e.code = HOGO_EPOLICY;
    vsnprintf(e.message, sizeof e.message, fmt, ap);
    va_end(ap);
    if (L->opts && L->opts->diag)
        L->opts->diag(L->opts->diag_user, &e, warning);
    if (!warning && L->errors++ == 0 && L->err)
        *L->err = e;
}

static struct fy_node *get(struct fy_node *map, const char *key)
{
    return fy_node_mapping_lookup_by_string(map, key, (size_t)-1);
}

/* Keeps s as one of the registry's strings; returns it (NULL stays NULL). */
static const char *own(struct tloader *L, char *s)
{
    struct hogo_transmissions *t = L->t;
    if (!s)
        return NULL;
    if (HOGO__GROW(t->owned, t->owned_cap, t->nowned + 1, 32) < 0) {
        free(s);
        L->nomem = true;
        return NULL;
    }
    t->owned[t->nowned++] = s;
    return s;
}

static const char *own_dup(struct tloader *L, struct fy_node *n)
{
    char *s = hogo__yaml_strdup(n);
    if (!s && n && fy_node_get_type(n) == FYNT_SCALAR)
        L->nomem = true;
    return own(L, s);
}

static void check_keys(struct tloader *L, struct fy_node *map, const char *what,
                       const char *const *allowed)
{
    void *it = NULL;
    struct fy_node_pair *pair;
    while ((pair = fy_node_mapping_iterate(map, &it)) != NULL) {
        struct fy_node *k = fy_node_pair_key(pair);
        size_t len = 0;
        const char *s = fy_node_get_scalar(k, &len);
        bool ok = false;
        for (size_t i = 0; s && allowed[i]; i++)
            if (strlen(allowed[i]) == len && !memcmp(allowed[i], s, len))
                ok = true;
        if (!ok) {
            char list[512] = "";
            for (size_t i = 0; allowed[i]; i++) {
                strncat(list, i ? ", " : "", sizeof list - strlen(list) - 1);
                strncat(list, allowed[i], sizeof list - strlen(list) - 1);
            }
            problem(L, k, false, "unknown key '%.*s' in %s; the keys are: %s", (int)len,
                    s ? s : "", what, list);
        }
    }
}

/* A name or text: a scalar (Japanese only) or {ja: ..., en: ...}. Sets *ja and *en (en = ja
 * when not given); false after reporting a problem. */
static bool read_text(struct tloader *L, struct fy_node *n, const char *what, const char **ja,
                      const char **en)
{
    *ja = *en = NULL;
    if (n && fy_node_get_type(n) == FYNT_SCALAR) {
        *ja = *en = own_dup(L, n);
    } else if (n && fy_node_get_type(n) == FYNT_MAPPING) {
        check_keys(L, n, what, (const char *const[]){"ja", "en", NULL});
        struct fy_node *j = get(n, "ja"), *e = get(n, "en");
        *ja = own_dup(L, j);
        *en = e ? own_dup(L, e) : *ja;
        if (e && !*en)
            problem(L, e, false, "'en' of %s must be one line of text", what);
    } else {
        problem(L, n, false, "%s must be text, or {ja: 日本語, en: English}", what);
        return false;
    }
    if (!*ja || !**ja) {
        problem(L, n, false, "%s needs its Japanese text (ja); the list is published in Japanese",
                what);
        return false;
    }
    if (!*en || !**en)
        *en = *ja;
    return true;
}

/* True for a registry id: lowercase ASCII letters, digits and _, starting with a letter. */
static bool id_well_formed(const char *s)
{
    size_t n = 0;
    if (!s || !(s[0] >= 'a' && s[0] <= 'z'))
        return false;
    for (; s[n]; n++)
        if (!((s[n] >= 'a' && s[n] <= 'z') || (s[n] >= '0' && s[n] <= '9') || s[n] == '_'))
            return false;
    return n < 64;
}

/* An https address with a host and no space, quote or angle bracket. */
static bool url_well_formed(const char *u)
{
    if (!u || strncmp(u, "https://", 8) || !u[8] || u[8] == '/' || strlen(u) > 2000)
        return false;
    for (const unsigned char *p = (const unsigned char *)u; *p; p++)
        if (*p <= 0x20 || *p == 0x7f || *p == '"' || *p == '\'' || *p == '<' || *p == '>' ||
            *p == '\\' || *p == '`')
            return false;
    return true;
}

static const char *read_url(struct tloader *L, struct fy_node *n, const char *what)
{
    const char *u = own_dup(L, n);
    if (!u) {
        problem(L, n, false, "%s must be one address (https://...)", what);
        return NULL;
    }
    if (!url_well_formed(u)) {
        problem(L, n, false,
                "%s '%s' is not an https address; write the full address, starting with "
                "https:// and without spaces or quotes",
                what, u);
        return NULL;
    }
    return u;
}

/* The vocabulary entry of an id of kind k named by scalar n, or -1 after reporting it with
 * the nearest known id. */
static int vocab_id(struct tloader *L, struct fy_node *n, enum hogo__kind k)
{
    size_t len = 0;
    const char *s = n && fy_node_get_type(n) == FYNT_SCALAR ? fy_node_get_scalar(n, &len) : NULL;
    if (!s) {
        problem(L, n, false, "expected a %s id here", hogo__kind_name(k));
        return -1;
    }
    int i = hogo__vocab_find(L->t->vocab, k, s, len);
    if (i >= 0)
        return i;
    char id[128], near[128];
    snprintf(id, sizeof id, "%.*s", (int)(len < 100 ? len : 100), s);
    hogo__vocab_nearest(L->t->vocab, k, id, near, sizeof near);
    if (near[0])
        problem(L, n, false, "unknown %s '%s' — did you mean '%s'?", hogo__kind_name(k), id,
                near);
    else
        problem(L, n, false, "unknown %s '%s'; use an id from %s", hogo__kind_name(k), id,
                hogo_vocab_path(L->t->vocab));
    return -1;
}

static struct hogo_named vocab_named(const struct hogo_vocab *v, enum hogo__kind k, int i)
{
    const struct hogo__entry *e = &v->t[k].v[i];
    const char *ja = e->ja && e->ja[0] ? e->ja : e->id;
    return (struct hogo_named){e->id, ja, e->en && e->en[0] ? e->en : ja};
}

/* True when a permit or obligation of the policy names purpose i, or a broader purpose,
 * explicitly. */
static bool policy_names_purpose(const struct hogo_policy *p, int i)
{
    for (int r = 0; r < p->nrules; r++)
        if (p->rules[r].effect != HOGO__FORBID && p->rules[r].purposes.present && !p->rules[r].purposes.negated &&
            hogo__set_has(&p->rules[r].purposes.cover, i))
            return true;
    return false;
}

/* A non-empty list of vocabulary ids of kind k (each once) into an allocated array. */
static struct hogo_named *read_ids(struct tloader *L, struct fy_node *n, enum hogo__kind k,
                                   const char *what, size_t *count)
{
    *count = 0;
    if (!n) {
        problem(L, n, false, "a transmission needs '%s': a list of %s ids", what,
                hogo__kind_name(k));
        return NULL;
    }
    if (fy_node_get_type(n) != FYNT_SEQUENCE || fy_node_sequence_item_count(n) == 0) {
        problem(L, n, false, "'%s' must be a non-empty list of %s ids, like [%s]", what,
                hogo__kind_name(k), k == HOGO__K_DATA ? "cookie, ip_address" : "ad_delivery");
        return NULL;
    }
    size_t cap = (size_t)fy_node_sequence_item_count(n);
    struct hogo_named *out = calloc(cap, sizeof *out);
    if (!out) {
        L->nomem = true;
        return NULL;
    }
    void *it = NULL;
    struct fy_node *item;
    while ((item = fy_node_sequence_iterate(n, &it)) != NULL) {
        int i = vocab_id(L, item, k);
        if (i < 0)
            continue;
        bool seen = false;
        for (size_t j = 0; j < *count; j++)
            seen |= !strcmp(out[j].id, L->t->vocab->t[k].v[i].id);
        if (k == HOGO__K_PURPOSE && L->policy && !policy_names_purpose(L->policy, i))
            problem(L, item, true,
                    "purpose '%s' is not one policy '%s' states (no clause permits it or a "
                    "broader purpose); the list must match what the policy tells users — use the "
                    "policy's purpose or add it to the policy",
                    L->t->vocab->t[k].v[i].id, L->policy->id);
        if (seen)
            problem(L, item, true, "%s '%s' is listed twice in '%s'; list it once",
                    hogo__kind_name(k), L->t->vocab->t[k].v[i].id, what);
        else
            out[(*count)++] = vocab_named(L->t->vocab, k, i);
    }
    return out;
}

static long find_partner(const struct hogo_transmissions *t, const char *id, size_t len)
{
    for (size_t i = 0; i < t->npartners; i++)
        if (strlen(t->partners[i].name.id) == len && !memcmp(t->partners[i].name.id, id, len))
            return (long)i;
    return -1;
}

static struct hogo_transmission_partner *new_partner(struct tloader *L)
{
    struct hogo_transmissions *t = L->t;
    if (HOGO__GROW(t->partners, t->partner_cap, t->npartners + 1, 8) < 0) {
        L->nomem = true;
        return NULL;
    }
    struct hogo_transmission_partner *p = &t->partners[t->npartners++];
    memset(p, 0, sizeof *p);
    p->opt_out_ja = p->opt_out_en = "";
    return p;
}

/* A named (not class) recipient of the vocabulary, or -1 (with is_class set for a class). */
static int vocab_recipient(const struct hogo_vocab *v, const char *id, size_t len, bool *is_class)
{
    int i = hogo__vocab_find(v, HOGO__K_RECIPIENT, id, len);
    *is_class = i >= 0 && (v->t[HOGO__K_RECIPIENT].v[i].flags & HOGO__FLAG_CLASS);
    return *is_class ? -1 : i;
}

static void read_partner(struct tloader *L, struct fy_node *n)
{
    struct hogo_transmissions *t = L->t;
    if (fy_node_get_type(n) != FYNT_MAPPING) {
        problem(L, n, false, "a partner is a mapping: {id: ..., name: {ja: ..., en: ...}, "
                             "opt_out: {url: https://...}}");
        return;
    }
    check_keys(L, n, "a partner", (const char *const[]){"id", "name", "opt_out", NULL});
    struct fy_node *idn = get(n, "id"), *name = get(n, "name"), *oo = get(n, "opt_out");
    size_t len = 0;
    const char *id = idn && fy_node_get_type(idn) == FYNT_SCALAR ? fy_node_get_scalar(idn, &len)
                                                                 : NULL;
    if (!id) {
        problem(L, idn ? idn : n, false,
                "a partner needs an 'id': a recipient id of the vocabulary (google), or an id "
                "of your own (lowercase, digits, _) with its 'name'");
        return;
    }
    char idbuf[128];
    snprintf(idbuf, sizeof idbuf, "%.*s", (int)(len < 100 ? len : 100), id);
    if (find_partner(t, id, len) >= 0) {
        problem(L, idn, false, "partner '%s' is declared twice; declare each partner once",
                idbuf);
        return;
    }
    bool is_class;
    int vi = vocab_recipient(t->vocab, id, len, &is_class);
    if (is_class) {
        problem(L, idn, false,
                "'%s' is a class of recipients in the vocabulary, not a recipient: the list must "
                "name who receives the data (電気通信事業法 Art. 27-12); declare the partner "
                "with its own id and 'name'",
                idbuf);
        return;
    }
    struct hogo_transmission_partner p = {.opt_out_ja = "", .opt_out_en = ""};
    p.line = 0;
    int col;
    hogo__yaml_pos(idn, &p.line, &col);
    if (vi >= 0) {
        if (name) {
            problem(L, name, false,
                    "'%s' is a recipient of the vocabulary, whose name the list uses; remove "
                    "'name', or give the partner an id of its own",
                    idbuf);
            return;
        }
        p.name = vocab_named(t->vocab, HOGO__K_RECIPIENT, vi);
        p.in_vocabulary = true;
    } else if (!name) {
        char near[128];
        hogo__vocab_nearest(t->vocab, HOGO__K_RECIPIENT, idbuf, near, sizeof near);
        if (near[0])
            problem(L, idn, false,
                    "unknown recipient '%s' — did you mean '%s'? A partner the vocabulary does "
                    "not name is declared with its 'name': {ja: ..., en: ...}",
                    idbuf, near);
        else
            problem(L, idn, false,
                    "partner '%s' is not a recipient of the vocabulary; give its 'name': "
                    "{ja: 株式会社..., en: ...} (the list must name the recipient)",
                    idbuf);
        return;
    } else {
        if (!id_well_formed(idbuf)) {
            problem(L, idn, false,
                    "partner id '%s' must be lowercase letters, digits and _ (at most 63), "
                    "starting with a letter",
                    idbuf);
            return;
        }
        p.name.id = own(L, strdup(idbuf));
        if (!read_text(L, name, "the partner's name", &p.name.ja, &p.name.en))
            return;
    }
    if (!p.name.id)
        p.name.id = own(L, strdup(idbuf));
    if (oo) {
        if (fy_node_get_type(oo) != FYNT_MAPPING) {
            problem(L, oo, false, "'opt_out' is {url: https://..., ja: 説明, en: how}");
        } else {
            check_keys(L, oo, "opt_out", (const char *const[]){"url", "ja", "en", NULL});
            struct fy_node *u = get(oo, "url");
            if (!u)
                problem(L, oo, false, "'opt_out' needs the 'url' of the partner's own opt-out "
                                      "page; leave opt_out out when the partner offers none");
            else
                p.opt_out_url = read_url(L, u, "the opt-out url");
            const char *ja = own_dup(L, get(oo, "ja")), *en = own_dup(L, get(oo, "en"));
            p.opt_out_ja = ja ? ja : "";
            p.opt_out_en = en ? en : p.opt_out_ja;
        }
    }
    struct hogo_transmission_partner *slot = new_partner(L);
    if (slot)
        *slot = p;
}

/* The partner a transmission names: a declared partner or a named recipient of the
 * vocabulary (added on first use); -1 after reporting it with the nearest id. */
static long transmission_partner(struct tloader *L, struct fy_node *n)
{
    struct hogo_transmissions *t = L->t;
    size_t len = 0;
    const char *id = n && fy_node_get_type(n) == FYNT_SCALAR ? fy_node_get_scalar(n, &len) : NULL;
    if (!id) {
        problem(L, n, false, "a transmission needs its 'recipient': a recipient id of the "
                             "vocabulary or of the registry's partners");
        return -1;
    }
    long at = find_partner(t, id, len);
    if (at >= 0)
        return at;
    char idbuf[128];
    snprintf(idbuf, sizeof idbuf, "%.*s", (int)(len < 100 ? len : 100), id);
    bool is_class;
    int vi = vocab_recipient(t->vocab, id, len, &is_class);
    if (is_class) {
        problem(L, n, false,
                "'%s' is a class of recipients, not a recipient: the list must name who receives "
                "the data; name a recipient (google) or declare the partner under 'partners' "
                "with its name",
                idbuf);
        return -1;
    }
    if (vi < 0) {
        /* the nearest among the vocabulary's recipients and the declared partners */
        const struct hogo__table *rt = &t->vocab->t[HOGO__K_RECIPIENT];
        size_t nn = (size_t)rt->n + t->npartners;
        const char **names = malloc((nn + 1) * sizeof *names);
        const char *near = NULL;
        if (names) {
            for (int i = 0; i < rt->n; i++)
                names[i] = rt->v[i].id;
            for (size_t i = 0; i < t->npartners; i++)
                names[(size_t)rt->n + i] = t->partners[i].name.id;
            near = hogo__nearest_name(idbuf, names, nn);
        }
        if (near)
            problem(L, n, false, "unknown recipient '%s' — did you mean '%s'?", idbuf, near);
        else
            problem(L, n, false,
                    "unknown recipient '%s'; name a recipient of the vocabulary, or declare the "
                    "partner under 'partners' with its id and name",
                    idbuf);
        free(names);
        return -1;
    }
    struct hogo_transmission_partner *p = new_partner(L);
    if (!p)
        return -1;
    p->name = vocab_named(t->vocab, HOGO__K_RECIPIENT, vi);
    p->in_vocabulary = true;
    int col;
    hogo__yaml_pos(n, &p->line, &col);
    return (long)(t->npartners - 1);
}

static void read_transmission(struct tloader *L, struct fy_node *n, size_t site)
{
    struct hogo_transmissions *t = L->t;
    if (fy_node_get_type(n) != FYNT_MAPPING) {
        problem(L, n, false, "a transmission is a mapping: {tool: ..., recipient: ..., data: "
                             "[...], purposes: [...]}");
        return;
    }
    check_keys(L, n, "a transmission",
               (const char *const[]){"tool", "recipient", "data", "purposes", "note", NULL});
    struct hogo_transmission x = {.site = site, .note_ja = "", .note_en = ""};
    int col;
    hogo__yaml_pos(n, &x.line, &col);
    x.tool.id = "";
    bool ok = true;
    struct fy_node *tool = get(n, "tool");
    if (!tool) {
        problem(L, n, false, "a transmission needs its 'tool': the name of the tag or SDK that "
                             "sends the data");
        ok = false;
    } else if (!read_text(L, tool, "'tool'", &x.tool.ja, &x.tool.en)) {
        ok = false;
    }
    long partner = transmission_partner(L, get(n, "recipient"));
    x.data = read_ids(L, get(n, "data"), HOGO__K_DATA, "data", &x.ndata);
    x.purposes = read_ids(L, get(n, "purposes"), HOGO__K_PURPOSE, "purposes", &x.npurposes);
    struct fy_node *note = get(n, "note");
    if (note && !read_text(L, note, "'note'", &x.note_ja, &x.note_en))
        ok = false;
    if (!ok || partner < 0 || !x.ndata || !x.npurposes ||
        HOGO__GROW(t->tx, t->tx_cap, t->ntx + 1, 16) < 0) {
        free((void *)x.data);
        free((void *)x.purposes);
        return;
    }
    x.partner = (size_t)partner;
    t->tx[t->ntx++] = x;
}

static void read_site(struct tloader *L, struct fy_node *n)
{
    struct hogo_transmissions *t = L->t;
    if (fy_node_get_type(n) != FYNT_MAPPING) {
        problem(L, n, false, "a site is a mapping: {id: ..., kind: web|app, name: ..., "
                             "transmissions: [...]}");
        return;
    }
    check_keys(L, n, "a site or app",
               (const char *const[]){"id", "kind", "name", "url", "services", "transmissions",
                                     NULL});
    struct hogo_transmission_site s = {0};
    int col;
    hogo__yaml_pos(n, &s.line, &col);
    struct fy_node *idn = get(n, "id");
    s.id = own_dup(L, idn);
    if (!s.id || !id_well_formed(s.id)) {
        problem(L, idn ? idn : n, false,
                "a site needs an 'id' of lowercase letters, digits and _ (at most 63), "
                "starting with a letter");
        return;
    }
    for (size_t i = 0; i < t->nsites; i++)
        if (!strcmp(t->sites[i].id, s.id)) {
            problem(L, idn, false, "site '%s' is listed twice (first at line %d); give each "
                                   "site or app one entry", s.id, t->sites[i].line);
            return;
        }
    struct fy_node *kind = get(n, "kind");
    if (hogo__yaml_is(kind, "web"))
        s.kind = "web";
    else if (hogo__yaml_is(kind, "app"))
        s.kind = "app";
    else
        problem(L, kind ? kind : n, false,
                "'kind' of site '%s' is web (a website) or app (an application)", s.id);
    s.name.id = s.id;
    read_text(L, get(n, "name"), "the site's 'name'", &s.name.ja, &s.name.en);
    struct fy_node *url = get(n, "url");
    if (url)
        s.url = read_url(L, url, "the site's url");
    struct fy_node *services = get(n, "services");
    struct hogo_named *sv = NULL;
    if (services)
        sv = read_ids(L, services, HOGO__K_SERVICE, "services", &s.nservices);
    s.services = sv;
    struct fy_node *txs = get(n, "transmissions");
    size_t site_index = t->nsites;
    if (!txs || fy_node_get_type(txs) != FYNT_SEQUENCE || fy_node_sequence_item_count(txs) == 0) {
        problem(L, txs ? txs : n, false,
                "site '%s' needs 'transmissions': a non-empty list of what its tags and SDKs "
                "send (leave the site out when it sends nothing)", s.id);
    } else {
        s.first = t->ntx;
        void *it = NULL;
        struct fy_node *x;
        while ((x = fy_node_sequence_iterate(txs, &it)) != NULL)
            read_transmission(L, x, site_index);
        s.count = t->ntx - s.first;
    }
    if (HOGO__GROW(t->sites, t->site_cap, t->nsites + 1, 8) < 0) {
        L->nomem = true;
        free(sv);
        return;
    }
    t->sites[t->nsites++] = s;
}

/* Adds id to a partner's union list (once). */
static int add_union(const struct hogo_named **arr, size_t *n, size_t *cap,
                     const struct hogo_named *item)
{
    for (size_t i = 0; i < *n; i++)
        if (!strcmp((*arr)[i].id, item->id))
            return 0;
    struct hogo_named *a = (struct hogo_named *)*arr;
    if (HOGO__GROW(a, *cap, *n + 1, 8) < 0)
        return -1;
    a[(*n)++] = *item;
    *arr = a;
    return 0;
}

/* Fills every partner's data and purposes from the transmissions naming it; warns of a
 * declared partner nothing is sent to. */
static void close_partners(struct tloader *L, struct fy_node *partners)
{
    struct hogo_transmissions *t = L->t;
    for (size_t p = 0; p < t->npartners; p++) {
        struct hogo_transmission_partner *pp = &t->partners[p];
        size_t dcap = 0, pcap = 0;
        for (size_t i = 0; i < t->ntx; i++) {
            if (t->tx[i].partner != p)
                continue;
            for (size_t j = 0; j < t->tx[i].ndata; j++)
                if (add_union(&pp->data, &pp->ndata, &dcap, &t->tx[i].data[j]))
                    L->nomem = true;
            for (size_t j = 0; j < t->tx[i].npurposes; j++)
                if (add_union(&pp->purposes, &pp->npurposes, &pcap, &t->tx[i].purposes[j]))
                    L->nomem = true;
        }
        if (!pp->ndata && partners) {
            void *it = NULL;
            struct fy_node *item;
            while ((item = fy_node_sequence_iterate(partners, &it)) != NULL)
                if (hogo__yaml_is(get(item, "id"), pp->name.id))
                    problem(L, get(item, "id"), true,
                            "partner '%s' is declared but no transmission sends it anything; "
                            "remove it or add its transmissions", pp->name.id);
        }
    }
}

void hogo_transmissions_free(struct hogo_transmissions *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->ntx; i++) {
        free((void *)t->tx[i].data);
        free((void *)t->tx[i].purposes);
    }
    for (size_t i = 0; i < t->nsites; i++)
        free((void *)t->sites[i].services);
    for (size_t i = 0; i < t->npartners; i++) {
        free((void *)t->partners[i].data);
        free((void *)t->partners[i].purposes);
    }
    for (size_t i = 0; i < t->nowned; i++)
        free(t->owned[i]);
    free(t->owned);
    free(t->tx);
    free(t->sites);
    free(t->partners);
    free(t->path);
    free(t->policy);
    free(t->revised);
    free(t->operator_ja);
    free(t->operator_en);
    hogo_vocab_free(t->own_vocab);
    free(t);
}

static int file_readable(const char *path)
{
    return access(path, R_OK) == 0;
}

/* vocabulary.yaml of the folder above the registry's folder, else the default one. */
static void registry_vocab_file(const char *path, char *out, size_t size)
{
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash) {
        *slash = '\0';
        snprintf(out, size, "%s/../vocabulary.yaml", dir);
    } else {
        snprintf(out, size, "../vocabulary.yaml");
    }
    if (!file_readable(out))
        hogo_vocab_default_file(out, size);
}

static void read_header(struct tloader *L, struct fy_node *root)
{
    struct hogo_transmissions *t = L->t;
    struct fy_node *pol = get(root, "policy");
    if (!pol) {
        problem(L, root, false, "the registry has no 'policy'; add the id of the policy whose "
                                "sites it lists (policy: irp)");
    } else if (vocab_id(L, pol, HOGO__K_POLICY) >= 0) {
        t->policy = hogo__yaml_strdup(pol);
        const char *base = strrchr(L->path, '/');
        base = base ? base + 1 : L->path;
        size_t n = t->policy ? strlen(t->policy) : 0;
        if (t->policy && (strncmp(base, t->policy, n) || strcmp(base + n, ".yaml")))
            problem(L, pol, false,
                    "the registry of policy '%s' is in file '%s'; name it '%s.yaml' (in the "
                    "transmissions folder beside the policy) so it is found",
                    t->policy, base, t->policy);
    }
    struct fy_node *rev = get(root, "revised");
    t->revised = hogo__yaml_strdup(rev);
    int64_t when;
    if (!rev)
        problem(L, root, false, "the registry has no 'revised'; add the date the list was last "
                                "revised, quoted ('2025-04-01')");
    else if (!t->revised || hogo__parse_jst_date(t->revised, &when))
        problem(L, rev, false, "'revised' is a date YYYY-MM-DD, quoted ('2025-04-01')");
    struct fy_node *ex = get(root, "example");
    if (ex && !hogo__yaml_is(ex, "true") && !hogo__yaml_is(ex, "false"))
        problem(L, ex, false, "'example' is true or false");
    t->example = ex && hogo__yaml_is(ex, "true");
}

/* Loads a registry; with policy, its purposes are also held to the policy's. */
static int load_registry(const char *path, const struct hogo_policy_load_opts *opts,
                         const struct hogo_policy *policy, struct hogo_transmissions **out,
                         struct hogo_error *err)
{
    *out = NULL;
    hogo_error_clear(err);
    struct hogo_transmissions *t = calloc(1, sizeof *t);
    if (!t)
        return hogo_error_set(err, HOGO_ENOMEM, path, "out of memory");
    struct tloader L = {.path = path, .t = t, .policy = policy, .opts = opts, .err = err};
    struct fy_document *doc = NULL;
    int rc = 0;
    t->path = strdup(path);
    if (!t->path) {
        rc = HOGO_ENOMEM;
        goto out;
    }
    if (opts && opts->vocab) {
        t->vocab = opts->vocab;
    } else {
        char vfile[PATH_MAX + 64];
        registry_vocab_file(path, vfile, sizeof vfile);
        if ((rc = hogo_vocab_load(vfile, &t->own_vocab, err)))
            goto out;
        t->vocab = t->own_vocab;
    }
    rc = hogo__yaml_load(path, &doc, err);
    if (rc) {
        if (opts && opts->diag && err)
            opts->diag(opts->diag_user, err, false);
        goto out;
    }
    struct fy_node *root = fy_document_root(doc);
    if (!root || fy_node_get_type(root) != FYNT_MAPPING) {
        problem(&L, root, false, "a registry of external transmissions is a YAML mapping "
                                 "(policy, revised, example, partners, sites); see "
                                 "docs/transmissions.md");
        goto done;
    }
    check_keys(&L, root, "the registry",
               (const char *const[]){"policy", "revised", "example", "partners", "sites", NULL});
    read_header(&L, root);
    struct fy_node *partners = get(root, "partners");
    if (partners && fy_node_get_type(partners) != FYNT_SEQUENCE) {
        problem(&L, partners, false, "'partners' is a list of partners");
        partners = NULL;
    }
    void *it = NULL;
    struct fy_node *item;
    while (partners && (item = fy_node_sequence_iterate(partners, &it)) != NULL)
        read_partner(&L, item);
    struct fy_node *sites = get(root, "sites");
    if (!sites || fy_node_get_type(sites) != FYNT_SEQUENCE ||
        fy_node_sequence_item_count(sites) == 0) {
        problem(&L, sites ? sites : root, false,
                "'sites' is a non-empty list of the sites and apps whose tags and SDKs send "
                "information out");
    } else {
        it = NULL;
        while ((item = fy_node_sequence_iterate(sites, &it)) != NULL)
            read_site(&L, item);
    }
    close_partners(&L, partners);
done:
    if (L.nomem)
        rc = hogo_error_set(err, HOGO_ENOMEM, path, "out of memory");
    else if (L.errors)
        rc = HOGO_EPOLICY;
    if (!rc) {
        *out = t;
        t = NULL;
    }
out:
    if (doc)
        fy_document_destroy(doc);
    hogo_transmissions_free(t);
    return rc;
}

int hogo_transmissions_load(const char *path, const struct hogo_policy_load_opts *opts,
                            struct hogo_transmissions **out, struct hogo_error *err)
{
    return load_registry(path, opts, NULL, out, err);
}

int hogo_transmissions_file(const char *policy_path, const char *policy_id, char *path,
                            size_t size)
{
    const char *slash = strrchr(policy_path, '/');
    if (slash)
        snprintf(path, size, "%.*s/transmissions/%s.yaml", (int)(slash - policy_path),
                 policy_path, policy_id);
    else
        snprintf(path, size, "transmissions/%s.yaml", policy_id);
    return file_readable(path) ? 0 : HOGO_ENOTFOUND;
}

int hogo_transmissions_open(const struct hogo_policy *policy, hogo_diag_fn diag, void *diag_user,
                            struct hogo_transmissions **out, struct hogo_error *err)
{
    *out = NULL;
    char path[PATH_MAX + 64];
    if (hogo_transmissions_file(policy->path, policy->id, path, sizeof path))
        return hogo_error_set(err, HOGO_ENOTFOUND, path,
                              "policy '%s' has no list of external transmissions; write %s "
                              "(docs/transmissions.md)",
                              policy->id, path);
    struct hogo_policy_load_opts o = {.vocab = policy->vocab, .diag = diag, .diag_user = diag_user};
    int rc = load_registry(path, &o, policy, out, err);
    if (!rc && strcmp((*out)->policy, policy->id)) {
        rc = hogo_error_set(err, HOGO_EPOLICY, path,
                            "the registry names policy '%s', not '%s'; fix its 'policy'",
                            (*out)->policy, policy->id);
        hogo_transmissions_free(*out);
        *out = NULL;
    } else if (!rc) {
        (*out)->operator_ja = strdup(policy->operator_ja ? policy->operator_ja : "");
        (*out)->operator_en = strdup(policy->operator_en ? policy->operator_en : "");
        if (!(*out)->operator_ja || !(*out)->operator_en) {
            hogo_transmissions_free(*out);
            *out = NULL;
            rc = hogo_error_set(err, HOGO_ENOMEM, path, "out of memory");
        }
    }
    return rc;
}

const char *hogo_transmissions_policy(const struct hogo_transmissions *t)
{
    return t->policy;
}

const char *hogo_transmissions_revised(const struct hogo_transmissions *t)
{
    return t->revised;
}

const char *hogo_transmissions_path(const struct hogo_transmissions *t)
{
    return t->path;
}

const char *hogo_transmissions_operator(const struct hogo_transmissions *t, bool en)
{
    const char *s = en && t->operator_en && t->operator_en[0] ? t->operator_en : t->operator_ja;
    return s ? s : "";
}

bool hogo_transmissions_example(const struct hogo_transmissions *t)
{
    return t->example;
}

size_t hogo_transmissions_site_count(const struct hogo_transmissions *t)
{
    return t->nsites;
}

const struct hogo_transmission_site *hogo_transmissions_site(const struct hogo_transmissions *t,
                                                             size_t i)
{
    return i < t->nsites ? &t->sites[i] : NULL;
}

size_t hogo_transmissions_count(const struct hogo_transmissions *t)
{
    return t->ntx;
}

const struct hogo_transmission *hogo_transmissions_get(const struct hogo_transmissions *t,
                                                       size_t i)
{
    return i < t->ntx ? &t->tx[i] : NULL;
}

size_t hogo_transmissions_partner_count(const struct hogo_transmissions *t)
{
    return t->npartners;
}

const struct hogo_transmission_partner *
hogo_transmissions_partner(const struct hogo_transmissions *t, size_t i)
{
    return i < t->npartners ? &t->partners[i] : NULL;
}

const struct hogo_transmission_partner *
hogo_transmissions_optout(const struct hogo_transmissions *t, size_t i)
{
    for (size_t p = 0; p < t->npartners; p++)
        if (t->partners[p].opt_out_url && i-- == 0)
            return &t->partners[p];
    return NULL;
}

const struct hogo_transmission_partner *
hogo_transmissions_find_partner(const struct hogo_transmissions *t, const char *id)
{
    long at = id ? find_partner(t, id, strlen(id)) : -1;
    return at >= 0 ? &t->partners[at] : NULL;
}

/* --- JSON ------------------------------------------------------------------------------ */

static void gen_str(yajl_gen g, const char *s)
{
    if (s)
        yajl_gen_string(g, (const unsigned char *)s, strlen(s));
    else
        yajl_gen_null(g);
}

static void gen_kv(yajl_gen g, const char *k, const char *v)
{
    gen_str(g, k);
    gen_str(g, v);
}

static void gen_text(yajl_gen g, const char *k, const char *ja, const char *en)
{
    gen_str(g, k);
    if (!ja || !*ja) {
        yajl_gen_null(g);
        return;
    }
    yajl_gen_map_open(g);
    gen_kv(g, "ja", ja);
    gen_kv(g, "en", en && *en ? en : ja);
    yajl_gen_map_close(g);
}

static void gen_named_list(yajl_gen g, const char *k, const struct hogo_named *v, size_t n)
{
    gen_str(g, k);
    yajl_gen_array_open(g);
    for (size_t i = 0; i < n; i++) {
        yajl_gen_map_open(g);
        gen_kv(g, "id", v[i].id);
        gen_kv(g, "ja", v[i].ja);
        gen_kv(g, "en", v[i].en);
        yajl_gen_map_close(g);
    }
    yajl_gen_array_close(g);
}

static void gen_opt_out(yajl_gen g, const struct hogo_transmission_partner *p)
{
    gen_str(g, "opt_out");
    if (!p->opt_out_url) {
        yajl_gen_null(g);
        return;
    }
    yajl_gen_map_open(g);
    gen_kv(g, "id", p->name.id);
    gen_kv(g, "url", p->opt_out_url);
    gen_text(g, "how", p->opt_out_ja, p->opt_out_en);
    yajl_gen_map_close(g);
}

static void gen_transmission(yajl_gen g, const struct hogo_transmissions *t,
                             const struct hogo_transmission *x, bool flat)
{
    const struct hogo_transmission_partner *p = &t->partners[x->partner];
    yajl_gen_map_open(g);
    if (flat) {
        const struct hogo_transmission_site *s = &t->sites[x->site];
        gen_kv(g, "policy", t->policy);
        gen_kv(g, "site", s->id);
        gen_kv(g, "site_kind", s->kind);
        gen_text(g, "site_name", s->name.ja, s->name.en);
    }
    gen_text(g, "tool", x->tool.ja, x->tool.en);
    gen_kv(g, "recipient", p->name.id);
    gen_text(g, "recipient_name", p->name.ja, p->name.en);
    gen_named_list(g, "data", x->data, x->ndata);
    gen_named_list(g, "purposes", x->purposes, x->npurposes);
    gen_text(g, "note", x->note_ja, x->note_en);
    gen_kv(g, "opt_out_url", p->opt_out_url);
    yajl_gen_map_close(g);
}

char *hogo_transmissions_json(const struct hogo_transmissions *t, bool flat, size_t *len)
{
    yajl_gen g = yajl_gen_alloc(NULL);
    if (!g)
        return NULL;
    if (flat) {
        yajl_gen_array_open(g);
        for (size_t i = 0; i < t->ntx; i++)
            gen_transmission(g, t, &t->tx[i], true);
        yajl_gen_array_close(g);
    } else {
        yajl_gen_map_open(g);
        gen_kv(g, "policy", t->policy);
        gen_text(g, "operator", t->operator_ja, t->operator_en);
        gen_kv(g, "revised", t->revised);
        gen_str(g, "example");
        yajl_gen_bool(g, t->example);
        gen_str(g, "partners");
        yajl_gen_array_open(g);
        for (size_t i = 0; i < t->npartners; i++) {
            const struct hogo_transmission_partner *p = &t->partners[i];
            yajl_gen_map_open(g);
            gen_kv(g, "id", p->name.id);
            gen_text(g, "name", p->name.ja, p->name.en);
            gen_str(g, "in_vocabulary");
            yajl_gen_bool(g, p->in_vocabulary);
            gen_named_list(g, "data", p->data, p->ndata);
            gen_named_list(g, "purposes", p->purposes, p->npurposes);
            gen_opt_out(g, p);
            yajl_gen_map_close(g);
        }
        yajl_gen_array_close(g);
        gen_str(g, "sites");
        yajl_gen_array_open(g);
        for (size_t i = 0; i < t->nsites; i++) {
            const struct hogo_transmission_site *s = &t->sites[i];
            yajl_gen_map_open(g);
            gen_kv(g, "id", s->id);
            gen_kv(g, "kind", s->kind);
            gen_text(g, "name", s->name.ja, s->name.en);
            gen_kv(g, "url", s->url);
            gen_named_list(g, "services", s->services, s->nservices);
            gen_str(g, "transmissions");
            yajl_gen_array_open(g);
            for (size_t j = s->first; j < s->first + s->count; j++)
                gen_transmission(g, t, &t->tx[j], false);
            yajl_gen_array_close(g);
            yajl_gen_map_close(g);
        }
        yajl_gen_array_close(g);
        yajl_gen_map_close(g);
    }
    const unsigned char *buf;
    size_t n;
    char *s = NULL;
    if (yajl_gen_get_buf(g, &buf, &n) == yajl_gen_status_ok) {
        s = malloc(n + 1);
        if (s) {
            memcpy(s, buf, n);
            s[n] = '\0';
            if (len)
                *len = n;
        }
    }
    yajl_gen_free(g);
    return s;
}
