/*
 * Reading a whole file or stream into memory, with a size limit. Public API layer: the
 * library's readers (policies, vocabularies, CSV, hierarchies) and the command line share
 * this one reader, so every one refuses a directory or device and reports a read error.
 * Writing an output file: every file the command line writes goes through hogo_out_file, so
 * no output replaces a device, follows a planted symlink or leaves a half-written file.
 * Growing an array: hogo_grow(), the one doubling step everything above uses.
 */
#ifndef HOGO_FILE_H
#define HOGO_FILE_H

#include <hogo/error.h>

#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* No limit for hogo_read_file()/hogo_read_stream() (only memory). */
#define HOGO_READ_UNLIMITED ((size_t)-1)

/* Reads the regular file at path into *out (allocated, NUL-terminated; caller frees) and its
 * length into *len (may be NULL). Refuses a directory, device or pipe (HOGO_EIO), a file over
 * max bytes (HOGO_ELIMIT) and a read error (HOGO_EIO), each naming the file. */
HOGO_EXTERN int hogo_read_file(const char *path, size_t max, char **out, size_t *len,
                               struct hogo_error *err);
/* As hogo_read_file(), from an open stream (a pipe or stdin too) named name in messages;
 * over max bytes is HOGO_ELIMIT with no message (the caller says which limit). */
HOGO_EXTERN int hogo_read_stream(FILE *f, const char *name, size_t max, char **out,
                                 size_t *len, struct hogo_error *err);

/* An output file being written. When the target is missing or a regular file, the bytes go
 * to a new temporary file in the target's folder (random name, O_CREAT|O_EXCL|O_NOFOLLOW,
 * mode 0600) renamed onto the target at commit; when the target is a device or a pipe
 * (/dev/null, /dev/stdout, a FIFO) the bytes are held in an unnamed temporary file and copied
 * to the target at commit, so the device itself is never replaced. Not shared across threads. */
struct hogo_out_file {
    FILE *f;      /* write here (read back with fileno() and pread() after a sync) */
    char *path;   /* the target */
    char *tmp;    /* the temporary name in the target's folder, or NULL when direct */
    int direct;   /* the target is a device or pipe */
};

/* Opens an output for path. Refuses a symlink, a directory or a missing folder (HOGO_EIO,
 * naming the path); path "-" is refused too (the caller writes stdout itself). */
HOGO_EXTERN int hogo_out_file_open(struct hogo_out_file *o, const char *path,
                                   struct hogo_error *err);
/* Flushes and fsyncs what was written so far; the target is not touched yet. */
HOGO_EXTERN int hogo_out_file_sync(struct hogo_out_file *o, struct hogo_error *err);
/* Syncs, then puts the bytes at the target (rename, or copy to a device) and releases o. On
 * failure the target is unchanged and o is released as by hogo_out_file_discard(). */
HOGO_EXTERN int hogo_out_file_commit(struct hogo_out_file *o, struct hogo_error *err);
/* Drops what was written (the temporary file is removed) and releases o; safe to call on a
 * zeroed or already released o. */
HOGO_EXTERN void hogo_out_file_discard(struct hogo_out_file *o);
/* Writes len bytes of data to path as one hogo_out_file (open, write, commit). */
HOGO_EXTERN int hogo_write_file(const char *path, const void *data, size_t len,
                                struct hogo_error *err);

/* Makes *arrp (an array of elements of elem bytes, *cap of them allocated) hold at least need
 * elements, doubling from first: the one growth step of the library, the command line and
 * hogod. 0, or HOGO_ENOMEM with the array unchanged. arrp is the address of the array. */
HOGO_EXTERN int hogo_grow(void *arrp, size_t *cap, size_t need, size_t elem, size_t first);
/* hogo_grow() for an array variable arr and its size_t capacity cap; costs one comparison
 * when there is room. */
#define HOGO_GROW(arr, cap, need, first) \
    ((need) <= (cap) ? 0 : hogo_grow(&(arr), &(cap), (need), sizeof *(arr), (first)))

#ifdef __cplusplus
}
#endif
#endif
