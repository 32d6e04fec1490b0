"""A deterministic synthetic candidate pool and sample intake notes for the demo.

Everyone in the pool is made up: names are drawn at random from lists of first and last names,
emails are at the reserved ``example.test`` domain, and employers and schools are fictional. The
pool covers several job families so that a search for one role finds a few dozen relevant people
of varying strength (everything in experience, only part of it, or keywords listed in the skills
line with nothing in the experience to back them), among many who are not relevant at all.

The same size and seed always give the same pool: only ``random.Random(seed)`` is used, and the
calendar year is fixed rather than read from the clock.
"""

from __future__ import annotations

import json
import random
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from domain.entities import Candidate
from domain.errors import DomainError

__all__ = [
    "SAMPLE_INTAKE_NOTES",
    "generate_pool",
    "read_pool_jsonl",
    "write_pool_jsonl",
]

# Fixed so that resume dates do not shift when the demo is run in another year.
CURRENT_YEAR = 2025

SAMPLE_INTAKE_NOTES = """\
Role: Senior Backend Engineer
Location: Berlin (hybrid)
Type: Full-time
We are a young and energetic team building the payments platform behind a fast-growing \
marketplace. We need a rockstar backend engineer who owns services end to end, from design to \
running them in production. You will work with product, data and platform engineers.
Responsibilities:
- Design, build and operate Python services for payments and payouts
- Run and evolve our PostgreSQL databases and Kubernetes deployments
- Mentor engineers and review designs
Must have:
- 5+ years of professional Python development
- PostgreSQL in production
- Kubernetes
Nice to have:
- Go
- Experience in payments or fintech
"""

_FIRST_NAMES = (
    "Amara", "Kenji", "Sofia", "Mateo", "Priya", "Oluwaseun", "Lena", "Youssef", "Mei", "Tomasz",
    "Aisha", "Lucas", "Ingrid", "Ravi", "Chiara", "Diego", "Hana", "Nikolai", "Fatima", "Jonas",
    "Zanele", "Emre", "Camila", "Arjun", "Noor", "Elif", "Kwame", "Sven", "Yuki", "Marisol",
    "Dmitri", "Leilani", "Tariq", "Anouk", "Bao", "Ines", "Omar", "Freya", "Rafael", "Sade",
)  # fmt: skip

_LAST_NAMES = (
    "Okafor", "Tanaka", "Rossi", "García", "Sharma", "Adeyemi", "Müller", "Haddad", "Chen",
    "Nowak", "Khan", "Silva", "Lindqvist", "Iyer", "Bianchi", "Morales", "Kim", "Volkov",
    "Rahman", "Becker", "Dlamini", "Yilmaz", "Fernández", "Patel", "Hassan", "Demir", "Mensah",
    "Nilsson", "Sato", "Ortega", "Petrov", "Kealoha", "Aziz", "de Vries", "Nguyen", "Costa",
    "Farouk", "Olsen", "Pereira", "Bello",
)  # fmt: skip

# Berlin and Remote are weighted up so that the Berlin sample role has local candidates.
_LOCATIONS: tuple[tuple[str, int], ...] = (
    ("Berlin", 16),
    ("Remote", 16),
    ("London", 10),
    ("New York", 8),
    ("Bangalore", 8),
    ("Lisbon", 6),
    ("Toronto", 6),
    ("Munich", 6),
    ("Amsterdam", 5),
    ("Warsaw", 5),
    ("Hamburg", 4),
    ("Madrid", 4),
    ("Nairobi", 3),
    ("Singapore", 3),
    ("São Paulo", 3),
)

# The demo company hires engineers in Berlin, so its pool of past applicants and referrals for
# technical roles leans further towards Berlin and remote people.
_TECH_LOCATION_BOOST: dict[str, int] = {"Berlin": 18, "Remote": 6}
_TECH_FAMILIES = frozenset({"backend", "data", "frontend", "devops"})

_SCHOOLS = (
    "University of Northbridge",
    "Eastvale Technical University",
    "Lakeshore University",
    "Westmoor Institute of Technology",
    "Riverton College",
    "Highfield University",
    "Southport University of Applied Sciences",
)

# A bullet template: the skills it mentions (display names) and its text. Placeholders are
# filled with random numbers so that two resumes using the same template still differ.
_Bullet = tuple[tuple[str, ...], str]


