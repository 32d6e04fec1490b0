"""Configuration versions: every applied role configuration, numbered, in the database.

    1  "system"   the files in use when the server first started
    2  <user id>  an editor's change (PUT /api/config/{file}), with its message
    3  "disk"     a hand edit of the files on disk, noticed and valid
    4  <user id>  a rollback to 2: a NEW version holding 2's files ("restores version 2")

A version holds the three YAML files in full, its author, time, message, parent and the
sha256 of the files; versions are never changed or deleted. The database is the truth that
every server and worker sharing it follows: each process keeps a ``LiveConfig``, which knows
the version its runtime runs (``loaded``), the parsed configuration of each version it used
(a flow runs every stage on the version it started with, whatever is applied meanwhile) and
what the files on disk looked like when it last looked.

``LiveConfig.refresh()`` runs at each job and on configuration requests, and is cheap: three
``stat`` calls and one ``max(number)``.

- Files on disk that changed (a hand edit of ``HIRECREW_CONFIG_DIR``) are checked as a whole:
  valid, they become a version (author "disk") and apply; invalid, each problem is logged with
  its file, key and line, audited (``config_rejected``), and the last good version stays.
- A version newer than ``loaded`` (applied by another process) is loaded, swapped into the
  runtime and written to this process's configuration directory.

Every change, a rollback included, is validated with the current code before it is recorded.
"""

from __future__ import annotations

import difflib
import hashlib
import logging
import os
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from config.errors import ConfigError, ConfigIssue
from config.loader import FILES
from config.schema import RoleConfig
from config.settings import Settings, active_config_dir
from crews.catalog import ReferencePolicy, check_llm_roles, load_config, references_in
from server.db.models import ConfigVersion
from server.errors import NotFound

if TYPE_CHECKING:
    from crews.flow import Runtime

log = logging.getLogger(__name__)

NAMES: tuple[str, ...] = tuple(FILES.values())  # agents.yaml, tasks.yaml, crews.yaml
SYSTEM = "system"
DISK = "disk"
_COLUMNS = {"agents.yaml": "agents_yaml", "tasks.yaml": "tasks_yaml", "crews.yaml": "crews_yaml"}
_CACHED_CONFIGS = 16
_WRITE_TRIES = 3


# --- where the files live ------------------------------------------------------------------


MESSAGE_CHARS = 1000  # ConfigVersion.message


def editable_dir(settings: Settings) -> Path:
    """Where configuration changes are written: ``HIRECREW_CONFIG_DIR``, else
    ``<data>/config``."""
    return (settings.config_dir or settings.data_path / "config").expanduser().resolve()


# --- pure helpers --------------------------------------------------------------------------


def file_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def files_sha256(files: Mapping[str, str]) -> str:
    """The sha256 of the three files together (names and lengths included, so no two sets of
    files share one)."""
    digest = hashlib.sha256()
    for name in NAMES:
        data = files[name].encode("utf-8")
        digest.update(f"{name}\0{len(data)}\0".encode())
        digest.update(data)
    return digest.hexdigest()


def files_of(row: ConfigVersion) -> dict[str, str]:
    """A version's three files: name -> YAML text."""
    return {name: str(getattr(row, column)) for name, column in _COLUMNS.items()}


def api_references(settings: Settings, current: Mapping[str, str]) -> ReferencePolicy:
    """What a change through the API may name as ``module:Class``: the packages the operator
    allowed, and the references already in force (``current``: the files being changed)."""
    return ReferencePolicy(settings.server.plugin_modules, references_in(current))


def check_files(
    settings: Settings,
    files: Mapping[str, str],
    *,
    references: ReferencePolicy | None = None,
) -> RoleConfig:
    """Load three files as the current code would, from a scratch directory.

    Args:
        settings: whose per-role model settings must name agents that exist.
        files: every one of ``NAMES`` -> its YAML text.
        references: which ``module:Class`` references may be named (None: any).

    Returns:
        The validated configuration.

    Raises:
        ConfigError: every problem, each with its file (by name), key and line.
    """
    with tempfile.TemporaryDirectory(prefix="hirecrew-config-") as scratch:
        directory = Path(scratch)
        for name in NAMES:
            (directory / name).write_text(files[name], encoding="utf-8")
        try:
            config = load_config(directory, references=references)
            check_llm_roles(config, settings.llm)
        except ConfigError as exc:
            issues = [
                ConfigIssue(Path(i.file.name) if i.file else None, i.key, i.line, i.message)
                for i in exc.issues
            ]
            raise ConfigError("the configuration is invalid", issues) from exc
        except yaml.YAMLError as exc:
            # The loader re-reads some values on its own (``key: `` is one) and lets that
            # parser's error through: still a file that cannot be used.
            raise ConfigError(
                "the configuration is invalid",
                [ConfigIssue(None, "", None, f"invalid YAML: {exc}")],
            ) from exc
    return config


