/** Many real processes writing one KV file at once, and processes killed mid-write. */
import assert from "node:assert/strict";
import { join } from "node:path";
import { validateEnvelope } from "../../src/events/validate.ts";
import { indexKey, STATES } from "../../src/store/keys.ts";
import type { IndexEntry } from "../../src/store/records.ts";
import { listStates, readClock, readStats } from "../../src/store/read.ts";
import { ROOT, runKittify, scriptCommand } from "../helpers/cli.ts";
import { type Sandbox, sandbox } from "../helpers/fs.ts";

const WORKER = join(ROOT, "tests", "sync", "fixtures", "emit_worker.ts");

function worker(sb: Sandbox, count: number): Deno.ChildProcess {
  return scriptCommand(WORKER, [String(count)], { cwd: sb.repo, home: sb.home }).spawn();
}

async function initialised(): Promise<Sandbox> {
  const sb = await sandbox({ commit: true });
  const init = await runKittify(["init"], { cwd: sb.repo, home: sb.home });
  assert.equal(init.code, 0, init.stderr);
  return sb;
}

/** Opens the store and checks that it is consistent: every entry whole and valid, counters,
 * index and clock matching the entries. Returns the entries. */
async function checkStore(home: string) {
  const kv = await Deno.openKv(join(home, "kittify.kv"));
  try {
    const entries = await listStates(kv, STATES);
    for (const { record, seq, state } of entries) {
      assert.deepEqual(validateEnvelope(record.event), [], `entry ${seq}`);
      assert.equal(record.event.lamport_clock, seq);
      const index = await kv.get<IndexEntry>(indexKey(record.event.event_id));
      assert.deepEqual(index.value, { state, seq });
    }
    const stats = await readStats(kv);
    for (const state of STATES) {
      const mine = entries.filter((e) => e.state === state);
      assert.equal(stats.count[state], mine.length, `${state} count`);
      assert.equal(stats.bytes[state], mine.reduce((n, e) => n + e.record.bytes, 0));
    }
    const lamports = entries.map((e) => e.seq);
    assert.equal(new Set(lamports).size, lamports.length, "distinct Lamport values");
    assert.equal(await readClock(kv), Math.max(0, ...lamports));
    return entries;
  } finally {
    kv.close();
  }
}

Deno.test("8 processes x 500 emits into one KV file: 4,000 events, 4,000 distinct Lamport values", async () => {
  const sb = await initialised();
  try {
    const children = Array.from({ length: 8 }, () => worker(sb, 500));
    const outputs = await Promise.all(children.map((c) => c.output()));
    for (const out of outputs) {
      assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
      assert.equal(new TextDecoder().decode(out.stdout).trim().split("\n").pop(), "500");
      assert.equal(new TextDecoder().decode(out.stderr), "", "no warnings");
    }
    const entries = await checkStore(sb.home);
    assert.equal(entries.length, 4_000);
    assert.deepEqual(entries.map((e) => e.seq), Array.from({ length: 4_000 }, (_, i) => i + 1));
    assert.equal(new Set(entries.map((e) => e.record.event.event_id)).size, 4_000);
    assert.equal(new Set(entries.map((e) => e.record.event.payload.author)).size, 8);
  } finally {
    await sb.cleanup();
  }
});

Deno.test("kill -9 of emitting processes at random points leaves a whole, valid store", async () => {
  const sb = await initialised();
  try {
    for (let round = 0; round < 4; round++) {
      const child = worker(sb, 0);
      const reader = child.stdout.getReader();
      const first = await reader.read();
      assert.equal(new TextDecoder().decode(first.value).trim(), "ready");
      await new Promise((r) => setTimeout(r, 10 + Math.random() * 150));
      child.kill("SIGKILL");
      const status = await child.status;
      assert.equal(status.signal, "SIGKILL");
      await reader.cancel();
      await child.stderr.cancel();
      await checkStore(sb.home);
    }
    const before = (await checkStore(sb.home)).length;
    assert.ok(before >= 4);
    const after = await runKittify(
      [
        "emit",
        "WPCreated",
        "--aggregate-id",
        "WP02",
        "--payload",
        '{"wp_id":"WP02","title":"t","feature_slug":"001-x"}',
      ],
      { cwd: sb.repo, home: sb.home },
    );
    assert.equal(after.code, 0, after.stderr);
    assert.equal((await checkStore(sb.home)).length, before + 1);
  } finally {
    await sb.cleanup();
  }
});
