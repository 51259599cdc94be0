// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Time in libesprim: "now", and the absolute oneM2M timestamps of esrx
 * ("YYYYMMDDTHHMMSS" with an optional ",fraction" or ".fraction" and an
 * optional 'Z', always UTC).
 *
 *   int64_t esprim_now_ms(void);
 *	Unix milliseconds (public, esprim.h).
 *   bool esprim_time_parse(const char *s, size_t n, int64_t *ms);
 *	Exactly the n characters at s (no NUL needed) as a timestamp;
 *	false for anything else, a date that does not exist included.
 *   int esprim_time_format(int64_t ms, char out[16]);
 *	"YYYYMMDDTHHMMSS" (whole seconds, rounded down); 0, or -1 with
 *	out "" when ms is negative or past the year 9999.
 *   bool esprim_time_add(int64_t now_ms, int64_t rel_ms, int64_t *out);
 *	now + rel; false on signed overflow.
 *
 * Dates are converted with integer arithmetic on int64_t rather than
 * timegm()/gmtime_r(): where time_t is 32 bits (armhf) those stop at
 * 2038, and expiries of rand objects are routinely later.  Leap seconds
 * do not exist in Unix time, so a seconds field of 60 is refused.
 */
#include <stdio.h>
#include <time.h>

#include "esprim_internal.h"

#define ESPRIM_MS_PER_DAY	(86400 * (int64_t)1000)
#define ESPRIM_YEAR_MIN		1970
#define ESPRIM_YEAR_MAX		9999

int64_t esprim_now_ms(void)
{
	struct timespec ts;

	/*
	 * Every seal and open asks: the coarse clock (a tick, a few ms, of
	 * resolution) costs a fifth of the precise one, and expiries are
	 * whole seconds on the wire.
	 */
	if (clock_gettime(CLOCK_REALTIME_COARSE, &ts))
		clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static bool esprim_leap_year(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int esprim_month_days(int64_t y, int mon)
{
	static const unsigned char days[12] = { 31, 28, 31, 30, 31, 30,
						31, 31, 30, 31, 30, 31 };

	return days[mon - 1] + (mon == 2 && esprim_leap_year(y));
}

/* Leap days in the years 1 to y (proleptic Gregorian). */
static int64_t esprim_leap_days(int64_t y)
{
	return y / 4 - y / 100 + y / 400;
}

/* Days from 1970-01-01 to January 1st of year y (y >= 1970). */
static int64_t esprim_year_start(int64_t y)
{
	return 365 * (y - 1970) + esprim_leap_days(y - 1) -
	       esprim_leap_days(1969);
}

/* Days from 1970-01-01 to the date; the date is valid. */
static int64_t esprim_days_from_civil(int64_t y, int mon, int day)
{
	int64_t days = esprim_year_start(y);
	int m;

	for (m = 1; m < mon; m++)
		days += esprim_month_days(y, m);
	return days + day - 1;
}

/* The date of a day count from 1970-01-01 (days >= 0). */
static void esprim_civil_from_days(int64_t days, int64_t *y, int *mon,
				   int *day)
{
	/* 365 days a year at most: this guess is never too early. */
	int64_t year = ESPRIM_YEAR_MIN + days / 365;
	int m = 1;

	while (esprim_year_start(year) > days)
		year--;
	days -= esprim_year_start(year);
	while (days >= esprim_month_days(year, m))
		days -= esprim_month_days(year, m++);
	*y = year;
	*mon = m;
	*day = (int)days + 1;
}

/* The value of n decimal digits at s, or -1 if any is not a digit. */
static int esprim_time_digits(const char *s, int n)
{
	int v = 0;

	while (n--) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (*s++ - '0');
	}
	return v;
}

bool esprim_time_parse(const char *s, size_t n, int64_t *ms)
{
	int year, mon, day, hour, min, sec, frac_ms = 0, scale = 100;
	size_t i = 15;

	if (n < 15 || s[8] != 'T')
		return false;
	year = esprim_time_digits(s, 4);
	mon = esprim_time_digits(s + 4, 2);
	day = esprim_time_digits(s + 6, 2);
	hour = esprim_time_digits(s + 9, 2);
	min = esprim_time_digits(s + 11, 2);
	sec = esprim_time_digits(s + 13, 2);
	/* Negative values are non-digits and fail the lower bounds. */
	if (year < ESPRIM_YEAR_MIN || mon < 1 || mon > 12 || day < 1 ||
	    day > esprim_month_days(year, mon) || hour < 0 || hour > 23 ||
	    min < 0 || min > 59 || sec < 0 || sec > 59)
		return false;
	if (i < n && (s[i] == ',' || s[i] == '.')) {
		/* At least one digit; those past milliseconds are dropped. */
		if (++i == n || s[i] < '0' || s[i] > '9')
			return false;
		for (; i < n && s[i] >= '0' && s[i] <= '9'; i++, scale /= 10)
			frac_ms += (s[i] - '0') * scale;
	}
	if (i < n && s[i] == 'Z')
		i++;
	if (i != n)
		return false;
	*ms = esprim_days_from_civil(year, mon, day) * ESPRIM_MS_PER_DAY +
	      ((int64_t)hour * 3600 + min * 60 + sec) * 1000 + frac_ms;
	return true;
}

int esprim_time_format(int64_t ms, char out[16])
{
	int64_t days, secs, year;
	int mon, day, len;

	out[0] = 0;
	/* Past 9999-12-31T23:59:59.999 the year takes five digits. */
	if (ms < 0 ||
	    ms >= esprim_year_start(ESPRIM_YEAR_MAX + 1) * ESPRIM_MS_PER_DAY)
		return -1;
	days = ms / ESPRIM_MS_PER_DAY;
	secs = ms % ESPRIM_MS_PER_DAY / 1000;
	esprim_civil_from_days(days, &year, &mon, &day);
	len = snprintf(out, 16, "%04d%02d%02dT%02d%02d%02d", (int)year, mon,
		       day, (int)(secs / 3600), (int)(secs / 60 % 60),
		       (int)(secs % 60));
	if (len != 15) {
		out[0] = 0;
		return -1;
	}
	return 0;
}

bool esprim_time_add(int64_t now_ms, int64_t rel_ms, int64_t *out)
{
	return !__builtin_add_overflow(now_ms, rel_ms, out);
}
