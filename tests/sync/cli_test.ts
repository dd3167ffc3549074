/** `kittify emit`, `events`, `sync status` and `sync diagnose` as real subprocesses. */
import assert from "node:assert/strict";
import { join, relative } from "node:path";
import type { Envelope } from "../../src/events/types.ts";
import { entryKey } from "../../src/store/keys.ts";
import { decodeRecord, encodeRecord, type StoredRecord } from "../../src/store/records.ts";
import { kittifyJson, runKittify } from "../helpers/cli.ts";
import { type Sandbox, sandbox } from "../helpers/fs.ts";

const STATUS_PAYLOAD = JSON.stringify({
  wp_id: "WP01",
  from_lane: "planned",
  to_lane: "for_review",
  actor: "user",
  feature_slug: "001-demo",
});

interface Listed {
  state: string;
  event: Record<string, unknown>;
}

function run(sb: Sandbox, ...args: string[]) {
  return runKittify(args, { cwd: sb.repo, home: sb.home });
}

function emitStatus(sb: Sandbox, ...extra: string[]) {
  return run(
    sb,
    "emit",
    "WPStatusChanged",
    "--aggregate-id",
    "WP01",
    "--payload",
    STATUS_PAYLOAD,
    ...extra,
  );
}

async function withSandbox(
  fn: (sb: Sandbox) => Promise<void>,
  options: Parameters<typeof sandbox>[0] = { commit: true },
) {
  const sb = await sandbox(options);
  try {
    await fn(sb);
  } finally {
    await sb.cleanup();
  }
}

Deno.test("emit stores one event that events lists, oldest first, per state and limit", async () => {
  await withSandbox(async (sb) => {
    const first = await emitStatus(sb, "--json");
    assert.equal(first.code, 0, first.stderr);
    const event = JSON.parse(first.stdout);
    assert.equal(event.lamport_clock, 1);
    assert.equal(event.aggregate_type, "WorkPackage");
    const causation = event.event_id;
    const second = await run(
      sb,
      "emit",
      "FeatureCreated",
      "--aggregate-id",
      "001-demo",
      "--payload",
      '{"feature_slug":"001-demo","feature_number":"001","target_branch":"main","wp_count":0}',
      "--causation-id",
      causation,
    );
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stdout, /^Stored FeatureCreated 001-demo \(lamport 2, pending\)/);
    const all = await kittifyJson<Listed[]>(["events", "--json"], { cwd: sb.repo, home: sb.home });
    assert.deepEqual(all.map((e) => e.state), ["pending", "pending"]);
    assert.deepEqual(all[0].event, event);
    assert.equal(all[1].event.aggregate_type, "Feature");
    assert.equal(all[1].event.causation_id, causation);
    const limited = await kittifyJson<Listed[]>(["events", "--limit", "1", "--json"], {
      cwd: sb.repo,
      home: sb.home,
    });
    assert.deepEqual(limited, [all[0]]);
    const held = await kittifyJson<Listed[]>(["events", "--state", "held", "--json"], {
      cwd: sb.repo,
      home: sb.home,
    });
    assert.deepEqual(held, []);
    // Streamed: one event per line, each exactly as stored.
    const raw = await run(sb, "events", "--json");
    assert.equal(raw.stdout, `[\n${all.map((e) => JSON.stringify(e)).join(",\n")}\n]\n`);
    assert.equal((await run(sb, "events", "--json", "--state", "dead")).stdout, "[]\n");
    const table = await run(sb, "events");
    assert.match(table.stdout, /^STATE\s+LAMPORT\s+TIME \(UTC\)\s+TYPE\s+AGGREGATE\s+EVENT ID\n/);
    assert.equal(table.stdout.trim().split("\n").length, 3);
    assert.equal((await run(sb, "events", "--state", "lost")).code, 2);
    assert.equal((await run(sb, "events", "--limit", "0")).code, 2);
  });
});

