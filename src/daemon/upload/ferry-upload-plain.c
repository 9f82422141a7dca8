/* ferry-upload-plain.c: one PUT or POST (raw, or multipart/form-data), from byte 0 every
 * time
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ferry-upload"

#include "config.h"

#include <string.h>

#include "ferry-upload-private.h"

/* A file name for a quoted-string parameter: no quotes, backslashes or control characters. */
static char *
quotable_name (const char *name)
{
  GString *out = g_string_new (NULL);

  for (const char *p = name ? name : "file"; *p != '\0'; p++)
    g_string_append_c (out, ((guchar) *p < 0x20 || *p == '"' || *p == '\\' || *p == 0x7f)
                              ? '_' : *p);
  return g_string_free (out, FALSE);
}

static void
prepare_plain (Job         *job,
               SoupMessage *msg,
               gpointer     data)
{
  ferry_upload_attach_body (msg, data);
}

static gboolean
run_plain (FerryUpload  *self,
           Job          *job,
           SoupSession  *session,
           int           fd,
           GCancellable *cancellable,
           GError      **error)
{
  g_autoptr(GBytes) prefix = NULL;
  g_autoptr(GBytes) suffix = NULL;
  g_autofree char *content_type = NULL;
  g_autoptr(SoupMessage) msg = NULL;
  Body body = { self, NULL, fd, 0, job->length, NULL, NULL };

  job->offset = 0;
  ferry_upload_post_state (self, job);

  if (job->form_field != NULL && g_str_equal (job->method, "POST"))
    {
      g_autofree char *boundary = g_uuid_string_random ();
      g_autofree char *name = quotable_name (job->filename);
      g_autofree char *head = g_strdup_printf ("--ferry-%s\r\n"
                                               "Content-Disposition: form-data; name=\"%s\"; "
                                               "filename=\"%s\"\r\n"
                                               "Content-Type: %s\r\n\r\n",
                                               boundary, job->form_field, name,
                                               job->content_type ? job->content_type
                                                                 : "application/octet-stream");
      g_autofree char *tail = g_strdup_printf ("\r\n--ferry-%s--\r\n", boundary);
      gsize head_length = strlen (head);
      gsize tail_length = strlen (tail);

      prefix = g_bytes_new_take (g_steal_pointer (&head), head_length);
      suffix = g_bytes_new_take (g_steal_pointer (&tail), tail_length);
      content_type = g_strdup_printf ("multipart/form-data; boundary=ferry-%s", boundary);
    }
  else
    {
      content_type = g_strdup (job->content_type ? job->content_type : "application/octet-stream");
    }
  body.content_type = content_type;
  body.prefix = prefix;
  body.suffix = suffix;

  msg = ferry_upload_send_to_target (job, session, job->method, prepare_plain, &body,
                                     cancellable, error);
  if (msg == NULL)
    return FALSE;

  ferry_upload_keep_response (job, msg);
  if (!ferry_upload_source_unchanged (job, fd, error))
    return FALSE;
  job->offset = job->length;
  ferry_upload_post_state (self, job);
  return TRUE;
}

const FerryUploadOps ferry_upload_plain = {
  .protocol = FERRY_UPLOAD_PLAIN,
  .run = run_plain,
};
