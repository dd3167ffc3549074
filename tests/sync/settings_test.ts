/** Reading config.toml (`[sync]`) and the credentials file: pure parsing, no network. */
import assert from "node:assert/strict";
import {
  isLoggedIn,
  parseCredentials,
  parseExpiry,
  teamSlugOf,
} from "../../src/auth/credentials.ts";
import { humanizeSeconds } from "../../src/sync/age.ts";
import { DEFAULT_SERVER_URL, parseSyncConfig } from "../../src/sync/config.ts";
import { errorCategory } from "../../src/sync/error_category.ts";
import { parseRevParse } from "../../src/sync/git_metadata.ts";

Deno.test("config.toml: defaults, overrides, and broken values reported instead of thrown", async () => {
  assert.deepEqual(await parseSyncConfig(null), {
    serverUrl: DEFAULT_SERVER_URL,
    maxQueueSize: 100_000,
    problems: [],
  });
  const set = await parseSyncConfig(
    '[other]\nx = 1\n[sync]\nserver_url = " https://a.example/ "\nmax_queue_size = 7\n',
  );
  assert.equal(set.serverUrl, "https://a.example");
  assert.equal(set.maxQueueSize, 7);
  const broken = await parseSyncConfig("[sync\nserver_url = ");
  assert.equal(broken.serverUrl, DEFAULT_SERVER_URL);
  assert.match(broken.problems[0], /not valid TOML/);
  const bad = await parseSyncConfig("[sync]\nserver_url = 3\nmax_queue_size = -1\n");
  assert.deepEqual([bad.serverUrl, bad.maxQueueSize], [DEFAULT_SERVER_URL, 100_000]);
  assert.equal(bad.problems.length, 2);
});

Deno.test("credentials: expiry parsing and the local logged-in check", async () => {
  const now = new Date("2026-02-12T10:00:00Z");
  assert.equal(
    parseExpiry("2026-02-12T10:15:00.123456")?.toISOString(),
    "2026-02-12T10:15:00.123Z",
  );
  assert.equal(parseExpiry("2026-02-12T10:15:00Z")?.toISOString(), "2026-02-12T10:15:00.000Z");
  assert.equal(parseExpiry("2026-02-12T12:15:00+02:00")?.toISOString(), "2026-02-12T10:15:00.000Z");
  assert.equal(parseExpiry("soon"), null);
  assert.equal(parseExpiry(5), null);
  const text = (access: string, refresh: string, team = 'team_slug = "t1"\n') =>
    `[tokens]\naccess = "a"\nrefresh = "r"\naccess_expires_at = "${access}"\n` +
    `refresh_expires_at = "${refresh}"\n[user]\nusername = "u"\n${team}` +
    '[server]\nurl = "https://s.example"\n';
  const both = await parseCredentials(text("2026-02-12T10:15:00", "2026-02-19T10:00:00"));
  assert.equal(both?.serverUrl, "https://s.example");
  assert.ok(isLoggedIn(both, now));
  assert.equal(teamSlugOf(both, now), "t1");
  const refreshOnly = await parseCredentials(text("2026-02-12T09:00:00", "2026-02-19T10:00:00"));
  assert.ok(isLoggedIn(refreshOnly, now));
  const expired = await parseCredentials(text("2026-02-12T09:00:00", "2026-02-12T10:00:00"));
  assert.ok(!isLoggedIn(expired, now), "expired means now >= expires_at");
  assert.equal(teamSlugOf(expired, now), "local");
  const noTeam = await parseCredentials(text("2026-02-12T10:15:00", "x", ""));
  assert.equal(teamSlugOf(noTeam, now), "local");
  assert.equal(await parseCredentials("not toml ["), null);
  assert.equal(await parseCredentials("[user]\nusername = 'u'\n"), null);
  assert.ok(!isLoggedIn(null, now));
});

Deno.test("git metadata parsing: SHA then branch; failures give nulls", () => {
  const sha = "0cf3f906f4f979a000cf04c78688a397d69b6a37";
  assert.deepEqual(parseRevParse(`${sha}\nmain`), { git_branch: "main", head_commit_sha: sha });
  assert.deepEqual(parseRevParse(`${sha}\nHEAD`), { git_branch: "HEAD", head_commit_sha: sha });
  assert.deepEqual(parseRevParse(null), { git_branch: null, head_commit_sha: null });
});

Deno.test("ages and error categories for status and diagnose", () => {
  const cases: Array<[number, string]> = [
    [-5, "0s"],
    [2, "2s"],
    [60, "1m"],
    [192, "3m 12s"],
    [7500, "2h 5m"],
    [3600, "1h"],
    [100_800, "1d 4h"],
    [259_200, "3d"],
  ];
  for (const [seconds, text] of cases) assert.equal(humanizeSeconds(seconds), text);
  assert.equal(errorCategory("payload: missing required field(s)"), "schema_mismatch");
  assert.equal(
    errorCategory("Invalid schema: project_uuid authorization check failed for team 'x'"),
    "authorization",
    "another team's project is not a schema problem, whatever the original called it",
  );
  assert.equal(errorCategory("Token expired"), "auth_expired");
  assert.equal(errorCategory("Internal error"), "server_error");
  assert.equal(errorCategory(""), "unknown");
});
