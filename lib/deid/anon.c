/*
 * Tabular anonymisation, public side: the YAML config, running the search on a CSV file, and
 * writing the transformed table and its report (include/hogo/deid.h).
 * De-identification layer.
 *
 * Config format (every key optional unless said; docs/deid.md has the full description):
 *
 *   separator: ";"                    # CSV separator; detected from the header when absent
 *   attributes:                       # required; every column of the data, else an error
 *     name: identifying               # dropped
 *     age: {type: quasi, hierarchy: builtin:age}     # or a hierarchy CSV path
 *     disease: sensitive
 *   models:
 *     k: 5                            # k-anonymity
 *     l_diversity: {attribute: disease, l: 3, variant: distinct|entropy}   # or a list
 *     t_closeness: {attribute: disease, t: 0.2}                            # or a list
 *   suppression_limit: 0.04           # fraction of rows (or "4%")
 *   measure: {name: loss|entropy|discernibility|precision, gs_factor: 0.5,
 *             aggregate: sum|geometric_mean|arithmetic_mean|max}
 *   population: {file: population.csv, count: n}   # or population: population.csv
 *
 * The population table (for the journalist risk) is a CSV with the same quasi-identifier
 * columns, ungeneralised, one row per person of the population or, with `count`, one row per
 * combination of values with its number of people. Paths are relative to the config.
 */
#include "deid_int.h"

#include <libfyaml.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <yajl/yajl_gen.h>

/* ---------- config ---------- */

void hogo_deid_config_free(struct hogo_deid_config *cfg)
{
    if (!cfg)
        return;
    for (size_t i = 0; i < cfg->nattrs; i++) {
        free(cfg->attrs[i].name);
        free(cfg->attrs[i].hier_path);
        free(cfg->attrs[i].builtin);
    }
    for (size_t i = 0; i < cfg->nsmodels; i++)
        free(cfg->smodels[i].attr);
    free(cfg->pop_path);
    free(cfg->pop_count);
    free(cfg->attrs);
    free(cfg->smodels);
    free(cfg);
}

static int node_line(struct fy_node *n)
{
    if (n && fy_node_is_mapping(n) && fy_node_mapping_item_count(n) > 0)
        return node_line(fy_node_pair_key(fy_node_mapping_get_by_index(n, 0)));
    if (n && fy_node_is_sequence(n) && fy_node_sequence_item_count(n) > 0)
        return node_line(fy_node_sequence_get_by_index(n, 0));
    struct fy_token *t = n && fy_node_is_scalar(n) ? fy_node_get_scalar_token(n) : NULL;
    const struct fy_mark *m = t ? fy_token_start_mark(t) : NULL;
    return m ? m->line + 1 : 0;
}

/* Copies a scalar into buf; returns 0, or -1 when the node is not a scalar. */
static int scalar(struct fy_node *n, char *buf, size_t cap)
{
    size_t len;
    const char *s = n && fy_node_is_scalar(n) ? fy_node_get_scalar(n, &len) : NULL;
    if (!s)
        return -1;
    snprintf(buf, cap, "%.*s", (int)len, s);
    return 0;
}

struct cfgctx {
    struct hogo_deid_config *cfg;
    const char *name, *base;
    struct hogo_error *err;
};

static int cfg_error(struct cfgctx *c, struct fy_node *n, const char *fmt, const char *a,
                     const char *b)
{
    char where[300], msg[900];
    snprintf(where, sizeof where, "%s:%d", c->name, node_line(n));
    snprintf(msg, sizeof msg, fmt, a, b);
    return hogo_error_set(c->err, HOGO_EINVAL, where, "%s (%s)", msg, where);
}

static char *resolve(const char *base, const char *p)
{
    if (p[0] == '/' || !base || !*base)
        return strdup(p);
    size_t n = strlen(base) + strlen(p) + 2;
    char *r = malloc(n);
    if (r)
        snprintf(r, n, "%s/%s", base, p);
    return r;
}

/* A name of the configuration and the value it stands for; tables end with a NULL name. */
struct name_val {
    const char *name;
    int val;
};

/* Returns the value name stands for in t, or -1 when t does not have it. */
static int lookup_name(const struct name_val *t, const char *name)
{
    for (; t->name; t++)
        if (!strcmp(t->name, name))
            return t->val;
    return -1;
}

static int parse_attr(struct cfgctx *c, struct fy_node *key, struct fy_node *val)
{
    struct hogo_deid_config *cfg = c->cfg;
    char name[256], type[64] = "", hier[1024] = "";
    if (scalar(key, name, sizeof name) < 0)
        return cfg_error(c, key, "attribute names must be strings%s%s", "", "");
    struct hogo__attr_cfg *arr = realloc(cfg->attrs, (cfg->nattrs + 1) * sizeof *arr);
    if (!arr)
        return hogo_error_set(c->err, HOGO_ENOMEM, c->name, "out of memory");
    cfg->attrs = arr;
    struct hogo__attr_cfg *a = &cfg->attrs[cfg->nattrs];
    memset(a, 0, sizeof *a);
    a->cfg_line = node_line(key);
    if (fy_node_is_scalar(val)) {
        scalar(val, type, sizeof type);
    } else if (fy_node_is_mapping(val)) {
        int n = fy_node_mapping_item_count(val);
        for (int i = 0; i < n; i++) {
            struct fy_node_pair *p = fy_node_mapping_get_by_index(val, i);
            char k[64];
            struct fy_node *kn = fy_node_pair_key(p), *vn = fy_node_pair_value(p);
            if (scalar(kn, k, sizeof k) < 0)
                return cfg_error(c, kn, "bad key in attribute '%s'%s", name, "");
            if (!strcmp(k, "type")) {
                if (scalar(vn, type, sizeof type) < 0)
                    return cfg_error(c, vn, "'type' of attribute '%s' must be a string%s", name,
                                     "");
            } else if (!strcmp(k, "hierarchy")) {
                if (scalar(vn, hier, sizeof hier) < 0)
                    return cfg_error(c, vn, "'hierarchy' of attribute '%s' must be a path or "
                                            "builtin:KIND%s", name, "");
            } else {
                return cfg_error(c, kn, "unknown key '%s' in attribute '%s'; use type and "
                                        "hierarchy", k, name);
            }
        }
    } else {
        return cfg_error(c, val, "attribute '%s' must be a type or {type, hierarchy}%s", name,
                         "");
    }
    static const struct name_val types[] = {
        {"identifying", HOGO__IDENTIFYING}, {"quasi", HOGO__QUASI},
        {"quasi_identifying", HOGO__QUASI}, {"sensitive", HOGO__SENSITIVE},
        {"insensitive", HOGO__INSENSITIVE}, {NULL, 0}};
    int t = lookup_name(types, type);
    if (t < 0)
        return cfg_error(c, val, "unknown attribute type '%s' for '%s'; use identifying, "
                                 "quasi, sensitive or insensitive", type, name);
    a->type = t;
    if (!(a->name = strdup(name)))
        return hogo_error_set(c->err, HOGO_ENOMEM, c->name, "out of memory");
    cfg->nattrs++;
    if (a->type == HOGO__QUASI) {
        if (!hier[0])
            return cfg_error(c, val, "quasi-identifier '%s' needs a hierarchy (a CSV file or "
                                     "builtin:age|date|postal_code|address)%s", name, "");
        if (!strncmp(hier, "builtin:", 8)) {
            const char *k = hier + 8;
            if (strcmp(k, "age") && strcmp(k, "date") && strcmp(k, "postal_code") &&
                strcmp(k, "address"))
                return cfg_error(c, val, "unknown built-in hierarchy '%s' for '%s'; use age, "
                                         "date, postal_code or address", k, name);
            a->builtin = strdup(k);
        } else {
            a->hier_path = resolve(c->base, hier);
        }
        if (!a->builtin && !a->hier_path)
            return hogo_error_set(c->err, HOGO_ENOMEM, c->name, "out of memory");
    }
    return 0;
}

