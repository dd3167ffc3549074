// The board: the team's projects → features → work packages by lane, kept live by the
// /dashboard/live event stream. Plain DOM, no build step. Changes that arrive live are
// highlighted; completed features are folded away; a feature's cards are built only when open.
"use strict";

const LANES = ["planned", "claimed", "in_progress", "for_review", "blocked", "done", "canceled"];
const LABELS = {
  planned: "Planned",
  claimed: "Claimed",
  in_progress: "In progress",
  for_review: "For review",
  blocked: "Blocked",
  done: "Done",
  canceled: "Canceled",
};
const FINISHED = new Set(["done", "canceled"]);
const FLASH_MS = 2500;

const board = document.getElementById("board");
const status = document.getElementById("live-status");
/** What each work package looked like when its card was last drawn: "lane|lamport". */
const seen = new Map();
let firstRender = true;
/** Features the user opened or closed by hand keep that state across refreshes. */
const folded = new Map();
/** The element drawn for each feature, reused while nothing in it changed. */
let drawn = new Map();
let nextDrawn = new Map();

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value !== null && value !== undefined && value !== false) {
      node.setAttribute(key, value === true ? "" : String(value));
    }
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** "just now", "3 min ago", "2 h ago", "4 days ago". */
function ago(iso) {
  const at = Date.parse(iso || "");
  if (isNaN(at)) return "";
  const s = Math.max(0, (Date.now() - at) / 1000);
  if (s < 45) return "just now";
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86400) return `${Math.round(s / 3600)} h ago`;
  const days = Math.round(s / 86400);
  return days === 1 ? "yesterday" : `${days} days ago`;
}

/** "001-event-sync" → { number: "001", name: "Event sync" }. */
function featureName(slug) {
  if (!slug) return { number: "", name: "Without a feature" };
  const match = /^(\d{3})-(.*)$/.exec(slug);
  const words = (match ? match[2] : slug).replace(/-/g, " ").trim();
  return {
    number: match ? match[1] : "",
    name: words ? words[0].toUpperCase() + words.slice(1) : slug,
  };
}

function laneOf(wp) {
  return wp.lane || "planned";
}

/** What a change to a card means: its lane, or a later event about it. */
function stampOf(wp) {
  return `${laneOf(wp)}|${wp.last_change ? wp.last_change.lamport_clock : ""}`;
}

function renderCard(wp, feature) {
  const lane = laneOf(wp);
  const key = `${feature}/${wp.wp_id}`;
  const stamp = stampOf(wp);
  const changed = !firstRender && seen.get(key) !== stamp;
  seen.set(key, stamp);
  // Who moved it last and when; without a lane change yet, when it last changed at all.
  const when = ago(wp.moved_at || (wp.last_change && wp.last_change.timestamp));
  const who = wp.actor ? `moved by ${wp.actor} · ` : "";
  const card = el(
    "li",
    {
      class: `card lane-${lane}${changed ? " flash" : ""}`,
      "data-wp": key,
      "data-lane": lane,
      tabindex: 0,
      "aria-label": `${wp.wp_id} ${wp.title || ""}, ${LABELS[lane] || lane}` +
        (wp.actor ? `, moved by ${wp.actor}` : "") + (when ? `, ${when}` : ""),
    },
    el(
      "div",
      { class: "card-head" },
      el("span", { class: "wp-id" }, wp.wp_id),
      lane === "blocked" ? el("span", { class: "badge badge-blocked" }, "blocked") : null,
      lane === "done"
        ? el("span", { class: "badge badge-done", "aria-hidden": "true" }, "✓")
        : null,
    ),
    el("div", { class: "card-title" }, wp.title || "(untitled)"),
    wp.dependencies && wp.dependencies.length > 0
      ? el("div", { class: "card-deps" }, `needs ${wp.dependencies.join(", ")}`)
      : null,
    el("div", { class: "card-meta" }, `${who}${when}`),
  );
  if (changed) setTimeout(() => card.classList.remove("flash"), FLASH_MS);
  return card;
}

function renderLanes(feature, slug) {
  const lanes = el("div", { class: "lanes" });
  for (const lane of LANES) {
    const cards = feature.work_packages.filter((wp) => laneOf(wp) === lane);
    if (cards.length === 0) continue; // empty lanes collapse
    lanes.append(
      el(
        "section",
        { class: `lane lane-${lane}`, "data-lane-column": lane, "aria-label": LABELS[lane] },
        el(
          "h4",
          {},
          el("span", {}, LABELS[lane]),
          el("span", { class: "count" }, `(${cards.length})`),
        ),
        el("ul", {}, cards.map((wp) => renderCard(wp, slug))),
      ),
    );
  }
  return lanes;
}

