/* ferry-test-eio.c: an LD_PRELOAD shim that makes one fdatasync of a partial file fail
 *
 * Loaded into ferryd by the tests (FERRY_TEST_EIO_DIR names a directory). While the file
 * "fail" exists there, the next fdatasync of a descriptor whose path ends in ".part" deletes
 * it, overwrites what was written since that descriptor's last good sync with zeros (the
 * pages a failed writeback loses), notes that offset in "failed" and returns EIO, as the
 * kernel does once. Every good sync of a partial file notes its size in "synced". Nothing
 * else is touched.
 *
 * FERRY_TEST_NO_DIRECT plays a file system without O_DIRECT: "open" makes every open with
 * O_DIRECT fail with EINVAL (as tmpfs did before Linux 6.6), "write" lets the open work but
 * fails every write through such a descriptor with EINVAL (a file system whose alignment is
 * larger than the writer's). Each refusal is counted in "refused".
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
/* Both names of open and pwrite are defined here (the same function each): the headers
 * must not map one onto the other. */
#undef _FILE_OFFSET_BITS

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_FDS 4096

static long long last_good[MAX_FDS];

static int
is_partial_file (int fd)
{
  char link[64];
  char target[PATH_MAX];
  ssize_t n;

  snprintf (link, sizeof link, "/proc/self/fd/%d", fd);
  n = readlink (link, target, sizeof target - 1);
  if (n <= 0)
    return 0;
  target[n] = '\0';
  return n > 5 && strcmp (target + n - 5, ".part") == 0;
}

static void
note (const char *dir,
      const char *name,
      long long   value)
{
  char path[PATH_MAX];
  char tmp[PATH_MAX];
  char text[32];
  int fd;
  int len;

  snprintf (path, sizeof path, "%s/%s", dir, name);
  snprintf (tmp, sizeof tmp, "%s/.%s.tmp", dir, name);
  len = snprintf (text, sizeof text, "%lld\n", value);
  fd = open (tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0)
    return;
  if (write (fd, text, (size_t) len) != len)
    {
      close (fd);
      return;
    }
  close (fd);
  rename (tmp, path);
}

static int refusals;

static int
refuse_direct (const char *when)
{
  const char *mode = getenv ("FERRY_TEST_NO_DIRECT");
  const char *dir = getenv ("FERRY_TEST_EIO_DIR");

  if (mode == NULL || strcmp (mode, when) != 0)
    return 0;
  if (dir != NULL)
    note (dir, "refused", __atomic_add_fetch (&refusals, 1, __ATOMIC_SEQ_CST));
  errno = EINVAL;
  return 1;
}

/* One function for both names: on a 64-bit system they are the same call. */
int
open (const char *path,
      int         flags,
      ...)
{
  static int (*real_open) (const char *, int, ...);
  mode_t mode = 0;

  if (real_open == NULL)
    real_open = (int (*) (const char *, int, ...)) dlsym (RTLD_NEXT, "open");
  if (flags & (O_CREAT | O_TMPFILE))
    {
      va_list ap;

      va_start (ap, flags);
      mode = (mode_t) va_arg (ap, int);
      va_end (ap);
    }
  if ((flags & O_DIRECT) && refuse_direct ("open"))
    return -1;
  return real_open (path, flags, mode);
}

int open64 (const char *path, int flags, ...) __attribute__ ((alias ("open")));

ssize_t
pwrite (int         fd,
        const void *buf,
        size_t      count,
        off_t       offset)
{
  static ssize_t (*real_pwrite) (int, const void *, size_t, off_t);
  int flags = fcntl (fd, F_GETFL);

  if (real_pwrite == NULL)
    real_pwrite = (ssize_t (*) (int, const void *, size_t, off_t)) dlsym (RTLD_NEXT, "pwrite");
  if (flags >= 0 && (flags & O_DIRECT) && refuse_direct ("write"))
    return -1;
  return real_pwrite (fd, buf, count, offset);
}

ssize_t pwrite64 (int fd, const void *buf, size_t count, off_t offset)
  __attribute__ ((alias ("pwrite")));

int
fdatasync (int fd)
{
  static int (*real_fdatasync) (int);
  const char *dir = getenv ("FERRY_TEST_EIO_DIR");
  char fail[PATH_MAX];
  struct stat st;
  int ret;

  if (real_fdatasync == NULL)
    real_fdatasync = (int (*) (int)) dlsym (RTLD_NEXT, "fdatasync");

  if (dir == NULL || fd < 0 || fd >= MAX_FDS || !is_partial_file (fd))
    return real_fdatasync (fd);

  snprintf (fail, sizeof fail, "%s/fail", dir);
  if (unlink (fail) == 0 && fstat (fd, &st) == 0)
    {
      static const char zeros[65536];
      long long pos = last_good[fd];

      while (pos < (long long) st.st_size)
        {
          size_t n = (size_t) ((long long) st.st_size - pos < (long long) sizeof zeros
                               ? (long long) st.st_size - pos : (long long) sizeof zeros);

          if (pwrite (fd, zeros, n, (off_t) pos) <= 0)
            break;
          pos += (long long) n;
        }
      real_fdatasync (fd);
      note (dir, "failed", last_good[fd]);
      errno = EIO;
      return -1;
    }

  ret = real_fdatasync (fd);
  if (ret == 0 && fstat (fd, &st) == 0)
    {
      last_good[fd] = (long long) st.st_size;
      note (dir, "synced", last_good[fd]);
    }
  return ret;
}