Deno.test("emit with bad JSON, an unknown type or an invalid payload exits 1 and stores nothing", async () => {
  await withSandbox(async (sb) => {
    const cases: Array<[string[], RegExp]> = [
      [["WPStatusChanged", "--aggregate-id", "WP01", "--payload", "{nope"], /not valid JSON/],
      [["WPStatusChanged", "--aggregate-id", "WP01", "--payload", "[1]"], /must be a JSON object/],
      [["Bogus", "--aggregate-id", "WP01", "--payload", "{}"], /unknown event type 'Bogus'/],
      [
        ["WPStatusChanged", "--aggregate-id", "WP01", "--payload", '{"wp_id":"WP01"}'],
        /missing required field\(s\) \[from_lane, to_lane\]/,
      ],
      [
        [
          "WPStatusChanged",
          "--aggregate-id",
          "WP01",
          "--payload",
          STATUS_PAYLOAD,
          "--causation-id",
          "x",
        ],
        /causation_id: invalid value/,
      ],
    ];
    for (const [args, message] of cases) {
      const result = await run(sb, "emit", ...args);
      assert.equal(result.code, 1, args.join(" "));
      assert.equal(result.stdout, "");
      assert.match(result.stderr, message);
      assert.equal(result.stderr.trim().split("\n")[0].startsWith("error: "), true);
    }
    assert.deepEqual(await kittifyJson(["events", "--json"], { cwd: sb.repo, home: sb.home }), []);
    const status = await kittifyJson<{ lamport_clock: number }>(["sync", "status", "--json"], {
      cwd: sb.repo,
      home: sb.home,
    });
    assert.equal(status.lamport_clock, 0, "no Lamport value spent");
    assert.equal((await run(sb, "emit", "WPStatusChanged", "--payload", "{}")).code, 2);
  });
});

/** Every file under `dirs` with its bytes and modification time. */
async function snapshot(...dirs: string[]): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  async function walk(base: string, dir: string) {
    for await (const entry of Deno.readDir(dir)) {
      const path = join(dir, entry.name);
      if (entry.isDirectory) {
        await walk(base, path);
      } else {
        const info = await Deno.stat(path);
        const bytes = await Deno.readFile(path);
        const hash = await crypto.subtle.digest("SHA-256", bytes);
        files.set(
          `${base}:${relative(base, path)}`,
          `${btoa(String.fromCharCode(...new Uint8Array(hash)))} ${info.mtime?.getTime()}`,
        );
      }
    }
  }
  for (const dir of dirs) {
    try {
      await walk(dir, dir);
    } catch (err) {
      if (!(err instanceof Deno.errors.NotFound)) throw err;
      files.set(dir, "missing");
    }
  }
  return files;
}

