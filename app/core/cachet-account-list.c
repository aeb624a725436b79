/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "cachet-account"

#include "config.h"

#include "cachet-account.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "cachet-account-private.h"

/* The accounts file: a GKeyFile with one group per account id.  The list keeps the parsed
 * file, so that saving keeps comments, unknown keys and groups it could not read; it writes
 * through a temporary file that is fsync'd and renamed over the old one, then fsyncs the
 * directory.  A lock file serialises writers (the window and `cachet account add`), and a
 * checksum of what was last read or written tells when another program changed the file:
 * then its accounts are kept and only the ones changed here are written over them. */

#define ACCOUNTS_FILE "accounts.ini"
#define LOCK_FILE ".accounts.lock"
#define TMP_PREFIX ".accounts.ini."
#define STALE_TMP_SECONDS (10 * 60)

struct _CachetAccountList
{
  GObject     parent_instance;

  char       *dir;
  char       *path;
  GPtrArray  *accounts;       /* CachetAccount, in file order */
  GKeyFile   *keyfile;        /* the file as last read or written */
  char       *checksum;       /* SHA-256 of that file's bytes; NULL: there was no file */
  GHashTable *dirty;          /* ids changed here since then */
  GHashTable *removed;        /* ids removed here since then */
  gboolean    unsafe;         /* the file cannot be parsed and no copy could be kept */
  char       *kept_aside;
  gboolean    syncing;        /* updating accounts from the file: not a change here */
  gssize      write_limit;
};

G_DEFINE_FINAL_TYPE (CachetAccountList, cachet_account_list, G_TYPE_OBJECT)

