/* ferry-i18n.c
 *
 * ferryd serves many peers at once, each in its own language, from one process with many
 * threads. gettext cannot answer that: glibc picks the language from the process-wide
 * LANGUAGE first (a thread's uselocale() changes nothing while it is set), and a per-thread
 * locale for another language exists only if that locale was generated on the system (a
 * Debian machine may have C.UTF-8 alone, with every catalogue installed). So ferryd reads
 * its own catalogues (ferry.mo, the one the app and ferryctl use) into tables of its own and
 * looks sentences up there, for any language, on any thread, without touching the locale.
 *
 * Sentences are made, stored and logged in English; they are translated on the way out,
 * for the peer that reads them. A sentence made from a template ("… (HTTP %u)") is matched
 * against the templates of the catalogue, so the message id and its arguments come back
 * out of the stored sentence: a transfer's Error reads in each peer's own language, also
 * long after it failed, and a change of language needs no change to the store. What the
 * libraries below put into a sentence (GLib's "Could not connect to %s: ", the C library's
 * "Connection refused") is looked up in their own catalogues of the same language.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ferry-i18n"

#include "config.h"

#include <string.h>

#include "ferry-i18n.h"

#define MAX_LANGUAGES 32
#define MAX_LANGUAGE_LENGTH 64
#define MAX_DEPTH 4
/* Catalogues looked for and not found are remembered up to this many names. */
#define MAX_MISSING 64
/* Sentences translated are remembered up to this many per language: a listing of 10,000
 * transfers mostly repeats a few sentences, each matched once. */
#define MAX_REMEMBERED 4096

typedef struct
{
  char *literal;        /* NULL for a conversion */
  char conversion;      /* 's', 'd' (any integer), 'f' (any real), 'c' */
} Piece;

typedef struct
{
  GArray *pieces;       /* of Piece */
  gsize literal_length; /* how much of the sentence the template fixes */
  const char *entry;    /* the msgid (singular) the translation is under */
  gboolean open_end;    /* ends in ": ", as a prefix does (g_prefix_error): more may follow */
} Template;

typedef struct
{
  GHashTable *strings;  /* msgid → msgstr; for a plural, singular and plural → forms */
  GHashTable *plurals;  /* msgid (singular and plural) → GStrv of its forms */
  GPtrArray *templates; /* Template *, longest literal text first */
  char *plural_rule;    /* the expression after "plural=", or NULL */
  GHashTable *remembered; /* English sentence → its translation */
  /* The same language's catalogues of the libraries whose sentences end up inside Ferry's
   * (GLib, the C library, libsoup, glib-networking): NULL in those themselves. */
  GPtrArray *libraries;
} Catalog;

static GMutex lock;
static GHashTable *catalogs;  /* language name → Catalog *, NULL for none */
static GHashTable *peers;     /* unique name → GStrv */
static guint n_missing;

/* -- Plural forms ------------------------------------------------------------------------
 *
 * The C expression of the catalogue's Plural-Forms header, evaluated for n: integers, n,
 * ( ), ! * / % + - < <= > >= == != && || ?:. */

typedef struct
{
  const char *p;
  gulong n;
  gboolean bad;
} Expr;

static gulong parse_ternary (Expr *e);

static void
skip_space (Expr *e)
{
  while (*e->p == ' ' || *e->p == '\t' || *e->p == '\n')
    e->p++;
}

static gboolean
accept (Expr       *e,
        const char *token)
{
  gsize len = strlen (token);

  skip_space (e);
  if (strncmp (e->p, token, len) != 0)
    return FALSE;
  /* "<" is not "<=", "!" is not "!=". */
  if (len == 1 && (token[0] == '<' || token[0] == '>' || token[0] == '!' || token[0] == '=') &&
      e->p[1] == '=')
    return FALSE;
  if (len == 1 && (token[0] == '&' || token[0] == '|'))
    return FALSE;
  e->p += len;
  return TRUE;
}

static gulong
parse_primary (Expr *e)
{
  skip_space (e);
  if (accept (e, "("))
    {
      gulong v = parse_ternary (e);

      if (!accept (e, ")"))
        e->bad = TRUE;
      return v;
    }
  if (accept (e, "!"))
    return !parse_primary (e);
  if (*e->p == 'n')
    {
      e->p++;
      return e->n;
    }
  if (g_ascii_isdigit (*e->p))
    {
      char *end;
      gulong v = strtoul (e->p, &end, 10);

      e->p = end;
      return v;
    }
  e->bad = TRUE;
  return 0;
}

