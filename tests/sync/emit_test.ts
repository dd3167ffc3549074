/** `emit()` in process, against real git repositories and a real KV file per test. */
import assert from "node:assert/strict";
import { join } from "node:path";
import { Services } from "../../src/cli/services.ts";
import { runShutdown } from "../../src/common/lifecycle.ts";
import type { EventInput } from "../../src/events/envelope.ts";
import { ENVELOPE_KEYS } from "../../src/events/types.ts";
import { MAX_LAMPORT, validateEnvelope } from "../../src/events/validate.ts";
import { encodedSize, MAX_EVENT_BYTES } from "../../src/events/size.ts";
import { screenEvent } from "../../src/server/ingest/screen.ts";
import { forgetIdentities } from "../../src/identity/resolve.ts";
import { listStates, readClock, readStats } from "../../src/store/read.ts";
import type { EmitOutcome } from "../../src/sync/emitter.ts";
import { git, type Sandbox, sandbox } from "../helpers/fs.ts";

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

interface Process {
  /** Warnings printed on stderr. */
  warnings: string[];
  /** Emits through the emitter of the workspace `cwd` (default: the repository). */
  emit(input: EventInput, cwd?: string): Promise<EmitOutcome>;
  /** The stored envelope of an emit that must succeed. */
  stored(input: EventInput, cwd?: string): Promise<ReturnType<typeof storedOf>>;
  /** Ends the command (its delivery attempt, then the store closes) and starts a new one. */
  restart(): Promise<void>;
  services(): Services;
}

function storedOf(outcome: EmitOutcome) {
  if (outcome.status !== "stored") throw new Error(`not stored: ${JSON.stringify(outcome)}`);
  return outcome.event;
}

/** Runs `fn` with KITTIFY_HOME set to the sandbox's home and stderr captured, as one CLI
 * process would; closes the services and the store afterwards, as the CLI does at the end of a
 * command. The environment is shared by test modules running in parallel: every other test
 * passes KITTIFY_HOME explicitly to its subprocesses (tests/helpers/cli.ts), so none of them
 * reads this value. */
async function inHome(sb: Sandbox, fn: (process: Process) => Promise<void>): Promise<void> {
  const previous = Deno.env.get("KITTIFY_HOME");
  const original = console.error;
  const warnings: string[] = [];
  Deno.env.set("KITTIFY_HOME", sb.home);
  console.error = (...args: unknown[]) => warnings.push(args.join(" "));
  let services = new Services();
  const emit = async (input: EventInput, cwd = sb.repo) =>
    await (await services.workspace(cwd)).emitter.emit(input);
  const end = async () => {
    await services.close();
    await runShutdown();
  };
  try {
    await fn({
      warnings,
      emit,
      stored: async (input, cwd) => storedOf(await emit(input, cwd)),
      restart: async () => {
        await end();
        forgetIdentities();
        services = new Services();
      },
      services: () => services,
    });
  } finally {
    await end();
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
  await inHome(sb, async (p) => {
    const event = await p.stored(STATUS);
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
    assert.deepEqual(p.warnings, []);
    await p.restart();
    const { entries, clock } = await storedEvents(sb.home);
    assert.equal(clock, 1);
    assert.deepEqual(entries.map((e) => [e.state, e.record.event]), [["pending", event]]);
  });
});

Deno.test("team_slug comes from the credentials only while a token is unexpired", async () => {
  const sb = await sandbox({ commit: true });
  await inHome(sb, async (p) => {
    await Deno.mkdir(sb.home, { recursive: true });
    // auto_start off: this test is about the envelope, not about delivery.
    await Deno.mkdir(join(sb.repo, ".kittify"), { recursive: true });
    await Deno.writeTextFile(
      join(sb.repo, ".kittify", "config.yaml"),
      "sync:\n  auto_start: false\n",
    );
    const credentials = (expires: string) =>
      `[tokens]\naccess = "a"\nrefresh = "r"\naccess_expires_at = "${expires}"\n` +
      `refresh_expires_at = "${expires}"\n\n[user]\nusername = "u@example.com"\n` +
      `team_slug = "my-team"\n`;
    await Deno.writeTextFile(join(sb.home, "credentials"), credentials("2999-01-01T00:00:00"), {
      mode: 0o600,
    });
    assert.equal((await p.stored(STATUS)).team_slug, "my-team");
    await p.restart();
    await Deno.writeTextFile(join(sb.home, "credentials"), credentials("2001-01-01T00:00:00"));
    assert.equal((await p.stored(STATUS)).team_slug, "local");
  });
});

