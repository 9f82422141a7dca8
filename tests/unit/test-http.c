/* test-http.c: the parsers of untrusted header fields
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "ferry-http.h"

static void
test_content_range (void)
{
  struct {
    const char *value;
    gboolean ok;
    gint64 start, end, total;
  } cases[] = {
    { "bytes 0-499/1234", TRUE, 0, 499, 1234 },
    { "bytes 500-1233/1234", TRUE, 500, 1233, 1234 },
    { "BYTES 1-1/2", TRUE, 1, 1, 2 },
    { "bytes 0-499/*", TRUE, 0, 499, -1 },
    { "bytes */1234", TRUE, -1, -1, 1234 },
    { "bytes 500-1233/1234  ", TRUE, 500, 1233, 1234 },
    { "bytes 5-4/10", FALSE },                 /* first > last */
    { "bytes 0-10/10", FALSE },                /* last >= complete */
    { "bytes */*", FALSE },
    { "bytes 0-499", FALSE },
    { "bytes=0-499/1234", FALSE },
    { "items 0-1/2", FALSE },
    { "bytes -1-5/10", FALSE },
    { "bytes 0--5/10", FALSE },
    { "bytes 0-5/10 garbage", FALSE },
    { "bytes 0-5/1x", FALSE },
    { "bytes 99999999999999999999-1/2", FALSE },   /* overflow */
    { "bytes 0-1/99999999999999999999", FALSE },
    { "", FALSE },
    { "bytes ", FALSE },
  };

  g_assert_false (ferry_http_parse_content_range (NULL, &(FerryContentRange) { 0 }));

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      FerryContentRange range = { 42, 42, 42 };
      gboolean ok = ferry_http_parse_content_range (cases[i].value, &range);

      g_test_message ("%s", cases[i].value);
      g_assert_cmpint (ok, ==, cases[i].ok);
      if (ok)
        {
          g_assert_cmpint (range.start, ==, cases[i].start);
          g_assert_cmpint (range.end, ==, cases[i].end);
          g_assert_cmpint (range.total, ==, cases[i].total);
        }
    }
}

