/*
 * Sign-in tokens (hogo/signin.h): issuing and checking the Ed25519-signed, short-lived tokens
 * an operator's login system hands a person or an officer to open hogod's web pages.
 * Library layer, on libsodium (signatures, base64url, random ids) and yajl (the payload).
 * Depends on nothing else of hogo but the error record.
 */
#include <hogo/signin.h>

#include <sodium.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WHERE "sign-in token"

/* An id is 1..size-1 printable ASCII bytes other than space (operators, subjects, names). */
static bool id_ok(const char *s, size_t size)
{
    if (!s || !*s || strlen(s) >= size)
        return false;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p <= 0x20 || *p >= 0x7f)
            return false;
    return true;
}

static bool kind_ok(const char *k)
{
    return k && (!strcmp(k, "person") || !strcmp(k, "officer"));
}

int hogo_signin_issue(const unsigned char sk[HOGO_SIGN_SECRET_BYTES], const char *kind,
                      const char *operator_id, const char *subject, int64_t now, int ttl,
                      char *out, size_t size, struct hogo_error *err)
{
    struct hogo_signin_claims c;
    if (!kind_ok(kind))
        return hogo_error_set(err, HOGO_EINVAL, "--kind",
                              "the token kind '%s' is unknown; use person or officer",
                              kind ? kind : "");
    if (!id_ok(operator_id, sizeof c.operator_id))
        return hogo_error_set(err, HOGO_EINVAL, "--operator",
                              "the operator id must be 1 to %zu printable characters without "
                              "spaces; give the operator's policy id, e.g. irp",
                              sizeof c.operator_id - 1);
    if (!id_ok(subject, sizeof c.subject))
        return hogo_error_set(err, HOGO_EINVAL, "--subject",
                              "the subject must be 1 to %zu printable characters without "
                              "spaces; give the person's subject id or the officer's name",
                              sizeof c.subject - 1);
    if (ttl < 1 || ttl > HOGO_SIGNIN_MAX_TTL)
        return hogo_error_set(err, HOGO_EINVAL, "--ttl",
                              "a sign-in token lives 1 to %d seconds, not %d; give a shorter "
                              "--ttl",
                              HOGO_SIGNIN_MAX_TTL, ttl);
    if (size < HOGO_SIGNIN_TOKEN_MAX)
        return hogo_error_set(err, HOGO_EINVAL, NULL, "the token buffer is too small");
    if (sodium_init() < 0)
        return hogo_error_set(err, HOGO_ECRYPTO, NULL, "libsodium could not be initialised");
    unsigned char raw[16];
    char jti[sodium_base64_ENCODED_LEN(16, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2base64(jti, sizeof jti, raw, sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);

    yajl_gen g = yajl_gen_alloc(NULL);
    if (!g)
        return hogo_error_set(err, HOGO_ENOMEM, NULL, "out of memory");
    yajl_gen_map_open(g);
    const char *keys[] = {"kind", "operator", "sub"};
    const char *vals[] = {kind, operator_id, subject};
    for (int i = 0; i < 3; i++) {
        yajl_gen_string(g, (const unsigned char *)keys[i], strlen(keys[i]));
        yajl_gen_string(g, (const unsigned char *)vals[i], strlen(vals[i]));
    }
    yajl_gen_string(g, (const unsigned char *)"exp", 3);
    yajl_gen_integer(g, (long long)(now + ttl));
    yajl_gen_string(g, (const unsigned char *)"jti", 3);
    yajl_gen_string(g, (const unsigned char *)jti, strlen(jti));
    yajl_gen_map_close(g);
    const unsigned char *json;
    size_t jlen;
    yajl_gen_get_buf(g, &json, &jlen);

    size_t plen = sodium_base64_ENCODED_LEN(jlen, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    size_t slen = sodium_base64_ENCODED_LEN(crypto_sign_BYTES,
                                            sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    if (3 + plen + 1 + slen > size) {
        yajl_gen_free(g);
        return hogo_error_set(err, HOGO_ELIMIT, NULL,
                              "the token would be longer than %d bytes; use shorter ids",
                              HOGO_SIGNIN_TOKEN_MAX - 1);
    }
    memcpy(out, "v1.", 3);
    sodium_bin2base64(out + 3, plen, json, jlen, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    yajl_gen_free(g);
    size_t signed_len = strlen(out);
    unsigned char sig[crypto_sign_BYTES];
    crypto_sign_detached(sig, NULL, (const unsigned char *)out, signed_len, sk);
    out[signed_len] = '.';
    sodium_bin2base64(out + signed_len + 1, slen, sig, sizeof sig,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    return 0;
}

/* Decodes base64url (no padding) text of n chars into buf; the length or -1. */
static long decode(const char *text, size_t n, unsigned char *buf, size_t max)
{
    size_t len = 0;
    const char *end = NULL;
    if (sodium_base642bin(buf, max, text, n, NULL, &len, &end,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING) ||
        end != text + n)
        return -1;
    return (long)len;
}

static int malformed(struct hogo_error *err, const char *what)
{
    return hogo_error_set(err, HOGO_EINVAL, WHERE,
                          "the sign-in token is malformed (%s); ask the service you came from "
                          "for a new sign-in link",
                          what);
}

int hogo_signin_check(const unsigned char pk[HOGO_SIGN_PUBLIC_BYTES], const char *token,
                      const char *kind, int64_t now, struct hogo_signin_claims *out,
                      struct hogo_error *err)
{
    memset(out, 0, sizeof *out);
    if (!token || !*token)
        return malformed(err, "it is empty");
    size_t tlen = strlen(token);
    if (tlen >= HOGO_SIGNIN_TOKEN_MAX)
        return malformed(err, "it is too long");
    if (strncmp(token, "v1.", 3))
        return malformed(err, "it does not begin with v1.");
    const char *payload = token + 3;
    const char *dot = strchr(payload, '.');
    if (!dot || strchr(dot + 1, '.') || dot == payload || !dot[1])
        return malformed(err, "it must be v1.PAYLOAD.SIGNATURE");
    if (sodium_init() < 0)
        return hogo_error_set(err, HOGO_ECRYPTO, NULL, "libsodium could not be initialised");
    unsigned char sig[crypto_sign_BYTES + 1];
    if (decode(dot + 1, strlen(dot + 1), sig, sizeof sig) != crypto_sign_BYTES)
        return malformed(err, "the signature is not 64 bytes of base64url");
    /* the signature first: nothing of an unsigned payload is read */
    if (crypto_sign_verify_detached(sig, (const unsigned char *)token, (size_t)(dot - token),
                                    pk))
        return hogo_error_set(err, HOGO_ECRYPTO, WHERE,
                              "the sign-in token's signature does not verify with this "
                              "service's sign-in key (altered, or issued under another key); "
                              "ask for a new sign-in link");
    unsigned char json[HOGO_SIGNIN_TOKEN_MAX];
    long jlen = decode(payload, (size_t)(dot - payload), json, sizeof json - 1);
    if (jlen < 0)
        return malformed(err, "the payload is not base64url");
    json[jlen] = '\0';
    if (memchr(json, '\0', (size_t)jlen))
        return malformed(err, "the payload holds a NUL byte");
    char ebuf[128];
    yajl_val v = yajl_tree_parse((const char *)json, ebuf, sizeof ebuf);
    if (!v || !YAJL_IS_OBJECT(v)) {
        yajl_tree_free(v);
        return malformed(err, "the payload is not a JSON object");
    }
    int rc = 0;
    bool seen[5] = {false};
    static const char *names[] = {"kind", "operator", "sub", "exp", "jti"};
    char *fields[] = {out->kind, out->operator_id, out->subject, NULL, out->jti};
    size_t sizes[] = {sizeof out->kind, sizeof out->operator_id, sizeof out->subject, 0,
                      sizeof out->jti};
    for (size_t i = 0; i < v->u.object.len && !rc; i++) {
        const char *k = v->u.object.keys[i];
        yajl_val m = v->u.object.values[i];
        int f = -1;
        for (int j = 0; j < 5; j++)
            if (!strcmp(k, names[j]))
                f = j;
        if (f < 0 || seen[f]) {
            rc = malformed(err, f < 0 ? "an unknown payload member" : "a repeated member");
            break;
        }
        seen[f] = true;
        if (f == 3) {
            if (!YAJL_IS_INTEGER(m))
                rc = malformed(err, "exp is not a whole number of seconds");
            else
                out->exp = YAJL_GET_INTEGER(m);
        } else if (!YAJL_IS_STRING(m) || !id_ok(m->u.string, sizes[f])) {
            rc = malformed(err, "a member is not a short printable string");
        } else {
            snprintf(fields[f], sizes[f], "%s", m->u.string);
        }
    }
    yajl_tree_free(v);
    if (rc)
        return rc;
    for (int j = 0; j < 5; j++)
        if (!seen[j])
            return malformed(err, "a payload member is missing");
    if (!kind_ok(out->kind))
        return malformed(err, "the kind is neither person nor officer");
    if (strcmp(out->kind, kind ? kind : "")) {
        int r = hogo_error_set(err, HOGO_EINVAL, WHERE,
                               "this sign-in token is for a%s %s, not a%s %s; use the link "
                               "meant for this page",
                               out->kind[0] == 'o' ? "n" : "", out->kind,
                               kind && kind[0] == 'o' ? "n" : "", kind ? kind : "");
        memset(out, 0, sizeof *out);
        return r;
    }
    if (out->exp <= now) {
        memset(out, 0, sizeof *out);
        return hogo_error_set(err, HOGO_ELIMIT, WHERE,
                              "the sign-in token has expired; sign in again at the service "
                              "you came from");
    }
    if (out->exp - now > HOGO_SIGNIN_MAX_TTL) {
        memset(out, 0, sizeof *out);
        return hogo_error_set(err, HOGO_ELIMIT, WHERE,
                              "the sign-in token is valid for longer than %d seconds, which "
                              "is refused; the issuer must give tokens of ten minutes at most",
                              HOGO_SIGNIN_MAX_TTL);
    }
    return 0;
}
