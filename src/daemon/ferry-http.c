/* ferry-http.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ferry-http"

#include "config.h"

#include <string.h>

#include <libsoup/soup.h>

#include "ferry-http.h"
#include "ferry-i18n.h"

/* Largest value we accept for a byte position: keeps sums below G_MAXINT64. */
#define POSITION_MAX (G_MAXINT64 / 4)

static gboolean
parse_position (const char **p,
                gint64      *out)
{
  gint64 value = 0;
  const char *s = *p;

  if (!g_ascii_isdigit (*s))
    return FALSE;

  for (; g_ascii_isdigit (*s); s++)
    {
      if (value > (POSITION_MAX - (*s - '0')) / 10)
        return FALSE;
      value = value * 10 + (*s - '0');
    }

  *p = s;
  *out = value;
  return TRUE;
}

static const char *
skip_ows (const char *s)
{
  while (*s == ' ' || *s == '\t')
    s++;
  return s;
}

/* RFC 9110 §14.4: "bytes first-last/complete", "bytes first-last/STAR" or "bytes STAR/complete"
 * (without the space). Anything else, including first > last or last >= complete, is refused:
 * a server that gets this wrong is not trusted with the file. */
gboolean
ferry_http_parse_content_range (const char        *value,
                                FerryContentRange *out_range)
{
  FerryContentRange range = { -1, -1, -1 };
  const char *p;

  g_return_val_if_fail (out_range != NULL, FALSE);

  if (value == NULL)
    return FALSE;

  p = skip_ows (value);
  if (g_ascii_strncasecmp (p, "bytes", 5) != 0)
    return FALSE;
  p += 5;
  if (*p != ' ')
    return FALSE;
  p = skip_ows (p);

  if (*p == '*')
    {
      p++;
    }
  else
    {
      if (!parse_position (&p, &range.start) || *p++ != '-' ||
          !parse_position (&p, &range.end) || range.start > range.end)
        return FALSE;
    }

  if (*p++ != '/')
    return FALSE;

  if (*p == '*')
    {
      /* "bytes * / *" means nothing at all. */
      if (range.start < 0)
        return FALSE;
      p++;
    }
  else
    {
      if (!parse_position (&p, &range.total))
        return FALSE;
      if (range.start >= 0 && range.end >= range.total)
        return FALSE;
    }

  if (*skip_ows (p) != '\0')
    return FALSE;

  *out_range = range;
  return TRUE;
}

/* -- Content-Disposition (RFC 6266, RFC 8187) --------------------------------------------- */

static gboolean
is_token_char (char c)
{
  return c > 0x20 && c < 0x7f && strchr ("()<>@,;:\\\"/[]?={}", c) == NULL;
}

/* Reads a token or a quoted-string at *p; returns it unquoted, or NULL. */
static char *
read_value (const char **p)
{
  const char *s = *p;
  GString *out;

  if (*s != '"')
    {
      const char *start = s;

      while (is_token_char (*s))
        s++;
      if (s == start)
        return NULL;
      *p = s;
      return g_strndup (start, s - start);
    }

  out = g_string_new (NULL);
  for (s++; *s != '\0' && *s != '"'; s++)
    {
      if (*s == '\\' && s[1] != '\0')
        s++;
      g_string_append_c (out, *s);
    }

  if (*s != '"')
    {
      g_string_free (out, TRUE);
      return NULL;
    }

  *p = s + 1;
  return g_string_free (out, FALSE);
}

