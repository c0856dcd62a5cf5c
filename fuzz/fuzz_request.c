/*
 * Fuzz target for the decision request path: arbitrary bytes go through hogo_request_parse()
 * and, when they parse, hogo_decide() and both response writers, over policies/irp.yaml loaded
 * once. Nothing here may crash, leak, hang or read out of bounds, whatever the bytes.
 * Test layer (libFuzzer entry point; fuzz/replay_main.c replays the corpus without libFuzzer).
 */
#include <hogo/hogo.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct hogo_policy *policy;
static struct hogo_request *request;
static struct hogo_writer *writer;

/* Loads policies/irp.yaml from $HOGO_SOURCE_DIR (or the current directory) once. */
static void setup(void)
{
    const char *root = getenv("HOGO_SOURCE_DIR");
    char path[4096];
    snprintf(path, sizeof path, "%s/policies/irp.yaml", root && *root ? root : ".");
    struct hogo_error err = {0};
    if (hogo_policy_load(path, NULL, &policy, &err)) {
        fprintf(stderr, "fuzz_request: cannot load '%s': %s: %s; set HOGO_SOURCE_DIR to the "
                        "repository root\n", path, err.where, err.message);
        abort();
    }
    if (hogo_request_new(&request) || hogo_writer_new(false, &writer)) {
        fprintf(stderr, "fuzz_request: out of memory\n");
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!policy)
        setup();
    struct hogo_error err = {0};
    hogo_writer_clear(writer);
    int rc = hogo_request_parse(request, hogo_policy_vocab(policy), (const char *)data, size,
                                HOGO_DEFAULT_MAX_REQUEST, &err);
    if (rc) {
        /* every rejection must say why */
        if (err.code == 0 || err.message[0] == '\0')
            abort();
        hogo_writer_error(writer, &err);
        return 0;
    }
    struct hogo_decision dec;
    rc = hogo_decide(policy, request, &dec, &err);
    if (rc) {
        if (err.code == 0 || err.message[0] == '\0')
            abort();
        hogo_writer_error(writer, &err);
        return 0;
    }
    if (dec.nreasons < 0 || dec.nreasons > HOGO_MAX_REASONS)
        abort();
    hogo_writer_decision(writer, policy, request, &dec);
    hogo_writer_decision_text(writer, policy, request, &dec);
    const char *buf;
    size_t len;
    hogo_writer_buffer(writer, &buf, &len);
    if (len == 0 || buf[len - 1] != '\n')
        abort();
    return 0;
}
