#!/usr/bin/python3
# The app and ferryctl speak each language of po/LINGUAS, and at least the five named:
# every catalogue is complete and passes msgfmt --check; `ferryctl --help` has no line left
# in English; and no text of the main window or the add dialog is an English string the
# catalogue translates differently (or not at all).
#
# Usage: check-locales.py PO_DIR LOCALE_DIR FERRYCTL TEST_ROWS LANG…
#
# SPDX-License-Identifier: GPL-3.0-or-later
import os
import re
import subprocess
import sys
import tempfile

po_dir, locale_dir, ferryctl, test_rows = sys.argv[1:5]
wanted = sys.argv[5:]


def unescape(s):
    return s.replace('\\"', '"')


def parse_po(path):
    """msgid → msgstr (the singular for plurals), and the fuzzy ones."""
    entries, fuzzy = {}, set()
    cur, field, flags = {}, None, ''
    def flush():
        if 'msgid' in cur and cur['msgid'] != '':
            entries[cur['msgid']] = cur.get('msgstr', cur.get('msgstr[0]', ''))
            if 'fuzzy' in flags:
                fuzzy.add(cur['msgid'])
    for line in open(path, encoding='utf-8'):
        line = line.rstrip('\n')
        if not line.strip():
            flush(); cur, field, flags = {}, None, ''
            continue
        if line.startswith('#,'):
            flags = line
            continue
        if line.startswith('#'):
            continue
        m = re.match(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d\])?) "(.*)"$', line)
        if m:
            field = m.group(1)
            cur[field] = unescape(m.group(2))
        elif line.startswith('"') and field:
            cur[field] += unescape(line[1:-1])
    flush()
    return entries, fuzzy


linguas = [l.strip() for l in open(os.path.join(po_dir, 'LINGUAS'))
           if l.strip() and not l.startswith('#')]
failures = []
n = 0


def check(ok, what):
    global n
    n += 1
    print(('ok %d - ' if ok else 'not ok %d - ') % n + what, flush=True)
    if not ok:
        failures.append(what)


def run(env_extra, *args):
    env = dict(os.environ, LC_ALL='C.UTF-8', **env_extra)
    env.pop('LANGUAGE', None) if 'LANGUAGE' not in env_extra else None
    return subprocess.run(args, env=env, capture_output=True, text=True, timeout=120)


# What the C sources mark for translation now: a string added since a catalogue was last
# merged is missing from it, which msgfmt's statistics of the catalogue alone cannot see.
source_root = os.path.dirname(os.path.abspath(po_dir))
sources = [l.strip() for l in open(os.path.join(po_dir, 'POTFILES.in'))
           if l.strip().endswith('.c') and not l.startswith('#')]
with tempfile.TemporaryDirectory() as tmp:
    pot = os.path.join(tmp, 'sources.pot')
    subprocess.run(['xgettext', '--from-code=UTF-8', '--language=C', '-k_', '-kN_',
                    '-kC_:1c,2', '-kNC_:1c,2', '-kngettext:1,2', '-kFERRY_NP_:1,2',
                    '-D', source_root,
                    '-o', pot] + sources, check=True, capture_output=True)
    marked, _ = parse_po(pot)

english_help = run({}, ferryctl, '--help').stdout
english_lines = {l.strip() for l in english_help.splitlines() if l.strip()}

# A private bus that activates the build's ferryd, whose own session speaks English: each
# ferryctl below names its language, and the daemon's error must come back in it.
bus_home = tempfile.TemporaryDirectory()
bus_config = os.path.join(bus_home.name, 'bus.conf')
with open(bus_config, 'w') as f:
    f.write(f"""<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig><type>session</type><listen>unix:tmpdir={bus_home.name}</listen>
<servicedir>{os.environ['FERRY_SERVICE_DIR']}</servicedir>
<policy context="default"><allow send_destination="*" eavesdrop="true"/>
<allow eavesdrop="true"/><allow own="*"/></policy></busconfig>""")
daemon_env = dict(os.environ, LC_ALL='C.UTF-8', HOME=bus_home.name,
                  XDG_DATA_HOME=os.path.join(bus_home.name, 'data'),
                  XDG_CONFIG_HOME=os.path.join(bus_home.name, 'config'),
                  XDG_CACHE_HOME=os.path.join(bus_home.name, 'cache'),
                  XDG_RUNTIME_DIR=bus_home.name, GSETTINGS_BACKEND='memory',
                  FERRY_LOCALEDIR=locale_dir)
