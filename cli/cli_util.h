/*
 * Helpers shared by the hogo subcommands: loading a policy with its problems printed as
 * file:line:col diagnostics, reading input with a size limit, and printing errors.
 * CLI layer.
 */
#ifndef HOGO_CLI_UTIL_H
#define HOGO_CLI_UTIL_H

#include <hogo/hogo.h>

#include <stdio.h>

/* Loads a policy by id or path, printing every problem to stderr; returns 0 or a HOGO_E*. */
int cli_load_policy(const char *id_or_path, struct hogo_policy **out, int *warnings);

/* As cli_load_policy(), compiling over `shared` (borrowed) when the policy's vocabulary file is
 * the one `shared` was loaded from, so that policies of one folder share one vocabulary. */
int cli_load_policy_shared(const char *id_or_path, const struct hogo_vocab *shared,
                           struct hogo_policy **out, int *warnings);

/* 1 when s is a policy id (lowercase letters, digits, '_', '-'; 1-63 characters): what a
 * request's "policy" must be, since a file is only ever named on the command line. */
int cli_is_policy_id(const char *s);

/* Prints "hogo: WHERE: MESSAGE" for err to stderr. */
void cli_print_error(const struct hogo_error *err);

/* Reads all of f, failing with HOGO_ELIMIT beyond max bytes; *buf is allocated (free it). */
int cli_read_all(FILE *f, size_t max, char **buf, size_t *len, struct hogo_error *err);

/* After getopt_long() (with opterr = 0) returned '?' or ':': prints hogo's own message naming
 * the option and how to get help, and returns the usage exit status 2. */
int cli_bad_option(const char *command, char **argv);

/* An output file being written through hogo_out_file (a temporary file in the target's
 * folder, never through a symlink, a device written in place) and put in place only when
 * complete, so that a failure leaves no partial file under the real name; or stdout. */
struct cli_out {
    FILE *f; /* where to write: stdout, file.f, or NULL when nothing was opened */
    struct hogo_out_file file;
};

/* Opens o for path: stdout for NULL or "-", else a hogo_out_file. Returns 0, or -1 after
 * printing "WHO: why" (who names the command, e.g. "deid anonymize"). */
int cli_out_open(struct cli_out *o, const char *who, const char *path);

/* Closes o: puts the file in place when ok, else removes it (stdout and a zeroed o are left
 * alone). Returns 0, or -1 after printing "WHO: why" when it could not be put in place. */
int cli_out_close(struct cli_out *o, const char *who, int ok);

/* The language of text output: $HOGO_LANG when it is "ja" or "en", else "ja". */
const char *cli_default_lang(void);

#endif
