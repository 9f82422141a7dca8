/* ferry-window.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ferry-window"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "ferry-add-dialog.h"
#include "ferry-format.h"
#include "ferry-transfer-row.h"
#include "ferry-upload-dialog.h"
#include "ferry-window.h"

typedef enum
{
  PAGE_ALL,
  PAGE_ACTIVE,
  PAGE_SCHEDULED,
  PAGE_FINISHED,
  N_PAGES
} PageKind;

static const struct
{
  const char *name;
  const char *title;
  const char *icon;
  const char *empty_title;
  const char *empty_description;
} page_info[N_PAGES] = {
  { "all", N_("All"), "view-list-symbolic", N_("No Transfers"),
    N_("Drop links here to download them, or files to upload them.\n"
       "Transfers keep going when Ferry is closed.") },
  { "active", N_("Active"), "folder-download-symbolic", N_("Nothing Is Moving"),
    N_("Running, queued and paused transfers show here.") },
  { "scheduled", N_("Scheduled"), "alarm-symbolic", N_("Nothing Scheduled"),
    N_("Transfers set to start later show here.") },
  { "finished", N_("Finished"), "emblem-ok-symbolic", N_("Nothing Finished Yet"),
    N_("Completed, failed and canceled transfers show here until you remove them.") },
};

struct _FerryWindow
{
  AdwApplicationWindow parent_instance;

  FerryClient *client;
  GtkFilter *filters[N_PAGES];
  GtkFilterListModel *filtered[N_PAGES];
  GtkStack *page_stacks[N_PAGES];
  GtkListView *list_views[N_PAGES];
  char *search_text;

  AdwViewSwitcherTitle *switcher_title;
  AdwViewStack *stack;
  AdwToastOverlay *toast_overlay;
  GtkSearchBar *search_bar;
  GtkSearchEntry *search_entry;
  GtkRevealer *drop_revealer;
  GtkDropTarget *drop_target;
  AdwToast *last_toast;        /* weak: the toast shown last, while it is shown */
  GtkWidget *drop_overlay;
  GtkLabel *aggregate_label;
  guint subtitle_source;
  int crowded_width;
  int allocated_width;           /* the aggregate label was hidden for lack of room at this width */
};

G_DEFINE_FINAL_TYPE (FerryWindow, ferry_window, ADW_TYPE_APPLICATION_WINDOW)

/* -- Filtering --------------------------------------------------------------------------- */

static PageKind
page_of (FerryTransferItem *item)
{
  FerryState state = ferry_transfer_item_get_state (item);
  FerryWaitReasons reasons;

  if (ferry_state_is_terminal (state))
    return PAGE_FINISHED;

  reasons = ferry_transfer_item_get_wait_reasons (item);
  if (state == FERRY_STATE_WAITING && (reasons & FERRY_WAIT_SCHEDULE))
    return PAGE_SCHEDULED;

  return PAGE_ACTIVE;
}

static gboolean
matches_search (FerryWindow       *self,
                FerryTransferItem *item)
{
  g_autofree char *host = NULL;
  g_autofree char *name_folded = NULL;
  g_autofree char *host_folded = NULL;
  const char *name;

  if (self->search_text == NULL || *self->search_text == '\0')
    return TRUE;

  name = ferry_transfer_item_get_name (item);
  host = ferry_transfer_item_dup_host (item);
  name_folded = g_utf8_casefold (name, -1);
  host_folded = g_utf8_casefold (host, -1);
  return strstr (name_folded, self->search_text) != NULL ||
         strstr (host_folded, self->search_text) != NULL;
}

typedef struct
{
  FerryWindow *window;
  PageKind kind;
} FilterData;

static gboolean
filter_item (gpointer object,
             gpointer user_data)
{
  FilterData *data = user_data;
  FerryTransferItem *item = object;

  if (ferry_transfer_item_get_hidden (item) || !matches_search (data->window, item))
    return FALSE;

  return data->kind == PAGE_ALL || page_of (item) == data->kind;
}

