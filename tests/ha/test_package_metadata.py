"""What hassfest and the HACS action would check, offline."""

from __future__ import annotations

import json
from pathlib import Path

from awesomeversion import AwesomeVersion
from PIL import Image

ROOT = Path(__file__).parents[2]
PACKAGE = ROOT / "custom_components" / "media_request_tracker"


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
    assert manifest["documentation"].startswith("https://")
    assert AwesomeVersion(manifest["version"]).valid
    assert all("==" in requirement for requirement in manifest["requirements"])
    for key in ("codeowners", "issue_tracker"):
        assert manifest[key]


def test_hacs_json_names_the_integration_and_minimum_version() -> None:
    hacs = _json(ROOT / "hacs.json")
    assert hacs["name"] == "Media Request Tracker"
    assert hacs["homeassistant"] == "2025.4.0"
    assert set(hacs) <= {
        "name",
        "content_in_root",
        "zip_release",
        "filename",
        "hide_default_branch",
        "country",
        "homeassistant",
        "hacs",
        "persistent_directory",
    }


def test_translations_cover_every_config_flow_field() -> None:
    from custom_components.media_request_tracker.config_flow import (
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
        == {"mark_available", "recheck", "remove", "get_requests"}
    )
    for name, service in services.items():
        assert set(service.get("fields", {})) == set(strings[name].get("fields", {})), (
            name
        )


def test_blueprint_passes_home_assistants_blueprint_schema() -> None:
    from homeassistant.components.blueprint.models import Blueprint
    from homeassistant.components.blueprint.schemas import BLUEPRINT_SCHEMA
    from homeassistant.util.yaml import load_yaml

    path = (
        ROOT
        / "blueprints"
        / "automation"
        / "media_request_tracker"
        / "notify_requester_when_available.yaml"
    )
    data = load_yaml(path)
    blueprint = Blueprint(data, expected_domain="automation", schema=BLUEPRINT_SCHEMA)
    assert set(blueprint.inputs) == {"requesters", "default_notify"}
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
