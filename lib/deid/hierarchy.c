/*
 * Generalisation hierarchies: loaded from CSV files (one row per original value, column 0 =
 * the value, then one label per level up to "*") or built in (age → 5-year band → 年代 → *,
 * date → month → year → *, 郵便番号 → 3-digit prefix → 1-digit prefix → *, 住所 → 市区町村 →
 * 都道府県 → 地方 → *). Also the list of the 47 prefectures and their regions.
 * De-identification layer.
 */
#include "deid_int.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static const char *const prefectures[47] = {
    "北海道", "青森県", "岩手県", "宮城県", "秋田県", "山形県", "福島県", "茨城県", "栃木県",
    "群馬県", "埼玉県", "千葉県", "東京都", "神奈川県", "新潟県", "富山県", "石川県", "福井県",
    "山梨県", "長野県", "岐阜県", "静岡県", "愛知県", "三重県", "滋賀県", "京都府", "大阪府",
    "兵庫県", "奈良県", "和歌山県", "鳥取県", "島根県", "岡山県", "広島県", "山口県", "徳島県",
    "香川県", "愛媛県", "高知県", "福岡県", "佐賀県", "長崎県", "熊本県", "大分県", "宮崎県",
    "鹿児島県", "沖縄県"};

/* Region of each prefecture (index into regions). */
static const unsigned char pref_region[47] = {0, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 3, 3,
                                              3, 3, 3, 3, 3, 3, 3, 4, 4, 4, 4, 4, 4, 4, 5, 5,
                                              5, 5, 5, 6, 6, 6, 6, 7, 7, 7, 7, 7, 7, 7, 7};
static const char *const regions[8] = {"北海道地方", "東北地方", "関東地方", "中部地方",
                                       "近畿地方",   "中国地方", "四国地方", "九州・沖縄地方"};

size_t hogo__jp_prefecture_at(const char *s, int *index)
{
    for (int i = 0; i < 47; i++) {
        size_t n = strlen(prefectures[i]);
        if (!strncmp(s, prefectures[i], n)) {
            *index = i;
            return n;
        }
    }
    return 0;
}

const char *hogo__jp_prefecture_name(int i)
{
    return prefectures[i];
}

const char *hogo__jp_region_name(int i)
{
    return regions[pref_region[i]];
}

void hogo__hier_release(struct hogo__hier *h)
{
    if (h->labels)
        for (size_t i = 0; i < h->nrows * (size_t)h->nlevels; i++)
            free(h->labels[i]);
    free(h->labels);
    hogo__dict_release(&h->index);
    memset(h, 0, sizeof *h);
}

/* Checks that the hierarchy is a tree: a label at level l always generalises to the same
 * label at level l+1 (otherwise the levels are not a function of each other). */
static int check_tree(struct hogo__hier *h, struct hogo_error *err)
{
    int rc = 0;
    for (int l = 1; l + 1 < h->nlevels; l++) {
        struct hogo__dict d;
        hogo__dict_init(&d);
        size_t *first = calloc(h->nrows, sizeof *first);
        if (!first) {
            hogo__dict_release(&d);
            return hogo_error_set(err, HOGO_ENOMEM, h->name, "out of memory");
        }
        for (size_t r = 0; r < h->nrows && rc == 0; r++) {
            long id = hogo__dict_add(&d, hogo__hier_label(h, r, l));
            if (id < 0) {
                rc = hogo_error_set(err, HOGO_ENOMEM, h->name, "out of memory");
                break;
            }
            if ((size_t)id + 1 == d.n) {
                first[id] = r;
                continue;
            }
            size_t f = first[id];
            if (strcmp(hogo__hier_label(h, f, l + 1), hogo__hier_label(h, r, l + 1))) {
                char where[300];
                snprintf(where, sizeof where, "%s:%zu", h->name, r + 1);
                rc = hogo_error_set(err, HOGO_EINVAL, where,
                                    "hierarchy '%s' is not a tree: '%s' at level %d becomes "
                                    "'%s' on line %zu but '%s' on line %zu; give it one parent",
                                    h->name, hogo__hier_label(h, r, l), l,
                                    hogo__hier_label(h, f, l + 1), f + 1,
                                    hogo__hier_label(h, r, l + 1), r + 1);
            }
        }
        free(first);
        hogo__dict_release(&d);
        if (rc < 0)
            return rc;
    }
    return 0;
}