static void
refilter (FerryWindow *self)
{
  for (guint i = 0; i < N_PAGES; i++)
    gtk_filter_changed (self->filters[i], GTK_FILTER_CHANGE_DIFFERENT);
}

static void
on_search_changed (GtkSearchEntry *entry,
                   FerryWindow    *self)
{
  g_free (self->search_text);
  self->search_text = g_utf8_casefold (gtk_editable_get_text (GTK_EDITABLE (entry)), -1);
  refilter (self);
}

/* -- Pages ------------------------------------------------------------------------------- */

static void
setup_row (GtkSignalListItemFactory *factory,
           GtkListItem              *list_item,
           gpointer                  user_data)
{
  gtk_list_item_set_child (list_item, ferry_transfer_row_new ());
  gtk_list_item_set_activatable (list_item, FALSE);
}

static void
bind_row (GtkSignalListItemFactory *factory,
          GtkListItem              *list_item,
          gpointer                  user_data)
{
  ferry_transfer_row_set_item (FERRY_TRANSFER_ROW (gtk_list_item_get_child (list_item)),
                               gtk_list_item_get_item (list_item));
}

static void
unbind_row (GtkSignalListItemFactory *factory,
            GtkListItem              *list_item,
            gpointer                  user_data)
{
  ferry_transfer_row_set_item (FERRY_TRANSFER_ROW (gtk_list_item_get_child (list_item)), NULL);
}

/* Gives the visible page's list its model and takes it from the others. */
static void
show_page (FerryWindow *self)
{
  const char *visible = adw_view_stack_get_visible_child_name (self->stack);

  for (guint i = 0; i < N_PAGES; i++)
    {
      gboolean shown = g_strcmp0 (visible, page_info[i].name) == 0;
      GtkSelectionModel *model = gtk_list_view_get_model (self->list_views[i]);

      if (shown && model == NULL)
        {
          g_autoptr(GtkNoSelection) selection =
            gtk_no_selection_new (g_object_ref (G_LIST_MODEL (self->filtered[i])));

          gtk_list_view_set_model (self->list_views[i], GTK_SELECTION_MODEL (selection));
        }
      else if (!shown && model != NULL)
        {
          gtk_list_view_set_model (self->list_views[i], NULL);
        }
    }
}

static void
catch_up_rows (GtkWidget *widget)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (FERRY_IS_TRANSFER_ROW (child))
        ferry_transfer_row_catch_up (FERRY_TRANSFER_ROW (child));
      else
        catch_up_rows (child);
    }
}

/* Rows out of view skip their redraws; scrolling brings them up to date. */
static void
on_scrolled (GtkAdjustment *adjustment,
             GtkWidget     *list_view)
{
  catch_up_rows (list_view);
}

static void
update_empty (GListModel *model,
              guint       position,
              guint       removed,
              guint       added,
              GtkStack   *stack)
{
  gtk_stack_set_visible_child_name (stack, g_list_model_get_n_items (model) > 0 ? "list"
                                                                                : "empty");
}

