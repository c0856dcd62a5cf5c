/*
 * What `hogo provide` and `hogo receive` share: the --own-retention option, reading the
 * request and loading the policy it names, and printing the outcome as
 * {"record_id", "record_required", "decision"} (indented, one line, or text). CLI layer.
 */
#ifndef HOGO_CLI_PROVIDE_CLI_H
#define HOGO_CLI_PROVIDE_CLI_H

#include <hogo/hogo.h>

#include <stddef.h>

/* The request of one provide or receive command, and what it is decided with. All owned. */
struct provide_cli_input {
    char *json;                 /* the request text */
    size_t len;
    char *pid;                  /* the policy id the request names, when --policy is not given */
    struct hogo_policy *policy;
    struct hogo_request *req;   /* created, not parsed */
    struct hogo_writer *w;
    int format;                 /* PROVIDE_JSON (default), PROVIDE_JSONL or PROVIDE_TEXT */
    const char *lang;           /* of PROVIDE_TEXT: "ja" or "en" */
};

/* How the outcome is written: indented JSON (as `hogo check`), one JSON line, or text. */
enum { PROVIDE_JSON, PROVIDE_JSONL, PROVIDE_TEXT };

/* The --format and --lang options provide and receive share, for their getopt tables. */
#define PROVIDE_CLI_FORMAT_OPTION 300
#define PROVIDE_CLI_LANG_OPTION 301
#define PROVIDE_CLI_OPTIONS                                                                 \
    {"format", required_argument, NULL, PROVIDE_CLI_FORMAT_OPTION},                         \
        {"lang", required_argument, NULL, PROVIDE_CLI_LANG_OPTION}

/* Takes --format (json|jsonl|text) or --lang (ja|en) into in; prints the problem and returns
 * -1 for another value. */
int provide_cli_option(struct provide_cli_input *in, const char *cmd, int opt, const char *arg);

/* Reads own (--own-retention or the environment; NULL or empty: none) into *years; prints
 * the problem and returns -1 unless it is 1 to 100. cmd names the command in messages. */
int provide_cli_own_retention(const char *cmd, const char *own, int *years);

/* Reads the request from the one argument after optind (none or "-": stdin), loads policy_arg
 * or else the policy the request names, and creates the request and the writer. Returns 0,
 * or -1 with the problem printed. */
int provide_cli_load(struct provide_cli_input *in, const char *cmd, int argc, char **argv,
                     const char *policy_arg);

/* Prints {"record_id", "record_required", "decision"} for d in the chosen format (text: the
 * decision as `hogo check --format text` writes it, then the record); the record is required
 * when d allows and obliges obligation (a compact JSON fragment such as "\"type\":\"...\""). */
void provide_cli_print(const struct provide_cli_input *in, const struct hogo_decision *d,
                       const char *id, const char *obligation);

/* Frees what in holds. */
void provide_cli_release(struct provide_cli_input *in);

#endif
