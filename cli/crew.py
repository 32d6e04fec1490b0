"""``hirecrew crew list|run``: the crews of the configuration, and custom crews run on their own.

The configuration is the one the process uses (``HIRECREW_CONFIG_DIR``, else the bundled
files). A custom crew's inputs come from a YAML (or JSON) mapping of input name to text.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
import yaml

from cli.common import EXIT_FAILED, DataDir, fail, settings_for
from config.errors import ConfigError
from config.schema import RoleConfig
from config.settings import Settings, active_config_dir, quiet_environment
from domain.errors import HirecrewError

app = typer.Typer(help="Crews: list them, run a custom crew on its own.", no_args_is_help=True)

MAX_INPUTS_BYTES = 2_000_000


def _config(settings: Settings) -> RoleConfig:
    from crews.catalog import check_llm_roles, load_config

    try:
        config = load_config(active_config_dir(settings))
        check_llm_roles(config, settings.llm)
    except ConfigError as exc:
        raise fail(str(exc)) from exc
    return config


@app.command("list")
def list_crews(
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON document")] = False,
    data_dir: DataDir = None,
) -> None:
    """Every crew: the hiring flow's stages and review, then the custom crews."""
    settings = settings_for(data_dir)
    from crews.catalog import describe_crews  # cheap: no crewai
    from crews.stages import pipeline_of

    config = _config(settings)
    rows = [info.model_dump() for info in describe_crews(config)]
    stages = [step.name for step in pipeline_of(config)]
    if as_json:
        typer.echo(json.dumps({"crews": rows, "pipeline": stages}, indent=2))
        return
    for row in rows:
        inputs = f" inputs: {', '.join(row['inputs'])}" if row["inputs"] else ""
        output = f" -> {row['output']}" if row["output"] else ""
        typer.echo(f"{row['name']:<20} {row['kind']:<7} {row['process']}{output}{inputs}")
        if row["description"]:
            typer.echo(f"{'':<20} {row['description']}")
        custom_stages = [s for s in row["stages"] if s != row["name"] or row["kind"] == "custom"]
        if custom_stages:
            typer.echo(f"{'':<20} runs the pipeline stage {', '.join(custom_stages)}")
    typer.echo(f"\npipeline: {' -> '.join(stages)}")


def _read_inputs(path: Path) -> dict[str, Any]:
    try:
        if path.stat().st_size > MAX_INPUTS_BYTES:
            raise fail(f"{path}: larger than {MAX_INPUTS_BYTES:,} bytes")
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise fail(f"cannot read {path}: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise fail(f"{path}: not UTF-8 text") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}" if mark is not None else ""
        raise fail(f"{path}{where}: invalid YAML: {getattr(exc, 'problem', exc)}") from exc
    if data is None:
        return {}
    if not isinstance(data, dict) or not all(isinstance(k, str) for k in data):
        raise fail(f"{path}: expected a mapping of input names to values")
    return data


@app.command("run")
def run(
    name: Annotated[str, typer.Argument(help="a custom crew's name (see `hirecrew crew list`)")],
    inputs: Annotated[
        Path | None, typer.Option("--inputs", help="YAML or JSON mapping: input name -> text")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print the run as JSON")] = False,
    data_dir: DataDir = None,
) -> None:
    """Run a custom crew once; exit 1 when it fails (the reason is printed), 2 on bad input."""
    settings = settings_for(data_dir)
    values = _read_inputs(inputs) if inputs is not None else {}
    config = _config(settings)
    quiet_environment(settings)
    from crewai_core.printer import set_suppress_console_output

    from crews.audit import AuditLog, listen_to_crewai
    from crews.custom import run_custom_crew

    settings.data_path.mkdir(parents=True, exist_ok=True)
    audit = AuditLog(settings.audit_path)
    listen_to_crewai(audit)
    set_suppress_console_output(True)
    try:
        result = run_custom_crew(config, settings.llm, audit, name, values, actor="cli")
    except HirecrewError as exc:
        raise fail(str(exc)) from exc
    if as_json:
        typer.echo(result.model_dump_json(indent=2))
    elif result.status == "completed":
        output = result.output
        text = output if isinstance(output, str) else json.dumps(output, indent=2)
        typer.echo(text)
        typer.secho(
            f"{result.crew}: completed in {result.duration_s:.1f} s, "
            f"{result.usage.total_tokens:,} tokens ({', '.join(result.models)})",
            dim=True,
            err=True,
        )
    if result.status == "failed":
        if not as_json:
            typer.secho(f"{result.crew}: failed: {result.error}", fg=typer.colors.RED, err=True)
        raise typer.Exit(EXIT_FAILED)