Deno.test("sync status changes no file: not the store, not config.yaml, not a missing home", async () => {
  await withSandbox(async (sb) => {
    // A fresh home: status reports zeros and creates nothing.
    const before = await snapshot(sb.repo, sb.home);
    const empty = await kittifyJson<Record<string, unknown>>(["sync", "status", "--json"], {
      cwd: sb.repo,
      home: sb.home,
    });
    assert.deepEqual(empty.queue, { pending: 0, held: 0, synced: 0, dead: 0 });
    assert.equal((await run(sb, "sync", "status")).code, 0);
    assert.deepEqual(await snapshot(sb.repo, sb.home), before);

    // A store with events and a config.yaml missing identity fields (status must not fill them).
    assert.equal((await emitStatus(sb)).code, 0);
    const config = join(sb.repo, ".kittify", "config.yaml");
    await Deno.writeTextFile(
      config,
      "# mine\nproject:\n  slug: demo\nsync:\n  auto_start: false\n",
    );
    await Deno.writeTextFile(
      join(sb.home, "config.toml"),
      '[sync]\nserver_url = "https://sync.example.com/"\nmax_queue_size = 50\n',
    );
    // One event emitted outside any project is held.
    const outside = await runKittify(
      ["emit", "WPStatusChanged", "--aggregate-id", "WP01", "--payload", STATUS_PAYLOAD],
      { cwd: join(sb.repo, ".."), home: sb.home },
    );
    assert.equal(outside.code, 0, outside.stderr);
    const posix = Deno.build.os !== "windows"; // POSIX mode bits
    if (posix) await Deno.chmod(sb.home, 0o755);
    const full = await snapshot(sb.repo, sb.home);
    const status = await kittifyJson<Record<string, unknown>>(["sync", "status", "--json"], {
      cwd: join(sb.repo, ".kittify"),
      home: sb.home,
    });
    const text = await runKittify(["sync", "status"], {
      cwd: join(sb.repo, ".kittify"),
      home: sb.home,
    });
    assert.equal(text.code, 0, text.stderr);
    assert.deepEqual(await snapshot(sb.repo, sb.home), full);
    if (posix) {
      assert.equal((await Deno.stat(sb.home)).mode! & 0o777, 0o755, "home not re-permissioned");
    }
    const stored = await kittifyJson<Listed[]>(["events", "--json"], {
      cwd: sb.repo,
      home: sb.home,
    });
    const bytes = (state: string) =>
      stored.filter((e) => e.state === state)
        .reduce((n, e) => n + new TextEncoder().encode(JSON.stringify(e.event)).length, 0);
    const age = status.oldest_pending_age_seconds;
    assert.ok(typeof age === "number" && age >= 0, String(age));
    assert.deepEqual({ ...status, oldest_pending_age_seconds: "<age>" }, {
      server_url: "https://sync.example.com",
      auth: {
        logged_in: false,
        username: null,
        team_slug: null,
        access_expires_at: null,
        refresh_expires_at: null,
        credentials_path: join(sb.home, "credentials"),
      },
      auto_start: false, // read from the repository root
      project_root: sb.repo,
      store_path: join(sb.home, "kittify.kv"),
      lamport_clock: 2,
      queue: { pending: 1, held: 1, synced: 0, dead: 0 },
      bytes: { pending: bytes("pending"), held: bytes("held"), synced: 0, dead: 0 },
      max_queue_size: 50,
      evicted: 0,
      oldest_pending_age_seconds: "<age>",
      retry_distribution: { "0 retries": 1, "1-3 retries": 0, "4+ retries": 0 },
      top_event_types: [{ event_type: "WPStatusChanged", count: 1 }],
      health: {
        last_attempt_at: null,
        last_success_at: null,
        last_failure: null,
        consecutive_failures: 0,
      },
      uploader: null,
      problems: [],
    });
    assert.equal(text.stderr, "");
    assert.equal(
      text.stdout.replace(/^(Oldest event +).+ ago$/m, "$1<age> ago"),
      [
        "Server         https://sync.example.com",
        "Auth           not logged in",
        "Auto-start     off (sync.auto_start: false)",
        `Store          ${join(sb.home, "kittify.kv")}`,
        "Lamport clock  2",
        "Events         1 pending, 1 held, 0 dead, 0 recently synced",
        "Evicted        0 (max_queue_size 50)",
        "Last sync      never",
        "",
        "Queue health",
        "Queue depth   1 event(s)",
        "Oldest event  <age> ago",
        "0 retries     1",
        "",
        "Top event types",
        "WPStatusChanged  1",
        "",
        "Use `kittify sync status --check` to test the connection.",
        "",
      ].join("\n"),
    );
  });
});

Deno.test("sync status reports the login state from the credentials file, never the tokens", async () => {
  await withSandbox(async (sb) => {
    await Deno.mkdir(sb.home, { recursive: true });
    await Deno.writeTextFile(
      join(sb.home, "credentials"),
      '[tokens]\naccess = "SECRET-A"\nrefresh = "SECRET-R"\naccess_expires_at = "2001-01-01T00:00:00"\n' +
        'refresh_expires_at = "2999-01-01T00:00:00.123456"\n\n[user]\nusername = "ann@example.com"\n' +
        'team_slug = "team-a"\n',
      { mode: 0o600 },
    );
    const json = await run(sb, "sync", "status", "--json");
    const text = await run(sb, "sync", "status");
    const auth = JSON.parse(json.stdout).auth;
    assert.equal(auth.logged_in, true);
    assert.equal(auth.username, "ann@example.com");
    assert.equal(auth.team_slug, "team-a");
    assert.match(text.stdout, /logged in as ann@example\.com \(team team-a\)/);
    for (const out of [json.stdout, json.stderr, text.stdout, text.stderr]) {
      assert.ok(!out.includes("SECRET"), "tokens are never printed");
    }
  });
});

Deno.test("an unusable credentials file is reported, not silently shown as logged out", async () => {
  await withSandbox(async (sb) => {
    await Deno.mkdir(sb.home, { recursive: true });
    const cases: Array<[string, RegExp]> = [
      [
        '[tokens\naccess = "SECRET"\n',
        /credentials is not valid TOML \(.*\); counted as logged out/,
      ],
      ['[user]\nusername = "ann"\n', /credentials holds no tokens; counted as logged out/],
    ];
    for (const [toml, warning] of cases) {
      await Deno.writeTextFile(join(sb.home, "credentials"), toml, { mode: 0o600 });
      const json = await run(sb, "sync", "status", "--json");
      assert.equal(json.code, 0, json.stderr);
      assert.equal(JSON.parse(json.stdout).auth.logged_in, false);
      assert.match(json.stderr, warning);
      assert.ok(!json.stderr.includes("SECRET") && !json.stdout.includes("SECRET"));
    }
  });
});

