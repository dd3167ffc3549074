/** `emit()` in process, against real git repositories and a real KV file per test. */
import assert from "node:assert/strict";
import { join } from "node:path";
import { runShutdown } from "../../src/common/lifecycle.ts";
import { ENVELOPE_KEYS } from "../../src/events/types.ts";
import { validateEnvelope } from "../../src/events/validate.ts";
import { listStates, readClock, readStats } from "../../src/store/read.ts";
import { type Delivery, NO_DELIVERY, setDeliveryFactory } from "../../src/sync/delivery.ts";
import { emit } from "../../src/sync/emit.ts";
import { syncRuntime } from "../../src/sync/runtime.ts";
import { git, type Sandbox, sandbox } from "../helpers/fs.ts";
import { forgetIdentities } from "../../src/identity/resolve.ts";

const STATUS = {
  event_type: "WPStatusChanged",
  aggregate_id: "WP01",
  aggregate_type: "WorkPackage" as const,
  payload: {
    wp_id: "WP01",
    from_lane: "planned",
    to_lane: "in_progress",
    actor: "user",
    feature_slug: "001-demo",
  },
};

/** Runs `fn` with KITTIFY_HOME set to the sandbox's home and stderr captured; closes the store
 * and the runtime afterwards, as the CLI does at the end of a command. The environment is
 * shared by test modules running in parallel: every other test passes KITTIFY_HOME explicitly
 * to its subprocesses (tests/helpers/cli.ts), so none of them reads this value. */
async function inHome(sb: Sandbox, fn: (warnings: string[]) => Promise<void>): Promise<void> {
  const previous = Deno.env.get("KITTIFY_HOME");
  const original = console.error;
  const warnings: string[] = [];
  Deno.env.set("KITTIFY_HOME", sb.home);
  console.error = (...args: unknown[]) => warnings.push(args.join(" "));
  try {
    await fn(warnings);
  } finally {
    await runShutdown();
    console.error = original;
    if (previous === undefined) Deno.env.delete("KITTIFY_HOME");
    else Deno.env.set("KITTIFY_HOME", previous);
    await sb.cleanup();
  }
}

async function storedEvents(home: string) {
  const kv = await Deno.openKv(join(home, "kittify.kv"));
  try {
    return {
      entries: await listStates(kv, ["pending", "held"]),
      clock: await readClock(kv),
      stats: await readStats(kv),
    };
  } finally {
    kv.close();
  }
}

Deno.test("emit inside a project stores a complete, valid envelope as pending", async () => {
  const sb = await sandbox({ origin: "git@github.com:Acme/Spec-Kitty.git", commit: true });
  await inHome(sb, async (warnings) => {
    const event = await emit(STATUS, { cwd: sb.repo });
    assert.ok(event);
    assert.deepEqual(Object.keys(event), [...ENVELOPE_KEYS]);
    assert.deepEqual(validateEnvelope(event), []);
    const config = await Deno.readTextFile(join(sb.repo, ".kittify", "config.yaml"));
    assert.ok(config.includes(event.project_uuid!), "project_uuid from the identity");
    assert.equal(event.project_slug, "spec-kitty");
    assert.equal(event.repo_slug, "Acme/Spec-Kitty");
    assert.equal(event.git_branch, "main");
    assert.equal(event.head_commit_sha, await git(sb.repo, "rev-parse", "HEAD"));
    assert.equal(event.team_slug, "local");
    assert.equal(event.lamport_clock, 1);
    assert.match(event.node_id, /^[0-9a-f]{12}$/);
    assert.match(event.timestamp, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}\+00:00$/);
    assert.deepEqual(warnings, []);
    await runShutdown();
    const { entries, clock } = await storedEvents(sb.home);
    assert.equal(clock, 1);
    assert.deepEqual(entries.map((e) => [e.state, e.record.event]), [["pending", event]]);
  });
});

Deno.test("team_slug comes from the credentials only while a token is unexpired", async () => {
  const sb = await sandbox({ commit: true });
  await inHome(sb, async () => {
    await Deno.mkdir(sb.home, { recursive: true });
    const credentials = (expires: string) =>
      `[tokens]\naccess = "a"\nrefresh = "r"\naccess_expires_at = "${expires}"\n` +
      `refresh_expires_at = "${expires}"\n\n[user]\nusername = "u@example.com"\n` +
      `team_slug = "my-team"\n`;
    await Deno.writeTextFile(join(sb.home, "credentials"), credentials("2999-01-01T00:00:00"));
    assert.equal((await emit(STATUS, { cwd: sb.repo }))?.team_slug, "my-team");
    await runShutdown();
    await Deno.writeTextFile(join(sb.home, "credentials"), credentials("2001-01-01T00:00:00"));
    assert.equal((await emit(STATUS, { cwd: sb.repo }))?.team_slug, "local");
  });
});