static void
add_page (FerryWindow *self,
          PageKind     kind)
{
  FilterData *data = g_new0 (FilterData, 1);
  GtkFilterListModel *filtered;
  g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();
  GtkWidget *list_view;
  GtkWidget *scrolled;
  GtkWidget *empty;
  GtkStack *page_stack;
  AdwViewStackPage *page;

  data->window = self;
  data->kind = kind;
  self->filters[kind] = GTK_FILTER (gtk_custom_filter_new (filter_item, data, g_free));
  filtered = gtk_filter_list_model_new (g_object_ref (ferry_client_get_transfers (self->client)),
                                        g_object_ref (self->filters[kind]));

  g_signal_connect (factory, "setup", G_CALLBACK (setup_row), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_row), NULL);
  g_signal_connect (factory, "unbind", G_CALLBACK (unbind_row), NULL);

  self->filtered[kind] = filtered;
  /* The model is attached only while the page shows (show_page): GTK 4.8 makes up to a few
   * hundred rows per list view, and four lists would make four times that at start. */
  list_view = gtk_list_view_new (NULL, g_object_ref (factory));
  gtk_widget_add_css_class (list_view, "ferry-transfers");
  self->list_views[kind] = GTK_LIST_VIEW (list_view);
  scrolled = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER,
                                  GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), list_view);
  g_signal_connect_object (gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scrolled)),
                           "value-changed", G_CALLBACK (on_scrolled), list_view, 0);

  empty = adw_status_page_new ();
  adw_status_page_set_icon_name (ADW_STATUS_PAGE (empty), page_info[kind].icon);
  adw_status_page_set_title (ADW_STATUS_PAGE (empty), _(page_info[kind].empty_title));
  adw_status_page_set_description (ADW_STATUS_PAGE (empty),
                                   _(page_info[kind].empty_description));

  page_stack = GTK_STACK (gtk_stack_new ());
  gtk_stack_add_named (page_stack, scrolled, "list");
  gtk_stack_add_named (page_stack, empty, "empty");
  self->page_stacks[kind] = page_stack;
  g_signal_connect_object (filtered, "items-changed", G_CALLBACK (update_empty), page_stack, 0);
  update_empty (G_LIST_MODEL (filtered), 0, 0, 0, page_stack);

  page = adw_view_stack_add_titled (self->stack, GTK_WIDGET (page_stack), page_info[kind].name,
                                    _(page_info[kind].title));
  adw_view_stack_page_set_icon_name (page, page_info[kind].icon);
}

/* -- Aggregate --------------------------------------------------------------------------- */

static void
update_subtitle (FerryWindow *self)
{
  FerryManager1 *manager = ferry_client_get_manager (self->client);
  g_autofree char *subtitle = NULL;
  guint running;

  if (manager == NULL)
    {
      adw_view_switcher_title_set_subtitle (self->switcher_title, _("Connecting…"));
      return;
    }

  running = ferry_manager1_get_running (manager);
  /* The count also shows on the Active tab itself, whatever room the header has. */
  adw_view_stack_page_set_badge_number (
    adw_view_stack_get_page (self->stack, GTK_WIDGET (self->page_stacks[PAGE_ACTIVE])), running);
  if (running == 0)
    {
      subtitle = g_strdup (ferry_manager1_get_online (manager) ? "" : _("Offline"));
    }
  else
    {
      /* Everything that moves, either way. */
      g_autofree char *rate = ferry_format_rate (ferry_manager1_get_download_rate (manager) +
                                                 ferry_manager1_get_upload_rate (manager));

      /* TRANSLATORS: "3 active — 18.4 MB/s" */
      subtitle = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u active — %s",
                                               "%u active — %s", running),
                                  running, rate);
    }

  /* Narrow, the title shows it as its subtitle; wide, the view switcher takes the title's
   * place and a label beside the Add button shows it. */
  adw_view_switcher_title_set_subtitle (self->switcher_title, subtitle);
  gtk_label_set_label (self->aggregate_label, subtitle);
}

/* The label beside the Add button takes room from the view switcher, which may then give
 * way to the title, whose subtitle says the same, so the label hides, which makes room for
 * the switcher again, and so on at every frame. Once hidden for lack of room, the label
 * comes back only when the window is wider than it was then. */
static void
place_aggregate (FerryWindow *self)
{
  GtkWidget *label = GTK_WIDGET (self->aggregate_label);
  int width = gtk_widget_get_width (GTK_WIDGET (self));

  if (adw_view_switcher_title_get_title_visible (self->switcher_title))
    {
      if (gtk_widget_get_visible (label))
        {
          self->crowded_width = width;
          gtk_widget_set_visible (label, FALSE);
        }
    }
  else if (!gtk_widget_get_visible (label) && width > self->crowded_width)
    {
      gtk_widget_set_visible (label, TRUE);
    }
}

