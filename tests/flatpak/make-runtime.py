#!/usr/bin/python3
# make-runtime.py DIR: a small Flatpak runtime and SDK made from this Debian machine's own
# packages, committed to the OSTree repository DIR/repo as
#   runtime/org.ferry.LocalPlatform/ARCH/12 and runtime/org.ferry.LocalSdk/ARCH/12.
#
# There is no Flathub here, so the Platform is the dependency closure (Depends and
# Pre-Depends of the installed packages) of what Ferry links and loads at run time, and the
# SDK adds what its meson build runs. Files are hard-linked from /usr and /etc, so the trees
# cost no disk; OSTree then stores them once for both runtimes. A stamp of the package
# versions makes a second run a no-op until the machine's packages change. The repository is
# bare-user-only: pulled through file:// it is read in place, with nothing to compress.
#
# SPDX-License-Identifier: GPL-3.0-or-later

import glob
import hashlib
import os
import shutil
import subprocess
import sys

BRANCH = "12"

PLATFORM = [
    "libc-bin", "dash", "bash", "coreutils", "libglib2.0-0", "libglib2.0-bin",
    "glib-networking", "gsettings-desktop-schemas", "libgtk-4-1", "libadwaita-1-0",
    "libsoup-3.0-0", "libsqlite3-0", "libgdk-pixbuf-2.0-0", "librsvg2-common",
    "fontconfig", "fonts-dejavu-core", "hicolor-icon-theme", "adwaita-icon-theme",
    "shared-mime-info", "ca-certificates",
]
SDK = PLATFORM + [
    "gcc", "libc6-dev", "binutils", "meson", "ninja-build", "pkgconf", "python3",
    "libglib2.0-dev", "libglib2.0-dev-bin", "libgtk-4-dev", "libadwaita-1-dev",
    "libsoup-3.0-dev", "libsqlite3-dev", "gettext", "desktop-file-utils", "findutils",
    "sed", "grep", "diffutils", "tar", "gzip",
]

# What a runtime does not need: documentation and manuals. Translations stay out too, but
# for the runtime's own programs nothing reads them in the test.
SKIP_PREFIXES = ("/usr/share/doc/", "/usr/share/man/", "/usr/share/info/",
                 "/usr/share/lintian/", "/usr/share/locale/", "/usr/share/bug/")


def installed():
    out = subprocess.run(
        ["dpkg-query", "-W", "-f",
         "${Package}\t${Architecture}\t${Version}\t${db:Status-Abbrev}\t${Provides}\t"
         "${Pre-Depends}\t${Depends}\n"],
        check=True, capture_output=True, text=True).stdout
    packages = {}
    provides = {}
    for line in out.splitlines():
        name, arch, version, status, prov, pre, dep = line.split("\t")
        if not status.startswith("ii"):
            continue
        packages[name] = (arch, version, ", ".join(x for x in (pre, dep) if x))
        for p in prov.split(","):
            p = p.strip().split(" ")[0]
            if p:
                provides.setdefault(p, name)
    return packages, provides


def closure(roots, packages, provides):
    seen = set()
    todo = list(roots)
    while todo:
        name = todo.pop()
        name = name.split(":")[0]
        if name not in packages:
            name = provides.get(name)
        if name is None or name in seen:
            continue
        seen.add(name)
        for group in packages[name][2].split(","):
            # "a | b": the first alternative installed here.
            for alt in group.split("|"):
                alt = alt.strip().split(" ")[0].split(":")[0]
                if alt and (alt in packages or alt in provides):
                    todo.append(alt)
                    break
    return sorted(seen)


def files_of(names):
    out = subprocess.run(["dpkg-query", "-L"] + names, check=True, capture_output=True,
                         text=True).stdout
    return sorted(set(line for line in out.splitlines() if line.startswith("/")))


def place(path, files_dir):
    """Where a host path goes in the runtime's usr/ (mounted at /usr; usr/etc is /etc)."""
    if path.startswith("/usr/"):
        return os.path.join(files_dir, path[len("/usr/"):])
    if path.startswith("/etc/"):
        return os.path.join(files_dir, "etc", path[len("/etc/"):])
    for top in ("/lib/", "/lib64/", "/bin/", "/sbin/"):
        if path.startswith(top):   # merged /usr: /lib is /usr/lib
            return os.path.join(files_dir, path[1:])
    return None


def copy_in(path, dest):
    if os.path.islink(path):
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        if not os.path.lexists(dest):
            os.symlink(os.readlink(path), dest)
    elif os.path.isdir(path):
        os.makedirs(dest, exist_ok=True)
    elif os.path.isfile(path):
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        if not os.path.lexists(dest):
            try:
                os.link(path, dest)
            except OSError:
                shutil.copy2(path, dest)


