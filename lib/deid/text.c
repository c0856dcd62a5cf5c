/*
 * Scrubbing personal data from Japanese free text (reviews, 口コミ, inquiries) before it
 * leaves: names (MeCab + IPADIC 人名 tags, nouns before an honorific さん/様/氏/… or a title,
 * names after form labels and English titles; surnames glued into company or place names are
 * left alone), e-mail addresses, telephone numbers (0X0-…, (03)…, +81…, any dash form), postal
 * codes, addresses (都道府県 or 市区町村 followed by a street number, with the building and
 * room), My Number (12 digits with a valid check digit, not introduced as another number), URLs
 * and account handles (@name, "ID: name", "インスタ: name").
 * De-identification layer. Matching runs on an NFKC-normalised copy (utf8proc), so full-width
 * digits and letters are ASCII there; every span found is mapped back to the input, and the
 * output is the input with only the identifiers replaced (everything else byte for byte).
 */
#include "deid_int.h"
#include "common/buf.h"

#include <ctype.h>
#include <mecab.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

struct hogo_deid_scrubber {
    mecab_model_t *model;     /* owned */
    mecab_t *mecab;           /* owned */
    mecab_lattice_t *lattice; /* owned: kept so that other readings of a word can be looked up */
};

static const char T_NAME[] = "氏名", T_EMAIL[] = "メールアドレス", T_PHONE[] = "電話番号",
                  T_POSTAL[] = "郵便番号", T_ADDRESS[] = "住所", T_MYNUMBER[] = "個人番号",
                  T_URL[] = "URL", T_ACCOUNT[] = "アカウント";

int hogo_deid_scrubber_new(struct hogo_deid_scrubber **out, struct hogo_error *err)
{
    struct hogo_deid_scrubber *s = calloc(1, sizeof *s);
    if (!s)
        return hogo_error_set(err, HOGO_ENOMEM, "", "out of memory");
    s->model = mecab_model_new2("");
    s->mecab = s->model ? mecab_model_new_tagger(s->model) : NULL;
    s->lattice = s->model ? mecab_model_new_lattice(s->model) : NULL;
    if (!s->mecab || !s->lattice) {
        if (s->lattice)
            mecab_lattice_destroy(s->lattice);
        if (s->mecab)
            mecab_destroy(s->mecab);
        if (s->model)
            mecab_model_destroy(s->model);
        free(s);
        return hogo_error_set(err, HOGO_EIO, "mecab",
                              "cannot start MeCab: %s; install mecab and mecab-ipadic-utf8",
                              mecab_strerror(NULL));
    }
    *out = s;
    return 0;
}

void hogo_deid_scrubber_free(struct hogo_deid_scrubber *s)
{
    if (!s)
        return;
    mecab_lattice_destroy(s->lattice);
    mecab_destroy(s->mecab);
    mecab_model_destroy(s->model);
    free(s);
}

/* ---- normalising for matching only ---- */

/* 1 when code point c joins the one before it under normalisation: combining marks, the
 * half-width and combining (semi-)voiced sound marks, Hangul vowel and final jamo. */
static int joins_previous(utf8proc_int32_t c)
{
    if (c < 0x300)
        return 0;
    if (c == 0xFF9E || c == 0xFF9F || c == 0x3099 || c == 0x309A || (c >= 0x1160 && c <= 0x11FF))
        return 1;
    return utf8proc_get_property(c)->combining_class != 0;
}

/* The text used for matching: each cluster (a code point and the marks joined to it) of
 * text[0..len) NFKC-normalised on its own, so that every byte of the result comes from one
 * cluster of the input; (*from)[i] is the input offset of the cluster that byte i of the
 * result came from ((*from)[*outlen] = len). Returns 0, HOGO_EINVAL (not UTF-8) or
 * HOGO_ENOMEM. */
static int normalise_for_matching(const char *text, size_t len, char **out, size_t *outlen,
                                  size_t **from)
{
    const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)text;
    size_t first = len + len / 2 + 16, cap = 0, mapcap = 0, o = 0;
    char *t = NULL;
    size_t *map = NULL;
    if (HOGO__GROW(t, cap, first, first) || HOGO__GROW(map, mapcap, first + 1, first + 1))
        goto nomem;
    for (size_t i = 0; i < len;) {
        size_t end;
        utf8proc_int32_t c, next;
        int simple = 1;
        if (p[i] < 0x80) {
            c = p[i];
            end = i + 1;
        } else {
            utf8proc_ssize_t n = utf8proc_iterate(p + i, (utf8proc_ssize_t)(len - i), &c);
            if (n < 0)
                goto bad;
            end = i + (size_t)n;
            utf8proc_int32_t d[4];
            int last = 0;
            utf8proc_ssize_t nd = utf8proc_decompose_char(c, d, 4, UTF8PROC_DECOMPOSE | UTF8PROC_COMPAT, &last);
            simple = nd == 1 && d[0] == c;
        }
        /* Extend over the marks joined to this code point. */
        while (end < len && p[end] >= 0x80) {
            utf8proc_ssize_t n = utf8proc_iterate(p + end, (utf8proc_ssize_t)(len - end), &next);
            if (n < 0)
                goto bad;
            if (!joins_previous(next))
                break;
            simple = 0;
            end += (size_t)n;
        }
        utf8proc_uint8_t *norm = NULL;
        const char *piece = text + i;
        size_t pl = end - i;
        if (!simple) {
            utf8proc_ssize_t n = utf8proc_map(p + i, (utf8proc_ssize_t)(end - i), &norm,
                                              UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_COMPAT);
            if (n < 0) {
                if (n == UTF8PROC_ERROR_NOMEM)
                    goto nomem;
                goto bad;
            }
            piece = (const char *)norm;
            pl = (size_t)n;
        }
        if (HOGO__GROW(t, cap, o + pl + 1, first) || HOGO__GROW(map, mapcap, o + pl + 1, first)) {
            free(norm);
            goto nomem;
        }
        memcpy(t + o, piece, pl);
        for (size_t k = 0; k < pl; k++)
            map[o + k] = i;
        o += pl;
        free(norm);
        i = end;
    }
    t[o] = '\0';
    map[o] = len;
    *out = t;
    *outlen = o;
    *from = map;
    return 0;
bad:
    free(t);
    free(map);
    return HOGO_EINVAL;
nomem:
    free(t);
    free(map);
    return HOGO_ENOMEM;
}

/* Input offset where the cluster holding byte e-1 of the matching text ends. */
static size_t input_end(const size_t *from, size_t tl, size_t e)
{
    if (e == 0)
        return from[0];
    while (e < tl && from[e] == from[e - 1])
        e++;
    return from[e];
}

/* ---- span list ---- */

struct spans {
    struct hogo_deid_span *v;
    size_t n, cap;
};

static int add_span(struct spans *sp, const char *type, size_t start, size_t end)
{
    if (HOGO__GROW(sp->v, sp->cap, sp->n + 1, 16))
        return HOGO_ENOMEM;
    sp->v[sp->n++] = (struct hogo_deid_span){type, start, end};
    return 0;
}

/* 1 when [start,end) overlaps a span already found. */
static int taken(const struct spans *sp, size_t start, size_t end)
{
    for (size_t i = 0; i < sp->n; i++)
        if (start < sp->v[i].end && sp->v[i].start < end)
            return 1;
    return 0;
}

/* ---- character tests (input is NFKC, so digits and Latin letters are ASCII) ---- */

/* Byte length of a dash-like separator at p: - ‐ ‑ ‒ – — ― − ー ～ or a space; 0 if none. */
static size_t dash_at(const char *p)
{
    static const char *const dashes[] = {"‐", "‑", "‒", "–", "—", "―", "−", "ー", "─", "～"};
    if (*p == '-' || *p == ' ' || *p == '.')
        return 1;
    for (size_t i = 0; i < sizeof dashes / sizeof dashes[0]; i++) {
        size_t n = strlen(dashes[i]);
        if (!strncmp(p, dashes[i], n))
            return n;
    }
    return 0;
}

static int is_alnum_ascii(char c)
{
    return isalnum((unsigned char)c);
}

