/* fuzz-http.c: every parser of text a server sends, one libFuzzer target each
 *
 * Built once per parser with FERRY_FUZZ_TARGET naming it. With libFuzzer (build-aux/dev fuzz)
 * the fuzzer drives LLVMFuzzerTestOneInput; in the default suite, fuzz-replay.c feeds it the
 * seed corpus.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "ferry-http.h"

int LLVMFuzzerTestOneInput (const guint8 *data,
                            size_t        size);

/* Header values are text without NUL; the parsers take C strings. */
static char *
as_string (const guint8 *data,
           size_t        size)
{
  return g_strndup ((const char *) data, size);
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autofree char *value = NULL;

  if (size > 64 * 1024)
    return 0;
  value = as_string (data, size);

#if FERRY_FUZZ_TARGET == 1
  {
    FerryContentRange range;

    if (ferry_http_parse_content_range (value, &range))
      {
        /* What the parser promises of an accepted range. */
        g_assert (range.start == -1 || (range.start >= 0 && range.end >= range.start));
        g_assert (range.total == -1 || range.start == -1 || range.end < range.total);
      }
  }
#elif FERRY_FUZZ_TARGET == 2
  {
    g_autofree char *name = ferry_http_content_disposition_filename (value);
    g_autofree char *clean = ferry_http_sanitize_filename (value);

    /* A name that reaches the disk is one plain component. */
    for (const char *n = clean ? clean : ""; *n; n++)
      g_assert (*n != '/' && *n != '\\');
    g_assert (clean == NULL || (strlen (clean) <= FERRY_FILENAME_MAX && clean[0] != '.' &&
                                strcmp (clean, "..") != 0));
    /* What the header names is raw; it reaches the disk only through the sanitiser. */
    if (name != NULL)
      {
        g_autofree char *from_header = ferry_http_sanitize_filename (name);

        g_assert (from_header == NULL || strchr (from_header, '/') == NULL);
      }
  }
#elif FERRY_FUZZ_TARGET == 3
  {
    gint64 delay;

    if (ferry_http_parse_retry_after (value, 1763700000, &delay))
      g_assert (delay >= 0);
    (void) ferry_http_etag_is_strong (value);
  }
#elif FERRY_FUZZ_TARGET == 4
  {
    g_autofree char *hex = NULL;
    FerryDigestAlgorithm algorithm = ferry_http_parse_repr_digest (value, &hex);

    g_assert ((algorithm == FERRY_DIGEST_NONE) == (hex == NULL));
    if (algorithm == FERRY_DIGEST_SHA256)
      g_assert (ferry_http_sha256_hex_is_valid (hex));
  }
#elif FERRY_FUZZ_TARGET == 5
  {
    guint64 offset;
    gboolean complete;
    FerryUploadLimit limit;

    if (ferry_http_parse_offset (value, &offset))
      g_assert (offset <= G_GUINT64_CONSTANT (999999999999999));
    (void) ferry_http_parse_sf_boolean (value, &complete);
    (void) ferry_http_parse_upload_limit (value, &limit);
  }
#elif FERRY_FUZZ_TARGET == 6
  {
    /* tus: the version and checksum lists, and metadata built from any file name. */
    const char *nul = memchr (data, ',', size);
    g_autofree char *token = nul ? g_strndup ((const char *) data, (gsize) (nul - (const char *) data))
                                 : g_strdup ("1.0.0");
    g_autofree char *metadata = ferry_http_tus_metadata (value, value);

    (void) ferry_http_list_has_token (value, token);
    g_assert (strchr (metadata, '\n') == NULL);
  }
#else
#error "FERRY_FUZZ_TARGET names no parser"
#endif

  return 0;
}
