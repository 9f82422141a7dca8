/* ferry-window.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ferry-window"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "ferry-add-dialog.h"
#include "ferry-details-window.h"
#include "ferry-fit.h"
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
  GtkRevealer *selection_revealer;
  GtkLabel *selection_label;
  guint subtitle_source;
  gboolean heard;                /* the list was read, or could not be */
  gboolean compact;              /* narrow: the rows' status lines wrap */
  int crowded_width;
  int allocated_width;           /* the aggregate label was hidden for lack of room at this width */
};

G_DEFINE_FINAL_TYPE (FerryWindow, ferry_window, ADW_TYPE_APPLICATION_WINDOW)

static void update_empty (GListModel *model,
                          guint       position,
                          guint       removed,
                          guint       added,
                          GtkStack   *stack);
static void update_selection (FerryWindow *self);
static void on_row_activated (GtkListView *list_view,
                              guint        position,
                              FerryWindow *self);
static gboolean on_list_key (GtkEventControllerKey *keys,
                             guint                  keyval,
                             guint                  keycode,
                             GdkModifierType        state,
                             FerryWindow           *self);

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
  /* An empty page's words depend on the search too, even when the count stayed at 0. */
  for (guint i = 0; i < N_PAGES; i++)
    update_empty (G_LIST_MODEL (self->filtered[i]), 0, 0, 0, self->page_stacks[i]);
}

/* -- Pages ------------------------------------------------------------------------------- */

static void
setup_row (GtkSignalListItemFactory *factory,
           GtkListItem              *list_item,
           gpointer                  user_data)
{
  FerryWindow *self = user_data;
  GtkWidget *row = ferry_transfer_row_new ();

  ferry_transfer_row_set_compact (FERRY_TRANSFER_ROW (row), self->compact);
  gtk_list_item_set_child (list_item, row);
  gtk_list_item_set_activatable (list_item, TRUE);
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
          g_autoptr(GtkMultiSelection) selection =
            gtk_multi_selection_new (g_object_ref (G_LIST_MODEL (self->filtered[i])));

          g_signal_connect_object (selection, "selection-changed",
                                   G_CALLBACK (update_selection), self, G_CONNECT_SWAPPED);

          gtk_list_view_set_model (self->list_views[i], GTK_SELECTION_MODEL (selection));
        }
      else if (!shown && model != NULL)
        {
          gtk_list_view_set_model (self->list_views[i], NULL);
        }
    }
  update_selection (self);
}

