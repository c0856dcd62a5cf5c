/*
 * The store test suite, run unchanged on every backend: tests/unit/test_store.c runs it on
 * SQLite, tests/unit/test_store_pg.c on a throwaway PostgreSQL cluster. Test layer.
 * The including file defines suite_location(buf, size) (a fresh empty database per test) and
 * suite_drop(location), then includes this file and calls suite_run(name).
 * Raw SQL edits (tampering) go through the backend's own exec, so they hit the real tables of
 * whichever database is under test.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <hogo/audit.h>
#include <hogo/decide.h>
#include <hogo/ledger.h>
#include <hogo/policy.h>
#include <hogo/store.h>
#include "fault_backend.h"
#include "subject/subject-int.h"

#include <pthread.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void suite_location(char *buf, size_t size);
static void suite_drop(const char *location);

struct fx {
    char loc[512];
    char keys[256]; /* the subject key store, a separate file */
    unsigned char master[HOGO_KEY_BYTES];
    unsigned char sk[HOGO_SIGN_SECRET_BYTES];
    unsigned char pk[HOGO_SIGN_PUBLIC_BYTES];
    struct hogo_store *st;
    struct hogo_error err;
    int fingerprint_keys; /* fingerprint() also counts the key store's keys */
};

/* Opens the fixture's store; create as hogo init does (creates and binds the key store). */
static struct hogo_store *fx_open_as(struct fx *f, unsigned interval, int create)
{
    struct hogo_store_options o = {.create = create, .master_key = f->master, .signing_key = f->sk,
                                   .checkpoint_interval = interval, .actor = "test",
                                   .key_store = f->keys};
    struct hogo_store *st = NULL;
    int rc = hogo_store_open(&st, f->loc, &o, &f->err);
    if (rc)
        fprintf(stderr, "open: %s\n", f->err.message);
    assert_int_equal(rc, 0);
    return st;
}

static struct hogo_store *fx_open(struct fx *f, unsigned interval)
{
    return fx_open_as(f, interval, 0);
}

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    assert_non_null(f);
    assert_true(sodium_init() >= 0);
    suite_location(f->loc, sizeof f->loc);
    static int key_serial;
    snprintf(f->keys, sizeof f->keys, "/tmp/hogo-keys-%d-%d", (int)getpid(), ++key_serial);
    randombytes_buf(f->master, sizeof f->master);
    crypto_sign_keypair(f->pk, f->sk);
    f->st = fx_open_as(f, 1000, 1);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    hogo_store_free(f->st);
    suite_drop(f->loc);
    static const char *const suffix[] = {"", "-wal", "-shm"};
    for (int i = 0; i < 3; i++) {
        char p[300];
        snprintf(p, sizeof p, "%s%s", f->keys, suffix[i]);
        unlink(p);
    }
    free(f);
    return 0;
}

#define OK(call)                                                                              \
    do {                                                                                      \
        int rc_ = (call);                                                                     \
        if (rc_ != 0)                                                                         \
            fprintf(stderr, "%s: %s (%s)\n", #call, f->err.message, f->err.where);            \
        assert_int_equal(rc_, 0);                                                             \
    } while (0)

static void raw(struct fx *f, const char *sql)
{
    OK(hogo__exec(f->st, sql, NULL, 0, NULL, &f->err));
}

static void verify_ok(struct fx *f)
{
    struct hogo_audit_report r;
    int rc = hogo_audit_verify(f->st, f->pk, &r, &f->err);
    if (rc)
        fprintf(stderr, "verify: %s\n", r.problem);
    assert_int_equal(rc, 0);
    assert_int_equal(r.first_bad_seq, 0);
}

static int64_t verify_bad(struct fx *f)
{
    struct hogo_audit_report r;
    int rc = hogo_audit_verify(f->st, f->pk, &r, &f->err);
    assert_int_equal(rc, HOGO_ETAMPER);
    assert_true(r.first_bad_seq > 0);
    assert_true(strlen(r.problem) > 0);
    return r.first_bad_seq;
}

static int64_t count(struct fx *f, const char *sql)
{
    int64_t n = -1;
    OK(hogo__query_int(f->st, sql, NULL, 0, &n, NULL, &f->err));
    return n;
}

/* ---- schema and open ---- */

static void test_open_refuses_uninitialised_and_newer_databases(void **state)
{
    struct fx *f = *state;
    int v = 0;
    OK(hogo_store_schema_version(f->st, &v, &f->err));
    assert_int_equal(v, hogo_store_latest_schema_version());
    raw(f, "UPDATE hogo_meta SET value = '999' WHERE key = 'schema_version'");
    hogo_store_free(f->st);
    f->st = NULL;
    struct hogo_store_options o = {0};
    assert_int_equal(hogo_store_open(&f->st, f->loc, &o, &f->err), HOGO_EVERSION);
    assert_null(f->st);
    assert_non_null(strstr(f->err.message, "newer than this hogo"));
    o.create = 1;
    assert_int_equal(hogo_store_open(&f->st, f->loc, &o, &f->err), HOGO_EVERSION);
    assert_null(f->st);
}

static void test_reopen_keeps_data_and_version(void **state)
{
    struct fx *f = *state;
    OK(hogo_subject_add(f->st, "u1", "irp", &f->err));
    hogo_store_free(f->st);
    struct hogo_store_options o = {0};
    f->st = NULL;
    OK(hogo_store_open(&f->st, f->loc, &o, &f->err));
    char *json = NULL;
    OK(hogo_subject_list_json(f->st, NULL, &json, &f->err));
    assert_non_null(strstr(json, "\"subject_id\":\"u1\""));
    free(json);
}

/* ---- subjects and facts ---- */

static void test_facts_json_holds_exactly_the_set_facts(void **state)
{
    struct fx *f = *state;
    char *json = NULL;
    OK(hogo_subject_add(f->st, "u1", "irp", &f->err));
    OK(hogo_store_subject_facts_json(f->st, "irp", "u1", &json, &f->err));
    assert_string_equal(json, "{\"consents\":[]}");
    free(json);
    OK(hogo_subject_set_fact(f->st, "u1", "age", "34", &f->err));
    OK(hogo_subject_set_fact(f->st, "u1", "guardian_consent", "false", &f->err));
    OK(hogo_subject_add_fact(f->st, "u1", "linked_accounts", "ponta", &f->err));
    OK(hogo_subject_add_fact(f->st, "u1", "linked_accounts", "d_account", &f->err));
    OK(hogo_subject_add_fact(f->st, "u1", "linked_accounts", "ponta", &f->err)); /* idempotent */
    OK(hogo_subject_add_fact(f->st, "u1", "applied_to", "9234567890123", &f->err));
    OK(hogo_subject_set_fact(f->st, "u1", "services_used", "recruit_agent,rikunabi", &f->err));
    OK(hogo_subject_add_fact(f->st, "u1", "opt_outs", "ad_delivery", &f->err));
    OK(hogo_subject_set_fact(f->st, "u1", "scout_service", "true", &f->err));
    OK(hogo_subject_set_fact(f->st, "u1", "age", "35", &f->err)); /* replaces */
    OK(hogo_store_subject_facts_json(f->st, "irp", "u1", &json, &f->err));
    assert_string_equal(json, "{\"age\":35,\"applied_to\":[\"9234567890123\"],"
                              "\"guardian_consent\":false,"
                              "\"linked_accounts\":[\"d_account\",\"ponta\"],"
                              "\"opt_outs\":[\"ad_delivery\"],\"scout_service\":true,"
                              "\"services_used\":[\"recruit_agent\",\"rikunabi\"],"
                              "\"consents\":[]}");
    free(json);
    OK(hogo_subject_remove_fact(f->st, "u1", "linked_accounts", "ponta", &f->err));
    OK(hogo_subject_unset_fact(f->st, "u1", "age", &f->err));
    OK(hogo_store_subject_facts_json(f->st, "irp", "u1", &json, &f->err));
    assert_null(strstr(json, "ponta"));
    assert_null(strstr(json, "\"age\""));
    free(json);
    verify_ok(f);
}

static void test_bad_facts_are_refused_without_change(void **state)
{
    struct fx *f = *state;
    OK(hogo_subject_add(f->st, "u1", "irp", &f->err));
    int64_t before = count(f, "SELECT COUNT(*) FROM audit_events");
    assert_int_equal(hogo_subject_set_fact(f->st, "u1", "agee", "3", &f->err), HOGO_EINVAL);
    assert_non_null(strstr(f->err.message, "unknown subject fact 'agee'"));
    assert_int_equal(hogo_subject_set_fact(f->st, "u1", "age", "old", &f->err), HOGO_EINVAL);
    assert_int_equal(hogo_subject_add_fact(f->st, "u1", "applied_to", "1234567890123", &f->err),
                     HOGO_EINVAL);
    assert_non_null(strstr(f->err.message, "check digit"));
    assert_int_equal(hogo_subject_add_fact(f->st, "u1", "age", "3", &f->err), HOGO_EINVAL);
    assert_int_equal(hogo_subject_set_fact(f->st, "u1", "erased", "true", &f->err), HOGO_EINVAL);
    assert_int_equal(hogo_subject_add_fact(f->st, "nobody", "opt_outs", "ad_delivery", &f->err),
                     HOGO_ENOTFOUND);
    assert_int_equal(hogo_subject_add(f->st, "u1", "irp", &f->err), HOGO_EINVAL);
    assert_int_equal(hogo_subject_add(f->st, "bad id", "irp", &f->err), HOGO_EINVAL);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM audit_events"), before);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM subject_facts"), 0);
}

static void test_corporate_number_check_digit(void **state)
{
    (void)state;
    assert_true(hogo_corporate_number_valid("9234567890123"));
    assert_true(hogo_corporate_number_valid("7010001008844"));
    assert_false(hogo_corporate_number_valid("1234567890123"));
    assert_false(hogo_corporate_number_valid("923456789012"));
    assert_false(hogo_corporate_number_valid("92345678901234"));
    assert_false(hogo_corporate_number_valid("923456789012a"));
    assert_false(hogo_corporate_number_valid(NULL));
}

static void test_blocks_follow_successor_corporations(void **state)
{
    struct fx *f = *state;
    char *json = NULL;
    OK(hogo_subject_add(f->st, "u1", "irp", &f->err));
    OK(hogo_subject_add_fact(f->st, "u1", "blocked_companies", "7010001008844", &f->err));
    /* 7010001008844 merged into 9234567890123, which was renamed to 5010401089998 */
    OK(hogo_corp_succeed(f->st, "7010001008844", "9234567890123", "merger", &f->err));
    OK(hogo_corp_succeed(f->st, "9234567890123", "5010401089998", "rename", &f->err));
    OK(hogo_store_subject_facts_json(f->st, "irp", "u1", &json, &f->err));
    assert_non_null(strstr(json, "\"blocked_companies\":[\"5010401089998\",\"7010001008844\","
                                 "\"9234567890123\"]"));
    free(json);
    OK(hogo_corp_show_json(f->st, "9234567890123", &json, &f->err));
    assert_string_equal(json, "{\"corporate_number\":\"9234567890123\",\"successors\":["
                              "\"5010401089998\"],\"predecessors\":[\"7010001008844\"]}");
    free(json);
    assert_int_equal(hogo_corp_succeed(f->st, "7010001008844", "1234567890123", NULL, &f->err),
                     HOGO_EINVAL);
    verify_ok(f);
}

static void test_consents_appear_until_withdrawn(void **state)
{
    struct fx *f = *state;
    char *json = NULL;
    const char *data[] = {"name", "work_history"};
    struct hogo_consent c = {.id = "c1", .recipient = "participating_company",
                             .purpose = "recruitment_selection", .data = data, .n_data = 2,
                             .policy = "irp", .policy_version = "2025-04-01",
                             .method = "web_form"};
    OK(hogo_subject_add(f->st, "u1", "irp", &f->err));
    OK(hogo_subject_consent(f->st, "u1", &c, &f->err));
    assert_int_equal(hogo_subject_consent(f->st, "u1", &c, &f->err), HOGO_EINVAL);
    OK(hogo_store_subject_facts_json(f->st, "irp", "u1", &json, &f->err));
    assert_string_equal(json, "{\"consents\":[{\"id\":\"c1\",\"recipient\":"
                              "\"participating_company\",\"purpose\":\"recruitment_selection\","
                              "\"data\":[\"name\",\"work_history\"]}]}");
    free(json);
    OK(hogo_subject_withdraw(f->st, "u1", "c1", &f->err));
    assert_int_equal(hogo_subject_withdraw(f->st, "u1", "c1", &f->err), HOGO_ENOTFOUND);
    OK(hogo_store_subject_facts_json(f->st, "irp", "u1", &json, &f->err));
    assert_string_equal(json, "{\"consents\":[]}");
    free(json);
    OK(hogo_subject_show_json(f->st, "u1", &json, &f->err));
    assert_non_null(strstr(json, "\"withdrawn_at\": \""));
    assert_non_null(strstr(json, "\"policy_version\": \"2025-04-01\""));
    free(json);
}

static void test_subject_of_another_operator_is_not_found(void **state)
{
    struct fx *f = *state;
    char *json = NULL;
    OK(hogo_subject_add(f->st, "u1", "rcc", &f->err));
    assert_int_equal(hogo_store_subject_facts_json(f->st, "irp", "u1", &json, &f->err),
                     HOGO_ENOTFOUND);
    assert_null(json);
    assert_int_equal(hogo_store_subject_facts_json(f->st, "irp", "u2", &json, &f->err),
                     HOGO_ENOTFOUND);
}

/* ---- audit ---- */

static void make_events(struct fx *f, int n)
{
    char id[32];
    for (int i = 0; i < n; i++) {
        snprintf(id, sizeof id, "s%d", i);
        OK(hogo_subject_add(f->st, id, "irp", &f->err));
    }
}

static void test_audit_chain_verifies_and_counts_events(void **state)
{
    struct fx *f = *state;
    make_events(f, 20);
    struct hogo_audit_report r;
    OK(hogo_audit_verify(f->st, f->pk, &r, &f->err));
    /* one event per migration + 20 */
    assert_int_equal(r.events, hogo_store_latest_schema_version() + 20);
    assert_int_equal(r.last_seq, hogo_store_latest_schema_version() + 20);
    int64_t seq = 0;
    OK(hogo_audit_checkpoint(f->st, &seq, &f->err));
    assert_int_equal(seq, hogo_store_latest_schema_version() + 20);
    OK(hogo_audit_verify(f->st, f->pk, &r, &f->err));
    assert_int_equal(r.checkpoints, 1);
}

static void test_audit_detects_edited_event(void **state)
{
    struct fx *f = *state;
    make_events(f, 10);
    raw(f, "UPDATE audit_events SET object = 'operator:rcc' WHERE seq = 5");
    assert_int_equal(verify_bad(f), 5);
}

static void test_audit_detects_deleted_event(void **state)
{
    struct fx *f = *state;
    make_events(f, 10);
    raw(f, "DELETE FROM audit_events WHERE seq = 7");
    assert_int_equal(verify_bad(f), 7);
}

static void test_audit_detects_inserted_event(void **state)
{
    struct fx *f = *state;
    make_events(f, 10);
    /* a copy of event 4 under another subject id, same seq */
    raw(f, "INSERT INTO audit_events (subject_id, seq, at, actor, action, object, detail, "
           "prev_hash, hash) SELECT 'zz', seq, at, actor, action, object, detail, prev_hash, "
           "hash FROM audit_events WHERE seq = 4");
    int64_t bad = verify_bad(f);
    assert_true(bad == 4 || bad == 5);
}

static void test_audit_detects_reordered_events(void **state)
{
    struct fx *f = *state;
    make_events(f, 10);
    raw(f, "UPDATE audit_events SET seq = -1 WHERE seq = 3");
    raw(f, "UPDATE audit_events SET seq = 3 WHERE seq = 4");
    raw(f, "UPDATE audit_events SET seq = 4 WHERE seq = -1");
    assert_int_equal(verify_bad(f), 3);
}

static void test_audit_detects_truncation_after_checkpoint(void **state)
{
    struct fx *f = *state;
    make_events(f, 10);
    OK(hogo_audit_checkpoint(f->st, NULL, &f->err));
    raw(f, "DELETE FROM audit_events WHERE seq > 8");
    assert_int_equal(verify_bad(f), 9);
}

