/*
 * A CSV file read in chunks into dictionary codes, one dictionary per column, so that a
 * large table is never held as text: each chunk of whole rows is parsed with the module's
 * CSV parser (hogo__csv_parse, the header prepended), its cells are added to their column's
 * dictionary and only the codes are kept; the lattice search encodes the codes
 * (hogo__enc_build in lattice.c). De-identification layer; used by tabular anonymisation
 * (anon.c).
 */
#include "deid_int.h"
#include "common/buf.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK (1u << 20) /* bytes read at a time (small chunks leave little for the
                            allocator to hold on to) */
#define FIRST_BUF (2 * (size_t)CHUNK + HOGO__CSV_PAD) /* the read buffer's first size */

void hogo__coded_release(struct hogo__coded *t)
{
    if (t->dict)
        for (size_t c = 0; c < t->head.ncols; c++)
            hogo__dict_release(&t->dict[c]);
    if (t->code)
        for (size_t c = 0; c < t->head.ncols; c++)
            free(t->code[c]);
    for (size_t c = 0; c < 64; c++)
        free(t->narrow[c]);
    free(t->dict);
    free(t->code);
    free(t->lines);
    hogo__csv_release(&t->head);
    memset(t, 0, sizeof *t);
}

void hogo__coded_narrow(struct hogo__coded *t, size_t c)
{
    if (c >= 64 || !t->code[c] || t->narrow[c] || t->dict[c].n > 256)
        return;
    uint8_t *n = malloc(t->nrows ? t->nrows : 1);
    if (!n)
        return; /* stays wide */
    for (size_t r = 0; r < t->nrows; r++)
        n[r] = (uint8_t)t->code[c][r];
    free(t->code[c]);
    t->code[c] = NULL;
    t->narrow[c] = n;
}

size_t hogo__coded_line(const struct hogo__coded *t, size_t row)
{
    return t->lines ? t->lines[row] : row + t->header_lines + 1;
}

/* Length of the header row of text[0..len) with its line end (quotes respected); 0 when the
 * row does not end within len. */
static size_t header_end(const char *text, size_t len)
{
    int q = 0;
    for (size_t i = 0; i < len; i++) {
        if (text[i] == '"')
            q = !q;
        else if (text[i] == '\n' && !q)
            return i + 1;
    }
    return 0;
}

/* Length of the longest prefix of text[0..len) made of whole rows (ending in a line end
 * outside quotes); 0 when there is none. */
static size_t rows_end(const char *text, size_t len)
{
    int q = 0;
    size_t last = 0;
    for (size_t i = 0; i < len; i++) {
        if (text[i] == '"')
            q = !q;
        else if (text[i] == '\n' && !q)
            last = i + 1;
    }
    return last;
}

/* Rewrites an error of a chunk's parse (chunk lines) with the file's line numbers. */
static int chunk_error(struct hogo_error *err, const char *path, size_t offset)
{
    size_t pl = strlen(path);
    unsigned long chunk_line;
    if (strncmp(err->where, path, pl) || err->where[pl] != ':' ||
        sscanf(err->where + pl + 1, "%lu", &chunk_line) != 1)
        return err->code;
    size_t real = chunk_line + offset;
    char old[600], now[600], msg[1400];
    snprintf(old, sizeof old, "%s", err->where);
    snprintf(now, sizeof now, "%s:%zu", path, real);
    /* the message repeats the location, or "line N" */
    char oldline[48], nowline[48];
    snprintf(oldline, sizeof oldline, "line %lu", chunk_line);
    snprintf(nowline, sizeof nowline, "line %zu", real);
    const char *m = err->message, *hit = strstr(m, old);
    size_t ol = strlen(old);
    const char *nw = now;
    if (!hit) {
        hit = strstr(m, oldline);
        ol = strlen(oldline);
        nw = nowline;
    }
    if (hit)
        snprintf(msg, sizeof msg, "%.*s%s%s", (int)(hit - m), m, nw, hit + ol);
    else
        snprintf(msg, sizeof msg, "%s", m);
    return hogo_error_set(err, err->code, now, "%s", msg);
}

