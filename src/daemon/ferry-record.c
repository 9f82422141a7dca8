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

/* A store is untrusted input once it has been on disk: each field with its type, or its
 * default; the first of a key counts, as a lookup finds it. The bytes are read as they are
 * (what is not in normal form reads as defaults); only the attempts, which are kept and
 * later sent as trusted data, are made normal. */
static void
details_from_variant (FerryRecord *r,
                      GVariant    *details)
{
  gboolean have_attempts = FALSE;
  gboolean have_result = FALSE;
  gboolean have_expected = FALSE;
  GVariantIter iter;
  const char *key;
  GVariant *value;

  g_variant_iter_init (&iter, details);
  while (g_variant_iter_loop (&iter, "{&sv}", &key, &value))
    {
      if (!have_attempts && g_str_equal (key, "attempts"))
        {
          have_attempts = TRUE;
          if (g_variant_is_of_type (value, G_VARIANT_TYPE ("a(xuts)")))
            r->attempt_log = g_variant_get_normal_form (value);
        }
      else if (!have_result && g_str_equal (key, "checksum-result"))
        {
          have_result = TRUE;
          if (g_variant_is_of_type (value, G_VARIANT_TYPE_UINT32) &&
              g_variant_get_uint32 (value) <= FERRY_CHECKSUM_MISMATCH)
            r->checksum_result = (FerryChecksumResult) g_variant_get_uint32 (value);
        }
      else if (!have_expected && g_str_equal (key, "checksum-expected"))
        {
          have_expected = TRUE;
          if (g_variant_is_of_type (value, G_VARIANT_TYPE_STRING))
            r->checksum_expected = g_variant_dup_string (value, NULL);
        }
    }
}

void
ferry_record_read_details (FerryRecord *record)
{
  g_autoptr(GBytes) bytes = g_steal_pointer (&record->stored_details);
  g_autoptr(GVariant) details = NULL;

  if (bytes == NULL)
    return;
  details = g_variant_ref_sink (g_variant_new_from_bytes (G_VARIANT_TYPE_VARDICT, bytes, FALSE));
  details_from_variant (record, details);
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
  g_clear_pointer (&record->stored_details, g_bytes_unref);
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
  gsize n;

  if (record->attempt_started == 0)
    return;

  ferry_record_read_details (record);
  n = record->attempt_log ? g_variant_n_children (record->attempt_log) : 0;

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
