/*
 * `hogo breach`: leak incidents under APPI Art. 26 — record one, list the people affected
 * from the store, assess whether it must be reported and by when, produce the preliminary
 * (速報) and final (確報) reports and the notice to each person. CLI layer over
 * include/hogo/rights.h. `hogo breach open` prints the new id alone on one line.
 * Exit status: 0 done, 1 the store failed, 2 bad input.
 */
#include "commands.h"
#include "store_cli.h"

#include <hogo/rights.h>

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage_text[] =
    "usage: hogo breach <subcommand> [--db DB] [--actor NAME] ...\n"
    "  open --summary TEXT --discovered YYYY-MM-DD --items a,b [--cause TEXT]\n"
    "       [--operator POLICY]           the operator whose data leaked\n"
    "       [--sensitive] [--encrypted] [--financial] [--wrongful]\n"
    "                                     record an incident; prints its id alone\n"
    "  affected ID (--subject S | --subjects FILE | --category CAT [--operator POLICY])\n"
    "                                     add the people affected (by category: everyone\n"
    "                                     whose data of that category the store holds;\n"
    "                                     FILE: subject ids, one a line)\n"
    "  assess ID                          reportable? (Rules Art. 7) and the deadlines\n"
    "  report ID --stage preliminary|final [--cause T] [--secondary-harm T] [--response T]\n"
    "         [--publication T] [--prevention T] [--other T]\n"
    "                                     the report to the PPC (Rules Art. 8 items)\n"
    "  notify ID                          the notice to each person, one JSON line each\n"
    "  show ID                            the incident (JSON)\n"
    "  list [--operator POLICY]           the incidents (JSON), those without a final\n"
    "                                     report first, the nearest deadline first\n"
    "  deadline --from YYYY-MM-DD --day N the date of day N (day 1 = from), moved off\n"
    "                                     weekends, holidays and 12/29-1/3\n"
    "options: --db DB (or HOGO_DB), --actor NAME\n"
    "exit status: 0 done, 1 the store failed, 2 bad input\n";

struct opts {
    struct store_cli cli; /* --db, --actor, the subcommand and its incident id */
    const char *summary, *discovered, *items, *cause, *subject, *category, *operator_id,
        *subjects, *stage, *harm, *response, *publication, *prevention, *other, *from, *day;
    int sensitive, encrypted, financial, wrongful;
};

static int failed(int rc, const struct hogo_error *err)
{
    store_cli_report("breach", rc, err);
    return rc == HOGO_EINVAL || rc == HOGO_ENOTFOUND || rc == HOGO_ELIMIT ||
                   rc == HOGO_EVERSION
               ? 2
               : 1;
}

enum { O_SUM = 256, O_DISC, O_ITEMS, O_CAUSE, O_SUBJ, O_CAT, O_OP, O_SUBJS, O_STAGE, O_HARM,
       O_RESP, O_PUB, O_PREV, O_OTHER, O_FROM, O_DAY, O_SENS, O_ENC, O_FIN, O_WRONG };
static const struct option longopts[] = {
    STORE_CLI_OPT_DB,
    STORE_CLI_OPT_ACTOR,
    {"summary", required_argument, NULL, O_SUM},
    {"discovered", required_argument, NULL, O_DISC},
    {"items", required_argument, NULL, O_ITEMS},
    {"cause", required_argument, NULL, O_CAUSE},
    {"subject", required_argument, NULL, O_SUBJ},
    {"category", required_argument, NULL, O_CAT},
    {"operator", required_argument, NULL, O_OP},
    {"subjects", required_argument, NULL, O_SUBJS},
    {"stage", required_argument, NULL, O_STAGE},
    {"secondary-harm", required_argument, NULL, O_HARM},
    {"response", required_argument, NULL, O_RESP},
    {"publication", required_argument, NULL, O_PUB},
    {"prevention", required_argument, NULL, O_PREV},
    {"other", required_argument, NULL, O_OTHER},
    {"from", required_argument, NULL, O_FROM},
    {"day", required_argument, NULL, O_DAY},
    {"sensitive", no_argument, NULL, O_SENS},
    {"encrypted", no_argument, NULL, O_ENC},
    {"financial", no_argument, NULL, O_FIN},
    {"wrongful", no_argument, NULL, O_WRONG},
    STORE_CLI_OPT_END};

/* The options of hogo breach itself (store_cli_parse's callback). */
static int breach_option(void *ctx, int id, const char *arg)
{
    struct opts *o = ctx;
    const char **slot[] = {&o->summary,     &o->discovered, &o->items,    &o->cause,
                           &o->subject,     &o->category,   &o->operator_id, &o->subjects,
                           &o->stage,       &o->harm,       &o->response, &o->publication,
                           &o->prevention,  &o->other,      &o->from,     &o->day};
    int *flag[] = {&o->sensitive, &o->encrypted, &o->financial, &o->wrongful};
    if (id >= O_SUM && id <= O_DAY)
        *slot[id - O_SUM] = arg;
    else if (id >= O_SENS && id <= O_WRONG)
        *flag[id - O_SENS] = 1;
    return 0;
}

static void print_take(char *s)
{
    if (s)
        puts(s);
    free(s);
}

