/* ferryctl-wait.c: `ferryctl wait`, and the progress display add --wait and watch share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "ferryctl-private.h"

typedef struct
{
  guint64 id;
  FerryTransfer *transfer;      /* NULL while the list does not have it */
  char *last_line;
} Watched;

typedef struct
{
  FerrySession *session;
  GMainLoop *loop;
  GPtrArray *watched;           /* Watched */
  gboolean all_active;          /* "watch": follow every transfer that is not over */
  gboolean tty;
  guint drawn_lines;
  gint64 last_plain_print;
  guint reactivate_source;
  guint redraw_source;
  int exit_code;
} Waiter;

static void on_transfer_notify (FerryTransfer *t,
                                GParamSpec    *pspec,
                                Waiter        *waiter);

static void
watched_free (Watched *w)
{
  g_free (w->last_line);
  g_clear_object (&w->transfer);
  g_free (w);
}

static guint
terminal_columns (void)
{
  struct winsize size;

  if (ioctl (STDOUT_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 20)
    return size.ws_col;
  return 80;
}

/* Cuts @line to @columns characters, so that no line wraps and the redraw stays in place. */
static void
append_fitted (GString    *out,
               const char *line,
               guint       columns)
{
  glong length = g_utf8_strlen (line, -1);

  if ((guint) length < columns)
    {
      g_string_append (out, line);
      return;
    }

  g_string_append_len (out, line, g_utf8_offset_to_pointer (line, columns - 2) - line);
  g_string_append (out, "…");
}

static void
draw (Waiter *waiter)
{
  g_autoptr(GString) out = g_string_new (NULL);
  gint64 now = g_get_monotonic_time ();
  gboolean plain_due = now - waiter->last_plain_print >= 5 * G_USEC_PER_SEC;
  guint columns = waiter->tty ? terminal_columns () : 0;
  guint drawn = 0;

  if (waiter->tty && waiter->drawn_lines > 0)
    g_string_append_printf (out, "\033[%uA", waiter->drawn_lines);

  for (guint i = 0; i < waiter->watched->len; i++)
    {
      Watched *w = g_ptr_array_index (waiter->watched, i);
      g_autofree char *line = NULL;
      gboolean running;

      if (w->transfer == NULL)
        continue;

      running = ferry_transfer_get_state (w->transfer) == FERRY_TRANSFER_STATE_RUNNING;
      line = ferryctl_describe (w->transfer);

      if (waiter->tty)
        {
          char bar[21];
          guint64 total = ferry_transfer_get_bytes_total (w->transfer);
          guint64 shown = ferry_transfer_get_bytes_sent (w->transfer);
          guint filled = total > 0 ? (guint) (MIN (shown, total) * 20 / total) : 0;
          g_autofree char *full = NULL;

          memset (bar, '#', filled);
          memset (bar + filled, '-', 20 - filled);
          bar[20] = '\0';
          full = g_strdup_printf ("%3" G_GUINT64_FORMAT "  [%s] %s  %s", w->id, bar,
                                  ferryctl_display_name (w->transfer), line);
          g_string_append (out, "\033[2K");
          append_fitted (out, full, columns);
          g_string_append_c (out, '\n');
          drawn++;
        }
      else if (g_strcmp0 (line, w->last_line) != 0 &&
               (plain_due || !running || w->last_line == NULL))
        {
          /* Not a terminal: a line when something changes, progress at most every 5 s. */
          g_string_append_printf (out, "%" G_GUINT64_FORMAT " %s: %s\n", w->id,
                                  ferryctl_display_name (w->transfer), line);
          g_free (w->last_line);
          w->last_line = g_steal_pointer (&line);
          waiter->last_plain_print = now;
        }
    }

  if (waiter->tty)
    waiter->drawn_lines = drawn;

  fputs (out->str, stdout);
  fflush (stdout);
}

static void
check_done (Waiter *waiter)
{
  int code = EXIT_COMPLETED;

  for (guint i = 0; i < waiter->watched->len; i++)
    {
      Watched *w = g_ptr_array_index (waiter->watched, i);

      if (w->transfer == NULL)
        return;   /* not listed yet, or the service is restarting */

      if (waiter->all_active &&
          ferry_transfer_get_state (w->transfer) == FERRY_TRANSFER_STATE_PAUSED)
        continue;

      if (!ferryctl_is_over (w->transfer))
        return;
      code = MAX (code, ferryctl_exit_code (w->transfer));
    }

  draw (waiter);
  waiter->exit_code = code;
  g_main_loop_quit (waiter->loop);
}

static gboolean
redraw (gpointer user_data)
{
  Waiter *waiter = user_data;

  waiter->redraw_source = 0;
  draw (waiter);
  check_done (waiter);
  return G_SOURCE_REMOVE;
}

/* A batch of progress notifies many properties of many transfers: one redraw for all. */
static void
queue_redraw (Waiter *waiter)
{
  if (waiter->redraw_source == 0)
    waiter->redraw_source = g_idle_add (redraw, waiter);
}

static void
on_transfer_notify (FerryTransfer *t,
                    GParamSpec    *pspec,
                    Waiter        *waiter)
{
  queue_redraw (waiter);
}

static void
attach (Waiter        *waiter,
        Watched       *w,
        FerryTransfer *t)
{
  if (w->transfer == t)
    return;
  if (w->transfer != NULL)
    g_signal_handlers_disconnect_by_data (w->transfer, waiter);
  g_clear_object (&w->transfer);
  if (t == NULL)
    return;
  w->transfer = g_object_ref (t);
  g_signal_connect (t, "notify", G_CALLBACK (on_transfer_notify), waiter);
}

static gboolean
is_watched (Waiter  *waiter,
            guint64  id)
{
  for (guint i = 0; i < waiter->watched->len; i++)
    {
      Watched *w = g_ptr_array_index (waiter->watched, i);

      if (w->id == id)
        return TRUE;
    }
  return FALSE;
}

static void
watch_new (Waiter  *waiter,
           guint64  id)
{
  Watched *w = g_new0 (Watched, 1);

  w->id = id;
  g_ptr_array_add (waiter->watched, w);
}

/* The list changed: a transfer came (watch follows it) or went (removed, or listed afresh
 * after the service restarted). */
static void
on_items_changed (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  Waiter     *waiter)
{
  for (guint i = position; waiter->all_active && i < position + added; i++)
    {
      g_autoptr(FerryTransfer) t = g_list_model_get_item (model, i);

      if (!ferryctl_is_over (t) && !is_watched (waiter, ferry_transfer_get_id (t)))
        watch_new (waiter, ferry_transfer_get_id (t));
    }

  for (guint i = 0; i < waiter->watched->len; i++)
    {
      Watched *w = g_ptr_array_index (waiter->watched, i);
      FerryTransfer *t = ferry_session_lookup_id (waiter->session, w->id);

      /* Transfers also leave the list when the service stops; only a running service
       * removing one means it. */
      if (t == NULL && w->transfer != NULL &&
          ferry_session_get_service_running (waiter->session))
        {
          g_printerr (_("ferryctl: transfer %s was removed\n"),
                      strrchr (ferry_transfer_get_object_path (w->transfer), '/') + 1);
          waiter->exit_code = EXIT_ERROR;
          g_main_loop_quit (waiter->loop);
          return;
        }
      if (t != NULL)
        attach (waiter, w, t);
    }
  queue_redraw (waiter);
}

static void
on_reactivated (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!ferry_session_refresh_finish (FERRY_SESSION (source), result, &error))
    g_printerr (_("ferryctl: could not restart the Ferry service: %s\n"), error->message);
}

