/*
 * `hogo deid`: de-identify data before it leaves — anonymize (k-anonymity, l-diversity,
 * t-closeness with the least information loss), stats (contingency tables with small-cell
 * and complementary suppression), pseudonymize (keyed pseudonyms per recipient, APPI
 * 仮名加工情報), scrub (personal data out of Japanese free text) and apply (execute a
 * decision's `deidentify` obligation). CLI layer; the work is done by lib/deid.
 * Exit status: 0 success, 2 bad input (the message says where: file:line or JSON pointer).
 */
#include "cli_util.h"
#include "commands.h"
#include "progress.h"

#include <hogo/deid.h>
#include <hogo/file.h>
#include <hogo/ledger.h>
#include <hogo/store.h>

#include <getopt.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Whether messages for a person are in English ($HOGO_LANG=en); Japanese by default. */
static bool english(void)
{
    return !strcmp(cli_default_lang(), "en");
}

static int report_error(const char *sub, const struct hogo_error *err)
{
    if (err->where[0] && !strstr(err->message, err->where))
        cli_errorf("deid %s: %s: %s", sub, err->where, err->message);
    else
        cli_errorf("deid %s: %s", sub, err->message);
    return 2;
}

/* The outputs of one command (its table and its report) being written. */
static struct hogo_out_file outputs[2];

/* Opens an output through hogo_out_file (never through a symlink, never replacing a device):
 * stdout for "-" or no path. */
static FILE *open_out(const char *sub, const char *path)
{
    if (!path || !strcmp(path, "-"))
        return stdout;
    struct hogo_error err = {0};
    for (size_t i = 0; i < sizeof outputs / sizeof *outputs; i++)
        if (!outputs[i].f) {
            if (hogo_out_file_open(&outputs[i], path, &err) == 0)
                return outputs[i].f;
            cli_errorf("deid %s: %s", sub, err.message);
            return NULL;
        }
    cli_errorf("deid %s: too many outputs", sub);
    return NULL;
}

/* Puts an output opened by open_out() in place. */
static void close_out(FILE *f)
{
    for (size_t i = 0; f && f != stdout && i < sizeof outputs / sizeof *outputs; i++)
        if (outputs[i].f == f) {
            struct hogo_error err = {0};
            if (hogo_out_file_commit(&outputs[i], &err) != 0)
                cli_errorf("%s", err.message);
        }
}

/* An output written through hogo_out_file (a temporary file in the target's folder, never
 * through a symlink, a device written in place) and put in place only when complete, so that
 * a failure leaves no partial file under the real name. */
struct staged_out {
    FILE *f;                 /* where to write: stdout or file.f */
    struct hogo_out_file file;
};

static int staged_open(struct staged_out *o, const char *sub, const char *path)
{
    memset(o, 0, sizeof *o);
    if (!path || !strcmp(path, "-")) {
        o->f = stdout;
        return 0;
    }
    struct hogo_error err = {0};
    if (hogo_out_file_open(&o->file, path, &err) != 0) {
        cli_errorf("deid %s: %s", sub, err.message);
        return -1;
    }
    o->f = o->file.f;
    return 0;
}

/* Closes o; puts it in place when ok, else removes it. Returns 0 or -1. */
static int staged_close(struct staged_out *o, const char *sub, int ok)
{
    if (!o->f || o->f == stdout)
        return 0;
    o->f = NULL;
    if (!ok) {
        hogo_out_file_discard(&o->file);
        return 0;
    }
    struct hogo_error err = {0};
    if (hogo_out_file_commit(&o->file, &err) == 0)
        return 0;
    cli_errorf("deid %s: %s", sub, err.message);
    return -1;
}

/* Splits "a,b,c" into a NULL-terminated array (pointers into s, which is modified). */
static const char **split_list(char *s)
{
    size_t n = 2;
    for (char *p = s; p && *p; p++)
        n += *p == ',';
    const char **v = calloc(n, sizeof *v);
    if (!v || !s)
        return v;
    size_t i = 0;
    for (char *tok = strtok(s, ","); tok; tok = strtok(NULL, ","))
        v[i++] = tok;
    return v;
}

