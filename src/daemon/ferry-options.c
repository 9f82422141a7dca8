/* ferry-options.c
 *
 * Every D-Bus argument is validated before anything is stored: the messages say what is
 * wrong in words a person can act on.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ferry-options"

#include "config.h"

#include <string.h>
#include <unistd.h>

#include <libsoup/soup.h>

#include "ferry-error.h"
#include "ferry-http.h"
#include "ferry-i18n.h"
#include "ferry-options.h"

typedef struct
{
  const char *key;
  const char *type;
  gboolean for_download;
  gboolean for_upload;
  gboolean for_update;
} OptionSpec;

static const OptionSpec option_specs[] = {
  { "destination", "s", TRUE, FALSE, FALSE },
  { "filename", "s", TRUE, TRUE, FALSE },
  { "session", "s", TRUE, TRUE, FALSE },
  { "identifier", "s", TRUE, TRUE, FALSE },
  { "earliest-begin", "x", TRUE, TRUE, TRUE },
  { "allow-metered", "b", TRUE, TRUE, TRUE },
  { "discretionary", "b", TRUE, TRUE, TRUE },
  { "priority", "i", TRUE, TRUE, TRUE },
  { "headers", "a{ss}", TRUE, TRUE, TRUE },
  { "sha256", "s", TRUE, TRUE, FALSE },
  { "paused", "b", TRUE, TRUE, FALSE },
  { "notify", "b", TRUE, TRUE, FALSE },
  { "uri", "s", FALSE, FALSE, TRUE },
  { "rate-limit", "t", TRUE, TRUE, TRUE },
  { "connections", "u", TRUE, FALSE, TRUE },
  { "method", "s", FALSE, TRUE, FALSE },
  { "protocol", "s", FALSE, TRUE, FALSE },
  { "interop-version", "u", FALSE, TRUE, FALSE },
  { "content-type", "s", FALSE, TRUE, FALSE },
  { "form-field", "s", FALSE, TRUE, FALSE },
};

/* Headers Ferry sets itself, or that would change what the bytes on disk mean. */
static const char *const reserved_headers[] = {
  "host", "range", "if-range", "accept-encoding", "content-length", "transfer-encoding",
  "connection", "upgrade", "te", "trailer", "keep-alive", "proxy-connection", "expect",
  "want-repr-digest", "if-match", "if-none-match", "if-modified-since",
  "if-unmodified-since",
};

static gboolean
invalid (GError    **error,
         const char *format,
         ...) G_GNUC_PRINTF (2, 3);

static gboolean
invalid (GError    **error,
         const char *format,
         ...)
{
  va_list args;

  va_start (args, format);
  g_propagate_error (error, g_error_new_valist (FERRY_ERROR, FERRY_ERROR_INVALID_ARGUMENT,
                                                format, args));
  va_end (args);
  return FALSE;
}

gboolean
ferry_options_check_uri (const char *uri,
                         GError    **error)
{
  g_autoptr(GUri) parsed = NULL;
  g_autoptr(GError) local_error = NULL;
  const char *scheme;

  if (uri == NULL || *uri == '\0')
    return invalid (error, N_ ("No address was given"));

  if (strlen (uri) > FERRY_MAX_URI_BYTES)
    return invalid (error, N_ ("The address is longer than %d bytes"), FERRY_MAX_URI_BYTES);

  if (!g_utf8_validate (uri, -1, NULL))
    return invalid (error, N_ ("The address is not valid text"));

  parsed = g_uri_parse (uri, SOUP_HTTP_URI_FLAGS, &local_error);
  if (parsed == NULL)
    return invalid (error, N_ ("“%s” is not a valid address: %s"), uri, local_error->message);

  scheme = g_uri_get_scheme (parsed);
  if (g_strcmp0 (scheme, "http") != 0 && g_strcmp0 (scheme, "https") != 0)
    return invalid (error, N_ ("Ferry transfers only http:// and https:// addresses, not %s:"),
                    scheme);

  if (g_uri_get_host (parsed) == NULL || *g_uri_get_host (parsed) == '\0')
    return invalid (error, N_ ("The address “%s” names no server"), uri);

  return TRUE;
}

