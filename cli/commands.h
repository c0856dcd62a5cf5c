/*
 * The hogo command table: one entry per subcommand, one cmd-*.c file per subcommand.
 * CLI layer. Each handler gets argv starting at the subcommand name and returns the process
 * exit status (0 success / allow, 1 deny or failed check, 2 bad input).
 */
#ifndef HOGO_CLI_COMMANDS_H
#define HOGO_CLI_COMMANDS_H

/* One subcommand: its name, a one-line summary for `hogo --help`, and its handler. */
struct cli_command {
    const char *name;
    const char *summary;
    int (*run)(int argc, char **argv);
};

int cmd_check(int argc, char **argv);
int cmd_policy(int argc, char **argv);
int cmd_init(int argc, char **argv);
int cmd_subject(int argc, char **argv);
int cmd_data(int argc, char **argv);
int cmd_ledger(int argc, char **argv);
int cmd_audit(int argc, char **argv);
int cmd_key(int argc, char **argv);
int cmd_corp(int argc, char **argv);
int cmd_deid(int argc, char **argv);
int cmd_provide(int argc, char **argv);
int cmd_receive(int argc, char **argv);
int cmd_vocab(int argc, char **argv);
int cmd_dsr(int argc, char **argv);
/* `hogo subject import|export` (cmd-import.c), called by cmd_subject. */
int cmd_subject_bulk(int argc, char **argv);
struct hogo_store;
struct hogo_vocab;
struct hogo_error;
/* Installs the shipped vocabulary as the store's id check (cmd-import.c); free *vocab with
 * hogo_vocab_free() after the store. */
int cli_install_vocabulary(struct hogo_store *st, struct hogo_vocab **vocab,
                           struct hogo_error *err);
int cmd_breach(int argc, char **argv);
int cmd_apikey(int argc, char **argv);
int cmd_officer(int argc, char **argv);
int cmd_signin(int argc, char **argv);

/* Prints "hogo: " and a formatted message to stderr (CLI only: the library never prints). */
void cli_errorf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