static int parse_number(struct cfgctx *c, struct fy_node *n, const char *what, double *out)
{
    char buf[64], *end;
    if (scalar(n, buf, sizeof buf) < 0)
        return cfg_error(c, n, "'%s' must be a number%s", what, "");
    double v = strtod(buf, &end);
    if (*end == '%') {
        v /= 100.0;
        end++;
    }
    if (end == buf || *end || !isfinite(v))
        return cfg_error(c, n, "'%s' must be a number, not '%s'", what, buf);
    *out = v;
    return 0;
}

static int parse_smodel(struct cfgctx *c, struct fy_node *val, int is_t)
{
    struct hogo_deid_config *cfg = c->cfg;
    if (fy_node_is_sequence(val)) {
        int n = fy_node_sequence_item_count(val);
        for (int i = 0; i < n; i++) {
            int rc = parse_smodel(c, fy_node_sequence_get_by_index(val, i), is_t);
            if (rc < 0)
                return rc;
        }
        return 0;
    }
    if (!fy_node_is_mapping(val))
        return cfg_error(c, val, "%s must be a mapping {attribute: ..., %s}",
                         is_t ? "t_closeness" : "l_diversity", is_t ? "t: ..." : "l: ...");
    char attr[256] = "", variant[32] = "distinct";
    double l = -1, t = -1;
    int n = fy_node_mapping_item_count(val);
    for (int i = 0; i < n; i++) {
        struct fy_node_pair *p = fy_node_mapping_get_by_index(val, i);
        struct fy_node *kn = fy_node_pair_key(p), *vn = fy_node_pair_value(p);
        char k[64];
        int rc = 0;
        if (scalar(kn, k, sizeof k) < 0)
            return cfg_error(c, kn, "bad key%s%s", "", "");
        if (!strcmp(k, "attribute"))
            rc = scalar(vn, attr, sizeof attr) < 0
                     ? cfg_error(c, vn, "'attribute' must be a column name%s%s", "", "")
                     : 0;
        else if (!strcmp(k, "variant") && !is_t)
            rc = scalar(vn, variant, sizeof variant) < 0
                     ? cfg_error(c, vn, "'variant' must be distinct or entropy%s%s", "", "")
                     : 0;
        else if (!strcmp(k, "l") && !is_t)
            rc = parse_number(c, vn, "l", &l);
        else if (!strcmp(k, "t") && is_t)
            rc = parse_number(c, vn, "t", &t);
        else
            rc = cfg_error(c, kn, "unknown key '%s' in %s", k, is_t ? "t_closeness" : "l_diversity");
        if (rc < 0)
            return rc;
    }
    if (!attr[0])
        return cfg_error(c, val, "%s needs 'attribute: <sensitive column>'%s",
                         is_t ? "t_closeness" : "l_diversity", "");
    if (!is_t && (l < 1 || l != floor(l)))
        return cfg_error(c, val, "l_diversity on '%s' needs a whole number l >= 1%s", attr, "");
    if (is_t && (t < 0 || t > 1))
        return cfg_error(c, val, "t_closeness on '%s' needs 0 <= t <= 1%s", attr, "");
    if (!is_t && strcmp(variant, "distinct") && strcmp(variant, "entropy"))
        return cfg_error(c, val, "unknown l-diversity variant '%s' for '%s'; use distinct or "
                                 "entropy", variant, attr);
    struct hogo__smodel *arr = realloc(cfg->smodels, (cfg->nsmodels + 1) * sizeof *arr);
    if (!arr)
        return hogo_error_set(c->err, HOGO_ENOMEM, c->name, "out of memory");
    cfg->smodels = arr;
    struct hogo__smodel *m = &cfg->smodels[cfg->nsmodels];
    memset(m, 0, sizeof *m);
    m->t = is_t ? t : -1;
    m->l = is_t ? 0 : l;
    m->ldiv = is_t ? HOGO__LDIV_NONE
                   : (!strcmp(variant, "entropy") ? HOGO__LDIV_ENTROPY : HOGO__LDIV_DISTINCT);
    m->cfg_line = node_line(val);
    if (!(m->attr = strdup(attr)))
        return hogo_error_set(c->err, HOGO_ENOMEM, c->name, "out of memory");
    cfg->nsmodels++;
    return 0;
}

