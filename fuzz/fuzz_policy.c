/*
 * Fuzz target for the policy loader: arbitrary bytes are written as a policy file into a
 * scratch directory that also holds the shipped vocabulary and policy texts (text/<id>.txt),
 * then loaded with hogo_policy_load(). Any error is fine; a crash, leak or hang is not. A
 * policy that loads is also summarised, diffed against itself and asked a few fixed requests.
 * Test layer (libFuzzer entry point; fuzz/replay_main.c replays the corpus without libFuzzer).
 */
#include <hogo/hogo.h>

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char scratch[4096];     /* the scratch directory */
static char policy_path[4200]; /* scratch/policy.yaml */
static struct hogo_vocab *vocab;
static struct hogo_request *request;
static struct hogo_writer *writer;

static const char *const texts[] = {"irp.txt", "rcc.txt", "rea.txt", "rkm.txt", "rmc.txt"};

/* Requests asked of every policy that loads; their "policy" is replaced by the policy's id. */
static const char *const requests[] = {
    "{\"policy\":\"%s\",\"action\":\"use\",\"purpose\":\"service_operation\","
    "\"data\":[\"name\",\"email\"],\"subject\":{\"age\":14}}",
    "{\"policy\":\"%s\",\"action\":\"provide\",\"purpose\":\"recruitment_selection\","
    "\"data\":[\"name\",\"contact\",\"work_history\"],\"service\":\"recruit_agent\","
    "\"recipient\":{\"id\":\"participating_company\",\"corporate_number\":\"9234567890123\"},"
    "\"subject\":{\"age\":34,\"applied_to\":[\"9234567890123\"]}}",
    "{\"policy\":\"%s\",\"action\":\"provide\",\"purpose\":\"ponta_registration\","
    "\"data\":[\"name\",\"payment_info\"],\"recipient\":{\"id\":\"loyalty_marketing\"},"
    "\"basis\":\"consent\",\"consent_id\":\"c1\",\"subject\":{\"linked_accounts\":[\"ponta\"],"
    "\"consents\":[{\"id\":\"c1\",\"recipient\":\"loyalty_marketing\","
    "\"purpose\":\"ponta_registration\",\"data\":[\"name\"]}]}}",
    "{\"policy\":\"%s\",\"action\":\"provide\",\"purpose\":\"research_analysis\","
    "\"data\":[\"attributes\",\"behavior_history\"],\"form\":\"deidentified\","
    "\"recipient\":{\"id\":\"research_institution\",\"country\":\"US\","
    "\"institution_type\":\"university\"}}",
    "{\"policy\":\"%s\",\"action\":\"outsource\",\"purpose\":\"outsourced_processing\","
    "\"data\":[\"name\"],\"recipient\":{\"id\":\"processor\"},\"basis\":\"law\"}",
};

static void cleanup(void)
{
    char path[4300];
    unlink(policy_path);
    snprintf(path, sizeof path, "%s/vocabulary.yaml", scratch);
    unlink(path);
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        snprintf(path, sizeof path, "%s/text/%s", scratch, texts[i]);
        unlink(path);
    }
    snprintf(path, sizeof path, "%s/text", scratch);
    rmdir(path);
    rmdir(scratch);
    hogo_request_free(request);
    hogo_writer_free(writer);
    hogo_vocab_free(vocab);
}

static void fail(const char *what, const char *detail)
{
    fprintf(stderr, "fuzz_policy: %s '%s'; set HOGO_SOURCE_DIR to the repository root\n", what,
            detail);
    abort();
}

/* Makes the scratch directory with links to the shipped vocabulary and texts, and loads the
 * vocabulary once (every fuzzed policy is compiled over it). */
static void setup(void)
{
    const char *root = getenv("HOGO_SOURCE_DIR");
    char src[4400], dst[4400], abs_root[4096];
    if (!realpath(root && *root ? root : ".", abs_root))
        fail("cannot resolve the source directory", root ? root : ".");
    const char *tmp = getenv("TMPDIR");
    snprintf(scratch, sizeof scratch, "%s/hogo-fuzz-policy-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(scratch))
        fail("cannot create a scratch directory", scratch);
    atexit(cleanup);
    snprintf(src, sizeof src, "%s/policies/vocabulary.yaml", abs_root);
    snprintf(dst, sizeof dst, "%s/vocabulary.yaml", scratch);
    if (symlink(src, dst))
        fail("cannot link", src);
    snprintf(dst, sizeof dst, "%s/text", scratch);
    if (mkdir(dst, 0700))
        fail("cannot create", dst);
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        snprintf(src, sizeof src, "%s/policies/text/%s", abs_root, texts[i]);
        snprintf(dst, sizeof dst, "%s/text/%s", scratch, texts[i]);
        if (symlink(src, dst))
            fail("cannot link", src);
    }
    snprintf(policy_path, sizeof policy_path, "%s/policy.yaml", scratch);
    struct hogo_error err = {0};
    snprintf(src, sizeof src, "%s/policies/vocabulary.yaml", abs_root);
    if (hogo_vocab_load(src, &vocab, &err))
        fail("cannot load the vocabulary", err.message);
    if (hogo_request_new(&request) || hogo_writer_new(false, &writer))
        fail("out of memory", "");
}

static void problem(void *user, const struct hogo_error *e, bool warning)
{
    (void)warning;
    int *count = user;
    /* every problem must say what is wrong */
    if (e->message[0] == '\0')
        abort();
    (*count)++;
}

static void exercise(const struct hogo_policy *p)
{
    if (!hogo_policy_id(p) || !hogo_policy_version(p) || !hogo_policy_path(p))
        abort();
    char *s = hogo_policy_summary(p);
    free(s);
    int changes = -1;
    s = hogo_policy_diff(p, p, &changes);
    if (s && changes != 0)
        abort(); /* a policy never differs from itself */
    free(s);
    char json[2048];
    for (size_t i = 0; i < sizeof requests / sizeof requests[0]; i++) {
        int n = snprintf(json, sizeof json, requests[i], hogo_policy_id(p));
        if (n < 0 || (size_t)n >= sizeof json)
            continue;
        struct hogo_error err = {0};
        if (hogo_request_parse(request, hogo_policy_vocab(p), json, (size_t)n,
                               HOGO_DEFAULT_MAX_REQUEST, &err))
            continue;
        struct hogo_decision dec;
        if (hogo_decide(p, request, &dec, &err))
            continue;
        hogo_writer_clear(writer);
        hogo_writer_decision(writer, p, request, &dec);
        hogo_writer_decision_text(writer, p, request, &dec);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!vocab)
        setup();
    FILE *f = fopen(policy_path, "wb");
    if (!f)
        fail("cannot write", policy_path);
    if (size && fwrite(data, 1, size, f) != size)
        fail("cannot write", policy_path);
    if (fclose(f))
        fail("cannot write", policy_path);
    struct hogo_error err = {0};
    int problems = 0;
    struct hogo_policy_load_opts opts = {.vocab = vocab, .diag = problem, .diag_user = &problems};
    struct hogo_policy *p = NULL;
    int rc = hogo_policy_load(policy_path, &opts, &p, &err);
    if (getenv("HOGO_FUZZ_VERBOSE"))
        fprintf(stderr, "fuzz_policy: %s (%d problems)%s%s\n", rc ? "rejected" : "loaded",
                problems, rc ? ": " : "", rc ? err.message : "");
    if (rc) {
        if (p || err.code == 0 || err.message[0] == '\0')
            abort(); /* a failed load must say why and return nothing */
    } else {
        if (!p)
            abort();
        exercise(p);
    }
    hogo_policy_free(p);
    return 0;
}
