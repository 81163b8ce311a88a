// The parts of Home Assistant's frontend objects that the card reads.

export interface HassEntity {
  entity_id: string;
  state: string;
  attributes: Record<string, unknown>;
  last_changed: string;
  last_updated: string;
}

export interface EntityRegistryDisplayEntry {
  entity_id: string;
  platform?: string;
  device_id?: string;
  name?: string;
}

export interface DeviceRegistryEntry {
  id: string;
  config_entries?: string[];
  primary_config_entry?: string | null;
  name?: string | null;
  name_by_user?: string | null;
}

export interface RepairIssue {
  domain: string;
  issue_id: string;
  ignored?: boolean;
}

export interface HomeAssistant {
  states: Record<string, HassEntity>;
  entities?: Record<string, EntityRegistryDisplayEntry>;
  devices?: Record<string, DeviceRegistryEntry>;
  locale?: { language: string; time_format?: string };
  language?: string;
  localize?: (key: string, values?: Record<string, unknown>) => string;
  themes?: { darkMode?: boolean };
  user?: { is_admin?: boolean };
  callWS?: <T>(message: Record<string, unknown>) => Promise<T>;
}

export type Filter = "active" | "finished" | "all";

export interface CardConfig {
  type: string;
  entry?: string;
  filter?: Filter;
  compact?: boolean;
}

export type Stage =
  | "requested"
  | "approved"
  | "indexed"
  | "downloading"
  | "download_done"
  | "importing"
  | "anime_matching"
  | "available"
  | "failed"
  | "declined";

export interface TimelineEntry {
  at: string;
  state: string;
  source: string;
  detail: string;
  rejected?: boolean;
}

/** One tracked request as the card shows it, read from its sensor. */
export interface RequestView {
  entityId: string;
  entryId: string | null;
  requestId: string;
  title: string;
  year: number | null;
  mediaType: "movie" | "tv" | null;
  isAnime: boolean;
  requestedBy: string | null;
  picture: string | null;
  stage: Stage;
  since: Date;
  changed: Date;
  progress: number | null;
  speed: number | null;
  eta: number | null;
  stalled: boolean;
  episodesAvailable: number | null;
  episodesTotal: number | null;
  timeline: TimelineEntry[];
  state: HassEntity;
}
