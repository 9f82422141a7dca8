/* ferry-service-manager.c
 *
 * io.github.ferryhq.Ferry.Manager1: adding transfers, listing them, PauseAll and ResumeAll,
 * and the Progress signal and properties that follow the scheduler.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ferry-service"

#include "config.h"

#include <malloc.h>
#include <string.h>

#include <gio/gunixfdlist.h>
#include <glib/gstdio.h>

#include "ferry-error.h"
#include "ferry-i18n.h"
#include "ferry-folder.h"
#include "ferry-options.h"
#include "ferry-service-private.h"
#include "ferry-settings.h"
#include "ferry-source.h"

/* -- Manager ----------------------------------------------------------------------------- */

static char *
default_directory (FerryService *self)
{
  return ferry_settings_dup_download_folder (ferry_scheduler_get_settings (self->scheduler));
}

/* Stores @record and starts it; answers @invocation with its path. Returns the transfer
 * (owned by the service), or NULL with @error set when it could not be stored. */
static FerryTransfer *
add_record (FerryService          *self,
            GDBusMethodInvocation *invocation,
            FerryRecord           *record_in,
            gboolean               paused,
            GError               **out_error)
{
  g_autoptr(FerryRecord) record = record_in;
  g_autoptr(FerryTransfer) transfer = NULL;
  g_autoptr(GError) error = NULL;

  record->state = paused ? FERRY_STATE_PAUSED : FERRY_STATE_QUEUED;
  record->created_at = g_get_real_time () / G_USEC_PER_SEC;
  if (record->session == NULL)
    record->session = g_strdup ("");

  /* Persist before announce: the caller gets a path only for a stored transfer. */
  if (!ferry_store_insert (self->store, record, &error))
    {
      if (record->source_is_copy && record->source_path != NULL)
        g_unlink (record->source_path);
      if (out_error != NULL)
        *out_error = g_error_copy (error);
      _ferry_service_return_error (invocation, error);
      return NULL;
    }

  transfer = ferry_transfer_new (self->store, g_steal_pointer (&record));
  _ferry_service_track (self, transfer, TRUE);
  ferry_scheduler_add (self->scheduler, transfer);

  g_debug ("Added transfer %" G_GUINT64_FORMAT, ferry_transfer_get_id (transfer));
  g_dbus_method_invocation_return_value (invocation,
                                         g_variant_new ("(o)",
                                                        ferry_transfer_get_object_path (transfer)));
  return transfer;
}

/* Answers the calls that named @key while an AddUpload of it was adopting its file: with the
 * transfer it made, or with its error. */
static void
answer_waiting (FerryService  *self,
                const char    *key,
                FerryTransfer *transfer,
                const GError  *error)
{
  g_autofree char *stolen_key = NULL;
  g_autoptr(GPtrArray) waiting = NULL;

  if (key == NULL ||
      !g_hash_table_steal_extended (self->adding, key, (gpointer *) &stolen_key,
                                    (gpointer *) &waiting))
    return;

  for (guint i = 0; i < waiting->len; i++)
    {
      GDBusMethodInvocation *invocation = g_ptr_array_index (waiting, i);

      if (transfer != NULL)
        {
          const char *path = ferry_transfer_get_object_path (transfer);

          g_dbus_method_invocation_return_value (g_object_ref (invocation),
                                                 g_variant_new ("(o)", path));
        }
      else
        {
          g_autoptr(GError) copy = g_error_copy (error);

          _ferry_service_return_error (g_object_ref (invocation), copy);
        }
    }
}

/* Resolves the destination folder once and pins it (path, device and inode): later
 * attempts reach only that folder, whatever its path comes to name. */
static gboolean
pin_folder (FerryRecord *record,
            GError     **error)
{
  g_autofree char *real_path = NULL;

  if (record->dir_dev != 0 || record->dir_ino != 0)
    return TRUE;
  if (!ferry_folder_pin (record->directory, &real_path, &record->dir_dev, &record->dir_ino,
                         error))
    return FALSE;
  g_free (record->directory);
  record->directory = g_steal_pointer (&real_path);
  return TRUE;
}

/* A sandboxed app's transfers are in its own session, and its downloads land in the
 * Downloads folder or a folder inside it (symlinks resolved), never elsewhere. */