int hogo__hier_from_rows(struct hogo__hier *h, const char *name, char **cells, size_t nrows,
                         size_t ncols, struct hogo_error *err)
{
    int rc = 0;
    char where[300];
    memset(h, 0, sizeof *h);
    hogo__dict_init(&h->index);
    snprintf(h->name, sizeof h->name, "%s", name);
    if (nrows == 0 || ncols == 0)
        return hogo_error_set(err, HOGO_EINVAL, name, "hierarchy '%s' is empty; give one row "
                              "per value: value;level1;...;*", name);
    h->nrows = nrows;
    h->nlevels = (int)ncols;
    h->labels = calloc(nrows * ncols, sizeof(char *));
    if (!h->labels)
        goto oom;
    for (size_t r = 0; r < nrows; r++) {
        for (size_t c = 0; c < ncols; c++)
            if (!(h->labels[r * ncols + c] = strdup(cells[r * ncols + c])))
                goto oom;
        long before = (long)h->index.n;
        long id = hogo__dict_add(&h->index, cells[r * ncols]);
        if (id < 0)
            goto oom;
        if (id < before) {
            snprintf(where, sizeof where, "%s:%zu", name, r + 1);
            rc = hogo_error_set(err, HOGO_EINVAL, where,
                                "value '%s' appears twice in hierarchy '%s' (line %zu); keep "
                                "one row per value", cells[r * ncols], name, r + 1);
            goto out;
        }
    }
    rc = check_tree(h, err);
    goto out;
oom:
    rc = hogo_error_set(err, HOGO_ENOMEM, name, "out of memory building hierarchy '%s'", name);
out:
    if (rc < 0)
        hogo__hier_release(h);
    return rc;
}

int hogo__hier_load(struct hogo__hier *h, const char *path, struct hogo_error *err)
{
    /* Hierarchy files have no header: parse with a synthetic header line prepended. */
    char *text = NULL;
    size_t len = 0;
    struct hogo__csv csv;
    int rc = hogo_read_file(path, HOGO_READ_UNLIMITED, &text, &len, err);
    if (rc < 0)
        return rc;
    char sep = ';';
    size_t semis = 0, commas = 0;
    for (size_t i = 0; i < len && text[i] != '\n'; i++) {
        semis += text[i] == ';';
        commas += text[i] == ',';
    }
    if (commas > semis)
        sep = ',';
    rc = hogo__csv_parse(&csv, text, len, path, sep, err);
    free(text);
    if (rc < 0)
        return rc;
    /* The parser took row 1 as the header: rebuild the row list with it first. */
    size_t n = csv.nrows + 1;
    char **cells = malloc(n * csv.ncols * sizeof *cells);
    if (!cells) {
        hogo__csv_release(&csv);
        return hogo_error_set(err, HOGO_ENOMEM, path, "out of memory");
    }
    memcpy(cells, csv.header, csv.ncols * sizeof *cells);
    memcpy(cells + csv.ncols, csv.cells, csv.nrows * csv.ncols * sizeof *cells);
    rc = hogo__hier_from_rows(h, path, cells, n, csv.ncols, err);
    free(cells);
    hogo__csv_release(&csv);
    return rc;
}

/* ---- built-in hierarchies ---- */

static int parse_uint(const char *s, long *out)
{
    char *end;
    while (*s == ' ')
        s++;
    if (!isdigit((unsigned char)*s))
        return -1;
    long v = strtol(s, &end, 10);
    while (*end == ' ')
        end++;
    if (*end || v < 0 || v > 200)
        return -1;
    *out = v;
    return 0;
}

/* Municipality (市区町村) part of an NFKC address after the prefecture: up to the first 市
 * (plus a following ward 区), else the first 区, 町 or 村; empty when none is found. */
static size_t municipality_len(const char *s)
{
    static const char *const ends[] = {"市", "区", "町", "村"};
    const char *best = NULL;
    for (int k = 0; k < 4 && !best; k++) {
        const char *p = strstr(s, ends[k]);
        /* Take 郡 … 町/村 whole. */
        if (p)
            best = p + strlen(ends[k]);
        if (best && k == 0) {
            const char *ward = strstr(best, "区");
            if (ward && ward - best <= 12)
                best = ward + strlen("区");
        }
    }
    return best ? (size_t)(best - s) : 0;
}