static int mynumber_valid(const char *d)
{
    /* d: 12 digits. Check digit per the My Number ordinance: P_n from the right of the first
     * 11 digits, Q_n = n+1 (n<=6) or n-5 (n>=7). */
    int sum = 0;
    for (int n = 1; n <= 11; n++) {
        int p = d[11 - n] - '0';
        int q = n <= 6 ? n + 1 : n - 5;
        sum += p * q;
    }
    int r = sum % 11;
    int check = r <= 1 ? 0 : 11 - r;
    return check == d[11] - '0';
}

/* Reads a run of digit groups joined by single separators from p (and optional parentheses).
 * Fills digits (up to 24), returns the byte length consumed (ending on a digit). */
static size_t digit_run(const char *p, char *digits, int *nd, int *groups)
{
    size_t i = 0, last_end = 0;
    *nd = 0;
    *groups = 0;
    int in_group = 0;
    for (;;) {
        if (isdigit((unsigned char)p[i])) {
            if (*nd < 24)
                digits[*nd] = p[i];
            (*nd)++;
            if (!in_group)
                (*groups)++;
            in_group = 1;
            i++;
            last_end = i;
            continue;
        }
        in_group = 0;
        size_t d = 0;
        if (p[i] == '(' || p[i] == ')')
            d = 1;
        else
            d = dash_at(p + i);
        if (!d)
            break;
        /* A separator must be followed by a digit (allow ") " and " (" pairs). */
        size_t j = i + d;
        if (p[j] == ' ' || p[j] == '(' || p[j] == ')' || p[j] == '-')
            j++;
        if (!isdigit((unsigned char)p[j]))
            break;
        i = j;
    }
    return last_end;
}

/* 1 when one of words (NULL-terminated) ends within the window bytes before t+pos, i.e.
 * the number at pos is introduced as something else (伝票番号は…, 郵便番号：…). */
static int introduced_by(const char *t, size_t pos, size_t window, const char *const *words)
{
    size_t from = pos > window ? pos - window : 0;
    for (size_t k = 0; words[k]; k++) {
        size_t n = strlen(words[k]);
        for (size_t i = from; i + n <= pos; i++)
            if (!memcmp(t + i, words[k], n))
                return 1;
    }
    return 0;
}

static int scan_numbers(const char *t, size_t len, struct spans *sp)
{
    /* Numbers of parcels, orders and accounts also have 12 digits (4-4-4). */
    static const char *const not_mynumber[] = {
        "伝票", "追跡",     "送り状", "注文",     "問い合わせ", "問合せ",   "受付番号", "予約",
        "会員", "管理番号", "製造",   "シリアル", "口座",       "契約番号", "請求",     "配送",
        "品番", "型番",     "No",     "NO",       "#",          "荷物",     "お届け",   "発送",
        "受付", "商品",     "製品",   "部品",     NULL};
    static const char *const mynumber_words[] = {"マイナンバー", "個人番号", "My Number",
                                                 "my number", NULL};
    static const char *const postal_words[] = {"郵便番号", "〒", "郵便", NULL};
    for (size_t i = 0; i < len;) {
        int plus = t[i] == '+' && isdigit((unsigned char)t[i + 1]);
        int paren = t[i] == '(' && isdigit((unsigned char)t[i + 1]);
        if (!isdigit((unsigned char)t[i]) && !plus && !paren) {
            i++;
            continue;
        }
        /* Not inside a word or a longer number. */
        if (i > 0 && (is_alnum_ascii(t[i - 1]) || t[i - 1] == '.' || t[i - 1] == '/' ||
                      t[i - 1] == '@' || t[i - 1] == '_')) {
            while (i < len && (is_alnum_ascii(t[i])))
                i++;
            if (i < len && !is_alnum_ascii(t[i]))
                i++;
            continue;
        }
        size_t start = i;
        char d[25];
        int nd, groups;
        size_t n = digit_run(t + start + (plus ? 1 : 0), d, &nd, &groups) + (plus ? 1 : 0);
        if (n == 0 || (plus && n == 1)) {
            i++;
            continue;
        }
        size_t end = start + n;
        int followed_by_alnum = is_alnum_ascii(t[end]);
        const char *type = NULL;
        int cap = nd > 24 ? 24 : nd;
        d[cap] = '\0';
        if (!followed_by_alnum) {
            if (plus && nd >= 11 && nd <= 13 && !strncmp(d, "81", 2))
                type = T_PHONE;
            else if (!plus && nd == 12 && (groups == 1 || groups == 3) && mynumber_valid(d) &&
                     (!introduced_by(t, start, 24, not_mynumber) ||
                      introduced_by(t, start, 24, mynumber_words)))
                type = T_MYNUMBER;
            else if (!plus && d[0] == '0' && (nd == 10 || nd == 11) && groups != 2)
                type = T_PHONE;
            else if (!plus && nd == 7 && groups == 2 && end - start == 8 && t[start + 3] == '-' &&
                     (!introduced_by(t, start, 24, not_mynumber) ||
                      introduced_by(t, start, 16, postal_words)))
                type = T_POSTAL; /* 123-4567, but not 品番123-4567 */
            else if (!plus && nd == 7 && groups == 1 && introduced_by(t, start, 16, postal_words))
                type = T_POSTAL;
        }
        /* An opening bracket belongs to the number only when it closes inside it: (03)1234-5678,
         * not （03-1234-5678）. */
        if (type && t[start] == '(' && !memchr(t + start, ')', end - start))
            start++;
        if (type && !taken(sp, start, end)) {
            /* Include a leading 〒 in postal codes. */
            if (type == T_POSTAL && start >= 3 && !strncmp(t + start - 3, "〒", 3))
                start -= 3;
            if (add_span(sp, type, start, end) < 0)
                return HOGO_ENOMEM;
        }
        i = end > i ? end : i + 1;
    }
    return 0;
}

static int is_email_local(char c)
{
    return is_alnum_ascii(c) || strchr("._%+-", c);
}

static int is_host(char c)
{
    return is_alnum_ascii(c) || c == '-' || c == '.';
}

static int scan_email_url_handle(const char *t, size_t len, struct spans *sp)
{
    for (size_t i = 0; i < len; i++) {
        /* URL */
        if (t[i] != '@' && t[i] != 'h' && t[i] != 'w')
            continue;
        if (!strncmp(t + i, "http://", 7) || !strncmp(t + i, "https://", 8) ||
            (!strncmp(t + i, "www.", 4) && (i == 0 || !is_alnum_ascii(t[i - 1])))) {
            size_t e = i;
            while (e < len && (unsigned char)t[e] > 0x20 && (unsigned char)t[e] < 0x7f &&
                   !strchr("<>\"'", t[e]))
                e++;
            while (e > i && strchr(".,)!?", t[e - 1]))
                e--;
            if (!taken(sp, i, e) && add_span(sp, T_URL, i, e) < 0)
                return HOGO_ENOMEM;
            i = e;
            continue;
        }
        if (t[i] != '@')
            continue;
        size_t s = i;
        while (s > 0 && is_email_local(t[s - 1]))
            s--;
        size_t e = i + 1;
        while (e < len && is_host(t[e]))
            e++;
        while (e > i + 1 && t[e - 1] == '.')
            e--;
        const char *dot = memchr(t + i + 1, '.', e - i - 1);
        if (s < i && dot && e > (size_t)(dot - t) + 1) {
            if (!taken(sp, s, e) && add_span(sp, T_EMAIL, s, e) < 0)
                return HOGO_ENOMEM;
            i = e - 1;
            continue;
        }
        /* @handle: not preceded by an ASCII letter/digit. */
        if (s == i) {
            e = i + 1;
            while (e < len && (is_alnum_ascii(t[e]) || t[e] == '_' || t[e] == '.'))
                e++;
            while (e > i + 1 && t[e - 1] == '.')
                e--;
            if (e - i >= 3 && !taken(sp, i, e) && add_span(sp, T_ACCOUNT, i, e) < 0)
                return HOGO_ENOMEM;
            i = e - 1;
        }
    }
    /* Addresses written against harvesting: name[at]example.com, name(at)example.com. */
    static const char *const ats[] = {"[at]", "(at)", "[AT]", "(AT)", " at ", NULL};
    for (size_t k = 0; ats[k]; k++)
        for (const char *p = t; (p = strstr(p, ats[k])) != NULL; p += 4) {
            size_t i = (size_t)(p - t), s = i, e = i + strlen(ats[k]), h = e;
            while (s > 0 && is_email_local(t[s - 1]))
                s--;
            while (e < len && is_host(t[e]))
                e++;
            while (e > h && t[e - 1] == '.')
                e--;
            const char *dot = memchr(t + h, '.', e - h);
            if (s < i && dot && e > (size_t)(dot - t) + 1 && !taken(sp, s, e) &&
                add_span(sp, T_EMAIL, s, e) < 0)
                return HOGO_ENOMEM;
        }
    /* "ID: name" / "ID:name" / "IDは name" forms (LINE ID, ユーザーID, …), and the same after
     * the name of a service (インスタ: name, Instagram: name); those need a letter. */
    static const char *const services[] = {
        "ID",     "インスタ", "Instagram", "instagram", "Twitter", "twitter", "ツイッター",
        "TikTok", "LINE",     "Facebook",  "GitHub",    "Threads", NULL};
    for (size_t k = 0; services[k]; k++) {
        for (const char *p = t; (p = strstr(p, services[k])) != NULL; p += strlen(services[k])) {
            const char *q = p + strlen(services[k]);
            if (*q == ':')
                q++;
            else if (!strncmp(q, "は", 3))
                q += 3;
            else
                continue;
            while (*q == ' ')
                q++;
            const char *e = q;
            while (is_alnum_ascii(*e) || *e == '_' || *e == '.' || *e == '-')
                e++;
            while (e > q && e[-1] == '.')
                e--;
            int letter = k == 0;
            for (const char *r = q; r < e; r++)
                letter |= isalpha((unsigned char)*r) != 0;
            if (e - q >= 3 && letter && *e != '@') {
                size_t s0 = (size_t)(q - t), e0 = (size_t)(e - t);
                if (!taken(sp, s0, e0) && add_span(sp, T_ACCOUNT, s0, e0) < 0)
                    return HOGO_ENOMEM;
            }
        }
    }
    return 0;
}

