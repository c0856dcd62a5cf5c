/*
 * Helpers for the unit tests: the repository's vocabulary, and throwaway policy files written
 * into a temporary directory next to a policy text.
 * Test layer.
 */
#ifndef HOGO_TEST_SUPPORT_H
#define HOGO_TEST_SUPPORT_H

#include <hogo/hogo.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The repository root (tests run with cwd = root and HOGO_SOURCE_DIR set). */
static inline const char *test_source_dir(void)
{
    const char *d = getenv("HOGO_SOURCE_DIR");
    return d && *d ? d : ".";
}

/* Loads the shipped vocabulary; aborts the test program if it cannot. */
static inline struct hogo_vocab *test_vocab(void)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/policies/vocabulary.yaml", test_source_dir());
    struct hogo_vocab *v = NULL;
    struct hogo_error err = {0};
    if (hogo_vocab_load(path, &v, &err)) {
        fprintf(stderr, "cannot load %s: %s %s\n", path, err.where, err.message);
        exit(1);
    }
    return v;
}

/* Writes text to dir/name; returns 0 or -1. */
static inline int test_write(const char *dir, const char *name, const char *text)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    fputs(text, f);
    return fclose(f);
}

/* Makes a temporary directory with text/t.txt holding the given policy text; returns an
 * allocated path (free it). */
static inline char *test_policy_dir(const char *policy_text)
{
    char tmpl[] = "/tmp/hogo-test-XXXXXX";
    char *dir = mkdtemp(tmpl);
    if (!dir)
        return NULL;
    char sub[PATH_MAX];
    snprintf(sub, sizeof sub, "%s/text", dir);
    if (mkdir(sub, 0700) != 0)
        return NULL;
    if (test_write(dir, "text/t.txt", policy_text))
        return NULL;
    return strdup(dir);
}

/* Removes what test_policy_dir made (best effort). */
static inline void test_remove_dir(const char *dir)
{
    char cmd[PATH_MAX + 16];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
}

#endif
