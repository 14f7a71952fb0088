"""Checks of ``storage`` and ``study`` arguments, made before anything runs.

A storage URL that cannot work otherwise fails late and obscurely: an unknown
scheme or a SQLite file in a missing folder as a raw SQLAlchemy error (after
retries meant for workers creating the same tables), an in-memory SQLite
database in the heartbeat thread (every connection sees its own empty
database), a URL given as ``study=`` as an ``AttributeError``. These checks
parse the URL, open one connection and name the argument instead.
"""

import os
from pathlib import Path

import optuna
import sqlalchemy
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError

_EXAMPLES = "e.g. 'sqlite:///study.db' (a file) or 'postgresql://user:password@host/db'"

# Connect-timeout arguments of drivers that otherwise wait for the system's TCP
# timeout (minutes) on an unreachable host; used by the one test connection.
_CONNECT_TIMEOUT = {"psycopg2": "connect_timeout", "psycopg": "connect_timeout"}
_PROBE_TIMEOUT_S = 10
# The first bytes of every SQLite database file.
_SQLITE_HEADER = b"SQLite format 3\x00"


def check_study(study, *, name="study"):
    """Return ``study`` if it is None or an ``optuna.Study``; else a TypeError.

    Parameters
    ----------
    study : optuna.study.Study or None
        The value to check.
    name : str, default="study"
        The argument's name, for the message.

    Returns
    -------
    study : optuna.study.Study or None

    Raises
    ------
    TypeError
        For anything else; a string (a storage URL) gets a hint to use it as
        ``storage``.
    """
    if study is None or isinstance(study, optuna.Study):
        return study
    hint = ""
    if isinstance(study, str | os.PathLike):
        hint = (
            f" To keep the trials in a database, pass study=optuna.create_study("
            f"storage={str(study)!r}, direction='maximize', ...), or use "
            f"run_distributed_search(search, X, y, storage={str(study)!r}, ...)."
        )
    raise TypeError(
        f"{name} must be an optuna.Study or None; got the "
        f"{type(study).__name__} {study!r}.{hint}"
    )


def loaded_study_hint(value, name, expected="a fitted search or an optuna.Study"):
    """The TypeError for a storage URL given where a study or search is expected."""
    return TypeError(
        f"{name} must be {expected}; got the "
        f"{type(value).__name__} {value!r}. To read a stored study, pass "
        f"optuna.load_study(study_name=..., storage={str(value)!r})."
    )


def check_storage(storage, *, stored=False, connect=True):
    """Validate a storage URL or object before any trial runs.

    Parameters
    ----------
    storage : str or optuna.storages.BaseStorage
        A SQLAlchemy database URL or an Optuna storage object. Objects are
        returned as they are.
    stored : bool, default=False
        Whether the storage must already hold a study (for loading): a SQLite
        file must then exist.
    connect : bool, default=True
        Open (and close) one connection to the database, so that an
        unreachable server fails here, once, not in a retry loop.

    Returns
    -------
    storage : str or optuna.storages.BaseStorage
        The argument, unchanged.

    Raises
    ------
    TypeError
        If ``storage`` is neither a string nor an Optuna storage.
    ValueError
        If the URL cannot be parsed, has an unknown scheme, is an in-memory
        SQLite database, names a SQLite file in a missing folder (or, with
        ``stored=True``, a missing file) or a file that is not a SQLite
        database, or its database cannot be reached.
    ImportError
        If the driver of the URL's database is not installed.
    """
    if isinstance(storage, optuna.storages.BaseStorage):
        return storage
    if not isinstance(storage, str):
        hint = ""
        if isinstance(storage, os.PathLike):
            hint = f" For a SQLite file, pass storage='sqlite:///{os.fspath(storage)}'."
        raise TypeError(
            "storage must be a database URL (str) or an optuna storage; got "
            f"{type(storage).__name__} {storage!r}.{hint}"
        )
    url, shown = _parse(storage), shown_storage(storage)
    if url.get_backend_name() == "sqlite":
        _check_sqlite(url, shown, stored=stored)
    engine = _engine(url, shown, connect=connect)
    try:
        if connect:
            _check_connection(engine, url, shown)
    finally:
        engine.dispose()
    return storage


