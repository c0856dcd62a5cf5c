/*
 * A CSV file read in chunks into dictionary codes, one dictionary per column, so that a
 * large table is never held as text: each chunk of whole rows is parsed with the module's
 * CSV parser (hogo__csv_parse, the header prepended), its cells are added to their column's
 * dictionary and only the codes are kept; then the encoding for the lattice search is built
 * from the codes. De-identification layer; used by tabular anonymisation (anon.c).
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

static int bits_for(uint32_t card)
{
    int b = 1;
    while (b < 32 && (1u << b) < card)
        b++;
    return b;
}

static inline uint64_t hmix(uint64_t k)
{
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdull;
    k ^= k >> 33;
    return k;
}

int hogo__enc_build_coded(struct hogo__enc *e, const struct hogo__coded *t, const int *qcols,
                          struct hogo__hier *const *hiers, size_t q, const int *scols, size_t s,
                          struct hogo_error *err)
{
    int rc = 0;
    char where[300];
    uint32_t **map = NULL, *hv = NULL;
    size_t n = t->nrows;
    memset(e, 0, sizeof *e);
    if (q + s > 64 || s > 16)
        return hogo_error_set(err, HOGO_ELIMIT, t->head.path,
                              "too many attributes (%zu quasi-identifiers, %zu sensitive); at "
                              "most 64 in all and 16 sensitive", q, s);
    e->n = n;
    e->q = q;
    e->s = s;
    e->height = calloc(q ? q : 1, sizeof *e->height);
    e->card = calloc(q ? q : 1, sizeof *e->card);
    e->gen = calloc(q ? q : 1, sizeof *e->gen);
    e->vcount = calloc(q ? q : 1, sizeof *e->vcount);
    e->share = calloc(q ? q : 1, sizeof *e->share);
    e->scard = calloc(s ? s : 1, sizeof *e->scard);
    e->soff = calloc(s + 1, sizeof *e->soff);
    e->row_tuple = malloc((n ? n : 1) * sizeof *e->row_tuple);
    map = calloc(q ? q : 1, sizeof *map);
    if (!e->height || !e->card || !e->gen || !e->vcount || !e->share || !e->scard ||
        !e->soff || !e->row_tuple || !map)
        goto oom;
    /* Hierarchy-derived tables, and each column code's hierarchy row. */
    for (size_t a = 0; a < q; a++) {
        const struct hogo__hier *h = hiers[a];
        const struct hogo__dict *d = &t->dict[qcols[a]];
        int H = h->nlevels;
        e->height[a] = H;
        e->card[a] = calloc((size_t)H, sizeof(uint32_t));
        e->gen[a] = calloc((size_t)H, sizeof(uint32_t *));
        e->share[a] = calloc((size_t)H, sizeof(double *));
        e->vcount[a] = calloc(h->nrows ? h->nrows : 1, sizeof(uint32_t));
        map[a] = malloc((d->n ? d->n : 1) * sizeof **map);
        if (!e->card[a] || !e->gen[a] || !e->share[a] || !e->vcount[a] || !map[a])
            goto oom;
        for (int l = 0; l < H; l++) {
            struct hogo__dict ld;
            hogo__dict_init(&ld);
            e->gen[a][l] = malloc((h->nrows ? h->nrows : 1) * sizeof(uint32_t));
            if (!e->gen[a][l]) {
                hogo__dict_release(&ld);
                goto oom;
            }
            for (size_t r = 0; r < h->nrows; r++) {
                long id = l == 0 ? (long)r : hogo__dict_add(&ld, hogo__hier_label(h, r, l));
                if (id < 0) {
                    hogo__dict_release(&ld);
                    goto oom;
                }
                e->gen[a][l][r] = (uint32_t)id;
            }
            e->card[a][l] = l == 0 ? (uint32_t)h->nrows : (uint32_t)ld.n;
            hogo__dict_release(&ld);
            e->share[a][l] = calloc(e->card[a][l] ? e->card[a][l] : 1, sizeof(double));
            if (!e->share[a][l])
                goto oom;
            for (size_t r = 0; r < h->nrows; r++)
                e->share[a][l][e->gen[a][l][r]] += 1.0 / (double)h->nrows;
        }
        for (size_t v = 0; v < d->n; v++) {
            long id = hogo__dict_find(&h->index, d->keys[v]);
            if (id < 0) {
                size_t row = 0;
                while (row < n && t->code[qcols[a]][row] != v)
                    row++;
                size_t line = hogo__coded_line(t, row);
                snprintf(where, sizeof where, "%s:%zu", t->head.path, line);
                rc = hogo_error_set(err, HOGO_EINVAL, where,
                                    "value '%s' of column '%s' (%s line %zu) is missing from "
                                    "hierarchy '%s'; add a row for it",
                                    d->keys[v], t->head.header[qcols[a]], t->head.path, line,
                                    h->name);
                goto out;
            }
            map[a][v] = (uint32_t)id;
        }
    }
    /* Sensitive values: the column's codes (ids in order of first appearance). */
    for (size_t j = 0; j < s; j++) {
        e->scard[j] = (uint32_t)t->dict[scols[j]].n;
        e->soff[j + 1] = e->soff[j] + e->scard[j];
    }
    e->sdist = calloc(e->soff[s] ? e->soff[s] : 1, sizeof *e->sdist);
    if (!e->sdist)
        goto oom;
    /* Key layout: sensitive attributes in the low bits, then the QIs (as hogo__enc_build). */
    int shift = 0;
    for (size_t j = 0; j < s; j++) {
        e->bits[q + j] = bits_for(e->scard[j]);
        e->shift[q + j] = shift;
        shift += e->bits[q + j];
    }
    int sbits = shift;
    for (size_t a = 0; a < q; a++) {
        e->bits[a] = bits_for(e->card[a][0]);
        e->shift[a] = shift;
        shift += e->bits[a];
    }
    if (shift > 64) {
        rc = hogo_error_set(err, HOGO_ELIMIT, t->head.path,
                            "the quasi-identifiers of '%s' have too many distinct values to pack "
                            "a record into 64 bits (%d bits needed); use fewer attributes or "
                            "coarser hierarchies", t->head.path, shift);
        goto out;
    }
    e->qmask = (shift == 64 ? ~0ull : ((1ull << shift) - 1)) & ~((sbits ? (1ull << sbits) : 1ull) - 1);
    if (sbits == 0)
        e->qmask = shift == 64 ? ~0ull : ((1ull << shift) - 1);
    /* Rows -> keys -> distinct tuples. */
    size_t hcap = 64;
    while (hcap < 2 * n)
        hcap <<= 1;
    hv = calloc(hcap, sizeof *hv);
    e->tkey = malloc((n ? n : 1) * sizeof *e->tkey);
    e->tcount = malloc((n ? n : 1) * sizeof *e->tcount);
    if (!hv || !e->tkey || !e->tcount)
        goto oom;
    int hs = 64;
    for (size_t c = hcap; c > 1; c >>= 1)
        hs--;
    for (size_t r = 0; r < n; r++) {
        uint64_t key = 0;
        for (size_t a = 0; a < q; a++) {
            uint32_t id = map[a][t->code[qcols[a]][r]];
            e->vcount[a][id]++;
            key |= (uint64_t)id << e->shift[a];
        }
        for (size_t j = 0; j < s; j++) {
            uint32_t id = t->code[scols[j]][r];
            e->sdist[e->soff[j] + id]++;
            key |= (uint64_t)id << e->shift[q + j];
        }
        size_t i = (size_t)(hmix(key) >> hs);
        uint32_t tu;
        for (;; i = (i + 1) & (hcap - 1)) {
            tu = hv[i];
            if (!tu) {
                hv[i] = tu = (uint32_t)++e->ntuples;
                e->tkey[tu - 1] = key;
                e->tcount[tu - 1] = 0;
                break;
            }
            if (e->tkey[tu - 1] == key)
                break;
        }
        e->tcount[tu - 1]++;
        e->row_tuple[r] = tu - 1;
    }
    /* the tuple arrays shrink to the distinct tuples */
    if (e->ntuples) {
        uint64_t *k2 = realloc(e->tkey, e->ntuples * sizeof *k2);
        if (k2)
            e->tkey = k2;
        uint32_t *c2 = realloc(e->tcount, e->ntuples * sizeof *c2);
        if (c2)
            e->tcount = c2;
    }
    goto out;
oom:
    rc = hogo_error_set(err, HOGO_ENOMEM, t->head.path, "out of memory encoding '%s'",
                        t->head.path);
out:
    if (map)
        for (size_t a = 0; a < q; a++)
            free(map[a]);
    free(map);
    free(hv);
    if (rc < 0)
        hogo__enc_release(e);
    return rc;
}