int cmd_breach(int argc, char **argv)
{
    struct opts o = {.cli = {.name = "breach", .usage = usage_text, .max_pos = 2}};
    struct hogo_error err;
    hogo_error_clear(&err);
    int p = store_cli_parse(&o.cli, argc, argv, 1, longopts, breach_option, &o);
    if (p >= 0)
        return p;
    const char *sub = o.cli.sub;
    int need_id = !strcmp(sub, "affected") || !strcmp(sub, "assess") ||
                  !strcmp(sub, "report") || !strcmp(sub, "notify") || !strcmp(sub, "show");
    if (!need_id && strcmp(sub, "open") && strcmp(sub, "deadline") && strcmp(sub, "list")) {
        cli_errorf("breach: unknown subcommand '%s'; see 'hogo breach --help'", sub);
        return 2;
    }
    if (o.cli.npos != need_id) {
        cli_errorf(need_id ? "breach: expected 'hogo breach %s INCIDENT_ID'"
                           : "breach: 'hogo breach %s' takes only options",
                   sub);
        return 2;
    }
    if (!strcmp(sub, "deadline")) {
        char out[11];
        char *end = NULL;
        long n = o.day ? strtol(o.day, &end, 10) : 0;
        if (!o.from || !o.day || *end) {
            cli_errorf("breach: deadline needs --from YYYY-MM-DD and --day N");
            return 2;
        }
        int rc = hogo_deadline_day(o.from, (int)n, out, &err);
        if (rc < 0)
            return failed(rc, &err);
        puts(out);
        return 0;
    }
    if (!strcmp(sub, "open") && (!o.summary || !o.discovered || !o.items)) {
        cli_errorf("breach: open needs --summary, --discovered YYYY-MM-DD and --items");
        return 2;
    }
    if (!strcmp(sub, "report") && !o.stage) {
        cli_errorf("breach: report needs --stage preliminary or --stage final");
        return 2;
    }
    struct hogo_store *st = NULL;
    struct hogo_vocab *vocab = NULL;
    int rc = store_cli_open_checked(&o.cli, &st, &vocab, &err);
    if (rc < 0)
        return failed(rc, &err);
    const char *id = o.cli.npos ? o.cli.pos[0] : NULL;
    char *json = NULL;
    if (!strcmp(sub, "open")) {
        char bid[HOGO_DSR_ID_BYTES];
        struct hogo_breach_open bo = {.operator_id = o.operator_id, .summary = o.summary, .discovered = o.discovered,
                                      .cause = o.cause, .items = o.items,
                                      .sensitive = o.sensitive, .encrypted = o.encrypted,
                                      .financial = o.financial, .wrongful = o.wrongful,
                                      .actor = o.cli.actor};
        if ((rc = hogo_breach_open(st, &bo, bid, &err)) == 0)
            puts(bid);
    } else if (!strcmp(sub, "affected")) {
        int64_t added = 0, one = 0, lineno = 0;
        if (o.subjects) { /* a file of ids, in one transaction */
            FILE *f = fopen(o.subjects, "r");
            char *line = NULL;
            size_t cap = 0;
            ssize_t len;
            rc = f ? hogo_store_begin(st, &err)
                   : hogo_error_set(&err, HOGO_EIO, o.subjects, "cannot read '%s'", o.subjects);
            while (rc == 0 && (len = getline(&line, &cap, f)) >= 0) {
                lineno++;
                line[strcspn(line, "\r\n")] = '\0';
                if (!line[0])
                    continue;
                rc = hogo_breach_add_affected(st, id, line, NULL, NULL, &one, o.cli.actor, &err);
                added += one;
                if (rc < 0) {
                    char m[sizeof err.message];
                    snprintf(m, sizeof m, "%s", err.message);
                    hogo_error_set(&err, rc, NULL, "%s:%lld: %s", o.subjects, (long long)lineno,
                                   m);
                }
            }
            if (f) {
                rc = rc == 0 ? hogo_store_commit(st, &err) : rc;
                if (rc < 0) {
                    struct hogo_error ignored;
                    hogo_store_rollback(st, &ignored);
                }
                fclose(f);
            }
            free(line);
        } else
            rc = hogo_breach_add_affected(st, id, o.subject, o.category, o.operator_id, &added,
                                          o.cli.actor, &err);
        if (rc == 0)
            printf("%lld\n", (long long)added);
    } else if (!strcmp(sub, "assess")) {
        if ((rc = hogo_breach_assess(st, id, o.cli.actor, &json, &err)) == 0)
            print_take(json);
    } else if (!strcmp(sub, "report")) {
        struct hogo_breach_facts f = {o.cause,       o.harm,       o.response,
                                      o.publication, o.prevention, o.other};
        if ((rc = hogo_breach_report(st, id, o.stage, &f, o.cli.actor, &json, &err)) == 0)
            print_take(json);
    } else if (!strcmp(sub, "notify"))
        rc = hogo_breach_notices(st, id, stdout, o.cli.actor, &err);
    else if (!strcmp(sub, "list")) {
        if ((rc = hogo_breach_list_json(st, o.operator_id, &json, &err)) == 0)
            print_take(json);
    } else if ((rc = hogo_breach_show_json(st, id, &json, &err)) == 0)
        print_take(json);
    int code = rc < 0 ? failed(rc, &err) : 0;
    hogo_store_free(st);
    hogo_vocab_free(vocab);
    return code;
}
