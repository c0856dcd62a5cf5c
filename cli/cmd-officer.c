/*
 * `hogo officer`: the accounts of the privacy office's officers, who sign in to hogod's
 * console. `add` creates one bound to an operator with a role, `list` prints them (--format
 * json|jsonl|csv|text), `set-role`, `disable`, `enable` and `passwd` change one, `verify`
 * checks a password. A password is read from stdin when stdin is not a terminal (its first
 * line), else asked for on the terminal without echo (twice when it is being set).
 * CLI layer over include/hogo/officer.h. Exit status: 0 done, 1 the store failed or the
 * password did not match, 2 bad input.
 */
#include "commands.h"
#include "listing.h"
#include "store_cli.h"

#include <hogo/hogo.h>

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

static const char usage_text[] =
    "usage: hogo officer add NAME --operator ID --role viewer|handler|admin [--db DB]\n"
    "       hogo officer list [--operator ID] [--format json|jsonl|csv|text] [--db DB]\n"
    "                                            (json by default)\n"
    "       hogo officer set-role NAME --role viewer|handler|admin [--operator ID]\n"
    "       hogo officer disable NAME [--operator ID]\n"
    "       hogo officer enable NAME [--operator ID]\n"
    "       hogo officer passwd NAME [--operator ID]\n"
    "       hogo officer verify NAME\n"
    "Officers sign in to the console of hogod (/console/) and see only their operator's\n"
    "data. Roles: viewer reads; handler also acts on rights requests and breaches; admin\n"
    "also manages officers. add and passwd read the password from stdin when it is not a\n"
    "terminal (the first line), else ask for it twice without echo; it has 10 to 1024\n"
    "characters and only its Argon2id hash is kept. verify checks a password (stdin or\n"
    "prompt): exit 0 when it matches an enabled officer. --operator on set-role, disable,\n"
    "enable and passwd refuses an officer of another operator. Every change is an audit\n"
    "event; --actor NAME (before the command) or HOGO_ACTOR names who made it.\n"
    "exit status: 0 done, 1 the store failed or the password did not match, 2 bad input\n";

struct officer_opts {
    const char *operator_id;
    const char *role;
    enum listing_format format;
};

enum { O_OPERATOR = 1, O_ROLE, O_FORMAT };

static int officer_option(void *ctx, int id, const char *arg)
{
    struct officer_opts *a = ctx;
    if (id == O_OPERATOR)
        a->operator_id = arg;
    else if (id == O_ROLE)
        a->role = arg;
    else if (id == O_FORMAT && listing_format_parse("officer list", arg, &a->format))
        return 2;
    return 0;
}

/* Reads a password into buf: stdin's first line when stdin is not a terminal, else from the
 * terminal without echo after prompt (twice, compared, when confirm). 0, or -1 reported. */
static int read_password(const char *prompt, int confirm, char *buf, size_t cap)
{
    if (!isatty(STDIN_FILENO)) {
        if (!fgets(buf, (int)cap, stdin)) {
            cli_errorf("officer: no password on stdin; give it as the first line");
            return -1;
        }
        size_t n = strlen(buf);
        if (n && buf[n - 1] != '\n' && !feof(stdin)) {
            cli_errorf("officer: the password line is longer than %d characters",
                       HOGO_OFFICER_PASSWORD_MAX);
            return -1;
        }
        buf[strcspn(buf, "\r\n")] = '\0';
        return 0;
    }
    char again[HOGO_OFFICER_PASSWORD_MAX + 2];
    for (int round = 0; round < (confirm ? 2 : 1); round++) {
        char *dst = round ? again : buf;
        size_t dcap = round ? sizeof again : cap;
        struct termios saved, quiet;
        int echo_off = tcgetattr(STDIN_FILENO, &saved) == 0;
        if (echo_off) {
            quiet = saved;
            quiet.c_lflag &= ~(tcflag_t)ECHO;
            quiet.c_lflag |= ECHONL;
            echo_off = tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) == 0;
        }
        fputs(round ? "again: " : prompt, stderr);
        fflush(stderr);
        char *got = fgets(dst, (int)dcap, stdin);
        if (echo_off)
            tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
        if (!got) {
            cli_errorf("officer: no password given");
            return -1;
        }
        dst[strcspn(dst, "\r\n")] = '\0';
    }
    if (confirm && strcmp(buf, again)) {
        memset(again, 0, sizeof again);
        cli_errorf("officer: the two passwords differ; nothing was changed");
        return -1;
    }
    memset(again, 0, sizeof again);
    return 0;
}

static int list_row(void *ctx, const struct hogo_officer *o)
{
    char created[32] = "", last[32] = "";
    struct tm tm;
    time_t t = (time_t)(o->created_at / 1000000);
    gmtime_r(&t, &tm);
    strftime(created, sizeof created, "%Y-%m-%dT%H:%M:%SZ", &tm);
    if (o->last_signin_at) {
        t = (time_t)(o->last_signin_at / 1000000);
        gmtime_r(&t, &tm);
        strftime(last, sizeof last, "%Y-%m-%dT%H:%M:%SZ", &tm);
    }
    const char *vals[] = {o->name, o->operator_id, hogo_officer_role_name(o->role),
                          o->enabled ? "true" : "false", created,
                          o->last_signin_at ? last : NULL};
    listing_row(ctx, vals);
    return 0;
}

