/*
 * hogo: the command-line front end of libhogo, git-style (`hogo <command> [options]`).
 * CLI layer. Dispatches through the command table below; each command lives in cmd-*.c.
 */
#include "commands.h"

#include <hogo/hogo.h>

#include <stdarg.h>
#include <stdio.h>
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
    {"dsr", "rights requests: disclosure, correction, suspension, erasure (APPI Arts.32-39)",
     cmd_dsr},
    {"breach", "leak incidents: reportability, deadlines, reports, notices (APPI Art.26)",
     cmd_breach},
    {"apikey", "API keys for hogod: create, list, revoke", cmd_apikey},
};

void cli_errorf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("hogo: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

static void usage(FILE *out)
{
    fprintf(out, "usage: hogo <command> [options]\n"
                 "       hogo --help | --version\n\n"
                 "hogo checks every use and third-party provision of personal data against\n"
                 "a privacy policy, clause by clause, and says which clause decided.\n\n"
                 "commands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\n'hogo <command> --help' describes one command.\n");
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
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
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
