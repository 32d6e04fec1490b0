"""``hirecrew search``: hybrid search over the candidate pool.

The pool is read from ``<data dir>/pool``; the index lives in ``<data dir>/index`` and is
brought up to date (new or changed candidates embedded) before every search.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from cli.common import EXIT_INVALID, DataDir, fail, settings_for
from domain.entities import Candidate
from domain.errors import HirecrewError

# A single command held by its group's callback: click groups stop reading options at the first
# positional (it could be a subcommand), so interspersed options are allowed explicitly.
app = typer.Typer(
    help="Search the candidate pool.", context_settings={"allow_interspersed_args": True}
)


def load_pool(pool_dir: Path) -> list[Candidate]:
    """Every candidate in the pool store at ``pool_dir`` (empty when there is none)."""
    from domain.candidate_store import CandidateStore

    return CandidateStore(pool_dir).all()


@app.callback(invoke_without_command=True)
def search(
    query: Annotated[str, typer.Argument(help="keywords, a sentence or a whole job description")],
    top: Annotated[int, typer.Option("--top", min=1, help="how many candidates to show")] = 10,
    must: Annotated[
        list[str] | None,
        typer.Option("--must", help="a must-have skill (repeatable); candidates lack none"),
    ] = None,
    location: Annotated[
        str | None, typer.Option(help="city; Remote and unknown locations always pass")
    ] = None,
    min_years: Annotated[
        int | None, typer.Option("--min-years", min=0, help="unknown years always pass")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
    data_dir: DataDir = None,
) -> None:
    """Find the best candidates for QUERY: BM25 and embeddings, fused, best first."""
    if not query.strip():
        raise fail("the query is empty", EXIT_INVALID)
    settings = settings_for(data_dir)
    from domain.embeddings import MiniLMEmbedder
    from domain.hybrid_search import HybridIndex, plan_from_text

    try:
        pool = load_pool(settings.data_path / "pool")
        index = HybridIndex.open(settings.data_path / "index", MiniLMEmbedder())
        index.sync(pool)
        plan = plan_from_text(query)
        plan = plan.model_copy(
            update={
                "required_skills": list(must or []),
                "location": location,
                "min_years": min_years,
            }
        )
        results = index.search(plan, limit=top)
    except HirecrewError as exc:
        raise fail(str(exc), EXIT_INVALID) from exc

    if as_json:
        rows = [
            {
                "id": match.candidate_id,
                "score": match.score,
                "source": getattr(index.candidate(match.candidate_id), "source", None),
                "matched_skills": match.matched_skills,
            }
            for match in results.candidates
        ]
        typer.echo(json.dumps(rows))
        return
    skills = ", ".join(plan.required_skills + plan.optional_skills) or "none recognised"
    typer.secho(f"searched {results.pool_size} candidates; skills: {skills}", dim=True)
    if not results.candidates:
        hint = " (import resumes with `hirecrew candidates import`)" if not pool else ""
        typer.echo(f"no candidates found{hint}")
        return
    for rank, match in enumerate(results.candidates, start=1):
        who = match.name or match.candidate_id
        headline = f" - {match.headline}" if match.headline else ""
        typer.echo(f"{rank:>3}. {match.score:.3f}  {match.candidate_id}  {who}{headline}")
        if match.matched_skills:
            typer.secho(f"       skills: {', '.join(match.matched_skills)}", dim=True)