enum
{
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* Line numbers ---------------------------------------------------------------------------- */

/* Where each group and key is in the file's text, for messages ("line 12"). */
static GHashTable *
map_lines (const char *data)
{
  GHashTable *lines = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_auto(GStrv) split = g_strsplit (data, "\n", -1);
  g_autofree char *group = NULL;

  for (guint i = 0; split[i] != NULL; i++)
    {
      const char *line = split[i];
      const char *eq;

      while (*line == ' ' || *line == '\t')
        line++;
      if (line[0] == '[')
        {
          const char *end = strrchr (line, ']');

          g_free (group);
          group = g_strndup (line + 1, end ? end - line - 1 : (gssize) strlen (line + 1));
          g_hash_table_insert (lines, g_strdup_printf ("%s\n", group), GUINT_TO_POINTER (i + 1));
        }
      else if (group != NULL && line[0] != '#' && (eq = strchr (line, '=')) != NULL)
        {
          g_autofree char *key = g_strstrip (g_strndup (line, eq - line));

          g_hash_table_insert (lines, g_strdup_printf ("%s\n%s", group, key),
                               GUINT_TO_POINTER (i + 1));
        }
    }
  return lines;
}

static guint
line_of (GHashTable *lines,
         const char *group,
         const char *key)
{
  g_autofree char *k = g_strdup_printf ("%s\n%s", group, key ? key : "");

  return GPOINTER_TO_UINT (g_hash_table_lookup (lines, k));
}

/* Finds the first line GKeyFile cannot take, and says why. */
static char *
describe_syntax_error (const char *data,
                       gsize       len)
{
  g_auto(GStrv) split = NULL;
  gboolean in_group = FALSE;

  if (memchr (data, '\0', len) != NULL)
    return g_strdup (_("it contains a zero byte, so it is not a text file"));
  split = g_strsplit (data, "\n", -1);
  for (guint i = 0; split[i] != NULL; i++)
    {
      const char *line = split[i];

      if (!g_utf8_validate (line, -1, NULL))
        return g_strdup_printf (_("line %u is not UTF-8 text"), i + 1);
      while (*line == ' ' || *line == '\t')
        line++;
      if (line[0] == '\0' || line[0] == '\r' || line[0] == '#')
        continue;
      if (line[0] == '[')
        {
          const char *end = strchr (line, ']');

          if (end == NULL || end == line + 1)
            return g_strdup_printf (_("line %u: “%s” is not a [group] line"), i + 1, split[i]);
          in_group = TRUE;
          continue;
        }
      if (strchr (line, '=') == NULL || line[0] == '=')
        return g_strdup_printf (_("line %u: “%s” is not a setting (key=value), a [group] or "
                                  "a # comment"), i + 1, split[i]);
      if (!in_group)
        return g_strdup_printf (_("line %u: the setting “%s” comes before the first "
                                  "[group]"), i + 1, split[i]);
    }
  return NULL;
}

/* Reading one account --------------------------------------------------------------------- */

typedef struct
{
  GKeyFile   *keyfile;
  const char *group;
  GHashTable *lines;
  GString    *problems;
} Reader;

static void
problem (Reader     *r,
         const char *key,
         const char *format,
         ...) G_GNUC_PRINTF (3, 4);

static void
problem (Reader     *r,
         const char *key,
         const char *format,
         ...)
{
  g_autofree char *text = NULL;
  va_list args;
  guint line = line_of (r->lines, r->group, key);

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  if (r->problems->len > 0)
    g_string_append_c (r->problems, '\n');
  if (line > 0 && key != NULL)
    /* TRANSLATORS: "line 12 (pop3-port): “abc” is not a port number." */
    g_string_append_printf (r->problems, _("line %u (%s): %s"), line, key, text);
  else if (line > 0)
    g_string_append_printf (r->problems, _("line %u: %s"), line, text);
  else
    g_string_append (r->problems, text);
}

static char *
read_string (Reader     *r,
             const char *key)
{
  char *value = g_key_file_get_string (r->keyfile, r->group, key, NULL);

  if (value != NULL && value[0] == '\0')
    g_clear_pointer (&value, g_free);
  return value;
}

static gboolean
read_uint (Reader     *r,
           const char *key,
           guint64     max,
           guint64    *value)
{
  g_autofree char *text = g_key_file_get_value (r->keyfile, r->group, key, NULL);
  guint64 v;

  if (text == NULL)
    return TRUE;   /* keep the default */
  g_strstrip (text);
  if (text[0] == '\0' || strlen (text) > 20)
    goto bad;
  for (const char *p = text; *p; p++)
    if (!g_ascii_isdigit (*p))
      goto bad;
  errno = 0;
  v = g_ascii_strtoull (text, NULL, 10);
  if (v > max || errno == ERANGE)
    goto bad;
  *value = v;
  return TRUE;

bad:
  {
    /* Not in the message itself: a 64-bit format cannot be in a msgid. */
    g_autofree char *max_text = g_strdup_printf ("%" G_GUINT64_FORMAT, max);

    problem (r, key, _("“%s” is not a number from 0 to %s."), text, max_text);
  }
  return FALSE;
}

static gboolean
read_words (Reader     *r,
            const char *key,
            gboolean  (*from_string) (const char *, int *),
            const char *allowed,
            int        *value)
{
  g_autofree char *text = read_string (r, key);

  if (text == NULL)
    return TRUE;
  g_strstrip (text);
  if (from_string (text, value))
    return TRUE;
  problem (r, key, _("“%s” is not one of: %s."), text, allowed);
  return FALSE;
}

/* The from_string functions take an enum pointer; enums here are int-sized. */
#define READ_WORDS(r, key, fn, allowed, value) \
  read_words ((r), (key), (gboolean (*) (const char *, int *)) (fn), (allowed), (int *) (value))

static gboolean
read_server (Reader               *r,
             const char           *prefix,
             gboolean              smtp,
             CachetServerSettings *s)
{
  g_autofree char *k_host = g_strconcat (prefix, "-host", NULL);
  g_autofree char *k_port = g_strconcat (prefix, "-port", NULL);
  g_autofree char *k_security = g_strconcat (prefix, "-security", NULL);
  g_autofree char *k_user = g_strconcat (prefix, "-user", NULL);
  g_autofree char *k_auth = g_strconcat (prefix, "-auth", NULL);
  g_autofree char *k_pin = g_strconcat (prefix, "-certificate-sha256", NULL);
  guint64 port = 0;
  gboolean ok = TRUE;

  s->host = read_string (r, k_host);
  s->user = read_string (r, k_user);
  s->pinned_sha256 = read_string (r, k_pin);
  /* Missing: TLS, never plain.  Plain only when the file says so. */
  ok &= READ_WORDS (r, k_security, cachet_security_from_string, "tls, starttls, plain",
                    &s->security);
  s->port = cachet_security_default_port (s->security, smtp);
  if (g_key_file_has_key (r->keyfile, r->group, k_port, NULL))
    {
      g_autofree char *text = g_key_file_get_value (r->keyfile, r->group, k_port, NULL);
      gboolean digits = text[0] != '\0' && strlen (g_strstrip (text)) <= 5;

      for (const char *p = text; *p && digits; p++)
        digits = g_ascii_isdigit (*p);
      port = digits ? g_ascii_strtoull (text, NULL, 10) : 0;
      if (port < 1 || port > 65535)
        {
          problem (r, k_port, _("“%s” is not a port number: use a number from 1 to 65535."),
                   text);
          ok = FALSE;
        }
      else
        s->port = (guint16) port;
    }
  ok &= READ_WORDS (r, k_auth, cachet_auth_method_from_string,
                    "auto, password, sasl-plain, apop, cram-md5, none", &s->auth);
  if (s->host != NULL && !cachet_host_is_valid (s->host))
    {
      problem (r, k_host, _("“%s” is not a host name or an IP address."), s->host);
      ok = FALSE;
    }
  return ok;
}

static CachetAccount *
read_account (Reader *r)
{
  g_autoptr(CachetAccount) account = NULL;
  g_autoptr(CachetServerSettings) pop3 = g_new0 (CachetServerSettings, 1);
  g_autoptr(CachetServerSettings) smtp = g_new0 (CachetServerSettings, 1);
  g_autofree char *name = read_string (r, "name");
  g_autofree char *address = read_string (r, "address");
  g_autofree char *display_name = read_string (r, "display-name");
  g_autofree char *ca_file = read_string (r, "ca-file");
  g_autofree char *signature = read_string (r, "signature");
  CachetServerPolicy server_policy = CACHET_KEEP_ON_SERVER;
  CachetLargeMessagePolicy large_policy = CACHET_LARGE_FETCH;
  guint64 days = 14, large_size = 0, interval = 10;
  gboolean delete_locally = FALSE;
  gboolean ok = TRUE;

  if (!cachet_account_id_is_valid (r->group))
    {
      problem (r, NULL, _("“[%s]” is not an account id: use lower-case letters, digits and "
                          "“-”."), r->group);
      return NULL;
    }
  if (name == NULL)
    {
      problem (r, NULL, _("the account [%s] has no name (name=…)."), r->group);
      ok = FALSE;
    }
  ok &= read_server (r, "pop3", FALSE, pop3);
  ok &= read_server (r, "smtp", TRUE, smtp);
  ok &= READ_WORDS (r, "server-policy", cachet_server_policy_from_string,
                    "keep, delete-after-days, delete-after-fetch", &server_policy);
  ok &= read_uint (r, "delete-after-days", G_MAXUINT, &days);
  ok &= READ_WORDS (r, "large-policy", cachet_large_policy_from_string,
                    "fetch, skip, headers-only", &large_policy);
  ok &= read_uint (r, "large-size", G_MAXUINT64, &large_size);
  ok &= read_uint (r, "check-interval", G_MAXUINT, &interval);
  if (g_key_file_has_key (r->keyfile, r->group, "delete-when-deleted-locally", NULL))
    {
      g_autoptr(GError) error = NULL;

      delete_locally = g_key_file_get_boolean (r->keyfile, r->group,
                                               "delete-when-deleted-locally", &error);
      if (error != NULL)
        {
          g_autofree char *text = g_key_file_get_value (r->keyfile, r->group,
                                                        "delete-when-deleted-locally", NULL);
          problem (r, "delete-when-deleted-locally", _("“%s” is not true or false."), text);
          ok = FALSE;
        }
    }
  if (!ok)
    return NULL;

  account = cachet_account_new_with_id (r->group, name);
  cachet_account_set_address (account, address);
  cachet_account_set_display_name (account, display_name);
  cachet_account_set_pop3 (account, pop3);
  cachet_account_set_smtp (account, smtp);
  cachet_account_set_server_policy (account, server_policy);
  cachet_account_set_delete_after_days (account, (guint) days);
  cachet_account_set_delete_when_deleted_locally (account, delete_locally);
  cachet_account_set_large_policy (account, large_policy);
  cachet_account_set_large_size (account, large_size);
  cachet_account_set_ca_file (account, ca_file);
  cachet_account_set_check_interval (account, (guint) interval);
  cachet_account_set_signature (account, signature);
  return g_steal_pointer (&account);
}

/* Writing one account --------------------------------------------------------------------- */

static void
put_string (GKeyFile   *kf,
            const char *group,
            const char *key,
            const char *value)
{
  if (value != NULL)
    g_key_file_set_string (kf, group, key, value);
  else
    g_key_file_remove_key (kf, group, key, NULL);
}

static void
write_server (GKeyFile                   *kf,
              const char                 *group,
              const char                 *prefix,
              const CachetServerSettings *s)
{
  g_autofree char *k_host = g_strconcat (prefix, "-host", NULL);
  g_autofree char *k_port = g_strconcat (prefix, "-port", NULL);
  g_autofree char *k_security = g_strconcat (prefix, "-security", NULL);
  g_autofree char *k_user = g_strconcat (prefix, "-user", NULL);
  g_autofree char *k_auth = g_strconcat (prefix, "-auth", NULL);
  g_autofree char *k_pin = g_strconcat (prefix, "-certificate-sha256", NULL);

  put_string (kf, group, k_host, s->host);
  g_key_file_set_uint64 (kf, group, k_port, s->port);
  put_string (kf, group, k_security, cachet_security_to_string (s->security));
  put_string (kf, group, k_user, s->user);
  put_string (kf, group, k_auth, cachet_auth_method_to_string (s->auth));
  put_string (kf, group, k_pin, s->pinned_sha256);
}

static void
write_account (GKeyFile      *kf,
               CachetAccount *account)
{
  const char *group = cachet_account_get_id (account);

  put_string (kf, group, "name", cachet_account_get_name (account));
  put_string (kf, group, "address", cachet_account_get_address (account));
  put_string (kf, group, "display-name", cachet_account_get_display_name (account));
  write_server (kf, group, "pop3", cachet_account_get_pop3 (account));
  write_server (kf, group, "smtp", cachet_account_get_smtp (account));
  put_string (kf, group, "server-policy",
              cachet_server_policy_to_string (cachet_account_get_server_policy (account)));
  g_key_file_set_uint64 (kf, group, "delete-after-days",
                         cachet_account_get_delete_after_days (account));
  g_key_file_set_boolean (kf, group, "delete-when-deleted-locally",
                          cachet_account_get_delete_when_deleted_locally (account));
  put_string (kf, group, "large-policy",
              cachet_large_policy_to_string (cachet_account_get_large_policy (account)));
  g_key_file_set_uint64 (kf, group, "large-size", cachet_account_get_large_size (account));
  put_string (kf, group, "ca-file", cachet_account_get_ca_file (account));
  g_key_file_set_uint64 (kf, group, "check-interval",
                         cachet_account_get_check_interval (account));
  put_string (kf, group, "signature", cachet_account_get_signature (account));
}

static GKeyFile *
new_keyfile (void)
{
  GKeyFile *kf = g_key_file_new ();

  g_key_file_set_comment (kf, NULL, NULL,
                          " Cachet's mail accounts: one [group] per account, named by its id.\n"
                          " Passwords are not in this file; they are in the desktop keyring.",
                          NULL);
  return kf;
}

/* Files ----------------------------------------------------------------------------------- */

static gboolean
fsync_dir (const char *dir,
           GError    **error)
{
  int fd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

  if (fd < 0 || fsync (fd) < 0)
    {
      int saved = errno;

      if (fd >= 0)
        close (fd);
      g_set_error (error, CACHET_ACCOUNT_ERROR, CACHET_ACCOUNT_ERROR_IO,
                   _("Could not flush the folder “%s” to disk: %s"), dir, g_strerror (saved));
      return FALSE;
    }
  close (fd);
  return TRUE;
}

/* Temporary file, write, fsync, rename, fsync the folder: the file is always either the
 * old one or the new one, whole. */
static gboolean
write_atomically (CachetAccountList *self,
                  const char        *data,
                  gsize              len,
                  GError           **error)
{
  g_autofree char *tmp = g_build_filename (self->dir, TMP_PREFIX "XXXXXX", NULL);
  gsize done = 0;
  int fd;
  int saved;

  fd = g_mkstemp_full (tmp, O_WRONLY | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      saved = errno;
      goto fail;
    }
  while (done < len)
    {
      gsize chunk = len - done;
      gssize n;

      if (self->write_limit >= 0 && done + chunk > (gsize) self->write_limit)
        {
          chunk = (gsize) self->write_limit - MIN (done, (gsize) self->write_limit);
          if (chunk == 0)
            {
              self->write_limit = -1;
              saved = ENOSPC;
              goto fail;
            }
        }
      n = write (fd, data + done, chunk);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          saved = errno;
          goto fail;
        }
      done += n;
    }
  if (fsync (fd) < 0)
    {
      saved = errno;
      goto fail;
    }
  if (close (fd) < 0)
    {
      fd = -1;
      saved = errno;
      goto fail;
    }
  fd = -1;
  if (g_rename (tmp, self->path) < 0)
    {
      saved = errno;
      goto fail;
    }
  return fsync_dir (self->dir, error);

fail:
  if (fd >= 0)
    close (fd);
  g_unlink (tmp);
  g_set_error (error, CACHET_ACCOUNT_ERROR, CACHET_ACCOUNT_ERROR_IO,
               _("Could not write the accounts file “%s”: %s. It was left as it was."),
               self->path, g_strerror (saved));
  return FALSE;
}

