/*
 * Disclosure to the person (APPI Art. 33): everything held about a subject — facts with
 * their consent history, data items with their values opened, and the provision and
 * receipt records (Art. 33(5)) — as one JSON answer and one audit event. Ledger layer: it
 * joins the subjects module with the ledger, so it sits above both.
 */
#include "ledger-int.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int hogo_subject_disclose_json(struct hogo_store *st, const char *subject_id, char **json,
                               struct hogo_error *err)
{
    char *op = NULL;
    yajl_gen g = NULL;
    int erased = 0;
    int64_t items = 0, records = 0;
    *json = NULL;
    int rc = hogo__subject_begin_read(st, subject_id, NULL, &op, &erased, &g, err);
    if (rc < 0)
        return rc;
    yajl_gen_map_open(g);
    hogo__gen_kv_str(g, "subject_id", subject_id);
    hogo__gen_kv_str(g, "operator", op);
    hogo__gen_str(g, "erased");
    yajl_gen_bool(g, erased);
    hogo__gen_str(g, "facts");
    yajl_gen_map_open(g);
    rc = hogo__subject_gen_facts(st, g, NULL, subject_id, 1, err); /* consents with their history */
    yajl_gen_map_close(g);
    if (rc == 0) {
        hogo__gen_str(g, "data_items");
        rc = hogo__gen_items_opened(st, g, subject_id, &items, err);
    }
    if (rc == 0)
        rc = hogo__ledger_gen_subject(st, g, subject_id, &records, err); /* Art. 33(5) */
    if (rc == 0) {
        char detail[96];
        yajl_gen_map_close(g);
        snprintf(detail, sizeof detail, "{\"data_items\":%lld,\"records\":%lld}",
                 (long long)items, (long long)records);
        rc = hogo__audit_append(st, subject_id, "subject.disclose", "facts consents data ledger",
                                detail, err);
    }
    if (rc == 0)
        rc = hogo__gen_take(g, json, err);
    rc = hogo__txn_end(st, rc, err);
    if (rc < 0 && *json) {
        sodium_memzero(*json, strlen(*json));
        free(*json);
        *json = NULL;
    }
    if (g) {
        const unsigned char *buf;
        size_t len;
        if (yajl_gen_get_buf(g, &buf, &len) == yajl_gen_status_ok)
            sodium_memzero((void *)buf, len); /* opened values */
        yajl_gen_free(g);
    }
    free(op);
    return rc;
}
