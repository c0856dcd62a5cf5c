/*
 * HTML writing for hogod's web pages: a growable buffer, and text, attribute and URL escaping,
 * so that no stored value, form field or query argument ever reaches a page as markup.
 * Daemon layer (web foundation).
 */
#include "web.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool reserve(struct web_buf *b, size_t more)
{
    if (b->failed)
        return false;
    if (b->len + more + 1 <= b->cap)
        return true;
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->len + more + 1)
        cap *= 2;
    char *d = realloc(b->data, cap);
    if (!d) {
        b->failed = true;
        return false;
    }
    b->data = d;
    b->cap = cap;
    return true;
}

void web_raw_n(struct web_buf *b, const char *s, size_t n)
{
    if (!s || !reserve(b, n))
        return;
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void web_raw(struct web_buf *b, const char *s)
{
    if (s)
        web_raw_n(b, s, strlen(s));
}

static void vformat(struct web_buf *b, bool escape, const char *fmt, va_list ap)
{
    char small[512];
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    if (n < 0) {
        va_end(ap2);
        return;
    }
    char *text = small;
    if ((size_t)n >= sizeof small) {
        text = malloc((size_t)n + 1);
        if (!text) {
            b->failed = true;
            va_end(ap2);
            return;
        }
        vsnprintf(text, (size_t)n + 1, fmt, ap2);
    }
    va_end(ap2);
    if (escape)
        web_text(b, text);
    else
        web_raw_n(b, text, (size_t)n);
    if (text != small)
        free(text);
}

void web_rawf(struct web_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vformat(b, false, fmt, ap);
    va_end(ap);
}

void web_textf(struct web_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vformat(b, true, fmt, ap);
    va_end(ap);
}

/* Length of the valid UTF-8 sequence at s (1..4), or 0 when it is not one. */
static size_t utf8_len(const unsigned char *s)
{
    unsigned c = s[0];
    if (c < 0x80)
        return 1;
    size_t n;
    unsigned min;
    if ((c & 0xe0) == 0xc0) {
        n = 2;
        min = 0x80;
        c &= 0x1f;
    } else if ((c & 0xf0) == 0xe0) {
        n = 3;
        min = 0x800;
        c &= 0x0f;
    } else if ((c & 0xf8) == 0xf0) {
        n = 4;
        min = 0x10000;
        c &= 0x07;
    } else {
        return 0;
    }
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        c = (c << 6) | (s[i] & 0x3f);
    }
    if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
        return 0;
    return n;
}

void web_text(struct web_buf *b, const char *s)
{
    if (!s)
        return;
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        const unsigned char *run = p;
        /* copy a run of bytes that need nothing */
        while (*p && *p != '&' && *p != '<' && *p != '>' && *p != '"' && *p != '\'' &&
               *p >= 0x20 && *p < 0x7f)
            p++;
        web_raw_n(b, (const char *)run, (size_t)(p - run));
        if (!*p)
            break;
        switch (*p) {
        case '&': web_raw(b, "&amp;"); p++; continue;
        case '<': web_raw(b, "&lt;"); p++; continue;
        case '>': web_raw(b, "&gt;"); p++; continue;
        case '"': web_raw(b, "&quot;"); p++; continue;
        case '\'': web_raw(b, "&#39;"); p++; continue;
        default: break;
        }
        if (*p < 0x20 || *p == 0x7f) {
            if (*p == '\n' || *p == '\t')
                web_raw_n(b, (const char *)p, 1);
            p++; /* other control characters are dropped */
            continue;
        }
        size_t n = utf8_len(p);
        if (!n) {
            web_raw(b, "\xef\xbf\xbd"); /* U+FFFD for a byte that is not UTF-8 */
            p++;
            continue;
        }
        web_raw_n(b, (const char *)p, n);
        p += n;
    }
}

void web_attr(struct web_buf *b, const char *name, const char *value)
{
    web_raw(b, " ");
    web_raw(b, name);
    web_raw(b, "=\"");
    web_text(b, value ? value : "");
    web_raw(b, "\"");
}

void web_url(struct web_buf *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
        if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
            *p == '-' || *p == '_' || *p == '.' || *p == '~') {
            web_raw_n(b, (const char *)p, 1);
        } else {
            char e[3] = {'%', hex[*p >> 4], hex[*p & 15]};
            web_raw_n(b, e, 3);
        }
    }
}

void web_buf_free(struct web_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}