static gboolean
place_aggregate_idle (gpointer user_data)
{
  FerryWindow *self = user_data;

  self->subtitle_source = 0;
  place_aggregate (self);
  return G_SOURCE_REMOVE;
}

/* title-visible changes while the header bar is being allocated: showing or hiding a widget
 * then would leave it unallocated in that frame. */
static void
queue_place_aggregate (FerryWindow *self)
{
  if (self->subtitle_source == 0)
    self->subtitle_source = g_idle_add (place_aggregate_idle, self);
}

static gboolean
log_first_frame (GtkWidget     *widget,
                 GdkFrameClock *clock,
                 gpointer       user_data)
{
  FerryWindow *self = FERRY_WINDOW (widget);

  /* tests/bench/gui times the app's start to this line. */
  g_debug ("First frame with the list of %u transfers drawn",
           g_list_model_get_n_items (ferry_client_get_transfers (self->client)));
  return G_SOURCE_REMOVE;
}

static void
on_client_ready (FerryClient *client,
                 FerryWindow *self)
{
  FerryManager1 *manager = ferry_client_get_manager (client);

  gtk_widget_add_tick_callback (GTK_WIDGET (self), log_first_frame, NULL, NULL);

  g_signal_connect_object (manager, "notify::running", G_CALLBACK (update_subtitle), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (manager, "notify::download-rate", G_CALLBACK (update_subtitle), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (manager, "notify::upload-rate", G_CALLBACK (update_subtitle), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (manager, "notify::online", G_CALLBACK (update_subtitle), self,
                           G_CONNECT_SWAPPED);
  update_subtitle (self);
}

static void
on_client_error (FerryClient *client,
                 const char  *message,
                 FerryWindow *self)
{
  g_autofree char *text = g_strdup_printf (_("Could not reach the Ferry service: %s"), message);

  ferry_window_show_toast (self, text);
}

/* -- Actions ----------------------------------------------------------------------------- */

void
ferry_window_show_toast (FerryWindow *self,
                         const char  *text)
{
  AdwToast *toast = adw_toast_new (text);

  adw_toast_set_timeout (toast, 5);
  g_set_weak_pointer (&self->last_toast, toast);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

void
ferry_window_add_links (FerryWindow *self,
                        const char  *text)
{
  GtkWidget *dialog = ferry_add_dialog_new (GTK_WINDOW (self), self->client, text);

  gtk_window_present (GTK_WINDOW (dialog));
}

static void
add_action (GtkWidget  *widget,
            const char *action_name,
            GVariant   *parameter)
{
  ferry_window_add_links (FERRY_WINDOW (widget), NULL);
}

static void
search_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  FerryWindow *self = FERRY_WINDOW (widget);

  gtk_search_bar_set_search_mode (self->search_bar, TRUE);
  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

static void
on_paste_text (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(FerryWindow) self = user_data;
  g_autofree char *text = gdk_clipboard_read_text_finish (GDK_CLIPBOARD (source), result, NULL);

  if (text != NULL && (strstr (text, "http://") != NULL || strstr (text, "https://") != NULL))
    ferry_window_add_links (self, text);
  else
    ferry_window_show_toast (self, _("There are no links on the clipboard"));
}

static void
paste_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  GdkClipboard *clipboard = gtk_widget_get_clipboard (widget);

  gdk_clipboard_read_text_async (clipboard, NULL, on_paste_text, g_object_ref (widget));
}

static void
on_manager_call_done (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!g_dbus_proxy_call_finish (G_DBUS_PROXY (source), result, &error))
    g_warning ("%s", error->message);
}

static void
pause_all_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  FerryManager1 *manager = ferry_client_get_manager (FERRY_WINDOW (widget)->client);

  if (manager != NULL)
    g_dbus_proxy_call (G_DBUS_PROXY (manager),
                       g_str_equal (action_name, "win.pause-all") ? "PauseAll" : "ResumeAll",
                       NULL, G_DBUS_CALL_FLAGS_NONE, -1, NULL, on_manager_call_done, NULL);
}

typedef struct
{
  FerryWindow *window;
  FerryTransferItem *item;
  gboolean undone;
} Removal;

static void
on_removed (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result,
                                                             &error);

  if (reply == NULL)
    g_warning ("Could not remove a transfer: %s", error->message);
}

