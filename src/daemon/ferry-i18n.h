/* ferry-i18n.h: the daemon's sentences in each caller's language
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Marks a sentence for translation and keeps it in English: ferryd stores and logs its
 * sentences in English and translates them on the way out, for each peer in its own
 * language (ferry_i18n_translate()). */
#ifndef N_
#define N_(String) (String)
#endif
/* The same for a sentence with a plural: English chooses by n == 1. The count must be the
 * first number in the sentence, where the translation finds it again. */
#define FERRY_NP_(Singular, Plural, N) ((N) == 1 ? (Singular) : (Plural))

/* Whether @languages (as g_get_language_names() gives them) is a list ferryd takes from a
 * peer: at most 32 names of letters, digits, "_", "-", ".", "@", each at most 64 bytes. */
gboolean            ferry_i18n_languages_are_valid (const char *const *languages);

/* The languages @peer (a unique bus name) asked for, for as long as it is connected; NULL
 * forgets them. */
void                ferry_i18n_set_peer_languages (const char         *peer,
                                                   const char *const  *languages);
void                ferry_i18n_forget_peer        (const char         *peer);
/* @peer's languages, or the session's (ferryd's own environment) when it named none. */
const char *const  *ferry_i18n_peer_languages     (const char         *peer);

/* @message, a sentence of ferryd in English, in the first of @languages that has a
 * catalogue; as it is when none has, or when it is not one of ferryd's sentences. A
 * sentence made from a template ("… (HTTP %u)") is recognised and its parts carried over,
 * sentences inside it translated too. */
char               *ferry_i18n_translate          (const char *const  *languages,
                                                   const char         *message);
/* The same for the peer's language. */
char               *ferry_i18n_translate_for_peer (const char         *peer,
                                                   const char         *message);

G_END_DECLS