static int parse_root(struct cfgctx *c, struct fy_node *root)
{
    struct hogo_deid_config *cfg = c->cfg;
    int rc = 0, have_measure_agg = 0;
    if (!root || !fy_node_is_mapping(root))
        return cfg_error(c, root, "the config must be a mapping with 'attributes'%s%s", "", "");
    int n = fy_node_mapping_item_count(root);
    int saw_attrs = 0;
    for (int i = 0; i < n && rc == 0; i++) {
        struct fy_node_pair *p = fy_node_mapping_get_by_index(root, i);
        struct fy_node *kn = fy_node_pair_key(p), *vn = fy_node_pair_value(p);
        char k[64], buf[64];
        if (scalar(kn, k, sizeof k) < 0)
            return cfg_error(c, kn, "bad top-level key%s%s", "", "");
        if (!strcmp(k, "separator")) {
            if (scalar(vn, buf, sizeof buf) < 0 ||
                (strcmp(buf, ",") && strcmp(buf, ";") && strcmp(buf, "\t") &&
                 strcmp(buf, "tab")))
                return cfg_error(c, vn, "separator must be \",\", \";\" or tab%s%s", "", "");
            cfg->sep = !strcmp(buf, "tab") ? '\t' : buf[0];
        } else if (!strcmp(k, "attributes")) {
            saw_attrs = 1;
            if (!fy_node_is_mapping(vn))
                return cfg_error(c, vn, "'attributes' must map column names to types%s%s", "",
                                 "");
            int m = fy_node_mapping_item_count(vn);
            for (int j = 0; j < m && rc == 0; j++) {
                struct fy_node_pair *ap = fy_node_mapping_get_by_index(vn, j);
                rc = parse_attr(c, fy_node_pair_key(ap), fy_node_pair_value(ap));
            }
        } else if (!strcmp(k, "models")) {
            if (!fy_node_is_mapping(vn))
                return cfg_error(c, vn, "'models' must be a mapping (k, l_diversity, "
                                        "t_closeness)%s%s", "", "");
            int m = fy_node_mapping_item_count(vn);
            for (int j = 0; j < m && rc == 0; j++) {
                struct fy_node_pair *mp = fy_node_mapping_get_by_index(vn, j);
                struct fy_node *mk = fy_node_pair_key(mp), *mv = fy_node_pair_value(mp);
                char name[64];
                if (scalar(mk, name, sizeof name) < 0)
                    return cfg_error(c, mk, "bad model name%s%s", "", "");
                if (!strcmp(name, "k") || !strcmp(name, "k_anonymity")) {
                    double kv;
                    if ((rc = parse_number(c, mv, "k", &kv)) < 0)
                        return rc;
                    if (kv < 1 || kv != floor(kv) || kv > 1e9)
                        return cfg_error(c, mv, "k must be a whole number >= 1%s%s", "", "");
                    cfg->k = (int)kv;
                    cfg->k_line = node_line(mv);
                } else if (!strcmp(name, "l_diversity")) {
                    rc = parse_smodel(c, mv, 0);
                } else if (!strcmp(name, "t_closeness")) {
                    rc = parse_smodel(c, mv, 1);
                } else {
                    return cfg_error(c, mk, "unknown privacy model '%s'; use k, l_diversity or "
                                            "t_closeness%s", name, "");
                }
            }
        } else if (!strcmp(k, "suppression_limit")) {
            double v;
            if ((rc = parse_number(c, vn, "suppression_limit", &v)) < 0)
                return rc;
            if (v < 0 || v > 1)
                return cfg_error(c, vn, "suppression_limit must be between 0 and 1 (or 0%%-100%%)%s%s",
                                 "", "");
            cfg->suppression = v;
        } else if (!strcmp(k, "measure")) {
            struct fy_node *nm = vn;
            char mname[64] = "";
            if (fy_node_is_mapping(vn)) {
                int m = fy_node_mapping_item_count(vn);
                nm = NULL;
                for (int j = 0; j < m; j++) {
                    struct fy_node_pair *mp = fy_node_mapping_get_by_index(vn, j);
                    struct fy_node *mk = fy_node_pair_key(mp), *mv = fy_node_pair_value(mp);
                    char key[64];
                    scalar(mk, key, sizeof key);
                    if (!strcmp(key, "name")) {
                        nm = mv;
                    } else if (!strcmp(key, "gs_factor")) {
                        if ((rc = parse_number(c, mv, "gs_factor", &cfg->gs_factor)) < 0)
                            return rc;
                        if (cfg->gs_factor < 0 || cfg->gs_factor > 1)
                            return cfg_error(c, mv, "gs_factor must be in [0, 1]%s%s", "", "");
                    } else if (!strcmp(key, "aggregate")) {
                        char ag[64] = "";
                        scalar(mv, ag, sizeof ag);
                        have_measure_agg = 1;
                        static const struct name_val aggs[] = {
                            {"sum", HOGO__AGG_SUM}, {"geometric_mean", HOGO__AGG_GEOMEAN},
                            {"arithmetic_mean", HOGO__AGG_ARITH}, {"max", HOGO__AGG_MAX},
                            {NULL, 0}};
                        int agg = lookup_name(aggs, ag);
                        if (agg < 0)
                            return cfg_error(c, mv, "unknown aggregate '%s'; use sum, "
                                                    "geometric_mean, arithmetic_mean or max%s",
                                             ag, "");
                        cfg->aggregate = agg;
                    } else {
                        return cfg_error(c, mk, "unknown key '%s' in measure; use name, "
                                                "gs_factor, aggregate%s", key, "");
                    }
                }
            }
            if (!nm || scalar(nm, mname, sizeof mname) < 0)
                return cfg_error(c, vn, "measure needs a name (loss, entropy, discernibility, "
                                        "precision)%s%s", "", "");
            /* value = measure + 256 x how the entropy charges suppressed records */
            static const struct name_val measures[] = {
                {"loss", HOGO__M_LOSS},
                {"entropy", HOGO__M_ENTROPY + 256 * HOGO__ENT_INSIDE},
                {"non_uniform_entropy", HOGO__M_ENTROPY + 256 * HOGO__ENT_INSIDE},
                {"monotonic_entropy", HOGO__M_ENTROPY + 256 * HOGO__ENT_IGNORE},
                {"entropy_suppressed_as_root", HOGO__M_ENTROPY + 256 * HOGO__ENT_ROOT},
                {"discernibility", HOGO__M_DISCERNIBILITY}, {"precision", HOGO__M_PRECISION},
                {NULL, 0}};
            int measure = lookup_name(measures, mname);
            if (measure < 0)
                return cfg_error(c, nm, "unknown measure '%s'; use loss, entropy (ARX's "
                                        "default), monotonic_entropy (ARX's monotonic variant), "
                                        "entropy_suppressed_as_root, discernibility or "
                                        "precision%s", mname, "");
            cfg->measure = measure % 256;
            cfg->entropy_sup = measure / 256;
        } else if (!strcmp(k, "population")) {
            char file[1024] = "", count[256] = "";
            if (fy_node_is_mapping(vn)) {
                int m = fy_node_mapping_item_count(vn);
                for (int j = 0; j < m; j++) {
                    struct fy_node_pair *mp = fy_node_mapping_get_by_index(vn, j);
                    struct fy_node *mk = fy_node_pair_key(mp), *mv = fy_node_pair_value(mp);
                    char key[64];
                    if (scalar(mk, key, sizeof key) < 0)
                        return cfg_error(c, mk, "bad population key%s%s", "", "");
                    if (!strcmp(key, "file") && scalar(mv, file, sizeof file) == 0)
                        continue;
                    if (!strcmp(key, "count") && scalar(mv, count, sizeof count) == 0)
                        continue;
                    return cfg_error(c, mk, "unknown or bad population key '%s'; use file and "
                                            "count (a column name)%s", key, "");
                }
            } else if (scalar(vn, file, sizeof file) < 0) {
                return cfg_error(c, vn, "population must be a CSV path or {file: …, count: "
                                        "…}%s%s", "", "");
            }
            if (!file[0])
                return cfg_error(c, vn, "population needs a file (a CSV with the "
                                        "quasi-identifier columns)%s%s", "", "");
            free(cfg->pop_path);
            free(cfg->pop_count);
            cfg->pop_path = resolve(c->base, file);
            cfg->pop_count = count[0] ? strdup(count) : NULL;
            cfg->pop_line = node_line(vn);
            if (!cfg->pop_path || (count[0] && !cfg->pop_count))
                return hogo_error_set(c->err, HOGO_ENOMEM, c->name, "out of memory");
        } else {
            return cfg_error(c, kn, "unknown key '%s'; use separator, attributes, models, "
                                    "suppression_limit, measure, population%s", k, "");
        }
    }
    if (rc < 0)
        return rc;
    if (!saw_attrs || cfg->nattrs == 0)
        return cfg_error(c, root, "the config has no 'attributes'; list the columns with their "
                                  "types%s%s", "", "");
    if (!have_measure_agg)
        cfg->aggregate = cfg->measure == HOGO__M_LOSS        ? HOGO__AGG_GEOMEAN
                         : cfg->measure == HOGO__M_PRECISION ? HOGO__AGG_ARITH
                                                             : HOGO__AGG_SUM;
    for (size_t i = 0; i < cfg->nsmodels; i++) {
        size_t j;
        for (j = 0; j < cfg->nattrs; j++)
            if (!strcmp(cfg->attrs[j].name, cfg->smodels[i].attr))
                break;
        if (j == cfg->nattrs || cfg->attrs[j].type != HOGO__SENSITIVE) {
            char where[300];
            snprintf(where, sizeof where, "%s:%d", c->name, cfg->smodels[i].cfg_line);
            return hogo_error_set(c->err, HOGO_EINVAL, where,
                                  "model attribute '%s' (%s) is not declared 'sensitive' under "
                                  "attributes; declare it", cfg->smodels[i].attr, where);
        }
    }
    return 0;
}