Deno.test("outside any project events are held with one warning and no project fields", async () => {
  const sb = await sandbox({ git: false });
  await inHome(sb, async (warnings) => {
    const first = await emit(STATUS, { cwd: sb.repo });
    const second = await emit(STATUS, { cwd: sb.repo });
    assert.ok(first && second);
    for (
      const key of ["project_uuid", "project_slug", "git_branch", "head_commit_sha", "repo_slug"]
    ) {
      assert.equal(first[key as keyof typeof first], null, key);
    }
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], /held/);
    await runShutdown();
    const { entries } = await storedEvents(sb.home);
    assert.deepEqual(entries.map((e) => e.state), ["held", "held"]);
  });
});

Deno.test("an invalid or oversized event is not stored and spends no Lamport value", async () => {
  const sb = await sandbox({ commit: true });
  await inHome(sb, async (warnings) => {
    assert.ok(await emit(STATUS, { cwd: sb.repo }));
    const invalid = await emit({ ...STATUS, payload: { ...STATUS.payload, to_lane: "doing" } }, {
      cwd: sb.repo,
    });
    assert.equal(invalid, null);
    const big = await emit({
      event_type: "HistoryAdded",
      aggregate_id: "WP01",
      aggregate_type: "WorkPackage",
      payload: { wp_id: "WP01", entry_type: "note", entry_content: "x".repeat(61 * 1024) },
    }, { cwd: sb.repo });
    assert.equal(big, null);
    assert.equal(warnings.length, 2);
    assert.match(warnings[0], /payload\.to_lane: invalid value "doing"/);
    assert.match(warnings[1], /limit is 61440 bytes/);
    await runShutdown();
    const { entries, clock } = await storedEvents(sb.home);
    assert.equal(entries.length, 1);
    assert.equal(clock, 1);
  });
});

Deno.test("emit never throws: an unusable store is one warning and null", async () => {
  const sb = await sandbox({ commit: true });
  await Deno.writeTextFile(join(sb.repo, "not-a-dir"), "");
  await inHome({ ...sb, home: join(sb.repo, "not-a-dir") }, async (warnings) => {
    assert.equal(await emit(STATUS, { cwd: sb.repo }), null);
    assert.equal(warnings.filter((w) => /WPStatusChanged event not stored/.test(w)).length, 1);
  });
});

Deno.test("concurrent emits in one process are all stored with distinct Lamport values", async () => {
  const sb = await sandbox({ commit: true });
  await inHome(sb, async () => {
    const events = await Promise.all(
      Array.from({ length: 300 }, () => emit(STATUS, { cwd: sb.repo })),
    );
    assert.ok(events.every((e) => e !== null));
    assert.equal(new Set(events.map((e) => e!.lamport_clock)).size, 300);
    await runShutdown();
    const { entries, clock } = await storedEvents(sb.home);
    assert.equal(entries.length, 300);
    assert.equal(clock, 300);
  });
});

Deno.test("the runtime reads sync.auto_start from the repository root and only then delivers", async () => {
  const sb = await sandbox({ commit: true });
  const notified: string[] = [];
  let closed = 0;
  const recorder: Delivery = {
    notify: (event) => notified.push(event.event_id),
    close: () => {
      closed++;
      return Promise.resolve();
    },
  };
  setDeliveryFactory(() => recorder);
  try {
    await inHome(sb, async () => {
      const sub = join(sb.repo, "deep", "dir");
      await Deno.mkdir(sub, { recursive: true });
      const event = await emit(STATUS, { cwd: sub });
      assert.equal((await syncRuntime(sb.repo)).autoStart, true);
      assert.deepEqual(notified, [event!.event_id]);
      await runShutdown();
      assert.equal(closed, 1);
      forgetIdentities(); // what follows stands for a later command, i.e. a new process

      const config = join(sb.repo, ".kittify", "config.yaml");
      await Deno.writeTextFile(
        config,
        `${await Deno.readTextFile(config)}sync:\n  auto_start: false\n`,
      );
      assert.ok(await emit(STATUS, { cwd: sub }));
      assert.equal((await syncRuntime(sb.repo)).autoStart, false);
      assert.equal(notified.length, 1, "no delivery when auto_start is false");
    });
  } finally {
    setDeliveryFactory(() => NO_DELIVERY);
  }
});

Deno.test("a full outbox evicts the oldest pending events with one warning per process", async () => {
  const sb = await sandbox({ commit: true });
  await inHome(sb, async (warnings) => {
    await Deno.mkdir(sb.home, { recursive: true });
    await Deno.writeTextFile(join(sb.home, "config.toml"), "[sync]\nmax_queue_size = 2\n");
    const events = [];
    for (let i = 0; i < 4; i++) events.push(await emit(STATUS, { cwd: sb.repo }));
    assert.ok(events.every((e) => e !== null), "the new events are kept");
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], /outbox is full \(max_queue_size 2\).*evicted/);
    await runShutdown();
    const { entries, stats } = await storedEvents(sb.home);
    assert.deepEqual(entries.map((e) => e.record.event.event_id), [
      events[2]!.event_id,
      events[3]!.event_id,
    ]);
    assert.equal(stats.evicted, 2);
  });
});