static void
set_rows_compact (GtkWidget *widget,
                  gboolean   compact)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (FERRY_IS_TRANSFER_ROW (child))
        ferry_transfer_row_set_compact (FERRY_TRANSFER_ROW (child), compact);
      else
        set_rows_compact (child, compact);
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
  FerryWindow *self = g_object_get_data (G_OBJECT (stack), "ferry-window");
  const char *page = "list";

  /* Until the list is read, an empty one says nothing: "No Transfers" would flash at each
   * start before the rows, and its status page would be drawn for nothing. A search that
   * finds nothing says so, rather than showing the first-run page. */
  if (g_list_model_get_n_items (model) == 0 && self != NULL && self->heard)
    page = self->search_text != NULL && *self->search_text != '\0' ? "no-results" : "empty";
  gtk_stack_set_visible_child_name (stack, page);
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
  GtkWidget *no_results;
  GtkStack *page_stack;
  AdwViewStackPage *page;

  data->window = self;
  data->kind = kind;
  self->filters[kind] = GTK_FILTER (gtk_custom_filter_new (filter_item, data, g_free));
  filtered = gtk_filter_list_model_new (g_object_ref (ferry_client_get_transfers (self->client)),
                                        g_object_ref (self->filters[kind]));

  g_signal_connect (factory, "setup", G_CALLBACK (setup_row), self);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_row), NULL);
  g_signal_connect (factory, "unbind", G_CALLBACK (unbind_row), NULL);

  self->filtered[kind] = filtered;
  /* The model is attached only while the page shows (show_page): GTK 4.8 makes up to a few
   * hundred rows per list view, and four lists would make four times that at start. */
  list_view = gtk_list_view_new (NULL, g_object_ref (factory));
  gtk_widget_add_css_class (list_view, "ferry-transfers");
  gtk_accessible_update_property (GTK_ACCESSIBLE (list_view), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _(page_info[kind].title), -1);
  g_signal_connect_object (list_view, "activate", G_CALLBACK (on_row_activated), self, 0);
  {
    /* Capture: the search bar would take the space for a search otherwise. */
    GtkEventController *keys = gtk_event_controller_key_new ();

    gtk_event_controller_set_propagation_phase (keys, GTK_PHASE_CAPTURE);
    g_signal_connect_object (keys, "key-pressed", G_CALLBACK (on_list_key), self, 0);
    gtk_widget_add_controller (list_view, keys);
  }
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

  no_results = adw_status_page_new ();
  adw_status_page_set_icon_name (ADW_STATUS_PAGE (no_results), "edit-find-symbolic");
  adw_status_page_set_title (ADW_STATUS_PAGE (no_results), _("No Results Found"));
  adw_status_page_set_description (ADW_STATUS_PAGE (no_results),
                                   _("No transfer’s name or server matches the search."));

  page_stack = GTK_STACK (gtk_stack_new ());
  g_object_set_data (G_OBJECT (page_stack), "ferry-window", self);
  gtk_stack_add_named (page_stack, scrolled, "list");
  gtk_stack_add_named (page_stack, empty, "empty");
  gtk_stack_add_named (page_stack, no_results, "no-results");
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
  FerrySession *session = ferry_client_get_session (self->client);
  g_autofree char *subtitle = NULL;
  guint running;

  if (session == NULL)
    {
      adw_view_switcher_title_set_subtitle (self->switcher_title, _("Connecting…"));
      return;
    }

  /* The service leaves when it has nothing to do and comes back when asked: its cached
   * properties are then gone, which says nothing about the network. */
  if (!ferry_session_get_service_running (session))
    {
      adw_view_switcher_title_set_subtitle (self->switcher_title, "");
      gtk_label_set_label (self->aggregate_label, "");
      return;
    }

  running = ferry_session_get_running (session);
  /* The count also shows on the Active tab itself, whatever room the header has. */
  adw_view_stack_page_set_badge_number (
    adw_view_stack_get_page (self->stack, GTK_WIDGET (self->page_stacks[PAGE_ACTIVE])), running);
  if (running == 0)
    {
      subtitle = g_strdup (ferry_session_get_online (session) ? "" : _("Offline"));
    }
  else
    {
      /* Everything that moves, either way. */
      g_autofree char *rate = ferry_format_rate (ferry_session_get_download_rate (session) +
                                                 ferry_session_get_upload_rate (session));

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

/* The first frame lists only the rows that fill the window (the rest come after it): no
 * row is less tall than this, and two more are made for a partly shown one. GTK 4.8's list
 * view builds and binds every row of a short list. */
#define ROW_MIN_HEIGHT 48

static guint
first_rows_for (int height)
{
  return MAX (height, 0) / ROW_MIN_HEIGHT + 2;
}

/* Below this width a status line no longer fits beside the buttons. */
#define COMPACT_WIDTH 560

static gboolean
place_aggregate_idle (gpointer user_data)
{
  FerryWindow *self = user_data;
  gboolean compact = self->allocated_width < COMPACT_WIDTH;

  self->subtitle_source = 0;
  place_aggregate (self);
  if (compact != self->compact)
    {
      self->compact = compact;
      for (guint i = 0; i < N_PAGES; i++)
        set_rows_compact (GTK_WIDGET (self->list_views[i]), compact);
    }
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

static void
set_heard (FerryWindow *self)
{
  self->heard = TRUE;
  for (guint i = 0; i < N_PAGES; i++)
    update_empty (G_LIST_MODEL (self->filtered[i]), 0, 0, 0, self->page_stacks[i]);
}

/* The first frame with the list is painted: the rest of the rows may come. */
static void
on_first_list_painted (GdkFrameClock *clock,
                       FerryWindow   *self)
{
  g_signal_handlers_disconnect_by_func (clock, on_first_list_painted, self);
  /* tests/bench/gui times the app's start to this line: the frame's rows are built, laid
   * out and drawn by now. The time (CLOCK_MONOTONIC) is the bench's to compare with its
   * own start, whenever it gets to read the line. */
  g_debug ("First frame with the list of %u transfers drawn at %" G_GINT64_FORMAT " µs",
           ferry_client_count_transfers (self->client), g_get_monotonic_time ());
  ferry_client_show_all (self->client);
}

/* The frame after the list came is the first to show it. */
static gboolean
watch_first_frame (GtkWidget     *widget,
                   GdkFrameClock *clock,
                   gpointer       user_data)
{
  g_signal_connect_object (clock, "after-paint", G_CALLBACK (on_first_list_painted), widget, 0);
  return G_SOURCE_REMOVE;
}

static void
on_client_ready (FerryClient *client,
                 FerryWindow *self)
{
  FerrySession *session = ferry_client_get_session (client);

  gtk_widget_add_tick_callback (GTK_WIDGET (self), watch_first_frame, NULL, NULL);
  set_heard (self);

  g_signal_connect_object (session, "notify::running", G_CALLBACK (update_subtitle), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (session, "notify::download-rate", G_CALLBACK (update_subtitle), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (session, "notify::upload-rate", G_CALLBACK (update_subtitle), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (session, "notify::online", G_CALLBACK (update_subtitle), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (session, "notify::service-running", G_CALLBACK (update_subtitle),
                           self, G_CONNECT_SWAPPED);
  update_subtitle (self);
}

static void
on_client_error (FerryClient *client,
                 const char  *message,
                 FerryWindow *self)
{
  g_autofree char *text = g_strdup_printf (_("Could not reach the Ferry service: %s"), message);

  set_heard (self);
  ferry_window_show_toast (self, text);
}

/* -- Actions ----------------------------------------------------------------------------- */

static void show_toast (FerryWindow *self,
                        AdwToast    *toast);

void
ferry_window_show_toast (FerryWindow *self,
                         const char  *text)
{
  AdwToast *toast = adw_toast_new (text);

  adw_toast_set_timeout (toast, 5);
  show_toast (self, toast);
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
on_upload_files_chosen (GtkNativeDialog *chooser,
                        int              response,
                        FerryWindow     *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GListModel) files = gtk_file_chooser_get_files (GTK_FILE_CHOOSER (chooser));
      g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
      g_auto(GStrv) paths = NULL;

      for (guint i = 0; i < g_list_model_get_n_items (files); i++)
        {
          g_autoptr(GFile) file = g_list_model_get_item (files, i);
          g_autofree char *path = g_file_get_path (file);

          if (path != NULL)
            g_strv_builder_add (builder, path);
        }
      paths = g_strv_builder_end (builder);
      if (paths[0] != NULL)
        gtk_window_present (GTK_WINDOW (ferry_upload_dialog_new (GTK_WINDOW (self),
                                                                 (const char *const *) paths)));
    }
  g_object_unref (chooser);
}

/* Upload Files…: what a drop does, for the keyboard and for touch. GtkFileChooserNative goes
 * through the file chooser portal in a sandbox. */
static void
upload_files_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  GtkFileChooserNative *chooser =
    gtk_file_chooser_native_new (_("Upload Files"), GTK_WINDOW (widget),
                                 GTK_FILE_CHOOSER_ACTION_OPEN, _("_Choose"), _("_Cancel"));

  gtk_file_chooser_set_select_multiple (GTK_FILE_CHOOSER (chooser), TRUE);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect (chooser, "response", G_CALLBACK (on_upload_files_chosen), widget);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
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
on_all_done (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  gboolean ok;

  if (g_task_get_source_tag (G_TASK (result)) == ferry_session_pause_all_async)
    ok = ferry_session_pause_all_finish (FERRY_SESSION (source), result, &error);
  else
    ok = ferry_session_resume_all_finish (FERRY_SESSION (source), result, &error);
  if (!ok)
    g_warning ("%s", error->message);
}

static void
pause_all_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  FerrySession *session = ferry_client_get_session (FERRY_WINDOW (widget)->client);

  if (session == NULL)
    return;
  if (g_str_equal (action_name, "win.pause-all"))
    ferry_session_pause_all_async (session, NULL, on_all_done, NULL);
  else
    ferry_session_resume_all_async (session, NULL, on_all_done, NULL);
}

typedef struct
{
  FerryWindow *window;
  GPtrArray *items;
  gboolean undone;
} Removal;

static void
on_removed (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!ferry_transfer_item_call_finish (FERRY_TRANSFER_ITEM (source), result, &error))
    g_warning ("Could not remove a transfer: %s", error->message);
}

static void
on_undo (AdwToast *toast,
         Removal  *removal)
{
  removal->undone = TRUE;
  for (guint i = 0; i < removal->items->len; i++)
    ferry_transfer_item_set_hidden (g_ptr_array_index (removal->items, i), FALSE);
  refilter (removal->window);
}

static void
on_toast_dismissed (AdwToast *toast,
                    Removal  *removal)
{
  /* Only once the undo is no longer possible does the service forget the transfer. */
  if (!removal->undone)
    {
      for (guint i = 0; i < removal->items->len; i++)
        ferry_transfer_item_call (g_ptr_array_index (removal->items, i), "Remove",
                                  g_variant_new ("(b)", FALSE), on_removed, NULL);
    }
  g_ptr_array_unref (removal->items);
  g_object_unref (removal->window);
  g_free (removal);
}

static void
show_toast (FerryWindow *self,
            AdwToast    *toast)
{
  g_set_weak_pointer (&self->last_toast, toast);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

/* Hides @items at once and offers Undo; the service forgets them when the toast goes. */
static void
remove_items (FerryWindow *self,
              GPtrArray   *items)
{
  g_autofree char *title = NULL;
  Removal *removal;
  AdwToast *toast;

  if (items->len == 0)
    return;

  if (items->len == 1)
    title = g_strdup_printf (_("“%s” removed"),
                             ferry_transfer_item_get_name (g_ptr_array_index (items, 0)));
  else
    title = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u transfer removed",
                                          "%u transfers removed", items->len), items->len);
  removal = g_new0 (Removal, 1);
  removal->window = g_object_ref (self);
  removal->items = g_ptr_array_ref (items);

  for (guint i = 0; i < items->len; i++)
    ferry_transfer_item_set_hidden (g_ptr_array_index (items, i), TRUE);
  refilter (self);

  toast = adw_toast_new (title);
  adw_toast_set_button_label (toast, _("_Undo"));
  adw_toast_set_priority (toast, ADW_TOAST_PRIORITY_HIGH);
  g_signal_connect (toast, "button-clicked", G_CALLBACK (on_undo), removal);
  g_signal_connect (toast, "dismissed", G_CALLBACK (on_toast_dismissed), removal);
  show_toast (self, toast);
}

static void
remove_transfer_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  FerryWindow *self = FERRY_WINDOW (widget);
  FerryTransferItem *item = ferry_client_lookup (self->client, g_variant_get_uint64 (parameter));
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);

  if (item == NULL)
    return;
  g_ptr_array_add (items, g_object_ref (item));
  remove_items (self, items);
}

