"""The typed outputs a task may declare in tasks.yaml (``output: <name>``)."""

from __future__ import annotations

from pydantic import BaseModel

from domain.artifacts import JobDescription, OutreachPlan, Review, Shortlist, SourcingReport

OUTPUT_MODELS: dict[str, type[BaseModel]] = {
    model.__name__: model
    for model in (JobDescription, SourcingReport, Shortlist, OutreachPlan, Review)
}
