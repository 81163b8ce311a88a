"""What hassfest and the HACS action check, offline.

The HACS action's rules are those of hacs/integration at 3249355 (2026-08-07),
``custom_components/hacs/validate/``: ``hacsjson.py`` (the schema in
``utils/validate.py``), ``integration_manifest.py``, ``brands.py``,
``information.py`` and ``license.py``; the folder rule is
``repositories/integration.py``. What only GitHub knows (a description, topics,
issues enabled, not archived) is checked by the workflow, not here.
"""

from __future__ import annotations

import json
from pathlib import Path
import re
import tomllib

from awesomeversion import AwesomeVersion
from homeassistant.helpers import config_validation as cv
from PIL import Image
import pytest
import voluptuous as vol

ROOT = Path(__file__).parents[2]
PACKAGE = ROOT / "custom_components" / "media_request_tracker"

# HACS's HACS_MANIFEST_JSON_SCHEMA (utils/validate.py); ``country`` is checked
# against HACS's locale list there, a string or a list of strings here.
HACS_JSON_SCHEMA = vol.Schema(
    {
        vol.Optional("content_in_root"): bool,
        vol.Optional("country"): vol.Any(str, [str]),
        vol.Optional("filename"): str,
        vol.Optional("hacs"): str,
        vol.Optional("hide_default_branch"): bool,
        vol.Optional("homeassistant"): str,
        vol.Optional("persistent_directory"): str,
        vol.Optional("render_readme"): bool,
        vol.Optional("zip_release"): bool,
        vol.Required("name"): str,
    },
    extra=vol.PREVENT_EXTRA,
)

# HACS's INTEGRATION_MANIFEST_JSON_SCHEMA (utils/validate.py).
HACS_MANIFEST_SCHEMA = vol.Schema(
    {
        vol.Required("codeowners"): list,
        vol.Required("documentation"): cv.url,
        vol.Required("domain"): str,
        vol.Required("issue_tracker"): cv.url,
        vol.Required("name"): str,
        vol.Required("version"): vol.Coerce(AwesomeVersion),
    },
    extra=vol.ALLOW_EXTRA,
)

# The MIT text GitHub matches a LICENSE file against to detect it (the
# choosealicense.com template, ``_licenses/mit.txt``); HACS then asks GitHub for
# the licence's SPDX id and wants an OSI-approved one.
MIT_TEMPLATE = """\
MIT License

Copyright (c) [year] [fullname]

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
"""


def _json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def test_manifest_has_the_keys_hassfest_wants_in_its_order() -> None:
    manifest = _json(PACKAGE / "manifest.json")
    keys = list(manifest)
    assert keys[:2] == ["domain", "name"]
    assert keys[2:] == sorted(keys[2:])
    assert manifest["domain"] == "media_request_tracker"
    assert manifest["config_flow"] is True
    assert manifest["iot_class"] == "local_push"
    assert manifest["integration_type"] == "service"
    assert manifest["dependencies"] == ["http", "webhook"]
    assert all("==" in requirement for requirement in manifest["requirements"])


def test_manifest_passes_the_hacs_manifest_check() -> None:
    manifest = _json(PACKAGE / "manifest.json")
    HACS_MANIFEST_SCHEMA(manifest)
    assert manifest["codeowners"]
    assert AwesomeVersion(manifest["version"]).valid


def test_hacs_json_passes_the_hacs_manifest_schema() -> None:
    hacs = _json(ROOT / "hacs.json")
    HACS_JSON_SCHEMA(hacs)
    assert hacs["name"] == "Media Request Tracker"
    assert not hacs.get("zip_release") or hacs.get("filename")


def test_hacs_json_names_the_minimum_home_assistant_the_suite_runs_on() -> None:
    hacs = _json(ROOT / "hacs.json")
    requirements = (ROOT / "requirements" / "test.txt").read_text(encoding="utf-8")
    tested = re.search(r"^homeassistant==(\d+\.\d+)\.\d+$", requirements, re.MULTILINE)
    assert tested is not None
    assert hacs["homeassistant"] == f"{tested[1]}.0"


def test_hacs_accepts_render_readme_in_hacs_json() -> None:
    HACS_JSON_SCHEMA({"name": "Media Request Tracker", "render_readme": True})


