"""Hostile configuration: YAML tags, alias bombs, code paths in values, dynamic imports."""

from __future__ import annotations

import ast
import time
from pathlib import Path

import pytest

from schemas.config import ConfigError, load_config
from tests.conftest import PROJECT


def test_python_tags_in_overrides_are_never_constructed(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    with pytest.raises(ConfigError):
        load_config(None, [f"mode=!!python/object/apply:os.system ['touch {marker}']"])
    with pytest.raises(ConfigError):
        load_config(None, [f"input.paths=!!python/object/apply:os.system ['touch {marker}']"])
    assert not marker.exists()


def test_yaml_alias_bomb_is_rejected_quickly(tmp_path: Path) -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 9)]
    lines += ["input:", "  paths: *a8"]
    config = tmp_path / "bomb.yaml"
    config.write_text("\n".join(lines) + "\n")
    started = time.perf_counter()
    with pytest.raises(ConfigError, match=r"key 'input.paths.0': Input should be a valid string"):
        load_config(config)
    assert time.perf_counter() - started < 5


@pytest.mark.parametrize(
    "override",
    [
        "toxicity.backend.kind=mypackage.scorers:Evil",
        "extract.backend=os.system",
        "dedup.__class__=x",
        "output.__init__=x",
    ],
)
def test_config_values_cannot_name_code(override: str) -> None:
    with pytest.raises(ConfigError):
        load_config(None, [override])


# The only places that import a module by name, and the constant that names what they import.
DYNAMIC_IMPORTS = {("pipelines/cli.py", "RELEASE_COMMANDS")}
_CALLS = {"import_module", "__import__", "eval", "exec", "locate", "import_string"}


def test_no_module_is_imported_by_a_name_from_config() -> None:
    found = set()
    for folder in ("pipelines", "transforms", "schemas"):
        for path in sorted((PROJECT / folder).glob("*.py")):
            tree = ast.parse(path.read_text())
            constants = {
                t.id
                for node in tree.body
                if isinstance(node, ast.Assign)
                for t in node.targets
                if isinstance(t, ast.Name) and t.id.isupper()
            }
            for node in ast.walk(tree):
                if not isinstance(node, ast.Call):
                    continue
                name = getattr(node.func, "attr", None) or getattr(node.func, "id", None)
                if name not in _CALLS or (name in {"eval", "exec"} and node.args == []):
                    continue
                if all(isinstance(a, ast.Constant) for a in node.args):
                    continue
                # A name built from a module-level constant table (never from config).
                source = ast.get_source_segment(path.read_text(), node) or ""
                users = [c for c in constants if c in source]
                if not users:  # the loop or lookup that feeds the call names the table
                    users = [c for c in constants if c in _enclosing_text(tree, node, path)]
                found.add((str(path.relative_to(PROJECT)), users[0] if users else "?"))
    assert found == DYNAMIC_IMPORTS


def _enclosing_text(tree: ast.Module, call: ast.Call, path: Path) -> str:
    text = path.read_text()
    for node in ast.walk(tree):
        if isinstance(node, (ast.For, ast.FunctionDef)) and any(n is call for n in ast.walk(node)):
            header = node.iter if isinstance(node, ast.For) else None
            if header is not None:
                return ast.get_source_segment(text, header) or ""
    return ""
