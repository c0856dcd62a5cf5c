/*
 * Published statistics: a two-way contingency table (counts, and sums of a numeric column)
 * with small-cell suppression and complementary suppression.
 * De-identification layer.
 *
 * Primary suppression hides every cell with 0 < count < threshold. Row and column totals are
 * published, so a hidden cell could be recovered by subtraction. The hidden cells are the
 * edges of a bipartite graph (rows, columns); their values are determined by the totals
 * exactly when an edge is a bridge (lies on no cycle). Complementary suppression therefore
 * repeats until no hidden cell is a bridge: a row or column with one hidden cell gets a second
 * (its smallest non-zero cell), and a remaining bridge (r,c) is closed into a rectangle with
 * another hidden cell (r,c2) of its row and the cheapest row r2: (r2,c) and (r2,c2) are hidden.
 * The report names every hidden cell and why.
 */
#include "deid_int.h"

#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_gen.h>

enum { OPEN = 0, PRIMARY, COMPLEMENT_ROW, COMPLEMENT_COL, COMPLEMENT_CYCLE };

struct table {
    size_t R, C;
    double *count, *sum; /* R x C */
    unsigned char *why;  /* R x C: OPEN or the reason */
};

/* 1 when hidden cell (r,c) is a bridge of the hidden-cell graph (rows 0..R-1, columns R..). */
static int is_bridge(const struct table *t, size_t r, size_t c, size_t *queue, unsigned char *seen)
{
    size_t V = t->R + t->C, head = 0, tail = 0;
    memset(seen, 0, V);
    queue[tail++] = r;
    seen[r] = 1;
    while (head < tail) {
        size_t v = queue[head++];
        if (v < t->R) {
            for (size_t j = 0; j < t->C; j++)
                if (t->why[v * t->C + j] && !(v == r && j == c) && !seen[t->R + j]) {
                    seen[t->R + j] = 1;
                    queue[tail++] = t->R + j;
                }
        } else {
            size_t j = v - t->R;
            for (size_t i = 0; i < t->R; i++)
                if (t->why[i * t->C + j] && !(i == r && j == c) && !seen[i]) {
                    seen[i] = 1;
                    queue[tail++] = i;
                }
        }
    }
    return !seen[t->R + c];
}

/* Hides cells until no hidden cell can be recovered from the totals. Exposed for tests. */
int hogo__stats_suppress(size_t R, size_t C, const double *count, unsigned threshold,
                         unsigned char *why);
