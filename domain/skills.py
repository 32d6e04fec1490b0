"""The skills vocabulary: canonical skill names, their aliases, and how to find them in text.

Canonical names are lowercase. Every alias must be safe as a whole-word match: ambiguous short
forms (``ts``, ``pr``, ``rails``, a bare ``c``) are left out, and the few canonical names that are
also everyday English words (``go``, ``rust``, ``react``, ``excel``, ``spark``, ``r``) are matched
with guards so that "Go Green", "rust removal", "excel at" or "A/R" do not count as skills.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from types import MappingProxyType

_SKILLS: dict[str, tuple[str, ...]] = {
    # --- software engineering ---
    "python": ("python3",),
    "java": (),
    "javascript": ("js", "ecmascript"),
    "typescript": (),
    "react": ("react.js", "reactjs", "react native"),
    "angular": ("angularjs", "angular.js"),
    "vue": ("vue.js", "vuejs"),
    "node.js": ("nodejs", "node js"),
    "django": (),
    "flask": (),
    "fastapi": (),
    "spring boot": ("spring framework",),
    "go": ("golang",),
    "rust": ("rustlang",),
    "c++": ("cpp",),
    "c#": ("csharp", "c sharp"),
    ".net": ("dotnet", "asp.net", ".net core"),
    "ruby": ("ruby on rails",),
    "php": ("laravel",),
    "kotlin": (),
    "scala": (),
    "html": ("html5",),
    "css": ("css3",),
    "graphql": (),
    "rest apis": ("rest api", "restful", "restful apis"),
    "microservices": ("microservice architecture",),
    "git": ("github", "gitlab"),
    "ci/cd": ("continuous integration", "continuous delivery", "continuous deployment", "cicd"),
    "devops": (),
    "linux": ("unix",),
    "ios development": ("ios",),
    "android development": ("android",),
    "quality assurance": ("qa", "software testing"),
    "cybersecurity": ("cyber security", "information security", "infosec"),
    "technical support": ("help desk", "helpdesk", "it support", "desktop support"),
    "computer networking": ("network administration", "network engineering", "tcp/ip"),
    "active directory": (),
    "itil": (),
    # --- data and cloud ---
    "sql": ("t-sql", "pl/sql"),
    "postgresql": ("postgres", "psql"),
    "mysql": (),
    "mongodb": ("mongo",),
    "redis": (),
    "kafka": ("apache kafka",),
    "spark": ("apache spark", "pyspark"),
    "airflow": ("apache airflow",),
    "snowflake": (),
    "etl": ("data pipelines",),
    "data engineering": (),
    "aws": ("amazon web services",),
    "azure": ("microsoft azure",),
    "gcp": ("google cloud", "google cloud platform"),
    "docker": (),
    "kubernetes": ("k8s",),
    "terraform": (),
    "ansible": (),
    "machine learning": ("ml",),
    "deep learning": (),
    "artificial intelligence": ("ai",),
    "natural language processing": ("nlp",),
    "data analysis": ("data analytics", "data analyst"),
    "data visualization": ("data visualisation",),
    "statistics": ("statistical analysis",),
    "r": ("rstats",),
    "pandas": (),
    "tableau": (),
    "power bi": ("powerbi",),
    "excel": ("microsoft excel", "ms excel"),
    "sharepoint": (),
    "jira": (),
    "agile": ("agile methodologies",),
    "scrum": (),
    # --- fintech and payments ---
    "payments": ("payment processing",),
    "fintech": ("financial technology",),
    # --- finance, accounting, banking ---
    "accounting": (),
    "bookkeeping": (),
    "financial reporting": ("financial statements",),
    "gaap": ("us gaap",),
    "ifrs": (),
    "budgeting": ("budget management",),
    "forecasting": ("financial forecasting",),
    "financial analysis": (),
    "financial modeling": ("financial modelling",),
    "accounts payable": (),
    "accounts receivable": (),
    "reconciliation": ("reconciliations", "account reconciliation", "bank reconciliation"),
    "payroll": (),
    "auditing": ("audit", "audits", "internal audit"),
    "tax preparation": ("taxation", "tax returns"),
    "quickbooks": (),
    "sap": (),
    "cpa": ("certified public accountant",),
    "risk management": (),
    "credit analysis": (),
    "underwriting": (),
    "anti-money laundering": ("aml",),
    "kyc": ("know your customer",),
    # --- HR ---
    "recruiting": ("recruitment", "talent acquisition"),
    "onboarding": (),
    "employee relations": (),
    "benefits administration": (),
    "hris": (),
    "performance management": (),
    "compensation and benefits": ("compensation planning",),
    "training and development": ("learning and development", "l&d"),
    # --- sales, marketing, PR, business ---
    "sales": (),
    "business development": ("biz dev", "bizdev"),
    "account management": (),
    "lead generation": (),
    "cold calling": (),
    "negotiation": ("negotiating", "negotiations"),
    "crm": ("customer relationship management",),
    "salesforce": (),
    "marketing": (),
    "digital marketing": (),
    "seo": ("search engine optimization", "search engine optimisation"),
    "social media marketing": (),
    "content writing": ("copywriting",),
    "public relations": ("media relations",),
    "market research": (),
    "customer service": ("customer support", "client service"),
    "call center": ("call centre", "contact center", "contact centre"),
    "project management": ("pmp",),
    "stakeholder management": (),
    "change management": (),
    "business analysis": (),
    "strategic planning": (),
    "supply chain management": ("supply chain", "logistics"),
    # --- healthcare and fitness ---
    "nursing": ("registered nurse", "rn"),
    "patient care": (),
    "phlebotomy": (),
    "cpr": ("cardiopulmonary resuscitation",),
    "bls": ("basic life support",),
    "medical billing": (),
    "medical coding": ("icd-10",),
    "electronic health records": ("ehr", "emr", "electronic medical records"),
    "hipaa": (),
    "infection control": (),
    "physical therapy": ("physiotherapy",),
    "pharmacy": (),
    "personal training": ("personal trainer",),
    "nutrition": (),
    # --- teaching ---
    "teaching": (),
    "curriculum development": ("curriculum design",),
    "lesson planning": (),
    "classroom management": (),
    "special education": (),
    "tutoring": (),
    "esl": ("english as a second language", "tesol", "tefl"),
    # --- engineering, construction, trades, automotive, aviation ---
    "autocad": (),
    "solidworks": (),
    "matlab": (),
    "welding": (),
    "cnc machining": ("cnc",),
    "plc programming": ("plc",),
    "hvac": (),
    "blueprint reading": ("blueprints",),
    "construction management": (),
    "osha": (),
    "quality control": ("qc",),
    "six sigma": ("lean six sigma",),
    "lean manufacturing": (),
    "cost estimating": ("estimating",),
    "carpentry": (),
    "plumbing": (),
    "automotive repair": ("auto repair",),
    "aircraft maintenance": (),
    # --- design and media ---
    "graphic design": (),
    "photoshop": ("adobe photoshop",),
    "illustrator": ("adobe illustrator",),
    "indesign": ("adobe indesign",),
    "figma": (),
    "ui design": ("user interface design",),
    "ux design": ("user experience design", "ux"),
    "video editing": ("premiere pro", "final cut pro"),
    "photography": (),
    "typography": (),
    "3d modeling": ("3d modelling",),
    "fashion design": (),
    "visual merchandising": (),
    # --- hospitality and culinary ---
    "food safety": ("servsafe",),
    "culinary arts": ("culinary",),
    "menu planning": (),
    "food preparation": ("food prep",),
    "hospitality": (),
    "front desk": (),
    "housekeeping": (),
    "event planning": ("event management",),
    "bartending": (),
    "pos systems": ("point of sale", "pos"),
    # --- legal and agriculture ---
    "litigation": (),
    "legal research": (),
    "contract drafting": ("contract negotiation",),
    "regulatory compliance": (),
    "agronomy": (),
    "irrigation": (),
    # --- transferable skills ---
    "communication": ("communication skills", "communications"),
    "leadership": ("team leadership",),
    "teamwork": ("team player",),
    "problem solving": ("problem-solving",),
    "time management": (),
    "mentoring": ("mentorship", "coaching"),
    "public speaking": ("presentation skills",),
}

SKILLS: Mapping[str, tuple[str, ...]] = MappingProxyType(_SKILLS)
"""Canonical skill name (lowercase) -> its aliases (lowercase, without the canonical name)."""

# After a programming-language name that is also an everyday word ("Go", "Spark", "Rust"),
# require list punctuation, the end of the line or a technical noun: "Go, Rust" and "Go
# services" are skills, "Go Green initiatives" and "spark interest" are not.
_TECH_CONTEXT = (
    r"(?=[ \t]*(?:[,;/|)]|$|\.(?:\s|$))|\s+(?:programming|language|lang|developers?|development"
    r"|engineers?|engineering|code|services|microservices|backend|experience|modules|routines"
    r"|streaming|sql|jobs|clusters?|pipelines|crates?|toolchain|gateways?|apis?|library"
    r"|libraries|packages|sdks?|cli|servers?|tooling|binaries|apps?|stack|codebase)\b)"
)


def _tech_word(word: str) -> str:
    """Case-sensitive ``word`` that is a skill only after list punctuation or in tech context."""
    exact = rf"(?<![-/])(?<!\bto\s)(?-i:{word})"
    after_list = r"(?![\w+#-])(?!\s+(?:live|to|ahead)\b)"
    return rf"(?:(?<=[,/(])|(?<=[,/(]\s)){exact}{after_list}|{exact}{_TECH_CONTEXT}"


# Aliases that are also everyday words get a hand-written regex instead of the generic
# whole-word one. ``(?-i:...)`` makes a form case-sensitive inside the case-insensitive pattern:
# "Go" and "R" are languages, "go" and "r" are not.
_GUARDED: Mapping[str, str] = MappingProxyType(
    {
        "go": _tech_word("Go"),
        "rust": _tech_word("Rust"),
        "spark": _tech_word("Spark"),
        # "A/R" is accounts receivable, "R & D" research, "R. Smith" an initial.
        "r": r"(?<![/&])(?-i:R)(?![\w+#&'’/-])(?!\s*&)(?!\.(?!\s+(?-i:[a-z])|\s*$))",
        "ml": r"(?<!\d\s)(?-i:ML)(?![\w+#-])",
        "ai": r"(?-i:AI)(?![\w+#-])",
        "rn": r"(?-i:RN)(?![\w+#-])",
        "pos": r"(?-i:POS)(?![\w+#-])",
        "qa": r"(?-i:QA)(?![\w+#-])",
        "qc": r"(?-i:QC)(?![\w+#-])",
        # Cisco IOS is a network operating system, not Apple's.
        "ios": r"(?<!cisco\s)ios(?![\w+#@])",
        "react": r"(?<!\bto\s)react(?![\w+#-])(?!\.\w)"
        r"(?!\s+(?:to|quickly|calmly|fast|well|promptly|appropriately)\b)",
        "excel": r"excel(?![\w+#-])(?!\s+(?:at|in|as|under|when)\b)",
    }
)

# Left boundary: not inside a word, a handle or a dotted name ("node.js" must not yield "js").
_LEFT = r"(?<![\w@#+])(?<!\w\.)"
# Right boundary: "c" must not match inside "c++", "java" not inside "javascript" or "java.util".
_RIGHT = r"(?![\w+#@])(?!\.\w)"


def _normalise(term: str) -> str:
    """Lowercase, trim and collapse internal whitespace, so lookups ignore layout."""
    return " ".join(term.lower().split())


def _alias_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for skill, aliases in _SKILLS.items():
        index[skill] = skill
        for alias in aliases:
            # First definition wins so the index stays deterministic if an alias is ever reused.
            index.setdefault(alias, skill)
    return index


_ALIAS_TO_SKILL: Mapping[str, str] = MappingProxyType(_alias_index())


def canonical_skill(term: str) -> str | None:
    """Map a skill name or alias to its canonical name.

    Args:
        term: any spelling, e.g. ``"K8s"`` or ``"Postgres"``; case and spacing are ignored.

    Returns:
        The canonical skill name, or ``None`` when the term is not in the vocabulary.
    """
    return _ALIAS_TO_SKILL.get(_normalise(term))


def skill_aliases(skill: str) -> tuple[str, ...]:
    """Return a skill's canonical name followed by its aliases.

    Args:
        skill: a canonical name or any alias.

    Returns:
        ``(canonical, *aliases)``, or an empty tuple when the skill is unknown.
    """
    canonical = canonical_skill(skill)
    if canonical is None:
        return ()
    return (canonical, *_SKILLS[canonical])


def _term_regex(term: str) -> str:
    """The regex for one alias: guarded if it is an everyday word, else whole-word."""
    guarded = _GUARDED.get(term)
    if guarded is not None:
        return _LEFT + guarded
    # Spaces and hyphens between the words of a phrase are interchangeable in real notes
    # ("machine-learning", "problem solving").
    parts = [re.escape(part) for part in re.split(r"[\s-]+", term) if part]
    return _LEFT + r"[\s-]+".join(parts) + _RIGHT


@lru_cache(maxsize=1024)
def _compiled(key: str) -> re.Pattern[str]:
    terms = skill_aliases(key) or (key,)
    # Longest alternatives first, so "react native" wins over "react" at the same position.
    ordered = sorted(terms, key=lambda t: (-len(t), t))
    alternation = "|".join(_term_regex(t) for t in ordered)
    return re.compile(f"(?:{alternation})", re.IGNORECASE)


def skill_pattern(skill: str) -> re.Pattern[str]:
    """Compile (once) a regex that matches any alias of a skill as a whole word or phrase.

    Args:
        skill: a canonical name or alias; an unknown term gets a whole-word pattern for itself,
            so callers can search for skills the vocabulary does not know yet.

    Returns:
        A case-insensitive compiled pattern.
    """
    # Keyed by canonical name, so "k8s" and "kubernetes" share one compiled pattern.
    return _compiled(canonical_skill(skill) or _normalise(skill))


def find_skills(text: str) -> list[str]:
    """List the canonical skills mentioned in a text.

    Matching is case-insensitive and whole-word. Where two skills overlap ("crisis
    communication" vs "communication", "visual merchandising" vs "merchandising") the longer
    match wins.

    Args:
        text: any free text: intake notes, a requirement, a resume.

    Returns:
        Canonical skill names, ordered by first occurrence, without duplicates.
    """
    matches: list[tuple[int, int, str]] = []
    for skill in _SKILLS:
        for match in skill_pattern(skill).finditer(text):
            if match.end() > match.start():
                matches.append((match.start(), -match.end(), skill))
    # Leftmost first, then longest first; accept a match only if it overlaps none accepted.
    matches.sort()
    taken_until = -1
    found: list[str] = []
    for start, neg_end, skill in matches:
        if start < taken_until:
            continue
        taken_until = -neg_end
        if skill not in found:
            found.append(skill)
    return found