/* ---- addresses ---- */

/* Length of a street-number part at p: digits joined by 丁目 番地 番 号 の - (at least one
 * number). Returns 0 when there is none. */
static size_t street_number_at(const char *p, int *count)
{
    static const char *const joins[] = {"丁目", "番地", "番", "号", "の", "条通", "条", "線",
                                        "-",    "−",    "‐",  "ー"};
    static const char *const kanji_digits = "一二三四五六七八九十";
    size_t i = 0, last = 0;
    int numbers = 0;
    for (;;) {
        size_t j = i;
        /* Sapporo-style blocks put a direction before the number: 南3条西2丁目, 北3-7. */
        if (numbers && (!strncmp(p + i, "東", 3) || !strncmp(p + i, "西", 3) ||
                        !strncmp(p + i, "南", 3) || !strncmp(p + i, "北", 3)) &&
            isdigit((unsigned char)p[i + 3]))
            j = i = i + 3;
        while (isdigit((unsigned char)p[j]))
            j++;
        /* Kanji numerals before 丁目. */
        if (j == i) {
            size_t k = i;
            while (p[k] && (unsigned char)p[k] >= 0xE0) {
                const char *hit = NULL;
                for (const char *kd = kanji_digits; *kd; kd += 3)
                    if (!strncmp(p + k, kd, 3))
                        hit = kd;
                if (!hit)
                    break;
                k += 3;
            }
            if (k > i && !strncmp(p + k, "丁目", strlen("丁目")))
                j = k;
        }
        if (j == i)
            break;
        numbers++;
        i = j;
        last = i;
        size_t jl = 0;
        for (size_t k = 0; k < sizeof joins / sizeof joins[0]; k++)
            if (!strncmp(p + i, joins[k], strlen(joins[k]))) {
                jl = strlen(joins[k]);
                break;
            }
        if (!jl)
            break;
        i += jl;
        /* 番地/号/丁目/条 may end the number. */
        if (!strncmp(p + i - jl, "番地", jl) || !strncmp(p + i - jl, "号", jl) ||
            !strncmp(p + i - jl, "丁目", jl) || !strncmp(p + i - jl, "番", jl) ||
            !strncmp(p + i - jl, "条", jl) || !strncmp(p + i - jl, "条通", jl))
            last = i;
    }
    *count = numbers;
    /* A number glued to a Latin letter or 階 is a floor or a code (ビル9F, 3LDK, 2階). */
    if (numbers && (isalpha((unsigned char)p[last]) || !strncmp(p + last, "階", 3) ||
                    !strncmp(p + last, "目", 3)))
        return 0;
    return numbers ? last : 0;
}

/* 1 when the UTF-8 char at p is kanji, kana or the 々/ヶ/ケ marks (address-name characters). */
static size_t addr_char_at(const char *p)
{
    unsigned char c = (unsigned char)p[0];
    if (c < 0xE3 || c > 0xE9)
        return 0;
    if (c != 0xE3) /* kanji: never a particle */
        return 3;
    /* Exclude common particles and punctuation that end an address name: に で へ を は が の
     * と や も 、 。 「 」 and から まで. */
    unsigned char b1 = (unsigned char)p[1], b2 = (unsigned char)p[2];
    if (b1 == 0x80 && (b2 == 0x81 || b2 == 0x82 || b2 == 0x8C || b2 == 0x8D))
        return 0;
    if (b1 == 0x81 && (b2 == 0xAB || b2 == 0xA7 || b2 == 0xB8 || b2 == 0xAF || b2 == 0x8C ||
                       b2 == 0xAE || b2 == 0xA8))
        return 0;
    if (b1 == 0x82 && (b2 == 0x92 || b2 == 0x84 || b2 == 0x82))
        return 0;
    if (!strncmp(p, "から", 6) || !strncmp(p, "まで", 6))
        return 0;
    return 3;
}

/* Length of a building name and room after a street number ("　新大阪MTビル802号室",
 * " 博多ビル3F"): a run of kanji, katakana and Latin letters/digits that contains a building
 * word, cut after that word and an optional floor or room number. 0 when there is none. */
static size_t building_at(const char *p)
{
    static const char *const words[] = {"ビル",   "ハイツ",   "マンション", "タワー", "レジデンス",
                                        "コーポ", "荘",       "ハウス",     "ヒルズ", "プラザ",
                                        "会館",   "アパート", "コート",     "パレス", "メゾン",
                                        "寮",     NULL};
    size_t i = *p == ' ' ? 1 : 0, end = 0;
    while (i < 90) {
        unsigned char c = (unsigned char)p[i];
        size_t n = 0;
        if (isalnum(c) || c == '-')
            n = 1;
        else if ((c >= 0xE4 && c <= 0xE9) || (c == 0xE3 && ((unsigned char)p[i + 1] == 0x82 ||
                                                            (unsigned char)p[i + 1] == 0x83)))
            n = 3;
        if (!n)
            break;
        for (size_t k = 0; words[k]; k++)
            if (!strncmp(p + i, words[k], strlen(words[k])))
                end = i + strlen(words[k]);
        i += n;
    }
    /* A room number that ends the run: パークマンション堺301, ベイサイド浦安506号室 (no
     * building word needed when 号室 says it). */
    if (i > 0 && (end || i >= 3 * 3)) {
        size_t r = i;
        while (r > 0 && isdigit((unsigned char)p[r - 1]))
            r--;
        int room = r < i && r > (end ? end : 1);
        if (room && !strncmp(p + i, "号室", strlen("号室")) && (end || r - (p[0] == ' ') >= 6))
            return i + strlen("号室");
        if (room && end && r - end <= 5 * 3)
            end = i;
    }
    if (!end)
        return 0;
    /* Floor or room: 802号室, 3F, 15階, 101. */
    size_t j = end + (p[end] == ' ' ? 1 : 0);
    if (isdigit((unsigned char)p[j])) {
        while (isdigit((unsigned char)p[j]))
            j++;
        if (!strncmp(p + j, "号室", strlen("号室")))
            end = j + strlen("号室");
        else if (!strncmp(p + j, "階", 3) || !strncmp(p + j, "号", 3))
            end = j + 3;
        else if (p[j] == 'F' || p[j] == 'f')
            end = j + 1;
        else if (!isalnum((unsigned char)p[j]))
            end = j;
    }
    return end;
}

/* 1 when the walk of an address name may go on over the particle at p: の, が, と and ケ
 * inside place names (丸の内, 霞が関, みなとみらい) are followed by more of the name. */