def unified_diff(
    before: Mapping[str, str], after: Mapping[str, str], *, old: str, new: str
) -> dict[str, str]:
    """Per file, the unified diff from ``before`` to ``after`` ("" where a file is unchanged),
    labelled ``<old>/<file>`` and ``<new>/<file>``."""
    return {
        name: "".join(
            difflib.unified_diff(
                before[name].splitlines(keepends=True),
                after[name].splitlines(keepends=True),
                fromfile=f"{old}/{name}",
                tofile=f"{new}/{name}",
            )
        )
        for name in NAMES
    }


def _read_dir(directory: Path) -> dict[str, str] | None:
    """The three files of a directory, or None when one is missing or unreadable."""
    try:
        return {name: (directory / name).read_text(encoding="utf-8") for name in NAMES}
    except (OSError, UnicodeDecodeError):
        return None


def _signature(directory: Path) -> tuple[Any, ...]:
    """What changes when a file of ``directory`` is edited: its path, and each file's
    modification time and size (a missing file counts as one)."""
    stats: list[Any] = [str(directory)]
    for name in NAMES:
        try:
            stat = (directory / name).stat()
        except OSError:
            stats.append(None)
            continue
        stats.append((stat.st_mtime_ns, stat.st_size))
    return tuple(stats)


def _newest_mtime(directory: Path) -> datetime | None:
    times = [(directory / name).stat().st_mtime for name in NAMES if (directory / name).is_file()]
    return datetime.fromtimestamp(max(times), UTC) if times else None


