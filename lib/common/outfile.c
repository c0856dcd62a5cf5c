/*
 * Writing an output file safely: a temporary file with a random name in the target's folder,
 * created exclusively and without following symlinks, synced and renamed onto the target; a
 * device or pipe target is written in place (never replaced by a regular file); a symlink
 * target is refused. Common layer, used by the command line and the key files.
 */
#include <hogo/file.h>

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The folder part of path ("." when it has none), allocated. */
static char *folder_of(const char *path)
{
    char *copy = strdup(path);
    if (!copy)
        return NULL;
    char *d = strdup(dirname(copy));
    free(copy);
    return d;
}

/* Creates a new file "<folder>/.<base>.<random>.tmp" exclusively; returns its fd or -1. */
static int create_temp(const char *path, char **tmp_out)
{
    char *copy = strdup(path);
    char *folder = folder_of(path);
    int fd = -1;
    if (!copy || !folder)
        goto out;
    const char *base = basename(copy);
    size_t need = strlen(folder) + strlen(base) + 48;
    char *tmp = malloc(need);
    if (!tmp)
        goto out;
    for (int attempt = 0; attempt < 16 && fd < 0; attempt++) {
        unsigned char r[8];
        char hex[17];
        randombytes_buf(r, sizeof r);
        sodium_bin2hex(hex, sizeof hex, r, sizeof r);
        snprintf(tmp, need, "%s/.%s.%s.tmp", folder, base, hex);
        fd = open(tmp, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0 && errno != EEXIST)
            break;
    }
    if (fd < 0) {
        int e = errno;
        free(tmp);
        errno = e;
    } else {
        *tmp_out = tmp;
    }
out:
    free(copy);
    free(folder);
    return fd;
}

int hogo_out_file_open(struct hogo_out_file *o, const char *path, struct hogo_error *err)
{
    memset(o, 0, sizeof *o);
    if (!path || !*path || !strcmp(path, "-"))
        return hogo_error_set(err, HOGO_EINVAL, path, "no output file named");
    struct stat sb;
    if (lstat(path, &sb) == 0) {
        if (S_ISLNK(sb.st_mode))
            return hogo_error_set(err, HOGO_EIO, path,
                                  "'%s' is a symbolic link; refusing to write through it, give "
                                  "the real path",
                                  path);
        if (S_ISDIR(sb.st_mode))
            return hogo_error_set(err, HOGO_EIO, path,
                                  "'%s' is a directory; give the path of a file", path);
        o->direct = !S_ISREG(sb.st_mode);
    } else if (errno != ENOENT) {
        return hogo_error_set(err, HOGO_EIO, path, "cannot write '%s': %s", path,
                              strerror(errno));
    }
    if (!(o->path = strdup(path)))
        return hogo_error_set(err, HOGO_ENOMEM, NULL, "out of memory");
    int fd = -1;
    if (o->direct) {
        FILE *held = tmpfile();
        if (held) {
            o->f = held;
            return 0;
        }
    } else {
        fd = create_temp(path, &o->tmp);
        if (fd >= 0 && (o->f = fdopen(fd, "w+b")))
            return 0;
    }
    int e = errno;
    if (fd >= 0)
        close(fd);
    hogo_out_file_discard(o);
    return hogo_error_set(err, HOGO_EIO, path,
                          "cannot write next to '%s': %s; check the folder exists and is "
                          "writable",
                          path, strerror(e));
}

int hogo_out_file_sync(struct hogo_out_file *o, struct hogo_error *err)
{
    if (!o->f)
        return hogo_error_set(err, HOGO_EIO, o->path, "output '%s' is not open",
                              o->path ? o->path : "");
    if (fflush(o->f) != 0 || ferror(o->f) || (!o->direct && fsync(fileno(o->f)) != 0))
        return hogo_error_set(err, HOGO_EIO, o->path, "writing '%s' failed: %s", o->path,
                              strerror(errno));
    return 0;
}

/* Copies the held bytes to the device or pipe at o->path. */
static int copy_to_target(struct hogo_out_file *o, struct hogo_error *err)
{
    int out = open(o->path, O_WRONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
    if (out < 0)
        return hogo_error_set(err, HOGO_EIO, o->path, "cannot write '%s': %s", o->path,
                              strerror(errno));
    struct stat sb;
    if (fstat(out, &sb) != 0 || S_ISREG(sb.st_mode) || S_ISDIR(sb.st_mode)) {
        close(out);
        return hogo_error_set(err, HOGO_EIO, o->path,
                              "'%s' changed while it was being written; nothing was written",
                              o->path);
    }
    int in = fileno(o->f);
    char buf[65536];
    off_t at = 0;
    int rc = 0;
    for (;;) {
        ssize_t n = pread(in, buf, sizeof buf, at);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            if (n < 0)
                rc = hogo_error_set(err, HOGO_EIO, o->path, "cannot read back '%s': %s",
                                    o->path, strerror(errno));
            break;
        }
        at += n;
        for (ssize_t done = 0; done < n && rc == 0;) {
            ssize_t w = write(out, buf + done, (size_t)(n - done));
            if (w < 0 && errno == EINTR)
                continue;
            if (w <= 0)
                rc = hogo_error_set(err, HOGO_EIO, o->path, "writing '%s' failed: %s",
                                    o->path, strerror(errno));
            else
                done += w;
        }
        if (rc)
            break;
    }
    if (close(out) != 0 && rc == 0)
        rc = hogo_error_set(err, HOGO_EIO, o->path, "writing '%s' failed: %s", o->path,
                            strerror(errno));
    return rc;
}

/* Makes the rename durable: fsync of the folder holding path (best effort). */
static void sync_folder(const char *path)
{
    char *folder = folder_of(path);
    int fd = folder ? open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
    if (fd >= 0) {
        (void)fsync(fd);
        close(fd);
    }
    free(folder);
}

int hogo_out_file_commit(struct hogo_out_file *o, struct hogo_error *err)
{
    int rc = hogo_out_file_sync(o, err);
    if (rc == 0 && o->direct) {
        rc = copy_to_target(o, err);
    } else if (rc == 0) {
        struct stat sb;
        /* the target may have been replaced meanwhile: never rename over a non-file */
        if (lstat(o->path, &sb) == 0 && !S_ISREG(sb.st_mode))
            rc = hogo_error_set(err, HOGO_EIO, o->path,
                                "'%s' is no longer a regular file; nothing was written there",
                                o->path);
        else if (rename(o->tmp, o->path) != 0)
            rc = hogo_error_set(err, HOGO_EIO, o->path, "cannot rename '%s' to '%s': %s",
                                o->tmp, o->path, strerror(errno));
        else {
            free(o->tmp);
            o->tmp = NULL; /* landed: nothing to remove */
            sync_folder(o->path);
        }
    }
    hogo_out_file_discard(o);
    return rc;
}

void hogo_out_file_discard(struct hogo_out_file *o)
{
    if (o->f)
        fclose(o->f);
    if (o->tmp)
        unlink(o->tmp);
    free(o->tmp);
    free(o->path);
    memset(o, 0, sizeof *o);
}

int hogo_write_file(const char *path, const void *data, size_t len, struct hogo_error *err)
{
    struct hogo_out_file o;
    int rc = hogo_out_file_open(&o, path, err);
    if (rc < 0)
        return rc;
    if (len && fwrite(data, 1, len, o.f) != len) {
        rc = hogo_error_set(err, HOGO_EIO, path, "writing '%s' failed: %s", path,
                            strerror(errno));
        hogo_out_file_discard(&o);
        return rc;
    }
    return hogo_out_file_commit(&o, err);
}
