/**
 * The end-of-command delivery attempt is bounded by the exit budget counted from the process's
 * start: a command that started long ago still gets its minimum attempt, one that just started
 * gets the whole budget. In process, with a real KV file and credentials, against a server that
 * never answers (a fetch that waits until it is aborted): the attempt must end when its budget
 * does, so the two cases differ by about the 1.5 s budget against the 0.3 s minimum.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { writeCredentials } from "../../src/auth/credentials_file.ts";
import { readCredentials } from "../../src/auth/credentials.ts";
import { runShutdown } from "../../src/common/lifecycle.ts";
import type { ResolvedIdentity } from "../../src/identity/types.ts";
import { Emitter } from "../../src/sync/emitter.ts";
import { EXIT_BUDGET_MS, MIN_EXIT_ATTEMPT_MS, SyncRuntimes } from "../../src/sync/runtime.ts";
import { wpStatusChanged } from "../../src/work/events.ts";
import { removeTree, tempDir } from "../helpers/fs.ts";

const SERVER = "http://127.0.0.1:9";

const IDENTITY: ResolvedIdentity = {
  identity: {
    project_uuid: "6f1c7a3e-2b4d-4e8f-9a1b-3c5d7e9f1a2b",
    project_slug: "demo",
    node_id: "0123456789ab",
    repo_slug: null,
  },
  source: "config",
  autoStart: true,
  repoRoot: "/nowhere",
  configPath: "/nowhere/.kittify/config.yaml",
};

/** Stores one event, closes the runtimes (the exit attempt) and says how it went. */
async function exitAttempt(uptimeMs: number): Promise<{ ms: number; aborted: boolean }> {
  const home = await tempDir();
  try {
    const far = new Date(Date.now() + 3_600_000);
    await writeCredentials(home, {
      access: "access-token",
      refresh: "refresh-token",
      accessExpiresAt: far,
      refreshExpiresAt: far,
      username: "u@example.com",
      teamSlug: "team",
      serverUrl: SERVER,
    });
    let requests = 0;
    let aborted = false;
    // A server that never answers: each request waits until its signal ends it.
    const fetch = (_input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
      requests++;
      return new Promise((_, reject) => {
        init?.signal?.addEventListener("abort", () => {
          aborted = true;
          reject(init.signal!.reason);
        });
      });
    };
    const kv = await Deno.openKv(join(home, "kittify.kv"));
    const runtimes = new SyncRuntimes({
      home: () => home,
      openStore: () => Promise.resolve(kv),
      readSettings: () => Promise.resolve({ serverUrl: SERVER, maxQueueSize: 1000, problems: [] }),
      readCredentials,
      autoStart: () => Promise.resolve(true),
      now: Date.now,
      fetch,
      exitBudgetMs: EXIT_BUDGET_MS,
      uptimeMs: () => uptimeMs,
      warn: () => {},
      nodeId: () => Promise.resolve("0123456789ab"),
    });
    const emitter = new Emitter("/nowhere", "/nowhere", {
      runtimes,
      identity: () => Promise.resolve(IDENTITY),
      git: () => Promise.resolve({ git_branch: "main", head_commit_sha: null }),
      nodeId: () => Promise.resolve("0123456789ab"),
      warnOnce: () => {},
    });
    const event = wpStatusChanged("WP01", "planned", "in_progress", "user", "001-demo");
    assert.equal((await emitter.emit(event)).status, "stored");
    const started = performance.now();
    await runtimes.close();
    const ms = performance.now() - started;
    kv.close();
    assert.ok(requests > 0, "the exit attempt sent its request");
    return { ms, aborted };
  } finally {
    await runShutdown();
    await removeTree(home);
  }
}

Deno.test("exit delivery: the budget counts from the process's start", async () => {
  const fresh = await exitAttempt(0);
  const late = await exitAttempt(60_000);
  assert.ok(fresh.aborted && late.aborted, "both attempts were cut off by their budget");
  // A budget's end can only come late, never early.
  assert.ok(fresh.ms >= EXIT_BUDGET_MS - 50, `a fresh command waits its budget (${fresh.ms} ms)`);
  assert.ok(late.ms >= MIN_EXIT_ATTEMPT_MS - 50, `the minimum attempt is kept (${late.ms} ms)`);
  // 0.3 s against 1.5 s: on a busy machine the late one may end late, but not by a second.
  assert.ok(
    late.ms < fresh.ms - 600,
    `a command that ran long gets only the minimum (${late.ms} ms vs ${fresh.ms} ms)`,
  );
});
