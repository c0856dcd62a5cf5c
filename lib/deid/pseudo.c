/*
 * Keyed pseudonyms and APPI pseudonymised-information processing (仮名加工情報, Art. 41,
 * Rule 31): identifying columns removed, unique identifiers replaced with keyed pseudonyms,
 * rare values replaced by "*", every other column declared as kept and checked to hold no
 * identifier, rows in a keyed order. De-identification layer.
 *
 * Keys: recipient key = BLAKE2b-256 keyed with the 32-byte master key over
 * "hogo-pseudonym-v1" NUL recipient, and for one column over "hogo-pseudonym-v1" NUL recipient
 * NUL column; pseudonym = hex of BLAKE2b-128 keyed with that key over the value (libsodium
 * crypto_generichash). Different recipients get unrelated pseudonyms for the same person, so
 * their copies cannot be joined, and one value in two columns (a member number that is also
 * a referrer number) gets two unrelated pseudonyms; without the master key a pseudonym cannot
 * be recomputed from a guessed value (PPC GL: unsalted hashes are reversible). The row order
 * of an output is drawn from a third key, over "hogo-row-order-v1" NUL recipient.
 */
#include "deid_int.h"

#include <errno.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <yajl/yajl_gen.h>

int hogo_deid_key_load(const char *path, unsigned char key[32], struct hogo_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return hogo_error_set(err, HOGO_EIO, path, "cannot open key file '%s': %s", path,
                              strerror(errno));
    struct stat st;
    if (fstat(fileno(f), &st) != 0) {
        fclose(f);
        return hogo_error_set(err, HOGO_EIO, path, "cannot stat key file '%s'", path);
    }
    if (st.st_mode & (S_IROTH | S_IWOTH)) {
        fclose(f);
        return hogo_error_set(err, HOGO_EINVAL, path,
                              "key file '%s' can be read or written by other users; make it "
                              "private: chmod 600 '%s'", path, path);
    }
    unsigned char buf[80];
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    int ok = 0;
    if (n == 32) {
        /* raw: every byte is key material, a final 0x0a included */
        memcpy(key, buf, 32);
        ok = 1;
    } else if (n == 64 || (n == 65 && buf[64] == '\n') ||
               (n == 66 && buf[64] == '\r' && buf[65] == '\n')) {
        size_t bin = 0;
        ok = sodium_hex2bin(key, 32, (const char *)buf, 64, NULL, &bin, NULL) == 0 && bin == 32;
    }
    sodium_memzero(buf, sizeof buf);
    if (!ok)
        return hogo_error_set(err, HOGO_EINVAL, path,
                              "key file '%s' must hold exactly 32 bytes or 64 hex digits (make "
                              "one with: head -c 32 /dev/urandom > KEY; chmod 600 KEY)", path);
    static const unsigned char zero[32];
    if (sodium_memcmp(key, zero, 32) == 0)
        return hogo_error_set(err, HOGO_EINVAL, path,
                              "key file '%s' holds an all-zero key; make a random one: "
                              "head -c 32 /dev/urandom > KEY", path);
    return 0;
}

/* The key of one domain: BLAKE2b-256 keyed with the master key over label NUL recipient, then
 * NUL column when column is not NULL. */
static int derive_key(const unsigned char master_key[32], const char *label,
                      const char *recipient, const char *column, unsigned char out[32],
                      struct hogo_error *err)
{
    char ctx[600];
    if (sodium_init() < 0)
        return hogo_error_set(err, HOGO_ECRYPTO, "", "libsodium could not start");
    size_t rl = strlen(recipient), ll = strlen(label), cl = column ? strlen(column) : 0;
    if (rl > 256 || cl > 256)
        return hogo_error_set(err, HOGO_EINVAL, "recipient",
                              "recipient id or column name '%.40s…' is too long",
                              rl > 256 ? recipient : column);
    size_t n = 0;
    memcpy(ctx, label, ll);
    n += ll;
    ctx[n++] = '\0';
    memcpy(ctx + n, recipient, rl);
    n += rl;
    if (column) {
        ctx[n++] = '\0';
        memcpy(ctx + n, column, cl);
        n += cl;
    }
    crypto_generichash(out, 32, (const unsigned char *)ctx, n, master_key, 32);
    return 0;
}

