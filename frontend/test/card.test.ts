import { afterEach, describe, expect, it, vi } from "vitest";
import "../src/index";
import type { MediaRequestTrackerCard } from "../src/card";
import type { CardConfig, HomeAssistant } from "../src/types";
import { ENTRY, NOW, OTHER_ENTRY, hassWith, minutesAgo, request, withStates } from "./fixtures";

async function mount(
  hass: HomeAssistant,
  config: Partial<CardConfig> = {},
): Promise<MediaRequestTrackerCard> {
  const card = document.createElement("media-request-tracker-card") as MediaRequestTrackerCard;
  card.now = () => NOW;
  card.setConfig({ type: "custom:media-request-tracker-card", ...config });
  card.hass = hass;
  document.body.appendChild(card);
  await card.updateComplete;
  // The repairs answer arrives after the first render.
  await settle(card);
  return card;
}

/** Let the repairs answer (promises, no timers) and the render after it land. */
async function settle(card: MediaRequestTrackerCard): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
  await card.updateComplete;
}

function root(card: MediaRequestTrackerCard): ShadowRoot {
  return card.shadowRoot!;
}

function rows(card: MediaRequestTrackerCard): HTMLElement[] {
  return [...root(card).querySelectorAll<HTMLElement>("li.request")];
}

function text(el: Element | null | undefined): string {
  return (el?.textContent ?? "").replace(/\s+/g, " ").trim();
}

afterEach(() => {
  document.body.innerHTML = "";
});

describe("each stage", () => {
  const cases: Array<[string, string, string]> = [
    ["requested", "Waiting for approval", "Requested"],
    ["approved", "Looking for a release", "Approved"],
    ["indexed", "Looking for a release", "Indexed"],
    ["downloading", "Downloading", "Downloading"],
    ["download_done", "Getting it ready", "Download done"],
    ["importing", "Getting it ready", "Importing"],
    ["anime_matching", "Getting it ready", "Anime matching"],
    ["available", "Ready to watch", "Available"],
    ["failed", "Something went wrong", "Failed"],
    ["declined", "Declined", "Declined"],
  ];

  it.each(cases)("%s shows the household words and the stage name with since when", async (stage, plain, name) => {
    const card = await mount(
      hassWith([request({ stage, anime: stage === "anime_matching", changedMinutesAgo: 12 })]),
      { filter: "all" },
    );
    const row = rows(card)[0];
    expect(text(row.querySelector(".plain"))).toBe(plain);
    // The stage's own name is added where the household words differ from it.
    const named = name === plain ? "" : `${name} `;
    expect(text(row.querySelector(".since"))).toMatch(new RegExp(`^${named}since .+ · 12 min ago$`));
    expect(row.querySelector('.step[aria-current="step"]')?.getAttribute("aria-label")).toBe(
      `${name}: current`,
    );
  });

  it("names stages in the user's language through the integration's translations", async () => {
    const french: Record<string, string> = {
      "component.media_request_tracker.entity.sensor.request.state.downloading": "Téléchargement",
    };
    const card = await mount(
      hassWith([request({ stage: "downloading", extra: { progress: 10 } })], {
        localize: (key) => french[key] ?? "",
      }),
    );
    expect(rows(card)[0].querySelector(".step.current")?.getAttribute("data-label")).toBe("Téléchargement");
  });
});

