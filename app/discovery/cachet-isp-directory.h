/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "cachet-isp-profile.h"

G_BEGIN_DECLS

/* The ISP profiles on this machine, by domain.  Every "*.xml" file of each directory is
 * read (in name order); the directories are read in order and a later one overrides an
 * earlier one for the same domain.  The default order:
 *
 *   1. the bundled profiles, PKGDATADIR/isp (or $CACHET_ISP_DIR, for running Cachet
 *      from its build directory)
 *   2. /etc/cachet/isp                         (the distribution or administrator)
 *   3. $XDG_DATA_DIRS/cachet/isp, the least important entry of XDG_DATA_DIRS first
 *   4. $XDG_CONFIG_HOME/cachet/isp             (the user)
 *
 * A directory listed twice counts at its first place.  A file that cannot be used is
 * skipped and listed by cachet_isp_directory_get_skipped(). */
typedef struct _CachetIspDirectory CachetIspDirectory;

/* The default directories, in order (newly allocated). */
GStrv               cachet_isp_directory_default_dirs (void);

/* @dirs: NULL for the default ones.  Reads nothing yet. */
CachetIspDirectory *cachet_isp_directory_new        (const char * const *dirs);
CachetIspDirectory *cachet_isp_directory_ref        (CachetIspDirectory *self);
void                cachet_isp_directory_unref      (CachetIspDirectory *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CachetIspDirectory, cachet_isp_directory_unref)

/* Reads the directories (again).  Missing directories are no error.  Any thread, but
 * not at the same time as another call on the same directory. */
void                cachet_isp_directory_load       (CachetIspDirectory *self);
const char * const *cachet_isp_directory_get_dirs   (CachetIspDirectory *self);
/* The profile for @domain (any case), or NULL (transfer full).  Loads first if needed. */
CachetIspProfile   *cachet_isp_directory_lookup     (CachetIspDirectory *self,
                                                     const char         *domain);
/* Every profile loaded and in use for at least one domain, in load order. */
GPtrArray          *cachet_isp_directory_get_profiles (CachetIspDirectory *self);
/* Files that were skipped: "PATH: why" (transfer none). */
GPtrArray          *cachet_isp_directory_get_skipped (CachetIspDirectory *self);

G_END_DECLS