static gulong
parse_product (Expr *e)
{
  gulong v = parse_primary (e);

  for (;;)
    {
      if (accept (e, "*"))
        v *= parse_primary (e);
      else if (accept (e, "/") || accept (e, "%"))
        {
          char op = e->p[-1];
          gulong d = parse_primary (e);

          if (d == 0)
            {
              e->bad = TRUE;
              return 0;
            }
          v = op == '/' ? v / d : v % d;
        }
      else
        return v;
    }
}

static gulong
parse_sum (Expr *e)
{
  gulong v = parse_product (e);

  for (;;)
    {
      if (accept (e, "+"))
        v += parse_product (e);
      else if (accept (e, "-"))
        v -= parse_product (e);
      else
        return v;
    }
}

static gulong
parse_relation (Expr *e)
{
  gulong v = parse_sum (e);

  for (;;)
    {
      if (accept (e, "<="))
        v = v <= parse_sum (e);
      else if (accept (e, ">="))
        v = v >= parse_sum (e);
      else if (accept (e, "<"))
        v = v < parse_sum (e);
      else if (accept (e, ">"))
        v = v > parse_sum (e);
      else
        return v;
    }
}

static gulong
parse_equality (Expr *e)
{
  gulong v = parse_relation (e);

  for (;;)
    {
      if (accept (e, "=="))
        v = v == parse_relation (e);
      else if (accept (e, "!="))
        v = v != parse_relation (e);
      else
        return v;
    }
}

static gulong
parse_and (Expr *e)
{
  gulong v = parse_equality (e);

  while (accept (e, "&&"))
    {
      gulong w = parse_equality (e);

      v = v && w;
    }
  return v;
}

static gulong
parse_or (Expr *e)
{
  gulong v = parse_and (e);

  while (accept (e, "||"))
    {
      gulong w = parse_and (e);

      v = v || w;
    }
  return v;
}

static gulong
parse_ternary (Expr *e)
{
  gulong cond = parse_or (e);

  if (accept (e, "?"))
    {
      gulong a = parse_ternary (e);
      gulong b;

      if (!accept (e, ":"))
        e->bad = TRUE;
      b = parse_ternary (e);
      return cond ? a : b;
    }
  return cond;
}

static guint
plural_index (const Catalog *catalog,
              gulong         n,
              guint          n_forms)
{
  Expr e = { catalog->plural_rule, n, FALSE };
  gulong index;

  if (catalog->plural_rule == NULL)
    return n == 1 ? 0 : 1;

  index = parse_ternary (&e);
  if (e.bad || index >= n_forms)
    return n == 1 || n_forms < 2 ? 0 : 1;
  return (guint) index;
}

/* -- Catalogues -------------------------------------------------------------------------- */

static void
template_free (Template *t)
{
  for (guint i = 0; i < t->pieces->len; i++)
    g_free (g_array_index (t->pieces, Piece, i).literal);
  g_array_unref (t->pieces);
  g_free (t);
}

static void
catalog_free (Catalog *catalog)
{
  if (catalog == NULL)
    return;
  g_hash_table_unref (catalog->strings);
  g_hash_table_unref (catalog->plurals);
  g_ptr_array_unref (catalog->templates);
  g_free (catalog->plural_rule);
  g_hash_table_unref (catalog->remembered);
  g_clear_pointer (&catalog->libraries, g_ptr_array_unref);
  g_free (catalog);
}

/* The pieces of a printf template, or NULL when it has no conversion or one this matcher
 * does not read back. */
