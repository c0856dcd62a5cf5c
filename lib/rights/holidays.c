/*
 * Working days in Japan, for the deadlines of breach reports (APPI Rules Art. 8: a deadline
 * that falls on a holiday moves to the next working day). Rights layer.
 * Non-working days: Saturdays and Sundays, the national holidays of the 国民の祝日に関する法律
 * (including substitute holidays 振替休日 and the 国民の休日 between two holidays) for
 * 2024-2027, as promulgated (the equinox days of 2027 were announced in February 2026), and
 * the year-end closure of state offices, 29 December to 3 January (行政機関の休日に関する
 * 法律 Art. 1). A year outside the table is refused rather than guessed.
 */
#include "rights_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define FIRST_YEAR 2024
#define LAST_YEAR 2027

static const char *const holidays[] = {
    "2024-01-01", "2024-01-08", "2024-02-11", "2024-02-12", "2024-02-23", "2024-03-20",
    "2024-04-29", "2024-05-03", "2024-05-04", "2024-05-05", "2024-05-06", "2024-07-15",
    "2024-08-11", "2024-08-12", "2024-09-16", "2024-09-22", "2024-09-23", "2024-10-14",
    "2024-11-03", "2024-11-04", "2024-11-23", "2025-01-01", "2025-01-13", "2025-02-11",
    "2025-02-23", "2025-02-24", "2025-03-20", "2025-04-29", "2025-05-03", "2025-05-04",
    "2025-05-05", "2025-05-06", "2025-07-21", "2025-08-11", "2025-09-15", "2025-09-23",
    "2025-10-13", "2025-11-03", "2025-11-23", "2025-11-24", "2026-01-01", "2026-01-12",
    "2026-02-11", "2026-02-23", "2026-03-20", "2026-04-29", "2026-05-03", "2026-05-04",
    "2026-05-05", "2026-05-06", "2026-07-20", "2026-08-11", "2026-09-21", "2026-09-22",
    "2026-09-23", "2026-10-12", "2026-11-03", "2026-11-23", "2027-01-01", "2027-01-11",
    "2027-02-11", "2027-02-23", "2027-03-21", "2027-03-22", "2027-04-29", "2027-05-03",
    "2027-05-04", "2027-05-05", "2027-07-19", "2027-08-11", "2027-09-20", "2027-09-23",
    "2027-10-11", "2027-11-03", "2027-11-23",
};
#define N_HOLIDAYS (sizeof holidays / sizeof holidays[0])

void hogo_holiday_years(int *first, int *last)
{
    *first = FIRST_YEAR;
    *last = LAST_YEAR;
}

/* Parses YYYY-MM-DD into a day count since the epoch; -1 when malformed. */
static int parse_day(const char *s, int64_t *days)
{
    int y, m, d;
    char tail;
    if (!s || strlen(s) != 10 || sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 ||
        s[4] != '-' || s[7] != '-' || m < 1 || m > 12 || d < 1 || d > 31)
        return -1;
    struct tm tm = {.tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = d, .tm_hour = 12};
    time_t t = timegm(&tm);
    struct tm back;
    gmtime_r(&t, &back);
    if (back.tm_mday != d || back.tm_mon != m - 1) /* 2026-02-30 */
        return -1;
    *days = (int64_t)(t / 86400);
    return 0;
}

static void format_day(int64_t days, char out[11])
{
    time_t t = (time_t)(days * 86400 + 43200);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 11, "%Y-%m-%d", &tm);
}

/* 1 not a working day, 0 a working day, -1 outside the table. */
static int day_off(int64_t days)
{
    char s[11];
    format_day(days, s);
    int y = atoi(s);
    if (y < FIRST_YEAR || y > LAST_YEAR)
        return -1;
    int wday = (int)((days + 4) % 7); /* 1970-01-01 was a Thursday (4) */
    if (wday == 0 || wday == 6)
        return 1;
    if (!strcmp(s + 5, "12-29") || !strcmp(s + 5, "12-30") || !strcmp(s + 5, "12-31") ||
        !strcmp(s + 5, "01-01") || !strcmp(s + 5, "01-02") || !strcmp(s + 5, "01-03"))
        return 1;
    for (size_t i = 0; i < N_HOLIDAYS; i++)
        if (!strcmp(holidays[i], s))
            return 1;
    return 0;
}

int hogo_is_holiday(const char *date)
{
    int64_t days;
    if (parse_day(date, &days) < 0)
        return -1;
    return day_off(days);
}

int hogo_deadline_day(const char *day_one, int n, char out[11], struct hogo_error *err)
{
    int64_t days;
    if (parse_day(day_one, &days) < 0)
        return hogo_error_set(err, HOGO_EINVAL, NULL,
                              "date '%s' is not a calendar date written YYYY-MM-DD",
                              day_one ? day_one : "");
    if (n < 1)
        return hogo_error_set(err, HOGO_EINVAL, NULL, "day %d: days count from 1", n);
    days += n - 1; /* the day of learning is day 1 */
    for (int guard = 0;; guard++) {
        int off = day_off(days);
        if (off < 0) {
            char s[11];
            format_day(days, s);
            return hogo_error_set(err, HOGO_ELIMIT, NULL,
                                  "deadline day %s is outside the holiday table (%d-%d); the "
                                  "table in lib/rights/holidays.c needs that year's holidays",
                                  s, FIRST_YEAR, LAST_YEAR);
        }
        if (!off || guard > 30)
            break;
        days++;
    }
    format_day(days, out);
    return 0;
}
