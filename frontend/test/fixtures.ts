// Request sensors shaped as Home Assistant sends them (see the interface's attributes).
import type { HassEntity, HomeAssistant, RepairIssue } from "../src/types";

export const ENTRY = "01JENTRYAAAA";
export const OTHER_ENTRY = "01JENTRYBBBB";
export const NOW = new Date("2026-12-03T12:00:00Z");

export function minutesAgo(minutes: number): string {
  return new Date(NOW.getTime() - minutes * 60_000).toISOString();
}

export interface RequestOptions {
  id?: string;
  title?: string;
  year?: number;
  stage?: string;
  mediaType?: "movie" | "tv";
  anime?: boolean;
  requestedBy?: string;
  picture?: string | null;
  changedMinutesAgo?: number;
  extra?: Record<string, unknown>;
  timeline?: Array<Record<string, unknown>>;
}

const PATH = ["requested", "approved", "indexed", "downloading", "download_done", "importing", "available"];

export function request(options: RequestOptions = {}): HassEntity {
  const id = options.id ?? "1";
  const stage = options.stage ?? "requested";
  const ago = options.changedMinutesAgo ?? 10;
  const reached = PATH.indexOf(stage);
  const timeline =
    options.timeline ??
    PATH.slice(0, Math.max(reached, 0) + 1)
      .concat(reached === -1 ? [stage] : [])
      .map((state, i, all) => ({
        at: minutesAgo(ago + (all.length - 1 - i) * 5),
        state,
        source: i === 0 ? "jellyseerr" : state === "downloading" ? "qbittorrent" : "radarr",
        detail: `moved to ${state}`,
      }));
  return {
    entity_id: `sensor.request_${id}`,
    state: stage,
    attributes: {
      request_id: id,
      title: options.title ?? `Film ${id}`,
      year: options.year ?? 2024,
      media_type: options.mediaType ?? "movie",
      is_anime: options.anime ?? false,
      requested_by: options.requestedBy ?? "Alice",
      entity_picture: options.picture === undefined ? `/api/posters/${id}.jpg` : options.picture,
      timeline,
      friendly_name: `${options.title ?? `Film ${id}`} (${options.year ?? 2024})`,
      ...options.extra,
    },
    last_changed: minutesAgo(ago),
    last_updated: minutesAgo(ago),
  };
}

export function hassWith(
  states: HassEntity[],
  options: { entry?: string; issues?: RepairIssue[]; localize?: (key: string) => string } = {},
): HomeAssistant {
  const entities: HomeAssistant["entities"] = {};
  const statesById: Record<string, HassEntity> = {};
  for (const state of states) {
    statesById[state.entity_id] = state;
    entities[state.entity_id] = {
      entity_id: state.entity_id,
      platform: "media_request_tracker",
      device_id: state.attributes.entry === OTHER_ENTRY ? "device_b" : "device_a",
    };
  }
  // An unrelated sensor, as every home has.
  statesById["sensor.kitchen_temperature"] = {
    entity_id: "sensor.kitchen_temperature",
    state: "21",
    attributes: {},
    last_changed: NOW.toISOString(),
    last_updated: NOW.toISOString(),
  };
  entities["sensor.kitchen_temperature"] = { entity_id: "sensor.kitchen_temperature", platform: "met" };
  return {
    states: statesById,
    entities,
    devices: {
      device_a: { id: "device_a", config_entries: [ENTRY], primary_config_entry: ENTRY },
      device_b: { id: "device_b", config_entries: [OTHER_ENTRY], primary_config_entry: OTHER_ENTRY },
    },
    locale: { language: "en" },
    language: "en",
    localize: options.localize ?? (() => ""),
    themes: { darkMode: false },
    user: { is_admin: true },
    callWS: (async (message: Record<string, unknown>) => {
      if (message.type === "repairs/list_issues") return { issues: options.issues ?? [] };
      throw new Error(`unexpected ${String(message.type)}`);
    }) as HomeAssistant["callWS"],
  };
}

/** A copy of hass in which some states are new objects (as HA sends on each change). */
export function withStates(hass: HomeAssistant, changes: HassEntity[]): HomeAssistant {
  const states = { ...hass.states };
  for (const state of changes) states[state.entity_id] = state;
  return { ...hass, states };
}