static int name_particle_at(const char *p)
{
    static const char *const inner[] = {"の", "が", "と", NULL};
    for (size_t k = 0; inner[k]; k++)
        if (!strncmp(p, inner[k], 3))
            return addr_char_at(p + 3) != 0;
    return 0;
}

/* 1 when t[pos..] (within len) holds 都, 道, 府 or 県. */
static int prefecture_suffix_at(const char *t, size_t len, size_t pos)
{
    if (pos + 3 > len)
        return 0;
    const char *p = t + pos;
    return !memcmp(p, "都", 3) || !memcmp(p, "道", 3) || !memcmp(p, "府", 3) ||
           !memcmp(p, "県", 3);
}

static int scan_addresses(const char *t, size_t len, struct spans *sp)
{
    static const char *const muni[] = {"市", "区", "町", "村", "郡"};
    for (size_t i = 0; i < len;) {
        int pi;
        /* Every prefecture is two or three kanji and 都, 道, 府 or 県. */
        size_t pl = (unsigned char)t[i] >= 0xE4 && (unsigned char)t[i] <= 0xE9 &&
                            (prefecture_suffix_at(t, len, i + 6) ||
                             prefecture_suffix_at(t, len, i + 9))
                        ? hogo__jp_prefecture_at(t + i, &pi)
                        : 0;
        size_t start = i, p = i + pl;
        int has_muni = 0, crossed = 0;
        if (!pl && (!addr_char_at(t + i) || (i >= 3 && addr_char_at(t + i - 3)))) {
            /* Only start a prefecture-less address at the start of a kanji/kana run. */
            i++;
            while (i < len && ((unsigned char)t[i] & 0xC0) == 0x80)
                i++;
            continue;
        }
        /* Walk address-name characters; remember whether a municipality suffix was seen. */
        size_t q = p, steps = 0;
        while (q < len && steps < 24) {
            size_t c = addr_char_at(t + q);
            if (!c && (pl || has_muni) && name_particle_at(t + q)) {
                c = 3;
                crossed = 1;
            }
            if (!c)
                break;
            for (size_t k = 0; k < 5; k++)
                if (!strncmp(t + q, muni[k], 3))
                    has_muni = 1;
            q += c;
            steps++;
        }
        int numbers = 0;
        size_t num = (pl || has_muni) ? street_number_at(t + q, &numbers) : 0;
        /* Over a particle, one number is too weak (東京都の2番目): ask for two (1-9-1). */
        if (crossed && numbers < 2)
            num = 0;
        if ((pl || has_muni) && num > 0 && q > start) {
            size_t end = q + num;
            end += building_at(t + end);
            if (!taken(sp, start, end) && add_span(sp, T_ADDRESS, start, end) < 0)
                return HOGO_ENOMEM;
            i = end;
            continue;
        }
        i += pl ? pl : 1;
        while (i < len && ((unsigned char)t[i] & 0xC0) == 0x80)
            i++;
    }
    return 0;
}

/* ---- names with MeCab ---- */

static int is_honorific(const char *surface, size_t n)
{
    static const char *const hon[] = {"さん", "様",     "さま", "氏", "くん",
                                      "君",   "ちゃん", "先生", "殿"};
    for (size_t i = 0; i < sizeof hon / sizeof hon[0]; i++)
        if (strlen(hon[i]) == n && !strncmp(surface, hon[i], n))
            return 1;
    return 0;
}

/* 1 when s[0..n) is one of the words in list (NULL-terminated). */
static int in_list(const char *const *list, const char *s, size_t n)
{
    for (size_t i = 0; list[i]; i++)
        if (list[i][0] == s[0] && strlen(list[i]) == n && !memcmp(s, list[i], n))
            return 1;
    return 0;
}

/* Hiragana words that take さん or ちゃん themselves (おじいちゃん, みなさん, わんちゃん). */
static int is_kana_word_before_honorific(const char *s, size_t n)
{
    static const char *const words[] = {
        "おじい", "おばあ", "じい",   "ばあ",   "おとう", "おかあ", "とう",   "かあ",   "おにい",
        "おねえ", "にい",   "ねえ",   "おじ",   "おば",   "おっ",   "みな",   "みんな", "あか",
        "あかちゃ", "ぼっ", "おこ",   "おく",   "おくさ", "だんな", "むすこ", "むすめ", "おじょう",
        "おいしゃ", "おまわり", "おきゃく", "おとなり", "おかみ", "わん", "にゃん", "ねこ", "いぬ",
        "くま",   "うさぎ", "ぞう",   "とり",   "おさる", "さる",   "こども", "あちら", "そちら",
        "こちら", "どちら", "どなた", "あなた", "おつかれ", "ごくろう", "おひさ", "おいなり",
        "おすもう", "おひな", "かみ",   "おてんと", "えびす", "おだいし", "ちび", "おちび",
        "ぼく",   "わたし", "あたし", "おれ",   "おまえ", "きみ",   "かれ",   "かのじょ", "だれ",
        "ばっ",   "おばちゃ", "おっちゃ", "ねーちゃ", "にーちゃ", "ママ", "ぱぱ", "まま",
        "てん",   "てんいん", "おてつだい", "おそうじ", "しゃちょう", "たんとう", NULL};
    return in_list(words, s, n);
}

/* Common nouns that precede さん/様 but are not names (お客様, 店員さん, …). */
static int is_role_noun(const char *s, size_t n)
{
    static const char *const roles[] = {
        "客",       "お客",   "店員",   "スタッフ", "担当",   "担当者", "皆",     "皆様",
        "皆さん",   "お母",   "お父",   "奥",       "旦那",   "子供",   "子ども", "運転手",
        "大家",     "先方",   "相手",   "家族",     "家主",   "隣",     "近所",   "社長",
        "店長",     "女将",   "医者",   "看護師",   "受付",   "係",     "係員",   "ドライバー",
        "オーナー", "お医者", "お子",   "息子",     "娘",     "お嬢",   "お兄",   "お姉",
        "彼",       "上",     "神",     "仏",       "王",     "皆々",   "各位",   "貴",
        "同",       "ホスト", "ゲスト", "職人",     "業者",   "大工",   "先輩",   "後輩",
        "友達",     "母",     "父",     "兄",       "姉",     "弟",     "妹",     "主人",
        "ご主人",   "奥様",   "利用者", "会員",     "参加者", "購入者", "お隣",   "配達員",
        "作業員",   "整備士", "作業",   "ご担当者", "担当者", "方",     "みな",   "みんな",
        NULL};
    return in_list(roles, s, n);
}

/* Titles written after a surname (山田部長, 浜田店長, 福田宛): like an honorific, they show the
 * word before is a person, but they are not names themselves. */
static int is_title(const char *s, size_t n)
{
    static const char *const titles[] = {
        "部長",     "課長",         "係長",         "社長",         "副社長",   "店長",
        "院長",     "先輩",         "監督",         "教授",         "専務",     "常務",
        "主任",     "室長",         "所長",         "会長",         "支配人",   "理事長",
        "校長",     "教頭",         "塾長",         "園長",         "医師",     "弁護士",
        "税理士",   "宛",           "宛て",         "アドバイザー", "カウンセラー", "コンサルタント",
        "技師",     "講師",         "次長",         "看護師",       "薬剤師",   "マネージャー",
        "リーダー", "ディレクター", "相談員",       "支援員",       "秘書",     "記者",
        "担当",     "代表",         "トレーナー",   "コーチ",       NULL};
    return in_list(titles, s, n);
}

/* Words that make a name part of an organisation or a place (鈴木建設, 株式会社高橋…,
 * 山本病院, 森田商店): a surname glued to one of them is not a person. */
static int is_org_word(const char *s, size_t n)
{
    static const char *const orgs[] = {
        "株式会社", "有限会社", "合同会社", "合資会社", "社団法人",   "財団法人",
        "医療法人", "学校法人", "工務店",   "建設",     "建築",       "商店",
        "商事",     "商会",     "病院",     "医院",     "歯科",       "クリニック",
        "産業",     "工業",     "製作所",   "事務所",   "法律事務所", "銀行",
        "証券",     "電機",     "物産",     "不動産",   "運輸",       "組",
        "屋",       "家具",     "書店",     "食堂",     "会計事務所", "ホールディングス",
        "グループ", "興業",     "塾",       "学園",     NULL};
    return in_list(orgs, s, n);
}