/* Temporary files of writers that were killed. */
static void
remove_stale_tmp_files (CachetAccountList *self)
{
  g_autoptr(GDir) dir = g_dir_open (self->dir, 0, NULL);
  const char *name;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = NULL;
      GStatBuf st;

      if (!g_str_has_prefix (name, TMP_PREFIX) || strlen (name) != strlen (TMP_PREFIX) + 6)
        continue;
      path = g_build_filename (self->dir, name, NULL);
      if (g_stat (path, &st) == 0 && now - st.st_mtime > STALE_TMP_SECONDS)
        g_unlink (path);
    }
}

/* Keeps a copy of a file that cannot be parsed beside it, once per distinct content. */
static char *
keep_aside (CachetAccountList *self,
            const char        *data,
            gsize              len)
{
  for (guint n = 1; n < 100; n++)
    {
      g_autofree char *path = n == 1 ? g_strconcat (self->path, ".broken", NULL)
                                     : g_strdup_printf ("%s.broken-%u", self->path, n);
      g_autofree char *old = NULL;
      gsize old_len;

      if (g_file_get_contents (path, &old, &old_len, NULL))
        {
          if (old_len == len && memcmp (old, data, len) == 0)
            return g_steal_pointer (&path);
          continue;
        }
      if (g_file_test (path, G_FILE_TEST_EXISTS))
        continue;
      if (g_file_set_contents_full (path, data, len,
                                    G_FILE_SET_CONTENTS_CONSISTENT
                                    | G_FILE_SET_CONTENTS_DURABLE, 0600, NULL))
        return g_steal_pointer (&path);
      return NULL;
    }
  return NULL;
}

