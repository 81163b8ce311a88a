"""The pure core and the clients never import Home Assistant."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).parents[2] / "custom_components" / "media_request_tracker"
PURE_PREFIXES = (
    "custom_components.media_request_tracker.core",
    "custom_components.media_request_tracker.clients",
)
PURE_FILES = sorted(
    [*(PACKAGE / "core").rglob("*.py"), *(PACKAGE / "clients").rglob("*.py")]
)


@pytest.mark.parametrize("path", PURE_FILES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_module_has_no_home_assistant_import(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    imported = [
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    ] + [
        node.module or ""
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.level == 0
    ]
    assert not [name for name in imported if name.startswith("homeassistant")]
    # Imports of our own package must stay inside the pure packages.
    own = [
        name
        for name in imported
        if name.startswith("custom_components.media_request_tracker")
    ]
    assert all(name.startswith(PURE_PREFIXES) for name in own), own
    # Relative imports must stay inside the pure packages.
    assert not [
        node.module
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.level > 1
    ]
