"""A throw-away PostgreSQL server on this machine: for the team tests, `make team-demo`
and the team bench. Not used by a real team, whose server is run by someone else.

The server listens on 127.0.0.1 only, on a free port, with its data in a fresh
temporary folder and password (SCRAM) authentication for every TCP login, so the
roles and row-level security behave as on a real server. PostgreSQL refuses to run
as root; when we are root (CI, containers) the server runs as an unprivileged system
user (`postgres` when the Debian package made one, else `nobody`) and the data
folder is handed to that user.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

INSTALL_HINT = "apt-get install -y postgresql   (Debian/Ubuntu; as root)"


class ServerUnavailable(RuntimeError):
    pass


def find_bin_dir() -> Path:
    """The folder holding initdb, pg_ctl and postgres: PATH first, then the Debian
    layout (/usr/lib/postgresql/<major>/bin, newest major first)."""
    on_path = shutil.which("initdb")
    if on_path:
        return Path(os.path.realpath(on_path)).parent
    majors = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                    key=lambda p: int(Path(p).parent.parent.name) if Path(p).parent.parent.name.isdigit() else 0)
    if majors:
        return Path(majors[-1]).parent
    raise ServerUnavailable(f"PostgreSQL server programs (initdb) not found; install them: {INSTALL_HINT}")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _server_user() -> pwd.struct_passwd | None:
    """The user to run the server as, or None to run it as ourselves (not root)."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    raise ServerUnavailable("running as root, and there is no 'postgres' or 'nobody' user to run PostgreSQL as")


@dataclass
class LocalServer:
    """One running server. `superuser` / `password` is its bootstrap superuser."""

    root: Path
    port: int
    bin_dir: Path
    superuser: str = "lt_admin"
    password: str = field(default_factory=lambda: os.urandom(12).hex())
    _user: pwd.struct_passwd | None = None

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    def url(self, user: str | None = None, dbname: str = "postgres", password: str | None = None) -> str:
        user = user or self.superuser
        auth = f"{user}:{password}" if password else user
        return f"postgresql://{auth}@127.0.0.1:{self.port}/{dbname}"

    def admin_url(self, dbname: str = "postgres") -> str:
        return self.url(self.superuser, dbname, self.password)

    # -- life cycle ------------------------------------------------------------------

    def _run(self, args: list[str], **kw) -> subprocess.CompletedProcess:
        kw.setdefault("env", {**os.environ, "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8"})
        if self._user is not None:
            kw["user"], kw["group"], kw["extra_groups"] = self._user.pw_uid, self._user.pw_gid, []
        return subprocess.run(args, capture_output=True, text=True, check=False, **kw)

    def init(self) -> None:
        self._user = _server_user()
        mode = os.stat("/dev/null").st_mode & 0o666
        if self._user is not None and mode != 0o666:
            # Seen on a shared machine: something had made /dev/null 0600, and then
            # every PostgreSQL tool run as another user fails in odd ways.
            raise ServerUnavailable(f"/dev/null has mode {mode:o}, not 666; PostgreSQL's tools running as "
                                    f"{self._user.pw_name} need it (fix: chmod 666 /dev/null)")
        self.root.mkdir(parents=True, exist_ok=True)
        pwfile = self.root / "pw"
        pwfile.write_text(self.password + "\n")
        if self._user is not None:
            # The whole folder belongs to the server's user; nothing else on the
            # machine may read it (0700).
            for p in (self.root, pwfile):
                os.chown(p, self._user.pw_uid, self._user.pw_gid)
        os.chmod(self.root, 0o700)
        done = self._run([str(self.bin_dir / "initdb"), "-D", str(self.data_dir), "-U", self.superuser,
                          f"--pwfile={pwfile}", "--auth=scram-sha-256", "--encoding=UTF8",
                          "--no-instructions"], cwd=self.root)
        pwfile.unlink()
        if done.returncode != 0:
            raise ServerUnavailable(f"initdb failed: {done.stderr.strip()[-800:]}")
        with open(self.data_dir / "postgresql.conf", "a") as conf:
            conf.write(
                "\n# LeadTriage local server\n"
                "listen_addresses = '127.0.0.1'\n"
                f"port = {self.port}\n"
                f"unix_socket_directories = '{self.root}'\n"
                "max_connections = 120\n"
                "fsync = on\n"
                "logging_collector = off\n"
            )

    def start(self, timeout: float = 60.0) -> None:
        log = self.root / "server.log"
        done = self._run([str(self.bin_dir / "pg_ctl"), "-D", str(self.data_dir), "-l", str(log),
                          "-w", "-t", str(int(timeout)), "start"], cwd=self.root)
        if done.returncode != 0:
            tail = log.read_text(errors="replace")[-1500:] if log.exists() else ""
            raise ServerUnavailable(f"PostgreSQL did not start: {done.stderr.strip()} {tail}")
        self._wait_for_tcp(timeout)

    def _wait_for_tcp(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                if time.monotonic() > deadline:
                    raise ServerUnavailable(f"PostgreSQL is not accepting connections on port {self.port}") from None
                time.sleep(0.05)

    def stop(self, mode: str = "fast") -> None:
        if (self.data_dir / "postmaster.pid").exists():
            self._run([str(self.bin_dir / "pg_ctl"), "-D", str(self.data_dir), "-m", mode, "-w", "stop"],
                      cwd=self.root)

    def is_running(self) -> bool:
        return self._run([str(self.bin_dir / "pg_ctl"), "-D", str(self.data_dir), "status"],
                         cwd=self.root).returncode == 0

    def destroy(self) -> None:
        self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)


def start_local_server(root: str | os.PathLike[str] | None = None, port: int | None = None) -> LocalServer:
    """Create and start a server. `root` must not be under a folder the server's user
    cannot enter (root's pytest folders are 0700): by default a fresh folder in /tmp."""
    bin_dir = find_bin_dir()
    if root is None:
        root = tempfile.mkdtemp(prefix="leadtriage-pg-")
        os.chmod(root, 0o755)
    server = LocalServer(Path(root) / "pg", port or free_port(), bin_dir)
    server.init()
    server.start()
    return server
