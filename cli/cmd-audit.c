/*
 * `hogo audit`: checks and exports the tamper-evident audit log. CLI layer over
 * include/hogo/audit.h. `verify` reads the database, or an export with --export FILE so a
 * third party needs only the export and the public key.
 * Exit status: 0 intact / done, 1 tampering found or the store failed, 2 bad input.
 */
#include "cli_util.h"
#include "commands.h"
#include "store_cli.h"

#include <hogo/audit.h>
#include <hogo/file.h>
#include <hogo/store.h>

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage_text[] =
    "usage: hogo audit <subcommand> [--db DB]\n"
    "  verify [--public-key FILE.pub]     check every event and checkpoint; names the first\n"
    "                                     bad event (without a public key only the chain and\n"
    "                                     checkpoint heads are checked, not the signatures)\n"
    "  verify --public-key FILE.pub --anchor ANCHOR\n"
    "                                     also require the log to reach the anchor's event\n"
    "                                     unchanged (detects a restored older database)\n"
    "  verify --export FILE --public-key FILE.pub   check an export, no database needed\n"
    "  export [--out FILE]                write events and checkpoints as JSON lines\n"
    "  checkpoint --signing-key FILE [--anchor ANCHOR]\n"
    "                                     seal the current head with a signed checkpoint, and\n"
    "                                     write it to ANCHOR, kept or published outside the\n"
    "                                     database\n"
    "The signing key may also come from HOGO_SIGNING_KEY_FILE; with it, a checkpoint is also\n"
    "written automatically every 1000 events ($HOGO_CHECKPOINT_INTERVAL). With a public key,\n"
    "verify requires every checkpoint due by that interval and reports the unsealed tail.\n"
    "exit status: 0 intact/done, 1 tampering found or the store failed, 2 bad input\n";

/* The options of `hogo audit` besides the shared ones. */
enum { O_PK = 1, O_EXPORT, O_OUT, O_ANCHOR };
struct audit_opts {
    const char *pkfile, *exportfile, *outfile, *anchor;
};

static int audit_option(void *ctx, int id, const char *arg)
{
    struct audit_opts *a = ctx;
    *(id == O_PK       ? &a->pkfile
      : id == O_EXPORT ? &a->exportfile
      : id == O_ANCHOR ? &a->anchor
                       : &a->outfile) = arg;
    return 0;
}

/* The checkpoint interval the log promises: $HOGO_CHECKPOINT_INTERVAL, else the default. */
static unsigned checkpoint_interval(void)
{
    const char *e = getenv("HOGO_CHECKPOINT_INTERVAL");
    long v = e && *e ? strtol(e, NULL, 10) : 0;
    return v > 0 && v < 1000000000 ? (unsigned)v : HOGO_AUDIT_CHECKPOINT_INTERVAL;
}