/* Recomputes the hash chain from event `from` on, as an administrator with write access
 * could (the format is public, include/hogo/audit.h). */
struct ev {
    int64_t seq, at;
    char *f[5];
};
struct evs {
    struct ev *v;
    size_t n;
};

static int take_ev(void *ctx, const struct hogo__val *c, size_t n)
{
    struct evs *e = ctx;
    (void)n;
    e->v = realloc(e->v, (e->n + 1) * sizeof *e->v);
    struct ev *x = &e->v[e->n++];
    x->seq = c[0].i;
    x->at = c[1].i;
    for (int i = 0; i < 5; i++)
        x->f[i] = strdup(c[2 + i].s);
    return 0;
}

static void rehash_from(struct fx *f, int64_t from)
{
    struct evs e = {0};
    OK(hogo__query(f->st,
                   "SELECT seq, at, subject_id, actor, action, object, detail FROM audit_events "
                   "ORDER BY seq",
                   NULL, 0, take_ev, &e, &f->err));
    unsigned char prev[32] = {0}, h[32];
    for (size_t k = 0; k < e.n; k++) {
        struct ev *x = &e.v[k];
        unsigned char buf[4096], *p = buf;
        memcpy(p, prev, 32);
        p += 32;
        for (int i = 0; i < 8; i++)
            p[i] = (unsigned char)((uint64_t)x->seq >> (8 * i));
        for (int i = 0; i < 8; i++)
            p[8 + i] = (unsigned char)((uint64_t)x->at >> (8 * i));
        p += 16;
        for (int j = 0; j < 5; j++) {
            uint32_t l = (uint32_t)strlen(x->f[j]);
            for (int i = 0; i < 4; i++)
                p[i] = (unsigned char)(l >> (8 * i));
            memcpy(p + 4, x->f[j], l);
            p += 4 + l;
        }
        crypto_generichash(h, 32, buf, (size_t)(p - buf), NULL, 0);
        if (x->seq >= from) {
            struct hogo__val v[] = {HV_BLOB(prev, 32), HV_BLOB(h, 32), HV_INT(x->seq)};
            OK(hogo__exec(f->st, "UPDATE audit_events SET prev_hash = ?, hash = ? WHERE seq = ?",
                          v, 3, NULL, &f->err));
        }
        memcpy(prev, h, 32);
        for (int j = 0; j < 5; j++)
            free(x->f[j]);
    }
    free(e.v);
}

static void test_audit_rehash_helper_reproduces_the_chain(void **state)
{
    struct fx *f = *state;
    make_events(f, 5);
    rehash_from(f, 1); /* same content, same hashes */
    verify_ok(f);
}

static void test_audit_detects_rewritten_chain_by_signature(void **state)
{
    struct fx *f = *state;
    make_events(f, 10);
    OK(hogo_audit_checkpoint(f->st, NULL, &f->err));
    make_events(f, 0);
    raw(f, "UPDATE audit_events SET object = 'operator:rcc' WHERE seq = 5");
    rehash_from(f, 5);
    struct hogo_audit_report r;
    assert_int_equal(hogo_audit_verify(f->st, f->pk, &r, &f->err), HOGO_ETAMPER);
    assert_int_equal(r.first_bad_seq, 1); /* somewhere after the previous checkpoint (none) */
    char at[64];
    snprintf(at, sizeof at, "checkpoint at event %d", hogo_store_latest_schema_version() + 10);
    assert_non_null(strstr(r.problem, at));
}

static void test_audit_detects_forged_checkpoint(void **state)
{
    struct fx *f = *state;
    make_events(f, 10);
    raw(f, "UPDATE audit_events SET object = 'operator:rcc' WHERE seq = 5");
    rehash_from(f, 5);
    /* the forger also re-signs with their own key */
    unsigned char pk2[32], sk2[64];
    crypto_sign_keypair(pk2, sk2);
    memcpy(f->sk, sk2, 64);
    hogo_store_free(f->st);
    f->st = fx_open(f, 1000);
    OK(hogo_audit_checkpoint(f->st, NULL, &f->err));
    struct hogo_audit_report r;
    assert_int_equal(hogo_audit_verify(f->st, f->pk, &r, &f->err), HOGO_ETAMPER);
    assert_non_null(strstr(r.problem, "not signed by the given public key"));
}

static void test_automatic_checkpoints_seal_the_log(void **state)
{
    struct fx *f = *state;
    hogo_store_free(f->st);
    f->st = fx_open(f, 5);
    make_events(f, 12);
    /* one every 5 events: the migrations' events and the 12 made here */
    assert_int_equal(count(f, "SELECT COUNT(*) FROM checkpoints"),
                     (hogo_store_latest_schema_version() + 12) / 5);
    verify_ok(f);
    raw(f, "DELETE FROM audit_events WHERE seq >= 10");
    assert_int_equal(verify_bad(f), 10);
}

static void test_audit_export_verifies_with_public_key_alone(void **state)
{
    struct fx *f = *state;
    make_events(f, 8);
    OK(hogo_audit_checkpoint(f->st, NULL, &f->err));
    char *text = NULL;
    size_t len = 0;
    OK(hogo_audit_export(f->st, &text, &len, &f->err));
    struct hogo_audit_report r;
    OK(hogo_audit_verify_export(text, len, f->pk, &r, &f->err));
    assert_int_equal(r.events, hogo_store_latest_schema_version() + 8);
    assert_int_equal(r.checkpoints, 1);
    /* an edited export fails */
    char *p = strstr(text, "operator:irp");
    assert_non_null(p);
    p[9] = 'x';
    assert_int_equal(hogo_audit_verify_export(text, len, f->pk, &r, &f->err), HOGO_ETAMPER);
    assert_int_equal(r.first_bad_seq, hogo_store_latest_schema_version() + 1);
    p[9] = 'i';
    /* a truncated export fails: drop the last event line */
    char *cp = strstr(text, "{\"checkpoint\"");
    char *last_ev = cp - 1;
    *last_ev = '\0';
    char *nl = strrchr(text, '\n');
    size_t head = (size_t)(nl - text) + 1;
    char *cut = malloc(len);
    memcpy(cut, text, head);
    *last_ev = '\n';
    strcpy(cut + head, cp);
    assert_int_equal(hogo_audit_verify_export(cut, strlen(cut), f->pk, &r, &f->err),
                     HOGO_ETAMPER);
    assert_non_null(strstr(r.problem, "truncated"));
    /* every checkpoint line is checked, a repeated one too: a second line for the same event
     * with another head fails, and so does one naming event 0 */
    size_t cplen = strcspn(cp, "\n");
    char *twice = malloc(len + 2 * cplen + 2);
    for (int variant = 0; variant < 2; variant++) {
        snprintf(twice, len + 2 * cplen + 2, "%s%.*s\n", text, (int)cplen, cp);
        char *copy = twice + len;
        if (variant == 0) {
            char *head = strstr(copy, "\"head\":\"") + 8;
            *head = *head == '0' ? '1' : '0';
        } else {
            char *seq = strstr(copy, "\"seq\":") + 6;
            size_t digits = strspn(seq, "0123456789");
            memset(seq, ' ', digits);
            seq[0] = '0';
        }
        assert_int_equal(hogo_audit_verify_export(twice, strlen(twice), f->pk, &r, &f->err),
                         HOGO_ETAMPER);
        assert_non_null(strstr(r.problem, variant == 0 ? "does not match the log"
                                                       : "numbered from 1"));
    }
    free(twice);
    free(cut);
    free(text);
}

/* ---- personal data ---- */

static const char secret_mail[] = "taro.yamada@example.jp";

static void test_data_roundtrip_and_audit_holds_no_values(void **state)
{
    struct fx *f = *state;
    struct hogo_provenance pv = {.channel = "direct", .service = "rikunabi",
                                 .policy_version = "2025-04-01"};
    int64_t id = 0;
    unsigned char *v = NULL;
    size_t n = 0;
    OK(hogo_subject_add(f->st, "u1", "irp", &f->err));
    OK(hogo_subject_set_fact(f->st, "u1", "age", "47", &f->err));
    OK(hogo_data_put(f->st, "u1", "email", secret_mail, strlen(secret_mail), &pv, &id, &f->err));
    assert_int_equal(id, 1);
    OK(hogo_data_get(f->st, "u1", id, &v, &n, &f->err));
    assert_int_equal(n, strlen(secret_mail));
    assert_memory_equal(v, secret_mail, n);
    free(v);
    char *json = NULL;
    OK(hogo_data_list_json(f->st, "u1", &json, &f->err));
    assert_non_null(strstr(json, "\"category\":\"email\""));
    assert_non_null(strstr(json, "\"service\":\"rikunabi\""));
    assert_null(strstr(json, "taro"));
    free(json);
    /* the value is not stored in the clear */
    int64_t plain = count(f, "SELECT COUNT(*) FROM data_items WHERE value = 'taro.yamada@example.jp'");
    assert_int_equal(plain, 0);
    char *text = NULL;
    size_t len = 0;
    OK(hogo_audit_export(f->st, &text, &len, &f->err));
    assert_null(strstr(text, "taro"));
    /* (hex hashes in the details may hold the digits 47, but never as a JSON value) */
    assert_int_equal(count(f, "SELECT COUNT(*) FROM audit_events WHERE object LIKE '%47%' "
                              "OR detail LIKE '%:47%' OR detail LIKE '%\"47\"%'"),
                     0);
    assert_non_null(strstr(text, "data.read"));
    assert_non_null(strstr(text, "item:1 category:email"));
    free(text);
    verify_ok(f);
}

static void test_wrong_master_key_is_refused_without_damage(void **state)
{
    struct fx *f = *state;
    int64_t id;
    OK(hogo_subject_add(f->st, "u1", "irp", &f->err));
    OK(hogo_data_put(f->st, "u1", "email", secret_mail, strlen(secret_mail), NULL, &id, &f->err));
    hogo_store_free(f->st);
    unsigned char good[32];
    memcpy(good, f->master, 32);
    randombytes_buf(f->master, 32);
    f->st = fx_open(f, 1000);
    unsigned char *v = NULL;
    size_t n;
    int64_t events = count(f, "SELECT COUNT(*) FROM audit_events");
    assert_int_equal(hogo_data_get(f->st, "u1", id, &v, &n, &f->err), HOGO_ECRYPTO);
    assert_non_null(strstr(f->err.message, "wrong master key"));
    assert_int_equal(hogo_data_put(f->st, "u1", "email", "x", 1, NULL, NULL, &f->err),
                     HOGO_ECRYPTO);
    int64_t rot = 0;
    assert_int_equal(hogo_key_rotate(f->st, good, &rot, &f->err), HOGO_ECRYPTO);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM audit_events"), events);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM data_items"), 1);
    hogo_store_free(f->st);
    memcpy(f->master, good, 32);
    f->st = fx_open(f, 1000);
    OK(hogo_data_get(f->st, "u1", id, &v, &n, &f->err));
    assert_memory_equal(v, secret_mail, n);
    free(v);
}

static void test_key_rotation_rewraps_every_subject_key(void **state)
{
    struct fx *f = *state;
    int64_t a, b, rot = 0;
    OK(hogo_subject_add(f->st, "u1", "irp", &f->err));
    OK(hogo_subject_add(f->st, "u2", "irp", &f->err));
    OK(hogo_data_put(f->st, "u1", "email", "a@x", 3, NULL, &a, &f->err));
    OK(hogo_data_put(f->st, "u2", "phone", "0900", 4, NULL, &b, &f->err));
    unsigned char nk[32];
    randombytes_buf(nk, 32);
    OK(hogo_key_rotate(f->st, nk, &rot, &f->err));
    assert_int_equal(rot, 2);
    unsigned char *v = NULL;
    size_t n;
    OK(hogo_data_get(f->st, "u2", b, &v, &n, &f->err)); /* the handle now uses the new key */
    assert_memory_equal(v, "0900", 4);
    free(v);
    hogo_store_free(f->st);
    f->st = fx_open(f, 1000); /* old key: refused */
    assert_int_equal(hogo_data_get(f->st, "u1", a, &v, &n, &f->err), HOGO_ECRYPTO);
    hogo_store_free(f->st);
    memcpy(f->master, nk, 32);
    f->st = fx_open(f, 1000);
    OK(hogo_data_get(f->st, "u1", a, &v, &n, &f->err));
    assert_memory_equal(v, "a@x", 3);
    free(v);
    verify_ok(f);
}

struct blob_copy {
    unsigned char b[512];
    size_t n;
};

static int copy_blob(void *ctx, const struct hogo__val *c, size_t n)
{
    struct blob_copy *o = ctx;
    (void)n;
    o->n = c[0].n < sizeof o->b ? c[0].n : sizeof o->b;
    memcpy(o->b, c[0].b, o->n);
    return 1;
}

static void test_erasure_destroys_the_key_and_every_copy(void **state)
{
    struct fx *f = *state;
    int64_t id;
    OK(hogo_subject_add(f->st, "u1", "irp", &f->err));
    OK(hogo_data_put(f->st, "u1", "email", secret_mail, strlen(secret_mail), NULL, &id, &f->err));
    /* a "backup" of the sealed value, taken before erasure */
    struct blob_copy backup = {{0}, 0};
    OK(hogo__query(f->st, "SELECT value FROM data_items", NULL, 0, copy_blob, &backup, &f->err));
    assert_true(backup.n > 0);
    OK(hogo_subject_erase(f->st, "u1", &f->err));
    assert_int_equal(count(f, "SELECT COUNT(*) FROM subject_keys"), 0);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM data_items"), 0);
    char *json = NULL;
    OK(hogo_store_subject_facts_json(f->st, "irp", "u1", &json, &f->err));
    assert_non_null(strstr(json, "\"erased\":true"));
    free(json);
    /* restore the backed-up ciphertext: without the key it does not open */
    struct hogo__val v[] = {HV_BLOB(backup.b, backup.n)};
    OK(hogo__exec(f->st,
                  "INSERT INTO data_items (subject_id, item_id, category, value, channel, "
                  "acquired_at) VALUES ('u1', 1, 'email', ?, 'direct', 0)",
                  v, 1, NULL, &f->err));
    unsigned char *out = NULL;
    size_t n;
    assert_int_equal(hogo_data_get(f->st, "u1", id, &out, &n, &f->err), HOGO_ENOTFOUND);
    assert_null(out);
    assert_int_equal(hogo_data_put(f->st, "u1", "email", "x", 1, NULL, NULL, &f->err),
                     HOGO_EINVAL);
}


static int copy_file(const char *from, const char *to)
{
    FILE *a = fopen(from, "rb"), *b = fopen(to, "wb");
    char buf[65536];
    size_t n;
    int rc = a && b ? 0 : -1;
    while (rc == 0 && (n = fread(buf, 1, sizeof buf, a)) > 0)
        if (fwrite(buf, 1, n, b) != n)
            rc = -1;
    if (a)
        fclose(a);
    if (b && fclose(b) != 0)
        rc = -1;
    return rc;
}

static void test_erasure_makes_a_database_backup_unreadable(void **state)
{
    struct fx *f = *state;
    if (strcmp(hogo_store_backend(f->st), "sqlite") != 0)
        skip(); /* a file copy is the backup here; PostgreSQL dumps behave the same way */
    int64_t id;
    OK(hogo_subject_add(f->st, "u1", "irp", &f->err));
    OK(hogo_data_put(f->st, "u1", "email", secret_mail, strlen(secret_mail), NULL, &id, &f->err));
    hogo_store_free(f->st); /* closing checkpoints the WAL into the file */
    f->st = NULL;
    char backup[600];
    snprintf(backup, sizeof backup, "%s.backup", f->loc);
    assert_int_equal(copy_file(f->loc, backup), 0);
    struct hogo_store_options o = {.master_key = f->master, .actor = "test",
                                   .key_store = f->keys};
    struct hogo_store *b = NULL;
    unsigned char *v = NULL;
    size_t n;
    /* before the erasure the backup opens with the live key store */
    OK(hogo_store_open(&b, backup, &o, &f->err));
    OK(hogo_data_get(b, "u1", id, &v, &n, &f->err));
    assert_memory_equal(v, secret_mail, n);
    free(v);
    v = NULL;
    hogo_store_free(b);
    f->st = fx_open(f, 1000);
    OK(hogo_subject_erase(f->st, "u1", &f->err));
    /* after it, the backup still holds the sealed value but nothing opens it */
    OK(hogo_store_open(&b, backup, &o, &f->err));
    int64_t rows = -1;
    OK(hogo__query_int(b, "SELECT COUNT(*) FROM data_items", NULL, 0, &rows, NULL, &f->err));
    assert_int_equal(rows, 1);
    assert_int_equal(hogo_data_get(b, "u1", id, &v, &n, &f->err), HOGO_ENOTFOUND);
    assert_non_null(strstr(f->err.message, "no data key"));
    assert_null(v);
    hogo_store_free(b);
    suite_drop(backup);
}

