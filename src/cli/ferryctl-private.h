/* ferryctl-private.h: what ferryctl's commands share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib/gi18n.h>

#include "ferry.h"

G_BEGIN_DECLS

/* Exit codes: scripts tell outcomes apart without parsing text. */
enum {
  EXIT_COMPLETED = 0,
  EXIT_ERROR = 1,
  EXIT_USAGE = 2,
  EXIT_REJECTED = 3,
  EXIT_FAILED = 4,
  EXIT_CANCELED = 5,
};

extern const char *ferryctl_exit_codes_help;

/* One command: parses its own options; with @do_help, prints its help and returns 0. */
int handle_add    (int argc, char **argv, gboolean do_help);
int handle_upload (int argc, char **argv, gboolean do_help);
int handle_list   (int argc, char **argv, gboolean do_help);
int handle_watch  (int argc, char **argv, gboolean do_help);
int handle_wait   (int argc, char **argv, gboolean do_help);
int handle_pause  (int argc, char **argv, gboolean do_help);
int handle_resume (int argc, char **argv, gboolean do_help);
int handle_cancel (int argc, char **argv, gboolean do_help);
int handle_remove (int argc, char **argv, gboolean do_help);

/* Options and their parsing */
GOptionContext *ferryctl_context       (const char    *parameters,
                                        const char    *summary,
                                        GOptionEntry  *entries);
gboolean        ferryctl_parse         (GOptionContext *context,
                                        int            *argc,
                                        char         ***argv,
                                        gboolean        do_help,
                                        int             min_args,
                                        int            *out_code);

/* What add and upload share: whose transfer it is, when and how it may run. */
typedef struct
{
  char *id;
  char *session;
  char **headers;
  char *start_at;
  char *rate_limit;
  int priority;
  gboolean paused;
  gboolean no_metered;
  gboolean background;
  gboolean wait;
} CommonOptions;

void     ferryctl_common_options_clear (CommonOptions       *c);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CommonOptions, ferryctl_common_options_clear)
void     ferryctl_add_common_entries   (GOptionContext      *context,
                                        CommonOptions       *c);
gboolean ferryctl_apply_common_options (const CommonOptions *c,
                                        FerryRequest        *request);

/* The service, through libferry */
void          ferryctl_print_error (const GError  *error);
FerrySession *ferryctl_connect     (const char    *session_id,
                                    gboolean       adding_only,
                                    GError       **error);
gboolean      ferryctl_refresh     (FerrySession  *session,
                                    GError       **error);
FerrySession *ferryctl_open        (const char    *session_id);
void          ferryctl_got_result  (GObject       *source,
                                    GAsyncResult  *result,
                                    gpointer       user_data);
GAsyncResult *ferryctl_iterate     (GAsyncResult **result);
FerryTransfer *ferryctl_find       (FerrySession  *session,
                                    const char    *arg,
                                    GError       **error);
gboolean      ferryctl_parse_id    (const char    *arg,
                                    guint64       *out_id);
int           ferryctl_wait_for    (FerrySession  *session,
                                    const guint64 *ids,
                                    guint          n_ids,
                                    gboolean       all_active);

/* pause, resume, cancel and remove: one call on each transfer given */
typedef enum
{
  ACTION_PAUSE,
  ACTION_RESUME,
  ACTION_CANCEL,
  ACTION_REMOVE,
} Action;

int ferryctl_act (int           argc,
                  char        **argv,
                  gboolean      do_help,
                  const char   *parameters,
                  const char   *summary,
                  GOptionEntry *entries,
                  Action        action,
                  const gboolean *delete_data);

/* Words */
const char *ferryctl_state_name        (FerryTransferState  state);
const char *ferryctl_kind_name         (FerryTransferKind   kind);
gboolean    ferryctl_is_over           (FerryTransfer      *t);
int         ferryctl_exit_code         (FerryTransfer      *t);
const char *ferryctl_display_name      (FerryTransfer      *t);
char       *ferryctl_describe          (FerryTransfer      *t);
char       *ferryctl_transfer_to_json  (FerryTransfer      *t);

G_END_DECLS
