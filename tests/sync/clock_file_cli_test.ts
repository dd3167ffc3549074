/**
 * One Lamport clock per node, whichever tool emits: kittify continues from spec-kitty's
 * `clock.json` and writes its high-water mark back, and a lost user store never restarts the
 * clock (it is said loudly).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { runKittify } from "../helpers/cli.ts";
import { type Sandbox, sandbox } from "../helpers/fs.ts";

const NOTE = '{"wp_id":"WP01","entry_type":"note","entry_content":"x"}';

async function emit(sb: Sandbox): Promise<{ lamport: number; stderr: string }> {
  const r = await runKittify(
    ["emit", "HistoryAdded", "--aggregate-id", "WP01", "--payload", NOTE, "--json"],
    { cwd: sb.repo, home: sb.home },
  );
  assert.equal(r.code, 0, r.stderr);
  return { lamport: JSON.parse(r.stdout).lamport_clock, stderr: r.stderr };
}

async function clockFile(sb: Sandbox): Promise<Record<string, unknown>> {
  return JSON.parse(await Deno.readTextFile(join(sb.home, "clock.json")));
}

/** What spec-kitty does per event: load, tick, write back (reference §3). */
async function specKittyTicks(sb: Sandbox): Promise<number> {
  const file = await clockFile(sb);
  const value = (file.value as number) + 1;
  await Deno.writeTextFile(
    join(sb.home, "clock.json"),
    JSON.stringify(
      { value, node_id: file.node_id, updated_at: "2026-12-02T10:00:00+00:00" },
      null,
      2,
    ),
  );
  return value;
}

Deno.test("clock.json: kittify continues above spec-kitty's value and writes its own back", async () => {
  const sb = await sandbox({ commit: true });
  try {
    await Deno.mkdir(sb.home, { recursive: true });
    await Deno.writeTextFile(
      join(sb.home, "clock.json"),
      JSON.stringify({
        value: 1023,
        node_id: "d036a097a835",
        updated_at: "2026-02-17T10:11:12+00:00",
      }),
    );
    assert.equal((await emit(sb)).lamport, 1024);
    const written = await clockFile(sb);
    assert.equal(written.value, 1024);
    assert.equal(written.node_id, "d036a097a835", "spec-kitty's node_id is kept");
    assert.match(String(written.updated_at), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00$/);

    // Alternating the two tools: every value is higher than the one before.
    const values = [1024];
    for (let i = 0; i < 3; i++) {
      values.push(await specKittyTicks(sb));
      values.push((await emit(sb)).lamport);
    }
    for (let i = 1; i < values.length; i++) assert.ok(values[i] > values[i - 1], `${values}`);
  } finally {
    await sb.cleanup();
  }
});

Deno.test("a lost user store does not restart the clock, and says so once", async () => {
  const sb = await sandbox({ commit: true });
  try {
    let last = 0;
    for (let i = 0; i < 3; i++) last = (await emit(sb)).lamport;
    for (const file of ["kittify.kv", "kittify.kv-wal", "kittify.kv-shm"]) {
      await Deno.remove(join(sb.home, file)).catch(() => {});
    }
    const after = await emit(sb);
    assert.ok(after.lamport > last, `${after.lamport} > ${last}`);
    assert.match(after.stderr, /lost or replaced/);
    const next = await emit(sb);
    assert.equal(next.lamport, after.lamport + 1);
    assert.doesNotMatch(next.stderr, /lost or replaced/);
  } finally {
    await sb.cleanup();
  }
});
