/*
 * `hogo receive`: decides a receipt of personal data from a third party (action receive) on
 * the subject's stored facts and, when allowed, writes the APPI Art. 30 confirmation record
 * in the same transaction (hogo_receive()). The confirmation — the provider's name, address,
 * representative and how it obtained the data — comes from options or a JSON file; a missing
 * item refuses the receipt before anything is decided or written. CLI layer.
 * Exit status: 0 allowed and recorded, 1 denied (the decision is an audit event, no record),
 * 2 bad input or nothing recorded.
 */
#include "cli_util.h"
#include "commands.h"
#include "provide_cli.h"

#include <hogo/ledger.h>
#include <hogo/store.h>

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_tree.h>

static const char usage_text[] =
    "usage: hogo receive [--db DB] [--policy ID|FILE] [--subject ID] CONFIRMATION\n"
    "                    [REQUEST.json]\n\n"
    "Decides a receipt (action receive) on the subject's stored facts and, when it is allowed,\n"
    "writes the APPI Art. 30 confirmation record in the same transaction.\n"
    "CONFIRMATION (all four required; options override the file):\n"
    "  --provider-name NAME --provider-address ADDR --provider-representative NAME\n"
    "  --acquisition HOW            how the provider obtained the data (取得の経緯)\n"
    "  --provider-corporate-number N   optional\n"
    "  --confirmation FILE.json     {\"provider_name\", \"provider_address\",\n"
    "                               \"provider_representative\", \"acquisition\",\n"
    "                               \"provider_corporate_number\"}\n"
    "  --own-retention YEARS        retention of a record the law does not require; default\n"
    "                               $HOGO_OWN_RETENTION_YEARS, else 3\n"
    "  --format json|jsonl|text     json (default): {\"record_id\": ID or null,\n"
    "                               \"record_required\": bool, \"decision\": {...}} indented as\n"
    "                               `hogo check` writes it; jsonl: the same on one line; text:\n"
    "                               the decision and the record for a person\n"
    "  --lang ja|en                 the language of --format text (default $HOGO_LANG, else ja)\n\n"
    "exit status: 0 allowed and recorded, 1 denied, 2 bad input or nothing recorded\n";

/* Fields of the confirmation file, and where each goes. */
static const char *const fields[] = {"provider_name", "provider_address",
                                     "provider_representative", "acquisition",
                                     "provider_corporate_number"};

static int read_confirmation(const char *path, char *vals[5])
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        cli_errorf("receive: cannot open '%s': %s", path, strerror(errno));
        return -1;
    }
    struct hogo_error err = {0};
    char *text = NULL, ebuf[256];
    size_t len;
    int rc = cli_read_all(f, 65536, &text, &len, &err);
    fclose(f);
    if (rc) {
        cli_print_error(&err);
        return -1;
    }
    yajl_val v = yajl_tree_parse(text, ebuf, sizeof ebuf);
    free(text);
    if (!v || !YAJL_IS_OBJECT(v)) {
        cli_errorf("receive: '%s' is not a JSON object%s%s", path, v ? "" : ": ", v ? "" : ebuf);
        yajl_tree_free(v);
        return -1;
    }
    for (int i = 0; i < 5; i++) {
        const char *p[] = {fields[i], NULL};
        yajl_val s = yajl_tree_get(v, p, yajl_t_any);
        if (s && !YAJL_IS_STRING(s)) {
            cli_errorf("receive: %s: \"%s\" must be a string", path, fields[i]);
            rc = -1;
        } else if (s && !(vals[i] = strdup(s->u.string)))
            rc = -1;
    }
    yajl_tree_free(v);
    return rc;
}

int cmd_receive(int argc, char **argv)
{
    enum { O_DB = 256, O_POL, O_SUB, O_PN, O_PA, O_PR, O_ACQ, O_PCN, O_CONF, O_OWN };
    static const struct option longopts[] = {
        {"db", required_argument, NULL, O_DB},
        {"policy", required_argument, NULL, O_POL},
        {"subject", required_argument, NULL, O_SUB},
        {"provider-name", required_argument, NULL, O_PN},
        {"provider-address", required_argument, NULL, O_PA},
        {"provider-representative", required_argument, NULL, O_PR},
        {"acquisition", required_argument, NULL, O_ACQ},
        {"provider-corporate-number", required_argument, NULL, O_PCN},
        {"confirmation", required_argument, NULL, O_CONF},
        {"own-retention", required_argument, NULL, O_OWN},
        PROVIDE_CLI_OPTIONS,
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    const char *db = NULL, *policy_arg = NULL, *conf = NULL, *opt[5] = {0};
    const char *own = getenv("HOGO_OWN_RETENTION_YEARS");
    struct hogo_provide_opts o = {0};
    char *file_vals[5] = {0};
    struct provide_cli_input in = {0};
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case O_DB: db = optarg; break;
        case O_POL: policy_arg = optarg; break;
        case O_SUB: o.subject_id = optarg; break;
        case O_PN: opt[0] = optarg; break;
        case O_PA: opt[1] = optarg; break;
        case O_PR: opt[2] = optarg; break;
        case O_ACQ: opt[3] = optarg; break;
        case O_PCN: opt[4] = optarg; break;
        case O_CONF: conf = optarg; break;
        case O_OWN: own = optarg; break;
        case PROVIDE_CLI_FORMAT_OPTION:
        case PROVIDE_CLI_LANG_OPTION:
            if (provide_cli_option(&in, "receive", c, optarg))
                return 2;
            break;
        case 'h': fputs(usage_text, stdout); return 0;
        default: return cli_bad_option("receive", argv);
        }
    }
    struct hogo_error err = {0};
    struct hogo_store *st = NULL;
    int status = 2;
    if (provide_cli_own_retention("receive", own, &o.own_retention_years) < 0)
        goto out;
    if (conf && read_confirmation(conf, file_vals) < 0)
        goto out;
    const char *v[5];
    for (int i = 0; i < 5; i++)
        v[i] = opt[i] ? opt[i] : file_vals[i];
    o.provider_name = v[0];
    o.provider_address = v[1];
    o.provider_representative = v[2];
    o.acquisition = v[3];
    o.provider_corporate_number = v[4];
    if (provide_cli_load(&in, "receive", argc, argv, policy_arg) < 0)
        goto out;
    struct hogo_decision d;
    char id[HOGO_LEDGER_ID_BYTES];
    if (hogo_request_parse(in.req, hogo_policy_vocab(in.policy), in.json, in.len,
                           HOGO_DEFAULT_MAX_REQUEST, &err) ||
        hogo_store_open_env(&st, db, NULL, NULL, 0, &err) ||
        hogo_receive(st, in.policy, in.req, &o, &d, id, &err)) {
        cli_print_error(&err);
        goto out;
    }
    provide_cli_print(&in, &d, id, "\"type\":\"confirm_receipt\"");
    status = fflush(stdout) == 0 ? (d.allow ? 0 : 1) : 2;
out:
    for (int i = 0; i < 5; i++)
        free(file_vals[i]);
    hogo_store_free(st);
    provide_cli_release(&in);
    return status;
}