static int
lock_dir (CachetAccountList *self)
{
  g_autofree char *path = g_build_filename (self->dir, LOCK_FILE, NULL);
  int fd = open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

  if (fd >= 0)
    while (flock (fd, LOCK_EX) < 0 && errno == EINTR)
      ;
  return fd;
}

static void
unlock_dir (int fd)
{
  if (fd >= 0)
    close (fd);
}

/* The list -------------------------------------------------------------------------------- */

static void
account_notify_cb (CachetAccount     *account,
                   GParamSpec        *pspec,
                   CachetAccountList *self)
{
  if (self->syncing)
    return;
  g_hash_table_add (self->dirty, g_strdup (cachet_account_get_id (account)));
  g_signal_emit (self, signals[CHANGED], 0);
}

/* Takes over the reference to @account. */
static void
take_account (CachetAccountList *self,
              CachetAccount     *account,
              gint               index)
{
  g_signal_connect_object (account, "notify", G_CALLBACK (account_notify_cb), self, 0);
  g_ptr_array_insert (self->accounts, index, account);
}

static void
drop_account (CachetAccountList *self,
              guint              index)
{
  CachetAccount *account = g_ptr_array_index (self->accounts, index);

  g_signal_handlers_disconnect_by_data (account, self);
  g_ptr_array_remove_index (self->accounts, index);
}

