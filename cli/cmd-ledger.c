/*
 * `hogo ledger`: the APPI provision (Art. 29) and receipt (Art. 30) records: listing,
 * exporting (JSON, CSV), recording a receipt with its confirmation, and purging what is past
 * retention. CLI layer over include/hogo/ledger.h. (`hogo provide` records provisions.)
 * Exit status: 0 done, 1 the store failed, 2 bad input (e.g. a missing confirmation item).
 */
#include "cli_util.h"
#include "commands.h"
#include "store_cli.h"

#include <hogo/file.h>
#include <hogo/ledger.h>
#include <hogo/store.h>

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "listing.h"
#include "names.h"

static const char usage_text[] =
    "usage: hogo ledger <subcommand> [--db DB]\n"
    "  list [FILTERS] [--format json|jsonl|csv|text] [--lang ja|en]   the records (default\n"
    "                                     json; text: Japanese names unless --lang en)\n"
    "  export [FILTERS] [--format json|jsonl|csv|text] [--out FILE]\n"
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

/* The options of `hogo ledger` besides the shared ones. */
enum { O_SUB = 1, O_REC, O_FROM, O_TO, O_KIND, O_FMT, O_OUT, O_PN, O_PA, O_PR, O_ACQ, O_ITEMS,
       O_CN, O_BASIS, O_RY, O_RF, O_LANG };
struct ledger_opts {
    struct hogo_ledger_filter f; /* list/export filter */
    struct hogo_receipt r;       /* the receipt to record */
    enum listing_format format;  /* --format */
    const char *out, *items;     /* --out FILE, --items a,b */
    const char *lang;            /* --lang of --format text */
};

static int ledger_option(void *ctx, int id, const char *arg)
{
    struct ledger_opts *l = ctx;
    switch (id) {
    case O_SUB: l->f.subject_id = l->r.subject_id = arg; break;
    case O_REC: l->f.recipient = arg; break;
    case O_FROM:
    case O_TO:
        if (parse_time(arg, id == O_TO, id == O_FROM ? &l->f.from : &l->f.to) < 0) {
            cli_errorf("ledger: date '%s' must be YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ",
                       arg);
            return 2;
        }
        break;
    case O_KIND:
        if (!strcmp(arg, "provisions"))
            l->f.kind = 1;
        else if (!strcmp(arg, "receipts"))
            l->f.kind = 2;
        else {
            cli_errorf("ledger: --kind takes provisions or receipts, not '%s'", arg);
            return 2;
        }
        break;
    case O_FMT:
        if (listing_format_parse("ledger", arg, &l->format))
            return 2;
        break;
    case O_OUT: l->out = arg; break;
    case O_LANG:
        if (strcmp(arg, "ja") && strcmp(arg, "en")) {
            cli_errorf("ledger: --lang is ja or en, not '%s'", arg);
            return 2;
        }
        l->lang = arg;
        break;
    case O_PN: l->r.provider_name = arg; break;
    case O_PA: l->r.provider_address = arg; break;
    case O_PR: l->r.provider_representative = arg; break;
    case O_ACQ: l->r.acquisition = arg; break;
    case O_ITEMS: l->items = arg; break;
    case O_CN: l->r.provider_corporate_number = arg; break;
    case O_BASIS: l->r.basis = arg; break;
    case O_RY: l->r.retention_years = atoi(arg); break;
    case O_RF: l->r.retention_from = arg; break;
    }
    return 0;
}

/* A record's cell for a person reading Japanese: the kind of record in words, and ids of the
 * vocabulary (purpose, counterparty, items) by their Japanese names. */
static void ledger_cell_ja(void *ctx, int column, const char *value, char *buf, size_t cap)
{
    const char *shown = value;
    if (column == 0)
        shown = !strcmp(value, "provision") ? "提供" : !strcmp(value, "receipt") ? "受領" : value;
    else if (column >= 4 && column <= 6)
        shown = cli_names_ja(ctx, value);
    snprintf(buf, cap, "%s", shown);
}