static void
test_content_disposition (void)
{
  struct {
    const char *value;
    const char *raw;       /* what the header proposes */
    const char *safe;      /* what Ferry would create */
  } cases[] = {
    { "attachment; filename=\"report.pdf\"", "report.pdf", "report.pdf" },
    { "attachment; filename=report.pdf", "report.pdf", "report.pdf" },
    { "attachment; filename=\"plain.txt\"; filename*=UTF-8''%E2%82%AC%20rates.txt",
      "€ rates.txt", "€ rates.txt" },
    { "attachment; filename*=UTF-8''%E2%82%AC.txt; filename=\"x.txt\"", "€.txt", "€.txt" },
    { "attachment; filename*=iso-8859-1'en'%A3%20rates.txt", "£ rates.txt", "£ rates.txt" },
    { "attachment; filename=\"../../etc/passwd\"", "../../etc/passwd", "passwd" },
    { "attachment; filename=\"..\\\\..\\\\windows\\\\evil.exe\"", "..\\..\\windows\\evil.exe",
      "evil.exe" },
    { "attachment; filename=\".bashrc\"", ".bashrc", "bashrc" },
    { "attachment; filename=\"-rf\"", "-rf", "rf" },
    { "attachment; filename=\"a\\\"b.txt\"", "a\"b.txt", "a\"b.txt" },
    { "attachment; filename=\"..\"", "..", NULL },
    { "attachment; filename=\"   \"", "   ", NULL },
    { "attachment; filename*=UTF-8''%FF%FE.txt", NULL, NULL },   /* not UTF-8 */
    { "attachment; filename*=UTF-8''%zz.txt", NULL, NULL },
    { "attachment", NULL, NULL },
    { "attachment; filename=", NULL, NULL },
    { "attachment; filename=\"unterminated", NULL, NULL },
    { "inline; FILENAME=\"Upper.TXT\"", "Upper.TXT", "Upper.TXT" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *raw = ferry_http_content_disposition_filename (cases[i].value);
      g_autofree char *safe = ferry_http_sanitize_filename (raw);

      g_test_message ("%s", cases[i].value);
      g_assert_cmpstr (raw, ==, cases[i].raw);
      g_assert_cmpstr (safe, ==, cases[i].safe);
    }
}

static void
test_sanitize (void)
{
  g_autofree char *bidi = ferry_http_sanitize_filename ("invoice\u202Efdp.exe");
  g_autofree char *control = ferry_http_sanitize_filename ("a\x01\x1f\x7f" "b\nc.txt");
  g_autofree char *isolates = ferry_http_sanitize_filename ("\u2066x\u2069.txt");
  g_autofree char *trailing = ferry_http_sanitize_filename ("name.txt. . ");
  g_autofree char *empty = ferry_http_sanitize_filename ("");
  g_autofree char *slash_only = ferry_http_sanitize_filename ("dir/");
  g_autofree char *invalid_utf8 = ferry_http_sanitize_filename ("caf\xe9.txt");
  g_autoptr(GString) long_name = g_string_new (NULL);
  g_autofree char *long_result = NULL;
  g_autofree char *long_multibyte = NULL;

  g_assert_cmpstr (bidi, ==, "invoicefdp.exe");
  g_assert_cmpstr (control, ==, "abc.txt");
  g_assert_cmpstr (isolates, ==, "x.txt");
  g_assert_cmpstr (trailing, ==, "name.txt");
  g_assert_null (empty);
  g_assert_null (slash_only);
  g_assert_nonnull (invalid_utf8);
  g_assert_true (g_utf8_validate (invalid_utf8, -1, NULL));
  g_assert_true (g_str_has_suffix (invalid_utf8, ".txt"));

  /* 300 bytes: cut to 255, keeping the extension. */
  for (guint i = 0; i < 296; i++)
    g_string_append_c (long_name, 'a');
  g_string_append (long_name, ".iso");
  long_result = ferry_http_sanitize_filename (long_name->str);
  g_assert_cmpuint (strlen (long_result), ==, 255);
  g_assert_true (g_str_has_suffix (long_result, "aaa.iso"));

  /* Multi-byte characters are never cut in half. */
  g_string_truncate (long_name, 0);
  for (guint i = 0; i < 150; i++)
    g_string_append (long_name, "é");
  g_string_append (long_name, ".txt");
  long_multibyte = ferry_http_sanitize_filename (long_name->str);
  g_assert_cmpuint (strlen (long_multibyte), <=, 255);
  g_assert_true (g_utf8_validate (long_multibyte, -1, NULL));
  g_assert_true (g_str_has_suffix (long_multibyte, "é.txt"));
}

static void
test_uri_filename (void)
{
  g_autofree char *a = ferry_http_uri_filename ("https://example.com/pub/ubuntu%2024.04.iso?x=1");
  g_autofree char *b = ferry_http_uri_filename ("https://example.com/");
  g_autofree char *c = ferry_http_uri_filename ("https://example.com/a/..%2F..%2Fetc");
  g_autofree char *c_safe = ferry_http_sanitize_filename (c);

  g_assert_cmpstr (a, ==, "ubuntu 24.04.iso");
  g_assert_null (b);
  g_assert_cmpstr (c_safe, ==, "etc");
}

static void
test_counter (void)
{
  g_autofree char *a = ferry_http_filename_with_counter ("report.pdf", 1);
  g_autofree char *b = ferry_http_filename_with_counter ("README", 12);
  g_autofree char *c = ferry_http_filename_with_counter ("archive.tar.gz", 2);
  g_autoptr(GString) long_name = g_string_new (NULL);
  g_autofree char *d = NULL;

  g_assert_cmpstr (a, ==, "report (1).pdf");
  g_assert_cmpstr (b, ==, "README (12)");
  g_assert_cmpstr (c, ==, "archive.tar (2).gz");

  for (guint i = 0; i < 251; i++)
    g_string_append_c (long_name, 'x');
  g_string_append (long_name, ".bin");
  d = ferry_http_filename_with_counter (long_name->str, 7);
  g_assert_cmpuint (strlen (d), <=, 255);
  g_assert_true (g_str_has_suffix (d, " (7).bin"));
}

static void
test_retry_after (void)
{
  gint64 now = 1784000000;   /* 2026-07-14 */
  gint64 delay = -1;
  g_autoptr(GDateTime) future = g_date_time_new_from_unix_utc (now + 120);
  g_autofree char *http_date = g_date_time_format (future, "%a, %d %b %Y %H:%M:%S GMT");

  g_assert_true (ferry_http_parse_retry_after ("2", now, &delay));
  g_assert_cmpint (delay, ==, 2);
  g_assert_true (ferry_http_parse_retry_after (" 120 ", now, &delay));
  g_assert_cmpint (delay, ==, 120);
  g_assert_true (ferry_http_parse_retry_after ("0", now, &delay));
  g_assert_cmpint (delay, ==, 0);
  /* Clamped to a day. */
  g_assert_true (ferry_http_parse_retry_after ("99999999999999999999", now, &delay));
  g_assert_cmpint (delay, ==, 24 * 3600);
  g_assert_true (ferry_http_parse_retry_after (http_date, now, &delay));
  g_assert_cmpint (delay, ==, 120);
  /* A date in the past means now. */
  g_assert_true (ferry_http_parse_retry_after ("Thu, 01 Jan 1970 00:00:00 GMT", now, &delay));
  g_assert_cmpint (delay, ==, 0);
  g_assert_false (ferry_http_parse_retry_after ("-5", now, &delay));
  g_assert_false (ferry_http_parse_retry_after ("soon", now, &delay));
  g_assert_false (ferry_http_parse_retry_after ("12abc", now, &delay));
  g_assert_false (ferry_http_parse_retry_after (NULL, now, &delay));
}

static void
test_etag (void)
{
  g_assert_true (ferry_http_etag_is_strong ("\"abc\""));
  g_assert_true (ferry_http_etag_is_strong ("\"5f3b-6a1c2e\""));
  g_assert_true (ferry_http_etag_is_strong ("\"\""));
  g_assert_false (ferry_http_etag_is_strong ("W/\"abc\""));
  g_assert_false (ferry_http_etag_is_strong ("abc"));
  g_assert_false (ferry_http_etag_is_strong ("\"abc"));
  g_assert_false (ferry_http_etag_is_strong ("\"a\"b\""));
  g_assert_false (ferry_http_etag_is_strong ("\"a b\""));
  g_assert_false (ferry_http_etag_is_strong (""));
  g_assert_false (ferry_http_etag_is_strong (NULL));
}

static void
test_repr_digest (void)
{
  /* sha-256 of "hello": 2cf24dba… */
  const char *hello256 = "sha-256=:LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ=:";
  g_autofree char *hex = NULL;
  g_autofree char *both = NULL;
  g_autofree char *both_hex = NULL;
  g_autofree char *junk_hex = NULL;

  g_assert_cmpint (ferry_http_parse_repr_digest (hello256, &hex), ==, FERRY_DIGEST_SHA256);
  g_assert_cmpstr (hex, ==, "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824");

  both = g_strdup_printf ("md5=:XUFAKrxLKna5cZ2REBfFkg==:, %s, unknown=:AAAA:", hello256);
  g_assert_cmpint (ferry_http_parse_repr_digest (both, &both_hex), ==, FERRY_DIGEST_SHA256);
  g_assert_cmpstr (both_hex, ==, hex);

  /* Wrong length, bad base64, only untrusted algorithms. */
  g_assert_cmpint (ferry_http_parse_repr_digest ("sha-256=:AAAA:", &junk_hex), ==,
                   FERRY_DIGEST_NONE);
  g_assert_null (junk_hex);
  g_assert_cmpint (ferry_http_parse_repr_digest ("sha-256=:!!!!:", &junk_hex), ==,
                   FERRY_DIGEST_NONE);
  g_assert_cmpint (ferry_http_parse_repr_digest ("md5=:XUFAKrxLKna5cZ2REBfFkg==:", &junk_hex),
                   ==, FERRY_DIGEST_NONE);
  g_assert_cmpint (ferry_http_parse_repr_digest ("sha-256=:unterminated", &junk_hex), ==,
                   FERRY_DIGEST_NONE);
  g_assert_cmpint (ferry_http_parse_repr_digest (NULL, &junk_hex), ==, FERRY_DIGEST_NONE);
}

static void
test_sha256_hex (void)
{
  g_assert_true (ferry_http_sha256_hex_is_valid (
    "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"));
  g_assert_true (ferry_http_sha256_hex_is_valid (
    "2CF24DBA5FB0A30E26E83B2AC5B9E29E1B161E5C1FA7425E73043362938B9824"));
  g_assert_false (ferry_http_sha256_hex_is_valid ("2cf24d"));
  g_assert_false (ferry_http_sha256_hex_is_valid (
    "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b982g"));
  g_assert_false (ferry_http_sha256_hex_is_valid (NULL));
}

static void
test_upload_offset (void)
{
  static const struct
  {
    const char *value;
    gboolean ok;
    guint64 offset;
  } cases[] = {
    { "0", TRUE, 0 },
    { "1048576", TRUE, 1048576 },
    { " 42 ", TRUE, 42 },
    { "999999999999999", TRUE, G_GUINT64_CONSTANT (999999999999999) },
    { "1000000000000000", FALSE, 0 },   /* 16 digits: beyond a structured-field integer */
    { "-1", FALSE, 0 },
    { "+1", FALSE, 0 },
    { "1.0", FALSE, 0 },
    { "12abc", FALSE, 0 },
    { "", FALSE, 0 },
    { "1, 2", FALSE, 0 },
    { "0x10", FALSE, 0 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      guint64 offset = 7;

      g_assert_cmpint (ferry_http_parse_offset (cases[i].value, &offset), ==, cases[i].ok);
      if (cases[i].ok)
        g_assert_cmpuint (offset, ==, cases[i].offset);
      else
        g_assert_cmpuint (offset, ==, 7);
    }
  g_assert_false (ferry_http_parse_offset (NULL, NULL));
}

static void
test_sf_boolean (void)
{
  gboolean value = FALSE;

  g_assert_true (ferry_http_parse_sf_boolean ("?1", &value));
  g_assert_true (value);
  g_assert_true (ferry_http_parse_sf_boolean (" ?0", &value));
  g_assert_false (value);
  g_assert_false (ferry_http_parse_sf_boolean ("1", &value));
  g_assert_false (ferry_http_parse_sf_boolean ("?2", &value));
  g_assert_false (ferry_http_parse_sf_boolean ("?10", &value));
  g_assert_false (ferry_http_parse_sf_boolean ("true", &value));
  g_assert_false (ferry_http_parse_sf_boolean ("", &value));
  g_assert_false (ferry_http_parse_sf_boolean (NULL, &value));
}

static void
test_upload_limit (void)
{
  FerryUploadLimit limit;

  g_assert_true (ferry_http_parse_upload_limit ("max-size=1000000, min-append-size=10, "
                                                "max-append-size=5000, max-age=3600", &limit));
  g_assert_cmpuint (limit.max_size, ==, 1000000);
  g_assert_cmpuint (limit.min_append_size, ==, 10);
  g_assert_cmpuint (limit.max_append_size, ==, 5000);
  g_assert_cmpuint (limit.max_age, ==, 3600);
  g_assert_cmpuint (limit.min_size, ==, 0);

  /* Members Ferry does not know, and parameters, are skipped. */
  g_assert_true (ferry_http_parse_upload_limit ("future=\"x,y\";p=1, flag, max-size=5;q=2",
                                                &limit));
  g_assert_cmpuint (limit.max_size, ==, 5);

  /* A size that is not a non-negative integer spoils the field. */
  g_assert_false (ferry_http_parse_upload_limit ("max-size=-1", &limit));
  g_assert_false (ferry_http_parse_upload_limit ("max-size=1.5", &limit));
  g_assert_false (ferry_http_parse_upload_limit ("max-size", &limit));
  g_assert_false (ferry_http_parse_upload_limit ("max-size=1,", &limit));
  g_assert_false (ferry_http_parse_upload_limit ("Max-Size=1", &limit));
  g_assert_false (ferry_http_parse_upload_limit ("max-size=1 max-age=2", &limit));
  g_assert_false (ferry_http_parse_upload_limit ("x=\"unterminated", &limit));
  g_assert_false (ferry_http_parse_upload_limit (NULL, &limit));
  g_assert_true (ferry_http_parse_upload_limit ("", &limit));
}

static void
test_tus_headers (void)
{
  g_autofree char *metadata = ferry_http_tus_metadata ("photo 1.jpg", "image/jpeg");
  g_autofree char *none = ferry_http_tus_metadata (NULL, NULL);

  g_assert_cmpstr (metadata, ==, "filename cGhvdG8gMS5qcGc=,filetype aW1hZ2UvanBlZw==");
  g_assert_cmpstr (none, ==, "");

  g_assert_true (ferry_http_list_has_token ("1.0.0,0.2.2", "1.0.0"));
  g_assert_true (ferry_http_list_has_token (" md5 , SHA1 ", "sha1"));
  g_assert_false (ferry_http_list_has_token ("1.0.01", "1.0.0"));
  g_assert_false (ferry_http_list_has_token ("", "sha1"));
  g_assert_false (ferry_http_list_has_token (NULL, "sha1"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/http/content-range", test_content_range);
  g_test_add_func ("/http/content-disposition", test_content_disposition);
  g_test_add_func ("/http/sanitize", test_sanitize);
  g_test_add_func ("/http/uri-filename", test_uri_filename);
  g_test_add_func ("/http/counter", test_counter);
  g_test_add_func ("/http/retry-after", test_retry_after);
  g_test_add_func ("/http/etag", test_etag);
  g_test_add_func ("/http/repr-digest", test_repr_digest);
  g_test_add_func ("/http/sha256-hex", test_sha256_hex);
  g_test_add_func ("/http/upload-offset", test_upload_offset);
  g_test_add_func ("/http/sf-boolean", test_sf_boolean);
  g_test_add_func ("/http/upload-limit", test_upload_limit);
  g_test_add_func ("/http/tus-headers", test_tus_headers);

  return g_test_run ();
}
