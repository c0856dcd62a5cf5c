/*
 * `hogo ledger`: the APPI provision (Art. 29) and receipt (Art. 30) records: listing,
 * exporting (JSON, CSV), recording a receipt with its confirmation, and purging what is past
 * retention. CLI layer over include/hogo/ledger.h. (`hogo provide` records provisions.)
 * Exit status: 0 done, 1 the store failed, 2 bad input (e.g. a missing confirmation item).
 */
#include "commands.h"

#include <hogo/ledger.h>
#include <hogo/store.h>

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char usage_text[] =
    "usage: hogo ledger <subcommand> [--db DB]\n"
    "  list [FILTERS]                     records as JSON\n"
    "  export [FILTERS] [--format json|csv] [--out FILE]\n"
    "  show ID                            one record\n"
    "  purge                              delete records past their retention period (only)\n"
    "  receipt --subject ID --provider-name N --provider-address A\n"
    "          --provider-representative R --acquisition HOW --items a,b\n"
    "          [--corporate-number N] [--basis B] [--retention-years 3|1]\n"
    "          [--retention-from creation|last_provision]   record a receipt (Art. 30)\n"
    "FILTERS: --subject ID --recipient ID|NAME|NUMBER --from DATE --to DATE\n"
    "         --kind provisions|receipts  (DATE: YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ, UTC;\n"
    "         --to YYYY-MM-DD includes that whole day)\n"
    "exit status: 0 done, 1 the store failed, 2 bad input\n";

/* Parses a UTC date or date-time into microseconds; end_of_day for a bare --to date. */
static int parse_time(const char *s, int end_of_day, int64_t *out)
{
    struct tm tm = {0};
    int n = 0;
    if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2dZ%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
               &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &n) == 6 && s[n] == '\0') {
        end_of_day = 0;
    } else if (sscanf(s, "%4d-%2d-%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &n) == 3 &&
               s[n] == '\0') {
        tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
    } else
        return -1;
    if (tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 || tm.tm_mday > 31)
        return -1;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    int64_t t = (int64_t)timegm(&tm) * 1000000;
    if (end_of_day)
        t += 86400LL * 1000000 - 1;
    *out = t;
    return 0;
}

