/*
 * Command-line parsing shared by the store commands: the subcommand word, the --db,
 * --master-key and --signing-key options, --help, and opening the store (store_cli.h).
 * CLI layer.
 */
#include "store_cli.h"

#include "commands.h"

#include <hogo/policy.h>
#include <hogo/store.h>

#include <stdio.h>
#include <string.h>

int store_cli_parse(struct store_cli *o, int argc, char **argv, int has_sub,
                    const struct option *longopts, store_cli_opt_fn own, void *ctx)
{
    int c;
    if (has_sub) {
        if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
            fputs(o->usage, argc < 2 ? stderr : stdout);
            return argc < 2 ? 2 : 0;
        }
        o->sub = argv[1];
        argc--;
        argv++;
    }
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 'h': fputs(o->usage, stdout); return 0;
        case STORE_CLI_DB: o->db = optarg; break;
        case STORE_CLI_MASTER_KEY: o->master_key = optarg; break;
        case STORE_CLI_SIGNING_KEY: o->signing_key = optarg; break;
        case STORE_CLI_ACTOR: o->actor = optarg; break;
        case '?':
        case ':':
            cli_errorf("%s: unknown or incomplete option '%s'; see 'hogo %s --help'", o->name,
                       argv[optind - 1], o->name);
            return 2;
        default:
            if (own) {
                int status = own(ctx, c, optarg);
                if (status)
                    return status;
            }
            break;
        }
    }
    o->npos = argc - optind;
    o->pos = argv + optind;
    if (o->max_pos && o->npos > o->max_pos) {
        cli_errorf("%s: too many arguments; see 'hogo %s --help'", o->name, o->name);
        return 2;
    }
    return -1;
}

/* The shipped vocabulary (beside the policies), loaded once for the process. */
static struct hogo_vocab *shipped_vocab(void)
{
    static struct hogo_vocab *v;
    static int tried;
    if (!tried) {
        char policy[4096], path[4200];
        struct hogo_error err = {0};
        tried = 1;
        if (hogo_policy_resolve("irp", policy, sizeof policy, &err) == 0) {
            hogo_policy_vocab_file(policy, path, sizeof path);
            if (hogo_vocab_load(path, &v, &err) != 0)
                v = NULL;
        }
    }
    return v;
}

/* Prints what the store says should be known (a skipped checkpoint) on stderr. */
static void print_notice(void *ctx, const char *message)
{
    (void)ctx;
    cli_errorf("warning: %s", message);
}

int store_cli_open(const struct store_cli *o, struct hogo_store **st, int create,
                   struct hogo_error *err)
{
    int rc = hogo_store_open_env(st, o->db, o->master_key, o->signing_key, create, err);
    /* ids are checked against the vocabulary when they are stored, so that an unknown one
     * is refused at once with the nearest id, not by every later decision */
    struct hogo_vocab *v = rc == 0 ? shipped_vocab() : NULL;
    if (v)
        hogo_store_set_vocabulary_check(*st, hogo_vocab_check_id, v);
    if (rc == 0)
        hogo_store_set_notice(*st, print_notice, NULL);
    return rc;
}

int store_cli_open_checked(const struct store_cli *o, struct hogo_store **st,
                           struct hogo_vocab **vocab, struct hogo_error *err)
{
    int rc = hogo_store_open_env(st, o->db, o->master_key, o->signing_key, 0, err);
    if (rc == 0)
        rc = cli_install_vocabulary(*st, vocab, err);
    if (rc < 0) {
        hogo_store_free(*st);
        *st = NULL;
    }
    return rc;
}

void store_cli_report(const char *name, int rc, const struct hogo_error *err)
{
    cli_errorf("%s: %s%s%s", name, err->message[0] ? err->message : hogo_strerror(rc),
               err->where[0] ? " at " : "", err->where);
}

int store_cli_exit_code(int rc)
{
    switch (rc) {
    case HOGO_EINVAL:
    case HOGO_ENOTFOUND:
    case HOGO_ELIMIT:
    case HOGO_EVERSION:
    case HOGO_ECRYPTO:
    case HOGO_EPOLICY: return 2;
    default: return 1;
    }
}
