#!/usr/bin/python3
"""Installs the build into a temporary DESTDIR and checks libferry-1 as an app developer
meets it: headers, ferry-1.pc, the soname, only ferry_* exported, Ferry-1.gir and its
typelib (imported from Python), the reference, and a tiny program compiled and linked with
`pkg-config --cflags --libs ferry-1` that runs.

usage: check-libferry.py BUILD_DIR
"""
import glob
import json
import os
import subprocess
import sys
import tempfile

build = sys.argv[1]
failures = []


def check(condition, message):
    print(("ok      " if condition else "MISSING ") + message)
    if not condition:
        failures.append(message)


PROGRAM = r"""
#include <ferry.h>

int
main (void)
{
  g_autoptr(FerryRequest) request = ferry_request_new ();
  g_autoptr(GError) error = g_error_new_literal (FERRY_ERROR, FERRY_ERROR_NOT_FOUND, "gone");
  g_autofree char *name = g_dbus_error_encode_gerror (error);

  ferry_request_set_flags (request, FERRY_REQUEST_NO_WAIT);
  g_print ("%s %d %s\n", FERRY_VERSION_S, ferry_request_get_flags (request), name);
  return g_type_is_a (FERRY_TYPE_SESSION, G_TYPE_OBJECT) ? 0 : 1;
}
"""

