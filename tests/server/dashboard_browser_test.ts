/**
 * The dashboard in a real headless Chromium (see `helpers/browser.ts` for where it comes from,
 * driven by puppeteer-core): sign in, see a project appear after a batch is
 * posted, see a lane change arrive live.
 */
import assert from "node:assert/strict";
import type { Page } from "puppeteer-core";
import { launchBrowser } from "../helpers/browser.ts";
import { removeTree, tempDir } from "../helpers/fs.ts";
import { login, PASSWORD, postBatch, PROJECT, startTestServer, statusEvent } from "./harness.ts";

const WAIT = { timeout: 20_000 };

async function signIn(page: Page, username: string, password: string): Promise<void> {
  await page.waitForSelector("#login-form", WAIT);
  await page.type("#username", username);
  await page.type("#password", password);
  await Promise.all([page.waitForNavigation(WAIT), page.click("#login-submit")]);
}

const laneOf = (page: Page, wp: string) =>
  page.$eval(`[data-wp="001-demo/${wp}"]`, (el) => el.getAttribute("data-lane"));

Deno.test("dashboard (Chromium): sign in, a project appears after a batch, a lane changes live", async () => {
  const server = await startTestServer();
  const profile = await tempDir("kittify-chromium-");
  const browser = await launchBrowser(profile);
  try {
    const page = await browser.newPage();
    await page.goto(`${server.url}/`, WAIT);

    // A wrong password keeps the form and says why.
    await signIn(page, "alice", "not the password");
    assert.match(await page.$eval("#login-error", (el) => el.textContent ?? ""), /Invalid/);

    await signIn(page, "alice", PASSWORD);
    await page.waitForSelector('#live-status[data-state="live"]', WAIT);
    // The session cookie is HttpOnly: scripts cannot read it.
    assert.equal(await page.evaluate("document.cookie"), "");
    assert.match(await page.$eval("#who", (el) => el.textContent ?? ""), /alice · team acme/);

    const access = (await login(server.url, "bob")).access;
    const created = {
      ...statusEvent({ wp: "WP01" }),
      event_type: "WPCreated" as const,
      lamport_clock: 1,
      payload: { wp_id: "WP01", title: "Board test", feature_slug: "001-demo", dependencies: [] },
    };
    const started = statusEvent({ wp: "WP01", to: "in_progress", lamport_clock: 2 });
    assert.equal((await postBatch(server.url, access, [created, started])).status, 200);

    await page.waitForSelector(`[data-project="${PROJECT}"]`, WAIT);
    await page.waitForSelector('[data-wp="001-demo/WP01"][data-lane="in_progress"]', WAIT);
    assert.equal(await laneOf(page, "WP01"), "in_progress");
    assert.match(
      await page.$eval('[data-count="events"]', (el) => el.textContent ?? ""),
      /^2 events$/,
    );

    const reviewed = statusEvent({
      wp: "WP01",
      from: "in_progress",
      to: "for_review",
      lamport_clock: 3,
    });
    assert.equal((await postBatch(server.url, access, [reviewed])).status, 200);
    await page.waitForSelector('[data-wp="001-demo/WP01"][data-lane="for_review"]', WAIT);
    assert.match(
      await page.$eval('[data-count="events"]', (el) => el.textContent ?? ""),
      /^3 events$/,
    );
    assert.match(
      await page.$eval('[data-lane-column="for_review"] h4', (el) => el.textContent ?? ""),
      /\(1\)/,
    );
  } finally {
    await browser.close();
    await server.close();
    await removeTree(profile);
  }
});
