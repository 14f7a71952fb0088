"""A throw-away PostgreSQL server on loopback, for the tests and a benchmark.

The distributed search is only as good as its behaviour on a real database
server, so the tests start one (never a mock). ``PostgresServer`` runs
``initdb`` and ``pg_ctl`` from the machine's PostgreSQL installation in a
temporary folder, on a free port of 127.0.0.1, as the ``postgres`` user when
run as root (the server refuses to run as root), and deletes it all on
``stop``.

Test infrastructure, not part of skvision: ``conftest.py`` and
``benchmarks/bench_distributed.py`` load this file by its path (``tests/`` is
not a package).
"""

import getpass
import glob
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

_USER = "skvision"


def postgres_bin_dir():
    """The folder of ``initdb`` and ``pg_ctl``, or None when none is installed."""
    # Debian keeps the server programs out of PATH, one folder per version.
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parts[-2])
    )
    on_path = shutil.which("initdb")
    if on_path:
        candidates.append(str(Path(on_path).resolve().parent))
    for folder in reversed(candidates):
        if (Path(folder) / "initdb").is_file() and (Path(folder) / "pg_ctl").is_file():
            return Path(folder)
    return None


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PostgresServer:
    """A PostgreSQL server of its own, in a temporary folder, on loopback.

    Parameters
    ----------
    bin_dir : path-like or None, default=None
        Folder of ``initdb`` and ``pg_ctl``; None finds the installed ones.

    Examples
    --------
    >>> server = PostgresServer().start()  # doctest: +SKIP
    >>> url = server.create_database("study")  # doctest: +SKIP
    >>> server.stop()  # doctest: +SKIP
    """

    def __init__(self, bin_dir=None):
        self.bin_dir = Path(bin_dir) if bin_dir else postgres_bin_dir()
        self.port = None
        self.folder = None

    def start(self):
        """Create a database cluster and start its server; return ``self``.

        Raises
        ------
        RuntimeError
            When PostgreSQL is not installed or a step fails; the message
            holds the program's output.
        """
        if self.bin_dir is None:
            raise RuntimeError(
                "PostgreSQL is not installed (no initdb under /usr/lib/postgresql "
                "or on PATH); on Debian: apt-get install postgresql"
            )
        self.folder = Path(tempfile.mkdtemp(prefix="skvision-postgres-"))
        if os.geteuid() == 0:
            shutil.chown(self.folder, user="postgres")
        self.port = _free_port()
        self._run("initdb", "-D", self._data, "-U", _USER, "--auth=trust", "--no-sync")
        self._pg_ctl("start", "-o", self._options)
        return self

    def restart(self):
        """Stop the server (closing every connection) and start it again."""
        self._pg_ctl("restart", "-m", "fast", "-o", self._options)

    def pause(self):
        """Stop the server, keeping its data, until ``resume``."""
        self._pg_ctl("stop", "-m", "fast")

    def resume(self):
        """Start the paused server again, on the same port."""
        self._pg_ctl("start", "-o", self._options)

    def stop(self):
        """Stop the server and delete its folder."""
        if self.folder is None:
            return
        try:
            self._pg_ctl("stop", "-m", "immediate", check=False)  # paused: not running
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None

    def create_database(self, name):
        """Create the database ``name``; return its SQLAlchemy URL."""
        self._run(
            "createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", _USER, name
        )
        return f"postgresql://{_USER}@127.0.0.1:{self.port}/{name}"

    @property
    def _data(self):
        return str(self.folder / "data")

    @property
    def _options(self):
        # Loopback only, and the socket in our folder, not in /var/run.
        return f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.folder}"

    def _pg_ctl(self, action, *args, check=True):
        # The server's own output goes to a log: were it our pipe, reading the
        # pipe to its end would wait for the server to exit.
        log = str(self.folder / "server.log")
        self._run(
            "pg_ctl",
            action,
            "-D",
            self._data,
            "-l",
            log,
            "-w",
            "-t",
            "60",
            *args,
            check=check,
        )

    def _run(self, program, *args, check=True):
        command = [str(self.bin_dir / program), *args]
        if os.geteuid() == 0 and getpass.getuser() != "postgres":
            command = ["runuser", "-u", "postgres", "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, cwd=self.folder)
        if check and done.returncode != 0:
            raise RuntimeError(
                f"{' '.join(command)} failed ({done.returncode}): "
                f"{done.stdout[-2000:]}{done.stderr[-2000:]}"
            )
        return done.stdout
