/* ferry-scheduler.c
 *
 * A transfer runs when it is not paused, its earliest begin has passed, it is not inside a
 * retry backoff, and a slot is free. Otherwise it waits and says why. There is no polling:
 * one timer for the next due time, and a progress tick only while bytes flow.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ferry-scheduler"

#include "config.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gio/gunixfdlist.h>
#include <glib/gstdio.h>

#include "ferry-download.h"
#include "ferry-error.h"
#include "ferry-http.h"
#include "ferry-i18n.h"
#include "ferry-origins.h"
#include "ferry-proxy.h"
#include "ferry-rate-limiter.h"
#include "ferry-scheduler.h"
#include "ferry-settings.h"
#include "ferry-upload.h"

#define TICK_MSEC 250
#define TICKS_PER_PUBLISH 4
#define MAX_ATTEMPTS 10
#define BACKOFF_CAP_SECONDS 600
#define DISK_SPACE_RETRY_SECONDS 15
#define DEFAULT_MAX_RUNNING 4
/* How long a shutdown (SIGTERM) waits for running attempts to reach their checkpoint; the
 * session manager's own patience is about 5 s. */
#define SHUTDOWN_GRACE_MSEC 2500
#define DEFAULT_MAX_PER_HOST 8
/* The highest max-running and max-per-host the settings schema allows. */
#define MAX_RUNNING_LIMIT 256
#define MAX_PER_HOST_LIMIT 64

struct _FerryScheduler
{
  GObject parent_instance;

  FerryStore *store;
  SoupSession *session;
  GPtrArray *transfers;        /* every transfer, oldest first */
  GHashTable *cancellables;    /* FerryTransfer → GCancellable of its running attempt */
  GHashTable *removed;         /* transfers removed while their attempt still runs */
  GHashTable *batch;           /* transfers stored in the open transaction, announced once it
                                * commits; NULL when none is open */

  guint max_running;
  guint max_per_host;
  guint running;
  gboolean pending;
  guint64 download_rate;
  guint64 upload_rate;

  GSettings *settings;
  FerryRateLimiter *download_limiter;
  FerryRateLimiter *upload_limiter;
  GHashTable *own_limiters;    /* FerryTransfer → FerryRateLimiter of its running attempt */
  FerryOrigins *origins;       /* Retry-After and connection budget per server, all sessions */

  GNetworkMonitor *network_monitor;
  GPowerProfileMonitor *power_monitor;
  gboolean online;
  gboolean metered;
  gboolean power_saver;

  /* logind's sleep inhibitor while bytes flow. */
  GCancellable *inhibit_cancellable;
  int inhibit_fd;

  guint plan_source;
  guint due_source;
  guint tick_source;
  guint tick_count;

  gboolean shutting_down;
  GCallback shutdown_callback;
  gpointer shutdown_data;
  guint shutdown_grace_source;
};

G_DEFINE_FINAL_TYPE (FerryScheduler, ferry_scheduler, G_TYPE_OBJECT)

