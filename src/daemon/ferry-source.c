/* ferry-source.c
 *
 * The descriptor a caller passes dies with ferryd. What survives is a way to open the same
 * file again, and its identity, checked before every attempt: an upload never sends a mix
 * of two versions of a file.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ferry-upload"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "ferry-error.h"
#include "ferry-http.h"
#include "ferry-i18n.h"
#include "ferry-source.h"
#include "ferry-transfer.h"

static gint64
mtime_ns (const struct stat *st)
{
  return (gint64) st->st_mtim.tv_sec * G_GINT64_CONSTANT (1000000000) + st->st_mtim.tv_nsec;
}

static gboolean
same_file (const struct stat *a,
           const struct stat *b)
{
  return a->st_dev == b->st_dev && a->st_ino == b->st_ino && a->st_size == b->st_size &&
         mtime_ns (a) == mtime_ns (b);
}

int
ferry_source_open (const char  *path,
                   guint64      dev,
                   guint64      ino,
                   guint64      size,
                   gint64       mtime,
                   GError     **error)
{
  struct stat st;
  /* The path may have been swapped since it was recorded: O_NONBLOCK so a FIFO or a device
   * cannot hold the attempt (and its slot) in open(), O_NOFOLLOW so a symlink is not
   * followed elsewhere. Only a regular file is read from. */
  int fd = open (path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | O_NOFOLLOW);

  if (fd < 0)
    {
      int saved = errno;

      if (saved == ELOOP)
        g_set_error (error, FERRY_TRANSFER_ERROR, FERRY_TRANSFER_ERROR_FAILED,
                     N_ ("The file to upload (%s) was replaced by a link; Ferry does not "
                         "follow it"),
                     path);
      else
        g_set_error (error, FERRY_TRANSFER_ERROR, FERRY_TRANSFER_ERROR_FAILED,
                     N_ ("The file to upload cannot be opened (%s): %s"), path, g_strerror (saved));
      return -1;
    }

  if (fstat (fd, &st) != 0 || !S_ISREG (st.st_mode))
    {
      close (fd);
      g_set_error (error, FERRY_TRANSFER_ERROR, FERRY_TRANSFER_ERROR_FAILED,
                   N_ ("The file to upload (%s) was replaced by something that is not a file "
                       "(a pipe or a device); Ferry sent nothing from it"), path);
      return -1;
    }

  if ((guint64) st.st_dev != dev ||
      (guint64) st.st_ino != ino || (guint64) st.st_size != size || mtime_ns (&st) != mtime)
    {
      close (fd);
      g_set_error_literal (error, FERRY_TRANSFER_ERROR, FERRY_TRANSFER_ERROR_FAILED,
                           N_ ("The file changed while it was being uploaded"));
      return -1;
    }

  return fd;
}

gboolean
ferry_source_check (int      fd,
                    GError **error)
{
  struct stat st;
  int flags;

  if (fd < 0 || fstat (fd, &st) != 0)
    {
      g_set_error_literal (error, FERRY_ERROR, FERRY_ERROR_INVALID_ARGUMENT,
                           N_ ("The file to upload was not passed (no valid descriptor)"));
      return FALSE;
    }

  if (!S_ISREG (st.st_mode))
    {
      g_set_error_literal (error, FERRY_ERROR, FERRY_ERROR_INVALID_ARGUMENT,
                           N_ ("Ferry uploads files; this descriptor is a folder, pipe or device"));
      return FALSE;
    }

  flags = fcntl (fd, F_GETFL);
  if (flags < 0 || (flags & O_ACCMODE) == O_WRONLY)
    {
      g_set_error_literal (error, FERRY_ERROR, FERRY_ERROR_INVALID_ARGUMENT,
                           N_ ("The file to upload was opened for writing only; open it for "
                               "reading"));
      return FALSE;
    }

  return TRUE;
}

/* The path the kernel gives for @fd, if it opens the same file for ferryd. */
static char *
reopenable_path (int                fd,
                 const struct stat *st)
{
  g_autofree char *link = g_strdup_printf ("/proc/self/fd/%d", fd);
  g_autofree char *path = g_file_read_link (link, NULL);
  struct stat again;
  int check;

  if (path == NULL || !g_path_is_absolute (path))
    return NULL;

  /* As each attempt will open it (ferry_source_open): a link here would fail them all. */
  check = open (path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | O_NOFOLLOW);
  if (check < 0)
    return NULL;
  if (fstat (check, &again) != 0 || !same_file (st, &again))
    {
      close (check);
      return NULL;
    }
  close (check);
  return g_steal_pointer (&path);
}