@dataclass(frozen=True)
class _Family:
    """One job family: its titles, skills and the achievement bullets its resumes draw from."""

    key: str
    weight: int
    field: str
    titles: tuple[str, ...]
    focus: tuple[str, ...]
    core: tuple[str, ...]
    extra: tuple[str, ...]
    bullets: tuple[_Bullet, ...]
    generic: tuple[str, ...]
    employers: tuple[str, ...]
    degrees: tuple[str, ...]


_BACKEND = _Family(
    key="backend",
    weight=15,
    field="Backend engineer",
    titles=("Backend Engineer", "Software Engineer", "Backend Developer", "Server-Side Engineer"),
    focus=(
        "building payment and ledger systems",
        "building APIs for logistics platforms",
        "building marketplace backends",
        "running high-traffic web services",
        "building internal platforms for data-heavy products",
    ),
    core=("Python", "PostgreSQL", "Kubernetes"),
    extra=("Docker", "Redis", "Kafka", "AWS", "FastAPI", "Django"),
    bullets=(
        (
            ("Python", "PostgreSQL"),
            "Built PostgreSQL-backed ledger services in Python handling {m}M transactions a day.",
        ),
        (
            ("Python", "PostgreSQL"),
            "Designed the Postgres schema and Python data-access layer for a multi-tenant "
            "booking platform.",
        ),
        (
            ("Python", "FastAPI"),
            "Rewrote the invoicing API in Python with FastAPI, cutting p99 latency from {ms} ms "
            "to {ms_low} ms.",
        ),
        (
            ("Python", "Django"),
            "Maintained a Django monolith in Python serving {k}00k monthly users and split out "
            "its billing module.",
        ),
        (
            ("Python",),
            "Introduced typed Python and property-based tests, which cut production incidents "
            "by {pct}%.",
        ),
        (("Python",), "Wrote Python batch jobs that reconcile {k} partner feeds every night."),
        (
            ("PostgreSQL",),
            "Ran PostgreSQL in production at {m} TB, including partitioning the largest events "
            "table without downtime.",
        ),
        (
            ("PostgreSQL",),
            "Tuned slow PostgreSQL queries and indexes, reducing database CPU by {pct}%.",
        ),
        (
            ("Kubernetes",),
            "Moved {k} services from virtual machines to Kubernetes with Helm charts and "
            "zero-downtime rollouts.",
        ),
        (
            ("Kubernetes",),
            "Operated the team's Kubernetes clusters, including autoscaling, upgrades and on-call.",
        ),
        (
            ("Kubernetes", "Python"),
            "Wrote a Python operator for Kubernetes that automates database failover.",
        ),
        (
            ("Go",),
            "Wrote a Go gateway that fans out {k}k requests per second to internal services.",
        ),
        (
            ("Go", "Kubernetes"),
            "Built Go controllers that scale Kubernetes workers on queue depth.",
        ),
        (
            ("Payments",),
            "Integrated card payments with three acquirers and reduced failed payments by {pct}%.",
        ),
        (
            ("Payments", "Python"),
            "Owned the Python payments reconciliation pipeline that matches bank settlements "
            "every night.",
        ),
        (
            ("Kafka",),
            "Introduced Kafka for order events, replacing a polling job that lagged by minutes.",
        ),
        (
            ("Redis",),
            "Added a Redis cache in front of the pricing service, lifting the hit rate to "
            "{pct_high}%.",
        ),
        (
            ("Docker",),
            "Containerised the legacy services with Docker and cut onboarding time for new "
            "engineers to a day.",
        ),
        (
            ("AWS",),
            "Migrated the job queue to AWS SQS and Lambda, removing {k} self-managed servers.",
        ),
        (("FastAPI",), "Built FastAPI endpoints for partner integrations with generated clients."),
        (("Django",), "Upgraded the Django admin used by {k}0 support agents."),
        (("Java",), "Built Java services on Spring Boot for the order management system."),
        (
            ("Java",),
            "Profiled and fixed memory leaks in Java services handling {k}k requests per minute.",
        ),
        (
            ("PHP", "MySQL"),
            "Maintained a PHP and MySQL e-commerce backend processing {k}k orders a month.",
        ),
        (("PHP",), "Upgraded a PHP 5 codebase to PHP 8 with automated refactoring tools."),
        (("MySQL",), "Replicated MySQL across two regions and automated its backups."),
    ),
    generic=(
        "Mentored {k} engineers and ran the team's weekly design review.",
        "Led the on-call rotation and wrote runbooks that halved time to recovery.",
        "Worked with product managers to turn a vague roadmap into quarterly milestones.",
        "Wrote the design document for a new notification system and saw it through to launch.",
        "Interviewed candidates and improved the structured interview rubric.",
        "Cut the build time of the main repository by {pct}% with caching.",
        "Ran blameless post-mortems and tracked their actions to completion.",
    ),
    employers=(
        "Northwind Commerce",
        "Ledgerly",
        "Copperleaf Logistics",
        "Bluefin Bank",
        "Granite Cloud",
        "Foxglove Retail",
        "Juniper Mobility",
        "Kestrel Travel",
    ),
    degrees=("B.Sc. Computer Science", "M.Sc. Computer Science", "B.Eng. Software Engineering"),
)

