/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Reads an mbox file message by message, streaming (the file is never loaded whole).
 * Messages start at "From " lines that follow a blank line (or the start of the file);
 * ">From " quoting is undone (mboxrd: one '>' removed from ">+From " lines; this also
 * undoes mboxo quoting).  A Content-Length header is not trusted. */
typedef struct _CachetMboxReader CachetMboxReader;

CachetMboxReader *cachet_mbox_reader_open     (const char        *path,
                                               GError           **error);
/* Returns the next message (without its "From " line, with LF or CRLF kept as in the
 * file), NULL at the end (error unset) or on a read error (error set). */
GBytes           *cachet_mbox_reader_next     (CachetMboxReader  *reader,
                                               GCancellable      *cancellable,
                                               GError           **error);
/* The envelope sender and date of the last message's "From " line, or NULL. */
const char       *cachet_mbox_reader_get_envelope (CachetMboxReader *reader);
goffset           cachet_mbox_reader_get_offset   (CachetMboxReader *reader);
goffset           cachet_mbox_reader_get_size     (CachetMboxReader *reader);
void              cachet_mbox_reader_free     (CachetMboxReader  *reader);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CachetMboxReader, cachet_mbox_reader_free)

G_END_DECLS