int hogo_deid_config_parse(const char *text, size_t len, const char *name, const char *base_dir,
                           struct hogo_deid_config **out, struct hogo_error *err)
{
    int rc = 0;
    struct fy_diag *diag = NULL;
    struct fy_document *doc = NULL;
    struct hogo_deid_config *cfg = calloc(1, sizeof *cfg);
    if (!cfg)
        return hogo_error_set(err, HOGO_ENOMEM, name, "out of memory");
    snprintf(cfg->path, sizeof cfg->path, "%s", name);
    cfg->k = 1;
    cfg->gs_factor = 0.5;
    cfg->measure = HOGO__M_LOSS;
    struct fy_diag_cfg dcfg;
    fy_diag_cfg_default(&dcfg);
    diag = fy_diag_create(&dcfg);
    if (diag)
        fy_diag_set_collect_errors(diag, true);
    struct fy_parse_cfg pcfg = {.flags = FYPCF_QUIET | FYPCF_COLLECT_DIAG, .diag = diag};
    doc = fy_document_build_from_string(&pcfg, text, len);
    if (!doc) {
        void *it = NULL;
        struct fy_diag_error *de = diag ? fy_diag_errors_iterate(diag, &it) : NULL;
        char where[300];
        snprintf(where, sizeof where, "%s:%d:%d", name, de ? de->line + 1 : 0,
                 de ? de->column + 1 : 0);
        rc = hogo_error_set(err, HOGO_EINVAL, where, "config '%s' is not valid YAML at %s: %s",
                            name, where, de && de->msg ? de->msg : "parse error");
        goto out;
    }
    struct cfgctx c = {cfg, name, base_dir, err};
    rc = parse_root(&c, fy_document_root(doc));
    if (rc == 0) {
        *out = cfg;
        cfg = NULL;
    }
out:
    if (doc)
        fy_document_destroy(doc);
    if (diag)
        fy_diag_destroy(diag);
    hogo_deid_config_free(cfg);
    return rc;
}

int hogo_deid_config_load(const char *path, struct hogo_deid_config **out, struct hogo_error *err)
{
    char *text = NULL, *base = NULL;
    size_t len;
    int rc = hogo_read_file(path, HOGO_READ_UNLIMITED, &text, &len, err);
    if (rc < 0)
        return rc;
    base = strdup(path);
    if (!base) {
        free(text);
        return hogo_error_set(err, HOGO_ENOMEM, path, "out of memory");
    }
    char *slash = strrchr(base, '/');
    if (slash)
        *slash = '\0';
    else
        base[0] = '\0';
    rc = hogo_deid_config_parse(text, len, path, base, out, err);
    free(text);
    free(base);
    return rc;
}

/* ---------- anonymisation ---------- */

void hogo_deid_result_free(struct hogo_deid_result *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->q; i++)
        if (r->hiers && r->hiers[i]) {
            hogo__hier_release(r->hiers[i]);
            free(r->hiers[i]);
        }
    free(r->hiers);
    free(r->qcols);
    free(r->levels);
    free(r->drop);
    free(r->rsize);
    hogo__enc_release(&r->enc);
    hogo__coded_release(&r->tab); /* r->csv is borrowed from it */
    free(r);
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Builds a hierarchy for QI column col (file or built-in over the distinct values). */
static int load_hier(struct hogo__hier *h, const struct hogo__attr_cfg *a,
                     const struct hogo__coded *t, int col, struct hogo_error *err)
{
    if (a->hier_path)
        return hogo__hier_load(h, a->hier_path, err);
    /* a built-in hierarchy over the column's distinct values */
    const struct hogo__dict *d = &t->dict[col];
    int rc = hogo__hier_builtin(h, a->builtin, d->keys, d->n, err);
    if (rc < 0) {
        /* Say where the bad value is. */
        char where[300];
        snprintf(where, sizeof where, "%s (column '%s')", t->head.path, a->name);
        snprintf(err->where, sizeof err->where, "%s", where);
    }
    return rc;
}

