/*
 * Scrubbing personal data from Japanese free text (reviews, 口コミ, inquiries) before it
 * leaves: names (MeCab + IPADIC 人名 tags, and any noun before an honorific さん/様/氏/…),
 * e-mail addresses, telephone numbers (0X0-…, (03)…, +81…, any dash form), postal codes,
 * addresses (都道府県 or 市区町村 followed by a street number), My Number (12 digits with a
 * valid check digit), URLs and account handles (@name, "ID: name").
 * De-identification layer. The text is NFKC-normalised first (utf8proc), so full-width digits
 * and letters become ASCII; spans are byte offsets into the normalised text.
 */
#include "deid_int.h"

#include <ctype.h>
#include <mecab.h>
#include <stdlib.h>
#include <string.h>

struct hogo_deid_scrubber {
    mecab_t *mecab; /* owned */
};

static const char T_NAME[] = "氏名", T_EMAIL[] = "メールアドレス", T_PHONE[] = "電話番号",
                  T_POSTAL[] = "郵便番号", T_ADDRESS[] = "住所", T_MYNUMBER[] = "個人番号",
                  T_URL[] = "URL", T_ACCOUNT[] = "アカウント";

int hogo_deid_scrubber_new(struct hogo_deid_scrubber **out, struct hogo_error *err)
{
    struct hogo_deid_scrubber *s = calloc(1, sizeof *s);
    if (!s)
        return hogo_error_set(err, HOGO_ENOMEM, "", "out of memory");
    s->mecab = mecab_new2("");
    if (!s->mecab) {
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
    mecab_destroy(s->mecab);
    free(s);
}

/* ---- span list ---- */

struct spans {
    struct hogo_deid_span *v;
    size_t n, cap;
};

static int add_span(struct spans *sp, const char *type, size_t start, size_t end)
{
    if (sp->n == sp->cap) {
        size_t nc = sp->cap ? sp->cap * 2 : 16;
        struct hogo_deid_span *v = realloc(sp->v, nc * sizeof *v);
        if (!v)
            return HOGO_ENOMEM;
        sp->v = v;
        sp->cap = nc;
    }
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

static int scan_numbers(const char *t, size_t len, struct spans *sp)
{
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
            else if (!plus && nd == 12 && (groups == 1 || groups == 3) && mynumber_valid(d))
                type = T_MYNUMBER;
            else if (!plus && d[0] == '0' && (nd == 10 || nd == 11) && groups != 2)
                type = T_PHONE;
            else if (!plus && nd == 7 && groups == 2 && end - start == 8 && t[start + 3] == '-')
                type = T_POSTAL;
            else if (!plus && nd == 7 && groups == 1 && start >= 3 &&
                     !strncmp(t + start - 3, "〒", 3))
                type = T_POSTAL;
        }
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
    /* "ID: name" / "ID:name" / "IDは name" forms (LINE ID, ユーザーID, …). */
    for (const char *p = t; (p = strstr(p, "ID")) != NULL; p += 2) {
        const char *q = p + 2;
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
        if (e - q >= 3) {
            size_t s0 = (size_t)(q - t), e0 = (size_t)(e - t);
            if (!taken(sp, s0, e0) && add_span(sp, T_ACCOUNT, s0, e0) < 0)
                return HOGO_ENOMEM;
        }
    }
    return 0;
}

/* ---- addresses ---- */

/* Length of a street-number part at p: digits joined by 丁目 番地 番 号 の - (at least one
 * number). Returns 0 when there is none. */
static size_t street_number_at(const char *p)
{
    static const char *const joins[] = {"丁目", "番地", "番", "号", "の", "-", "−", "‐", "ー"};
    static const char *const kanji_digits = "一二三四五六七八九十";
    size_t i = 0, last = 0;
    int numbers = 0;
    for (;;) {
        size_t j = i;
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
        /* 番地/号 may end the number. */
        if (!strncmp(p + i - jl, "番地", jl) || !strncmp(p + i - jl, "号", jl) ||
            !strncmp(p + i - jl, "丁目", jl) || !strncmp(p + i - jl, "番", jl))
            last = i;
    }
    return numbers ? last : 0;
}

/* 1 when the UTF-8 char at p is kanji, kana or the 々/ヶ/ケ marks (address-name characters). */
static size_t addr_char_at(const char *p)
{
    unsigned char c = (unsigned char)p[0];
    if (c < 0xE3 || c > 0xE9)
        return 0;
    /* Exclude common particles and punctuation that end an address name. */
    static const char *const stops[] = {"に", "で", "へ", "を", "は", "が", "の", "と", "、", "。",
                                        "から", "まで", "や", "も", "「", "」", "（", "）"};
    for (size_t i = 0; i < sizeof stops / sizeof stops[0]; i++)
        if (!strncmp(p, stops[i], strlen(stops[i])))
            return 0;
    return 3;
}

static int scan_addresses(const char *t, size_t len, struct spans *sp)
{
    static const char *const muni[] = {"市", "区", "町", "村", "郡"};
    for (size_t i = 0; i < len;) {
        int pi;
        size_t pl = hogo__jp_prefecture_at(t + i, &pi);
        size_t start = i, p = i + pl;
        int has_muni = 0;
        if (!pl && (!addr_char_at(t + i) || (i >= 3 && addr_char_at(t + i - 3)))) {
            /* Only start a prefecture-less address at the start of a kanji/kana run. */
            i++;
            while (i < len && ((unsigned char)t[i] & 0xC0) == 0x80)
                i++;
            continue;
        }
        /* Walk address-name characters; remember whether a municipality suffix was seen. */
        size_t q = p, steps = 0;
        while (q < len && steps < 20) {
            size_t c = addr_char_at(t + q);
            if (!c)
                break;
            for (size_t k = 0; k < 5; k++)
                if (!strncmp(t + q, muni[k], 3))
                    has_muni = 1;
            q += c;
            steps++;
        }
        size_t num = (pl || has_muni) ? street_number_at(t + q) : 0;
        /* Also allow "丁目" written with kanji numerals within the name part: handled by
         * street_number_at at q. */
        if ((pl || has_muni) && num > 0 && q > start) {
            size_t end = q + num;
            /* Optional building name + room: e.g. "サンハイツ101号室" is not included. */
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
    static const char *const hon[] = {"さん", "様", "さま", "氏", "くん", "君", "ちゃん", "先生", "殿"};
    for (size_t i = 0; i < sizeof hon / sizeof hon[0]; i++)
        if (strlen(hon[i]) == n && !strncmp(surface, hon[i], n))
            return 1;
    return 0;
}

/* Common nouns that precede さん/様 but are not names (お客様, 店員さん, …). */
static int is_role_noun(const char *s, size_t n)
{
    static const char *const roles[] = {
        "客", "お客", "店員", "スタッフ", "担当", "担当者", "皆", "皆様", "皆さん", "お母",
        "お父", "奥", "旦那", "子供", "子ども", "運転手", "大家", "先方", "相手", "家族",
        "家主", "隣", "近所", "社長", "店長", "女将", "医者", "看護師", "受付", "係", "係員",
        "ドライバー", "オーナー", "お医者", "お子", "息子", "娘", "お嬢", "お兄", "お姉", "彼",
        "上", "神", "仏", "王", "皆々", "各位", "貴", "同", "ホスト", "ゲスト", "職人", "業者",
        "大工", "先輩", "後輩", "友達", "母", "父", "兄", "姉", "弟", "妹", "主人", "ご主人",
        "奥様", "利用者", "会員", "参加者", "購入者", "お隣", "配達員", "作業員", "整備士"};
    for (size_t i = 0; i < sizeof roles / sizeof roles[0]; i++)
        if (strlen(roles[i]) == n && !strncmp(s, roles[i], n))
            return 1;
    return 0;
}

/* 1 when s[0..n) is katakana only (U+30A0..U+30FF). */
static int katakana_only(const char *s, size_t n)
{
    for (size_t i = 0; i + 2 < n + 1 && i < n; i += 3)
        if ((unsigned char)s[i] != 0xE3 || ((unsigned char)s[i + 1] != 0x82 &&
                                            (unsigned char)s[i + 1] != 0x83))
            return 0;
    return n > 0;
}

static int scan_names(struct hogo_deid_scrubber *sc, const char *t, size_t len,
                      struct spans *sp)
{
    const mecab_node_t *node = mecab_sparse_tonode2(sc->mecab, t, len);
    if (!node)
        return 0;
    size_t run_start = 0, run_end = 0;
    int in_run = 0, run_is_person = 0;
    /* Candidate run: consecutive nouns (固有名詞 or unknown or katakana) that either carry a
     * 人名 tag or are followed by an honorific. */
    for (const mecab_node_t *n = node; n; n = n->next) {
        if (n->stat == MECAB_BOS_NODE)
            continue;
        size_t off = n->stat == MECAB_EOS_NODE ? len : (size_t)(n->surface - t);
        const char *f = n->feature ? n->feature : "";
        int person = strstr(f, "固有名詞,人名") != NULL;
        int proper = strncmp(f, "名詞,固有名詞", strlen("名詞,固有名詞")) == 0;
        int unknown = n->stat == MECAB_UNK_NODE && strncmp(f, "名詞", strlen("名詞")) == 0;
        int general_noun = strncmp(f, "名詞,一般", strlen("名詞,一般")) == 0;
        int is_nounish = n->stat != MECAB_EOS_NODE && (person || proper || unknown || general_noun);
        int hon = n->stat != MECAB_EOS_NODE && is_honorific(n->surface, n->length);
        /* Katakana-only nouns: given names written in katakana ("マイク"). */
        if (in_run && (hon || !is_nounish)) {
            int keep = run_is_person || hon;
            if (hon && is_role_noun(t + run_start, run_end - run_start))
                keep = 0;
            if (keep && !hon && !run_is_person)
                keep = 0;
            if (keep && !taken(sp, run_start, run_end) &&
                add_span(sp, T_NAME, run_start, run_end) < 0)
                return HOGO_ENOMEM;
            in_run = 0;
        }
        if (n->stat == MECAB_EOS_NODE)
            break;
        if (is_nounish && !hon) {
            /* Person runs: start a run at a 人名 token; general nouns start one only when an
             * honorific may follow (decided when the run ends). */
            if (!in_run) {
                in_run = 1;
                run_start = off;
                run_is_person = 0;
            } else if (!person && run_is_person && !proper && !unknown) {
                /* A general noun after a person name ends the name (山田部長 → 山田); a
                 * katakana "name" glued to a noun is a word part (マイ|ナンバー). */
                int keep = !katakana_only(t + run_start, run_end - run_start);
                if (keep && !taken(sp, run_start, run_end) &&
                    add_span(sp, T_NAME, run_start, run_end) < 0)
                    return HOGO_ENOMEM;
                run_start = off;
                run_is_person = 0;
            }
            run_is_person |= person;
            run_end = off + n->length;
            /* Only 人名 tokens and tokens before an honorific make names; drop runs of
             * general nouns longer than 3 tokens. */
        }
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
    int rc = 0, bad = 0;
    struct spans sp = {0};
    char *res = NULL;
    char *t = hogo__nfkc(text, len, &bad);
    if (!t)
        return hogo_error_set(err, bad ? HOGO_EINVAL : HOGO_ENOMEM, "",
                              bad ? "text is not valid UTF-8; convert it to UTF-8"
                                  : "out of memory");
    size_t tl = strlen(t);
    /* Most specific first: URLs/e-mail/handles, then numbers, then addresses, then names. */
    if ((rc = scan_email_url_handle(t, tl, &sp)) < 0 || (rc = scan_numbers(t, tl, &sp)) < 0 ||
        (rc = scan_addresses(t, tl, &sp)) < 0 || (rc = scan_names(s, t, tl, &sp)) < 0)
        goto oom;
    if (sp.n)
        qsort(sp.v, sp.n, sizeof *sp.v, cmp_span);
    size_t cap = tl + sp.n * 32 + 1, o = 0, pos = 0;
    res = malloc(cap);
    if (!res)
        goto oom;
    for (size_t i = 0; i < sp.n; i++) {
        memcpy(res + o, t + pos, sp.v[i].start - pos);
        o += sp.v[i].start - pos;
        o += (size_t)snprintf(res + o, cap - o, "［%s］", sp.v[i].type);
        pos = sp.v[i].end;
    }
    memcpy(res + o, t + pos, tl - pos);
    o += tl - pos;
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
    return rc;
}
