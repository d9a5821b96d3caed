"""A private PostgreSQL cluster and a gunicorn app server, for tests that break things.

Restarting, stopping or restoring the shared PostgreSQL of DATABASE_URL would break
the test runs of everyone else on the machine, so these tests start their own:

    with PostgresCluster() as cluster:             # initdb + start on a free port
        cluster.create_database("aiplus")
        env = site_env(cluster.url("aiplus"), static_root=collect_static(tmp))
        manage(env, "migrate", "--noinput")
        with AppServer(env) as server:             # gunicorn, platform/gunicorn.conf.py
            urllib.request.urlopen(server.url + "/readyz")
            cluster.restart()                      # pg_ctl restart -m fast

As root (CI, this machine) the cluster runs as the `postgres` OS user, which initdb
requires; as anyone else it runs as that user. Used by `loadtest/run.py` and by the
reliability tests (tests/reliability/), which import it from here.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GUNICORN_CONF = ROOT / "platform" / "gunicorn.conf.py"
SITE_SETTINGS = "loadtest.site_settings"
PG_BIN_CANDIDATES = sorted(
    Path("/usr/lib/postgresql").glob("*/bin"),
    key=lambda p: int(re.sub(r"\D", "", p.parent.name) or 0),
    reverse=True,
)


class HarnessError(RuntimeError):
    """A service of the harness did not start or stop as it should."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def find_bindir() -> Path | None:
    """The PostgreSQL server binaries: PG_BINDIR, Debian's newest, or the PATH."""
    configured = os.environ.get("PG_BINDIR")
    candidates = [Path(configured)] if configured else []
    candidates += PG_BIN_CANDIDATES
    which = shutil.which("pg_ctl")
    if which:
        candidates.append(Path(which).parent)
    for candidate in candidates:
        if all((candidate / tool).exists() for tool in ("initdb", "pg_ctl", "postgres")):
            return candidate
    return None


def unavailable_reason() -> str | None:
    """Why a private cluster and gunicorn cannot run here, or None when they can."""
    bindir = find_bindir()
    if bindir is None:
        return "no PostgreSQL server binaries (initdb, pg_ctl) found; set PG_BINDIR"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root but there is no `postgres` OS user to run initdb as"
        if shutil.which("runuser") is None:
            return "running as root but `runuser` is missing"
    for tool in ("pg_dump", "pg_restore"):
        if not (bindir / tool).exists() and shutil.which(tool) is None:
            return f"{tool} not found beside the server binaries"
    try:
        import gunicorn  # noqa: F401, PLC0415
    except ImportError:
        return "gunicorn is not installed"
    return None


def _as_postgres() -> list[str]:
    return ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []


