/*
 * `hogo vocab list|show|search`: the ids of the shared vocabulary (purposes, data categories,
 * recipients, services, ...) with their Japanese and English names, found by id or by either
 * name (`hogo vocab search 広告`).
 * CLI layer.
 */
#include "commands.h"
#include "listing.h"

#include <hogo/hogo.h>

#include <ctype.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *out)
{
    fprintf(out,
            "usage: hogo vocab list [KIND] [--format json|jsonl|csv|text] [--vocabulary FILE]\n"
            "       hogo vocab show ID [--format json|text] [--vocabulary FILE]\n"
            "       hogo vocab search WORD [--format json|jsonl|csv|text] [--vocabulary FILE]\n\n"
            "The ids requests and policies use, with their Japanese and English names.\n\n"
            "  list [KIND]         every id, or those of one kind (purpose, data_category,\n"
            "                      recipient, recipient_class, service, form, basis, ...)\n"
            "  show ID             one id: its kind, names and broader ids\n"
            "  search WORD         the ids whose id, Japanese name or English description holds\n"
            "                      WORD (English case-insensitively)\n"
            "  --format F          text (default), json, jsonl or csv\n"
            "  --vocabulary FILE   another vocabulary (default: the shipped one)\n\n"
            "exit status: 0 found, 1 nothing found, 2 bad usage or vocabulary\n");
}

/* Case-insensitive for ASCII, byte-exact for the rest (Japanese has no case). */
static bool contains(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (const char *h = hay; *h; h++) {
        size_t i = 0;
        while (i < n && h[i] && tolower((unsigned char)h[i]) == tolower((unsigned char)needle[i]))
            i++;
        if (i == n)
            return true;
    }
    return n == 0;
}

int cmd_vocab(int argc, char **argv)
{
    static const struct option longopts[] = {{"format", required_argument, NULL, 'f'},
                                             {"vocabulary", required_argument, NULL, 'v'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    enum listing_format format = LISTING_TEXT;
    const char *file = NULL;
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "f:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'f':
            if (listing_format_parse("vocab", optarg, &format))
                return 2;
            break;
        case 'v':
            file = optarg;
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
            cli_errorf("vocab: unknown or incomplete option '%s'; see 'hogo vocab --help'",
                       argv[optind - 1]);
            return 2;
        }
    }
    const char *sub = optind < argc ? argv[optind] : NULL;
    const char *arg = optind + 1 < argc ? argv[optind + 1] : NULL;
    if (!sub || (strcmp(sub, "list") && strcmp(sub, "show") && strcmp(sub, "search")) ||
        (strcmp(sub, "list") && !arg) || optind + 2 < argc) {
        cli_errorf("vocab: say list [KIND], show ID or search WORD; see 'hogo vocab --help'");
        return 2;
    }
    char path[4096];
    if (file)
        snprintf(path, sizeof path, "%s", file);
    else
        hogo_vocab_default_file(path, sizeof path);
    struct hogo_vocab *v = NULL;
    struct hogo_error err;
    if (hogo_vocab_load(path, &v, &err)) {
        cli_errorf("%s: %s", err.where[0] ? err.where : path, err.message);
        return 2;
    }
    struct hogo_vocab_entry e;
    size_t n = hogo_vocab_count(v);
    int status = 0;
    if (!strcmp(sub, "show")) {
        bool found = false;
        for (size_t i = 0; i < n && !found; i++) {
            hogo_vocab_entry(v, i, &e);
            if (strcmp(e.id, arg))
                continue;
            found = true;
            if (format == LISTING_TEXT) {
                printf("%s (%s)\n  ja: %s\n  en: %s\n", e.id, e.kind, e.ja, e.en);
                if (e.broader[0])
                    printf("  broader: %s\n", e.broader);
            } else {
                static const char *const cols[] = {"id", "kind", "ja", "en", "broader"};
                const char *vals[] = {e.id, e.kind, e.ja, e.en, e.broader};
                struct listing *l = listing_begin(stdout, format, cols, 5);
                if (l) {
                    listing_row(l, vals);
                    listing_end(l);
                }
            }
        }
        if (!found) {
            cli_errorf("vocab: no id '%s'; try 'hogo vocab search %s'", arg, arg);
            status = 1;
        }
    } else {
        static const char *const cols[] = {"id", "kind", "ja"};
        struct listing *l = listing_begin(stdout, format, cols, 3);
        if (!l) {
            hogo_vocab_free(v);
            cli_errorf("out of memory");
            return 2;
        }
        for (size_t i = 0; i < n; i++) {
            hogo_vocab_entry(v, i, &e);
            bool take = !strcmp(sub, "list")
                            ? !arg || !strcmp(e.kind, arg)
                            : contains(e.id, arg) || contains(e.ja, arg) || contains(e.en, arg);
            if (take) {
                const char *vals[] = {e.id, e.kind, e.ja};
                listing_row(l, vals);
            }
        }
        if (listing_end(l) == 0) {
            if (!strcmp(sub, "list"))
                cli_errorf("vocab: no ids of kind '%s' (kinds: policy, action, data_category, "
                           "purpose, service, recipient, recipient_class, institution_type, "
                           "linkable_account, form, basis, subject_fact, obligation_type)",
                           arg);
            status = 1;
        }
    }
    hogo_vocab_free(v);
    return status;
}
