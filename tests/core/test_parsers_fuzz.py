"""Random JSON never makes a parser raise anything but our own PayloadError."""

from __future__ import annotations

import contextlib
import json

from hypothesis import HealthCheck, given, settings, strategies as st
import pytest

from custom_components.media_request_tracker.core.parsers import (
    PayloadError,
    parse_jellyfin,
    parse_jellyseerr,
    parse_radarr,
    parse_sonarr,
)
from tests.payloads import payload

PARSERS = [parse_jellyseerr, parse_radarr, parse_sonarr, parse_jellyfin]

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text(max_size=20)
)
json_values = st.recursive(
    json_scalars,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=20,
)

FIXTURES = {
    parse_jellyseerr: ["jellyseerr_movie_auto_approved", "jellyseerr_anime_tv_pending"],
    parse_radarr: ["radarr_grab", "radarr_download", "radarr_movie_file_delete"],
    parse_sonarr: [
        "sonarr_grab_season_pack",
        "sonarr_download_episode",
        "sonarr_download_import_complete",
    ],
    parse_jellyfin: ["jellyfin_item_added_movie", "jellyfin_item_added_episode"],
}


def _parse_or_reject(parser, body: object) -> None:
    with contextlib.suppress(PayloadError):
        parser(body)


@pytest.mark.parametrize("parser", PARSERS)
@settings(
    max_examples=300,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
    deadline=None,
)
@given(body=json_values)
def test_random_json_is_parsed_or_rejected(parser, body: object) -> None:
    _parse_or_reject(parser, body)


@st.composite
def mutated_payload(draw: st.DrawFn, parser) -> object:
    """A real payload with one field somewhere replaced by random JSON."""
    data = payload(draw(st.sampled_from(FIXTURES[parser])))
    node = data
    while True:
        keys = list(node) if isinstance(node, dict) else list(range(len(node)))
        if not keys:
            break
        key = draw(st.sampled_from(keys))
        child = node[key]
        if isinstance(child, dict | list) and child and draw(st.booleans()):
            node = child
            continue
        node[key] = draw(json_values)
        break
    return data


@pytest.mark.parametrize("parser", PARSERS)
@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_real_payload_with_a_random_field_is_parsed_or_rejected(
    parser, data: st.DataObject
) -> None:
    _parse_or_reject(parser, data.draw(mutated_payload(parser)))


@pytest.mark.parametrize("parser", PARSERS)
@settings(max_examples=100, deadline=None)
@given(text=st.text(max_size=200))
def test_any_string_field_value_is_parsed_or_rejected(parser, text: str) -> None:
    for fixture in FIXTURES[parser]:
        data = payload(fixture)
        for key in list(data):
            mutated = json.loads(json.dumps(data))
            mutated[key] = text
            _parse_or_reject(parser, mutated)