/* 1 when s[0..n) is katakana only (U+30A0..U+30FF). */
static int katakana_only(const char *s, size_t n)
{
    for (size_t i = 0; i + 2 < n + 1 && i < n; i += 3)
        if ((unsigned char)s[i] != 0xE3 ||
            ((unsigned char)s[i + 1] != 0x82 && (unsigned char)s[i + 1] != 0x83))
            return 0;
    return n > 0;
}

/* Token kinds for name finding. */
enum { K_OTHER, K_SURNAME, K_GIVEN, K_PERSON, K_NOUN, K_HON, K_TITLE };

struct tok {
    size_t s, e;
    int kind;
    int suffix; /* 名詞,接尾 (手 in 運転手, 駅, 沿い): never starts a name */
    int proper; /* 固有名詞 or unknown: may be a given name IPADIC does not know (拓海) */
    /* Readings of the same characters that MeCab's lattice also offers (IPADIC often prefers
     * the place 石川 or the word 森 to the surname): */
    int can_surname, can_given, can_other;
    int noun; /* any 名詞 (roles like 営業 and 担当 are サ変接続) */
};

static int introduces_person(const char *s, size_t n);

static int tok_kind(const mecab_node_t *n, const char *t, const struct spans *sp)
{
    const char *f = n->feature ? n->feature : "";
    size_t off = (size_t)(n->surface - t);
    if (n->length == 0 || taken(sp, off, off + n->length))
        return K_OTHER;
    /* ASCII punctuation (NFKC turned （ ） ： into ASCII) never belongs to a name. */
    unsigned char c0 = (unsigned char)n->surface[0];
    if (c0 < 0x80 && !isalpha(c0))
        return K_OTHER;
    /* Names, honorifics and titles are all nouns (さん and 様 are 名詞,接尾). */
    if (strncmp(f, "名詞", strlen("名詞")))
        return K_OTHER;
    if (is_honorific(n->surface, n->length))
        return K_HON;
    if (is_title(n->surface, n->length))
        return K_TITLE;
    /* IPADIC features: 品詞,細分類1,細分類2,細分類3,… — 人名 is always 名詞,固有名詞,人名. */
    static const char person[] = "名詞,固有名詞,人名";
    if (!strncmp(f, person, sizeof person - 1)) {
        const char *r = f + sizeof person - 1;
        return !strncmp(r, ",姓", 4) ? K_SURNAME : !strncmp(r, ",名", 4) ? K_GIVEN : K_PERSON;
    }
    if (!strncmp(f, "名詞,固有名詞", strlen("名詞,固有名詞")) ||
        !strncmp(f, "名詞,一般", strlen("名詞,一般")) ||
        !strncmp(f, "名詞,接尾", strlen("名詞,接尾")) ||
        (n->stat == MECAB_UNK_NODE && !strncmp(f, "名詞", strlen("名詞"))))
        return K_NOUN;
    return K_OTHER;
}

static int is_person_kind(int k)
{
    return k == K_SURNAME || k == K_GIVEN || k == K_PERSON;
}

/* A run of nouns [a,b) followed by an honorific: the name is the run from its first 人名
 * token (or the whole run of at most 3 nouns when none is tagged), unless it is a role
 * (店員さん) or an organisation (工務店さん, 田中屋さん). */
static int name_before_honorific(const char *t, const struct tok *tk, size_t a, size_t b,
                                 struct spans *sp)
{
    size_t first = b;
    /* The business addressee form: 株式会社アオバ商事 総務部 中井 大介様. An organisation word
     * followed by a space ends the company's name; the person comes after it. */
    for (size_t i = b; i-- > a;)
        if (is_org_word(t + tk[i].s, tk[i].e - tk[i].s) && i + 1 < b && tk[i + 1].s > tk[i].e) {
            a = i + 1;
            break;
        }
    for (size_t i = a; i < b; i++) {
        if (is_org_word(t + tk[i].s, tk[i].e - tk[i].s))
            return 0;
        if (first == b && is_person_kind(tk[i].kind))
            first = i;
        /* A 人名 token glued to a following ordinary noun is part of a compound word. */
        if (i > a && is_person_kind(tk[i - 1].kind) && tk[i].kind == K_NOUN &&
            tk[i].s == tk[i - 1].e && !(tk[i].proper && tk[i - 1].kind == K_SURNAME))
            return 0;
    }
    if (first == b) {
        if (b - a > 3)
            return 0;
        first = a;
    }
    size_t s = tk[first].s, e = tk[b - 1].e;
    if (is_role_noun(t + s, e - s) || is_role_noun(t + tk[b - 1].s, tk[b - 1].e - tk[b - 1].s) ||
        is_kana_word_before_honorific(t + s, e - s))
        return 0;
    return add_span(sp, T_NAME, s, e) < 0 ? HOGO_ENOMEM : 0;
}

/* 人名 tokens [p,q) inside a noun run [a,b) with no honorific after the run. */
static int name_without_honorific(const char *t, const struct tok *tk, size_t ntk, size_t a,
                                  size_t b, size_t p, size_t q, struct spans *sp)
{
    /* A surname glued to a proper noun IPADIC does not tag as a given name (菅原|拓海). */
    if (q < b && tk[q - 1].kind == K_SURNAME && tk[q].proper && !tk[q].suffix &&
        tk[q].s == tk[q - 1].e && !is_org_word(t + tk[q].s, tk[q].e - tk[q].s) &&
        tk[q].e - tk[q].s >= 6 && !katakana_only(t + tk[q - 1].s, tk[q - 1].e - tk[q - 1].s) &&
        (q + 1 == b || tk[q + 1].s != tk[q].e))
        q++;
    int titled = q == b && b < ntk && tk[b].kind == K_TITLE && tk[b].s == tk[b - 1].e;
    /* Glued to a following noun: a compound (市ヶ谷駅, 小川沿い, コス|パ), or to an
     * organisation word even outside the noun run (鈴木|建設). */
    if (q < b && tk[q].s == tk[q - 1].e)
        return 0;
    if (q < ntk && tk[q].s == tk[q - 1].e && is_org_word(t + tk[q].s, tk[q].e - tk[q].s))
        return 0;
    /* Right after 株式会社 and the like. */
    if (p > a && tk[p].s == tk[p - 1].e && is_org_word(t + tk[p - 1].s, tk[p - 1].e - tk[p - 1].s))
        return 0;
    if (!titled && q - p == 1 && is_person_kind(tk[p].kind)) {
        size_t n = tk[p].e - tk[p].s;
        /* A lone given name (笑, チカ, 光) is too often an ordinary word, and so is a lone
         * one-character surname (林, 森, 関). */
        if (tk[p].kind == K_GIVEN || (tk[p].kind == K_SURNAME && n <= 3))
            return 0;
        /* A glued preceding noun (駅チカ) makes a katakana "name" a word part. */
        if (p > a && tk[p].s == tk[p - 1].e && katakana_only(t + tk[p].s, n))
            return 0;
        /* A surname that is also a river, a place or a word, before の, with nothing around
         * it saying it is a person (中川の河川敷, 小川の流れ, 石川の海). */
        if (tk[p].can_other && q + 1 < ntk && tk[q].e - tk[q].s == 3 &&
            !strncmp(t + tk[q].s, "の", 3) && tk[q + 1].kind == K_NOUN &&
            (p == 0 || !introduces_person(t + tk[p - 1].s, tk[p - 1].e - tk[p - 1].s)) &&
            (p < 2 || !introduces_person(t + tk[p - 2].s, tk[p - 2].e - tk[p - 2].s)))
            return 0;
    }
    return add_span(sp, T_NAME, tk[p].s, tk[q - 1].e) < 0 ? HOGO_ENOMEM : 0;
}

/* 1 when s[0..n) is a role or a relation after which a bare name follows (担当の石川より,
 * カウンセラー吉田, 上司の本田が). */