/** The filled part of a progress bar (set through the CSSOM: the page's CSP forbids inline
 * style attributes). */
function progressBar(percent) {
  const bar = el("span", { class: "progress-bar" });
  bar.style.width = `${percent}%`;
  return bar;
}

function isComplete(feature) {
  const wps = feature.work_packages;
  return Boolean(feature.completed_at) ||
    (wps.length > 0 && wps.every((wp) => FINISHED.has(laneOf(wp))));
}

/**
 * A feature's element: the one drawn last time when the feature has not changed since (its event
 * count and latest event; relative times are redrawn each minute), else a new one.
 */
function renderFeature(feature, projectUuid) {
  const key = `${projectUuid}/${feature.feature_slug || ""}`;
  const signature = [
    feature.event_count,
    feature.last_change ? feature.last_change.event_id : "",
    feature.completed_at || "",
    Math.floor(Date.now() / 60_000),
  ].join("|");
  const previous = drawn.get(key);
  const element = previous && previous.signature === signature
    ? previous.element
    : drawFeature(feature, projectUuid);
  nextDrawn.set(key, { signature, element });
  return element;
}

function drawFeature(feature, projectUuid) {
  const slug = feature.feature_slug || "(no feature)";
  const { number, name } = featureName(feature.feature_slug);
  // Canceled work is neither done nor left to do.
  const counted = feature.work_packages.filter((wp) => laneOf(wp) !== "canceled");
  const total = counted.length;
  const done = counted.filter((wp) => laneOf(wp) === "done").length;
  const complete = isComplete(feature);
  const key = `${projectUuid}/${slug}`;
  const open = folded.has(key) ? folded.get(key) : !complete;
  const details = el(
    "details",
    { class: `feature${complete ? " complete" : ""}`, "data-feature": slug, open },
    el(
      "summary",
      {},
      el("span", { class: "feature-number" }, number ? `#${number}` : ""),
      el("span", { class: "feature-name" }, name),
      complete ? el("span", { class: "badge badge-done" }, "completed") : null,
      el(
        "span",
        {
          class: "progress",
          role: "progressbar",
          "aria-valuemin": 0,
          "aria-valuemax": total,
          "aria-valuenow": done,
          "aria-label": `${done} of ${total} done`,
        },
        progressBar(total ? (100 * done) / total : 0),
      ),
      el("span", { class: "progress-text", "data-progress": slug }, `${done}/${total} done`),
      el(
        "span",
        { class: "muted ago" },
        feature.last_change ? ago(feature.last_change.timestamp) : "",
      ),
    ),
  );
  // Cards are built when the feature is open (a folded one costs nothing until opened); the
  // state of a folded one's work packages is remembered, so opening it flashes nothing old.
  if (!open) {
    for (const wp of feature.work_packages) {
      seen.set(`${slug}/${wp.wp_id}`, stampOf(wp));
    }
  }
  const fill = () => {
    if (details.open && !details.dataset.filled) {
      details.dataset.filled = "true";
      details.append(renderLanes(feature, slug));
    }
  };
  details.addEventListener("toggle", () => {
    folded.set(key, details.open);
    fill();
  });
  fill();
  return details;
}

function renderProject(project) {
  const active = project.features.filter((f) => !isComplete(f));
  const completed = project.features.filter(isComplete);
  const chips = LANES.filter((lane) => (project.lanes[lane] || 0) > 0).map((lane) =>
    el(
      "span",
      { class: `chip lane-${lane}`, "data-count": lane },
      `${LABELS[lane]} ${project.lanes[lane]}`,
    )
  );
  return el(
    "article",
    { class: "project", "data-project": project.project_uuid },
    el(
      "header",
      { class: "project-head" },
      el("h2", {}, project.project_slug || project.project_uuid),
      project.repo_slug ? el("span", { class: "muted" }, project.repo_slug) : null,
      el("span", { class: "muted", "data-count": "events" }, `${project.event_count} events`),
      el("span", { class: "muted" }, `last activity ${ago(project.last_activity) || "never"}`),
    ),
    el("div", { class: "chips" }, chips),
    active.map((f) => renderFeature(f, project.project_uuid)),
    completed.length > 0 ? renderCompleted(project, completed) : null,
  );
}

