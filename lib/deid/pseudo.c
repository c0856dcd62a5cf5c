/*
 * Keyed pseudonyms and APPI pseudonymised-information processing (仮名加工情報, Art. 41,
 * Rule 31): identifying columns removed, unique identifiers replaced with keyed pseudonyms,
 * rare values replaced by "*". De-identification layer.
 *
 * Keys: recipient key = BLAKE2b-256 keyed with the 32-byte master key over
 * "hogo-pseudonym-v1" NUL recipient; pseudonym = hex of BLAKE2b-128 keyed with the recipient
 * key over the value (libsodium crypto_generichash). Different recipients get unrelated
 * pseudonyms for the same person, so their copies cannot be joined; without the master key a
 * pseudonym cannot be recomputed from a guessed value (PPC GL: unsalted hashes are
 * reversible).
 */
#include "deid_int.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_gen.h>

int hogo_deid_pseudonym(const unsigned char master_key[32], const char *recipient,
                        const char *value, size_t len, char out[33], struct hogo_error *err)
{
    unsigned char rkey[32], h[16];
    char ctx[300];
    if (sodium_init() < 0)
        return hogo_error_set(err, HOGO_ECRYPTO, "", "libsodium could not start");
    size_t cl = (size_t)snprintf(ctx, sizeof ctx, "hogo-pseudonym-v1%c%s", 0, recipient);
    if (cl >= sizeof ctx)
        return hogo_error_set(err, HOGO_EINVAL, "recipient", "recipient id '%.40s…' is too long",
                              recipient);
    crypto_generichash(rkey, sizeof rkey, (const unsigned char *)ctx, cl, master_key, 32);
    crypto_generichash(h, sizeof h, (const unsigned char *)value, len, rkey, sizeof rkey);
    sodium_bin2hex(out, 33, h, sizeof h);
    sodium_memzero(rkey, sizeof rkey);
    return 0;
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
    if (!o->key || !o->recipient || !*o->recipient)
        return hogo_error_set(err, HOGO_EINVAL, "", "pseudonymize needs a 32-byte key and a "
                              "recipient id");
    if ((rc = hogo__csv_load(&csv, csv_path, o->sep, err)) < 0)
        return rc;
    act = calloc(csv.ncols, sizeof *act);
    dicts = calloc(csv.ncols, sizeof *dicts);
    freq = calloc(csv.ncols, sizeof *freq);
    if (!act || !dicts || !freq)
        goto oom;
    const char *const *lists[3] = {o->drop, o->pseudonym, o->rare};
    for (int k = 0; k < 3; k++)
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
                                                       : 0;
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
    for (size_t r = 0; r < csv.nrows; r++) {
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
                if ((rc = hogo_deid_pseudonym(o->key, o->recipient, v, strlen(v), ps, err)) < 0)
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
        yajl_gen g = hogo__deid_report_open(report);
        if (!g)
            goto oom;
        static const char *const keys[] = {"kept", "dropped", "pseudonymized", "rare_coarsened"};
        hogo__deid_report_columns(g, keys, 4, &csv, act);
        yajl_gen_string(g, (const unsigned char *)"rare_values_replaced", 20);
        yajl_gen_integer(g, (long long)rare_replaced);
        yajl_gen_string(g, (const unsigned char *)"recipient", 9);
        yajl_gen_string(g, (const unsigned char *)o->recipient, strlen(o->recipient));
        hogo__deid_report_close(g, report);
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
    hogo__csv_release(&csv);
    return rc;
}