static void test_moved_ciphertext_does_not_open(void **state)
{
    struct fx *f = *state;
    int64_t a, b;
    OK(hogo_subject_add(f->st, "u1", "irp", &f->err));
    OK(hogo_data_put(f->st, "u1", "email", "a@x", 3, NULL, &a, &f->err));
    OK(hogo_data_put(f->st, "u1", "phone", "0900", 4, NULL, &b, &f->err));
    raw(f, "UPDATE data_items SET category = 'phone' WHERE item_id = 1");
    unsigned char *v = NULL;
    size_t n;
    assert_int_equal(hogo_data_get(f->st, "u1", a, &v, &n, &f->err), HOGO_ECRYPTO);
    assert_null(v);
}

static void test_data_put_validates_provenance(void **state)
{
    struct fx *f = *state;
    OK(hogo_subject_add(f->st, "u1", "irp", &f->err));
    struct hogo_provenance tp = {.channel = "third_party"};
    assert_int_equal(hogo_data_put(f->st, "u1", "email", "a", 1, &tp, NULL, &f->err),
                     HOGO_EINVAL);
    struct hogo_provenance bad = {.channel = "rumour"};
    assert_int_equal(hogo_data_put(f->st, "u1", "email", "a", 1, &bad, NULL, &f->err),
                     HOGO_EINVAL);
    assert_int_equal(hogo_data_put(f->st, "u1", "E-mail", "a", 1, NULL, NULL, &f->err),
                     HOGO_EINVAL);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM data_items"), 0);
}

/* ---- ledger ---- */

static const char *const items2[] = {"name", "work_history"};

static struct hogo_provision prov(const char *subject, const char *recipient, int years,
                                  const char *from)
{
    return (struct hogo_provision){.subject_id = subject, .policy = "irp",
                                   .policy_version = "2025-04-01", .recipient_id = recipient,
                                   .recipient_name = "Example K.K.",
                                   .recipient_corporate_number = "9234567890123",
                                   .purpose = "recruitment_selection", .items = items2,
                                   .n_items = 2, .basis = "policy", .record_required = 1,
                                   .retention_years = years, .retention_from = from,
                                   .decision_json = "{\"decision\":\"allow\"}"};
}

#define YEAR_US (365LL * 24 * 3600 * 1000000)
#define T0 1893456000000000LL /* 2030-01-01T00:00:00Z, after every real event of the test */

static void test_provision_record_and_its_event_are_one_write(void **state)
{
    struct fx *f = *state;
    char id[HOGO_LEDGER_ID_BYTES];
    struct hogo_provision p = prov("u1", "participating_company", 3, "creation");
    OK(hogo_ledger_record_provision(f->st, &p, id, &f->err));
    assert_true(strncmp(id, "prov-", 5) == 0);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM provisions"), 1);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM audit_events WHERE action = 'provision.record'"), 1);
    char *json = NULL;
    OK(hogo_ledger_show_json(f->st, id, &json, &f->err));
    assert_non_null(strstr(json, "\"items\": [\n"));
    assert_non_null(strstr(json, "\"decision\": {\"decision\":\"allow\"}"));
    free(json);
    /* an invalid record writes nothing */
    p.retention_years = 2;
    assert_int_equal(hogo_ledger_record_provision(f->st, &p, id, &f->err), HOGO_EINVAL);
    p = prov("u1", "participating_company", 3, "creation");
    p.recipient_corporate_number = "1234567890123";
    assert_int_equal(hogo_ledger_record_provision(f->st, &p, id, &f->err), HOGO_EINVAL);
    p = prov("u1", "participating_company", 3, "creation");
    p.basis = "consent";
    assert_int_equal(hogo_ledger_record_provision(f->st, &p, id, &f->err), HOGO_EINVAL);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM provisions"), 1);
    verify_ok(f);
}

static void test_receipt_refused_when_a_confirmation_item_is_missing(void **state)
{
    struct fx *f = *state;
    struct hogo_receipt r = {.subject_id = "u1", .provider_name = "Source K.K.",
                             .provider_address = "Tokyo", .provider_representative = "Sato",
                             .acquisition = "collected with consent on its web form",
                             .items = items2, .n_items = 2, .basis = "consent",
                             .record_required = 1, .retention_years = 3,
                             .retention_from = "creation"};
    char id[HOGO_LEDGER_ID_BYTES];
    OK(hogo_ledger_record_receipt(f->st, &r, id, &f->err));
    r.provider_representative = NULL;
    assert_int_equal(hogo_ledger_record_receipt(f->st, &r, id, &f->err), HOGO_EINVAL);
    assert_string_equal(f->err.where, "/provider_representative");
    r.provider_representative = "Sato";
    r.acquisition = "";
    assert_int_equal(hogo_ledger_record_receipt(f->st, &r, id, &f->err), HOGO_EINVAL);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM receipts"), 1);
}

static void test_ledger_export_filters_json_and_csv(void **state)
{
    struct fx *f = *state;
    struct hogo_provision p;
    hogo__store_set_now(f->st, T0);
    p = prov("u1", "participating_company", 3, "creation");
    OK(hogo_ledger_record_provision(f->st, &p, NULL, &f->err));
    hogo__store_set_now(f->st, T0 + YEAR_US / 12);
    p = prov("u2", "loyalty_marketing", 3, "creation");
    p.recipient_name = "Loyalty, \"Marketing\"";
    OK(hogo_ledger_record_provision(f->st, &p, NULL, &f->err));
    char *out = NULL;
    struct hogo_ledger_filter flt = {.subject_id = "u1"};
    OK(hogo_ledger_export(f->st, &flt, HOGO_LEDGER_JSON, &out, &f->err));
    assert_non_null(strstr(out, "\"subject_id\":\"u1\""));
    assert_null(strstr(out, "\"subject_id\":\"u2\""));
    assert_non_null(strstr(out, "\"date\":\"2030-01-01T00:00:00Z\""));
    free(out);
    struct hogo_ledger_filter rec = {.recipient = "loyalty_marketing"};
    OK(hogo_ledger_export(f->st, &rec, HOGO_LEDGER_CSV, &out, &f->err));
    assert_true(strncmp(out, "type,id,subject_id,date,", 24) == 0);
    assert_non_null(strstr(out, "\"Loyalty, \"\"Marketing\"\"\""));
    assert_non_null(strstr(out, "\"name,work_history\""));
    assert_null(strstr(out, ",u1,"));
    free(out);
    struct hogo_ledger_filter range = {.from = T0 + 1, .to = T0 + YEAR_US};
    OK(hogo_ledger_export(f->st, &range, HOGO_LEDGER_JSON, &out, &f->err));
    assert_non_null(strstr(out, "\"u2\""));
    assert_null(strstr(out, "\"u1\""));
    free(out);
}

static void test_continuing_provision_is_one_collective_record(void **state)
{
    struct fx *f = *state;
    char first[HOGO_LEDGER_ID_BYTES], later[HOGO_LEDGER_ID_BYTES], other[HOGO_LEDGER_ID_BYTES];
    static const char *const points[] = {"ponta_id", "ponta_point_info"};
    hogo__store_set_now(f->st, T0);
    struct hogo_provision p = prov("u1", "loyalty_marketing", 3, "last_provision");
    OK(hogo_ledger_record_provision(f->st, &p, first, &f->err));
    /* a year on, more items go to the same recipient: the same record, its items grown */
    hogo__store_set_now(f->st, T0 + YEAR_US);
    p.items = points;
    OK(hogo_ledger_record_provision(f->st, &p, later, &f->err));
    assert_string_equal(first, later);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM provisions WHERE subject_id = 'u1'"), 1);
    char *items = NULL;
    OK(hogo__query_text(f->st, "SELECT items FROM provisions", NULL, 0, &items, &f->err));
    assert_string_equal(items, "name,work_history,ponta_id,ponta_point_info");
    free(items);
    /* kept 3 years from the last provision (T0 + 1 year = 2031-01-01, + 3 years), not from
     * the first */
    assert_int_equal(count(f, "SELECT COUNT(*) FROM provisions WHERE purge_after = "
                              "2019686400000000"), 1); /* 2034-01-01 */
    /* another person, or a one-off provision, gets a record of its own */
    struct hogo_provision q = prov("u2", "loyalty_marketing", 3, "last_provision");
    OK(hogo_ledger_record_provision(f->st, &q, other, &f->err));
    assert_string_not_equal(first, other);
    struct hogo_provision single = prov("u1", "loyalty_marketing", 3, "creation");
    OK(hogo_ledger_record_provision(f->st, &single, other, &f->err));
    assert_string_not_equal(first, other);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM provisions"), 3);
    verify_ok(f);
    /* the record is held to its extension: items edited behind hogo's back are reported */
    OK(hogo__exec(f->st, "UPDATE provisions SET items = 'name' WHERE subject_id = 'u1' AND "
                         "retention_from = 'last_provision'",
                  NULL, 0, NULL, &f->err));
    verify_bad(f);
}

static void test_purge_deletes_only_past_retention(void **state)
{
    struct fx *f = *state;
    int64_t n = -1;
    hogo__store_set_now(f->st, T0);
    struct hogo_provision p3 = prov("u1", "participating_company", 3, "creation");
    struct hogo_provision p1 = prov("u1", "contract_partner", 1, "last_provision");
    OK(hogo_ledger_record_provision(f->st, &p3, NULL, &f->err));
    OK(hogo_ledger_record_provision(f->st, &p1, NULL, &f->err));
    /* a later provision to the same recipient extends the collective record */
    hogo__store_set_now(f->st, T0 + YEAR_US / 2);
    OK(hogo_ledger_record_provision(f->st, &p1, NULL, &f->err));
    hogo__store_set_now(f->st, T0 + YEAR_US + 1000000);
    OK(hogo_ledger_purge(f->st, &n, &f->err));
    assert_int_equal(n, 0); /* 1 year after the LAST provision has not passed */
    hogo__store_set_now(f->st, T0 + YEAR_US + YEAR_US / 2 + 2 * 86400000000LL);
    OK(hogo_ledger_purge(f->st, &n, &f->err));
    assert_int_equal(n, 1); /* the one collective record */
    hogo__store_set_now(f->st, T0 + 3 * YEAR_US - 2 * 86400000000LL);
    OK(hogo_ledger_purge(f->st, &n, &f->err));
    assert_int_equal(n, 0); /* 3 years from creation: not yet */
    hogo__store_set_now(f->st, T0 + 3 * YEAR_US + 2 * 86400000000LL);
    OK(hogo_ledger_purge(f->st, &n, &f->err));
    assert_int_equal(n, 1);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM provisions"), 0);
    verify_ok(f);
}


/* ---- decide and record: hogo_provide / hogo_receive ---- */

static struct hogo_policy *irp_policy(void)
{
    static struct hogo_policy *p;
    struct hogo_error e;
    if (!p && hogo_policy_open("irp", NULL, &p, &e) != 0)
        fail_msg("cannot load policy irp: %s", e.message);
    return p;
}

static struct hogo_request *parse_req(const char *json)
{
    struct hogo_request *r = NULL;
    struct hogo_error e;
    assert_int_equal(hogo_request_new(&r), 0);
    if (hogo_request_parse(r, hogo_policy_vocab(irp_policy()), json, strlen(json), 0, &e))
        fail_msg("request: %s at %s", e.message, e.where);
    return r;
}

static const char req_applied[] =
    "{\"policy\":\"irp\",\"subject_id\":\"u1\",\"action\":\"provide\",\"purpose\":"
    "\"recruitment_selection\",\"data\":[\"name\",\"email\"],\"service\":\"recruit_agent\","
    "\"recipient\":{\"id\":\"participating_company\",\"corporate_number\":\"6100000000001\"}}";
static const char req_court[] =
    "{\"policy\":\"irp\",\"subject_id\":\"u1\",\"action\":\"provide\",\"purpose\":"
    "\"legal_response\",\"data\":[\"name\",\"address\"],\"recipient\":{\"id\":\"court\"},"
    "\"basis\":\"court_order\"}";
static const char req_receive[] =
    "{\"policy\":\"irp\",\"subject_id\":\"u1\",\"action\":\"receive\",\"purpose\":"
    "\"billing_confirmation\",\"data\":[\"prior_application_fact\"],\"recipient\":{\"id\":"
    "\"participating_company\",\"corporate_number\":\"6100000000001\"}}";

static void applied_subject(struct fx *f)
{
    OK(hogo_subject_add(f->st, "u1", "irp", &f->err));
    OK(hogo_subject_add_fact(f->st, "u1", "applied_to", "6100000000001", &f->err));
}

/* hogo_provide() reads the stored facts as rows (hogo__subject_decide_rows() into
 * hogo_request_set_subject_rows()); hogo check --db as JSON (hogo_store_subject_facts_json()
 * into hogo_request_set_subject_json()). Both must give the same decision, byte for byte. */
struct rows_ctx {
    struct hogo_request *r;
};

static int rows_into_request(void *ctx, const char *const *facts, size_t nfacts,
                             const char *const *consents, size_t nconsents,
                             struct hogo_error *err)
{
    struct rows_ctx *x = ctx;
    return hogo_request_set_subject_rows(x->r, hogo_policy_vocab(irp_policy()), facts, nfacts,
                                         consents, nconsents, err);
}

static char *decided_json(struct hogo_request *r)
{
    struct hogo_decision d;
    struct hogo_error e;
    char *json = NULL;
    if (hogo_decide(irp_policy(), r, &d, &e) || hogo_decision_json(irp_policy(), r, &d, &json, &e))
        fail_msg("decide: %s", e.message);
    return json;
}

