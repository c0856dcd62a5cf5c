/*
 * What `hogo provide` and `hogo receive` share: the --own-retention option, reading the
 * request and loading the policy it names, and printing the outcome. CLI layer.
 */
#include "provide_cli.h"

#include "cli_util.h"
#include "commands.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_tree.h>

int provide_cli_own_retention(const char *cmd, const char *own, int *years)
{
    if (!own || !*own)
        return 0;
    char *end;
    long y = strtol(own, &end, 10);
    if (*end || y < 1 || y > 100) {
        cli_errorf("%s: --own-retention takes 1 to 100 years, not '%s'", cmd, own);
        return -1;
    }
    *years = (int)y;
    return 0;
}

/* The policy id a request names (allocated), for when --policy is not given. */
static char *request_policy(const char *json)
{
    char ebuf[128];
    yajl_val v = yajl_tree_parse(json, ebuf, sizeof ebuf);
    const char *path[] = {"policy", NULL};
    yajl_val p = v ? yajl_tree_get(v, path, yajl_t_string) : NULL;
    char *s = p ? strdup(p->u.string) : NULL;
    yajl_tree_free(v);
    return s;
}

int provide_cli_load(struct provide_cli_input *in, const char *cmd, int argc, char **argv,
                     const char *policy_arg)
{
    if (optind < argc - 1) {
        cli_errorf("%s: one request file at most", cmd);
        return -1;
    }
    FILE *f = stdin;
    if (optind < argc && strcmp(argv[optind], "-") && !(f = fopen(argv[optind], "rb"))) {
        cli_errorf("%s: cannot open '%s': %s", cmd, argv[optind], strerror(errno));
        return -1;
    }
    struct hogo_error err = {0};
    int rc = cli_read_all(f, HOGO_DEFAULT_MAX_REQUEST, &in->json, &in->len, &err);
    if (f != stdin)
        fclose(f);
    if (rc) {
        cli_print_error(&err);
        return -1;
    }
    if (!policy_arg && !(policy_arg = in->pid = request_policy(in->json))) {
        cli_errorf("%s: the request names no \"policy\"; add it or pass --policy", cmd);
        return -1;
    }
    if (in->pid && !cli_is_policy_id(in->pid)) {
        cli_errorf("%s: /policy: '%.80s' is not a policy id; a request names its policy by id "
                   "(irp), a policy file is only given with --policy FILE",
                   cmd, in->pid);
        return -1;
    }
    if (cli_load_policy(policy_arg, &in->policy, NULL))
        return -1;
    if (hogo_request_new(&in->req) || hogo_writer_new(false, &in->w)) {
        cli_errorf("out of memory");
        return -1;
    }
    return 0;
}

void provide_cli_print(const struct provide_cli_input *in, const struct hogo_decision *d,
                       const char *id, const char *obligation)
{
    hogo_writer_decision(in->w, in->policy, in->req, d);
    const char *buf;
    size_t blen;
    hogo_writer_buffer(in->w, &buf, &blen);
    while (blen && buf[blen - 1] == '\n')
        blen--;
    if (d->allow) {
        /* the record is required exactly when the decision obliges it (compact JSON) */
        char *dj = strndup(buf, blen);
        int required = dj && strstr(dj, obligation) != NULL;
        free(dj);
        printf("{\"record_id\":\"%s\",\"record_required\":%s,\"decision\":%.*s}\n", id,
               required ? "true" : "false", (int)blen, buf);
    } else {
        printf("{\"record_id\":null,\"record_required\":false,\"decision\":%.*s}\n", (int)blen,
               buf);
    }
}

void provide_cli_release(struct provide_cli_input *in)
{
    free(in->json);
    free(in->pid);
    hogo_writer_free(in->w);
    hogo_request_free(in->req);
    hogo_policy_free(in->policy);
}
