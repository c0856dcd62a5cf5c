/*
 * Published statistics: a two-way contingency table (counts, and sums of a numeric column)
 * with its row, column and grand totals, protected by cell suppression that is audited with
 * linear programs.
 * De-identification layer.
 *
 * The table is handled as (R+1) x (C+1) cells: the inner cells, the row totals (last column),
 * the column totals (last row) and the grand total. Totals are cells like the others.
 *
 * Sensitive cells (primary suppression): every cell, totals included, with 0 < count <
 * threshold; with a sum column also every cell whose sum fails the p % dominance rule (the
 * contributions other than the two largest add up to less than p % of the largest).
 * A zero cell is never hidden: hiding it hides nothing, since counts cannot be negative.
 *
 * Audit: for every hidden cell, its feasible interval given everything published (the
 * published cells, the additivity of every row and column including the totals, hidden
 * counts >= 1 because zero cells are published, sums >= 0) is computed with two linear
 * programs (GLPK's simplex, minimise and maximise). A sensitive count cell is protected when
 * its interval is at least the protection level wide (default: the threshold); a sensitive
 * sum cell when its sum's interval is at least p % of its value wide.
 *
 * Complementary suppression: while a sensitive cell is not protected, hide one more non-zero
 * published cell of its row or column (totals included) — the one that widens its interval
 * most, the cheapest on ties — and audit again. A table with one row or one column cannot
 * hide a cell behind complements (its total is the cell), so it is fully protected: when it
 * has a sensitive cell, every non-zero cell and total is hidden. The count and sum tables of
 * one call share one pattern, audited together; tables published by separate calls over the
 * same data are not protected together, and the report says so.
 */
#include "deid_int.h"

#include <glpk.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_gen.h>

enum { OPEN = 0, PRIMARY_COUNT, PRIMARY_DOMINANCE, COMPLEMENT, FULL_ONE_LINE };

/* The extended table: (R+1) x (C+1) cells, totals in the last row and column. */
struct ext_table {
    size_t R, C;          /* inner rows and columns */
    const double *count;  /* (R+1)(C+1) */
    const double *sum;    /* (R+1)(C+1) or NULL */
    const double *top1;   /* largest contribution of each cell (with sum) */
    const double *top2;   /* second largest (with sum) */
    unsigned threshold;   /* 0 < count < threshold is sensitive */
    double protection;    /* required interval width of a sensitive count */
    double p_percent;     /* dominance rule and required width of a sensitive sum */
};

/* One hidden cell's feasible intervals after the audit. */
struct hogo__stats_cell {
    unsigned char why;  /* OPEN, PRIMARY_*, COMPLEMENT, FULL_ONE_LINE */
    unsigned char sensitive_count, sensitive_sum;
    double count_lo, count_hi, sum_lo, sum_hi;
};

/* GLPK problem of one table (counts or sums): a variable per cell, one additivity row per
 * row and column of the extended table. */
static glp_prob *build_lp(size_t R, size_t C)
{
    size_t W = C + 1, V = (R + 1) * W;
    glp_prob *lp = glp_create_prob();
    glp_add_cols(lp, (int)V);
    glp_add_rows(lp, (int)(R + 1 + C + 1));
    int *ia = malloc((2 * V + 1) * sizeof *ia), *ja = malloc((2 * V + 1) * sizeof *ja);
    double *ar = malloc((2 * V + 1) * sizeof *ar);
    if (!ia || !ja || !ar) {
        free(ia);
        free(ja);
        free(ar);
        glp_delete_prob(lp);
        return NULL;
    }
    int k = 0;
    for (size_t i = 0; i <= R; i++) { /* sum_j y[i][j] - y[i][C] = 0 */
        glp_set_row_bnds(lp, (int)(i + 1), GLP_FX, 0, 0);
        for (size_t j = 0; j <= C; j++) {
            k++;
            ia[k] = (int)(i + 1);
            ja[k] = (int)(i * W + j + 1);
            ar[k] = j == C ? -1.0 : 1.0;
        }
    }
    for (size_t j = 0; j <= C; j++) { /* sum_i y[i][j] - y[R][j] = 0 */
        int row = (int)(R + 1 + j + 1);
        glp_set_row_bnds(lp, row, GLP_FX, 0, 0);
        for (size_t i = 0; i <= R; i++) {
            k++;
            ia[k] = row;
            ja[k] = (int)(i * W + j + 1);
            ar[k] = i == R ? -1.0 : 1.0;
        }
    }
    glp_load_matrix(lp, k, ia, ja, ar);
    free(ia);
    free(ja);
    free(ar);
    return lp;
}

