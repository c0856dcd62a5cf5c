/*
 * Listing output in the four formats of listing.h: JSON through yajl's generator, CSV quoted
 * as RFC 4180 asks, text as columns padded to the widest value (by display width, so Japanese
 * names line up).
 * CLI layer.
 */
#include "listing.h"
#include "commands.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

struct listing {
    FILE *out;
    enum listing_format format;
    const char *const *columns;
    int ncolumns;
    size_t rows;
    yajl_gen g;
    char **cells; /* text: every value kept until the end to align the columns */
    size_t ncells, capcells;
};

int listing_format_parse(const char *command, const char *arg, enum listing_format *out)
{
    static const char *const names[] = {"json", "jsonl", "csv", "text"};
    for (int i = 0; i < 4; i++)
        if (!strcmp(arg, names[i])) {
            *out = (enum listing_format)i;
            return 0;
        }
    cli_errorf("%s: --format is json, jsonl, csv or text, not '%s'", command, arg);
    return -1;
}

static void flush_json(struct listing *l)
{
    const unsigned char *buf;
    size_t len;
    yajl_gen_get_buf(l->g, &buf, &len);
    fwrite(buf, 1, len, l->out);
    yajl_gen_clear(l->g);
}

struct listing *listing_begin(FILE *out, enum listing_format format, const char *const *columns,
                              int ncolumns)
{
    struct listing *l = calloc(1, sizeof *l);
    if (!l)
        return NULL;
    l->out = out;
    l->format = format;
    l->columns = columns;
    l->ncolumns = ncolumns;
    if (format == LISTING_JSON || format == LISTING_JSONL) {
        l->g = yajl_gen_alloc(NULL);
        if (!l->g) {
            free(l);
            return NULL;
        }
        if (format == LISTING_JSON) {
            yajl_gen_config(l->g, yajl_gen_beautify, 1);
            yajl_gen_config(l->g, yajl_gen_indent_string, "  ");
        }
    } else {
        listing_row(l, columns); /* csv and text start with the column names */
        l->rows = 0;
    }
    return l;
}

static void csv_value(FILE *out, const char *v)
{
    if (!v)
        return;
    if (!strpbrk(v, ",\"\r\n")) {
        fputs(v, out);
        return;
    }
    fputc('"', out);
    for (; *v; v++) {
        if (*v == '"')
            fputc('"', out);
        fputc(*v, out);
    }
    fputc('"', out);
}

void listing_row(struct listing *l, const char *const *values)
{
    switch (l->format) {
    case LISTING_JSON:
    case LISTING_JSONL:
        if (l->format == LISTING_JSON && l->rows == 0)
            yajl_gen_array_open(l->g); /* opened with the first row: an empty list is "[]" */
        yajl_gen_map_open(l->g);
        for (int i = 0; i < l->ncolumns; i++) {
            yajl_gen_string(l->g, (const unsigned char *)l->columns[i], strlen(l->columns[i]));
            if (values[i])
                yajl_gen_string(l->g, (const unsigned char *)values[i], strlen(values[i]));
            else
                yajl_gen_null(l->g);
        }
        yajl_gen_map_close(l->g);
        if (l->format == LISTING_JSONL) {
            flush_json(l);
            fputc('\n', l->out);
            yajl_gen_reset(l->g, NULL);
        }
        break;
    case LISTING_CSV:
        for (int i = 0; i < l->ncolumns; i++) {
            if (i)
                fputc(',', l->out);
            csv_value(l->out, values[i]);
        }
        fputc('\n', l->out);
        break;
    case LISTING_TEXT:
        for (int i = 0; i < l->ncolumns; i++) {
            if (l->ncells == l->capcells) {
                size_t cap = l->capcells ? l->capcells * 2 : 64;
                char **g = realloc(l->cells, cap * sizeof *g);
                if (!g)
                    return;
                l->cells = g;
                l->capcells = cap;
            }
            l->cells[l->ncells++] = strdup(values[i] ? values[i] : "");
        }
        break;
    }
    l->rows++;
}

/* Display width of UTF-8 text (East Asian wide characters count 2). */
static int display_width(const char *s)
{
    int w = 0;
    const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
    utf8proc_ssize_t left = (utf8proc_ssize_t)strlen(s);
    while (left > 0) {
        utf8proc_int32_t c;
        utf8proc_ssize_t n = utf8proc_iterate(p, left, &c);
        if (n <= 0)
            break;
        int cw = utf8proc_charwidth(c);
        w += cw > 0 ? cw : 0;
        p += n;
        left -= n;
    }
    return w;
}

size_t listing_end(struct listing *l)
{
    size_t rows = l->rows;
    if (l->format == LISTING_JSON && rows == 0) {
        fputs("[]\n", l->out);
    } else if (l->format == LISTING_JSON) {
        yajl_gen_array_close(l->g);
        flush_json(l);
        fputc('\n', l->out);
    } else if (l->format == LISTING_TEXT && l->ncells) {
        int widths[16] = {0};
        int n = l->ncolumns < 16 ? l->ncolumns : 16;
        for (size_t i = 0; i < l->ncells; i++) {
            int w = display_width(l->cells[i] ? l->cells[i] : "");
            if ((int)(i % (size_t)l->ncolumns) < n && w > widths[i % (size_t)l->ncolumns])
                widths[i % (size_t)l->ncolumns] = w;
        }
        for (size_t i = 0; i < l->ncells; i++) {
            int col = (int)(i % (size_t)l->ncolumns);
            const char *v = l->cells[i] ? l->cells[i] : "";
            bool last = col == l->ncolumns - 1;
            fputs(v, l->out);
            if (!last && col < n)
                for (int pad = display_width(v); pad < widths[col] + 2; pad++)
                    fputc(' ', l->out);
            if (last)
                fputc('\n', l->out);
        }
    }
    for (size_t i = 0; i < l->ncells; i++)
        free(l->cells[i]);
    free(l->cells);
    if (l->g)
        yajl_gen_free(l->g);
    free(l);
    return rows;
}

