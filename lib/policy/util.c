/*
 * Small shared routines of the policy and decision layers: reading files, checking corporate
 * numbers (法人番号), and parsing the dates and instants that select a policy version.
 * Policy layer (private; declared in policy_int.h).
 */
#include "policy_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static int digits(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

static int days_in_month(int y, int m)
{
    static const int d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 29;
    return d[m - 1];
}

static int parse_date(const char *s, struct tm *tm)
{
    int y = digits(s, 4), mo = digits(s + 5, 2), d = digits(s + 8, 2);
    if (y < 1900 || s[4] != '-' || s[7] != '-' || mo < 1 || mo > 12 || d < 1 ||
        d > days_in_month(y, mo))
        return -1;
    memset(tm, 0, sizeof *tm);
    tm->tm_year = y - 1900;
    tm->tm_mon = mo - 1;
    tm->tm_mday = d;
    return 0;
}

int hogo__parse_jst_date(const char *s, int64_t *t)
{
    struct tm tm;
    if (strlen(s) != 10 || parse_date(s, &tm))
        return -1;
    *t = (int64_t)timegm(&tm) - 9 * 3600;
    return 0;
}

int hogo__parse_rfc3339(const char *s, size_t len, int64_t *t)
{
    struct tm tm;
    char buf[64];
    if (len < 20 || len >= sizeof buf)
        return -1;
    memcpy(buf, s, len);
    buf[len] = '\0';
    if (parse_date(buf, &tm) || (buf[10] != 'T' && buf[10] != 't' && buf[10] != ' '))
        return -1;
    int h = digits(buf + 11, 2), mi = digits(buf + 14, 2), sec = digits(buf + 17, 2);
    if (h < 0 || h > 23 || buf[13] != ':' || mi < 0 || mi > 59 || buf[16] != ':' || sec < 0 ||
        sec > 60)
        return -1;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = sec;
    size_t i = 19;
    if (buf[i] == '.') {
        i++;
        if (buf[i] < '0' || buf[i] > '9')
            return -1;
        while (buf[i] >= '0' && buf[i] <= '9')
            i++;
    }
    int offset = 0;
    if ((buf[i] == 'Z' || buf[i] == 'z') && buf[i + 1] == '\0') {
        offset = 0;
    } else if ((buf[i] == '+' || buf[i] == '-') && len - i == 6 && buf[i + 3] == ':') {
        int oh = digits(buf + i + 1, 2), om = digits(buf + i + 4, 2);
        if (oh < 0 || oh > 23 || om < 0 || om > 59)
            return -1;
        offset = (oh * 60 + om) * 60 * (buf[i] == '-' ? -1 : 1);
    } else {
        return -1;
    }
    *t = (int64_t)timegm(&tm) - offset;
    return 0;
}

bool hogo__equivalent_regime(const char *country)
{
    static const char *const list[] = {"AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR",
                                       "DE", "GR", "HU", "IE", "IT", "LV", "LT", "LU", "MT", "NL",
                                       "PL", "PT", "RO", "SK", "SI", "ES", "SE", "IS", "LI", "NO",
                                       "GB"};
    for (size_t i = 0; i < sizeof list / sizeof list[0]; i++)
        if (!strcmp(list[i], country))
            return true;
    return false;
}
