import { LitElement, html, type TemplateResult } from "lit";
import { DOMAIN } from "./model";
import type { CardConfig, HomeAssistant } from "./types";

/** The fields of the visual editor, as Home Assistant's own ha-form draws them. */
export const EDITOR_SCHEMA = [
  { name: "entry", selector: { config_entry: { integration: DOMAIN } } },
  {
    name: "filter",
    selector: {
      select: {
        mode: "dropdown",
        options: [
          { value: "active", label: "Active (on their way)" },
          { value: "finished", label: "Finished (ready, failed or declined)" },
          { value: "all", label: "All" },
        ],
      },
    },
  },
  { name: "compact", selector: { boolean: {} } },
] as const;

const LABELS: Record<string, string> = {
  entry: "Media stack (all when empty)",
  filter: "Show at first",
  compact: "Compact layout (phones)",
};

export class MediaRequestTrackerCardEditor extends LitElement {
  static override properties = { hass: { attribute: false }, _config: { state: true } };

  hass?: HomeAssistant;
  _config?: CardConfig;

  setConfig(config: CardConfig): void {
    this._config = config;
  }

  protected override render(): TemplateResult {
    return html`<ha-form
      .hass=${this.hass}
      .data=${this._config ?? {}}
      .schema=${EDITOR_SCHEMA}
      .computeLabel=${(field: { name: string }) => LABELS[field.name] ?? field.name}
      @value-changed=${this._changed}
    ></ha-form>`;
  }

  private _changed(event: CustomEvent<{ value: Record<string, unknown> }>): void {
    event.stopPropagation();
    const config: Record<string, unknown> = { ...this._config, ...event.detail.value };
    // Empty fields leave the option out, so that the defaults apply.
    for (const key of ["entry", "filter"]) if (config[key] === "" || config[key] == null) delete config[key];
    if (config.compact === false) delete config.compact;
    this._config = config as unknown as CardConfig;
    this.dispatchEvent(
      new CustomEvent("config-changed", { detail: { config }, bubbles: true, composed: true }),
    );
  }
}