/* Clear Finished: every ended transfer leaves the list, with one Undo. */
static void
clear_finished_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  FerryWindow *self = FERRY_WINDOW (widget);
  GListModel *all = ferry_client_get_transfers (self->client);
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < g_list_model_get_n_items (all); i++)
    {
      g_autoptr(FerryTransferItem) item = g_list_model_get_item (all, i);

      if (!ferry_transfer_item_get_hidden (item) &&
          ferry_state_is_terminal (ferry_transfer_item_get_state (item)))
        g_ptr_array_add (items, g_steal_pointer (&item));
    }
  if (items->len == 0)
    ferry_window_show_toast (self, _("No finished transfers to clear"));
  remove_items (self, items);
}

/* Cancel deletes the partial data, so it waits for the toast: until then the transfer is
 * only paused, and Undo lets it go on. */
typedef struct
{
  FerryWindow *window;
  FerryTransferItem *item;
  gboolean was_paused;
  gboolean undone;
} Cancellation;

static void
on_cancel_undo (AdwToast     *toast,
                Cancellation *cancellation)
{
  cancellation->undone = TRUE;
  if (!cancellation->was_paused)
    ferry_transfer_item_call (cancellation->item, "Resume", NULL, on_removed, NULL);
}

static void
on_cancel_toast_dismissed (AdwToast     *toast,
                           Cancellation *cancellation)
{
  if (!cancellation->undone)
    ferry_transfer_item_call (cancellation->item, "Cancel", NULL, on_removed, NULL);
  g_object_unref (cancellation->item);
  g_object_unref (cancellation->window);
  g_free (cancellation);
}

