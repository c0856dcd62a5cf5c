/*
 * Command-line parsing shared by the store commands (init, corp, data, ledger, audit, key,
 * subject, dsr, breach): the subcommand word, --db, --master-key, --signing-key, --actor and
 * --help, and opening the store from them and the HOGO_* environment. CLI layer.
 */
#ifndef HOGO_CLI_STORE_CLI_H
#define HOGO_CLI_STORE_CLI_H

#include <hogo/store.h>

#include <getopt.h>

/* What a store command's arguments said. Strings borrowed from argv. */
struct store_cli {
    const char *name;        /* the command, for messages ("data") */
    const char *usage;       /* its usage text */
    const char *sub;         /* the subcommand word (argv[1]), or NULL for none */
    const char *db;          /* --db, or NULL ($HOGO_DB) */
    const char *master_key;  /* --master-key FILE, or NULL */
    const char *signing_key; /* --signing-key FILE, or NULL */
    const char *actor;       /* --actor NAME, or NULL */
    int max_pos;             /* most arguments after the options; 0 = no limit */
    int npos;                /* arguments left after the options */
    char **pos;
};

/* Option ids of the shared options; a command's own options use other ids. */
enum { STORE_CLI_DB = 0x1000, STORE_CLI_MASTER_KEY, STORE_CLI_SIGNING_KEY, STORE_CLI_ACTOR };
#define STORE_CLI_OPT_DB {"db", required_argument, NULL, STORE_CLI_DB}
#define STORE_CLI_OPT_MASTER_KEY {"master-key", required_argument, NULL, STORE_CLI_MASTER_KEY}
#define STORE_CLI_OPT_SIGNING_KEY {"signing-key", required_argument, NULL, STORE_CLI_SIGNING_KEY}
#define STORE_CLI_OPT_ACTOR {"actor", required_argument, NULL, STORE_CLI_ACTOR}
#define STORE_CLI_OPT_END {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}

/* Handles one of the command's own options; returns 0, or the exit status to end with (the
 * message already printed). */
typedef int (*store_cli_opt_fn)(void *ctx, int id, const char *arg);

/* Parses argv (argv[0] the command, then the subcommand word when has_sub) with longopts;
 * own (may be NULL) gets the options that are not shared. Returns -1 to go on, else the exit
 * status to return now (0 after --help, 2 for a usage error, already reported). */
int store_cli_parse(struct store_cli *o, int argc, char **argv, int has_sub,
                    const struct option *longopts, store_cli_opt_fn own, void *ctx);

/* Opens the store the options name (create: hogo init). */
int store_cli_open(const struct store_cli *o, struct hogo_store **st, int create,
                   struct hogo_error *err);

struct hogo_vocab;
/* Opens the store the options name and installs the vocabulary its stored ids are checked
 * against (*vocab, the caller frees it with hogo_vocab_free() after the store); on failure
 * the store is freed and *st is NULL. */
int store_cli_open_checked(const struct store_cli *o, struct hogo_store **st,
                           struct hogo_vocab **vocab, struct hogo_error *err);

/* Reports a library failure as "NAME: message at where" on stderr. */
void store_cli_report(const char *name, int rc, const struct hogo_error *err);

/* The exit status of a library failure: 2 for bad input (invalid, not found, over a limit,
 * a newer store, a wrong key, a bad policy), else 1 (the store failed). */
int store_cli_exit_code(int rc);

#endif