/* Bounds of the variables: published cells fixed at their value, hidden ones >= lower. */
static void set_bounds(glp_prob *lp, size_t V, const double *value, const unsigned char *hidden,
                       double lower)
{
    for (size_t v = 0; v < V; v++) {
        if (hidden[v])
            glp_set_col_bnds(lp, (int)(v + 1), GLP_LO, lower, 0);
        else
            glp_set_col_bnds(lp, (int)(v + 1), GLP_FX, value[v], value[v]);
    }
}

/* Minimum or maximum of cell v (INFINITY when unbounded). Returns 0 or HOGO_EINVAL when the
 * solver fails. */
static int optimise(glp_prob *lp, size_t V, size_t v, int dir, double *out)
{
    for (size_t k = 0; k < V; k++)
        glp_set_obj_coef(lp, (int)(k + 1), k == v ? 1.0 : 0.0);
    glp_set_obj_dir(lp, dir);
    glp_smcp parm;
    glp_init_smcp(&parm);
    parm.msg_lev = GLP_MSG_OFF;
    if (glp_simplex(lp, &parm) != 0) {
        glp_adv_basis(lp, 0);
        if (glp_simplex(lp, &parm) != 0)
            return HOGO_EINVAL;
    }
    int st = glp_get_status(lp);
    if (st == GLP_UNBND) {
        *out = dir == GLP_MAX ? INFINITY : -INFINITY;
        return 0;
    }
    if (st != GLP_OPT)
        return HOGO_EINVAL;
    *out = glp_get_obj_val(lp);
    return 0;
}

/* Interval of cell v in the table value[] under the hidden pattern. */
static int interval(glp_prob *lp, size_t V, const double *value, const unsigned char *hidden,
                    double lower, size_t v, double *lo, double *hi)
{
    set_bounds(lp, V, value, hidden, lower);
    int rc = optimise(lp, V, v, GLP_MIN, lo);
    return rc < 0 ? rc : optimise(lp, V, v, GLP_MAX, hi);
}

/* Audits every hidden cell: fills the intervals of cells[]. */
static int audit(const struct ext_table *t, glp_prob *lpc, glp_prob *lps,
                 const unsigned char *hidden, struct hogo__stats_cell *cells)
{
    size_t V = (t->R + 1) * (t->C + 1);
    for (size_t v = 0; v < V; v++) {
        if (!hidden[v])
            continue;
        int rc = interval(lpc, V, t->count, hidden, 1.0, v, &cells[v].count_lo, &cells[v].count_hi);
        if (rc == 0 && lps)
            rc = interval(lps, V, t->sum, hidden, 0.0, v, &cells[v].sum_lo, &cells[v].sum_hi);
        if (rc < 0)
            return rc;
    }
    return 0;
}

/* 1 when a sensitive cell's intervals are wide enough. */
static int protected_enough(const struct ext_table *t, size_t v, const struct hogo__stats_cell *c)
{
    if (c->sensitive_count && c->count_hi - c->count_lo < t->protection - 1e-9)
        return 0;
    if (c->sensitive_sum && t->sum &&
        c->sum_hi - c->sum_lo < t->p_percent / 100.0 * t->sum[v] - 1e-9)
        return 0;
    return 1;
}

/* Width that decides between complements: the shortfall left for cell v (smaller is better). */
static double shortfall(const struct ext_table *t, size_t v, double clo, double chi, double slo,
                        double shi)
{
    double need = 0;
    if (t->protection > chi - clo)
        need += (t->protection - (chi - clo)) / (t->protection > 0 ? t->protection : 1);
    if (t->sum) {
        double ps = t->p_percent / 100.0 * t->sum[v];
        if (ps > shi - slo)
            need += (ps - (shi - slo)) / (ps > 0 ? ps : 1);
    }
    return need;
}

/* Chooses the suppression pattern of an extended table and audits it: cells[v].why and the
 * intervals of every hidden cell. Returns 0, HOGO_ENOMEM or HOGO_EINVAL (solver failure).
 * Exposed for tests. */