static gint
find_index_by_id (CachetAccountList *self,
                  const char        *id)
{
  for (guint i = 0; i < self->accounts->len; i++)
    if (g_strcmp0 (cachet_account_get_id (g_ptr_array_index (self->accounts, i)), id) == 0)
      return (gint) i;
  return -1;
}

static gboolean
names_equal (const char *a,
             const char *b)
{
  g_autofree char *fa = NULL, *fb = NULL;

  if (a == NULL || b == NULL)
    return FALSE;
  fa = g_utf8_casefold (a, -1);
  fb = g_utf8_casefold (b, -1);
  return g_str_equal (fa, fb);
}

/* Makes the accounts in memory those of @kf (objects are kept by id, so that the window's
 * references stay valid).  With @keep_dirty, accounts changed here stay as they are.
 * Problems are appended to @problems; the groups concerned are left out. */
static void
sync_from_keyfile (CachetAccountList *self,
                   GKeyFile          *kf,
                   GHashTable        *lines,
                   gboolean           keep_dirty,
                   GString           *problems)
{
  g_auto(GStrv) groups = g_key_file_get_groups (kf, NULL);
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) order = g_ptr_array_new ();

  self->syncing = TRUE;
  for (guint i = 0; groups[i] != NULL; i++)
    {
      Reader r = { kf, groups[i], lines, problems };
      g_autoptr(CachetAccount) loaded = NULL;
      CachetAccount *existing;
      gint index;
      gboolean duplicate = FALSE;

      index = find_index_by_id (self, groups[i]);
      existing = index >= 0 ? g_ptr_array_index (self->accounts, index) : NULL;
      if (existing != NULL && keep_dirty && g_hash_table_contains (self->dirty, groups[i]))
        {
          g_hash_table_add (seen, groups[i]);
          g_ptr_array_add (order, existing);
          continue;
        }
      loaded = read_account (&r);
      if (loaded == NULL)
        continue;
      for (guint j = 0; j < order->len && !duplicate; j++)
        duplicate = names_equal (cachet_account_get_name (g_ptr_array_index (order, j)),
                                 cachet_account_get_name (loaded));
      if (duplicate)
        {
          problem (&r, "name", _("another account is called “%s” already."),
                   cachet_account_get_name (loaded));
          continue;
        }
      if (existing != NULL)
        {
          /* Its notifications are not changes made here; the caller emits "changed". */
          cachet_account_update_from (existing, loaded);
          g_ptr_array_add (order, existing);
        }
      else
        {
          take_account (self, g_object_ref (loaded), -1);
          g_ptr_array_add (order, loaded);
        }
      g_hash_table_add (seen, groups[i]);
    }

  for (guint i = self->accounts->len; i > 0; i--)
    {
      CachetAccount *account = g_ptr_array_index (self->accounts, i - 1);

      if (!g_hash_table_contains (seen, cachet_account_get_id (account)))
        drop_account (self, i - 1);
    }
  self->syncing = FALSE;
}

static void
cachet_account_list_finalize (GObject *object)
{
  CachetAccountList *self = CACHET_ACCOUNT_LIST (object);

  for (guint i = self->accounts->len; i > 0; i--)
    drop_account (self, i - 1);
  g_ptr_array_unref (self->accounts);
  g_clear_pointer (&self->keyfile, g_key_file_unref);
  g_hash_table_unref (self->dirty);
  g_hash_table_unref (self->removed);
  g_free (self->checksum);
  g_free (self->kept_aside);
  g_free (self->dir);
  g_free (self->path);

  G_OBJECT_CLASS (cachet_account_list_parent_class)->finalize (object);
}

