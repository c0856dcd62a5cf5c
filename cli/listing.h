/*
 * Listing output shared by every command that prints a list: one meaning of
 * --format json|jsonl|csv|text everywhere. json: one indented array of objects ("[]" when
 * empty); jsonl: one object per line; csv: a header line and RFC 4180 rows; text: aligned
 * columns for a person.
 * CLI layer.
 */
#ifndef HOGO_CLI_LISTING_H
#define HOGO_CLI_LISTING_H

#include <stdio.h>

enum listing_format { LISTING_JSON, LISTING_JSONL, LISTING_CSV, LISTING_TEXT };

/* Reads a --format value; on an unknown one prints "COMMAND: --format is json, jsonl, csv or
 * text, not 'X'" and returns -1. */
int listing_format_parse(const char *command, const char *arg, enum listing_format *out);

struct listing;

/* Starts a list of rows with the named columns (borrowed until listing_end()), written to out.
 * Returns NULL when out of memory. */
struct listing *listing_begin(FILE *out, enum listing_format format, const char *const *columns,
                              int ncolumns);

/* Adds a row: one value per column (NULL prints as empty / null). */
void listing_row(struct listing *l, const char *const *values);

/* Ends the list, writes what is pending and frees l; returns the number of rows. */
size_t listing_end(struct listing *l);

/* How a text listing shows a library's export to a person: a header per column, and each
 * string (each element of a list) rewritten, e.g. an id as its Japanese name. */
struct listing_text_view {
    const char *const *labels; /* one per column, for the header */
    /* writes what to show for value in column into buf (cap bytes) */
    void (*cell)(void *ctx, int column, const char *value, char *buf, size_t cap);
    void *ctx;
    const char *join; /* between a list's elements ("、"); NULL: "," */
};

/* Writes a JSON array of objects (a library's export) in one of the formats: json indented,
 * jsonl one object a line, text the named columns (a list value joined by ","), shown through
 * view when it is not NULL. csv is the caller's: the library writes its own. Returns the
 * number of objects, or -1 when json is not an array (after printing why). */
long listing_json_array(FILE *out, enum listing_format format, const char *json,
                        const char *const *text_columns, int ncolumns,
                        const struct listing_text_view *view);

#endif
