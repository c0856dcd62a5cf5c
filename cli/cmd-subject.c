/*
 * `hogo subject`: the people hogo knows and the facts decisions depend on (account links,
 * services, applications, company blocks, opt-outs, age and guardian consent, separate
 * consents, erasure). CLI layer over include/hogo/store.h.
 * Exit status: 0 done, 1 the store failed, 2 bad input (unknown subject, bad value, usage).
 */
#include "commands.h"
#include "store_cli.h"

#include <hogo/store.h>

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct opts {
    struct store_cli cli; /* --db, --master-key, --signing-key, the subcommand, its words */
    const char *operator_id, *id, *recipient, *purpose, *data, *policy, *policy_version,
        *method;
    int in_progress, remove;
};

static const char usage_text[] =
    "usage: hogo subject <subcommand> [--db DB] ...\n"
    "  add ID --operator POLICY           register a person known to an operator (policy id)\n"
    "  show ID                            everything held about ID (no data values)\n"
    "  disclose ID                        full disclosure to the person (APPI Art. 33): facts,\n"
    "                                     consents, data items with their values, provision\n"
    "                                     and receipt records; needs --master-key when ID has\n"
    "                                     data; every value read is an audit event\n"
    "  facts ID [--policy POLICY]         the facts as a decision request's \"subject\" object\n"
    "  choices ID [--policy POLICY]       the person's links, opt-outs, blocks and consents,\n"
    "                                     each with when it was made\n"
    "  set ID FACT VALUE                  set a fact (age 34, scout_service true, or a list\n"
    "                                     a,b,c for a list fact); see spec/vocabulary.yaml\n"
    "  unset ID FACT                      forget a fact (it becomes unknown)\n"
    "  link ID ACCOUNT [--in-progress]    add a linked account (ponta, d_account, ...)\n"
    "  unlink ID ACCOUNT [--in-progress]  remove it\n"
    "  consent ID --id C --recipient R --purpose P --data a,b --policy POLICY\n"
    "          --policy-version V [--method M]   record a separate consent\n"
    "  withdraw ID CONSENT                withdraw a consent\n"
    "  block ID CORPORATE_NUMBER [--remove]   company block (successors included)\n"
    "  optout ID PURPOSE [--remove]       stop a purpose (e.g. ad_delivery)\n"
    "  erase ID                           erase: destroy the data key and the data\n"
    "  list [--operator POLICY]           list subjects\n"
    "  import FILE.jsonl|FILE.csv [--strict] [--batch N]   load people in bulk\n"
    "  export [--format jsonl|csv] [--operator POLICY]     write them in that format\n"
    "options: --db DB (or HOGO_DB), --master-key FILE, --signing-key FILE\n"
    "exit status: 0 done, 1 the store failed, 2 bad input\n";

static int failed(int rc, const struct hogo_error *err)
{
    store_cli_report("subject", rc, err);
    return store_cli_exit_code(rc);
}

enum { O_OP = 256, O_ID, O_REC, O_PUR, O_DATA, O_POL, O_PV, O_METH, O_INP, O_REM };
static const struct option longopts[] = {
    STORE_CLI_OPT_DB,
    STORE_CLI_OPT_MASTER_KEY,
    STORE_CLI_OPT_SIGNING_KEY,
    {"operator", required_argument, NULL, O_OP},
    {"id", required_argument, NULL, O_ID},
    {"recipient", required_argument, NULL, O_REC},
    {"purpose", required_argument, NULL, O_PUR},
    {"data", required_argument, NULL, O_DATA},
    {"policy", required_argument, NULL, O_POL},
    {"policy-version", required_argument, NULL, O_PV},
    {"method", required_argument, NULL, O_METH},
    {"in-progress", no_argument, NULL, O_INP},
    {"remove", no_argument, NULL, O_REM},
    STORE_CLI_OPT_END};

/* The options of hogo subject itself (store_cli_parse's callback). */
static int subject_option(void *ctx, int id, const char *arg)
{
    struct opts *o = ctx;
    const char **slot[] = {&o->operator_id, &o->id,     &o->recipient,      &o->purpose,
                           &o->data,        &o->policy, &o->policy_version, &o->method};
    if (id == O_INP)
        o->in_progress = 1;
    else if (id == O_REM)
        o->remove = 1;
    else if (id >= O_OP && id <= O_METH)
        *slot[id - O_OP] = arg;
    return 0;
}

static int need(const struct opts *o, int n, const char *form)
{
    if (o->cli.npos == n)
        return 0;
    cli_errorf("subject: expected 'hogo subject %s'; see 'hogo subject --help'", form);
    return -1;
}

static int print_json(char *json)
{
    puts(json);
    free(json);
    return 0;
}

