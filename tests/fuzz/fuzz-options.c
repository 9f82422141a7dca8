/* fuzz-options.c: the option dictionaries of AddDownload, AddUpload and Update
 *
 * The input is a serialised a{sv} as it would arrive on D-Bus (any bytes: GVariant's normal
 * form makes them a valid value, as GDBus does before the service sees them).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "ferry-options.h"
#include "ferry-record.h"

int LLVMFuzzerTestOneInput (const guint8 *data,
                            size_t        size);

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GVariant) raw = NULL;
  g_autoptr(GVariant) options = NULL;

  if (size < 1 || size > 64 * 1024)
    return 0;

  bytes = g_bytes_new (data + 1, size - 1);
  raw = g_variant_ref_sink (g_variant_new_from_bytes (G_VARIANT_TYPE_VARDICT, bytes, FALSE));
  options = g_variant_get_normal_form (raw);

  {
    g_autoptr(FerryRecord) record = ferry_record_new ();
    g_autoptr(GError) error = NULL;
    FerryOptionsKind kind = data[0] % 3;
    gboolean paused = FALSE;
    gboolean ok = ferry_options_apply (record, options, kind, &paused, &error);

    /* Accepted or refused with a sentence, nothing in between. */
    g_assert (ok == (error == NULL));
    if (!ok)
      g_assert (error->message != NULL && *error->message != '\0');
    if (ok && record->filename != NULL)
      g_assert (strchr (record->filename, '/') == NULL);
  }

  return 0;
}
