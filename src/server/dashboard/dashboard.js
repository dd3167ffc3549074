// The board: fetches the team's view, renders projects → features → lanes, and refetches when
// the server announces new events on the /dashboard/live event stream. Plain DOM, no build step.
"use strict";

const LANES = ["planned", "claimed", "in_progress", "for_review", "done", "blocked", "canceled"];
const board = document.getElementById("board");
const status = document.getElementById("live-status");

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value !== null && value !== undefined) node.setAttribute(key, String(value));
  }
  for (const child of children) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function when(iso) {
  if (!iso) return "never";
  const date = new Date(iso);
  return isNaN(date) ? iso : date.toLocaleString();
}

function renderWp(wp, feature) {
  return el(
    "div",
    {
      class: "wp",
      "data-wp": `${feature}/${wp.wp_id}`,
      "data-lane": wp.lane,
      title: wp.title || "",
    },
    el("span", { class: "id" }, wp.wp_id),
    wp.title || "",
  );
}

function renderFeature(feature) {
  const slug = feature.feature_slug || "(no feature)";
  const lanes = el("div", { class: "lanes" });
  for (const lane of LANES) {
    const cards = feature.work_packages.filter((wp) => (wp.lane || "planned") === lane);
    lanes.append(
      el(
        "div",
        { class: "lane", "data-lane-column": lane },
        el("h4", {}, `${lane.replace("_", " ")} (${cards.length})`),
        ...cards.map((wp) => renderWp(wp, slug)),
      ),
    );
  }
  return el(
    "section",
    { class: "feature", "data-feature": slug },
    el("h3", {}, slug, feature.completed_at ? " ✓ completed" : ""),
    lanes,
  );
}

function renderProject(project) {
  const counts = el("div", { class: "counts" });
  counts.append(
    el("span", { "data-count": "events" }, `${project.event_count} events`),
    el("span", {}, `last activity ${when(project.last_activity)}`),
    ...LANES.map((lane) =>
      el("span", { "data-count": lane }, `${lane}: ${project.lanes[lane] || 0}`)
    ),
  );
  return el(
    "article",
    { class: "project", "data-project": project.project_uuid },
    el("h2", {}, project.project_slug || project.project_uuid),
    el("div", { class: "muted" }, project.repo_slug || "", " ", project.project_uuid),
    counts,
    ...project.features.map(renderFeature),
  );
}

async function refresh() {
  const response = await fetch("/dashboard/view", { credentials: "same-origin" });
  if (response.status === 401) {
    location.reload();
    return;
  }
  const view = await response.json();
  board.replaceChildren(
    ...(view.projects.length === 0
      ? [el("p", { class: "muted", id: "empty" }, "No projects yet.")]
      : view.projects.map(renderProject)),
  );
  board.dataset.loaded = String(Date.now());
}

let pending = null;
function scheduleRefresh() {
  if (pending !== null) return;
  pending = setTimeout(() => {
    pending = null;
    refresh().catch(() => {});
  }, 150);
}

function connect() {
  const source = new EventSource("/dashboard/live");
  source.addEventListener("open", () => {
    status.dataset.state = "live";
    status.textContent = "live";
    scheduleRefresh();
  });
  source.addEventListener("change", scheduleRefresh);
  source.addEventListener("error", () => {
    status.dataset.state = "offline";
    status.textContent = "reconnecting…";
  });
}

refresh().catch(() => {});
connect();