int cmd_audit(int argc, char **argv)
{
    static const struct option longopts[] = {STORE_CLI_OPT_DB, STORE_CLI_OPT_SIGNING_KEY,
                                              {"public-key", required_argument, NULL, O_PK},
                                              {"export", required_argument, NULL, O_EXPORT},
                                              {"out", required_argument, NULL, O_OUT},
                                              {"anchor", required_argument, NULL, O_ANCHOR},
                                              STORE_CLI_OPT_END};
    struct store_cli o = {.name = "audit", .usage = usage_text};
    struct audit_opts a = {0};
    int status = store_cli_parse(&o, argc, argv, 1, longopts, audit_option, &a);
    if (status >= 0)
        return status;
    const char *sub = o.sub, *pkfile = a.pkfile, *exportfile = a.exportfile,
               *outfile = a.outfile;
    if (o.npos != 0 || (strcmp(sub, "verify") && strcmp(sub, "export") &&
                           strcmp(sub, "checkpoint"))) {
        cli_errorf("audit: expected 'hogo audit verify|export|checkpoint [options]'; see 'hogo "
                   "audit --help'");
        return 2;
    }
    struct hogo_error err;
    struct hogo_store *st = NULL;
    unsigned char pk[HOGO_SIGN_PUBLIC_BYTES];
    struct hogo_audit_report r;
    char *text = NULL;
    size_t len = 0;
    int rc = 0;
    bool en = !strcmp(cli_default_lang(), "en"); /* messages in English ($HOGO_LANG=en) */
    hogo_error_clear(&err);
    if (pkfile)
        rc = hogo_public_key_load(pk, pkfile, &err);
    if (rc < 0) {
        cli_errorf("audit: %s", err.message);
        return 2;
    }
    if (!strcmp(sub, "verify") && exportfile) {
        if (!pkfile) {
            cli_errorf("audit: verifying an export needs --public-key FILE.pub");
            return 2;
        }
        if (hogo_read_file(exportfile, HOGO_READ_UNLIMITED, &text, &len, &err) < 0) {
            cli_errorf("audit: cannot read export '%s': %s", exportfile, err.message);
            return 2;
        }
        rc = hogo_audit_verify_export_every(text, len, pk, checkpoint_interval(), &r, &err);
    } else {
        char *anchor = NULL;
        size_t anchor_len = 0;
        if (a.anchor && !strcmp(sub, "verify")) {
            if (!pkfile) {
                cli_errorf("audit: checking an anchor needs --public-key FILE.pub");
                return 2;
            }
            if (hogo_read_file(a.anchor, 4096, &anchor, &anchor_len, &err) < 0) {
                cli_errorf("audit: cannot read anchor '%s': %s", a.anchor, err.message);
                return 2;
            }
        }
        rc = store_cli_open(&o, &st, 0, &err);
        if (rc == 0 && !strcmp(sub, "verify")) {
            rc = anchor ? hogo_audit_verify_anchored(st, pk, anchor, anchor_len, &r, &err)
                        : hogo_audit_verify(st, pkfile ? pk : NULL, &r, &err);
        }
        else if (rc == 0 && !strcmp(sub, "export")) {
            rc = hogo_audit_export(st, &text, &len, &err);
            if (rc == 0 && outfile && strcmp(outfile, "-"))
                rc = hogo_write_file(outfile, text, len, &err);
            else if (rc == 0 && (fwrite(text, 1, len, stdout) != len || fflush(stdout) != 0))
                rc = hogo_error_set(&err, HOGO_EIO, NULL, "cannot write the export to stdout");
        } else if (rc == 0 && !strcmp(sub, "checkpoint")) {
            int64_t seq = 0;
            rc = hogo_audit_checkpoint(st, &seq, &err);
            if (rc == 0)
                printf(en ? "checkpoint sealed at event %lld\n"
                          : "イベント %lld までをチェックポイントで封印しました\n",
                       (long long)seq);
            if (rc == 0 && a.anchor && (rc = hogo_audit_anchor(st, a.anchor, &seq, &err)) == 0)
                printf(en ? "anchor written to %s (event %lld)\n"
                          : "アンカーを %s に書き出しました（イベント %lld）\n",
                       a.anchor, (long long)seq);
        }
        free(anchor);
    }
    if (!strcmp(sub, "verify") && (rc == 0 || rc == HOGO_ETAMPER)) {
        if (rc == 0 && en) {
            printf("audit log intact: %lld events, %lld checkpoints%s%s\n", (long long)r.events,
                   (long long)r.checkpoints,
                   r.signatures_checked ? ", signatures checked"
                                        : " (signatures not checked: pass --public-key)",
                   r.anchor_checked ? ", anchor reached" : "");
            if (r.signatures_checked && r.unsealed > 0)
                printf("unsealed tail: events %lld to %lld are after the last checkpoint; seal "
                       "them with 'hogo audit checkpoint'\n",
                       (long long)r.last_sealed + 1, (long long)r.last_sealed + r.unsealed);
        } else if (rc == 0) {
            printf("監査ログは改ざんされていません（intact）: イベント %lld 件、チェックポイント %lld 件%s%s\n",
                   (long long)r.events, (long long)r.checkpoints,
                   r.signatures_checked ? "、署名を検証済み"
                                        : "（署名は未検証: --public-key を指定してください）",
                   r.anchor_checked ? "、アンカーまで到達" : "");
            if (r.signatures_checked && r.unsealed > 0)
                printf("未封印の末尾（unsealed tail）: イベント %lld から %lld は最後のチェックポイントより"
                       "後です。'hogo audit checkpoint' で封印してください\n",
                       (long long)r.last_sealed + 1, (long long)r.last_sealed + r.unsealed);
        } else {
            printf(en ? "audit log TAMPERED: first bad event %lld: %s\n"
                      : "監査ログの改ざんを検出しました（TAMPERED）: 最初の不整合はイベント %lld: %s\n",
                   (long long)r.first_bad_seq, r.problem[0] ? r.problem : err.message);
        }
    }
    hogo_store_free(st);
    free(text);
    if (rc == HOGO_ETAMPER)
        return 1;
    if (rc < 0) {
        cli_errorf("audit: %s", err.message[0] ? err.message : hogo_strerror(rc));
        return rc == HOGO_EINVAL || rc == HOGO_ENOTFOUND || rc == HOGO_EVERSION ? 2 : 1;
    }
    return 0;
}
