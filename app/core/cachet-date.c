/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-date"

#include "config.h"

#include "cachet-date.h"

#include <libetpan/libetpan.h>
#include <stdlib.h>
#include <string.h>

static GDateTime *
make_date (int year, int month, int day,
           int hour, int minute, int second,
           int zone_minutes)
{
  g_autoptr(GTimeZone) tz = NULL;

  if (year < 1000 || year > 9999 || month < 1 || month > 12 || day < 1 || day > 31
      || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 61)
    return NULL;
  if (zone_minutes <= -24 * 60 || zone_minutes >= 24 * 60)
    zone_minutes = 0;
  if (second > 59)
    second = 59;

  tz = g_time_zone_new_offset (zone_minutes * 60);
  if (tz == NULL)
    tz = g_time_zone_new_utc ();
  return g_date_time_new (tz, year, month, day, hour, minute, second);
}

static int
month_from_name (const char *s)
{
  static const char *months[] = { "jan", "feb", "mar", "apr", "may", "jun",
                                  "jul", "aug", "sep", "oct", "nov", "dec" };
  if (strlen (s) < 3)
    return 0;
  for (int i = 0; i < 12; i++)
    if (g_ascii_strncasecmp (s, months[i], 3) == 0)
      return i + 1;
  return 0;
}

/* Named zones (RFC 5322 4.3 obsolete zones, plus a few common ones).  Military letters
 * were defined with the wrong sign; RFC 5322 says treat them as -0000. */
static gboolean
zone_from_name (const char *s,
                int        *minutes)
{
  static const struct { const char *name; int minutes; } zones[] = {
    { "UT", 0 }, { "UTC", 0 }, { "GMT", 0 }, { "Z", 0 }, { "WET", 0 },
    { "EST", -300 }, { "EDT", -240 }, { "CST", -360 }, { "CDT", -300 },
    { "MST", -420 }, { "MDT", -360 }, { "PST", -480 }, { "PDT", -420 },
    { "CET", 60 }, { "MET", 60 }, { "CEST", 120 }, { "MEST", 120 }, { "EET", 120 },
    { "BST", 60 }, { "IST", 330 }, { "JST", 540 }, { "KST", 540 }, { "HKT", 480 },
    { "AEST", 600 }, { "AEDT", 660 }, { "NZST", 720 }, { "NZDT", 780 },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (zones); i++)
    if (g_ascii_strcasecmp (s, zones[i].name) == 0)
      {
        *minutes = zones[i].minutes;
        return TRUE;
      }
  if (strlen (s) == 1 && g_ascii_isalpha (s[0]))
    {
      *minutes = 0;
      return TRUE;
    }
  return FALSE;
}

static gboolean
all_digits (const char *s)
{
  if (*s == '\0')
    return FALSE;
  for (; *s; s++)
    if (!g_ascii_isdigit (*s))
      return FALSE;
  return TRUE;
}

static int
fix_year (int year,
          gsize digits)
{
  if (digits <= 2)
    return year < 50 ? 2000 + year : 1900 + year;
  if (digits == 3)
    return 1900 + year;
  return year;
}

/* A forgiving reader: picks the day, month name, year, time and zone out of the tokens in
 * whatever order they come ("Tue, 3 Jun 2008 11:05:30 GMT", "3 Jun 08 11:05",
 * "Tuesday, June 3, 2008 11:05:30 AM -0400", "Tue Jun  3 11:05:30 2008"). */
