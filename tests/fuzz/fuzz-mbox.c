/* SPDX-License-Identifier: GPL-3.0-or-later */
/* libFuzzer target: the mbox reader over arbitrary bytes. */
#include "config.h"

#include <glib/gstdio.h>
#include <stdint.h>
#include <unistd.h>

#include "cachet-mbox.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  static char *path;
  g_autoptr(CachetMboxReader) reader = NULL;
  GBytes *msg;
  guint n = 0;

  if (path == NULL)
    path = g_strdup_printf ("%s/cachet-fuzz-mbox-%d", g_get_tmp_dir (), (int) getpid ());
  if (!g_file_set_contents (path, (const char *) data, size, NULL))
    return 0;
  reader = cachet_mbox_reader_open (path, NULL);
  while (reader != NULL && (msg = cachet_mbox_reader_next (reader, NULL, NULL)) != NULL)
    {
      g_assert (g_bytes_get_size (msg) <= size);
      g_bytes_unref (msg);
      g_assert (++n <= size);
    }
  return 0;
}
