#!/bin/bash
# The pot file regenerates without warnings from po/POTFILES.in, and a tiny "xx" catalogue
# built here changes what `ferryctl --help` says.
#
# usage: check-translation.sh SOURCE_DIR FERRYCTL
set -euo pipefail
source="$1"
ferryctl="$2"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cd "$source"
grep -v '^#' po/POTFILES.in | grep -v '^$' > "$work/files"
xgettext --from-code=UTF-8 --add-comments=TRANSLATORS --keyword=_ --keyword=N_ \
  --keyword=C_:1c,2 --keyword=NC_:1c,2 --keyword=g_dngettext:2,3 --keyword=ngettext:1,2 \
  --files-from="$work/files" --output="$work/ferry.pot" 2> "$work/warnings" || {
  cat "$work/warnings"; echo "not ok: xgettext failed"; exit 1; }
if [ -s "$work/warnings" ]; then
  cat "$work/warnings"
  echo "not ok: xgettext warned"
  exit 1
fi
grep -q 'msgid "Usage: ferryctl COMMAND \[OPTION…\]"' "$work/ferry.pot" || {
  echo "not ok: the pot file lacks ferryctl's usage line"; exit 1; }
echo "ok: $(grep -c '^msgid' "$work/ferry.pot") strings, no warnings"

mkdir -p "$work/locale/xx/LC_MESSAGES"
cat > "$work/xx.po" <<'PO'
msgid ""
msgstr ""
"Project-Id-Version: ferry\n"
"PO-Revision-Date: 2026-11-21 00:00+0000\n"
"Last-Translator: Ferry tests\n"
"Language-Team: none\n"
"Language: xx\n"
"MIME-Version: 1.0\n"
"Content-Type: text/plain; charset=UTF-8\n"
"Content-Transfer-Encoding: 8bit\n"

msgid "Usage: ferryctl COMMAND [OPTION…]"
msgstr "Xsage: ferryctl XOMMAND [XPTION…]"
PO
msgfmt --check -o "$work/locale/xx/LC_MESSAGES/ferry.mo" "$work/xx.po"

out=$(FERRY_LOCALEDIR="$work/locale" LANGUAGE=xx LC_ALL=C.UTF-8 "$ferryctl" --help)
if ! grep -q "Xsage: ferryctl XOMMAND" <<< "$out"; then
  echo "$out"
  echo "not ok: the xx catalogue did not change ferryctl --help"
  exit 1
fi
echo "ok: ferryctl --help speaks xx"