_DATA = _Family(
    key="data",
    weight=10,
    field="Data professional",
    titles=("Data Engineer", "Data Analyst", "Analytics Engineer", "Data Scientist"),
    focus=(
        "building data pipelines and warehouses",
        "turning product data into decisions",
        "building forecasting and reporting for operations",
    ),
    core=("Python", "SQL", "Airflow", "Spark", "dbt", "pandas"),
    extra=("PostgreSQL", "Snowflake", "Tableau", "Kubernetes"),
    bullets=(
        (
            ("Python", "Airflow"),
            "Built Airflow pipelines in Python that load {k} source systems into the warehouse "
            "every hour.",
        ),
        (("SQL", "dbt"), "Modelled the finance data mart in dbt with SQL tests on every table."),
        (
            ("Spark",),
            "Tuned Spark jobs over {m} TB of clickstream data, cutting the nightly run by {pct}%.",
        ),
        (
            ("Python", "pandas"),
            "Automated churn reports with Python and pandas that the sales team reads every "
            "Monday.",
        ),
        (("SQL",), "Wrote the SQL behind the company's weekly revenue dashboard."),
        (
            ("Python",),
            "Trained and monitored demand-forecasting models in Python for {k} regional "
            "warehouses.",
        ),
        (("Airflow",), "Owned the Airflow deployment and its alerting for failed DAGs."),
        (("dbt",), "Introduced dbt and documented {k}0 models for analysts."),
        (("pandas",), "Replaced spreadsheet macros with pandas scripts for the monthly close."),
        (
            ("PostgreSQL",),
            "Moved reporting queries off the production PostgreSQL primary onto a read replica.",
        ),
        (("Snowflake",), "Migrated the warehouse to Snowflake and cut query costs by {pct}%."),
        (("Tableau",), "Built Tableau dashboards used by {k}0 managers to track fulfilment."),
        (("Kubernetes", "Spark"), "Ran Spark on Kubernetes for ad-hoc analysis workloads."),
        (("Kubernetes",), "Deployed model-serving jobs to Kubernetes with the platform team."),
    ),
    generic=(
        "Worked with finance and marketing to agree on shared metric definitions.",
        "Ran data-quality reviews with source-system owners every sprint.",
        "Presented experiment results to the leadership team every month.",
        "Documented the data catalogue so that analysts could find tables on their own.",
        "Mentored {k} junior analysts through their first year.",
    ),
    employers=(
        "Harbor Analytics",
        "Emberline Energy",
        "Foxglove Retail",
        "Copperleaf Logistics",
        "Ironbark Insurance",
    ),
    degrees=("B.Sc. Statistics", "M.Sc. Data Science", "B.Sc. Economics", "M.Sc. Mathematics"),
)

_FRONTEND = _Family(
    key="frontend",
    weight=10,
    field="Frontend engineer",
    titles=("Frontend Engineer", "Frontend Developer", "UI Engineer", "Web Developer"),
    focus=("building accessible web apps", "building design systems", "building e-commerce UIs"),
    core=("JavaScript", "TypeScript", "React", "CSS"),
    extra=("Vue", "Next.js", "GraphQL", "Node.js", "Figma"),
    bullets=(
        (
            ("React", "TypeScript"),
            "Rebuilt the checkout in React and TypeScript, lifting conversion by {pct_low}%.",
        ),
        (("React",), "Built a React component library used by {k} product teams."),
        (
            ("TypeScript", "JavaScript"),
            "Migrated {k}0k lines of JavaScript to TypeScript without a feature freeze.",
        ),
        (
            ("TypeScript",),
            "Introduced strict TypeScript settings and removed most runtime type errors.",
        ),
        (("JavaScript",), "Wrote dependency-free JavaScript widgets embedded on partner sites."),
        (
            ("CSS",),
            "Rewrote the design system's CSS with custom properties and container queries.",
        ),
        (("Vue",), "Maintained a Vue admin panel for customer support."),
        (
            ("Next.js",),
            "Moved the marketing site to Next.js and improved Largest Contentful Paint by {pct}%.",
        ),
        (("GraphQL",), "Designed the GraphQL schema that the web and mobile apps share."),
        (("Node.js",), "Built a Node.js backend-for-frontend that aggregates {k} services."),
        (("Figma",), "Worked from Figma prototypes with designers to ship accessible forms."),
    ),
    generic=(
        "Ran accessibility audits and fixed WCAG 2.1 AA issues across the product.",
        "Paired with designers on user research sessions.",
        "Set up visual regression tests for the main user journeys.",
        "Cut the main bundle size by {pct}% by splitting routes.",
        "Mentored {k} developers and ran the frontend guild.",
    ),
    employers=("Lumen Studio", "Foxglove Retail", "Kestrel Travel", "Juniper Mobility"),
    degrees=("B.Sc. Computer Science", "B.A. Interaction Design", "B.Sc. Media Informatics"),
)