static void
cancel_transfer_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  FerryWindow *self = FERRY_WINDOW (widget);
  FerryTransferItem *item = ferry_client_lookup (self->client, g_variant_get_uint64 (parameter));
  g_autofree char *title = NULL;
  Cancellation *cancellation;
  AdwToast *toast;

  if (item == NULL || ferry_state_is_terminal (ferry_transfer_item_get_state (item)))
    return;

  cancellation = g_new0 (Cancellation, 1);
  cancellation->window = g_object_ref (self);
  cancellation->item = g_object_ref (item);
  cancellation->was_paused = ferry_transfer_item_get_state (item) == FERRY_STATE_PAUSED;
  if (!cancellation->was_paused)
    ferry_transfer_item_call (item, "Pause", NULL, on_removed, NULL);

  title = g_strdup_printf (_("“%s” canceled"), ferry_transfer_item_get_name (item));
  toast = adw_toast_new (title);
  adw_toast_set_button_label (toast, _("_Undo"));
  adw_toast_set_priority (toast, ADW_TOAST_PRIORITY_HIGH);
  g_signal_connect (toast, "button-clicked", G_CALLBACK (on_cancel_undo), cancellation);
  g_signal_connect (toast, "dismissed", G_CALLBACK (on_cancel_toast_dismissed), cancellation);
  show_toast (self, toast);
}