static GDateTime *
parse_tolerant (const char *raw)
{
  g_autofree char *copy = g_strdup (raw);
  g_auto(GStrv) tokens = NULL;
  int year = -1, month = 0, day = -1, hour = -1, minute = 0, second = 0;
  int zone = 0;
  gboolean pm = FALSE, am = FALSE;
  gsize year_digits = 4;

  /* Comments like "(CEST)" add nothing once a numeric zone is there. */
  for (char *p = copy; *p; p++)
    if (*p == ',' || *p == '(' || *p == ')' || *p == '\t' || *p == '\r' || *p == '\n')
      *p = ' ';
  tokens = g_strsplit (copy, " ", -1);

  for (char **t = tokens; *t; t++)
    {
      char *tok = *t;
      gsize len = strlen (tok);

      if (len == 0)
        continue;

      /* ISO 8601: 2008-06-03 or 2008-06-03T11:05:30Z */
      if (len >= 10 && g_ascii_isdigit (tok[0]) && tok[4] == '-' && tok[7] == '-')
        {
          year = atoi (tok);
          month = atoi (tok + 5);
          day = atoi (tok + 8);
          if (tok[10] == 'T' || tok[10] == 't')
            {
              hour = atoi (tok + 11);
              if (len >= 16)
                minute = atoi (tok + 14);
              if (len >= 19)
                second = atoi (tok + 17);
              if (tok[len - 1] == 'Z')
                zone = 0;
            }
          continue;
        }

      if (strchr (tok, ':') != NULL && g_ascii_isdigit (tok[0]) && hour < 0)
        {
          g_auto(GStrv) parts = g_strsplit (tok, ":", 3);
          hour = atoi (parts[0]);
          minute = parts[1] ? atoi (parts[1]) : 0;
          second = parts[1] && parts[2] ? atoi (parts[2]) : 0;
          continue;
        }

      if ((tok[0] == '+' || tok[0] == '-') && len >= 3 && g_ascii_isdigit (tok[1]))
        {
          const char *d = tok + 1;
          int hh, mm = 0;
          g_autofree char *digits = g_strdup (d);
          char *colon = strchr (digits, ':');
          if (colon)
            memmove (colon, colon + 1, strlen (colon));
          if (!all_digits (digits))
            continue;
          if (strlen (digits) <= 2)
            hh = atoi (digits);
          else
            {
              int v = atoi (digits);
              hh = v / 100;
              mm = v % 100;
            }
          zone = (hh * 60 + mm) * (tok[0] == '-' ? -1 : 1);
          continue;
        }

      if (all_digits (tok))
        {
          int v = atoi (tok);
          if (len >= 3 || (day >= 0 && year < 0))
            {
              if (year < 0)
                {
                  year = v;
                  year_digits = len;
                }
            }
          else if (day < 0)
            day = v;
          continue;
        }

      if (g_ascii_strcasecmp (tok, "pm") == 0)
        {
          pm = TRUE;
          continue;
        }
      if (g_ascii_strcasecmp (tok, "am") == 0)
        {
          am = TRUE;
          continue;
        }

      if (month == 0 && month_from_name (tok) != 0
          && (len <= 3 || g_ascii_isalpha (tok[3]) || tok[3] == '.'))
        {
          month = month_from_name (tok);
          continue;
        }

      /* "3-Jun-2008" */
      if (strchr (tok, '-') && g_ascii_isdigit (tok[0]))
        {
          g_auto(GStrv) parts = g_strsplit (tok, "-", 3);
          if (parts[1] && parts[2] && month_from_name (parts[1]) != 0)
            {
              day = atoi (parts[0]);
              month = month_from_name (parts[1]);
              year = atoi (parts[2]);
              year_digits = strlen (parts[2]);
            }
          continue;
        }

      zone_from_name (tok, &zone);
    }

  if (year < 0 || month == 0 || day < 0)
    return NULL;
  if (hour < 0)
    hour = 0;
  if (pm && hour < 12)
    hour += 12;
  if (am && hour == 12)
    hour = 0;
  return make_date (fix_year (year, year_digits), month, day, hour, minute, second, zone);
}

/* libetpan stops early on "1:05 PM +0100"; its result counts only when what is left is
 * whitespace or a comment like "(CEST)". */
static gboolean
only_comment_left (const char *rest)
{
  while (g_ascii_isspace (*rest))
    rest++;
  return *rest == '\0' || *rest == '(';
}

static gboolean
has_numeric_zone (const char *raw)
{
  for (const char *p = raw; *p; p++)
    if ((*p == '+' || *p == '-') && g_ascii_isdigit (p[1]) && g_ascii_isdigit (p[2])
        && g_ascii_isdigit (p[3]) && g_ascii_isdigit (p[4]) && !g_ascii_isdigit (p[5]))
      return TRUE;
  return FALSE;
}

GDateTime *
cachet_date_parse (const char *raw)
{
  struct mailimf_date_time *dt = NULL;
  size_t idx = 0;
  GDateTime *result = NULL;

  if (raw == NULL)
    return NULL;
  while (g_ascii_isspace (*raw))
    raw++;
  if (*raw == '\0')
    return NULL;

  /* libetpan reads the numeric zone well but not every named one ("UT" became +0001). */
  if (has_numeric_zone (raw)
      && mailimf_date_time_parse (raw, strlen (raw), &idx, &dt) == MAILIMF_NO_ERROR
      && only_comment_left (raw + idx))
    {
      int zone = dt->dt_zone;  /* +hhmm as a number */
      int minutes = (zone / 100) * 60 + (zone % 100);
      int year = dt->dt_year;

      if (year < 100)
        year = fix_year (year, 2);
      else if (year < 1000)
        year = fix_year (year, 3);
      result = make_date (year, dt->dt_month, dt->dt_day, dt->dt_hour, dt->dt_min,
                          dt->dt_sec, minutes);
      mailimf_date_time_free (dt);
    }
  else if (dt != NULL)
    mailimf_date_time_free (dt);
  if (result == NULL)
    result = parse_tolerant (raw);
  return result;
}
