/*
 * The growable buffer, the growable array and the bounded whole-file reader. Common layer.
 */
#include "buf.h"

#include <hogo/file.h>

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int hogo__buf_reserve(struct hogo__buf *b, size_t extra)
{
    if (extra > b->max || b->len > b->max - extra)
        return HOGO_ELIMIT;
    size_t need = b->len + extra + 1;
    if (need <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    char *grown = realloc(b->data, cap);
    if (!grown)
        return HOGO_ENOMEM;
    b->data = grown;
    b->cap = cap;
    return 0;
}

int hogo__buf_add(struct hogo__buf *b, const void *p, size_t n)
{
    int rc = hogo__buf_reserve(b, n);
    if (rc < 0)
        return rc;
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return 0;
}

char *hogo__buf_detach(struct hogo__buf *b, size_t *len)
{
    if (!b->data && hogo__buf_reserve(b, 0) < 0)
        return NULL;
    char *out = b->data;
    out[b->len] = '\0';
    if (len)
        *len = b->len;
    b->data = NULL;
    b->len = b->cap = 0;
    return out;
}

void hogo__buf_release(struct hogo__buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

int hogo__grow(void *arrp, size_t *cap, size_t need, size_t elem, size_t first)
{
    if (need <= *cap)
        return 0;
    size_t n = *cap ? *cap : first;
    while (n < need)
        n = n > SIZE_MAX / 2 ? need : n * 2;
    if (n > SIZE_MAX / elem)
        return -1;
    void *arr;
    memcpy(&arr, arrp, sizeof arr);
    void *grown = realloc(arr, n * elem);
    if (!grown)
        return -1;
    memcpy(arrp, &grown, sizeof grown);
    *cap = n;
    return 0;
}

int hogo_grow(void *arrp, size_t *cap, size_t need, size_t elem, size_t first)
{
    return hogo__grow(arrp, cap, need, elem, first) < 0 ? HOGO_ENOMEM : 0;
}

int hogo_read_stream(FILE *f, const char *name, size_t max, char **out, size_t *len,
                     struct hogo_error *err)
{
    struct hogo__buf b = HOGO__BUF_INIT(max);
    *out = NULL;
    for (;;) {
        if (b.len == b.max) { /* full: anything more is over the limit */
            if (fgetc(f) == EOF)
                break;
            hogo__buf_release(&b);
            return HOGO_ELIMIT;
        }
        if (b.cap <= b.len + 1) {
            size_t want = b.cap ? b.cap : 8192;
            if (want > b.max - b.len)
                want = b.max - b.len;
            if (hogo__buf_reserve(&b, want) < 0) {
                hogo__buf_release(&b);
                return hogo_error_set(err, HOGO_ENOMEM, name, "out of memory reading '%s'", name);
            }
        }
        size_t room = b.cap - b.len - 1;
        if (room > b.max - b.len)
            room = b.max - b.len;
        size_t got = fread(b.data + b.len, 1, room, f);
        b.len += got;
        if (got == 0)
            break;
    }
    if (ferror(f)) {
        int e = errno;
        hogo__buf_release(&b);
        return hogo_error_set(err, HOGO_EIO, name, "cannot read '%s': %s", name,
                              strerror(e ? e : EIO));
    }
    *out = hogo__buf_detach(&b, len);
    if (!*out)
        return hogo_error_set(err, HOGO_ENOMEM, name, "out of memory reading '%s'", name);
    return 0;
}

int hogo_read_file(const char *path, size_t max, char **out, size_t *len,
                   struct hogo_error *err)
{
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f)
        return hogo_error_set(err, HOGO_EIO, path, "cannot open '%s': %s; check the path", path,
                              strerror(errno));
    struct stat sb;
    if (fstat(fileno(f), &sb) != 0 || !S_ISREG(sb.st_mode)) {
        fclose(f);
        return hogo_error_set(err, HOGO_EIO, path,
                              "'%s' is not a regular file (a directory, device or pipe); "
                              "give the path of a file",
                              path);
    }
    int rc = hogo_read_stream(f, path, max, out, len, err);
    fclose(f);
    if (rc == HOGO_ELIMIT)
        return hogo_error_set(err, rc, path, "'%s' is larger than %zu bytes; split it", path, max);
    return rc;
}