int cmd_officer(int argc, char **argv)
{
    static const struct option longopts[] = {
        STORE_CLI_OPT_DB,
        {"operator", required_argument, NULL, O_OPERATOR},
        {"role", required_argument, NULL, O_ROLE},
        {"format", required_argument, NULL, O_FORMAT},
        STORE_CLI_OPT_END};
    struct store_cli o = {.name = "officer", .usage = usage_text};
    struct officer_opts a = {.format = LISTING_JSON};
    int status = store_cli_parse(&o, argc, argv, 1, longopts, officer_option, &a);
    if (status >= 0)
        return status;
    const char *sub = o.sub;
    static const char *const with_name[] = {"add",    "set-role", "disable",
                                            "enable", "passwd",   "verify"};
    int need_name = 0;
    for (size_t i = 0; i < sizeof with_name / sizeof with_name[0]; i++)
        if (!strcmp(sub, with_name[i]))
            need_name = 1;
    if (!need_name && strcmp(sub, "list")) {
        cli_errorf("officer: unknown subcommand '%s'; use add, list, set-role, disable, "
                   "enable, passwd or verify",
                   sub);
        return 2;
    }
    if (o.npos != need_name) {
        cli_errorf(need_name ? "officer: expected 'hogo officer %s NAME'"
                             : "officer: '%s' takes no argument besides its options",
                   sub);
        return 2;
    }
    int role = 0;
    if (!strcmp(sub, "add") || !strcmp(sub, "set-role")) {
        if (!a.role) {
            cli_errorf("officer: %s needs --role viewer, handler or admin", sub);
            return 2;
        }
        role = hogo_officer_role_parse(a.role);
        if (!role) {
            cli_errorf("officer: --role is viewer, handler or admin, not '%s'", a.role);
            return 2;
        }
        if (!strcmp(sub, "add") && !a.operator_id) {
            cli_errorf("officer: add needs --operator ID (the policy id the officer works "
                       "for, e.g. irp)");
            return 2;
        }
    }
    const char *name = need_name ? o.pos[0] : NULL;
    char password[HOGO_OFFICER_PASSWORD_MAX + 2] = "";
    int wants_password = !strcmp(sub, "add") || !strcmp(sub, "passwd") || !strcmp(sub, "verify");
    struct hogo_error err;
    struct hogo_store *st = NULL;
    hogo_error_clear(&err);
    int rc = store_cli_open(&o, &st, 0, &err);
    if (rc == 0 && wants_password &&
        read_password("password: ", strcmp(sub, "verify") != 0, password, sizeof password)) {
        hogo_store_free(st);
        return 2;
    }
    int code = 0;
    if (rc == 0 && !strcmp(sub, "add")) {
        rc = hogo_officer_add(st, name, a.operator_id, role, password, NULL, &err);
        if (rc == 0)
            printf("added %s (%s, %s)\n", name, a.operator_id, a.role);
    } else if (rc == 0 && !strcmp(sub, "set-role")) {
        rc = hogo_officer_set_role(st, a.operator_id, name, role, NULL, &err);
        if (rc == 0)
            printf("%s is now %s\n", name, a.role);
    } else if (rc == 0 && (!strcmp(sub, "disable") || !strcmp(sub, "enable"))) {
        int on = !strcmp(sub, "enable");
        rc = hogo_officer_set_enabled(st, a.operator_id, name, on, NULL, &err);
        if (rc == 0)
            printf("%s %s\n", on ? "enabled" : "disabled", name);
    } else if (rc == 0 && !strcmp(sub, "passwd")) {
        rc = hogo_officer_set_password(st, a.operator_id, name, password, NULL, &err);
        if (rc == 0)
            printf("password of %s changed\n", name);
    } else if (rc == 0 && !strcmp(sub, "verify")) {
        struct hogo_officer off;
        rc = hogo_officer_authenticate(st, name, password, &off, &err);
        if (rc == 0)
            printf("%s (%s, %s): password matches\n", off.name, off.operator_id,
                   hogo_officer_role_name(off.role));
        else if (rc == HOGO_ENOTFOUND)
            code = 1;
    } else if (rc == 0) {
        static const char *const cols[] = {"name",    "operator",   "role",
                                           "enabled", "created_at", "last_signin_at"};
        if (a.format == LISTING_JSON || a.format == LISTING_JSONL) {
            char *json = NULL;
            rc = hogo_officer_list_json(st, a.operator_id, &json, &err);
            if (rc == 0 && listing_json_array(stdout, a.format, json, cols, 6, NULL) < 0)
                code = 1;
            free(json);
        } else {
            struct listing *l = listing_begin(stdout, a.format, cols, 6);
            if (!l)
                rc = hogo_error_set(&err, HOGO_ENOMEM, NULL, "out of memory");
            else {
                rc = hogo_officer_list(st, a.operator_id, list_row, l, &err);
                listing_end(l);
            }
        }
    }
    memset(password, 0, sizeof password);
    hogo_store_free(st);
    if (rc < 0) {
        cli_errorf("officer: %s", err.message[0] ? err.message : hogo_strerror(rc));
        if (code)
            return code;
        return rc == HOGO_EINVAL || rc == HOGO_ENOTFOUND || rc == HOGO_EVERSION ? 2 : 1;
    }
    return code;
}