/* The audit-chain subject under which releases of anonymised tables are recorded. */
#define HOGO_DEID_RELEASE_SUBJECT "anonymized-releases"

static const char usage_main[] =
    "usage: hogo deid <command> [options]\n\n"
    "commands:\n"
    "  anonymize     generalise quasi-identifiers until the privacy models hold (least loss)\n"
    "  stats         contingency table with small-cell and complementary suppression\n"
    "  pseudonymize  drop identifiers, keyed pseudonyms per recipient, coarsen rare values\n"
    "  scrub         remove names, phones, e-mails, addresses, … from Japanese text\n"
    "  apply         execute a decision's deidentify obligation on a CSV file\n\n"
    "'hogo deid <command> --help' describes one command; docs/deid.md has the formats.\n";

static const char usage_anonymize[] =
    "usage: hogo deid anonymize --config CONFIG.yaml [--output OUT.csv] [--report REPORT.json] DATA.csv\n"
    "       hogo deid anonymize --config CONFIG.yaml --output OUT.csv --anonymized\n"
    "              --recipient ID --data CAT1,CAT2 --items ITEMS.md --notice NOTICE.md\n"
    "              [--recipient-name NAME] [--operator NAME] [--method TEXT] [--purpose ID]\n"
    "              [--db DB] DATA.csv\n"
    "Finds the generalisation with the least loss that satisfies k-anonymity / l-diversity /\n"
    "t-closeness (as configured) and writes the transformed table (stdout by default, rows in\n"
    "a random order) and a JSON report (levels, loss, suppressed rows, class sizes, risk).\n"
    "Every column of DATA.csv must be declared in the config. Nothing is written when the\n"
    "independent re-check of the result fails (exit 2).\n"
    "--anonymized declares the output anonymously processed information (匿名加工情報, APPI\n"
    "Art. 43): ITEMS.md gets the items to publish (Rules Art. 36), NOTICE.md the notice to the\n"
    "recipient (Rules Art. 37), and the release is recorded in the ledger (store from --db or\n"
    "HOGO_DB) under subject '" HOGO_DEID_RELEASE_SUBJECT "' with the data categories of --data\n"
    "(vocabulary ids). The files appear only once the record is written.\n";
static const char usage_stats[] =
    "usage: hogo deid stats --rows COL --cols COL [--sum COL] [--threshold N] [--protection W]\n"
    "                       [--p-percent P] [--output OUT.csv] [--report REPORT.json] DATA.csv\n"
    "Counts (and sums) per row x column with row, column and grand totals. Cells and totals\n"
    "with 0 < count < N (default 10), and sums failing the P %% dominance rule (default 10), are\n"
    "hidden as X; non-zero complements are added until a linear-programming audit gives every\n"
    "hidden sensitive count an interval at least W wide (default N) and every sum one at least\n"
    "P %% of its value wide. Two dimensions only: --rows and --cols may each be given once.\n";
static const char usage_pseudo[] =
    "usage: hogo deid pseudonymize --key-file KEY --recipient ID [--drop C1,C2] [--pseudonym C3]\n"
    "                              [--rare C4,C5] [--rare-threshold N] [--keep C6,C7]\n"
    "                              [--output OUT.csv] [--report REPORT.json] DATA.csv\n"
    "APPI pseudonymised information: drops the --drop columns, replaces --pseudonym columns\n"
    "with keyed BLAKE2b pseudonyms (a separate derived key per recipient and column), replaces\n"
    "values of --rare columns seen in fewer than N rows (default 10) by '*', and keeps the\n"
    "--keep columns. Every column must be in one list; kept columns holding an identifier\n"
    "(name, phone, e-mail, address, My Number, card or passport number, …) are refused. Rows\n"
    "come out in an order drawn from the key and recipient. KEY holds exactly 32 bytes, or 64\n"
    "hex digits, is private (chmod 600) and not all zero.\n";
static const char usage_scrub[] =
    "usage: hogo deid scrub [--output OUT.txt] [FILE]\n"
    "Scrubs each line of FILE (stdin by default): replaces names,\n"
    "e-mail addresses, phone numbers, postal codes, addresses, My Numbers, URLs and account\n"
    "handles with ［氏名］, ［電話番号］, … and leaves every other byte as it was (matching runs on\n"
    "an NFKC-normalised copy).\n";
