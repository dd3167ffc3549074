/**
 * The dashboard in a real headless Chromium (see `helpers/browser.ts` for where it comes from,
 * driven by puppeteer-core), asserting what a person sees: sign-in, the empty state that says how
 * to connect, lanes that collapse when empty, cards with actor, time, dependencies and states that
 * stand out, progress, completed features folded away, live changes highlighted, the connection
 * state, dark mode and phone width.
 */
import assert from "node:assert/strict";
import type { Browser, Page } from "puppeteer-core";
import type { Envelope } from "../../src/events/types.ts";
import { launchBrowser } from "../helpers/browser.ts";
import { removeTree, tempDir } from "../helpers/fs.ts";
import {
  login,
  PASSWORD,
  postBatch,
  PROJECT,
  startTestServer,
  statusEvent,
  type TestServer,
} from "./harness.ts";

const WAIT = { timeout: 20_000 };

async function signIn(page: Page, username: string, password: string): Promise<void> {
  await page.waitForSelector("#login-form", WAIT);
  await page.type("#username", username);
  await page.type("#password", password);
  await Promise.all([page.waitForNavigation(WAIT), page.click("#login-submit")]);
}

/** The little of the page's DOM these tests reach from inside it (the DOM types are not loaded). */
type InPage = {
  document: {
    getElementById(id: string): {
      dataset: Record<string, string | undefined>;
      hasAttribute(name: string): boolean;
    } | null;
    querySelector(selector: string): { focus(): void } | null;
  };
};

/**
 * Waits until no redraw is scheduled or in flight (the board is not aria-busy) and none has
 * happened for half a second. Live changes, the stream's (re)connection and the minute timer all
 * redraw the board, replacing its elements: a test that acts on an element first lets the board
 * settle, so it acts on what a person would see.
 */
async function settled(page: Page): Promise<void> {
  await page.waitForFunction(
    () => {
      const seen = globalThis as unknown as InPage & { lastLoaded?: string; since?: number };
      const board = seen.document.getElementById("board");
      const loaded = board?.dataset.loaded;
      if (loaded === undefined || board?.hasAttribute("aria-busy")) {
        seen.lastLoaded = undefined;
        return false;
      }
      if (seen.lastLoaded !== loaded) {
        seen.lastLoaded = loaded;
        seen.since = Date.now();
        return false;
      }
      return Date.now() - (seen.since ?? 0) >= 500;
    },
    { ...WAIT, polling: 50 },
  );
}

/**
 * Clicks like a person does. A redraw can still replace the element between puppeteer finding it
 * and the click (it then throws before pressing anything): the click is tried again on the
 * element that replaced it.
 */
async function click(page: Page, selector: string): Promise<void> {
  for (let attempt = 1;; attempt++) {
    try {
      await page.click(selector);
      return;
    } catch (error) {
      const replaced = /detached|not clickable|not an Element/i.test(String(error));
      if (!replaced || attempt === 5) throw error;
      await page.waitForSelector(selector, WAIT);
    }
  }
}

/** Gives an element the keyboard focus in one step in the page, so no redraw comes between. */
async function focus(page: Page, selector: string): Promise<void> {
  const found = await page.evaluate((s) => {
    const target = (globalThis as unknown as InPage).document.querySelector(s);
    target?.focus();
    return target !== null;
  }, selector);
  assert.ok(found, `${selector} is on the page`);
}

/** What a person reads in an element (its rendered text). */
const text = (page: Page, selector: string) =>
  page.$eval(selector, (el) => (el as unknown as { innerText: string }).innerText);

function created(wp: string, title: string, feature: string, lamport: number, deps: string[] = []) {
  return {
    ...statusEvent({ wp, feature }),
    event_type: "WPCreated" as const,
    lamport_clock: lamport,
    payload: { wp_id: wp, title, feature_slug: feature, dependencies: deps },
  } as Envelope;
}

async function withBoard(run: (page: Page, server: TestServer, browser: Browser) => Promise<void>) {
  const server = await startTestServer();
  const profile = await tempDir("kittify-chromium-");
  const browser = await launchBrowser(profile);
  try {
    const page = await browser.newPage();
    await page.goto(`${server.url}/`, WAIT);
    await run(page, server, browser);
  } finally {
    await browser.close();
    await server.close();
    await removeTree(profile);
  }
}

