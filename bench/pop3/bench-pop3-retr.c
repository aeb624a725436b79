/* SPDX-License-Identifier: GPL-3.0-or-later */
/* bench-pop3-retr: the bare libetpan RETR loop, a reference point for the
 * POP3 benchmark (bench/pop3/run-pop3-bench.sh).
 *
 *   bench-pop3-retr PORT USER PASSWORD [--plain]
 *
 * Connects to 127.0.0.1:PORT with implicit TLS (POP3S; --plain for none),
 * logs in with USER/PASS, lists the mailbox, then calls mailpop3_retr() for
 * every message, one command and one reply at a time, and throws each
 * message away; then QUIT. Prints one line:
 *
 *   messages N bytes B seconds S
 *
 * S runs from before the connection to after QUIT. It stores nothing and
 * does not verify the certificate (libetpan does not; it does not matter
 * for a reference on loopback): what is left is one round trip per message,
 * libetpan's line reader and TLS. Never part of the tests. */
#define G_LOG_DOMAIN "cachet-bench"

#include "config.h"

#include <glib.h>
#include <libetpan/libetpan.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int
fail (const char *what,
      int         code)
{
  fprintf (stderr, "bench-pop3-retr: %s failed (libetpan error %d)\n", what, code);
  return 1;
}

int
main (int   argc,
      char *argv[])
{
  gboolean plain = FALSE;
  mailpop3 *pop3;
  carray *list = NULL;
  gint64 start;
  guint64 bytes = 0;
  guint n = 0;
  int r;

  if (argc < 4 || argc > 5 || (argc == 5 && strcmp (argv[4], "--plain") != 0))
    {
      fprintf (stderr, "usage: bench-pop3-retr PORT USER PASSWORD [--plain]\n");
      return 2;
    }
  plain = argc == 5;

  start = g_get_monotonic_time ();
  pop3 = mailpop3_new (0, NULL);
  if (plain)
    r = mailpop3_socket_connect (pop3, "127.0.0.1", (uint16_t) atoi (argv[1]));
  else
    r = mailpop3_ssl_connect (pop3, "127.0.0.1", (uint16_t) atoi (argv[1]));
  if (r != MAILPOP3_NO_ERROR)
    return fail ("connect", r);
  if ((r = mailpop3_user (pop3, argv[2])) != MAILPOP3_NO_ERROR)
    return fail ("USER", r);
  if ((r = mailpop3_pass (pop3, argv[3])) != MAILPOP3_NO_ERROR)
    return fail ("PASS", r);
  if ((r = mailpop3_list (pop3, &list)) != MAILPOP3_NO_ERROR)
    return fail ("LIST", r);

  for (guint i = 0; i < carray_count (list); i++)
    {
      struct mailpop3_msg_info *info = carray_get (list, i);
      char *msg = NULL;
      size_t len = 0;

      if (info == NULL)
        continue;
      r = mailpop3_retr (pop3, info->msg_index, &msg, &len);
      if (r != MAILPOP3_NO_ERROR)
        return fail ("RETR", r);
      bytes += len;
      n++;
      mailpop3_retr_free (msg);
    }

  mailpop3_quit (pop3);
  mailpop3_free (pop3);
  printf ("messages %u bytes %" G_GUINT64_FORMAT " seconds %.3f\n", n, bytes,
          (g_get_monotonic_time () - start) / 1e6);
  return 0;
}
