"""Synthetic recruiter memories and paraphrased queries for ``bench/recruiter_memory.py``.

Each recruiter gets distinct preference memories of the kinds hirecrew keeps (the canonical
sentences of ``domain.preferences`` and the free-form notes recruiters write beside them): skill
must-haves and not-required skills, rejections for a missing skill, job description length and
style, outreach topics and tone, interview scheduling, location and remote policy, seniority,
industries, pay bands, notice periods, languages, certifications, take-home tasks, shortlist
sizes. A memory is a template filled with slot values (skills, roles, industries, cities,
interviews, numbers); ``(kind, slots)`` is its *key*, and a recruiter holds at most one memory
per key, so two memories never contradict each other or say the same thing.

Every memory comes with the question a recruiter would ask to recall it, written from a
separate set of query templates (no phrase of a memory template is reused) and naming the slot
values by their aliases half of the time: "Treat Kubernetes as a must-have for backend engineer
roles" is recalled by "does a server-side developer candidate need k8s experience". Numbers
never appear in queries (the recruiter asks for the number). :func:`paraphrase_stats` measures
how much a query shares with its memory.

Only ``random.Random(seed)`` is used: the same arguments always give the same data.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

__all__ = [
    "KINDS",
    "BenchMemory",
    "generate_memories",
    "longest_common_run",
    "paraphrase_stats",
    "pick_queries",
]

# (canonical, aliases): memories use the canonical name; queries use an alias half the time.
Term = tuple[str, tuple[str, ...]]

SKILLS: tuple[Term, ...] = (
    ("Kubernetes", ("k8s", "container orchestration")),
    ("PostgreSQL", ("Postgres",)),
    ("Python", ("python",)),
    ("Java", ("the JVM",)),
    ("Go", ("Golang",)),
    ("Rust", ("rust",)),
    ("TypeScript", ("TS",)),
    ("JavaScript", ("JS",)),
    ("React", ("React.js", "ReactJS")),
    ("Node.js", ("Node",)),
    ("SQL", ("writing SQL queries",)),
    ("AWS", ("Amazon Web Services",)),
    ("GCP", ("Google Cloud",)),
    ("Azure", ("Microsoft Azure",)),
    ("Terraform", ("infrastructure as code",)),
    ("Docker", ("containers",)),
    ("Kafka", ("Apache Kafka", "event streaming")),
    ("Spark", ("PySpark", "Apache Spark")),
    ("Airflow", ("Apache Airflow",)),
    ("dbt", ("data build tool",)),
    ("Snowflake", ("the Snowflake warehouse",)),
    ("Tableau", ("Tableau dashboards",)),
    ("Power BI", ("PowerBI",)),
    ("machine learning", ("ML",)),
    ("deep learning", ("neural networks",)),
    ("PyTorch", ("torch",)),
    ("TensorFlow", ("TF",)),
    ("Figma", ("figma",)),
    ("user research", ("UX research",)),
    ("Salesforce", ("SFDC",)),
    ("HubSpot", ("Hubspot CRM",)),
    ("GraphQL", ("graphql APIs",)),
    ("REST API design", ("designing REST APIs",)),
    ("CI/CD", ("build pipelines", "continuous delivery")),
    ("Linux", ("Unix",)),
    ("C++", ("cpp",)),
    ("C#", (".NET",)),
    ("Swift", ("iOS development in Swift",)),
    ("Kotlin", ("Android Kotlin",)),
    ("Excel", ("spreadsheets",)),
    ("SAP", ("SAP ERP",)),
    ("Redis", ("redis caching",)),
    ("MongoDB", ("Mongo",)),
    ("Elasticsearch", ("Elastic search",)),
    ("Ruby on Rails", ("Rails",)),
    ("Django", ("django",)),
    ("Spring Boot", ("Spring",)),
    ("Scala", ("scala",)),
    ("statistics", ("stats",)),
    ("A/B testing", ("experimentation",)),
    ("system design", ("architecture skills",)),
    ("people management", ("managing a team",)),
    ("Scrum", ("agile",)),
    ("SOC 2 compliance", ("SOC2",)),
    ("Prometheus", ("monitoring with Prometheus",)),
    ("Ansible", ("ansible",)),
)

# (singular, plural, aliases for queries)
ROLES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("backend engineer", "backend engineers", ("back-end developer", "server-side developer")),
    ("frontend engineer", "frontend engineers", ("front-end developer", "UI developer")),
    ("full-stack engineer", "full-stack engineers", ("fullstack dev",)),
    ("data scientist", "data scientists", ("DS hire",)),
    ("data engineer", "data engineers", ("pipeline engineer",)),
    ("machine learning engineer", "machine learning engineers", ("ML engineer", "MLE")),
    ("site reliability engineer", "site reliability engineers", ("SRE",)),
    ("DevOps engineer", "DevOps engineers", ("platform engineer", "infra engineer")),
    ("mobile engineer", "mobile engineers", ("iOS/Android developer", "app developer")),
    ("QA engineer", "QA engineers", ("tester", "test automation engineer")),
    ("security engineer", "security engineers", ("AppSec engineer",)),
    ("product manager", "product managers", ("PM",)),
    ("product designer", "product designers", ("UX designer",)),
    ("data analyst", "data analysts", ("BI analyst",)),
    ("engineering manager", "engineering managers", ("EM", "eng lead")),
    ("solutions architect", "solutions architects", ("pre-sales architect",)),
    ("account executive", "account executives", ("AE", "sales rep")),
    ("customer success manager", "customer success managers", ("CSM",)),
    ("technical writer", "technical writers", ("docs writer",)),
    ("marketing manager", "marketing managers", ("growth marketer",)),
    ("financial analyst", "financial analysts", ("FP&A analyst",)),
    ("embedded engineer", "embedded engineers", ("firmware developer",)),
    ("database administrator", "database administrators", ("DBA",)),
    ("support engineer", "support engineers", ("tech support person",)),
    ("recruiting coordinator", "recruiting coordinators", ("interview scheduler",)),
)

INDUSTRIES: tuple[Term, ...] = (
    ("fintech", ("financial technology", "payments")),
    ("healthcare", ("health tech", "hospital")),
    ("e-commerce", ("online retail",)),
    ("gaming", ("video game",)),
    ("edtech", ("education technology",)),
    ("logistics", ("supply chain", "shipping")),
    ("insurance", ("insurtech",)),
    ("automotive", ("car industry",)),
    ("telecom", ("telecommunications",)),
    ("energy", ("utilities",)),
    ("cybersecurity", ("security vendor",)),
    ("biotech", ("life sciences",)),
    ("media", ("publishing",)),
    ("real estate", ("proptech",)),
    ("travel", ("hospitality",)),
    ("public sector", ("government",)),
    ("adtech", ("advertising technology",)),
    ("B2B SaaS", ("enterprise software",)),
    ("consulting", ("agency",)),
    ("crypto", ("blockchain",)),
    ("banking", ("retail bank",)),
    ("manufacturing", ("industrial",)),
)

CITIES: tuple[Term, ...] = (
    ("New York", ("NYC",)),
    ("San Francisco", ("SF", "the Bay Area")),
    ("London", ("london",)),
    ("Berlin", ("berlin",)),
    ("Paris", ("paris",)),
    ("Amsterdam", ("amsterdam",)),
    ("Toronto", ("toronto",)),
    ("Austin", ("Austin, TX",)),
    ("Seattle", ("seattle",)),
    ("Boston", ("boston",)),
    ("Chicago", ("chicago",)),
    ("Los Angeles", ("LA",)),
    ("Denver", ("denver",)),
    ("Dublin", ("dublin",)),
    ("Madrid", ("madrid",)),
    ("Lisbon", ("lisbon",)),
    ("Warsaw", ("warsaw",)),
    ("Stockholm", ("stockholm",)),
    ("Zurich", ("Zürich",)),
    ("Munich", ("München",)),
    ("Singapore", ("singapore",)),
    ("Sydney", ("sydney",)),
    ("Bangalore", ("Bengaluru",)),
    ("Tel Aviv", ("TLV",)),
    ("Mexico City", ("CDMX",)),
    ("São Paulo", ("Sao Paulo",)),
    ("Barcelona", ("barcelona",)),
    ("Atlanta", ("atlanta",)),
    ("Miami", ("miami",)),
    ("Vancouver", ("vancouver",)),
)

INTERVIEWS: tuple[Term, ...] = (
    ("phone screen", ("intro call", "first call")),
    ("technical interview", ("coding round",)),
    ("system design interview", ("architecture round",)),
    ("onsite", ("final loop",)),
    ("culture-fit interview", ("values conversation",)),
    ("hiring manager interview", ("HM chat",)),
    ("take-home review", ("assignment debrief",)),
    ("reference check", ("references call",)),
    ("panel interview", ("panel",)),
)

# The skills a recruiter has opinions about for each role (a must-have SQL for account
# executives would be noise, not a realistic memory).
ROLE_SKILLS: dict[str, tuple[str, ...]] = {
    "backend engineer": (
        "Python", "Java", "Go", "Rust", "PostgreSQL", "SQL", "Kubernetes", "Docker", "Kafka",
        "Redis", "AWS", "GCP", "REST API design", "GraphQL", "system design", "Node.js",
        "Spring Boot", "Django", "Ruby on Rails", "Scala", "C#", "MongoDB", "Elasticsearch",
        "CI/CD", "Linux",
    ),
    "frontend engineer": (
        "JavaScript", "TypeScript", "React", "GraphQL", "Figma", "Node.js", "CI/CD",
        "REST API design", "A/B testing",
    ),
    "full-stack engineer": (
        "JavaScript", "TypeScript", "React", "Node.js", "Python", "PostgreSQL", "Django",
        "Ruby on Rails", "GraphQL", "AWS", "Docker", "SQL", "MongoDB", "Redis",
    ),
    "data scientist": (
        "Python", "SQL", "statistics", "machine learning", "deep learning", "PyTorch",
        "TensorFlow", "A/B testing", "Spark", "Tableau", "Snowflake", "Excel",
    ),
    "data engineer": (
        "Python", "SQL", "Spark", "Airflow", "dbt", "Snowflake", "Kafka", "AWS", "GCP",
        "Scala", "PostgreSQL", "Docker", "Terraform",
    ),
    "machine learning engineer": (
        "Python", "PyTorch", "TensorFlow", "machine learning", "deep learning", "Kubernetes",
        "Docker", "AWS", "GCP", "Spark", "C++", "system design", "SQL",
    ),
    "site reliability engineer": (
        "Kubernetes", "Terraform", "Linux", "Prometheus", "AWS", "GCP", "Go", "Python",
        "Docker", "Ansible", "CI/CD", "system design", "Kafka",
    ),
    "DevOps engineer": (
        "Kubernetes", "Terraform", "Ansible", "Docker", "CI/CD", "AWS", "Azure", "GCP",
        "Linux", "Prometheus", "Python",
    ),
    "mobile engineer": (
        "Swift", "Kotlin", "React", "TypeScript", "JavaScript", "GraphQL", "CI/CD",
        "A/B testing", "Figma",
    ),
    "QA engineer": (
        "Python", "Java", "JavaScript", "CI/CD", "SQL", "Docker", "Linux", "Scrum",
        "TypeScript",
    ),
    "security engineer": (
        "Linux", "AWS", "Azure", "Python", "Go", "SOC 2 compliance", "Kubernetes",
        "Terraform", "C++", "system design",
    ),
    "product manager": (
        "SQL", "A/B testing", "user research", "Scrum", "Figma", "Excel", "Tableau",
        "statistics", "people management",
    ),
    "product designer": ("Figma", "user research", "A/B testing", "JavaScript", "Scrum"),
    "data analyst": (
        "SQL", "Excel", "Tableau", "Power BI", "Python", "statistics", "dbt", "Snowflake",
        "A/B testing",
    ),
    "engineering manager": (
        "people management", "system design", "Scrum", "Python", "Java", "Go", "Kubernetes",
        "AWS", "CI/CD",
    ),
    "solutions architect": (
        "AWS", "Azure", "GCP", "system design", "Kubernetes", "REST API design", "Terraform",
        "Salesforce", "SQL",
    ),
    "account executive": ("Salesforce", "HubSpot", "Excel"),
    "customer success manager": ("Salesforce", "HubSpot", "Excel", "SQL"),
    "technical writer": ("REST API design", "Python", "JavaScript", "GraphQL", "Linux"),
    "marketing manager": ("HubSpot", "Salesforce", "A/B testing", "Excel", "Tableau", "SQL"),
    "financial analyst": (
        "Excel", "SAP", "SQL", "Power BI", "Tableau", "statistics", "Python",
    ),
    "embedded engineer": ("C++", "Rust", "Linux", "Python", "CI/CD"),
    "database administrator": (
        "PostgreSQL", "SQL", "MongoDB", "Redis", "Elasticsearch", "Linux", "AWS", "Ansible",
    ),
    "support engineer": (
        "Linux", "SQL", "Python", "Salesforce", "AWS", "Docker", "REST API design",
    ),
    "recruiting coordinator": ("Excel", "Salesforce", "HubSpot"),
}  # fmt: skip

# (memory phrase, query phrase)
OUTREACH_TOPICS: tuple[tuple[str, str], ...] = (
    ("the team's on-call rotation", "how pager duty works"),
    ("the salary range", "compensation numbers"),
    ("the remote work policy", "working from home"),
    ("the tech stack", "which technologies they'd use"),
    ("parental leave", "family leave benefits"),
    ("equity", "stock options"),
    ("the learning budget", "a training allowance"),
    ("the product's mission", "what the company is trying to do"),
    ("the size of the team", "how many people they'd work with"),
    ("the number of interview rounds", "how long the hiring process takes"),
)

# (memory phrase, query phrase)
JD_STYLES: tuple[tuple[str, str], ...] = (
    ("bullet points instead of long paragraphs", "a bulleted list or prose"),
    ("the pay band near the top", "where the compensation figure goes"),
    ("a section on the first 90 days", "describing what the first three months look like"),
    ("no 'rockstar' or 'ninja' wording", "buzzwords like guru"),
    ("the team's tech stack", "listing technologies used"),
    ("a short benefits list", "perks being spelled out"),
    ("an equal opportunity statement", "EEO language"),
    ("the interview process steps", "explaining the hiring stages"),
)

LANGUAGES = (
    "German", "French", "Spanish", "Japanese", "Mandarin", "Portuguese", "Dutch", "Italian",
    "Polish", "Arabic",
)  # fmt: skip

CERTIFICATIONS: tuple[Term, ...] = (
    ("AWS Solutions Architect", ("AWS certification",)),
    ("CISSP", ("security certification",)),
    ("PMP", ("project management certification",)),
    ("CKA", ("Kubernetes administrator certification",)),
    ("CPA", ("accounting license",)),
    ("Certified Scrum Master", ("scrum certification",)),
    ("Google Analytics", ("GA certification",)),
    ("CFA", ("CFA charter",)),
)
# Which roles each certification is asked of.
CERTIFICATION_ROLES: dict[str, tuple[str, ...]] = {
    "AWS Solutions Architect": (
        "solutions architect", "DevOps engineer", "site reliability engineer",
        "backend engineer", "data engineer",
    ),
    "CISSP": ("security engineer", "engineering manager"),
    "PMP": ("product manager", "engineering manager", "recruiting coordinator"),
    "CKA": ("site reliability engineer", "DevOps engineer", "backend engineer"),
    "CPA": ("financial analyst",),
    "Certified Scrum Master": ("product manager", "engineering manager", "QA engineer"),
    "Google Analytics": ("marketing manager", "data analyst", "product manager"),
    "CFA": ("financial analyst",),
}  # fmt: skip

DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")
TONES = ("brief", "warm", "formal", "casual")


_SKILL_ALIASES = dict(SKILLS)


@dataclass(frozen=True)
class BenchMemory:
    """One generated memory of one recruiter, with the paraphrased query that should recall it."""

    user: str
    index: int
    kind: str
    key: str
    text: str
    query: str

    @property
    def metadata(self) -> dict[str, str | int]:
        """What hirecrew stores beside a preference's text (``memory.service`` conventions)."""
        return {"kind": "preference", "key": self.key, "source": "bench"}


