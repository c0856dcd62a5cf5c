/*
 * Corpus replayer: runs a fuzz target's LLVMFuzzerTestOneInput() on every file of a corpus
 * directory, in name order, so the corpus is a regression test under the normal compiler and
 * the sanitizers without libFuzzer (ctest fuzz/fuzz_<name>). A crash is the failure signal.
 * Test layer.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Reads a whole file into an exactly sized buffer, so reading past the end is caught. */
static int read_file(const char *path, uint8_t **out, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    int rc = -1;
    struct stat st;
    if (fstat(fileno(f), &st) || st.st_size < 0)
        goto out;
    size_t n = (size_t)st.st_size;
    uint8_t *buf = malloc(n ? n : 1);
    if (!buf)
        goto out;
    if (n && fread(buf, 1, n, f) != n) {
        free(buf);
        goto out;
    }
    *out = buf;
    *len = n;
    rc = 0;
out:
    fclose(f);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s CORPUS_DIR\n", argv[0]);
        return 2;
    }
    DIR *d = opendir(argv[1]);
    if (!d) {
        fprintf(stderr, "%s: cannot open corpus directory '%s'\n", argv[0], argv[1]);
        return 2;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            char **g = realloc(names, cap * sizeof *names);
            if (!g)
                abort();
            names = g;
        }
        names[n] = strdup(e->d_name);
        if (!names[n])
            abort();
        n++;
    }
    closedir(d);
    qsort(names, n, sizeof *names, by_name);
    int passed = 0, failed = 0;
    for (size_t i = 0; i < n; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", argv[1], names[i]);
        struct stat st;
        if (stat(path, &st) || !S_ISREG(st.st_mode)) {
            free(names[i]);
            continue;
        }
        uint8_t *buf = NULL;
        size_t len = 0;
        if (read_file(path, &buf, &len)) {
            fprintf(stderr, "FAIL %s: cannot read it\n", path);
            failed++;
        } else {
            LLVMFuzzerTestOneInput(buf, len);
            free(buf);
            passed++;
        }
        free(names[i]);
    }
    free(names);
    printf("%d passed, %d failed\n", passed, failed);
    return failed || passed == 0 ? 1 : 0;
}
