"""Build the bundle for this OS, package it, and smoke-test what a user would get.

    python packaging/build.py            (make package runs this inside .venv)
    python packaging/build.py --no-build (package + smoke-test an existing dist/)

Linux:   dist/LeadTriage/ (bundle + share/ + install.sh) and
         dist/LeadTriage-<version>-linux-<arch>.tar.gz
Windows: dist/LeadTriage/, then the Inno Setup installer when `iscc` is on PATH
macOS:   dist/LeadTriage.app, then a .dmg when `hdiutil` is available

The smoke test runs the built executable the way a user would (outside the source
tree, without the virtual environment): `--version`, `--selftest` (demo database,
main window offscreen, a brief to PDF), a demo big enough to use the spawn process
pool (proves freeze_support), and on Linux the archive is unpacked and installed
into a scratch prefix first.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import tomllib
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DIST = ROOT / "dist"
WORK = ROOT / "build" / "pyinstaller"
VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]["version"]
LINUX = sys.platform.startswith("linux")


def log(message: str) -> None:
    print(f"[package] {message}", flush=True)


def folder_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def mb(n: int) -> str:
    return f"{n / 1e6:.0f} MB"


def pyinstaller() -> None:
    subprocess.run([sys.executable, "-m", "PyInstaller", "--noconfirm", "--clean", "--log-level", "WARN",
                    "--distpath", str(DIST), "--workpath", str(WORK), str(HERE / "leadtriage.spec")],
                   check=True, cwd=ROOT)


def bundle_dir() -> Path:
    return DIST / "LeadTriage.app" if sys.platform == "darwin" else DIST / "LeadTriage"


def console_executable(bundle: Path) -> Path:
    if sys.platform == "win32":
        return bundle / "leadtriage-cli.exe"
    if sys.platform == "darwin":
        return bundle / "Contents" / "MacOS" / "leadtriage-cli"
    return bundle / "leadtriage"


# -- Linux: desktop integration inside the bundle, and the archive --------------------

def add_linux_desktop_files(bundle: Path) -> None:
    share = bundle / "share"
    if share.exists():
        shutil.rmtree(share)
    (share / "applications").mkdir(parents=True)
    shutil.copy2(HERE / "linux" / "leadtriage.desktop", share / "applications")
    (share / "metainfo").mkdir()
    shutil.copy2(HERE / "linux" / "io.leadtriage.LeadTriage.metainfo.xml", share / "metainfo")
    shutil.copytree(HERE / "linux" / "icons", share / "icons")
    scalable = share / "icons" / "hicolor" / "scalable" / "apps"
    scalable.mkdir(parents=True)
    shutil.copy2(ROOT / "resources" / "icons" / "leadtriage.svg", scalable / "leadtriage.svg")
    for name in ("install.sh",):
        shutil.copy2(HERE / "linux" / name, bundle / name)
        (bundle / name).chmod(0o755)
    shutil.copy2(HERE / "linux" / "README.txt", bundle / "README.txt")


def make_archive(bundle: Path) -> Path:
    archive = DIST / f"LeadTriage-{VERSION}-linux-{platform.machine()}.tar.gz"
    with tarfile.open(archive, "w:gz", compresslevel=6) as tar:
        tar.add(bundle, arcname=bundle.name)
    return archive


# -- Windows / macOS installers (only where the tools exist) --------------------------

def windows_installer() -> Path | None:
    iscc = shutil.which("iscc") or shutil.which("ISCC.exe")
    if not iscc:
        log("Inno Setup (iscc) not found: skipping the installer; see packaging/README.md")
        return None
    subprocess.run([iscc, f"/DAppVersion={VERSION}", f"/DSourceDir={bundle_dir()}", f"/O{DIST}",
                    str(HERE / "windows" / "leadtriage.iss")], check=True)
    return DIST / f"LeadTriage-{VERSION}-setup.exe"


def macos_dmg() -> Path | None:
    if not shutil.which("hdiutil"):
        return None
    dmg = DIST / f"LeadTriage-{VERSION}.dmg"
    dmg.unlink(missing_ok=True)
    subprocess.run(["hdiutil", "create", "-volname", "LeadTriage", "-srcfolder", str(bundle_dir()),
                    "-ov", "-format", "UDZO", str(dmg)], check=True)
    return dmg


# -- smoke test ----------------------------------------------------------------------

def clean_env(home: Path) -> dict[str, str]:
    """What a user's shell has: no virtual environment, no source tree on the path."""
    env = {k: v for k, v in os.environ.items()
           if k not in {"PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "LEADTRIAGE_DB"}}
    venv_bin = str(Path(sys.executable).parent)
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep) if p != venv_bin)
    env["LEADTRIAGE_HOME"] = str(home)
    env["QT_QPA_PLATFORM"] = "offscreen"
    return env


def run_timed(cmd: list[str], env: dict[str, str], cwd: Path, timeout: float = 300) -> tuple[float, str]:
    started = time.perf_counter()
    proc = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout)
    seconds = time.perf_counter() - started
    output = proc.stdout + proc.stderr
    if proc.returncode != 0:
        raise SystemExit(f"[package] FAILED ({proc.returncode}): {' '.join(cmd)}\n{output}")
    return seconds, output


