/*
 * Unit tests of hogod's web foundation (daemon/web): escaping of text, attributes and URLs;
 * sessions ending when idle, at their absolute life and on sign-out, kept only by hash;
 * the constant-time CSRF comparison; cookie attributes; the Origin check; and every message
 * of the catalogues present in both languages. Test layer.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "center/center.h"
#include "web/web.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *text_of(void (*fn)(struct web_buf *, const char *), const char *in)
{
    static char out[4096];
    struct web_buf b = {0};
    fn(&b, in);
    snprintf(out, sizeof out, "%s", b.data ? b.data : "");
    web_buf_free(&b);
    return out;
}

static void text_is_escaped(void **state)
{
    (void)state;
    assert_string_equal(text_of(web_text, "<script>alert('x')</script> & \"q\""),
                        "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;");
    assert_string_equal(text_of(web_text, "氏名・連絡先"), "氏名・連絡先");
    /* control characters dropped, newline kept, bytes that are not UTF-8 replaced */
    assert_string_equal(text_of(web_text, "a\x01" "b\nc"), "ab\nc");
    assert_string_equal(text_of(web_text, "x\xff" "y"), "x\xef\xbf\xbdy");
    assert_string_equal(text_of(web_text, "\xe3\x81"), "\xef\xbf\xbd\xef\xbf\xbd");
    assert_string_equal(text_of(web_text, "\xed\xa0\x80"), "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
    struct web_buf b = {0};
    web_attr(&b, "value", "\"><img src=x onerror=alert(1)>");
    assert_string_equal(b.data, " value=\"&quot;&gt;&lt;img src=x onerror=alert(1)&gt;\"");
    web_buf_free(&b);
    web_textf(&b, "%s-%d", "<b>", 7);
    assert_string_equal(b.data, "&lt;b&gt;-7");
    web_buf_free(&b);
    web_rawf(&b, "<p>%d</p>", 3);
    assert_string_equal(b.data, "<p>3</p>");
    web_buf_free(&b);
    assert_string_equal(text_of(web_url, "a b/c?d=&é"), "a%20b%2Fc%3Fd%3D%26%C3%A9");
}

static void a_long_text_grows_the_buffer(void **state)
{
    (void)state;
    char *big = malloc(100001);
    memset(big, '<', 100000);
    big[100000] = '\0';
    struct web_buf b = {0};
    web_text(&b, big);
    assert_false(b.failed);
    assert_int_equal(b.len, 400000);
    assert_memory_equal(b.data + 399996, "&lt;", 4);
    web_buf_free(&b);
    free(big);
}

static void sessions_end_when_idle_or_old(void **state)
{
    (void)state;
    struct web_sessions *t;
    assert_int_equal(web_sessions_new(&t), 0);
    struct web_session s = {.kind = WEB_PERSON}, got;
    snprintf(s.operator_id, sizeof s.operator_id, "irp");
    snprintf(s.subject_id, sizeof s.subject_id, "u-1");
    char id[WEB_TOKEN_CHARS + 1];
    int64_t t0 = 1800000000;
    assert_int_equal(web_sessions_create(t, &s, t0, id), 0);
    assert_int_equal(strlen(id), WEB_TOKEN_CHARS);
    assert_int_equal(strlen(s.csrf), WEB_TOKEN_CHARS);
    assert_string_equal(s.lang, "ja");
    /* found, and each use moves the idle clock */
    assert_int_equal(web_sessions_find(t, id, t0 + WEB_SESSION_IDLE_SECONDS - 1, &got), 0);
    assert_string_equal(got.subject_id, "u-1");
    assert_string_equal(got.csrf, s.csrf);
    int64_t last = t0 + WEB_SESSION_IDLE_SECONDS - 1;
    assert_int_equal(web_sessions_find(t, id, last + WEB_SESSION_IDLE_SECONDS - 1, &got), 0);
    last += WEB_SESSION_IDLE_SECONDS - 1;
    /* idle for the whole idle time: gone, also afterwards */
    assert_int_equal(web_sessions_find(t, id, last + WEB_SESSION_IDLE_SECONDS, &got),
                     HOGO_ENOTFOUND);
    assert_int_equal(web_sessions_find(t, id, last + 1, &got), HOGO_ENOTFOUND);
    assert_int_equal(web_sessions_count(t), 0);

    /* kept busy, a session still ends at its absolute life */
    assert_int_equal(web_sessions_create(t, &s, t0, id), 0);
    int64_t now = t0;
    while (now + 600 < t0 + WEB_SESSION_MAX_SECONDS) {
        now += 600;
        assert_int_equal(web_sessions_find(t, id, now, &got), 0);
    }
    assert_int_equal(web_sessions_find(t, id, t0 + WEB_SESSION_MAX_SECONDS, &got),
                     HOGO_ENOTFOUND);

    /* sign-out deletes it; an unknown or malformed id finds nothing */
    assert_int_equal(web_sessions_create(t, &s, t0, id), 0);
    char other[WEB_TOKEN_CHARS + 1];
    assert_int_equal(web_sessions_create(t, &s, t0, other), 0);
    assert_string_not_equal(id, other);
    assert_int_equal(web_sessions_delete(t, id), 0);
    assert_int_equal(web_sessions_find(t, id, t0 + 1, &got), HOGO_ENOTFOUND);
    assert_int_equal(web_sessions_find(t, other, t0 + 1, &got), 0);
    assert_int_equal(web_sessions_find(t, "short", t0, &got), HOGO_ENOTFOUND);
    other[0] = other[0] == 'A' ? 'B' : 'A';
    assert_int_equal(web_sessions_find(t, other, t0 + 1, &got), HOGO_ENOTFOUND);
    web_sessions_free(t);
}