def _write_atomically(path: Path, text: str) -> None:
    # A unique name: processes in containers sharing the directory may all be pid 1.
    handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    tmp = Path(name)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        tmp.replace(path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _describe(exc: ConfigError) -> str:
    return "; ".join(str(issue) for issue in exc.issues) or str(exc)


# --- queries ---------------------------------------------------------------------------------


def latest_number(session: Session) -> int | None:
    """The newest version's number (None before the first)."""
    return session.scalar(select(func.max(ConfigVersion.number)))


def get_version(session: Session, number: int) -> ConfigVersion:
    """Raises:
    NotFound: there is no such version (the message says which exist)."""
    row = session.get(ConfigVersion, number)
    if row is None:
        latest = latest_number(session)
        known = f"versions are 1 to {latest}" if latest else "there is no version yet"
        raise NotFound(f"no configuration version {number}: {known}")
    return row


def list_versions(
    session: Session, *, limit: int = 50, before: int | None = None
) -> list[ConfigVersion]:
    """Versions, newest first; ``before`` pages back (versions numbered below it)."""
    query = select(ConfigVersion).order_by(ConfigVersion.number.desc()).limit(limit)
    if before is not None:
        query = query.where(ConfigVersion.number < before)
    return list(session.scalars(query))


def diff_versions(session: Session, *, old: int, new: int) -> dict[str, str]:
    """Per file, the unified diff from version ``old`` to version ``new``.

    Raises:
        NotFound: either version does not exist.
    """
    before, after = get_version(session, old), get_version(session, new)
    return unified_diff(files_of(before), files_of(after), old=f"v{old}", new=f"v{new}")


# --- this process's view ---------------------------------------------------------------------


@dataclass(frozen=True)
class Recorded:
    """What applying a change did: the new version, the one before, the files that changed."""

    number: int
    parent: int | None
    changed: tuple[str, ...]
    sha256_before: dict[str, str | None]
    sha256_after: dict[str, str]
    config: RoleConfig


class LiveConfig:
    """The configuration versions as one process (a server, a worker, a CLI command) sees
    them; see the module docstring. Thread-safe."""

    def __init__(
        self,
        *,
        settings: Settings,
        sessions: sessionmaker[Session],
        writes: sessionmaker[Session],
        audit: Any,
    ) -> None:
        self.settings = settings
        self.sessions = sessions
        self._writes = writes
        self.audit = audit
        self._lock = threading.RLock()
        self._runtime: Runtime | None = None
        self._configs: OrderedDict[int, RoleConfig] = OrderedDict()
        self._disk: tuple[Any, ...] | None = None  # the files' signature when last looked at
        self._unusable: set[int] = set()  # versions this code cannot run (warned once)
        self.loaded: int | None = None
        self._loaded_sha256: str | None = None

    def bind(self, runtime: Runtime) -> None:
        """The runtime whose ``config`` follows the loaded version."""
        with self._lock:
            self._runtime = runtime
            if self.loaded is not None:
                runtime.config = self.config_of(self.loaded)

    # --- reading ---

    def config_of(self, number: int) -> RoleConfig:
        """The parsed configuration of a version (kept for the versions used lately).

        Raises:
            NotFound: no such version.
            ConfigError: it no longer validates with the current code.
        """
        with self._lock:
            config = self._configs.get(number)
            if config is not None:
                self._configs.move_to_end(number)
                return config
        with self.sessions() as session:
            files = files_of(get_version(session, number))
        try:
            config = check_files(self.settings, files)
        except ConfigError as exc:
            raise ConfigError(
                f"configuration version {number} is not valid with this code", exc.issues
            ) from exc
        self._remember(number, config)
        return config

    def _remember(self, number: int, config: RoleConfig) -> None:
        with self._lock:
            self._configs[number] = config
            self._configs.move_to_end(number)
            while len(self._configs) > _CACHED_CONFIGS:
                self._configs.popitem(last=False)

    # --- following the database and the disk ---

    def refresh(self) -> int:
        """Notice a hand edit on disk, then follow the newest version; returns the version
        now loaded (see the module docstring).

        Raises:
            ConfigError: only when there is no version yet and the files on disk are invalid
                (nothing good to run).
        """
        with self._lock:
            with self.sessions() as session:
                latest = latest_number(session)
            latest = self._check_disk(latest)
            assert latest is not None  # the disk check records the first version
            if latest != self.loaded and latest not in self._unusable:
                try:
                    self._load(latest)
                except ConfigError as exc:
                    # E.g. a newer version that names a tool this (older) code lacks.
                    self._unusable.add(latest)
                    log.warning(
                        "configuration version %s cannot run here: %s", latest, _describe(exc)
                    )
                    if self.loaded is None:
                        self._load_newest_valid(below=latest, error=exc)
                    log.warning("configuration version %s stays in force", self.loaded)
            assert self.loaded is not None
            return self.loaded

    def _load_newest_valid(self, *, below: int, error: ConfigError) -> None:
        """At start, when the newest version cannot run here: the newest one that can."""
        for number in range(below - 1, max(below - 1 - _CACHED_CONFIGS * 4, 0), -1):
            try:
                self._load(number)
            except (ConfigError, NotFound):
                continue
            return
        raise error

    def _check_disk(self, latest: int | None) -> int | None:
        directory = active_config_dir(self.settings)
        signature = _signature(directory)
        first_look = self._disk is None
        if signature == self._disk and latest is not None:
            return latest
        self._disk = signature
        files = _read_dir(directory)
        if latest is not None:
            with self.sessions() as session:
                row = get_version(session, latest)
                recorded, recorded_at = row.sha256, row.created_at
                newest_files = files_of(row)
                loaded_files = (
                    files_of(get_version(session, self.loaded))
                    if self.loaded is not None and self.loaded != latest
                    else newest_files
                )
            if files is not None and (
                files_sha256(files) in (recorded, self._loaded_sha256)
                or all(files[n] in (newest_files[n], loaded_files[n]) for n in NAMES)
            ):
                # The newest version, or the one this process ran until now and whose files
                # another process is replacing at this moment (file by file, so some may
                # be new and some old): not an edit.
                return latest
            if files is not None and first_look:
                newest = _newest_mtime(directory)
                if newest is not None and newest <= recorded_at:
                    # Older than the newest version: files this process's directory kept
                    # from before (or the bundled defaults), not an edit. They are replaced.
                    return latest
        if files is None:
            message = f"{directory}: a configuration file is missing or unreadable"
            if latest is None:
                raise ConfigError(message)
            log.warning("%s; configuration version %s stays in force", message, latest)
            self.audit.append("config_rejected", actor=DISK, directory=str(directory))
            return latest
        try:
            config = check_files(self.settings, files)
        except ConfigError as exc:
            if latest is None:
                raise ConfigError(
                    f"the configuration in {directory} is invalid", exc.issues
                ) from exc
            for issue in exc.issues:
                where = directory / issue.file.name if issue.file else None
                log.warning(
                    "configuration edited on disk is invalid: %s", replace(issue, file=where)
                )
            log.warning(
                "the edit of %s is ignored; configuration version %s stays in force",
                directory,
                latest,
            )
            self.audit.append(
                "config_rejected",
                actor=DISK,
                directory=str(directory),
                issues=[
                    {
                        "file": i.file.name if i.file else None,
                        "key": i.key,
                        "line": i.line,
                        "message": i.message,
                    }
                    for i in exc.issues
                ],
            )
            return latest
        author = SYSTEM if latest is None else DISK
        message = (
            f"the configuration in use when versions started ({directory})"
            if latest is None
            else f"edited on disk in {directory}"
        )
        recorded_version = self._record(files, config, author=author, message=message)
        return recorded_version.number

    def _load(self, number: int) -> None:
        """Run version ``number`` from now on, and keep the files on disk in step."""
        config = self.config_of(number)
        with self.sessions() as session:
            files = files_of(get_version(session, number))
        self._materialize(files)
        self.loaded = number
        self._loaded_sha256 = files_sha256(files)
        if self._runtime is not None:
            self._runtime.config = config
        log.info("configuration version %s is in force", number)

    def _materialize(self, files: Mapping[str, str]) -> None:
        """Write a version's files where this process reads them (only those that differ)."""
        source = active_config_dir(self.settings)
        if _read_dir(source) == dict(files):
            self._disk = _signature(source)
            return
        target = editable_dir(self.settings)
        try:
            target.mkdir(parents=True, exist_ok=True)
            for name in NAMES:
                path = target / name
                current = path.read_text(encoding="utf-8") if path.is_file() else None
                if current != files[name]:
                    _write_atomically(path, files[name])
        except OSError:
            log.exception("could not write the configuration to %s", target)
        self._disk = _signature(active_config_dir(self.settings))

    # --- changing ---

    def apply(
        self,
        changes: Mapping[str, str],
        *,
        author: str,
        message: str = "",
        restores: int | None = None,
        from_api: bool = False,
    ) -> Recorded:
        """Validate the newest version with ``changes`` swapped in, record it as a new
        version, write it to disk and run it from now on. Audited.

        ``from_api``: the change may add ``module:Class`` references only to the packages in
        ``HIRECREW_SERVER__PLUGIN_MODULES`` (naming one imports it).

        Raises:
            ConfigError: the result is invalid: nothing was changed.
        """
        with self._lock:
            self.refresh()
            for attempt in range(_WRITE_TRIES):
                try:
                    return self._apply_once(
                        changes,
                        author=author,
                        message=message,
                        restores=restores,
                        from_api=from_api,
                    )
                except IntegrityError:
                    # Another process recorded the same number first: redo it on top of that.
                    if attempt == _WRITE_TRIES - 1:
                        raise
                    self.refresh()
            raise AssertionError("unreachable")

    def _apply_once(
        self,
        changes: Mapping[str, str],
        *,
        author: str,
        message: str,
        restores: int | None,
        unless_same: bool = False,
        from_api: bool = False,
    ) -> Recorded:
        """Record one version (``unless_same``: not when the newest holds these files
        already, e.g. recorded by another process that saw the same edit on disk)."""
        with self._writes() as session:
            latest = latest_number(session)
            before = files_of(get_version(session, latest)) if latest is not None else {}
            files = {name: changes.get(name, before.get(name, "")) for name in NAMES}
            policy = api_references(self.settings, before) if from_api else None
            config = check_files(self.settings, files, references=policy)
            if unless_same and latest is not None and before == files:
                self._remember(latest, config)
                return Recorded(latest, None, (), {}, {}, config)
            row = ConfigVersion(
                number=(latest or 0) + 1,
                parent=latest,
                restores=restores,
                author=author,
                message=message,
                sha256=files_sha256(files),
                **{_COLUMNS[name]: files[name] for name in NAMES},
            )
            session.add(row)
            session.commit()
            number = row.number
        recorded = Recorded(
            number=number,
            parent=latest,
            changed=tuple(n for n in NAMES if before.get(n) != files[n]),
            sha256_before={n: file_sha256(before[n]) if n in before else None for n in NAMES},
            sha256_after={n: file_sha256(files[n]) for n in NAMES},
            config=config,
        )
        self._remember(number, config)
        self._load(number)
        return recorded

    def _record(
        self, files: Mapping[str, str], config: RoleConfig, *, author: str, message: str
    ) -> Recorded:
        """Record files found on disk (already validated) as a version, unless the newest
        version holds them already (another process recorded them first)."""
        for attempt in range(_WRITE_TRIES):
            try:
                recorded = self._apply_once(
                    files, author=author, message=message, restores=None, unless_same=True
                )
            except IntegrityError:
                if attempt == _WRITE_TRIES - 1:
                    raise
                continue
            if not recorded.changed or author == SYSTEM:
                return recorded  # the files in use from the start: no change to audit
            self.audit.append(
                "config_changed",
                actor=author,
                version=recorded.number,
                parent=recorded.parent,
                files=list(recorded.changed),
                sha256_before=recorded.sha256_before,
                sha256_after=recorded.sha256_after,
                message=message,
            )
            return recorded
        raise AssertionError("unreachable")

    def rollback(
        self, to: int, *, author: str, message: str = "", from_api: bool = False
    ) -> Recorded:
        """Record version ``to``'s files as a new version (validated with the current code
        first, like any change, ``from_api`` as for ``apply``) and run it. Audited by the
        caller.

        Raises:
            NotFound: no version ``to``.
            ConfigError: version ``to`` is not valid with this code: nothing was changed.
        """
        with self.sessions() as session:
            files = files_of(get_version(session, to))
        text = f"restores version {to}" + (f": {message}" if message else "")
        # The column holds 1,000 characters; the prefix must not push a long message over.
        return self.apply(
            files, author=author, message=text[:MESSAGE_CHARS], restores=to, from_api=from_api
        )


# --- for the command line ------------------------------------------------------------------


def summary(row: ConfigVersion) -> dict[str, Any]:
    """A version without its files, as JSON data."""
    return {
        "number": row.number,
        "parent": row.parent,
        "restores": row.restores,
        "author": row.author,
        "message": row.message,
        "sha256": row.sha256,
        "created_at": row.created_at.isoformat(),
    }


@contextmanager
def open_versions(settings: Settings, *, follow: bool = True) -> Iterator[LiveConfig]:
    """The configuration versions of the configured database (migrated to the current
    schema). ``follow``: followed from this process: the first version is recorded from the
    files on disk when there is none yet, and a hand edit on disk is noticed (``refresh`` has
    run); without it, only read (a command that reads history must not record the files of
    the machine it runs on)."""
    from server.audit_store import SqlAuditLog
    from server.context import write_sessions
    from server.db.engine import make_engine, session_factory
    from server.db.migrate import upgrade

    engine = make_engine(settings.database_url)
    try:
        upgrade(engine)
        versions = LiveConfig(
            settings=settings,
            sessions=session_factory(engine),
            writes=write_sessions(engine),
            audit=SqlAuditLog(engine),
        )
        if follow:
            versions.refresh()
        yield versions
    finally:
        engine.dispose()


def history(versions: LiveConfig, *, limit: int = 50) -> dict[str, Any]:
    """The newest ``limit`` versions (newest first) and the newest number, as JSON data."""
    with versions.sessions() as session:
        return {
            "latest": latest_number(session),
            "versions": [summary(row) for row in list_versions(session, limit=limit)],
        }


def diff(versions: LiveConfig, old: int, new: int | None = None) -> dict[str, Any]:
    """The per-file unified diff from ``old`` to ``new`` (default: the newest), as JSON data.

    Raises:
        NotFound: either version does not exist.
    """
    with versions.sessions() as session:
        target = new if new is not None else latest_number(session) or 0
        files = diff_versions(session, old=old, new=target)
    return {
        "from": old,
        "to": target,
        "files": files,
        "changed": [name for name in NAMES if files[name]],
    }