static void test_stored_facts_as_rows_decide_as_their_json(void **state)
{
    struct fx *f = *state;
    static const char *const facts[][2] = {
        {"age", "17"}, {"guardian_consent", "false"}, {"scout_service", "true"},
        {"linked_accounts", "ponta"}, {"linked_accounts", "recruit_id"},
        {"services_used", "recruit_agent"}, {"services_requested", "recruit_agent"},
        {"applied_to", "6100000000001"}, {"blocked_companies", "7010001008844"},
        {"opt_outs", "ad_delivery"}};
    OK(hogo_subject_add(f->st, "r1", "irp", &f->err));
    for (size_t i = 0; i < sizeof facts / sizeof facts[0]; i++)
        OK(i < 3 ? hogo_subject_set_fact(f->st, "r1", facts[i][0], facts[i][1], &f->err)
                 : hogo_subject_add_fact(f->st, "r1", facts[i][0], facts[i][1], &f->err));
    /* the block follows the blocked company into its successor */
    OK(hogo_corp_succeed(f->st, "7010001008844", "9234567890123", "merger", &f->err));
    const char *data[] = {"name", "work_history"};
    struct hogo_consent c = {.id = "c1", .recipient = "participating_company",
                             .purpose = "recruitment_selection", .data = data, .n_data = 2,
                             .policy = "irp", .policy_version = "2025-04-01",
                             .method = "web_form"};
    OK(hogo_subject_consent(f->st, "r1", &c, &f->err));
    static const char *const reqs[] = {
        req_applied,
        "{\"policy\":\"irp\",\"subject_id\":\"r1\",\"action\":\"provide\",\"purpose\":"
        "\"recruitment_selection\",\"data\":[\"name\"],\"service\":\"recruit_direct_scout\","
        "\"recipient\":{\"id\":\"participating_company\",\"corporate_number\":"
        "\"9234567890123\"}}",
        "{\"policy\":\"irp\",\"subject_id\":\"r1\",\"action\":\"provide\",\"purpose\":"
        "\"recruitment_selection\",\"data\":[\"name\",\"work_history\"],\"recipient\":{\"id\":"
        "\"participating_company\"},\"basis\":\"consent\",\"consent_id\":\"c1\"}",
        "{\"policy\":\"irp\",\"subject_id\":\"r1\",\"action\":\"use\",\"purpose\":"
        "\"ad_delivery\",\"data\":[\"name\"]}",
        "{\"policy\":\"irp\",\"subject_id\":\"r1\",\"action\":\"use\",\"purpose\":"
        "\"service_improvement\",\"data\":[\"work_history\"]}",
        req_court,
    };
    int allowed = 0, denied = 0;
    for (size_t i = 0; i < sizeof reqs / sizeof reqs[0]; i++) {
        struct hogo_request *r = parse_req(reqs[i]);
        char *json = NULL;
        OK(hogo_store_subject_facts_json(f->st, "irp", "r1", &json, &f->err));
        OK(hogo_request_set_subject_json(r, hogo_policy_vocab(irp_policy()), json, strlen(json),
                                         &f->err));
        free(json);
        char *via_json = decided_json(r);
        struct rows_ctx x = {r};
        OK(hogo_store_begin(f->st, &f->err));
        OK(hogo__subject_decide_rows(f->st, "irp", "r1", rows_into_request, &x, &f->err));
        OK(hogo_store_commit(f->st, &f->err));
        char *via_rows = decided_json(r);
        assert_string_equal(via_rows, via_json);
        allowed += strstr(via_rows, "\"decision\":\"allow\"") != NULL;
        denied += strstr(via_rows, "\"decision\":\"deny\"") != NULL;
        free(via_json);
        free(via_rows);
        hogo_request_free(r);
    }
    /* the facts mattered: some requests were allowed and some (the successor of the
     * blocked company, the opted-out purpose, the minor without a guardian) denied */
    assert_true(allowed > 0);
    assert_true(denied >= 2);
    /* an unknown subject is refused as on the JSON path */
    struct rows_ctx x = {NULL};
    OK(hogo_store_begin(f->st, &f->err));
    assert_int_equal(hogo__subject_decide_rows(f->st, "irp", "nobody", rows_into_request, &x,
                                               &f->err),
                     HOGO_ENOTFOUND);
    OK(hogo_store_commit(f->st, &f->err));
}

static void test_provide_allowed_writes_the_record_with_statutory_retention(void **state)
{
    struct fx *f = *state;
    applied_subject(f);
    struct hogo_request *r = parse_req(req_applied);
    struct hogo_decision d;
    char id[HOGO_LEDGER_ID_BYTES];
    OK(hogo_provide(f->st, irp_policy(), r, &d, id, &f->err));
    assert_true(d.allow);
    assert_true(strncmp(id, "prov-", 5) == 0);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM provisions WHERE record_required = 1 AND "
                              "retention_years = 3 AND items = 'name,email' AND "
                              "recipient_corporate_number = '6100000000001'"),
                     1);
    /* one event is both the allowing decision and the record, and seals the stored decision */
    assert_int_equal(count(f, "SELECT COUNT(*) FROM audit_events WHERE action = 'decision'"), 0);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM audit_events WHERE action = "
                              "'provision.record' AND object LIKE '%decision:allow facts:stored' "
                              "AND detail LIKE '%\"decision_blake2b\":\"%'"),
                     1);
    /* the request is reusable: a second provision on the same parsed request */
    OK(hogo_provide(f->st, irp_policy(), r, &d, id, &f->err));
    assert_int_equal(count(f, "SELECT COUNT(*) FROM provisions"), 2);
    hogo_request_free(r);
    verify_ok(f);
}

/* Verification expecting a tampered ledger: the problem names the record and what changed. */
static void expect_ledger_tamper(struct fx *f, const char *id, const char *what)
{
    struct hogo_audit_report r;
    assert_int_equal(hogo_audit_verify(f->st, f->pk, &r, &f->err), HOGO_ETAMPER);
    if (!strstr(r.problem, id) || !strstr(r.problem, what))
        fail_msg("expected '%s' and '%s' in: %s", id, what, r.problem);
}

/* Edits column col of the record id in table (id_col its key) and expects verify to name the
 * record; then puts the row back from the copy table and expects the log intact again. */
static void edit_and_restore(struct fx *f, const char *table, const char *id_col,
                             const char *id, const char *col, int integer)
{
    char sql[512];
    if (integer)
        snprintf(sql, sizeof sql, "UPDATE %s SET %s = %s + 1 WHERE %s = '%s'", table, col, col,
                 id_col, id);
    else
        snprintf(sql, sizeof sql,
                 "UPDATE %s SET %s = CASE WHEN %s IS NULL THEN 'x' ELSE %s || 'x' END "
                 "WHERE %s = '%s'",
                 table, col, col, col, id_col, id);
    raw(f, sql);
    struct hogo_audit_report r;
    if (hogo_audit_verify(f->st, f->pk, &r, &f->err) != HOGO_ETAMPER || !strstr(r.problem, id))
        fail_msg("editing %s.%s went unnoticed: %s", table, col, r.problem);
    snprintf(sql, sizeof sql, "DELETE FROM %s WHERE %s = '%s'", table, id_col, id);
    raw(f, sql);
    snprintf(sql, sizeof sql, "INSERT INTO %s SELECT * FROM %s_copy", table, table);
    raw(f, sql);
    verify_ok(f);
}

/* Every field of a provision and of a receipt record is bound to its event: editing any one
 * of them (subject, purpose, basis, consent, dates, the counterparty's name, address,
 * representative, corporate number and country, retention, record_required, acquisition,
 * the detail) is found, on every backend. */
static void test_every_field_of_a_record_is_bound_to_its_event(void **state)
{
    struct fx *f = *state;
    char pid[HOGO_LEDGER_ID_BYTES], rid[HOGO_LEDGER_ID_BYTES];
    struct hogo_provision p = prov("u1", "participating_company", 3, "creation");
    p.recipient_address = "Tokyo";
    p.recipient_representative = "Suzuki";
    p.detail_json = "{\"note\":1}";
    OK(hogo_ledger_record_provision(f->st, &p, pid, &f->err));
    struct hogo_receipt rc = {.subject_id = "u1", .provider_name = "Source K.K.",
                              .provider_address = "Tokyo", .provider_representative = "Sato",
                              .provider_corporate_number = "9234567890123",
                              .acquisition = "collected with consent on its web form",
                              .items = items2, .n_items = 2, .basis = "consent",
                              .record_required = 1, .retention_years = 3,
                              .retention_from = "creation", .policy = "irp",
                              .decision_json = "{\"decision\":\"allow\"}"};
    OK(hogo_ledger_record_receipt(f->st, &rc, rid, &f->err));
    verify_ok(f);
    raw(f, "CREATE TABLE provisions_copy AS SELECT * FROM provisions");
    raw(f, "CREATE TABLE receipts_copy AS SELECT * FROM receipts");
    static const char *const ptext[] = {
        "subject_id", "policy", "policy_version", "recipient_name",
        "recipient_corporate_number", "recipient_address", "recipient_representative",
        "recipient_country", "purpose", "basis", "consent_id", "retention_from", "detail"};
    static const char *const pint[] = {"created_at", "provided_at", "record_required",
                                       "retention_years"};
    for (size_t i = 0; i < sizeof ptext / sizeof *ptext; i++)
        edit_and_restore(f, "provisions", "provision_id", pid, ptext[i], 0);
    for (size_t i = 0; i < sizeof pint / sizeof *pint; i++)
        edit_and_restore(f, "provisions", "provision_id", pid, pint[i], 1);
    static const char *const rtext[] = {
        "subject_id", "policy", "provider_name", "provider_address", "provider_representative",
        "provider_corporate_number", "acquisition", "basis", "retention_from", "decision"};
    static const char *const rint[] = {"created_at", "received_at", "record_required",
                                       "retention_years"};
    for (size_t i = 0; i < sizeof rtext / sizeof *rtext; i++)
        edit_and_restore(f, "receipts", "receipt_id", rid, rtext[i], 0);
    for (size_t i = 0; i < sizeof rint / sizeof *rint; i++)
        edit_and_restore(f, "receipts", "receipt_id", rid, rint[i], 1);
    raw(f, "DROP TABLE provisions_copy");
    raw(f, "DROP TABLE receipts_copy");
}

/* Runs sql (a direct change of the stored facts), expects verify to name what in its problem,
 * then puts the four fact tables back from their copies and expects the log intact. */
static void facts_edit(struct fx *f, const char *sql, const char *what)
{
    raw(f, sql);
    struct hogo_audit_report r;
    if (hogo_audit_verify(f->st, f->pk, &r, &f->err) != HOGO_ETAMPER || !strstr(r.problem, what))
        fail_msg("'%s' went unnoticed (expected '%s'): %s", sql, what, r.problem);
    static const char *const tables[] = {"consents", "subject_facts", "subjects",
                                         "corp_successions"};
    char q[160];
    for (int i = 0; i < 4; i++) {
        snprintf(q, sizeof q, "DELETE FROM %s", tables[i]);
        raw(f, q);
    }
    for (int i = 3; i >= 0; i--) {
        snprintf(q, sizeof q, "INSERT INTO %s SELECT * FROM %s_copy", tables[i], tables[i]);
        raw(f, q);
    }
    verify_ok(f);
}

/* The facts decisions rest on are sealed by their events: a block, an age, a consent, a link,
 * an opt-out, a subject's operator or erasure, a whole subject, or a corporate succession
 * changed directly in the database is found by verify, on every backend. */
static void test_facts_changed_in_the_database_are_found(void **state)
{
    struct fx *f = *state;
    OK(hogo_subject_add(f->st, "u1", "irp", &f->err));
    OK(hogo_subject_add(f->st, "u2", "irp", &f->err));
    OK(hogo_subject_set_fact(f->st, "u1", "age", "34", &f->err));
    OK(hogo_subject_add_fact(f->st, "u1", "blocked_companies", "6100000000001", &f->err));
    OK(hogo_subject_add_fact(f->st, "u1", "applied_to", "9234567890123", &f->err));
    OK(hogo_subject_add_fact(f->st, "u1", "opt_outs", "ad_delivery", &f->err));
    OK(hogo_subject_add_fact(f->st, "u1", "linked_accounts", "rikunabi", &f->err));
    const char *data[] = {"name"};
    struct hogo_consent c = {.id = "c1", .recipient = "participating_company",
                             .purpose = "recruitment_selection", .data = data, .n_data = 1,
                             .policy = "irp", .policy_version = "2025-04-01"};
    OK(hogo_subject_consent(f->st, "u1", &c, &f->err));
    OK(hogo_corp_succeed(f->st, "6100000000001", "9234567890123", NULL, &f->err));
    verify_ok(f);
    raw(f, "CREATE TABLE consents_copy AS SELECT * FROM consents");
    raw(f, "CREATE TABLE subject_facts_copy AS SELECT * FROM subject_facts");
    raw(f, "CREATE TABLE subjects_copy AS SELECT * FROM subjects");
    raw(f, "CREATE TABLE corp_successions_copy AS SELECT * FROM corp_successions");
    facts_edit(f, "DELETE FROM subject_facts WHERE fact = 'blocked_companies'", "subject u1");
    facts_edit(f, "UPDATE subject_facts SET value = '17' WHERE fact = 'age'", "subject u1");
    facts_edit(f, "DELETE FROM subject_facts WHERE fact = 'opt_outs'", "subject u1");
    facts_edit(f, "DELETE FROM subject_facts WHERE fact = 'linked_accounts'", "subject u1");
    facts_edit(f, "UPDATE subject_facts SET value = '6100000000001' WHERE fact = 'applied_to'",
               "subject u1");
    facts_edit(f, "UPDATE consents SET purpose = 'ad_delivery'", "subject u1");
    facts_edit(f, "UPDATE consents SET withdrawn_at = 1", "subject u1");
    facts_edit(f, "DELETE FROM consents", "subject u1");
    facts_edit(f, "UPDATE subjects SET operator = 'rcc' WHERE subject_id = 'u2'", "subject u2");
    facts_edit(f, "UPDATE subjects SET erased_at = 1 WHERE subject_id = 'u2'", "subject u2");
    facts_edit(f, "INSERT INTO subject_facts (subject_id, fact, value, updated_at) VALUES "
                  "('u2', 'suspended', 'true', 1)",
               "subject u2");
    facts_edit(f, "INSERT INTO subjects (subject_id, operator, created_at, next_item) VALUES "
                  "('u3', 'irp', 1, 1)",
               "subject u3 has no audit event");
    facts_edit(f, "DELETE FROM corp_successions", "corporate successions");
    static const char *const tables[] = {"consents", "subject_facts", "subjects",
                                         "corp_successions"};
    char q[96];
    for (int i = 0; i < 4; i++) {
        snprintf(q, sizeof q, "DROP TABLE %s_copy", tables[i]);
        raw(f, q);
    }
}

/* A stored value that is not what 'hogo subject set' writes ('34abc' as an age, 'yes' as a
 * flag, a BLOB) is an error for both readers of the facts, never 'unknown' or 0. */
static void test_malformed_stored_facts_are_errors(void **state)
{
    struct fx *f = *state;
    applied_subject(f);
    OK(hogo_subject_set_fact(f->st, "u1", "age", "34", &f->err));
    OK(hogo_subject_set_fact(f->st, "u1", "suspended", "false", &f->err));
    struct hogo_request *r = parse_req(req_applied);
    struct hogo_decision d;
    char id[HOGO_LEDGER_ID_BYTES], *json = NULL;
    OK(hogo_provide(f->st, irp_policy(), r, &d, id, &f->err));
    static const char *const bad[] = {
        "UPDATE subject_facts SET value = '34abc' WHERE fact = 'age'",
        "UPDATE subject_facts SET value = '' WHERE fact = 'age'",
        "UPDATE subject_facts SET value = 'yes' WHERE fact = 'suspended'",
        "UPDATE subject_facts SET value = X'3334' WHERE fact = 'age'", /* SQLite only */
    };
    static const char *const undo[] = {
        "UPDATE subject_facts SET value = '34' WHERE fact = 'age'",
        "UPDATE subject_facts SET value = 'false' WHERE fact = 'suspended'",
    };
    size_t n = strcmp(hogo_store_backend(f->st), "sqlite") ? 3 : 4;
    for (size_t i = 0; i < n; i++) {
        raw(f, bad[i]);
        int64_t before = count(f, "SELECT COUNT(*) FROM provisions");
        assert_true(hogo_provide(f->st, irp_policy(), r, &d, id, &f->err) < 0);
        assert_non_null(strstr(f->err.message, "written outside hogo"));
        assert_int_equal(count(f, "SELECT COUNT(*) FROM provisions"), before);
        assert_true(hogo_store_subject_facts_json(f->st, "irp", "u1", &json, &f->err) < 0);
        assert_null(json);
        assert_non_null(strstr(f->err.message, "written outside hogo"));
        raw(f, undo[0]);
        raw(f, undo[1]);
    }
    OK(hogo_store_subject_facts_json(f->st, "irp", "u1", &json, &f->err));
    free(json);
    hogo_request_free(r);
}

