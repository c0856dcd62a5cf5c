/*
 * Unit tests of published statistics tables (hogo_deid_stats, `hogo deid stats`): every
 * output is attacked by an audit written here, independently of lib/deid/stats.c — a linear
 * program per hidden cell over the hidden cells only, with the published cells and totals
 * moved to the right-hand side — and must leave every sensitive cell (and total) an interval
 * at least the protection level wide, never hide a zero, and refuse what it cannot protect.
 * Test layer.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* clang-format off: cmocka.h needs the headers above first */
#include <cmocka.h>
/* clang-format on */

#include "deid/deid_int.h"

#include <glpk.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The CLI command under test, with the CLI's helpers. */
int cmd_deid(int argc, char **argv);
#include "../../cli/cli_util.c"
#include "../../cli/cmd-deid.c"
#include "../../cli/progress.c"

static char *tmpfile_with(const char *content)
{
    char *path = strdup("/tmp/hogo_stats_testXXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, content, strlen(content)), (ssize_t)strlen(content));
    close(fd);
    return path;
}

/* The report without the whitespace between JSON tokens, for substring checks. */
static void squeeze_json(char *s)
{
    int in_string = 0;
    char *o = s;
    for (char *p = s; *p; p++) {
        if (in_string) {
            if (*p == '\\' && p[1])
                *o++ = *p++;
            else if (*p == '"')
                in_string = 0;
        } else if (*p == '"')
            in_string = 1;
        else if (*p == ' ' || *p == '\n' || *p == '\t')
            continue;
        *o++ = *p;
    }
    *o = '\0';
}

enum { MAXD = 8 };

/* A published table as read back from the CSV output: (R+1) x (C+1) with totals. */
struct published {
    size_t R, C;
    double v[MAXD + 1][MAXD + 1];
    int hidden[MAXD + 1][MAXD + 1];
};

/* Reads the first (count) table of the output: header, R rows, the total row. */
static void read_published(const char *csv, size_t R, size_t C, struct published *p)
{
    memset(p, 0, sizeof *p);
    p->R = R;
    p->C = C;
    const char *line = strchr(csv, '\n') + 1;
    for (size_t i = 0; i <= R; i++) {
        const char *f = strchr(line, ',') + 1;
        for (size_t j = 0; j <= C; j++) {
            if (*f == 'X')
                p->hidden[i][j] = 1;
            else
                p->v[i][j] = strtod(f, NULL);
            f = strpbrk(f, ",\n") + 1;
        }
        line = f;
    }
}

/* The attacker's bounds on hidden cell (r,c): variables are the hidden cells only (>= 1,
 * since zero cells are published), one equation per row and column of the table with totals. */
static void attack(const struct published *p, size_t r, size_t c, double *lo, double *hi)
{
    size_t R = p->R, C = p->C;
    int var[MAXD + 1][MAXD + 1], nv = 0;
    for (size_t i = 0; i <= R; i++)
        for (size_t j = 0; j <= C; j++)
            var[i][j] = p->hidden[i][j] ? ++nv : 0;
    glp_prob *lp = glp_create_prob();
    glp_add_cols(lp, nv);
    for (int k = 1; k <= nv; k++)
        glp_set_col_bnds(lp, k, GLP_LO, 1, 0);
    int ia[1000], ja[1000], nz = 0;
    double ar[1000];
    for (int dir = 0; dir < 2; dir++) {
        size_t lines = dir ? C + 1 : R + 1, len = dir ? R : C;
        for (size_t a = 0; a < lines; a++) {
            double rhs = 0;
            int row = glp_add_rows(lp, 1);
            for (size_t b = 0; b <= len; b++) {
                size_t i = dir ? b : a, j = dir ? a : b;
                double coef = b == len ? -1 : 1;
                if (var[i][j]) {
                    nz++;
                    ia[nz] = row;
                    ja[nz] = var[i][j];
                    ar[nz] = coef;
                } else
                    rhs -= coef * p->v[i][j];
            }
            glp_set_row_bnds(lp, row, GLP_FX, rhs, rhs);
        }
    }
    glp_load_matrix(lp, nz, ia, ja, ar);
    glp_smcp parm;
    glp_init_smcp(&parm);
    parm.msg_lev = GLP_MSG_OFF;
    parm.presolve = GLP_ON;
    for (int d = 0; d < 2; d++) {
        for (int k = 1; k <= nv; k++)
            glp_set_obj_coef(lp, k, k == var[r][c] ? 1 : 0);
        glp_set_obj_dir(lp, d ? GLP_MAX : GLP_MIN);
        int rc = glp_simplex(lp, &parm);
        int st = glp_get_status(lp);
        double val = rc == 0 && st == GLP_OPT ? glp_get_obj_val(lp) : INFINITY;
        if (rc == GLP_ENOPFS)
            fail_msg("the published table is infeasible");
        if (d)
            *hi = val;
        else
            *lo = val;
    }
    glp_delete_prob(lp);
}

/* Runs `stats` on a table given as counts (rows of the CSV are generated from them). */
static void stats_of_counts(size_t R, size_t C, const int *counts, unsigned threshold, char **out,
                      char **rep)
{
    size_t cap = 1 << 16, n = 0;
    char *csv = malloc(cap);
    n += (size_t)snprintf(csv + n, cap - n, "r,c\n");
    for (size_t i = 0; i < R; i++)
        for (size_t j = 0; j < C; j++)
            for (int k = 0; k < counts[i * C + j]; k++)
                n += (size_t)snprintf(csv + n, cap - n, "r%zu,c%zu\n", i, j);
    /* Every label must occur: a row or column with no record would not be a row. */
    char *path = tmpfile_with(csv);
    free(csv);
    size_t ol = 0, rl = 0;
    FILE *f = open_memstream(out, &ol), *r = open_memstream(rep, &rl);
    struct hogo_deid_stats_opts o = {"r", "c", NULL, threshold, ',', 0, 0};
    struct hogo_error err = {0};
    int rc = hogo_deid_stats(path, &o, f, r, &err);
    fclose(f);
    fclose(r);
    if (rc < 0)
        fail_msg("stats failed: %s", err.message);
    squeeze_json(*rep);
    unlink(path);
    free(path);
}

static void test_random_tables_survive_an_independent_audit(void **state)
{
    (void)state;
    uint64_t x = 88172645463325252ull;
    for (int iter = 0; iter < 60; iter++) {
        size_t R = 2 + iter % 4, C = 2 + (iter / 4) % 4;
        int counts[MAXD * MAXD];
        for (;;) {
            for (size_t i = 0; i < R * C; i++) {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                counts[i] = (int)(x % 4 == 0 ? 0 : x % 4 == 1 ? 1 + x % 4 : x % 25);
            }
            int ok = 1; /* every row and column needs a record */
            for (size_t i = 0; i < R; i++) {
                int s = 0;
                for (size_t j = 0; j < C; j++)
                    s += counts[i * C + j];
                ok &= s > 0;
            }
            for (size_t j = 0; j < C; j++) {
                int s = 0;
                for (size_t i = 0; i < R; i++)
                    s += counts[i * C + j];
                ok &= s > 0;
            }
            if (ok)
                break;
        }
        char *out = NULL, *rep = NULL;
        stats_of_counts(R, C, counts, 5, &out, &rep);
        struct published p;
        read_published(out, R, C, &p);
        /* True values with totals. */
        double t[MAXD + 1][MAXD + 1] = {{0}};
        for (size_t i = 0; i < R; i++)
            for (size_t j = 0; j < C; j++) {
                t[i][j] = counts[i * C + j];
                t[i][C] += t[i][j];
                t[R][j] += t[i][j];
                t[R][C] += t[i][j];
            }
        for (size_t i = 0; i <= R; i++)
            for (size_t j = 0; j <= C; j++) {
                if (t[i][j] == 0)
                    assert_false(p.hidden[i][j]); /* a zero is never hidden */
                if (!p.hidden[i][j]) {
                    assert_true(p.v[i][j] == t[i][j]);
                    assert_false(t[i][j] > 0 && t[i][j] < 5); /* totals too */
                    continue;
                }
                double lo, hi;
                attack(&p, i, j, &lo, &hi);
                assert_true(lo <= t[i][j] + 1e-6 && hi >= t[i][j] - 1e-6);
                if (t[i][j] > 0 && t[i][j] < 5 && hi - lo < 5 - 1e-6)
                    fail_msg("table %d: cell (%zu,%zu) = %g recoverable to [%g, %g]:\n%s", iter,
                             i, j, t[i][j], lo, hi, out);
            }
        free(out);
        free(rep);
    }
}

/* The case the old bridge rule got wrong: a zero "complement" hides nothing. */
static void test_zero_cells_are_not_complements(void **state)
{
    (void)state;
    /* r0: 2, 0 | r1: 30, 40 — the zero in r0 cannot hide the 2. */
    int counts[] = {2, 0, 1, 0, 30, 40, 0, 25, 12, 0, 0, 9};
    char *out = NULL, *rep = NULL;
    stats_of_counts(3, 4, counts, 5, &out, &rep);
    struct published p;
    read_published(out, 3, 4, &p);
    assert_true(p.hidden[0][0] && p.hidden[0][2]);
    assert_false(p.hidden[0][1] || p.hidden[0][3]);
    double lo, hi;
    attack(&p, 0, 0, &lo, &hi);
    assert_true(hi - lo >= 5);
    assert_non_null(strstr(rep, "\"zero_cells\":\"published; never used as complements\""));
    free(out);
    free(rep);
}

static void test_small_totals_are_hidden_with_their_own_complements(void **state)
{
    (void)state;
    /* Row r2 holds one person: its total (1) is sensitive, as is its only non-zero cell. */
    int counts[] = {12, 9, 14, 11, 8, 10, 0, 1, 0};
    char *out = NULL, *rep = NULL;
    stats_of_counts(3, 3, counts, 5, &out, &rep);
    struct published p;
    read_published(out, 3, 3, &p);
    assert_true(p.hidden[2][1] && p.hidden[2][3]);
    for (size_t i = 0; i <= 3; i++) /* another row total hides with it */
        if (i != 2 && p.hidden[i][3])
            goto found;
    fail_msg("no complementary row total:\n%s", out);
found:;
    double lo, hi;
    attack(&p, 2, 3, &lo, &hi);
    assert_true(hi - lo >= 5);
    assert_non_null(strstr(rep, "\"row\":\"r2\",\"column\":\"total\""));
    free(out);
    free(rep);
}

static void test_one_row_tables_are_fully_protected(void **state)
{
    (void)state;
    int counts[] = {20, 3, 15};
    char *out = NULL, *rep = NULL;
    stats_of_counts(1, 3, counts, 5, &out, &rep);
    assert_non_null(strstr(out, "r0,X,X,X,X\n"));
    assert_non_null(strstr(out, "total,X,X,X,X\n"));
    assert_non_null(strstr(rep, "fully protected"));
    free(out);
    free(rep);
    int fine[] = {20, 30};
    stats_of_counts(1, 2, fine, 5, &out, &rep);
    assert_non_null(strstr(out, "r0,20,30,50\n"));
    free(out);
    free(rep);
}

static void test_magnitude_tables_get_the_p_percent_rule(void **state)
{
    (void)state;
    /* Cell (A,x): 10 contributors, one of them dominant (1000 of 1040): count is fine, the
     * sum is not. (B,y) has no dominant contributor. */
    char *path = tmpfile_with("g,k,v\nA,x,1000\nA,x,5\nA,x,5\nA,x,5\nA,x,5\nA,x,5\nA,x,5\n"
                              "A,x,5\nA,x,5\nA,x,0\nA,y,50\nA,y,60\nA,y,70\nA,y,80\nA,y,90\n"
                              "B,x,40\nB,x,50\nB,x,45\nB,x,55\nB,x,60\nB,y,30\nB,y,35\nB,y,40\n"
                              "B,y,45\nB,y,50\n");
    char *out = NULL, *rep = NULL;
    size_t ol = 0, rl = 0;
    FILE *f = open_memstream(&out, &ol), *r = open_memstream(&rep, &rl);
    struct hogo_deid_stats_opts o = {"g", "k", "v", 3, ',', 0, 10};
    struct hogo_error err = {0};
    assert_int_equal(hogo_deid_stats(path, &o, f, r, &err), 0);
    fclose(f);
    fclose(r);
    squeeze_json(rep);
    assert_non_null(strstr(rep, "\"name\":\"p% rule\""));
    assert_non_null(strstr(rep, "\"row\":\"A\",\"column\":\"x\",\"reason\":\"primary: the p % "
                                "dominance rule"));
    /* The sum table: A/x hidden; the counts and sums share one pattern. */
    const char *sums = strstr(out, "\ng,x,y,sum_total\n");
    assert_non_null(sums);
    assert_non_null(strstr(sums, "\nA,X,"));
    assert_non_null(strstr(out, "g,x,y,total\nA,X,"));
    assert_non_null(strstr(rep, "NOT protected together"));
    unlink(path);
    free(path);
    free(out);
    free(rep);
    /* Negative values cannot be audited with the rule: refused, with the line. */
    path = tmpfile_with("g,k,v\nA,x,3\nB,x,-2\n");
    f = open_memstream(&out, &ol);
    assert_int_equal(hogo_deid_stats(path, &o, f, NULL, &err), HOGO_EINVAL);
    fclose(f);
    assert_non_null(strstr(err.message, "negative"));
    assert_non_null(strstr(err.where, ":3"));
    unlink(path);
    free(path);
    free(out);
}

static void test_more_than_two_dimensions_are_refused(void **state)
{
    (void)state;
    char *path = tmpfile_with("a,b,c\n1,2,3\n");
    char *argv[] = {"deid", "stats", "--rows", "a", "--rows", "b", "--cols", "c", path, NULL};
    assert_int_equal(cmd_deid(9, argv), 2);
    char *argv2[] = {"deid", "stats", "--rows", "a", "--cols", "b", "--cols", "c", path, NULL};
    assert_int_equal(cmd_deid(9, argv2), 2);
    char *argv3[] = {"deid", "stats", "--rows", "a", "--cols", "b", "--p-percent", "0", path, NULL};
    assert_int_equal(cmd_deid(9, argv3), 2);
    unlink(path);
    free(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_random_tables_survive_an_independent_audit),
        cmocka_unit_test(test_zero_cells_are_not_complements),
        cmocka_unit_test(test_small_totals_are_hidden_with_their_own_complements),
        cmocka_unit_test(test_one_row_tables_are_fully_protected),
        cmocka_unit_test(test_magnitude_tables_get_the_p_percent_rule),
        cmocka_unit_test(test_more_than_two_dimensions_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
