// The card's module: Home Assistant loads it from the Lovelace resource the integration registers.
import { CARD_TYPE, MediaRequestTrackerCard } from "./card";
import { MediaRequestTrackerCardEditor } from "./editor";

declare global {
  interface Window {
    customCards?: Array<Record<string, unknown>>;
  }
}

// Loaded twice (a resource and an extra module URL, or two versions): define once.
if (!customElements.get(CARD_TYPE)) customElements.define(CARD_TYPE, MediaRequestTrackerCard);
if (!customElements.get(`${CARD_TYPE}-editor`))
  customElements.define(`${CARD_TYPE}-editor`, MediaRequestTrackerCardEditor);

window.customCards = window.customCards ?? [];
if (!window.customCards.some((card) => card.type === CARD_TYPE)) {
  window.customCards.push({
    type: CARD_TYPE,
    name: "Media Request Tracker",
    description: "Every media request from asking to playing: poster, stage, download progress and timeline.",
    preview: true,
    documentationURL: "https://github.com/media-request-tracker/media-request-tracker#dashboard-card",
  });
}