static int
hex_value (char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

/* RFC 8187 ext-value: charset'language'pct-encoded; UTF-8 and ISO-8859-1 only. */
static char *
decode_ext_value (const char *value)
{
  const char *quote1 = strchr (value, '\'');
  const char *quote2;
  g_autofree char *charset = NULL;
  g_autoptr(GString) bytes = NULL;

  if (quote1 == NULL)
    return NULL;
  quote2 = strchr (quote1 + 1, '\'');
  if (quote2 == NULL)
    return NULL;

  charset = g_ascii_strdown (value, quote1 - value);
  bytes = g_string_new (NULL);

  for (const char *s = quote2 + 1; *s != '\0'; s++)
    {
      if (*s == '%')
        {
          int hi = hex_value (s[1]);
          int lo = hi < 0 ? -1 : hex_value (s[2]);

          if (hi < 0 || lo < 0)
            return NULL;
          g_string_append_c (bytes, (char) (hi << 4 | lo));
          s += 2;
        }
      else
        {
          g_string_append_c (bytes, *s);
        }
    }

  if (g_str_equal (charset, "utf-8"))
    {
      if (!g_utf8_validate_len (bytes->str, bytes->len, NULL))
        return NULL;
      return g_strndup (bytes->str, bytes->len);
    }

  if (g_str_equal (charset, "iso-8859-1"))
    return g_convert (bytes->str, bytes->len, "UTF-8", "ISO-8859-1", NULL, NULL, NULL);

  return NULL;
}

/* Returns the file name a Content-Disposition header proposes, filename* first, not yet
 * sanitised; NULL when there is none. */
char *
ferry_http_content_disposition_filename (const char *value)
{
  g_autofree char *plain = NULL;
  g_autofree char *extended = NULL;
  const char *p;

  if (value == NULL)
    return NULL;

  /* Skip the disposition type. */
  p = skip_ows (value);
  while (is_token_char (*p))
    p++;

  while (*p != '\0')
    {
      const char *name_start;
      g_autofree char *name = NULL;
      g_autofree char *param = NULL;

      p = skip_ows (p);
      if (*p != ';')
        return NULL;
      p = skip_ows (p + 1);

      name_start = p;
      while (is_token_char (*p))
        p++;
      if (p == name_start)
        {
          if (*p == '\0')
            break;
          return NULL;
        }
      name = g_ascii_strdown (name_start, p - name_start);

      p = skip_ows (p);
      if (*p != '=')
        return NULL;
      p = skip_ows (p + 1);

      param = read_value (&p);
      if (param == NULL)
        return NULL;

      if (g_str_equal (name, "filename*") && extended == NULL)
        extended = decode_ext_value (param);
      else if (g_str_equal (name, "filename") && plain == NULL)
        plain = g_steal_pointer (&param);
    }

  if (extended != NULL)
    return g_steal_pointer (&extended);

  return g_steal_pointer (&plain);
}

/* The last segment of the URI's path, percent-decoded; NULL when empty. */
char *
ferry_http_uri_filename (const char *uri)
{
  g_autoptr(GUri) parsed = NULL;
  const char *path;
  const char *slash;

  if (uri == NULL)
    return NULL;

  parsed = g_uri_parse (uri, G_URI_FLAGS_ENCODED, NULL);
  if (parsed == NULL)
    return NULL;

  path = g_uri_get_path (parsed);
  slash = strrchr (path, '/');
  if (slash != NULL)
    path = slash + 1;
  if (*path == '\0')
    return NULL;

  return g_uri_unescape_string (path, NULL);
}

static gboolean
is_unwanted_char (gunichar c)
{
  return c < 0x20 || (c >= 0x7f && c < 0xa0) ||
         c == 0x200e || c == 0x200f ||            /* LRM, RLM */
         (c >= 0x202a && c <= 0x202e) ||           /* embeddings and overrides */
         (c >= 0x2066 && c <= 0x2069) ||           /* isolates */
         c == 0xfeff;
}

/* Cuts @str to at most @max_bytes on a character boundary. */
static void
truncate_utf8 (GString *str,
               gsize    max_bytes)
{
  gsize cut = max_bytes;

  if (str->len <= max_bytes)
    return;

  /* Back off while the cut would split a character (continuation bytes are 10xxxxxx). */
  while (cut > 0 && ((guchar) str->str[cut] & 0xc0) == 0x80)
    cut--;

  g_string_truncate (str, cut);
}

static const char *
find_extension (const char *name)
{
  const char *dot = strrchr (name, '.');

  /* An extension is short and not the whole name ("archive.tar.gz" keeps ".gz"). */
  if (dot == NULL || dot == name || strlen (dot) > 16)
    return NULL;
  return dot;
}

/* Turns a name a server (or a caller) proposes into one that is safe to create in the
 * destination directory, or NULL when nothing usable is left. */
char *
ferry_http_sanitize_filename (const char *raw)
{
  g_autofree char *valid = NULL;
  g_autoptr(GString) clean = NULL;
  const char *base;
  const char *ext;
  gsize start;
  gsize end;

  if (raw == NULL)
    return NULL;

  valid = g_utf8_make_valid (raw, -1);

  /* The last component after '/' or '\\': a name never names a directory. */
  base = valid;
  for (const char *s = valid; *s != '\0'; s++)
    {
      if (*s == '/' || *s == '\\')
        base = s + 1;
    }

  clean = g_string_new (NULL);
  for (const char *s = base; *s != '\0'; s = g_utf8_next_char (s))
    {
      gunichar c = g_utf8_get_char (s);

      if (!is_unwanted_char (c))
        g_string_append_unichar (clean, c);
    }

  /* No leading dots (hidden files, "..") or dashes (options), no trailing dots or spaces. */
  start = 0;
  while (start < clean->len && strchr (" .-", clean->str[start]) != NULL)
    start++;
  end = clean->len;
  while (end > start && strchr (" .", clean->str[end - 1]) != NULL)
    end--;
  g_string_truncate (clean, end);
  g_string_erase (clean, 0, start);

  if (clean->len == 0)
    return NULL;

  if (clean->len > FERRY_FILENAME_MAX)
    {
      g_autofree char *extension = NULL;

      ext = find_extension (clean->str);
      if (ext != NULL)
        {
          extension = g_strdup (ext);
          g_string_truncate (clean, ext - clean->str);
        }
      truncate_utf8 (clean, FERRY_FILENAME_MAX - (extension ? strlen (extension) : 0));
      while (clean->len > 0 && strchr (" .", clean->str[clean->len - 1]) != NULL)
        g_string_truncate (clean, clean->len - 1);
      if (extension != NULL)
        g_string_append (clean, extension);
    }

  if (clean->len == 0 || clean->str[0] == '.')
    return NULL;

  return g_string_free (g_steal_pointer (&clean), FALSE);
}

/* "name.ext" → "name (3).ext", still within FERRY_FILENAME_MAX bytes. */
char *
ferry_http_filename_with_counter (const char *name,
                                  guint       counter)
{
  g_autofree char *suffix = g_strdup_printf (" (%u)", counter);
  const char *ext = find_extension (name);
  g_autoptr(GString) stem = g_string_new_len (name, ext ? ext - name : (gssize) strlen (name));
  gsize ext_len = ext ? strlen (ext) : 0;

  truncate_utf8 (stem, FERRY_FILENAME_MAX - ext_len - strlen (suffix));
  g_string_append (stem, suffix);
  if (ext != NULL)
    g_string_append (stem, ext);

  return g_string_free (g_steal_pointer (&stem), FALSE);
}

/* Retry-After: delay-seconds or an HTTP-date. The delay is clamped to [0, 24 h]; a date in
 * the past means now. */
gboolean
ferry_http_parse_retry_after (const char *value,
                              gint64      now_unix,
                              gint64     *out_delay_seconds)
{
  const char *p;
  gint64 delay;

  g_return_val_if_fail (out_delay_seconds != NULL, FALSE);

  if (value == NULL)
    return FALSE;

  p = skip_ows (value);
  if (g_ascii_isdigit (*p))
    {
      guint64 seconds = 0;

      for (; g_ascii_isdigit (*p); p++)
        {
          if (seconds < G_MAXINT32)
            seconds = seconds * 10 + (*p - '0');
        }
      if (*skip_ows (p) != '\0')
        return FALSE;
      delay = (gint64) MIN (seconds, (guint64) G_MAXINT32);
    }
  else
    {
      g_autoptr(GDateTime) date = soup_date_time_new_from_http_string (p);

      if (date == NULL)
        return FALSE;
      delay = g_date_time_to_unix (date) - now_unix;
    }

  *out_delay_seconds = CLAMP (delay, 0, 24 * 3600);
  return TRUE;
}

/* A strong entity tag: DQUOTE *etagc DQUOTE, no "W/" prefix. */
gboolean
ferry_http_etag_is_strong (const char *etag)
{
  gsize len;

  if (etag == NULL)
    return FALSE;

  len = strlen (etag);
  if (len < 2 || etag[0] != '"' || etag[len - 1] != '"')
    return FALSE;

  for (gsize i = 1; i + 1 < len; i++)
    {
      guchar c = etag[i];

      if (c == '"' || c < 0x21 || c == 0x7f)
        return FALSE;
    }

  return TRUE;
}

static char *
base64_to_hex (const char *b64,
               gsize       len,
               gsize       expected_bytes)
{
  g_autofree char *copy = g_strndup (b64, len);
  g_autofree guchar *raw = NULL;
  gsize raw_len = 0;
  GString *hex;

  for (gsize i = 0; i < len; i++)
    {
      if (!g_ascii_isalnum (copy[i]) && strchr ("+/=", copy[i]) == NULL)
        return NULL;
    }

  raw = g_base64_decode (copy, &raw_len);
  if (raw_len != expected_bytes)
    return NULL;

  hex = g_string_sized_new (raw_len * 2);
  for (gsize i = 0; i < raw_len; i++)
    g_string_append_printf (hex, "%02x", raw[i]);
  return g_string_free (hex, FALSE);
}

/* Repr-Digest (RFC 9530), a structured-field dictionary: sha-256=:BASE64:, sha-512=:BASE64:.
 * Returns the strongest algorithm Ferry trusts, with the digest as lower-case hex. */
FerryDigestAlgorithm
ferry_http_parse_repr_digest (const char *value,
                              char      **out_hex)
{
  FerryDigestAlgorithm best = FERRY_DIGEST_NONE;
  g_autofree char *best_hex = NULL;
  const char *p = value;

  g_return_val_if_fail (out_hex != NULL, FERRY_DIGEST_NONE);
  *out_hex = NULL;

  if (value == NULL)
    return FERRY_DIGEST_NONE;

  while (*p != '\0')
    {
      const char *key = skip_ows (p);
      const char *key_end = key;
      const char *colon_end;
      FerryDigestAlgorithm algorithm = FERRY_DIGEST_NONE;
      gsize bytes = 0;

      while (g_ascii_isalnum (*key_end) || *key_end == '-' || *key_end == '_' || *key_end == '*')
        key_end++;

      if (key_end - key == 7 && g_ascii_strncasecmp (key, "sha-256", 7) == 0)
        algorithm = FERRY_DIGEST_SHA256, bytes = 32;
      else if (key_end - key == 7 && g_ascii_strncasecmp (key, "sha-512", 7) == 0)
        algorithm = FERRY_DIGEST_SHA512, bytes = 64;

      p = key_end;
      if (*p == '=' && p[1] == ':' && (colon_end = strchr (p + 2, ':')) != NULL)
        {
          if (algorithm > best)
            {
              char *hex = base64_to_hex (p + 2, colon_end - (p + 2), bytes);

              if (hex != NULL)
                {
                  g_free (best_hex);
                  best_hex = hex;
                  best = algorithm;
                }
            }
          p = colon_end + 1;
        }

      /* Skip parameters and anything unknown up to the next member. */
      while (*p != '\0' && *p != ',')
        p++;
      if (*p == ',')
        p++;
    }

  *out_hex = g_steal_pointer (&best_hex);
  return best;
}

gboolean
ferry_http_sha256_hex_is_valid (const char *hex)
{
  if (hex == NULL || strlen (hex) != 64)
    return FALSE;

  for (guint i = 0; i < 64; i++)
    {
      if (!g_ascii_isxdigit (hex[i]))
        return FALSE;
    }

  return TRUE;
}

/* -- Uploads ------------------------------------------------------------------------------ */

/* Reads a structured-field integer of 1 to 15 digits at *p; no sign (offsets and sizes). */
static gboolean
read_sf_integer (const char **p,
                 guint64     *out)
{
  guint64 value = 0;
  int digits = 0;

  while (g_ascii_isdigit (**p))
    {
      if (++digits > 15)
        return FALSE;
      value = value * 10 + (guint64) (**p - '0');
      (*p)++;
    }
  if (digits == 0)
    return FALSE;
  *out = value;
  return TRUE;
}

gboolean
ferry_http_parse_offset (const char *value,
                         guint64    *out_offset)
{
  const char *p;
  guint64 offset;

  if (value == NULL)
    return FALSE;
  p = skip_ows (value);
  if (!read_sf_integer (&p, &offset))
    return FALSE;
  p = skip_ows (p);
  if (*p != '\0')
    return FALSE;
  *out_offset = offset;
  return TRUE;
}

gboolean
ferry_http_parse_sf_boolean (const char *value,
                             gboolean   *out_value)
{
  const char *p;

  if (value == NULL)
    return FALSE;
  p = skip_ows (value);
  if (p[0] != '?' || (p[1] != '0' && p[1] != '1'))
    return FALSE;
  if (*skip_ows (p + 2) != '\0')
    return FALSE;
  *out_value = p[1] == '1';
  return TRUE;
}

/* Skips one bare item that is not an integer (a token, a string, a boolean, a decimal)
 * without judging it: only members Ferry reads must be integers. */
static gboolean
skip_bare_item (const char **p)
{
  if (**p == '"')
    {
      for ((*p)++; **p != '"'; (*p)++)
        {
          if (**p == '\0')
            return FALSE;
          if (**p == '\\' && (*p)[1] != '\0')
            (*p)++;
        }
      (*p)++;
      return TRUE;
    }

  if (**p == '\0' || **p == ',' || **p == ';')
    return FALSE;
  while (**p != '\0' && **p != ',' && **p != ';' && **p != ' ' && **p != '\t')
    (*p)++;
  return TRUE;
}

/* Skips ";key=value" parameters after an item. */
static gboolean
skip_parameters (const char **p)
{
  while (**p == ';')
    {
      (*p)++;
      *p = skip_ows (*p);
      while (g_ascii_islower (**p) || g_ascii_isdigit (**p) || **p == '_' || **p == '-' ||
             **p == '.' || **p == '*')
        (*p)++;
      if (**p == '=')
        {
          (*p)++;
          if (!skip_bare_item (p))
            return FALSE;
        }
    }
  return TRUE;
}

gboolean
ferry_http_parse_upload_limit (const char       *value,
                               FerryUploadLimit *out_limit)
{
  FerryUploadLimit limit = { 0 };
  const char *p;

  if (value == NULL)
    return FALSE;

  p = skip_ows (value);
  while (*p != '\0')
    {
      const char *key = p;
      gsize key_len;
      guint64 *slot = NULL;
      guint64 number;

      /* A dictionary key: lowercase letter or "*", then lcalpha / digit / _ - . * */
      if (!g_ascii_islower (*p) && *p != '*')
        return FALSE;
      while (g_ascii_islower (*p) || g_ascii_isdigit (*p) || *p == '_' || *p == '-' ||
             *p == '.' || *p == '*')
        p++;
      key_len = (gsize) (p - key);

#define KEY_IS(name) (key_len == strlen (name) && strncmp (key, name, key_len) == 0)
      if (KEY_IS ("max-size"))
        slot = &limit.max_size;
      else if (KEY_IS ("min-size"))
        slot = &limit.min_size;
      else if (KEY_IS ("max-append-size"))
        slot = &limit.max_append_size;
      else if (KEY_IS ("min-append-size"))
        slot = &limit.min_append_size;
      else if (KEY_IS ("max-age"))
        slot = &limit.max_age;
#undef KEY_IS

      if (*p == '=')
        {
          p++;
          if (slot != NULL)
            {
              if (!read_sf_integer (&p, &number))
                return FALSE;
              *slot = number;
            }
          else if (!skip_bare_item (&p))
            {
              return FALSE;
            }
        }
      else if (slot != NULL)
        {
          return FALSE;   /* a bare key is boolean true, not a size */
        }

      if (!skip_parameters (&p))
        return FALSE;
      p = skip_ows (p);
      if (*p == '\0')
        break;
      if (*p != ',')
        return FALSE;
      p = skip_ows (p + 1);
      if (*p == '\0')
        return FALSE;   /* a trailing comma */
    }

  *out_limit = limit;
  return TRUE;
}

gboolean
ferry_http_list_has_token (const char *value,
                           const char *token)
{
  g_auto(GStrv) items = NULL;

  if (value == NULL || token == NULL)
    return FALSE;

  items = g_strsplit (value, ",", 64);
  for (guint i = 0; items[i] != NULL; i++)
    {
      if (g_ascii_strcasecmp (g_strstrip (items[i]), token) == 0)
        return TRUE;
    }
  return FALSE;
}

static void
append_metadata (GString    *out,
                 const char *key,
                 const char *value)
{
  g_autofree char *encoded = NULL;

  if (value == NULL)
    return;
  encoded = g_base64_encode ((const guchar *) value, strlen (value));
  if (out->len > 0)
    g_string_append_c (out, ',');
  g_string_append_printf (out, "%s %s", key, encoded);
}

char *
ferry_http_tus_metadata (const char *filename,
                         const char *content_type)
{
  GString *out = g_string_new (NULL);

  append_metadata (out, "filename", filename);
  append_metadata (out, "filetype", content_type);
  return g_string_free (out, FALSE);
}

gboolean
ferry_http_status_is_transient (guint status)
{
  return status == 408 || status == 429 || (status >= 500 && status < 600);
}

const char *
ferry_http_transient_reason (guint status)
{
  switch (status)
    {
    case 408:
      return N_ ("The server timed out waiting for the request");
    case 429:
      return N_ ("The server asks Ferry to slow down");
    case 500:
      return N_ ("The server had an internal error");
    case 502:
    case 504:
      return N_ ("A gateway between Ferry and the server failed");
    case 503:
      return N_ ("The server is busy or down for maintenance");
    default:
      return N_ ("The server had trouble");
    }
}


static int
default_port (const char *scheme)
{
  if (g_ascii_strcasecmp (scheme, "http") == 0)
    return 80;
  if (g_ascii_strcasecmp (scheme, "https") == 0)
    return 443;
  return -1;
}

gboolean
ferry_http_same_origin (const char *uri_a,
                        const char *uri_b)
{
  g_autoptr(GUri) a = uri_a ? g_uri_parse (uri_a, G_URI_FLAGS_NONE, NULL) : NULL;
  g_autoptr(GUri) b = uri_b ? g_uri_parse (uri_b, G_URI_FLAGS_NONE, NULL) : NULL;
  int port_a;
  int port_b;

  if (a == NULL || b == NULL || g_uri_get_host (a) == NULL || g_uri_get_host (b) == NULL ||
      default_port (g_uri_get_scheme (a)) < 0 || default_port (g_uri_get_scheme (b)) < 0)
    return FALSE;

  port_a = g_uri_get_port (a) > 0 ? g_uri_get_port (a) : default_port (g_uri_get_scheme (a));
  port_b = g_uri_get_port (b) > 0 ? g_uri_get_port (b) : default_port (g_uri_get_scheme (b));

  return g_ascii_strcasecmp (g_uri_get_scheme (a), g_uri_get_scheme (b)) == 0 &&
         g_ascii_strcasecmp (g_uri_get_host (a), g_uri_get_host (b)) == 0 &&
         port_a == port_b;
}

gboolean
ferry_http_header_is_secret (const char *name)
{
  static const char *const words[] = {
    "auth", "token", "secret", "key", "cookie", "session", "passw", "credential",
    "signature", "csrf", "xsrf",
  };
  g_autofree char *lower = g_ascii_strdown (name, -1);

  for (guint i = 0; i < G_N_ELEMENTS (words); i++)
    {
      if (strstr (lower, words[i]) != NULL)
        return TRUE;
    }
  return FALSE;
}

GVariant *
ferry_http_public_headers (GVariant *caller_headers)
{
  GVariantBuilder builder;
  GVariantIter iter;
  const char *name;
  const char *value;
  gboolean any = FALSE;

  if (caller_headers == NULL)
    return NULL;

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a{ss}"));
  g_variant_iter_init (&iter, caller_headers);
  while (g_variant_iter_next (&iter, "{&s&s}", &name, &value))
    {
      if (ferry_http_header_is_secret (name))
        continue;
      g_variant_builder_add (&builder, "{ss}", name, value);
      any = TRUE;
    }

  if (!any)
    {
      g_variant_builder_clear (&builder);
      return NULL;
    }
  return g_variant_ref_sink (g_variant_builder_end (&builder));
}

void
ferry_http_add_caller_headers (gpointer    msg,
                               GVariant   *caller_headers,
                               const char *caller_uri)
{
  SoupMessageHeaders *headers = soup_message_get_request_headers (msg);
  g_autofree char *request_uri = NULL;
  gboolean same_origin;
  GVariantIter iter;
  const char *name;
  const char *value;

  if (caller_headers != NULL)
    {
      request_uri = g_uri_to_string (soup_message_get_uri (msg));
      same_origin = ferry_http_same_origin (request_uri, caller_uri);

      g_variant_iter_init (&iter, caller_headers);
      while (g_variant_iter_next (&iter, "{&s&s}", &name, &value))
        {
          if (!same_origin && ferry_http_header_is_secret (name))
            continue;
          soup_message_headers_replace (headers, name, value);
        }
    }

  if (soup_message_headers_get_one (headers, "User-Agent") == NULL)
    soup_message_headers_replace (headers, "User-Agent", ferry_http_user_agent ());
}

const char *
ferry_http_user_agent (void)
{
  static gsize once;
  static char *user_agent;

  if (g_once_init_enter (&once))
    {
      user_agent = g_strdup_printf ("Ferry/%s libsoup/%u.%u.%u", PACKAGE_VERSION,
                                    soup_get_major_version (), soup_get_minor_version (),
                                    soup_get_micro_version ());
      g_once_init_leave (&once, 1);
    }
  return user_agent;
}

/* Every header a client is shown, and why it may want it. */
static const struct
{
  const char *name;
  gboolean upload_only;
} shown_headers[] = {
  /* What the body is and how it is encoded: Ferry saves the bytes as they came (no content
   * decoder), so a gzip-encoded body is on disk encoded and the app must know. */
  { "Content-Type", FALSE },
  { "Content-Encoding", FALSE },
  { "Content-Language", FALSE },
  /* How much the response carried, and of what whole (a resumed download's 206). */
  { "Content-Length", FALSE },
  { "Content-Range", FALSE },
  /* The name the server suggested; the file got a sanitised one, the app may show this. */
  { "Content-Disposition", FALSE },
  /* Validators, for the app's own conditional requests later (If-None-Match…). */
  { "ETag", FALSE },
  { "Last-Modified", FALSE },
  /* How long the content stays fresh, and the server's clock when it answered. */
  { "Cache-Control", FALSE },
  { "Expires", FALSE },
  { "Age", FALSE },
  { "Date", FALSE },
  /* The server's own digest of what it sent (RFC 9530). */
  { "Repr-Digest", FALSE },
  { "Content-Digest", FALSE },
  /* When to come back, for an answer that asked to wait. */
  { "Retry-After", FALSE },
  /* Uploads: where the created resource is (a download's final answer is never a redirect,
   * and a download's redirect targets may be signed links, so never shown for one). */
  { "Location", TRUE },
  /* Uploads: what the resumable protocols (the IETF draft, tus) said of the upload. */
  { "Upload-Offset", TRUE },
  { "Upload-Length", TRUE },
  { "Upload-Complete", TRUE },
  { "Upload-Limit", TRUE },
  { "Upload-Expires", TRUE },
  { "Upload-Draft-Interop-Version", TRUE },
  { "Tus-Resumable", TRUE },
  { "Tus-Version", TRUE },
  { "Tus-Extension", TRUE },
  { "Tus-Max-Size", TRUE },
};

#define SHOWN_VALUE_MAX 4096

GVariant *
ferry_http_shown_response_headers (gpointer headers,
                                   gboolean upload)
{
  GVariantBuilder builder;

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a{ss}"));
  if (headers != NULL)
    {
      /* From the list, not from the response: each name once (libsoup joins repeated
       * fields with ", "), in a fixed order. */
      for (guint i = 0; i < G_N_ELEMENTS (shown_headers); i++)
        {
          const char *value;

          if (shown_headers[i].upload_only && !upload)
            continue;
          value = soup_message_headers_get_list (headers, shown_headers[i].name);
          if (value == NULL || strlen (value) > SHOWN_VALUE_MAX ||
              !g_utf8_validate (value, -1, NULL))
            continue;
          g_variant_builder_add (&builder, "{ss}", shown_headers[i].name, value);
        }
    }
  return g_variant_ref_sink (g_variant_builder_end (&builder));
}
