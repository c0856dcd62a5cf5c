/*
 * Reading CSV files (RFC 4180) into one arena, writing CSV fields, and the UTF-8 checks and
 * NFKC normalisation the readers share. Common layer: used by the de-identification module
 * and by the ledger (the columns of a file leaving with a provision); depends on nothing else
 * in lib/.
 */
#ifndef HOGO_COMMON_CSV_H
#define HOGO_COMMON_CSV_H

#include <hogo/error.h>

#include <stddef.h>
#include <stdio.h>

/* A parsed CSV file: a header row and nrows data rows of ncols cells each. Every cell is a
 * NUL-terminated UTF-8 string owned by the table (one arena). The cells lie back to back in
 * the arena in row-major order, each followed by its NUL, and cells[nrows * ncols] points
 * just past the last one, so a cell's length is the distance to the next cell minus one
 * (hogo__csv_cell_len). HOGO__CSV_PAD zero bytes follow the last cell. */
#define HOGO__CSV_PAD 8
struct hogo__csv {
    char path[256];  /* name used in error messages */
    size_t ncols;    /* number of columns (= header cells) */
    size_t nrows;    /* number of data rows */
    char **header;   /* owned: ncols header cells */
    char **cells;    /* owned: nrows * ncols cells, row-major, then the end sentinel */
    size_t *lines;   /* owned: 1-based source line of each data row */
    char sep;        /* separator used */
    char *arena;     /* owned: backing storage of the strings */
};

/* Returns the byte length of cell idx (row * ncols + column) without reading it. */
static inline size_t hogo__csv_cell_len(const struct hogo__csv *csv, size_t idx)
{
    return (size_t)(csv->cells[idx + 1] - csv->cells[idx]) - 1;
}

/* Parses a CSV text (RFC 4180 quoting; CRLF or LF). sep 0 = detect from the header (',', ';'
 * or tab). Fails with file:line on non-UTF-8 input, ragged rows or an unterminated quote. */
int hogo__csv_parse(struct hogo__csv *csv, const char *text, size_t len, const char *name,
                    char sep, struct hogo_error *err);
/* Reads and parses a CSV file (see hogo__csv_parse). */
int hogo__csv_load(struct hogo__csv *csv, const char *path, char sep, struct hogo_error *err);
/* Frees everything a parsed table owns. */
void hogo__csv_release(struct hogo__csv *csv);
/* Returns the index of the column named name, or -1. */
int hogo__csv_column(const struct hogo__csv *csv, const char *name);
/* Writes one CSV field, quoting it when it holds sep, a quote or a line break. */
void hogo__csv_write_field(FILE *out, const char *s, char sep);

/* NFKC-normalises UTF-8 text with utf8proc; returns allocated or NULL when the input is not
 * valid UTF-8 or memory ran out (*bad_utf8 says which). */
char *hogo__nfkc(const char *s, size_t len, int *bad_utf8);
/* Returns 1 when s[0..len) is valid UTF-8. */
/* The offset of the first byte of s that is not valid UTF-8; len when all of it is. */
size_t hogo__utf8_invalid_at(const char *s, size_t len);
int hogo__utf8_valid(const char *s, size_t len);

#endif