@dataclass
class _Slots:
    rng: random.Random
    alias_rate: float = 0.5

    def asked(self, name: str, aliases: Sequence[str]) -> str:
        """How a query names ``name``: an alias ``alias_rate`` of the time. Both draws are
        always made, so that the rate changes the queries and nothing else."""
        alias = self.rng.choice(aliases)
        return alias if self.rng.random() < self.alias_rate else name

    def pick(self, terms: Sequence[Term]) -> tuple[str, str]:
        """(canonical, how the query says it)."""
        name, aliases = self.rng.choice(terms)
        return name, self.asked(name, aliases)

    def role(self, among: Sequence[str] | None = None) -> tuple[str, str, str]:
        """(singular, plural, how the query says it), from ``among`` when given."""
        roles = [r for r in ROLES if r[0] in among] if among else ROLES
        one, many, aliases = self.rng.choice(roles)
        return one, many, self.asked(one, aliases)

    def role_skill(self) -> tuple[str, str, str, str, str]:
        """A role and one of the skills that matter for it: (skill, skill as asked, role,
        roles, role as asked)."""
        role, roles, role_q = self.role()
        skill = self.rng.choice(ROLE_SKILLS[role])
        return skill, self.asked(skill, _SKILL_ALIASES[skill]), role, roles, role_q


