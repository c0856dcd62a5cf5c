/*
 * Reading a whole file or stream into memory, with a size limit. Public API layer: the
 * library's readers (policies, vocabularies, CSV, hierarchies) and the command line share
 * this one reader, so every one refuses a directory or device and reports a read error.
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

#ifdef __cplusplus
}
#endif
#endif