int cmd_ledger(int argc, char **argv)
{
    enum { O_DB = 256, O_SUB, O_REC, O_FROM, O_TO, O_KIND, O_FMT, O_OUT, O_PN, O_PA, O_PR, O_ACQ,
           O_ITEMS, O_CN, O_BASIS, O_RY, O_RF, O_SK };
    static const struct option longopts[] = {
        {"db", required_argument, NULL, O_DB},
        {"subject", required_argument, NULL, O_SUB},
        {"recipient", required_argument, NULL, O_REC},
        {"from", required_argument, NULL, O_FROM},
        {"to", required_argument, NULL, O_TO},
        {"kind", required_argument, NULL, O_KIND},
        {"format", required_argument, NULL, O_FMT},
        {"out", required_argument, NULL, O_OUT},
        {"provider-name", required_argument, NULL, O_PN},
        {"provider-address", required_argument, NULL, O_PA},
        {"provider-representative", required_argument, NULL, O_PR},
        {"acquisition", required_argument, NULL, O_ACQ},
        {"items", required_argument, NULL, O_ITEMS},
        {"corporate-number", required_argument, NULL, O_CN},
        {"basis", required_argument, NULL, O_BASIS},
        {"retention-years", required_argument, NULL, O_RY},
        {"retention-from", required_argument, NULL, O_RF},
        {"signing-key", required_argument, NULL, O_SK},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    const char *db = NULL, *out = NULL, *sk = NULL, *items = NULL;
    struct hogo_ledger_filter f = {0};
    struct hogo_receipt r = {.retention_years = 3, .retention_from = "creation",
                             .record_required = 1};
    int format = HOGO_LEDGER_JSON, c;
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        fputs(usage_text, argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    const char *sub = argv[1];
    argc--;
    argv++;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 'h': fputs(usage_text, stdout); return 0;
        case O_DB: db = optarg; break;
        case O_SUB: f.subject_id = r.subject_id = optarg; break;
        case O_REC: f.recipient = optarg; break;
        case O_FROM:
        case O_TO:
            if (parse_time(optarg, c == O_TO, c == O_FROM ? &f.from : &f.to) < 0) {
                cli_errorf("ledger: date '%s' must be YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ",
                           optarg);
                return 2;
            }
            break;
        case O_KIND:
            if (!strcmp(optarg, "provisions"))
                f.kind = 1;
            else if (!strcmp(optarg, "receipts"))
                f.kind = 2;
            else {
                cli_errorf("ledger: --kind takes provisions or receipts, not '%s'", optarg);
                return 2;
            }
            break;
        case O_FMT:
            if (!strcmp(optarg, "csv"))
                format = HOGO_LEDGER_CSV;
            else if (strcmp(optarg, "json")) {
                cli_errorf("ledger: --format takes json or csv, not '%s'", optarg);
                return 2;
            }
            break;
        case O_OUT: out = optarg; break;
        case O_PN: r.provider_name = optarg; break;
        case O_PA: r.provider_address = optarg; break;
        case O_PR: r.provider_representative = optarg; break;
        case O_ACQ: r.acquisition = optarg; break;
        case O_ITEMS: items = optarg; break;
        case O_CN: r.provider_corporate_number = optarg; break;
        case O_BASIS: r.basis = optarg; break;
        case O_RY: r.retention_years = atoi(optarg); break;
        case O_RF: r.retention_from = optarg; break;
        case O_SK: sk = optarg; break;
        default:
            cli_errorf("ledger: unknown or incomplete option '%s'; see 'hogo ledger --help'",
                       argv[optind - 1]);
            return 2;
        }
    }
    int npos = argc - optind;
    int known = !strcmp(sub, "list") || !strcmp(sub, "export") || !strcmp(sub, "show") ||
                !strcmp(sub, "purge") || !strcmp(sub, "receipt");
    if (!known || (!strcmp(sub, "show") ? npos != 1 : npos != 0)) {
        cli_errorf("ledger: expected 'hogo ledger list|export|show ID|purge|receipt'; see 'hogo "
                   "ledger --help'");
        return 2;
    }
    if (!strcmp(sub, "receipt") && (!r.subject_id || !items)) {
        cli_errorf("ledger: receipt needs --subject and --items (and the provider's name, "
                   "address, representative and --acquisition)");
        return 2;
    }
    struct hogo_error err;
    struct hogo_store *st = NULL;
    char *text = NULL, *copy = NULL;
    hogo_error_clear(&err);
    int rc = hogo_store_open_env(&st, db, NULL, sk, 0, &err);
    if (rc == 0 && (!strcmp(sub, "list") || !strcmp(sub, "export"))) {
        rc = hogo_ledger_export(st, &f, !strcmp(sub, "list") ? HOGO_LEDGER_JSON : format, &text,
                                &err);
        if (rc == 0) {
            FILE *o = out ? fopen(out, "w") : stdout;
            if (!o || fputs(text, o) < 0 || (format == HOGO_LEDGER_JSON && fputc('\n', o) < 0))
                rc = hogo_error_set(&err, HOGO_EIO, out, "cannot write '%s'", out ? out : "stdout");
            if (o && o != stdout)
                fclose(o);
        }
    } else if (rc == 0 && !strcmp(sub, "show")) {
        rc = hogo_ledger_show_json(st, argv[optind], &text, &err);
        if (rc == 0)
            puts(text);
    } else if (rc == 0 && !strcmp(sub, "purge")) {
        int64_t n = 0;
        rc = hogo_ledger_purge(st, &n, &err);
        if (rc == 0)
            printf("purged %lld records past their retention period\n", (long long)n);
    } else if (rc == 0) {
        const char *list[64];
        size_t n = 0;
        char *save = NULL;
        copy = strdup(items);
        for (char *t = copy ? strtok_r(copy, ",", &save) : NULL; t && n < 64;
             t = strtok_r(NULL, ",", &save))
            list[n++] = t;
        r.items = list;
        r.n_items = n;
        char id[HOGO_LEDGER_ID_BYTES];
        rc = copy ? hogo_ledger_record_receipt(st, &r, id, &err)
                  : hogo_error_set(&err, HOGO_ENOMEM, NULL, "out of memory");
        if (rc == 0)
            puts(id);
    }
    hogo_store_free(st);
    free(text);
    free(copy);
    if (rc < 0) {
        cli_errorf("ledger: %s%s%s", err.message[0] ? err.message : hogo_strerror(rc),
                   err.where[0] ? " at " : "", err.where);
        return rc == HOGO_EINVAL || rc == HOGO_ENOTFOUND || rc == HOGO_ELIMIT ||
                       rc == HOGO_EVERSION
                   ? 2
                   : 1;
    }
    return 0;
}