static void
on_undo (AdwToast *toast,
         Removal  *removal)
{
  removal->undone = TRUE;
  ferry_transfer_item_set_hidden (removal->item, FALSE);
  refilter (removal->window);
}

static void
on_toast_dismissed (AdwToast *toast,
                    Removal  *removal)
{
  /* Only once the undo is no longer possible does the service forget the transfer. */
  if (!removal->undone)
    ferry_transfer_item_call (removal->item, "Remove", g_variant_new ("(b)", FALSE), on_removed,
                              NULL);
  g_object_unref (removal->item);
  g_object_unref (removal->window);
  g_free (removal);
}

static void
remove_transfer_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  FerryWindow *self = FERRY_WINDOW (widget);
  FerryTransferItem *item = ferry_client_lookup (self->client, g_variant_get_uint64 (parameter));
  g_autofree char *title = NULL;
  Removal *removal;
  AdwToast *toast;

  if (item == NULL)
    return;

  title = g_strdup_printf (_("“%s” removed"), ferry_transfer_item_get_name (item));
  removal = g_new0 (Removal, 1);
  removal->window = g_object_ref (self);
  removal->item = g_object_ref (item);

  ferry_transfer_item_set_hidden (item, TRUE);
  refilter (self);

  toast = adw_toast_new (title);
  adw_toast_set_button_label (toast, _("_Undo"));
  adw_toast_set_priority (toast, ADW_TOAST_PRIORITY_HIGH);
  g_signal_connect (toast, "button-clicked", G_CALLBACK (on_undo), removal);
  g_signal_connect (toast, "dismissed", G_CALLBACK (on_toast_dismissed), removal);
  g_set_weak_pointer (&self->last_toast, toast);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

/* -- Drag and drop ----------------------------------------------------------------------- */

static GdkDragAction
on_drop_enter (GtkDropTarget *target,
               double         x,
               double         y,
               FerryWindow   *self)
{
  gtk_revealer_set_reveal_child (self->drop_revealer, TRUE);
  return GDK_ACTION_COPY;
}

static void
on_drop_leave (GtkDropTarget *target,
               FerryWindow   *self)
{
  gtk_revealer_set_reveal_child (self->drop_revealer, FALSE);
}

static void
add_dropped (FerryWindow *self,
             GStrv        uris)
{
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));
  GVariantDict options;

  g_variant_dict_init (&options, NULL);
  g_action_group_activate_action (G_ACTION_GROUP (app), "add",
                                  g_variant_new ("(^as@a{sv})", uris,
                                                 g_variant_dict_end (&options)));
}

static gboolean
on_drop (GtkDropTarget *target,
         const GValue  *value,
         double         x,
         double         y,
         FerryWindow   *self)
{
  g_autoptr(GStrvBuilder) links = g_strv_builder_new ();
  g_autoptr(GStrvBuilder) files = g_strv_builder_new ();
  g_auto(GStrv) uris = NULL;
  g_auto(GStrv) paths = NULL;

  gtk_revealer_set_reveal_child (self->drop_revealer, FALSE);

  if (G_VALUE_HOLDS (value, GDK_TYPE_FILE_LIST))
    {
      for (GSList *l = gdk_file_list_get_files (g_value_get_boxed (value)); l; l = l->next)
        {
          g_autofree char *uri = g_file_get_uri (l->data);
          g_autofree char *path = g_file_get_path (l->data);

          if (g_str_has_prefix (uri, "http://") || g_str_has_prefix (uri, "https://"))
            g_strv_builder_add (links, uri);
          else if (path != NULL && g_file_test (path, G_FILE_TEST_IS_REGULAR))
            g_strv_builder_add (files, path);
        }
    }
  else if (G_VALUE_HOLDS (value, G_TYPE_STRING))
    {
      g_auto(GStrv) words = g_regex_split_simple ("\\s+", g_value_get_string (value), 0, 0);

      for (guint i = 0; words[i] != NULL; i++)
        {
          if (g_str_has_prefix (words[i], "http://") || g_str_has_prefix (words[i], "https://"))
            g_strv_builder_add (links, words[i]);
        }
    }

  uris = g_strv_builder_end (links);
  paths = g_strv_builder_end (files);
  if (uris[0] != NULL)
    add_dropped (self, uris);

  /* Files are uploads: where to, the dialog asks. */
  if (paths[0] != NULL)
    gtk_window_present (GTK_WINDOW (ferry_upload_dialog_new (GTK_WINDOW (self),
                                                             (const char *const *) paths)));
  else if (uris[0] == NULL)
    ferry_window_show_toast (self, _("Drop links to download them, or files to upload them"));

  return uris[0] != NULL || paths[0] != NULL;
}