def make_tree(tree, name, names, arch):
    files_dir = os.path.join(tree, "usr")   # build-export --runtime commits usr/
    shutil.rmtree(tree, ignore_errors=True)
    os.makedirs(files_dir)
    os.makedirs(os.path.join(tree, "files"))   # build-export checks the tree was initialised
    for path in files_of(names):
        if path.startswith(SKIP_PREFIXES):
            continue
        dest = place(path, files_dir)
        if dest is not None:
            copy_in(path, dest)
    # Alternatives (cc, pkg-config…) are links dpkg does not list; take the ones that land
    # inside the tree.
    alternatives = os.path.join(files_dir, "etc", "alternatives")
    os.makedirs(alternatives, exist_ok=True)
    for entry in os.listdir("/etc/alternatives"):
        if not os.path.islink(os.path.join("/etc/alternatives", entry)):
            continue
        target = os.readlink(os.path.join("/etc/alternatives", entry))
        inside = place(target, files_dir)
        if inside and os.path.lexists(inside):
            os.symlink(target, os.path.join(alternatives, entry))
    for d in ("/usr/bin", "/usr/sbin"):
        for entry in os.listdir(d):
            path = os.path.join(d, entry)
            if os.path.islink(path) and os.readlink(path).startswith("/etc/alternatives/"):
                alt = os.path.join(files_dir, "etc", os.readlink(path)[len("/etc/"):])
                if os.path.lexists(alt):
                    copy_in(path, place(path, files_dir))
    for f in ("/etc/ld.so.conf", "/etc/nsswitch.conf"):
        copy_in(f, place(f, files_dir))
    # Caches the sandbox needs that Debian makes in maintainer scripts, not package files.
    subprocess.run(["glib-compile-schemas", os.path.join(files_dir, "share/glib-2.0/schemas")],
                   check=True)
    subprocess.run(["update-mime-database", os.path.join(files_dir, "share/mime")],
                   check=False, capture_output=True)
    triplet = arch_triplet()
    loaders = os.path.join(files_dir, "lib", triplet, "gdk-pixbuf-2.0", "2.10.0")
    cache = subprocess.run(["/usr/lib/%s/gdk-pixbuf-2.0/gdk-pixbuf-query-loaders" % triplet]
                           + sorted(glob.glob(os.path.join(loaders, "loaders", "*.so"))),
                           capture_output=True, text=True).stdout
    if cache:
        os.makedirs(loaders, exist_ok=True)
        with open(os.path.join(loaders, "loaders.cache"), "w") as f:
            f.write(cache.replace(files_dir + "/", "/usr/"))
    subprocess.run(["gio-querymodules", os.path.join(files_dir, "lib", triplet, "gio", "modules")],
                   check=False)
    with open(os.path.join(tree, "metadata"), "w") as f:
        f.write("[Runtime]\nname=%s\nruntime=org.ferry.LocalPlatform/%s/%s\n"
                "sdk=org.ferry.LocalSdk/%s/%s\n" % (name, arch, BRANCH, arch, BRANCH))


def arch_triplet():
    return subprocess.run(["gcc", "-dumpmachine"], capture_output=True, text=True,
                          check=True).stdout.strip()


def main():
    top = os.path.abspath(sys.argv[1])
    repo = os.path.join(top, "repo")
    arch = subprocess.run(["flatpak", "--default-arch"], capture_output=True, text=True,
                          check=True).stdout.strip()
    packages, provides = installed()
    platform_names = closure(PLATFORM, packages, provides)
    sdk_names = closure(SDK, packages, provides)
    stamp = hashlib.sha256(("\n".join("%s %s" % (n, packages[n][1]) for n in sdk_names) +
                            "\n" + open(__file__).read()).encode()).hexdigest()
    stamp_file = os.path.join(top, "runtime.stamp")
    if os.path.exists(stamp_file) and open(stamp_file).read() == stamp:
        print("runtime: cached (%d and %d packages)" % (len(platform_names), len(sdk_names)))
        return
    os.makedirs(top, exist_ok=True)
    if not os.path.isdir(repo):
        subprocess.run(["ostree", "init", "--mode=bare-user-only", "--repo", repo], check=True)
    for name, names in (("org.ferry.LocalPlatform", platform_names),
                        ("org.ferry.LocalSdk", sdk_names)):
        tree = os.path.join(top, name)
        make_tree(tree, name, names, arch)
        subprocess.run(["flatpak", "build-export", "--runtime", "--no-update-summary",
                        "--disable-sandbox", repo, tree, BRANCH], check=True)
        shutil.rmtree(tree)
        print("runtime: %s from %d packages" % (name, len(names)))
    subprocess.run(["flatpak", "build-update-repo", repo], check=True)
    with open(stamp_file, "w") as f:
        f.write(stamp)


if __name__ == "__main__":
    main()
