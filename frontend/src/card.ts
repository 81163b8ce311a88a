import { LitElement, html, nothing, type PropertyValues, type TemplateResult } from "lit";
import { guard } from "lit/directives/guard.js";
import {
  formatAgo,
  formatEta,
  formatPercent,
  formatSpeed,
  formatTime,
  language,
  plainWords,
  sourceName,
  stageName,
} from "./format";
import {
  DOMAIN,
  byNewestChange,
  isFinished,
  matchesFilter,
  matchesSearch,
  needsAttention,
  stagePath,
  toView,
} from "./model";
import { cardStyles } from "./styles";
import type { CardConfig, Filter, HassEntity, HomeAssistant, RepairIssue, RequestView, Stage } from "./types";

export const CARD_TYPE = "media-request-tracker-card";
const FILTERS: Filter[] = ["active", "finished", "all"];
const FILTER_NAMES: Record<Filter, string> = { active: "Active", finished: "Finished", all: "All" };
const MINUTE = 60_000;
// Repairs have no subscription a non-admin may use: read them when a request changes
// (a broken download adds a timeline entry), at most this often, and once a minute.
const ISSUES_EVERY = 5_000;

interface Steps {
  cls: string[];
  cur: Array<string | typeof nothing>;
  aria: string[];
  label: string[];
}

// The same stepper for every request in one stage; built once per language.
const stepCache = new WeakMap<object, Map<string, Steps>>();

function stepsFor(hass: HomeAssistant, isAnime: boolean, stage: Stage): Steps {
  const owner = hass.localize ?? stepCache;
  let cache = stepCache.get(owner);
  if (!cache) stepCache.set(owner, (cache = new Map()));
  const key = `${isAnime}|${stage}`;
  let steps = cache.get(key);
  if (!steps) {
    const path = stagePath(isAnime);
    const reached = path.indexOf(stage);
    steps = { cls: [], cur: [], aria: [], label: [] };
    path.forEach((step, i) => {
      const label = stageName(hass, step);
      const state = i === reached ? "current" : i < reached ? "done" : "to come";
      steps!.cls.push(`step ${i === reached ? "current" : i < reached ? "done" : "todo"}`);
      steps!.cur.push(i === reached ? "step" : nothing);
      steps!.aria.push(`${label}: ${state}`);
      steps!.label.push(label);
    });
    cache.set(key, steps);
  }
  return steps;
}

export function validateConfig(config: unknown): CardConfig {
  if (!config || typeof config !== "object") throw new Error("Invalid configuration");
  const c = config as Record<string, unknown>;
  if (c.entry !== undefined && (typeof c.entry !== "string" || c.entry === ""))
    throw new Error("entry must be a config entry id");
  if (c.filter !== undefined && !FILTERS.includes(c.filter as Filter))
    throw new Error("filter must be one of active, finished, all");
  if (c.compact !== undefined && typeof c.compact !== "boolean")
    throw new Error("compact must be true or false");
  return c as unknown as CardConfig;
}

export class MediaRequestTrackerCard extends LitElement {
  static override styles = cardStyles;

  static override properties = {
    _filter: { state: true },
    _search: { state: true },
  };

  _filter: Filter = "active";
  _search = "";
  /** Injected by tests for a fixed clock. */
  now: () => Date = () => new Date();

  private _config?: CardConfig;
  private _hass?: HomeAssistant;
  /** Entity ids of our platform (with or without a state yet). */
  private _candidates: string[] = [];
  private _views = new Map<string, RequestView>();
  private _expanded = new Set<string>();
  private _issues: ReadonlySet<string> = new Set();
  private _issuesAt = 0;
  private _issuesPending = false;
  private _timer?: number;
  private _issuesLater?: number;

  static getConfigElement(): HTMLElement {
    return document.createElement(`${CARD_TYPE}-editor`);
  }

  static getStubConfig(): Omit<CardConfig, "type"> {
    return { filter: "active" };
  }

  setConfig(config: CardConfig): void {
    this._config = validateConfig(config);
    this._filter = this._config.filter ?? "active";
    if (this._hass) this._collect(this._hass);
    this.requestUpdate();
  }

  getCardSize(): number {
    return 2 + Math.min(this._visible().length, 8) * 2;
  }

  getGridOptions(): Record<string, number> {
    return { columns: 12, min_columns: 6, rows: 6, min_rows: 3 };
  }

  get hass(): HomeAssistant | undefined {
    return this._hass;
  }

  /** Home Assistant sets this on every state change anywhere: render only when ours moved. */
  set hass(hass: HomeAssistant) {
    const old = this._hass;
    this._hass = hass;
    if (!this._config) return;
    if (!old || this._changed(old, hass)) {
      this._collect(hass);
      this.requestUpdate();
      this._refreshIssues(false);
    }
  }

