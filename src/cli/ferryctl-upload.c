/* ferryctl-upload.c: `ferryctl upload FILE URL`
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "ferryctl-private.h"

int
handle_upload (int      argc,
               char   **argv,
               gboolean do_help)
{
  g_autofree char *protocol = NULL;
  g_autofree char *method = NULL;
  g_autofree char *field = NULL;
  g_autofree char *type = NULL;
  g_autofree char *name = NULL;
  g_auto(CommonOptions) common = { 0 };
  int interop = 0;
  GOptionEntry entries[] = {
    { "protocol", 0, 0, G_OPTION_ARG_STRING, &protocol,
      N_("auto (default), ietf, tus or plain"), "P" },
    { "method", 0, 0, G_OPTION_ARG_STRING, &method, N_("POST (default) or PUT"), "M" },
    { "field", 0, 0, G_OPTION_ARG_STRING, &field,
      N_("Send as a multipart/form-data POST with this field name"), "NAME" },
    { "content-type", 0, 0, G_OPTION_ARG_STRING, &type, N_("Media type of the file"), "TYPE" },
    { "name", 0, 0, G_OPTION_ARG_STRING, &name, N_("File name to tell the server"), "NAME" },
    { "interop-version", 0, 0, G_OPTION_ARG_INT, &interop,
      N_("Resumable upload draft interop version: 9 (default) or 6"), "N" },
    { NULL }
  };
  g_autoptr(GOptionContext) context =
    ferryctl_context (_("upload FILE URL — upload a file"),
                      _("Hands an upload to the Ferry service. It goes on after this command "
                        "ends and survives restarts; resumable servers (the IETF draft, tus) "
                        "continue where they stopped, others start over."),
                      entries);
  g_autoptr(FerrySession) session = NULL;
  g_autoptr(FerrySession) everything = NULL;
  g_autoptr(FerryRequest) request = ferry_request_new ();
  g_autoptr(FerryTransfer) t = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  int code = EXIT_COMPLETED;
  guint64 id;
  int fd;

  ferryctl_add_common_entries (context, &common);
  if (!ferryctl_parse (context, &argc, &argv, do_help, 2, &code))
    return code;
  if (argc != 3)
    {
      g_printerr (_("ferryctl: upload takes one file and one address\n"));
      return EXIT_USAGE;
    }

  if (protocol != NULL)
    {
      g_autoptr(GEnumClass) protocols = g_type_class_ref (FERRY_TYPE_UPLOAD_PROTOCOL);
      GEnumValue *value = g_enum_get_value_by_nick (protocols, protocol);

      if (value == NULL)
        {
          /* The service's own sentence, which it said when it was asked for the name. */
          g_printerr ("ferryctl: The upload protocol must be auto, ietf, tus or plain, "
                      "not “%s”\n", protocol);
          return EXIT_ERROR;
        }
      ferry_request_set_protocol (request, value->value);
    }
  if (method != NULL)
    ferry_request_set_method (request, method);
  if (field != NULL)
    ferry_request_set_form_field (request, field);
  if (type != NULL)
    ferry_request_set_content_type (request, type);
  if (name != NULL)
    ferry_request_set_name (request, name);
  if (interop != 0)
    ferry_request_set_interop_version (request, (guint) interop);
  if (!ferryctl_apply_common_options (&common, request))
    return EXIT_USAGE;

  /* The service reads the file from this descriptor, never from a path it is told. */
  fd = open (argv[1], O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0)
    {
      int saved = errno;

      g_printerr (_("ferryctl: cannot open %s: %s\n"), argv[1], g_strerror (saved));
      return EXIT_ERROR;
    }

  session = ferryctl_connect (common.session, TRUE, &error);
  if (session != NULL)
    ferry_session_add_upload_fd_async (session, argv[2], fd, common.id, request, NULL,
                                       ferryctl_got_result, &result);
  close (fd);
  if (session == NULL ||
      (t = ferry_session_add_finish (session, ferryctl_iterate (&result), &error)) == NULL)
    {
      ferryctl_print_error (error);
      return EXIT_ERROR;
    }

  id = ferry_transfer_get_id (t);
  if (!common.wait)
    {
      g_print ("%" G_GUINT64_FORMAT "\n", id);
      return EXIT_COMPLETED;
    }

  everything = ferryctl_open (NULL);
  if (everything == NULL)
    return EXIT_ERROR;
  return ferryctl_wait_for (everything, &id, 1, FALSE);
}
