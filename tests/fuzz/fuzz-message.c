/* SPDX-License-Identifier: GPL-3.0-or-later */
/* libFuzzer target: parse a message and render everything a viewer or the index would
 * (headers, MIME tree, body text, attachments, the show dump).  Build with
 * -Dfuzzing=true and CC=clang; see HACKING.md. */
#include "config.h"

#include <stdint.h>

#include "cachet-message-dump.h"
#include "cachet-message.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GBytes) bytes = g_bytes_new (data, size);
  g_autoptr(CachetMessage) msg = cachet_message_new_from_bytes (bytes);
  g_autofree char *dump = cachet_message_dump (msg);
  g_autofree char *index = cachet_message_dup_index_text (msg, 4096);
  GPtrArray *attachments = cachet_message_get_attachments (msg);

  for (guint i = 0; i < attachments->len; i++)
    {
      g_autoptr(GBytes) decoded = cachet_part_get_decoded (g_ptr_array_index (attachments, i));
      (void) decoded;
    }
  g_assert (g_utf8_validate (dump, -1, NULL));
  g_assert (g_utf8_validate (index, -1, NULL));
  return 0;
}
