"""Real processes for integration and fault tests: Celery workers and a private Redis.

Fault tests stop and start services; they use a private Redis on a free port so that
other test runs sharing the machine's Redis are not disturbed.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil
from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def worker_environment(
    *, redis_url: str, database_name: str, key_prefix: str = "", **extra: str
) -> dict[str, str]:
    """The environment of a worker process using the test database and the given Redis.

    ``key_prefix`` puts the worker's broker keys under a prefix (tests/worker_settings.py),
    so that workers of parallel test processes sharing a Redis stay apart.
    """
    database = settings.DATABASES["default"]
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.worker_settings",
        "TEST_BROKER_KEY_PREFIX": key_prefix,
        "REDIS_URL": redis_url,
        "DATABASE_URL": (
            f"postgres://{database['USER']}:{database.get('PASSWORD') or ''}@"
            f"{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}/{database_name}"
        ),
        "EMAIL_URL": "consolemail://",
        "LOG_LEVEL": "WARNING",
        # Small chunks: a full re-match of a test catalog fans out to several tasks.
        "MATCHING_CHUNK_NEEDS": "10",
        **extra,
    }


class WorkerProcess:
    """A `celery worker` subprocess on Redis, using the test database (as in production)."""

    def __init__(self, env: dict[str, str], concurrency: int) -> None:
        self.env = env
        self.concurrency = concurrency
        self.process: subprocess.Popen | None = None
        handle, name = tempfile.mkstemp(prefix="celery-worker-", suffix=".log")
        os.close(handle)
        self.log_path = Path(name)

    def start(self) -> None:
        self.stdout = self.log_path.open("w")
        self.process = subprocess.Popen(  # noqa: S603 — our own command line
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config.celery_app",
                "worker",
                "--pool=prefork",
                f"--concurrency={self.concurrency}",
                "--loglevel=INFO",
                "--without-gossip",
                "--without-mingle",
                "-n",
                f"test-{os.getpid()}@%h",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=self.stdout,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if " ready." in self.log_path.read_text(errors="replace"):
                return
            if self.process.poll() is not None:
                break
            time.sleep(0.2)
        raise RuntimeError("celery worker did not start:\n" + self.output())

    def output(self) -> str:
        """Everything the worker printed (its console email backend prints each email)."""
        return self.log_path.read_text(errors="replace")

    def kill(self) -> None:
        """kill -9 the whole worker (main process and pool children)."""
        if self.process and self.process.poll() is None:
            for child in psutil.Process(self.process.pid).children(recursive=True):
                child.kill()
            self.process.kill()
            self.process.wait(10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.kill()
        self.stdout.close()


class PrivateRedis:
    """A Redis server of our own on a free port, which a test may stop and start."""

    def __init__(self) -> None:
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    @staticmethod
    def available() -> bool:
        return shutil.which("redis-server") is not None

    def start(self) -> None:
        self.process = subprocess.Popen(  # noqa: S603
            [
                shutil.which("redis-server") or "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("private redis did not start")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)


class SlowSMTPServer:
    """A minimal SMTP server that takes `delay` seconds to accept each message.

    A message counts as delivered only when the client speaks again after our final
    "250" (QUIT or the next MAIL), i.e. when the client knows it was accepted. A
    client killed during the delay therefore delivers nothing: fault tests can kill
    a worker mid-message deterministically and check exactly-once delivery.
    """

    def __init__(self, delay: float = 0.3) -> None:
        import threading  # noqa: PLC0415

        self.delay = delay
        self.port = free_port()
        self.delivered: list[str] = []  # the To: address of each delivered message
        self.receiving = 0  # messages currently in their delay
        self._lock = threading.Lock()
        self._socket = socket.socket()
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind(("127.0.0.1", self.port))
        self._socket.listen(16)
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def _serve(self) -> None:
        import threading  # noqa: PLC0415

        while True:
            try:
                connection, _ = self._socket.accept()
            except OSError:
                return
            threading.Thread(target=self._session, args=(connection,), daemon=True).start()

    def _session(self, connection: socket.socket) -> None:
        reader = connection.makefile("rb")
        accepted: str | None = None
        recipient = ""

        def reply(text: str) -> None:
            connection.sendall(text.encode() + b"\r\n")

        try:
            reply("220 test SMTP")
            while True:
                line = reader.readline()
                if not line:
                    return
                command = line.decode(errors="replace").strip()
                if accepted is not None:  # the client spoke after our 250: it is delivered
                    with self._lock:
                        self.delivered.append(accepted)
                    accepted = None
                verb = command.split(" ", 1)[0].upper()
                if verb in ("EHLO", "HELO"):
                    reply("250 test")
                elif verb == "RCPT":
                    recipient = command.split(":", 1)[1].strip(" <>")
                    reply("250 ok")
                elif verb == "DATA":
                    reply("354 go on")
                    while reader.readline() not in (b".\r\n", b".\n", b""):
                        pass
                    with self._lock:
                        self.receiving += 1
                    time.sleep(self.delay)
                    with self._lock:
                        self.receiving -= 1
                    reply("250 accepted")
                    accepted = recipient
                elif verb == "QUIT":
                    reply("221 bye")
                    return
                else:
                    reply("250 ok")
        except OSError:
            return
        finally:
            reader.close()
            connection.close()

    def close(self) -> None:
        self._socket.close()
