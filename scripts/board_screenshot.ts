/**
 * Renders the dashboard with a realistic board (a reference server in this process, events posted
 * as clients would, the headless Chromium of the tests) and saves screenshots for the README:
 * `docs/board.png` (light) and `docs/board-dark.png`.
 *
 *   deno run -A scripts/board_screenshot.ts
 */
import { fileURLToPath } from "node:url";
import type { Envelope } from "../src/events/types.ts";
import { launchBrowser } from "../tests/helpers/browser.ts";
import { removeTree, tempDir } from "../tests/helpers/fs.ts";
import {
  login,
  PASSWORD,
  postBatch,
  startTestServer,
  statusEvent,
} from "../tests/server/harness.ts";

const DOCS = fileURLToPath(new URL("../docs/", import.meta.url));
const PROJECT = "0b8f2c1e-6d4a-4e8b-9a1f-3c5d7e9f1a2b";

let lamport = 0;
function wp(feature: string, id: string, title: string, lanes: string[], deps: string[] = []) {
  const events: Envelope[] = [{
    ...statusEvent({ wp: id, feature, project_uuid: PROJECT, project_slug: "checkout-service" }),
    event_type: "WPCreated",
    lamport_clock: ++lamport,
    payload: { wp_id: id, title, feature_slug: feature, dependencies: deps },
    repo_slug: "acme/checkout-service",
  }];
  let from = "planned";
  for (const to of lanes) {
    events.push({
      ...statusEvent({
        wp: id,
        feature,
        from,
        to,
        lamport_clock: ++lamport,
        project_uuid: PROJECT,
        project_slug: "checkout-service",
      }),
      payload: {
        wp_id: id,
        from_lane: from,
        to_lane: to,
        actor: ["alice", "claude", "bob"][lamport % 3],
        feature_slug: feature,
      },
      repo_slug: "acme/checkout-service",
    });
    from = to;
  }
  return events;
}

const events = [
  ...wp("003-payment-retries", "WP01", "Retry policy for declined cards", ["in_progress"]),
  ...wp("003-payment-retries", "WP02", "Idempotency keys on the payment API", [
    "in_progress",
    "for_review",
  ]),
  ...wp("003-payment-retries", "WP03", "Dead-letter queue for webhooks", ["blocked"], ["WP02"]),
  ...wp("003-payment-retries", "WP04", "Metrics and alerts", [], ["WP01"]),
  ...wp("003-payment-retries", "WP05", "Load test the retry path", ["claimed"]),
  ...wp("003-payment-retries", "WP06", "Design review", ["in_progress", "for_review", "done"]),
  ...wp("002-gift-cards", "WP01", "Gift card balance endpoint", [
    "in_progress",
    "for_review",
    "done",
  ]),
  ...wp("002-gift-cards", "WP02", "Redeem at checkout", ["in_progress"], ["WP01"]),
  ...wp("002-gift-cards", "WP03", "Expiry rules", ["canceled"]),
  ...wp("001-cart-v2", "WP01", "New cart model", ["in_progress", "for_review", "done"]),
  ...wp("001-cart-v2", "WP02", "Migrate saved carts", ["in_progress", "for_review", "done"]),
];

const server = await startTestServer();
const profile = await tempDir("kittify-screenshot-");
const browser = await launchBrowser(profile);
try {
  const { access } = await login(server.url, "bob");
  const answer = await postBatch(server.url, access, events);
  if (answer.status !== 200) throw new Error(`batch: ${answer.status}`);
  const page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 900, deviceScaleFactor: 1 });
  await page.goto(`${server.url}/`);
  await page.type("#username", "alice");
  await page.type("#password", PASSWORD);
  await Promise.all([page.waitForNavigation(), page.click("#login-submit")]);
  await page.waitForSelector('#live-status[data-state="live"]');
  await page.waitForSelector('[data-wp="003-payment-retries/WP03"]');
  await Deno.mkdir(DOCS, { recursive: true });
  for (const [scheme, file] of [["light", "board.png"], ["dark", "board-dark.png"]]) {
    await page.emulateMediaFeatures([{ name: "prefers-color-scheme", value: scheme }]);
    await page.screenshot({ path: `${DOCS}${file}` as `${string}.png`, fullPage: true });
    console.log(`wrote docs/${file}`);
  }
} finally {
  await browser.close();
  await server.close();
  await removeTree(profile);
}
