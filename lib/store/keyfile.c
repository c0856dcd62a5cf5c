/*
 * Key files: generating and loading the master key (which seals every subject's data key) and
 * the Ed25519 signing key (which signs audit checkpoints), both kept outside the database as
 * hex text. Store layer: a store is opened with these keys, so every layer above may load
 * them.
 */
#include "store-int.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int read_hex(const char *text, unsigned char *out, size_t n, const char *where,
                    struct hogo_error *err)
{
    size_t got = 0;
    const char *end = NULL;
    if (sodium_hex2bin(out, n, text, strlen(text), " \n\r\t", &got, &end) != 0 || got != n ||
        (end && *end && !strchr(" \n\r\t", *end)))
        return hogo_error_set(err, HOGO_EINVAL, where,
                              "key in %s is not %zu hex digits; create one with 'hogo key "
                              "generate'",
                              where, 2 * n);
    return 0;
}

/* Reads n bytes of hex from path; a secret must be a file only its owner can read. */
static int read_hex_file(const char *path, unsigned char *out, size_t n, int secret,
                         struct hogo_error *err)
{
    char buf[512];
    FILE *f = fopen(path, "r");
    if (!f)
        return hogo_error_set(err, HOGO_EIO, path, "cannot read key file '%s': %s", path,
                              strerror(errno));
    struct stat sb;
    if (fstat(fileno(f), &sb) != 0 || !S_ISREG(sb.st_mode)) {
        fclose(f);
        return hogo_error_set(err, HOGO_EIO, path, "key file '%s' is not a regular file", path);
    }
    if (secret && (sb.st_mode & (S_IRWXG | S_IRWXO))) {
        fclose(f);
        return hogo_error_set(err, HOGO_EINVAL, path,
                              "key file '%s' can be read or written by others (mode %03o); "
                              "make it private with 'chmod 600 %s'",
                              path, (unsigned)(sb.st_mode & 0777), path);
    }
    size_t len = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[len] = '\0';
    int rc = read_hex(buf, out, n, path, err);
    sodium_memzero(buf, sizeof buf);
    return rc;
}

int hogo_key_load(unsigned char key[HOGO_KEY_BYTES], const char *file, const char *env,
                  struct hogo_error *err)
{
    if (file)
        return read_hex_file(file, key, HOGO_KEY_BYTES, 1, err);
    const char *v = env ? getenv(env) : NULL;
    if (!v || !*v)
        return hogo_error_set(err, HOGO_EINVAL, NULL,
                              "no master key: pass --master-key FILE or set %s (64 hex "
                              "digits); create one with 'hogo key generate FILE'",
                              env ? env : "HOGO_MASTER_KEY");
    return read_hex(v, key, HOGO_KEY_BYTES, env, err);
}

/* Creates path (which must not exist, nor be a symlink) with mode `mode` holding text. */
static int write_new_file(const char *path, const char *text, mode_t mode,
                          struct hogo_error *err)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
    if (fd < 0)
        return hogo_error_set(err, HOGO_EIO, path, "cannot create key file '%s': %s%s", path,
                              strerror(errno),
                              errno == EEXIST ? "; refusing to overwrite a key" : "");
    size_t len = strlen(text);
    ssize_t w = write(fd, text, len);
    int rc = 0;
    if (w != (ssize_t)len || fchmod(fd, mode) != 0 || fsync(fd) != 0)
        rc = hogo_error_set(err, HOGO_EIO, path, "writing key file '%s' failed", path);
    close(fd);
    return rc;
}

int hogo_key_generate(const char *path, struct hogo_error *err)
{
    unsigned char k[HOGO_KEY_BYTES];
    char hex[2 * HOGO_KEY_BYTES + 2];
    if (sodium_init() < 0)
        return hogo_error_set(err, HOGO_ECRYPTO, NULL, "libsodium failed to initialise");
    randombytes_buf(k, sizeof k);
    hogo__hex(k, sizeof k, hex);
    strcat(hex, "\n");
    int rc = write_new_file(path, hex, 0600, err);
    sodium_memzero(k, sizeof k);
    sodium_memzero(hex, sizeof hex);
    return rc;
}

int hogo_signing_key_generate(const char *path, struct hogo_error *err)
{
    unsigned char pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
    char hex[2 * crypto_sign_SECRETKEYBYTES + 2], pub[1024];
    if (sodium_init() < 0)
        return hogo_error_set(err, HOGO_ECRYPTO, NULL, "libsodium failed to initialise");
    snprintf(pub, sizeof pub, "%s.pub", path);
    struct stat sb;
    if (lstat(pub, &sb) == 0)
        return hogo_error_set(err, HOGO_EIO, pub,
                              "public key file '%s' exists; refusing to overwrite a key", pub);
    crypto_sign_keypair(pk, sk);
    hogo__hex(sk, sizeof sk, hex);
    strcat(hex, "\n");
    int rc = write_new_file(path, hex, 0600, err);
    sodium_memzero(sk, sizeof sk);
    sodium_memzero(hex, sizeof hex);
    if (rc < 0)
        return rc;
    hogo__hex(pk, sizeof pk, hex);
    strcat(hex, "\n");
    /* the public key is meant to be handed out: readable by all */
    if ((rc = write_new_file(pub, hex, 0644, err)) < 0)
        unlink(path);
    return rc;
}

int hogo_signing_key_load(unsigned char sk[HOGO_SIGN_SECRET_BYTES], const char *path,
                          struct hogo_error *err)
{
    int rc = read_hex_file(path, sk, HOGO_SIGN_SECRET_BYTES, 1, err);
    if (rc < 0)
        return rc;
    /* the second half must be the public key of the first: catches damaged files */
    unsigned char pk[crypto_sign_PUBLICKEYBYTES];
    crypto_sign_ed25519_sk_to_pk(pk, sk);
    unsigned char seed[32], pk2[32], sk2[64];
    crypto_sign_ed25519_sk_to_seed(seed, sk);
    crypto_sign_seed_keypair(pk2, sk2, seed);
    sodium_memzero(seed, sizeof seed);
    sodium_memzero(sk2, sizeof sk2);
    if (memcmp(pk, pk2, sizeof pk) != 0)
        return hogo_error_set(err, HOGO_ECRYPTO, path,
                              "signing key '%s' is damaged; generate a new one", path);
    return 0;
}

int hogo_public_key_load(unsigned char pk[HOGO_SIGN_PUBLIC_BYTES], const char *path,
                         struct hogo_error *err)
{
    return read_hex_file(path, pk, HOGO_SIGN_PUBLIC_BYTES, 0, err);
}

/* ---- master key check ---- */