/* -- Tests ------------------------------------------------------------------------------- */

static GtkWidget *
find_row_in (GtkWidget *widget,
             guint64    id)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found;

      if (FERRY_IS_TRANSFER_ROW (child))
        {
          FerryTransferItem *item = ferry_transfer_row_get_item (FERRY_TRANSFER_ROW (child));

          if (item != NULL && ferry_transfer_item_get_id (item) == id)
            return child;
          continue;
        }

      found = find_row_in (child, id);
      if (found != NULL)
        return found;
    }

  return NULL;
}

GtkWidget *
ferry_window_find_row (FerryWindow *self,
                       guint64      id)
{
  GtkWidget *visible = adw_view_stack_get_visible_child (self->stack);

  return visible ? find_row_in (visible, id) : NULL;
}

const char *
ferry_window_get_aggregate_text (FerryWindow *self)
{
  if (gtk_widget_get_visible (GTK_WIDGET (self->aggregate_label)))
    return gtk_label_get_label (self->aggregate_label);
  if (adw_view_switcher_title_get_title_visible (self->switcher_title))
    return adw_view_switcher_title_get_subtitle (self->switcher_title);
  return NULL;
}

GtkDropTarget *
ferry_window_get_drop_target (FerryWindow *self)
{
  return self->drop_target;
}

AdwToast *
ferry_window_get_last_toast (FerryWindow *self)
{
  return self->last_toast;
}

void
ferry_window_set_page (FerryWindow *self,
                       const char  *name)
{
  adw_view_stack_set_visible_child_name (self->stack, name);
}

/* -- GObject ----------------------------------------------------------------------------- */

static void
ferry_window_size_allocate (GtkWidget *widget,
                            int        width,
                            int        height,
                            int        baseline)
{
  FerryWindow *self = FERRY_WINDOW (widget);

  GTK_WIDGET_CLASS (ferry_window_parent_class)->size_allocate (widget, width, height, baseline);

  /* A wider window may have room for the aggregate label again. */
  if (width != self->allocated_width)
    {
      self->allocated_width = width;
      queue_place_aggregate (self);
    }
}

static void
ferry_window_dispose (GObject *object)
{
  FerryWindow *self = FERRY_WINDOW (object);

  if (self->client != NULL)
    g_signal_handlers_disconnect_by_data (self->client, self);
  g_clear_object (&self->client);
  for (guint i = 0; i < N_PAGES; i++)
    {
      g_clear_object (&self->filters[i]);
      g_clear_object (&self->filtered[i]);
    }
  g_clear_pointer (&self->search_text, g_free);
  g_clear_weak_pointer (&self->last_toast);
  g_clear_handle_id (&self->subtitle_source, g_source_remove);
  gtk_widget_dispose_template (GTK_WIDGET (self), FERRY_TYPE_WINDOW);

  G_OBJECT_CLASS (ferry_window_parent_class)->dispose (object);
}

