/* tests/bench/ceiling.c — the ceiling for one connection in tests/bench/download: a GET with
 * 1 MiB reads into a file, fdatasync in a thread every CHECKPOINT seconds while reading goes
 * on (the schedule of ferry-download.c), and a final one. Built by the benchmark.
 * With "direct", it writes as ferryd does where the file system takes it: each full 1 MiB
 * buffer (4 KiB-aligned) with O_DIRECT, the rest at the end through the page cache; but in
 * the read loop itself, with no writer thread.
 * usage: ceiling HOST PORT PATH OUTPUT [CHECKPOINT_SECONDS (2)] [direct] */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define READ_SIZE (1 << 20)

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static int want_sync, sync_busy, quit, fd;

static double
now (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void *
syncer (void *arg)
{
  pthread_mutex_lock (&lock);
  for (;;)
    {
      while (!want_sync && !quit)
        pthread_cond_wait (&cond, &lock);
      if (quit)
        break;
      want_sync = 0;
      pthread_mutex_unlock (&lock);
      if (fdatasync (fd) != 0)
        {
          perror ("fdatasync");
          exit (1);
        }
      pthread_mutex_lock (&lock);
      sync_busy = 0;
    }
  pthread_mutex_unlock (&lock);
  return NULL;
}

int
main (int argc, char **argv)
{
  double interval = argc > 5 ? atof (argv[5]) : 2.0, last;
  int direct = argc > 6 && strcmp (argv[6], "direct") == 0;
  struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons (atoi (argv[2])) };
  char *buf, request[1024];
  long long body = 0, length = -1;
  int s, header_done = 0;
  size_t have = 0, fill = 0;
  pthread_t thread;

  if (posix_memalign ((void **) &buf, 4096, READ_SIZE) != 0)
    return 1;

  inet_pton (AF_INET, argv[1], &sa.sin_addr);
  s = socket (AF_INET, SOCK_STREAM, 0);
  if (connect (s, (struct sockaddr *) &sa, sizeof sa) != 0)
    {
      perror ("connect");
      return 1;
    }
  snprintf (request, sizeof request, "GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n",
            argv[3], argv[1]);
  if (write (s, request, strlen (request)) < 0)
    return 1;
  fd = open (argv[4], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | (direct ? O_DIRECT : 0), 0644);
  if (fd < 0)
    {
      perror (argv[4]);
      return 1;
    }
  pthread_create (&thread, NULL, syncer, NULL);
  last = now ();
  for (;;)
    {
      ssize_t n = read (s, buf + have + fill, READ_SIZE - have - fill);
      char *data = buf + fill;

      if (n < 0)
        {
          perror ("read");
          return 1;
        }
      if (n == 0)
        break;
      if (!header_done)
        {
          char *end, *cl;

          have += n;
          buf[have < READ_SIZE ? have : READ_SIZE - 1] = 0;
          end = strstr (buf, "\r\n\r\n");
          if (end == NULL)
            continue;
          if (strncmp (buf, "HTTP/1.1 200", 12) != 0)
            {
              fprintf (stderr, "not a 200\n");
              return 1;
            }
          cl = strcasestr (buf, "\r\ncontent-length:");
          if (cl)
            length = atoll (cl + 17);
          header_done = 1;
          data = end + 4;
          n = buf + have - data;
          have = 0;
          if (direct)
            {
              /* The body from the buffer's start: full buffers stay aligned. */
              memmove (buf, data, n);
              data = buf;
            }
        }
      if (direct)
        {
          fill += n;
          body += n;
          n = 0;
          if (fill == READ_SIZE || (length >= 0 && body >= length))
            {
              if (fill != READ_SIZE)
                fcntl (fd, F_SETFL, fcntl (fd, F_GETFL) & ~O_DIRECT);
              if (write (fd, buf, fill) != (ssize_t) fill)
                {
                  perror ("write");
                  return 1;
                }
              fill = 0;
            }
        }
      while (n > 0)
        {
          ssize_t w = write (fd, data, n);

          if (w < 0)
            {
              perror ("write");
              return 1;
            }
          data += w;
          n -= w;
          body += w;
        }
      if (now () - last >= interval)
        {
          pthread_mutex_lock (&lock);
          if (!sync_busy)
            {
              sync_busy = want_sync = 1;
              last = now ();
              pthread_cond_signal (&cond);
            }
          pthread_mutex_unlock (&lock);
        }
      if (length >= 0 && body >= length)
        break;
    }
  if (fill > 0)
    {
      fcntl (fd, F_SETFL, fcntl (fd, F_GETFL) & ~O_DIRECT);
      if (write (fd, buf, fill) != (ssize_t) fill)
        {
          perror ("write");
          return 1;
        }
    }
  pthread_mutex_lock (&lock);
  quit = 1;
  pthread_cond_signal (&cond);
  pthread_mutex_unlock (&lock);
  pthread_join (thread, NULL);
  if (fdatasync (fd) != 0 || close (fd) != 0)
    {
      perror ("fdatasync");
      return 1;
    }
  if (length >= 0 && body != length)
    {
      fprintf (stderr, "short body: %lld of %lld\n", body, length);
      return 1;
    }
  return 0;
}
