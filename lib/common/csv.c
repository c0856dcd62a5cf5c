/*
 * CSV tables and UTF-8 utilities, shared by the de-identification module and the ledger.
 * Common layer. CSV follows RFC 4180 (double-quote quoting, CRLF or LF line ends);
 * the separator is ',' ';' or tab, detected from the header row unless configured. Every
 * error names the file and line and says how to fix it.
 */
#include "csv.h"
#include "buf.h"

#include <hogo/file.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

size_t hogo__utf8_invalid_at(const char *s, size_t len)
{
    const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
    size_t i = 0;
    while (i < len) {
        if (p[i] < 0x80) {
            i++;
            continue;
        }
        utf8proc_int32_t cp;
        utf8proc_ssize_t n = utf8proc_iterate(p + i, (utf8proc_ssize_t)(len - i), &cp);
        if (n <= 0 || cp < 0)
            return i;
        i += (size_t)n;
    }
    return len;
}

int hogo__utf8_valid(const char *s, size_t len)
{
    return hogo__utf8_invalid_at(s, len) == len;
}

char *hogo__nfkc(const char *s, size_t len, int *bad_utf8)
{
    utf8proc_uint8_t *out = NULL;
    *bad_utf8 = 0;
    utf8proc_ssize_t n = utf8proc_map((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)len, &out,
                                      UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_COMPAT);
    if (n < 0) {
        *bad_utf8 = n != UTF8PROC_ERROR_NOMEM;
        return NULL;
    }
    return (char *)out;
}


/* ---- CSV ---- */

static char detect_sep(const char *text, size_t len)
{
    size_t c = 0, sc = 0, tab = 0;
    for (size_t i = 0; i < len && text[i] != '\n'; i++) {
        c += text[i] == ',';
        sc += text[i] == ';';
        tab += text[i] == '\t';
    }
    if (sc > c && sc >= tab)
        return ';';
    if (tab > c)
        return '\t';
    return ',';
}

void hogo__csv_release(struct hogo__csv *csv)
{
    free(csv->header);
    free(csv->cells);
    free(csv->lines);
    free(csv->arena);
    memset(csv, 0, sizeof *csv);
}

int hogo__csv_column(const struct hogo__csv *csv, const char *name)
{
    for (size_t i = 0; i < csv->ncols; i++)
        if (!strcmp(csv->header[i], name))
            return (int)i;
    return -1;
}

/* Appends a pointer to a growable array. */
static int push_ptr(char ***arr, size_t *n, size_t *cap, char *p)
{
    if (HOGO__GROW(*arr, *cap, *n + 1, 256) < 0)
        return HOGO_ENOMEM;
    (*arr)[(*n)++] = p;
    return 0;
}