static void
ferry_window_class_init (FerryWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ferry_window_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/ferryhq/Ferry/ferry-window.ui");
  gtk_widget_class_bind_template_child (widget_class, FerryWindow, switcher_title);
  gtk_widget_class_bind_template_child (widget_class, FerryWindow, stack);
  widget_class->size_allocate = ferry_window_size_allocate;
  gtk_widget_class_bind_template_child (widget_class, FerryWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, FerryWindow, search_bar);
  gtk_widget_class_bind_template_child (widget_class, FerryWindow, search_entry);
  gtk_widget_class_bind_template_child (widget_class, FerryWindow, drop_revealer);
  gtk_widget_class_bind_template_child (widget_class, FerryWindow, drop_overlay);
  gtk_widget_class_bind_template_child (widget_class, FerryWindow, aggregate_label);

  gtk_widget_class_install_action (widget_class, "win.add", NULL, add_action);
  gtk_widget_class_install_action (widget_class, "win.paste", NULL, paste_action);
  gtk_widget_class_install_action (widget_class, "win.search", NULL, search_action);
  gtk_widget_class_install_action (widget_class, "win.pause-all", NULL, pause_all_action);
  gtk_widget_class_install_action (widget_class, "win.resume-all", NULL, pause_all_action);
  gtk_widget_class_install_action (widget_class, "win.remove-transfer", "t",
                                   remove_transfer_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_n, GDK_CONTROL_MASK, "win.add", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_v, GDK_CONTROL_MASK, "win.paste",
                                       NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f, GDK_CONTROL_MASK, "win.search",
                                       NULL);
}

static void
ferry_window_init (FerryWindow *self)
{
  GtkDropTarget *drop;
  GType types[] = { GDK_TYPE_FILE_LIST, G_TYPE_STRING };

  gtk_widget_init_template (GTK_WIDGET (self));

  g_signal_connect (self->search_entry, "search-changed", G_CALLBACK (on_search_changed), self);
  g_signal_connect_swapped (self->switcher_title, "notify::title-visible",
                            G_CALLBACK (queue_place_aggregate), self);

  gtk_search_bar_connect_entry (self->search_bar, GTK_EDITABLE (self->search_entry));
  gtk_search_bar_set_key_capture_widget (self->search_bar, GTK_WIDGET (self));

  drop = gtk_drop_target_new (G_TYPE_INVALID, GDK_ACTION_COPY);
  self->drop_target = drop;
  gtk_drop_target_set_gtypes (drop, types, G_N_ELEMENTS (types));
  g_signal_connect (drop, "enter", G_CALLBACK (on_drop_enter), self);
  g_signal_connect (drop, "leave", G_CALLBACK (on_drop_leave), self);
  g_signal_connect (drop, "drop", G_CALLBACK (on_drop), self);
  gtk_widget_add_controller (self->drop_overlay, GTK_EVENT_CONTROLLER (drop));
}

static void
on_state_changed (FerryClient       *client,
                  FerryTransferItem *item,
                  FerryWindow       *self)
{
  refilter (self);
}

FerryWindow *
ferry_window_new (GtkApplication *application,
                  FerryClient    *client)
{
  FerryWindow *self = g_object_new (FERRY_TYPE_WINDOW, "application", application, NULL);

  self->client = g_object_ref (client);
  for (guint i = 0; i < N_PAGES; i++)
    add_page (self, i);
  g_signal_connect_object (self->stack, "notify::visible-child", G_CALLBACK (show_page), self,
                           G_CONNECT_SWAPPED);
  show_page (self);

  g_signal_connect_object (client, "ready", G_CALLBACK (on_client_ready), self, 0);
  g_signal_connect_object (client, "error", G_CALLBACK (on_client_error), self, 0);
  g_signal_connect_object (client, "state-changed", G_CALLBACK (on_state_changed), self, 0);
  if (ferry_client_is_ready (client))
    on_client_ready (client, self);
  else
    update_subtitle (self);

  return self;
}
