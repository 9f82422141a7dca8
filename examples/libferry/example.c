/* example.c: a DBusActivatable app that hands its downloads and uploads to Ferry
 *
 *   example-c [--paused] download ID URI | upload ID URI FILE ...
 *       hand the transfers over (or reconnect to them), then quit
 *   (started by ferryd with --gapplication-service)
 *       re-issue the calls, get their outcomes, print them, exit
 *
 * What the app asked for is kept in $FERRY_EXAMPLE_STATE (a key file); every launch issues
 * those calls again, which is always safe: Ferry reconnects to a transfer in flight by its
 * identifier. Outcomes are printed and appended to $FERRY_EXAMPLE_LOG.
 *
 * Build: cc example.c $(pkg-config --cflags --libs ferry-1) -o example-c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdio.h>
#include <unistd.h>

#include <ferry.h>

#define APP_ID "org.example.FerryLibC"

typedef struct
{
  GApplication *app;
  FerrySession *session;
  GKeyFile *state;
  GHashTable *handing_over;
} Example;

static char *
state_path (void)
{
  if (g_getenv ("FERRY_EXAMPLE_STATE") != NULL)
    return g_strdup (g_getenv ("FERRY_EXAMPLE_STATE"));
  return g_build_filename (g_get_user_state_dir (), APP_ID ".state", NULL);
}

static void
save_state (Example *self)
{
  g_autofree char *path = state_path ();
  g_autoptr(GError) error = NULL;

  if (!g_key_file_save_to_file (self->state, path, &error))
    g_printerr ("Cannot save %s: %s\n", path, error->message);
}

static void
on_outcome (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  Example *self = g_object_get_data (source, "example");
  g_autofree char *identifier = user_data;
  g_autofree char *kind = g_key_file_get_string (self->state, identifier, "kind", NULL);
  g_autoptr(FerryOutcome) outcome = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *detail = NULL;
  g_autofree char *line = NULL;
  g_autoptr(GEnumClass) kinds = g_type_class_ref (FERRY_TYPE_OUTCOME_KIND);
  g_autofree char *name = NULL;
  const char *log;

  if (g_strcmp0 (kind, "download") == 0)
    outcome = ferry_session_download_finish (FERRY_SESSION (source), result, &error);
  else
    outcome = ferry_session_upload_finish (FERRY_SESSION (source), result, &error);
  if (outcome == NULL)
    return;

  if (ferry_outcome_get_kind (outcome) == FERRY_OUTCOME_SUCCESS &&
      ferry_outcome_get_file (outcome) != NULL)
    detail = g_file_get_path (ferry_outcome_get_file (outcome));
  else if (ferry_outcome_get_kind (outcome) == FERRY_OUTCOME_FAILED)
    detail = g_strdup (ferry_outcome_get_error (outcome)->message);
  else
    detail = g_strdup (ferry_outcome_get_message (outcome) ?: "");

  name = g_ascii_strup (g_enum_get_value (kinds, ferry_outcome_get_kind (outcome))->value_nick,
                        -1);
  line = g_strdup_printf ("%s %s %u pid=%d %s\n", identifier, name,
                          ferry_outcome_get_http_status (outcome), (int) getpid (), detail);
  g_print ("%s", line);
  log = g_getenv ("FERRY_EXAMPLE_LOG");
  if (log != NULL)
    {
      FILE *file = fopen (log, "a");

      if (file != NULL)
        {
          fputs (line, file);
          fclose (file);
        }
    }

  /* Delivered: this app no longer asks for it. */
  g_key_file_remove_group (self->state, identifier, NULL);
  save_state (self);
}

static void
issue (Example    *self,
       const char *identifier,
       gboolean    paused)
{
  g_autofree char *kind = g_key_file_get_string (self->state, identifier, "kind", NULL);
  g_autofree char *uri = g_key_file_get_string (self->state, identifier, "uri", NULL);
  g_autoptr(FerryRequest) request = ferry_request_new ();

  ferry_request_set_paused (request, paused);
  if (g_strcmp0 (kind, "download") == 0)
    {
      const char *folder = g_getenv ("FERRY_EXAMPLE_DOWNLOADS");

      if (folder != NULL)
        {
          g_autoptr(GFile) file = g_file_new_for_path (folder);

          ferry_request_set_destination (request, file);
        }
      ferry_session_download_async (self->session, uri, identifier, request, NULL, on_outcome,
                                    g_strdup (identifier));
    }
  else
    {
      g_autofree char *path = g_key_file_get_string (self->state, identifier, "file", NULL);
      g_autoptr(GFile) file = g_file_new_for_path (path);

      ferry_request_set_method (request, "PUT");
      ferry_session_upload_async (self->session, uri, file, identifier, request, NULL,
                                  on_outcome, g_strdup (identifier));
    }
}

