"""Import the ESCO skills classification as an extension of the curated taxonomy.

ESCO (European Skills, Competences, Qualifications and Occupations, "ESCO, European Commission")
publishes its classification as CSV files in a zip. This module reads ``skills_en.csv`` (one
concept per row: ``conceptUri``, ``preferredLabel``, newline-separated ``altLabels``,
``skillType``, ``reuseLevel``...) and, when present (in the same zip or in the relations zip),
``broaderRelationsSkillPillar.csv`` with ``skillsHierarchy_en.csv`` for each skill's group and
``skillSkillRelations.csv`` for related skills.

Every concept becomes a skill named by its lowercased preferred label. Alternative labels become
aliases only when they are safe to look up: long enough, not a stop word, not a number, not
claimed by a curated skill and not shared by two ESCO concepts. A concept whose preferred label
is a curated term ("accounting", "JavaScript", "Python (computer programming)") is linked to that
curated skill (``same_as``) instead of becoming a second skill with the same meaning.

The result is written as a JSON extension that ``domain.taxonomy.load_taxonomy`` reads; the
product never needs it at run time.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import tempfile
import zipfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from domain.errors import DomainError
from domain.taxonomy import Taxonomy, default_taxonomy, normalise_term

SOURCE = "esco"
ATTRIBUTION = "ESCO, European Commission"

SKILLS_CSV = "skills_en.csv"
HIERARCHY_CSV = "skillsHierarchy_en.csv"
BROADER_CSV = "broaderRelationsSkillPillar"  # a prefix: "_en.csv" in some releases
RELATED_CSV = "skillSkillRelations"

MIN_ALIAS_CHARS = 4
MAX_ALIAS_WORDS = 8
MAX_RELATED = 12

# Reasons an alias or concept is left out, as reported by ``hirecrew taxonomy import-esco``.
SKIP_SHORT = "alias shorter than 4 characters"
SKIP_STOP = "alias is a stop word or generic word"
SKIP_NUMBER = "alias has no letters"
SKIP_LONG = f"alias longer than {MAX_ALIAS_WORDS} words"
SKIP_CURATED = "alias claimed by a curated skill"
SKIP_SHARED = "alias shared by several ESCO skills"
SKIP_LOOSE = "single-word alias unlike its label"
SKIP_NO_LABEL = "concept without a preferred label"
SKIP_DUPLICATE = "concept with a duplicate preferred label"

# Words that are never a skill on their own; a label made only of these would match everywhere.
_STOP_WORDS = frozenset(
    """a about above after again all also am an and any are as at be because been before being
    below between both but by can could did do does doing down during each few for from further
    had has have having he her here hers him his how i if in into is it its itself just me more
    most my no nor not now of off on once only or other our out over own same she should so some
    such than that the their them then there these they this those through to too under until up
    very was we were what when where which while who whom why will with would you your
    ability abilities activities activity area areas basic general good knowledge manage
    management new other others practice practices process processes related skill skills
    support system systems task tasks theory tools use using various work working""".split()
)
_HAS_LETTER = re.compile(r"[^\W\d_]")
_QUALIFIER = re.compile(r"\s*\([^()]*\)\s*$")


@dataclass(frozen=True, slots=True)
class EscoSkill:
    """One ESCO concept as imported.

    Attributes:
        skill: the lowercased preferred label (the concept's canonical name).
        uri: the ESCO concept URI.
        skill_type: ``"skill/competence"`` or ``"knowledge"``.
        reuse_level: ``"transversal"``, ``"cross-sector"``, ``"sector-specific"``...
        aliases: safe alternative labels, lowercased.
        related: canonical names of related skills (ESCO relations, curated matches).
        group: the concept's level-1 group in the ESCO hierarchy, when relations were given.
        same_as: the curated skill this concept is the same as, if any.
    """

    skill: str
    uri: str
    skill_type: str = ""
    reuse_level: str = ""
    aliases: tuple[str, ...] = ()
    related: tuple[str, ...] = ()
    group: str | None = None
    same_as: str | None = None


@dataclass(slots=True)
class EscoImport:
    """What ``import_esco`` produced, with the counts the CLI reports.

    Attributes:
        skills: every imported concept, linked ones included, in file order.
        rows: concepts read from ``skills_en.csv``.
        skipped: reason -> how many concepts or aliases were left out for it.
        grouped: whether broader relations were found (so ``group`` is filled in).
    """

    skills: list[EscoSkill] = field(default_factory=list)
    rows: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    grouped: bool = False

    @property
    def linked(self) -> int:
        """Concepts folded into a curated skill."""
        return sum(1 for skill in self.skills if skill.same_as)

    @property
    def alias_count(self) -> int:
        """Aliases kept over all imported concepts."""
        return sum(len(skill.aliases) for skill in self.skills)


def _member(archive: zipfile.ZipFile, prefix: str) -> str | None:
    """The archive member whose file name starts with ``prefix`` and ends in ``.csv``."""
    for name in archive.namelist():
        base = PurePosixPath(name).name
        if base.startswith(prefix) and base.endswith(".csv"):
            return name
    return None


def _rows(archive: zipfile.ZipFile, name: str) -> Iterator[dict[str, str]]:
    """Stream one CSV member as dicts, without extracting it."""
    with archive.open(name) as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
        for row in csv.DictReader(text):
            yield {key: value or "" for key, value in row.items() if key is not None}


def _open(path: Path) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(path)
    except FileNotFoundError as exc:
        raise DomainError(f"ESCO import: {path} does not exist") from exc
    except (OSError, zipfile.BadZipFile) as exc:
        raise DomainError(f"ESCO import: {path} is not a readable zip: {exc}") from exc


def _echoes(word: str, label: str) -> bool:
    """Whether a one-word alias is a form of a one-word label ("typographies", "gimp")."""
    words = _QUALIFIER.sub("", label).split()
    # One word of a longer label ("staff" of "manage musical staff", "access" of "microsoft
    # access") names something broader than the skill, so it is no alias.
    return len(words) == 1 and (words[0].startswith(word[:5]) or word.startswith(words[0][:5]))


def _alias_problem(alias: str, label: str) -> str | None:
    """Why an alternative label cannot be an alias in its own right, or ``None``."""
    if not _HAS_LETTER.search(alias):
        return SKIP_NUMBER
    if len(alias) < MIN_ALIAS_CHARS:
        return SKIP_SHORT
    words = alias.split()
    if len(words) > MAX_ALIAS_WORDS:
        return SKIP_LONG
    if all(word.strip(".,;:-'\"") in _STOP_WORDS for word in words):
        return SKIP_STOP
    # ESCO lists loose one-word synonyms ("press" for journalism, "access" for Microsoft
    # Access, "diet" for nutrition) that would match everyday prose; keep only one-word forms
    # of a one-word label itself or technical tokens with digits or symbols ("py3k", "php-fpm").
    if len(words) == 1 and alias.isalpha() and not _echoes(alias, label):
        return SKIP_LOOSE
    return None


def _link(label: str, curated: Taxonomy) -> str | None:
    """The curated skill an ESCO preferred label names, ignoring a "(qualifier)" suffix."""
    found = curated.canonical(label)
    if found is None:
        bare = _QUALIFIER.sub("", label)
        if bare != label and bare:
            found = curated.canonical(bare)
    return found


def _hierarchy(
    archive: zipfile.ZipFile, broader: dict[str, list[str]]
) -> tuple[dict[str, str], dict[str, int]]:
    """Group URI -> label and -> level (0 to 3) from the skills hierarchy CSV.

    Each row is a path from level 0 down, so it also gives every group its parent group; those
    links are added to ``broader``.
    """
    labels: dict[str, str] = {}
    levels: dict[str, int] = {}
    name = _member(archive, HIERARCHY_CSV.removesuffix(".csv"))
    if name is None:
        return labels, levels
    for row in _rows(archive, name):
        parent = ""
        for level in range(4):
            uri = row.get(f"Level {level} URI", "")
            if not uri:
                break
            if uri not in levels:
                levels[uri] = level
                labels[uri] = normalise_term(row.get(f"Level {level} preferred term", ""))
                if parent:
                    broader.setdefault(uri, []).append(parent)
            parent = uri
    return labels, levels


def _relations(
    archives: list[zipfile.ZipFile],
) -> tuple[dict[str, list[str]], dict[str, list[str]], dict[str, str], dict[str, int], bool]:
    """Broader links, skill-to-skill links and the hierarchy, from whichever zip holds them."""
    broader: dict[str, list[str]] = {}
    related: dict[str, list[str]] = {}
    labels: dict[str, str] = {}
    levels: dict[str, int] = {}
    found_broader = False
    for archive in archives:
        more_labels, more_levels = _hierarchy(archive, broader)
        labels.update(more_labels)
        levels.update(more_levels)
        name = _member(archive, BROADER_CSV)
        if name is not None:
            found_broader = True
            for row in _rows(archive, name):
                broader.setdefault(row.get("conceptUri", ""), []).append(row.get("broaderUri", ""))
        name = _member(archive, RELATED_CSV)
        if name is not None:
            for row in _rows(archive, name):
                origin, target = row.get("originalSkillUri", ""), row.get("relatedSkillUri", "")
                if origin and target:
                    related.setdefault(origin, []).append(target)
    return broader, related, labels, levels, found_broader


def _group_of(
    uri: str, broader: dict[str, list[str]], labels: dict[str, str], levels: dict[str, int]
) -> str | None:
    """Walk up the broader links to the concept's level-1 group (level 0 if that is all)."""
    best: str | None = None
    seen: set[str] = set()
    frontier = [uri]
    # Breadth-first over the (small, acyclic in practice) broader graph; "seen" guards cycles.
    while frontier:
        current = frontier.pop(0)
        if current in seen:
            continue
        seen.add(current)
        level = levels.get(current)
        if level == 1:
            return labels.get(current) or None
        if level == 0 and best is None:
            best = labels.get(current) or None
        frontier.extend(broader.get(current, ()))
    return best


def import_esco(
    zip_path: Path,
    *,
    relations_zip: Path | None = None,
    curated: Taxonomy | None = None,
) -> EscoImport:
    """Read the ESCO skills (and, when available, their groups and relations) from a zip.

    Args:
        zip_path: the ESCO classification zip holding ``skills_en.csv``.
        relations_zip: an optional second zip (ESCO's relations export) holding
            ``broaderRelationsSkillPillar.csv`` and ``skillSkillRelations.csv``; those files are
            also looked for in ``zip_path`` itself.
        curated: the taxonomy whose terms win; the bundled curated taxonomy by default.

    Returns:
        The imported concepts and the counts of what was skipped and why.

    Raises:
        DomainError: a missing or unreadable zip, or one without ``skills_en.csv``.
    """
    curated = curated if curated is not None else default_taxonomy()
    result = EscoImport()
    with _open(zip_path) as archive:
        member = _member(archive, SKILLS_CSV.removesuffix(".csv"))
        if member is None or PurePosixPath(member).name != SKILLS_CSV:
            raise DomainError(f"ESCO import: {zip_path} has no {SKILLS_CSV}")
        # One pass over the big CSV keeps only what is needed, so the import stays in memory
        # proportional to the labels, not the descriptions.
        concepts: list[tuple[str, str, str, str, list[str]]] = []
        for row in _rows(archive, member):
            result.rows += 1
            label = normalise_term(row.get("preferredLabel", ""))
            if not label:
                result.skipped[SKIP_NO_LABEL] += 1
                continue
            alternatives = [normalise_term(alt) for alt in row.get("altLabels", "").split("\n")]
            concepts.append(
                (
                    label,
                    row.get("conceptUri", ""),
                    row.get("skillType", ""),
                    row.get("reuseLevel", ""),
                    [alt for alt in dict.fromkeys(alternatives) if alt and alt != label],
                )
            )
        archives = [archive]
        extra = _open(relations_zip) if relations_zip is not None else None
        try:
            if extra is not None:
                archives.append(extra)
            broader, related_uris, labels, levels, result.grouped = _relations(archives)
        finally:
            if extra is not None:
                extra.close()

    # How many concepts use each term: a term two concepts share is ambiguous for both.
    uses: Counter[str] = Counter()
    for label, _uri, _type, _reuse, alternatives in concepts:
        uses.update({label, *alternatives})

    taken: set[str] = set()
    name_of_uri: dict[str, str] = {}
    pending: list[tuple[EscoSkill, str, list[str]]] = []
    for label, uri, skill_type, reuse_level, alternatives in concepts:
        same_as = _link(label, curated)
        if same_as is None and label in taken:
            result.skipped[SKIP_DUPLICATE] += 1
            continue
        taken.add(label)
        name_of_uri[uri] = same_as or label
        aliases: list[str] = []
        curated_related: list[str] = []
        for alias in alternatives:
            owner = curated.canonical(alias)
            if owner is not None:
                result.skipped[SKIP_CURATED] += 1
                if owner != same_as:
                    curated_related.append(owner)
                continue
            problem = _alias_problem(alias, label)
            if problem is None and uses[alias] > 1:
                problem = SKIP_SHARED
            if problem is not None:
                result.skipped[problem] += 1
                continue
            aliases.append(alias)
        taken.update(aliases)
        skill = EscoSkill(
            skill=label,
            uri=uri,
            skill_type=skill_type,
            reuse_level=reuse_level,
            aliases=tuple(aliases),
            group=_group_of(uri, broader, labels, levels) if result.grouped else None,
            same_as=same_as,
        )
        pending.append((skill, uri, curated_related))

    for skill, uri, curated_related in pending:
        names = [*curated_related]
        names.extend(name_of_uri[t] for t in related_uris.get(uri, ()) if t in name_of_uri)
        own = skill.same_as or skill.skill
        kept = [name for name in dict.fromkeys(names) if name != own][:MAX_RELATED]
        result.skills.append(
            EscoSkill(
                skill=skill.skill,
                uri=skill.uri,
                skill_type=skill.skill_type,
                reuse_level=skill.reuse_level,
                aliases=skill.aliases,
                related=tuple(kept),
                group=skill.group,
                same_as=skill.same_as,
            )
        )
    return result


def write_extension(result: EscoImport, path: Path) -> None:
    """Write an import as a taxonomy extension JSON file (atomically).

    Args:
        result: what ``import_esco`` returned.
        path: the target file; its folder is created.
    """
    skills = []
    for skill in result.skills:
        item: dict[str, object] = {"skill": skill.skill, "uri": skill.uri}
        if skill.same_as:
            item["same_as"] = skill.same_as
        item["group"] = skill.group
        item["aliases"] = list(skill.aliases)
        item["related"] = list(skill.related)
        item["type"] = skill.skill_type
        item["reuse_level"] = skill.reuse_level
        skills.append(item)
    document = {
        "version": 1,
        "source": SOURCE,
        "attribution": ATTRIBUTION,
        "skills": skills,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    # Write beside the target and rename, so a reader never sees half a file.
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(document, out, ensure_ascii=False, separators=(",", ":"))
            out.write("\n")
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