# A kind makes (key, memory, query) from the slots; ``{...}`` in the template strings below
# are filled by str.format. Memory and query templates of a kind share no content word.
Maker = Callable[[_Slots], tuple[str, str, str]]


_A_AN = re.compile(r"(?<![\w&])([Aa]) (?=[aeioAEIO]|MLE\b|SRE\b|EM\b|FP&A\b|SF\b|LA\b|ML\b)")


def _choose(rng: random.Random, templates: Sequence[str], **slots: object) -> str:
    text = _A_AN.sub(r"\1n ", rng.choice(templates).format(**slots))
    return text[0].upper() + text[1:]


def _must_have(s: _Slots) -> tuple[str, str, str]:
    skill, skill_q, role, roles, role_q = s.role_skill()
    memory = _choose(
        s.rng,
        (
            "Treat {skill} as a must-have for {role} roles",
            "{skill} is non-negotiable when hiring {roles}",
            "Always require hands-on {skill} for {role} openings",
        ),
        skill=skill,
        role=role,
        roles=roles,
    )
    query = _choose(
        s.rng,
        (
            "does a {q_role} candidate need {q_skill} experience",
            "can I shortlist a {q_role} who has never used {q_skill}",
            "is {q_skill} obligatory to get a {q_role} job with us",
        ),
        q_role=role_q,
        q_skill=skill_q,
    )
    return f"skill:{skill}:{role}", memory, query