struct pop_cell {
    uint64_t key;  /* generalised quasi-identifier values, packed as in the encoding */
    double count;  /* people */
};

static int cmp_pop(const void *x, const void *y)
{
    uint64_t a = ((const struct pop_cell *)x)->key, b = ((const struct pop_cell *)y)->key;
    return a < b ? -1 : a > b;
}

/* Journalist risk from the population table: every released record's class is looked up in
 * the population generalised the same way; the risk is 1 / (people in that class), and the
 * maximum over released records is reported. */
static int population_risk(const struct hogo_deid_config *cfg, struct hogo_deid_result *r,
                           const struct hogo__enc *enc, struct hogo_error *err)
{
    int rc = 0;
    char where[1100];
    struct hogo__csv pop;
    struct pop_cell *cells = NULL;
    int *pcols = calloc(r->q + 1, sizeof *pcols);
    memset(&pop, 0, sizeof pop);
    if (!pcols)
        return hogo_error_set(err, HOGO_ENOMEM, cfg->pop_path, "out of memory");
    if ((rc = hogo__csv_load(&pop, cfg->pop_path, cfg->sep, err)) < 0)
        goto out;
    for (size_t a = 0; a < r->q; a++) {
        const char *name = r->csv.header[r->qcols[a]];
        if ((pcols[a] = hogo__csv_column(&pop, name)) < 0) {
            rc = hogo_error_set(err, HOGO_EINVAL, cfg->pop_path,
                                "quasi-identifier column '%s' is not in the population table "
                                "'%s'; add it (ungeneralised values)", name, cfg->pop_path);
            goto out;
        }
    }
    int ccol = -1;
    if (cfg->pop_count && (ccol = hogo__csv_column(&pop, cfg->pop_count)) < 0) {
        snprintf(where, sizeof where, "%s:%d", cfg->path, cfg->pop_line);
        rc = hogo_error_set(err, HOGO_EINVAL, where,
                            "count column '%s' (%s) is not in the population table '%s'; fix "
                            "the name", cfg->pop_count, where, cfg->pop_path);
        goto out;
    }
    cells = malloc((pop.nrows ? pop.nrows : 1) * sizeof *cells);
    if (!cells)
        goto oom;
    double total = 0;
    for (size_t i = 0; i < pop.nrows; i++) {
        uint64_t key = 0;
        snprintf(where, sizeof where, "%s:%zu", pop.path, pop.lines[i]);
        for (size_t a = 0; a < r->q; a++) {
            const char *v = pop.cells[i * pop.ncols + (size_t)pcols[a]];
            long id = hogo__dict_find(&r->hiers[a]->index, v);
            if (id < 0) {
                rc = hogo_error_set(err, HOGO_EINVAL, where,
                                    "value '%s' of column '%s' (%s) is missing from hierarchy "
                                    "'%s'; add a row for it (built-in hierarchies only cover "
                                    "the data set's values: use a hierarchy file)",
                                    v, pop.header[pcols[a]], where, r->hiers[a]->name);
                goto out;
            }
            key |= (uint64_t)enc->gen[a][r->levels[a]][id] << enc->shift[a];
        }
        double c = 1;
        if (ccol >= 0) {
            const char *cs = pop.cells[i * pop.ncols + (size_t)ccol];
            char *end;
            c = strtod(cs, &end);
            if (!*cs || *end || !(c >= 0) || !isfinite(c)) {
                rc = hogo_error_set(err, HOGO_EINVAL, where,
                                    "count '%s' (%s) is not a number >= 0; fix the row", cs,
                                    where);
                goto out;
            }
        }
        cells[i] = (struct pop_cell){key, c};
        total += c;
    }
    qsort(cells, pop.nrows, sizeof *cells, cmp_pop);
    size_t m = 0;
    for (size_t i = 0; i < pop.nrows; i++) {
        if (m && cells[m - 1].key == cells[i].key)
            cells[m - 1].count += cells[i].count;
        else
            cells[m++] = cells[i];
    }
    double worst = 0;
    for (size_t row = 0; row < r->csv.nrows; row++) {
        if (!r->rsize[row])
            continue; /* suppressed */
        uint64_t k0 = enc->tkey[enc->row_tuple[row]], key = 0;
        for (size_t a = 0; a < r->q; a++) {
            uint32_t id0 = (uint32_t)((k0 >> enc->shift[a]) & ((1ull << enc->bits[a]) - 1));
            key |= (uint64_t)enc->gen[a][r->levels[a]][id0] << enc->shift[a];
        }
        size_t lo = 0, hi = m;
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            if (cells[mid].key < key)
                lo = mid + 1;
            else
                hi = mid;
        }
        double f = lo < m && cells[lo].key == key ? cells[lo].count : 0;
        if (f < (double)r->rsize[row]) {
            snprintf(where, sizeof where, "%s:%zu", r->csv.path, hogo__coded_line(&r->tab, row));
            rc = hogo_error_set(err, HOGO_EINVAL, where,
                                "the population table '%s' has %g people in the class of the "
                                "record at %s, which has %u records in the data set; the "
                                "population must include the data set",
                                cfg->pop_path, f, where, r->rsize[row]);
            goto out;
        }
        if (1.0 / f > worst)
            worst = 1.0 / f;
    }
    r->risk_journalist_max = worst;
    r->population = total;
    goto out;
oom:
    rc = hogo_error_set(err, HOGO_ENOMEM, cfg->pop_path, "out of memory");
out:
    free(cells);
    free(pcols);
    hogo__csv_release(&pop);
    return rc;
}

int hogo_deid_anonymize(const struct hogo_deid_config *cfg, const char *csv_path,
                        struct hogo_deid_result **out, struct hogo_error *err)
{
    return hogo__deid_anonymize(cfg, csv_path, NULL, out, err);
}