describe("a request's row", () => {
  it("shows the poster, the title with the year and who asked", async () => {
    const card = await mount(
      hassWith([request({ title: "Dune: Part Two", year: 2024, requestedBy: "Sam", picture: "/p/dune.jpg" })]),
    );
    const row = rows(card)[0];
    expect(row.querySelector("img.poster")?.getAttribute("src")).toBe("/p/dune.jpg");
    expect(text(row.querySelector(".title"))).toBe("Dune: Part Two (2024)");
    expect(text(row.querySelector(".meta"))).toContain("Asked by Sam");
  });

  it("shows a placeholder without a poster", async () => {
    const card = await mount(hassWith([request({ picture: null })]));
    expect(rows(card)[0].querySelector("img")).toBeNull();
    expect(rows(card)[0].querySelector(".poster")?.getAttribute("aria-hidden")).toBe("true");
  });

  it("shows a TV request's episodes available out of all", async () => {
    const card = await mount(
      hassWith([
        request({
          stage: "importing",
          mediaType: "tv",
          title: "Severance",
          extra: { episodes_available: 3, episodes_total: 10, seasons: [2] },
        }),
      ]),
    );
    expect(text(rows(card)[0].querySelector(".meta"))).toBe("Asked by Alice · Series · 3 / 10 episodes");
  });

  it("shows no episode count before the episodes are known", async () => {
    const card = await mount(
      hassWith([request({ mediaType: "tv", extra: { episodes_available: 0, episodes_total: 0 } })]),
    );
    expect(text(rows(card)[0].querySelector(".meta"))).toBe("Asked by Alice · Series");
  });

  it("shows the anime path with Shoko's matching step, and a film's without it", async () => {
    const card = await mount(
      hassWith([
        request({ id: "a", stage: "anime_matching", mediaType: "tv", anime: true, changedMinutesAgo: 1 }),
        request({ id: "b", stage: "importing", changedMinutesAgo: 2 }),
      ]),
    );
    const [anime, film] = rows(card);
    const labels = (row: HTMLElement) => [...row.querySelectorAll(".step")].map((s) => s.getAttribute("data-label"));
    expect(labels(anime)).toEqual([
      "Requested",
      "Approved",
      "Indexed",
      "Downloading",
      "Download done",
      "Importing",
      "Anime matching",
      "Available",
    ]);
    expect(labels(film)).not.toContain("Anime matching");
    expect(text(anime.querySelector(".meta"))).toContain("Anime series");
  });

  it("marks the stages done before the current one and those to come after", async () => {
    const card = await mount(hassWith([request({ stage: "indexed" })]));
    const steps = [...rows(card)[0].querySelectorAll(".step")];
    expect(steps.map((s) => s.className.replace("step ", ""))).toEqual([
      "done",
      "done",
      "current",
      "todo",
      "todo",
      "todo",
      "todo",
    ]);
  });

  it("ends a failed request's stepper where it failed", async () => {
    const card = await mount(
      hassWith([
        request({
          stage: "failed",
          timeline: [
            { at: minutesAgo(30), state: "requested", source: "jellyseerr", detail: "" },
            { at: minutesAgo(20), state: "approved", source: "jellyseerr", detail: "" },
            { at: minutesAgo(10), state: "failed", source: "radarr", detail: "No release found" },
          ],
        }),
      ]),
      { filter: "finished" },
    );
    const steps = [...rows(card)[0].querySelectorAll(".step")].map((s) => s.getAttribute("data-label"));
    expect(steps).toEqual(["Requested", "Approved", "Failed"]);
  });

  it("shows a download's progress with %, speed and time left", async () => {
    const card = await mount(
      hassWith([
        request({ stage: "downloading", extra: { progress: 42.4, download_speed: 2_400_000, eta: 1200 } }),
      ]),
    );
    const row = rows(card)[0];
    const bar = row.querySelector('[role="progressbar"]')!;
    expect(bar.getAttribute("aria-valuenow")).toBe("42");
    expect(text(row.querySelector(".progress-text"))).toBe("42 % · 2.4 MB/s · about 20 min left");
    expect(row.querySelector(".badge.stalled")).toBeNull();
  });

  it("shows a stalled download with its badge and no speed", async () => {
    const card = await mount(
      hassWith([
        request({
          stage: "downloading",
          extra: { progress: 61, download_speed: 0, eta: 8_640_000, stalled: true },
        }),
      ]),
    );
    const row = rows(card)[0];
    expect(text(row.querySelector(".badge.stalled"))).toBe("Stalled");
    expect(text(row.querySelector(".progress-text"))).toBe("61 % · no data coming in");
    expect(row.querySelector(".progress")?.classList.contains("stalled")).toBe(true);
  });

  it("shows no progress bar outside downloading", async () => {
    const card = await mount(hassWith([request({ stage: "importing", extra: { progress: 100 } })]));
    expect(rows(card)[0].querySelector('[role="progressbar"]')).toBeNull();
  });

  it("opens the timeline newest first, with rejected entries marked", async () => {
    const card = await mount(
      hassWith([
        request({
          stage: "downloading",
          timeline: [
            { at: minutesAgo(30), state: "requested", source: "jellyseerr", detail: "Requested by Alice" },
            { at: minutesAgo(20), state: "available", source: "jellyfin", detail: "Too early", rejected: true },
            { at: minutesAgo(10), state: "downloading", source: "qbittorrent", detail: "Started" },
          ],
        }),
      ]),
    );
    const toggle = rows(card)[0].querySelector<HTMLButtonElement>(".timeline-toggle")!;
    expect(toggle.getAttribute("aria-expanded")).toBe("false");
    expect(rows(card)[0].querySelector("table")).toBeNull();
    toggle.click();
    await card.updateComplete;
    const row = rows(card)[0];
    expect(row.querySelector(".timeline-toggle")?.getAttribute("aria-expanded")).toBe("true");
    const lines = [...row.querySelectorAll("tbody tr")];
    expect(lines.map((tr) => text(tr.children[1]))).toEqual(["Downloading", "Available", "Requested"]);
    expect(lines[1].classList.contains("rejected")).toBe(true);
    expect(text(lines[1].querySelector(".mark"))).toBe("Rejected");
    expect(text(lines[1].children[2])).toBe("Jellyfin");
    expect(text(lines[1].children[3])).toBe("Too early");
    expect(lines[0].classList.contains("rejected")).toBe(false);
  });

  it("says since when from the last accepted entry, not a rejected one", async () => {
    const card = await mount(
      hassWith([
        request({
          stage: "downloading",
          timeline: [
            { at: minutesAgo(45), state: "downloading", source: "qbittorrent", detail: "" },
            { at: minutesAgo(5), state: "available", source: "jellyfin", detail: "", rejected: true },
          ],
        }),
      ]),
    );
    expect(text(rows(card)[0].querySelector(".since"))).toMatch(/· 45 min ago$/);
  });

  it("opens more-info on a tap", async () => {
    const card = await mount(hassWith([request({ id: "7" })]));
    const opened = vi.fn();
    card.addEventListener("hass-more-info", (e) => opened((e as CustomEvent).detail.entityId));
    rows(card)[0].querySelector<HTMLElement>(".meta")!.click();
    expect(opened).toHaveBeenCalledWith("sensor.request_7");
  });

  it("shows needs attention, linking to Repairs, when a repair names the request", async () => {
    const hass = hassWith([request({ id: "5", stage: "approved" }), request({ id: "6", stage: "approved" })], {
      issues: [
        { domain: "media_request_tracker", issue_id: `stuck_${ENTRY}_5` },
        { domain: "media_request_tracker", issue_id: `download_problem_${OTHER_ENTRY}_6` },
        { domain: "hassio", issue_id: `stuck_${ENTRY}_6` },
      ],
    });
    const card = await mount(hass);
    const byId = (id: string) => rows(card).find((r) => r.dataset.entity === `sensor.request_${id}`)!;
    const badge = byId("5").querySelector("a.badge.attention");
    expect(text(badge)).toBe("Needs attention");
    expect(badge?.getAttribute("href")).toBe("/config/repairs");
    expect(byId("6").querySelector(".badge.attention")).toBeNull();
  });

  it("shows needs attention when a repair appears after a request changed", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "setInterval", "Date"] });
    try {
      let issues: Array<{ domain: string; issue_id: string }> = [];
      const hass = hassWith([request({ id: "5", stage: "downloading", extra: { progress: 5 } })]);
      hass.callWS = (async () => ({ issues })) as HomeAssistant["callWS"];
      const card = await mount(hass);
      expect(rows(card)[0].querySelector(".badge.attention")).toBeNull();

      // qBittorrent lost the torrent: a timeline note changes the entity, and a repair is raised.
      issues = [{ domain: "media_request_tracker", issue_id: `download_problem_${ENTRY}_5` }];
      card.hass = withStates(hass, [request({ id: "5", stage: "downloading", extra: { progress: 6 } })]);
      await vi.advanceTimersByTimeAsync(5_000);
      await settle(card);
      expect(text(rows(card)[0].querySelector(".badge.attention"))).toBe("Needs attention");
    } finally {
      vi.useRealTimers();
    }
  });
});

