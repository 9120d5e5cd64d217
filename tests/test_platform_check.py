"""Item 1 of issue 15: on a machine without the X11 libraries Qt's xcb plugin needs,
`make run` names them with the install command for the system, and the selftest opens
a real window when a display exists. The last test is the fresh-machine check on a
real X server (Xvfb, installed with apt-get when missing and allowed)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from leadtriage import platform_check as pc

ROOT = Path(__file__).resolve().parent.parent
LDD = """\tlinux-vdso.so.1 (0x00007ffd)
\tlibQt6XcbQpa.so.6 => /x/PySide6/Qt/lib/libQt6XcbQpa.so.6 (0x00007f)
\tlibxcb-icccm.so.4 => not found
\tlibxcb-keysyms.so.1 => not found
\tlibxcb-cursor.so.0 => /lib/x86_64-linux-gnu/libxcb-cursor.so.0 (0x00007f)
\tlibxcb-icccm.so.4 => not found
\tlibfoo-bar2.so.3 => not found
"""


def test_missing_libraries_are_read_from_ldd_and_named_per_system():
    missing = pc.missing_libraries(LDD)
    assert missing == ("libxcb-icccm.so.4", "libxcb-keysyms.so.1", "libfoo-bar2.so.3")
    result = pc.Result(Path("libqxcb.so"), missing, "apt")
    assert result.packages("apt") == ["libxcb-icccm4", "libxcb-keysyms1", "libfoo-bar2-3"]
    assert "sudo apt-get install -y libxcb-icccm4 libxcb-keysyms1 libfoo-bar2-3" in result.message()
    assert "dnf" not in result.message()  # one command: this system's
    unknown = pc.Result(Path("libqxcb.so"), missing[:2], None).message()
    assert "sudo dnf install -y xcb-util-wm xcb-util-keysyms" in unknown
    assert "sudo pacman -S --needed xcb-util-wm xcb-util-keysyms" in unknown
    assert "apt-get install -y libxcb-icccm4 libxcb-keysyms1" in unknown


def test_package_manager_and_platform_from_the_environment():
    assert pc.package_manager('ID=ubuntu\nID_LIKE=debian\n') == "apt"
    assert pc.package_manager('ID="fedora"\n') == "dnf"
    assert pc.package_manager('ID=manjaro\nID_LIKE=arch\n') == "pacman"
    assert pc.platform_to_check({"DISPLAY": ":0"}) == "xcb"
    assert pc.platform_to_check({"DISPLAY": ":0", "QT_QPA_PLATFORM": "xcb"}) == "xcb"
    assert pc.platform_to_check({"DISPLAY": ":0", "QT_QPA_PLATFORM": "offscreen"}) is None
    assert pc.platform_to_check({"DISPLAY": ":0", "WAYLAND_DISPLAY": "wayland-0", "XDG_SESSION_TYPE": "wayland"}) is None
    assert pc.platform_to_check({}) is None


def test_make_run_checks_the_platform_before_starting_the_app():
    if shutil.which("make") is None:
        pytest.skip("no make on this machine")
    done = subprocess.run(["make", "-n", "run"], cwd=ROOT, capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, timeout=60, check=False)
    lines = [line for line in done.stdout.splitlines() if "platform_check" in line or line.endswith("/leadtriage")]
    assert lines and "leadtriage.platform_check" in lines[0] and lines[-1].endswith("leadtriage")


# -- the fresh-machine check on a real X server ---------------------------------------


def _apt_install(*packages: str) -> bool:
    """apt-get install as root, never asking (no stdin), refreshing the lists once if
    the first try cannot find a package."""
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        return False
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    command = ["apt-get", "install", "-y", "-q", "-o", "DPkg::Lock::Timeout=300", *packages]
    for attempt in range(2):
        if attempt:
            subprocess.run(["apt-get", "update", "-q", "-o", "DPkg::Lock::Timeout=300"], env=env,
                           stdin=subprocess.DEVNULL, capture_output=True, timeout=900, check=False)
        done = subprocess.run(command, env=env, stdin=subprocess.DEVNULL, capture_output=True, timeout=900,
                              check=False)
        if done.returncode == 0:
            return True
    return False


@pytest.fixture
def x_display():
    """A real X server for this test: Xvfb (installed with apt-get if needed)."""
    if shutil.which("Xvfb") is None and not _apt_install("xvfb"):
        pytest.skip("no Xvfb, and it cannot be installed here (needs root and apt-get)")
    read, write = os.pipe()
    server = subprocess.Popen(["Xvfb", "-displayfd", str(write), "-nolisten", "tcp", "-screen", "0", "1280x800x24"],
                              stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              pass_fds=(write,))
    os.close(write)
    try:
        with os.fdopen(read) as ready:
            number = ready.readline().strip()  # written once the server accepts clients
        assert number.isdigit(), "Xvfb did not start"
        yield f":{number}"
    finally:
        server.terminate()
        server.wait(timeout=30)


def _display_env(display: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "WAYLAND_DISPLAY")}
    env["DISPLAY"] = display
    return env


def _probe(env) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "leadtriage", "--probe-display"], env=env, capture_output=True,
                          text=True, stdin=subprocess.DEVNULL, timeout=120, check=False)


def _check(env) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "leadtriage.platform_check"], env=env, capture_output=True,
                          text=True, stdin=subprocess.DEVNULL, timeout=120, check=False)


def test_on_a_real_x_server_the_check_predicts_qt_and_its_command_fixes_it(x_display):
    env = _display_env(x_display)
    check, probe = _check(env), _probe(env)
    assert (check.returncode == 0) == (probe.returncode == 0), (check.stderr, probe.stderr)
    if check.returncode != 0:
        # A machine like a bare Debian: the check names what Qt needs, the selftest fails
        # on the real display with the same advice, and the printed command fixes it.
        assert "Install them with" in check.stderr
        selftest = subprocess.run([sys.executable, "-m", "leadtriage", "--selftest"], env=env, capture_output=True,
                                  text=True, stdin=subprocess.DEVNULL, timeout=300, check=False)
        assert selftest.returncode == 1 and "FAIL  real display" in selftest.stdout
        assert "Install them with" in selftest.stdout
        command = next(line.strip() for line in check.stderr.splitlines() if "apt-get install" in line)
        packages = command.split("install -y", 1)[1].split()
        if not _apt_install(*packages):
            pytest.skip(f"cannot run {command} here (needs root and apt-get)")
        check, probe = _check(env), _probe(env)
        assert check.returncode == 0, check.stderr
    assert probe.returncode == 0 and probe.stdout.strip() == "xcb", probe.stderr
    selftest = subprocess.run([sys.executable, "-m", "leadtriage", "--selftest"], env=env, capture_output=True,
                              text=True, stdin=subprocess.DEVNULL, timeout=300, check=False)
    assert selftest.returncode == 0, selftest.stdout
    assert "ok    real display" in selftest.stdout and "xcb" in selftest.stdout