int hogo__coded_load(struct hogo__coded *t, const char *path, char sep,
                     const char *const *skip, struct hogo_error *err)
{
    int rc = 0;
    char *buf = NULL;
    size_t lcap = 0;
    size_t *capv = NULL;
    struct hogo__csv chunk;
    memset(t, 0, sizeof *t);
    memset(&chunk, 0, sizeof chunk);
    FILE *f = fopen(path, "rb");
    if (!f)
        return hogo_error_set(err, HOGO_EIO, path, "cannot open '%s': %s; check the path", path,
                              strerror(errno));
    /* buffer: the header, then the rows carried over, then the new bytes, then the parser's
     * padding; bcap bytes allocated */
    size_t bcap = 0, blen = 0, hlen = 0;
    int eof = 0;
    /* the header row */
    while (!hlen && !eof) {
        if (HOGO__GROW(buf, bcap, blen + CHUNK + HOGO__CSV_PAD, FIRST_BUF))
            goto oom;
        size_t n = fread(buf + blen, 1, CHUNK, f);
        blen += n;
        eof = n < CHUNK;
        hlen = header_end(buf, blen);
    }
    if (!hlen)
        hlen = blen; /* a header without a line end: no rows */
    if ((rc = hogo__csv_parse(&t->head, buf, hlen, path, sep, err)) < 0)
        goto out;
    sep = t->head.sep;
    for (size_t i = 0; i < hlen; i++)
        t->header_lines += buf[i] == '\n';
    if (t->header_lines == 0)
        t->header_lines = 1;
    size_t nc = t->head.ncols;
    t->dict = calloc(nc ? nc : 1, sizeof *t->dict);
    t->code = calloc(nc ? nc : 1, sizeof *t->code);
    capv = calloc(nc ? nc : 1, sizeof *capv);
    if (!t->dict || !t->code || !capv)
        goto oom;
    for (size_t c = 0; c < nc; c++) {
        hogo__dict_init(&t->dict[c]);
        t->keep_col[c < 64 ? c : 63] = 1;
        for (const char *const *s = skip; s && *s; s++)
            if (!strcmp(*s, t->head.header[c]))
                t->keep_col[c < 64 ? c : 63] = 0;
    }
    if (nc > 64) {
        rc = hogo_error_set(err, HOGO_ELIMIT, path, "'%s' has %zu columns; at most 64", path, nc);
        goto out;
    }
    size_t line_offset = 0; /* file line of a chunk line = chunk line + offset */
    size_t data_start = hlen;
    for (;;) {
        size_t end = eof ? blen : hlen + rows_end(buf + hlen, blen - hlen);
        if (end > hlen || (eof && blen > hlen)) {
            /* parse header + whole rows */
            rc = hogo__csv_parse(&chunk, buf, end, path, sep, err);
            if (rc < 0) {
                rc = chunk_error(err, path, line_offset);
                goto out;
            }
            for (size_t r = 0; r < chunk.nrows; r++) {
                size_t row = t->nrows + r, fline = chunk.lines[r] + line_offset;
                if (row >= UINT32_MAX) {
                    rc = hogo_error_set(err, HOGO_ELIMIT, path, "'%s' has too many rows", path);
                    goto out;
                }
                /* line numbers are kept only once a row is not on its expected line */
                if (!t->lines && fline != row + t->header_lines + 1) {
                    lcap = row + 1024;
                    if (!(t->lines = malloc(lcap * sizeof *t->lines)))
                        goto oom;
                    for (size_t k = 0; k < row; k++)
                        t->lines[k] = (uint32_t)(k + t->header_lines + 1);
                }
                if (t->lines) {
                    if (HOGO__GROW(t->lines, lcap, row + 1, 1024))
                        goto oom;
                    t->lines[row] = (uint32_t)fline;
                }
                for (size_t c = 0; c < nc; c++) {
                    if (!t->keep_col[c])
                        continue;
                    if (HOGO__GROW(t->code[c], capv[c], row + 1, 65536))
                        goto oom;
                    long id = hogo__dict_add(&t->dict[c], chunk.cells[r * nc + c]);
                    if (id < 0)
                        goto oom;
                    t->code[c][row] = (uint32_t)id;
                }
            }
            t->nrows += chunk.nrows;
            for (size_t i = hlen; i < end; i++)
                line_offset += buf[i] == '\n';
            hogo__csv_release(&chunk);
        }
        if (eof)
            break;
        /* keep the header and the unfinished row; read more */
        memmove(buf + hlen, buf + end, blen - end);
        blen = hlen + (blen - end);
        if (HOGO__GROW(buf, bcap, blen + CHUNK + HOGO__CSV_PAD, FIRST_BUF))
            goto oom;
        size_t n = fread(buf + blen, 1, CHUNK, f);
        if (ferror(f)) {
            rc = hogo_error_set(err, HOGO_EIO, path, "cannot read '%s'", path);
            goto out;
        }
        blen += n;
        eof = n < CHUNK;
    }
    (void)data_start;
    t->head.nrows = t->nrows;
    /* give back what the doubling left unused */
    for (size_t c = 0; c < nc; c++)
        if (t->code[c] && t->nrows) {
            uint32_t *c2 = realloc(t->code[c], t->nrows * sizeof *c2);
            if (c2)
                t->code[c] = c2;
        }
    goto out;
oom:
    rc = hogo_error_set(err, HOGO_ENOMEM, path, "out of memory reading '%s'", path);
out:
    if (f)
        fclose(f);
    free(buf);
    free(capv);
    hogo__csv_release(&chunk);
    if (rc < 0)
        hogo__coded_release(t);
    return rc;
}
