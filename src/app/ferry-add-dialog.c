/* ferry-add-dialog.c
 *
 * The dialog never sends what it knows to be wrong: invalid links, a malformed checksum or
 * header line are named in the dialog and the Add button stays off.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ferry-add-dialog"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "ferry-add-dialog.h"
#include "ferry-links.h"
#include "ferry-settings.h"
#include "ferry-start-row.h"

struct _FerryAddDialog
{
  AdwWindow parent_instance;

  FerryClient *client;
  char *destination;
  GtkFileChooserNative *chooser;

  GtkWidget *add_button;
  GtkTextView *links_view;
  GtkLabel *problems_label;
  AdwActionRow *destination_row;
  GtkWidget *destination_button;
  AdwComboRow *start_row;
  FerryStartRow *time_row;
  GtkSwitch *metered_switch;
  AdwEntryRow *sha256_row;
  GtkTextView *headers_view;
  char *problems;        /* every problem, the start time's too, for tests */
};

G_DEFINE_FINAL_TYPE (FerryAddDialog, ferry_add_dialog, ADW_TYPE_WINDOW)

static char *
text_of (GtkTextView *view)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (view);
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

static gboolean
sha256_is_valid (const char *text)
{
  if (*text == '\0')
    return TRUE;
  if (strlen (text) != 64)
    return FALSE;
  for (guint i = 0; i < 64; i++)
    {
      if (!g_ascii_isxdigit (text[i]))
        return FALSE;
    }
  return TRUE;
}

/* Checks everything, says what is wrong, and returns whether the dialog may send. */
static gboolean
validate (FerryAddDialog *self,
          GPtrArray      *links,
          GVariant      **headers)
{
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *text = text_of (self->links_view);
  g_autofree char *header_text = text_of (self->headers_view);
  g_autofree char *bad_header = NULL;
  const char *sha256 = gtk_editable_get_text (GTK_EDITABLE (self->sha256_row));
  g_autoptr(GVariant) parsed_headers = NULL;
  const char *start_problem;

  ferry_links_parse (text, links, problems);

  if (!sha256_is_valid (sha256))
    {
      g_ptr_array_add (problems, g_strdup (_("The SHA-256 checksum must be 64 hexadecimal "
                                             "digits")));
      gtk_widget_add_css_class (GTK_WIDGET (self->sha256_row), "error");
    }
  else
    {
      gtk_widget_remove_css_class (GTK_WIDGET (self->sha256_row), "error");
      if (*sha256 != '\0' && links->len > 1)
        g_ptr_array_add (problems, g_strdup (_("A checksum belongs to one file: add one link "
                                               "at a time to check it")));
    }

  /* A start already past would start at once: the row says so beside the field, and the
   * dialog does not pretend to schedule. */
  start_problem = adw_combo_row_get_selected (self->start_row) == 1
                    ? ferry_start_row_get_problem (self->time_row)
                    : NULL;

  parsed_headers = ferry_links_parse_headers (header_text, &bad_header);
  if (parsed_headers == NULL)
    g_ptr_array_add (problems, g_strdup_printf (_("The header line “%s” is not “Name: value”"),
                                                bad_header));
  else if (headers != NULL)
    *headers = g_variant_ref_sink (g_steal_pointer (&parsed_headers));

  g_clear_pointer (&self->problems, g_free);
  if (problems->len > 0)
    {
      g_autofree char *joined = NULL;

      g_ptr_array_add (problems, NULL);
      joined = g_strjoinv ("\n", (char **) problems->pdata);
      gtk_label_set_label (self->problems_label, joined);
      self->problems = start_problem ? g_strconcat (joined, "\n", start_problem, NULL)
                                     : g_steal_pointer (&joined);
    }
  else if (start_problem != NULL)
    {
      self->problems = g_strdup (start_problem);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->problems_label), problems->len > 0);

  return problems->len == 0 && start_problem == NULL && links->len > 0;
}

static void
revalidate (FerryAddDialog *self)
{
  g_autoptr(GPtrArray) links = g_ptr_array_new_with_free_func (g_free);

  gtk_widget_set_sensitive (self->add_button, validate (self, links, NULL));
}

static void
on_start_changed (FerryAddDialog *self)
{
  gtk_widget_set_visible (GTK_WIDGET (self->time_row),
                          adw_combo_row_get_selected (self->start_row) == 1);
  revalidate (self);
}

