// Pure functions: which sensors are requests, what each shows, in which order.
import type {
  Filter,
  HassEntity,
  HomeAssistant,
  RequestView,
  Stage,
  TimelineEntry,
} from "./types";

export const DOMAIN = "media_request_tracker";

export const STAGES: readonly Stage[] = [
  "requested",
  "approved",
  "indexed",
  "downloading",
  "download_done",
  "importing",
  "anime_matching",
  "available",
  "failed",
  "declined",
];

const TERMINAL: ReadonlySet<string> = new Set(["available", "failed", "declined"]);

/** The way a request goes; anime waits for Shoko's match before Jellyfin. */
export function stagePath(isAnime: boolean): Stage[] {
  const path: Stage[] = [
    "requested",
    "approved",
    "indexed",
    "downloading",
    "download_done",
    "importing",
  ];
  if (isAnime) path.push("anime_matching");
  path.push("available");
  return path;
}

export function isFinished(stage: Stage): boolean {
  return TERMINAL.has(stage);
}

/** The request sensors of the chosen entry (all entries when none is chosen). */
export function requestEntityIds(hass: HomeAssistant, entry?: string): string[] {
  const ids: string[] = [];
  const entities = hass.entities;
  if (entities) {
    for (const id in entities) {
      const display = entities[id];
      if (display.platform !== DOMAIN || !id.startsWith("sensor.")) continue;
      const state = hass.states[id];
      if (!state || state.attributes.request_id == null) continue;
      if (entry && entryOf(hass, id) !== entry) continue;
      ids.push(id);
    }
  }
  return ids;
}

/** The config entry of a request sensor, through its device (display entries carry no entry id). */
export function entryOf(hass: HomeAssistant, entityId: string): string | null {
  const deviceId = hass.entities?.[entityId]?.device_id;
  const device = deviceId ? hass.devices?.[deviceId] : undefined;
  if (!device) return null;
  return device.primary_config_entry ?? device.config_entries?.[0] ?? null;
}

function numberOrNull(value: unknown): number | null {
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

function stringOrNull(value: unknown): string | null {
  return typeof value === "string" && value !== "" ? value : null;
}

function parseTime(value: unknown, fallback: string): Date {
  const parsed = typeof value === "string" ? Date.parse(value) : Number.NaN;
  return new Date(Number.isNaN(parsed) ? Date.parse(fallback) : parsed);
}

function timelineOf(value: unknown): TimelineEntry[] {
  if (!Array.isArray(value)) return [];
  return value.filter(
    (item): item is TimelineEntry =>
      typeof item === "object" && item !== null && typeof item.at === "string",
  );
}

/** Reads one request sensor. */
export function toView(hass: HomeAssistant, state: HassEntity): RequestView {
  const a = state.attributes;
  const stage = (STAGES as readonly string[]).includes(state.state)
    ? (state.state as Stage)
    : "requested";
  const timeline = timelineOf(a.timeline);
  let since: string | undefined;
  for (let i = timeline.length - 1; i >= 0; i--) {
    const item = timeline[i];
    if (item.rejected) continue;
    if (item.state !== stage) break;
    since = item.at;
  }
  const last = timeline.length ? timeline[timeline.length - 1].at : undefined;
  const title = stringOrNull(a.title) ?? stringOrNull(a.friendly_name) ?? state.entity_id;
  const mediaType = a.media_type === "tv" || a.media_type === "movie" ? a.media_type : null;
  return {
    entityId: state.entity_id,
    entryId: entryOf(hass, state.entity_id),
    requestId: String(a.request_id),
    title,
    year: numberOrNull(a.year),
    mediaType,
    isAnime: a.is_anime === true,
    requestedBy: stringOrNull(a.requested_by),
    picture: stringOrNull(a.entity_picture),
    stage,
    since: parseTime(since, state.last_changed),
    changed: parseTime(last, state.last_changed),
    progress: numberOrNull(a.progress),
    speed: numberOrNull(a.download_speed),
    eta: numberOrNull(a.eta),
    stalled: a.stalled === true,
    episodesAvailable: numberOrNull(a.episodes_available),
    episodesTotal: numberOrNull(a.episodes_total),
    timeline,
    state,
  };
}

export function matchesFilter(view: RequestView, filter: Filter): boolean {
  if (filter === "all") return true;
  return filter === "finished" ? isFinished(view.stage) : !isFinished(view.stage);
}

export function matchesSearch(view: RequestView, search: string): boolean {
  if (!search) return true;
  return view.title.toLocaleLowerCase().includes(search.toLocaleLowerCase());
}

/** Newest change first; the entity id keeps the order stable. */
export function byNewestChange(a: RequestView, b: RequestView): number {
  const diff = b.changed.getTime() - a.changed.getTime();
  if (diff !== 0) return diff;
  return a.entityId < b.entityId ? -1 : a.entityId > b.entityId ? 1 : 0;
}

/** Repair ids that name a request: `stuck_<entry>_<request>` and `download_problem_<entry>_<request>`. */
export const REPAIR_KINDS = ["stuck", "download_problem"] as const;

export function needsAttention(view: RequestView, issueIds: ReadonlySet<string>): boolean {
  if (issueIds.size === 0) return false;
  for (const kind of REPAIR_KINDS) {
    if (view.entryId !== null) {
      if (issueIds.has(`${kind}_${view.entryId}_${view.requestId}`)) return true;
    } else {
      // Without the device registry the entry is unknown: match the kind and the request.
      for (const id of issueIds) {
        if (id.startsWith(`${kind}_`) && id.endsWith(`_${view.requestId}`)) return true;
      }
    }
  }
  return false;
}
