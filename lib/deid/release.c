/*
 * What every de-identified table passes before it leaves: columns kept as they are are
 * scanned for identifiers (the text scrubber's detectors, plus payment-card and passport
 * numbers), and the rows are put in a keyed random order so that two copies, or a copy and
 * its source, cannot be joined by position. De-identification layer; used by anonymize,
 * pseudonymize and apply (APPI Rules Art. 31 and Art. 34: identifiers, identification codes
 * and values that risk financial loss must not be left in).
 */
#include "deid_int.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

/* ---------- identifiers in kept values ---------- */

/* Digits of a payment-card number: 13 to 19 digits in groups separated by single spaces or
 * hyphens, passing the Luhn check. Returns 1 when s[0..len) holds one (anywhere). */
static int has_card_number(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9' || (i > 0 && s[i - 1] >= '0' && s[i - 1] <= '9'))
            continue;
        char d[20];
        size_t nd = 0, j = i;
        while (j < len && nd < 20) {
            if (s[j] >= '0' && s[j] <= '9') {
                d[nd++] = s[j++];
            } else if ((s[j] == ' ' || s[j] == '-') && j + 1 < len && s[j + 1] >= '0' &&
                       s[j + 1] <= '9' && s[j - 1] >= '0' && s[j - 1] <= '9') {
                j++;
            } else {
                break;
            }
        }
        if (nd < 13 || nd > 19 || (j < len && s[j] >= '0' && s[j] <= '9'))
            continue;
        int sum = 0;
        for (size_t k = 0; k < nd; k++) {
            int v = d[nd - 1 - k] - '0';
            if (k % 2) {
                v *= 2;
                if (v > 9)
                    v -= 9;
            }
            sum += v;
        }
        if (sum % 10 == 0)
            return 1;
    }
    return 0;
}

/* A Japanese passport number: two capital letters and seven digits, standing alone. */
static int has_passport_number(const char *s, size_t len)
{
    for (size_t i = 0; i + 9 <= len; i++) {
        if (i > 0 && ((s[i - 1] >= 'A' && s[i - 1] <= 'Z') || (s[i - 1] >= 'a' && s[i - 1] <= 'z') ||
                      (s[i - 1] >= '0' && s[i - 1] <= '9')))
            continue;
        int ok = s[i] >= 'A' && s[i] <= 'Z' && s[i + 1] >= 'A' && s[i + 1] <= 'Z';
        for (size_t k = 2; ok && k < 9; k++)
            ok = s[i + k] >= '0' && s[i + k] <= '9';
        if (ok && (i + 9 == len || s[i + 9] < '0' || s[i + 9] > '9'))
            return 1;
    }
    return 0;
}

int hogo__deid_identifier_in(struct hogo_deid_scrubber **scrubber, const char *value,
                             const char **type, struct hogo_error *err)
{
    size_t len = strlen(value);
    *type = NULL;
    if (!len)
        return 0;
    if (has_card_number(value, len)) {
        *type = "クレジットカード番号";
        return 1;
    }
    if (has_passport_number(value, len)) {
        *type = "旅券番号";
        return 1;
    }
    if (!*scrubber) {
        int rc = hogo_deid_scrubber_new(scrubber, err);
        if (rc < 0)
            return rc;
    }
    char *out = NULL;
    struct hogo_deid_span *spans = NULL;
    size_t nspans = 0;
    int rc = hogo_deid_scrub(*scrubber, value, len, &out, NULL, &spans, &nspans, err);
    if (rc < 0)
        return rc;
    /* the scrubber's types are static strings */
    if (nspans)
        *type = spans[0].type;
    free(out);
    free(spans);
    /* a number on its own line that the scrubber reads as a phone or My Number counts;
     * so does any name, address, e-mail, URL or handle */
    return *type != NULL;
}