Deno.test("dashboard (Chromium): sign in, the empty state, then a live board", async () => {
  await withBoard(async (page, server) => {
    // A wrong password keeps the form and says why.
    await signIn(page, "alice", "not the password");
    assert.match(await text(page, "#login-error"), /Invalid/);

    await signIn(page, "alice", PASSWORD);
    await page.waitForSelector('#live-status[data-state="live"]', WAIT);
    // The session cookie is HttpOnly: scripts cannot read it.
    assert.equal(await page.evaluate("document.cookie"), "");
    assert.match(await text(page, "#who"), /alice · team acme/);
    await page.waitForSelector("#empty", WAIT);
    const empty = await text(page, "#empty");
    assert.match(empty, new RegExp(`kittify sync server ${server.url}`));
    assert.match(empty, /kittify auth login/);

    const { access } = await login(server.url, "bob");
    const events = [
      created("WP01", "Parse the input", "001-event-sync", 1),
      created("WP02", "Write the docs", "001-event-sync", 2, ["WP01"]),
      created("WP03", "Fix the build", "001-event-sync", 3),
      statusEvent({ wp: "WP01", feature: "001-event-sync", to: "in_progress", lamport_clock: 4 }),
      statusEvent({ wp: "WP03", feature: "001-event-sync", to: "blocked", lamport_clock: 5 }),
      created("WP01", "Old work", "000-setup", 6),
      statusEvent({ wp: "WP01", feature: "000-setup", to: "done", lamport_clock: 7 }),
    ];
    assert.equal((await postBatch(server.url, access, events)).status, 200);

    await page.waitForSelector(`[data-project="${PROJECT}"]`, WAIT);
    await page.waitForSelector('[data-wp="001-event-sync/WP01"][data-lane="in_progress"]', WAIT);
    // Friendly names, lanes only where there are cards, progress.
    assert.match(
      await text(page, '[data-feature="001-event-sync"] > summary'),
      /#001\s*Event sync/,
    );
    const lanes = await page.$$eval(
      '[data-feature="001-event-sync"] [data-lane-column]',
      (els) => els.map((e) => e.getAttribute("data-lane-column")),
    );
    assert.deepEqual(lanes, ["planned", "in_progress", "blocked"], "empty lanes collapse");
    assert.match(await text(page, '[data-progress="001-event-sync"]'), /^0\/3 done$/);
    // Cards: actor and time, dependencies, blocked stands out.
    assert.match(await text(page, '[data-wp="001-event-sync/WP01"]'), /moved by user · just now/);
    assert.match(await text(page, '[data-wp="001-event-sync/WP02"]'), /needs WP01/);
    assert.match(await text(page, '[data-wp="001-event-sync/WP03"] .badge-blocked'), /blocked/);
    assert.equal(
      await page.$eval('[data-wp="001-event-sync/WP01"]', (el) => el.getAttribute("tabindex")),
      "0",
      "cards are reachable with the keyboard",
    );
    // A finished feature is folded away under "Completed features".
    assert.equal(
      await page.$eval(
        'details.completed-features [data-feature="000-setup"]',
        (el) => (el as unknown as { open: boolean }).open,
      ),
      false,
    );
    assert.match(
      await text(page, "details.completed-features > summary"),
      /Completed features \(1\)/,
    );

    // A keyboard user's focus and an opened section survive the live redraw.
    await settled(page);
    await click(page, "details.completed-features > summary");
    await focus(page, '[data-wp="001-event-sync/WP02"]');
    // A live change moves the card and highlights it.
    const review = statusEvent({
      wp: "WP01",
      feature: "001-event-sync",
      from: "in_progress",
      to: "for_review",
      lamport_clock: 8,
    });
    assert.equal((await postBatch(server.url, access, [review])).status, 200);
    await page.waitForSelector('[data-wp="001-event-sync/WP01"][data-lane="for_review"]', WAIT);
    assert.equal(
      await page.$eval('[data-wp="001-event-sync/WP01"]', (el) => el.classList.contains("flash")),
      true,
      "the change is highlighted",
    );
    assert.equal(
      await page.$eval('[data-wp="001-event-sync/WP02"]', (el) => el.classList.contains("flash")),
      false,
      "unchanged cards are not",
    );
    assert.match(await text(page, '[data-count="events"]'), /^8 events$/);
    assert.equal(
      await page.evaluate("document.activeElement.getAttribute('data-wp')"),
      "001-event-sync/WP02",
      "the focused card keeps the focus",
    );
    assert.equal(
      await page.$eval(
        "details.completed-features",
        (el) => (el as unknown as { open: boolean }).open,
      ),
      true,
      "an opened section stays open",
    );
    // Opening a folded feature shows its cards without flashing old news.
    await settled(page);
    await click(page, 'details.completed-features [data-feature="000-setup"] > summary');
    await page.waitForSelector('[data-wp="000-setup/WP01"]', WAIT);
    assert.equal(
      await page.$eval('[data-wp="000-setup/WP01"]', (el) => el.classList.contains("flash")),
      false,
    );
  });
});