static const char usage_apply[] =
    "usage: hogo deid apply --obligation FILE.json|JSON [--column HEADER=CATEGORY|drop|keep]...\n"
    "                       [--output OUT.csv] [--report REPORT.json] DATA.csv\n"
    "Executes a deidentify obligation, e.g.\n"
    "  {\"type\":\"deidentify\",\"drop\":[\"name\",\"address\"],\"generalize\":[\"gender\",\"age_group\"]}\n"
    "Every header names a data category of the vocabulary (id, Japanese or English name, or\n"
    "another wording it lists) or is declared with --column; kept columns are checked for\n"
    "identifiers; ages leave as 年代 (90 and over: 90+); rows leave in a random order.\n";

struct opts {
    const char *config, *output, *report, *rows, *cols, *sum, *key_file, *recipient,
        *obligation;
    /* anonymize --anonymized */
    int anonymized;
    const char *items, *notice, *recipient_name, *operator_name, *method, *purpose, *db;
    char *data;
    /* apply --column HEADER=VALUE (repeatable) */
    const char *columns[65];
    int ncolumns;
    char *drop, *pseudonym, *rare, *keep;
    long threshold, rare_threshold;
    int help;
    /* stats: protection level, p of the p % rule, how often --rows/--cols were given */
    long protection;
    double p_percent;
    int rows_given, cols_given;
};

static int parse(int argc, char **argv, struct opts *o, const char *sub, const char *usage,
                 int *first_arg)
{
    static const struct option longopts[] = {
        {"config", required_argument, NULL, 'c'},     {"output", required_argument, NULL, 'o'},
        {"report", required_argument, NULL, 'r'},     {"rows", required_argument, NULL, 'R'},
        {"cols", required_argument, NULL, 'C'},       {"sum", required_argument, NULL, 'S'},
        {"threshold", required_argument, NULL, 't'},  {"key-file", required_argument, NULL, 'k'},
        {"recipient", required_argument, NULL, 'p'},  {"drop", required_argument, NULL, 'd'},
        {"pseudonym", required_argument, NULL, 'P'},  {"rare", required_argument, NULL, 'x'},
        {"rare-threshold", required_argument, NULL, 'T'}, {"keep", required_argument, NULL, 'K'},
        {"obligation", required_argument, NULL, 'b'}, {"help", no_argument, NULL, 'h'},
        {"protection", required_argument, NULL, 'W'}, {"p-percent", required_argument, NULL, 'q'},
        {"anonymized", no_argument, NULL, 'A'},       {"items", required_argument, NULL, 'I'},
        {"notice", required_argument, NULL, 'N'},
        {"recipient-name", required_argument, NULL, 'n'},
        {"operator", required_argument, NULL, 'O'},   {"method", required_argument, NULL, 'M'},
        {"purpose", required_argument, NULL, 'u'},    {"db", required_argument, NULL, 'D'},
        {"data", required_argument, NULL, 'a'},       {"column", required_argument, NULL, 'L'},
        {NULL, 0, NULL, 0}};
    memset(o, 0, sizeof *o);
    o->threshold = 10;
    o->rare_threshold = 10;
    optind = 0; /* full re-initialisation (GNU), so the parser can run more than once */
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, "+c:o:r:h", longopts, NULL)) != -1) {
        char *end;
        switch (c) {
        case 'c': o->config = optarg; break;
        case 'o': o->output = optarg; break;
        case 'r': o->report = optarg; break;
        case 'R': o->rows = optarg; o->rows_given++; break;
        case 'C': o->cols = optarg; o->cols_given++; break;
        case 'q': {
            double v = strtod(optarg, &end);
            if (end == optarg || *end || !(v > 0 && v <= 100)) {
                cli_errorf("deid %s: --p-percent must be a number in (0, 100], not '%s'", sub,
                           optarg);
                return 2;
            }
            o->p_percent = v;
            break;
        }
        case 'S': o->sum = optarg; break;
        case 'k': o->key_file = optarg; break;
        case 'p': o->recipient = optarg; break;
        case 'd': o->drop = optarg; break;
        case 'P': o->pseudonym = optarg; break;
        case 'K': o->keep = optarg; break;
        case 'A': o->anonymized = 1; break;
        case 'I': o->items = optarg; break;
        case 'N': o->notice = optarg; break;
        case 'n': o->recipient_name = optarg; break;
        case 'O': o->operator_name = optarg; break;
        case 'M': o->method = optarg; break;
        case 'u': o->purpose = optarg; break;
        case 'D': o->db = optarg; break;
        case 'a': o->data = optarg; break;
        case 'L':
            if (o->ncolumns == 64 || !strchr(optarg, '=')) {
                cli_errorf("deid %s: --column takes HEADER=CATEGORY, HEADER=drop or HEADER=keep "
                           "(at most 64)", sub);
                return 2;
            }
            o->columns[o->ncolumns++] = optarg;
            break;
        case 'x': o->rare = optarg; break;
        case 'b': o->obligation = optarg; break;
        case 't':
        case 'W':
        case 'T': {
            long v = strtol(optarg, &end, 10);
            if (end == optarg || *end || v < 1 || v > 1000000) {
                cli_errorf("deid %s: --%s must be a whole number >= 1, not '%s'", sub,
                           c == 't' ? "threshold" : c == 'W' ? "protection" : "rare-threshold",
                           optarg);
                return 2;
            }
            if (c == 't')
                o->threshold = v;
            else if (c == 'W')
                o->protection = v;
            else
                o->rare_threshold = v;
            break;
        }
        case 'h': o->help = 1; break;
        default:
            cli_errorf("deid %s: unknown or incomplete option '%s'; see 'hogo deid %s --help'",
                       sub, argv[optind - 1], sub);
            return 2;
        }
    }
    if (o->help) {
        fputs(usage, stdout);
        return 0;
    }
    *first_arg = optind;
    return -1;
}