class PostgresCluster:
    """A throwaway PostgreSQL cluster in a temporary directory, on a free port.

    Its socket lives in the same directory; TCP listens on 127.0.0.1 only; every
    local connection is trusted (user `postgres`, no password).
    """

    def __init__(self, bindir: Path | None = None, options: dict[str, str] | None = None) -> None:
        self.bindir = bindir or find_bindir()
        if self.bindir is None:
            raise HarnessError(unavailable_reason() or "no PostgreSQL binaries")
        self.options = {"listen_addresses": "127.0.0.1", **(options or {})}
        self.base = Path(tempfile.mkdtemp(prefix="aiplus-pg-"))
        self.data = self.base / "data"
        self.log_path = self.base / "postgres.log"
        self.port = free_port()
        self.initialized = False

    # --- lifecycle ------------------------------------------------------------------

    def __enter__(self) -> PostgresCluster:
        try:
            self.init()
            self.start()
        except BaseException:
            self.cleanup()
            raise
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.cleanup()

    def _run(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
        command = [*_as_postgres(), str(self.bindir / args[0]), *args[1:]]
        result = subprocess.run(  # noqa: S603 — our own command line
            command, cwd=self.base, capture_output=True, text=True, timeout=timeout, check=False
        )
        if result.returncode != 0:
            raise HarnessError(
                f"{' '.join(args[:2])} failed ({result.returncode}):\n{result.stdout}\n"
                f"{result.stderr}\n{self.log_tail()}"
            )
        return result

    def init(self) -> None:
        if os.geteuid() == 0:
            entry = pwd.getpwnam("postgres")
            os.chown(self.base, entry.pw_uid, entry.pw_gid)
        self._run(
            "initdb",
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "--auth=trust",
            "--encoding=UTF8",
            "--no-locale",
            "--no-sync",
        )
        self.initialized = True

    def _postgres_options(self) -> str:
        options = [f"-p {self.port}", f"-k {self.base}"]
        options += [f"-c {name}={value}" for name, value in self.options.items()]
        return " ".join(options)

    def start(self) -> None:
        self._run(
            "pg_ctl",
            "start",
            "-D",
            str(self.data),
            "-l",
            str(self.log_path),
            "-w",
            "-t",
            "60",
            "-o",
            self._postgres_options(),
        )

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "stop", "-D", str(self.data), "-m", mode, "-w", "-t", "60")

    def restart(self, mode: str = "fast") -> None:
        """`pg_ctl restart -m fast`: sessions are cut, the server is back when it returns."""
        self._run(
            "pg_ctl",
            "restart",
            "-D",
            str(self.data),
            "-l",
            str(self.log_path),
            "-m",
            mode,
            "-w",
            "-t",
            "60",
            "-o",
            self._postgres_options(),
        )

    def is_running(self) -> bool:
        if not self.initialized:
            return False
        command = [*_as_postgres(), str(self.bindir / "pg_ctl"), "status", "-D", str(self.data)]
        return (
            subprocess.run(  # noqa: S603
                command, cwd=self.base, capture_output=True, check=False
            ).returncode
            == 0
        )

    def cleanup(self) -> None:
        """Stop the server (immediately) and delete every file of the cluster."""
        if self.is_running():
            with contextlib.suppress(HarnessError):
                self.stop("immediate")
        shutil.rmtree(self.base, ignore_errors=True)

    def log_tail(self, chars: int = 3000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return ""

    # --- databases ------------------------------------------------------------------

    def url(self, database: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def connect(self, database: str = "postgres"):
        import psycopg  # noqa: PLC0415

        return psycopg.connect(self.url(database), autocommit=True, connect_timeout=5)

    def create_database(self, name: str, template: str | None = None) -> str:
        """CREATE DATABASE (optionally as a copy of `template`); returns its URL."""
        from psycopg import sql  # noqa: PLC0415

        statement = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
        if template:
            statement += sql.SQL(" TEMPLATE {}").format(sql.Identifier(template))
        with self.connect() as connection:
            connection.execute(statement)
        return self.url(name)

    def drop_database(self, name: str) -> None:
        from psycopg import sql  # noqa: PLC0415

        with self.connect() as connection:
            connection.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )

    def tool(self, name: str) -> str:
        """Path of a client tool (pg_dump, pg_restore, psql) of the same version."""
        path = self.bindir / name
        return str(path) if path.exists() else (shutil.which(name) or name)


# --- the Django site ------------------------------------------------------------------


def site_env(
    database_url: str, *, static_root: Path, media_root: Path | None = None, **extra: str
) -> dict[str, str]:
    """The environment of a production-like site (DEBUG off) on plain-HTTP loopback."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": SITE_SETTINGS,
        "AIPLUS_STATIC_ROOT": str(static_root),
        "DATABASE_URL": database_url,
        # Empty, not unset: a REDIS_URL in the caller's environment or .env must not
        # switch on a broker; tasks run eagerly in the web process.
        "REDIS_URL": "",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_SECURE_COOKIES": "0",
        "EMAIL_URL": "dummymail://",
        "SITE_URL": "http://127.0.0.1",
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
    }
    if media_root is not None:
        env["MEDIA_ROOT"] = str(media_root)
    env.update(extra)
    return env


def manage(env: dict[str, str], *args: str, timeout: float = 600) -> str:
    """Run `manage.py <args>` with the given environment; returns its output."""
    result = subprocess.run(  # noqa: S603 — our own command line
        [sys.executable, str(ROOT / "manage.py"), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if result.returncode != 0:
        raise HarnessError(
            f"manage.py {' '.join(args)} failed ({result.returncode}):\n"
            f"{result.stdout[-3000:]}\n{result.stderr[-5000:]}"
        )
    return result.stdout


def collect_static(static_root: Path) -> Path:
    """collectstatic into `static_root` (the manifest that DEBUG=0 needs)."""
    env = site_env("sqlite:///:memory:", static_root=static_root)
    manage(env, "collectstatic", "--noinput", "--verbosity", "0")
    return static_root


class AppServer:
    """gunicorn with platform/gunicorn.conf.py on 127.0.0.1:<free port>, as a subprocess."""

    def __init__(
        self,
        env: dict[str, str],
        *,
        workers: int | None = None,
        threads: int | None = None,
        log_path: Path | None = None,
    ) -> None:
        self.port = free_port()
        self.env = {**env, "GUNICORN_BIND": f"127.0.0.1:{self.port}"}
        if workers is not None:
            self.env["GUNICORN_WORKERS"] = str(workers)
        if threads is not None:
            self.env["GUNICORN_THREADS"] = str(threads)
        self.workers = int(self.env.get("GUNICORN_WORKERS") or (os.cpu_count() or 1) * 2 + 1)
        self.threads = int(self.env.get("GUNICORN_THREADS") or 2)
        if log_path is None:
            handle, name = tempfile.mkstemp(prefix="aiplus-gunicorn-", suffix=".log")
            os.close(handle)
            log_path = Path(name)
        self.log_path = log_path
        self.process: subprocess.Popen | None = None
        self.url = f"http://127.0.0.1:{self.port}"

    @property
    def concurrency(self) -> int:
        """Requests the server handles at once (and database connections it may hold)."""
        return self.workers * self.threads

    def __enter__(self) -> AppServer:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def start(self, timeout: float = 90) -> None:
        self._log = self.log_path.open("ab")
        self.process = subprocess.Popen(  # noqa: S603 — our own command line
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--config",
                str(GUNICORN_CONF),
                # gunicorn's control socket defaults to one path per OS user
                # (~/.gunicorn/gunicorn.ctl), shared with every other gunicorn here.
                "--no-control-socket",
                "config.wsgi:application",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            if self.get("/healthz", timeout=2)[0] == 200:
                return
            time.sleep(0.3)
        self.stop()
        raise HarnessError(f"gunicorn did not answer /healthz:\n{self.log_tail()}")

    def get(self, path: str, timeout: float = 10) -> tuple[int, bytes]:
        """(status, body) of a GET; status 0 when the connection itself failed."""
        try:
            with urllib.request.urlopen(self.url + path, timeout=timeout) as response:  # noqa: S310 — loopback URL we built
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            with error:
                return error.code, error.read()
        except (OSError, urllib.error.URLError):
            return 0, b""

    def stop(self) -> None:
        """SIGTERM (graceful), then SIGKILL to the server's own process group."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(40)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(10)
        self.process = None
        self._log.close()

    def log_tail(self, chars: int = 5000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return ""