def check_shareable_storage(storage):
    """Refuse an in-memory SQLite ``RDBStorage``, which no other thread can see."""
    if isinstance(storage, optuna.storages.RDBStorage):
        url = sqlalchemy.engine.make_url(storage.url)
        if url.get_backend_name() == "sqlite" and _in_memory(url):
            raise ValueError(_in_memory_message(shown_storage(storage.url)))
    return storage


def shown_storage(storage):
    """``storage`` for a message: the URL (its password hidden), or the type."""
    if not isinstance(storage, str):
        return type(storage).__name__
    try:
        url = sqlalchemy.engine.make_url(storage)
    except ArgumentError:
        return repr(storage)
    if url.password is None:
        return repr(storage)
    return repr(url.render_as_string(hide_password=True))


def _parse(storage):
    try:
        return sqlalchemy.engine.make_url(storage)
    except ArgumentError:
        raise ValueError(
            f"storage={storage!r} is not a database URL; use a SQLAlchemy URL, "
            f"{_EXAMPLES}."
        ) from None


def _in_memory(url):
    database = url.database or ""
    return (
        database in ("", ":memory:")
        or database.startswith("file::memory:")
        or url.query.get("mode") == "memory"
    )


def _in_memory_message(shown):
    return (
        f"storage={shown} is an in-memory SQLite database: every process and "
        "thread (the trials' heartbeats too) sees its own empty one, so it cannot "
        "hold a study that workers share or that is loaded later. Use a file, e.g. "
        "'sqlite:///study.db', or pass an optuna.storages.InMemoryStorage object "
        "for a study of this process only."
    )


def _check_sqlite(url, shown, *, stored):
    if _in_memory(url):
        raise ValueError(_in_memory_message(shown))
    if url.query.get("uri") == "true" or url.database.startswith("file:"):
        return  # a SQLite URI filename; SQLite resolves it
    path = Path(url.database)
    where = f"(relative paths start in {os.getcwd()!r})"
    if not path.parent.is_dir():
        raise ValueError(
            f"storage={shown} is a SQLite file in the folder {str(path.parent)!r}, "
            f"which does not exist {where}. Create the folder, or point the URL at "
            "an existing one."
        )
    if stored and not path.is_file():
        problem = "is a folder" if path.is_dir() else f"does not exist {where}"
        raise ValueError(
            f"storage={shown} names the SQLite file {str(path)!r}, which {problem}, "
            "so it holds no study. Check the path."
        )
    if path.is_file() and not _is_sqlite_file(path):
        raise ValueError(
            f"storage={shown} names the file {str(path)!r}, which is not a SQLite "
            "database (it does not start with SQLite's header). Check the path, "
            "or name a new file for a new database."
        )


def _is_sqlite_file(path):
    """Whether ``path`` is a SQLite database, or empty (SQLite makes one of it)."""
    try:
        with open(path, "rb") as file:
            header = file.read(len(_SQLITE_HEADER))
    except OSError:
        return True  # unreadable: the connection's check says why
    return header in (b"", _SQLITE_HEADER)


def _engine(url, shown, *, connect):
    try:
        driver = url.get_driver_name()  # loads the dialect
    except NoSuchModuleError:
        raise ValueError(
            f"storage={shown} has the unknown database scheme {url.drivername!r}; "
            f"use a SQLAlchemy URL, {_EXAMPLES}."
        ) from None
    connect_args = {}
    timeout = _CONNECT_TIMEOUT.get(driver)
    if connect and timeout is not None and timeout not in url.query:
        # One attempt, but not minutes of waiting on a host that never answers.
        connect_args[timeout] = _PROBE_TIMEOUT_S
    try:
        return sqlalchemy.create_engine(url, connect_args=connect_args)
    except ImportError as error:
        raise ImportError(
            f"storage={shown} needs the Python driver of its database, which is not "
            f"installed ({error}). Install it, or name an installed driver in the "
            "URL (e.g. 'postgresql+psycopg://...')."
        ) from error


def _check_connection(engine, url, shown):
    try:
        with engine.connect():
            pass
    except DBAPIError as error:
        if url.get_backend_name() == "sqlite":
            advice = "Check that it names a SQLite file, not a folder, that this "
            advice += "process may read and write."
        else:
            advice = "Check that the database server runs and is reachable from "
            advice += "this machine, and the URL's user, password, host, port and "
            advice += "database name."
        raise ValueError(
            f"Could not connect to storage={shown}: {error.orig}. {advice}"
        ) from None