static gboolean
copy_into (int      from,
           int      to,
           guint64  size,
           GError **error)
{
  loff_t in_offset = 0;
  guint64 left = size;
  gboolean kernel_copy = TRUE;

  while (left > 0)
    {
      ssize_t n = -1;

      if (kernel_copy)
        {
          n = copy_file_range (from, &in_offset, to, NULL, (size_t) MIN (left, G_MAXINT32), 0);
          if (n < 0 && (errno == EXDEV || errno == EINVAL || errno == ENOSYS ||
                        errno == EOPNOTSUPP))
            {
              kernel_copy = FALSE;
              continue;
            }
        }
      else
        {
          char buffer[256 * 1024];

          n = pread (from, buffer, (size_t) MIN (left, sizeof buffer), in_offset);
          if (n > 0)
            {
              for (gssize done = 0; done < n;)
                {
                  gssize w = write (to, buffer + done, (size_t) (n - done));

                  if (w < 0 && errno != EINTR)
                    {
                      n = -1;
                      break;
                    }
                  done += MAX (w, 0);
                }
              if (n > 0)
                in_offset += n;
            }
        }

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int saved = errno;

          g_set_error (error, FERRY_ERROR, FERRY_ERROR_FAILED,
                       saved == ENOSPC
                       ? N_ ("There is no room to keep a copy of the file to upload")
                       : N_ ("Ferry could not keep a copy of the file to upload: %s"),
                       g_strerror (saved));
          return FALSE;
        }
      if (n == 0)
        {
          g_set_error_literal (error, FERRY_ERROR, FERRY_ERROR_FAILED,
                               N_ ("The file to upload got shorter while Ferry copied it"));
          return FALSE;
        }
      left -= (guint64) n;
    }

  if (fsync (to) != 0)
    {
      g_set_error (error, FERRY_ERROR, FERRY_ERROR_FAILED,
                   N_ ("Ferry could not keep a copy of the file to upload: %s"),
                   g_strerror (errno));
      return FALSE;
    }
  return TRUE;
}

gboolean
ferry_source_adopt (int          fd,
                    const char  *copy_dir,
                    FerryRecord *r,
                    GError     **error)
{
  g_autofree char *path = NULL;
  g_autofree char *name = NULL;
  struct stat st;

  if (!ferry_source_check (fd, error) || fstat (fd, &st) != 0)
    return FALSE;

  path = reopenable_path (fd, &st);
  if (path == NULL)
    {
      g_autofree char *id = g_uuid_string_random ();
      g_autofree char *copy = NULL;
      struct stat copied;
      int out;

      if (g_mkdir_with_parents (copy_dir, 0700) != 0)
        {
          g_set_error (error, FERRY_ERROR, FERRY_ERROR_FAILED,
                       N_ ("Ferry cannot create %s to keep a copy of the file: %s"), copy_dir,
                       g_strerror (errno));
          return FALSE;
        }

      copy = g_build_filename (copy_dir, id, NULL);
      out = open (copy, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
      if (out < 0)
        {
          g_set_error (error, FERRY_ERROR, FERRY_ERROR_FAILED,
                       N_ ("Ferry cannot keep a copy of the file to upload: %s"),
                       g_strerror (errno));
          return FALSE;
        }

      if (!copy_into (fd, out, (guint64) st.st_size, error) || fstat (out, &copied) != 0)
        {
          close (out);
          g_unlink (copy);
          return FALSE;
        }
      close (out);

      g_debug ("Kept a private copy of an upload's file: %s", copy);
      r->source_path = g_steal_pointer (&copy);
      r->source_is_copy = TRUE;
      st = copied;
    }
  else
    {
      name = g_path_get_basename (path);
      r->source_path = g_steal_pointer (&path);
      r->source_is_copy = FALSE;
    }

  r->source_dev = (guint64) st.st_dev;
  r->source_ino = (guint64) st.st_ino;
  r->source_mtime = mtime_ns (&st);
  r->bytes_total = (guint64) st.st_size;

  if (r->filename == NULL)
    {
      g_autofree char *clean = name ? ferry_http_sanitize_filename (name) : NULL;

      r->filename = clean ? g_steal_pointer (&clean) : g_strdup ("upload");
    }
  return TRUE;
}