static void
cachet_account_list_class_init (CachetAccountListClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = cachet_account_list_finalize;

  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
cachet_account_list_init (CachetAccountList *self)
{
  self->accounts = g_ptr_array_new_with_free_func (g_object_unref);
  self->keyfile = new_keyfile ();
  self->dirty = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->removed = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->write_limit = -1;
}

CachetAccountList *
cachet_account_list_new (const char *config_dir)
{
  CachetAccountList *self = g_object_new (CACHET_TYPE_ACCOUNT_LIST, NULL);

  self->dir = config_dir ? g_strdup (config_dir)
                         : g_build_filename (g_get_user_config_dir (), "cachet", NULL);
  self->path = g_build_filename (self->dir, ACCOUNTS_FILE, NULL);
  return self;
}

const char *
cachet_account_list_get_path (CachetAccountList *self)
{
  g_return_val_if_fail (CACHET_IS_ACCOUNT_LIST (self), NULL);
  return self->path;
}

const char *
cachet_account_list_get_kept_aside_path (CachetAccountList *self)
{
  g_return_val_if_fail (CACHET_IS_ACCOUNT_LIST (self), NULL);
  return self->kept_aside;
}

void
_cachet_account_list_set_write_limit (CachetAccountList *self,
                                      gssize             bytes)
{
  g_return_if_fail (CACHET_IS_ACCOUNT_LIST (self));
  self->write_limit = bytes;
}

/* Reads the file: FALSE with *error when it cannot be read or parsed at all (then *kf is
 * NULL); *data is NULL when there is no file. */
static gboolean
read_file (CachetAccountList *self,
           char             **data,
           gsize             *len,
           GKeyFile         **kf,
           GError           **error)
{
  g_autoptr(GError) local = NULL;
  g_autoptr(GKeyFile) parsed = NULL;

  *data = NULL;
  *len = 0;
  *kf = NULL;
  if (!g_file_get_contents (self->path, data, len, &local))
    {
      if (g_error_matches (local, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        {
          *kf = new_keyfile ();
          return TRUE;
        }
      g_set_error (error, CACHET_ACCOUNT_ERROR, CACHET_ACCOUNT_ERROR_IO,
                   _("Could not read the accounts file: %s"), local->message);
      return FALSE;
    }
  parsed = g_key_file_new ();
  /* GKeyFile takes bytes that are not UTF-8 in values (and then cannot return them). */
  if (memchr (*data, '\0', *len) != NULL || !g_utf8_validate (*data, *len, NULL)
      || !g_key_file_load_from_data (parsed, *data, *len,
                                     G_KEY_FILE_KEEP_COMMENTS | G_KEY_FILE_KEEP_TRANSLATIONS,
                                     &local))
    {
      g_autofree char *why = describe_syntax_error (*data, *len);

      g_set_error (error, CACHET_ACCOUNT_ERROR, CACHET_ACCOUNT_ERROR_IO,
                   _("The accounts file “%s” cannot be read: %s."), self->path,
                   why ? why : local->message);
      return FALSE;
    }
  *kf = g_steal_pointer (&parsed);
  return TRUE;
}

gboolean
cachet_account_list_load (CachetAccountList *self,
                          GError           **error)
{
  g_autofree char *data = NULL;
  g_autoptr(GKeyFile) kf = NULL;
  g_autoptr(GHashTable) lines = NULL;
  g_autoptr(GString) problems = g_string_new (NULL);
  g_autoptr(GError) local = NULL;
  gsize len;

  g_return_val_if_fail (CACHET_IS_ACCOUNT_LIST (self), FALSE);

  remove_stale_tmp_files (self);
  if (!read_file (self, &data, &len, &kf, &local))
    {
      /* Nothing is loaded, and the file is never written over without a copy. */
      g_clear_pointer (&self->kept_aside, g_free);
      if (data != NULL)
        self->kept_aside = keep_aside (self, data, len);
      self->unsafe = self->kept_aside == NULL && g_file_test (self->path, G_FILE_TEST_EXISTS);
      g_clear_pointer (&self->checksum, g_free);
      g_clear_pointer (&self->keyfile, g_key_file_unref);
      self->keyfile = new_keyfile ();
      g_hash_table_remove_all (self->dirty);
      g_hash_table_remove_all (self->removed);
      self->syncing = TRUE;
      for (guint i = self->accounts->len; i > 0; i--)
        drop_account (self, i - 1);
      self->syncing = FALSE;
      if (self->kept_aside != NULL)
        g_set_error (error, CACHET_ACCOUNT_ERROR, CACHET_ACCOUNT_ERROR_IO,
                     _("%s A copy of it is kept as “%s”: correct the file, or add the "
                       "accounts again."), local->message, self->kept_aside);
      else if (self->unsafe)
        g_set_error (error, CACHET_ACCOUNT_ERROR, CACHET_ACCOUNT_ERROR_IO,
                     _("%s Cachet will not write over it: correct it or move it away."),
                     local->message);
      else
        g_propagate_error (error, g_steal_pointer (&local));
      g_signal_emit (self, signals[CHANGED], 0);
      return FALSE;
    }

  self->unsafe = FALSE;
  g_clear_pointer (&self->checksum, g_free);
  if (data != NULL)
    self->checksum = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (guchar *) data, len);
  g_clear_pointer (&self->keyfile, g_key_file_unref);
  self->keyfile = g_key_file_ref (kf);
  g_hash_table_remove_all (self->dirty);
  g_hash_table_remove_all (self->removed);
  lines = map_lines (data ? data : "");
  sync_from_keyfile (self, kf, lines, FALSE, problems);
  g_signal_emit (self, signals[CHANGED], 0);

  if (problems->len > 0)
    {
      g_set_error (error, CACHET_ACCOUNT_ERROR, CACHET_ACCOUNT_ERROR_INVALID,
                   _("Some accounts in “%s” cannot be used and were left out (the file keeps "
                     "them as they are):\n%s"), self->path, problems->str);
      return FALSE;
    }
  return TRUE;
}

gboolean
cachet_account_list_save (CachetAccountList *self,
                          GError           **error)
{
  g_autofree char *disk = NULL;
  g_autofree char *disk_sum = NULL;
  g_autofree char *out = NULL;
  g_autoptr(GKeyFile) base = NULL;
  g_autoptr(GError) read_error = NULL;
  GHashTableIter iter;
  gpointer key;
  gsize disk_len, out_len;
  int lock;
  gboolean merge = FALSE;

  g_return_val_if_fail (CACHET_IS_ACCOUNT_LIST (self), FALSE);

  if (self->unsafe)
    {
      g_set_error (error, CACHET_ACCOUNT_ERROR, CACHET_ACCOUNT_ERROR_IO,
                   _("The accounts file “%s” could not be read and no copy of it could be "
                     "kept, so Cachet does not write over it. Correct it or move it away, "
                     "then try again."), self->path);
      return FALSE;
    }
  if (g_mkdir_with_parents (self->dir, 0700) < 0)
    {
      int saved = errno;
      g_set_error (error, CACHET_ACCOUNT_ERROR, CACHET_ACCOUNT_ERROR_IO,
                   _("Could not create the folder “%s”: %s"), self->dir, g_strerror (saved));
      return FALSE;
    }

  lock = lock_dir (self);
  if (!read_file (self, &disk, &disk_len, &base, &read_error))
    {
      if (disk == NULL)
        {
          unlock_dir (lock);
          g_propagate_error (error, g_steal_pointer (&read_error));
          return FALSE;
        }
      /* Someone wrote something unreadable since: keep it, then write ours. */
      g_free (self->kept_aside);
      self->kept_aside = keep_aside (self, disk, disk_len);
      if (self->kept_aside == NULL)
        {
          unlock_dir (lock);
          g_set_error (error, CACHET_ACCOUNT_ERROR, CACHET_ACCOUNT_ERROR_IO,
                       _("%s No copy of it could be kept, so Cachet does not write over it."),
                       read_error->message);
          return FALSE;
        }
      g_message ("%s (kept as %s)", read_error->message, self->kept_aside);
      base = g_key_file_ref (self->keyfile);
    }
  else if (disk != NULL)
    {
      disk_sum = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (guchar *) disk, disk_len);
      merge = g_strcmp0 (disk_sum, self->checksum) != 0;
      if (!merge)
        {
          g_key_file_unref (base);
          base = g_key_file_ref (self->keyfile);
        }
    }
  else if (self->checksum != NULL)
    /* The file was deleted since it was read: only what was changed here is written. */
    merge = TRUE;
  else
    {
      g_key_file_unref (base);
      base = g_key_file_ref (self->keyfile);
    }

  g_hash_table_iter_init (&iter, self->removed);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_key_file_remove_group (base, key, NULL);
  for (guint i = 0; i < self->accounts->len; i++)
    {
      CachetAccount *account = g_ptr_array_index (self->accounts, i);

      if (!merge || g_hash_table_contains (self->dirty, cachet_account_get_id (account)))
        write_account (base, account);
    }

  out = g_key_file_to_data (base, &out_len, NULL);
  if (!write_atomically (self, out, out_len, error))
    {
      unlock_dir (lock);
      return FALSE;
    }
  unlock_dir (lock);

  g_free (self->checksum);
  self->checksum = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (guchar *) out, out_len);
  if (base != self->keyfile)
    {
      g_key_file_unref (self->keyfile);
      self->keyfile = g_key_file_ref (base);
    }
  if (merge)
    {
      g_autoptr(GHashTable) lines = map_lines (out);
      g_autoptr(GString) problems = g_string_new (NULL);

      sync_from_keyfile (self, base, lines, TRUE, problems);
      if (problems->len > 0)
        g_debug ("accounts left out after merging: %s", problems->str);
      g_signal_emit (self, signals[CHANGED], 0);
    }
  g_hash_table_remove_all (self->dirty);
  g_hash_table_remove_all (self->removed);
  return TRUE;
}

