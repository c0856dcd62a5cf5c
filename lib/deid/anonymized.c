/*
 * Anonymously processed information (匿名加工情報, APPI Art. 43): what the law requires once an
 * anonymised table is declared as such — the list of the items of information about
 * individuals it contains, to publish (Art. 43(3), Rules Art. 36), and the notice to the
 * recipient that the data is anonymously processed information, with its items and the
 * method of provision (Art. 43(4), Rules Art. 37), and the same as JSON for the ledger record
 * of the release. De-identification layer; the texts are written from the result of
 * hogo_deid_anonymize (which columns leave, and how each was processed).
 */
#include "deid_int.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <yajl/yajl_gen.h>

/* How column c of r leaves: 0 = removed, 1 = generalised QI, 2 = sensitive (as it is),
 * 3 = kept as it is; *qi gets the QI index for 1. */
static int column_fate(const struct hogo_deid_result *r, size_t c, size_t *qi)
{
    if (r->drop[c])
        return 0;
    for (size_t a = 0; a < r->q; a++)
        if ((size_t)r->qcols[a] == c) {
            *qi = a;
            return 1;
        }
    for (size_t j = 0; j < r->models.nsm; j++)
        if ((size_t)r->scols[j] == c)
            return 2;
    return 3;
}

static void today(char out[11])
{
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(out, 11, "%Y-%m-%d", &tm);
}

/* One item's processing in Japanese and English into ja/en. */
static void describe(const struct hogo_deid_result *r, size_t c, char *ja, size_t jcap, char *en,
                     size_t ecap)
{
    size_t a = 0;
    switch (column_fate(r, c, &a)) {
    case 1: {
        const struct hogo__hier *h = r->hiers[a];
        int top = h->nlevels - 1;
        if (r->levels[a] == 0) {
            snprintf(ja, jcap, "値のまま（一般化なし）");
            snprintf(en, ecap, "as recorded (not generalised)");
        } else if (r->levels[a] == top) {
            snprintf(ja, jcap, "すべて「%s」に置換", hogo__hier_label(h, 0, top));
            snprintf(en, ecap, "every value replaced by \"%s\"", hogo__hier_label(h, 0, top));
        } else {
            snprintf(ja, jcap, "一般化（%d段階中%d段階目、例: %s → %s）", top, r->levels[a],
                     hogo__hier_label(h, 0, 0), hogo__hier_label(h, 0, r->levels[a]));
            snprintf(en, ecap, "generalised (level %d of %d, e.g. %s -> %s)", r->levels[a], top,
                     hogo__hier_label(h, 0, 0), hogo__hier_label(h, 0, r->levels[a]));
        }
        break;
    }
    case 2:
        snprintf(ja, jcap, "値のまま（機微な属性。各グループで多様性を確保）");
        snprintf(en, ecap, "as recorded (sensitive attribute, diverse within every group)");
        break;
    default:
        snprintf(ja, jcap, "値のまま（識別子を含まないことを確認済み）");
        snprintf(en, ecap, "as recorded (checked to hold no identifier)");
        break;
    }
}

static const char *or_default(const char *s, const char *d)
{
    return s && *s ? s : d;
}

int hogo_deid_result_write_items(const struct hogo_deid_result *r,
                                 const struct hogo_deid_release_info *info, FILE *out,
                                 struct hogo_error *err)
{
    char date[11], ja[512], en[512];
    if (info && info->created)
        snprintf(date, sizeof date, "%s", info->created);
    else
        today(date);
    fprintf(out, "# 匿名加工情報に含まれる個人に関する情報の項目\n\n");
    fprintf(out, "Items of information about individuals contained in anonymously processed "
                 "information (APPI Art. 43(3), Rules Art. 36)\n\n");
    fprintf(out, "- 作成した事業者 / created by: %s\n",
            or_default(info ? info->operator_name : NULL, "（記載なし / not given）"));
    fprintf(out, "- 作成日 / created: %s\n", date);
    if (info && info->method)
        fprintf(out, "- 提供の方法 / method of provision: %s\n", info->method);
    fprintf(out, "- 件数 / records: %zu（うち%zu件は準識別子をすべて削除 / of which %zu with every "
                 "quasi-identifier removed）\n\n",
            r->csv.nrows, r->search.best.suppressed, r->search.best.suppressed);
    fprintf(out, "| 項目 / item | 加工の方法 / processing |\n|---|---|\n");
    for (size_t c = 0; c < r->csv.ncols; c++) {
        if (r->drop[c])
            continue;
        describe(r, c, ja, sizeof ja, en, sizeof en);
        fprintf(out, "| %s | %s / %s |\n", r->csv.header[c], ja, en);
    }
    fprintf(out, "\n氏名など特定の個人を識別できる記述等と個人識別符号は削除しています（Rules Art. 34）。"
                 "\nNames and other descriptions identifying a person, and identification codes, "
                 "have been deleted (Rules Art. 34).\n");
    if (ferror(out))
        return hogo_error_set(err, HOGO_EIO, "", "writing the items list failed");
    return 0;
}

