/*
 * hogo: the command-line front end of libhogo, git-style (`hogo <command> [options]`).
 * CLI layer. Dispatches through the command table below; each command lives in cmd-*.c.
 */
#include "commands.h"

#include <hogo/hogo.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const struct cli_command commands[] = {
    {"check", "decide whether a use or provision of personal data is allowed", cmd_check},
    {"policy", "check, show and compare policy files", cmd_policy},
    {"init", "create or migrate a store", cmd_init},
    {"subject", "people and the facts decisions use", cmd_subject},
    {"data", "personal data sealed per subject", cmd_data},
    {"ledger", "APPI provision/receipt records", cmd_ledger},
    {"audit", "verify and export the audit log", cmd_audit},
    {"key", "master and signing keys", cmd_key},
    {"corp", "corporate numbers and successions", cmd_corp},
    {"deid", "de-identify data: anonymize, stats, pseudonymize, scrub, apply", cmd_deid},
    {"provide", "decide and record a provision (APPI Art.29)", cmd_provide},
    {"receive", "decide and record a receipt (APPI Art.30)", cmd_receive},
    {"vocab", "find vocabulary ids by id, Japanese or English name", cmd_vocab},
    {"dsr", "rights requests: disclosure, correction, suspension, erasure (APPI Arts.32-39)",
     cmd_dsr},
    {"breach", "leak incidents: reportability, deadlines, reports, notices (APPI Art.26)",
     cmd_breach},
    {"apikey", "API keys for hogod: create, list, revoke", cmd_apikey},
    {"signin", "sign-in tokens for hogod's web pages (a demo issuer)", cmd_signin},
};

/* Every environment variable hogo reads: `hogo help environment`. */
static const struct {
    const char *name, *meaning;
} environment[] = {
    {"HOGO_DB", "the store: a SQLite file or postgresql://... (as --db)"},
    {"HOGO_MASTER_KEY_FILE", "the file holding the master key that seals personal data"},
    {"HOGO_MASTER_KEY", "the master key itself, hex (when no key file is given)"},
    {"HOGO_SIGNING_KEY_FILE", "the Ed25519 key that signs audit checkpoints"},
    {"HOGO_KEY_STORE", "where per-subject keys are kept, when not in the store itself"},
    {"HOGO_ACTOR", "who is acting, written into every audit event (as --actor; default cli)"},
    {"HOGO_POLICY_PATH", "directories (:-separated) searched for policy ids before the "
                         "shipped policies"},
    {"HOGO_LANG", "the language of text output: ja (default) or en (as --lang)"},
    {"HOGO_CHECKPOINT_INTERVAL", "how many audit events a signed checkpoint covers at most "
                                 "(default 1000); audit verify requires one per interval"},
    {"HOGO_OWN_RETENTION_YEARS", "provide/receive: the operator's own retention, in years, "
                                 "for records the law does not require (as --own-retention)"},
};

static void print_environment(FILE *out)
{
    fprintf(out, "Environment variables hogo reads (an option given on the command line "
                 "wins):\n\n");
    for (size_t i = 0; i < sizeof environment / sizeof environment[0]; i++)
        fprintf(out, "  %-26s %s\n", environment[i].name, environment[i].meaning);
}

static void usage(FILE *out)
{
    fprintf(out, "usage: hogo [--actor NAME] <command> [options]\n"
                 "       hogo --help | --version | help COMMAND | help environment\n\n"
                 "hogo checks every use and third-party provision of personal data against\n"
                 "a privacy policy, clause by clause, and says which clause decided.\n\n"
                 "commands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\n'hogo <command> --help' describes one command; 'hogo help environment' the\n"
                 "environment variables. --actor NAME names who acts in the audit log (as "
                 "HOGO_ACTOR).\n");
}

int main(int argc, char **argv)
{
    /* every file hogo creates (databases, key stores, their journals, keys, outputs) holds
     * personal data or secrets: readable by its owner only */
    umask(077);
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    /* --actor NAME (or --actor=NAME) before the command: who acts, for the audit log */
    while (argc > 1 && !strncmp(argv[1], "--actor", 7) && (argv[1][7] == '=' || !argv[1][7])) {
        const char *actor = argv[1][7] == '=' ? argv[1] + 8 : argc > 2 ? argv[2] : NULL;
        if (!actor || !*actor) {
            cli_errorf("--actor needs a name (who acts, for the audit log)");
            return 2;
        }
        setenv("HOGO_ACTOR", actor, 1);
        int used = argv[1][7] == '=' ? 1 : 2;
        argv[used] = argv[0];
        argv += used;
        argc -= used;
    }
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        if (argc > 2 && strcmp(argv[1], "help") == 0 && !strcmp(argv[2], "environment")) {
            print_environment(stdout);
            return 0;
        }
        if (argc > 2 && strcmp(argv[1], "help") == 0) {
            for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
                if (!strcmp(commands[i].name, argv[2])) {
                    char *sub[] = {argv[2], "--help", NULL};
                    return commands[i].run(2, sub);
                }
        }
        usage(stdout);
        return 0;
    }
    if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
        printf("hogo %s\n", hogo_version());
        return 0;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (!strcmp(commands[i].name, argv[1]))
            return commands[i].run(argc - 1, argv + 1);
    cli_errorf("unknown command '%s'; run 'hogo --help' for the list", argv[1]);
    return 2;
}