int cmd_subject(int argc, char **argv)
{
    struct opts o = {.cli = {.name = "subject", .usage = usage_text, .max_pos = 8}};
    struct hogo_error err;
    struct hogo_store *st = NULL;
    char *json = NULL;
    int rc = 0, code = 0;
    hogo_error_clear(&err);
    if (argc >= 2 && (!strcmp(argv[1], "import") || !strcmp(argv[1], "export")))
        return cmd_subject_bulk(argc, argv);
    int p = store_cli_parse(&o.cli, argc, argv, 1, longopts, subject_option, &o);
    if (p >= 0)
        return p;
    const char *sub = o.cli.sub;
    static const char *const known[] = {"add", "show", "disclose", "facts", "choices", "set", "unset", "link",
                                        "unlink", "consent", "withdraw", "block", "optout",
                                        "erase", "list"};
    int ok = 0;
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        ok |= !strcmp(sub, known[i]);
    if (!ok) {
        cli_errorf("subject: unknown subcommand '%s'; see 'hogo subject --help'", sub);
        return 2;
    }
    /* check the arguments before opening anything */
    if ((!strcmp(sub, "add") && need(&o, 1, "add ID --operator POLICY")) ||
        ((!strcmp(sub, "show") || !strcmp(sub, "disclose") || !strcmp(sub, "facts") ||
          !strcmp(sub, "choices") || !strcmp(sub, "erase") || !strcmp(sub, "consent")) &&
         need(&o, 1, "show|disclose|facts|choices|erase|consent ID ...")) ||
        (!strcmp(sub, "set") && need(&o, 3, "set ID FACT VALUE")) ||
        (!strcmp(sub, "unset") && need(&o, 2, "unset ID FACT")) ||
        ((!strcmp(sub, "link") || !strcmp(sub, "unlink")) && need(&o, 2, "link|unlink ID ACCOUNT")) ||
        (!strcmp(sub, "withdraw") && need(&o, 2, "withdraw ID CONSENT")) ||
        (!strcmp(sub, "block") && need(&o, 2, "block ID CORPORATE_NUMBER")) ||
        (!strcmp(sub, "optout") && need(&o, 2, "optout ID PURPOSE")) ||
        (!strcmp(sub, "list") && need(&o, 0, "list [--operator POLICY]")))
        return 2;
    if (!strcmp(sub, "add") && !o.operator_id) {
        cli_errorf("subject: add needs --operator POLICY (e.g. --operator irp)");
        return 2;
    }
    if (!strcmp(sub, "consent") &&
        (!o.id || !o.recipient || !o.purpose || !o.data || !o.policy || !o.policy_version)) {
        cli_errorf("subject: consent needs --id, --recipient, --purpose, --data, --policy and "
                   "--policy-version");
        return 2;
    }
    rc = store_cli_open(&o.cli, &st, 0, &err);
    if (rc < 0)
        return failed(rc, &err);
    const char *id = o.cli.npos > 0 ? o.cli.pos[0] : NULL;
    if (!strcmp(sub, "add"))
        rc = hogo_subject_add(st, id, o.operator_id, &err);
    else if (!strcmp(sub, "show")) {
        if ((rc = hogo_subject_show_json(st, id, &json, &err)) == 0)
            print_json(json);
    } else if (!strcmp(sub, "disclose")) {
        if ((rc = hogo_subject_disclose_json(st, id, &json, &err)) == 0)
            print_json(json);
    } else if (!strcmp(sub, "facts")) {
        if ((rc = hogo_store_subject_facts_json(st, o.policy, id, &json, &err)) == 0)
            print_json(json);
    } else if (!strcmp(sub, "choices")) {
        if ((rc = hogo_subject_choices_json(st, o.policy, id, &json, &err)) == 0)
            print_json(json);
    } else if (!strcmp(sub, "list")) {
        if ((rc = hogo_subject_list_json(st, o.operator_id, &json, &err)) == 0)
            print_json(json);
    } else if (!strcmp(sub, "set"))
        rc = hogo_subject_set_fact(st, id, o.cli.pos[1], o.cli.pos[2], &err);
    else if (!strcmp(sub, "unset"))
        rc = hogo_subject_unset_fact(st, id, o.cli.pos[1], &err);
    else if (!strcmp(sub, "link"))
        rc = hogo_subject_add_fact(st, id, o.in_progress ? "linking_in_progress" : "linked_accounts",
                                   o.cli.pos[1], &err);
    else if (!strcmp(sub, "unlink"))
        rc = hogo_subject_remove_fact(st, id,
                                      o.in_progress ? "linking_in_progress" : "linked_accounts",
                                      o.cli.pos[1], &err);
    else if (!strcmp(sub, "block"))
        rc = o.remove ? hogo_subject_remove_fact(st, id, "blocked_companies", o.cli.pos[1], &err)
                      : hogo_subject_add_fact(st, id, "blocked_companies", o.cli.pos[1], &err);
    else if (!strcmp(sub, "optout"))
        rc = o.remove ? hogo_subject_remove_fact(st, id, "opt_outs", o.cli.pos[1], &err)
                      : hogo_subject_add_fact(st, id, "opt_outs", o.cli.pos[1], &err);
    else if (!strcmp(sub, "withdraw"))
        rc = hogo_subject_withdraw(st, id, o.cli.pos[1], &err);
    else if (!strcmp(sub, "erase"))
        rc = hogo_subject_erase(st, id, &err);
    else if (!strcmp(sub, "consent")) {
        /* --data a,b,c */
        char *copy = strdup(o.data), *save = NULL;
        const char *items[64];
        size_t n = 0;
        if (!copy) {
            rc = hogo_error_set(&err, HOGO_ENOMEM, NULL, "out of memory");
        } else {
            for (char *t = strtok_r(copy, ",", &save); t && n < 64; t = strtok_r(NULL, ",", &save))
                items[n++] = t;
            struct hogo_consent c = {.id = o.id, .recipient = o.recipient, .purpose = o.purpose,
                                     .data = items, .n_data = n, .policy = o.policy,
                                     .policy_version = o.policy_version, .method = o.method};
            rc = hogo_subject_consent(st, id, &c, &err);
            free(copy);
        }
    }
    if (rc < 0)
        code = failed(rc, &err);
    hogo_store_free(st);
    return code;
}