static void
on_delete_response (AdwMessageDialog  *dialog,
                    const char        *response,
                    FerryTransferItem *item)
{
  if (g_str_equal (response, "delete"))
    ferry_transfer_item_call (item, "Remove", g_variant_new ("(b)", TRUE), on_removed, NULL);
}

/* Deleting a file cannot be undone: it asks first, and the safe answer is the default. */
static void
remove_and_delete_action (GtkWidget  *widget,
                          const char *action_name,
                          GVariant   *parameter)
{
  FerryWindow *self = FERRY_WINDOW (widget);
  FerryTransferItem *item = ferry_client_lookup (self->client, g_variant_get_uint64 (parameter));
  g_autofree char *heading = NULL;
  g_autofree char *body = NULL;
  g_autofree char *folder = NULL;
  GtkWidget *dialog;

  if (item == NULL)
    return;

  folder = g_path_get_dirname (ferry_transfer_item_get_destination (item));
  heading = g_strdup_printf (_("Delete “%s”?"), ferry_transfer_item_get_name (item));
  body = g_strdup_printf (_("The file is removed from the list and deleted from %s. This "
                            "cannot be undone."), folder);
  dialog = adw_message_dialog_new (GTK_WINDOW (self), heading, body);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "delete", _("_Delete File"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "delete",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect_data (dialog, "response", G_CALLBACK (on_delete_response),
                         g_object_ref (item), (GClosureNotify) (void (*) (void)) g_object_unref,
                         0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
show_details_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  FerryWindow *self = FERRY_WINDOW (widget);
  FerryTransferItem *item = ferry_client_lookup (self->client, g_variant_get_uint64 (parameter));

  if (item != NULL)
    gtk_window_present (GTK_WINDOW (ferry_details_window_new (GTK_WINDOW (self), item)));
}

/* -- Rows and the keyboard --------------------------------------------------------------- */

static GtkListView *
visible_list (FerryWindow *self)
{
  const char *visible = adw_view_stack_get_visible_child_name (self->stack);

  for (guint i = 0; i < N_PAGES; i++)
    {
      if (g_strcmp0 (visible, page_info[i].name) == 0)
        return self->list_views[i];
    }
  return NULL;
}

/* The items selected on the visible page. */
static GPtrArray *
selected_items (FerryWindow *self)
{
  GtkListView *list = visible_list (self);
  GtkSelectionModel *model = list ? gtk_list_view_get_model (list) : NULL;
  GPtrArray *items = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GtkBitset) selected = NULL;
  GtkBitsetIter iter;
  guint position;

  if (model == NULL)
    return items;
  selected = gtk_selection_model_get_selection (model);
  for (gboolean ok = gtk_bitset_iter_init_first (&iter, selected, &position); ok;
       ok = gtk_bitset_iter_next (&iter, &position))
    g_ptr_array_add (items, g_list_model_get_item (G_LIST_MODEL (model), position));
  return items;
}

static void
update_selection (FerryWindow *self)
{
  g_autoptr(GPtrArray) items = selected_items (self);
  g_autofree char *text = NULL;

  /* One row selected is where the focus is; two or more are a selection to act on. */
  gtk_revealer_set_reveal_child (self->selection_revealer, items->len > 1);
  text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u selected", "%u selected",
                                       items->len), items->len);
  gtk_label_set_label (self->selection_label, text);
}