static Template *
parse_template (const char *format,
                const char *entry)
{
  g_autoptr(GString) literal = g_string_new (NULL);
  g_autoptr(GArray) pieces = g_array_new (FALSE, TRUE, sizeof (Piece));
  Template *t;
  gsize literal_length = 0;
  gboolean any = FALSE;

  g_array_set_clear_func (pieces, NULL);

  for (const char *p = format; *p != '\0'; p++)
    {
      Piece piece = { NULL, 0 };

      if (*p != '%')
        {
          g_string_append_c (literal, *p);
          continue;
        }
      p++;
      if (*p == '%')
        {
          g_string_append_c (literal, '%');
          continue;
        }
      /* Flags, width, precision and length do not change what the text looks like to a
       * matcher that reads numbers as runs of digits. */
      while (*p != '\0' && strchr ("-+ #0123456789.'hlLqjzt", *p) != NULL)
        p++;
      switch (*p)
        {
        case 's':
          piece.conversion = 's';
          break;
        case 'd': case 'i': case 'u': case 'x': case 'X': case 'o':
          piece.conversion = 'd';
          break;
        case 'f': case 'g': case 'e':
          piece.conversion = 'f';
          break;
        case 'c':
          piece.conversion = 'c';
          break;
        default:
          for (guint i = 0; i < pieces->len; i++)
            g_free (g_array_index (pieces, Piece, i).literal);
          return NULL;
        }

      if (literal->len > 0)
        {
          Piece text = { g_strdup (literal->str), 0 };

          literal_length += literal->len;
          g_array_append_val (pieces, text);
          g_string_truncate (literal, 0);
        }
      g_array_append_val (pieces, piece);
      any = TRUE;
    }

  if (literal->len > 0)
    {
      Piece text = { g_strdup (literal->str), 0 };

      literal_length += literal->len;
      g_array_append_val (pieces, text);
    }

  /* A template of hardly any text ("%s: %s", "%s of %s") would claim sentences that are not
   * its own. */
  if (!any || literal_length < 8)
    {
      for (guint i = 0; i < pieces->len; i++)
        g_free (g_array_index (pieces, Piece, i).literal);
      return NULL;
    }

  t = g_new0 (Template, 1);
  t->pieces = g_steal_pointer (&pieces);
  t->literal_length = literal_length;
  t->entry = entry;
  t->open_end = g_str_has_suffix (format, ": ");
  return t;
}

static int
compare_templates (gconstpointer a,
                   gconstpointer b)
{
  const Template *ta = *(const Template **) a;
  const Template *tb = *(const Template **) b;

  return ta->literal_length < tb->literal_length ? 1 :
         ta->literal_length > tb->literal_length ? -1 : 0;
}

static guint32
read_u32 (const guint8 *data,
          gsize         offset,
          gboolean      swapped)
{
  guint32 v;

  memcpy (&v, data + offset, sizeof v);
  return swapped ? GUINT32_SWAP_LE_BE (v) : v;
}

/* The string at table entry @i, checked to lie inside the file; NULL otherwise. */
static const char *
mo_string (const guint8 *data,
           gsize         size,
           guint32       table,
           guint32       i,
           gboolean      swapped,
           guint32      *length)
{
  guint64 at = (guint64) table + (guint64) i * 8;
  guint32 len, offset;

  if (at + 8 > size)
    return NULL;
  len = read_u32 (data, at, swapped);
  offset = read_u32 (data, at + 4, swapped);
  if ((guint64) offset + len + 1 > size || data[offset + len] != '\0')
    return NULL;
  *length = len;
  return (const char *) data + offset;
}

static void
add_template (Catalog    *catalog,
              const char *format,
              const char *entry)
{
  Template *t = parse_template (format, entry);

  if (t != NULL)
    g_ptr_array_add (catalog->templates, t);
}

