/*
 * The vocabulary loader: reads policies/vocabulary.yaml (libfyaml), gives every id of every
 * kind an index, and closes the hierarchies (part_of, parent, classes) both ways into bit sets
 * so that "a broader id covers the narrower ones" is one bit test at decision time.
 * Policy layer.
 */
#include "common/datacat.h"
#include "policy_int.h"
#include "yaml_util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
    const char *section;
    enum hogo__kind kind;
    unsigned flags;
} sections[] = {
    {"policies", HOGO__K_POLICY, 0},
    {"actions", HOGO__K_ACTION, 0},
    {"data_categories", HOGO__K_DATA, 0},
    {"purposes", HOGO__K_PURPOSE, 0},
    {"services", HOGO__K_SERVICE, 0},
    {"recipients", HOGO__K_RECIPIENT, 0},
    {"recipient_classes", HOGO__K_RECIPIENT, HOGO__FLAG_CLASS},
    {"institution_types", HOGO__K_INSTITUTION, 0},
    {"linkable_accounts", HOGO__K_ACCOUNT, 0},
    {"forms", HOGO__K_FORM, 0},
    {"bases", HOGO__K_BASIS, 0},
    {"subject_facts", HOGO__K_FACT, 0},
    {"obligation_types", HOGO__K_OBLIGATION, 0},
};

/* The ids the engine reasons about, in the order of its enums (policy_int.h). */
#define FIXED_NAME(e, id) #id,
static const char *const fixed_actions[HOGO__ACTION_COUNT] = {HOGO__ACTIONS(FIXED_NAME)};
static const char *const fixed_forms[HOGO__FORM_COUNT] = {HOGO__FORMS(FIXED_NAME)};
static const char *const fixed_bases[HOGO__BASIS_COUNT] = {HOGO__BASES(FIXED_NAME)};
#undef FIXED_NAME
/* in the order of enum hogo__obligation */
static const char *const fixed_obligations[] = {
    "record_provision",     "confirm_receipt",       "deidentify",
    "foreign_transfer_info", "supervise_processor",  "limit_use_by_contract",
    "guardian_consent_required", "check_foreign_system", "publish_anonymized_items",
    "notify_anonymized_recipient"};

const char *hogo__kind_name(enum hogo__kind k)
{
    static const char *const names[HOGO__K_COUNT] = {
        "policy", "action", "data category", "purpose", "service", "recipient",
        "institution type", "linkable account", "form", "basis", "subject fact",
        "obligation type"};
    return k < HOGO__K_COUNT ? names[k] : "id";
}

/* Sorts a table's lookup order by id (insertion sort: tables hold at most a few hundred ids,
 * and this keeps loading free of global state). */
static void sort_order(struct hogo__table *t)
{
    for (int i = 1; i < t->n; i++) {
        int x = t->order[i], j = i - 1;
        while (j >= 0 && strcmp(t->v[t->order[j]].id, t->v[x].id) > 0) {
            t->order[j + 1] = t->order[j];
            j--;
        }
        t->order[j + 1] = x;
    }
}

static int find_linear(const struct hogo__table *t, const char *id, size_t len)
{
    for (int i = 0; i < t->n; i++)
        if (strlen(t->v[i].id) == len && !memcmp(t->v[i].id, id, len))
            return i;
    return -1;
}