static int introduces_person(const char *s, size_t n)
{
    static const char *const roles[] = {
        "担当",     "担当者",   "カウンセラー", "アドバイザー", "コンサルタント", "スタッフ",
        "店長",     "部長",     "課長",         "係長",         "主任",           "人事",
        "代表",     "営業",     "受付",         "支配人",       "相談員",         "支援員",
        "講師",     "上司",     "同僚",         "部下",         "秘書",           "技師",
        "看護師",   "ドライバー", "オーナー",   "トレーナー",   "インストラクター", "美容師",
        "ヘルパー", "社長",     "室長",         "所長",         "院長",           "先輩",
        "後輩",     "責任者",   "担任",         "医師",         "弁護士",         "税理士",
        "コーチ",   "マネージャー", "リーダー", "店主",         "女将",           "仲居",
        "ガイド",   "友人",     "友達",         "知人",         "後任",           "前任",
        NULL};
    return in_list(roles, s, n);
}

/* 1 when s[0..n) is a family relation before a given name (妻の美咲, 娘のユイ). */
static int is_kinship(const char *s, size_t n)
{
    static const char *const kin[] = {
        "妻",   "夫",   "娘",   "息子", "父",   "母",   "兄",   "姉",   "弟",   "妹",
        "長男", "長女", "次男", "次女", "三男", "三女", "祖父", "祖母", "孫",   "主人",
        "嫁",   "婿",   "甥",   "姪",   "叔父", "叔母", "伯父", "伯母", "義母", "義父",
        "家内", "配偶者", "兄弟", "姉妹", NULL};
    return in_list(kin, s, n);
}

/* 1 when the token at k may end a bare name: a particle, the copula, punctuation, an
 * honorific or title, or the end of the text. */
static int ends_name(const char *t, const struct tok *tk, size_t ntk, size_t k)
{
    if (k >= ntk)
        return 1;
    if (tk[k].kind == K_HON || tk[k].kind == K_TITLE)
        return 1;
    static const char *const after[] = {"より", "から", "まで", "が", "です", "でし", "でございます",
                                        "に",   "は",   "も",   "と", "の",   "を",   "へ",
                                        "で",   "や",   "、",   "。", "(",    ")",    "!",
                                        "?",    ",",    ".",    "と申します", NULL};
    return in_list(after, t + tk[k].s, tk[k].e - tk[k].s);
}

/* 1 when the token at x may be (the first part of) a name. */
static int may_be_name(const struct tok *x, int given_ok)
{
    if (x->suffix || (x->kind != K_NOUN && !is_person_kind(x->kind)))
        return 0;
    return is_person_kind(x->kind) || x->can_surname || (given_ok && x->can_given);
}

/* Adds the name starting at token x (one token, or two glued/spaced person tokens). */
static int add_name_at(const char *t, const struct tok *tk, size_t ntk, size_t x, int given_ok,
                       struct spans *sp)
{
    size_t y = x + 1;
    if (y < ntk && may_be_name(&tk[y], 1) && (is_person_kind(tk[y].kind) || tk[y].can_given))
        y++;
    if (!ends_name(t, tk, ntk, y)) {
        if (y == x + 2 && ends_name(t, tk, ntk, x + 1))
            y = x + 1;
        else
            return 0;
    }
    (void)given_ok;
    if (taken(sp, tk[x].s, tk[y - 1].e))
        return 0;
    return add_span(sp, T_NAME, tk[x].s, tk[y - 1].e) < 0 ? HOGO_ENOMEM : 0;
}

/* Bare names that only their context shows: after a role or a relation (担当の石川より,
 * カウンセラー吉田の, 妻の美咲が), before a title (清水アドバイザー), and introducing oneself at
 * the start of a sentence (松本です。). */
static int names_in_context(const char *t, const struct tok *tk, size_t ntk, struct spans *sp)
{
    int rc = 0;
    for (size_t k = 0; k < ntk && rc == 0; k++) {
        /* Before a title: 清水アドバイザー, 石川部長. */
        if (tk[k].kind == K_TITLE && k > 0 && tk[k - 1].e == tk[k].s &&
            tk[k - 1].kind == K_NOUN && tk[k - 1].can_surname && !tk[k - 1].suffix &&
            (k < 2 || tk[k - 2].e != tk[k - 1].s || tk[k - 2].kind == K_OTHER) &&
            !taken(sp, tk[k - 1].s, tk[k - 1].e)) {
            if (add_span(sp, T_NAME, tk[k - 1].s, tk[k - 1].e) < 0)
                return HOGO_ENOMEM;
        }
        const char *w = t + tk[k].s;
        size_t n = tk[k].e - tk[k].s;
        int noun = tk[k].noun;
        int role = noun && introduces_person(w, n), kin = noun && !role && is_kinship(w, n);
        if (role || kin) {
            size_t x = k + 1;
            int via_no = x < ntk && tk[x].e - tk[x].s == 3 && !strncmp(t + tk[x].s, "の", 3);
            if (via_no)
                x++;
            else if (!(role && x < ntk && tk[x].s == tk[k].e))
                continue;
            if (x >= ntk || introduces_person(t + tk[x].s, tk[x].e - tk[x].s) ||
                is_kinship(t + tk[x].s, tk[x].e - tk[x].s))
                continue;
            const struct tok *c = &tk[x];
            int ok = may_be_name(c, kin);
            /* A relation's given name IPADIC does not know (ユイ, ミク): katakana, proper. */
            if (!ok && kin && c->kind == K_NOUN && c->proper && katakana_only(t + c->s, c->e - c->s))
                ok = 1;
            /* One kanji after a relation must be a known given name (父の勝), not 日 or 家. */
            if (ok && kin && c->e - c->s == 3 && !c->can_given && !is_person_kind(c->kind))
                ok = 0;
            if (ok)
                rc = add_name_at(t, tk, ntk, x, kin, sp);
            continue;
        }
        /* Introducing oneself: a surname at the start of a sentence before です, でございます,
         * と申します. */
        if ((tk[k].kind == K_NOUN || is_person_kind(tk[k].kind)) && tk[k].can_surname &&
            !tk[k].suffix) {
            int starts = k == 0 || tk[k - 1].e < tk[k].s ||
                         in_list((const char *const[]){"。", "、", "!", "?", "」", ")", NULL},
                                 t + tk[k - 1].s, tk[k - 1].e - tk[k - 1].s);
            size_t y = k + 1;
            if (y < ntk && tk[y].s == tk[y - 1].e && is_person_kind(tk[y].kind))
                y++;
            if (!starts || y >= ntk)
                continue;
            const char *nx = t + tk[y].s;
            if ((!strncmp(nx, "です", 6) || !strncmp(nx, "でござい", 12) ||
                 !strncmp(nx, "と申し", 9)) &&
                !taken(sp, tk[k].s, tk[y - 1].e) &&
                add_span(sp, T_NAME, tk[k].s, tk[y - 1].e) < 0)
                return HOGO_ENOMEM;
        }
    }
    return rc;
}

/* Marks which readings the lattice offers for the characters of token n (same start, same
 * length): a surname, a given name, something else (a place, a common noun). */
static void readings(mecab_lattice_t *lat, const mecab_node_t *n, const char *t, struct tok *tk)
{
    static const char person[] = "名詞,固有名詞,人名";
    size_t begin = (size_t)(n->surface - t) - (size_t)(n->rlength - n->length);
    /* Names are kanji or katakana words of one to four characters. */
    if (n->length > 12 || (unsigned char)n->surface[0] < 0xE3)
        return;
    for (const mecab_node_t *b = mecab_lattice_get_begin_nodes(lat, begin); b; b = b->bnext) {
        if (b->length != n->length || b->surface != n->surface || !b->feature)
            continue;
        const char *f = b->feature;
        if (!strncmp(f, person, sizeof person - 1)) {
            const char *r = f + sizeof person - 1;
            if (!strncmp(r, ",姓", 4))
                tk->can_surname = 1;
            else if (!strncmp(r, ",名", 4))
                tk->can_given = 1;
        } else if (!strncmp(f, "名詞", strlen("名詞")))
            tk->can_other = 1;
    }
}

