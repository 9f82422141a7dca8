/* ferry-folder.c
 *
 * A folder checked when a download is added could be swapped later for a symlink to a place
 * the caller was never given (~/.config/autostart, ~/.ssh). So the check pins the folder it
 * saw: its resolved path and its device/inode. Every later use walks that path from / one
 * component at a time with O_NOFOLLOW, refuses a link anywhere on the way, checks the
 * device/inode, and reaches files only relative to the descriptor it got.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ferry-folder"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ferry-error.h"
#include "ferry-folder.h"
#include "ferry-i18n.h"
#include "ferry-transfer.h"

static GError *
replaced_error (const char *folder)
{
  return g_error_new (FERRY_TRANSFER_ERROR, FERRY_TRANSFER_ERROR_FAILED,
                      N_ ("The destination folder %s was replaced since the download was added; "
                          "Ferry writes and deletes nothing in its place"), folder);
}

/* @real_path walked from /, no component a symlink; the last one opened for writing. */
static int
open_beneath_root (const char *real_path,
                   GError    **error)
{
  g_auto(GStrv) parts = NULL;
  int fd;

  if (!g_path_is_absolute (real_path))
    {
      g_set_error (error, FERRY_TRANSFER_ERROR, FERRY_TRANSFER_ERROR_FAILED,
                   N_ ("The destination folder %s is not an absolute path"), real_path);
      return -1;
    }

  fd = open ("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    {
      g_set_error (error, FERRY_TRANSFER_ERROR, FERRY_TRANSFER_ERROR_FAILED,
                   N_ ("The destination folder %s cannot be opened: %s"),
                   real_path, g_strerror (errno));
      return -1;
    }

  parts = g_strsplit (real_path, "/", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      gboolean last = TRUE;
      int next;

      if (*parts[i] == '\0')
        continue;
      for (guint j = i + 1; parts[j] != NULL; j++)
        if (*parts[j] != '\0')
          last = FALSE;

      /* A pinned path is resolved: "." or ".." in it can only be a stored path tampered
       * with. */
      if (g_str_equal (parts[i], ".") || g_str_equal (parts[i], ".."))
        {
          close (fd);
          g_propagate_error (error, replaced_error (real_path));
          return -1;
        }

      /* O_NOFOLLOW with O_DIRECTORY: a symlink is ENOTDIR (or ELOOP), never followed. */
      next = openat (fd, parts[i],
                     (last ? O_RDONLY : O_PATH) | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (next < 0)
        {
          int saved_errno = errno;

          close (fd);
          if (saved_errno == ENOTDIR || saved_errno == ELOOP)
            g_propagate_error (error, replaced_error (real_path));
          else if (saved_errno == ENOENT)
            g_set_error (error, FERRY_TRANSFER_ERROR, FERRY_TRANSFER_ERROR_FAILED,
                         N_ ("The destination folder %s no longer exists"), real_path);
          else
            g_set_error (error, FERRY_TRANSFER_ERROR, FERRY_TRANSFER_ERROR_FAILED,
                         N_ ("The destination folder %s cannot be opened: %s"),
                         real_path, g_strerror (saved_errno));
          errno = saved_errno;
          return -1;
        }
      close (fd);
      fd = next;
    }

  return fd;
}

gboolean
ferry_folder_pin (const char *path,
                  char      **out_real_path,
                  guint64    *out_dev,
                  guint64    *out_ino,
                  GError    **error)
{
  g_autofree char *real_path = realpath (path, NULL);
  g_autoptr(GError) local_error = NULL;
  struct stat st;
  int fd;

  if (real_path == NULL)
    {
      g_set_error (error, FERRY_ERROR, FERRY_ERROR_INVALID_ARGUMENT,
                   N_ ("The destination folder “%s” cannot be used: %s"), path, g_strerror (errno));
      return FALSE;
    }

  fd = open_beneath_root (real_path, &local_error);
  if (fd < 0 || fstat (fd, &st) != 0)
    {
      if (fd >= 0)
        close (fd);
      g_set_error (error, FERRY_ERROR, FERRY_ERROR_INVALID_ARGUMENT,
                   N_ ("The destination folder “%s” cannot be used: %s"), path,
                   local_error ? local_error->message : g_strerror (errno));
      return FALSE;
    }
  close (fd);

  *out_real_path = g_steal_pointer (&real_path);
  *out_dev = (guint64) st.st_dev;
  *out_ino = (guint64) st.st_ino;
  return TRUE;
}

int
ferry_folder_open (const char *real_path,
                   guint64     dev,
                   guint64     ino,
                   GError    **error)
{
  g_autofree char *resolved = NULL;
  struct stat st;
  int fd;

  /* Stored by a Ferry that did not pin folders: the path as it was given then, which may
   * hold a link of the user's own (/home → /var/home, a Downloads folder that is a link).
   * Resolved now, as the check then did; the caller pins what it finds. */
  if (dev == 0 && ino == 0)
    {
      resolved = realpath (real_path, NULL);
      if (resolved == NULL)
        {
          int saved_errno = errno;

          if (saved_errno == ENOENT)
            g_set_error (error, FERRY_TRANSFER_ERROR, FERRY_TRANSFER_ERROR_FAILED,
                         N_ ("The destination folder %s no longer exists"), real_path);
          else
            g_set_error (error, FERRY_TRANSFER_ERROR, FERRY_TRANSFER_ERROR_FAILED,
                         N_ ("The destination folder %s cannot be opened: %s"),
                         real_path, g_strerror (saved_errno));
          errno = saved_errno;
          return -1;
        }
      real_path = resolved;
    }

  fd = open_beneath_root (real_path, error);
  if (fd < 0)
    return -1;

  if (fstat (fd, &st) != 0)
    {
      g_set_error (error, FERRY_TRANSFER_ERROR, FERRY_TRANSFER_ERROR_FAILED,
                   N_ ("The destination folder %s cannot be opened: %s"),
                   real_path, g_strerror (errno));
      close (fd);
      return -1;
    }

  if ((dev != 0 || ino != 0) && ((guint64) st.st_dev != dev || (guint64) st.st_ino != ino))
    {
      close (fd);
      g_propagate_error (error, replaced_error (real_path));
      /* Not ENOENT left from an earlier call: that would read as a folder that is gone. */
      errno = ESTALE;
      return -1;
    }

  return fd;
}

gboolean
ferry_folder_check_file (int         dir_fd,
                         const char *folder,
                         const char *name,
                         guint64     dev,
                         guint64     ino,
                         gboolean   *out_gone,
                         GError    **error)
{
  struct stat st;

  *out_gone = FALSE;
  if (fstatat (dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
    {
      if (errno == ENOENT)
        {
          *out_gone = TRUE;
          return TRUE;
        }
      g_set_error (error, FERRY_TRANSFER_ERROR, FERRY_TRANSFER_ERROR_FAILED,
                   N_ ("Could not delete %s in %s: %s"), name, folder, g_strerror (errno));
      return FALSE;
    }

  /* Without its identity stored (completed before Ferry kept it) a file cannot be told
   * from one put in its place, so it is not deleted either; and that is what is said. */
  if (dev == 0 && ino == 0)
    {
      g_set_error (error, FERRY_TRANSFER_ERROR, FERRY_TRANSFER_ERROR_FAILED,
                   N_ ("%s in %s was downloaded by an older version of Ferry, which did not "
                       "record which file it made, so Ferry did not delete it. Remove the "
                       "transfer and delete the file yourself if you no longer need it"),
                   name, folder);
      return FALSE;
    }

  if (!S_ISREG (st.st_mode) || (guint64) st.st_dev != dev || (guint64) st.st_ino != ino)
    {
      g_set_error (error, FERRY_TRANSFER_ERROR, FERRY_TRANSFER_ERROR_FAILED,
                   N_ ("%s in %s is no longer the file Ferry downloaded (it was replaced or "
                       "moved); Ferry did not delete it. Remove the transfer and keep the file "
                       "instead"), name, folder);
      return FALSE;
    }

  return TRUE;
}

gboolean
ferry_folder_delete_file (int         dir_fd,
                          const char *folder,
                          const char *name,
                          guint64     dev,
                          guint64     ino,
                          GError    **error)
{
  gboolean gone;

  if (!ferry_folder_check_file (dir_fd, folder, name, dev, ino, &gone, error))
    return FALSE;
  if (gone)
    return TRUE;

  if (unlinkat (dir_fd, name, 0) != 0 && errno != ENOENT)
    {
      g_set_error (error, FERRY_TRANSFER_ERROR, FERRY_TRANSFER_ERROR_FAILED,
                   N_ ("Could not delete %s in %s: %s"), name, folder, g_strerror (errno));
      return FALSE;
    }

  return TRUE;
}