int hogo__deid_anonymize(const struct hogo_deid_config *cfg, const char *csv_path,
                         void (*tamper)(struct hogo_deid_result *r),
                         struct hogo_deid_result **out, struct hogo_error *err)
{
    int rc = 0;
    struct hogo__engine *eng = NULL;
    struct hogo_deid_scrubber *scrubber = NULL;
    int scols[16];
    size_t s = 0;
    char where[300];
    const char **skip = calloc(cfg->nattrs + 1, sizeof *skip);
    struct hogo_deid_result *r = calloc(1, sizeof *r);
    if (!r || !skip) {
        free(r);
        free(skip);
        return hogo_error_set(err, HOGO_ENOMEM, csv_path, "out of memory");
    }
    struct hogo__enc *enc = &r->enc;
    /* The table is read in chunks into dictionary codes; identifying columns are not kept. */
    for (size_t i = 0, k = 0; i < cfg->nattrs; i++)
        if (cfg->attrs[i].type == HOGO__IDENTIFYING)
            skip[k++] = cfg->attrs[i].name;
    rc = hogo__coded_load(&r->tab, csv_path, cfg->sep, skip, err);
    free(skip);
    if (rc < 0)
        goto out;
    /* r->csv: the header (and the row count) only, borrowed from r->tab */
    r->csv = r->tab.head;
    const struct hogo__csv *csv = &r->csv;
    r->qcols = calloc(cfg->nattrs + 1, sizeof *r->qcols);
    r->hiers = calloc(cfg->nattrs + 1, sizeof *r->hiers);
    r->levels = calloc(cfg->nattrs + 1, sizeof *r->levels);
    r->drop = calloc(csv->ncols, sizeof *r->drop);
    r->rsize = calloc(csv->nrows + 1, sizeof *r->rsize);
    if (!r->qcols || !r->hiers || !r->levels || !r->drop || !r->rsize)
        goto oom;
    memset(&r->models, 0, sizeof r->models);
    for (size_t i = 0; i < cfg->nattrs; i++) {
        const struct hogo__attr_cfg *a = &cfg->attrs[i];
        int col = hogo__csv_column(csv, a->name);
        if (col < 0) {
            snprintf(where, sizeof where, "%s:%d", cfg->path, a->cfg_line);
            rc = hogo_error_set(err, HOGO_EINVAL, where,
                                "column '%s' (%s) is not in the header of '%s'; fix the name",
                                a->name, where, csv_path);
            goto out;
        }
        if (a->type == HOGO__IDENTIFYING)
            r->drop[col] = 1;
        if (a->type == HOGO__SENSITIVE) {
            if (s == 16) {
                rc = hogo_error_set(err, HOGO_ELIMIT, cfg->path,
                                    "more than 16 sensitive attributes");
                goto out;
            }
            /* Models on this attribute. */
            /* Every model on this attribute (several of one kind: the strictest). */
            hogo__models_clear(&r->models, s);
            for (size_t m = 0; m < cfg->nsmodels; m++)
                if (!strcmp(cfg->smodels[m].attr, a->name))
                    hogo__models_add(&r->models, s, &cfg->smodels[m]);
            r->scols[s] = col;
            scols[s++] = col;
        }
        if (a->type == HOGO__QUASI) {
            r->hiers[r->q] = calloc(1, sizeof(struct hogo__hier));
            if (!r->hiers[r->q])
                goto oom;
            r->qcols[r->q] = col;
            if ((rc = load_hier(r->hiers[r->q], a, &r->tab, col, err)) < 0) {
                free(r->hiers[r->q]);
                r->hiers[r->q] = NULL;
                goto out;
            }
            r->q++;
        }
    }
    /* Every column is declared. */
    for (size_t c = 0; c < csv->ncols; c++) {
        const struct hogo__attr_cfg *a = NULL;
        for (size_t i = 0; i < cfg->nattrs && !a; i++)
            if (!strcmp(cfg->attrs[i].name, csv->header[c]))
                a = &cfg->attrs[i];
        if (!a) {
            rc = hogo_error_set(err, HOGO_EINVAL, cfg->path,
                                "column '%s' of '%s' is not declared in '%s'; add it under "
                                "attributes: as identifying (dropped), quasi (generalised), "
                                "sensitive or insensitive (kept as it is, checked for "
                                "identifiers)",
                                csv->header[c], csv_path, cfg->path);
            goto out;
        }
    }
    if (cfg->k > 1 && (size_t)cfg->k > csv->nrows) {
        snprintf(where, sizeof where, "%s:%d", cfg->path, cfg->k_line);
        rc = hogo_error_set(err, HOGO_EINVAL, where,
                            "k = %d (%s) is larger than the table '%s' (%zu rows); no "
                            "transformation can satisfy it: lower k",
                            cfg->k, where, csv_path, csv->nrows);
        goto out;
    }
    r->models.k = cfg->k;
    r->models.nsm = s;
    r->models.max_outliers = (size_t)floor(cfg->suppression * (double)csv->nrows + 1e-9);
    r->models.measure = cfg->measure;
    r->models.entropy_sup = cfg->entropy_sup;
    r->models.aggregate = cfg->aggregate;
    r->models.gs_factor = cfg->gs_factor;
    double t0 = now_seconds();
    if ((rc = hogo__enc_build_coded(enc, &r->tab, r->qcols, r->hiers, r->q, scols, s, err)) < 0)
        goto out;
    /* the codes of the QIs and sensitive attributes are in the encoding now; only the kept
     * columns' codes stay for the output */
    for (size_t a = 0; a < r->q; a++) {
        free(r->tab.code[r->qcols[a]]);
        r->tab.code[r->qcols[a]] = NULL;
    }
    for (size_t j = 0; j < s; j++) {
        free(r->tab.code[scols[j]]);
        r->tab.code[scols[j]] = NULL;
    }
    for (size_t c = 0; c < r->tab.head.ncols; c++) {
        int is_qi = 0;
        for (size_t a = 0; a < r->q; a++)
            is_qi |= (size_t)r->qcols[a] == c;
        if (is_qi) /* the labels come from the hierarchy now */
            hogo__dict_release(&r->tab.dict[c]);
        hogo__coded_narrow(&r->tab, c); /* kept columns of few values: one byte a row */
    }
#ifdef __GLIBC__
    /* give the allocator's free pages back (the chunks, codes and hierarchy scratch freed
     * above) before the search's arrays are touched: this is what keeps a million rows under
     * 100 MB */
    malloc_trim(0);
#endif
    if ((rc = hogo__engine_new(&eng, enc, &r->models, err)) < 0)
        goto out;
    if ((rc = hogo__engine_search(eng, &r->search, err)) < 0)
        goto out;
    r->seconds = now_seconds() - t0;
    if (!r->search.found) {
        rc = hogo_error_set(err, HOGO_EINVAL, cfg->path,
                            "no transformation of '%s' satisfies the models of '%s' within the "
                            "suppression limit; lower k/l, raise t or the suppression limit",
                            csv_path, cfg->path);
        goto out;
    }
    memcpy(r->levels, r->search.levels, r->q * sizeof(int));
    hogo__engine_row_classes(eng, r->levels, r->rsize);
    hogo__engine_free(eng); /* its memory serves the re-check */
    eng = NULL;
    if (tamper)
        tamper(r);
    /* A table that fails the independent re-check is never released. */
    char why[512];
    r->models_hold =
        hogo__models_recheck_why(enc, &r->models, r->levels, r->rsize, why, sizeof why);
    if (!r->models_hold) {
        rc = hogo_error_set(err, HOGO_ETAMPER, csv_path,
                            "the independent re-check of the anonymised table of '%s' failed: "
                            "%s; nothing is released (this is a defect: please report it with "
                            "the config '%s')", csv_path, why, cfg->path);
        goto out;
    }
    /* Histogram and risks. */
    size_t minsize = SIZE_MAX, kept = 0;
    for (size_t i = 0; i < csv->nrows; i++) {
        uint32_t z = r->rsize[i];
        if (!z)
            continue;
        kept++;
        if (z < minsize)
            minsize = z;
    }
    static const size_t bounds[8] = {1, 2, 5, 10, 20, 50, 100, 1000};
    double hc[8] = {0};
    for (size_t i = 0; i < csv->nrows; i++) {
        uint32_t z = r->rsize[i];
        if (!z)
            continue;
        int b = 7;
        while (b > 0 && z < bounds[b])
            b--;
        hc[b] += 1.0 / (double)z; /* a class of size z contributes z rows of 1/z */
    }
    for (int b = 0; b < 8; b++)
        r->hist[b] = (size_t)llround(hc[b]);
    r->risk_prosecutor_max = kept ? 1.0 / (double)minsize : 0;
    r->risk_prosecutor_avg = kept ? (double)r->search.best.classes / (double)kept : 0;
    /* Without a population table the data set is taken as the population. */
    r->risk_journalist_max = r->risk_prosecutor_max;
    if (cfg->pop_path && (rc = population_risk(cfg, r, enc, err)) < 0)
        goto out;
    r->risk_marketer = r->risk_prosecutor_avg;
    /* What leaves as it is holds no identifier (APPI Rules Art. 34). Checked after the
     * search, when its memory is free again for MeCab's. */
    for (size_t c = 0; c < csv->ncols; c++)
        for (size_t i = 0; i < cfg->nattrs; i++) {
            const struct hogo__attr_cfg *a = &cfg->attrs[i];
            if (strcmp(a->name, csv->header[c]) ||
                (a->type != HOGO__INSENSITIVE && a->type != HOGO__SENSITIVE))
                continue;
            int keyattr = -1;
            for (size_t j = 0; j < r->models.nsm; j++)
                if ((size_t)r->scols[j] == c)
                    keyattr = (int)(r->q + j);
            if ((rc = hogo__deid_scan_coded(&scrubber, &r->tab, c, &r->enc, keyattr,
                                             a->type == HOGO__SENSITIVE
                                                 ? "sensitive (released as it is)"
                                                 : "insensitive (kept as it is)",
                                             err)) < 0)
                goto out;
            break;
        }
    r->records_at_risk = 0;
    for (size_t i = 0; i < csv->nrows; i++)
        if (r->rsize[i] && cfg->k > 1 && r->rsize[i] < (uint32_t)cfg->k)
            r->records_at_risk++;
    *out = r;
    r = NULL;
    goto out;
oom:
    rc = hogo_error_set(err, HOGO_ENOMEM, csv_path, "out of memory");
out:
    hogo_deid_scrubber_free(scrubber);
    hogo__engine_free(eng);
    hogo_deid_result_free(r);
    return rc;
}

