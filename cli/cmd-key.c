/*
 * `hogo key`: the keys hogo keeps outside the database: the master key that wraps every
 * subject's data key, and the Ed25519 key that signs audit checkpoints. CLI layer.
 * Exit status: 0 done, 1 failed, 2 bad input (wrong key, missing file, usage).
 */
#include "commands.h"
#include "store_cli.h"

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

/* The options of `hogo key` besides the shared ones. */
enum { O_NEW = 1, O_SIGNING };
struct key_opts {
    const char *new_key; /* --new-key FILE */
    int signing;         /* --signing */
};

static int key_option(void *ctx, int id, const char *arg)
{
    struct key_opts *k = ctx;
    if (id == O_NEW)
        k->new_key = arg;
    else
        k->signing = 1;
    return 0;
}

int cmd_key(int argc, char **argv)
{
    static const struct option longopts[] = {STORE_CLI_OPT_DB, STORE_CLI_OPT_MASTER_KEY,
                                              {"new-key", required_argument, NULL, O_NEW},
                                              {"signing", no_argument, NULL, O_SIGNING},
                                              STORE_CLI_OPT_END};
    struct store_cli o = {.name = "key", .usage = usage_text};
    struct key_opts k = {0};
    int status = store_cli_parse(&o, argc, argv, 1, longopts, key_option, &k);
    if (status >= 0)
        return status;
    const char *sub = o.sub, *nk = k.new_key;
    int signing = k.signing;
    struct hogo_error err;
    hogo_error_clear(&err);
    int rc;
    if (!strcmp(sub, "generate")) {
        if (o.npos != 1) {
            cli_errorf("key: expected 'hogo key generate [--signing] FILE'");
            return 2;
        }
        const char *path = o.pos[0];
        rc = signing ? hogo_signing_key_generate(path, &err) : hogo_key_generate(path, &err);
        if (rc == 0) {
            if (signing)
                printf("signing key written to %s, public key to %s.pub\n", path, path);
            else
                printf("master key written to %s\n", path);
        }
    } else if (!strcmp(sub, "rotate")) {
        unsigned char newkey[HOGO_KEY_BYTES];
        if (!nk || o.npos != 0) {
            cli_errorf("key: expected 'hogo key rotate --db DB --master-key OLD --new-key NEW'");
            return 2;
        }
        struct hogo_store *st = NULL;
        int64_t n = 0;
        rc = hogo_key_load(newkey, nk, NULL, &err);
        if (rc == 0)
            rc = store_cli_open(&o, &st, 0, &err);
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