def _not_required(s: _Slots) -> tuple[str, str, str]:
    skill, skill_q, role, roles, role_q = s.role_skill()
    memory = _choose(
        s.rng,
        (
            "{skill} is not required for {role} roles",
            "Don't reject {roles} just because they lack {skill}",
            "{skill} is only a nice-to-have for {role} positions, never a blocker",
        ),
        skill=skill,
        role=role,
        roles=roles,
    )
    query = _choose(
        s.rng,
        (
            "should missing {q_skill} rule out a {q_role}",
            "how much weight does {q_skill} carry when we evaluate a {q_role}",
            "would you pass on a {q_role} with zero {q_skill}",
        ),
        q_role=role_q,
        q_skill=skill_q,
    )
    return f"skill:{skill}:{role}", memory, query


def _lacking(s: _Slots) -> tuple[str, str, str]:
    skill, skill_q, role, _, role_q = s.role_skill()
    times = s.rng.choice(("once", "2 times", "3 times"))
    memory = _choose(
        s.rng,
        (
            "Rejected a candidate for lacking {skill} ({times}) on the {role} opening",
            "Passed on a {role} applicant because their {skill} was too weak",
            "Turned a {role} down: no real {skill} background",
        ),
        skill=skill,
        role=role,
        times=times,
    )
    query = _choose(
        s.rng,
        (
            "did we ever decline someone over {q_skill} gaps for the {q_role} position",
            "which {q_role} got a no over missing {q_skill}",
            "have {q_skill} shortcomings cost a {q_role} an offer before",
        ),
        q_role=role_q,
        q_skill=skill_q,
    )
    return f"lacking:{skill}:{role}", memory, query