static void flash_and_language_live_in_the_session(void **state)
{
    (void)state;
    struct web_sessions *t;
    assert_int_equal(web_sessions_new(&t), 0);
    struct web_session s = {.kind = WEB_OFFICER, .role = WEB_ROLE_HANDLER}, got;
    char id[WEB_TOKEN_CHARS + 1], buf[64];
    assert_int_equal(web_sessions_create(t, &s, 100, id), 0);
    assert_int_equal(web_sessions_set_flash(t, id, "保存しました"), 0);
    web_sessions_take_flash(t, id, buf, sizeof buf);
    assert_string_equal(buf, "保存しました");
    web_sessions_take_flash(t, id, buf, sizeof buf);
    assert_string_equal(buf, ""); /* shown once */
    assert_int_equal(web_sessions_set_lang(t, id, "en"), 0);
    assert_int_equal(web_sessions_find(t, id, 101, &got), 0);
    assert_string_equal(got.lang, "en");
    assert_int_equal(got.role, WEB_ROLE_HANDLER);
    assert_int_equal(web_sessions_set_lang(t, id, "fr"), 0);
    assert_int_equal(web_sessions_find(t, id, 102, &got), 0);
    assert_string_equal(got.lang, "ja");
    web_sessions_free(t);
}

static void csrf_tokens_compare_exactly(void **state)
{
    (void)state;
    const char *tok = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ";
    assert_true(web_csrf_equal(tok, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ"));
    assert_false(web_csrf_equal(tok, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPR"));
    assert_false(web_csrf_equal(tok, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOP"));
    assert_false(web_csrf_equal(tok, ""));
    assert_false(web_csrf_equal(tok, NULL));
    assert_false(web_csrf_equal("", ""));
}

static void cookies_carry_their_attributes(void **state)
{
    (void)state;
    char c[256];
    web_cookie_format(c, sizeof c, "hogo_center", "ID", "/center/", 28800, false);
    assert_string_equal(c, "hogo_center=ID; Path=/center/; Max-Age=28800; HttpOnly; "
                           "SameSite=Strict");
    web_cookie_format(c, sizeof c, "hogo_console", "ID", "/console/", 60, true);
    assert_string_equal(c, "hogo_console=ID; Path=/console/; Max-Age=60; HttpOnly; "
                           "SameSite=Strict; Secure");
    web_cookie_format(c, sizeof c, "hogo_center", "ID", "/center/", 0, false);
    assert_string_equal(c, "hogo_center=; Path=/center/; Max-Age=0; HttpOnly; SameSite=Strict");
}

static void origin_must_be_this_server(void **state)
{
    (void)state;
    assert_true(web_origin_ok(NULL, "127.0.0.1:8080", false));
    assert_true(web_origin_ok("http://127.0.0.1:8080", "127.0.0.1:8080", false));
    assert_true(web_origin_ok("https://center.example.jp", "center.example.jp", true));
    assert_false(web_origin_ok("http://center.example.jp", "center.example.jp", true));
    assert_false(web_origin_ok("http://evil.example", "127.0.0.1:8080", false));
    assert_false(web_origin_ok("http://127.0.0.1:8081", "127.0.0.1:8080", false));
    assert_false(web_origin_ok("null", "127.0.0.1:8080", false));
    assert_false(web_origin_ok("http://127.0.0.1:8080", NULL, false));
}

static void roles_order_and_names(void **state)
{
    (void)state;
    assert_true(web_role_parse("admin") > web_role_parse("handler"));
    assert_true(web_role_parse("handler") > web_role_parse("viewer"));
    assert_true(web_role_parse("viewer") > WEB_ROLE_NONE);
    assert_int_equal(web_role_parse("root"), WEB_ROLE_NONE);
    assert_string_equal(web_role_name(web_role_parse("handler")), "handler");
}

static void check_table(const struct web_message *t)
{
    for (const struct web_message *m = t; m->key; m++) {
        assert_non_null(m->ja);
        assert_non_null(m->en);
        assert_true(m->ja[0] && m->en[0]);
        for (const struct web_message *n = m + 1; n->key; n++)
            assert_string_not_equal(m->key, n->key);
        assert_ptr_equal(web_message_lookup(t, "ja", m->key), m->ja);
        assert_ptr_equal(web_message_lookup(t, "en", m->key), m->en);
    }
}

static void every_message_has_both_languages(void **state)
{
    (void)state;
    check_table(web_messages);
    check_table(center_messages);
    assert_null(web_message_lookup(web_messages, "ja", "no.such.key"));
    for (const struct web_nav *n = center_nav; n->href; n++)
        assert_true(n->href[0] == '/' && n->ja[0] && n->en[0]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(text_is_escaped),
        cmocka_unit_test(a_long_text_grows_the_buffer),
        cmocka_unit_test(sessions_end_when_idle_or_old),
        cmocka_unit_test(flash_and_language_live_in_the_session),
        cmocka_unit_test(csrf_tokens_compare_exactly),
        cmocka_unit_test(cookies_carry_their_attributes),
        cmocka_unit_test(origin_must_be_this_server),
        cmocka_unit_test(roles_order_and_names),
        cmocka_unit_test(every_message_has_both_languages),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
