/* ferry-record.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ferry-record.h"

FerryRecord *
ferry_record_new (void)
{
  FerryRecord *record = g_new0 (FerryRecord, 1);

  record->allow_metered = TRUE;
  record->state = FERRY_STATE_QUEUED;
  record->interop = FERRY_IETF_INTEROP_DEFAULT;
  return record;
}

void
ferry_record_free (FerryRecord *record)
{
  if (record == NULL)
    return;

  g_free (record->uri);
  g_free (record->final_uri);
  g_free (record->directory);
  g_free (record->filename);
  g_free (record->destination);
  g_free (record->partial_name);
  g_free (record->session);
  g_free (record->identifier);
  g_free (record->error);
  g_free (record->etag);
  g_free (record->last_modified);
  g_free (record->sha256);
  g_clear_pointer (&record->headers, g_variant_unref);
  g_free (record->method);
  g_free (record->upload_url);
  g_free (record->content_type);
  g_free (record->form_field);
  g_free (record->source_path);
  g_free (record->segments);
  g_free (record);
}

void
ferry_record_reset_validators (FerryRecord *record)
{
  g_clear_pointer (&record->etag, g_free);
  g_clear_pointer (&record->last_modified, g_free);
  record->bytes_done = 0;
  record->bytes_total = 0;
  record->resumable = FALSE;
  g_clear_pointer (&record->segments, g_free);
}

static const char *const protocol_names[] = { "auto", "ietf", "tus", "plain" };

const char *
ferry_upload_protocol_to_string (FerryUploadProtocol protocol)
{
  return (guint) protocol < G_N_ELEMENTS (protocol_names) ? protocol_names[protocol] : "auto";
}

gboolean
ferry_upload_protocol_from_string (const char          *str,
                                   FerryUploadProtocol *out)
{
  for (guint i = 0; i < G_N_ELEMENTS (protocol_names); i++)
    {
      if (g_strcmp0 (str, protocol_names[i]) == 0)
        {
          *out = (FerryUploadProtocol) i;
          return TRUE;
        }
    }
  return FALSE;
}
