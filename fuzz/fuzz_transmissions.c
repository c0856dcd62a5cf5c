/*
 * Fuzz target for the 外部送信一覧 registry loader: arbitrary bytes are written as a registry
 * file (irp.yaml) into a scratch directory and loaded with hogo_transmissions_load() over the
 * shipped vocabulary. Any error is fine; a crash, leak or hang is not. A failed load must say
 * why and return nothing; a list that loads is walked whole (sites, transmissions, partners,
 * opt-outs) and written as JSON both ways.
 * Test layer (libFuzzer entry point; fuzz/replay_main.c replays the corpus without libFuzzer).
 */
#include <hogo/hogo.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char scratch[4096];   /* the scratch directory */
static char list_path[4200]; /* scratch/irp.yaml */
static struct hogo_vocab *vocab;

static void cleanup(void)
{
    unlink(list_path);
    rmdir(scratch);
    hogo_vocab_free(vocab);
}

static void fail(const char *what, const char *detail)
{
    fprintf(stderr, "fuzz_transmissions: %s '%s'; set HOGO_SOURCE_DIR to the repository root\n",
            what, detail);
    abort();
}

static void setup(void)
{
    const char *root = getenv("HOGO_SOURCE_DIR");
    char src[4400];
    const char *tmp = getenv("TMPDIR");
    snprintf(scratch, sizeof scratch, "%s/hogo-fuzz-transmissions-XXXXXX",
             tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(scratch))
        fail("cannot create a scratch directory", scratch);
    atexit(cleanup);
    snprintf(list_path, sizeof list_path, "%s/irp.yaml", scratch);
    snprintf(src, sizeof src, "%s/policies/vocabulary.yaml", root && *root ? root : ".");
    struct hogo_error err = {0};
    if (hogo_vocab_load(src, &vocab, &err))
        fail("cannot load the vocabulary", err.message);
}

static void problem(void *user, const struct hogo_error *e, bool warning)
{
    (void)warning;
    int *count = user;
    if (e->message[0] == '\0' || e->where[0] == '\0')
        abort(); /* every problem says what and where */
    (*count)++;
}

/* Walks a loaded list; aborts on an inconsistency. */
static void exercise(const struct hogo_transmissions *t)
{
    size_t n = hogo_transmissions_count(t), np = hogo_transmissions_partner_count(t);
    size_t ns = hogo_transmissions_site_count(t), in_sites = 0;
    for (size_t i = 0; i < ns; i++) {
        const struct hogo_transmission_site *s = hogo_transmissions_site(t, i);
        if (!s || !s->id || !s->kind || !s->name.ja || s->first + s->count > n)
            abort();
        in_sites += s->count;
    }
    if (in_sites != n || hogo_transmissions_site(t, ns) || hogo_transmissions_get(t, n))
        abort();
    for (size_t i = 0; i < n; i++) {
        const struct hogo_transmission *x = hogo_transmissions_get(t, i);
        if (x->site >= ns || x->partner >= np || !x->ndata || !x->npurposes || !x->tool.ja)
            abort();
        for (size_t j = 0; j < x->ndata; j++)
            if (!x->data[j].id || !x->data[j].ja || !x->data[j].en)
                abort();
    }
    for (size_t i = 0; i < np; i++) {
        const struct hogo_transmission_partner *p = hogo_transmissions_partner(t, i);
        if (hogo_transmissions_find_partner(t, p->name.id) != p)
            abort();
    }
    for (size_t i = 0; hogo_transmissions_optout(t, i); i++)
        if (!hogo_transmissions_optout(t, i)->opt_out_url)
            abort();
    size_t len = 0;
    free(hogo_transmissions_json(t, false, &len));
    free(hogo_transmissions_json(t, true, &len));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!vocab)
        setup();
    FILE *f = fopen(list_path, "wb");
    if (!f)
        fail("cannot write", list_path);
    if (size && fwrite(data, 1, size, f) != size)
        fail("cannot write", list_path);
    if (fclose(f))
        fail("cannot write", list_path);
    struct hogo_error err = {0};
    int problems = 0;
    struct hogo_policy_load_opts opts = {.vocab = vocab, .diag = problem, .diag_user = &problems};
    struct hogo_transmissions *t = NULL;
    int rc = hogo_transmissions_load(list_path, &opts, &t, &err);
    if (rc) {
        if (t || err.code == 0 || err.message[0] == '\0')
            abort();
    } else {
        if (!t)
            abort();
        exercise(t);
    }
    hogo_transmissions_free(t);
    return 0;
}