static Catalog *
catalog_load (const char *path)
{
  g_autofree char *contents = NULL;
  gsize size;
  const guint8 *data;
  gboolean swapped;
  guint32 n, originals, translations;
  Catalog *catalog;

  if (!g_file_get_contents (path, &contents, &size, NULL) || size < 28)
    return NULL;
  data = (const guint8 *) contents;
  if (read_u32 (data, 0, FALSE) == 0x950412de)
    swapped = FALSE;
  else if (read_u32 (data, 0, TRUE) == 0x950412de)
    swapped = TRUE;
  else
    return NULL;

  n = read_u32 (data, 8, swapped);
  originals = read_u32 (data, 12, swapped);
  translations = read_u32 (data, 16, swapped);

  catalog = g_new0 (Catalog, 1);
  catalog->strings = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  catalog->plurals = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                            (GDestroyNotify) g_strfreev);
  catalog->templates = g_ptr_array_new_with_free_func ((GDestroyNotify) template_free);
  catalog->remembered = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  for (guint32 i = 0; i < n; i++)
    {
      guint32 id_len, str_len;
      const char *id = mo_string (data, size, originals, i, swapped, &id_len);
      const char *str = mo_string (data, size, translations, i, swapped, &str_len);
      gsize singular_len;

      if (id == NULL || str == NULL)
        break;

      if (id_len == 0)
        {
          const char *rule = strstr (str, "plural=");

          if (rule != NULL)
            {
              const char *end = strpbrk (rule, ";\n");

              rule += strlen ("plural=");
              catalog->plural_rule = end ? g_strndup (rule, (gsize) (end - rule))
                                         : g_strdup (rule);
            }
          continue;
        }
      /* A string with a context is the app's, never a sentence of ferryd. */
      if (memchr (id, '\004', id_len) != NULL || str_len == 0)
        continue;

      singular_len = strlen (id);
      if (singular_len < id_len)
        {
          /* "singular\0plural" → "form0\0form1…" */
          const char *plural = id + singular_len + 1;
          g_autoptr(GPtrArray) forms = g_ptr_array_new ();

          for (const char *f = str; f < str + str_len; f += strlen (f) + 1)
            g_ptr_array_add (forms, g_strdup (f));
          g_ptr_array_add (forms, NULL);
          g_hash_table_replace (catalog->plurals, g_strdup (plural),
                                g_strdupv ((char **) forms->pdata));
          g_hash_table_replace (catalog->plurals, g_strdup (id),
                                (char **) g_ptr_array_free (g_steal_pointer (&forms), FALSE));
          add_template (catalog, id, id);
          add_template (catalog, plural, id);
          continue;
        }

      g_hash_table_replace (catalog->strings, g_strdup (id), g_strdup (str));
    }

  /* The plurals' templates point at the keys of the table, which live as long as the
   * catalogue (the file's contents do not). */
  for (guint i = 0; i < catalog->templates->len; i++)
    {
      Template *t = g_ptr_array_index (catalog->templates, i);
      gpointer key = NULL;

      if (g_hash_table_lookup_extended (catalog->plurals, t->entry, &key, NULL) ||
          g_hash_table_lookup_extended (catalog->strings, t->entry, &key, NULL))
        t->entry = key;
    }
  {
    GHashTableIter iter;
    gpointer key;

    g_hash_table_iter_init (&iter, catalog->strings);
    while (g_hash_table_iter_next (&iter, &key, NULL))
      add_template (catalog, key, key);
  }
  g_ptr_array_sort (catalog->templates, compare_templates);

  return catalog;
}

static const char *
locale_dir (void)
{
  const char *dir = g_getenv ("FERRY_LOCALEDIR");

  return dir != NULL && *dir != '\0' ? dir : LOCALEDIR;
}

/* Domains of the libraries below Ferry whose sentences ferryd passes on. */
static const char *const library_domains[] = {
  "glib20", "libc", "libsoup-3.0", "glib-networking",
};

/* @language, or its language alone ("pt_BR.UTF-8" → "pt_BR", then "pt"). */
static Catalog *
library_catalog (const char *domain,
                 const char *language)
{
  const char *const *dirs = g_get_system_data_dirs ();
  g_autofree char *base = g_strndup (language, strcspn (language, ".@"));
  g_autofree char *bare = g_strndup (language, strcspn (language, "_.@"));
  const char *names[] = { language, base, bare };

  for (guint n = 0; n < G_N_ELEMENTS (names); n++)
    {
      for (guint i = 0; dirs[i] != NULL; i++)
        {
          g_autofree char *file = g_strconcat (domain, ".mo", NULL);
          g_autofree char *path = g_build_filename (dirs[i], "locale", names[n], "LC_MESSAGES",
                                                    file, NULL);
          Catalog *catalog = catalog_load (path);

          if (catalog != NULL)
            return catalog;
        }
    }
  return NULL;
}