int hogo__stats_protect(const struct ext_table *t, struct hogo__stats_cell *cells);
int hogo__stats_protect(const struct ext_table *t, struct hogo__stats_cell *cells)
{
    size_t R = t->R, C = t->C, W = C + 1, V = (R + 1) * W;
    int rc = 0;
    unsigned char *hidden = calloc(V, 1);
    glp_prob *lpc = build_lp(R, C), *lps = t->sum ? build_lp(R, C) : NULL;
    if (!hidden || !lpc || (t->sum && !lps)) {
        rc = HOGO_ENOMEM;
        goto out;
    }
    memset(cells, 0, V * sizeof *cells);
    int any_sensitive = 0;
    for (size_t v = 0; v < V; v++) {
        double n = t->count[v];
        if (n > 0 && n < t->threshold) {
            cells[v].why = PRIMARY_COUNT;
            cells[v].sensitive_count = 1;
            cells[v].sensitive_sum = t->sum != NULL;
        }
        if (t->sum && n > 0 && t->sum[v] > 0 &&
            t->sum[v] - t->top1[v] - t->top2[v] < t->p_percent / 100.0 * t->top1[v]) {
            if (!cells[v].why)
                cells[v].why = PRIMARY_DOMINANCE;
            cells[v].sensitive_sum = 1;
        }
        hidden[v] = cells[v].why != OPEN;
        any_sensitive |= hidden[v];
    }
    if (any_sensitive && (R == 1 || C == 1)) {
        for (size_t v = 0; v < V; v++)
            if (t->count[v] > 0 && !hidden[v]) {
                hidden[v] = 1;
                cells[v].why = FULL_ONE_LINE;
            }
        rc = audit(t, lpc, lps, hidden, cells);
        goto out;
    }
    for (;;) {
        if ((rc = audit(t, lpc, lps, hidden, cells)) < 0)
            goto out;
        size_t weak = V;
        for (size_t v = 0; v < V && weak == V; v++)
            if (hidden[v] && (cells[v].sensitive_count || cells[v].sensitive_sum) &&
                !protected_enough(t, v, &cells[v]))
                weak = v;
        if (weak == V)
            break;
        /* Candidates: published non-zero cells of its row or column; else anywhere. */
        size_t wi = weak / W, wj = weak % W, best = V;
        double best_need = INFINITY;
        for (int anywhere = 0; anywhere < 2 && best == V; anywhere++)
            for (size_t v = 0; v < V; v++) {
                if (hidden[v] || t->count[v] <= 0)
                    continue;
                if (!anywhere && v / W != wi && v % W != wj)
                    continue;
                hidden[v] = 1;
                double clo, chi, slo = 0, shi = 0;
                rc = interval(lpc, V, t->count, hidden, 1.0, weak, &clo, &chi);
                if (rc == 0 && lps)
                    rc = interval(lps, V, t->sum, hidden, 0.0, weak, &slo, &shi);
                hidden[v] = 0;
                if (rc < 0)
                    goto out;
                double need = shortfall(t, weak, clo, chi, slo, shi);
                if (best == V || need < best_need - 1e-12 ||
                    (need < best_need + 1e-12 && t->count[v] < t->count[best]))
                    best = v, best_need = need;
            }
        if (best == V) { /* nothing left to hide: cannot happen with an unbounded LP */
            rc = HOGO_EINVAL;
            goto out;
        }
        hidden[best] = 1;
        cells[best].why = COMPLEMENT;
    }
out:
    if (lpc)
        glp_delete_prob(lpc);
    if (lps)
        glp_delete_prob(lps);
    free(hidden);
    return rc;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void write_num(FILE *out, double v)
{
    if (v == (double)(long long)v)
        fprintf(out, "%lld", (long long)v);
    else
        fprintf(out, "%.6g", v);
}

static void gen_str(yajl_gen g, const char *s)
{
    yajl_gen_string(g, (const unsigned char *)s, strlen(s));
}

static void gen_bound(yajl_gen g, double v)
{
    if (isinf(v))
        yajl_gen_null(g);
    else
        yajl_gen_double(g, v);
}

int hogo_deid_stats(const char *csv_path, const struct hogo_deid_stats_opts *o, FILE *out,
                    FILE *report, struct hogo_error *err)
{
    int rc = 0;
    struct hogo__csv csv;
    struct hogo__dict rd, cd;
    double *count = NULL, *sum = NULL, *top1 = NULL, *top2 = NULL;
    struct hogo__stats_cell *cells = NULL;
    char **rl = NULL, **cl = NULL;
    size_t *rmap = NULL, *cmap = NULL;
    hogo__dict_init(&rd);
    hogo__dict_init(&cd);
    if (o->threshold < 1)
        return hogo_error_set(err, HOGO_EINVAL, "threshold", "threshold must be at least 1");
    if (o->p_percent < 0 || o->p_percent > 100)
        return hogo_error_set(err, HOGO_EINVAL, "p_percent",
                              "the p %% dominance rule needs 0 <= p <= 100, not %g", o->p_percent);
    if ((rc = hogo__csv_load(&csv, csv_path, o->sep, err)) < 0)
        return rc;
    int rcol = hogo__csv_column(&csv, o->row_col), ccol = hogo__csv_column(&csv, o->col_col);
    int scol = o->sum_col ? hogo__csv_column(&csv, o->sum_col) : -1;
    if (rcol < 0 || ccol < 0 || (o->sum_col && scol < 0)) {
        const char *missing = rcol < 0 ? o->row_col : ccol < 0 ? o->col_col : o->sum_col;
        rc = hogo_error_set(err, HOGO_EINVAL, csv_path,
                            "column '%s' is not in the header of '%s'; check the name", missing,
                            csv_path);
        goto out;
    }
    if (rcol == ccol) {
        rc = hogo_error_set(err, HOGO_EINVAL, csv_path,
                            "rows and columns are the same column '%s'; give two different "
                            "columns", o->row_col);
        goto out;
    }
    if (csv.nrows == 0) {
        rc = hogo_error_set(err, HOGO_EINVAL, csv_path, "'%s' has no data rows", csv_path);
        goto out;
    }
    for (size_t r = 0; r < csv.nrows; r++)
        if (hogo__dict_add(&rd, csv.cells[r * csv.ncols + (size_t)rcol]) < 0 ||
            hogo__dict_add(&cd, csv.cells[r * csv.ncols + (size_t)ccol]) < 0)
            goto oom;
    size_t R = rd.n, C = cd.n, W = C + 1, V = (R + 1) * W;
    /* Sorted labels and id -> sorted position maps. */
    rl = malloc((R + 1) * sizeof *rl);
    cl = malloc((C + 1) * sizeof *cl);
    rmap = malloc((R + 1) * sizeof *rmap);
    cmap = malloc((C + 1) * sizeof *cmap);
    count = calloc(V, sizeof *count);
    sum = calloc(V, sizeof *sum);
    top1 = calloc(V, sizeof *top1);
    top2 = calloc(V, sizeof *top2);
    cells = calloc(V, sizeof *cells);
    if (!rl || !cl || !rmap || !cmap || !count || !sum || !top1 || !top2 || !cells)
        goto oom;
    memcpy(rl, rd.keys, R * sizeof *rl);
    memcpy(cl, cd.keys, C * sizeof *cl);
    qsort(rl, R, sizeof *rl, cmp_str);
    qsort(cl, C, sizeof *cl, cmp_str);
    for (size_t i = 0; i < R; i++)
        rmap[hogo__dict_find(&rd, rl[i])] = i;
    for (size_t i = 0; i < C; i++)
        cmap[hogo__dict_find(&cd, cl[i])] = i;
    for (size_t r = 0; r < csv.nrows; r++) {
        size_t i = rmap[hogo__dict_find(&rd, csv.cells[r * csv.ncols + (size_t)rcol])];
        size_t j = cmap[hogo__dict_find(&cd, csv.cells[r * csv.ncols + (size_t)ccol])];
        double x = 0;
        if (scol >= 0) {
            const char *v = csv.cells[r * csv.ncols + (size_t)scol];
            char *end;
            x = strtod(v, &end);
            char where[300];
            snprintf(where, sizeof where, "%s:%zu", csv_path, csv.lines[r]);
            if (end == v || *end || !isfinite(x)) {
                rc = hogo_error_set(err, HOGO_EINVAL, where,
                                    "'%s' in column '%s' (%s) is not a number; fix the value", v,
                                    o->sum_col, where);
                goto out;
            }
            if (x < 0) {
                rc = hogo_error_set(err, HOGO_EINVAL, where,
                                    "'%s' in column '%s' (%s) is negative; the dominance rule "
                                    "and the audit of a magnitude table need values >= 0",
                                    v, o->sum_col, where);
                goto out;
            }
        }
        /* The record counts in its cell, its row total, its column total and the grand total. */
        size_t at[4] = {i * W + j, i * W + C, R * W + j, R * W + C};
        for (int k = 0; k < 4; k++) {
            size_t v = at[k];
            count[v] += 1;
            sum[v] += x;
            if (x > top1[v]) {
                top2[v] = top1[v];
                top1[v] = x;
            } else if (x > top2[v])
                top2[v] = x;
        }
    }
    double p_percent = o->p_percent > 0 ? o->p_percent : 10.0;
    double protection = o->protection > 0 ? o->protection : o->threshold;
    struct ext_table t = {R,    C,           count,     scol >= 0 ? sum : NULL,
                          top1, top2,        o->threshold, protection,
                          p_percent};
    if ((rc = hogo__stats_protect(&t, cells)) < 0) {
        if (rc == HOGO_ENOMEM)
            goto oom;
        rc = hogo_error_set(err, HOGO_EINVAL, csv_path,
                            "the linear-program audit of the table failed (GLPK); nothing was "
                            "published");
        goto out;
    }
    /* Output: the count table, then (with sum_col) the sum table; hidden cells are "X". */
    for (int part = 0; part < (scol >= 0 ? 2 : 1); part++) {
        const double *v = part ? sum : count;
        if (part)
            fputc('\n', out);
        hogo__csv_write_field(out, o->row_col, csv.sep);
        for (size_t j = 0; j < C; j++) {
            fputc(csv.sep, out);
            hogo__csv_write_field(out, cl[j], csv.sep);
        }
        fprintf(out, "%c%s\n", csv.sep, part ? "sum_total" : "total");
        for (size_t i = 0; i <= R; i++) {
            if (i < R)
                hogo__csv_write_field(out, rl[i], csv.sep);
            else
                fputs("total", out);
            for (size_t j = 0; j <= C; j++) {
                fputc(csv.sep, out);
                if (cells[i * W + j].why)
                    fputc('X', out);
                else
                    write_num(out, v[i * W + j]);
            }
            fputc('\n', out);
        }
    }
    if (report) {
        static const char *const reasons[] = {
            "",
            "primary: count below the threshold",
            "primary: the p % dominance rule (the other contributions add up to less than p % "
            "of the largest)",
            "complementary: widens the feasible interval of a sensitive cell",
            "full: the table has one row or one column, so every non-zero cell and total is "
            "hidden"};
        struct hogo__json_stream js;
        yajl_gen g = hogo__deid_report_open(report, &js);
        if (!g)
            goto oom;
        gen_str(g, "threshold");
        yajl_gen_integer(g, o->threshold);
        gen_str(g, "protection_level");
        yajl_gen_double(g, protection);
        gen_str(g, "protection_rule");
        gen_str(g, "every sensitive count's feasible interval, computed by linear programming "
                   "from everything published, is at least protection_level wide");
        if (scol >= 0) {
            gen_str(g, "dominance_rule");
            yajl_gen_map_open(g);
            gen_str(g, "name");
            gen_str(g, "p% rule");
            gen_str(g, "p");
            yajl_gen_double(g, p_percent);
            gen_str(g, "protection");
            gen_str(g, "every sensitive sum's feasible interval is at least p % of its value wide");
            yajl_gen_map_close(g);
        }
        gen_str(g, "zero_cells");
        gen_str(g, "published; never used as complements");
        gen_str(g, "totals");
        gen_str(g, "row, column and grand totals are cells: suppressed and audited like the others");
        gen_str(g, "one_row_or_column");
        gen_str(g, R == 1 || C == 1 ? "fully protected: every non-zero cell and total hidden when "
                                      "any cell is sensitive"
                                    : "not applicable");
        gen_str(g, "linked_tables");
        gen_str(g, scol >= 0 ? "the count and the sum table share one pattern, audited together; "
                               "other tables published from the same data are NOT protected "
                               "together with these"
                             : "this table only; other tables published from the same data are "
                               "NOT protected together with it");
        gen_str(g, "suppressed");
        yajl_gen_array_open(g);
        for (size_t i = 0; i <= R; i++)
            for (size_t j = 0; j <= C; j++) {
                const struct hogo__stats_cell *c = &cells[i * W + j];
                if (!c->why)
                    continue;
                yajl_gen_map_open(g);
                gen_str(g, "row");
                gen_str(g, i < R ? rl[i] : "total");
                gen_str(g, "column");
                gen_str(g, j < C ? cl[j] : "total");
                gen_str(g, "reason");
                gen_str(g, reasons[c->why]);
                gen_str(g, "count_interval");
                yajl_gen_array_open(g);
                gen_bound(g, c->count_lo);
                gen_bound(g, c->count_hi);
                yajl_gen_array_close(g);
                if (scol >= 0) {
                    gen_str(g, "sum_interval");
                    yajl_gen_array_open(g);
                    gen_bound(g, c->sum_lo);
                    gen_bound(g, c->sum_hi);
                    yajl_gen_array_close(g);
                }
                yajl_gen_map_close(g);
            }
        yajl_gen_array_close(g);
        hogo__deid_report_close(g, &js);
    }
    goto out;
oom:
    rc = hogo_error_set(err, HOGO_ENOMEM, csv_path, "out of memory");
out:
    free(count);
    free(sum);
    free(top1);
    free(top2);
    free(cells);
    free(rl);
    free(cl);
    free(rmap);
    free(cmap);
    hogo__dict_release(&rd);
    hogo__dict_release(&cd);
    hogo__csv_release(&csv);
    return rc;
}