Deno.test("outside a project, emit holds the event and status shows it as held", async () => {
  await withSandbox(async (sb) => {
    const result = await emitStatus(sb);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /held/);
    assert.equal(result.stderr.trim().split("\n").length, 1);
    assert.match(result.stderr, /^warning: .*held/);
    const status = await kittifyJson<{ queue: Record<string, number> }>([
      "sync",
      "status",
      "--json",
    ], {
      cwd: sb.repo,
      home: sb.home,
    });
    assert.deepEqual(status.queue, { pending: 0, held: 1, synced: 0, dead: 0 });
    const text = await run(sb, "sync", "status");
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /Nothing waiting to be sent; kept on this machine: 1 held/);
    assert.doesNotMatch(text.stdout, /synced\./, "held events were never synced");
  }, { git: false });
});

Deno.test("an unusable store is a user error naming the file, not a crash", async () => {
  await withSandbox(async (sb) => {
    // A home that is a file, and a store file that is not a database.
    await Deno.mkdir(sb.home, { recursive: true });
    const notADir = join(sb.home, "not-a-dir");
    await Deno.writeTextFile(notADir, "");
    await Deno.writeTextFile(join(sb.home, "kittify.kv"), "garbage, not SQLite");
    // (On Windows a path through a file reads as missing: an empty store, not an error.)
    for (const home of Deno.build.os === "windows" ? [sb.home] : [notADir, sb.home]) {
      for (const args of [["events"], ["sync", "status", "--json"], ["sync", "diagnose"]]) {
        const result = await runKittify(args, { cwd: sb.repo, home });
        const what = `${args.join(" ")} with home ${relative(sb.home, home) || "."}`;
        assert.equal(result.code, 1, `${what}: ${result.stderr}`);
        if (args.includes("--json")) {
          assert.match(JSON.parse(result.stdout).error.message, /cannot open the kittify store/);
        } else {
          assert.equal(result.stdout, "", what);
        }
        assert.match(result.stderr, /^error: cannot open the kittify store .*kittify\.kv: /, what);
        assert.match(result.stderr, /\nhint: .*KITTIFY_HOME/, what);
        assert.doesNotMatch(result.stderr, /internal error|\n\s+at /, what);
      }
    }
  });
});

Deno.test("sync diagnose validates every stored event and exits 1 when one is invalid", async () => {
  await withSandbox(async (sb) => {
    const none = await run(sb, "sync", "diagnose");
    assert.equal(none.code, 0);
    assert.match(none.stdout, /No pending or held events/);
    assert.equal((await emitStatus(sb)).code, 0);
    const ok = await kittifyJson<{ total: number; valid: number }>(["sync", "diagnose", "--json"], {
      cwd: sb.repo,
      home: sb.home,
    });
    assert.equal(ok.total, 1);
    assert.equal(ok.valid, 1);

    // Corrupt one stored event behind kittify's back (e.g. written by an older version).
    const kv = await Deno.openKv(join(sb.home, "kittify.kv"));
    try {
      const entry = await kv.get<StoredRecord>(entryKey("pending", 1));
      const { event } = decodeRecord(entry.value!);
      const broken = { ...event, lamport_clock: -4, payload: { wp_id: "WP1" } } as Envelope;
      await kv.set(entryKey("pending", 1), encodeRecord(broken, entry.value!.enqueued_at));
    } finally {
      kv.close();
    }
    const json = await run(sb, "sync", "diagnose", "--json");
    assert.equal(json.code, 1);
    const report = JSON.parse(json.stdout);
    assert.deepEqual([report.total, report.valid, report.invalid], [1, 0, 1]);
    assert.equal(report.results[0].valid, false);
    assert.equal(report.results[0].error_category, "schema_mismatch");
    assert.ok(report.results[0].errors.some((e: string) => e.startsWith("lamport_clock:")));
    assert.ok(report.results[0].errors.some((e: string) => e.startsWith("payload: missing")));
    const text = await run(sb, "sync", "diagnose");
    assert.equal(text.code, 1);
    assert.match(
      text.stdout,
      /Validated 1 event\(s\): 0 valid, 1 invalid\nINVALID \S+ \(WPStatusChanged\) \[schema_mismatch\]\n {2}- /,
    );
  });
});