static void test_audit_verify_holds_every_record_to_its_event(void **state)
{
    struct fx *f = *state;
    applied_subject(f);
    struct hogo_request *r = parse_req(req_applied);
    struct hogo_decision d;
    char id[3][HOGO_LEDGER_ID_BYTES], sql[1024];
    for (int i = 0; i < 3; i++)
        OK(hogo_provide(f->st, irp_policy(), r, &d, id[i], &f->err));
    hogo_request_free(r);
    verify_ok(f);
    /* edits, each caught and undone */
    static const char *const edits[][3] = {
        {"recipient_id = 'prospective_client'", "recipient_id = 'participating_company'",
         "recipient"},
        {"items = 'name'", "items = 'name,email'", "items"},
        {"decision = replace(decision, '3(1)', '3(2)')",
         "decision = replace(decision, '3(2)', '3(1)')", "decision"},
    };
    for (int i = 0; i < 3; i++) {
        snprintf(sql, sizeof sql, "UPDATE provisions SET %s WHERE provision_id = '%s'",
                 edits[i][0], id[1]);
        raw(f, sql);
        expect_ledger_tamper(f, id[1], edits[i][2]);
        snprintf(sql, sizeof sql, "UPDATE provisions SET %s WHERE provision_id = '%s'",
                 edits[i][1], id[1]);
        raw(f, sql);
        verify_ok(f);
    }
    /* a record written outside hogo */
    snprintf(sql, sizeof sql,
             "INSERT INTO provisions (subject_id, provision_id, created_at, provided_at, "
             "policy, policy_version, recipient_id, recipient_name, recipient_corporate_number, "
             "recipient_address, recipient_representative, recipient_country, purpose, items, "
             "basis, consent_id, record_required, retention_years, retention_from, "
             "last_provision_at, purge_after, decision, detail) SELECT subject_id, "
             "'prov-0000000000000forged', created_at, provided_at, policy, policy_version, "
             "recipient_id, recipient_name, recipient_corporate_number, recipient_address, "
             "recipient_representative, recipient_country, purpose, items, basis, consent_id, "
             "record_required, retention_years, retention_from, last_provision_at, "
             "purge_after, decision, detail FROM provisions WHERE provision_id = '%s'",
             id[0]);
    raw(f, sql);
    expect_ledger_tamper(f, "prov-0000000000000forged", "no audit event");
    raw(f, "DELETE FROM provisions WHERE provision_id = 'prov-0000000000000forged'");
    verify_ok(f);
    /* a record deleted before its retention ends */
    snprintf(sql, sizeof sql, "DELETE FROM provisions WHERE provision_id = '%s'", id[2]);
    raw(f, sql);
    expect_ledger_tamper(f, id[2], "deleted before the end of its retention");
    /* past its retention the same absence is a purge */
    hogo__store_set_now(f->st, hogo__now_us(f->st) + 4 * 366 * 86400000000LL);
    verify_ok(f);
}

static void test_provide_without_record_obligation_keeps_the_operators_retention(void **state)
{
    struct fx *f = *state;
    applied_subject(f);
    struct hogo_request *r = parse_req(req_court);
    struct hogo_decision d;
    char id[HOGO_LEDGER_ID_BYTES];
    struct hogo_provide_opts o = {.own_retention_years = 5};
    OK(hogo_provide_ex(f->st, irp_policy(), r, &o, &d, id, &f->err));
    assert_true(d.allow);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM provisions WHERE record_required = 0 AND "
                              "retention_years = 5 AND basis = 'court_order'"),
                     1);
    /* default: HOGO_OWN_RETENTION_YEARS */
    OK(hogo_provide(f->st, irp_policy(), r, &d, id, &f->err));
    assert_int_equal(count(f, "SELECT COUNT(*) FROM provisions WHERE record_required = 0 AND "
                              "retention_years = 3"),
                     1);
    hogo_request_free(r);
}

static void test_provide_denied_writes_no_record_but_audits_the_decision(void **state)
{
    struct fx *f = *state;
    OK(hogo_subject_add(f->st, "u1", "irp", &f->err)); /* never applied to the company */
    struct hogo_request *r = parse_req(req_applied);
    struct hogo_decision d;
    char id[HOGO_LEDGER_ID_BYTES] = "x";
    OK(hogo_provide(f->st, irp_policy(), r, &d, id, &f->err));
    assert_false(d.allow);
    assert_string_equal(id, "");
    assert_int_equal(count(f, "SELECT COUNT(*) FROM provisions"), 0);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM audit_events WHERE action = 'decision' AND "
                              "object LIKE '%decision:deny%'"),
                     1);
    hogo_request_free(r);
    verify_ok(f);
}

static void test_provide_refuses_requests_it_cannot_record(void **state)
{
    struct fx *f = *state;
    applied_subject(f);
    struct hogo_decision d;
    char id[HOGO_LEDGER_ID_BYTES];
    struct hogo_request *r = parse_req(
        "{\"policy\":\"irp\",\"action\":\"provide\",\"purpose\":\"legal_response\",\"data\":"
        "[\"name\"],\"recipient\":{\"id\":\"court\"},\"basis\":\"court_order\"}");
    assert_int_equal(hogo_provide(f->st, irp_policy(), r, &d, id, &f->err), HOGO_EINVAL);
    assert_string_equal(f->err.where, "/subject_id");
    hogo_request_free(r);
    r = parse_req(req_receive);
    assert_int_equal(hogo_provide(f->st, irp_policy(), r, &d, id, &f->err), HOGO_EINVAL);
    assert_string_equal(f->err.where, "/action");
    hogo_request_free(r);
    r = parse_req("{\"policy\":\"irp\",\"subject_id\":\"u1\",\"action\":\"provide\",\"purpose\":"
                  "\"legal_response\",\"data\":[\"name\"],\"recipient\":{\"id\":\"court\"},"
                  "\"basis\":\"court_order\",\"subject\":{\"age\":30}}");
    assert_int_equal(hogo_provide(f->st, irp_policy(), r, &d, id, &f->err), HOGO_EINVAL);
    assert_string_equal(f->err.where, "/subject");
    hogo_request_free(r);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM audit_events WHERE action = 'decision'"), 0);
}

static int refuse_record(void *ctx, const struct hogo_decision *d, const char *dj,
                         char **detail, struct hogo_error *err)
{
    (void)ctx;
    (void)d;
    (void)dj;
    *detail = strdup("{\"half\":true}");
    return hogo_error_set(err, HOGO_EIO, NULL, "the de-identification failed");
}

static int name_detail(void *ctx, const struct hogo_decision *d, const char *dj, char **detail,
                       struct hogo_error *err)
{
    (void)ctx;
    (void)err;
    assert_true(d->allow);
    assert_non_null(strstr(dj, "\"decision\":\"allow\""));
    *detail = strdup("{\"deidentify\":{\"drop\":[\"name\"]}}");
    return 0;
}

static void test_provide_before_record_detail_is_kept_and_its_failure_rolls_back(void **state)
{
    struct fx *f = *state;
    applied_subject(f);
    struct hogo_request *r = parse_req(req_applied);
    struct hogo_decision d;
    char id[HOGO_LEDGER_ID_BYTES];
    int64_t events = count(f, "SELECT COUNT(*) FROM audit_events");
    struct hogo_provide_opts o = {.before_record = refuse_record};
    assert_int_equal(hogo_provide_ex(f->st, irp_policy(), r, &o, &d, id, &f->err), HOGO_EIO);
    assert_false(d.allow);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM provisions"), 0);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM audit_events"), events);
    o.before_record = name_detail;
    OK(hogo_provide_ex(f->st, irp_policy(), r, &o, &d, id, &f->err));
    char *json = NULL;
    OK(hogo_ledger_show_json(f->st, id, &json, &f->err));
    assert_non_null(strstr(json, "{\"deidentify\":{\"drop\":[\"name\"]}}"));
    free(json);
    hogo_request_free(r);
    verify_ok(f);
}

static void test_disclosure_opens_every_item_and_lists_records_consents_facts(void **state)
{
    struct fx *f = *state;
    struct hogo_provenance pv = {.channel = "direct", .service = "rikunabi"};
    static const unsigned char binary[] = {0xff, 0x00, 0xfe};
    applied_subject(f);
    OK(hogo_subject_set_fact(f->st, "u1", "age", "47", &f->err));
    struct hogo_consent c = {.id = "c1", .recipient = "participating_company",
                             .purpose = "recruitment_selection",
                             .data = (const char *const[]){"name"}, .n_data = 1,
                             .policy = "irp", .policy_version = "2025-04-01"};
    OK(hogo_subject_consent(f->st, "u1", &c, &f->err));
    OK(hogo_subject_withdraw(f->st, "u1", "c1", &f->err));
    OK(hogo_data_put(f->st, "u1", "email", secret_mail, strlen(secret_mail), &pv, NULL,
                     &f->err));
    OK(hogo_data_put(f->st, "u1", "name", "山田太郎", strlen("山田太郎"), &pv, NULL, &f->err));
    OK(hogo_data_put(f->st, "u1", "cookie", binary, sizeof binary, &pv, NULL, &f->err));
    struct hogo_request *r = parse_req(req_applied);
    struct hogo_decision d;
    char id[HOGO_LEDGER_ID_BYTES];
    OK(hogo_provide(f->st, irp_policy(), r, &d, id, &f->err));
    hogo_request_free(r);
    int64_t reads = count(f, "SELECT COUNT(*) FROM audit_events WHERE action = 'data.read'");
    char *json = NULL;
    OK(hogo_subject_disclose_json(f->st, "u1", &json, &f->err));
    /* 33(1): every item with its value; bytes that are not text come as base64 */
    assert_non_null(strstr(json, "\"category\":\"email\",\"value\":\"taro.yamada@example.jp\""));
    assert_non_null(strstr(json, "\"category\":\"name\",\"value\":\"山田太郎\""));
    assert_non_null(strstr(json, "\"value\":null,\"value_base64\":\"/wD+\""));
    assert_non_null(strstr(json, "\"service\":\"rikunabi\""));
    /* facts and consents, a withdrawn one with its date */
    assert_non_null(strstr(json, "\"age\":47"));
    assert_non_null(strstr(json, "\"id\":\"c1\""));
    assert_null(strstr(json, "\"withdrawn_at\":null"));
    /* 33(5): the provision record made above */
    assert_non_null(strstr(json, id));
    assert_non_null(strstr(json, "\"receipts\":[]"));
    free(json);
    /* each value read is an audit event, and the disclosure one more */
    assert_int_equal(count(f, "SELECT COUNT(*) FROM audit_events WHERE action = 'data.read'"),
                     reads + 3);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM audit_events WHERE action = "
                              "'subject.disclose' AND detail = '{\"data_items\":3,\"records\":1}'"),
                     1);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM audit_events WHERE object LIKE '%taro%' "
                              "OR detail LIKE '%taro%' OR detail LIKE '%山田%'"),
                     0);
    /* a moved ciphertext fails the whole disclosure, and nothing is recorded */
    int64_t events = count(f, "SELECT COUNT(*) FROM audit_events");
    raw(f, "UPDATE data_items SET value = (SELECT value FROM data_items WHERE item_id = 1) "
           "WHERE item_id = 2");
    assert_int_equal(hogo_subject_disclose_json(f->st, "u1", &json, &f->err), HOGO_ECRYPTO);
    assert_null(json);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM audit_events"), events);
    assert_int_equal(hogo_subject_disclose_json(f->st, "nobody", &json, &f->err),
                     HOGO_ENOTFOUND);
    verify_ok(f);
}

/* ---- group commit: eight threads, one shared handle ---- */

#define GC_THREADS 8
#define GC_CALLS 25

struct gc_worker {
    struct hogo_store *st;  /* shared, opened with group_commit */
    int n;                  /* thread number */
    char ids[GC_CALLS][HOGO_LEDGER_ID_BYTES]; /* record ids acknowledged */
    int ok, allowed, bad_rc; /* successful calls, allowed decisions, the bad call's result */
    char bad_msg[sizeof ((struct hogo_error *)0)->message];
};

static void *gc_thread(void *arg)
{
    struct gc_worker *w = arg;
    char json[512], bad[512];
    snprintf(json, sizeof json,
             "{\"policy\":\"irp\",\"subject_id\":\"g%d\",\"action\":\"provide\","
             "\"purpose\":\"recruitment_selection\",\"data\":[\"name\",\"email\"],"
             "\"service\":\"recruit_agent\",\"recipient\":{\"id\":"
             "\"participating_company\",\"corporate_number\":\"6100000000001\"}}",
             w->n);
    snprintf(bad, sizeof bad, "%s", json);
    memcpy(strstr(bad, "\"g") + 1, "x", 1); /* subject "x<n>" does not exist */
    struct hogo_request *r = NULL, *rb = NULL;
    struct hogo_error e;
    const struct hogo_vocab *v = hogo_policy_vocab(irp_policy());
    if (hogo_request_new(&r) || hogo_request_new(&rb) ||
        hogo_request_parse(r, v, json, strlen(json), 0, &e) ||
        hogo_request_parse(rb, v, bad, strlen(bad), 0, &e))
        goto out;
    for (int i = 0; i < GC_CALLS; i++) {
        struct hogo_decision d;
        if (i == GC_CALLS / 2) {
            /* one failing call in the middle: it must fail alone */
            hogo_error_clear(&e);
            w->bad_rc = hogo_provide(w->st, irp_policy(), rb, &d, w->ids[i], &e);
            snprintf(w->bad_msg, sizeof w->bad_msg, "%s", e.message);
        }
        hogo_error_clear(&e);
        if (hogo_provide(w->st, irp_policy(), r, &d, w->ids[i], &e) == 0) {
            w->ok++;
            w->allowed += d.allow;
        } else {
            fprintf(stderr, "thread %d call %d: %s\n", w->n, i, e.message);
        }
    }
out:
    hogo_request_free(r);
    hogo_request_free(rb);
    return NULL;
}

static void test_group_commit_eight_threads_each_get_their_own_result(void **state)
{
    struct fx *f = *state;
    irp_policy(); /* loaded once, then shared read-only by the threads */
    for (int t = 0; t < GC_THREADS; t++) {
        char sid[16];
        snprintf(sid, sizeof sid, "g%d", t);
        OK(hogo_subject_add(f->st, sid, "irp", &f->err));
        OK(hogo_subject_add_fact(f->st, sid, "applied_to", "6100000000001", &f->err));
    }
    int64_t events0 = count(f, "SELECT COUNT(*) FROM audit_events");
    struct hogo_store_options o = {.master_key = f->master, .signing_key = f->sk,
                                   .checkpoint_interval = 50, .actor = "test",
                                   .key_store = f->keys, .group_commit = 1};
    struct hogo_store *shared = NULL;
    OK(hogo_store_open(&shared, f->loc, &o, &f->err));
    static struct gc_worker w[GC_THREADS];
    pthread_t th[GC_THREADS];
    memset(w, 0, sizeof w);
    for (int t = 0; t < GC_THREADS; t++) {
        w[t].st = shared;
        w[t].n = t;
        assert_int_equal(pthread_create(&th[t], NULL, gc_thread, &w[t]), 0);
    }
    for (int t = 0; t < GC_THREADS; t++)
        pthread_join(th[t], NULL);
    int64_t batches, items;
    hogo__group_stats(shared, &batches, &items);
    hogo_store_free(shared);
    assert_int_equal(items, GC_THREADS * (GC_CALLS + 1));
    assert_true(batches >= 1 && batches <= items);
    for (int t = 0; t < GC_THREADS; t++) {
        assert_int_equal(w[t].ok, GC_CALLS);
        assert_int_equal(w[t].allowed, GC_CALLS);
        /* the failing call failed alone, with its own message */
        assert_int_equal(w[t].bad_rc, HOGO_ENOTFOUND);
        char want[16];
        snprintf(want, sizeof want, "'x%d'", t);
        assert_non_null(strstr(w[t].bad_msg, want));
        /* every acknowledged record is there, for this thread's subject */
        for (int i = 0; i < GC_CALLS; i++) {
            char sql[256];
            assert_true(strncmp(w[t].ids[i], "prov-", 5) == 0);
            snprintf(sql, sizeof sql,
                     "SELECT COUNT(*) FROM provisions WHERE provision_id = '%s' AND "
                     "subject_id = 'g%d'",
                     w[t].ids[i], t);
            assert_int_equal(count(f, sql), 1);
            snprintf(sql, sizeof sql,
                     "SELECT COUNT(*) FROM audit_events WHERE action = 'provision.record' AND "
                     "subject_id = 'g%d' AND object LIKE 'provision:%s %%'",
                     t, w[t].ids[i]);
            assert_int_equal(count(f, sql), 1);
        }
    }
    int64_t n = GC_THREADS * GC_CALLS;
    assert_int_equal(count(f, "SELECT COUNT(*) FROM provisions"), n);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM audit_events WHERE action = 'decision'"), 0);
    /* one event per provision (the record, naming its decision) and none for the failed
     * calls; the chain is gapless */
    assert_int_equal(count(f, "SELECT COUNT(*) FROM audit_events"), events0 + n);
    assert_int_equal(count(f, "SELECT MAX(seq) FROM audit_events"), events0 + n);
    assert_true(count(f, "SELECT COUNT(*) FROM checkpoints") >= (events0 + n) / 50);
    verify_ok(f);
}