size_t hogo_deid_result_levels(const struct hogo_deid_result *r, const int **levels)
{
    if (levels)
        *levels = r->levels;
    return r->q;
}

double hogo_deid_result_loss(const struct hogo_deid_result *r)
{
    return r->search.best.loss;
}

size_t hogo_deid_result_suppressed(const struct hogo_deid_result *r)
{
    return r->search.best.suppressed;
}

size_t hogo_deid_result_classes(const struct hogo_deid_result *r)
{
    return r->search.best.classes;
}

int hogo_deid_result_models_hold(const struct hogo_deid_result *r)
{
    return r->models_hold;
}

int hogo_deid_result_write_csv(const struct hogo_deid_result *r, FILE *out,
                               struct hogo_error *err)
{
    const struct hogo__csv *csv = &r->csv;
    int *qof = malloc(2 * csv->ncols * sizeof *qof);
    if (!qof)
        return hogo_error_set(err, HOGO_ENOMEM, "", "out of memory");
    for (size_t c = 0; c < csv->ncols; c++)
        qof[c] = -1;
    for (size_t a = 0; a < r->q; a++)
        qof[r->qcols[a]] = (int)a;
    int *sof = qof + csv->ncols; /* sensitive index of each column, or -1 */
    for (size_t c = 0; c < csv->ncols; c++)
        sof[c] = -1;
    for (size_t j = 0; j < r->models.nsm; j++)
        sof[r->scols[j]] = (int)j;
    int first = 1;
    for (size_t c = 0; c < csv->ncols; c++) {
        if (r->drop[c])
            continue;
        if (!first)
            fputc(csv->sep, out);
        first = 0;
        hogo__csv_write_field(out, csv->header[c], csv->sep);
    }
    fputc('\n', out);
    /* rows in a fresh random order: two outputs cannot be joined by position */
    uint32_t *order = NULL;
    int rc = hogo__deid_row_order(NULL, csv->nrows, &order, err);
    if (rc < 0) {
        free(qof);
        return rc;
    }
    for (size_t o = 0; o < csv->nrows; o++) {
        size_t i = order[o];
        first = 1;
        for (size_t c = 0; c < csv->ncols; c++) {
            if (r->drop[c])
                continue;
            if (!first)
                fputc(csv->sep, out);
            first = 0;
            const char *v;
            int a = qof[c];
            if (a >= 0) {
                if (!r->rsize[i]) {
                    v = "*";
                } else {
                    /* the row's hierarchy row is its level-0 id in the encoding */
                    const struct hogo__enc *e = &r->enc;
                    uint64_t k = e->tkey[e->row_tuple[i]];
                    size_t row = (size_t)((k >> e->shift[a]) & ((1ull << e->bits[a]) - 1));
                    v = hogo__hier_label(r->hiers[a], row, r->levels[a]);
                }
            } else if (sof[c] >= 0) {
                /* a sensitive value: its code is in the encoding */
                const struct hogo__enc *e = &r->enc;
                size_t j = r->q + (size_t)sof[c];
                uint64_t k = e->tkey[e->row_tuple[i]];
                v = r->tab.dict[c].keys[(k >> e->shift[j]) & ((1ull << e->bits[j]) - 1)];
            } else {
                v = r->tab.dict[c].keys[hogo__coded_get(&r->tab, c, i)];
            }
            hogo__csv_write_field(out, v, csv->sep);
        }
        fputc('\n', out);
    }
    free(qof);
    free(order);
    if (ferror(out))
        return hogo_error_set(err, HOGO_EIO, "", "writing the anonymised table failed");
    return 0;
}