static void
on_added (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GPtrArray) errors = ferry_client_add_downloads_finish (FERRY_CLIENT (source), result);

  /* The service checks too (a folder that went away, say): its sentence is shown. */
  if (errors != NULL && errors->len > 0)
    g_warning ("%s", (char *) g_ptr_array_index (errors, 0));
}

static void
on_add_clicked (FerryAddDialog *self)
{
  g_autoptr(GPtrArray) links = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GVariant) headers = NULL;
  GtkApplication *app;
  GVariantDict options;
  const char *sha256;

  if (!validate (self, links, &headers))
    return;

  g_variant_dict_init (&options, NULL);
  if (self->destination != NULL)
    g_variant_dict_insert (&options, "destination", "s", self->destination);
  if (adw_combo_row_get_selected (self->start_row) == 1)
    g_variant_dict_insert (&options, "earliest-begin", "x",
                           ferry_start_row_get_start (self->time_row));
  g_variant_dict_insert (&options, "allow-metered", "b",
                         gtk_switch_get_active (self->metered_switch));
  sha256 = gtk_editable_get_text (GTK_EDITABLE (self->sha256_row));
  if (*sha256 != '\0')
    g_variant_dict_insert (&options, "sha256", "s", sha256);
  if (headers != NULL && g_variant_n_children (headers) > 0)
    g_variant_dict_insert_value (&options, "headers", headers);

  g_ptr_array_add (links, NULL);

  /* The same action a drop or another client would use. */
  app = gtk_window_get_application (gtk_window_get_transient_for (GTK_WINDOW (self)));
  if (app != NULL)
    g_action_group_activate_action (G_ACTION_GROUP (app), "add",
                                    g_variant_new ("(^as@a{sv})", (char **) links->pdata,
                                                   g_variant_dict_end (&options)));
  else
    ferry_client_add_downloads (self->client, (const char *const *) links->pdata,
                                g_variant_dict_end (&options), on_added, NULL);

  gtk_window_destroy (GTK_WINDOW (self));
}

/* Ctrl+Enter in the links list, Enter in a single-line field: what the Add button does, when
 * it may. */
static void
add_action (GtkWidget  *widget,
            const char *action_name,
            GVariant   *parameter)
{
  FerryAddDialog *self = FERRY_ADD_DIALOG (widget);

  if (gtk_widget_get_sensitive (self->add_button))
    on_add_clicked (self);
}

static void
add_action_cb (FerryAddDialog *self)
{
  add_action (GTK_WIDGET (self), "dialog.add", NULL);
}

static void
on_folder_chosen (GtkNativeDialog *dialog,
                  int              response,
                  FerryAddDialog  *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) folder = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));

      g_free (self->destination);
      self->destination = g_file_get_path (folder);
      adw_action_row_set_subtitle (self->destination_row, self->destination);
    }

  g_clear_object (&self->chooser);
}