def _jd_length(s: _Slots) -> tuple[str, str, str]:
    role, roles, role_q = s.role()
    words = s.rng.choice((150, 200, 250, 300, 350, 400, 500, 600))
    memory = _choose(
        s.rng,
        (
            "Prefers job descriptions for {role} roles under {n} words",
            "Keep {role} job descriptions to about {n} words",
            "Job ads for {roles} should stay below {n} words",
        ),
        role=role,
        roles=roles,
        n=words,
    )
    query = _choose(
        s.rng,
        (
            "how long should the JD be when we post a {q_role} vacancy",
            "what's the length limit for a {q_role} posting",
            "max size of the text advertising a {q_role} position",
        ),
        q_role=role_q,
    )
    return f"jd_max_words:{role}", memory, query


def _jd_style(s: _Slots) -> tuple[str, str, str]:
    role, _, role_q = s.role()
    style, style_q = s.rng.choice(JD_STYLES)
    memory = _choose(
        s.rng,
        (
            "Wants {role} job descriptions to include {style}",
            "Job descriptions for {role} roles need {style}",
        ),
        role=role,
        style=style,
    )
    query = _choose(
        s.rng,
        (
            "what about {q_style} in a {q_role} posting",
            "when I write up the {q_role} vacancy, any rule on {q_style}",
        ),
        q_role=role_q,
        q_style=style_q,
    )
    return f"jd_style:{style}:{role}", memory, query


def _outreach(s: _Slots) -> tuple[str, str, str]:
    role, roles, role_q = s.role()
    topic, topic_q = s.rng.choice(OUTREACH_TOPICS)
    memory = _choose(
        s.rng,
        (
            "Likes outreach messages to {roles} that mention {topic}",
            "Cold emails to {role} prospects should highlight {topic}",
        ),
        role=role,
        roles=roles,
        topic=topic,
    )
    query = _choose(
        s.rng,
        (
            "should my InMail to a {q_role} talk about {q_topic}",
            "is it worth bringing up {q_topic} when I first contact a {q_role}",
        ),
        q_role=role_q,
        q_topic=topic_q,
    )
    return f"outreach:{topic}:{role}", memory, query