  private _changed(old: HomeAssistant, hass: HomeAssistant): boolean {
    if (
      old.entities !== hass.entities ||
      old.devices !== hass.devices ||
      old.localize !== hass.localize ||
      old.locale !== hass.locale
    )
      return true;
    for (const id of this._candidates) if (old.states[id] !== hass.states[id]) return true;
    return false;
  }

  private _collect(hass: HomeAssistant): void {
    const entry = this._config?.entry;
    const candidates: string[] = [];
    const views = new Map<string, RequestView>();
    const entities = hass.entities ?? {};
    for (const id in entities) {
      if (entities[id].platform !== DOMAIN || !id.startsWith("sensor.")) continue;
      candidates.push(id);
      const state: HassEntity | undefined = hass.states[id];
      if (!state || state.attributes.request_id == null) continue;
      const previous = this._views.get(id);
      const view = previous && previous.state === state ? previous : toView(hass, state);
      if (entry && view.entryId !== entry) continue;
      views.set(id, view);
    }
    this._candidates = candidates;
    this._views = views;
  }

  private _refreshIssues(force: boolean): void {
    const hass = this._hass;
    if (!hass?.callWS || this._issuesPending) return;
    const wait = this._issuesAt + ISSUES_EVERY - Date.now();
    if (!force && wait > 0) {
      // The last change in the window is read at its end.
      if (this._issuesLater === undefined)
        this._issuesLater = window.setTimeout(() => {
          this._issuesLater = undefined;
          this._refreshIssues(true);
        }, wait);
      return;
    }
    this._issuesPending = true;
    this._issuesAt = Date.now();
    hass
      .callWS<{ issues: RepairIssue[] }>({ type: "repairs/list_issues" })
      .then((result) => {
        const ids = new Set(
          result.issues.filter((i) => i.domain === DOMAIN && !i.ignored).map((i) => i.issue_id),
        );
        const same = ids.size === this._issues.size && [...ids].every((id) => this._issues.has(id));
        if (!same) {
          this._issues = ids;
          this.requestUpdate();
        }
      })
      .catch(() => {
        // No repairs component or no permission: the card shows no badge.
      })
      .finally(() => {
        this._issuesPending = false;
      });
  }

  override connectedCallback(): void {
    super.connectedCallback();
    // "12 min ago" and repair badges move on without a state change.
    this._timer = window.setInterval(() => {
      this._refreshIssues(true);
      this.requestUpdate();
    }, MINUTE);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.clearInterval(this._timer);
    window.clearTimeout(this._issuesLater);
    this._issuesLater = undefined;
  }

  protected override shouldUpdate(_changed: PropertyValues): boolean {
    return this._config !== undefined && this._hass !== undefined;
  }

  private _visible(): RequestView[] {
    const views: RequestView[] = [];
    for (const view of this._views.values())
      if (matchesFilter(view, this._filter) && matchesSearch(view, this._search)) views.push(view);
    return views.sort(byNewestChange);
  }

  protected override render(): TemplateResult {
    const hass = this._hass!;
    const compact = this._config?.compact === true;
    const visible = this._visible();
    const now = this.now();
    const lang = language(hass);
    const minute = Math.floor(now.getTime() / MINUTE);
    return html`
      <ha-card>
        <div class="header">
          <h2 id="heading">Media requests</h2>
          <span class="count">${visible.length} of ${this._views.size}</span>
        </div>
        <div class="toolbar">
          <div class="filters" role="group" aria-label="Show">
            ${FILTERS.map(
              (f) => html`<button
                type="button"
                data-filter=${f}
                aria-pressed=${this._filter === f ? "true" : "false"}
                @click=${this._onFilter}
              >
                ${FILTER_NAMES[f]}
              </button>`,
            )}
          </div>
          <input
            type="search"
            placeholder="Search titles"
            aria-label="Search titles"
            .value=${this._search}
            @input=${this._onSearch}
          />
        </div>
        ${visible.length === 0
          ? this._renderEmpty()
          : html`<ul
              class="list ${compact ? "compact" : ""}"
              aria-labelledby="heading"
              @click=${this._onListClick}
            >
              ${visible.map((v) => {
                // A row renders again only when its own request, its badge, its timeline or the minute moved.
                const attention = needsAttention(v, this._issues);
                const expanded = this._expanded.has(v.entityId);
                return guard([v, attention, expanded, minute, lang, hass.localize], () =>
                  this._renderRequest(hass, v, now, lang, attention, expanded),
                );
              })}
            </ul>`}
      </ha-card>
    `;
  }

