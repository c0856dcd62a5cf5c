/*
 * `hogo provide`: decides a provision of a subject's personal data on the stored facts and,
 * when allowed, writes the APPI Art. 29 record, in one transaction (hogo_provide_ex()).
 * With --apply DATA.csv --out OUT.csv the decision's deidentify obligation is executed on
 * DATA.csv by the de-identification module (as `hogo deid apply` does); OUT.csv appears only
 * after the record naming the transformation is durable. CLI layer.
 * Exit status: 0 allowed and recorded, 1 denied (the decision is an audit event, no record),
 * 2 bad input or nothing recorded.
 */
#include "cli_util.h"
#include "commands.h"
#include "provide_cli.h"

#include <hogo/deid.h>
#include <hogo/file.h>
#include <hogo/ledger.h>
#include <hogo/store.h>

#include <errno.h>
#include <getopt.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

static const char usage_text[] =
    "usage: hogo provide [--db DB] [--policy ID|FILE] [--subject ID] [OPTIONS] [REQUEST.json]\n\n"
    "Decides a provision (action provide or outsource) on the subject's stored facts and, when\n"
    "it is allowed, writes the APPI Art. 29 record in the same transaction. The request is the\n"
    "JSON of docs/decision.md without \"subject\" facts, read from REQUEST.json or stdin.\n\n"
    "  --db DB                      the store (default $HOGO_DB)\n"
    "  --policy ID|FILE             default: the request's \"policy\"\n"
    "  --subject ID                 default: the request's \"subject_id\"\n"
    "  --recipient-name NAME        the recipient as the record names it (R20); default: the\n"
    "                               vocabulary's name of the recipient\n"
    "  --recipient-address ADDR     --recipient-representative NAME\n"
    "  --own-retention YEARS        retention of a record the law does not require (court\n"
    "                               order, outsourcing, ...); default $HOGO_OWN_RETENTION_YEARS,\n"
    "                               else 3\n"
    "  --apply DATA.csv --out OUT.csv\n"
    "                               execute the decision's deidentify obligation on DATA.csv and\n"
    "                               write what goes to the recipient to OUT.csv; refused (exit 2,\n"
    "                               nothing recorded) when the decision carries no deidentify\n"
    "                               obligation, or when a column of DATA.csv is not a data\n"
    "                               category the request names (or a part of one); columns of\n"
    "                               direct identifiers (name, contact, ids) are always dropped\n"
    "  --format json|jsonl|text     json (default): {\"record_id\": ID or null,\n"
    "                               \"record_required\": bool, \"decision\": {...}} indented as\n"
    "                               `hogo check` writes it; jsonl: the same on one line; text:\n"
    "                               the decision and the record for a person\n"
    "  --lang ja|en                 the language of --format text (default $HOGO_LANG, else ja)\n\n"
    "exit status: 0 allowed and recorded, 1 denied, 2 bad input or nothing recorded\n";

/* --apply: the de-identification run inside the transaction, before the record. */
struct apply_ctx {
    const char *data;  /* DATA.csv */
    const char *out;   /* OUT.csv */
    struct hogo_out_file staged; /* the output while the record is not yet durable */
};

/* Writes a yajl_tree value back as JSON (the obligation object). */
static void gen_value(yajl_gen g, yajl_val v)
{
    if (YAJL_IS_STRING(v)) {
        yajl_gen_string(g, (const unsigned char *)v->u.string, strlen(v->u.string));
    } else if (YAJL_IS_NUMBER(v)) {
        yajl_gen_number(g, v->u.number.r, strlen(v->u.number.r));
    } else if (YAJL_IS_TRUE(v) || YAJL_IS_FALSE(v)) {
        yajl_gen_bool(g, YAJL_IS_TRUE(v));
    } else if (YAJL_IS_ARRAY(v)) {
        yajl_gen_array_open(g);
        for (size_t i = 0; i < v->u.array.len; i++)
            gen_value(g, v->u.array.values[i]);
        yajl_gen_array_close(g);
    } else if (YAJL_IS_OBJECT(v)) {
        yajl_gen_map_open(g);
        for (size_t i = 0; i < v->u.object.len; i++) {
            yajl_gen_string(g, (const unsigned char *)v->u.object.keys[i],
                            strlen(v->u.object.keys[i]));
            gen_value(g, v->u.object.values[i]);
        }
        yajl_gen_map_close(g);
    } else {
        yajl_gen_null(g);
    }
}