def test_repository_holds_one_integration_where_hacs_looks() -> None:
    # HACS takes the first folder under custom_components/ as the integration.
    folders = [path for path in (ROOT / "custom_components").iterdir() if path.is_dir()]
    assert folders == [PACKAGE]
    assert (ROOT / "README.md").is_file()  # HACS's information check


def test_brand_icon_is_where_hacs_looks_so_no_brands_entry_is_needed() -> None:
    # Without <integration>/brand/icon.png, HACS wants the domain listed in
    # home-assistant/brands; with it, HACS looks no further.
    assert (PACKAGE / "brand" / "icon.png").is_file()


def test_licence_is_mit_as_github_detects_it_and_as_pyproject_says() -> None:
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    expected = MIT_TEMPLATE.replace(
        "[year] [fullname]", "2026 Media Request Tracker contributors"
    )
    assert text == expected
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert pyproject["project"]["license"] == "MIT"


def test_translations_cover_every_config_flow_field() -> None:
    from custom_components.media_request_tracker.forms import (
        ARR_SCHEMA,
        QBITTORRENT_SCHEMA,
        SHOKO_SCHEMA,
        USER_SCHEMA,
    )

    steps = _json(PACKAGE / "translations" / "en.json")["config"]["step"]
    for step, schema in {
        "user": USER_SCHEMA,
        "qbittorrent": QBITTORRENT_SCHEMA,
        "shoko": SHOKO_SCHEMA,
        "arr": ARR_SCHEMA,
    }.items():
        fields = {str(key) for key in schema.schema}
        assert set(steps[step]["data"]) == fields, step
        assert set(steps[step]["data_description"]) == fields, step


def test_every_state_has_a_translation_and_an_icon() -> None:
    from custom_components.media_request_tracker.core.model import Stage

    states = {stage.value for stage in Stage}
    strings = _json(PACKAGE / "translations" / "en.json")["entity"]["sensor"][
        "request"
    ]["state"]
    icons = _json(PACKAGE / "icons.json")["entity"]["sensor"]["request"]["state"]
    assert set(strings) == states
    assert set(icons) == states


def test_services_yaml_translations_and_icons_name_the_same_actions() -> None:
    import yaml

    services = yaml.safe_load((PACKAGE / "services.yaml").read_text(encoding="utf-8"))
    strings = _json(PACKAGE / "translations" / "en.json")["services"]
    icons = _json(PACKAGE / "icons.json")["services"]
    assert (
        set(services)
        == set(strings)
        == set(icons)
        == {
            "mark_available",
            "recheck",
            "remove",
            "get_requests",
            "approve",
            "decline",
            "search",
            "blocklist_and_search",
        }
    )
    for name, service in services.items():
        assert set(service.get("fields", {})) == set(strings[name].get("fields", {})), (
            name
        )


@pytest.mark.parametrize(
    ("name", "inputs"),
    [
        (
            "notify_requester_when_available",
            {
                "requesters",
                "default_notify",
                "on_approved",
                "on_downloading",
                "on_available",
                "on_failed",
            },
        ),
        ("approve_new_requests", {"admins", "decline_reason"}),
    ],
)
def test_blueprint_passes_home_assistants_blueprint_schema(
    name: str, inputs: set[str]
) -> None:
    from homeassistant.components.blueprint.models import Blueprint
    from homeassistant.components.blueprint.schemas import BLUEPRINT_SCHEMA
    from homeassistant.util.yaml import load_yaml

    path = ROOT / "blueprints" / "automation" / "media_request_tracker" / f"{name}.yaml"
    data = load_yaml(path)
    blueprint = Blueprint(data, expected_domain="automation", schema=BLUEPRINT_SCHEMA)
    assert set(blueprint.inputs) == inputs
    assert data["triggers"][0]["event_type"] == "media_request_tracker_state_changed"


def test_brand_images_have_the_sizes_home_assistant_serves() -> None:
    # HA 2026.3+ serves brand/ of a custom integration (icons square, logos 2:1).
    expected = {
        "icon.png": (256, 256),
        "icon@2x.png": (512, 512),
        "logo.png": (256, 128),
        "logo@2x.png": (512, 256),
    }
    for name, size in expected.items():
        with Image.open(PACKAGE / "brand" / name) as image:
            assert (image.format, image.size) == ("PNG", size), name
