/*
 * `hogo dsr`: rights requests (開示等の請求) — open, verify the person's identity, complete
 * with the request's effect, refuse on an APPI ground, withdraw, and the work queue.
 * CLI layer over include/hogo/rights.h. `hogo dsr open` prints the new id alone on one line;
 * complete and refuse print the Japanese notice to the person.
 * Exit status: 0 done, 1 the store failed, 2 bad input (unknown request, move not allowed).
 */
#include "cli_util.h"
#include "commands.h"
#include "store_cli.h"

#include <hogo/rights.h>

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage_text[] =
    "usage: hogo dsr <subcommand> [--db DB] [--actor NAME] ...\n"
    "  open --subject ID --kind KIND      open a request; prints its id alone on one line\n"
    "       [--agent legal_representative --agent-name N --represents minor|ward]\n"
    "       [--agent authorised_agent --agent-name N --agent-document REF]\n"
    "       [--method electronic|paper] [--channel web|mail|phone|counter]\n"
    "       [--item N | --category CAT]   what a correction/deletion is about\n"
    "     KIND: disclosure, provision_records, correction, deletion, suspension, erasure,\n"
    "           cessation, purpose_notice\n"
    "  verify ID --method M --verifier NAME [--pending]\n"
    "                                     identity check: login_session, jpki, callback,\n"
    "                                     documents, in_person; --pending: started, waiting\n"
    "  start ID                           verified -> in_progress\n"
    "  complete ID [--out FILE.json] [--html FILE.html] [--value V] [--policy POLICY]\n"
    "                                     complete with its effect; prints the notice\n"
    "  refuse ID --ground GROUND [--reason TEXT]   refuse (prints the notice); see 'grounds'\n"
    "  withdraw ID                        the person withdrew the request\n"
    "  show ID                            the request, its verification and history (JSON)\n"
    "  list [--subject ID] [--state S] [--overdue]   requests (JSON); --overdue: open and\n"
    "                                     past due or older than 10 days (APPI Art. 39)\n"
    "  counts                             requests by state (JSON)\n"
    "  grounds                            the refusal grounds and their articles (JSON)\n"
    "  config --due-days N [--kind KIND]  days from receipt to the due date\n"
    "options: --db DB (or HOGO_DB), --master-key FILE, --signing-key FILE,\n"
    "         --actor NAME (who acts; default $HOGO_ACTOR or cli)\n"
    "exit status: 0 done, 1 the store failed, 2 bad input\n";

struct opts {
    struct store_cli cli; /* --db, --master-key, --signing-key, --actor, the subcommand */
    const char *subject, *kind, *agent, *agent_name, *represents, *agent_document, *method,
        *channel, *item, *category, *verifier, *out, *html, *value, *policy, *ground, *reason,
        *state, *due_days;
    int pending, overdue;
};

static int failed(int rc, const struct hogo_error *err)
{
    store_cli_report("dsr", rc, err);
    return store_cli_exit_code(rc);
}

enum { O_SUBJ = 256, O_KIND, O_AGENT, O_AGNAME, O_REPR, O_AGDOC, O_METH, O_CHAN, O_ITEM, O_CAT,
       O_VERIFIER, O_OUT, O_HTML, O_VALUE, O_POL, O_GROUND, O_REASON, O_STATE, O_DUE,
       O_PENDING, O_OVERDUE };
static const struct option longopts[] = {
    STORE_CLI_OPT_DB,
    STORE_CLI_OPT_MASTER_KEY,
    STORE_CLI_OPT_SIGNING_KEY,
    STORE_CLI_OPT_ACTOR,
    {"subject", required_argument, NULL, O_SUBJ},
    {"kind", required_argument, NULL, O_KIND},
    {"agent", required_argument, NULL, O_AGENT},
    {"agent-name", required_argument, NULL, O_AGNAME},
    {"represents", required_argument, NULL, O_REPR},
    {"agent-document", required_argument, NULL, O_AGDOC},
    {"method", required_argument, NULL, O_METH},
    {"channel", required_argument, NULL, O_CHAN},
    {"item", required_argument, NULL, O_ITEM},
    {"category", required_argument, NULL, O_CAT},
    {"verifier", required_argument, NULL, O_VERIFIER},
    {"out", required_argument, NULL, O_OUT},
    {"html", required_argument, NULL, O_HTML},
    {"value", required_argument, NULL, O_VALUE},
    {"policy", required_argument, NULL, O_POL},
    {"ground", required_argument, NULL, O_GROUND},
    {"reason", required_argument, NULL, O_REASON},
    {"state", required_argument, NULL, O_STATE},
    {"due-days", required_argument, NULL, O_DUE},
    {"pending", no_argument, NULL, O_PENDING},
    {"overdue", no_argument, NULL, O_OVERDUE},
    STORE_CLI_OPT_END};