  private _renderEmpty(): TemplateResult {
    if (this._views.size === 0) {
      return html`<div class="empty" role="status">
        <strong>No requests yet</strong>
        Ask for a film or a series in Jellyseerr. It shows up here within seconds, and you can follow it
        until it is ready to watch.
      </div>`;
    }
    if (this._search) {
      return html`<div class="empty" role="status">
        <strong>No title matches “${this._search}”</strong>
      </div>`;
    }
    const text = this._filter === "finished" ? "Nothing has finished yet" : "Nothing on its way right now";
    return html`<div class="empty" role="status">
      <strong>${text}</strong>
      Every request is ${this._filter === "finished" ? "still on its way" : "ready to watch or closed"}.
      <br /><button type="button" data-filter="all" @click=${this._onFilter}>Show all requests</button>
    </div>`;
  }

  private _renderRequest(
    hass: HomeAssistant,
    v: RequestView,
    now: Date,
    lang: string,
    attention: boolean,
    expanded: boolean,
  ): TemplateResult {
    const downloading = v.stage === "downloading";
    const plain = plainWords(v.stage);
    const name = stageName(hass, v.stage);
    const meta: string[] = [];
    if (v.requestedBy) meta.push(`Asked by ${v.requestedBy}`);
    if (v.mediaType === "tv") meta.push(v.isAnime ? "Anime series" : "Series");
    else if (v.mediaType === "movie") meta.push(v.isAnime ? "Anime film" : "Film");
    // Sonarr tells the episodes once it has the series; until then there is nothing to count.
    if (v.mediaType === "tv" && v.episodesTotal !== null && v.episodesTotal > 0)
      meta.push(`${v.episodesAvailable ?? 0} / ${v.episodesTotal} episodes`);
    const timelineId = `tl-${v.entityId}`;
    return html`<li class="request stage-${v.stage}" data-entity=${v.entityId}>
      ${v.picture
        ? html`<img class="poster" src=${v.picture} alt="" loading="lazy" />`
        : html`<div class="poster" aria-hidden="true">🎬</div>`}
      <div class="body">
        <div class="head">
          <button type="button" class="title" data-action="more-info">
            ${v.title}${v.year !== null ? html` <span class="year">(${v.year})</span>` : nothing}
          </button>
          ${attention
            ? html`<a class="badge attention" href="/config/repairs" data-action="repairs"
                >Needs attention</a
              >`
            : nothing}
          ${v.stalled && !isFinished(v.stage)
            ? html`<span class="badge stalled" role="status">Stalled</span>`
            : nothing}
        </div>
        ${meta.length ? html`<div class="meta">${meta.join(" · ")}</div>` : nothing}
        <div class="status">
          <span class="plain">${plain}</span>
          <span class="since"
            >${name === plain ? "" : `${name} `}since ${formatTime(v.since, now, lang)} ·
            ${formatAgo(v.since, now)}</span
          >
        </div>
        ${this._renderStepper(hass, v, name)}
        ${downloading ? this._renderProgress(v, lang) : nothing}
        ${v.timeline.length
          ? html`<button
              type="button"
              class="timeline-toggle"
              data-action="timeline"
              aria-expanded=${expanded ? "true" : "false"}
              aria-controls=${timelineId}
            >
              ${expanded ? "Hide" : "Show"} timeline (${v.timeline.length})
            </button>`
          : nothing}
        ${expanded ? this._renderTimeline(hass, v, timelineId, now, lang) : nothing}
      </div>
    </li>`;
  }

  private _renderStepper(hass: HomeAssistant, v: RequestView, currentName: string): TemplateResult {
    const path = stagePath(v.isAnime);
    const reached = path.indexOf(v.stage);
    if (reached === -1) return this._renderEndedStepper(hass, v, path, currentName);
    const s = stepsFor(hass, v.isAnime, v.stage);
    // Written out: one template per row instead of one per step, and the names drawn by CSS from
    // data-label (aria-label says them): 300 rows create thousands of nodes fewer.
    return html`<ol class="stepper" aria-label="Stages">
      <li class=${s.cls[0]} aria-current=${s.cur[0]} aria-label=${s.aria[0]} data-label=${s.label[0]}></li>
      <li class=${s.cls[1]} aria-current=${s.cur[1]} aria-label=${s.aria[1]} data-label=${s.label[1]}></li>
      <li class=${s.cls[2]} aria-current=${s.cur[2]} aria-label=${s.aria[2]} data-label=${s.label[2]}></li>
      <li class=${s.cls[3]} aria-current=${s.cur[3]} aria-label=${s.aria[3]} data-label=${s.label[3]}></li>
      <li class=${s.cls[4]} aria-current=${s.cur[4]} aria-label=${s.aria[4]} data-label=${s.label[4]}></li>
      <li class=${s.cls[5]} aria-current=${s.cur[5]} aria-label=${s.aria[5]} data-label=${s.label[5]}></li>
      <li class=${s.cls[6]} aria-current=${s.cur[6]} aria-label=${s.aria[6]} data-label=${s.label[6]}></li>
      ${s.cls.length > 7
        ? html`<li class=${s.cls[7]} aria-current=${s.cur[7]} aria-label=${s.aria[7]} data-label=${s.label[7]}></li>`
        : nothing}
    </ol>`;
  }