static gboolean
reactivate (gpointer user_data)
{
  Waiter *waiter = user_data;

  waiter->reactivate_source = 0;
  /* Any call to the service starts it again; it resumes from its store. */
  ferry_session_refresh_async (waiter->session, NULL, on_reactivated, NULL);
  return G_SOURCE_REMOVE;
}

static void
on_service_running (FerrySession *session,
                    GParamSpec   *pspec,
                    Waiter       *waiter)
{
  if (!ferry_session_get_service_running (session) && waiter->reactivate_source == 0)
    {
      if (!waiter->tty)
        g_print (_("The Ferry service stopped; starting it again\n"));
      waiter->reactivate_source = g_timeout_add (250, reactivate, waiter);
    }
}

/* Shows progress until the transfers @ids (or with @all_active every active one) have
 * ended; the worst outcome is the exit code. @session's list must be loaded. */
int
ferryctl_wait_for (FerrySession  *session,
                   const guint64 *ids,
                   guint          n_ids,
                   gboolean       all_active)
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GPtrArray) watched = g_ptr_array_new_with_free_func ((GDestroyNotify) watched_free);
  GListModel *model = ferry_session_get_transfers (session);
  Waiter waiter = { 0 };

  waiter.session = session;
  waiter.loop = loop;
  waiter.watched = watched;
  waiter.all_active = all_active;
  waiter.tty = isatty (STDOUT_FILENO);

  for (guint i = 0; i < n_ids; i++)
    watch_new (&waiter, ids[i]);

  for (guint i = 0; all_active && i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(FerryTransfer) t = g_list_model_get_item (model, i);

      if (!ferryctl_is_over (t))
        watch_new (&waiter, ferry_transfer_get_id (t));
    }

  for (guint i = 0; i < watched->len; i++)
    {
      Watched *w = g_ptr_array_index (watched, i);
      FerryTransfer *t = ferry_session_lookup_id (session, w->id);

      if (t == NULL)
        {
          g_autofree char *id = g_strdup_printf ("%" G_GUINT64_FORMAT, w->id);

          g_printerr (_("ferryctl: there is no transfer %s\n"), id);
          return EXIT_ERROR;
        }
      attach (&waiter, w, t);
    }

  if (watched->len == 0)
    {
      g_print (_("No transfer is active\n"));
      return EXIT_COMPLETED;
    }

  g_signal_connect (model, "items-changed", G_CALLBACK (on_items_changed), &waiter);
  g_signal_connect (session, "notify::service-running", G_CALLBACK (on_service_running),
                    &waiter);

  waiter.exit_code = -1;
  draw (&waiter);
  check_done (&waiter);
  if (waiter.exit_code < 0)
    g_main_loop_run (loop);

  g_signal_handlers_disconnect_by_data (model, &waiter);
  g_signal_handlers_disconnect_by_data (session, &waiter);
  for (guint i = 0; i < watched->len; i++)
    attach (&waiter, g_ptr_array_index (watched, i), NULL);
  g_clear_handle_id (&waiter.reactivate_source, g_source_remove);
  g_clear_handle_id (&waiter.redraw_source, g_source_remove);

  return waiter.exit_code;
}

int
handle_wait (int      argc,
             char   **argv,
             gboolean do_help)
{
  GOptionEntry entries[] = { { NULL } };
  g_autoptr(GOptionContext) context =
    ferryctl_context (_("wait ID… — wait for transfers to end"),
                      _("Shows progress until every transfer given has ended; the exit status "
                        "tells the worst outcome."),
                      entries);
  g_autoptr(FerrySession) session = NULL;
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (guint64));
  int code = EXIT_COMPLETED;

  if (!ferryctl_parse (context, &argc, &argv, do_help, 1, &code))
    return code;

  for (int i = 1; i < argc; i++)
    {
      guint64 id;

      if (!ferryctl_parse_id (argv[i], &id))
        {
          g_printerr (_("ferryctl: “%s” is not a transfer number\n"), argv[i]);
          return EXIT_USAGE;
        }
      g_array_append_val (ids, id);
    }

  session = ferryctl_open (NULL);
  if (session == NULL)
    return EXIT_ERROR;

  return ferryctl_wait_for (session, (const guint64 *) ids->data, ids->len, FALSE);
}