/* jsonl, or text for a person (Japanese unless lang is "en"), made from the library's JSON. */
static long list_text(FILE *m, enum listing_format format, const char *json,
                      const char *const *cols, int ncols, const char *lang)
{
    if (format != LISTING_TEXT || !strcmp(lang, "en"))
        return listing_json_array(m, format, json, cols, ncols, NULL);
    static const char *const labels[] = {"種別", "記録ID", "本人ID", "日時",
                                         "相手方", "利用目的", "項目", "保存期限"};
    struct cli_names *names = cli_names_load();
    struct listing_text_view view = {labels, ledger_cell_ja, names, "、"};
    long n = listing_json_array(m, format, json, cols, ncols, &view);
    cli_names_free(names);
    return n;
}

int cmd_ledger(int argc, char **argv)
{
    static const struct option longopts[] = {
        STORE_CLI_OPT_DB,
        {"subject", required_argument, NULL, O_SUB},
        {"recipient", required_argument, NULL, O_REC},
        {"from", required_argument, NULL, O_FROM},
        {"to", required_argument, NULL, O_TO},
        {"kind", required_argument, NULL, O_KIND},
        {"format", required_argument, NULL, O_FMT},
        {"out", required_argument, NULL, O_OUT},
        {"lang", required_argument, NULL, O_LANG},
        {"provider-name", required_argument, NULL, O_PN},
        {"provider-address", required_argument, NULL, O_PA},
        {"provider-representative", required_argument, NULL, O_PR},
        {"acquisition", required_argument, NULL, O_ACQ},
        {"items", required_argument, NULL, O_ITEMS},
        {"corporate-number", required_argument, NULL, O_CN},
        {"basis", required_argument, NULL, O_BASIS},
        {"retention-years", required_argument, NULL, O_RY},
        {"retention-from", required_argument, NULL, O_RF},
        STORE_CLI_OPT_SIGNING_KEY,
        STORE_CLI_OPT_END};
    struct store_cli o = {.name = "ledger", .usage = usage_text};
    struct ledger_opts l = {.r = {.retention_years = 3, .retention_from = "creation",
                                  .record_required = 1},
                            .format = LISTING_JSON, .lang = cli_default_lang()};
    int status = store_cli_parse(&o, argc, argv, 1, longopts, ledger_option, &l);
    if (status >= 0)
        return status;
    const char *sub = o.sub, *out = l.out, *items = l.items;
    struct hogo_ledger_filter f = l.f;
    struct hogo_receipt r = l.r;
    enum listing_format format = l.format;
    int npos = o.npos;
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
    int rc = store_cli_open(&o, &st, 0, &err);
    if (rc == 0 && (!strcmp(sub, "list") || !strcmp(sub, "export"))) {
        rc = hogo_ledger_export(st, &f, format == LISTING_CSV ? HOGO_LEDGER_CSV : HOGO_LEDGER_JSON,
                                &text, &err);
        if (rc == 0) {
            static const char *const cols[] = {"type", "id", "subject_id", "date", "counterparty",
                                               "purpose", "items", "purge_after"};
            /* json and csv are the library's own export; jsonl and text are made from it */
            int own = format == LISTING_CSV || format == LISTING_JSON;
            char *body = NULL;
            size_t blen = 0;
            FILE *m = open_memstream(&body, &blen);
            int bad = !m;
            if (m) {
                bad = own ? (fputs(text, m) < 0 || (format == LISTING_JSON && fputc('\n', m) < 0))
                          : list_text(m, format, text, cols, 8, l.lang) < 0;
                bad |= fclose(m) != 0;
            }
            if (bad)
                rc = hogo_error_set(&err, HOGO_ENOMEM, NULL, "out of memory");
            else if (out && strcmp(out, "-"))
                rc = hogo_write_file(out, body, blen, &err);
            else if (fwrite(body, 1, blen, stdout) != blen || fflush(stdout) != 0)
                rc = hogo_error_set(&err, HOGO_EIO, NULL, "cannot write to stdout");
            free(body);
        }
    } else if (rc == 0 && !strcmp(sub, "show")) {
        rc = hogo_ledger_show_json(st, o.pos[0], &text, &err);
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