describe("the list", () => {
  const mixed = () =>
    hassWith([
      request({ id: "1", title: "Old film", stage: "available", changedMinutesAgo: 300 }),
      request({ id: "2", title: "Newest film", stage: "downloading", changedMinutesAgo: 1 }),
      request({ id: "3", title: "Older film", stage: "requested", changedMinutesAgo: 60 }),
      request({ id: "4", title: "Declined film", stage: "declined", changedMinutesAgo: 30 }),
    ]);
  const titles = (card: MediaRequestTrackerCard) => rows(card).map((r) => text(r.querySelector(".title")));

  it("shows the active requests, newest change first", async () => {
    const card = await mount(mixed());
    expect(titles(card)).toEqual(["Newest film (2024)", "Older film (2024)"]);
  });

  it("shows the finished ones, and all, with the filter buttons", async () => {
    const card = await mount(mixed());
    root(card).querySelector<HTMLButtonElement>('[data-filter="finished"]')!.click();
    await card.updateComplete;
    expect(titles(card)).toEqual(["Declined film (2024)", "Old film (2024)"]);
    expect(root(card).querySelector('[data-filter="finished"]')?.getAttribute("aria-pressed")).toBe("true");
    root(card).querySelector<HTMLButtonElement>('[data-filter="all"]')!.click();
    await card.updateComplete;
    expect(titles(card)).toHaveLength(4);
  });

  it("starts with the configured filter", async () => {
    const card = await mount(mixed(), { filter: "all" });
    expect(titles(card)[0]).toBe("Newest film (2024)");
    expect(titles(card)).toHaveLength(4);
  });

  it("finds titles by a search, whatever the case", async () => {
    const card = await mount(mixed(), { filter: "all" });
    const input = root(card).querySelector<HTMLInputElement>('input[type="search"]')!;
    input.value = "OLD";
    input.dispatchEvent(new Event("input"));
    await card.updateComplete;
    expect(titles(card)).toEqual(["Older film (2024)", "Old film (2024)"]);
  });

  it("shows only the chosen entry's requests", async () => {
    const hass = hassWith([
      request({ id: "1", title: "Ours" }),
      request({ id: "2", title: "Theirs", extra: { entry: OTHER_ENTRY } }),
    ]);
    const card = await mount(hass, { entry: OTHER_ENTRY });
    expect(titles(card)).toEqual(["Theirs (2024)"]);
  });

  it("ignores sensors of other integrations and our summary sensor", async () => {
    const hass = hassWith([request({ id: "1" })]);
    hass.states["sensor.media_active_requests"] = {
      entity_id: "sensor.media_active_requests",
      state: "1",
      attributes: { requested: 1 },
      last_changed: NOW.toISOString(),
      last_updated: NOW.toISOString(),
    };
    hass.entities!["sensor.media_active_requests"] = {
      entity_id: "sensor.media_active_requests",
      platform: "media_request_tracker",
    };
    const card = await mount(hass);
    expect(rows(card)).toHaveLength(1);
  });

  it("uses the compact layout when asked", async () => {
    const card = await mount(hassWith([request()]), { compact: true });
    expect(root(card).querySelector("ul.list")?.classList.contains("compact")).toBe(true);
  });
});