/* Eight threads deciding on stored facts through one group-commit handle: each decision is
 * its own audit event, found by the sequence number the call gives, and calls share
 * commits. */
struct gd_worker {
    struct hogo_store *st; /* shared, opened with group_commit */
    int n;                 /* thread number */
    int64_t seq[GC_CALLS]; /* the decisions' events */
    int ok, allowed, bad_rc;
};

static void *gd_thread(void *arg)
{
    struct gd_worker *w = arg;
    char json[512];
    snprintf(json, sizeof json,
             "{\"policy\":\"irp\",\"action\":\"provide\",\"purpose\":"
             "\"recruitment_selection\",\"data\":[\"name\"],\"service\":\"recruit_agent\","
             "\"recipient\":{\"id\":\"participating_company\",\"corporate_number\":"
             "\"6100000000001\"}}");
    struct hogo_request *r = NULL;
    struct hogo_error e;
    char sid[16], missing[16];
    snprintf(sid, sizeof sid, "d%d", w->n);
    snprintf(missing, sizeof missing, "z%d", w->n);
    if (hogo_request_new(&r) ||
        hogo_request_parse(r, hogo_policy_vocab(irp_policy()), json, strlen(json), 0, &e))
        goto out;
    for (int i = 0; i < GC_CALLS; i++) {
        struct hogo_decision d;
        int64_t seq = 0;
        if (i == GC_CALLS / 2) {
            hogo_error_clear(&e);
            w->bad_rc = hogo_decide_stored(w->st, irp_policy(), r, missing, &d, &seq, &e);
        }
        hogo_error_clear(&e);
        if (hogo_decide_stored(w->st, irp_policy(), r, sid, &d, &w->seq[i], &e) == 0) {
            w->ok++;
            w->allowed += d.allow;
        } else {
            fprintf(stderr, "thread %d call %d: %s\n", w->n, i, e.message);
        }
    }
out:
    hogo_request_free(r);
    return NULL;
}

static void test_group_commit_decisions_on_stored_facts(void **state)
{
    struct fx *f = *state;
    irp_policy();
    for (int t = 0; t < GC_THREADS; t++) {
        char sid[16];
        snprintf(sid, sizeof sid, "d%d", t);
        OK(hogo_subject_add(f->st, sid, "irp", &f->err));
        if (t % 2 == 0) /* even threads' subjects applied: allowed; odd ones: denied */
            OK(hogo_subject_add_fact(f->st, sid, "applied_to", "6100000000001", &f->err));
    }
    int64_t events0 = count(f, "SELECT COUNT(*) FROM audit_events");
    struct hogo_store_options o = {.master_key = f->master, .signing_key = f->sk,
                                   .actor = "test", .key_store = f->keys, .group_commit = 1};
    struct hogo_store *shared = NULL;
    OK(hogo_store_open(&shared, f->loc, &o, &f->err));
    static struct gd_worker w[GC_THREADS];
    pthread_t th[GC_THREADS];
    memset(w, 0, sizeof w);
    for (int t = 0; t < GC_THREADS; t++) {
        w[t].st = shared;
        w[t].n = t;
        assert_int_equal(pthread_create(&th[t], NULL, gd_thread, &w[t]), 0);
    }
    for (int t = 0; t < GC_THREADS; t++)
        pthread_join(th[t], NULL);
    int64_t batches, items;
    hogo__group_stats(shared, &batches, &items);
    hogo_store_free(shared);
    assert_int_equal(items, GC_THREADS * (GC_CALLS + 1));
    assert_true(batches < items); /* concurrent decisions shared commits */
    for (int t = 0; t < GC_THREADS; t++) {
        assert_int_equal(w[t].ok, GC_CALLS);
        assert_int_equal(w[t].allowed, t % 2 == 0 ? GC_CALLS : 0);
        assert_int_equal(w[t].bad_rc, HOGO_ENOTFOUND); /* failed alone, wrote nothing */
        for (int i = 0; i < GC_CALLS; i++) {
            char sql[256];
            snprintf(sql, sizeof sql,
                     "SELECT COUNT(*) FROM audit_events WHERE seq = %lld AND action = "
                     "'decision' AND subject_id = 'd%d' AND object = 'policy:irp "
                     "decision:%s facts:stored'",
                     (long long)w[t].seq[i], t, t % 2 == 0 ? "allow" : "deny");
            assert_int_equal(count(f, sql), 1);
        }
    }
    int64_t n = GC_THREADS * GC_CALLS;
    assert_int_equal(count(f, "SELECT COUNT(*) FROM audit_events"), events0 + n);
    assert_int_equal(count(f, "SELECT MAX(seq) FROM audit_events"), events0 + n);
    verify_ok(f);
}

static int gc_put(struct hogo_store *st, void *ctx, struct hogo_error *err)
{
    int rc = hogo_subject_add(st, "r1", "irp", err);
    if (rc == 0)
        rc = hogo_subject_set_fact(st, "r1", "age", ctx ? "999" : "30", err);
    return rc;
}

static void test_store_run_is_one_transaction(void **state)
{
    struct fx *f = *state;
    int64_t events0 = count(f, "SELECT COUNT(*) FROM audit_events");
    /* a failing second step undoes the first */
    assert_int_equal(hogo_store_run(f->st, gc_put, (void *)1, &f->err), HOGO_EINVAL);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM subjects WHERE subject_id = 'r1'"), 0);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM audit_events"), events0);
    OK(hogo_store_run(f->st, gc_put, NULL, &f->err));
    assert_int_equal(count(f, "SELECT COUNT(*) FROM subject_facts WHERE subject_id = 'r1'"), 1);
    verify_ok(f);
}

/* A write the database refuses (a duplicate key): PostgreSQL reports it only later, with the
 * pipelined statements' results. */
static int dup_key_write(struct hogo_store *st, void *ctx, struct hogo_error *err)
{
    (void)ctx;
    return hogo__exec(st, "INSERT INTO hogo_meta (key, value) VALUES ('schema_version', 'x')",
                      NULL, 0, NULL, err);
}

static int event_write(struct hogo_store *st, void *ctx, struct hogo_error *err)
{
    (void)ctx;
    return hogo__audit_append(st, NULL, "test.event", "object", NULL, err);
}

static void test_a_write_the_database_refuses_fails_its_own_call(void **state)
{
    struct fx *f = *state;
    int64_t events0 = count(f, "SELECT COUNT(*) FROM audit_events");
    /* in a batch: the hogo_store_run() call that made the write fails, and the batch
     * cannot commit */
    OK(hogo_store_begin(f->st, &f->err));
    OK(hogo_store_run(f->st, event_write, NULL, &f->err));
    assert_int_equal(hogo_store_run(f->st, dup_key_write, NULL, &f->err), HOGO_ESTORE);
    assert_true(hogo_store_commit(f->st, &f->err) < 0);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM audit_events"), events0);
    /* on a shared group-commit handle: the failing call fails alone */
    struct hogo_store_options o = {.master_key = f->master, .signing_key = f->sk,
                                   .actor = "test", .key_store = f->keys, .group_commit = 1};
    struct hogo_store *shared = NULL;
    OK(hogo_store_open(&shared, f->loc, &o, &f->err));
    OK(hogo_store_run(shared, event_write, NULL, &f->err));
    assert_int_equal(hogo_store_run(shared, dup_key_write, NULL, &f->err), HOGO_ESTORE);
    OK(hogo_store_run(shared, event_write, NULL, &f->err));
    hogo_store_free(shared);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM audit_events WHERE action = 'test.event'"),
                     2);
    char *v = NULL;
    OK(hogo__query_text(f->st, "SELECT value FROM hogo_meta WHERE key = 'schema_version'", NULL,
                        0, &v, &f->err));
    assert_int_equal(atoi(v), hogo_store_latest_schema_version());
    free(v);
    verify_ok(f);
}

static void test_receive_needs_every_confirmation_item(void **state)
{
    struct fx *f = *state;
    applied_subject(f);
    struct hogo_request *r = parse_req(req_receive);
    struct hogo_decision d;
    char id[HOGO_LEDGER_ID_BYTES];
    struct hogo_provide_opts o = {.provider_name = "株式会社テスト",
                                  .provider_address = "東京都千代田区1-1",
                                  .provider_representative = "山田一郎"};
    int64_t events = count(f, "SELECT COUNT(*) FROM audit_events");
    assert_int_equal(hogo_receive(f->st, irp_policy(), r, &o, &d, id, &f->err), HOGO_EINVAL);
    assert_string_equal(f->err.where, "/acquisition");
    assert_int_equal(count(f, "SELECT COUNT(*) FROM audit_events"), events);
    o.acquisition = "本人の同意を得て取得（契約書で確認）";
    OK(hogo_receive(f->st, irp_policy(), r, &o, &d, id, &f->err));
    assert_true(d.allow);
    assert_true(strncmp(id, "rcpt-", 5) == 0);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM receipts WHERE record_required = 1 AND "
                              "decision IS NOT NULL"),
                     1);
    hogo_request_free(r);
    verify_ok(f);
}

/* ---- faults: every store call fails in turn ---- */

/* A fingerprint of the whole database: row counts and the audit head. */
static void fingerprint(struct fx *f, struct hogo_store *st, char out[512])
{
    static const char *const tables[] = {"subjects", "subject_facts", "consents",
                                         "subject_keys", "data_items", "provisions",
                                         "receipts", "audit_events", "checkpoints",
                                         "corp_successions", "hogo_meta"};
    out[0] = '\0';
    for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++) {
        char sql[128], part[48];
        int64_t n = -1;
        snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM %s", tables[i]);
        OK(hogo__query_int(st, sql, NULL, 0, &n, NULL, &f->err));
        snprintf(part, sizeof part, "%s=%lld ", tables[i], (long long)n);
        strcat(out, part);
    }
    char *v = NULL;
    OK(hogo__query_text(st, "SELECT value FROM hogo_meta WHERE key = 'master_key_id'", NULL, 0,
                        &v, &f->err));
    strncat(out, v ? v : "-", 40);
    free(v);
    if (f->fingerprint_keys) {
        char *k = NULL;
        OK(hogo__keys_open(st, &f->err));
        OK(hogo__keys_text(st, "SELECT CAST(COUNT(*) AS TEXT) FROM subject_keys", NULL, 0, &k,
                           &f->err));
        strcat(out, " keys=");
        strncat(out, k ? k : "-", 20);
        free(k);
    }
}

typedef int (*fault_op)(struct hogo_store *st, struct hogo_error *err);

static int op_subject_add(struct hogo_store *st, struct hogo_error *err)
{
    return hogo_subject_add(st, "fresh", "irp", err);
}

static int op_fact(struct hogo_store *st, struct hogo_error *err)
{
    return hogo_subject_add_fact(st, "u1", "blocked_companies", "9234567890123", err);
}

static int op_data_put(struct hogo_store *st, struct hogo_error *err)
{
    return hogo_data_put(st, "u1", "email", "a@x", 3, NULL, NULL, err);
}

static int op_data_get(struct hogo_store *st, struct hogo_error *err)
{
    unsigned char *v = NULL;
    size_t n;
    int rc = hogo_data_get(st, "u1", 1, &v, &n, err);
    free(v);
    return rc;
}

static int op_provision(struct hogo_store *st, struct hogo_error *err)
{
    struct hogo_provision p = prov("u1", "participating_company", 3, "last_provision");
    return hogo_ledger_record_provision(st, &p, NULL, err);
}

static int op_erase(struct hogo_store *st, struct hogo_error *err)
{
    return hogo_subject_erase(st, "u1", err);
}

static int op_rotate(struct hogo_store *st, struct hogo_error *err)
{
    unsigned char k[32];
    memset(k, 7, sizeof k);
    return hogo_key_rotate(st, k, NULL, err);
}

static int op_checkpoint(struct hogo_store *st, struct hogo_error *err)
{
    return hogo_audit_checkpoint(st, NULL, err);
}

static int op_purge(struct hogo_store *st, struct hogo_error *err)
{
    return hogo_ledger_purge(st, NULL, err);
}

static int op_provide(struct hogo_store *st, struct hogo_error *err)
{
    struct hogo_request *r = parse_req(req_applied);
    struct hogo_decision d;
    int rc = hogo_provide(st, irp_policy(), r, &d, NULL, err);
    hogo_request_free(r);
    return rc;
}

static int op_decide_stored(struct hogo_store *st, struct hogo_error *err)
{
    struct hogo_request *r = parse_req(req_applied);
    struct hogo_decision d;
    int rc = hogo_decide_stored(st, irp_policy(), r, NULL, &d, NULL, err);
    hogo_request_free(r);
    return rc;
}

static void run_faults(struct fx *f, fault_op op, const char *name)
{
    char before[512], after[512], target[600];
    fingerprint(f, f->st, before);
    struct hogo_store_options o = {.master_key = f->master, .signing_key = f->sk,
                                   .actor = "test", .key_store = f->keys};
    long n;
    for (n = 1; n < 1000; n++) {
        struct hogo_store *st = NULL;
        struct hogo_error e;
        hogo_error_clear(&e);
        snprintf(target, sizeof target, "%ld:%s", n, f->loc);
        int rc = hogo__store_open_ops(&st, &hogo__fault_ops, target, &o, &e);
        if (rc == 0) {
            rc = op(st, &e);
            if (rc == 0 && hogo__fault_calls(st) < n) {
                hogo_store_free(st);
                break; /* the operation made fewer than n calls: every one has failed once */
            }
            hogo_store_free(st);
        }
        if (rc == 0)
            fail_msg("%s: store call %ld failed but the operation reported success", name, n);
        assert_true(e.code != 0 && e.message[0] != '\0'); /* the failure was reported */
        fingerprint(f, f->st, after);
        if (strcmp(before, after) != 0)
            fail_msg("%s: failing store call %ld changed the database:\n%s\n%s", name, n, before,
                     after);
    }
    assert_true(n > 3);
    fingerprint(f, f->st, after);
    assert_string_not_equal(before, after); /* the unfailed run did change it */
    verify_ok(f);
}

static void test_every_store_call_failing_leaves_the_database_as_it_was(void **state)
{
    struct fx *f = *state;
    OK(hogo_subject_add(f->st, "u1", "irp", &f->err));
    OK(hogo_data_put(f->st, "u1", "email", "a@x", 3, NULL, NULL, &f->err));
    OK(hogo_audit_checkpoint(f->st, NULL, &f->err));
    run_faults(f, op_subject_add, "subject add");
    run_faults(f, op_fact, "fact add");
    run_faults(f, op_data_put, "data put");
    run_faults(f, op_data_get, "data get");
    run_faults(f, op_provision, "provision");
    OK(hogo_subject_add_fact(f->st, "u1", "applied_to", "6100000000001", &f->err));
    run_faults(f, op_provide, "provide");
    run_faults(f, op_decide_stored, "decide on stored facts");
    run_faults(f, op_purge, "purge");
    run_faults(f, op_checkpoint, "checkpoint");
    run_faults(f, op_rotate, "rotate");
    memset(f->master, 7, sizeof f->master);
    hogo_store_free(f->st);
    f->st = fx_open(f, 1000);
    run_faults(f, op_erase, "erase");
}


/* ---- erasure leaves the key in no file; it is complete and recorded, or not done ---- */

/* 1 when the file holds the n bytes needle anywhere (0 for a missing file). */
static int file_holds(const char *path, const void *needle, size_t n)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return 0;
    size_t cap = 1 << 20, len = 0, got;
    unsigned char *buf = malloc(cap);
    assert_non_null(buf);
    while ((got = fread(buf + len, 1, cap - len, fp)) > 0) {
        len += got;
        if (len == cap) {
            unsigned char *more = realloc(buf, cap *= 2);
            assert_non_null(more);
            buf = more;
        }
    }
    fclose(fp);
    int found = 0;
    for (size_t i = 0; n && i + n <= len && !found; i++)
        found = !memcmp(buf + i, needle, n);
    free(buf);
    return found;
}

