"""Benchmark: how long the dashboard card takes to render 300 requests, in Debian's Chromium.

The committed bundle (the file Home Assistant serves) is loaded into a blank page,
given a ``hass`` object with 300 request sensors in every stage, and timed for:
the first render, one request changing (Home Assistant sends a new state object),
and another entity of the home changing (the card must not render at all).
Goal: the first render under 50 ms.

Run: .venv/bin/python bench/card_render.py   (needs the ``playwright`` package and
/usr/bin/chromium; never ``playwright install``)
"""

from __future__ import annotations

from pathlib import Path
import sys

BUNDLE = (
    Path(__file__).resolve().parents[1]
    / "custom_components/media_request_tracker/frontend/media-request-tracker-card.js"
)
CHROMIUM = Path("/usr/bin/chromium")
COUNT = 300
ROUNDS = 20

MEASURE = """
async ([count, rounds]) => {
  const stages = ["requested", "approved", "indexed", "downloading", "download_done", "importing", "available"];
  const now = Date.now();
  const iso = (minutes) => new Date(now - minutes * 60000).toISOString();
  const sensor = (i, progress) => ({
    entity_id: `sensor.request_${i}`,
    state: stages[i % stages.length],
    attributes: {
      request_id: String(i), title: `Request ${i}`, year: 2024,
      media_type: i % 3 === 0 ? "tv" : "movie", is_anime: i % 10 === 0, requested_by: "Alice",
      entity_picture: `data:image/gif;base64,R0lGODlhAQABAAAAACw=`,
      progress, download_speed: 3000000, eta: 900, episodes_total: 10, episodes_available: 4,
      timeline: [
        { at: iso(i + 20), state: "requested", source: "jellyseerr", detail: "Requested by Alice" },
        { at: iso(i), state: stages[i % stages.length], source: "radarr", detail: "moved" },
      ],
    },
    last_changed: iso(i), last_updated: iso(i),
  });
  const hassWith = (progress) => {
    const states = {}, entities = {};
    for (let i = 0; i < count; i++) {
      states[`sensor.request_${i}`] = sensor(i, progress);
      entities[`sensor.request_${i}`] = { entity_id: `sensor.request_${i}`, platform: "media_request_tracker", device_id: "d" };
    }
    states["sensor.kitchen"] = { entity_id: "sensor.kitchen", state: "21", attributes: {}, last_changed: iso(0), last_updated: iso(0) };
    return {
      states, entities, devices: { d: { id: "d", config_entries: ["e"], primary_config_entry: "e" } },
      locale: { language: "en" }, language: "en", localize: () => "",
      callWS: async () => ({ issues: [] }),
    };
  };
  const nextFrame = () => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
  const first = [], dom = [], update = [], idle = [];
  for (let round = 0; round < rounds; round++) {
    document.body.innerHTML = "";
    const hass = hassWith(10);
    const card = document.createElement("media-request-tracker-card");
    card.setConfig({ type: "custom:media-request-tracker-card", filter: "all" });
    await nextFrame();
    let start = performance.now();
    card.hass = hass;
    document.body.appendChild(card);
    await card.updateComplete;
    const rendered = performance.now() - start;
    card.getBoundingClientRect();  // include style and layout
    first.push(performance.now() - start);
    dom.push(rendered);
    await nextFrame();

    const moved = { ...hass, states: { ...hass.states, "sensor.request_3": sensor(3, 11 + round) } };
    start = performance.now();
    card.hass = moved;
    await card.updateComplete;
    card.getBoundingClientRect();
    update.push(performance.now() - start);

    const other = { ...moved, states: { ...moved.states, "sensor.kitchen": { ...moved.states["sensor.kitchen"], state: String(round) } } };
    start = performance.now();
    card.hass = other;
    await card.updateComplete;
    idle.push(performance.now() - start);
    await nextFrame();
  }
  const rows = document.querySelector("media-request-tracker-card").shadowRoot.querySelectorAll("li.request").length;
  return { first, dom, update, idle, rows };
}
"""


def summary(name: str, values: list[float]) -> str:
    """Return the median and the worst of one measurement."""
    ordered = sorted(values)
    median = ordered[len(ordered) // 2]
    return f"{name}: median {median:.1f} ms, max {ordered[-1]:.1f} ms"


def main() -> int:
    """Measure in Chromium and print the figures."""
    try:
        from playwright.sync_api import sync_playwright  # noqa: PLC0415
    except ImportError:
        print("playwright is not installed (requirements/test.txt)", file=sys.stderr)
        return 1
    if not CHROMIUM.exists():
        print(
            "Chromium is missing: scripts/system-packages installs it", file=sys.stderr
        )
        return 1
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox"]
        )
        page = browser.new_page(viewport={"width": 1000, "height": 800})
        page.set_content("<!doctype html><html><body></body></html>")
        page.add_script_tag(content=BUNDLE.read_text(encoding="utf-8"), type="module")
        page.wait_for_function(
            "() => !!customElements.get('media-request-tracker-card')"
        )
        result = page.evaluate(MEASURE, [COUNT, ROUNDS])
        version = browser.version
        browser.close()
    assert result["rows"] == COUNT, result["rows"]
    print(f"card render, {COUNT} requests, {ROUNDS} rounds (Chromium {version})")
    # The first round pays for compiling the templates; it is left out of the median.
    print(summary("first render, with style and layout", result["first"][1:]))
    print(summary("first render, DOM only", result["dom"][1:]))
    print(summary("first render, cold (round 1)", result["first"][:1]))
    print(summary("one request changed", result["update"]))
    print(summary("another entity changed", result["idle"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