static int scan_names(struct hogo_deid_scrubber *sc, const char *t, size_t len, struct spans *sp)
{
    int rc = 0;
    mecab_lattice_set_sentence2(sc->lattice, t, len);
    if (!mecab_parse_lattice(sc->mecab, sc->lattice))
        return 0;
    const mecab_node_t *node = mecab_lattice_get_bos_node(sc->lattice);
    if (!node)
        return 0;
    struct tok *tk = NULL;
    size_t ntk = 0, cap = 0;
    for (const mecab_node_t *n = node; n; n = n->next) {
        if (n->stat == MECAB_BOS_NODE || n->stat == MECAB_EOS_NODE)
            continue;
        if (HOGO__GROW(tk, cap, ntk + 1, 64)) {
            rc = HOGO_ENOMEM;
            goto out;
        }
        size_t off = (size_t)(n->surface - t);
        const char *f = n->feature ? n->feature : "";
        tk[ntk] = (struct tok){
            off, off + n->length, tok_kind(n, t, sp), !strncmp(f, "名詞,接尾", strlen("名詞,接尾")),
            !strncmp(f, "名詞,固有名詞", strlen("名詞,固有名詞")) || n->stat == MECAB_UNK_NODE,
            0, 0, 0, !strncmp(f, "名詞", strlen("名詞"))};
        if (tk[ntk].kind == K_NOUN || is_person_kind(tk[ntk].kind))
            readings(sc->lattice, n, t, &tk[ntk]);
        ntk++;
    }
    for (size_t a = 0; a < ntk;) {
        if ((tk[a].kind != K_NOUN && !is_person_kind(tk[a].kind)) || tk[a].suffix) {
            a++;
            continue;
        }
        size_t b = a;
        while (b < ntk && (tk[b].kind == K_NOUN || is_person_kind(tk[b].kind)))
            b++;
        if (b < ntk && tk[b].kind == K_HON) {
            if ((rc = name_before_honorific(t, tk, a, b, sp)) < 0)
                goto out;
        } else {
            for (size_t p = a; p < b;) {
                if (!is_person_kind(tk[p].kind)) {
                    p++;
                    continue;
                }
                size_t q = p;
                while (q < b && is_person_kind(tk[q].kind))
                    q++;
                if ((rc = name_without_honorific(t, tk, ntk, a, b, p, q, sp)) < 0)
                    goto out;
                p = q;
            }
        }
        a = b;
    }
    rc = names_in_context(t, tk, ntk, sp);
out:
    free(tk);
    return rc;
}

static int hiragana_at(const char *p);

/* Names after a form label ("お名前：", "フリガナ:", "担当:", "差出人:"): one or two words of
 * kanji, kana or Latin letters, whatever MeCab makes of them (コウノ ダイキ, Kimura). */
static int scan_labelled_names(const char *t, size_t len, struct spans *sp)
{
    static const char *const labels[] = {
        "氏名",   "お名前", "名前",   "フリガナ", "ふりがな", "カナ", "差出人", "送信者",
        "注文者", "記入者", "申込者", "紹介者",   "担当者",   "担当", "宛名",   "署名",
        "受取人", "依頼者", "契約者", "購入者",   "相談者",   "口座名義", "名義人", "名義",
        "応募者", "推薦者", "保護者", "代表者",   "相談員",   "支援員",   "患者",   "本人",
        "配偶者", "長男",   "長女",   "次男",     "次女",     "夫",       "妻",     "父",
        "母",     "カウンセラー", "アドバイザー", "コンサルタント", "Name", "NAME", "name", NULL};
    /* Found from each colon backwards: the label ends at the colon or at a note in brackets
     * before it (氏名(ローマ字):, Name (romaji):). */
    for (const char *colon = t; (colon = memchr(colon, ':', len - (size_t)(colon - t))) != NULL;
         colon++) {
        size_t p = (size_t)(colon - t), end = p;
        if (end > 0 && t[end - 1] == ')') {
            size_t o = end - 1;
            while (o > 0 && t[o] != '(' && end - o < 40)
                o--;
            if (t[o] == '(')
                end = o > 0 && t[o - 1] == ' ' ? o - 1 : o;
        }
        size_t ll = 0;
        for (size_t k = 0; labels[k]; k++) {
            size_t n = strlen(labels[k]);
            if (n <= end && !memcmp(t + end - n, labels[k], n)) {
                ll = n;
                break;
            }
        }
        size_t i = end - ll;
        if (!ll || (i > 0 && isalpha((unsigned char)t[i - 1])))
            continue;
        /* A one-character label (夫:, 母:) must not end a longer word (丈夫:). */
        if (ll == 3 && i >= 3 && addr_char_at(t + i - 3))
            continue;
        p++;
        while (t[p] == ' ')
            p++;
        size_t s = p, e = p, words = 0;
        while (words < 2) {
            size_t q = e, chars = 0;
            int kanji_seen = 0;
            for (;;) {
                unsigned char c = (unsigned char)t[q];
                if (isalpha(c) || (c == '.' && chars && isalpha((unsigned char)t[q - 1]))) {
                    q++;
                    chars++;
                    continue;
                }
                /* Hiragana after kanji is the sentence going on (伊藤美咲です, 森恵が対応). */
                if (kanji_seen && hiragana_at(t + q))
                    break;
                if ((c >= 0xE4 && c <= 0xE9) || !strncmp(t + q, "々", 3))
                    kanji_seen = 1;
                /* kanji (E4-E9), hiragana/katakana (E3 81-83) and 々 */
                if ((c >= 0xE4 && c <= 0xE9) ||
                    (c == 0xE3 && (unsigned char)t[q + 1] >= 0x81 &&
                     (unsigned char)t[q + 1] <= 0x83) ||
                    !strncmp(t + q, "々", 3)) {
                    size_t n = 3;
                    if (is_honorific(t + q, 3) || is_honorific(t + q, 6) ||
                        !strncmp(t + q, "の", 3) || !strncmp(t + q, "・", 3))
                        break;
                    q += n;
                    chars++;
                    continue;
                }
                break;
            }
            /* A name in hiragana followed by です or と申します. */
            static const char *const tails[] = {"でございます", "と申します", "です", NULL};
            for (size_t k = 0; tails[k]; k++) {
                size_t tl = strlen(tails[k]);
                if (q - e > tl && !memcmp(t + q - tl, tails[k], tl)) {
                    q -= tl;
                    chars -= tl / 3;
                    break;
                }
            }
            if (!chars || chars > 12)
                break;
            e = q;
            words++;
            if (t[e] != ' ')
                break;
            size_t r = e;
            while (t[r] == ' ')
                r++;
            if (r - e > 1) /* two spaces or more separate fields, not name parts */
                break;
            e = r;
        }
        while (e > s && t[e - 1] == ' ')
            e--;
        if (e > s && !taken(sp, s, e) && add_span(sp, T_NAME, s, e) < 0)
            return HOGO_ENOMEM;
        if (e > p)
            colon = t + e - 1;
    }
    /* Latin names after an English title: Mr. Okada, Ms Hanako Suzuki, Dr. Tanaka. */
    static const char *const titles[] = {"Mr. ", "Ms. ", "Mrs. ", "Dr. ",  "Prof. ",
                                         "Mr ",  "Ms ",  "Mrs ",  "Miss ", NULL};
    for (size_t k = 0; titles[k]; k++)
        for (const char *p = t; (p = strstr(p, titles[k])) != NULL; p++) {
            if (p > t && isalpha((unsigned char)p[-1]))
                continue;
            const char *s = p + strlen(titles[k]), *e = s;
            for (int words = 0; words < 2 && isupper((unsigned char)*e); words++) {
                const char *w = e + 1;
                while (isalpha((unsigned char)*w))
                    w++;
                if (w - e < 2)
                    break;
                e = w;
                if (*e != ' ' || !isupper((unsigned char)e[1]))
                    break;
                e++;
            }
            while (e > s && e[-1] == ' ')
                e--;
            size_t s0 = (size_t)(s - t), e0 = (size_t)(e - t);
            if (e0 > s0 && !taken(sp, s0, e0) && add_span(sp, T_NAME, s0, e0) < 0)
                return HOGO_ENOMEM;
        }
    return 0;
}

/* 1 when the UTF-8 character at p is hiragana (ぁ..ゖ). */
static int hiragana_at(const char *p)
{
    const unsigned char *u = (const unsigned char *)p;
    if (u[0] != 0xE3)
        return 0;
    return (u[1] == 0x81 && u[2] >= 0x81) || (u[1] == 0x82 && u[2] <= 0x96);
}

/* Names written in hiragana before an honorific (くどうさん, はるとくん, はやし先生): the run
 * of hiragana before it, less a leading particle glued to a word before (スタッフのくどう),
 * unless the run is a word that takes さん or ちゃん itself (おじいちゃん, みなさん, わんちゃん). */