/* The catalogue for @language, loaded once; NULL when there is none. Call locked. */
static Catalog *
catalog_for (const char *language)
{
  gpointer value;
  g_autofree char *path = NULL;
  Catalog *catalog;

  if (catalogs == NULL)
    catalogs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                      (GDestroyNotify) catalog_free);
  if (g_hash_table_lookup_extended (catalogs, language, NULL, &value))
    return value;

  path = g_build_filename (locale_dir (), language, "LC_MESSAGES", GETTEXT_PACKAGE ".mo",
                           NULL);
  catalog = catalog_load (path);
  if (catalog != NULL)
    {
      catalog->libraries = g_ptr_array_new_with_free_func ((GDestroyNotify) catalog_free);
      for (guint i = 0; i < G_N_ELEMENTS (library_domains); i++)
        {
          Catalog *library = library_catalog (library_domains[i], language);

          if (library != NULL)
            g_ptr_array_add (catalog->libraries, library);
        }
    }
  if (catalog != NULL || n_missing < MAX_MISSING)
    {
      if (catalog == NULL)
        n_missing++;
      g_hash_table_insert (catalogs, g_strdup (language), catalog);
    }
  return catalog;
}

/* -- Matching ---------------------------------------------------------------------------- */

typedef struct
{
  const char *start;
  gsize length;
  char conversion;
} Capture;

/* Matches @text against the pieces of @t from @piece on; *@rest is what follows a
 * template with an open end ("" when nothing does). */
static gboolean
match_from (const Template *t,
            guint           piece,
            const char     *text,
            Capture        *captures,
            guint           n_captured,
            const char    **rest)
{
  const Piece *p;

  if (piece == t->pieces->len)
    {
      *rest = text;
      return *text == '\0' || t->open_end;
    }

  p = &g_array_index (t->pieces, Piece, piece);
  if (p->literal != NULL)
    {
      gsize len = strlen (p->literal);

      return strncmp (text, p->literal, len) == 0 &&
             match_from (t, piece + 1, text + len, captures, n_captured, rest);
    }

  captures[n_captured].start = text;
  captures[n_captured].conversion = p->conversion;

  switch (p->conversion)
    {
    case 'd':
    case 'f':
      {
        const char *end = text;

        if (*end == '-')
          end++;
        while (g_ascii_isdigit (*end) || (p->conversion == 'f' && *end == '.'))
          end++;
        if (end == text || (end == text + 1 && *text == '-'))
          return FALSE;
        captures[n_captured].length = (gsize) (end - text);
        return match_from (t, piece + 1, end, captures, n_captured + 1, rest);
      }

    case 'c':
      if (*text == '\0')
        return FALSE;
      captures[n_captured].length = (gsize) (g_utf8_next_char (text) - text);
      return match_from (t, piece + 1, text + captures[n_captured].length, captures,
                         n_captured + 1, rest);

    case 's':
    default:
      /* The shortest that lets the rest match: a sentence inside a sentence ends where the
       * template's own text goes on. */
      for (const char *end = text;; end++)
        {
          captures[n_captured].length = (gsize) (end - text);
          if (match_from (t, piece + 1, end, captures, n_captured + 1, rest))
            return TRUE;
          if (*end == '\0')
            return FALSE;
        }
    }
}

static char *translate_in (Catalog *catalog, const char *message, guint depth);

/* Whether a part put into a sentence is itself a sentence, to translate too, rather than a
 * name: a file called "Details" stays "Details". Sentences have words; names and addresses
 * mostly do not, and paths and addresses never are sentences. */
static gboolean
looks_like_sentence (const char *part,
                     gsize       length)
{
  guint spaces = 0;

  if (length == 0 || part[0] == '/' || g_strstr_len (part, (gssize) length, "://") != NULL)
    return FALSE;
  for (gsize i = 0; i < length; i++)
    spaces += part[i] == ' ';
  return spaces >= 2;
}

/* A library's sentence as it is ("Connection refused"), in @catalog's language. */
static const char *
library_exact (Catalog    *catalog,
               const char *message)
{
  for (guint i = 0; catalog->libraries != NULL && i < catalog->libraries->len; i++)
    {
      Catalog *library = g_ptr_array_index (catalog->libraries, i);
      const char *exact = g_hash_table_lookup (library->strings, message);

      if (exact != NULL)
        return exact;
    }
  return NULL;
}

/* A part inside a sentence: translated when it is a sentence itself, or a library's short
 * one; a name is left as it is. */