static int pseudonym_in(const unsigned char master_key[32], const char *recipient,
                        const char *column, const char *value, size_t len, char out[33],
                        struct hogo_error *err)
{
    unsigned char rkey[32], h[16];
    int rc = derive_key(master_key, "hogo-pseudonym-v1", recipient, column, rkey, err);
    if (rc < 0)
        return rc;
    crypto_generichash(h, sizeof h, (const unsigned char *)value, len, rkey, sizeof rkey);
    sodium_bin2hex(out, 33, h, sizeof h);
    sodium_memzero(rkey, sizeof rkey);
    return 0;
}

int hogo_deid_pseudonym(const unsigned char master_key[32], const char *recipient,
                        const char *value, size_t len, char out[33], struct hogo_error *err)
{
    return pseudonym_in(master_key, recipient, NULL, value, len, out, err);
}

int hogo_deid_pseudonym_column(const unsigned char master_key[32], const char *recipient,
                               const char *column, const char *value, size_t len, char out[33],
                               struct hogo_error *err)
{
    return pseudonym_in(master_key, recipient, column ? column : "", value, len, out, err);
}

static int listed(const char *const *list, const char *name)
{
    for (; list && *list; list++)
        if (!strcmp(*list, name))
            return 1;
    return 0;
}

int hogo_deid_pseudonymize(const char *csv_path, const struct hogo_deid_pseudo_opts *o,
                           FILE *out, FILE *report, struct hogo_error *err)
{
    int rc = 0;
    struct hogo__csv csv;
    int *act = NULL;
    struct hogo__dict *dicts = NULL;
    uint32_t **freq = NULL;
    size_t rare_replaced = 0;
    struct hogo_deid_scrubber *scrubber = NULL;
    uint32_t *order = NULL;
    static const unsigned char zero[32];
    if (!o->key || !o->recipient || !*o->recipient)
        return hogo_error_set(err, HOGO_EINVAL, "", "pseudonymize needs a 32-byte key and a "
                              "recipient id");
    if (sodium_init() < 0)
        return hogo_error_set(err, HOGO_ECRYPTO, "", "libsodium could not start");
    if (sodium_memcmp(o->key, zero, 32) == 0)
        return hogo_error_set(err, HOGO_EINVAL, "", "the key is all zero; make a random one: "
                              "head -c 32 /dev/urandom > KEY");
    if ((rc = hogo__csv_load(&csv, csv_path, o->sep, err)) < 0)
        return rc;
    act = calloc(csv.ncols, sizeof *act);
    dicts = calloc(csv.ncols, sizeof *dicts);
    freq = calloc(csv.ncols, sizeof *freq);
    if (!act || !dicts || !freq)
        goto oom;
    const char *const *lists[4] = {o->drop, o->pseudonym, o->rare, o->keep};
    for (int k = 0; k < 4; k++)
        for (const char *const *p = lists[k]; p && *p; p++)
            if (hogo__csv_column(&csv, *p) < 0) {
                rc = hogo_error_set(err, HOGO_EINVAL, csv_path,
                                    "column '%s' is not in the header of '%s'; check the name",
                                    *p, csv_path);
                goto out;
            }
    for (size_t c = 0; c < csv.ncols; c++) {
        act[c] = listed(o->drop, csv.header[c])        ? 1
                 : listed(o->pseudonym, csv.header[c]) ? 2
                 : listed(o->rare, csv.header[c])      ? 3
                 : listed(o->keep, csv.header[c])      ? 0
                                                       : -1;
        if (act[c] < 0) {
            rc = hogo_error_set(err, HOGO_EINVAL, csv_path,
                                "column '%s' of '%s' is not declared; say what it is: drop "
                                "(identifying), pseudonym (unique identifier), rare (coarsen "
                                "rare values) or keep (harmless, checked for identifiers)",
                                csv.header[c], csv_path);
            goto out;
        }
        if (act[c] == 0 &&
            (rc = hogo__deid_scan_column(&scrubber, &csv, c, "kept as it is", err)) < 0)
            goto out;
        if (act[c] != 3)
            continue;
        hogo__dict_init(&dicts[c]);
        freq[c] = calloc(csv.nrows + 1, sizeof **freq);
        if (!freq[c])
            goto oom;
        for (size_t r = 0; r < csv.nrows; r++) {
            long id = hogo__dict_add(&dicts[c], csv.cells[r * csv.ncols + c]);
            if (id < 0)
                goto oom;
            freq[c][id]++;
        }
    }
    /* rare columns: the values that stay (common ones) are checked; rare ones become "*" */
    for (size_t c = 0; c < csv.ncols; c++) {
        if (act[c] != 3)
            continue;
        for (size_t r = 0; r < csv.nrows; r++) {
            const char *v = csv.cells[r * csv.ncols + c], *type = NULL;
            if (freq[c][hogo__dict_find(&dicts[c], v)] < o->rare_threshold)
                continue;
            int found = hogo__deid_identifier_in(&scrubber, v, &type, err);
            if (found < 0) {
                rc = found;
                goto out;
            }
            if (found) {
                char where[300];
                snprintf(where, sizeof where, "%s:%zu", csv_path, csv.lines[r]);
                rc = hogo_error_set(err, HOGO_EINVAL, where,
                                    "column '%s' keeps its common values, but the value at %s "
                                    "holds an identifier (%s); declare the column as drop or "
                                    "pseudonym", csv.header[c], where, type);
                goto out;
            }
        }
    }
    /* rows in an order drawn from the key and the recipient */
    unsigned char okey[32];
    if ((rc = derive_key(o->key, "hogo-row-order-v1", o->recipient, NULL, okey, err)) < 0)
        goto out;
    rc = hogo__deid_row_order(okey, csv.nrows, &order, err);
    sodium_memzero(okey, sizeof okey);
    if (rc < 0)
        goto out;
    int first = 1;
    for (size_t c = 0; c < csv.ncols; c++) {
        if (act[c] == 1)
            continue;
        if (!first)
            fputc(csv.sep, out);
        first = 0;
        hogo__csv_write_field(out, csv.header[c], csv.sep);
    }
    fputc('\n', out);
    for (size_t i = 0; i < csv.nrows; i++) {
        size_t r = order[i];
        first = 1;
        for (size_t c = 0; c < csv.ncols; c++) {
            if (act[c] == 1)
                continue;
            if (!first)
                fputc(csv.sep, out);
            first = 0;
            const char *v = csv.cells[r * csv.ncols + c];
            char ps[33];
            if (act[c] == 2) {
                if ((rc = hogo_deid_pseudonym_column(o->key, o->recipient, csv.header[c], v,
                                                     strlen(v), ps, err)) < 0)
                    goto out;
                v = ps;
            } else if (act[c] == 3 && freq[c][hogo__dict_find(&dicts[c], v)] < o->rare_threshold) {
                v = "*";
                rare_replaced++;
            }
            hogo__csv_write_field(out, v, csv.sep);
        }
        fputc('\n', out);
    }
    if (report) {
        struct hogo__json_stream js;
        yajl_gen g = hogo__deid_report_open(report, &js);
        if (!g)
            goto oom;
        static const char *const keys[] = {"kept", "dropped", "pseudonymized", "rare_coarsened"};
        hogo__deid_report_columns(g, keys, 4, &csv, act);
        yajl_gen_string(g, (const unsigned char *)"rare_values_replaced", 20);
        yajl_gen_integer(g, (long long)rare_replaced);
        yajl_gen_string(g, (const unsigned char *)"recipient", 9);
        yajl_gen_string(g, (const unsigned char *)o->recipient, strlen(o->recipient));
        hogo__deid_report_close(g, &js);
    }
    goto out;
oom:
    rc = hogo_error_set(err, HOGO_ENOMEM, csv_path, "out of memory");
out:
    if (dicts)
        for (size_t c = 0; c < csv.ncols; c++)
            hogo__dict_release(&dicts[c]);
    if (freq)
        for (size_t c = 0; c < csv.ncols; c++)
            free(freq[c]);
    free(dicts);
    free(freq);
    free(act);
    free(order);
    hogo_deid_scrubber_free(scrubber);
    hogo__csv_release(&csv);
    return rc;
}