static int scan_kana_names(const char *t, size_t len, struct spans *sp)
{
    static const char *const hon[] = {"さん", "くん", "ちゃん", "先生", "様", "氏", NULL};

    static const char *const particles[] = {"の", "は", "が", "を", "に", "と", "も", "へ", "で",
                                            "や", NULL};
    for (size_t i = 3; i < len; i++) {
        unsigned char c = (unsigned char)t[i];
        if (c != 0xE3 && c != 0xE5 && c != 0xE6)
            continue;
        size_t k = 0;
        while (hon[k] && strncmp(t + i, hon[k], strlen(hon[k])))
            k++;
        if (!hon[k] || !hiragana_at(t + i - 3))
            continue;
        {
            const char *h = t + i;
            size_t e = (size_t)(h - t), s0 = e;
            while (s0 >= 3 && hiragana_at(t + s0 - 3) && e - s0 < 8 * 3)
                s0 -= 3;
            if (s0 == e)
                continue;
            /* くん and ちゃん end in hiragana themselves: the run must not eat a longer one. */
            if (s0 >= 3 && hiragana_at(t + s0 - 3))
                continue;
            if (e - s0 >= 6 && s0 > 0 && in_list(particles, t + s0, 3))
                s0 += 3;
            /* A sentence-opening word before the name: やっぱりゆきちゃん, またたなかさん. */
            static const char *const openers[] = {"やっぱり", "やはり", "いつも", "また", "ちょっと",
                                                   "とても", "もう", "まだ", "ぜひ", "あの",
                                                   "この", "その", "でも", "そして", NULL};
            for (size_t o = 0; openers[o]; o++) {
                size_t ol = strlen(openers[o]);
                if (e - s0 >= ol + 6 && !memcmp(t + s0, openers[o], ol)) {
                    s0 += ol;
                    break;
                }
            }
            size_t n = e - s0;
            if (n < 6 || n > 6 * 3 || is_kana_word_before_honorific(t + s0, n) || taken(sp, s0, e))
                continue;
            /* A run that begins a sentence with a particle-like word is not a name. */
            if (add_span(sp, T_NAME, s0, e) < 0)
                return HOGO_ENOMEM;
        }
    }
    return 0;
}

/* 1 when w[0..n) reads as Japanese in Hepburn or Kunrei romanisation (Tanaka, WATANABE,
 * Kenji, Ohno) with at least two morae. */
static int romaji_word(const char *w, size_t n)
{
    static const char *const onset2[] = {"sh", "ch", "ts", "ky", "gy", "ny", "hy", "by", "py",
                                         "my", "ry", "jy", NULL};
    int syllables = 0;
    char c[64];
    if (n < 3 || n >= sizeof c)
        return 0;
    for (size_t i = 0; i < n; i++)
        c[i] = (char)tolower((unsigned char)w[i]);
    c[n] = '\0';
    for (size_t i = 0; i < n;) {
        if (strchr("aiueo", c[i])) {
            i++;
            syllables++;
            continue;
        }
        int next_vowel = i + 1 < n && strchr("aiueo", c[i + 1]);
        if (c[i] == 'n' && !next_vowel && (i + 1 == n || c[i + 1] != 'y')) {
            i++;
            syllables++; /* ん is a mora of its own (Ren, Kenji) */
            continue;
        }
        if (c[i] == 'h' && i > 0 && c[i - 1] == 'o' && !next_vowel) {
            i++;
            continue;
        }
        if (i + 1 < n && (c[i + 1] == c[i] || (c[i] == 't' && c[i + 1] == 'c') ||
                          (c[i] == 'm' && (c[i + 1] == 'b' || c[i + 1] == 'p'))) &&
            strchr("kstpgdbcjmrz", c[i])) {
            i++;
            continue;
        }
        size_t on = 0;
        for (size_t k = 0; onset2[k] && !on; k++)
            if (!strncmp(c + i, onset2[k], 2))
                on = 2;
        if (!on && strchr("kgszjtdnhbpmyrwf", c[i]))
            on = 1;
        if (!on || i + on >= n || !strchr("aiueo", c[i + on]))
            return 0;
        i += on;
    }
    return syllables >= 2;
}

/* Full names in romaji in Japanese text: two capitalised words that both read as Japanese
 * (TANAKA Yuki, Kenji Watanabe). One word alone is left to labels and titles. */
static int scan_romaji_names(const char *t, size_t len, struct spans *sp)
{
    for (size_t i = 0; i < len; i++) {
        if (!isupper((unsigned char)t[i]) || (i > 0 && (isalnum((unsigned char)t[i - 1]) ||
                                                        strchr("@._-/", t[i - 1]))))
            continue;
        size_t a = i;
        while (a < len && isalpha((unsigned char)t[a]))
            a++;
        if (a >= len || t[a] != ' ' || !isupper((unsigned char)t[a + 1]))
            continue;
        size_t b = a + 1;
        while (b < len && isalpha((unsigned char)t[b]))
            b++;
        if ((b < len && (isalnum((unsigned char)t[b]) || strchr("@_-/", t[b]))) ||
            !romaji_word(t + i, a - i) || !romaji_word(t + a + 1, b - a - 1)) {
            i = a;
            continue;
        }
        if (!taken(sp, i, b) && add_span(sp, T_NAME, i, b) < 0)
            return HOGO_ENOMEM;
        i = b;
    }
    return 0;
}

static int cmp_span(const void *a, const void *b)
{
    const struct hogo_deid_span *x = a, *y = b;
    return x->start < y->start ? -1 : x->start > y->start;
}

int hogo_deid_scrub(struct hogo_deid_scrubber *s, const char *text, size_t len, char **out,
                    char **normalized, struct hogo_deid_span **spans_out, size_t *nspans,
                    struct hogo_error *err)
{
    int rc = 0;
    struct spans sp = {0};
    char *res = NULL, *t = NULL;
    size_t *from = NULL, tl = 0;
    if ((rc = normalise_for_matching(text, len, &t, &tl, &from)) < 0)
        return hogo_error_set(err, rc, "",
                              rc == HOGO_EINVAL ? "text is not valid UTF-8; convert it to UTF-8"
                                                : "out of memory");
    /* Most specific first: URLs/e-mail/handles, then numbers, then addresses, then names. */
    if ((rc = scan_email_url_handle(t, tl, &sp)) < 0 || (rc = scan_numbers(t, tl, &sp)) < 0 ||
        (rc = scan_addresses(t, tl, &sp)) < 0 || (rc = scan_labelled_names(t, tl, &sp)) < 0 ||
        (rc = scan_romaji_names(t, tl, &sp)) < 0 || (rc = scan_kana_names(t, tl, &sp)) < 0 ||
        (rc = scan_names(s, t, tl, &sp)) < 0)
        goto oom;
    if (sp.n)
        qsort(sp.v, sp.n, sizeof *sp.v, cmp_span);
    /* Back to input offsets: a span covers the whole input clusters it came from. */
    for (size_t i = 0; i < sp.n; i++) {
        sp.v[i].start = from[sp.v[i].start];
        sp.v[i].end = input_end(from, tl, sp.v[i].end);
    }
    size_t cap = len + sp.n * 32 + 1, o = 0, pos = 0;
    res = malloc(cap);
    if (!res)
        goto oom;
    /* Everything outside a span is copied from the input as it is. */
    for (size_t i = 0; i < sp.n; i++) {
        if (sp.v[i].start < pos) /* clusters shared by two spans: already replaced */
            sp.v[i].start = pos;
        if (sp.v[i].end < sp.v[i].start)
            sp.v[i].end = sp.v[i].start;
        memcpy(res + o, text + pos, sp.v[i].start - pos);
        o += sp.v[i].start - pos;
        o += (size_t)snprintf(res + o, cap - o, "［%s］", sp.v[i].type);
        pos = sp.v[i].end;
    }
    memcpy(res + o, text + pos, len - pos);
    o += len - pos;
    res[o] = '\0';
    *out = res;
    res = NULL;
    if (spans_out) {
        *spans_out = sp.v;
        *nspans = sp.n;
        sp.v = NULL;
    }
    if (normalized) {
        *normalized = t;
        t = NULL;
    }
    goto out;
oom:
    rc = hogo_error_set(err, HOGO_ENOMEM, "", "out of memory scrubbing text");
out:
    free(res);
    free(sp.v);
    free(t);
    free(from);
    return rc;
}
