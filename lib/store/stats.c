/*
 * Group commit figures for the public API (hogo_store_commit_stats() in hogo/store.h), so that
 * a service can report its commit sizes. Store layer.
 */
#include "store-int.h"

void hogo_store_commit_stats(struct hogo_store *st, int64_t *commits, int64_t *calls)
{
    int64_t b = 0, i = 0;
    if (st)
        hogo__group_stats(st, &b, &i);
    if (commits)
        *commits = b;
    if (calls)
        *calls = i;
}
