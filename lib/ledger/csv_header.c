/*
 * The column headers of a CSV file that is about to leave with a provision, read with the
 * shared CSV reader (lib/common/csv.h; RFC 4180, separator detected), the one
 * `hogo_deid_apply()` uses, so that the ledger checks exactly the columns it will see.
 * Ledger layer.
 */
#include "common/csv.h"
#include "ledger-int.h"

#include <stdlib.h>
#include <string.h>

int hogo__csv_header(const char *path, char ***names, size_t *n, struct hogo_error *err)
{
    struct hogo__csv csv;
    char **out = NULL;
    memset(&csv, 0, sizeof csv);
    *names = NULL;
    *n = 0;
    int rc = hogo__csv_load(&csv, path, 0, err);
    if (rc < 0)
        goto out;
    out = calloc(csv.ncols ? csv.ncols : 1, sizeof *out);
    for (size_t c = 0; out && c < csv.ncols; c++)
        if (!(out[c] = strdup(csv.header[c]))) {
            for (size_t k = 0; k < c; k++)
                free(out[k]);
            free(out);
            out = NULL;
        }
    if (!out) {
        rc = hogo_error_set(err, HOGO_ENOMEM, path, "out of memory reading '%s'", path);
        goto out;
    }
    *names = out;
    *n = csv.ncols;
out:
    hogo__csv_release(&csv);
    return rc;
}
