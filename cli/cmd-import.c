/*
 * `hogo subject import FILE` and `hogo subject export`: loading people in bulk from JSON
 * lines or CSV, every value checked against the shipped vocabulary, and writing them back
 * in the same format. CLI layer over include/hogo/rights.h; `hogo subject` hands these two
 * subcommands here. On a terminal, import draws a progress bar with its rate and an
 * estimate of the time left on stderr (progress.h).
 * Exit status: 0 done, 1 the store failed, 2 bad input (a bad line: reported with its line
 * number; nothing of it stored).
 */
#include "commands.h"
#include "progress.h"

#include <hogo/rights.h>

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char usage_text[] =
    "usage: hogo subject import FILE.jsonl|FILE.csv [--strict] [--batch N] [--db DB]\n"
    "       hogo subject export [--format jsonl|csv] [--operator POLICY] [--db DB]\n"
    "import loads people with their facts, consents and opt-outs; a bad line is reported\n"
    "with its line number and nothing of it is stored (--strict: stop at the first). A run\n"
    "interrupted is resumed by running the same file again. Formats: docs/rights.md.\n";

/* An import under way: its file and its progress line. */
struct import_run {
    const char *path;
    struct progress bar;
};

static double since(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

static void on_progress(void *ctx, int64_t lines, int64_t bytes, int64_t total)
{
    struct import_run *r = ctx;
    progress_set(&r->bar, (unsigned long long)lines, (unsigned long long)bytes,
                 (unsigned long long)total);
}

static void on_bad_line(void *ctx, int64_t line, const char *message)
{
    struct import_run *r = ctx;
    progress_clear_line(&r->bar);
    cli_errorf("subject import: %s:%lld: %s; the line was not stored", r->path,
               (long long)line, message);
}

int cli_install_vocabulary(struct hogo_store *st, struct hogo_vocab **vocab,
                              struct hogo_error *err)
{
    char path[4096];
    hogo_vocab_default_file(path, sizeof path);
    int rc = hogo_vocab_load(path, vocab, err);
    if (rc == 0)
        hogo_store_set_vocabulary_check(st, hogo_vocab_check_id, *vocab);
    return rc;
}

int cmd_subject_bulk(int argc, char **argv)
{
    enum { O_DB = 256, O_STRICT, O_BATCH, O_FORMAT, O_OP, O_MK };
    static const struct option longopts[] = {{"db", required_argument, NULL, O_DB},
                                             {"master-key", required_argument, NULL, O_MK},
                                             {"strict", no_argument, NULL, O_STRICT},
                                             {"batch", required_argument, NULL, O_BATCH},
                                             {"format", required_argument, NULL, O_FORMAT},
                                             {"operator", required_argument, NULL, O_OP},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    const char *db = NULL, *format = "jsonl", *op = NULL, *batch = NULL;
    int strict = 0, c;
    const char *sub = argv[1];
    optind = 1;
    opterr = 0;
    argc--;
    argv++;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 'h': fputs(usage_text, stdout); return 0;
        case O_DB: db = optarg; break;
        case O_MK: break; /* accepted for symmetry; no personal data is read or written */
        case O_STRICT: strict = 1; break;
        case O_BATCH: batch = optarg; break;
        case O_FORMAT: format = optarg; break;
        case O_OP: op = optarg; break;
        default:
            cli_errorf("subject %s: unknown or incomplete option '%s'; see 'hogo subject %s "
                       "--help'",
                       sub, argv[optind - 1], sub);
            return 2;
        }
    }
    int npos = argc - optind;
    int import = !strcmp(sub, "import");
    if (npos != (import ? 1 : 0)) {
        fputs(usage_text, stderr);
        return 2;
    }
    if (!import && strcmp(format, "jsonl") && strcmp(format, "csv")) {
        cli_errorf("subject export: --format is jsonl or csv, not '%s'", format);
        return 2;
    }
    unsigned nbatch = 0;
    if (batch) {
        char *end = NULL;
        long b = strtol(batch, &end, 10);
        if (*end || b < 1 || b > 1000000) {
            cli_errorf("subject import: --batch takes 1 to 1000000 people per transaction");
            return 2;
        }
        nbatch = (unsigned)b;
    }
    struct hogo_error err;
    hogo_error_clear(&err);
    struct hogo_store *st = NULL;
    struct hogo_vocab *vocab = NULL;
    int rc = hogo_store_open_env(&st, db, NULL, NULL, 0, &err);
    if (rc == 0)
        rc = cli_install_vocabulary(st, &vocab, &err);
    int code = 0;
    if (rc == 0 && import) {
        struct import_run run = {.path = argv[optind]};
        struct timespec start;
        clock_gettime(CLOCK_MONOTONIC, &start);
        progress_begin(&run.bar, "subject import", "lines");
        struct hogo_import_opts o = {.strict = strict, .batch = nbatch, .progress = on_progress,
                                     .bad_line = on_bad_line, .ctx = &run};
        struct hogo_import_result res;
        rc = hogo_subject_import(st, argv[optind], &o, &res, &err);
        progress_end(&run.bar);
        double s = since(&start);
        fprintf(stderr,
                "hogo: subject import: %lld imported, %lld bad, %lld done by an earlier run; "
                "%.1f s (%.0f people/s)\n",
                (long long)res.imported, (long long)res.bad, (long long)res.skipped, s,
                s > 0 ? (double)res.imported / s : 0);
        if (rc == HOGO_EINVAL && res.bad) { /* each bad line was reported already */
            code = 2;
            rc = 0;
        }
    } else if (rc == 0)
        rc = hogo_subject_export(st, op, !strcmp(format, "csv"), stdout, &err);
    if (rc < 0) {
        cli_errorf("subject %s: %s%s%s", sub, err.message[0] ? err.message : hogo_strerror(rc),
                   err.where[0] ? " at " : "", err.where);
        code = rc == HOGO_EINVAL || rc == HOGO_ENOTFOUND || rc == HOGO_EVERSION ||
                       rc == HOGO_ELIMIT
                   ? 2
                   : 1;
    }
    hogo_store_free(st);
    hogo_vocab_free(vocab);
    return code;
}