static int take_wrapped_key(void *ctx, const struct hogo__val *c, size_t n)
{
    return copy_blob(ctx, c, n);
}

static void test_erasure_leaves_the_key_in_no_file_while_another_connection_is_open(void **state)
{
    struct fx *f = *state;
    int sqlite = !strcmp(hogo_store_backend(f->st), "sqlite");
    static const char plain[] = "plaintext-that-must-vanish@example.jp";
    int64_t id;
    OK(hogo_subject_add(f->st, "u1", "irp", &f->err));
    OK(hogo_data_put(f->st, "u1", "email", plain, strlen(plain), NULL, &id, &f->err));
    for (int i = 0; i < 4; i++) { /* others' keys share the erased key's page */
        char other_id[8];
        snprintf(other_id, sizeof other_id, "o%d", i);
        OK(hogo_subject_add(f->st, other_id, "irp", &f->err));
        OK(hogo_data_put(f->st, other_id, "email", "x@y", 3, NULL, NULL, &f->err));
    }
    /* another connection holds the key store open (and has read from it) */
    void *other = NULL;
    OK(hogo__sqlite_ops.open(&other, f->keys, &f->err));
    struct blob_copy wrapped = {{0}, 0};
    OK(hogo__sqlite_ops.query(other, "SELECT wrapped FROM subject_keys WHERE subject_id = 'u1'",
                              NULL, 0, take_wrapped_key, &wrapped, &f->err));
    assert_true(wrapped.n > 32);
    char backup[600];
    snprintf(backup, sizeof backup, "%s.before-erasure", f->loc);
    if (sqlite) { /* a copy of the database alone, taken before the erasure */
        hogo_store_free(f->st);
        assert_int_equal(copy_file(f->loc, backup), 0);
        f->st = fx_open(f, 1000);
    }
    OK(hogo_subject_erase(f->st, "u1", &f->err));
    /* every file hogo wrote: the database and its WAL, the key store and its WAL/journal */
    char files[8][700];
    int nf = 0;
    static const char *const suffix[] = {"", "-wal", "-shm", "-journal"};
    for (int i = 0; i < 4; i++) {
        snprintf(files[nf++], sizeof files[0], "%s%s", f->keys, suffix[i]);
        if (sqlite)
            snprintf(files[nf++], sizeof files[0], "%s%s", f->loc, suffix[i]);
    }
    for (int i = 0; i < nf; i++) {
        if (file_holds(files[i], wrapped.b, wrapped.n))
            fail_msg("the erased subject's wrapped key survives in %s", files[i]);
        if (file_holds(files[i], plain, strlen(plain)))
            fail_msg("the erased subject's plaintext is in %s", files[i]);
    }
    hogo__sqlite_ops.close(other);
    verify_ok(f);
    if (sqlite) { /* the pre-erasure database brings nothing back */
        struct hogo_store_options o = {.master_key = f->master, .actor = "test",
                                       .key_store = f->keys};
        struct hogo_store *b = NULL;
        unsigned char *v = NULL;
        size_t n;
        OK(hogo_store_open(&b, backup, &o, &f->err));
        assert_int_equal(hogo_data_get(b, "u1", id, &v, &n, &f->err), HOGO_ENOTFOUND);
        assert_null(v);
        hogo_store_free(b);
        suite_drop(backup);
    }
}

/* A key store backend that forwards to SQLite and fails its call number keys_fail_at. */
static long keys_fail_at, keys_calls;

static int keys_hit(const char *what, struct hogo_error *err)
{
    if (++keys_calls != keys_fail_at)
        return 0;
    return hogo_error_set(err, HOGO_EIO, "fault", "injected fault: key store call %ld (%s)",
                          keys_calls, what);
}

static int kf_open(void **impl, const char *target, struct hogo_error *err)
{
    int rc = keys_hit("open", err);
    return rc < 0 ? rc : hogo__sqlite_ops.open(impl, target, err);
}

static int kf_begin(void *impl, struct hogo_error *err)
{
    int rc = keys_hit("begin", err);
    return rc < 0 ? rc : hogo__sqlite_ops.begin(impl, err);
}

static int kf_commit(void *impl, struct hogo_error *err)
{
    int rc = keys_hit("commit", err);
    return rc < 0 ? rc : hogo__sqlite_ops.commit(impl, err);
}

static int kf_rollback(void *impl, struct hogo_error *err)
{
    return hogo__sqlite_ops.rollback(impl, err);
}

static int kf_exec(void *impl, const char *sql, const struct hogo__val *p, size_t n,
                   int64_t *changes, struct hogo_error *err)
{
    int rc = keys_hit("exec", err);
    return rc < 0 ? rc : hogo__sqlite_ops.exec(impl, sql, p, n, changes, err);
}

static int kf_query(void *impl, const char *sql, const struct hogo__val *p, size_t n,
                    hogo__row_fn row, void *ctx, struct hogo_error *err)
{
    int rc = keys_hit("query", err);
    return rc < 0 ? rc : hogo__sqlite_ops.query(impl, sql, p, n, row, ctx, err);
}

static int kf_script(void *impl, const char *sql, struct hogo_error *err)
{
    int rc = keys_hit("script", err);
    return rc < 0 ? rc : hogo__sqlite_ops.script(impl, sql, err);
}

static const struct hogo_store_ops keys_fault_ops = {
    .name = "fault",       .blob_type = "BLOB", .open = kf_open,
    .close = NULL,         .begin = kf_begin,   .commit = kf_commit,
    .rollback = kf_rollback, .exec = kf_exec,   .query = kf_query,
    .script = kf_script,   .table_exists = NULL, .flush = NULL};

static void kf_close(void *impl)
{
    hogo__sqlite_ops.close(impl);
}

static int64_t count_for(struct fx *f, const char *sql, const char *id)
{
    int64_t n = -1;
    struct hogo__val p[] = {HV_TEXT(id)};
    OK(hogo__query_int(f->st, sql, p, 1, &n, NULL, &f->err));
    return n;
}

static int key_present(struct fx *f, const char *id)
{
    int present = 0;
    OK(hogo__keys_present(f->st, id, &present, &f->err));
    return present;
}

static void test_erasure_is_complete_and_recorded_or_not_done(void **state)
{
    struct fx *f = *state;
    struct hogo_store_ops ops = keys_fault_ops;
    ops.close = kf_close;
    ops.table_exists = hogo__sqlite_ops.table_exists;
    /* the key store failing at each of its calls in turn */
    long n;
    for (n = 1; n < 100; n++) {
        char id[32];
        snprintf(id, sizeof id, "k%ld", n);
        OK(hogo_subject_add(f->st, id, "irp", &f->err));
        OK(hogo_data_put(f->st, id, "email", "a@x", 3, NULL, NULL, &f->err));
        int64_t events = count(f, "SELECT COUNT(*) FROM audit_events");
        struct hogo_store *st = fx_open(f, 1000);
        st->keys_ops = &ops;
        keys_calls = 0;
        keys_fail_at = n;
        struct hogo_error e;
        hogo_error_clear(&e);
        int rc = hogo_subject_erase(st, id, &e);
        long made = keys_calls;
        keys_fail_at = 0;
        hogo_store_free(st);
        int erased = count_for(f, "SELECT COUNT(*) FROM subjects WHERE subject_id = ? AND "
                                  "erased_at IS NOT NULL", id) == 1;
        int64_t erase_events = count_for(f, "SELECT COUNT(*) FROM audit_events WHERE "
                                            "subject_id = ? AND action = 'subject.erase'", id);
        if (rc == 0) {
            assert_true(erased && erase_events == 1 && !key_present(f, id));
            verify_ok(f);
            if (made < n)
                break; /* every key store call has failed once */
            continue;
        }
        assert_true(e.message[0] != '\0');
        if (!erased) { /* not done: nothing recorded, nothing destroyed */
            assert_int_equal(erase_events, 0);
            assert_int_equal(count(f, "SELECT COUNT(*) FROM audit_events"), events);
            assert_true(key_present(f, id));
            assert_int_equal(count_for(f, "SELECT COUNT(*) FROM data_items WHERE subject_id = ?",
                                       id), 1);
            verify_ok(f);
        } else { /* recorded, its key still there: said so, reported by verify, finishable */
            assert_int_equal(erase_events, 1);
            assert_non_null(strstr(e.message, "is recorded"));
            assert_non_null(strstr(e.message, "hogo subject erase"));
            if (key_present(f, id)) { /* the key's deletion failed */
                verify_bad(f);
                struct hogo_audit_report r;
                hogo_audit_verify(f->st, f->pk, &r, &f->err);
                assert_non_null(strstr(r.problem, "did not finish"));
            } else { /* deleted, but the WAL that held it was not cut */
                assert_non_null(strstr(e.message, "-wal"));
            }
            OK(hogo_subject_erase(f->st, id, &f->err));
            assert_false(key_present(f, id));
            verify_ok(f);
        }
    }
    assert_true(n > 2 && n < 100);
    /* the database failing at each of its calls in turn: the key stays until the erasure
     * and its event have committed */
    f->fingerprint_keys = 1;
    OK(hogo_subject_add(f->st, "u1", "irp", &f->err));
    OK(hogo_data_put(f->st, "u1", "email", "a@x", 3, NULL, NULL, &f->err));
    OK(hogo_audit_checkpoint(f->st, NULL, &f->err));
    run_faults(f, op_erase, "erase");
    assert_false(key_present(f, "u1"));
}

/* ---- the key store: created only by hogo init, bound to its database and master key ---- */

static void test_key_store_is_created_only_by_init_and_bound_to_its_database(void **state)
{
    struct fx *f = *state;
    OK(hogo_subject_add(f->st, "u1", "irp", &f->err));
    OK(hogo_data_put(f->st, "u1", "email", "a@x", 3, NULL, NULL, &f->err));
    /* a mistyped key store path: refused with the path and the fix, and not created */
    char typo[300];
    snprintf(typo, sizeof typo, "%s-typo", f->keys);
    struct hogo_store_options o = {.master_key = f->master, .signing_key = f->sk,
                                   .actor = "test", .key_store = typo};
    struct hogo_store *st = NULL;
    OK(hogo_store_open(&st, f->loc, &o, &f->err));
    assert_int_equal(hogo_data_put(st, "u1", "email", "b@x", 3, NULL, NULL, &f->err),
                     HOGO_ENOTFOUND);
    assert_non_null(strstr(f->err.message, typo));
    assert_non_null(strstr(f->err.message, "hogo init"));
    hogo_store_free(st);
    assert_int_equal(access(typo, F_OK), -1);
    /* hogo init refuses to start an empty key store for a database whose data is elsewhere */
    o.create = 1;
    assert_int_equal(hogo_store_open(&st, f->loc, &o, &f->err), HOGO_EINVAL);
    assert_non_null(strstr(f->err.message, "already has one"));
    assert_int_equal(access(typo, F_OK), -1);
    /* a key store of another database is refused */
    void *k = NULL;
    OK(hogo__sqlite_ops.open(&k, f->keys, &f->err));
    OK(hogo__sqlite_ops.script(k, "UPDATE key_meta SET value = 'ffffffffffffffffffffffffffffffff' "
                                  "WHERE key = 'database_id'", &f->err));
    hogo__sqlite_ops.close(k);
    hogo_store_free(f->st);
    f->st = fx_open(f, 1000);
    unsigned char *v = NULL;
    size_t n;
    assert_int_equal(hogo_data_get(f->st, "u1", 1, &v, &n, &f->err), HOGO_EINVAL);
    assert_non_null(strstr(f->err.message, "belongs to another database"));
    hogo_store_free(f->st);
    f->st = NULL;
    o.key_store = f->keys;
    assert_int_equal(hogo_store_open(&st, f->loc, &o, &f->err), HOGO_EINVAL); /* init too */
    assert_non_null(strstr(f->err.message, "belongs to another database"));
}

static void test_master_key_is_bound_at_init(void **state)
{
    struct fx *f = *state;
    /* a store initialised without a master key: the first put does not bind one */
    char loc2[sizeof f->loc], keys2[300];
    snprintf(keys2, sizeof keys2, "%s-second", f->keys);
    hogo_store_free(f->st);
    f->st = NULL;
    suite_drop(f->loc);
    suite_location(loc2, sizeof loc2);
    snprintf(f->loc, sizeof f->loc, "%s", loc2);
    struct hogo_store_options o = {.create = 1, .signing_key = f->sk, .actor = "test",
                                   .key_store = keys2};
    OK(hogo_store_open(&f->st, f->loc, &o, &f->err));
    OK(hogo_subject_add(f->st, "u1", "irp", &f->err));
    hogo_store_free(f->st);
    o.create = 0;
    o.master_key = f->master;
    OK(hogo_store_open(&f->st, f->loc, &o, &f->err));
    assert_int_equal(hogo_data_put(f->st, "u1", "email", "a@x", 3, NULL, NULL, &f->err),
                     HOGO_EINVAL);
    assert_non_null(strstr(f->err.message, "no master key is bound"));
    assert_non_null(strstr(f->err.message, "hogo init"));
    hogo_store_free(f->st);
    /* hogo init with the master key binds it; another key is then refused, at init too */
    o.create = 1;
    OK(hogo_store_open(&f->st, f->loc, &o, &f->err));
    OK(hogo_data_put(f->st, "u1", "email", "a@x", 3, NULL, NULL, &f->err));
    hogo_store_free(f->st);
    f->st = NULL;
    unsigned char other[32];
    randombytes_buf(other, sizeof other);
    o.master_key = other;
    assert_int_equal(hogo_store_open(&f->st, f->loc, &o, &f->err), HOGO_ECRYPTO);
    assert_non_null(strstr(f->err.message, "wrong master key"));
    o.create = 0;
    OK(hogo_store_open(&f->st, f->loc, &o, &f->err));
    assert_int_equal(hogo_data_put(f->st, "u1", "email", "b@x", 3, NULL, NULL, &f->err),
                     HOGO_ECRYPTO);
    assert_non_null(strstr(f->err.message, "wrong master key"));
    hogo_store_free(f->st);
    o.master_key = f->master;
    OK(hogo_store_open(&f->st, f->loc, &o, &f->err));
    static const char *const suffix[] = {"", "-wal", "-shm"};
    for (int i = 0; i < 3; i++) {
        char p[400];
        snprintf(p, sizeof p, "%s%s", keys2, suffix[i]);
        unlink(p);
    }
}

static void test_a_key_deleted_outside_erasure_is_reported_by_verify(void **state)
{
    struct fx *f = *state;
    OK(hogo_subject_add(f->st, "u1", "irp", &f->err));
    OK(hogo_subject_add(f->st, "u2", "irp", &f->err));
    OK(hogo_data_put(f->st, "u1", "email", "a@x", 3, NULL, NULL, &f->err));
    OK(hogo_data_put(f->st, "u2", "email", "b@x", 3, NULL, NULL, &f->err));
    OK(hogo_subject_erase(f->st, "u2", &f->err));
    verify_ok(f);
    void *k = NULL;
    OK(hogo__sqlite_ops.open(&k, f->keys, &f->err));
    OK(hogo__sqlite_ops.script(k, "DELETE FROM subject_keys WHERE subject_id = 'u1'", &f->err));
    hogo__sqlite_ops.close(k);
    verify_bad(f);
    struct hogo_audit_report r;
    hogo_audit_verify(f->st, f->pk, &r, &f->err);
    assert_non_null(strstr(r.problem, "u1"));
    assert_non_null(strstr(r.problem, "unaudited erasure"));
}


/* ---- a writer without the signing key says it skipped a checkpoint ---- */

static void count_notice(void *ctx, const char *message)
{
    int *n = ctx;
    if (strstr(message, "no signing key"))
        (*n)++;
}

