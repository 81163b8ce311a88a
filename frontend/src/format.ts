// Words and units for people: plain stage names, MB/s, "about 20 min".
import type { HomeAssistant, Stage } from "./types";

/** The integration's own names (translations/en.json), used when hass.localize has none. */
const STAGE_NAMES: Record<Stage, string> = {
  requested: "Requested",
  approved: "Approved",
  indexed: "Indexed",
  downloading: "Downloading",
  download_done: "Download done",
  importing: "Importing",
  anime_matching: "Anime matching",
  available: "Available",
  failed: "Failed",
  declined: "Declined",
};

/** What a household calls each stage, as the card's headline. */
const PLAIN_WORDS: Record<Stage, string> = {
  requested: "Waiting for approval",
  approved: "Looking for a release",
  indexed: "Looking for a release",
  downloading: "Downloading",
  download_done: "Getting it ready",
  importing: "Getting it ready",
  anime_matching: "Getting it ready",
  available: "Ready to watch",
  failed: "Something went wrong",
  declined: "Declined",
};

export function stageName(hass: HomeAssistant, stage: Stage): string {
  const key = `component.media_request_tracker.entity.sensor.request.state.${stage}`;
  const localized = hass.localize?.(key);
  return localized || STAGE_NAMES[stage];
}

export function plainWords(stage: Stage): string {
  return PLAIN_WORDS[stage];
}

export function language(hass: HomeAssistant): string {
  return hass.locale?.language || hass.language || "en";
}

// Intl formatters are costly to build; 300 rows share a few.
const numberFormats = new Map<string, Intl.NumberFormat>();
function numberFormat(lang: string, digits: number): Intl.NumberFormat {
  const key = `${lang}|${digits}`;
  let format = numberFormats.get(key);
  if (!format) {
    try {
      format = new Intl.NumberFormat(lang, { maximumFractionDigits: digits, minimumFractionDigits: digits });
    } catch {
      format = new Intl.NumberFormat("en", { maximumFractionDigits: digits, minimumFractionDigits: digits });
    }
    numberFormats.set(key, format);
  }
  return format;
}

/** Bytes per second as MB/s (kB/s below one megabyte). */
export function formatSpeed(bytesPerSecond: number, lang = "en"): string {
  if (bytesPerSecond >= 1_000_000) return `${numberFormat(lang, 1).format(bytesPerSecond / 1_000_000)} MB/s`;
  return `${numberFormat(lang, 0).format(bytesPerSecond / 1_000)} kB/s`;
}

/** Seconds left as "about 20 min", "about 2 h 5 min", "less than a minute". */
export function formatEta(seconds: number): string {
  if (seconds < 60) return "less than a minute";
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `about ${minutes} min`;
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  if (hours >= 48) return `about ${Math.round(hours / 24)} days`;
  return rest ? `about ${hours} h ${rest} min` : `about ${hours} h`;
}

export function formatPercent(progress: number, lang = "en"): string {
  return `${numberFormat(lang, 0).format(Math.floor(progress))} %`;
}

/** "12 min ago", "3 h ago", "2 days ago" for the time since a stage began. */
export function formatAgo(then: Date, now: Date): string {
  const seconds = Math.max(0, (now.getTime() - then.getTime()) / 1000);
  if (seconds < 60) return "just now";
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ago`;
  return `${Math.floor(hours / 24)} days ago`;
}

const timeFormats = new Map<string, Intl.DateTimeFormat>();
function timeFormat(lang: string, sameDay: boolean): Intl.DateTimeFormat {
  const key = `${lang}|${sameDay}`;
  let format = timeFormats.get(key);
  if (!format) {
    const options: Intl.DateTimeFormatOptions = sameDay
      ? { hour: "2-digit", minute: "2-digit" }
      : { day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" };
    try {
      format = new Intl.DateTimeFormat(lang, options);
    } catch {
      format = new Intl.DateTimeFormat("en", options);
    }
    timeFormats.set(key, format);
  }
  return format;
}

/** A timeline time: the hour today, the day and hour before. */
export function formatTime(at: Date, now: Date, lang = "en"): string {
  const sameDay =
    at.getFullYear() === now.getFullYear() && at.getMonth() === now.getMonth() && at.getDate() === now.getDate();
  return timeFormat(lang, sameDay).format(at);
}

const SOURCES: Record<string, string> = {
  jellyseerr: "Jellyseerr",
  radarr: "Radarr",
  sonarr: "Sonarr",
  qbittorrent: "qBittorrent",
  shoko: "Shoko",
  jellyfin: "Jellyfin",
  user: "By hand",
  system: "Media Request Tracker",
};

export function sourceName(source: string): string {
  return SOURCES[source] ?? source;
}