def smoke_test(executable: Path, scratch: Path) -> dict[str, float]:
    env = clean_env(scratch / "home")
    times: dict[str, float] = {}
    times["version"], out = run_timed([str(executable), "--version"], env, scratch)
    if VERSION not in out:
        raise SystemExit(f"[package] FAILED: --version printed {out!r}, expected {VERSION}")
    log(f"--version: {out.strip()} ({times['version']:.2f} s)")
    times["selftest"], out = run_timed([str(executable), "--selftest"], env, scratch)
    sys.stdout.write("".join(f"    {line}\n" for line in out.splitlines()))
    if "selftest passed" not in out or "(bundle)" not in out:
        raise SystemExit("[package] FAILED: the selftest did not report a pass from the bundle")
    # 20,000 leads take the bulk path: a spawn process pool of this very executable.
    times["bulk demo"], out = run_timed(
        [str(executable), "demo", "--leads", "20000", "--db", str(scratch / "bulk.db"), "--json"], env, scratch)
    if '"leads": 20000' not in out:
        raise SystemExit(f"[package] FAILED: bulk demo printed {out!r}")
    log(f"bulk demo (spawn pool) 20,000 leads in {times['bulk demo']:.1f} s")
    # The sample booth list (cp1252, ';', German headers and country names): readers,
    # normalisers and pycountry's name tables must all be inside the bundle.
    sample = ROOT / "resources" / "samples" / "trade-show-scans.csv"
    times["import"], out = run_timed(
        [str(executable), "import", str(sample), "--db", str(scratch / "bulk.db"), "--json"], env, scratch)
    imported = json.loads(out)
    if imported["rows"] != imported["inserted"] + imported["merged"] + imported["duplicates_flagged"] \
            + imported["rejected"] or imported["inserted"] == 0:
        raise SystemExit(f"[package] FAILED: sample import printed {out!r}")
    log(f"sample list imported: {imported['inserted']} new leads in {times['import']:.1f} s")
    # 40 PDFs or more print with a helper process: this executable again, under spawn.
    times["pdf export"], out = run_timed(
        [str(executable), "export", "--db", str(scratch / "bulk.db"), "--status", "qualified", "--format", "pdf",
         "--out", str(scratch / "briefs"), "--json"], env, scratch)
    files = [Path(f) for f in json.loads(out)["files"]]
    if len(files) < 40 or not all(f.stat().st_size > 1000 for f in files):
        raise SystemExit(f"[package] FAILED: PDF export wrote {len(files)} files")
    log(f"{len(files)} PDF briefs (helper process) in {times['pdf export']:.1f} s")
    return times


def smoke_test_archive(archive: Path, scratch: Path) -> None:
    unpacked = scratch / "unpacked"
    with tarfile.open(archive) as tar:
        tar.extractall(unpacked, filter="tar")
    bundle = unpacked / "LeadTriage"
    prefix = scratch / "prefix"
    env = clean_env(scratch / "home2")
    env["PREFIX"] = str(prefix)
    run_timed(["sh", str(bundle / "install.sh")], env, scratch)
    installed = prefix / "bin" / "leadtriage"
    _, out = run_timed([str(installed), "--version"], env, scratch)
    if VERSION not in out:
        raise SystemExit("[package] FAILED: the installed launcher does not run")
    desktop = prefix / "share" / "applications" / "leadtriage.desktop"
    if shutil.which("desktop-file-validate"):
        run_timed(["desktop-file-validate", str(desktop)], env, scratch)
    run_timed(["sh", str(prefix / "lib" / "leadtriage" / "install.sh"), "--uninstall"], env, scratch)
    if installed.exists() or desktop.exists():
        raise SystemExit("[package] FAILED: --uninstall left files behind")
    log("archive: unpacked, installed into a scratch prefix, started, uninstalled")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-build", action="store_true", help="reuse the existing dist/ bundle")
    args = parser.parse_args()
    started = time.perf_counter()
    if not args.no_build:
        log(f"building LeadTriage {VERSION} for {sys.platform} with PyInstaller")
        pyinstaller()
        log(f"PyInstaller done in {time.perf_counter() - started:.0f} s")
    bundle = bundle_dir()
    if not bundle.exists():
        raise SystemExit(f"[package] no bundle at {bundle}; run without --no-build")
    artefact: Path | None = None
    if LINUX:
        add_linux_desktop_files(bundle)
        artefact = make_archive(bundle)
    elif sys.platform == "win32":
        artefact = windows_installer()
    elif sys.platform == "darwin":
        artefact = macos_dmg()
    with tempfile.TemporaryDirectory(prefix="leadtriage-smoke-") as tmp:
        scratch = Path(tmp)
        times = smoke_test(console_executable(bundle), scratch)
        if LINUX and artefact:
            smoke_test_archive(artefact, scratch)
    log(f"bundle: {bundle} ({mb(folder_size(bundle))} unpacked)")
    if artefact:
        log(f"artefact: {artefact} ({mb(artefact.stat().st_size)})")
    log(f"start + --version: {times['version']:.2f} s; full selftest: {times['selftest']:.1f} s")
    log("smoke test passed")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