static char *
translate_part (Catalog    *catalog,
                const char *part,
                gsize       length,
                guint       depth)
{
  g_autofree char *text = g_strndup (part, length);
  const char *exact;

  if (looks_like_sentence (part, length))
    {
      g_autofree char *translated = translate_in (catalog, text, depth);
      g_auto(GStrv) pieces = NULL;

      if (strcmp (translated, text) != 0 || strstr (text, "; ") == NULL)
        return g_steal_pointer (&translated);
      /* A list of sentences ("its certificate has expired; its certificate was issued
       * for another name…"): each in its turn. */
      pieces = g_strsplit (text, "; ", -1);
      for (guint i = 0; pieces[i] != NULL; i++)
        {
          char *piece = translate_part (catalog, pieces[i], strlen (pieces[i]), depth + 1);

          g_free (pieces[i]);
          pieces[i] = piece;
        }
      return g_strjoinv ("; ", pieces);
    }
  exact = library_exact (catalog, text);
  return g_strdup (exact != NULL ? exact : text);
}

/* @format (a translation) with the captured values in its conversions, in order or as its
 * %n$ say. */
static char *
fill (Catalog       *catalog,
      const char    *format,
      const Capture *captures,
      guint          n_captures,
      guint          depth)
{
  g_autoptr(GString) out = g_string_new (NULL);
  guint next = 0;

  for (const char *p = format; *p != '\0'; p++)
    {
      guint index;

      if (*p != '%')
        {
          g_string_append_c (out, *p);
          continue;
        }
      p++;
      if (*p == '%')
        {
          g_string_append_c (out, '%');
          continue;
        }
      index = next++;
      if (g_ascii_isdigit (*p))
        {
          const char *q = p;
          guint position = 0;

          while (g_ascii_isdigit (*q))
            position = position * 10 + (guint) (*q++ - '0');
          if (*q == '$' && position > 0)
            {
              index = position - 1;
              p = q + 1;
            }
        }
      while (*p != '\0' && strchr ("-+ #0123456789.'hlLqjzt", *p) != NULL)
        p++;
      if (*p == '\0')
        break;
      if (index >= n_captures)
        return NULL;
      if (captures[index].conversion == 's')
        {
          g_autofree char *translated = translate_part (catalog, captures[index].start,
                                                        captures[index].length, depth + 1);

          g_string_append (out, translated);
        }
      else
        {
          g_string_append_len (out, captures[index].start, (gssize) captures[index].length);
        }
    }

  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* @message matched against the templates of @templates (Ferry's catalogue or a
 * library's), parts translated with @catalog, Ferry's; NULL when none matches. */
static char *
translate_with_templates (Catalog    *catalog,
                          Catalog    *templates,
                          const char *message,
                          guint       depth)
{
  for (guint i = 0; i < templates->templates->len; i++)
    {
      const Template *t = g_ptr_array_index (templates->templates, i);
      Capture captures[16];
      guint n_captures = 0;
      const char *format;
      const char *rest = NULL;
      gboolean possible = TRUE;
      char **forms;
      char *filled;

      /* Cheap before the backtracking: each piece of the template's text is in the
       * sentence. */
      for (guint j = 0; j < t->pieces->len && possible; j++)
        {
          const char *literal = g_array_index (t->pieces, Piece, j).literal;

          if (literal == NULL)
            n_captures++;
          else
            possible = strstr (message, literal) != NULL;
        }
      if (!possible || n_captures > G_N_ELEMENTS (captures) ||
          !match_from (t, 0, message, captures, 0, &rest))
        continue;

      forms = g_hash_table_lookup (templates->plurals, t->entry);
      if (forms != NULL)
        {
          gulong count = 0;

          for (guint j = 0; j < n_captures; j++)
            {
              if (captures[j].conversion == 'd')
                {
                  count = strtoul (captures[j].start, NULL, 10);
                  break;
                }
            }
          format = forms[plural_index (templates, count, g_strv_length (forms))];
        }
      else
        {
          format = g_hash_table_lookup (templates->strings, t->entry);
        }

      if (format == NULL)
        continue;
      filled = fill (catalog, format, captures, n_captures, depth);
      if (filled == NULL)
        continue;

      /* A prefix ("Could not connect to %s: "), then the sentence it was put before. */
      if (rest != NULL && *rest != '\0')
        {
          g_autofree char *prefix = filled;
          g_autofree char *after = translate_part (catalog, rest, strlen (rest), depth + 1);

          filled = g_strconcat (prefix, after, NULL);
        }
      return filled;
    }

  return NULL;
}

static char *
translate_in (Catalog    *catalog,
              const char *message,
              guint       depth)
{
  const char *exact;
  char *translated;

  if (message == NULL || *message == '\0')
    return g_strdup (message);

  exact = g_hash_table_lookup (catalog->strings, message);
  if (exact == NULL)
    exact = library_exact (catalog, message);
  if (exact != NULL)
    return g_strdup (exact);
  if (depth >= MAX_DEPTH)
    return g_strdup (message);

  translated = translate_with_templates (catalog, catalog, message, depth);
  for (guint i = 0; translated == NULL && catalog->libraries != NULL &&
                    i < catalog->libraries->len; i++)
    translated = translate_with_templates (catalog, g_ptr_array_index (catalog->libraries, i),
                                           message, depth);

  return translated != NULL ? translated : g_strdup (message);
}

/* -- Languages --------------------------------------------------------------------------- */

gboolean
ferry_i18n_languages_are_valid (const char *const *languages)
{
  guint n = 0;

  if (languages == NULL)
    return FALSE;

  for (; languages[n] != NULL; n++)
    {
      gsize len = strlen (languages[n]);

      if (n >= MAX_LANGUAGES || len == 0 || len > MAX_LANGUAGE_LENGTH ||
          languages[n][0] == '.')
        return FALSE;
      for (gsize i = 0; i < len; i++)
        {
          char c = languages[n][i];

          if (!g_ascii_isalnum (c) && c != '_' && c != '-' && c != '.' && c != '@')
            return FALSE;
        }
    }
  return TRUE;
}

void
ferry_i18n_set_peer_languages (const char        *peer,
                               const char *const *languages)
{
  g_return_if_fail (peer != NULL);

  g_mutex_lock (&lock);
  if (peers == NULL)
    peers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                   (GDestroyNotify) g_strfreev);
  if (languages != NULL && ferry_i18n_languages_are_valid (languages))
    g_hash_table_replace (peers, g_strdup (peer), g_strdupv ((char **) languages));
  else
    g_hash_table_remove (peers, peer);
  g_mutex_unlock (&lock);
}

void
ferry_i18n_forget_peer (const char *peer)
{
  g_mutex_lock (&lock);
  if (peers != NULL && peer != NULL)
    g_hash_table_remove (peers, peer);
  g_mutex_unlock (&lock);
}

const char *const *
ferry_i18n_peer_languages (const char *peer)
{
  const char *const *languages = NULL;

  /* The strv lives until the peer leaves the bus or names others, which happens on the
   * main thread, where the answers to it are made. */
  g_mutex_lock (&lock);
  if (peers != NULL && peer != NULL)
    languages = g_hash_table_lookup (peers, peer);
  g_mutex_unlock (&lock);

  return languages != NULL ? languages : g_get_language_names ();
}

char *
ferry_i18n_translate (const char *const *languages,
                      const char        *message)
{
  char *result = NULL;

  if (message == NULL || *message == '\0' || languages == NULL)
    return g_strdup (message);

  g_mutex_lock (&lock);
  for (guint i = 0; languages[i] != NULL && i < MAX_LANGUAGES; i++)
    {
      Catalog *catalog;

      /* English is the language the sentences are written in. */
      if (g_str_equal (languages[i], "C") || g_str_equal (languages[i], "POSIX") ||
          g_str_has_prefix (languages[i], "C.") || g_str_equal (languages[i], "en") ||
          g_str_has_prefix (languages[i], "en_") || g_str_has_prefix (languages[i], "en."))
        break;
      if (!ferry_i18n_languages_are_valid ((const char *const[]) { languages[i], NULL }))
        continue;
      catalog = catalog_for (languages[i]);
      if (catalog != NULL)
        {
          const char *known = g_hash_table_lookup (catalog->remembered, message);

          if (known != NULL)
            {
              result = g_strdup (known);
              break;
            }
          result = translate_in (catalog, message, 0);
          if (g_hash_table_size (catalog->remembered) >= MAX_REMEMBERED)
            g_hash_table_remove_all (catalog->remembered);
          g_hash_table_insert (catalog->remembered, g_strdup (message), g_strdup (result));
          break;
        }
    }
  g_mutex_unlock (&lock);

  return result != NULL ? result : g_strdup (message);
}

char *
ferry_i18n_translate_for_peer (const char *peer,
                               const char *message)
{
  return ferry_i18n_translate (ferry_i18n_peer_languages (peer), message);
}