static void
call_each (GPtrArray  *items,
           const char *method)
{
  for (guint i = 0; i < items->len; i++)
    {
      FerryTransferItem *item = g_ptr_array_index (items, i);
      FerryState state = ferry_transfer_item_get_state (item);

      if (g_str_equal (method, "Pause") &&
          (ferry_state_is_terminal (state) || state == FERRY_STATE_PAUSED))
        continue;
      if (g_str_equal (method, "Resume") && state != FERRY_STATE_PAUSED)
        continue;
      ferry_transfer_item_call (item, method, NULL, on_removed, NULL);
    }
}

static void
selection_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  FerryWindow *self = FERRY_WINDOW (widget);
  g_autoptr(GPtrArray) items = selected_items (self);

  if (g_str_equal (action_name, "win.pause-selected"))
    call_each (items, "Pause");
  else if (g_str_equal (action_name, "win.resume-selected"))
    call_each (items, "Resume");
  else
    remove_items (self, items);
}

static void
on_row_activated (GtkListView *list_view,
                  guint        position,
                  FerryWindow *self)
{
  GListModel *model = G_LIST_MODEL (gtk_list_view_get_model (list_view));
  g_autoptr(FerryTransferItem) item = g_list_model_get_item (model, position);

  if (item == NULL)
    return;

  /* A finished download opens; anything else shows what is going on with it. */
  if (ferry_transfer_item_get_state (item) == FERRY_STATE_COMPLETED &&
      !ferry_transfer_item_is_upload (item))
    gtk_widget_activate_action (GTK_WIDGET (self), "app.open-file", "s",
                                ferry_transfer_item_get_destination (item));
  else
    gtk_widget_activate_action (GTK_WIDGET (self), "win.show-details", "t",
                                ferry_transfer_item_get_id (item));
}

/* The row the keyboard focus is on: its list item widget, or something inside it. */
static FerryTransferRow *
focused_row (FerryWindow *self)
{
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (self));

  if (focus == NULL)
    return NULL;
  if (FERRY_IS_TRANSFER_ROW (gtk_widget_get_first_child (focus)))
    return FERRY_TRANSFER_ROW (gtk_widget_get_first_child (focus));
  focus = gtk_widget_get_ancestor (focus, FERRY_TYPE_TRANSFER_ROW);
  return focus ? FERRY_TRANSFER_ROW (focus) : NULL;
}

static gboolean
on_list_key (GtkEventControllerKey *keys,
             guint                  keyval,
             guint                  keycode,
             GdkModifierType        state,
             FerryWindow           *self)
{
  FerryTransferRow *row = focused_row (self);
  FerryTransferItem *item = row ? ferry_transfer_row_get_item (row) : NULL;
  GdkModifierType mods = state & gtk_accelerator_get_default_mod_mask ();

  if (item == NULL)
    return GDK_EVENT_PROPAGATE;

  if ((keyval == GDK_KEY_Menu && mods == 0) ||
      (keyval == GDK_KEY_F10 && mods == GDK_SHIFT_MASK))
    {
      ferry_transfer_row_popup_menu (row);
      return GDK_EVENT_STOP;
    }

  if ((keyval == GDK_KEY_Delete || keyval == GDK_KEY_KP_Delete) && mods == 0)
    {
      g_autoptr(GPtrArray) items = selected_items (self);

      /* The selection if there is one of several, else the row the focus is on. */
      if (items->len < 2)
        {
          g_ptr_array_set_size (items, 0);
          g_ptr_array_add (items, g_object_ref (item));
        }
      remove_items (self, items);
      return GDK_EVENT_STOP;
    }

  if ((keyval == GDK_KEY_space || keyval == GDK_KEY_KP_Space) && mods == 0)
    {
      FerryState s = ferry_transfer_item_get_state (item);

      if (s == FERRY_STATE_PAUSED)
        ferry_transfer_item_call (item, "Resume", NULL, on_removed, NULL);
      else if (!ferry_state_is_terminal (s))
        ferry_transfer_item_call (item, "Pause", NULL, on_removed, NULL);
      return GDK_EVENT_STOP;
    }

  return GDK_EVENT_PROPAGATE;
}

