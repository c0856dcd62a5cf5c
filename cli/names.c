/*
 * The Japanese names of vocabulary ids, for text written to a person (see names.h): the ids of
 * the kinds a listing shows, sorted once, looked up by binary search. CLI layer.
 */
#include "names.h"

#include "commands.h"

#include <hogo/policy.h>

#include <limits.h>
#include <stdlib.h>
#include <string.h>

/* The kinds whose ids a listing shows, the first one found winning for an id in several. */
static const char *const kinds[] = {"purpose", "data_category", "recipient", "recipient_class",
                                    "service"};
#define NKINDS ((int)(sizeof kinds / sizeof kinds[0]))

struct name {
    const char *id, *ja;
    int rank; /* index in kinds */
};

struct cli_names {
    struct hogo_vocab *vocab; /* owns the strings */
    struct name *v;
    size_t n;
};

static int by_id_then_rank(const void *a, const void *b)
{
    const struct name *x = a, *y = b;
    int c = strcmp(x->id, y->id);
    return c ? c : x->rank - y->rank;
}

static int kind_rank(const char *kind)
{
    for (int k = 0; k < NKINDS; k++)
        if (!strcmp(kind, kinds[k]))
            return k;
    return -1;
}

struct cli_names *cli_names_load(void)
{
    char path[PATH_MAX];
    hogo_vocab_default_file(path, sizeof path);
    struct hogo_error err = {0};
    struct cli_names *names = calloc(1, sizeof *names);
    if (!names || hogo_vocab_load(path, &names->vocab, &err)) {
        cli_errorf("warning: vocabulary names unavailable (%s); ids are shown as they are",
                   names ? err.message : "out of memory");
        free(names);
        return NULL;
    }
    size_t count = hogo_vocab_count(names->vocab);
    names->v = calloc(count ? count : 1, sizeof *names->v);
    struct hogo_vocab_entry e;
    for (size_t i = 0; names->v && hogo_vocab_entry(names->vocab, i, &e) == 0; i++) {
        int rank = kind_rank(e.kind);
        if (rank >= 0 && e.ja && *e.ja)
            names->v[names->n++] = (struct name){e.id, e.ja, rank};
    }
    qsort(names->v, names->n, sizeof *names->v, by_id_then_rank);
    return names;
}

const char *cli_names_ja(const struct cli_names *names, const char *id)
{
    if (!names || !id)
        return id;
    size_t lo = 0, hi = names->n;
    while (lo < hi) { /* the first entry whose id is not less than id */
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(names->v[mid].id, id) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < names->n && !strcmp(names->v[lo].id, id) ? names->v[lo].ja : id;
}

void cli_names_free(struct cli_names *names)
{
    if (!names)
        return;
    free(names->v);
    hogo_vocab_free(names->vocab);
    free(names);
}
