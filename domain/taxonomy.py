"""The skills taxonomy: canonical skills, their aliases, related skills and broader groups.

The curated taxonomy ships with hirecrew (``domain/data/taxonomy.json``, written for the project)
and is all the product needs: ``default_taxonomy()`` never reads anything else. An optional
extension file (the ESCO import written by ``domain.esco``) adds thousands of skills on top; it
lives in the data directory and ``taxonomy_for(data_path)`` loads it when it is there.

Rules that keep lookups unambiguous:

- every term (canonical name or alias) is lowercase, trimmed, single-spaced, and belongs to one
  skill; the curated file is rejected with a ``DomainError`` naming the skill otherwise;
- related skills are symmetric within one source (curated lists ``a -> b`` gives ``b -> a``);
  extension skills may point at curated ones but never add to a curated skill's related list,
  so query expansion of curated skills stays curated;
- on any conflict between the curated taxonomy and an extension, the curated entry wins.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from domain.errors import DomainError

CURATED = "curated"
"""``SkillEntry.source`` of the skills bundled with hirecrew."""

EXTENSION_RELATIVE_PATH = Path("taxonomy") / "esco.json"
"""Where the ESCO extension lives inside the data directory."""


@dataclass(frozen=True, slots=True)
class SkillEntry:
    """One skill of the taxonomy.

    Attributes:
        skill: the canonical name (lowercase).
        group: the broader group ("databases", "nursing & patient care"), if known.
        aliases: other names of the same skill, lowercase, without the canonical name.
        related: canonical names of related skills, as listed by the source.
        source: ``"curated"`` or the extension's source (``"esco"``).
        uri: the concept's URI in the source classification, for extension skills.
    """

    skill: str
    group: str | None
    aliases: tuple[str, ...] = ()
    related: tuple[str, ...] = ()
    source: str = CURATED
    uri: str | None = None


def normalise_term(term: str) -> str:
    """Lowercase, trim and collapse internal whitespace, so lookups ignore layout."""
    return " ".join(term.lower().split())


class Taxonomy:
    """An immutable, validated set of skills with alias, relation and group indexes."""

    def __init__(self, entries: Iterable[SkillEntry]) -> None:
        """Index ``entries``, refusing duplicates, shared terms and unknown related skills.

        Raises:
            DomainError: naming the offending skill.
        """
        self._entries: dict[str, SkillEntry] = {}
        for entry in entries:
            if entry.skill in self._entries:
                raise DomainError(f"taxonomy: skill {entry.skill!r} is defined twice")
            self._entries[entry.skill] = entry
        # Canonical names first, so an alias that repeats another skill's name is reported as
        # a clash with that skill rather than the other way round.
        self._index: dict[str, str] = {name: name for name in self._entries}
        for entry in self._entries.values():
            for alias in entry.aliases:
                owner = self._index.setdefault(alias, entry.skill)
                if owner != entry.skill:
                    raise DomainError(
                        f"taxonomy: alias {alias!r} of skill {entry.skill!r} is already "
                        f"claimed by skill {owner!r}"
                    )
        self._related: dict[str, list[str]] = {name: [] for name in self._entries}
        for entry in self._entries.values():
            for other in entry.related:
                target = self._entries.get(other)
                if target is None:
                    raise DomainError(
                        f"taxonomy: skill {entry.skill!r} lists unknown related skill {other!r}"
                    )
                if other != entry.skill:
                    _append_new(self._related[entry.skill], other)
        # Symmetric within a source; cycles are harmless because nothing walks the graph.
        for entry in self._entries.values():
            for other in entry.related:
                if other != entry.skill and self._entries[other].source == entry.source:
                    _append_new(self._related[other], entry.skill)
        self._groups: dict[str, list[str]] = {}
        for entry in self._entries.values():
            if entry.group:
                self._groups.setdefault(entry.group, []).append(entry.skill)

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, term: object) -> bool:
        return isinstance(term, str) and self.canonical(term) is not None

    def entries(self) -> list[SkillEntry]:
        """All skills, in load order (curated first)."""
        return list(self._entries.values())

    def entry(self, skill: str) -> SkillEntry | None:
        """The entry of a skill given by its canonical name or any alias, or ``None``."""
        canonical = self.canonical(skill)
        return None if canonical is None else self._entries[canonical]

    def canonical(self, term: str) -> str | None:
        """Map a skill name or alias to its canonical name.

        Args:
            term: any spelling, e.g. ``"ECMAScript"`` or ``"K8s"``; case and spacing are ignored.

        Returns:
            The canonical name, or ``None`` when no skill has that name or alias.
        """
        return self._index.get(normalise_term(term))

    def aliases(self, skill: str) -> tuple[str, ...]:
        """The aliases of a skill (without its canonical name); empty when unknown."""
        entry = self.entry(skill)
        return () if entry is None else entry.aliases

    def related(self, skill: str) -> list[str]:
        """Canonical names of the skills related to ``skill``; empty when unknown."""
        canonical = self.canonical(skill)
        return [] if canonical is None else list(self._related[canonical])

    def group(self, skill: str) -> str | None:
        """The broader group of a skill, or ``None`` when unknown or ungrouped."""
        entry = self.entry(skill)
        return None if entry is None else entry.group

    def expand(self, skill: str, *, related: bool = True) -> list[str]:
        """Expand a skill for search: its canonical name, its aliases, then related skills.

        Args:
            skill: a canonical name or alias.
            related: include the canonical names of related skills.

        Returns:
            Distinct lowercase terms, canonical name first. A term the taxonomy does not know
            expands to itself (normalised), so callers can still search for it.
        """
        canonical = self.canonical(skill)
        if canonical is None:
            term = normalise_term(skill)
            return [term] if term else []
        terms = [canonical, *self._entries[canonical].aliases]
        if related:
            terms.extend(self._related[canonical])
        return list(dict.fromkeys(terms))

    def skills_in_group(self, group: str) -> list[str]:
        """Canonical names of the skills in a group (case-insensitive), in load order."""
        return list(self._groups.get(normalise_term(group), ()))

    def groups(self) -> list[str]:
        """All group names, in order of first appearance."""
        return list(self._groups)


def _append_new(items: list[str], item: str) -> None:
    if item not in items:
        items.append(item)


def _terms(value: object, *, what: str, skill: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise DomainError(f"taxonomy: {what} of skill {skill!r} must be a list of strings")
    return tuple(value)


def _parse_entries(data: object, *, origin: str, source: str) -> list[tuple[SkillEntry, str]]:
    """Parse a taxonomy document into entries, each with its optional ``same_as`` target."""
    if not isinstance(data, Mapping) or not isinstance(data.get("skills"), list):
        raise DomainError(f"taxonomy: {origin} must be an object with a 'skills' list")
    parsed: list[tuple[SkillEntry, str]] = []
    for position, item in enumerate(data["skills"]):
        if not isinstance(item, Mapping):
            raise DomainError(f"taxonomy: {origin}: skill #{position} is not an object")
        name = item.get("skill")
        if not isinstance(name, str) or not normalise_term(name):
            raise DomainError(f"taxonomy: {origin}: skill #{position} has no 'skill' name")
        group = item.get("group")
        if group is not None and not isinstance(group, str):
            raise DomainError(f"taxonomy: group of skill {name!r} must be a string")
        uri = item.get("uri")
        same_as = item.get("same_as")
        entry = SkillEntry(
            skill=name,
            group=normalise_term(group) if group else None,
            aliases=_terms(item.get("aliases"), what="aliases", skill=name),
            related=_terms(item.get("related"), what="related", skill=name),
            source=source,
            uri=uri if isinstance(uri, str) else None,
        )
        parsed.append((entry, same_as if isinstance(same_as, str) else ""))
    return parsed


def _check_curated(entry: SkillEntry) -> None:
    """The curated file is written by hand: refuse sloppy terms instead of fixing them."""
    for term in (entry.skill, *entry.aliases, *entry.related):
        if term != normalise_term(term) or not term:
            raise DomainError(
                f"taxonomy: skill {entry.skill!r}: term {term!r} must be lowercase, trimmed "
                "and single-spaced"
            )
    if entry.skill in entry.aliases:
        raise DomainError(f"taxonomy: skill {entry.skill!r} lists itself as an alias")
    if not entry.group:
        raise DomainError(f"taxonomy: skill {entry.skill!r} has no group")


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise DomainError(f"taxonomy: {path} does not exist") from exc
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DomainError(f"taxonomy: cannot read {path}: {exc}") from exc


def parse_curated(data: object, *, origin: str = "curated taxonomy") -> list[SkillEntry]:
    """Validate a curated taxonomy document (the bundled JSON's shape) into entries.

    Raises:
        DomainError: a malformed document, a sloppy term, or (when built into a ``Taxonomy``)
            an alias claimed twice or an unknown related skill, naming the skill.
    """
    entries: list[SkillEntry] = []
    for entry, _same_as in _parse_entries(data, origin=origin, source=CURATED):
        _check_curated(entry)
        entries.append(entry)
    return entries


def _bundled_document() -> Any:
    text = resources.files("domain").joinpath("data", "taxonomy.json").read_text("utf-8")
    return json.loads(text)


def _merge_extension(curated: Sequence[SkillEntry], data: object, origin: str) -> list[SkillEntry]:
    """Add extension skills to the curated ones; the curated side wins every conflict.

    An extension skill whose name (or ``same_as``) is a curated term is folded into that curated
    skill: its unclaimed names become extra aliases. Others become skills of their own, keeping
    only the aliases no one else claims and the related skills that exist.
    """
    source = "extension"
    if isinstance(data, Mapping) and isinstance(data.get("source"), str):
        source = normalise_term(data["source"]) or source
    parsed = _parse_entries(data, origin=origin, source=source)
    index: dict[str, str] = {}
    for entry in curated:
        for term in (entry.skill, *entry.aliases):
            index[term] = entry.skill
    extra_aliases: dict[str, list[str]] = {entry.skill: [] for entry in curated}
    own: dict[str, SkillEntry] = {}
    for raw, same_as in parsed:
        name = normalise_term(raw.skill)
        target = index.get(normalise_term(same_as)) or index.get(name)
        if target is not None and target in extra_aliases:
            # Folded into a curated skill: the curated entry keeps its group and relations.
            for term in (name, *map(normalise_term, raw.aliases)):
                if term and term not in index:
                    index[term] = target
                    extra_aliases[target].append(term)
            continue
        if name in index:  # a second extension concept with the same name: first one wins
            continue
        index[name] = name
        aliases = []
        for term in map(normalise_term, raw.aliases):
            if term and term not in index:
                index[term] = name
                aliases.append(term)
        own[name] = replace(raw, skill=name, aliases=tuple(aliases))
    merged = [replace(e, aliases=e.aliases + tuple(extra_aliases[e.skill])) for e in curated]
    for entry in own.values():
        related = [index[t] for t in map(normalise_term, entry.related) if t in index]
        related = [t for t in dict.fromkeys(related) if t != entry.skill]
        merged.append(replace(entry, related=tuple(related)))
    return merged


def load_taxonomy(extra: Path | None = None) -> Taxonomy:
    """Load the bundled curated taxonomy, plus an optional extension file.

    Args:
        extra: a JSON extension written by ``domain.esco.write_extension`` (or any file of the
            same shape: ``{"source": ..., "skills": [{"skill", "aliases", "related", "group",
            "same_as"?}]}``). Curated entries win on every conflict.

    Returns:
        A validated ``Taxonomy``.

    Raises:
        DomainError: the bundled file is invalid (naming the skill), or ``extra`` cannot be read.
    """
    curated = parse_curated(_bundled_document(), origin="domain/data/taxonomy.json")
    if extra is None:
        return Taxonomy(curated)
    Taxonomy(curated)  # validate the curated side on its own, so its errors name it
    return Taxonomy(_merge_extension(curated, _read_json(extra), str(extra)))


@lru_cache(maxsize=1)
def default_taxonomy() -> Taxonomy:
    """The curated taxonomy bundled with hirecrew, loaded once. It never reads the data dir."""
    return load_taxonomy()


def extension_path(data_path: Path) -> Path:
    """Where ``hirecrew taxonomy import-esco`` writes the ESCO extension under a data dir."""
    return data_path / EXTENSION_RELATIVE_PATH


@lru_cache(maxsize=4)
def _load_extended(path: Path, _mtime_ns: int, _size: int) -> Taxonomy:
    # Keyed by modification time and size, so a re-import is picked up without a restart.
    return load_taxonomy(path)


def taxonomy_for(data_path: Path) -> Taxonomy:
    """The taxonomy for a data directory: curated plus its ESCO extension when one exists.

    Args:
        data_path: the settings' ``data_path``.

    Returns:
        ``default_taxonomy()`` when there is no extension file, else the extended taxonomy
        (cached until the file changes).
    """
    path = extension_path(data_path)
    try:
        stat = path.stat()
    except FileNotFoundError:
        return default_taxonomy()
    return _load_extended(path, stat.st_mtime_ns, stat.st_size)
