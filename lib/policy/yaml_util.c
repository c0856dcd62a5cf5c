/*
 * Helpers over libfyaml for the vocabulary and policy loaders (yaml_util.h).
 * Policy layer.
 */
#include "yaml_util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <utf8proc.h>

#include "policy_int.h"

/* Finds the first byte that is not valid UTF-8; returns 0 and its 1-based line and column
 * (in characters), or -1 when the text is valid. */
static int invalid_utf8(const char *buf, size_t len, int *line, int *col)
{
    size_t i = 0;
    *line = 1;
    *col = 1;
    while (i < len) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t n = utf8proc_iterate((const utf8proc_uint8_t *)buf + i,
                                              (utf8proc_ssize_t)(len - i), &cp);
        if (n <= 0)
            return 0;
        if (cp == '\n') {
            (*line)++;
            *col = 1;
        } else {
            (*col)++;
        }
        i += (size_t)n;
    }
    return -1;
}

int hogo__yaml_load(const char *path, struct fy_document **doc, struct hogo_error *err)
{
    *doc = NULL;
    size_t len = 0;
    char *buf = NULL;
    int rc = hogo_read_file(path, HOGO_READ_UNLIMITED, &buf, &len, err);
    if (rc < 0)
        return rc;
    /* libfyaml accepts (or, after a directive, loops forever on) bytes that are not UTF-8:
     * refuse them first */
    int line, col;
    if (invalid_utf8(buf, len, &line, &col) == 0) {
        free(buf);
        char where[512];
        snprintf(where, sizeof where, "%s:%d:%d", path, line, col);
        return hogo_error_set(err, HOGO_EPOLICY, where,
                              "the file is not valid UTF-8 here; save it as UTF-8");
    }
    struct fy_diag_cfg dcfg;
    fy_diag_cfg_default(&dcfg);
    dcfg.fp = NULL;
    dcfg.output_fn = NULL;
    struct fy_diag *diag = fy_diag_create(&dcfg);
    if (!diag) {
        free(buf);
        return HOGO_ENOMEM;
    }
    fy_diag_set_collect_errors(diag, true);
    struct fy_parse_cfg cfg = {.flags = FYPCF_QUIET | FYPCF_DEFAULT_VERSION_AUTO, .diag = diag};
    /* the document owns buf from here on, whether or not it is built */
    *doc = fy_document_build_from_malloc_string(&cfg, buf, len);
    rc = 0;
    if (!*doc) {
        void *it = NULL;
        struct fy_diag_error *e = fy_diag_errors_iterate(diag, &it);
        char where[512];
        if (e) {
            snprintf(where, sizeof where, "%s:%d:%d", path, e->line + 1, e->column + 1);
            rc = hogo_error_set(err, HOGO_EPOLICY, where,
                                "YAML syntax error: %s; fix the syntax at this place",
                                e->msg ? e->msg : "unparseable input");
        } else {
            rc = hogo_error_set(err, HOGO_EPOLICY, path,
                                "'%s' is not valid YAML; check its syntax", path);
        }
    }
    /* turning collection off frees the collected errors, which unref alone leaks */
    fy_diag_set_collect_errors(diag, false);
    fy_diag_destroy(diag);
    return rc;
}

char *hogo__yaml_strdup(struct fy_node *n)
{
    if (!n || fy_node_get_type(n) != FYNT_SCALAR)
        return NULL;
    size_t len = 0;
    const char *s = fy_node_get_scalar(n, &len);
    return s ? strndup(s, len) : NULL;
}

bool hogo__yaml_bool(struct fy_node *n)
{
    if (!n || fy_node_get_type(n) != FYNT_SCALAR)
        return false;
    size_t len = 0;
    const char *s = fy_node_get_scalar(n, &len);
    return s && ((len == 4 && !strncasecmp(s, "true", 4)) || (len == 3 && !strncasecmp(s, "yes", 3)) ||
                 (len == 2 && !strncasecmp(s, "on", 2)));
}

bool hogo__yaml_is(struct fy_node *n, const char *want)
{
    if (!n || fy_node_get_type(n) != FYNT_SCALAR)
        return false;
    size_t len = 0;
    const char *s = fy_node_get_scalar(n, &len);
    return s && strlen(want) == len && !memcmp(s, want, len);
}

/* Position of the first scalar inside n (depth-first), or 0. */
static void first_scalar_pos(struct fy_node *n, int *line, int *col)
{
    *line = *col = 0;
    for (int depth = 0; n && depth < 16; depth++) {
        if (fy_node_get_type(n) == FYNT_SCALAR) {
            struct fy_token *t = fy_node_get_scalar_token(n);
            const struct fy_mark *m = t ? fy_token_start_mark(t) : NULL;
            if (m) {
                *line = m->line + 1;
                *col = m->column + 1;
            }
            return;
        }
        void *it = NULL;
        if (fy_node_get_type(n) == FYNT_MAPPING) {
            struct fy_node_pair *p = fy_node_mapping_iterate(n, &it);
            n = p ? fy_node_pair_key(p) : NULL;
        } else {
            n = fy_node_sequence_iterate(n, &it);
        }
    }
}

void hogo__yaml_pos(struct fy_node *n, int *line, int *col)
{
    first_scalar_pos(n, line, col);
    /* an empty container has no scalar: use the key it is the value of, or its parent */
    for (int depth = 0; !*line && n && depth < 16; depth++) {
        struct fy_node *parent = fy_node_get_parent(n);
        if (parent && fy_node_get_type(parent) == FYNT_MAPPING) {
            void *it = NULL;
            struct fy_node_pair *p;
            while ((p = fy_node_mapping_iterate(parent, &it)) != NULL)
                if (fy_node_pair_value(p) == n) {
                    first_scalar_pos(fy_node_pair_key(p), line, col);
                    break;
                }
        }
        if (!*line && parent)
            first_scalar_pos(parent, line, col);
        n = parent;
    }
}

void hogo__yaml_where(const char *path, struct fy_node *n, char *buf, size_t size)
{
    int line, col;
    hogo__yaml_pos(n, &line, &col);
    if (line)
        snprintf(buf, size, "%s:%d:%d", path, line, col);
    else
        snprintf(buf, size, "%s", path);
}
