"""Tools from outside hirecrew: Python entry points and ``module:Class`` references.

A developer ships a tool without touching hirecrew: a crewai ``BaseTool`` subclass that builds
with no arguments, either registered under the entry-point group ``hirecrew.tools`` (the
entry point's name is the name YAML uses) or named in YAML directly as ``package.module:Class``.

Names are listed without importing anything (``importlib.metadata`` reads the installed
distributions' metadata), so validating a configuration that names no plugin stays cheap; a
plugin's module is imported when a configuration names it or a crew uses it.

A tool that reaches the network says so with ``network: ClassVar[bool] = True``; the
contract tests (tests/tools/test_tool_contract.py) run every other tool with sockets closed.
"""

from __future__ import annotations

import importlib
import re
from functools import cache
from importlib.metadata import EntryPoint, entry_points
from typing import TYPE_CHECKING, Any

from domain.errors import HirecrewError
from tools.catalog import TOOL_NAMES

if TYPE_CHECKING:
    from crewai.tools import BaseTool

ENTRY_POINT_GROUP = "hirecrew.tools"
_REFERENCE = re.compile(r"^[A-Za-z_][\w]*(\.[A-Za-z_][\w]*)*:[A-Za-z_][\w]*$")
_TOOL_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


class PluginError(HirecrewError):
    """A plugin (tool or output model) cannot be found, imported or used."""


def is_reference(name: str) -> bool:
    """Whether a YAML name is a ``module:Class`` reference rather than a registered name."""
    return ":" in name


def load_reference(reference: str) -> Any:
    """The object a ``package.module:Attribute`` reference names.

    Raises:
        PluginError: malformed, the module cannot be imported, or it has no such attribute.
    """
    if not _REFERENCE.match(reference):
        raise PluginError(f"'{reference}' is not a reference: write 'package.module:Class'")
    module_name, _, attribute = reference.partition(":")
    try:
        module = importlib.import_module(module_name)
    except Exception as exc:  # a plugin's import can fail in any way: report, never crash
        raise PluginError(
            f"cannot import '{module_name}' for '{reference}': {type(exc).__name__}: {exc}"
        ) from exc
    try:
        return getattr(module, attribute)
    except AttributeError as exc:
        raise PluginError(f"module '{module_name}' has no '{attribute}'") from exc


@cache
def _entry_points() -> dict[str, EntryPoint]:
    found: dict[str, EntryPoint] = {}
    for point in entry_points(group=ENTRY_POINT_GROUP):
        # The first installed distribution wins, as importlib.metadata orders them; a plugin
        # cannot shadow a built-in tool (the built-in keeps its name).
        if point.name not in TOOL_NAMES and point.name not in found:
            found[point.name] = point
    return found


def refresh_entry_points() -> None:
    """Forget the cached entry points (after installing a plugin into a running process)."""
    _entry_points.cache_clear()


def plugin_tool_names() -> frozenset[str]:
    """Names registered under the ``hirecrew.tools`` entry-point group (nothing imported)."""
    return frozenset(name for name in _entry_points() if _TOOL_NAME.match(name))


def plugin_tool_class(name: str) -> type[BaseTool]:
    """The tool class a plugin name or a ``module:Class`` reference stands for.

    Raises:
        PluginError: unknown name, import failure, or not a crewai tool that builds with no
            arguments.
    """
    from crewai.tools import BaseTool  # a plugin is a crewai tool: importing it costs seconds

    if is_reference(name):
        found = load_reference(name)
    else:
        point = _entry_points().get(name)
        if point is None:
            raise PluginError(f"no tool plugin named '{name}' (entry-point group hirecrew.tools)")
        try:
            found = point.load()
        except Exception as exc:  # a plugin's import can fail in any way
            raise PluginError(
                f"tool plugin '{name}' ({point.value}) cannot be loaded: "
                f"{type(exc).__name__}: {exc}"
            ) from exc
    if not (isinstance(found, type) and issubclass(found, BaseTool)):
        raise PluginError(f"'{name}' is not a crewai BaseTool subclass")
    return found


def build_plugin_tool(name: str) -> BaseTool:
    """A fresh instance of a plugin tool.

    Raises:
        PluginError: the class cannot be found or does not build with no arguments.
    """
    cls = plugin_tool_class(name)
    try:
        return cls()
    except Exception as exc:  # pydantic or the plugin's own __init__
        raise PluginError(
            f"tool plugin '{name}' must build with no arguments: {type(exc).__name__}: {exc}"
        ) from exc


def check_tool(name: str) -> str | None:
    """Why a tool name cannot be used, or None when it can (imports the plugin)."""
    try:
        tool = build_plugin_tool(name)
    except PluginError as exc:
        return str(exc)
    if is_reference(name):
        return None
    if tool.name != name:
        return f"tool plugin '{name}' builds a tool named '{tool.name}': the names must match"
    return None


def declares_network(tool: Any) -> bool:
    """Whether a tool says it reaches the network (``network: ClassVar[bool] = True``)."""
    return bool(getattr(type(tool), "network", False))
