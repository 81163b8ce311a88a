// `npm run bench`: how long the card takes to render 300 requests (goal: under 50 ms), in jsdom.
import { expect, it } from "vitest";
import "../src/index";
import type { MediaRequestTrackerCard } from "../src/card";
import { NOW, hassWith, request, withStates } from "../test/fixtures";

const STAGES = ["requested", "approved", "indexed", "downloading", "download_done", "importing", "available"];
const COUNT = 300;
const ROUNDS = 20;

function requests(progress: number) {
  return Array.from({ length: COUNT }, (_, i) =>
    request({
      id: String(i),
      title: `Request ${i}`,
      stage: STAGES[i % STAGES.length],
      mediaType: i % 3 === 0 ? "tv" : "movie",
      anime: i % 10 === 0,
      changedMinutesAgo: i,
      extra: { progress, download_speed: 3_000_000, eta: 900, episodes_total: 10, episodes_available: 4 },
    }),
  );
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

it(`renders ${COUNT} requests`, async () => {
  const first: number[] = [];
  const update: number[] = [];
  const idle: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    document.body.innerHTML = "";
    const hass = hassWith(requests(10));
    const card = document.createElement("media-request-tracker-card") as MediaRequestTrackerCard;
    card.now = () => NOW;
    card.setConfig({ type: "custom:media-request-tracker-card", filter: "all" });
    let start = performance.now();
    card.hass = hass;
    document.body.appendChild(card);
    await card.updateComplete;
    first.push(performance.now() - start);

    // One download moves: a new state object for one entity, as Home Assistant sends.
    const moved = withStates(hass, [requests(11 + round)[3]]);
    start = performance.now();
    card.hass = moved;
    await card.updateComplete;
    update.push(performance.now() - start);

    // Another entity of the home changes: the card must not render.
    const other = withStates(moved, [{ ...moved.states["sensor.kitchen_temperature"], state: String(round) }]);
    start = performance.now();
    card.hass = other;
    await card.updateComplete;
    idle.push(performance.now() - start);
  }
  const line = (name: string, values: number[]) =>
    `${name}: median ${median(values).toFixed(1)} ms, max ${Math.max(...values).toFixed(1)} ms`;
  console.log(
    [`card render, ${COUNT} requests, ${ROUNDS} rounds (jsdom)`, line("first render", first.slice(1)),
     line("one request changed", update), line("another entity changed", idle)].join("\n"),
  );
  expect(document.body.querySelector("media-request-tracker-card")!.shadowRoot!.querySelectorAll("li.request"))
    .toHaveLength(COUNT);
}, 120_000);