Deno.test("outside any project events are held with one warning and no project fields", async () => {
  const sb = await sandbox({ git: false });
  await inHome(sb, async (p) => {
    const first = await p.stored(STATUS);
    await p.stored(STATUS);
    for (
      const key of ["project_uuid", "project_slug", "git_branch", "head_commit_sha", "repo_slug"]
    ) {
      assert.equal(first[key as keyof typeof first], null, key);
    }
    assert.equal(p.warnings.length, 1);
    assert.match(p.warnings[0], /held/);
    await p.restart();
    const { entries } = await storedEvents(sb.home);
    assert.deepEqual(entries.map((e) => e.state), ["held", "held"]);
  });
});

Deno.test("an invalid or oversized event is not stored and spends no Lamport value", async () => {
  const sb = await sandbox({ commit: true });
  await inHome(sb, async (p) => {
    await p.stored(STATUS);
    const invalid = await p.emit({ ...STATUS, payload: { ...STATUS.payload, to_lane: "doing" } });
    assert.equal(invalid.status, "invalid");
    assert.match(
      invalid.status === "invalid" ? invalid.reason : "",
      /payload\.to_lane: invalid value "doing"/,
    );
    const big = await p.emit({
      event_type: "HistoryAdded",
      aggregate_id: "WP01",
      aggregate_type: "WorkPackage",
      payload: { wp_id: "WP01", entry_type: "note", entry_content: "x".repeat(61 * 1024) },
    });
    assert.equal(big.status, "invalid");
    assert.match(big.status === "invalid" ? big.reason : "", /limit is 61440 bytes/);
    assert.deepEqual(p.warnings, [], "the outcome says why; the caller decides what to print");
    await p.restart();
    const { entries, clock } = await storedEvents(sb.home);
    assert.equal(entries.length, 1);
    assert.equal(clock, 1);
  });
});

Deno.test("the size limit holds exactly as an event grows, in UTF-8 bytes, with room for any Lamport value", async () => {
  const sb = await sandbox({ commit: true });
  await inHome(sb, async (p) => {
    const { emitter } = await p.services().workspace(sb.repo);
    const note = (text: string): EventInput => ({
      event_type: "HistoryAdded",
      aggregate_id: "WP01",
      aggregate_type: "WorkPackage",
      payload: { wp_id: "WP01", entry_type: "note", entry_content: text },
    });
    const build = (grown: string) => emitter.build(note(`grown: ${grown}`));
    const empty = await build("");
    // `empty`: the event before it grows (its note is just the prefix).
    assert.ok("envelope" in empty, JSON.stringify(empty));
    // The Lamport value is given when the event is stored: up to 16 digits.
    const lamportDigits = String(Number.MAX_SAFE_INTEGER).length;
    for (const char of ["x", "é", "€", "😀"]) {
      const width = new TextEncoder().encode(char).length;
      const fits = Math.floor((MAX_EVENT_BYTES - lamportDigits - empty.bytes) / width);
      const largest = await build(char.repeat(fits));
      assert.ok("envelope" in largest, `${char} x ${fits}: ${JSON.stringify(largest)}`);
      assert.equal(largest.bytes, empty.bytes + fits * width, `${char}: UTF-8 bytes`);
      // Stored with the largest Lamport value it is still within the limit the server applies.
      const stored = { ...largest.envelope, lamport_clock: MAX_LAMPORT };
      assert.ok(encodedSize(stored) <= MAX_EVENT_BYTES, char);
      const screened = screenEvent(stored);
      assert.equal(screened.ok, true, `${char}: ${JSON.stringify(screened)}`);
      const over = await build(char.repeat(fits + 1));
      assert.ok(!("envelope" in over) && over.status === "invalid", `${char} x ${fits + 1}`);
      assert.match(
        over.reason,
        new RegExp(
          `event is ${empty.bytes + (fits + 1) * width} bytes encoded; the limit is 61440`,
        ),
      );
    }
    // With one-byte characters the limit is reached exactly.
    const exact = await build("x".repeat(MAX_EVENT_BYTES - lamportDigits - empty.bytes));
    assert.ok("envelope" in exact && exact.bytes + lamportDigits === MAX_EVENT_BYTES);
  });
});