static void test_a_writer_without_the_signing_key_says_it_skipped_a_checkpoint(void **state)
{
    struct fx *f = *state;
    hogo_store_free(f->st);
    struct hogo_store_options o = {.master_key = f->master, .checkpoint_interval = 5,
                                   .actor = "test", .key_store = f->keys};
    OK(hogo_store_open(&f->st, f->loc, &o, &f->err));
    int notices = 0;
    hogo_store_set_notice(f->st, count_notice, &notices);
    for (int i = 0; i < 12; i++) {
        char id[16];
        snprintf(id, sizeof id, "s%d", i);
        OK(hogo_subject_add(f->st, id, "irp", &f->err));
    }
    assert_int_equal(notices, 1); /* said once */
    assert_int_equal(count(f, "SELECT COUNT(*) FROM checkpoints"), 0);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM audit_events WHERE action = "
                              "'audit.checkpoint_skipped'"), 1);
    struct hogo_audit_report r;
    int rc = hogo_audit_verify(f->st, f->pk, &r, &f->err);
    if (rc)
        fprintf(stderr, "verify: %s\n", r.problem);
    assert_int_equal(rc, 0); /* not a deleted checkpoint: the unsealed tail, reported */
    assert_true(r.skipped_at > 0);
    assert_int_equal(r.unsealed, r.last_seq - r.last_sealed);
    assert_true(r.unsealed > 10);
    /* a checkpoint that was written and then deleted is still tampering */
    hogo_store_free(f->st);
    f->st = fx_open(f, 5);
    OK(hogo_audit_checkpoint(f->st, NULL, &f->err));
    for (int i = 12; i < 20; i++) {
        char id[16];
        snprintf(id, sizeof id, "s%d", i);
        OK(hogo_subject_add(f->st, id, "irp", &f->err));
    }
    raw(f, "DELETE FROM checkpoints WHERE seq = (SELECT MAX(seq) FROM checkpoints)");
    verify_bad(f);
}

/* ---- crash safety ---- */

static void test_sigkill_keeps_every_acknowledged_record(void **state)
{
    struct fx *f = *state;
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    hogo_store_free(f->st); /* no connection shared across fork */
    f->st = NULL;
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(fds[0]);
        struct hogo_store_options o = {.master_key = f->master, .signing_key = f->sk,
                                       .checkpoint_interval = 50, .key_store = f->keys};
        struct hogo_store *st = NULL;
        struct hogo_error e;
        if (hogo_store_open(&st, f->loc, &o, &e))
            _exit(3);
        for (;;) {
            char id[HOGO_LEDGER_ID_BYTES];
            struct hogo_provision p = prov("u1", "participating_company", 3, "creation");
            if (hogo_ledger_record_provision(st, &p, id, &e))
                _exit(4);
            id[HOGO_LEDGER_ID_BYTES - 1] = '\n';
            if (write(fds[1], id, HOGO_LEDGER_ID_BYTES) != HOGO_LEDGER_ID_BYTES)
                _exit(5);
        }
    }
    close(fds[1]);
    char ids[400][HOGO_LEDGER_ID_BYTES];
    int got = 0;
    while (got < 150) {
        ssize_t r = read(fds[0], ids[got], HOGO_LEDGER_ID_BYTES);
        assert_int_equal(r, HOGO_LEDGER_ID_BYTES);
        ids[got][HOGO_LEDGER_ID_BYTES - 1] = '\0';
        got++;
    }
    kill(pid, SIGKILL);
    int status;
    waitpid(pid, &status, 0);
    assert_true(WIFSIGNALED(status));
    /* anything acknowledged but still in the pipe counts too */
    ssize_t r;
    while (got < 400 && (r = read(fds[0], ids[got], HOGO_LEDGER_ID_BYTES)) == HOGO_LEDGER_ID_BYTES) {
        ids[got][HOGO_LEDGER_ID_BYTES - 1] = '\0';
        got++;
    }
    close(fds[0]);
    f->st = fx_open(f, 1000);
    for (int i = 0; i < got; i++) {
        char *json = NULL;
        char id[HOGO_LEDGER_ID_BYTES];
        memcpy(id, ids[i], HOGO_LEDGER_ID_BYTES);
        id[strcspn(id, "\n")] = '\0';
        OK(hogo_ledger_show_json(f->st, id, &json, &f->err));
        free(json);
    }
    assert_true(count(f, "SELECT COUNT(*) FROM provisions") >= got);
    verify_ok(f);
}

static int count_columns(void *ctx, const struct hogo__val *c, size_t n)
{
    (void)c;
    *(size_t *)ctx = n;
    return 0;
}

/* A query may return up to HOGO__MAX_COLUMNS columns, all of them delivered; one more is an
 * error, never a row with the last columns dropped. */
static void test_query_column_limit_is_an_error(void **state)
{
    struct fx *f = *state;
    char sql[1024] = "SELECT 1";
    for (int i = 2; i <= HOGO__MAX_COLUMNS; i++)
        snprintf(sql + strlen(sql), sizeof sql - strlen(sql), ", %d", i);
    size_t got = 0;
    OK(hogo__query(f->st, sql, NULL, 0, count_columns, &got, &f->err));
    assert_int_equal(got, HOGO__MAX_COLUMNS);
    snprintf(sql + strlen(sql), sizeof sql - strlen(sql), ", 0");
    got = 0;
    assert_int_equal(hogo__query(f->st, sql, NULL, 0, count_columns, &got, &f->err),
                     HOGO_ESTORE);
    assert_int_equal(got, 0);
    assert_non_null(strstr(f->err.message, "at most"));
}

/* With the public key, the checkpoints the log promises (one every interval events) are
 * required: deleting them, alone or after rewriting and re-hashing the events they sealed,
 * fails; what follows the last checkpoint is reported as the unsealed tail. */
static void test_audit_requires_the_checkpoints_it_promises(void **state)
{
    struct fx *f = *state;
    hogo_store_free(f->st);
    f->st = fx_open(f, 5);
    make_events(f, 12);
    int64_t last = hogo_store_latest_schema_version() + 12, due = last / 5 * 5;
    struct hogo_audit_report r;
    OK(hogo_audit_verify(f->st, f->pk, &r, &f->err));
    assert_int_equal(r.last_sealed, due);
    assert_int_equal(r.unsealed, last - due);
    /* the last checkpoint due is deleted */
    char sql[128];
    snprintf(sql, sizeof sql, "DELETE FROM checkpoints WHERE seq = %lld", (long long)due);
    raw(f, sql);
    assert_int_equal(hogo_audit_verify(f->st, f->pk, &r, &f->err), HOGO_ETAMPER);
    assert_non_null(strstr(r.problem, "no signed checkpoint seals event"));
    /* every checkpoint deleted after an event was edited and the chain re-hashed */
    raw(f, "DELETE FROM checkpoints");
    raw(f, "UPDATE audit_events SET object = 'operator:rcc' WHERE seq = 4");
    rehash_from(f, 4);
    assert_int_equal(hogo_audit_verify(f->st, f->pk, &r, &f->err), HOGO_ETAMPER);
    assert_int_equal(r.first_bad_seq, 1);
    /* without the public key only the chain is checked, and it holds */
    OK(hogo_audit_verify(f->st, NULL, &r, &f->err));
}

/* An export holds the same promise: without its checkpoint lines, or with nothing in it, it
 * fails. */
static void test_audit_export_without_checkpoints_or_events_fails(void **state)
{
    struct fx *f = *state;
    hogo_store_free(f->st);
    f->st = fx_open(f, 5);
    make_events(f, 12);
    char *text = NULL;
    size_t len = 0;
    OK(hogo_audit_export(f->st, &text, &len, &f->err));
    struct hogo_audit_report r;
    OK(hogo_audit_verify_export_every(text, len, f->pk, 5, &r, &f->err));
    char *cp = strstr(text, "{\"checkpoint\"");
    assert_non_null(cp);
    *cp = '\0'; /* the checkpoint lines are the export's last */
    assert_int_equal(hogo_audit_verify_export_every(text, strlen(text), f->pk, 5, &r, &f->err),
                     HOGO_ETAMPER);
    assert_non_null(strstr(r.problem, "no signed checkpoint"));
    assert_int_equal(hogo_audit_verify_export("", 0, f->pk, &r, &f->err), HOGO_ETAMPER);
    assert_int_equal(hogo_audit_verify_export("\n\n", 2, NULL, &r, &f->err), HOGO_ETAMPER);
    assert_non_null(strstr(r.problem, "no event"));
    free(text);
}

/* Event times never go backwards: an event re-dated before its predecessor (chain re-hashed,
 * so only the time gives it away) fails at that event. */
static void test_audit_event_times_going_backwards_fail(void **state)
{
    struct fx *f = *state;
    make_events(f, 6);
    int64_t at3 = -1;
    struct hogo__val p[] = {HV_INT(3)};
    OK(hogo__query_int(f->st, "SELECT at FROM audit_events WHERE seq = ?", p, 1, &at3, NULL,
                       &f->err));
    char sql[160];
    snprintf(sql, sizeof sql, "UPDATE audit_events SET at = %lld WHERE seq = 5",
             (long long)(at3 - 86400000000LL));
    raw(f, sql);
    rehash_from(f, 5);
    assert_int_equal(verify_bad(f), 5);
    struct hogo_audit_report r;
    assert_int_equal(hogo_audit_verify(f->st, NULL, &r, &f->err), HOGO_ETAMPER);
    assert_non_null(strstr(r.problem, "dated before"));
}

/* Reads a whole small file (the anchor) into buf. */
static size_t slurp(const char *path, char *buf, size_t cap)
{
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    size_t n = fread(buf, 1, cap - 1, fp);
    fclose(fp);
    buf[n] = '\0';
    return n;
}

/* The anchor kept outside the database detects a restored older copy of it (events and
 * checkpoints after some point gone: the store alone still verifies) and a rewritten one. */
/* Appends n plain events. */
static void append_events(struct fx *f, int n)
{
    for (int i = 0; i < n; i++) {
        const struct hogo_audit_event ev = {.action = "test.event", .object = "n:1"};
        OK(hogo_audit_append(f->st, &ev, &f->err));
    }
}

static void test_anchor_detects_a_rolled_back_or_rewritten_store(void **state)
{
    struct fx *f = *state;
    char anchor[300], text[400];
    snprintf(anchor, sizeof anchor, "/tmp/hogo-anchor-%d", (int)getpid());
    append_events(f, 6);
    int64_t old_head = 0, seq = 0;
    OK(hogo_audit_checkpoint(f->st, &old_head, &f->err));
    append_events(f, 6);
    OK(hogo_audit_checkpoint(f->st, NULL, &f->err));
    OK(hogo_audit_anchor(f->st, anchor, &seq, &f->err));
    assert_int_equal(seq, old_head + 6);
    size_t n = slurp(anchor, text, sizeof text);
    struct hogo_audit_report r;
    OK(hogo_audit_verify_anchored(f->st, f->pk, text, n, &r, &f->err));
    assert_true(r.anchor_checked);
    append_events(f, 2); /* a store ahead of its anchor is fine */
    OK(hogo_audit_verify_anchored(f->st, f->pk, text, n, &r, &f->err));
    /* the older copy: as it was at the first checkpoint */
    char sql[128];
    snprintf(sql, sizeof sql, "DELETE FROM audit_events WHERE seq > %lld", (long long)old_head);
    raw(f, sql);
    snprintf(sql, sizeof sql, "DELETE FROM checkpoints WHERE seq > %lld", (long long)old_head);
    raw(f, sql);
    verify_ok(f); /* the store alone cannot tell */
    assert_int_equal(hogo_audit_verify_anchored(f->st, f->pk, text, n, &r, &f->err),
                     HOGO_ETAMPER);
    assert_non_null(strstr(r.problem, "behind its anchor"));
    /* the log rewritten up to the anchor's event and re-hashed */
    append_events(f, 6);
    raw(f, "UPDATE audit_events SET object = 'operator:rcc' WHERE seq = 2");
    rehash_from(f, 2);
    raw(f, "DELETE FROM checkpoints");
    assert_int_equal(hogo_audit_verify_anchored(f->st, f->pk, text, n, &r, &f->err),
                     HOGO_ETAMPER);
    /* an anchor not signed by the key is refused */
    text[n - 3] = text[n - 3] == '0' ? '1' : '0';
    assert_true(hogo_audit_verify_anchored(f->st, f->pk, text, n, &r, &f->err) < 0);
    assert_int_equal(hogo_audit_verify_anchored(f->st, f->pk, "junk", 4, &r, &f->err),
                     HOGO_EINVAL);
    unlink(anchor);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

static int suite_run(const char *group)
{
    const struct CMUnitTest tests[] = {
        T(test_query_column_limit_is_an_error),
        T(test_open_refuses_uninitialised_and_newer_databases),
        T(test_reopen_keeps_data_and_version),
        T(test_facts_json_holds_exactly_the_set_facts),
        T(test_bad_facts_are_refused_without_change),
        T(test_corporate_number_check_digit),
        T(test_blocks_follow_successor_corporations),
        T(test_consents_appear_until_withdrawn),
        T(test_subject_of_another_operator_is_not_found),
        T(test_audit_chain_verifies_and_counts_events),
        T(test_audit_detects_edited_event),
        T(test_audit_detects_deleted_event),
        T(test_audit_detects_inserted_event),
        T(test_audit_detects_reordered_events),
        T(test_audit_detects_truncation_after_checkpoint),
        T(test_audit_rehash_helper_reproduces_the_chain),
        T(test_audit_detects_rewritten_chain_by_signature),
        T(test_audit_detects_forged_checkpoint),
        T(test_automatic_checkpoints_seal_the_log),
        T(test_a_write_the_database_refuses_fails_its_own_call),
        T(test_audit_export_verifies_with_public_key_alone),
        T(test_audit_requires_the_checkpoints_it_promises),
        T(test_audit_export_without_checkpoints_or_events_fails),
        T(test_audit_event_times_going_backwards_fail),
        T(test_anchor_detects_a_rolled_back_or_rewritten_store),
        T(test_data_roundtrip_and_audit_holds_no_values),
        T(test_wrong_master_key_is_refused_without_damage),
        T(test_key_rotation_rewraps_every_subject_key),
        T(test_erasure_destroys_the_key_and_every_copy),
        T(test_erasure_makes_a_database_backup_unreadable),
        T(test_erasure_leaves_the_key_in_no_file_while_another_connection_is_open),
        T(test_erasure_is_complete_and_recorded_or_not_done),
        T(test_key_store_is_created_only_by_init_and_bound_to_its_database),
        T(test_master_key_is_bound_at_init),
        T(test_a_key_deleted_outside_erasure_is_reported_by_verify),
        T(test_a_writer_without_the_signing_key_says_it_skipped_a_checkpoint),
        T(test_moved_ciphertext_does_not_open),
        T(test_data_put_validates_provenance),
        T(test_provision_record_and_its_event_are_one_write),
        T(test_receipt_refused_when_a_confirmation_item_is_missing),
        T(test_ledger_export_filters_json_and_csv),
        T(test_purge_deletes_only_past_retention),
        T(test_continuing_provision_is_one_collective_record),
        T(test_stored_facts_as_rows_decide_as_their_json),
        T(test_provide_allowed_writes_the_record_with_statutory_retention),
        T(test_audit_verify_holds_every_record_to_its_event),
        T(test_every_field_of_a_record_is_bound_to_its_event),
        T(test_facts_changed_in_the_database_are_found),
        T(test_malformed_stored_facts_are_errors),
        T(test_provide_without_record_obligation_keeps_the_operators_retention),
        T(test_provide_denied_writes_no_record_but_audits_the_decision),
        T(test_provide_refuses_requests_it_cannot_record),
        T(test_provide_before_record_detail_is_kept_and_its_failure_rolls_back),
        T(test_disclosure_opens_every_item_and_lists_records_consents_facts),
        T(test_group_commit_eight_threads_each_get_their_own_result),
        T(test_group_commit_decisions_on_stored_facts),
        T(test_store_run_is_one_transaction),
        T(test_receive_needs_every_confirmation_item),
        T(test_every_store_call_failing_leaves_the_database_as_it_was),
        T(test_sigkill_keeps_every_acknowledged_record),
    };
    int rc = _cmocka_run_group_tests(group, tests, sizeof tests / sizeof tests[0], NULL, NULL);
    hogo_policy_free(irp_policy());
    return rc;
}
