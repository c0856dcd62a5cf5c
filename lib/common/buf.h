/*
 * A growable byte buffer with a maximum (git's strbuf, curl's dynbuf) and a growable-array
 * helper (git's ALLOC_GROW), so that no module writes its own doubling loop. Common layer:
 * depends on nothing else in lib/.
 */
#ifndef HOGO_COMMON_BUF_H
#define HOGO_COMMON_BUF_H

#include <stddef.h>

/* Bytes data[0..len), always followed by a NUL once anything was added; never more than max
 * bytes. Zero it and set max (HOGO__BUF_INIT) before use. */
struct hogo__buf {
    char *data; /* owned; NULL until the first byte */
    size_t len;
    size_t cap; /* bytes allocated for data, NUL included */
    size_t max; /* the most len may reach */
};
#define HOGO__BUF_INIT(limit) {NULL, 0, 0, (limit)}

/* Makes room for extra more bytes and the NUL. HOGO_ELIMIT when len + extra would pass max,
 * HOGO_ENOMEM when memory ran out; the buffer is unchanged on failure. */
int hogo__buf_reserve(struct hogo__buf *b, size_t extra);
/* Appends n bytes of p (see hogo__buf_reserve for the failures). */
int hogo__buf_add(struct hogo__buf *b, const void *p, size_t n);
/* Hands the bytes over (NUL-terminated, never NULL unless out of memory; caller frees), with
 * their length in *len (may be NULL), and leaves the buffer empty. */
char *hogo__buf_detach(struct hogo__buf *b, size_t *len);
/* Frees the bytes and leaves the buffer empty (max kept). */
void hogo__buf_release(struct hogo__buf *b);

/* Makes *arrp (an array of elements of elem bytes, *cap of them allocated) hold at least need
 * elements, doubling from first; 0, or -1 when out of memory (the array is unchanged). arrp
 * is the address of the array pointer. */
int hogo__grow(void *arrp, size_t *cap, size_t need, size_t elem, size_t first);
/* hogo__grow() for an array pointer variable arr and its size_t capacity cap; the common case
 * (room enough) costs one comparison. */
#define HOGO__GROW(arr, cap, need, first) \
    ((need) <= (cap) ? 0 : hogo__grow(&(arr), &(cap), (need), sizeof *(arr), (first)))

#endif
