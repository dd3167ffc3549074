/** The feed's lines: readable, and safe from other people's control characters. */
import assert from "node:assert/strict";
import { feedLine } from "../../src/sync/feed.ts";

Deno.test("feed: one readable line per event", () => {
  assert.equal(
    feedLine({
      event_type: "WPStatusChanged",
      timestamp: "2026-12-02T06:50:26.123456+00:00",
      team_slug: "acme",
      project_slug: "demo",
      payload: {
        wp_id: "WP01",
        from_lane: "planned",
        to_lane: "in_progress",
        actor: "alice",
        feature_slug: "001-x",
      },
    }),
    "06:50:26  acme · demo  001-x  WP01  planned → in_progress  by alice",
  );
});

Deno.test("feed: escape sequences, bells and carriage returns from a teammate never reach the terminal", () => {
  const line = feedLine({
    event_type: "HistoryAdded",
    timestamp: "2026-12-02T06:50:26+00:00",
    team_slug: "acme",
    project_slug: "demo\u001b[2J",
    payload: {
      wp_id: "WP01",
      entry_type: "note",
      entry_content: "\u001b]0;owned\u0007\rfake prompt$ ",
      author: "eve",
    },
  });
  assert.doesNotMatch(line, /\p{Cc}/u);
  assert.match(line, /\uFFFD/);
});