_DEVOPS = _Family(
    key="devops",
    weight=8,
    field="Infrastructure engineer",
    titles=("DevOps Engineer", "Site Reliability Engineer", "Platform Engineer", "Cloud Engineer"),
    focus=(
        "running cloud infrastructure at scale",
        "building internal developer platforms",
        "keeping production reliable",
    ),
    core=("Kubernetes", "Terraform", "AWS", "Docker", "Linux"),
    extra=("Go", "Python", "Prometheus", "Ansible", "PostgreSQL", "GCP"),
    bullets=(
        (
            ("Kubernetes",),
            "Ran {k} production Kubernetes clusters with GitOps and automated upgrades.",
        ),
        (
            ("Kubernetes", "Terraform"),
            "Provisioned Kubernetes clusters with Terraform modules shared across {k} teams.",
        ),
        (
            ("Terraform", "AWS"),
            "Codified the AWS estate in Terraform, ending manual console changes.",
        ),
        (("Terraform",), "Wrote Terraform policies that block public storage buckets."),
        (("AWS",), "Cut the AWS bill by {pct}% with rightsizing and reserved capacity."),
        (("Docker",), "Built hardened Docker base images with weekly security rebuilds."),
        (("Linux",), "Administered {k}00 Linux hosts and automated their patching."),
        (("Go",), "Wrote Go tooling for deployments and incident response."),
        (("Python",), "Automated certificate rotation with Python scripts and scheduled jobs."),
        (("Prometheus",), "Set up Prometheus alerting with SLO-based burn-rate alerts."),
        (("Ansible",), "Replaced hand-run shell scripts with Ansible playbooks."),
        (
            ("PostgreSQL", "Kubernetes"),
            "Ran PostgreSQL on Kubernetes with an operator and point-in-time recovery.",
        ),
        (("PostgreSQL",), "Managed PostgreSQL upgrades across {k} database clusters."),
        (("GCP",), "Ran a multi-region deployment on GCP for the mobile backend."),
    ),
    generic=(
        "Led incident reviews and tracked follow-up actions to completion.",
        "Ran the on-call rotation for {k} services and cut pages by {pct}%.",
        "Wrote the disaster-recovery plan and tested it twice a year.",
        "Built a self-service deployment pipeline used by {k}0 engineers.",
        "Mentored {k} engineers joining the platform team.",
    ),
    employers=("Granite Cloud", "Bluefin Bank", "Emberline Energy", "Ironbark Insurance"),
    degrees=(
        "B.Sc. Computer Science",
        "B.Eng. Electrical Engineering",
        "B.Sc. Information Systems",
    ),
)