static gboolean
check_directory (const char *path,
                 GError    **error)
{
  if (!g_path_is_absolute (path))
    return invalid (error, N_ ("The destination “%s” is not an absolute path; give the full "
                        "path of a folder"), path);

  if (!g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      if (g_file_test (path, G_FILE_TEST_EXISTS))
        return invalid (error, N_ ("The destination “%s” is not a folder"), path);
      return invalid (error, N_ ("The destination folder “%s” does not exist"), path);
    }

  if (access (path, W_OK | X_OK) != 0)
    return invalid (error, N_ ("The destination folder “%s” cannot be written to"), path);

  return TRUE;
}

static gboolean
check_header_name (const char *name)
{
  if (*name == '\0')
    return FALSE;

  for (const char *s = name; *s != '\0'; s++)
    {
      if (*s <= 0x20 || *s >= 0x7f || strchr ("()<>@,;:\\\"/[]?={}", *s) != NULL)
        return FALSE;
    }

  return TRUE;
}

static gboolean
check_headers (GVariant *headers,
               GError  **error)
{
  GVariantIter iter;
  const char *name;
  const char *value;
  gsize total = 0;

  if (g_variant_n_children (headers) > FERRY_MAX_HEADERS)
    return invalid (error, N_ ("Too many headers (at most %d)"), FERRY_MAX_HEADERS);

  g_variant_iter_init (&iter, headers);
  while (g_variant_iter_next (&iter, "{&s&s}", &name, &value))
    {
      if (!check_header_name (name))
        return invalid (error, N_ ("“%s” is not a valid header name"), name);

      if (strlen (name) + strlen (value) > FERRY_MAX_HEADER_BYTES)
        return invalid (error, N_ ("The header %s is longer than %d bytes"),
                        name, FERRY_MAX_HEADER_BYTES);
      total += strlen (name) + strlen (value);
      if (total > FERRY_MAX_HEADERS_TOTAL_BYTES)
        return invalid (error, N_ ("The headers of one transfer may take %d bytes at most "
                            "(names and values together); these take more"),
                        FERRY_MAX_HEADERS_TOTAL_BYTES);

      /* Unsigned: the bytes of UTF-8 text (“Café”) are above 0x7f, not control characters.
       * A D-Bus string holds no NUL, so CR and LF are what could split the request. */
      for (const unsigned char *s = (const unsigned char *) value; *s != '\0'; s++)
        {
          if ((*s < 0x20 && *s != '\t') || *s == 0x7f)
            return invalid (error, N_ ("The value of the header %s contains a control character"),
                            name);
        }

      for (guint i = 0; i < G_N_ELEMENTS (reserved_headers); i++)
        {
          if (g_ascii_strcasecmp (name, reserved_headers[i]) == 0)
            return invalid (error, N_ ("The header %s is set by Ferry and cannot be given"), name);
        }
    }

  return TRUE;
}

static gboolean
check_short_string (const char *key,
                    const char *value,
                    GError    **error)
{
  if (strlen (value) > FERRY_MAX_NAME_BYTES)
    return invalid (error, N_ ("The option “%s” is longer than %d bytes"),
                           key, FERRY_MAX_NAME_BYTES);
  if (!g_utf8_validate (value, -1, NULL))
    return invalid (error, N_ ("The option “%s” is not valid text"), key);
  return TRUE;
}

/* type "/" subtype, token characters only (RFC 9110 §8.3.1), no parameters. */
static gboolean
check_media_type (const char *type,
                  GError    **error)
{
  const char *slash = strchr (type, '/');
  static const char tchar[] = "!#$%&'*+-.^_`|~";

  if (strlen (type) > 255 || slash == NULL || slash == type || slash[1] == '\0')
    return invalid (error, N_ ("“%s” is not a media type like image/png"), type);
  for (const char *p = type; *p != '\0'; p++)
    {
      if (p != slash && !g_ascii_isalnum (*p) && strchr (tchar, *p) == NULL)
        return invalid (error, N_ ("“%s” is not a media type like image/png"), type);
    }
  return TRUE;
}

/* A multipart field name goes into a quoted string: printable ASCII without quotes or
 * backslashes. */