/* -- New transfers ------------------------------------------------------------------------ */

static void
on_show_added (AdwToast    *toast,
               FerryWindow *self)
{
  /* The newest come first on the All page. */
  adw_view_stack_set_visible_child_name (self->stack, "all");
  gtk_widget_activate_action (GTK_WIDGET (self->list_views[PAGE_ALL]), "list.scroll-to-item",
                              "u", 0);
}

void
ferry_window_announce_added (FerryWindow *self,
                             guint        n_downloads,
                             guint        n_uploads)
{
  g_autofree char *title = NULL;
  AdwToast *toast;

  if (n_downloads == 0 && n_uploads == 0)
    return;
  if (n_uploads == 0)
    title = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u download added",
                                          "%u downloads added", n_downloads), n_downloads);
  else if (n_downloads == 0)
    title = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u upload added",
                                          "%u uploads added", n_uploads), n_uploads);
  else
    title = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u transfer added",
                                          "%u transfers added", n_downloads + n_uploads),
                             n_downloads + n_uploads);
  toast = adw_toast_new (title);
  adw_toast_set_timeout (toast, 4);
  adw_toast_set_button_label (toast, _("_Show"));
  g_signal_connect_object (toast, "button-clicked", G_CALLBACK (on_show_added), self, 0);
  show_toast (self, toast);
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
  /* Shown whole where it has room, never cut (FerryFit). */
  if (gtk_widget_get_visible (GTK_WIDGET (self->aggregate_label)) &&
      gtk_widget_get_child_visible (GTK_WIDGET (self->aggregate_label)))
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

  /* The size it opened at, before the list came; ignored once it is there. */
  if (self->client != NULL)
    ferry_client_set_first_rows (self->client, first_rows_for (height));

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

  g_type_ensure (FERRY_TYPE_FIT);
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
  gtk_widget_class_bind_template_child (widget_class, FerryWindow, selection_revealer);
  gtk_widget_class_bind_template_child (widget_class, FerryWindow, selection_label);

  gtk_widget_class_install_action (widget_class, "win.add", NULL, add_action);
  gtk_widget_class_install_action (widget_class, "win.paste", NULL, paste_action);
  gtk_widget_class_install_action (widget_class, "win.search", NULL, search_action);
  gtk_widget_class_install_action (widget_class, "win.upload-files", NULL, upload_files_action);
  gtk_widget_class_install_action (widget_class, "win.pause-all", NULL, pause_all_action);
  gtk_widget_class_install_action (widget_class, "win.resume-all", NULL, pause_all_action);
  gtk_widget_class_install_action (widget_class, "win.remove-transfer", "t",
                                   remove_transfer_action);
  gtk_widget_class_install_action (widget_class, "win.cancel-transfer", "t",
                                   cancel_transfer_action);
  gtk_widget_class_install_action (widget_class, "win.remove-and-delete", "t",
                                   remove_and_delete_action);
  gtk_widget_class_install_action (widget_class, "win.show-details", "t", show_details_action);
  gtk_widget_class_install_action (widget_class, "win.clear-finished", NULL,
                                   clear_finished_action);
  gtk_widget_class_install_action (widget_class, "win.pause-selected", NULL, selection_action);
  gtk_widget_class_install_action (widget_class, "win.resume-selected", NULL, selection_action);
  gtk_widget_class_install_action (widget_class, "win.remove-selected", NULL, selection_action);

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
  int width = 0, height = 0;

  self->client = g_object_ref (client);
  /* Until it is allocated: its default size (GTK 4.8 needs both pointers). */
  gtk_window_get_default_size (GTK_WINDOW (self), &width, &height);
  ferry_client_set_first_rows (client, first_rows_for (height));
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
