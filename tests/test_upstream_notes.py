"""Every endpoint the integration calls is written down with its upstream source."""

from __future__ import annotations

import ast
from pathlib import Path
import re

import pytest

ROOT = Path(__file__).parents[1]
PACKAGE = ROOT / "custom_components" / "media_request_tracker"
NOTES = (ROOT / "tests" / "fakes" / "UPSTREAM.md").read_text(encoding="utf-8")
ENDPOINT = re.compile(r"^/(api|System|Items|signalr)\b")
# Home Assistant's own path for our webhooks, which the registrars recognise.
OURS = "/api/webhook"


def _endpoints() -> list[str]:
    """The path of every call the clients and the registrars make, up to its first variable."""
    found: set[str] = set()
    for path in [*PACKAGE.glob("clients/*.py"), *PACKAGE.glob("registration/*.py")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.JoinedStr):
                text = "".join(
                    part.value if isinstance(part, ast.Constant) else "{}"
                    for part in node.values
                )
            elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                text = node.value
            else:
                continue
            if ENDPOINT.match(text):
                # An error message starts with the path it is about.
                endpoint = text.split()[0].split("{")[0].split("?")[0].rstrip("/")
                if endpoint != OURS:
                    found.add(endpoint)
    return sorted(found)


def test_the_clients_call_endpoints() -> None:
    assert len(_endpoints()) >= 10


@pytest.mark.parametrize("endpoint", _endpoints())
def test_each_endpoint_is_in_the_upstream_notes(endpoint: str) -> None:
    assert endpoint in NOTES
