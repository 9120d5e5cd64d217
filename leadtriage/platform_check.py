"""Can Qt open a window here? The X11 (xcb) platform plugin inside PySide6 needs
system libraries that a bare Debian/Ubuntu/Fedora/Arch machine may lack. When one is
missing, Qt aborts with a message that names the wrong library ("xcb-cursor0 is
needed") however many others are missing. This check asks the dynamic linker (`ldd`
on the plugin) which libraries it cannot find and prints the one install command for
this system, with the package names of its package manager.

    python -m leadtriage.platform_check      (`make run` runs it before the app)

Exit 0 when a window can open (or there is no X display to check against: offscreen,
Wayland, macOS, Windows), 1 with the install command when libraries are missing.
No Qt import: it must work exactly when Qt would not.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from importlib.util import find_spec
from pathlib import Path

# soname -> package per package manager (apt: Debian/Ubuntu, dnf: Fedora/RHEL, pacman: Arch).
PACKAGES: dict[str, tuple[str, str, str]] = {
    "libxcb-icccm.so.4": ("libxcb-icccm4", "xcb-util-wm", "xcb-util-wm"),
    "libxcb-keysyms.so.1": ("libxcb-keysyms1", "xcb-util-keysyms", "xcb-util-keysyms"),
    "libxcb-cursor.so.0": ("libxcb-cursor0", "xcb-util-cursor", "xcb-util-cursor"),
    "libxcb-image.so.0": ("libxcb-image0", "xcb-util-image", "xcb-util-image"),
    "libxcb-render-util.so.0": ("libxcb-render-util0", "xcb-util-renderutil", "xcb-util-renderutil"),
    "libxcb-util.so.1": ("libxcb-util1", "xcb-util", "xcb-util"),
    "libxcb.so.1": ("libxcb1", "libxcb", "libxcb"),
    "libxcb-xinerama.so.0": ("libxcb-xinerama0", "libxcb", "libxcb"),
    "libxcb-xkb.so.1": ("libxcb-xkb1", "libxcb", "libxcb"),
    "libxcb-randr.so.0": ("libxcb-randr0", "libxcb", "libxcb"),
    "libxcb-shape.so.0": ("libxcb-shape0", "libxcb", "libxcb"),
    "libxcb-shm.so.0": ("libxcb-shm0", "libxcb", "libxcb"),
    "libxcb-sync.so.1": ("libxcb-sync1", "libxcb", "libxcb"),
    "libxcb-xfixes.so.0": ("libxcb-xfixes0", "libxcb", "libxcb"),
    "libxcb-render.so.0": ("libxcb-render0", "libxcb", "libxcb"),
    "libxcb-glx.so.0": ("libxcb-glx0", "libxcb", "libxcb"),
    "libxcb-xinput.so.0": ("libxcb-xinput0", "libxcb", "libxcb"),
    "libxkbcommon-x11.so.0": ("libxkbcommon-x11-0", "libxkbcommon-x11", "libxkbcommon-x11"),
    "libxkbcommon.so.0": ("libxkbcommon0", "libxkbcommon", "libxkbcommon"),
    "libX11-xcb.so.1": ("libx11-xcb1", "libX11-xcb", "libx11"),
    "libX11.so.6": ("libx11-6", "libX11", "libx11"),
    "libSM.so.6": ("libsm6", "libSM", "libsm"),
    "libICE.so.6": ("libice6", "libICE", "libice"),
    "libEGL.so.1": ("libegl1", "libglvnd-egl", "libglvnd"),
    "libGL.so.1": ("libgl1", "libglvnd-glx", "libglvnd"),
    "libOpenGL.so.0": ("libopengl0", "libglvnd-opengl", "libglvnd"),
    "libGLX.so.0": ("libglx0", "libglvnd-glx", "libglvnd"),
    "libfontconfig.so.1": ("libfontconfig1", "fontconfig", "fontconfig"),
    "libfreetype.so.6": ("libfreetype6", "freetype", "freetype2"),
    "libdbus-1.so.3": ("libdbus-1-3", "dbus-libs", "dbus"),
    "libglib-2.0.so.0": ("libglib2.0-0", "glib2", "glib2"),
    "libgthread-2.0.so.0": ("libglib2.0-0", "glib2", "glib2"),
}
MANAGERS = ("apt", "dnf", "pacman")
INSTALL = {
    "apt": "sudo apt-get install -y {}",
    "dnf": "sudo dnf install -y {}",
    "pacman": "sudo pacman -S --needed {}",
}


@dataclass(frozen=True)
class Result:
    plugin: Path | None
    missing: tuple[str, ...]  # sonames the linker cannot find
    manager: str | None  # apt, dnf, pacman, or None when unknown

    @property
    def ok(self) -> bool:
        return not self.missing

    def packages(self, manager: str) -> list[str]:
        """Package names for `manager`, each once, in the order found."""
        column = MANAGERS.index(manager)
        names = [PACKAGES[s][column] if s in PACKAGES else _guess(s, manager) for s in self.missing]
        return list(dict.fromkeys(names))

    def message(self) -> str:
        lines = [f"LeadTriage cannot open a window: Qt's X11 platform plugin needs {len(self.missing)} system "
                 f"librar{'y' if len(self.missing) == 1 else 'ies'} this machine does not have: "
                 f"{', '.join(self.missing)}.",
                 "(Qt itself would abort with a message that may name only xcb-cursor0.)"]
        managers = [self.manager] if self.manager else list(MANAGERS)
        lines.append("Install them with:" if self.manager else "Install them with the command for your system:")
        lines += [f"    {INSTALL[m].format(' '.join(self.packages(m)))}" for m in managers]
        return "\n".join(lines)


def _guess(soname: str, manager: str) -> str:
    """A library not in the table: Debian names it after the soname (libfoo.so.1 ->
    libfoo1); other systems are left to the user with the soname itself."""
    if manager != "apt":
        return soname
    match = re.fullmatch(r"(lib[\w.+-]+?)\.so\.(\d+)", soname)
    if not match:
        return soname
    base, number = match.groups()
    return f"{base.lower()}{'-' if base[-1].isdigit() else ''}{number}"


def xcb_plugin() -> Path | None:
    """libqxcb.so inside the installed PySide6 (found without importing Qt)."""
    spec = find_spec("PySide6")
    if spec is None or not spec.submodule_search_locations:
        return None
    for folder in spec.submodule_search_locations:
        plugin = Path(folder) / "Qt" / "plugins" / "platforms" / "libqxcb.so"
        if plugin.is_file():
            return plugin
    return None


def missing_libraries(ldd_output: str) -> tuple[str, ...]:
    """Sonames `ldd` reports as "not found", each once."""
    found = re.findall(r"^\s*(\S+)\s+=>\s+not found", ldd_output, flags=re.MULTILINE)
    return tuple(dict.fromkeys(found))


def package_manager(os_release: str | None = None) -> str | None:
    """apt, dnf or pacman from /etc/os-release (ID and ID_LIKE), else by which tool exists."""
    if os_release is None:
        try:
            os_release = Path("/etc/os-release").read_text("utf-8", errors="replace")
        except OSError:
            os_release = ""
    ids = " ".join(re.findall(r"^(?:ID|ID_LIKE)=\"?([^\"\n]*)", os_release, flags=re.MULTILINE)).lower().split()
    for family, manager in (("debian", "apt"), ("ubuntu", "apt"), ("fedora", "dnf"), ("rhel", "dnf"),
                            ("centos", "dnf"), ("arch", "pacman")):
        if family in ids:
            return manager
    for tool, manager in (("apt-get", "apt"), ("dnf", "dnf"), ("pacman", "pacman")):
        if shutil.which(tool):
            return manager
    return None


def platform_to_check(environ: dict[str, str] | os._Environ = os.environ) -> str | None:
    """'xcb' when Qt will use X11 on a display here; None when there is nothing to check
    (offscreen or another plugin chosen, Wayland session, no display, not Linux)."""
    if not sys.platform.startswith("linux"):
        return None
    chosen = environ.get("QT_QPA_PLATFORM", "").split(":")[0].split(";")[0].strip().lower()
    if chosen and chosen != "xcb":
        return None
    if not chosen and environ.get("WAYLAND_DISPLAY") and environ.get("XDG_SESSION_TYPE") == "wayland":
        return None
    return "xcb" if environ.get("DISPLAY") else None


def check(plugin: Path | None = None) -> Result:
    """Run `ldd` on the xcb plugin (which lists what the plugin and everything it links
    need, all the way down)."""
    plugin = plugin or xcb_plugin()
    if plugin is None or shutil.which("ldd") is None:
        return Result(plugin, (), package_manager())
    done = subprocess.run(["ldd", str(plugin)], capture_output=True, text=True, stdin=subprocess.DEVNULL,
                          timeout=60, check=False)
    return Result(plugin, missing_libraries(done.stdout + done.stderr), package_manager())


def main() -> int:
    if platform_to_check() is None:
        return 0
    result = check()
    if result.ok:
        return 0
    sys.stderr.write(result.message() + "\n")
    return 1


if __name__ == "__main__":
    raise SystemExit(main())
