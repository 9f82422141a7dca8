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
  g_clear_pointer (&record->response_headers, g_variant_unref);
  g_clear_pointer (&record->attempt_log, g_variant_unref);
  g_free (record->checksum_expected);
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

void
ferry_record_attempt_started (FerryRecord *record)
{
  record->attempt_started = g_get_real_time () / G_USEC_PER_SEC;
  record->attempt_status = 0;
}

void
ferry_record_attempt_ended (FerryRecord *record,
                            guint64      moved,
                            const char  *error)
{
  g_auto(GVariantBuilder) builder = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE ("a(xuts)"));
  gsize n = record->attempt_log ? g_variant_n_children (record->attempt_log) : 0;

  if (record->attempt_started == 0)
    return;

  /* The oldest make room: the last ones say how the transfer is doing now. */
  for (gsize i = n >= FERRY_ATTEMPT_LOG_MAX ? n - FERRY_ATTEMPT_LOG_MAX + 1 : 0; i < n; i++)
    {
      g_autoptr(GVariant) entry = g_variant_get_child_value (record->attempt_log, i);

      g_variant_builder_add_value (&builder, entry);
    }
  g_variant_builder_add (&builder, "(xuts)", record->attempt_started, record->attempt_status,
                         moved, error ? error : "");

  g_clear_pointer (&record->attempt_log, g_variant_unref);
  record->attempt_log = g_variant_ref_sink (g_variant_builder_end (&builder));
  record->attempt_started = 0;
}

const char *
ferry_checksum_result_to_string (FerryChecksumResult result)
{
  switch (result)
    {
    case FERRY_CHECKSUM_VERIFIED:
      return "verified";
    case FERRY_CHECKSUM_MISMATCH:
      return "mismatch";
    case FERRY_CHECKSUM_NONE:
    default:
      return "none";
    }
}