int hogo__deid_scan_column(struct hogo_deid_scrubber **scrubber, const struct hogo__csv *csv,
                           size_t col, const char *why_kept, struct hogo_error *err)
{
    struct hogo__dict seen;
    int rc = 0;
    hogo__dict_init(&seen);
    for (size_t r = 0; r < csv->nrows && rc == 0; r++) {
        const char *v = csv->cells[r * csv->ncols + col];
        if (hogo__dict_find(&seen, v) >= 0)
            continue;
        if (hogo__dict_add(&seen, v) < 0) {
            rc = hogo_error_set(err, HOGO_ENOMEM, csv->path, "out of memory");
            break;
        }
        const char *type = NULL;
        int found = hogo__deid_identifier_in(scrubber, v, &type, err);
        if (found < 0) {
            rc = found;
        } else if (found) {
            char where[300];
            snprintf(where, sizeof where, "%s:%zu", csv->path, csv->lines[r]);
            rc = hogo_error_set(err, HOGO_EINVAL, where,
                                "column '%s' is %s, but its value at %s holds an identifier "
                                "(%s); identifiers may not leave (APPI Rules Art. 31, Art. 34): "
                                "declare the column as one to drop (or to pseudonymise), or "
                                "clean it (hogo deid scrub)",
                                csv->header[col], why_kept, where, type);
        }
    }
    hogo__dict_release(&seen);
    return rc;
}

int hogo__deid_scan_coded(struct hogo_deid_scrubber **scrubber, const struct hogo__coded *t,
                          size_t col, const struct hogo__enc *e, int keyattr,
                          const char *why_kept, struct hogo_error *err)
{
    const struct hogo__dict *d = &t->dict[col];
    for (size_t v = 0; v < d->n; v++) {
        const char *type = NULL;
        int found = hogo__deid_identifier_in(scrubber, d->keys[v], &type, err);
        if (found < 0)
            return found;
        if (!found)
            continue;
        size_t row = 0;
        if (t->code[col] || (col < 64 && t->narrow[col])) {
            while (row < t->nrows && hogo__coded_get(t, col, row) != v)
                row++;
        } else if (e && keyattr >= 0) {
            /* the codes are in the encoding's keys */
            uint64_t m = (1ull << e->bits[keyattr]) - 1;
            while (row < e->n &&
                   ((e->tkey[e->row_tuple[row]] >> e->shift[keyattr]) & m) != v)
                row++;
        }
        char where[300];
        snprintf(where, sizeof where, "%s:%zu", t->head.path, hogo__coded_line(t, row));
        return hogo_error_set(err, HOGO_EINVAL, where,
                              "column '%s' is %s, but its value at %s holds an identifier "
                              "(%s); identifiers may not leave (APPI Rules Art. 31, Art. 34): "
                              "declare the column as one to drop (or to pseudonymise), or "
                              "clean it (hogo deid scrub)",
                              t->head.header[col], why_kept, where, type);
    }
    return 0;
}

/* ---------- keyed row order ---------- */

int hogo__deid_row_order(const unsigned char key[32], size_t n, uint32_t **order,
                         struct hogo_error *err)
{
    unsigned char fresh[32];
    if (sodium_init() < 0)
        return hogo_error_set(err, HOGO_ECRYPTO, "", "libsodium could not start");
    if (!key) {
        randombytes_buf(fresh, sizeof fresh);
        key = fresh;
    }
    uint32_t *o = malloc((n ? n : 1) * sizeof *o);
    if (!o)
        return hogo_error_set(err, HOGO_ENOMEM, "", "out of memory");
    for (size_t i = 0; i < n; i++)
        o[i] = (uint32_t)i;
    /* Fisher-Yates with a ChaCha20 stream under the key, drawn in blocks; each draw is 64
     * bits reduced modulo i + 1 (bias below 2^-32 for tables under 2^32 rows) */
    uint64_t block[512];
    size_t used = 512;
    uint64_t counter = 0;
    unsigned char nonce[crypto_stream_chacha20_NONCEBYTES];
    for (size_t i = n; i > 1; i--) {
        if (used == 512) {
            memcpy(nonce, &counter, sizeof nonce < sizeof counter ? sizeof nonce : sizeof counter);
            counter++;
            crypto_stream_chacha20((unsigned char *)block, sizeof block, nonce, key);
            used = 0;
        }
        size_t j = (size_t)(block[used++] % (uint64_t)i);
        uint32_t t = o[i - 1];
        o[i - 1] = o[j];
        o[j] = t;
    }
    sodium_memzero(fresh, sizeof fresh);
    *order = o;
    return 0;
}
