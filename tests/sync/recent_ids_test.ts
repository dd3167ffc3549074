/** The feed's memory of printed events: each id once, the oldest forgotten past the limit. */
import assert from "node:assert/strict";
import { RecentIds } from "../../src/sync/recent_ids.ts";

Deno.test("recent ids: an id is new once; past the limit the oldest is forgotten", () => {
  const ids = new RecentIds(2);
  assert.equal(ids.add("a"), true);
  assert.equal(ids.add("a"), false);
  assert.equal(ids.add("b"), true);
  assert.equal(ids.add("c"), true); // "a" is forgotten
  assert.equal(ids.add("b"), false);
  assert.equal(ids.add("c"), false);
  assert.equal(ids.add("a"), true);
});