/* The staged output's BLAKE2b-256 as hex, so the record names exactly what left. */
static int staged_hash(FILE *f, char hex[65])
{
    unsigned char buf[65536], h[32];
    crypto_generichash_state s;
    crypto_generichash_init(&s, NULL, 0, sizeof h);
    off_t at = 0;
    ssize_t n;
    while ((n = pread(fileno(f), buf, sizeof buf, at)) > 0) {
        crypto_generichash_update(&s, buf, (size_t)n);
        at += n;
    }
    crypto_generichash_final(&s, h, sizeof h);
    sodium_bin2hex(hex, 65, h, sizeof h);
    return n < 0 ? -1 : 0;
}

static int apply_deid(void *ctx, const struct hogo_decision *d, const char *decision_json,
                      char **detail_json, struct hogo_error *err)
{
    struct apply_ctx *a = ctx;
    (void)d;
    char ebuf[128];
    yajl_val root = yajl_tree_parse(decision_json, ebuf, sizeof ebuf), ob = NULL;
    const char *path[] = {"obligations", NULL};
    yajl_val obs = root ? yajl_tree_get(root, path, yajl_t_array) : NULL;
    for (size_t i = 0; obs && i < obs->u.array.len && !ob; i++) {
        const char *tp[] = {"type", NULL};
        yajl_val t = yajl_tree_get(obs->u.array.values[i], tp, yajl_t_string);
        if (t && !strcmp(t->u.string, "deidentify"))
            ob = obs->u.array.values[i];
    }
    int rc = 0;
    yajl_gen g = NULL;
    if (!ob) {
        rc = hogo_error_set(err, HOGO_EINVAL, "--apply",
                            "the decision carries no deidentify obligation, so there is nothing "
                            "to apply: the data may go out as it is; run without --apply/--out "
                            "(nothing was recorded)");
        goto out;
    }
    if (!(g = yajl_gen_alloc(NULL))) {
        rc = hogo_error_set(err, HOGO_ENOMEM, NULL, "out of memory");
        goto out;
    }
    gen_value(g, ob);
    const unsigned char *obuf;
    size_t olen;
    yajl_gen_get_buf(g, &obuf, &olen);
    if ((rc = hogo_out_file_open(&a->staged, a->out, err)) < 0)
        goto out;
    rc = hogo_deid_apply((const char *)obuf, olen, a->data, a->staged.f, NULL, err);
    if (rc == 0)
        rc = hogo_out_file_sync(&a->staged, err);
    char hex[65];
    if (rc == 0 && staged_hash(a->staged.f, hex) != 0)
        rc = hogo_error_set(err, HOGO_EIO, a->out, "cannot read back the output for '%s'",
                            a->out);
    if (rc == 0) {
        size_t need = olen + 128;
        char *s = malloc(need);
        if (!s) {
            rc = hogo_error_set(err, HOGO_ENOMEM, NULL, "out of memory");
            goto out;
        }
        snprintf(s, need, "{\"deidentify\":%.*s,\"output_blake2b\":\"%s\"}", (int)olen,
                 (const char *)obuf, hex);
        *detail_json = s;
    }
out:
    if (g)
        yajl_gen_free(g);
    yajl_tree_free(root);
    return rc;
}