describe("the empty state", () => {
  it("says what to do next when nothing was requested yet", async () => {
    const card = await mount(hassWith([]));
    const empty = root(card).querySelector('.empty[role="status"]');
    expect(text(empty?.querySelector("strong"))).toBe("No requests yet");
    expect(text(empty)).toContain("Ask for a film or a series in Jellyseerr");
    expect(rows(card)).toHaveLength(0);
  });

  it("offers all requests when none is active", async () => {
    const card = await mount(hassWith([request({ stage: "available" })]));
    expect(text(root(card).querySelector(".empty strong"))).toBe("Nothing on its way right now");
    root(card).querySelector<HTMLButtonElement>('.empty [data-filter="all"]')!.click();
    await card.updateComplete;
    expect(rows(card)).toHaveLength(1);
  });
});

describe("updates", () => {
  it("renders again when one of its requests changes, and not for other entities", async () => {
    const first = request({ id: "1", stage: "downloading", extra: { progress: 10 } });
    const hass = hassWith([first]);
    const card = await mount(hass);
    const render = vi.spyOn(card as unknown as { render: () => unknown }, "render");

    const kitchen = { ...hass.states["sensor.kitchen_temperature"], state: "22" };
    const other = withStates(hass, [kitchen]);
    card.hass = other;
    await card.updateComplete;
    expect(render).not.toHaveBeenCalled();

    card.hass = withStates(other, [request({ id: "1", stage: "downloading", extra: { progress: 55 } })]);
    await card.updateComplete;
    expect(render).toHaveBeenCalledTimes(1);
    expect(text(rows(card)[0].querySelector(".progress-text"))).toMatch(/^55 %/);
  });

  it("shows a new request when its sensor appears", async () => {
    const hass = hassWith([request({ id: "1" })]);
    const card = await mount(hass);
    const added = hassWith([request({ id: "1" }), request({ id: "2", title: "New one", changedMinutesAgo: 0 })]);
    card.hass = added;
    await card.updateComplete;
    expect(rows(card).map((r) => r.dataset.entity)).toEqual(["sensor.request_2", "sensor.request_1"]);
  });
});

