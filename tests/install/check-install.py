#!/usr/bin/python3
"""Installs the build into a temporary DESTDIR and checks that what the desktop entry, the
D-Bus service files, the autostart entry and the Flatpak manifest refer to is there.

usage: check-install.py BUILD_DIR SOURCE_DIR APP_ID
"""
import configparser
import json
import os
import subprocess
import sys
import tempfile

build, source, app_id = sys.argv[1:4]
failures = []


def check(condition, message):
    print(("ok      " if condition else "MISSING ") + message)
    if not condition:
        failures.append(message)


with tempfile.TemporaryDirectory() as dest:
    subprocess.run(["meson", "install", "-C", build, "--destdir", dest, "--no-rebuild",
                    "--quiet"], check=True, stdout=subprocess.DEVNULL)

    # The build's prefix, as meson recorded it.
    info = json.loads(subprocess.run(["meson", "introspect", "--buildoptions", build],
                                     check=True, capture_output=True, text=True).stdout)
    options = {o["name"]: o["value"] for o in info}
    prefix = options["prefix"]

    def installed(path):
        path = path if os.path.isabs(path) else os.path.join(prefix, path)
        return os.path.join(dest, path.lstrip("/"))

    def entry(path, group):
        parser = configparser.ConfigParser(interpolation=None, strict=False)
        parser.optionxform = str
        parser.read(installed(path))
        return parser[group]

    share = options["datadir"]
    desktop = entry(f"{share}/applications/{app_id}.desktop", "Desktop Entry")
    check(os.path.exists(installed(f"{options['bindir']}/{desktop['Exec'].split()[0]}")),
          f"desktop entry Exec={desktop['Exec']} in {options['bindir']}")
    check(desktop.get("DBusActivatable") == "true", "desktop entry is DBusActivatable")
    check(os.path.exists(installed(f"{share}/icons/hicolor/scalable/apps/{desktop['Icon']}.svg")),
          f"icon {desktop['Icon']}.svg")
    check(os.path.exists(installed(f"{share}/icons/hicolor/symbolic/apps/{desktop['Icon']}-symbolic.svg")),
          f"symbolic icon {desktop['Icon']}-symbolic.svg")

    for name in (app_id, app_id + ".Daemon"):
        service = entry(f"{share}/dbus-1/services/{name}.service", "D-BUS Service")
        check(service["Name"] == name, f"D-Bus service file names {name}")
        exe = service["Exec"].split()[0]
        check(os.path.isfile(installed(exe)) and os.access(installed(exe), os.X_OK),
              f"D-Bus service {name} runs {exe}")

    autostart = entry(f"{options['sysconfdir']}/xdg/autostart/{app_id}.Daemon-autostart.desktop",
                      "Desktop Entry")
    check(os.path.exists(installed(autostart["Exec"].split()[0])),
          f"autostart runs {autostart['Exec']}")

    check(os.path.exists(installed(f"{share}/glib-2.0/schemas/{app_id}.gschema.xml")),
          f"settings schema {app_id}.gschema.xml")
    check(os.path.exists(installed(f"{share}/metainfo/{app_id}.metainfo.xml")),
          "AppStream metainfo")
    check(os.path.exists(installed(f"{share}/dbus-1/interfaces/io.github.ferryhq.Ferry.Daemon.xml")),
          "D-Bus interface description")
    for page in ("ferryctl.1", "ferry.1"):
        check(os.path.exists(installed(f"{options['mandir']}/man1/{page}")), f"man page {page}")
    check(os.path.exists(installed(f"{options['bindir']}/ferryctl")), "ferryctl")

    with open(os.path.join(source, "flatpak", "io.github.ferryhq.Ferry.json")) as f:
        manifest = json.load(f)
    check(manifest.get("id", manifest.get("app-id")) == "io.github.ferryhq.Ferry",
          "Flatpak manifest id is the app id")
    check(os.path.exists(installed(f"{options['bindir']}/{manifest['command']}")),
          f"Flatpak command {manifest['command']} is installed")
    check(not any(a.startswith("--filesystem=home") or a == "--filesystem=host"
                  for a in manifest["finish-args"]), "Flatpak asks for no home or host access")

print(f"{len(failures)} missing")
sys.exit(1 if failures else 0)