_FINANCE = _Family(
    key="finance",
    weight=12,
    field="Finance professional",
    titles=("Accountant", "Financial Analyst", "Finance Manager", "Financial Controller"),
    focus=(
        "closing the books for international groups",
        "planning and forecasting",
        "statutory and management reporting",
    ),
    core=("Excel", "IFRS", "SAP", "Financial Reporting"),
    extra=("DATEV", "Budgeting", "Power BI", "US GAAP", "Audit"),
    bullets=(
        (
            ("Financial Reporting", "IFRS"),
            "Prepared monthly financial reporting under IFRS for {k} entities.",
        ),
        (("IFRS",), "Led the IFRS 16 lease accounting project."),
        (("Excel",), "Built Excel models for cash-flow forecasting used by the CFO."),
        (
            ("SAP",),
            "Ran the month-end close in SAP and shortened it by {d} working days.",
        ),
        (("Financial Reporting",), "Owned the quarterly financial reporting pack for the board."),
        (("DATEV",), "Booked payroll and VAT returns in DATEV for {k} German subsidiaries."),
        (("Budgeting",), "Coordinated annual budgeting with {k} department heads."),
        (("Power BI",), "Built Power BI dashboards for spend tracking."),
        (
            ("US GAAP",),
            "Reconciled US GAAP and local statutory accounts for the US subsidiary.",
        ),
        (("Audit",), "Was the main contact for the external audit and cleared all findings."),
    ),
    generic=(
        "Reconciled intercompany balances and cleared {k}0 open items.",
        "Trained new team members on expense policies.",
        "Worked with procurement to tighten purchase-order approvals.",
        "Prepared tax filings with external advisers for {k} entities.",
        "Introduced a rolling forecast that replaced the static annual plan.",
    ),
    employers=("Ironbark Insurance", "Emberline Energy", "Harbor Holdings", "Bluefin Bank"),
    degrees=("B.A. Accounting and Finance", "M.Sc. Finance", "B.Sc. Business Administration"),
)

_SALES = _Family(
    key="sales",
    weight=12,
    field="Sales professional",
    titles=(
        "Account Executive",
        "Sales Manager",
        "Business Development Representative",
        "Key Account Manager",
    ),
    focus=("selling software to mid-market companies", "growing key accounts", "opening markets"),
    core=("Salesforce", "B2B Sales", "Negotiation", "Pipeline Management"),
    extra=("HubSpot", "SaaS", "Cold Calling"),
    bullets=(
        (
            ("Salesforce",),
            "Kept the Salesforce pipeline current and forecast within {pct_low}% each quarter.",
        ),
        (("B2B Sales",), "Closed B2B sales deals worth €{k}00k in annual recurring revenue."),
        (("Negotiation",), "Led negotiation of multi-year contracts with procurement teams."),
        (("Pipeline Management",), "Improved pipeline management with weekly deal reviews."),
        (("HubSpot",), "Built HubSpot sequences that doubled meeting bookings."),
        (
            ("SaaS", "B2B Sales"),
            "Sold SaaS subscriptions to mid-market B2B customers in the DACH region.",
        ),
        (("SaaS",), "Exceeded the SaaS new-business quota {k} quarters in a row."),
        (("Cold Calling",), "Booked {k}0 first meetings a quarter through cold calling."),
    ),
    generic=(
        "Exceeded the annual quota by {pct}%.",
        "Onboarded and coached {k} new sales hires.",
        "Represented the company at trade fairs.",
        "Grew the largest account by {pct}% through cross-selling.",
        "Worked with marketing on campaigns for {k} industry verticals.",
    ),
    employers=("Lumen Studio", "Granite Cloud", "Harbor Holdings", "Kestrel Travel"),
    degrees=("B.A. Business Administration", "B.A. Marketing", "B.A. Communication"),
)

_HR = _Family(
    key="hr",
    weight=9,
    field="People professional",
    titles=(
        "HR Generalist",
        "HR Business Partner",
        "Talent Acquisition Specialist",
        "People Operations Manager",
    ),
    focus=("supporting growing teams", "hiring and onboarding at scale", "people operations"),
    core=("Recruiting", "Onboarding", "Employee Relations", "Workday"),
    extra=("Payroll", "Labour Law", "Compensation"),
    bullets=(
        (
            ("Recruiting",),
            "Ran end-to-end recruiting for {k}0 hires a year across engineering and sales.",
        ),
        (("Onboarding",), "Redesigned onboarding, raising new-hire satisfaction to {pct_high}%."),
        (
            ("Employee Relations",),
            "Handled employee relations cases and coached managers through difficult "
            "conversations.",
        ),
        (("Workday",), "Led the Workday rollout for {k} countries."),
        (("Payroll",), "Coordinated payroll with external providers for {k}00 employees."),
        (
            ("Labour Law",),
            "Advised managers on labour law for terminations and works-council consultations.",
        ),
        (("Compensation",), "Ran the annual compensation review using salary bands."),
    ),
    generic=(
        "Introduced structured interviews and interviewer training.",
        "Ran the engagement survey and followed up with action plans.",
        "Rewrote the employee handbook with the works council.",
        "Cut time to hire by {pct}% with a shared interview calendar.",
    ),
    employers=("Juniper Mobility", "Foxglove Retail", "Ironbark Insurance", "Lumen Studio"),
    degrees=("B.A. Psychology", "M.A. Human Resource Management", "B.A. Business Administration"),
)