int hogo__csv_parse(struct hogo__csv *csv, const char *text, size_t len, const char *name,
                    char sep, struct hogo_error *err)
{
    int rc = 0;
    char **cells = NULL;
    size_t ncells = 0, ccap = 0, rowstart = 0, ncols = 0, line = 1, rowline = 1;
    size_t *lines = NULL, nlines = 0, lcap = 0;
    char where[300];
    memset(csv, 0, sizeof *csv);
    snprintf(csv->path, sizeof csv->path, "%s", name);

    /* Skip a UTF-8 byte order mark. */
    if (len >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3)) {
        text += 3;
        len -= 3;
    }
    if (!hogo__utf8_valid(text, len)) {
        size_t l = 1, i = 0;
        const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)text;
        while (i < len) {
            utf8proc_int32_t cp;
            utf8proc_ssize_t n = utf8proc_iterate(p + i, (utf8proc_ssize_t)(len - i), &cp);
            if (n <= 0 || cp < 0)
                break;
            l += cp == '\n';
            i += (size_t)n;
        }
        snprintf(where, sizeof where, "%s:%zu", name, l);
        return hogo_error_set(err, HOGO_EINVAL, where,
                              "'%s' is not valid UTF-8 at line %zu (byte %zu); convert it to "
                              "UTF-8 (e.g. iconv -f SHIFT_JIS -t UTF-8)",
                              name, l, i + 1);
    }
    if (len == 0)
        return hogo_error_set(err, HOGO_EINVAL, name, "'%s' is empty; a header row is needed",
                              name);
    csv->sep = sep ? sep : detect_sep(text, len);
    sep = csv->sep;
    /* len + 1 bytes always suffice (every cell gives up at least its separator or line end
     * for its NUL); 8 more let readers load a cell's last bytes a word at a time. */
    csv->arena = malloc(len + 1 + HOGO__CSV_PAD);
    if (!csv->arena)
        return hogo_error_set(err, HOGO_ENOMEM, name, "out of memory reading '%s'", name);
    char *w = csv->arena;
    size_t i = 0;
    int at_row_start = 1;
    while (i <= len) {
        if (at_row_start) {
            rowline = line;
            at_row_start = 0;
            /* A blank line (or the end) ends no row. */
            if (i == len)
                break;
            if (text[i] == '\n' || (text[i] == '\r' && i + 1 < len && text[i + 1] == '\n')) {
                i += text[i] == '\r' ? 2 : 1;
                line++;
                at_row_start = 1;
                continue;
            }
        }
        char *cell = w;
        if (i < len && text[i] == '"') {
            size_t qline = line;
            i++;
            for (;;) {
                if (i >= len) {
                    snprintf(where, sizeof where, "%s:%zu", name, qline);
                    rc = hogo_error_set(err, HOGO_EINVAL, where,
                                        "unterminated quoted field in '%s' starting at line "
                                        "%zu; close it with '\"'",
                                        name, qline);
                    goto out;
                }
                if (text[i] == '"') {
                    if (i + 1 < len && text[i + 1] == '"') {
                        *w++ = '"';
                        i += 2;
                        continue;
                    }
                    i++;
                    break;
                }
                line += text[i] == '\n';
                *w++ = text[i++];
            }
            if (i < len && text[i] != sep && text[i] != '\n' && text[i] != '\r') {
                snprintf(where, sizeof where, "%s:%zu", name, line);
                rc = hogo_error_set(err, HOGO_EINVAL, where,
                                    "text after a closing quote in '%s' at line %zu; double "
                                    "quotes inside a quoted field (\"\")",
                                    name, line);
                goto out;
            }
        } else {
            while (i < len && text[i] != sep && text[i] != '\n' &&
                   !(text[i] == '\r' && (i + 1 == len || text[i + 1] == '\n')))
                *w++ = text[i++];
        }
        *w++ = '\0';
        if ((rc = push_ptr(&cells, &ncells, &ccap, cell)) < 0)
            goto oom;
        if (i < len && text[i] == sep) {
            i++;
            continue;
        }
        /* End of row. */
        size_t n = ncells - rowstart;
        if (rowstart == 0) {
            ncols = n;
        } else if (n != ncols) {
            snprintf(where, sizeof where, "%s:%zu", name, rowline);
            rc = hogo_error_set(err, HOGO_EINVAL, where,
                                "ragged row in '%s' at line %zu: %zu fields where the header "
                                "has %zu; make every row have %zu fields (separator '%c')",
                                name, rowline, n, ncols, ncols, sep);
            goto out;
        }
        if (rowstart > 0) {
            if (HOGO__GROW(lines, lcap, nlines + 1, 256) < 0)
                goto oom;
            lines[nlines++] = rowline;
        }
        rowstart = ncells;
        if (i < len && text[i] == '\r')
            i++;
        if (i < len && text[i] == '\n')
            i++;
        line++;
        at_row_start = 1;
        if (i >= len)
            break;
    }
    if (ncols == 0) {
        rc = hogo_error_set(err, HOGO_EINVAL, name, "'%s' has no header row", name);
        goto out;
    }
    csv->ncols = ncols;
    csv->nrows = nlines;
    csv->header = malloc(ncols * sizeof(char *));
    csv->cells = malloc((ncells - ncols + 1) * sizeof(char *));
    if (!csv->header || !csv->cells)
        goto oom;
    memcpy(csv->header, cells, ncols * sizeof(char *));
    memcpy(csv->cells, cells + ncols, (ncells - ncols) * sizeof(char *));
    csv->cells[ncells - ncols] = w; /* end sentinel: cell lengths are pointer differences */
    memset(w, 0, HOGO__CSV_PAD);
    csv->lines = lines;
    lines = NULL;
    goto out;
oom:
    rc = hogo_error_set(err, HOGO_ENOMEM, name, "out of memory parsing '%s'", name);
out:
    free(cells);
    free(lines);
    if (rc < 0)
        hogo__csv_release(csv);
    return rc;
}

int hogo__csv_load(struct hogo__csv *csv, const char *path, char sep, struct hogo_error *err)
{
    char *text = NULL;
    size_t len = 0;
    int rc = hogo_read_file(path, HOGO_READ_UNLIMITED, &text, &len, err);
    if (rc < 0)
        return rc;
    rc = hogo__csv_parse(csv, text, len, path, sep, err);
    free(text);
    return rc;
}

void hogo__csv_write_field(FILE *out, const char *s, char sep)
{
    if (!strchr(s, sep) && !strchr(s, '"') && !strchr(s, '\n') && !strchr(s, '\r')) {
        fputs(s, out);
        return;
    }
    fputc('"', out);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', out);
        fputc(*s, out);
    }
    fputc('"', out);
}