static gboolean
check_form_field (const char *field,
                  GError    **error)
{
  if (*field == '\0' || strlen (field) > 255)
    return invalid (error, N_ ("The form field name must be 1 to 255 characters long"));
  for (const char *p = field; *p != '\0'; p++)
    {
      if (*p < 0x20 || *p > 0x7e || *p == '"' || *p == '\\')
        return invalid (error, N_ ("The form field name “%s” has characters that cannot be sent"),
                        field);
    }
  return TRUE;
}

static const OptionSpec *
find_spec (const char *key)
{
  for (guint i = 0; i < G_N_ELEMENTS (option_specs); i++)
    {
      if (g_str_equal (option_specs[i].key, key))
        return &option_specs[i];
    }
  return NULL;
}

gboolean
ferry_options_apply (FerryRecord     *r,
                     GVariant        *options,
                     FerryOptionsKind kind,
                     gboolean        *out_paused,
                     GError         **error)
{
  GVariantIter iter;
  const char *key;
  GVariant *value_ref;

  g_return_val_if_fail (r != NULL, FALSE);
  g_return_val_if_fail (g_variant_is_of_type (options, G_VARIANT_TYPE_VARDICT), FALSE);

  /* First pass: every key known and of the right type, before anything is applied. */
  g_variant_iter_init (&iter, options);
  while (g_variant_iter_next (&iter, "{&sv}", &key, &value_ref))
    {
      g_autoptr(GVariant) value = value_ref;
      const OptionSpec *spec = find_spec (key);
      gboolean allowed;

      if (spec == NULL)
        return invalid (error, N_ ("Unknown option “%s”"), key);

      switch (kind)
        {
        case FERRY_OPTIONS_ADD_DOWNLOAD:
          allowed = spec->for_download;
          break;
        case FERRY_OPTIONS_ADD_UPLOAD:
          allowed = spec->for_upload;
          break;
        case FERRY_OPTIONS_UPDATE:
        default:
          allowed = spec->for_update;
          break;
        }
      if (!allowed)
        {
          if (kind == FERRY_OPTIONS_ADD_DOWNLOAD)
            return invalid (error, N_ ("The option “%s” is only for uploads"), key);
          if (kind == FERRY_OPTIONS_ADD_UPLOAD)
            return invalid (error, N_ ("The option “%s” is only for downloads"), key);
          return invalid (error, N_ ("The option “%s” cannot be changed after a transfer was "
                                     "added"), key);
        }

      if (!g_variant_is_of_type (value, G_VARIANT_TYPE (spec->type)))
        return invalid (error, N_ ("The option “%s” must be of type %s, not %s"),
                        key, spec->type, g_variant_get_type_string (value));
    }

  g_variant_iter_init (&iter, options);
  while (g_variant_iter_next (&iter, "{&sv}", &key, &value_ref))
    {
      g_autoptr(GVariant) value = value_ref;

      if (g_str_equal (key, "destination"))
        {
          const char *dir = g_variant_get_string (value, NULL);

          if (!check_directory (dir, error))
            return FALSE;
          g_free (r->directory);
          r->directory = g_strdup (dir);
        }
      else if (g_str_equal (key, "filename"))
        {
          const char *raw = g_variant_get_string (value, NULL);
          g_autofree char *name = ferry_http_sanitize_filename (raw);

          /* A server's name is made safe quietly; a caller names the file it wants, so a name
           * that would not be kept as given is refused, saying why. */
          if (strchr (raw, '/') != NULL)
            return invalid (error, N_ ("The file name “%s” contains “/”; give the folder as the "
                                "destination and only a name here"), raw);
          if (name == NULL)
            return invalid (error, N_ ("“%s” cannot be used as a file name"), raw);
          if (!g_str_equal (name, raw))
            return invalid (error, N_ ("“%s” cannot be used as a file name as it is (it would be "
                                "saved as “%s”)"), raw, name);
          g_free (r->filename);
          r->filename = g_steal_pointer (&name);
          r->filename_from_caller = TRUE;
        }
      else if (g_str_equal (key, "session") || g_str_equal (key, "identifier"))
        {
          const char *str = g_variant_get_string (value, NULL);
          char **field = g_str_equal (key, "session") ? &r->session : &r->identifier;

          if (!check_short_string (key, str, error))
            return FALSE;
          g_free (*field);
          *field = g_strdup (str);
        }
      else if (g_str_equal (key, "earliest-begin"))
        {
          gint64 when = g_variant_get_int64 (value);

          if (when < 0 || when > G_GINT64_CONSTANT (253402300799))
            return invalid (error, N_ ("The earliest begin time %lld is out of range (Unix "
                                       "seconds, 0 for none)"), (long long) when);
          r->earliest_begin = when;
        }
      else if (g_str_equal (key, "allow-metered"))
        {
          r->allow_metered = g_variant_get_boolean (value);
        }
      else if (g_str_equal (key, "discretionary"))
        {
          r->discretionary = g_variant_get_boolean (value);
        }
      else if (g_str_equal (key, "priority"))
        {
          r->priority = g_variant_get_int32 (value);
        }
      else if (g_str_equal (key, "headers"))
        {
          if (!check_headers (value, error))
            return FALSE;
          g_clear_pointer (&r->headers, g_variant_unref);
          r->headers = g_variant_ref (value);
        }
      else if (g_str_equal (key, "sha256"))
        {
          const char *hex = g_variant_get_string (value, NULL);

          if (!ferry_http_sha256_hex_is_valid (hex))
            return invalid (error, N_ ("The SHA-256 checksum must be 64 hexadecimal digits"));
          g_free (r->sha256);
          r->sha256 = g_ascii_strdown (hex, -1);
        }
      else if (g_str_equal (key, "paused"))
        {
          if (out_paused != NULL)
            *out_paused = g_variant_get_boolean (value);
        }
      else if (g_str_equal (key, "notify"))
        {
          r->notify = g_variant_get_boolean (value);
        }
      else if (g_str_equal (key, "rate-limit"))
        {
          r->rate_limit = g_variant_get_uint64 (value);
        }
      else if (g_str_equal (key, "connections"))
        {
          guint connections = g_variant_get_uint32 (value);

          /* As many as the max-per-host setting can ever allow. */
          if (connections > 64)
            return invalid (error, N_ ("A download can use at most 64 connections, not %u "
                                       "(0 lets Ferry choose, 1 never splits the file)"),
                            connections);
          r->connections = connections;
        }
      else if (g_str_equal (key, "method"))
        {
          const char *method = g_variant_get_string (value, NULL);

          if (!g_str_equal (method, "POST") && !g_str_equal (method, "PUT"))
            return invalid (error, N_ ("The upload method must be POST or PUT, not “%s”"), method);
          g_free (r->method);
          r->method = g_strdup (method);
        }
      else if (g_str_equal (key, "protocol"))
        {
          const char *protocol = g_variant_get_string (value, NULL);

          if (!ferry_upload_protocol_from_string (protocol, &r->protocol))
            return invalid (error, N_ ("The upload protocol must be auto, ietf, tus or plain, not "
                                "“%s”"), protocol);
        }
      else if (g_str_equal (key, "interop-version"))
        {
          guint version = g_variant_get_uint32 (value);

          if (version != 6 && version != 8 && version != 9)
            return invalid (error, N_ ("Ferry speaks the resumable upload draft's interop versions "
                                "6, 8 and 9, not %u"), version);
          r->interop = version;
          r->interop_pinned = TRUE;
        }
      else if (g_str_equal (key, "content-type"))
        {
          const char *type = g_variant_get_string (value, NULL);

          if (!check_media_type (type, error))
            return FALSE;
          g_free (r->content_type);
          r->content_type = g_strdup (type);
        }
      else if (g_str_equal (key, "form-field"))
        {
          const char *field = g_variant_get_string (value, NULL);

          if (!check_form_field (field, error))
            return FALSE;
          g_free (r->form_field);
          r->form_field = g_strdup (field);
        }
      else if (g_str_equal (key, "uri"))
        {
          const char *uri = g_variant_get_string (value, NULL);

          if (!ferry_options_check_uri (uri, error))
            return FALSE;
          g_free (r->uri);
          r->uri = g_strdup (uri);
          g_clear_pointer (&r->final_uri, g_free);
        }
    }

  return TRUE;
}