/** The folded "Completed features" section of a project, keeping its open state. */
function renderCompleted(project, completed) {
  const key = `${project.project_uuid}/completed`;
  const section = el(
    "details",
    { class: "completed-features", open: folded.get(key) === true },
    el("summary", {}, `Completed features (${completed.length})`),
    completed.map((f) => renderFeature(f, project.project_uuid)),
  );
  section.addEventListener("toggle", () => folded.set(key, section.open));
  return section;
}

function renderEmpty() {
  const origin = location.origin;
  return el(
    "section",
    { class: "empty", id: "empty" },
    el("h2", {}, "No projects yet"),
    el(
      "p",
      {},
      "Connect a kittify client to this server, then work as usual: every change shows up here live.",
    ),
    el(
      "pre",
      {},
      `kittify sync server ${origin}\nkittify auth login\nkittify sync watch   # optional: live delivery and a feed`,
    ),
  );
}

/** Pages of projects shown (the server sends the most recently active first, a page at a time). */
let pagesShown = 1;

/** The projects of the first `pagesShown` pages, and whether there are more. */
async function loadView() {
  const projects = [];
  const ids = new Set();
  let cursor = null;
  for (let page = 0; page < pagesShown; page++) {
    const query = cursor ? `?cursor=${encodeURIComponent(cursor)}` : "";
    const response = await fetch(`/dashboard/view${query}`, { credentials: "same-origin" });
    if (response.status === 401) return null;
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const view = await response.json();
    // A project active meanwhile moves to the front: it may come again on a later page.
    for (const project of view.projects) {
      if (!ids.has(project.project_uuid)) projects.push(project);
      ids.add(project.project_uuid);
    }
    cursor = view.next_cursor;
    if (!cursor) break;
  }
  return { projects, more: cursor !== null };
}

function renderMore() {
  const button = el("button", { type: "button", class: "more" }, "Show more projects");
  button.addEventListener("click", () => {
    pagesShown++;
    button.disabled = true;
    scheduleRefresh();
  });
  return el("p", { class: "more-row" }, button);
}

async function refresh() {
  const view = await loadView();
  if (view === null) {
    location.reload();
    return;
  }
  // The card (or section) that has the keyboard focus keeps it across the redraw.
  const focused = document.activeElement && document.activeElement.closest("[data-wp]");
  const focusKey = focused ? focused.getAttribute("data-wp") : null;
  nextDrawn = new Map();
  board.replaceChildren(
    ...(view.projects.length === 0 ? [renderEmpty()] : view.projects.map(renderProject)),
    ...(view.more ? [renderMore()] : []),
  );
  drawn = nextDrawn;
  if (focusKey) {
    const again = board.querySelector(`[data-wp="${CSS.escape(focusKey)}"]`);
    if (again) again.focus();
  }
  firstRender = false;
  board.dataset.loaded = String(Date.now());
}

/** Redraws scheduled or in flight; while there are any the board is aria-busy. */
let redraws = 0;
function countRedraw(delta) {
  redraws += delta;
  if (redraws > 0) board.setAttribute("aria-busy", "true");
  else board.removeAttribute("aria-busy");
}

function redraw() {
  refresh()
    .catch(() => setStatus("offline", "offline: the board could not be loaded"))
    .finally(() => countRedraw(-1));
}

let pending = null;
function scheduleRefresh() {
  if (pending !== null) return;
  countRedraw(1);
  pending = setTimeout(() => {
    pending = null;
    redraw();
  }, 150);
}

function setStatus(state, text) {
  status.dataset.state = state;
  status.textContent = text;
}

/**
 * The live channel. The browser reconnects a dropped stream by itself; one it gave up on (an
 * HTTP error, e.g. a proxy's 502 during a restart) is opened again here, with backoff.
 */
let retryMs = 1000;
function connect() {
  const source = new EventSource("/dashboard/live");
  source.addEventListener("open", () => {
    retryMs = 1000;
    setStatus("live", "live");
    scheduleRefresh();
  });
  source.addEventListener("change", scheduleRefresh);
  // The user was removed: the reload shows the sign-in form.
  source.addEventListener("signed-out", () => {
    source.close();
    location.reload();
  });
  source.addEventListener("error", () => {
    if (source.readyState !== EventSource.CLOSED) {
      setStatus("reconnecting", "reconnecting…");
      return;
    }
    setStatus("offline", `offline: trying again in ${Math.round(retryMs / 1000)} s`);
    setTimeout(connect, retryMs);
    retryMs = Math.min(retryMs * 2, 30_000);
  });
}

countRedraw(1);
redraw();
connect();
// Relative times stay true while the board is left open.
setInterval(scheduleRefresh, 60_000);