GPtrArray *
cachet_account_list_get_all (CachetAccountList *self)
{
  g_return_val_if_fail (CACHET_IS_ACCOUNT_LIST (self), NULL);
  return self->accounts;
}

CachetAccount *
cachet_account_list_find (CachetAccountList *self,
                          const char        *name_or_id)
{
  g_return_val_if_fail (CACHET_IS_ACCOUNT_LIST (self), NULL);

  if (name_or_id == NULL)
    return NULL;
  for (guint i = 0; i < self->accounts->len; i++)
    {
      CachetAccount *account = g_ptr_array_index (self->accounts, i);

      if (g_strcmp0 (cachet_account_get_id (account), name_or_id) == 0)
        return account;
    }
  for (guint i = 0; i < self->accounts->len; i++)
    {
      CachetAccount *account = g_ptr_array_index (self->accounts, i);

      if (g_strcmp0 (cachet_account_get_name (account), name_or_id) == 0)
        return account;
    }
  for (guint i = 0; i < self->accounts->len; i++)
    {
      CachetAccount *account = g_ptr_array_index (self->accounts, i);

      if (names_equal (cachet_account_get_name (account), name_or_id))
        return account;
    }
  return NULL;
}

static gboolean
id_taken (CachetAccountList *self,
          const char        *id)
{
  return find_index_by_id (self, id) >= 0 || g_key_file_has_group (self->keyfile, id);
}

