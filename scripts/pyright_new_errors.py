"""Compare two pyright runs: fail on errors the newest Home Assistant brings.

Usage: pyright_new_errors.py ROOT MINIMUM.json NEWEST.json

Both files are ``pyright --outputjson`` over the same code, one against the
supported minimum Home Assistant, one against the newest. An error is the same
in both when its file, rule and message are: line numbers are left out, so an
edit that moves code does not count as new. Exit 1 when the newest has any
error the minimum does not have (counted, so a second copy of a known error in
the same file counts too).
"""

from __future__ import annotations

from collections import Counter
import json
from pathlib import Path
import re
import sys
from typing import Any

type ErrorKey = tuple[str, str, str]


def _load(path: Path) -> dict[str, Any]:
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        sys.exit(f"error: cannot read pyright's report {path}: {err}")
    return data


def _key(root: Path, diagnostic: dict[str, Any]) -> ErrorKey:
    file = Path(diagnostic.get("file", ""))
    if file.is_relative_to(root):
        file = file.relative_to(root)
    message = re.sub(r"\s+", " ", diagnostic.get("message", "")).strip()
    message = re.sub(r"\bline \d+", "line N", message)
    return str(file), diagnostic.get("rule", "-"), message


def errors(root: Path, report: dict[str, Any]) -> Counter[ErrorKey]:
    """Count the report's errors by file, rule and message."""
    return Counter(
        _key(root, diagnostic)
        for diagnostic in report.get("generalDiagnostics", [])
        if diagnostic.get("severity") == "error"
    )


def _lines(root: Path, report: dict[str, Any], key: ErrorKey) -> list[int]:
    return [
        diagnostic["range"]["start"]["line"] + 1
        for diagnostic in report.get("generalDiagnostics", [])
        if diagnostic.get("severity") == "error" and _key(root, diagnostic) == key
    ]


def main(argv: list[str]) -> int:
    if len(argv) != 4:
        sys.exit(__doc__)
    root = Path(argv[1]).resolve()
    minimum_report, newest_report = _load(Path(argv[2])), _load(Path(argv[3]))
    minimum, newest = errors(root, minimum_report), errors(root, newest_report)
    new = newest - minimum
    gone = minimum - newest
    print(
        f"pyright: {minimum.total()} errors against the minimum, "
        f"{newest.total()} against the newest; {new.total()} new, "
        f"{gone.total()} only on the minimum"
    )
    for (file, rule, message), count in sorted(new.items()):
        lines = ",".join(map(str, _lines(root, newest_report, (file, rule, message))))
        times = f" (x{count})" if count > 1 else ""
        print(f"  NEW {file}:{lines}: {message} [{rule}]{times}")
    return 1 if new else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
