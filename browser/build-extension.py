#!/usr/bin/python3
# build-extension.py SRCDIR OUTDIR ZIP: the extension as an unpacked folder (to load in a
# browser's developer mode) and as a zip (for addons.mozilla.org and the Chrome Web Store).
#
# SPDX-License-Identifier: GPL-3.0-or-later
import os
import shutil
import sys
import zipfile

FILES = ['manifest.json', 'background.js', 'common.js', 'popup.html', 'popup.js',
         'popup.css', 'icons/ferry-16.png', 'icons/ferry-32.png', 'icons/ferry-48.png',
         'icons/ferry-128.png']

src, out, archive = sys.argv[1:4]
shutil.rmtree(out, ignore_errors=True)
with zipfile.ZipFile(archive + '.tmp', 'w', zipfile.ZIP_DEFLATED) as z:
    for name in FILES:
        os.makedirs(os.path.dirname(os.path.join(out, name)), exist_ok=True)
        shutil.copyfile(os.path.join(src, name), os.path.join(out, name))
        # Fixed times: the same sources make the same zip.
        info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        with open(os.path.join(src, name), 'rb') as f:
            z.writestr(info, f.read())
os.replace(archive + '.tmp', archive)