int hogo__stats_suppress(size_t R, size_t C, const double *count, unsigned threshold,
                         unsigned char *why)
{
    struct table t = {R, C, (double *)count, NULL, why};
    size_t *queue = malloc((R + C + 1) * sizeof *queue);
    unsigned char *seen = malloc(R + C + 1);
    if (!queue || !seen) {
        free(queue);
        free(seen);
        return HOGO_ENOMEM;
    }
    for (size_t i = 0; i < R * C; i++)
        why[i] = count[i] > 0 && count[i] < threshold ? PRIMARY : OPEN;
    int changed = 1;
    while (changed) {
        changed = 0;
        for (size_t r = 0; r < R; r++) {
            size_t hidden = 0, best = SIZE_MAX;
            for (size_t c = 0; c < C; c++) {
                if (why[r * C + c])
                    hidden++;
                else if (best == SIZE_MAX || (count[r * C + c] > 0 && (count[r * C + best] == 0 ||
                                                                       count[r * C + c] < count[r * C + best])))
                    best = c;
            }
            if (hidden == 1 && best != SIZE_MAX) {
                why[r * C + best] = COMPLEMENT_ROW;
                changed = 1;
            }
        }
        for (size_t c = 0; c < C; c++) {
            size_t hidden = 0, best = SIZE_MAX;
            for (size_t r = 0; r < R; r++) {
                if (why[r * C + c])
                    hidden++;
                else if (best == SIZE_MAX || (count[r * C + c] > 0 && (count[best * C + c] == 0 ||
                                                                       count[r * C + c] < count[best * C + c])))
                    best = r;
            }
            if (hidden == 1 && best != SIZE_MAX) {
                why[best * C + c] = COMPLEMENT_COL;
                changed = 1;
            }
        }
        if (changed)
            continue;
        for (size_t r = 0; r < R && !changed; r++)
            for (size_t c = 0; c < C && !changed; c++) {
                if (!why[r * C + c] || !is_bridge(&t, r, c, queue, seen))
                    continue;
                size_t c2 = SIZE_MAX;
                for (size_t j = 0; j < C; j++)
                    if (j != c && why[r * C + j])
                        c2 = j;
                if (c2 == SIZE_MAX)
                    continue; /* a single row/column: nothing can hide it but the total */
                size_t r2 = SIZE_MAX;
                double cost = 0;
                for (size_t i = 0; i < R; i++) {
                    if (i == r)
                        continue;
                    double k = (why[i * C + c] ? 0 : count[i * C + c]) +
                               (why[i * C + c2] ? 0 : count[i * C + c2]);
                    if (r2 == SIZE_MAX || k < cost) {
                        r2 = i;
                        cost = k;
                    }
                }
                if (r2 == SIZE_MAX)
                    continue;
                if (!why[r2 * C + c])
                    why[r2 * C + c] = COMPLEMENT_CYCLE;
                if (!why[r2 * C + c2])
                    why[r2 * C + c2] = COMPLEMENT_CYCLE;
                changed = 1;
            }
    }
    free(queue);
    free(seen);
    return 0;
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

int hogo_deid_stats(const char *csv_path, const struct hogo_deid_stats_opts *o, FILE *out,
                    FILE *report, struct hogo_error *err)
{
    int rc = 0;
    struct hogo__csv csv;
    struct hogo__dict rd, cd;
    double *count = NULL, *sum = NULL;
    unsigned char *why = NULL;
    char **rl = NULL, **cl = NULL;
    size_t *rmap = NULL, *cmap = NULL;
    hogo__dict_init(&rd);
    hogo__dict_init(&cd);
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
    if (o->threshold < 1) {
        rc = hogo_error_set(err, HOGO_EINVAL, "threshold", "threshold must be at least 1");
        goto out;
    }
    for (size_t r = 0; r < csv.nrows; r++)
        if (hogo__dict_add(&rd, csv.cells[r * csv.ncols + (size_t)rcol]) < 0 ||
            hogo__dict_add(&cd, csv.cells[r * csv.ncols + (size_t)ccol]) < 0)
            goto oom;
    size_t R = rd.n, C = cd.n;
    /* Sorted labels and id -> sorted position maps. */
    rl = malloc((R + 1) * sizeof *rl);
    cl = malloc((C + 1) * sizeof *cl);
    rmap = malloc((R + 1) * sizeof *rmap);
    cmap = malloc((C + 1) * sizeof *cmap);
    count = calloc(R * C + 1, sizeof *count);
    sum = calloc(R * C + 1, sizeof *sum);
    why = calloc(R * C + 1, 1);
    if (!rl || !cl || !rmap || !cmap || !count || !sum || !why)
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
        count[i * C + j] += 1;
        if (scol >= 0) {
            const char *v = csv.cells[r * csv.ncols + (size_t)scol];
            char *end;
            double x = strtod(v, &end);
            if (end == v || *end) {
                char where[300];
                snprintf(where, sizeof where, "%s:%zu", csv_path, csv.lines[r]);
                rc = hogo_error_set(err, HOGO_EINVAL, where,
                                    "'%s' in column '%s' (%s) is not a number; fix the value", v,
                                    o->sum_col, where);
                goto out;
            }
            sum[i * C + j] += x;
        }
    }
    if (hogo__stats_suppress(R, C, count, o->threshold, why) < 0)
        goto oom;
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
        double grand = 0;
        for (size_t i = 0; i < R; i++) {
            hogo__csv_write_field(out, rl[i], csv.sep);
            double tot = 0;
            for (size_t j = 0; j < C; j++) {
                fputc(csv.sep, out);
                if (why[i * C + j])
                    fputc('X', out);
                else
                    write_num(out, v[i * C + j]);
                tot += v[i * C + j];
            }
            fputc(csv.sep, out);
            write_num(out, tot);
            fputc('\n', out);
            grand += tot;
        }
        fputs("total", out);
        for (size_t j = 0; j < C; j++) {
            double tot = 0;
            for (size_t i = 0; i < R; i++)
                tot += v[i * C + j];
            fputc(csv.sep, out);
            write_num(out, tot);
        }
        fputc(csv.sep, out);
        write_num(out, grand);
        fputc('\n', out);
    }
    if (report) {
        static const char *const reasons[] = {
            "", "primary: count below the threshold",
            "complementary: the only other hidden cell of its row would be recoverable from the "
            "row total",
            "complementary: the only other hidden cell of its column would be recoverable from "
            "the column total",
            "complementary: closes a chain of hidden cells that the totals would solve"};
        yajl_gen g = hogo__deid_report_open(report);
        if (!g)
            goto oom;
        yajl_gen_string(g, (const unsigned char *)"threshold", 9);
        yajl_gen_integer(g, o->threshold);
        yajl_gen_string(g, (const unsigned char *)"suppressed", 10);
        yajl_gen_array_open(g);
        for (size_t i = 0; i < R; i++)
            for (size_t j = 0; j < C; j++) {
                if (!why[i * C + j])
                    continue;
                yajl_gen_map_open(g);
                yajl_gen_string(g, (const unsigned char *)"row", 3);
                yajl_gen_string(g, (const unsigned char *)rl[i], strlen(rl[i]));
                yajl_gen_string(g, (const unsigned char *)"column", 6);
                yajl_gen_string(g, (const unsigned char *)cl[j], strlen(cl[j]));
                yajl_gen_string(g, (const unsigned char *)"reason", 6);
                yajl_gen_string(g, (const unsigned char *)reasons[why[i * C + j]],
                                strlen(reasons[why[i * C + j]]));
                yajl_gen_map_close(g);
            }
        yajl_gen_array_close(g);
        hogo__deid_report_close(g, report);
    }
    goto out;
oom:
    rc = hogo_error_set(err, HOGO_ENOMEM, csv_path, "out of memory");
out:
    free(count);
    free(sum);
    free(why);
    free(rl);
    free(cl);
    free(rmap);
    free(cmap);
    hogo__dict_release(&rd);
    hogo__dict_release(&cd);
    hogo__csv_release(&csv);
    return rc;
}