static gboolean
confine_record (FerryService *self,
                const char   *confinement,
                FerryRecord  *record,
                GError      **error)
{
  g_autofree char *downloads = NULL;
  g_autofree char *real_downloads = NULL;

  if (*confinement == '\0')
    return TRUE;

  g_free (record->session);
  record->session = g_strdup (confinement);

  if (record->directory == NULL)
    return TRUE;

  /* The folder checked is the folder pinned: the check looks at the resolved path, and
   * nothing resolves it again later. */
  if (!pin_folder (record, error))
    return FALSE;

  downloads = default_directory (self);
  real_downloads = realpath (downloads, NULL);
  if (real_downloads == NULL ||
      !ferry_caller_real_path_is_within (record->directory, real_downloads))
    {
      g_set_error (error, FERRY_ERROR, FERRY_ERROR_ACCESS_DENIED,
                   N_ ("An app in a sandbox may only download into the Downloads folder (%s) "
                       "or a folder inside it, not into %s"), downloads, record->directory);
      return FALSE;
    }
  return TRUE;
}

static gboolean
set_languages (GDBusMethodInvocation *invocation,
               const char *const     *languages)
{
  if (!ferry_i18n_languages_are_valid (languages))
    {
      _ferry_service_return_new_error (invocation, FERRY_ERROR, FERRY_ERROR_INVALID_ARGUMENT,
                                       N_ ("The languages must be at most 32 names such as "
                                           "\"de_DE.UTF-8\" or \"pt_BR\""));
      return FALSE;
    }
  ferry_i18n_set_peer_languages (g_dbus_method_invocation_get_sender (invocation), languages);
  return TRUE;
}

/* Applies the "language" option of an add to its caller, and gives the other options in
 * @out_options. FALSE once @invocation is answered with an error. */
static gboolean
take_language (GDBusMethodInvocation *invocation,
               GVariant              *options,
               GVariant             **out_options)
{
  g_autoptr(GVariant) value = g_variant_lookup_value (options, "language", NULL);
  g_autofree const char **languages = NULL;
  GVariantDict dict;

  if (value == NULL)
    {
      *out_options = g_variant_ref (options);
      return TRUE;
    }
  if (!g_variant_is_of_type (value, G_VARIANT_TYPE_STRING_ARRAY))
    {
      _ferry_service_return_new_error (invocation, FERRY_ERROR, FERRY_ERROR_INVALID_ARGUMENT,
                                       N_ ("Option \"%s\" must be of type %s"), "language", "as");
      return FALSE;
    }
  languages = g_variant_get_strv (value, NULL);
  if (!set_languages (invocation, languages))
    return FALSE;

  g_variant_dict_init (&dict, options);
  g_variant_dict_remove (&dict, "language");
  *out_options = g_variant_ref_sink (g_variant_dict_end (&dict));
  return TRUE;
}