with tempfile.TemporaryDirectory() as dest:
    subprocess.run(["meson", "install", "-C", build, "--destdir", dest, "--no-rebuild",
                    "--quiet"], check=True, stdout=subprocess.DEVNULL)
    info = json.loads(subprocess.run(["meson", "introspect", "--buildoptions", build],
                                     check=True, capture_output=True, text=True).stdout)
    options = {o["name"]: o["value"] for o in info}
    prefix = options["prefix"]
    # build-aux/dev test --asan: the library needs the sanitizers' runtimes loaded first.
    sanitize = options.get("b_sanitize", "none")
    sanitized = sanitize not in ("none", "")

    def installed(path):
        path = path if os.path.isabs(path) else os.path.join(prefix, path)
        return os.path.join(dest, path.lstrip("/"))

    libdir = installed(options["libdir"])
    includedir = installed(os.path.join(options["includedir"], "ferry-1"))
    for header in ("ferry.h", "ferry-version.h", "ferry-enums.h", "ferry-enum-types.h",
                   "ferry-error.h", "ferry-request.h", "ferry-outcome.h", "ferry-session.h",
                   "ferry-transfer.h"):
        check(os.path.exists(os.path.join(includedir, header)), f"header ferry-1/{header}")

    pc = os.path.join(libdir, "pkgconfig", "ferry-1.pc")
    check(os.path.exists(pc), "ferry-1.pc")
    library = os.path.join(libdir, "libferry-1.so.0")
    check(os.path.exists(library), "libferry-1.so.0")
    check(os.path.islink(os.path.join(libdir, "libferry-1.so")), "libferry-1.so link")

    dynamic = subprocess.run(["objdump", "-p", library], capture_output=True, text=True).stdout
    check("SONAME               libferry-1.so.0" in dynamic, "soname libferry-1.so.0")
    symbols = subprocess.run(["nm", "-D", "--defined-only", library], capture_output=True,
                             text=True, check=True).stdout.split("\n")
    exported = [line.split()[-1] for line in symbols if line.strip()]
    stray = [s for s in exported if not s.startswith("ferry_")]
    check(exported and not stray, f"only ferry_* exported ({len(exported)} symbols"
          + (f"; also {stray[:5]}" if stray else "") + ")")

    gir = installed(os.path.join(options["datadir"], "gir-1.0", "Ferry-1.gir"))
    check(os.path.exists(gir), "Ferry-1.gir")
    with open(gir) as f:
        text = f.read()
    named = text.split('shared-library="', 1)[1].split('"', 1)[0].split(",") \
        if 'shared-library="' in text else []
    if sanitized:
        # g-ir-scanner names the runtimes a sanitized library links to as well.
        named = [n for n in named if not n.startswith(("libasan.", "libubsan.", "liblsan."))]
    check(named == ["libferry-1.so.0"], "the GIR names libferry-1.so.0")
    check('<package name="ferry-1"/>' in text, "the GIR names the ferry-1 package")
    typelibs = glob.glob(os.path.join(libdir, "girepository-1.0", "Ferry-1.typelib"))
    check(len(typelibs) == 1, "Ferry-1.typelib")

    env = dict(os.environ, LD_LIBRARY_PATH=libdir,
               GI_TYPELIB_PATH=os.path.join(libdir, "girepository-1.0"))
    if sanitized:
        # Debian's python3 is not built with the sanitizers, and their runtime must be the
        # first library a process loads: it cannot load this build's library at all.
        print("skip    the typelib imports from Python: Python cannot load a library built "
              f"with -fsanitize={sanitize}")
    else:
        imported = subprocess.run(
            ["/usr/bin/python3", "-c",
             "import gi; gi.require_version('Ferry', '1'); from gi.repository import Ferry; "
             "r = Ferry.Request.new(); r.set_flags(Ferry.RequestFlags.NO_WAIT); "
             "print(int(r.get_flags()), Ferry.OutcomeKind.RETRY.value_nick, Ferry.Session)"],
            env=env, capture_output=True, text=True)
        check(imported.returncode == 0 and imported.stdout.startswith("1 retry"),
              "the typelib imports from Python: " + (imported.stdout + imported.stderr).strip())

    docs = installed(os.path.join(options["datadir"], "doc", "Ferry-1", "index.html"))
    if subprocess.run(["sh", "-c", "command -v gi-docgen"], capture_output=True).returncode == 0:
        check(os.path.exists(docs), "the gi-docgen reference")

    # The .pc as installed, moved to the DESTDIR: its prefix= alone says where (a
    # --define-variable would move GLib's too).
    moved = os.path.join(dest, "pkgconfig")
    os.makedirs(moved)
    with open(pc) as f:
        lines = [f"prefix={installed(prefix)}\n" if line.startswith("prefix=") else line
                 for line in f]
    with open(os.path.join(moved, "ferry-1.pc"), "w") as f:
        f.writelines(lines)
    pkg_env = dict(os.environ, PKG_CONFIG_PATH=moved)
    flags = subprocess.run(["pkg-config", "--cflags", "--libs", "ferry-1"],
                           env=pkg_env, capture_output=True, text=True)
    check(flags.returncode == 0, "pkg-config --cflags --libs ferry-1 " + flags.stderr.strip())
    source = os.path.join(dest, "tiny.c")
    program = os.path.join(dest, "tiny")
    with open(source, "w") as f:
        f.write(PROGRAM)
    # A sanitized library is used by a program built the same way, as an app's own
    # sanitized build would be.
    sanitizer_flags = [f"-fsanitize={sanitize}"] if sanitized else []
    compiled = subprocess.run(["cc", "-Werror=implicit-function-declaration", source, "-o",
                               program] + sanitizer_flags + flags.stdout.split(),
                              capture_output=True, text=True)
    check(compiled.returncode == 0, "a program compiles against the installed library "
          + compiled.stderr.strip())
    if compiled.returncode == 0:
        ran = subprocess.run([program], env=env, capture_output=True, text=True)
        check(ran.returncode == 0 and
              "1 io.github.ferryhq.Ferry.Error.NotFound" in ran.stdout,
              "it runs with the installed library: " + (ran.stdout + ran.stderr).strip())
        linked = subprocess.run(["ldd", program], env=env, capture_output=True, text=True)
        check(libdir in linked.stdout, "it links the installed libferry-1.so.0")

if failures:
    sys.exit(f"{len(failures)} checks failed")
