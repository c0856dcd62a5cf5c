/*
 * `hogo key`: the keys hogo keeps outside the database: the master key that wraps every
 * subject's data key, and the Ed25519 key that signs audit checkpoints. CLI layer.
 * Exit status: 0 done, 1 failed, 2 bad input (wrong key, missing file, usage).
 */
#include "commands.h"

#include <hogo/store.h>

#include <getopt.h>
#include <stdio.h>
#include <string.h>

static const char usage_text[] =
    "usage: hogo key <subcommand>\n"
    "  generate FILE                 write a new random master key (64 hex digits, mode 0600)\n"
    "  generate --signing FILE       write a new Ed25519 checkpoint signing key to FILE and its\n"
    "                                public key to FILE.pub (give FILE.pub to auditors)\n"
    "  rotate --db DB --master-key OLD --new-key NEW\n"
    "                                re-wrap every subject key under NEW in one transaction;\n"
    "                                afterwards only NEW opens the data (keep OLD for old backups\n"
    "                                only as long as policy requires, then destroy it)\n"
    "The master key may also come from HOGO_MASTER_KEY_FILE or HOGO_MASTER_KEY (hex).\n"
    "exit status: 0 done, 1 failed, 2 bad input\n";

int cmd_key(int argc, char **argv)
{
    static const struct option longopts[] = {{"db", required_argument, NULL, 'd'},
                                              {"master-key", required_argument, NULL, 'm'},
                                              {"new-key", required_argument, NULL, 'n'},
                                              {"signing", no_argument, NULL, 's'},
                                              {"help", no_argument, NULL, 'h'},
                                              {NULL, 0, NULL, 0}};
    const char *db = NULL, *mk = NULL, *nk = NULL;
    int signing = 0, c;
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        fputs(usage_text, argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    const char *sub = argv[1];
    argc--;
    argv++;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 'h': fputs(usage_text, stdout); return 0;
        case 'd': db = optarg; break;
        case 'm': mk = optarg; break;
        case 'n': nk = optarg; break;
        case 's': signing = 1; break;
        default:
            cli_errorf("key: unknown or incomplete option '%s'; see 'hogo key --help'",
                       argv[optind - 1]);
            return 2;
        }
    }
    struct hogo_error err;
    hogo_error_clear(&err);
    int rc;
    if (!strcmp(sub, "generate")) {
        if (argc - optind != 1) {
            cli_errorf("key: expected 'hogo key generate [--signing] FILE'");
            return 2;
        }
        const char *path = argv[optind];
        rc = signing ? hogo_signing_key_generate(path, &err) : hogo_key_generate(path, &err);
        if (rc == 0) {
            if (signing)
                printf("signing key written to %s, public key to %s.pub\n", path, path);
            else
                printf("master key written to %s\n", path);
        }
    } else if (!strcmp(sub, "rotate")) {
        unsigned char newkey[HOGO_KEY_BYTES];
        if (!nk || argc != optind) {
            cli_errorf("key: expected 'hogo key rotate --db DB --master-key OLD --new-key NEW'");
            return 2;
        }
        struct hogo_store *st = NULL;
        int64_t n = 0;
        rc = hogo_key_load(newkey, nk, NULL, &err);
        if (rc == 0)
            rc = hogo_store_open_env(&st, db, mk, NULL, 0, &err);
        if (rc == 0)
            rc = hogo_key_rotate(st, newkey, &n, &err);
        hogo_store_free(st);
        memset(newkey, 0, sizeof newkey);
        if (rc == 0)
            printf("re-wrapped %lld subject keys under the new master key\n", (long long)n);
    } else {
        cli_errorf("key: unknown subcommand '%s'; see 'hogo key --help'", sub);
        return 2;
    }
    if (rc < 0) {
        cli_errorf("key: %s", err.message[0] ? err.message : hogo_strerror(rc));
        return rc == HOGO_EINVAL || rc == HOGO_ECRYPTO || rc == HOGO_EIO ? 2 : 1;
    }
    return 0;
}