int hogo_deid_result_write_notice(const struct hogo_deid_result *r,
                                  const struct hogo_deid_release_info *info, FILE *out,
                                  struct hogo_error *err)
{
    char ja[512], en[512];
    fprintf(out, "# 匿名加工情報である旨の明示 / Notice: anonymously processed information\n\n");
    fprintf(out, "%s 様\n\n", or_default(info ? info->recipient_name : NULL, "提供先"));
    fprintf(out, "今回提供する情報は、個人情報の保護に関する法律第43条第1項の匿名加工情報です"
                 "（同条第4項、施行規則第37条）。\n");
    fprintf(out, "The data provided is anonymously processed information under Art. 43(1) of "
                 "the Act on the Protection of Personal Information (Art. 43(4), Rules Art. "
                 "37).\n\n");
    fprintf(out, "- 提供者 / provided by: %s\n",
            or_default(info ? info->operator_name : NULL, "（記載なし / not given）"));
    fprintf(out, "- 提供の方法 / method of provision: %s\n",
            or_default(info ? info->method : NULL, "（記載なし / not given）"));
    fprintf(out, "- 件数 / records: %zu\n\n", r->csv.nrows);
    fprintf(out, "含まれる個人に関する情報の項目 / items contained:\n\n");
    for (size_t c = 0; c < r->csv.ncols; c++) {
        if (r->drop[c])
            continue;
        describe(r, c, ja, sizeof ja, en, sizeof en);
        fprintf(out, "- %s: %s / %s\n", r->csv.header[c], ja, en);
    }
    fprintf(out, "\n受領者は、本人を識別するために、この情報を他の情報と照合したり、削除された記述等"
                 "や加工の方法に関する情報を取得したりしてはなりません（法第45条）。\n"
                 "The recipient must not, to identify a person, match this data with other "
                 "information or obtain the deleted descriptions or the information on how it was "
                 "processed (Art. 45).\n");
    if (ferror(out))
        return hogo_error_set(err, HOGO_EIO, "", "writing the notice failed");
    return 0;
}

#define GSTR(g, s) yajl_gen_string(g, (const unsigned char *)(s), strlen(s))

int hogo_deid_result_release_json(const struct hogo_deid_result *r,
                                  const struct hogo_deid_release_info *info, char **json,
                                  struct hogo_error *err)
{
    char ja[512], en[512], date[11];
    yajl_gen g = yajl_gen_alloc(NULL);
    if (!g)
        return hogo_error_set(err, HOGO_ENOMEM, "", "out of memory");
    if (info && info->created)
        snprintf(date, sizeof date, "%s", info->created);
    else
        today(date);
    yajl_gen_map_open(g);
    GSTR(g, "form");
    GSTR(g, "anonymized");
    GSTR(g, "created");
    GSTR(g, date);
    GSTR(g, "rows");
    yajl_gen_integer(g, (long long)r->csv.nrows);
    GSTR(g, "method");
    if (info && info->method)
        GSTR(g, info->method);
    else
        yajl_gen_null(g);
    GSTR(g, "items");
    yajl_gen_array_open(g);
    for (size_t c = 0; c < r->csv.ncols; c++) {
        if (r->drop[c])
            continue;
        describe(r, c, ja, sizeof ja, en, sizeof en);
        yajl_gen_map_open(g);
        GSTR(g, "column");
        GSTR(g, r->csv.header[c]);
        GSTR(g, "processing");
        GSTR(g, en);
        yajl_gen_map_close(g);
    }
    yajl_gen_array_close(g);
    GSTR(g, "removed");
    yajl_gen_array_open(g);
    for (size_t c = 0; c < r->csv.ncols; c++)
        if (r->drop[c])
            GSTR(g, r->csv.header[c]);
    yajl_gen_array_close(g);
    GSTR(g, "obligations");
    yajl_gen_array_open(g);
    GSTR(g, "publish_anonymized_items");
    GSTR(g, "notify_anonymized_recipient");
    yajl_gen_array_close(g);
    yajl_gen_map_close(g);
    const unsigned char *buf;
    size_t len;
    yajl_gen_get_buf(g, &buf, &len);
    *json = strndup((const char *)buf, len);
    yajl_gen_free(g);
    if (!*json)
        return hogo_error_set(err, HOGO_ENOMEM, "", "out of memory");
    return 0;
}
