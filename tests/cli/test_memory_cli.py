"""``hirecrew memory`` as a recruiter runs it: real subprocesses on a real Mem0."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.cli.support import run_hirecrew


def _hirecrew(*args: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    return run_hirecrew("memory", *args, data_dir=data_dir)


def _json(result: subprocess.CompletedProcess[str]) -> object:
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_add_list_search_edit_forget_export_round_trip(tmp_path: Path) -> None:
    data = tmp_path / "data"
    [added] = _json(
        _hirecrew("add", "--recruiter", "alice", "K8s is a must-have", "--json", data_dir=data)
    )
    assert added["metadata"]["key"] == "skill:kubernetes"
    _json(
        _hirecrew(
            "add",
            "--recruiter",
            "alice",
            "Prefers candidates who mentored juniors",
            "--json",
            data_dir=data,
        )
    )
    _json(
        _hirecrew(
            "add", "--recruiter", "bob", "Keep shortlists to 3 candidates.", "--json", data_dir=data
        )
    )

    listed = _json(_hirecrew("list", "--recruiter", "alice", "--json", data_dir=data))
    assert isinstance(listed, list) and len(listed) == 2

    found = _json(
        _hirecrew(
            "search", "--recruiter", "alice", "coaching junior engineers", "--json", data_dir=data
        )
    )
    assert isinstance(found, list)
    assert found[0]["text"] == "Prefers candidates who mentored juniors"

    edited = _json(
        _hirecrew(
            "edit",
            "--recruiter",
            "alice",
            added["id"],
            "Treat Go as a must-have.",
            "--json",
            data_dir=data,
        )
    )
    assert isinstance(edited, list) and edited[0]["metadata"]["key"] == "skill:go"

    exported = _json(_hirecrew("export", "--recruiter", "alice", data_dir=data))
    assert isinstance(exported, dict)
    assert {m["text"] for m in exported["memories"]} == {
        "Treat Go as a must-have.",
        "Prefers candidates who mentored juniors",
    }
    export_file = tmp_path / "alice.json"
    export_file.write_text(json.dumps(exported))

    forgot = _json(_hirecrew("forget", "--recruiter", "alice", "--all", "--json", data_dir=data))
    assert forgot == {"forgotten": 2}
    assert _json(_hirecrew("list", "--recruiter", "alice", "--json", data_dir=data)) == []
    assert len(_json(_hirecrew("list", "--recruiter", "bob", "--json", data_dir=data))) == 1  # type: ignore[arg-type]

    imported = _json(
        _hirecrew(
            "add", "--recruiter", "carol", "--from", str(export_file), "--json", data_dir=data
        )
    )
    assert isinstance(imported, list) and len(imported) == 2


def test_another_recruiters_memory_cannot_be_edited_or_forgotten(tmp_path: Path) -> None:
    data = tmp_path / "data"
    [bobs] = _json(
        _hirecrew(
            "add", "--recruiter", "bob", "Keep shortlists to 3 candidates.", "--json", data_dir=data
        )
    )
    for command in (
        ("edit", "--recruiter", "alice", bobs["id"], "mine now"),
        ("forget", "--recruiter", "alice", bobs["id"]),
    ):
        result = _hirecrew(*command, data_dir=data)
        assert result.returncode == 2
        assert "no memory" in result.stderr.lower() or "not found" in result.stderr.lower()
    assert _json(_hirecrew("list", "--recruiter", "bob", "--json", data_dir=data))[0]["text"] == (  # type: ignore[index]
        "Keep shortlists to 3 candidates."
    )


def test_bad_input_gets_a_clear_error(tmp_path: Path) -> None:
    data = tmp_path / "data"
    wildcard = _hirecrew("list", "--recruiter", "*", data_dir=data)
    assert wildcard.returncode == 2 and "recruiter" in wildcard.stderr.lower()
    both = _hirecrew("add", "--recruiter", "alice", "x", "--from", "nowhere.json", data_dir=data)
    assert both.returncode == 2 and "not both" in both.stderr
    empty = _hirecrew("add", "--recruiter", "alice", "   ", data_dir=data)
    assert empty.returncode == 2 and "text" in empty.stderr


def test_reindex_re_embeds_a_store_another_embedder_made(tmp_path: Path) -> None:
    import sqlite3

    data = tmp_path / "data"
    _json(_hirecrew("add", "--recruiter", "alice", "K8s is a must-have", "--json", data_dir=data))
    assert _json(_hirecrew("reindex", "--json", data_dir=data))["reembedded"] == 0  # type: ignore[index]
    [db] = list(data.rglob("vectors.db"))
    with sqlite3.connect(db) as conn:  # as a store from before embedders were recorded
        conn.execute("DELETE FROM embedders")
    done = _json(_hirecrew("reindex", "--json", data_dir=data))
    assert done["reembedded"] == 1  # type: ignore[index]
    assert done["embedder"].startswith("all-mpnet-base-v2/768/")  # type: ignore[index]
    again = _hirecrew("reindex", data_dir=data)
    assert again.returncode == 0 and again.stdout.startswith("up to date"), again.stderr
    found = _json(
        _hirecrew("search", "--recruiter", "alice", "kubernetes", "--json", data_dir=data)
    )
    assert found[0]["text"] == "K8s is a must-have"  # type: ignore[index]