static int need_one_file(const char *sub, int argc, int first, const char *usage)
{
    if (argc - first != 1) {
        cli_errorf("deid %s: give exactly one data file", sub);
        fputs(usage, stderr);
        return 2;
    }
    return -1;
}

/* The file's BLAKE2b-256 as hex, so the ledger names exactly what left. */
static int file_hash(FILE *f, char hex[65])
{
    unsigned char buf[65536], h[32];
    crypto_generichash_state s;
    if (sodium_init() < 0)
        return -1;
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

/* Records the release of an anonymised table (written, flushed, to out, named out_name) in
 * the ledger. */
static int record_release(const struct opts *o, const struct hogo_deid_result *res,
                          const struct hogo_deid_release_info *info, FILE *out,
                          const char *out_name,
                          char id[HOGO_LEDGER_ID_BYTES], struct hogo_error *err)
{
    char *detail = NULL, *full = NULL, hex[65] = "";
    const char **items = split_list(o->data);
    struct hogo_store *st = NULL;
    size_t n = 0;
    int rc = 0;
    if (!items)
        return hogo_error_set(err, HOGO_ENOMEM, "", "out of memory");
    while (items[n])
        n++;
    if (n == 0) {
        rc = hogo_error_set(err, HOGO_EINVAL, "--data",
                            "the ledger record needs the data categories released: give "
                            "--data CAT1,CAT2 (vocabulary data-category ids)");
        goto out;
    }
    if (file_hash(out, hex) < 0) {
        rc = hogo_error_set(err, HOGO_EIO, out_name, "cannot read back '%s'", out_name);
        goto out;
    }
    if ((rc = hogo_deid_result_release_json(res, info, &detail, err)) < 0)
        goto out;
    size_t need = strlen(detail) + 120;
    if (!(full = malloc(need))) {
        rc = hogo_error_set(err, HOGO_ENOMEM, "", "out of memory");
        goto out;
    }
    /* the release object with the output's hash added */
    snprintf(full, need, "%.*s,\"output_blake2b\":\"%s\"}", (int)(strlen(detail) - 1), detail,
             hex);
    struct hogo_provision p = {0};
    p.subject_id = HOGO_DEID_RELEASE_SUBJECT;
    p.recipient_id = o->recipient;
    p.recipient_name = o->recipient_name;
    p.purpose = o->purpose;
    p.items = items;
    p.n_items = n;
    p.basis = "policy";
    p.record_required = 0; /* not an Art. 29 record: anonymously processed information is not
                              personal data; kept as the operator's own record */
    p.retention_years = HOGO_OWN_RETENTION_YEARS;
    p.retention_from = "creation";
    p.detail_json = full;
    if ((rc = hogo_store_open_env(&st, o->db, NULL, NULL, 0, err)) < 0)
        goto out;
    rc = hogo_ledger_record_provision(st, &p, id, err);
out:
    hogo_store_free(st);
    free(detail);
    free(full);
    free(items);
    return rc;
}

static int run_anonymize(int argc, char **argv)
{
    struct opts o;
    int first, rc = parse(argc, argv, &o, "anonymize", usage_anonymize, &first);
    if (rc >= 0 || (rc = need_one_file("anonymize", argc, first, usage_anonymize)) >= 0)
        return rc;
    if (!o.config) {
        cli_errorf("deid anonymize: --config CONFIG.yaml is required");
        return 2;
    }
    if (o.anonymized && (!o.output || !strcmp(o.output, "-") || !o.items || !o.notice ||
                         !o.recipient || !o.data)) {
        cli_errorf("deid anonymize: --anonymized needs --output OUT.csv, --items ITEMS.md, "
                   "--notice NOTICE.md (the law requires the items to be published and the "
                   "recipient told), --recipient ID and --data CAT1,CAT2 (for the ledger)");
        return 2;
    }
    if (!o.anonymized && (o.items || o.notice)) {
        cli_errorf("deid anonymize: --items and --notice go with --anonymized");
        return 2;
    }
    struct hogo_error err = {0};
    struct hogo_deid_config *cfg = NULL;
    struct hogo_deid_result *res = NULL;
    struct staged_out out = {0}, rep = {0}, items = {0}, notice = {0};
    struct hogo_deid_release_info info = {o.operator_name, o.recipient_name, o.method, NULL};
    rc = 0;
    /* Nothing is written unless the search and its independent re-check succeed. */
    struct progress shown;
    progress_begin(&shown, "deid anonymize: searching for the least generalisation", NULL);
    int failed = hogo_deid_config_load(o.config, &cfg, &err) < 0 ||
                 hogo_deid_anonymize(cfg, argv[first], &res, &err) < 0;
    progress_end(&shown);
    if (failed) {
        rc = report_error("anonymize", &err);
        goto out;
    }
    if (staged_open(&out, "anonymize", o.output) < 0 ||
        (o.report && staged_open(&rep, "anonymize", o.report) < 0) ||
        (o.items && staged_open(&items, "anonymize", o.items) < 0) ||
        (o.notice && staged_open(&notice, "anonymize", o.notice) < 0)) {
        rc = 2;
        goto out;
    }
    if (hogo_deid_result_write_csv(res, out.f, &err) < 0 ||
        (rep.f && hogo_deid_result_write_report(res, rep.f, &err) < 0) ||
        (items.f && hogo_deid_result_write_items(res, &info, items.f, &err) < 0) ||
        (notice.f && hogo_deid_result_write_notice(res, &info, notice.f, &err) < 0))
        rc = report_error("anonymize", &err);
    if (rc == 0 && o.anonymized) {
        /* the table must be complete on disk before the ledger names its hash */
        if (out.f == stdout || fflush(out.f) != 0) {
            rc = 2;
            cli_errorf("deid anonymize: cannot write '%s'", o.output ? o.output : "stdout");
        }
        char id[HOGO_LEDGER_ID_BYTES];
        if (rc == 0 && record_release(&o, res, &info, out.f, o.output, id, &err) < 0)
            rc = report_error("anonymize", &err);
        else if (rc == 0)
            fprintf(stderr, english() ? "hogo: deid anonymize: release recorded as %s\n"
                                      : "hogo: deid anonymize: 提供の記録 %s を作成しました\n",
                    id);
    }
    if (staged_close(&out, "anonymize", rc == 0) < 0 ||
        staged_close(&rep, "anonymize", rc == 0) < 0 ||
        staged_close(&items, "anonymize", rc == 0) < 0 ||
        staged_close(&notice, "anonymize", rc == 0) < 0)
        rc = 2;
    if (rc == 0 && !o.report)
        fprintf(stderr,
                english() ? "hogo: deid anonymize: loss %.6g, %zu classes, %zu rows suppressed, "
                            "models hold\n"
                          : "hogo: deid anonymize: 情報損失 %.6g、同値クラス %zu、削除した行 %zu、"
                            "指定したプライバシーモデルをすべて満たします\n",
                hogo_deid_result_loss(res), hogo_deid_result_classes(res),
                hogo_deid_result_suppressed(res));
out:
    staged_close(&out, "anonymize", 0);
    staged_close(&rep, "anonymize", 0);
    staged_close(&items, "anonymize", 0);
    staged_close(&notice, "anonymize", 0);
    hogo_deid_result_free(res);
    hogo_deid_config_free(cfg);
    return rc;
}

static int run_stats(int argc, char **argv)
{
    struct opts o;
    int first, rc = parse(argc, argv, &o, "stats", usage_stats, &first);
    if (rc >= 0 || (rc = need_one_file("stats", argc, first, usage_stats)) >= 0)
        return rc;
    if (!o.rows || !o.cols) {
        cli_errorf("deid stats: --rows COL and --cols COL are required");
        return 2;
    }
    if (o.rows_given > 1 || o.cols_given > 1) {
        cli_errorf("deid stats: --%s given %d times; only two-dimensional tables are protected "
                   "(a third dimension or nested margins such as country within region are not "
                   "supported): publish one two-way table per call, or combine the columns into "
                   "one before counting",
                   o.rows_given > 1 ? "rows" : "cols",
                   o.rows_given > 1 ? o.rows_given : o.cols_given);
        return 2;
    }
    struct hogo_deid_stats_opts so = {o.rows, o.cols, o.sum, (unsigned)o.threshold, 0,
                                      (unsigned)o.protection, o.p_percent};
    struct hogo_error err = {0};
    FILE *out = open_out("stats", o.output), *rep = o.report ? open_out("stats", o.report) : NULL;
    rc = 0;
    if (!out || (o.report && !rep))
        rc = 2;
    else if (hogo_deid_stats(argv[first], &so, out, rep, &err) < 0)
        rc = report_error("stats", &err);
    close_out(out);
    close_out(rep);
    return rc;
}

static int run_pseudonymize(int argc, char **argv)
{
    struct opts o;
    int first, rc = parse(argc, argv, &o, "pseudonymize", usage_pseudo, &first);
    if (rc >= 0 || (rc = need_one_file("pseudonymize", argc, first, usage_pseudo)) >= 0)
        return rc;
    if (!o.key_file || !o.recipient) {
        cli_errorf("deid pseudonymize: --key-file KEY and --recipient ID are required");
        return 2;
    }
    unsigned char key[32];
    struct hogo_error err = {0};
    if (hogo_deid_key_load(o.key_file, key, &err) < 0)
        return report_error("pseudonymize", &err);
    const char **drop = split_list(o.drop), **ps = split_list(o.pseudonym),
               **rare = split_list(o.rare), **keep = split_list(o.keep);
    struct hogo_deid_pseudo_opts po = {drop, ps, rare, (unsigned)o.rare_threshold, o.recipient,
                                       key, 0, keep};
    FILE *out = open_out("pseudonymize", o.output),
         *rep = o.report ? open_out("pseudonymize", o.report) : NULL;
    rc = 0;
    if (!drop || !ps || !rare || !keep || !out || (o.report && !rep))
        rc = 2;
    else if (hogo_deid_pseudonymize(argv[first], &po, out, rep, &err) < 0)
        rc = report_error("pseudonymize", &err);
    close_out(out);
    close_out(rep);
    free(drop);
    free(ps);
    free(rare);
    free(keep);
    memset(key, 0, sizeof key);
    return rc;
}

static int run_scrub(int argc, char **argv)
{
    struct opts o;
    int first, rc = parse(argc, argv, &o, "scrub", usage_scrub, &first);
    if (rc >= 0)
        return rc;
    if (argc - first > 1) {
        cli_errorf("deid scrub: give at most one input file");
        return 2;
    }
    FILE *in = stdin;
    if (argc - first == 1 && strcmp(argv[first], "-") && !(in = fopen(argv[first], "r"))) {
        cli_errorf("deid scrub: cannot open '%s'", argv[first]);
        return 2;
    }
    struct hogo_error err = {0};
    struct hogo_deid_scrubber *s = NULL;
    FILE *out = open_out("scrub", o.output);
    char *line = NULL;
    size_t cap = 0, lineno = 0;
    ssize_t n;
    rc = 0;
    if (!out) {
        rc = 2;
        goto out;
    }
    if (hogo_deid_scrubber_new(&s, &err) < 0) {
        rc = report_error("scrub", &err);
        goto out;
    }
    while ((n = getline(&line, &cap, in)) >= 0) {
        lineno++;
        int nl = n > 0 && line[n - 1] == '\n';
        char *res = NULL;
        if (hogo_deid_scrub(s, line, (size_t)n - (size_t)nl, &res, NULL, NULL, NULL, &err) < 0) {
            cli_errorf("deid scrub: %s:%zu: %s", argc - first == 1 ? argv[first] : "<stdin>",
                       lineno, err.message);
            rc = 2;
            goto out;
        }
        fputs(res, out);
        if (nl)
            fputc('\n', out);
        free(res);
    }
out:
    free(line);
    hogo_deid_scrubber_free(s);
    close_out(out);
    if (in != stdin)
        fclose(in);
    return rc;
}

static int run_apply(int argc, char **argv)
{
    struct opts o;
    int first, rc = parse(argc, argv, &o, "apply", usage_apply, &first);
    if (rc >= 0 || (rc = need_one_file("apply", argc, first, usage_apply)) >= 0)
        return rc;
    if (!o.obligation) {
        cli_errorf("deid apply: --obligation FILE.json (or the JSON text) is required");
        return 2;
    }
    char *json = NULL;
    size_t len = 0;
    if (o.obligation[0] == '{') {
        json = strdup(o.obligation);
        len = json ? strlen(json) : 0;
    } else {
        FILE *f = fopen(o.obligation, "rb");
        if (!f) {
            cli_errorf("deid apply: cannot open obligation '%s'", o.obligation);
            return 2;
        }
        char buf[4096];
        size_t n;
        FILE *mem = open_memstream(&json, &len);
        while (mem && (n = fread(buf, 1, sizeof buf, f)) > 0)
            fwrite(buf, 1, n, mem);
        fclose(f);
        if (mem)
            fclose(mem);
    }
    if (!json) {
        cli_errorf("deid apply: out of memory");
        return 2;
    }
    struct hogo_error err = {0};
    o.columns[o.ncolumns] = NULL;
    struct hogo_deid_apply_opts ao = {NULL, o.columns};
    FILE *out = open_out("apply", o.output), *rep = o.report ? open_out("apply", o.report) : NULL;
    rc = 0;
    if (!out || (o.report && !rep))
        rc = 2;
    else if (hogo_deid_apply_ex(json, len, argv[first], &ao, out, rep, &err) < 0)
        rc = report_error("apply", &err);
    close_out(out);
    close_out(rep);
    free(json);
    return rc;
}

int cmd_deid(int argc, char **argv)
{
    static const struct {
        const char *name;
        int (*run)(int, char **);
    } subs[] = {{"anonymize", run_anonymize},     {"stats", run_stats},
                {"pseudonymize", run_pseudonymize}, {"scrub", run_scrub},
                {"apply", run_apply}};
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        fputs(usage_main, argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    for (size_t i = 0; i < sizeof subs / sizeof subs[0]; i++)
        if (!strcmp(argv[1], subs[i].name))
            return subs[i].run(argc - 1, argv + 1);
    cli_errorf("deid: unknown command '%s'; use anonymize, stats, pseudonymize, scrub or apply",
               argv[1]);
    return 2;
}