static void
on_items_changed (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  Example    *self)
{
  GHashTableIter iter;
  gpointer identifier;

  if (g_hash_table_size (self->handing_over) == 0)
    return;

  g_hash_table_iter_init (&iter, self->handing_over);
  while (g_hash_table_iter_next (&iter, &identifier, NULL))
    {
      FerryTransfer *transfer = ferry_session_lookup (self->session, identifier);

      if (transfer != NULL)
        {
          g_print ("%s handed over pid=%d %s\n", (char *) identifier, (int) getpid (),
                   ferry_transfer_get_object_path (transfer));
          g_hash_table_iter_remove (&iter);
        }
    }
  if (g_hash_table_size (self->handing_over) == 0)
    g_application_release (self->app);
}

static void
on_startup (GApplication *app,
            Example      *self)
{
  g_autofree char *path = state_path ();
  g_auto(GStrv) groups = NULL;

  self->session = ferry_session_new (APP_ID);
  g_object_set_data (G_OBJECT (self->session), "example", self);
  /* Installs transfers-finished: a relaunch by ferryd delivers the outcomes of the calls
   * issued below. */
  ferry_session_bind_application (self->session, app);
  g_signal_connect (ferry_session_get_transfers (self->session), "items-changed",
                    G_CALLBACK (on_items_changed), self);

  g_key_file_load_from_file (self->state, path, G_KEY_FILE_NONE, NULL);
  groups = g_key_file_get_groups (self->state, NULL);
  for (guint i = 0; groups[i] != NULL; i++)
    issue (self, groups[i], FALSE);
}

static int
on_command_line (GApplication            *app,
                 GApplicationCommandLine *command_line,
                 Example                 *self)
{
  g_auto(GStrv) argv = g_application_command_line_get_arguments (command_line, NULL);
  g_autoptr(GPtrArray) added = g_ptr_array_new ();
  gboolean paused = FALSE;
  guint i = 1;

  if (argv[i] != NULL && g_str_equal (argv[i], "--paused"))
    {
      paused = TRUE;
      i++;
    }
  while (argv[i] != NULL && argv[i + 1] != NULL && argv[i + 2] != NULL)
    {
      const char *kind = argv[i], *identifier = argv[i + 1], *uri = argv[i + 2];

      g_key_file_set_string (self->state, identifier, "kind", kind);
      g_key_file_set_string (self->state, identifier, "uri", uri);
      if (g_str_equal (kind, "upload") && argv[i + 3] != NULL)
        {
          g_autoptr(GFile) file = g_file_new_for_commandline_arg (argv[i + 3]);
          g_autofree char *path = g_file_get_path (file);

          g_key_file_set_string (self->state, identifier, "file", path);
          i += 4;
        }
      else
        i += 3;
      g_ptr_array_add (added, (gpointer) identifier);
    }
  save_state (self);

  if (added->len > 0)
    {
      /* Quit once Ferry has the transfers; their outcomes come to a later launch. */
      g_application_hold (app);
      for (guint j = 0; j < added->len; j++)
        {
          g_hash_table_add (self->handing_over, g_strdup (added->pdata[j]));
          issue (self, added->pdata[j], paused);
        }
    }
  return 0;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GApplication) app = g_application_new (APP_ID,
                                                   G_APPLICATION_HANDLES_COMMAND_LINE);
  Example self = { app, NULL, g_key_file_new (),
                   g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL) };
  int status;

  g_signal_connect (app, "startup", G_CALLBACK (on_startup), &self);
  g_signal_connect (app, "command-line", G_CALLBACK (on_command_line), &self);
  status = g_application_run (app, argc, argv);

  g_clear_object (&self.session);
  g_key_file_unref (self.state);
  g_hash_table_unref (self.handing_over);
  return status;
}