enum {
  PROGRESS,
  PENDING_CHANGED,
  RUNNING_CHANGED,
  FINISHED,
  ENVIRONMENT_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void plan (FerryScheduler *self);
static void queue_plan (FerryScheduler *self);
static void on_connection_freed (gpointer origin,
                                 gpointer user_data);

/* How often a transfer waiting for disk space looks again; the tests shorten it. */
static guint
disk_space_retry_seconds (void)
{
  static guint seconds;

  if (seconds == 0)
    seconds = ferry_settings_env_seconds ("FERRY_DISK_RETRY_SECONDS", DISK_SPACE_RETRY_SECONDS,
                                          3600);

  return seconds;
}

/* Ferry's own first backoff after a failure, doubled after each further one; the tests
 * lengthen it to tell a backoff cut short from one that ran out. */
static guint
first_backoff_seconds (void)
{
  static guint seconds;

  if (seconds == 0)
    seconds = ferry_settings_env_seconds ("FERRY_FIRST_BACKOFF_SECONDS", 1, BACKOFF_CAP_SECONDS);

  return seconds;
}

static gint64
now_unix (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

/* Unix seconds as real µs, for comparisons; clamped, as a store read back is not trusted. */
static gint64
usec_of_seconds (gint64 seconds)
{
  return CLAMP (seconds, 0, G_MAXINT64 / G_USEC_PER_SEC - 1) * G_USEC_PER_SEC;
}

/* Waits @seconds from now, as a server asked (@from_server) or as Ferry's backoff. */
static void
set_retry_in (FerryTransfer *transfer,
              guint          seconds,
              gboolean       from_server)
{
  ferry_transfer_set_retry (transfer, g_get_real_time () + (gint64) seconds * G_USEC_PER_SEC,
                            from_server);
}

/* When a waiting retry is due, in real µs: the exact time when it is known (it was set in
 * this run and RetryAt was not changed since), else the start of its RetryAt second. */
static gint64
retry_due (const FerryRecord *r)
{
  if (r->retry_due_usec > 0 &&
      (r->retry_due_usec + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC == r->retry_at)
    return r->retry_due_usec;

  return usec_of_seconds (r->retry_at);
}

static void
ferry_scheduler_dispose (GObject *object)
{
  FerryScheduler *self = FERRY_SCHEDULER (object);

  g_clear_handle_id (&self->plan_source, g_source_remove);
  g_clear_handle_id (&self->due_source, g_source_remove);
  g_clear_handle_id (&self->tick_source, g_source_remove);
  g_clear_handle_id (&self->shutdown_grace_source, g_source_remove);
  if (self->inhibit_cancellable != NULL)
    g_cancellable_cancel (self->inhibit_cancellable);
  g_clear_object (&self->inhibit_cancellable);
  if (self->inhibit_fd >= 0)
    close (self->inhibit_fd);
  self->inhibit_fd = -1;
  g_clear_pointer (&self->cancellables, g_hash_table_unref);
  g_clear_pointer (&self->removed, g_hash_table_unref);
  g_clear_pointer (&self->own_limiters, g_hash_table_unref);
  g_clear_pointer (&self->origins, ferry_origins_free);
  g_clear_pointer (&self->transfers, g_ptr_array_unref);
  g_clear_pointer (&self->download_limiter, ferry_rate_limiter_unref);
  g_clear_pointer (&self->upload_limiter, ferry_rate_limiter_unref);
  if (self->network_monitor != NULL)
    g_signal_handlers_disconnect_by_data (self->network_monitor, self);
  if (self->power_monitor != NULL)
    g_signal_handlers_disconnect_by_data (self->power_monitor, self);
  g_clear_object (&self->network_monitor);
  g_clear_object (&self->power_monitor);
  g_clear_object (&self->settings);
  g_clear_object (&self->session);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (ferry_scheduler_parent_class)->dispose (object);
}

static void
ferry_scheduler_class_init (FerrySchedulerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ferry_scheduler_dispose;

  /* GPtrArray of the running transfers whose bytes changed since the last tick, and of all
   * of them once a second. */
  signals[PROGRESS] = g_signal_new ("progress", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                    0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_PTR_ARRAY);
  /* Whether anything is queued, waiting or running: the service stays up while it is. */
  signals[PENDING_CHANGED] = g_signal_new ("pending-changed", G_TYPE_FROM_CLASS (klass),
                                           G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                           G_TYPE_NONE, 1, G_TYPE_BOOLEAN);
  signals[RUNNING_CHANGED] = g_signal_new ("running-changed", G_TYPE_FROM_CLASS (klass),
                                           G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                           G_TYPE_NONE, 0);
  /* A transfer reached a terminal state. */
  signals[FINISHED] = g_signal_new ("finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                    0, NULL, NULL, NULL, G_TYPE_NONE, 1, FERRY_TYPE_TRANSFER);
  /* Online, metered or power saving changed. */
  signals[ENVIRONMENT_CHANGED] = g_signal_new ("environment-changed", G_TYPE_FROM_CLASS (klass),
                                               G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                               G_TYPE_NONE, 0);
}

static void
ferry_scheduler_init (FerryScheduler *self)
{
  self->transfers = g_ptr_array_new_with_free_func (g_object_unref);
  self->cancellables = g_hash_table_new_full (NULL, NULL, NULL, g_object_unref);
  self->removed = g_hash_table_new_full (NULL, NULL, g_object_unref, NULL);
  self->own_limiters = g_hash_table_new_full (NULL, NULL, NULL,
                                              (GDestroyNotify) ferry_rate_limiter_unref);
  self->origins = ferry_origins_new ();
  ferry_origins_set_freed_func (self->origins, on_connection_freed, self);
  self->max_running = DEFAULT_MAX_RUNNING;
  self->max_per_host = DEFAULT_MAX_PER_HOST;
  self->download_limiter = ferry_rate_limiter_new (0);
  self->upload_limiter = ferry_rate_limiter_new (0);
  self->inhibit_fd = -1;
}

static void
read_settings (FerryScheduler *self)
{
  self->max_running = CLAMP (ferry_settings_get_uint (self->settings, "max-running",
                                                       DEFAULT_MAX_RUNNING),
                             1, MAX_RUNNING_LIMIT);
  self->max_per_host = CLAMP (ferry_settings_get_uint (self->settings, "max-per-host",
                                                       DEFAULT_MAX_PER_HOST),
                              1, MAX_PER_HOST_LIMIT);
  ferry_rate_limiter_set_rate (self->download_limiter,
                               ferry_settings_get_uint64 (self->settings, "download-limit", 0));
  ferry_rate_limiter_set_rate (self->upload_limiter,
                               ferry_settings_get_uint64 (self->settings, "upload-limit", 0));
  g_debug ("Limits: %u running, %u per server, %" G_GUINT64_FORMAT " B/s",
           self->max_running, self->max_per_host,
           ferry_rate_limiter_get_rate (self->download_limiter));
  queue_plan (self);
}

static void
read_environment (FerryScheduler *self)
{
  GNetworkConnectivity connectivity = g_network_monitor_get_connectivity (self->network_monitor);
  gboolean was_online = self->online;
  gboolean online = g_network_monitor_get_network_available (self->network_monitor) &&
                    connectivity == G_NETWORK_CONNECTIVITY_FULL;
  /* Without a network GLib's NetworkManager monitor says "not metered" (it reads NM's Metered
   * only with a connection): no news of the network we were on and will likely be back on.
   * Keep what was last known while offline, so a transfer that may not use a metered network
   * says it waits for both. */
  gboolean metered = online ? g_network_monitor_get_network_metered (self->network_monitor)
                            : self->metered;
  gboolean power_saver = self->power_monitor != NULL &&
                         g_power_profile_monitor_get_power_saver_enabled (self->power_monitor);

  if (online == self->online && metered == self->metered && power_saver == self->power_saver)
    return;

  g_message ("Network %s%s%s", online ? "online" : "offline", metered ? ", metered" : "",
             power_saver ? ", power saver on" : "");
  self->online = online;
  self->metered = metered;
  self->power_saver = power_saver;

  /* Back online: what failed while the network was going away tries again now rather than
   * at the end of its backoff. Only Ferry's own backoff: a server that said when to come
   * back (Retry-After) said so whatever our network did, and is not asked sooner. */
  if (online && !was_online)
    {
      for (guint i = 0; self->transfers != NULL && i < self->transfers->len; i++)
        {
          FerryTransfer *t = g_ptr_array_index (self->transfers, i);
          const FerryRecord *r = ferry_transfer_get_record (t);

          if (r->state == FERRY_STATE_WAITING && (r->wait_reasons & FERRY_WAIT_RETRY) &&
              !r->retry_from_server)
            ferry_transfer_clear_retry (t);
        }
    }

  g_signal_emit (self, signals[ENVIRONMENT_CHANGED], 0);
  queue_plan (self);
}

FerryScheduler *
ferry_scheduler_new (FerryStore *store)
{
  FerryScheduler *self;

  g_return_val_if_fail (FERRY_IS_STORE (store), NULL);

  self = g_object_new (FERRY_TYPE_SCHEDULER, NULL);
  self->store = g_object_ref (store);
  /* Deliberate settings rather than libsoup's defaults (PROTOCOLS.md §4): the slot limits
   * are ours, so libsoup's (fixed at construction) must never be lower than the highest the
   * settings allow, or transfers counted as running would sit in libsoup's queue with no
   * bytes; the I/O timeout is a backstop to our own stall detection. No user-agent: a
   * session's would replace the caller's, and each request gets the caller's or Ferry's
   * (ferry_http_add_caller_headers). */
  self->session = soup_session_new_with_options ("max-conns", MAX_RUNNING_LIMIT + 8,
                                                 "max-conns-per-host", MAX_PER_HOST_LIMIT + 4,
                                                 "timeout", 60,
                                                 "idle-timeout", 30,
                                                 /* Authenticating proxies (ferry-proxy.c) */
                                                 "proxy-resolver",
                                                 ferry_proxy_resolver_get_default (),
                                                 NULL);

  self->settings = ferry_settings_new ();
  if (self->settings != NULL)
    g_signal_connect_swapped (self->settings, "changed", G_CALLBACK (read_settings), self);
  read_settings (self);

  self->network_monitor = g_object_ref (g_network_monitor_get_default ());
  self->power_monitor = g_power_profile_monitor_dup_default ();
  g_signal_connect_swapped (self->network_monitor, "notify", G_CALLBACK (read_environment), self);
  if (self->power_monitor != NULL)
    g_signal_connect_swapped (self->power_monitor, "notify::power-saver-enabled",
                              G_CALLBACK (read_environment), self);
  read_environment (self);

  return self;
}

static gboolean
is_pending_state (FerryState state)
{
  return state == FERRY_STATE_QUEUED || state == FERRY_STATE_WAITING ||
         state == FERRY_STATE_RUNNING;
}

static void
update_pending (FerryScheduler *self)
{
  /* An attempt that still holds its slot holds ferryd too, whatever its transfer's state:
   * paused while its file is checked, the check runs to its end, and exiting for inactivity
   * would throw that work away. (Cancel and Remove give the slot back at once, so an attempt
   * stuck where it cannot see them holds nothing.) */
  gboolean pending = self->running > 0;

  for (guint i = 0; i < self->transfers->len && !pending; i++)
    {
      const FerryRecord *r = ferry_transfer_get_record (g_ptr_array_index (self->transfers, i));

      /* A link that expired waits for a person, as a paused transfer does: it holds
       * nothing. */
      pending = is_pending_state (r->state) && !(r->state == FERRY_STATE_WAITING &&
                                                 (r->wait_reasons & FERRY_WAIT_LINK_EXPIRED));
    }

  if (pending != self->pending)
    {
      self->pending = pending;
      g_signal_emit (self, signals[PENDING_CHANGED], 0, pending);
    }
}

/* A connection to a host that transfers wait for closed: one of them may start. */
static void
on_connection_freed (gpointer origin,
                     gpointer user_data)
{
  queue_plan (FERRY_SCHEDULER (user_data));
}

static gboolean
plan_idle (gpointer user_data)
{
  FerryScheduler *self = user_data;

  self->plan_source = 0;
  plan (self);
  return G_SOURCE_REMOVE;
}

/* Coalesces the changes of one main-loop iteration into one plan (and one transaction). */
static void
queue_plan (FerryScheduler *self)
{
  if (self->plan_source == 0 && !self->shutting_down)
    self->plan_source = g_idle_add (plan_idle, self);
}

/* Stores @transfer's record, then announces it: at once, or when the open transaction has
 * committed, so that nothing a client sees can be lost by a failed commit. */
static gboolean
persist (FerryScheduler *self,
         FerryTransfer  *transfer,
         GError        **error)
{
  if (!ferry_transfer_persist (transfer, error))
    return FALSE;

  if (self->batch != NULL)
    g_hash_table_add (self->batch, g_object_ref (transfer));
  else
    ferry_transfer_publish (transfer);
  return TRUE;
}

/* Opens one transaction for many changes: one sync to disk instead of one per row. */
static gboolean
batch_begin (FerryScheduler *self,
             GError        **error)
{
  g_assert (self->batch == NULL);

  if (!ferry_store_begin (self->store, error))
    return FALSE;
  self->batch = g_hash_table_new_full (NULL, NULL, g_object_unref, NULL);
  return TRUE;
}

/* Commits the transaction, then announces what it stored; after a failed commit, nothing. */
static gboolean
batch_commit (FerryScheduler *self,
              GError        **error)
{
  g_autoptr(GHashTable) batch = g_steal_pointer (&self->batch);
  GHashTableIter iter;
  gpointer key;

  if (!ferry_store_commit (self->store, error))
    return FALSE;

  g_hash_table_iter_init (&iter, batch);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    ferry_transfer_publish (key);
  return TRUE;
}

static gboolean
save (FerryScheduler *self,
      FerryTransfer  *transfer)
{
  g_autoptr(GError) error = NULL;

  if (!persist (self, transfer, &error))
    {
      g_warning ("Could not save transfer %" G_GUINT64_FORMAT ": %s",
                 ferry_transfer_get_id (transfer), error->message);
      return FALSE;
    }
  return TRUE;
}

/* The engine for a transfer's kind: the one place that knows there are kinds. @own is the
 * transfer's own rate limit, or NULL. */
static FerryEngine *
new_engine (FerryScheduler   *self,
            FerryTransfer    *transfer,
            FerryRateLimiter *own)
{
  FerryEngine *engine;
  FerryRateLimiter *shared;

  if (ferry_transfer_get_record (transfer)->kind == FERRY_KIND_UPLOAD)
    {
      engine = FERRY_ENGINE (ferry_upload_new (transfer, self->session));
      shared = self->upload_limiter;
    }
  else
    {
      engine = FERRY_ENGINE (ferry_download_new (transfer, self->session));
      ferry_download_set_origins (FERRY_DOWNLOAD (engine), self->origins, self->max_per_host);
      shared = self->download_limiter;
    }
  ferry_engine_set_rate_limiters (engine, shared, own);
  return engine;
}

/* Lets go of what an unfinished transfer holds that no one will use, when no attempt runs:
 * a download's partial file; an upload's copy of its source and the server's half-received
 * upload. */
static void
discard (FerryScheduler *self,
         FerryTransfer  *transfer)
{
  g_autoptr(FerryEngine) engine = new_engine (self, transfer, NULL);

  ferry_engine_discard (engine);
}

/* -- Progress ---------------------------------------------------------------------------- */

static gboolean
tick (gpointer user_data)
{
  FerryScheduler *self = user_data;
  g_autoptr(GPtrArray) moved = g_ptr_array_new ();
  gint64 now = g_get_monotonic_time ();
  gboolean publish = (++self->tick_count % TICKS_PER_PUBLISH) == 0;
  guint64 rates[FERRY_KIND_UPLOAD + 1] = { 0, };
  GHashTableIter iter;
  gpointer key;

  /* The running transfers are the keys of cancellables: a queue of 10,000 costs the tick
   * nothing for the ones that wait. */
  g_hash_table_iter_init (&iter, self->cancellables);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      FerryTransfer *t = key;
      const FerryRecord *r = ferry_transfer_get_record (t);
      FerryEngine *engine = ferry_transfer_get_engine (t);

      ferry_transfer_set_sent_bytes (t, ferry_engine_get_sent (engine));
      /* The last attempt's trouble is over once this one moves the file forward. */
      if (r->error != NULL && ferry_engine_get_progress (engine) > 0)
        {
          ferry_transfer_set_error (t, NULL);
          save (self, t);
        }
      if (ferry_transfer_update_rate (t, now) || publish)
        g_ptr_array_add (moved, t);
      rates[r->kind] += ferry_transfer_get_rate (t);

      if (publish)
        ferry_transfer_publish (t);
    }

  self->download_rate = rates[FERRY_KIND_DOWNLOAD];
  self->upload_rate = rates[FERRY_KIND_UPLOAD];

  if (moved->len > 0)
    g_signal_emit (self, signals[PROGRESS], 0, moved);
  if (publish)
    g_signal_emit (self, signals[RUNNING_CHANGED], 0);

  return G_SOURCE_CONTINUE;
}

/* -- Sleep inhibition: while bytes flow, the machine does not suspend on its own --------- */

static void
on_inhibited (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  FerryScheduler *self;
  g_autoptr(GError) error = NULL;
  g_autoptr(GUnixFDList) fds = NULL;
  g_autoptr(GVariant) reply = NULL;
  int fd;

  reply = g_dbus_connection_call_with_unix_fd_list_finish (G_DBUS_CONNECTION (source), &fds,
                                                           result, &error);
  if (reply == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_debug ("Could not inhibit sleep: %s", error->message);
      return;
    }

  self = user_data;
  g_clear_object (&self->inhibit_cancellable);
  fd = fds ? g_unix_fd_list_get (fds, 0, NULL) : -1;
  if (self->running == 0 || fd < 0)
    {
      if (fd >= 0)
        close (fd);
      return;
    }

  self->inhibit_fd = fd;
  g_debug ("Sleep inhibited while transfers run");
}

static void
on_system_bus (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  FerryScheduler *self;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDBusConnection) bus = g_bus_get_finish (result, &error);

  if (bus == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_debug ("No system bus, sleep is not inhibited: %s", error->message);
      return;
    }

  self = user_data;
  if (g_cancellable_is_cancelled (self->inhibit_cancellable))
    return;

  g_dbus_connection_call_with_unix_fd_list (bus, "org.freedesktop.login1",
                                            "/org/freedesktop/login1",
                                            "org.freedesktop.login1.Manager", "Inhibit",
                                            g_variant_new ("(ssss)", "sleep", "Ferry",
                                                           "Transfers are running", "block"),
                                            G_VARIANT_TYPE ("(h)"), G_DBUS_CALL_FLAGS_NONE, -1,
                                            NULL, self->inhibit_cancellable, on_inhibited, self);
}

static void
update_inhibitor (FerryScheduler *self)
{
  if (self->running > 0 && self->inhibit_fd < 0 && self->inhibit_cancellable == NULL)
    {
      self->inhibit_cancellable = g_cancellable_new ();
      g_bus_get (G_BUS_TYPE_SYSTEM, self->inhibit_cancellable, on_system_bus, self);
    }
  else if (self->running == 0)
    {
      if (self->inhibit_cancellable != NULL)
        g_cancellable_cancel (self->inhibit_cancellable);
      g_clear_object (&self->inhibit_cancellable);
      if (self->inhibit_fd >= 0)
        {
          close (self->inhibit_fd);
          self->inhibit_fd = -1;
          g_debug ("Sleep no longer inhibited");
        }
    }
}

static void
set_running (FerryScheduler *self,
             guint           running)
{
  if (running == self->running)
    return;

  self->running = running;
  if (running > 0 && self->tick_source == 0)
    {
      self->tick_source = g_timeout_add (TICK_MSEC, tick, self);
    }
  else if (running == 0)
    {
      g_clear_handle_id (&self->tick_source, g_source_remove);
      self->download_rate = 0;
      self->upload_rate = 0;
    }

  update_inhibitor (self);
  update_pending (self);
  g_signal_emit (self, signals[RUNNING_CHANGED], 0);
}

/* -- Attempts ---------------------------------------------------------------------------- */

static guint
backoff_seconds (guint attempts)
{
  guint base = first_backoff_seconds () << MIN (attempts > 0 ? attempts - 1 : 0, 12u);
  double jitter = g_random_double_range (0.75, 1.25);

  return (guint) MAX (1.0, MIN ((double) BACKOFF_CAP_SECONDS, base * jitter));
}

/* A transfer that ended keeps no credential in the store (DESIGN "Security"): its secret
 * headers go from the record before it is saved. Resuming a failed one later needs them
 * given again (Update with "headers"). TRUE when something was removed: the caller then scrubs the
 * store once the record is saved. */
static gboolean
forget_secrets (FerryTransfer *transfer)
{
  const FerryRecord *r = ferry_transfer_get_record (transfer);
  g_autoptr(GVariant) kept = NULL;
  gsize before;

  if (r->headers == NULL)
    return FALSE;

  before = g_variant_n_children (r->headers);
  kept = ferry_http_public_headers (r->headers);
  if (kept != NULL && g_variant_n_children (kept) == before)
    return FALSE;

  ferry_transfer_set_headers (transfer, kept);
  return TRUE;
}

/* Saves a transfer that ended, its credentials gone from every file of the store before the
 * end is announced: a client that sees the state may look at the disk at once. */
static gboolean
save_ended (FerryScheduler *self,
            FerryTransfer  *transfer,
            GError        **error)
{
  const FerryRecord *r = ferry_transfer_get_record (transfer);

  if (forget_secrets (transfer) && ferry_store_update (self->store, r, NULL))
    ferry_store_scrub (self->store);
  return persist (self, transfer, error);
}

static void
finish (FerryScheduler *self,
        FerryTransfer  *transfer,
        FerryEngine    *engine,
        FerryState      state)
{
  const FerryRecord *r = ferry_transfer_get_record (transfer);
  g_autoptr(GError) error = NULL;

  ferry_transfer_set_state (transfer, state, FERRY_WAIT_NONE);
  ferry_transfer_clear_retry (transfer);
  ferry_transfer_set_finished_at (transfer, now_unix ());

  ferry_engine_settle (engine, state);

  if (save_ended (self, transfer, &error))
    g_signal_emit (self, signals[FINISHED], 0, transfer);
  else
    g_warning ("Could not save transfer %" G_GUINT64_FORMAT ": %s", r->id, error->message);
}

static char *host_of (const FerryRecord *r);

/* What an outcome says about its server, for every transfer to it: a Retry-After or a
 * refused connection holds the origin until the retry is due, a 429 shrinks its budget. */
static void
note_origin (FerryScheduler *self,
             FerryTransfer  *transfer,
             gint64          retry_after,
             const GError   *error)
{
  const FerryRecord *r = ferry_transfer_get_record (transfer);
  g_autofree char *origin = host_of (r);

  if (retry_after >= 0 || ferry_transfer_error_is_unreachable (error))
    ferry_origins_hold (self->origins, origin, r->retry_due_usec);

  /* This attempt's answer, not HttpStatus, which may be an earlier attempt's. */
  if (g_str_has_suffix (error->message, "(HTTP 429)"))
    {
      /* Connections, this attempt's among them (it gives it back when it is done). */
      guint in_use = MAX (ferry_origins_connections (self->origins, origin), 1);

      ferry_origins_throttled (self->origins, origin, in_use, self->max_per_host);
    }
}

static void
apply_outcome (FerryScheduler *self,
               FerryTransfer  *transfer,
               FerryEngine    *engine,
               GError         *error)
{
  gint64 retry_after = ferry_engine_get_retry_after (engine);
  guint64 progress = ferry_engine_get_progress (engine);
  const char *unconfirmed = ferry_engine_get_unconfirmed (engine);
  const FerryRecord *r = ferry_transfer_get_record (transfer);

  if (error == NULL)
    {
      ferry_transfer_attempt_ended (transfer, progress, NULL);
      ferry_transfer_set_attempts (transfer, 0);
      /* A completion that could not be verified says so where errors are read. */
      ferry_transfer_set_error (transfer, unconfirmed);
      finish (self, transfer, engine, FERRY_STATE_COMPLETED);
      g_message ("Transfer %" G_GUINT64_FORMAT " completed: %s", r->id, r->destination);
      return;
    }

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      /* Stopped by the service (shutdown, a new address): runs again when it may. */
      ferry_transfer_set_state (transfer, FERRY_STATE_QUEUED, r->wait_reasons);
      save (self, transfer);
      return;
    }

  ferry_transfer_set_error (transfer, error->message);
  ferry_transfer_attempt_ended (transfer, progress, error->message);

  if (error->domain != FERRY_TRANSFER_ERROR)
    {
      finish (self, transfer, engine, FERRY_STATE_FAILED);
      return;
    }

  switch ((FerryTransferError) error->code)
    {
    case FERRY_TRANSFER_ERROR_TRANSIENT:
      {
        guint delay;

        /* An attempt that moved the file forward starts the count again: a transfer over a
         * flaky link that keeps progressing never runs out of retries. */
        ferry_transfer_set_attempts (transfer, progress > 0 ? 1 : r->attempts + 1);
        if (r->attempts > MAX_ATTEMPTS)
          {
            g_autofree char *message =
              g_strdup_printf (FERRY_NP_ ("%s; gave up after %u attempt",
                                          "%s; gave up after %u attempts", MAX_ATTEMPTS),
                               error->message, MAX_ATTEMPTS);

            ferry_transfer_set_error (transfer, message);
            finish (self, transfer, engine, FERRY_STATE_FAILED);
            return;
          }

        if (retry_after >= 0)
          delay = (guint) CLAMP (retry_after, 1, 24 * 3600);
        else
          delay = backoff_seconds (r->attempts);

        ferry_transfer_set_state (transfer, FERRY_STATE_WAITING, FERRY_WAIT_RETRY);
        set_retry_in (transfer, delay, retry_after >= 0);
        note_origin (self, transfer, retry_after, error);
        g_message ("Transfer %" G_GUINT64_FORMAT ": %s; retrying in %u s",
                   r->id, error->message, delay);
        save (self, transfer);
        return;
      }

    case FERRY_TRANSFER_ERROR_NO_SPACE:
      ferry_transfer_set_state (transfer, FERRY_STATE_WAITING, FERRY_WAIT_DISK_SPACE);
      set_retry_in (transfer, disk_space_retry_seconds (), FALSE);
      save (self, transfer);
      return;

    case FERRY_TRANSFER_ERROR_REJECTED:
      finish (self, transfer, engine, FERRY_STATE_REJECTED);
      return;

    case FERRY_TRANSFER_ERROR_LINK_EXPIRED:
      /* Retrying the same address brings the same page: wait for Update (uri) or Resume,
       * with the bytes kept. */
      ferry_transfer_set_attempts (transfer, 0);
      ferry_transfer_set_state (transfer, FERRY_STATE_WAITING, FERRY_WAIT_LINK_EXPIRED);
      ferry_transfer_clear_retry (transfer);
      g_message ("Transfer %" G_GUINT64_FORMAT ": %s", r->id, error->message);
      save (self, transfer);
      return;

    case FERRY_TRANSFER_ERROR_FAILED:
    default:
      finish (self, transfer, engine, FERRY_STATE_FAILED);
      return;
    }
}

static void
maybe_finish_shutdown (FerryScheduler *self)
{
  GCallback callback;

  if (!self->shutting_down || self->running > 0 || self->shutdown_callback == NULL)
    return;

  callback = self->shutdown_callback;
  self->shutdown_callback = NULL;
  g_clear_handle_id (&self->shutdown_grace_source, g_source_remove);
  ((void (*) (gpointer)) callback) (self->shutdown_data);
}

/* Attempts that have not stopped within the grace period are stuck where a cancellation does
 * not reach (a read from a file that never answers): their stored state is their last
 * checkpoint, which a restart resumes from, so the shutdown goes on without them. */
static gboolean
on_shutdown_grace_over (gpointer user_data)
{
  FerryScheduler *self = user_data;
  GCallback callback = self->shutdown_callback;

  self->shutdown_grace_source = 0;
  g_message ("Stopping without %u transfers that did not stop in time; they resume from "
             "their last checkpoint", self->running);
  self->shutdown_callback = NULL;
  if (callback != NULL)
    ((void (*) (gpointer)) callback) (self->shutdown_data);
  return G_SOURCE_REMOVE;
}

/* What an attempt's callback needs: the scheduler that started it, which outlives it, and
 * its transfer. */
typedef struct
{
  FerryScheduler *self;
  FerryTransfer *transfer;
  char *origin;                /* whose connection it holds while it runs */
} Attempt;

static void
attempt_free (Attempt *attempt)
{
  /* Only the attempt that runs holds a connection; the checkpoint handler's does not. */
  if (attempt->origin != NULL)
    ferry_origins_connection_closed (attempt->self->origins, attempt->origin);
  g_free (attempt->origin);
  g_object_unref (attempt->self);
  g_object_unref (attempt->transfer);
  g_free (attempt);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Attempt, attempt_free)

static void
on_attempt_done (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(Attempt) attempt = user_data;
  FerryScheduler *self = attempt->self;
  FerryTransfer *transfer = attempt->transfer;
  FerryEngine *engine = FERRY_ENGINE (source);
  g_autoptr(GError) error = NULL;
  const FerryRecord *r = ferry_transfer_get_record (transfer);

  ferry_engine_run_finish (engine, result, &error);
  ferry_transfer_set_engine (transfer, NULL);

  if (g_hash_table_remove (self->removed, transfer))
    {
      /* Removed while it ran: only what it held is left to clean up. */
      ferry_engine_discard (engine);
      return;
    }

  /* A canceled attempt gave its slot back when it was canceled. */
  if (g_hash_table_remove (self->cancellables, transfer))
    set_running (self, self->running - 1);
  g_hash_table_remove (self->own_limiters, transfer);

  if (self->shutting_down)
    {
      /* Keep the state as stored: a restart resumes it from the checkpoint. */
      maybe_finish_shutdown (self);
      return;
    }

  switch (r->state)
    {
    case FERRY_STATE_RUNNING:
      apply_outcome (self, transfer, engine, error);
      break;

    case FERRY_STATE_CANCELED:
      {
        g_autoptr(GError) save_error = NULL;

        /* The server's half-received upload is deleted with the caller's credentials; then
         * they go. */
        ferry_engine_discard (engine);
        if (!save_ended (self, transfer, &save_error))
          g_warning ("Could not save transfer %" G_GUINT64_FORMAT ": %s", r->id,
                     save_error->message);
      }
      break;

    case FERRY_STATE_QUEUED:
    case FERRY_STATE_WAITING:
    case FERRY_STATE_PAUSED:
    case FERRY_STATE_COMPLETED:
    case FERRY_STATE_REJECTED:
    case FERRY_STATE_FAILED:
    default:
      /* Paused or stopped on purpose: the checkpoint is stored, publish the settled bytes. */
      ferry_transfer_publish (transfer);
      break;
    }

  update_pending (self);
  queue_plan (self);
}

/* The engine wrote in the record what a restart needs: it is stored, then announced. */
static gboolean
on_checkpoint (FerryEngine *engine,
               GError     **error,
               Attempt     *attempt)
{
  return persist (attempt->self, attempt->transfer, error);
}

static Attempt *
attempt_new (FerryScheduler *self,
             FerryTransfer  *transfer)
{
  Attempt *attempt = g_new0 (Attempt, 1);

  attempt->self = g_object_ref (self);
  attempt->transfer = g_object_ref (transfer);
  return attempt;
}

static void
start (FerryScheduler *self,
       FerryTransfer  *transfer)
{
  const FerryRecord *r = ferry_transfer_get_record (transfer);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(FerryEngine) engine = NULL;
  FerryRateLimiter *own = NULL;
  Attempt *attempt;

  ferry_transfer_set_state (transfer, FERRY_STATE_RUNNING, FERRY_WAIT_NONE);
  ferry_transfer_clear_retry (transfer);
  ferry_transfer_attempt_started (transfer);
  if (!save (self, transfer))
    return;

  if (r->rate_limit > 0)
    {
      own = ferry_rate_limiter_new (r->rate_limit);
      g_hash_table_insert (self->own_limiters, transfer, own);
    }

  g_hash_table_insert (self->cancellables, transfer, g_object_ref (cancellable));
  set_running (self, self->running + 1);

  engine = new_engine (self, transfer, own);
  ferry_transfer_set_engine (transfer, engine);
  g_signal_connect_data (engine, "checkpoint", G_CALLBACK (on_checkpoint),
                         attempt_new (self, transfer), (GClosureNotify) attempt_free, 0);
  attempt = attempt_new (self, transfer);
  attempt->origin = host_of (r);
  ferry_origins_connection_opened (self->origins, attempt->origin);
  ferry_engine_run_async (engine, cancellable, on_attempt_done, attempt);
}

static void
stop (FerryScheduler *self,
      FerryTransfer  *transfer)
{
  GCancellable *cancellable = g_hash_table_lookup (self->cancellables, transfer);

  if (cancellable != NULL)
    g_cancellable_cancel (cancellable);
}

/* -- Planning ---------------------------------------------------------------------------- */

static int
compare_priority (gconstpointer a,
                  gconstpointer b)
{
  const FerryRecord *ra = ferry_transfer_get_record (*(FerryTransfer **) a);
  const FerryRecord *rb = ferry_transfer_get_record (*(FerryTransfer **) b);

  if (ra->priority != rb->priority)
    return ra->priority > rb->priority ? -1 : 1;
  return ra->id < rb->id ? -1 : (ra->id > rb->id ? 1 : 0);
}

static gboolean
on_due (gpointer user_data)
{
  FerryScheduler *self = user_data;

  self->due_source = 0;
  plan (self);
  return G_SOURCE_REMOVE;
}

/* Sets @reasons as the transfer's wait, saving only when something changed. */
static void
set_waiting (FerryScheduler  *self,
             FerryTransfer   *transfer,
             FerryWaitReasons reasons)
{
  const FerryRecord *r = ferry_transfer_get_record (transfer);

  if (r->state == FERRY_STATE_WAITING && r->wait_reasons == reasons)
    return;

  ferry_transfer_set_state (transfer, FERRY_STATE_WAITING, reasons);
  save (self, transfer);
}

/* What keeps a transfer from moving bytes now, slots apart. Times are real µs. */
static FerryWaitReasons
blockers (FerryScheduler    *self,
          const FerryRecord *r,
          gint64             now,
          gint64            *next_due)
{
  FerryWaitReasons reasons = FERRY_WAIT_NONE;

  if (usec_of_seconds (r->earliest_begin) > now)
    {
      reasons |= FERRY_WAIT_SCHEDULE;
      *next_due = MIN (*next_due, usec_of_seconds (r->earliest_begin));
    }

  if (r->state == FERRY_STATE_WAITING &&
      (r->wait_reasons & (FERRY_WAIT_RETRY | FERRY_WAIT_DISK_SPACE)) && retry_due (r) > now)
    {
      reasons |= r->wait_reasons & (FERRY_WAIT_RETRY | FERRY_WAIT_DISK_SPACE);
      *next_due = MIN (*next_due, retry_due (r));
    }

  /* No due time: only a new address (Update) or Resume ends this wait. */
  if (r->state == FERRY_STATE_WAITING && (r->wait_reasons & FERRY_WAIT_LINK_EXPIRED))
    reasons |= FERRY_WAIT_LINK_EXPIRED;

  if (!self->online)
    reasons |= FERRY_WAIT_NETWORK;

  if (self->metered && (!r->allow_metered || r->discretionary))
    reasons |= FERRY_WAIT_METERED;

  if (self->power_saver && r->discretionary)
    reasons |= FERRY_WAIT_POWER_SAVER;

  return reasons;
}

/* The server a transfer uses, for max-per-host and what servers asked: its origin, scheme,
 * host and port (two services on one machine are two servers). */
static char *
host_of (const FerryRecord *r)
{
  return ferry_origin_of_uri (r->final_uri ? r->final_uri : r->uri);
}

/* A transfer to an origin that asked Ferry to wait (for another transfer, maybe another
 * app's) waits as if it had been told itself: WaitReasons retry, RetryAt the server's time. */
static void
hold_for_origin (FerryScheduler *self,
                 FerryTransfer  *transfer,
                 gint64          now)
{
  const FerryRecord *r = ferry_transfer_get_record (transfer);
  g_autofree char *origin = NULL;
  gint64 until;

  if (ferry_origins_is_empty (self->origins))
    return;
  origin = host_of (r);
  until = ferry_origins_held_until (self->origins, origin, now);
  if (until <= now)
    return;
  if (r->state == FERRY_STATE_WAITING && (r->wait_reasons & FERRY_WAIT_RETRY) &&
      retry_due (r) >= until)
    return;

  ferry_transfer_set_state (transfer, FERRY_STATE_WAITING, r->wait_reasons | FERRY_WAIT_RETRY);
  ferry_transfer_set_retry (transfer, until, TRUE);
  save (self, transfer);
}

static void
plan (FerryScheduler *self)
{
  g_autoptr(GPtrArray) ready = g_ptr_array_new ();
  gint64 now = g_get_real_time ();
  gint64 next_due = G_MAXINT64;
  g_autoptr(GError) error = NULL;
  guint running;
  gboolean batch;

  g_clear_handle_id (&self->plan_source, g_source_remove);
  g_clear_handle_id (&self->due_source, g_source_remove);

  if (self->shutting_down)
    return;

  batch = batch_begin (self, NULL);
  running = self->running;

  for (guint i = 0; i < self->transfers->len; i++)
    {
      FerryTransfer *t = g_ptr_array_index (self->transfers, i);
      const FerryRecord *r = ferry_transfer_get_record (t);
      FerryWaitReasons reasons;

      if (ferry_transfer_get_engine (t) != NULL)
        {
          /* Running: it stops at a checkpoint when it may no longer run (the network went
           * away or became metered, power saving began). */
          if (r->state == FERRY_STATE_RUNNING)
            {
              reasons = blockers (self, r, now, &next_due) &
                        (FERRY_WAIT_NETWORK | FERRY_WAIT_METERED | FERRY_WAIT_POWER_SAVER);
              if (reasons != FERRY_WAIT_NONE)
                {
                  set_waiting (self, t, reasons);
                  stop (self, t);
                }
            }
          continue;
        }

      if (r->state != FERRY_STATE_QUEUED && r->state != FERRY_STATE_WAITING)
        continue;

      hold_for_origin (self, t, now);
      reasons = blockers (self, r, now, &next_due);
      if (reasons != FERRY_WAIT_NONE)
        set_waiting (self, t, reasons);
      else
        g_ptr_array_add (ready, t);
    }

  ferry_origins_clear_waiting (self->origins);
  /* Higher priority first; equal priority first come, first served. */
  g_ptr_array_sort (ready, compare_priority);

  for (guint i = 0; i < ready->len; i++)
    {
      FerryTransfer *t = g_ptr_array_index (ready, i);
      g_autofree char *host = host_of (ferry_transfer_get_record (t));
      /* max-per-host counts connections: a segmented download's count as many as it has
       * open (ferry-segments.c), and start () takes this one's. */
      guint on_host = ferry_origins_connections (self->origins, host);

      if (running >= self->max_running)
        {
          set_waiting (self, t, FERRY_WAIT_SLOT);
          continue;
        }
      if (on_host >= ferry_origins_budget (self->origins, host, self->max_per_host))
        {
          /* A segmented download to the host gives it a connection at its next piece. */
          ferry_origins_add_waiting (self->origins, host);
          set_waiting (self, t, FERRY_WAIT_SLOT);
          continue;
        }

      start (self, t);
      running++;
    }

  /* Not announced, then: the next change a transfer stores announces it with the rest. */
  if (batch && !batch_commit (self, &error))
    g_warning ("Could not save the queue: %s", error->message);

  if (next_due != G_MAXINT64)
    {
      /* Rounded up: a timer that fired a little early would only find it still blocked. */
      gint64 delay_ms = MAX (0, (next_due - g_get_real_time () + 999) / 1000);

      self->due_source = g_timeout_add ((guint) MIN (delay_ms, (gint64) G_MAXUINT32 / 2),
                                        on_due, self);
    }

  update_pending (self);
}

/* -- Public ------------------------------------------------------------------------------ */

static void
take (FerryScheduler *self,
      FerryTransfer  *transfer)
{
  g_ptr_array_add (self->transfers, g_object_ref (transfer));
}

void
ferry_scheduler_restore (FerryScheduler *self,
                         GPtrArray      *transfers)
{
  gboolean scrub = FALSE;

  g_return_if_fail (FERRY_IS_SCHEDULER (self));

  for (guint i = 0; i < transfers->len; i++)
    {
      FerryTransfer *t = g_ptr_array_index (transfers, i);
      const FerryRecord *r = ferry_transfer_get_record (t);

      /* Interrupted by a crash or a reboot: it goes on from its checkpoint. */
      if (r->state == FERRY_STATE_RUNNING)
        ferry_transfer_set_state (t, FERRY_STATE_QUEUED, r->wait_reasons);
      /* Ended while ferryd stopped before it forgot the credentials, or by a Ferry that
       * kept them: they go now. */
      if (!is_pending_state (r->state) && r->state != FERRY_STATE_PAUSED &&
          forget_secrets (t) && save (self, t))
        scrub = TRUE;
      take (self, t);
    }

  if (scrub)
    ferry_store_scrub (self->store);
  queue_plan (self);
  update_pending (self);
}

void
ferry_scheduler_add (FerryScheduler *self,
                     FerryTransfer  *transfer)
{
  g_return_if_fail (FERRY_IS_SCHEDULER (self));

  take (self, transfer);
  update_pending (self);
  queue_plan (self);
}

/* The answer to pausing or cancelling what has ended, as one sentence per ending, so that
 * it reads whole in every language. */
static void
set_ended_error (GError     **error,
                 FerryState   state)
{
  const char *sentence;

  switch (state)
    {
    case FERRY_STATE_COMPLETED:
      sentence = N_ ("This transfer has already completed");
      break;
    case FERRY_STATE_REJECTED:
      sentence = N_ ("This transfer has already ended: the server refused it");
      break;
    case FERRY_STATE_CANCELED:
      sentence = N_ ("This transfer was already canceled");
      break;
    case FERRY_STATE_QUEUED:
    case FERRY_STATE_WAITING:
    case FERRY_STATE_RUNNING:
    case FERRY_STATE_PAUSED:
    case FERRY_STATE_FAILED:
    default:
      sentence = N_ ("This transfer has already ended: it failed");
      break;
    }
  g_set_error_literal (error, FERRY_TRANSFER_ERROR, FERRY_TRANSFER_ERROR_FAILED, sentence);
}

gboolean
ferry_scheduler_pause (FerryScheduler *self,
                       FerryTransfer  *transfer,
                       GError        **error)
{
  const FerryRecord *r = ferry_transfer_get_record (transfer);
  FerryState old_state = r->state;
  FerryWaitReasons old_reasons = r->wait_reasons;

  if (ferry_state_is_terminal (r->state))
    {
      set_ended_error (error, r->state);
      return FALSE;
    }

  if (r->state == FERRY_STATE_PAUSED)
    return TRUE;

  ferry_transfer_set_state (transfer, FERRY_STATE_PAUSED, FERRY_WAIT_NONE);
  if (!persist (self, transfer, error))
    {
      ferry_transfer_set_state (transfer, old_state, old_reasons);
      return FALSE;
    }

  stop (self, transfer);
  update_pending (self);
  queue_plan (self);
  return TRUE;
}

gboolean
ferry_scheduler_resume (FerryScheduler *self,
                        FerryTransfer  *transfer,
                        GError        **error)
{
  const FerryRecord *r = ferry_transfer_get_record (transfer);

  switch (r->state)
    {
    case FERRY_STATE_COMPLETED:
      g_set_error (error, FERRY_TRANSFER_ERROR, FERRY_TRANSFER_ERROR_FAILED,
                   N_ ("This transfer has already completed"));
      return FALSE;

    case FERRY_STATE_RUNNING:
    case FERRY_STATE_QUEUED:
      return TRUE;

    case FERRY_STATE_WAITING:
      /* "Try now": skip a retry backoff or try an expired link again, but not a schedule. */
      if (!(r->wait_reasons & (FERRY_WAIT_RETRY | FERRY_WAIT_DISK_SPACE |
                               FERRY_WAIT_LINK_EXPIRED)))
        return TRUE;
      break;

    case FERRY_STATE_CANCELED:
      /* Its bytes were deleted: start over. */
      ferry_transfer_forget_validators (transfer);
      G_GNUC_FALLTHROUGH;
    case FERRY_STATE_FAILED:
    case FERRY_STATE_REJECTED:
      ferry_transfer_set_attempts (transfer, 0);
      ferry_transfer_set_finished_at (transfer, 0);
      ferry_transfer_set_error (transfer, NULL);
      break;

    case FERRY_STATE_PAUSED:
    default:
      break;
    }

  ferry_transfer_set_state (transfer, FERRY_STATE_QUEUED, FERRY_WAIT_NONE);
  ferry_transfer_clear_retry (transfer);
  if (!persist (self, transfer, error))
    return FALSE;

  update_pending (self);
  queue_plan (self);
  return TRUE;
}

gboolean
ferry_scheduler_cancel (FerryScheduler *self,
                        FerryTransfer  *transfer,
                        GError        **error)
{
  const FerryRecord *r = ferry_transfer_get_record (transfer);

  if (r->state == FERRY_STATE_COMPLETED || r->state == FERRY_STATE_CANCELED)
    {
      set_ended_error (error, r->state);
      return FALSE;
    }

  ferry_transfer_set_state (transfer, FERRY_STATE_CANCELED, FERRY_WAIT_NONE);
  ferry_transfer_clear_retry (transfer);
  ferry_transfer_set_finished_at (transfer, now_unix ());

  if (ferry_transfer_get_engine (transfer) != NULL)
    {
      /* The partial file goes once the attempt has let go of it. Its slot is free now: an
       * attempt stuck where it cannot see the cancellation (a read from a file that never
       * answers) must not keep the queue from moving. */
      if (!persist (self, transfer, error))
        return FALSE;
      stop (self, transfer);
      /* Once: a Cancel, Resume and Cancel again while the first attempt still runs finds
       * its slot given back already. */
      if (g_hash_table_remove (self->cancellables, transfer))
        set_running (self, self->running - 1);
      g_hash_table_remove (self->own_limiters, transfer);
    }
  else
    {
      discard (self, transfer);
      if (!save_ended (self, transfer, error))
        return FALSE;
    }

  g_signal_emit (self, signals[FINISHED], 0, transfer);
  update_pending (self);
  queue_plan (self);
  return TRUE;
}

typedef struct
{
  FerryScheduler *self;
  FerryTransfer *transfer;
} Removal;

/* The transfer leaves the store, and no older version of its row stays behind. */
static gboolean
forget (gpointer   user_data,
        GError   **error)
{
  Removal *removal = user_data;
  FerryScheduler *self = removal->self;

  if (!ferry_store_delete (self->store, ferry_transfer_get_id (removal->transfer), error))
    return FALSE;
  /* secure_delete zeroed the row; its older versions leave the journal too. */
  ferry_store_scrub (self->store);
  return TRUE;
}

gboolean
ferry_scheduler_remove (FerryScheduler *self,
                        FerryTransfer  *transfer,
                        gboolean        delete_data,
                        GError        **error)
{
  Removal removal = { self, transfer };

  if (delete_data)
    {
      g_autoptr(FerryEngine) engine = new_engine (self, transfer, NULL);

      if (!ferry_engine_delete_data (engine, forget, &removal, error))
        return FALSE;
    }
  else if (!forget (&removal, error))
    {
      return FALSE;
    }

  if (ferry_transfer_get_engine (transfer) != NULL)
    {
      /* The attempt cleans up once it has let go (on_attempt_done). */
      g_hash_table_add (self->removed, g_object_ref (transfer));
      stop (self, transfer);
      /* Unless a Cancel gave its slot back already. */
      if (g_hash_table_remove (self->cancellables, transfer))
        set_running (self, self->running - 1);
      g_hash_table_remove (self->own_limiters, transfer);
    }
  else
    {
      discard (self, transfer);
    }

  g_ptr_array_remove (self->transfers, transfer);
  update_pending (self);
  queue_plan (self);
  return TRUE;
}

static gboolean
is_unfinished (FerryState state)
{
  return !ferry_state_is_terminal (state) && state != FERRY_STATE_PAUSED;
}

static gboolean
is_paused (FerryState state)
{
  return state == FERRY_STATE_PAUSED;
}

/* What a transfer was before PauseAll or ResumeAll changed it, to go back to when the
 * change could not be stored. */
typedef struct
{
  FerryTransfer *transfer;
  FerryState state;
  FerryWaitReasons wait_reasons;
} Before;

/* PauseAll and ResumeAll: every transfer of @transfers in a state @applies to goes to @state,
 * all stored in one transaction before any is announced or stopped. When the transaction
 * fails, every one is as it was, nothing was announced, and @error says why. */
static gboolean
change_all (FerryScheduler *self,
            GPtrArray      *transfers,
            gboolean      (*applies) (FerryState state),
            FerryState      state,
            const char     *undone,
            GError        **error)
{
  g_autoptr(GArray) changed = g_array_new (FALSE, FALSE, sizeof (Before));
  g_autoptr(GError) local_error = NULL;

  if (!batch_begin (self, &local_error))
    goto failed;

  for (guint i = 0; i < transfers->len; i++)
    {
      FerryTransfer *t = g_ptr_array_index (transfers, i);
      const FerryRecord *r = ferry_transfer_get_record (t);
      Before before = { t, r->state, r->wait_reasons };

      if (!applies (r->state))
        continue;

      g_array_append_val (changed, before);
      ferry_transfer_set_state (t, state, FERRY_WAIT_NONE);
      /* A paused transfer has no retry due; resumed, it starts afresh. */
      if (state == FERRY_STATE_QUEUED)
        ferry_transfer_clear_retry (t);
      if (!ferry_transfer_persist (t, &local_error))
        break;
      g_hash_table_add (self->batch, g_object_ref (t));
    }

  if (local_error != NULL)
    {
      g_clear_pointer (&self->batch, g_hash_table_unref);
      ferry_store_rollback (self->store);
    }
  else if (batch_commit (self, &local_error))
    {
      for (guint i = 0; state == FERRY_STATE_PAUSED && i < changed->len; i++)
        stop (self, g_array_index (changed, Before, i).transfer);
      update_pending (self);
      queue_plan (self);
      return TRUE;
    }

  for (guint i = 0; i < changed->len; i++)
    {
      Before *before = &g_array_index (changed, Before, i);

      ferry_transfer_set_state (before->transfer, before->state, before->wait_reasons);
    }

failed:
  g_set_error (error, FERRY_ERROR, FERRY_ERROR_FAILED, "%s; %s", local_error->message,
               undone);
  return FALSE;
}

gboolean
ferry_scheduler_pause_all (FerryScheduler *self,
                           GPtrArray      *transfers,
                           GError        **error)
{
  g_return_val_if_fail (FERRY_IS_SCHEDULER (self), FALSE);

  return change_all (self, transfers, is_unfinished, FERRY_STATE_PAUSED,
                     "nothing was paused", error);
}

gboolean
ferry_scheduler_resume_all (FerryScheduler *self,
                            GPtrArray      *transfers,
                            GError        **error)
{
  g_return_val_if_fail (FERRY_IS_SCHEDULER (self), FALSE);

  return change_all (self, transfers, is_paused, FERRY_STATE_QUEUED,
                     "nothing was resumed", error);
}

gboolean
ferry_scheduler_update (FerryScheduler *self,
                        FerryTransfer  *transfer,
                        FerryRecord    *changes,
                        gboolean        uri_named,
                        gboolean        headers_named,
                        GError        **error)
{
  const FerryRecord *r = ferry_transfer_get_record (transfer);
  gboolean uri_changed;
  gboolean restart;

  g_return_val_if_fail (FERRY_IS_SCHEDULER (self), FALSE);

  if (r->state == FERRY_STATE_COMPLETED)
    {
      g_set_error_literal (error, FERRY_ERROR, FERRY_ERROR_INVALID_ARGUMENT,
                           N_ ("This transfer has already completed"));
      return FALSE;
    }

  /* The bytes stay on a new address; the validator decides at the next response whether
   * they may. The same address again: where it redirected before may have expired, so it
   * is asked afresh; a wait for a new link ends. */
  uri_changed = g_strcmp0 (changes->uri, r->uri) != 0 || (uri_named && r->final_uri != NULL);
  if (uri_changed || uri_named)
    ferry_transfer_set_uri (transfer, changes->uri);
  if (uri_named && r->state == FERRY_STATE_WAITING &&
      (r->wait_reasons & (FERRY_WAIT_LINK_EXPIRED | FERRY_WAIT_RETRY)))
    {
      ferry_transfer_set_state (transfer, FERRY_STATE_QUEUED, FERRY_WAIT_NONE);
      ferry_transfer_clear_retry (transfer);
    }
  ferry_transfer_set_schedule (transfer, changes->earliest_begin, changes->priority,
                               changes->allow_metered, changes->discretionary);
  /* A running attempt keeps the address, headers and limit it started with: restart it. */
  restart = uri_changed || changes->rate_limit != r->rate_limit;
  ferry_transfer_set_rate_limit (transfer, changes->rate_limit);
  /* A running download takes a new connection count at its next segment, no restart. */
  ferry_transfer_set_connections (transfer, changes->connections);
  if (headers_named)
    {
      /* The whole set is replaced: how a client gives credentials again (they leave the
       * store when a transfer ends) or fresh cookies with a fresh link. */
      ferry_transfer_set_headers (transfer, changes->headers);
      restart = TRUE;
    }

  if (!persist (self, transfer, error))
    return FALSE;

  if (restart && ferry_transfer_get_engine (transfer) != NULL)
    stop (self, transfer);
  queue_plan (self);
  return TRUE;
}

void
ferry_scheduler_shutdown (FerryScheduler *self,
                          GCallback       callback,
                          gpointer        user_data)
{
  GHashTableIter iter;
  gpointer value;

  g_return_if_fail (FERRY_IS_SCHEDULER (self));

  self->shutting_down = TRUE;
  self->shutdown_callback = callback;
  self->shutdown_data = user_data;
  g_clear_handle_id (&self->plan_source, g_source_remove);
  g_clear_handle_id (&self->due_source, g_source_remove);

  g_hash_table_iter_init (&iter, self->cancellables);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_cancellable_cancel (value);

  if (self->running > 0)
    self->shutdown_grace_source = g_timeout_add (SHUTDOWN_GRACE_MSEC, on_shutdown_grace_over,
                                                 self);
  maybe_finish_shutdown (self);
}

guint
ferry_scheduler_get_running (FerryScheduler *self)
{
  g_return_val_if_fail (FERRY_IS_SCHEDULER (self), 0);
  return self->running;
}

gboolean
ferry_scheduler_has_pending (FerryScheduler *self)
{
  g_return_val_if_fail (FERRY_IS_SCHEDULER (self), FALSE);
  return self->pending;
}

gboolean
ferry_scheduler_get_online (FerryScheduler *self)
{
  g_return_val_if_fail (FERRY_IS_SCHEDULER (self), FALSE);
  return self->online;
}

gboolean
ferry_scheduler_get_metered (FerryScheduler *self)
{
  g_return_val_if_fail (FERRY_IS_SCHEDULER (self), FALSE);
  return self->metered;
}

GSettings *
ferry_scheduler_get_settings (FerryScheduler *self)
{
  g_return_val_if_fail (FERRY_IS_SCHEDULER (self), NULL);
  return self->settings;
}

guint64
ferry_scheduler_get_download_rate (FerryScheduler *self)
{
  g_return_val_if_fail (FERRY_IS_SCHEDULER (self), 0);
  return self->download_rate;
}

guint64
ferry_scheduler_get_upload_rate (FerryScheduler *self)
{
  g_return_val_if_fail (FERRY_IS_SCHEDULER (self), 0);

  return self->upload_rate;
}
