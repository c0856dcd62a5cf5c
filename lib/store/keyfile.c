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

static int read_hex_file(const char *path, unsigned char *out, size_t n, struct hogo_error *err)
{
    char buf[512];
    FILE *f = fopen(path, "r");
    if (!f)
        return hogo_error_set(err, HOGO_EIO, path, "cannot read key file '%s': %s", path,
                              strerror(errno));
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
        return read_hex_file(file, key, HOGO_KEY_BYTES, err);
    const char *v = env ? getenv(env) : NULL;
    if (!v || !*v)
        return hogo_error_set(err, HOGO_EINVAL, NULL,
                              "no master key: pass --master-key FILE or set %s (64 hex "
                              "digits); create one with 'hogo key generate FILE'",
                              env ? env : "HOGO_MASTER_KEY");
    return read_hex(v, key, HOGO_KEY_BYTES, env, err);
}

static int write_secret(const char *path, const char *text, struct hogo_error *err)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (fd < 0)
        return hogo_error_set(err, HOGO_EIO, path, "cannot create key file '%s': %s%s", path,
                              strerror(errno),
                              errno == EEXIST ? "; refusing to overwrite a key" : "");
    size_t len = strlen(text);
    ssize_t w = write(fd, text, len);
    int rc = 0;
    if (w != (ssize_t)len || fsync(fd) != 0)
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
    int rc = write_secret(path, hex, err);
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
    crypto_sign_keypair(pk, sk);
    hogo__hex(sk, sizeof sk, hex);
    strcat(hex, "\n");
    int rc = write_secret(path, hex, err);
    sodium_memzero(sk, sizeof sk);
    sodium_memzero(hex, sizeof hex);
    if (rc < 0)
        return rc;
    snprintf(pub, sizeof pub, "%s.pub", path);
    hogo__hex(pk, sizeof pk, hex);
    strcat(hex, "\n");
    FILE *f = fopen(pub, "w");
    if (!f || fputs(hex, f) < 0) {
        if (f)
            fclose(f);
        return hogo_error_set(err, HOGO_EIO, pub, "cannot write public key '%s'", pub);
    }
    fclose(f);
    return 0;
}

int hogo_signing_key_load(unsigned char sk[HOGO_SIGN_SECRET_BYTES], const char *path,
                          struct hogo_error *err)
{
    int rc = read_hex_file(path, sk, HOGO_SIGN_SECRET_BYTES, err);
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
    return read_hex_file(path, pk, HOGO_SIGN_PUBLIC_BYTES, err);
}

/* ---- master key check ---- */