describe("the card in Home Assistant", () => {
  it("is in the card picker with a stub config and a visual editor", async () => {
    const entry = window.customCards?.find((c) => c.type === "media-request-tracker-card");
    expect(entry?.name).toBe("Media Request Tracker");
    const cls = customElements.get("media-request-tracker-card") as unknown as {
      getStubConfig: () => unknown;
      getConfigElement: () => HTMLElement;
    };
    expect(cls.getStubConfig()).toEqual({ filter: "active" });
    expect(cls.getConfigElement().tagName.toLowerCase()).toBe("media-request-tracker-card-editor");
  });

  it("rejects an unknown filter", () => {
    const card = document.createElement("media-request-tracker-card") as MediaRequestTrackerCard;
    expect(() => card.setConfig({ type: "x", filter: "soon" as never })).toThrow(/filter/);
  });

  it("has an editor that sends the changed config without empty options", async () => {
    const editor = document.createElement("media-request-tracker-card-editor") as HTMLElement & {
      setConfig: (c: unknown) => void;
      updateComplete: Promise<unknown>;
    };
    editor.setConfig({ type: "custom:media-request-tracker-card", filter: "active" });
    document.body.appendChild(editor);
    await editor.updateComplete;
    const changed = vi.fn();
    editor.addEventListener("config-changed", (e) => changed((e as CustomEvent).detail.config));
    const form = editor.shadowRoot!.querySelector("ha-form")!;
    form.dispatchEvent(
      new CustomEvent("value-changed", { detail: { value: { filter: "all", entry: "", compact: true } } }),
    );
    expect(changed).toHaveBeenCalledWith({ type: "custom:media-request-tracker-card", filter: "all", compact: true });
  });
});