  /** Failed or declined: the stages reached, then where it ended. */
  private _renderEndedStepper(
    hass: HomeAssistant,
    v: RequestView,
    path: Stage[],
    currentName: string,
  ): TemplateResult {
    let reached = 0;
    for (const item of v.timeline)
      if (!item.rejected) reached = Math.max(reached, path.indexOf(item.state as Stage));
    return html`<ol class="stepper" aria-label="Stages">
      ${path.slice(0, reached + 1).map((stage) => {
        const label = stageName(hass, stage);
        return html`<li class="step done" aria-label="${label}: done" data-label=${label}></li>`;
      })}
      <li class="step failed" aria-current="step" aria-label="${currentName}: current" data-label=${currentName}></li>
    </ol>`;
  }

  private _renderProgress(v: RequestView, lang: string): TemplateResult {
    const progress = Math.max(0, Math.min(100, v.progress ?? 0));
    const parts = [formatPercent(progress, lang)];
    if (v.stalled) parts.push("no data coming in");
    else {
      if (v.speed !== null) parts.push(formatSpeed(v.speed, lang));
      if (v.eta !== null) parts.push(`${formatEta(v.eta)} left`);
    }
    const text = parts.join(" · ");
    return html`<div
        class="progress ${v.stalled ? "stalled" : ""}"
        role="progressbar"
        aria-label="Download of ${v.title}"
        aria-valuemin="0"
        aria-valuemax="100"
        aria-valuenow=${Math.round(progress)}
        aria-valuetext=${text}
      >
        <div style="width: ${progress}%"></div>
      </div>
      <div class="progress-text">${text}</div>`;
  }

  private _renderTimeline(
    hass: HomeAssistant,
    v: RequestView,
    id: string,
    now: Date,
    lang: string,
  ): TemplateResult {
    const rows = [...v.timeline].reverse();
    return html`<table class="timeline" id=${id} aria-label="Timeline of ${v.title}">
      <thead>
        <tr><th scope="col">Time</th><th scope="col">Stage</th><th scope="col">From</th><th scope="col">Detail</th><th scope="col">Note</th></tr>
      </thead>
      <tbody>
        ${rows.map(
          (item) => html`<tr class=${item.rejected ? "rejected" : ""}>
            <td>${formatTime(new Date(item.at), now, lang)}</td>
            <td>${this._timelineStage(hass, item.state)}</td>
            <td>${sourceName(item.source)}</td>
            <td>${item.detail}</td>
            <td class="mark">${item.rejected ? "Rejected" : ""}</td>
          </tr>`,
        )}
      </tbody>
    </table>`;
  }

  private _timelineStage(hass: HomeAssistant, state: string): string {
    return (stagePath(true) as string[]).includes(state) || state === "failed" || state === "declined"
      ? stageName(hass, state as Stage)
      : state;
  }

  private _onFilter(event: Event): void {
    const filter = (event.currentTarget as HTMLElement).dataset.filter as Filter;
    this._filter = filter;
  }

  private _onSearch(event: Event): void {
    this._search = (event.target as HTMLInputElement).value.trim();
  }

  /** One listener for every row: a tap opens more-info, the toggle opens the timeline. */
  private _onListClick(event: Event): void {
    const path = event.composedPath() as HTMLElement[];
    const row = path.find((el) => el instanceof HTMLElement && el.dataset?.entity !== undefined);
    if (!row) return;
    const entityId = row.dataset.entity!;
    const action = path.find((el) => el instanceof HTMLElement && el.dataset?.action)?.dataset.action;
    if (action === "timeline") {
      if (this._expanded.has(entityId)) this._expanded.delete(entityId);
      else this._expanded.add(entityId);
      this.requestUpdate();
      return;
    }
    if (action === "repairs") {
      event.preventDefault();
      window.history.pushState(null, "", "/config/repairs");
      window.dispatchEvent(new CustomEvent("location-changed", { detail: { replace: false } }));
      return;
    }
    if (path.some((el) => el instanceof HTMLElement && el.tagName === "TABLE")) return;
    this.dispatchEvent(
      new CustomEvent("hass-more-info", { detail: { entityId }, bubbles: true, composed: true }),
    );
  }
}