/* The options of hogo dsr itself (store_cli_parse's callback). */
static int dsr_option(void *ctx, int id, const char *arg)
{
    struct opts *o = ctx;
    const char **slot[] = {&o->subject,  &o->kind,   &o->agent,  &o->agent_name,
                           &o->represents, &o->agent_document, &o->method, &o->channel,
                           &o->item,     &o->category, &o->verifier, &o->out,
                           &o->html,     &o->value,  &o->policy, &o->ground,
                           &o->reason,   &o->state,  &o->due_days};
    if (id == O_PENDING)
        o->pending = 1;
    else if (id == O_OVERDUE)
        o->overdue = 1;
    else if (id >= O_SUBJ && id <= O_DUE)
        *slot[id - O_SUBJ] = arg;
    return 0;
}

static int print_take(char *s)
{
    if (s)
        fputs(s, stdout);
    if (s && s[0] && s[strlen(s) - 1] != '\n')
        putchar('\n');
    free(s);
    return 0;
}

int cmd_dsr(int argc, char **argv)
{
    struct opts o = {.cli = {.name = "dsr", .usage = usage_text, .max_pos = 4}};
    struct hogo_error err;
    hogo_error_clear(&err);
    int p = store_cli_parse(&o.cli, argc, argv, 1, longopts, dsr_option, &o);
    if (p >= 0)
        return p;
    const char *sub = o.cli.sub;
    static const char *const with_id[] = {"verify", "start", "complete", "refuse", "withdraw",
                                          "show"};
    static const char *const without_id[] = {"open", "list", "counts", "grounds", "config"};
    int need_id = 0, known = 0;
    for (size_t i = 0; i < sizeof with_id / sizeof with_id[0]; i++)
        if (!strcmp(sub, with_id[i]))
            need_id = known = 1;
    for (size_t i = 0; i < sizeof without_id / sizeof without_id[0]; i++)
        if (!strcmp(sub, without_id[i]))
            known = 1;
    if (!known) {
        cli_errorf("dsr: unknown subcommand '%s'; see 'hogo dsr --help'", sub);
        return 2;
    }
    if (o.cli.npos != need_id) {
        cli_errorf(need_id ? "dsr: expected 'hogo dsr %s REQUEST_ID'"
                           : "dsr: 'hogo dsr %s' takes no argument besides its options",
                   sub);
        return 2;
    }
    if (!strcmp(sub, "grounds")) {
        puts(hogo_dsr_grounds_json());
        return 0;
    }
    if (!strcmp(sub, "open") && (!o.subject || !o.kind)) {
        cli_errorf("dsr: open needs --subject ID and --kind KIND");
        return 2;
    }
    if (!strcmp(sub, "verify") && (!o.method || !o.verifier)) {
        cli_errorf("dsr: verify needs --method (login_session, jpki, callback, documents, "
                   "in_person) and --verifier NAME");
        return 2;
    }
    if (!strcmp(sub, "refuse") && !o.ground) {
        cli_errorf("dsr: refuse needs --ground GROUND; 'hogo dsr grounds' lists them");
        return 2;
    }
    if (!strcmp(sub, "config") && !o.due_days) {
        cli_errorf("dsr: config needs --due-days N");
        return 2;
    }
    char detail[128] = "";
    if (o.item) {
        char *end = NULL;
        long long n = strtoll(o.item, &end, 10);
        if (!*o.item || *end || n < 1) {
            cli_errorf("dsr: --item takes a data item number (see 'hogo data list ID'), not "
                       "'%s'",
                       o.item);
            return 2;
        }
        snprintf(detail, sizeof detail, "{\"item\":%lld}", n);
    } else if (o.category) {
        if (strspn(o.category, "abcdefghijklmnopqrstuvwxyz0123456789_") != strlen(o.category) ||
            strlen(o.category) > 64) {
            cli_errorf("dsr: --category takes a data category id such as email, not '%s'",
                       o.category);
            return 2;
        }
        snprintf(detail, sizeof detail, "{\"category\":\"%s\"}", o.category);
    }
    struct hogo_store *st = NULL;
    struct hogo_vocab *vocab = NULL;
    int rc = store_cli_open_checked(&o.cli, &st, &vocab, &err);
    if (rc < 0)
        return failed(rc, &err);
    const char *id = o.cli.npos ? o.cli.pos[0] : NULL;
    char *json = NULL, *notice = NULL;
    int code = 0;
    if (!strcmp(sub, "open")) {
        char rid[HOGO_DSR_ID_BYTES];
        struct hogo_dsr_open op = {.subject_id = o.subject, .kind = o.kind, .agent = o.agent,
                                   .agent_name = o.agent_name, .represents = o.represents,
                                   .agent_document = o.agent_document, .method = o.method,
                                   .channel = o.channel,
                                   .detail_json = detail[0] ? detail : NULL, .actor = o.cli.actor};
        if ((rc = hogo_dsr_open(st, &op, rid, &err)) == 0)
            puts(rid);
    } else if (!strcmp(sub, "verify"))
        rc = hogo_dsr_verify(st, id, o.method, o.verifier, o.pending, o.cli.actor, &err);
    else if (!strcmp(sub, "start"))
        rc = hogo_dsr_start(st, id, o.cli.actor, &err);
    else if (!strcmp(sub, "withdraw"))
        rc = hogo_dsr_withdraw(st, id, o.cli.actor, &err);
    else if (!strcmp(sub, "refuse")) {
        if ((rc = hogo_dsr_refuse(st, id, o.ground, o.reason, o.cli.actor, &notice, &err)) == 0)
            print_take(notice);
    } else if (!strcmp(sub, "complete")) {
        /* the disclosure package and its report are streamed to temporary files and put in
         * place only once the completion committed */
        struct cli_out fj = {0}, fh = {0};
        int bad = (o.out && cli_out_open(&fj, "dsr", o.out) < 0) ||
                  (o.html && cli_out_open(&fh, "dsr", o.html) < 0);
        struct hogo_policy *pol = NULL;
        if (!bad && o.policy)
            rc = hogo_policy_open(o.policy, NULL, &pol, &err);
        if (bad)
            code = 2;
        else if (rc == 0) {
            struct hogo_dsr_complete c = {.policy = pol, .package_json = fj.f,
                                          .package_html = fh.f, .value = o.value,
                                          .actor = o.cli.actor};
            if ((rc = hogo_dsr_complete(st, id, &c, &notice, &err)) == 0 && fj.f != stdout &&
                fh.f != stdout)
                print_take(notice);
            else
                free(notice);
        }
        if (cli_out_close(&fj, "dsr", !bad && rc == 0) < 0 && rc == 0)
            code = 1;
        if (cli_out_close(&fh, "dsr", !bad && rc == 0) < 0 && rc == 0)
            code = 1;
        hogo_policy_free(pol);
    } else if (!strcmp(sub, "show")) {
        if ((rc = hogo_dsr_show_json(st, id, &json, &err)) == 0)
            print_take(json);
    } else if (!strcmp(sub, "list")) {
        if ((rc = hogo_dsr_list_json(st, NULL, o.subject, o.state, o.overdue, &json, &err)) == 0)
            print_take(json);
    } else if (!strcmp(sub, "counts")) {
        if ((rc = hogo_dsr_counts_json(st, &json, &err)) == 0)
            print_take(json);
    } else if (!strcmp(sub, "config")) {
        char *end = NULL;
        long d = strtol(o.due_days, &end, 10);
        rc = *end ? hogo_error_set(&err, HOGO_EINVAL, NULL, "--due-days takes a number of days")
                  : hogo_dsr_config_set(st, o.kind, (int)d, &err);
    }
    if (rc < 0)
        code = failed(rc, &err);
    hogo_store_free(st);
    hogo_vocab_free(vocab);
    return code;
}