static gboolean
handle_set_languages (FerryManager1         *manager,
                      GDBusMethodInvocation *invocation,
                      const char *const     *languages,
                      FerryService          *self)
{
  _ferry_service_touch (self);

  if (set_languages (invocation, languages))
    ferry_manager1_complete_set_languages (manager, invocation);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

/* The first steps of AddDownload and AddUpload: the caller's confinement, then the address
 * and options checked and applied to a new record of @kind. NULL once @invocation is answered:
 * with the error, or with the path of the transfer the (session, identifier) already names
 * (restart-or-reconnect: the same pair is the same transfer, whatever its state). */
static FerryRecord *
new_record (FerryService          *self,
            GDBusMethodInvocation *invocation,
            FerryKind              kind,
            const char            *uri,
            GVariant              *options,
            gboolean              *out_paused)
{
  g_autoptr(FerryRecord) record = ferry_record_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *key = NULL;
  FerryTransfer *existing;
  GPtrArray *waiting;
  const char *confinement;
  g_autoptr(GVariant) stripped = NULL;

  _ferry_service_touch (self);

  /* "language" is about the caller, not the transfer: it takes effect before any answer. */
  if (!take_language (invocation, options, &stripped))
    return NULL;
  options = stripped;

  confinement = _ferry_service_caller_confinement (self, invocation);
  if (confinement == NULL)
    return NULL;

  record->kind = kind;
  /* New transfers follow the settings unless the caller says otherwise. */
  record->allow_metered = ferry_settings_get_boolean (ferry_scheduler_get_settings (self->scheduler),
                                                      "allow-metered", TRUE);

  if (!ferry_options_check_uri (uri, &error) ||
      !ferry_options_apply (record, options,
                            kind == FERRY_KIND_UPLOAD ? FERRY_OPTIONS_ADD_UPLOAD
                                                      : FERRY_OPTIONS_ADD_DOWNLOAD,
                            out_paused, &error) ||
      !confine_record (self, confinement, record, &error))
    {
      _ferry_service_return_error (invocation, error);
      return NULL;
    }

  key = _ferry_service_identifier_key (record);
  existing = key ? g_hash_table_lookup (self->identifiers, key) : NULL;
  if (existing != NULL)
    {
      g_dbus_method_invocation_return_value (invocation,
                                             g_variant_new ("(o)",
                                                            ferry_transfer_get_object_path (existing)));
      return NULL;
    }

  /* An AddUpload of the same pair is still adopting its file: this call gets its transfer
   * (two concurrent adds are one transfer, never a second row). */
  waiting = key ? g_hash_table_lookup (self->adding, key) : NULL;
  if (waiting != NULL)
    {
      /* The array holds the reference the answer will use. */
      g_ptr_array_add (waiting, invocation);
      return NULL;
    }

  {
    guint limit = *confinement != '\0' ? self->max_per_app : self->max_per_host_session;
    guint count = GPOINTER_TO_UINT (g_hash_table_lookup (self->session_counts,
                                                         record->session ? record->session : ""));

    if (count >= limit)
      {
        _ferry_service_return_new_error (invocation, FERRY_ERROR, FERRY_ERROR_FAILED,
                                         N_ ("This session already has %u transfers, the "
                                             "most Ferry keeps for one session; remove "
                                             "finished ones before adding more"), limit);
        return NULL;
      }
  }

  record->uri = g_strdup (uri);
  return g_steal_pointer (&record);
}

static gboolean
handle_add_download (FerryManager1         *manager,
                     GDBusMethodInvocation *invocation,
                     const char            *uri,
                     GVariant              *options,
                     FerryService          *self)
{
  gboolean paused = FALSE;
  g_autoptr(FerryRecord) record = new_record (self, invocation, FERRY_KIND_DOWNLOAD, uri,
                                              options, &paused);
  g_autoptr(GError) error = NULL;

  if (record == NULL)
    return G_DBUS_METHOD_INVOCATION_HANDLED;

  if (record->directory == NULL)
    {
      record->directory = default_directory (self);
      if (g_mkdir_with_parents (record->directory, 0755) != 0)
        {
          _ferry_service_return_new_error (invocation, FERRY_ERROR,
                                           FERRY_ERROR_INVALID_ARGUMENT,
                                           N_ ("The Downloads folder %s cannot be created; "
                                               "give a destination"),
                                           record->directory);
          return G_DBUS_METHOD_INVOCATION_HANDLED;
        }
    }

  if (!pin_folder (record, &error))
    {
      _ferry_service_return_error (invocation, error);
      return G_DBUS_METHOD_INVOCATION_HANDLED;
    }

  add_record (self, invocation, g_steal_pointer (&record), paused, NULL);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

typedef struct
{
  FerryService *service;
  GDBusMethodInvocation *invocation;
  FerryRecord *record;
  gboolean paused;
  int fd;
  char *copy_dir;
  char *key;            /* its (session, identifier), if it has one */
  char *session;
} AddUpload;

static void
add_upload_free (AddUpload *add)
{
  g_clear_object (&add->service);
  g_clear_object (&add->invocation);
  g_clear_pointer (&add->record, ferry_record_free);
  if (add->fd >= 0)
    close (add->fd);
  g_free (add->copy_dir);
  g_free (add->key);
  g_free (add->session);
  g_free (add);
}

/* Finding the file again may mean copying it: not on the main thread. */
static void
adopt_source_thread (GTask        *task,
                     gpointer      source_object,
                     gpointer      task_data,
                     GCancellable *cancellable)
{
  AddUpload *add = task_data;
  GError *error = NULL;

  if (ferry_source_adopt (add->fd, add->copy_dir, add->record, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
on_source_adopted (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  AddUpload *add = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;

  FerryTransfer *transfer;

  _ferry_service_count_in_session (add->service, add->session, -1);
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      answer_waiting (add->service, add->key, NULL, error);
      _ferry_service_return_error (add->invocation, error);
      g_application_release (G_APPLICATION (add->service));
      return;
    }

  /* The name the transfer shows is the file's. */
  g_free (add->record->destination);
  add->record->destination = g_strdup (add->record->filename);
  transfer = add_record (add->service, add->invocation, g_steal_pointer (&add->record),
                         add->paused, &error);
  answer_waiting (add->service, add->key, transfer, error);
  /* Held since the call came in; a stored transfer that has work holds on its own. */
  g_application_release (G_APPLICATION (add->service));
}

static gboolean
handle_add_upload (FerryManager1         *manager,
                   GDBusMethodInvocation *invocation,
                   GUnixFDList           *fd_list,
                   const char            *uri,
                   GVariant              *source,
                   GVariant              *options,
                   FerryService          *self)
{
  gboolean paused = FALSE;
  g_autoptr(FerryRecord) record = new_record (self, invocation, FERRY_KIND_UPLOAD, uri, options,
                                              &paused);
  g_autoptr(GError) error = NULL;
  g_autoptr(GTask) task = NULL;
  AddUpload *add;
  int fd = -1;

  if (record == NULL)
    return G_DBUS_METHOD_INVOCATION_HANDLED;

  if (fd_list != NULL)
    fd = g_unix_fd_list_get (fd_list, g_variant_get_handle (source), NULL);
  if (!ferry_source_check (fd, &error))
    {
      if (fd >= 0)
        close (fd);
      _ferry_service_return_error (invocation, error);
      return G_DBUS_METHOD_INVOCATION_HANDLED;
    }

  if (record->method == NULL)
    record->method = g_strdup ("POST");
  if (record->form_field != NULL && !g_str_equal (record->method, "POST"))
    {
      close (fd);
      _ferry_service_return_new_error (invocation, FERRY_ERROR,
                                       FERRY_ERROR_INVALID_ARGUMENT,
                                       N_ ("A form field is sent with POST, not PUT"));
      return G_DBUS_METHOD_INVOCATION_HANDLED;
    }

  add = g_new0 (AddUpload, 1);
  add->service = g_object_ref (self);
  add->invocation = g_object_ref (invocation);
  add->record = g_steal_pointer (&record);
  add->paused = paused;
  add->fd = fd;
  add->copy_dir = g_build_filename (g_get_user_data_dir (), FERRY_STORE_DIR, "uploads", NULL);
  add->key = _ferry_service_identifier_key (add->record);
  /* Counted against the session's quota while it adopts the file: many uploads at once
   * cannot all slip under it. */
  _ferry_service_count_in_session (self, add->record->session, 1);
  add->session = g_strdup (add->record->session);
  if (add->key != NULL)
    g_hash_table_insert (self->adding, g_strdup (add->key),
                         g_ptr_array_new_with_free_func (g_object_unref));

  /* Copying the file can outlast the inactivity timeout: without a hold ferryd could exit
   * before it answers, and leave the copy behind. */
  g_application_hold (G_APPLICATION (self));
  task = g_task_new (NULL, NULL, on_source_adopted, NULL);
  g_task_set_task_data (task, add, (GDestroyNotify) add_upload_free);
  g_task_run_in_thread (task, adopt_source_thread);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

/* The transfers of @session ("" for all), oldest first: what a caller confined to it sees. */
static GPtrArray *
session_transfers (FerryService *self,
                   const char   *session)
{
  GPtrArray *all = _ferry_service_sorted_transfers (self);
  GPtrArray *mine;

  if (*session == '\0')
    return all;

  mine = g_ptr_array_new ();
  for (guint i = 0; i < all->len; i++)
    {
      FerryTransfer *t = g_ptr_array_index (all, i);

      if (_ferry_service_may_see (session, t))
        g_ptr_array_add (mine, t);
    }
  g_ptr_array_unref (all);
  return mine;
}

/* The session a listing of @session by this caller covers: a sandboxed app asking for all
 * gets its own; asking for another app's is refused. NULL once the call is answered. */
static const char *
listed_session (FerryService          *self,
                GDBusMethodInvocation *invocation,
                const char            *session)
{
  const char *confinement = _ferry_service_caller_confinement (self, invocation);

  if (confinement == NULL || *confinement == '\0')
    return confinement == NULL ? NULL : session;
  if (*session == '\0' || g_str_equal (session, confinement))
    return confinement;

  _ferry_service_return_new_error (invocation, FERRY_ERROR, FERRY_ERROR_ACCESS_DENIED,
                                   N_ ("%s may only list its own transfers, not those of %s"),
                                   confinement, session);
  return NULL;
}

/* The object paths of @transfers as one serialised "ao" (GVariant's documented format:
 * each path with its nul, then the end of each as a little-endian offset of the smallest
 * width that fits the whole), or NULL past MAX_REPLY_BYTES. Made of the ids directly: one
 * GVariant per path (validated, then serialised again) was half the time of a listing of
 * 100,000. */
static GVariant *
object_paths_variant (GPtrArray *transfers)
{
  static const char prefix[] = FERRY_TRANSFERS_PATH "/";
  g_autoptr(GByteArray) data = g_byte_array_sized_new (transfers->len * (sizeof prefix + 8));
  g_autofree gsize *ends = g_new (gsize, MAX (transfers->len, 1));
  g_autoptr(GBytes) bytes = NULL;
  gsize body;
  guint width;

  for (guint i = 0; i < transfers->len; i++)
    {
      guint64 id = ferry_transfer_get_record (g_ptr_array_index (transfers, i))->id;
      char digits[24];
      guint n = 0;

      do
        digits[sizeof digits - 1 - n++] = (char) ('0' + id % 10);
      while ((id /= 10) > 0);
      g_byte_array_append (data, (const guint8 *) prefix, sizeof prefix - 1);
      g_byte_array_append (data, (const guint8 *) digits + sizeof digits - n, n);
      g_byte_array_append (data, (const guint8 *) "", 1);
      ends[i] = data->len;
      /* The D-Bus message adds a length of 4 bytes per path. */
      if ((gsize) data->len + 4 * (gsize) i > MAX_REPLY_BYTES)
        return NULL;
    }

  /* The smallest width of offset for which the whole fits: 1, 2, 4 or 8 bytes. */
  body = data->len;
  for (width = 1; width < 8; width *= 2)
    if (body + (gsize) width * transfers->len <= (G_GUINT64_CONSTANT (1) << (8 * width)) - 1)
      break;
  for (guint i = 0; i < transfers->len; i++)
    {
      guint64 end = GUINT64_TO_LE ((guint64) ends[i]);

      g_byte_array_append (data, (const guint8 *) &end, width);
    }

  bytes = g_byte_array_free_to_bytes (g_steal_pointer (&data));
  return g_variant_new_from_bytes (G_VARIANT_TYPE_OBJECT_PATH_ARRAY, bytes, TRUE);
}

static gboolean
handle_list_transfers (FerryManager1         *manager,
                       GDBusMethodInvocation *invocation,
                       const char            *session,
                       FerryService          *self)
{
  g_autoptr(GPtrArray) transfers = NULL;
  GVariant *paths;

  _ferry_service_touch (self);

  session = listed_session (self, invocation, session);
  if (session == NULL)
    return G_DBUS_METHOD_INVOCATION_HANDLED;
  transfers = session_transfers (self, session);

  paths = object_paths_variant (transfers);
  if (paths == NULL)
    {
      _ferry_service_return_too_many (invocation, transfers->len);
      return G_DBUS_METHOD_INVOCATION_HANDLED;
    }
  g_dbus_method_invocation_return_value (invocation, g_variant_new_tuple (&paths, 1));
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
handle_get_transfers (FerryManager1         *manager,
                      GDBusMethodInvocation *invocation,
                      const char            *session,
                      FerryService          *self)
{
  g_autoptr(GPtrArray) transfers = NULL;
  GVariantBuilder builder;

  _ferry_service_touch (self);

  session = listed_session (self, invocation, session);
  if (session == NULL)
    return G_DBUS_METHOD_INVOCATION_HANDLED;
  transfers = session_transfers (self, session);

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a(otssssssastttxxxxusbb)"));
  for (guint i = 0, size = 0; i < transfers->len; i++)
    {
      g_autoptr(GVariant) stored = ferry_transfer_dup_summary (g_ptr_array_index (transfers, i));
      g_autoptr(GVariant) summary =
        _ferry_service_translate_summary (stored, g_dbus_method_invocation_get_sender (invocation));

      (void) g_variant_get_data (summary);
      size += (guint) g_variant_get_size (summary) + 8;
      if (size > MAX_REPLY_BYTES)
        {
          g_variant_builder_clear (&builder);
          _ferry_service_return_too_many (invocation, transfers->len);
          malloc_trim (0);
          return G_DBUS_METHOD_INVOCATION_HANDLED;
        }
      g_variant_builder_add_value (&builder, summary);
    }

  ferry_manager1_complete_get_transfers (manager, invocation, g_variant_builder_end (&builder));
  malloc_trim (0);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

/* GetTransfers a page at a time, by Id: a page ends at @limit transfers or PAGE_BYTES,
 * whichever comes first, so any number of transfers can be read within the bus's limits. */
static gboolean
handle_get_transfers_page (FerryManager1         *manager,
                           GDBusMethodInvocation *invocation,
                           const char            *session,
                           guint64                after,
                           guint                  limit,
                           FerryService          *self)
{
  g_autoptr(GPtrArray) transfers = NULL;
  GVariantBuilder builder;
  guint64 next = 0;
  guint taken = 0;
  gsize size = 0;

  _ferry_service_touch (self);

  session = listed_session (self, invocation, session);
  if (session == NULL)
    return G_DBUS_METHOD_INVOCATION_HANDLED;
  transfers = session_transfers (self, session);
  limit = limit == 0 ? PAGE_MAX_TRANSFERS : MIN (limit, PAGE_MAX_TRANSFERS);

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a(otssssssastttxxxxusbb)"));
  for (guint i = 0; i < transfers->len; i++)
    {
      FerryTransfer *t = g_ptr_array_index (transfers, i);
      guint64 id = ferry_transfer_get_record (t)->id;
      g_autoptr(GVariant) summary = NULL;

      if (id <= after)
        continue;
      if (taken == limit || size >= PAGE_BYTES)
        {
          /* More remain: the page ends after the last one it holds. */
          next = ferry_transfer_get_record (g_ptr_array_index (transfers, i - 1))->id;
          break;
        }
      {
        g_autoptr(GVariant) stored = ferry_transfer_dup_summary (t);

        summary = _ferry_service_translate_summary (
          stored, g_dbus_method_invocation_get_sender (invocation));
      }
      (void) g_variant_get_data (summary);
      size += g_variant_get_size (summary) + 8;
      g_variant_builder_add_value (&builder, summary);
      taken++;
    }

  g_dbus_method_invocation_return_value (invocation,
                                         g_variant_new ("(@a(otssssssastttxxxxusbb)t)",
                                                        g_variant_builder_end (&builder),
                                                        next));
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

/* PauseAll and ResumeAll: @operation on every transfer the caller may act on (a sandboxed app
 * its own only). FALSE once @invocation is answered with an error. */
static gboolean
apply_to_all (FerryService          *self,
              GDBusMethodInvocation *invocation,
              gboolean             (*operation) (FerryScheduler *scheduler,
                                                 GPtrArray      *transfers,
                                                 GError        **error))
{
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(GError) error = NULL;
  const char *confinement;

  _ferry_service_touch (self);

  confinement = _ferry_service_caller_confinement (self, invocation);
  if (confinement == NULL)
    return FALSE;

  all = session_transfers (self, confinement);
  if (!operation (self->scheduler, all, &error))
    {
      _ferry_service_return_error (invocation, error);
      return FALSE;
    }
  return TRUE;
}

static gboolean
handle_pause_all (FerryManager1         *manager,
                  GDBusMethodInvocation *invocation,
                  FerryService          *self)
{
  if (apply_to_all (self, invocation, ferry_scheduler_pause_all))
    {
      _ferry_service_announce (self);
      ferry_manager1_complete_pause_all (manager, invocation);
    }
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
handle_resume_all (FerryManager1         *manager,
                   GDBusMethodInvocation *invocation,
                   FerryService          *self)
{
  if (apply_to_all (self, invocation, ferry_scheduler_resume_all))
    {
      _ferry_service_announce (self);
      ferry_manager1_complete_resume_all (manager, invocation);
    }
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

/* -- Scheduler events -------------------------------------------------------------------- */

typedef struct
{
  FerryService *self;
  GPtrArray *moved;         /* the running transfers that moved */
  GHashTable *filtered;     /* confinement → a(ottt) of what it may see, made when needed */
} ProgressDelivery;

static GVariant *
progress_for (ProgressDelivery *d,
              const char       *confinement)
{
  GVariantBuilder builder;
  GVariant *mine;

  if (d->filtered == NULL)
    d->filtered = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                         (GDestroyNotify) g_variant_unref);
  mine = g_hash_table_lookup (d->filtered, confinement);
  if (mine != NULL)
    return mine;

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a(ottt)"));
  for (guint i = 0; i < d->moved->len; i++)
    {
      FerryTransfer *t = g_ptr_array_index (d->moved, i);

      if (_ferry_service_may_see (confinement, t))
        g_variant_builder_add (&builder, "(ottt)", ferry_transfer_get_object_path (t),
                               ferry_transfer_get_live_bytes (t),
                               ferry_transfer_get_record (t)->bytes_total,
                               ferry_transfer_get_rate (t));
    }
  mine = g_variant_ref_sink (g_variant_builder_end (&builder));
  g_hash_table_insert (d->filtered, (gpointer) confinement, mine);
  return mine;
}

static void
deliver_progress (gpointer key,
                  gpointer value,
                  gpointer user_data)
{
  ProgressDelivery *d = user_data;
  GVariant *updates = progress_for (d, value);
  g_autoptr(GError) error = NULL;

  if (g_variant_n_children (updates) == 0)
    return;
  if (!g_dbus_connection_emit_signal (d->self->connection, key, FERRY_DAEMON_PATH,
                                      "io.github.ferryhq.Ferry.Manager1", "Progress",
                                      g_variant_new ("(@a(ottt))", updates), &error))
    g_debug ("Could not send Progress to %s: %s", (const char *) key, error->message);
}

static void
on_progress (FerryScheduler *scheduler,
             GPtrArray      *moved,
             FerryService   *self)
{
  ProgressDelivery d = { self, moved, NULL };

  /* Each peer gets the progress of the transfers it may see, made once per confinement. */
  if (self->connection != NULL && self->callers != NULL)
    ferry_callers_foreach (self->callers, deliver_progress, &d);
  g_clear_pointer (&d.filtered, g_hash_table_unref);
}

static void
on_running_changed (FerryScheduler *scheduler,
                    FerryService   *self)
{
  ferry_manager1_set_running (self->manager, ferry_scheduler_get_running (scheduler));
  ferry_manager1_set_download_rate (self->manager, ferry_scheduler_get_download_rate (scheduler));
  ferry_manager1_set_upload_rate (self->manager, ferry_scheduler_get_upload_rate (scheduler));
}

static void
on_environment_changed (FerryScheduler *scheduler,
                        FerryService   *self)
{
  ferry_manager1_set_online (self->manager, ferry_scheduler_get_online (scheduler));
  ferry_manager1_set_metered (self->manager, ferry_scheduler_get_metered (scheduler));
}

void
_ferry_service_manager_init (FerryService *self)
{
  self->manager = ferry_manager1_skeleton_new ();
  ferry_manager1_set_version (self->manager, PACKAGE_VERSION);
  g_signal_connect_object (self->manager, "handle-add-download",
                           G_CALLBACK (handle_add_download), self, 0);
  g_signal_connect_object (self->manager, "handle-add-upload",
                           G_CALLBACK (handle_add_upload), self, 0);
  g_signal_connect_object (self->manager, "handle-list-transfers",
                           G_CALLBACK (handle_list_transfers), self, 0);
  g_signal_connect_object (self->manager, "handle-get-transfers",
                           G_CALLBACK (handle_get_transfers), self, 0);
  g_signal_connect_object (self->manager, "handle-get-transfers-page",
                           G_CALLBACK (handle_get_transfers_page), self, 0);
  g_signal_connect_object (self->manager, "handle-pause-all",
                           G_CALLBACK (handle_pause_all), self, 0);
  g_signal_connect_object (self->manager, "handle-resume-all",
                           G_CALLBACK (handle_resume_all), self, 0);
  g_signal_connect_object (self->manager, "handle-set-languages",
                           G_CALLBACK (handle_set_languages), self, 0);
}

/* Manager1's signals and properties follow the scheduler. */
void
_ferry_service_manager_watch (FerryService *self)
{
  g_signal_connect_object (self->scheduler, "progress", G_CALLBACK (on_progress), self, 0);
  g_signal_connect_object (self->scheduler, "running-changed", G_CALLBACK (on_running_changed),
                           self, 0);
  g_signal_connect_object (self->scheduler, "environment-changed",
                           G_CALLBACK (on_environment_changed), self, 0);
  on_environment_changed (self->scheduler, self);
}