int hogo__vocab_find(const struct hogo_vocab *v, enum hogo__kind k, const char *id, size_t len)
{
    const struct hogo__table *t = &v->t[k];
    int lo = 0, hi = t->n - 1;
    while (lo <= hi) {
        int mid = (lo + hi) / 2;
        const char *cand = t->v[t->order[mid]].id;
        int c = strncmp(cand, id, len);
        if (c == 0 && cand[len] != '\0')
            c = 1;
        if (c == 0)
            return t->order[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return -1;
}

static size_t edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 63 || lb > 63)
        return 99;
    size_t prev[64], cur[64];
    for (size_t j = 0; j <= lb; j++)
        prev[j] = j;
    for (size_t i = 1; i <= la; i++) {
        cur[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
            size_t del = prev[j] + 1, ins = cur[j - 1] + 1;
            cur[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
        }
        memcpy(prev, cur, (lb + 1) * sizeof prev[0]);
    }
    return prev[lb];
}

const char *hogo__nearest_name(const char *id, const char *const *names, size_t n)
{
    size_t best = 99;
    const char *best_name = NULL;
    size_t idlen = strlen(id);
    for (size_t i = 0; i < n; i++) {
        size_t d = edit_distance(id, names[i]);
        /* a prefix match ("sensitive" for "sensitive_info") counts as close too */
        if (idlen >= 3 && strncmp(names[i], id, idlen) == 0 && d > 1)
            d = 1 + d / 8;
        if (d < best) {
            best = d;
            best_name = names[i];
        }
    }
    size_t limit = idlen / 3 > 2 ? idlen / 3 : 2;
    return best_name && best <= limit ? best_name : NULL;
}

void hogo__vocab_nearest(const struct hogo_vocab *v, enum hogo__kind k, const char *id, char *buf,
                         size_t bufsize)
{
    const struct hogo__table *t = &v->t[k];
    const char *names[HOGO__MAX_IDS];
    for (int i = 0; i < t->n; i++)
        names[i] = t->v[i].id;
    const char *near = hogo__nearest_name(id, names, (size_t)t->n);
    if (!near && (unsigned char)id[0] >= 0x80) {
        /* a Japanese word: the id whose Japanese name holds it (the most specific, i.e. the
         * shortest such name), else the one whose name the word holds */
        size_t best = (size_t)-1;
        for (int i = 0; i < t->n; i++) {
            const char *ja = t->v[i].ja;
            if (ja && strstr(ja, id) && strlen(ja) < best) {
                best = strlen(ja);
                near = t->v[i].id;
            }
        }
        for (int i = 0; !near && i < t->n; i++)
            if (t->v[i].ja && t->v[i].ja[0] && strstr(id, t->v[i].ja))
                near = t->v[i].id;
    }
    snprintf(buf, bufsize, "%s", near ? near : "");
}

static void table_release(struct hogo__table *t)
{
    for (int i = 0; i < t->n; i++) {
        free(t->v[i].id);
        free(t->v[i].ja);
        free(t->v[i].en);
        free(t->v[i].parent_ids);
        free(t->v[i].version);
        free(t->v[i].seen_in);
    }
    free(t->v);
    free(t->order);
    free(t->up);
    free(t->down);
    memset(t, 0, sizeof *t);
}

const char *hogo_vocab_path(const struct hogo_vocab *v)
{
    return v->path;
}

void hogo_vocab_free(struct hogo_vocab *v)
{
    if (!v)
        return;
    for (int k = 0; k < HOGO__K_COUNT; k++)
        table_release(&v->t[k]);
    free(v->path);
    free(v);
}

/* Appends the scalar(s) of a parent field (scalar or sequence) to a space-separated string. */
static int collect_parents(struct fy_node *n, char **acc)
{
    if (!n)
        return 0;
    void *it = NULL;
    struct fy_node *item;
    if (fy_node_get_type(n) == FYNT_SCALAR) {
        item = n;
        goto one;
    }
    while ((item = fy_node_sequence_iterate(n, &it)) != NULL) {
    one:;
        size_t len = 0;
        const char *s = fy_node_get_scalar(item, &len);
        if (!s)
            continue;
        size_t old = *acc ? strlen(*acc) : 0;
        char *grown = realloc(*acc, old + len + 2);
        if (!grown)
            return HOGO_ENOMEM;
        if (old)
            grown[old++] = ' ';
        memcpy(grown + old, s, len);
        grown[old + len] = '\0';
        *acc = grown;
        if (fy_node_get_type(n) == FYNT_SCALAR)
            break;
    }
    return 0;
}

/* A subject fact of the vocabulary must be one the engine knows (common/facts.h), of the type
 * the engine reads it as. */
static int check_fact(const char *id, struct fy_node *key, struct fy_node *body,
                      const char *file, struct hogo_error *err)
{
    int f = 0;
    while (f < HOGO__F_COUNT && strcmp(hogo__facts[f].name, id))
        f++;
    char where[512];
    if (f == HOGO__F_COUNT) {
        hogo__yaml_where(file, key, where, sizeof where);
        return hogo_error_set(err, HOGO_EPOLICY, where,
                              "subject fact '%s' is not one hogo reads from a request; remove "
                              "it (the facts are those of spec/vocabulary.yaml)", id);
    }
    struct fy_node *type = body && fy_node_get_type(body) == FYNT_MAPPING
                               ? fy_node_mapping_lookup_by_string(body, "type", 4)
                               : NULL;
    const char *want = hogo__fact_type_name(hogo__facts[f].type);
    if (!hogo__yaml_is(type, want)) {
        hogo__yaml_where(file, type ? type : key, where, sizeof where);
        return hogo_error_set(err, HOGO_EPOLICY, where,
                              "subject fact '%s' must have type: %s, as in "
                              "spec/vocabulary.yaml", id, want);
    }
    return 0;
}

static int add_entry(struct hogo_vocab *v, enum hogo__kind k, unsigned flags, const char *id,
                     size_t idlen, struct fy_node *body, const char *file, struct hogo_error *err)
{
    struct hogo__table *t = &v->t[k];
    if (t->n >= HOGO__MAX_IDS)
        return hogo_error_set(err, HOGO_EPOLICY, file,
                              "vocabulary defines more than %d %s ids; hogo supports at most %d",
                              HOGO__MAX_IDS, hogo__kind_name(k), HOGO__MAX_IDS);
    struct hogo__entry *grown = realloc(t->v, (size_t)(t->n + 1) * sizeof *grown);
    if (!grown)
        return HOGO_ENOMEM;
    t->v = grown;
    struct hogo__entry *e = &t->v[t->n];
    memset(e, 0, sizeof *e);
    e->id = strndup(id, idlen);
    if (!e->id)
        return HOGO_ENOMEM;
    t->n++;
    e->flags = flags;
    if (!body || fy_node_get_type(body) != FYNT_MAPPING)
        return 0;
    e->ja = hogo__yaml_strdup(fy_node_mapping_lookup_by_string(body, "ja", 2));
    e->en = hogo__yaml_strdup(fy_node_mapping_lookup_by_string(body, "en", 2));
    int rc = 0;
    const char *parent_keys[] = {"part_of", "parent", "classes"};
    for (size_t i = 0; i < sizeof parent_keys / sizeof parent_keys[0]; i++) {
        rc = collect_parents(fy_node_mapping_lookup_by_string(body, parent_keys[i], (size_t)-1),
                             &e->parent_ids);
        if (rc)
            return rc;
    }
    rc = collect_parents(fy_node_mapping_lookup_by_string(body, "seen_in", (size_t)-1),
                         &e->seen_in);
    if (rc)
        return rc;
    if (hogo__yaml_bool(fy_node_mapping_lookup_by_string(body, "sensitive", (size_t)-1)))
        e->flags |= HOGO__FLAG_SENSITIVE;
    if (hogo__yaml_bool(fy_node_mapping_lookup_by_string(body, "informative", (size_t)-1)))
        e->flags |= HOGO__FLAG_INFORMATIVE;
    if (hogo__yaml_bool(fy_node_mapping_lookup_by_string(body, "qualifies", (size_t)-1)))
        e->flags |= HOGO__FLAG_QUALIFIES;
    if (k == HOGO__K_DATA) {
        char *kind = hogo__yaml_strdup(fy_node_mapping_lookup_by_string(body, "kind", 4));
        if (hogo__data_category_direct(kind, e->id))
            e->flags |= HOGO__FLAG_DIRECT_ID;
        free(kind);
    }
    if (k == HOGO__K_POLICY)
        e->version = hogo__yaml_strdup(fy_node_mapping_lookup_by_string(body, "version", 7));
    struct fy_node *fa = fy_node_mapping_lookup_by_string(body, "for_actions", (size_t)-1);
    if (fa) {
        void *it = NULL;
        struct fy_node *a;
        while ((a = fy_node_sequence_iterate(fa, &it)) != NULL) {
            size_t len = 0;
            const char *s = fy_node_get_scalar(a, &len);
            for (unsigned j = 0; s && j < HOGO__ACTION_COUNT; j++)
                if (strlen(fixed_actions[j]) == len && !memcmp(fixed_actions[j], s, len))
                    e->actions |= 1u << j;
        }
    }
    return 0;
}

static int check_fixed(struct hogo_vocab *v, enum hogo__kind k, const char *const *ids, size_t n,
                       struct hogo_error *err)
{
    for (size_t i = 0; i < n; i++) {
        int at = hogo__vocab_find(v, k, ids[i], strlen(ids[i]));
        if (at != (int)i)
            return hogo_error_set(err, HOGO_EPOLICY, v->path,
                                  "vocabulary %s '%s' is %s; hogo needs it as entry %zu of its "
                                  "section, in the order of spec/vocabulary.yaml",
                                  hogo__kind_name(k), ids[i], at < 0 ? "missing" : "out of order",
                                  i + 1);
    }
    return 0;
}

/* Resolves parent names and closes the hierarchy: up = ancestors-or-self, down = inverse. */
static int close_hierarchy(struct hogo_vocab *v, enum hogo__kind k, struct hogo_error *err)
{
    struct hogo__table *t = &v->t[k];
    t->up = calloc((size_t)t->n + 1, sizeof *t->up);
    t->down = calloc((size_t)t->n + 1, sizeof *t->down);
    if (!t->up || !t->down)
        return HOGO_ENOMEM;
    /* direct parents */
    struct hogo__set *direct = calloc((size_t)t->n + 1, sizeof *direct);
    if (!direct)
        return HOGO_ENOMEM;
    for (int i = 0; i < t->n; i++) {
        const char *p = t->v[i].parent_ids;
        while (p && *p) {
            const char *end = strchr(p, ' ');
            size_t len = end ? (size_t)(end - p) : strlen(p);
            int at = hogo__vocab_find(v, k, p, len);
            if (at < 0) {
                free(direct);
                return hogo_error_set(err, HOGO_EPOLICY, v->path,
                                      "vocabulary %s '%s' names an unknown broader id '%.*s'",
                                      hogo__kind_name(k), t->v[i].id, (int)len, p);
            }
            hogo__set_add(&direct[i], at);
            p = end ? end + 1 : NULL;
        }
    }
    /* transitive closure by iteration to a fixed point (hierarchies are shallow) */
    for (int i = 0; i < t->n; i++) {
        hogo__set_add(&t->up[i], i);
        hogo__set_union(&t->up[i], &direct[i]);
    }
    bool changed = true;
    for (int round = 0; changed && round < 64; round++) {
        changed = false;
        for (int i = 0; i < t->n; i++)
            for (int j = 0; j < t->n; j++)
                if (j != i && hogo__set_has(&t->up[i], j)) {
                    struct hogo__set before = t->up[i];
                    hogo__set_union(&t->up[i], &t->up[j]);
                    if (memcmp(&before, &t->up[i], sizeof before))
                        changed = true;
                }
    }
    free(direct);
    for (int i = 0; i < t->n; i++)
        for (int j = 0; j < t->n; j++)
            if (hogo__set_has(&t->up[j], i))
                hogo__set_add(&t->down[i], j);
    return 0;
}

int hogo_vocab_load(const char *path, struct hogo_vocab **out, struct hogo_error *err)
{
    int rc = 0;
    struct fy_document *doc = NULL;
    struct hogo_vocab *v = calloc(1, sizeof *v);
    *out = NULL;
    if (!v)
        return HOGO_ENOMEM;
    v->path = strdup(path);
    if (!v->path) {
        rc = HOGO_ENOMEM;
        goto out;
    }
    rc = hogo__yaml_load(path, &doc, err);
    if (rc)
        goto out;
    struct fy_node *root = fy_document_root(doc);
    if (!root || fy_node_get_type(root) != FYNT_MAPPING) {
        rc = hogo_error_set(err, HOGO_EPOLICY, path,
                            "vocabulary is not a YAML mapping; start from spec/vocabulary.yaml");
        goto out;
    }
    for (size_t s = 0; s < sizeof sections / sizeof sections[0]; s++) {
        struct fy_node *sec = fy_node_mapping_lookup_by_string(root, sections[s].section,
                                                               (size_t)-1);
        if (!sec || fy_node_get_type(sec) != FYNT_MAPPING) {
            rc = hogo_error_set(err, HOGO_EPOLICY, path,
                                "vocabulary has no '%s' section; every section of "
                                "spec/vocabulary.yaml is needed", sections[s].section);
            goto out;
        }
        void *it = NULL;
        struct fy_node_pair *pair;
        while ((pair = fy_node_mapping_iterate(sec, &it)) != NULL) {
            size_t len = 0;
            const char *id = fy_node_get_scalar(fy_node_pair_key(pair), &len);
            if (!id)
                continue;
            if (find_linear(&v->t[sections[s].kind], id, len) >= 0) {
                char where[512];
                hogo__yaml_where(path, fy_node_pair_key(pair), where, sizeof where);
                rc = hogo_error_set(err, HOGO_EPOLICY, where,
                                    "vocabulary %s '%.*s' is defined twice; ids must be unique",
                                    hogo__kind_name(sections[s].kind), (int)len, id);
                goto out;
            }
            rc = add_entry(v, sections[s].kind, sections[s].flags, id, len,
                           fy_node_pair_value(pair), path, err);
            if (!rc && sections[s].kind == HOGO__K_FACT)
                rc = check_fact(v->t[HOGO__K_FACT].v[v->t[HOGO__K_FACT].n - 1].id,
                                fy_node_pair_key(pair), fy_node_pair_value(pair), path, err);
            if (rc)
                goto out;
        }
    }
    for (int k = 0; k < HOGO__K_COUNT; k++) {
        struct hogo__table *t = &v->t[k];
        t->order = malloc(((size_t)t->n + 1) * sizeof *t->order);
        if (!t->order) {
            rc = HOGO_ENOMEM;
            goto out;
        }
        for (int i = 0; i < t->n; i++)
            t->order[i] = i;
        sort_order(t);
    }
    const char *fixed_facts[HOGO__F_COUNT];
    for (int f = 0; f < HOGO__F_COUNT; f++)
        fixed_facts[f] = hogo__facts[f].name;
    if ((rc = check_fixed(v, HOGO__K_ACTION, fixed_actions, HOGO__ACTION_COUNT, err)) ||
        (rc = check_fixed(v, HOGO__K_FORM, fixed_forms, HOGO__FORM_COUNT, err)) ||
        (rc = check_fixed(v, HOGO__K_BASIS, fixed_bases, HOGO__BASIS_COUNT, err)) ||
        (rc = check_fixed(v, HOGO__K_OBLIGATION, fixed_obligations, HOGO__OB_COUNT, err)) ||
        (rc = check_fixed(v, HOGO__K_FACT, fixed_facts, HOGO__F_COUNT, err)))
        goto out;
    for (int k = 0; k < HOGO__K_COUNT; k++)
        if ((rc = close_hierarchy(v, (enum hogo__kind)k, err)))
            goto out;
    v->processor = hogo__vocab_find(v, HOGO__K_RECIPIENT, "processor", 9);
    v->successor = hogo__vocab_find(v, HOGO__K_RECIPIENT, "successor", 9);
    v->public_authority = hogo__vocab_find(v, HOGO__K_RECIPIENT, "public_authority", 16);
    v->local_government = hogo__vocab_find(v, HOGO__K_RECIPIENT, "local_government", 16);
    /* APPI Art.16(2): state organs, local governments, incorporated administrative agencies
     * (独立行政法人等, which include national university corporations, national R&D agencies
     * and inter-university research institute corporations) and local incorporated
     * administrative agencies keep no Art.29 record duty on the provider's side */
    static const char *const public_bodies[] = {
        "national_research_and_development_agency", "national_university_corporation",
        "inter_university_research_institute_corporation",
        "local_incorporated_administrative_agency"};
    for (size_t i = 0; i < sizeof public_bodies / sizeof public_bodies[0]; i++) {
        int at = hogo__vocab_find(v, HOGO__K_INSTITUTION, public_bodies[i],
                                  strlen(public_bodies[i]));
        if (at >= 0)
            hogo__set_add(&v->public_institutions, at);
    }
    /* APPI Art.41(8): pseudonymised data may not be used to call, mail, e-mail or otherwise
     * reach the person: the purposes whose point is to reach the person, and their narrower
     * ones (newsletters, direct mail, notices and ads under ad_delivery) */
    static const char *const contacting[] = {"ad_delivery", "linked_member_ads",
                                             "campaign_fulfilment", "survey_conduct",
                                             "scout_selection", "paid_placement_proposal"};
    for (size_t i = 0; i < sizeof contacting / sizeof contacting[0]; i++) {
        int at = hogo__vocab_find(v, HOGO__K_PURPOSE, contacting[i], strlen(contacting[i]));
        if (at >= 0)
            hogo__set_union(&v->contacting_purposes, &v->t[HOGO__K_PURPOSE].down[at]);
    }
    v->gender = hogo__vocab_find(v, HOGO__K_DATA, "gender", 6);
    v->age_group = hogo__vocab_find(v, HOGO__K_DATA, "age_group", 9);
    *out = v;
    v = NULL;
out:
    if (doc)
        fy_document_destroy(doc);
    hogo_vocab_free(v);
    return rc;
}

size_t hogo_vocab_count(const struct hogo_vocab *v)
{
    size_t n = 0;
    for (int k = 0; k < HOGO__K_COUNT; k++)
        n += (size_t)v->t[k].n;
    return n;
}

int hogo_vocab_entry(const struct hogo_vocab *v, size_t i, struct hogo_vocab_entry *out)
{
    static const char *const kinds[HOGO__K_COUNT] = {
        "policy", "action", "data_category", "purpose", "service", "recipient",
        "institution_type", "linkable_account", "form", "basis", "subject_fact",
        "obligation_type"};
    for (int k = 0; k < HOGO__K_COUNT; k++) {
        if (i < (size_t)v->t[k].n) {
            const struct hogo__entry *e = &v->t[k].v[i];
            out->kind = k == HOGO__K_RECIPIENT && (e->flags & HOGO__FLAG_CLASS)
                            ? "recipient_class"
                            : kinds[k];
            out->id = e->id;
            out->ja = e->ja ? e->ja : "";
            out->en = e->en ? e->en : "";
            out->broader = e->parent_ids ? e->parent_ids : "";
            out->seen_in = e->seen_in ? e->seen_in : "";
            return 0;
        }
        i -= (size_t)v->t[k].n;
    }
    return -1;
}