_HEALTHCARE = _Family(
    key="healthcare",
    weight=12,
    field="Nurse",
    titles=("Registered Nurse", "Staff Nurse", "Clinical Nurse Specialist", "Nurse Practitioner"),
    focus=("caring for surgical patients", "emergency care", "intensive care"),
    core=("Patient Care", "Epic", "Wound Care", "Triage"),
    extra=("ICU", "Phlebotomy", "Medication Administration"),
    bullets=(
        (
            ("Patient Care",),
            "Provided patient care for up to {k} patients per shift on a surgical ward.",
        ),
        (
            ("Epic",),
            "Documented assessments in Epic and trained colleagues on the charting workflow.",
        ),
        (
            ("Wound Care",),
            "Led wound care for post-operative patients and cut infection rates by {pct_low}%.",
        ),
        (("Triage",), "Performed triage in a busy emergency department."),
        (("ICU",), "Worked night shifts in a {k}0-bed ICU."),
        (("Phlebotomy",), "Performed phlebotomy and point-of-care testing."),
        (
            ("Medication Administration",),
            "Handled medication administration and double-checks for high-risk drugs.",
        ),
    ),
    generic=(
        "Precepted {k} nursing students.",
        "Took part in the hospital's falls-prevention working group.",
        "Coordinated discharge planning with social workers and families.",
        "Trained colleagues on infection-control procedures.",
    ),
    employers=(
        "Aurelia General Hospital",
        "Northbridge Medical Center",
        "Lakeshore Clinic",
        "Riverton Community Hospital",
    ),
    degrees=("B.Sc. Nursing", "M.Sc. Advanced Nursing Practice"),
)

_TEACHING = _Family(
    key="teaching",
    weight=10,
    field="Teacher",
    titles=(
        "Mathematics Teacher",
        "Science Teacher",
        "English Teacher",
        "Computer Science Teacher",
    ),
    focus=("teaching secondary school students", "teaching mixed-ability classes"),
    core=("Curriculum Design", "Classroom Management", "Differentiated Instruction", "Assessment"),
    extra=("Google Classroom", "Mathematics", "Python"),
    bullets=(
        (("Curriculum Design",), "Led curriculum design for the Year 9 programme."),
        (
            ("Classroom Management",),
            "Used consistent classroom management routines with classes of {k}0 students.",
        ),
        (
            ("Differentiated Instruction",),
            "Planned differentiated instruction for mixed-ability groups.",
        ),
        (("Assessment",), "Wrote assessment rubrics shared across the department."),
        (("Google Classroom",), "Moved coursework to Google Classroom during remote teaching."),
        (
            ("Mathematics",),
            "Taught mathematics to students aged 11 to 18 and raised exam pass rates by "
            "{pct_low}%.",
        ),
        (("Python",), "Taught an introductory Python course to {k}0 students a year."),
    ),
    generic=(
        "Ran the after-school robotics club.",
        "Mentored newly qualified teachers.",
        "Organised parent evenings for {k} year groups.",
        "Led the department's reading programme.",
    ),
    employers=(
        "Riverside Secondary School",
        "Northbridge Academy",
        "Westmoor Grammar School",
        "Lakeshore International School",
    ),
    degrees=("B.Ed. Secondary Education", "M.Ed. Mathematics Education", "B.Sc. Physics"),
)

_FAMILIES: tuple[_Family, ...] = (
    _BACKEND,
    _DATA,
    _FRONTEND,
    _DEVOPS,
    _FINANCE,
    _SALES,
    _HR,
    _HEALTHCARE,
    _TEACHING,
)

# What a keyword stuffer lists in a backend skills line without any of it in their experience.
_STUFFED_KEYWORDS = ("Python", "PostgreSQL", "Kubernetes", "Go", "Docker", "AWS")


@dataclass(frozen=True)
class _Profile:
    """What one candidate has really done (experience) and what they list (skills line)."""

    experience: tuple[str, ...]
    skills_line: tuple[str, ...]