static void
on_choose_folder (FerryAddDialog *self)
{
  /* GtkFileChooserNative goes through the file chooser portal in a sandbox. */
  self->chooser = gtk_file_chooser_native_new (_("Save Downloads In"), GTK_WINDOW (self),
                                               GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER,
                                               _("_Select"), _("_Cancel"));
  g_signal_connect (self->chooser, "response", G_CALLBACK (on_folder_chosen), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static void
ferry_add_dialog_dispose (GObject *object)
{
  FerryAddDialog *self = FERRY_ADD_DIALOG (object);

  g_clear_object (&self->client);
  g_clear_object (&self->chooser);
  g_clear_pointer (&self->destination, g_free);
  g_clear_pointer (&self->problems, g_free);
  gtk_widget_dispose_template (GTK_WIDGET (self), FERRY_TYPE_ADD_DIALOG);

  G_OBJECT_CLASS (ferry_add_dialog_parent_class)->dispose (object);
}

static void
ferry_add_dialog_class_init (FerryAddDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ferry_add_dialog_dispose;

  g_type_ensure (FERRY_TYPE_START_ROW);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/ferryhq/Ferry/ferry-add-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, FerryAddDialog, add_button);
  gtk_widget_class_bind_template_child (widget_class, FerryAddDialog, links_view);
  gtk_widget_class_bind_template_child (widget_class, FerryAddDialog, problems_label);
  gtk_widget_class_bind_template_child (widget_class, FerryAddDialog, destination_row);
  gtk_widget_class_bind_template_child (widget_class, FerryAddDialog, destination_button);
  gtk_widget_class_bind_template_child (widget_class, FerryAddDialog, start_row);
  gtk_widget_class_bind_template_child (widget_class, FerryAddDialog, time_row);
  gtk_widget_class_bind_template_child (widget_class, FerryAddDialog, metered_switch);
  gtk_widget_class_bind_template_child (widget_class, FerryAddDialog, sha256_row);
  gtk_widget_class_bind_template_child (widget_class, FerryAddDialog, headers_view);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
  gtk_widget_class_install_action (widget_class, "dialog.add", NULL, add_action);
}

static void
ferry_add_dialog_init (FerryAddDialog *self)
{
  g_autoptr(GSettings) settings = ferry_settings_new ();
  g_autofree char *folder = ferry_settings_dup_download_folder (settings);

  gtk_widget_init_template (GTK_WIDGET (self));

  /* Enter never throws the links away: the focus starts in the links, not on Cancel, and
   * Ctrl+Enter there adds them (Enter alone starts a new line of the list). */
  gtk_window_set_default_widget (GTK_WINDOW (self), self->add_button);
  gtk_window_set_focus (GTK_WINDOW (self), GTK_WIDGET (self->links_view));
  {
    GtkEventController *keys = gtk_shortcut_controller_new ();

    gtk_event_controller_set_propagation_phase (keys, GTK_PHASE_CAPTURE);
    gtk_shortcut_controller_add_shortcut (
      GTK_SHORTCUT_CONTROLLER (keys),
      gtk_shortcut_new (gtk_shortcut_trigger_parse_string ("<Control>Return|<Control>KP_Enter"),
                        gtk_named_action_new ("dialog.add")));
    gtk_widget_add_controller (GTK_WIDGET (self->links_view), keys);
  }
  g_signal_connect_swapped (self->sha256_row, "entry-activated", G_CALLBACK (add_action_cb),
                            self);

  adw_action_row_set_subtitle (self->destination_row, folder);
  gtk_switch_set_active (self->metered_switch,
                         settings ? g_settings_get_boolean (settings, "allow-metered") : TRUE);

  g_signal_connect_swapped (gtk_text_view_get_buffer (self->links_view), "changed",
                            G_CALLBACK (revalidate), self);
  g_signal_connect_swapped (gtk_text_view_get_buffer (self->headers_view), "changed",
                            G_CALLBACK (revalidate), self);
  g_signal_connect_swapped (self->sha256_row, "changed", G_CALLBACK (revalidate), self);
  g_signal_connect_swapped (self->start_row, "notify::selected", G_CALLBACK (on_start_changed),
                            self);
  g_signal_connect_swapped (self->time_row, "changed", G_CALLBACK (revalidate), self);
  g_signal_connect_swapped (self->add_button, "clicked", G_CALLBACK (on_add_clicked), self);
  g_signal_connect_swapped (self->destination_button, "clicked", G_CALLBACK (on_choose_folder),
                            self);
}

GtkWidget *
ferry_add_dialog_new (GtkWindow   *parent,
                      FerryClient *client,
                      const char  *links)
{
  FerryAddDialog *self = g_object_new (FERRY_TYPE_ADD_DIALOG, "transient-for", parent, NULL);

  self->client = g_object_ref (client);
  if (links != NULL)
    gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->links_view), links, -1);
  revalidate (self);
  gtk_window_set_focus (GTK_WINDOW (self), GTK_WIDGET (self->links_view));
  return GTK_WIDGET (self);
}

void
ferry_add_dialog_set_links (FerryAddDialog *self,
                            const char     *links)
{
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->links_view), links, -1);
}

GtkWidget *
ferry_add_dialog_get_add_button (FerryAddDialog *self)
{
  return self->add_button;
}

const char *
ferry_add_dialog_get_problems (FerryAddDialog *self)
{
  return self->problems;
}

void
ferry_add_dialog_set_start (FerryAddDialog *self,
                            GDateTime      *when)
{
  g_autoptr(GDateTime) local = NULL;

  if (when == NULL)
    {
      adw_combo_row_set_selected (self->start_row, 0);
      return;
    }
  local = g_date_time_to_local (when);
  adw_combo_row_set_selected (self->start_row, 1);
  ferry_start_row_set_start (self->time_row, local);
}

FerryStartRow *
ferry_add_dialog_get_start_row (FerryAddDialog *self)
{
  return self->time_row;
}

AdwComboRow *
ferry_add_dialog_get_start_choice (FerryAddDialog *self)
{
  return self->start_row;
}