int cmd_provide(int argc, char **argv)
{
    enum { O_DB = 256, O_POL, O_SUB, O_RN, O_RA, O_RR, O_OWN, O_APPLY, O_OUT };
    static const struct option longopts[] = {
        {"db", required_argument, NULL, O_DB},
        {"policy", required_argument, NULL, O_POL},
        {"subject", required_argument, NULL, O_SUB},
        {"recipient-name", required_argument, NULL, O_RN},
        {"recipient-address", required_argument, NULL, O_RA},
        {"recipient-representative", required_argument, NULL, O_RR},
        {"own-retention", required_argument, NULL, O_OWN},
        {"apply", required_argument, NULL, O_APPLY},
        {"out", required_argument, NULL, O_OUT},
        PROVIDE_CLI_OPTIONS,
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    const char *db = NULL, *policy_arg = NULL;
    struct hogo_provide_opts o = {0};
    struct apply_ctx a = {0};
    const char *own = getenv("HOGO_OWN_RETENTION_YEARS");
    struct provide_cli_input in = {0};
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case O_DB: db = optarg; break;
        case O_POL: policy_arg = optarg; break;
        case O_SUB: o.subject_id = optarg; break;
        case O_RN: o.recipient_name = optarg; break;
        case O_RA: o.recipient_address = optarg; break;
        case O_RR: o.recipient_representative = optarg; break;
        case O_OWN: own = optarg; break;
        case O_APPLY: a.data = optarg; break;
        case O_OUT: a.out = optarg; break;
        case PROVIDE_CLI_FORMAT_OPTION:
        case PROVIDE_CLI_LANG_OPTION:
            if (provide_cli_option(&in, "provide", c, optarg))
                return 2;
            break;
        case 'h': fputs(usage_text, stdout); return 0;
        default: return cli_bad_option("provide", argv);
        }
    }
    if (provide_cli_own_retention("provide", own, &o.own_retention_years) < 0)
        return 2;
    if (!a.data != !a.out) {
        cli_errorf("provide: --apply DATA.csv and --out OUT.csv go together");
        return 2;
    }
    if (a.data) {
        if (access(a.data, R_OK) != 0) {
            cli_errorf("provide: cannot read '%s': %s", a.data, strerror(errno));
            return 2;
        }
        o.before_record = apply_deid;
        o.ctx = &a;
    }
    struct hogo_error err = {0};
    struct hogo_store *st = NULL;
    int status = 2;
    if (provide_cli_load(&in, "provide", argc, argv, policy_arg) < 0)
        goto out;
    /* data minimisation: every column of DATA.csv is a category the request provides,
     * checked before anything is decided or recorded */
    if (hogo_request_parse(in.req, hogo_policy_vocab(in.policy), in.json, in.len,
                           HOGO_DEFAULT_MAX_REQUEST, &err) ||
        (a.data && hogo_provide_check_columns(in.policy, in.req, a.data, &err)) ||
        hogo_store_open_env(&st, db, NULL, NULL, 0, &err)) {
        cli_print_error(&err);
        goto out;
    }
    struct hogo_decision d;
    char id[HOGO_LEDGER_ID_BYTES];
    if (hogo_provide_ex(st, in.policy, in.req, &o, &d, id, &err)) {
        cli_print_error(&err);
        goto out;
    }
    if (d.allow && a.data && hogo_out_file_commit(&a.staged, &err) != 0) {
        /* the record is durable; say loudly that the file did not land */
        cli_errorf("provide: recorded as %s but the output did not land: %s", id, err.message);
        goto out;
    }
    provide_cli_print(&in, &d, id, "\"type\":\"record_provision\"");
    if (a.data && d.allow)
        fprintf(stderr, "hogo: de-identified data for the recipient written to '%s'\n", a.out);
    status = fflush(stdout) == 0 ? (d.allow ? 0 : 1) : 2;
out:
    hogo_out_file_discard(&a.staged);
    hogo_store_free(st);
    provide_cli_release(&in);
    return status;
}
