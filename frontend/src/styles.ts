import { css } from "lit";

// Home Assistant's theme variables, so that light and dark themes (and user themes) apply.
export const cardStyles = css`
  :host {
    display: block;
    container-type: inline-size;
    --mrt-accent: var(--primary-color, #03a9f4);
    --mrt-text: var(--primary-text-color, #212121);
    --mrt-muted: var(--secondary-text-color, #616161);
    --mrt-divider: var(--divider-color, rgba(0, 0, 0, 0.12));
    --mrt-warning: var(--warning-color, #b45309);
    --mrt-error: var(--error-color, #b00020);
    --mrt-success: var(--success-color, #2e7d32);
    --mrt-track: var(--secondary-background-color, #e5e5e5);
  }
  ha-card {
    overflow: hidden;
    color: var(--mrt-text);
  }
  .header {
    display: flex;
    align-items: baseline;
    justify-content: space-between;
    gap: 8px;
    padding: 16px 16px 8px;
  }
  .header h2 {
    margin: 0;
    font-size: var(--ha-card-header-font-size, 1.3rem);
    font-weight: 400;
  }
  .count {
    color: var(--mrt-muted);
    font-size: 0.9rem;
  }
  .toolbar {
    display: flex;
    flex-wrap: wrap;
    gap: 8px;
    padding: 0 16px 8px;
    align-items: center;
  }
  .filters {
    display: inline-flex;
    border: 1px solid var(--mrt-divider);
    border-radius: 18px;
    overflow: hidden;
  }
  .filters button {
    border: none;
    background: none;
    color: var(--mrt-text);
    padding: 6px 12px;
    font: inherit;
    font-size: 0.9rem;
    cursor: pointer;
    min-height: 32px;
  }
  /* Text keeps the theme's text colour on a tint of the accent: readable in every theme
     (HA's light blue behind white text is 2.6:1). */
  .filters button[aria-pressed="true"] {
    background: color-mix(in srgb, var(--mrt-accent) 22%, transparent);
    font-weight: 500;
  }
  input[type="search"] {
    flex: 1 1 140px;
    min-width: 0;
    min-height: 32px;
    padding: 4px 12px;
    border: 1px solid var(--mrt-divider);
    border-radius: 18px;
    background: var(--card-background-color, transparent);
    color: var(--mrt-text);
    font: inherit;
  }
  button:focus-visible,
  a:focus-visible,
  input:focus-visible {
    outline: 2px solid var(--mrt-accent);
    outline-offset: 2px;
  }
  .list {
    list-style: none;
    margin: 0;
    padding: 0;
  }
  .request {
    display: grid;
    grid-template-columns: 64px 1fr;
    gap: 12px;
    padding: 12px 16px;
    border-top: 1px solid var(--mrt-divider);
    cursor: pointer;
    /* Rows out of view skip style and layout until scrolled to. */
    content-visibility: auto;
    contain-intrinsic-size: auto 150px;
  }
  .poster {
    width: 64px;
    height: 96px;
    border-radius: 6px;
    object-fit: cover;
    background: var(--mrt-track);
    display: flex;
    align-items: center;
    justify-content: center;
    color: var(--mrt-muted);
    font-size: 1.6rem;
  }
  .body {
    min-width: 0;
    display: flex;
    flex-direction: column;
    gap: 4px;
  }
  .head {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 6px;
  }
  .title {
    border: none;
    background: none;
    padding: 0;
    margin: 0;
    font: inherit;
    font-weight: 500;
    font-size: 1rem;
    color: var(--mrt-text);
    text-align: start;
    cursor: pointer;
    overflow: hidden;
    text-overflow: ellipsis;
  }
  .year,
  .meta,
  .since,
  .progress-text {
    color: var(--mrt-muted);
    font-size: 0.85rem;
    font-weight: 400;
  }
  .badge {
    display: inline-block;
    border-radius: 10px;
    padding: 1px 8px;
    font-size: 0.75rem;
    font-weight: 500;
    border: 1px solid currentColor;
    text-decoration: none;
  }
  .badge.attention {
    border-color: var(--mrt-error);
    background: color-mix(in srgb, var(--mrt-error) 16%, transparent);
    color: var(--mrt-text);
  }
  .badge.stalled {
    border-color: var(--mrt-warning);
    background: color-mix(in srgb, var(--mrt-warning) 20%, transparent);
    color: var(--mrt-text);
  }
  .status {
    display: flex;
    flex-wrap: wrap;
    gap: 6px;
    align-items: baseline;
  }
  .plain {
    font-weight: 500;
  }
  /* The colour marks the sign, not the words (green and red text are too faint on white). */
  .stage-available .plain::before {
    content: "✓ ";
    color: var(--mrt-success);
  }
  .stage-failed .plain::before,
  .stage-declined .plain::before {
    content: "✕ ";
    color: var(--mrt-error);
  }
  .stepper {
    display: flex;
    list-style: none;
    margin: 4px 0 0;
    padding: 0;
    gap: 2px;
  }
  .step {
    flex: 1 1 0;
    min-width: 0;
    display: flex;
    flex-direction: column;
    gap: 2px;
    font-size: 0.7rem;
    color: var(--mrt-muted);
  }
  .step::before {
    content: "";
    display: block;
    height: 4px;
    border-radius: 2px;
    background: var(--mrt-track);
  }
  .step.done::before {
    background: var(--mrt-accent);
  }
  .step.current::before {
    background: var(--mrt-accent);
    height: 8px;
    margin-top: -2px;
    border-radius: 4px;
  }
  .step.current {
    color: var(--mrt-text);
    font-weight: 500;
  }
  .step.failed::before {
    background: var(--mrt-error);
  }
  .step.failed {
    color: var(--mrt-error);
  }
  .step::after {
    content: attr(data-label);
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
  }
  .progress {
    height: 8px;
    border-radius: 4px;
    background: var(--mrt-track);
    overflow: hidden;
    margin-top: 4px;
  }
  .progress > div {
    height: 100%;
    background: var(--mrt-accent);
  }
  .progress.stalled > div {
    background: var(--mrt-warning);
  }
  .timeline-toggle {
    align-self: flex-start;
    border: none;
    background: none;
    padding: 4px 0;
    color: var(--mrt-text);
    text-decoration: underline dotted;
    text-underline-offset: 3px;
    font: inherit;
    font-size: 0.85rem;
    cursor: pointer;
  }
  table.timeline {
    border-collapse: collapse;
    width: 100%;
    font-size: 0.8rem;
  }
  .timeline th {
    text-align: start;
    color: var(--mrt-muted);
    font-weight: 500;
  }
  .timeline td,
  .timeline th {
    padding: 2px 6px 2px 0;
    vertical-align: top;
  }
  .timeline tr.rejected td {
    color: var(--mrt-muted);
    text-decoration: line-through;
  }
  .timeline tr.rejected td.mark {
    text-decoration: none;
    color: var(--mrt-error);
  }
  .empty {
    padding: 24px 16px 32px;
    text-align: center;
    color: var(--mrt-muted);
  }
  .empty strong {
    display: block;
    color: var(--mrt-text);
    font-size: 1.1rem;
    font-weight: 500;
    margin-bottom: 6px;
  }
  .empty button {
    margin-top: 12px;
    border: 1px solid var(--mrt-accent);
    background: none;
    color: var(--mrt-text);
    border-radius: 18px;
    padding: 6px 14px;
    font: inherit;
    cursor: pointer;
  }
  /* Phones: a smaller poster, the stepper as a bar without names. */
  .compact .request {
    grid-template-columns: 40px 1fr;
    gap: 8px;
    padding: 8px 12px;
  }
  .compact .poster {
    width: 40px;
    height: 60px;
  }
  .compact .step::after {
    display: none;
  }
  @container (max-width: 420px) {
    .request {
      grid-template-columns: 40px 1fr;
      gap: 8px;
      padding: 8px 12px;
    }
    .poster {
      width: 40px;
      height: 60px;
    }
    .step::after {
      display: none;
    }
  }
`;
