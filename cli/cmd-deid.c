/*
 * `hogo deid`: de-identify data before it leaves — anonymize (k-anonymity, l-diversity,
 * t-closeness with the least information loss), stats (contingency tables with small-cell
 * and complementary suppression), pseudonymize (keyed pseudonyms per recipient, APPI
 * 仮名加工情報), scrub (personal data out of Japanese free text) and apply (execute a
 * decision's `deidentify` obligation). CLI layer; the work is done by lib/deid.
 * Exit status: 0 success, 2 bad input (the message says where: file:line or JSON pointer).
 */
#include "commands.h"

#include <hogo/deid.h>
#include <hogo/file.h>

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
    "Finds the generalisation with the least loss that satisfies k-anonymity / l-diversity /\n"
    "t-closeness (as configured) and writes the transformed table (stdout by default) and a\n"
    "JSON report (levels, loss, suppressed rows, class sizes, re-identification risk).\n";
static const char usage_stats[] =
    "usage: hogo deid stats --rows COL --cols COL [--sum COL] [--threshold N] [--output OUT.csv]\n"
    "                       [--report REPORT.json] DATA.csv\n"
    "Counts (and sums) per row x column; cells with 0 < count < N (default 10) are hidden as X,\n"
    "plus complementary cells so that no hidden cell follows from the totals.\n";
static const char usage_pseudo[] =
    "usage: hogo deid pseudonymize --key-file KEY --recipient ID [--drop C1,C2] [--pseudonym C3]\n"
    "                              [--rare C4,C5] [--rare-threshold N] [--output OUT.csv]\n"
    "                              [--report REPORT.json] DATA.csv\n"
    "APPI pseudonymised information: drops the --drop columns, replaces --pseudonym columns\n"
    "with keyed BLAKE2b pseudonyms (a separate derived key per recipient), and replaces values\n"
    "of --rare columns seen in fewer than N rows (default 10) by '*'. KEY holds 32 bytes (raw,\n"
    "or 64 hex digits).\n";
static const char usage_scrub[] =
    "usage: hogo deid scrub [--output OUT.txt] [FILE]\n"
    "Scrubs each line of FILE (stdin by default): NFKC-normalises it and replaces names,\n"
    "e-mail addresses, phone numbers, postal codes, addresses, My Numbers, URLs and account\n"
    "handles with ［氏名］, ［電話番号］, ….\n";
static const char usage_apply[] =
    "usage: hogo deid apply --obligation FILE.json|JSON [--output OUT.csv] [--report REPORT.json] DATA.csv\n"
    "Executes a deidentify obligation, e.g.\n"
    "  {\"type\":\"deidentify\",\"drop\":[\"name\",\"address\"],\"generalize\":[\"gender\",\"age_group\"]}\n"
    "Headers may be data-category ids (name, address, age, …) or their Japanese names.\n";

struct opts {
    const char *config, *output, *report, *rows, *cols, *sum, *key_file, *recipient,
        *obligation;
    char *drop, *pseudonym, *rare;
    long threshold, rare_threshold;
    int help;
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
        {"rare-threshold", required_argument, NULL, 'T'},
        {"obligation", required_argument, NULL, 'b'}, {"help", no_argument, NULL, 'h'},
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
        case 'R': o->rows = optarg; break;
        case 'C': o->cols = optarg; break;
        case 'S': o->sum = optarg; break;
        case 'k': o->key_file = optarg; break;
        case 'p': o->recipient = optarg; break;
        case 'd': o->drop = optarg; break;
        case 'P': o->pseudonym = optarg; break;
        case 'x': o->rare = optarg; break;
        case 'b': o->obligation = optarg; break;
        case 't':
        case 'T': {
            long v = strtol(optarg, &end, 10);
            if (end == optarg || *end || v < 1 || v > 1000000) {
                cli_errorf("deid %s: --%s must be a whole number >= 1, not '%s'", sub,
                           c == 't' ? "threshold" : "rare-threshold", optarg);
                return 2;
            }
            if (c == 't')
                o->threshold = v;
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
    struct hogo_error err = {0};
    struct hogo_deid_config *cfg = NULL;
    struct hogo_deid_result *res = NULL;
    FILE *out = NULL, *rep = NULL;
    rc = 0;
    if (hogo_deid_config_load(o.config, &cfg, &err) < 0 ||
        hogo_deid_anonymize(cfg, argv[first], &res, &err) < 0) {
        rc = report_error("anonymize", &err);
        goto out;
    }
    if (!(out = open_out("anonymize", o.output)) ||
        (o.report && !(rep = open_out("anonymize", o.report)))) {
        rc = 2;
        goto out;
    }
    if (hogo_deid_result_write_csv(res, out, &err) < 0 ||
        (rep && hogo_deid_result_write_report(res, rep, &err) < 0))
        rc = report_error("anonymize", &err);
    if (!o.report)
        fprintf(stderr, "hogo: deid anonymize: loss %.6g, %zu classes, %zu rows suppressed, "
                        "models %s\n",
                hogo_deid_result_loss(res), hogo_deid_result_classes(res),
                hogo_deid_result_suppressed(res),
                hogo_deid_result_models_hold(res) ? "hold" : "DO NOT hold");
out:
    close_out(out);
    close_out(rep);
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
    struct hogo_deid_stats_opts so = {o.rows, o.cols, o.sum, (unsigned)o.threshold, 0};
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

static int read_key(const char *path, unsigned char key[32])
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        cli_errorf("deid pseudonymize: cannot open key file '%s'", path);
        return 2;
    }
    unsigned char buf[80];
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
        n--;
    if (n == 32) {
        memcpy(key, buf, 32);
        return 0;
    }
    if (n == 64) {
        for (int i = 0; i < 32; i++) {
            unsigned v;
            char h[3] = {(char)buf[2 * i], (char)buf[2 * i + 1], 0};
            if (sscanf(h, "%2x", &v) != 1)
                goto bad;
            key[i] = (unsigned char)v;
        }
        return 0;
    }
bad:
    cli_errorf("deid pseudonymize: key file '%s' must hold 32 bytes or 64 hex digits "
               "(e.g. head -c 32 /dev/urandom > key)", path);
    return 2;
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
    if ((rc = read_key(o.key_file, key)) != 0)
        return rc;
    const char **drop = split_list(o.drop), **ps = split_list(o.pseudonym),
               **rare = split_list(o.rare);
    struct hogo_deid_pseudo_opts po = {drop, ps, rare, (unsigned)o.rare_threshold, o.recipient,
                                       key, 0};
    struct hogo_error err = {0};
    FILE *out = open_out("pseudonymize", o.output),
         *rep = o.report ? open_out("pseudonymize", o.report) : NULL;
    rc = 0;
    if (!drop || !ps || !rare || !out || (o.report && !rep))
        rc = 2;
    else if (hogo_deid_pseudonymize(argv[first], &po, out, rep, &err) < 0)
        rc = report_error("pseudonymize", &err);
    close_out(out);
    close_out(rep);
    free(drop);
    free(ps);
    free(rare);
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
    FILE *out = open_out("apply", o.output), *rep = o.report ? open_out("apply", o.report) : NULL;
    rc = 0;
    if (!out || (o.report && !rep))
        rc = 2;
    else if (hogo_deid_apply(json, len, argv[first], out, rep, &err) < 0)
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