def _tone(s: _Slots) -> tuple[str, str, str]:
    role, roles, role_q = s.role()
    tone = s.rng.choice(TONES)
    memory = _choose(
        s.rng,
        ("Write {tone} outreach messages to {roles}", "Keep opening emails to {roles} {tone}"),
        tone=tone,
        roles=roles,
    )
    query = _choose(
        s.rng,
        (
            "what tone do I use when reaching out to a {q_role}",
            "how chatty should a first note to a {q_role} be",
        ),
        q_role=role_q,
    )
    return f"outreach_tone:{role}", memory, query


def _schedule(s: _Slots) -> tuple[str, str, str]:
    interview, interview_q = s.pick(INTERVIEWS)
    role, _, role_q = s.role()
    day = s.rng.choice(DAYS)
    part = s.rng.choice(("morning", "afternoon"))
    memory = _choose(
        s.rng,
        (
            "Schedule {interview}s for {role} candidates on {day} {part}s only",
            "Prefers to run {role} {interview}s on {day} {part}s",
        ),
        interview=interview,
        role=role,
        day=day,
        part=part,
    )
    query = _choose(
        s.rng,
        (
            "when can I book the {q_interview} with a {q_role}",
            "which slot works best for a {q_role} {q_interview}",
        ),
        q_role=role_q,
        q_interview=interview_q,
    )
    return f"schedule:{interview}:{role}", memory, query


def _feedback(s: _Slots) -> tuple[str, str, str]:
    interview, interview_q = s.pick(INTERVIEWS)
    hours = s.rng.choice((4, 12, 24, 48))
    memory = _choose(
        s.rng,
        (
            "Wants interviewer feedback within {n} hours of every {interview}",
            "Scorecards for a {interview} are due {n} hours after it ends",
        ),
        interview=interview,
        n=hours,
    )
    query = _choose(
        s.rng,
        (
            "how fast do notes from the {q_interview} have to come in",
            "deadline to submit my write-up once a {q_interview} is over",
        ),
        q_interview=interview_q,
    )
    return f"feedback:{interview}", memory, query


def _location(s: _Slots) -> tuple[str, str, str]:
    role, roles, role_q = s.role()
    city, city_q = s.pick(CITIES)
    days = s.rng.choice((2, 3, 4))
    memory = _choose(
        s.rng,
        (
            "Only considers {role} candidates within commuting distance of {city}",
            "Open to fully remote {roles}, no need to relocate to {city}",
            "{roles} in {city} must be in the office {n} days a week",
        ),
        role=role,
        roles=roles,
        city=city,
        n=days,
    )
    query = _choose(
        s.rng,
        (
            "can a {q_role} live far away from {q_city}",
            "does the {q_role} have to move to {q_city}",
            "how often is a {q_role} hired for {q_city} expected on site",
        ),
        q_role=role_q,
        q_city=city_q,
    )
    return f"location:{role}:{city}", memory, query


def _seniority(s: _Slots) -> tuple[str, str, str]:
    role, roles, role_q = s.role()
    years = s.rng.choice((3, 4, 5, 6, 7, 8, 10))
    memory = _choose(
        s.rng,
        (
            "Wants at least {n} years of experience for senior {role} hires",
            "For a senior {role} title, expect {n}+ years in the field",
        ),
        role=role,
        roles=roles,
        n=years,
    )
    query = _choose(
        s.rng,
        (
            "minimum tenure for someone to count as a lead {q_role}",
            "when does a {q_role} stop being mid-level for us",
        ),
        q_role=role_q,
    )
    return f"seniority:{role}", memory, query


def _industry(s: _Slots) -> tuple[str, str, str]:
    industry, industry_q = s.pick(INDUSTRIES)
    role, roles, role_q = s.role()
    memory = _choose(
        s.rng,
        (
            "Favors {role} candidates with a background in {industry}",
            "{industry} experience is a big plus for {roles}",
        ),
        industry=industry,
        role=role,
        roles=roles,
    )
    query = _choose(
        s.rng,
        (
            "does having worked at a {q_industry} company help a {q_role}",
            "is a {q_role} from the {q_industry} sector attractive to us",
        ),
        q_role=role_q,
        q_industry=industry_q,
    )
    return f"industry:{industry}:{role}", memory, query


def _no_poach(s: _Slots) -> tuple[str, str, str]:
    industry, industry_q = s.pick(INDUSTRIES)
    memory = _choose(
        s.rng,
        (
            "Avoid sourcing from {industry} clients: we signed non-solicit agreements",
            "Never poach people from our {industry} customers",
        ),
        industry=industry,
    )
    query = _choose(
        s.rng,
        (
            "am I allowed to approach employees of {q_industry} firms",
            "can we recruit out of {q_industry} accounts",
        ),
        q_industry=industry_q,
    )
    return f"no_poach:{industry}", memory, query