gboolean
cachet_account_list_changed_on_disk (CachetAccountList *self)
{
  g_autofree char *data = NULL;
  g_autofree char *sum = NULL;
  gsize len;

  g_return_val_if_fail (CACHET_IS_ACCOUNT_LIST (self), FALSE);

  if (!g_file_get_contents (self->path, &data, &len, NULL))
    return self->checksum != NULL;
  sum = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (guchar *) data, len);
  return g_strcmp0 (sum, self->checksum) != 0;
}

static char *
unique_id (CachetAccountList *self,
           const char        *id)
{
  if (!id_taken (self, id))
    return g_strdup (id);
  for (guint n = 2;; n++)
    {
      g_autofree char *candidate = g_strdup_printf ("%s-%u", id, n);

      if (!id_taken (self, candidate))
        return g_steal_pointer (&candidate);
    }
}

char *
cachet_account_list_make_id (CachetAccountList *self,
                             const char        *name)
{
  g_autofree char *id = cachet_account_make_id (name);

  g_return_val_if_fail (CACHET_IS_ACCOUNT_LIST (self), NULL);
  return unique_id (self, id);
}

gboolean
cachet_account_list_add (CachetAccountList *self,
                         CachetAccount     *account,
                         GError           **error)
{
  g_return_val_if_fail (CACHET_IS_ACCOUNT_LIST (self), FALSE);
  g_return_val_if_fail (CACHET_IS_ACCOUNT (account), FALSE);

  if (!cachet_account_validate (account, error))
    return FALSE;
  for (guint i = 0; i < self->accounts->len; i++)
    {
      CachetAccount *other = g_ptr_array_index (self->accounts, i);

      if (other == account
          || names_equal (cachet_account_get_name (other), cachet_account_get_name (account)))
        {
          g_set_error (error, CACHET_ACCOUNT_ERROR, CACHET_ACCOUNT_ERROR_EXISTS,
                       _("There is an account called “%s” already: choose another name."),
                       cachet_account_get_name (other));
          return FALSE;
        }
    }

  if (id_taken (self, cachet_account_get_id (account)))
    {
      g_autofree char *id = unique_id (self, cachet_account_get_id (account));
      _cachet_account_set_id (account, id);
    }

  take_account (self, g_object_ref (account), -1);
  g_hash_table_add (self->dirty, g_strdup (cachet_account_get_id (account)));
  g_hash_table_remove (self->removed, cachet_account_get_id (account));
  if (!cachet_account_list_save (self, error))
    {
      gint index = find_index_by_id (self, cachet_account_get_id (account));

      if (index >= 0)
        drop_account (self, index);
      g_hash_table_remove (self->dirty, cachet_account_get_id (account));
      return FALSE;
    }
  g_signal_emit (self, signals[CHANGED], 0);
  return TRUE;
}

gboolean
cachet_account_list_remove (CachetAccountList *self,
                            CachetAccount     *account,
                            GError           **error)
{
  g_autoptr(CachetAccount) keep = NULL;
  g_autofree char *id = NULL;
  gint index = -1;

  g_return_val_if_fail (CACHET_IS_ACCOUNT_LIST (self), FALSE);
  g_return_val_if_fail (CACHET_IS_ACCOUNT (account), FALSE);

  for (guint i = 0; i < self->accounts->len; i++)
    if (g_ptr_array_index (self->accounts, i) == account)
      index = (gint) i;
  if (index < 0)
    {
      g_set_error (error, CACHET_ACCOUNT_ERROR, CACHET_ACCOUNT_ERROR_NOT_FOUND,
                   _("There is no account called “%s”."), cachet_account_get_name (account));
      return FALSE;
    }

  keep = g_object_ref (account);
  id = g_strdup (cachet_account_get_id (account));
  drop_account (self, index);
  g_hash_table_add (self->removed, g_strdup (id));
  g_hash_table_remove (self->dirty, id);
  if (!cachet_account_list_save (self, error))
    {
      take_account (self, g_object_ref (keep), index);
      g_hash_table_remove (self->removed, id);
      return FALSE;
    }
  g_signal_emit (self, signals[CHANGED], 0);
  return TRUE;
}