daemon_env.pop('LANGUAGE', None)
bus = subprocess.Popen(['dbus-daemon', '--config-file', bus_config, '--print-address=1',
                        '--nofork'], stdout=subprocess.PIPE, env=daemon_env, text=True)
bus_address = bus.stdout.readline().strip()
bad_address = 'ftp://example.org/file'


def ferryctl_error(extra):
    env = dict(daemon_env, DBUS_SESSION_BUS_ADDRESS=bus_address, **extra)
    return subprocess.run([ferryctl, 'add', bad_address], env=env, capture_output=True,
                          text=True, timeout=120).stderr.strip()


english_error = ferryctl_error({})
daemon_msgid = 'Ferry transfers only http:// and https:// addresses, not %s:'
check(daemon_msgid.replace('%s', 'ftp') in english_error,
      f'ferryctl shows the daemon\'s error: {english_error}')

for lang in wanted:
    po = os.path.join(po_dir, lang + '.po')
    check(lang in linguas, f'{lang} is in po/LINGUAS')
    if not os.path.exists(po):
        check(False, f'{po} exists')
        continue
    stats = subprocess.run(['msgfmt', '--check', '--statistics', '-o', '/dev/null', po],
                           capture_output=True, text=True)
    check(stats.returncode == 0, f'msgfmt --check {lang}.po: {stats.stderr.strip()}')
    check('untranslated' not in stats.stderr and 'fuzzy' not in stats.stderr,
          f'{lang}.po is complete: {stats.stderr.strip()}')
    catalogue, fuzzy = parse_po(po)
    missing = [m for m in marked if not catalogue.get(m) or m in fuzzy]
    check(not missing, f'{lang}.po translates every string the sources mark' +
          ''.join(f'\n#   {m}' for m in missing[:20]))
    env = {'LANGUAGE': lang, 'FERRY_LOCALEDIR': locale_dir}

    # ferryctl --help: no line as in English.
    out = run(env, ferryctl, '--help').stdout
    left = [l for l in out.splitlines() if l.strip() and l.strip() in english_lines]
    check(out.strip() != '' and not left,
          f'ferryctl --help in {lang} has no English line' +
          ''.join(f'\n#   {l}' for l in left))

    # A sentence of the daemon, in the language ferryctl runs in.
    shown_error = ferryctl_error({'LANGUAGE': lang})
    wanted_error = catalogue.get(daemon_msgid, '').replace('%s', 'ftp')
    check(wanted_error != '' and wanted_error in shown_error and shown_error != english_error,
          f'ferryctl in {lang} shows the daemon\'s error in {lang}: {shown_error}')

    # The main window and the add dialog, under Xvfb.
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, 'strings.txt')
        env_gui = dict(env, FERRY_STRINGS_OUT=path)
        proc = run(env_gui, 'xvfb-run', '-a', '-s', '-screen 0 1280x1024x24', test_rows,
                   '-p', '/gui/strings')
        shown = open(path, encoding='utf-8').read().splitlines() if os.path.exists(path) else []
        check(proc.returncode == 0 and len(shown) > 20,
              f'the window and add dialog in {lang} were read ({len(shown)} texts)' +
              ('' if proc.returncode == 0 else '\n# ' + proc.stderr[-2000:].replace('\n', '\n# ')))
        untranslated = sorted({s for s in shown
                               if s in catalogue and (catalogue[s] in ('', None) or
                                                      catalogue[s] != s or s in fuzzy)})
        translated = [s for s in shown if s not in catalogue]
        check(not untranslated,
              f'no English text in the window or add dialog in {lang}' +
              ''.join(f'\n#   “{s}”' for s in untranslated))
        check(len(translated) > 10, f'{lang}: {len(translated)} texts shown in translation')

bus.terminate()
bus.wait()
bus_home.cleanup()
print(f'1..{n}')
sys.exit(1 if failures else 0)
