"""The package's shape: no import cycles, small modules, a picture that is current."""

from __future__ import annotations

from importlib.util import module_from_spec, spec_from_file_location
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).parents[1]
PACKAGE = ROOT / "custom_components" / "media_request_tracker"
MAX_LINES = 450


def _architecture() -> ModuleType:
    spec = spec_from_file_location("architecture", ROOT / "scripts" / "architecture.py")
    assert spec is not None
    assert spec.loader is not None
    module = module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


ARCHITECTURE = _architecture()


def test_no_module_of_the_package_imports_itself_back_in_a_loop() -> None:
    assert ARCHITECTURE.cycles(ARCHITECTURE.import_graph()) == []


@pytest.mark.parametrize(
    "path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: str(p.relative_to(PACKAGE))
)
def test_every_module_stays_small(path: Path) -> None:
    assert len(path.read_text(encoding="utf-8").splitlines()) <= MAX_LINES


def test_the_architecture_picture_is_drawn_from_todays_code() -> None:
    assert ARCHITECTURE.documented() == ARCHITECTURE.picture(), (
        "run scripts/architecture.py --write"
    )