#define GSTR(g, s) yajl_gen_string(g, (const unsigned char *)(s), strlen(s))

int hogo_deid_result_write_report(const struct hogo_deid_result *r, FILE *out,
                                  struct hogo_error *err)
{
    static const char *const measures[] = {"loss", "entropy", "discernibility", "precision"};
    static const char *const aggs[] = {"sum", "geometric_mean", "arithmetic_mean", "max"};
    static const char *const buckets[] = {"1", "2-4", "5-9", "10-19", "20-49", "50-99",
                                          "100-999", "1000+"};
    struct hogo__json_stream js;
    yajl_gen g = hogo__deid_report_open(out, &js);
    if (!g)
        return hogo_error_set(err, HOGO_ENOMEM, "", "out of memory");
    GSTR(g, "rows");
    yajl_gen_integer(g, (long long)r->csv.nrows);
    GSTR(g, "levels");
    yajl_gen_map_open(g);
    for (size_t a = 0; a < r->q; a++) {
        GSTR(g, r->csv.header[r->qcols[a]]);
        yajl_gen_integer(g, r->levels[a]);
    }
    yajl_gen_map_close(g);
    static const char *const entropies[] = {"entropy", "monotonic_entropy",
                                            "entropy_suppressed_as_root"};
    GSTR(g, "measure");
    GSTR(g, r->models.measure == HOGO__M_ENTROPY ? entropies[r->models.entropy_sup]
                                                 : measures[r->models.measure]);
    GSTR(g, "aggregate");
    GSTR(g, aggs[r->models.aggregate]);
    GSTR(g, "loss");
    yajl_gen_double(g, r->search.best.loss);
    GSTR(g, "suppressed_rows");
    yajl_gen_integer(g, (long long)r->search.best.suppressed);
    GSTR(g, "classes");
    yajl_gen_integer(g, (long long)r->search.best.classes);
    GSTR(g, "class_size_histogram");
    yajl_gen_map_open(g);
    for (int b = 0; b < 8; b++) {
        GSTR(g, buckets[b]);
        yajl_gen_integer(g, (long long)r->hist[b]);
    }
    yajl_gen_map_close(g);
    GSTR(g, "risk");
    yajl_gen_map_open(g);
    GSTR(g, "prosecutor_max");
    yajl_gen_double(g, r->risk_prosecutor_max);
    GSTR(g, "prosecutor_avg");
    yajl_gen_double(g, r->risk_prosecutor_avg);
    GSTR(g, "journalist_max");
    yajl_gen_double(g, r->risk_journalist_max);
    GSTR(g, "marketer");
    yajl_gen_double(g, r->risk_marketer);
    GSTR(g, "population");
    if (r->population > 0)
        yajl_gen_double(g, r->population);
    else
        yajl_gen_null(g); /* none given: journalist_max = prosecutor_max */
    yajl_gen_map_close(g);
    GSTR(g, "models");
    yajl_gen_map_open(g);
    GSTR(g, "k");
    yajl_gen_integer(g, r->models.k);
    GSTR(g, "suppression_limit_rows");
    yajl_gen_integer(g, (long long)r->models.max_outliers);
    /* every model enforced, one entry each: several models of one kind on one attribute are
     * enforced as the strictest of them, which implies the others */
    GSTR(g, "sensitive");
    yajl_gen_array_open(g);
    for (size_t i = 0; i < r->models.nsm && i < 16; i++) {
        const char *attr = r->csv.header[r->scols[i]];
        double lv[2] = {r->models.ldistinct[i], r->models.lentropy[i]};
        for (int v = 0; v < 2; v++) {
            if (lv[v] <= 0)
                continue;
            yajl_gen_map_open(g);
            GSTR(g, "attribute");
            GSTR(g, attr);
            GSTR(g, "l_diversity");
            GSTR(g, v ? "entropy" : "distinct");
            GSTR(g, "l");
            yajl_gen_double(g, lv[v]);
            yajl_gen_map_close(g);
        }
        if (r->models.t[i] >= 0) {
            yajl_gen_map_open(g);
            GSTR(g, "attribute");
            GSTR(g, attr);
            GSTR(g, "t_closeness");
            yajl_gen_double(g, r->models.t[i]);
            yajl_gen_map_close(g);
        }
    }
    yajl_gen_array_close(g);
    GSTR(g, "all_hold");
    yajl_gen_bool(g, r->models_hold);
    yajl_gen_map_close(g);
    GSTR(g, "search");
    yajl_gen_map_open(g);
    GSTR(g, "transformations");
    yajl_gen_integer(g, (long long)r->search.nodes);
    GSTR(g, "checked");
    yajl_gen_integer(g, (long long)r->search.checked);
    GSTR(g, "rolled_up");
    yajl_gen_integer(g, (long long)r->search.rollups);
    GSTR(g, "stepping_stones");
    yajl_gen_integer(g, (long long)r->search.stones);
    GSTR(g, "seconds");
    yajl_gen_double(g, r->seconds);
    yajl_gen_map_close(g);
    hogo__deid_report_close(g, &js);
    if (ferror(out))
        return hogo_error_set(err, HOGO_EIO, "", "writing the report failed");
    return 0;
}