def _salary(s: _Slots) -> tuple[str, str, str]:
    role, roles, role_q = s.role()
    city, city_q = s.pick(CITIES)
    pay = s.rng.choice(range(60, 260, 10))
    memory = _choose(
        s.rng,
        (
            "Budget for {roles} in {city} tops out at {n}k",
            "Salary cap for {roles} based in {city}: {n}k",
        ),
        role=role,
        roles=roles,
        city=city,
        n=pay,
    )
    query = _choose(
        s.rng,
        (
            "what's the pay ceiling for a {q_role} in {q_city}",
            "how much can we offer a {q_role} located in {q_city}",
        ),
        q_role=role_q,
        q_city=city_q,
    )
    return f"salary:{role}:{city}", memory, query


def _notice(s: _Slots) -> tuple[str, str, str]:
    role, _, role_q = s.role()
    weeks = s.rng.choice((2, 4, 6, 8, 12))
    memory = _choose(
        s.rng,
        (
            "Will wait up to {n} weeks of notice period for a strong {role}",
            "A {role} with more than {n} weeks' notice is too slow to start",
        ),
        role=role,
        n=weeks,
    )
    query = _choose(
        s.rng,
        (
            "how late may a {q_role} join after accepting",
            "is a long resignation delay ok for a {q_role} hire",
        ),
        q_role=role_q,
    )
    return f"notice:{role}", memory, query


def _language(s: _Slots) -> tuple[str, str, str]:
    language = s.rng.choice(LANGUAGES)
    role, roles, role_q = s.role()
    city, city_q = s.pick(CITIES)
    memory = _choose(
        s.rng,
        (
            "Requires fluent {language} for {role} roles in {city}",
            "{roles} based in {city} must speak {language}",
        ),
        language=language,
        role=role,
        roles=roles,
        city=city,
    )
    query = _choose(
        s.rng,
        (
            "does a {q_role} working from {q_city} need {language} skills",
            "is {language} a language requirement for the {q_city} {q_role} job",
        ),
        language=language,
        q_role=role_q,
        q_city=city_q,
    )
    return f"language:{language}:{role}:{city}", memory, query


def _certification(s: _Slots) -> tuple[str, str, str]:
    cert, cert_q = s.pick(CERTIFICATIONS)
    role, roles, role_q = s.role(CERTIFICATION_ROLES[cert])
    memory = _choose(
        s.rng,
        (
            "Asks {role} candidates for a {cert} certificate",
            "{cert} is expected from {roles}",
        ),
        cert=cert,
        role=role,
        roles=roles,
    )
    query = _choose(
        s.rng,
        (
            "do we insist on the {q_cert} when hiring a {q_role}",
            "should a {q_role} hold {q_cert}",
        ),
        q_cert=cert_q,
        q_role=role_q,
    )
    return f"certification:{cert}:{role}", memory, query


def _take_home(s: _Slots) -> tuple[str, str, str]:
    role, roles, role_q = s.role()
    hours = s.rng.choice((2, 3, 4, 6))
    memory = _choose(
        s.rng,
        (
            "Take-home tasks for {roles} must fit in {n} hours",
            "Never give a {role} an assignment longer than {n} hours",
        ),
        role=role,
        roles=roles,
        n=hours,
    )
    query = _choose(
        s.rng,
        (
            "how big can the {q_role} homework exercise be",
            "what effort is fair for the {q_role} coding challenge",
        ),
        q_role=role_q,
    )
    return f"take_home:{role}", memory, query


def _shortlist(s: _Slots) -> tuple[str, str, str]:
    role, roles, role_q = s.role()
    size = s.rng.choice((3, 4, 5, 6, 8, 10))
    memory = _choose(
        s.rng,
        (
            "Keep shortlists to {n} candidates for {role} searches",
            "Send hiring managers at most {n} {roles} per shortlist",
        ),
        role=role,
        roles=roles,
        n=size,
    )
    query = _choose(
        s.rng,
        (
            "how many people do I present for a {q_role} requisition",
            "number of profiles to hand over on the {q_role} search",
        ),
        q_role=role_q,
    )
    return f"shortlist_size:{role}", memory, query


def _degree(s: _Slots) -> tuple[str, str, str]:
    role, roles, role_q = s.role()
    memory = _choose(
        s.rng,
        (
            "Does not require a degree for {role} roles",
            "Bootcamp graduates are fine for {roles}",
        ),
        role=role,
        roles=roles,
    )
    query = _choose(
        s.rng,
        (
            "is a university diploma needed to become our {q_role}",
            "would a self-taught {q_role} be considered",
        ),
        q_role=role_q,
    )
    return f"degree:{role}", memory, query