Deno.test("emit never throws: an unusable store is a failed outcome", async () => {
  const sb = await sandbox({ commit: true });
  await Deno.writeTextFile(join(sb.repo, "not-a-dir"), "");
  await inHome({ ...sb, home: join(sb.repo, "not-a-dir") }, async (p) => {
    const outcome = await p.emit(STATUS);
    assert.equal(outcome.status, "failed");
    assert.match(
      outcome.status === "failed" ? outcome.reason : "",
      /cannot open the kittify store/,
    );
  });
});

Deno.test("concurrent emits in one process are all stored with distinct Lamport values", async () => {
  const sb = await sandbox({ commit: true });
  await inHome(sb, async (p) => {
    const events = await Promise.all(Array.from({ length: 300 }, () => p.stored(STATUS)));
    assert.equal(new Set(events.map((e) => e.lamport_clock)).size, 300);
    await p.restart();
    const { entries, clock } = await storedEvents(sb.home);
    assert.equal(entries.length, 300);
    assert.equal(clock, 300);
  });
});

Deno.test("the runtime reads sync.auto_start from the repository root, not the directory", async () => {
  const sb = await sandbox({ commit: true });
  await inHome(sb, async (p) => {
    const sub = join(sb.repo, "deep", "dir");
    await Deno.mkdir(sub, { recursive: true });
    await p.stored(STATUS, sub);
    const runtimes = await p.services().runtimes();
    assert.equal((await runtimes.forRoot(sb.repo)).autoStart, true);
    assert.equal((await runtimes.forRoot(sb.repo)).storedPending, 1);
    await p.restart(); // what follows stands for a later command, i.e. a new process

    const config = join(sb.repo, ".kittify", "config.yaml");
    await Deno.writeTextFile(
      config,
      `${await Deno.readTextFile(config)}sync:\n  auto_start: false\n`,
    );
    // A config.yaml in the working directory does not count: only the repository root's.
    await Deno.mkdir(join(sub, ".kittify"));
    await Deno.writeTextFile(join(sub, ".kittify", "config.yaml"), "sync:\n  auto_start: true\n");
    await p.stored(STATUS, sub);
    const runtime = await (await p.services().runtimes()).forRoot(sb.repo);
    assert.equal(runtime.autoStart, false);
    assert.equal(runtime.mayDeliver, false);
  });
});

Deno.test("a full outbox evicts the oldest pending events with one warning per process", async () => {
  const sb = await sandbox({ commit: true });
  await inHome(sb, async (p) => {
    await Deno.mkdir(sb.home, { recursive: true });
    await Deno.writeTextFile(join(sb.home, "config.toml"), "[sync]\nmax_queue_size = 2\n");
    const events = [];
    for (let i = 0; i < 4; i++) events.push(await p.stored(STATUS));
    assert.equal(p.warnings.length, 1);
    assert.match(p.warnings[0], /outbox is full \(max_queue_size 2\).*evicted/);
    await p.restart();
    const { entries, stats } = await storedEvents(sb.home);
    assert.deepEqual(entries.map((e) => e.record.event.event_id), [
      events[2].event_id,
      events[3].event_id,
    ]);
    assert.equal(stats.evicted, 2);
  });
});
