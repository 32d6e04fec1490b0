"""The typed outputs a task may declare in tasks.yaml (``output: <name>``).

A built-in name (below) or a ``package.module:Model`` reference to any pydantic model: a
developer's crew can return a model of its own without touching hirecrew.
"""

from __future__ import annotations

from pydantic import BaseModel

from domain.artifacts import JobDescription, OutreachPlan, Review, Shortlist, SourcingReport
from tools.plugins import PluginError, is_reference, load_reference

OUTPUT_MODELS: dict[str, type[BaseModel]] = {
    model.__name__: model
    for model in (JobDescription, SourcingReport, Shortlist, OutreachPlan, Review)
}


def output_model(name: str) -> type[BaseModel]:
    """The model a task's ``output:`` names.

    Raises:
        PluginError: unknown name, import failure, or not a pydantic model.
    """
    if not is_reference(name):
        try:
            return OUTPUT_MODELS[name]
        except KeyError:
            known = ", ".join(sorted(OUTPUT_MODELS))
            raise PluginError(
                f"unknown output '{name}'; known: {known}, or 'package.module:Model'"
            ) from None
    found = load_reference(name)
    if not (isinstance(found, type) and issubclass(found, BaseModel)):
        raise PluginError(f"output '{name}' is not a pydantic model class")
    return found


def check_output(name: str) -> str | None:
    """Why an output name cannot be used, or None when it can."""
    try:
        output_model(name)
    except PluginError as exc:
        return str(exc)
    return None