int hogo__hier_builtin(struct hogo__hier *h, const char *kind, char **values, size_t nvalues,
                       struct hogo_error *err)
{
    int rc = 0;
    int levels;
    char where[300];
    char **cells = NULL;
    char *buf = NULL;
    if (!strcmp(kind, "age") || !strcmp(kind, "date") || !strcmp(kind, "postal_code") ||
        !strcmp(kind, "address"))
        levels = kind[0] == 'a' && kind[1] == 'g' ? 4 : kind[0] == 'a' ? 5 : 4;
    else
        return hogo_error_set(err, HOGO_EINVAL, kind,
                              "unknown built-in hierarchy '%s'; use age, date, postal_code or "
                              "address", kind);
    const size_t lab = 96;
    cells = calloc(nvalues * (size_t)levels, sizeof *cells);
    buf = calloc(nvalues * (size_t)levels, lab);
    if (!cells || !buf) {
        rc = hogo_error_set(err, HOGO_ENOMEM, kind, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < nvalues; i++) {
        const char *v = values[i];
        char *row = buf + i * (size_t)levels * lab;
        for (int l = 0; l < levels; l++)
            cells[i * (size_t)levels + (size_t)l] = row + (size_t)l * lab;
        cells[i * (size_t)levels] = values[i]; /* level 0: the value itself, any length */
        snprintf(row + (size_t)(levels - 1) * lab, lab, "*");
        if (!strcmp(kind, "age")) {
            long a;
            if (parse_uint(v, &a) < 0) {
                rc = hogo_error_set(err, HOGO_EINVAL, kind,
                                    "value '%s' is not an age (0-200) for the built-in age "
                                    "hierarchy; fix the data or give a hierarchy file", v);
                goto out;
            }
            snprintf(row + lab, lab, "%ld-%ld", a / 5 * 5, a / 5 * 5 + 4);
            snprintf(row + 2 * lab, lab, "%ld代", a / 10 * 10);
        } else if (!strcmp(kind, "date")) {
            /* YYYY-MM-DD or YYYY/MM/DD. */
            int ok = strlen(v) >= 10;
            for (int k = 0; ok && k < 10; k++)
                ok = (k == 4 || k == 7) ? (v[k] == '-' || v[k] == '/')
                                        : isdigit((unsigned char)v[k]);
            if (!ok) {
                rc = hogo_error_set(err, HOGO_EINVAL, kind,
                                    "value '%s' is not a date YYYY-MM-DD for the built-in date "
                                    "hierarchy; fix the data or give a hierarchy file", v);
                goto out;
            }
            snprintf(row + lab, lab, "%.4s-%.2s", v, v + 5);
            snprintf(row + 2 * lab, lab, "%.4s", v);
        } else if (!strcmp(kind, "postal_code")) {
            char d[8];
            int nd = 0;
            const char *p = v;
            if (!strncmp(p, "〒", strlen("〒")))
                p += strlen("〒");
            for (; *p && nd < 8; p++) {
                if (isdigit((unsigned char)*p))
                    d[nd++] = *p;
                else if (*p != '-')
                    break;
            }
            if (nd != 7 || *p) {
                rc = hogo_error_set(err, HOGO_EINVAL, kind,
                                    "value '%s' is not a postal code NNN-NNNN for the built-in "
                                    "postal_code hierarchy; fix the data", v);
                goto out;
            }
            snprintf(row + lab, lab, "%.3s-****", d);
            snprintf(row + 2 * lab, lab, "%c**-****", d[0]);
        } else {
            int pi;
            int bad = 0;
            char *norm = hogo__nfkc(v, strlen(v), &bad);
            if (!norm) {
                rc = hogo_error_set(err, bad ? HOGO_EINVAL : HOGO_ENOMEM, kind,
                                    "address '%s' is not valid UTF-8", v);
                goto out;
            }
            size_t pl = hogo__jp_prefecture_at(norm, &pi);
            if (!pl) {
                free(norm);
                rc = hogo_error_set(err, HOGO_EINVAL, kind,
                                    "address '%s' does not start with a prefecture (都道府県) "
                                    "for the built-in address hierarchy; write it in full", v);
                goto out;
            }
            size_t ml = municipality_len(norm + pl);
            snprintf(row + lab, lab, "%.*s", (int)(pl + ml < lab - 1 ? pl + ml : lab - 1), norm);
            snprintf(row + 2 * lab, lab, "%s", hogo__jp_prefecture_name(pi));
            snprintf(row + 3 * lab, lab, "%s", hogo__jp_region_name(pi));
            free(norm);
        }
    }
    snprintf(where, sizeof where, "builtin:%s", kind);
    rc = hogo__hier_from_rows(h, where, cells, nvalues, (size_t)levels, err);
out:
    free(cells);
    free(buf);
    return rc;
}