def _ordered_unique(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


def _backend_profile(rng: random.Random) -> tuple[_Profile, int]:
    """A backend profile of one of three strengths, with years of experience to match it."""
    strength = rng.choices(("strong", "partial", "stuffed"), weights=(5, 4, 2))[0]
    extras = rng.sample(_BACKEND.extra, rng.randint(0, 2))
    if strength == "strong":
        experience = ["Python", "PostgreSQL", "Kubernetes"]
        if rng.random() < 0.5:
            experience.append("Go")
        if rng.random() < 0.4:
            experience.append("Payments")
        experience += extras
        line = list(experience)
        years = rng.randint(4, 15)
    elif strength == "partial":
        variant = rng.randrange(3)
        if variant == 0:
            # Python and PostgreSQL for real; Kubernetes at most claimed in the skills line.
            experience = ["Python", "PostgreSQL", *extras]
            line = [*experience, "Kubernetes"] if rng.random() < 0.5 else list(experience)
        elif variant == 1:
            experience = ["Python", "Kubernetes", "MySQL", *extras]
            line = list(experience)
        else:
            experience = ["Go", "PostgreSQL", "Kubernetes", *extras]
            line = list(experience)
        years = rng.randint(2, 12)
    else:
        experience = list(rng.choice((("PHP", "MySQL"), ("Java",), ("Java", "MySQL"))))
        experience += extras[:1]
        line = [*_STUFFED_KEYWORDS, *experience]
        years = rng.randint(2, 10)
    return _Profile(_ordered_unique(experience), _ordered_unique(line)), years


def _family_profile(family: _Family, rng: random.Random) -> tuple[_Profile, int]:
    """A profile for any family but backend: some core skills, maybe a few extras."""
    experience = rng.sample(family.core, rng.randint(2, len(family.core)))
    experience += [skill for skill in family.extra if rng.random() < 0.3]
    line = list(experience)
    unused = [skill for skill in family.extra if skill not in experience]
    if unused and rng.random() < 0.3:
        # Listed but never shown in experience: common in real resumes too.
        line.append(rng.choice(unused))
    return _Profile(_ordered_unique(experience), _ordered_unique(line)), rng.randint(2, 16)


def _fill(template: str, rng: random.Random) -> str:
    """Fill a bullet template's number placeholders; unused values are ignored by format."""
    ms = rng.randint(300, 900)
    values = {
        "k": rng.randint(2, 9),
        "m": rng.randint(2, 12),
        "d": rng.randint(2, 4),
        "pct": rng.randint(15, 60),
        "pct_low": rng.randint(2, 9),
        "pct_high": rng.randint(85, 98),
        "ms": ms,
        "ms_low": ms // rng.randint(3, 6),
    }
    return template.format(**values)


def _pick_bullets(
    family: _Family, experience: tuple[str, ...], count: int, rng: random.Random
) -> list[str]:
    """Bullets that mention only the candidate's experience skills, each skill at least once."""
    owned = set(experience)
    eligible = [bullet for bullet in family.bullets if set(bullet[0]) <= owned]
    chosen: list[_Bullet] = []
    for skill in experience:
        if any(skill in bullet[0] for bullet in chosen):
            continue
        options = [b for b in eligible if skill in b[0] and b not in chosen]
        if options:
            chosen.append(rng.choice(options))
    texts = [_fill(bullet[1], rng) for bullet in chosen]
    spare = [bullet[1] for bullet in eligible if bullet not in chosen]
    generic = list(family.generic)
    while len(texts) < count:
        # Roughly a third generic bullets: real resumes are not all keywords.
        pool = generic if (rng.random() < 0.35 or not spare) and generic else spare
        if not pool:
            break
        template = pool.pop(rng.randrange(len(pool)))
        texts.append(_fill(template, rng))
    rng.shuffle(texts)
    return texts


def _seniority(years: int) -> str:
    if years < 3:
        return "Junior "
    if years >= 8:
        return "Senior "
    return ""


def _split_years(years: int, roles: int, rng: random.Random) -> list[int]:
    """Split a career of ``years`` into ``roles`` positive lengths, most recent first."""
    cuts = sorted(rng.sample(range(1, years), roles - 1))
    bounds = [0, *cuts, years]
    return [bounds[i + 1] - bounds[i] for i in range(roles)]


def _email(first: str, last: str, number: int) -> str:
    """An ASCII address at the reserved example.test domain, unique through the number."""
    raw = f"{first}.{last}".replace(" ", "")
    ascii_name = unicodedata.normalize("NFKD", raw).encode("ascii", "ignore").decode("ascii")
    return f"{ascii_name.lower()}.{number:04d}@example.test"


def _candidate(number: int, rng: random.Random) -> Candidate:
    family = rng.choices(_FAMILIES, weights=[f.weight for f in _FAMILIES])[0]
    first = rng.choice(_FIRST_NAMES)
    last = rng.choice(_LAST_NAMES)
    name = f"{first} {last}"
    boost = _TECH_LOCATION_BOOST if family.key in _TECH_FAMILIES else {}
    location = rng.choices(
        [loc for loc, _ in _LOCATIONS], weights=[w + boost.get(loc, 0) for loc, w in _LOCATIONS]
    )[0]
    if family is _BACKEND:
        profile, years = _backend_profile(rng)
    else:
        profile, years = _family_profile(family, rng)

    role_count = rng.randint(2, min(4, years))
    lengths = _split_years(years, role_count, rng)
    per_role = [rng.randint(2, 4) for _ in range(role_count)]
    # Each experience skill gets a bullet of its own, so make room for all of them.
    while sum(per_role) < len(profile.experience) and min(per_role) < 4:
        per_role[per_role.index(min(per_role))] += 1
    bullets = _pick_bullets(family, profile.experience, sum(per_role), rng)
    # A narrow profile can run out of distinct bullets: first trim roles above two bullets,
    # then fold the oldest role into the one before it, so every role keeps two or more.
    while sum(per_role) > len(bullets):
        if max(per_role) > 2:
            per_role[max(i for i, n in enumerate(per_role) if n > 2)] -= 1
        elif len(per_role) > 1:
            per_role.pop()
            lengths[-2] += lengths.pop()
        else:
            break

    title_base = rng.choice(family.titles)
    headline_title = _seniority(years) + title_base
    headline = f"{headline_title} | {', '.join(profile.skills_line[:3])}"

    experience_lines: list[str] = []
    end = CURRENT_YEAR
    years_before = years
    position = 0
    for index, (length, count) in enumerate(zip(lengths, per_role, strict=True)):
        start = end - length
        title = headline_title if index == 0 else _seniority(years_before) + title_base
        if index > 0 and rng.random() < 0.3:
            title = _seniority(years_before) + rng.choice(family.titles)
        employer = rng.choice(family.employers)
        period = f"{start}–present" if index == 0 else f"{start}–{end}"
        if experience_lines:
            experience_lines.append("")
        experience_lines.append(f"{title}, {employer} ({period})")
        experience_lines += [f"- {bullet}" for bullet in bullets[position : position + count]]
        position += count
        years_before -= length
        end = start

    main = profile.experience[:2]
    mostly = " and ".join(main)
    focus = rng.choice(family.focus)
    summary = (
        f"{family.field} with {years} years of experience {focus}, working mostly with {mostly}."
    )
    degree_year = CURRENT_YEAR - years - rng.randint(0, 2)
    education = f"{rng.choice(family.degrees)}, {rng.choice(_SCHOOLS)} ({degree_year})"
    email = _email(first, last, number)

    resume = "\n".join(
        [
            name,
            headline,
            f"{location} · {email}",
            "",
            "Summary",
            summary,
            "",
            "Experience",
            *experience_lines,
            "",
            "Education",
            education,
            "",
            f"Skills: {', '.join(profile.skills_line)}",
        ]
    )
    return Candidate(
        id=f"cand-{number:04d}",
        name=name,
        email=email,
        location=location,
        headline=headline,
        years_experience=years,
        skills=[skill.lower() for skill in profile.skills_line],
        resume_text=resume + "\n",
    )


def generate_pool(size: int = 240, seed: int = 7) -> list[Candidate]:
    """A synthetic candidate pool; the same ``size`` and ``seed`` always give the same pool.

    Candidates are ``cand-0001`` onwards. Raises DomainError for a negative size.
    """
    if size < 0:
        raise DomainError(f"pool size must be 0 or more, got {size}")
    rng = random.Random(seed)
    return [_candidate(number, rng) for number in range(1, size + 1)]


def write_pool_jsonl(pool: Iterable[Candidate], path: str | Path) -> None:
    """Write candidates to ``path`` as JSON Lines: one candidate object per line, UTF-8."""
    with Path(path).open("w", encoding="utf-8") as handle:
        for candidate in pool:
            handle.write(candidate.model_dump_json() + "\n")


def read_pool_jsonl(path: str | Path) -> list[Candidate]:
    """Read candidates written by :func:`write_pool_jsonl`; blank lines are skipped.

    Raises DomainError naming the file and line number of the first line that is not a valid
    candidate, so the file can be fixed by hand.
    """
    candidates: list[Candidate] = []
    with Path(path).open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                candidates.append(Candidate.model_validate(json.loads(line)))
            except (json.JSONDecodeError, ValidationError) as exc:
                reason = str(exc).splitlines()[0]
                raise DomainError(
                    f"{path}, line {number}: not a valid candidate ({reason}); "
                    "fix or remove that line"
                ) from exc
    return candidates