# (kind, weight, maker): the weights follow what a recruiter's memory fills with over time:
# skill lessons and locations most, settings once per role.
KINDS: tuple[tuple[str, float, Maker], ...] = (
    ("must_have", 10, _must_have),
    ("not_required", 6, _not_required),
    ("lacking", 8, _lacking),
    ("jd_max_words", 2, _jd_length),
    ("jd_style", 3, _jd_style),
    ("outreach_topic", 5, _outreach),
    ("outreach_tone", 2, _tone),
    ("schedule", 5, _schedule),
    ("feedback", 1, _feedback),
    ("location", 8, _location),
    ("seniority", 2, _seniority),
    ("industry", 6, _industry),
    ("no_poach", 1, _no_poach),
    ("salary", 8, _salary),
    ("notice", 2, _notice),
    ("language", 4, _language),
    ("certification", 3, _certification),
    ("take_home", 2, _take_home),
    ("shortlist_size", 2, _shortlist),
    ("degree", 2, _degree),
)


def generate_memories(
    users: int,
    per_user: int,
    *,
    seed: int = 7,
    prefix: str = "recruiter",
    alias_rate: float = 0.5,
) -> list[list[BenchMemory]]:
    """``per_user`` distinct memories for each of ``users`` recruiters (one per key).

    ``alias_rate``: how often a query names a skill, role, city, industry, interview or
    certification by an alias; the memories are the same whatever the rate.
    """
    rng = random.Random(seed)
    slots = _Slots(rng, alias_rate)
    names = [kind for kind, _, _ in KINDS]
    weights = [weight for _, weight, _ in KINDS]
    makers = {kind: maker for kind, _, maker in KINDS}
    everyone: list[list[BenchMemory]] = []
    for u in range(users):
        user = f"{prefix}-{u:03d}"
        keys: set[str] = set()
        memories: list[BenchMemory] = []
        attempts = 0
        while len(memories) < per_user:
            attempts += 1
            if attempts > per_user * 50:
                raise ValueError(f"cannot draw {per_user} distinct memories for one recruiter")
            kind = rng.choices(names, weights)[0]
            key, text, query = makers[kind](slots)
            # Skill keys are shared by must_have and not_required: one stance per skill and role.
            if key in keys:
                continue
            keys.add(key)
            memories.append(
                BenchMemory(
                    user=user, index=len(memories), kind=kind, key=key, text=text, query=query
                )
            )
        everyone.append(memories)
    return everyone


def pick_queries(
    layout: Sequence[Sequence[BenchMemory]], count: int, *, seed: int = 11
) -> list[BenchMemory]:
    """``count`` memories spread evenly over the recruiters (round robin, random within one)."""
    rng = random.Random(seed)
    pools = [rng.sample(list(memories), len(memories)) for memories in layout]
    picked: list[BenchMemory] = []
    while len(picked) < count and any(pools):
        for pool in pools:
            if pool and len(picked) < count:
                picked.append(pool.pop())
    return picked


_WORD = re.compile(r"[\w'+#/.-]+")


def _words(text: str) -> list[str]:
    return [w.strip(".,:;'").lower() for w in _WORD.findall(text)]


def longest_common_run(a: str, b: str) -> int:
    """The longest run of consecutive words (case-insensitive) that both texts contain."""
    x, y = _words(a), _words(b)
    best = 0
    previous = [0] * (len(y) + 1)
    for i in range(1, len(x) + 1):
        current = [0] * (len(y) + 1)
        for j in range(1, len(y) + 1):
            if x[i - 1] == y[j - 1]:
                current[j] = previous[j - 1] + 1
                best = max(best, current[j])
        previous = current
    return best


def paraphrase_stats(pairs: Sequence[BenchMemory]) -> dict[str, float]:
    """How much the queries share with their memories, over ``pairs``.

    ``word_jaccard``: shared distinct words / all distinct words, averaged. ``common_run``: the
    longest run of consecutive shared words (a multi-word slot value like "machine learning
    engineer" counts: it is the thing asked about, not the memory's wording).
    """
    jaccard, runs, verbatim = [], [], 0
    for item in pairs:
        a, b = set(_words(item.text)), set(_words(item.query))
        jaccard.append(len(a & b) / len(a | b))
        runs.append(longest_common_run(item.text, item.query))
        verbatim += item.text.lower() in item.query.lower()
    ordered = sorted(runs)
    return {
        "pairs": len(pairs),
        "word_jaccard_mean": round(sum(jaccard) / len(jaccard), 3),
        "word_jaccard_max": round(max(jaccard), 3),
        "common_run_median_words": ordered[len(ordered) // 2],
        "common_run_max_words": ordered[-1],
        "query_contains_memory_text": verbatim,
    }
