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

/* The language of text output: $HOGO_LANG when it is "ja" or "en", else "ja". */
const char *cli_default_lang(void);

#endif