/* Generates a parsed JSON value again (yajl has no tree writer). */
static void gen_value(yajl_gen g, yajl_val v)
{
    if (YAJL_IS_OBJECT(v)) {
        yajl_gen_map_open(g);
        for (size_t i = 0; i < v->u.object.len; i++) {
            const char *k = v->u.object.keys[i];
            yajl_gen_string(g, (const unsigned char *)k, strlen(k));
            gen_value(g, v->u.object.values[i]);
        }
        yajl_gen_map_close(g);
    } else if (YAJL_IS_ARRAY(v)) {
        yajl_gen_array_open(g);
        for (size_t i = 0; i < v->u.array.len; i++)
            gen_value(g, v->u.array.values[i]);
        yajl_gen_array_close(g);
    } else if (YAJL_IS_STRING(v)) {
        yajl_gen_string(g, (const unsigned char *)v->u.string, strlen(v->u.string));
    } else if (YAJL_IS_NUMBER(v)) {
        yajl_gen_number(g, v->u.number.r, strlen(v->u.number.r));
    } else if (YAJL_IS_TRUE(v) || YAJL_IS_FALSE(v)) {
        yajl_gen_bool(g, YAJL_IS_TRUE(v));
    } else {
        yajl_gen_null(g);
    }
}

/* A value as one text cell: strings as they are, lists joined by ",". */
/* The text of a cell: a string (through view), a number, a boolean, or a list's elements
 * joined. */
static void cell_text(yajl_val v, const struct listing_text_view *view, int column, char *buf,
                      size_t cap)
{
    buf[0] = '\0';
    if (!v)
        return;
    if (YAJL_IS_STRING(v) && view && view->cell)
        view->cell(view->ctx, column, v->u.string, buf, cap);
    else if (YAJL_IS_STRING(v))
        snprintf(buf, cap, "%s", v->u.string);
    else if (YAJL_IS_NUMBER(v))
        snprintf(buf, cap, "%s", v->u.number.r);
    else if (YAJL_IS_TRUE(v) || YAJL_IS_FALSE(v))
        snprintf(buf, cap, "%s", YAJL_IS_TRUE(v) ? "true" : "false");
    else if (YAJL_IS_ARRAY(v))
        for (size_t i = 0; i < v->u.array.len; i++) {
            size_t used = strlen(buf);
            char one[256];
            cell_text(v->u.array.values[i], view, column, one, sizeof one);
            snprintf(buf + used, cap - used, "%s%s",
                     i ? (view && view->join ? view->join : ",") : "", one);
        }
}

long listing_json_array(FILE *out, enum listing_format format, const char *json,
                        const char *const *text_columns, int ncolumns,
                        const struct listing_text_view *view)
{
    char ebuf[256];
    yajl_val root = yajl_tree_parse(json, ebuf, sizeof ebuf);
    if (!root || !YAJL_IS_ARRAY(root)) {
        cli_errorf("the list is not a JSON array: %s", root ? "another value" : ebuf);
        yajl_tree_free(root);
        return -1;
    }
    size_t n = root->u.array.len;
    if (format == LISTING_TEXT) {
        struct listing *l = listing_begin(out, format, view && view->labels ? view->labels
                                                                            : text_columns,
                                          ncolumns);
        for (size_t i = 0; l && i < n; i++) {
            yajl_val obj = root->u.array.values[i];
            char cells[16][512];
            const char *vals[16];
            for (int c = 0; c < ncolumns && c < 16; c++) {
                const char *path[] = {text_columns[c], NULL};
                cell_text(yajl_tree_get(obj, path, yajl_t_any), view, c, cells[c],
                          sizeof cells[c]);
                vals[c] = cells[c];
            }
            listing_row(l, vals);
        }
        if (l)
            listing_end(l);
    } else if (format == LISTING_JSON && n == 0) {
        fputs("[]\n", out);
    } else {
        yajl_gen g = yajl_gen_alloc(NULL);
        if (format == LISTING_JSON) {
            yajl_gen_config(g, yajl_gen_beautify, 1);
            yajl_gen_config(g, yajl_gen_indent_string, "  ");
            gen_value(g, root);
        }
        for (size_t i = 0; format == LISTING_JSONL && i < n; i++) {
            gen_value(g, root->u.array.values[i]);
            const unsigned char *b;
            size_t len;
            yajl_gen_get_buf(g, &b, &len);
            fwrite(b, 1, len, out);
            fputc('\n', out);
            yajl_gen_clear(g);
            yajl_gen_reset(g, NULL);
        }
        if (format == LISTING_JSON) {
            const unsigned char *b;
            size_t len;
            yajl_gen_get_buf(g, &b, &len);
            fwrite(b, 1, len, out);
            fputc('\n', out);
        }
        yajl_gen_free(g);
    }
    yajl_tree_free(root);
    return (long)n;
}