Deno.test("dashboard (Chromium): dark mode and phone width", async () => {
  await withBoard(async (page, server) => {
    await signIn(page, "alice", PASSWORD);
    const { access } = await login(server.url, "bob");
    const events = ["WP01", "WP02", "WP03", "WP04"].flatMap((wp, i) => [
      created(
        wp,
        `Task ${i + 1} with a rather long title that must wrap nicely`,
        "001-x",
        2 * i + 1,
      ),
      statusEvent({
        wp,
        feature: "001-x",
        to: ["planned", "in_progress", "for_review", "blocked"][i],
        lamport_clock: 2 * i + 2,
      }),
    ]);
    assert.equal((await postBatch(server.url, access, events)).status, 200);
    await page.waitForSelector('[data-wp="001-x/WP04"][data-lane="blocked"]', WAIT);

    const background = () =>
      page.evaluate("getComputedStyle(document.documentElement).backgroundColor") as Promise<
        string
      >;
    const brightness = (rgb: string) => {
      const [r, g, b] = rgb.match(/\d+/g)!.map(Number);
      return (r + g + b) / 3;
    };
    await page.emulateMediaFeatures([{ name: "prefers-color-scheme", value: "light" }]);
    assert.ok(brightness(await background()) > 200, "light by default");
    await page.emulateMediaFeatures([{ name: "prefers-color-scheme", value: "dark" }]);
    assert.ok(brightness(await background()) < 50, "dark when the system is");

    await page.setViewport({ width: 375, height: 800 });
    await page.reload(WAIT);
    await page.waitForSelector('[data-wp="001-x/WP04"]', WAIT);
    const layout = await page.evaluate(`({
      scrollWidth: document.documentElement.scrollWidth,
      lefts: [...document.querySelectorAll("[data-lane-column]")]
        .map((e) => Math.round(e.getBoundingClientRect().left)),
    })`) as { scrollWidth: number; lefts: number[] };
    assert.ok(layout.scrollWidth <= 375, `no sideways scrolling (${layout.scrollWidth}px)`);
    assert.equal(new Set(layout.lefts).size, 1, "lanes stack in one column on a phone");
  });
});

Deno.test("dashboard (Chromium): many projects come a page at a time, newest first", async () => {
  await withBoard(async (page, server) => {
    await signIn(page, "alice", PASSWORD);
    const { access } = await login(server.url, "bob");
    // 12 projects, one batch each so each has its own arrival time (the last is the newest).
    const projects = Array.from(
      { length: 12 },
      (_, i) => `0b9c7e7a-3f0a-4d55-8e7b-${String(i).padStart(12, "0")}`,
    );
    for (const project_uuid of projects) {
      assert.equal(
        (await postBatch(server.url, access, [statusEvent({ project_uuid })])).status,
        200,
      );
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await page.waitForSelector(`[data-project="${projects[11]}"]`, WAIT);
    await page.waitForSelector("button.more", WAIT);
    const shown = () =>
      page.$$eval("[data-project]", (els) => els.map((e) => e.getAttribute("data-project")));
    assert.deepEqual(await shown(), projects.slice(2).reverse(), "the 10 most recently active");
    await settled(page);
    await click(page, "button.more");
    await page.waitForSelector(`[data-project="${projects[0]}"]`, WAIT);
    assert.deepEqual(await shown(), [...projects].reverse());
    assert.equal(await page.$("button.more"), null, "nothing more to show");
  });
});
