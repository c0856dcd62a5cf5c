/*
 * `hogo signin issue`: writes a sign-in token for hogod's web pages (hogo/signin.h), as an
 * operator's own login system would after it has signed a person (or an officer) in. The
 * documented demo issuer: the secret key stays with the issuer, hogod holds FILE.pub
 * (--signin-key). CLI layer. Exit status: 0 done, 1 failed, 2 bad input.
 */
#include "commands.h"

#include <hogo/signin.h>
#include <hogo/store.h>

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char usage_text[] =
    "usage: hogo signin issue --key FILE --kind person|officer --operator POLICY\n"
    "                         --subject ID [--ttl SECONDS] [--url BASE]\n"
    "  Writes a single-use sign-in token (Ed25519, at most 600 seconds) for hogod's web pages:\n"
    "  kind person opens the privacy center of subject ID, kind officer the console for the\n"
    "  officer named ID. FILE is the secret key of 'hogo key generate --signing FILE'; hogod\n"
    "  is started with --signin-key FILE.pub. --ttl: seconds the token lives (default 300).\n"
    "  --url BASE prints the sign-in address (BASE/center/signin?token=... or\n"
    "  BASE/console/signin?token=...) instead of the token alone.\n"
    "exit status: 0 done, 1 failed, 2 bad input\n";

int cmd_signin(int argc, char **argv)
{
    enum { O_KEY = 1, O_KIND, O_OPERATOR, O_SUBJECT, O_TTL, O_URL, O_HELP };
    static const struct option longopts[] = {{"key", required_argument, NULL, O_KEY},
                                             {"kind", required_argument, NULL, O_KIND},
                                             {"operator", required_argument, NULL, O_OPERATOR},
                                             {"subject", required_argument, NULL, O_SUBJECT},
                                             {"ttl", required_argument, NULL, O_TTL},
                                             {"url", required_argument, NULL, O_URL},
                                             {"help", no_argument, NULL, O_HELP},
                                             {NULL, 0, NULL, 0}};
    const char *key = NULL, *kind = NULL, *op = NULL, *subject = NULL, *url = NULL;
    long ttl = 300;
    if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        fputs(usage_text, stdout);
        return 0;
    }
    if (argc < 2 || strcmp(argv[1], "issue")) {
        cli_errorf("signin: expected 'hogo signin issue ...'%s%s%s", argc >= 2 ? " (not '" : "",
                   argc >= 2 ? argv[1] : "", argc >= 2 ? "')" : "");
        fputs(usage_text, stderr);
        return 2;
    }
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc - 1, argv + 1, ":", longopts, NULL)) != -1) {
        switch (c) {
        case O_KEY: key = optarg; break;
        case O_KIND: kind = optarg; break;
        case O_OPERATOR: op = optarg; break;
        case O_SUBJECT: subject = optarg; break;
        case O_URL: url = optarg; break;
        case O_TTL: {
            char *end;
            ttl = strtol(optarg, &end, 10);
            if (!*optarg || *end || ttl < 1 || ttl > HOGO_SIGNIN_MAX_TTL) {
                cli_errorf("signin: --ttl '%s': give whole seconds from 1 to %d", optarg,
                           HOGO_SIGNIN_MAX_TTL);
                return 2;
            }
            break;
        }
        case O_HELP: fputs(usage_text, stdout); return 0;
        case ':':
            cli_errorf("signin: %s needs a value", argv[optind]);
            return 2;
        default:
            cli_errorf("signin: unknown option '%s'; see 'hogo signin --help'", argv[optind]);
            return 2;
        }
    }
    if (optind + 1 != argc) {
        cli_errorf("signin: unexpected argument '%s'; see 'hogo signin --help'", argv[optind + 1]);
        return 2;
    }
    const char *missing = !key ? "--key FILE" : !kind ? "--kind person|officer"
                        : !op  ? "--operator POLICY" : !subject ? "--subject ID" : NULL;
    if (missing) {
        cli_errorf("signin issue: %s is required; see 'hogo signin --help'", missing);
        return 2;
    }
    struct hogo_error err;
    hogo_error_clear(&err);
    unsigned char sk[HOGO_SIGN_SECRET_BYTES];
    if (hogo_signing_key_load(sk, key, &err)) {
        cli_errorf("signin issue: --key %s: %s", key, err.message);
        return 2;
    }
    char token[HOGO_SIGNIN_TOKEN_MAX];
    int rc = hogo_signin_issue(sk, kind, op, subject, (int64_t)time(NULL), (int)ttl, token,
                               sizeof token, &err);
    memset(sk, 0, sizeof sk);
    if (rc) {
        cli_errorf("signin issue: %s%s%s", err.where[0] ? err.where : "",
                   err.where[0] ? ": " : "", err.message);
        return 2;
    }
    if (url) {
        size_t n = strlen(url);
        while (n && url[n - 1] == '/')
            n--;
        printf("%.*s/%s/signin?token=%s\n", (int)n, url,
               !strcmp(kind, "officer") ? "console" : "center", token);
    } else {
        printf("%s\n", token);
    }
    return 0;
}
