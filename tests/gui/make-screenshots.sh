#!/bin/sh
# Makes the pictures of data/screenshots: the screenshots case of test-schedule, with the
# downloads in a home that looks like a person's (/home/sam/Downloads, in a bubblewrap mount
# namespace of its own, so nothing outside the build tree is written), then copies them.
#
#   tests/gui/make-screenshots.sh [BUILDDIR]     (default: _build)
#
# Look at each picture before committing it.
set -eu

here=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:-$here/_build}" && pwd)

# The test server answers as a site would be named: only inside the namespace.
hosts=$(mktemp)
trap 'rm -f "$hosts"' EXIT
printf '127.0.0.1 localhost download.example.org\n::1 localhost\n' > "$hosts"

bwrap --dev-bind / / --tmpfs /home --dir /home/sam/Downloads --ro-bind "$hosts" /etc/hosts \
      --setenv FERRY_SCREENSHOT_DOWNLOADS /home/sam/Downloads \
      --setenv FERRY_SCREENSHOT_HOST download.example.org \
      nice meson test -C "$build" --print-errorlogs gui-screenshots

for name in ferry-busy ferry-busy-dark ferry-narrow ferry-details; do
  cp "$build/tests/screenshots/$name.png" "$here/data/screenshots/$name.png"
  echo "data/screenshots/$name.png"
done
