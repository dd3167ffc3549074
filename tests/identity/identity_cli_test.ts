/** `kittify init` / `kittify identity` end to end: real git repos, real CLI subprocesses. */
import assert from "node:assert/strict";
import { backupSuffix } from "../../src/identity/init.ts";
import { join } from "node:path";
import { FROM_SOURCE_ONLY, kittifyJson, runKittify } from "../helpers/cli.ts";
import { git, sandbox } from "../helpers/fs.ts";
import { writeWp } from "../work/work_sandbox.ts";

interface IdentityJson {
  project_uuid: string;
  project_slug: string;
  node_id: string;
  repo_slug: string | null;
  source: "config" | "fallback" | "memory";
  config_path: string;
}

const UUID4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function configPath(repo: string): string {
  return join(repo, ".kittify", "config.yaml");
}

function warnings(stderr: string): string[] {
  return stderr.split("\n").filter((l) => l.startsWith("warning:"));
}

Deno.test("init on a fresh repository writes a complete identity; a second init changes nothing", async () => {
  const sb = await sandbox({ name: "My_Repo", origin: "git@github.com:Acme/Spec_Kitty.git" });
  try {
    const first = await runKittify(["init"], { cwd: sb.repo, home: sb.home });
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /^Created .*config\.yaml/);
    assert.equal(first.stderr, "", "in a git repository: no warning");
    const text = await Deno.readTextFile(configPath(sb.repo));
    const id = await kittifyJson<IdentityJson>(["identity", "--json"], {
      cwd: sb.repo,
      home: sb.home,
    });
    assert.match(id.project_uuid, UUID4);
    assert.equal(id.project_slug, "spec-kitty");
    assert.match(id.node_id, /^[0-9a-f]{12}$/);
    assert.equal(id.repo_slug, "Acme/Spec_Kitty");
    assert.equal(id.source, "config");
    assert.equal(id.config_path, configPath(sb.repo));
    assert.deepEqual(Object.keys(id), [
      "project_uuid",
      "project_slug",
      "node_id",
      "repo_slug",
      "source",
      "config_path",
    ]);
    assert.match(text, /sync:\n {2}auto_start: true\n/);

    const again = await runKittify(["init", "--slug", "other"], { cwd: sb.repo, home: sb.home });
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /Already initialised/);
    assert.match(again.stdout, /--slug ignored/);
    assert.equal(await Deno.readTextFile(configPath(sb.repo)), text);
  } finally {
    await sb.cleanup();
  }
});

Deno.test("init --slug names a project without origin; init --json reports what it did", async () => {
  const sb = await sandbox();
  try {
    const report = await kittifyJson<{ action: string; identity: IdentityJson }>(
      ["init", "--slug", "My Great Project", "--json"],
      { cwd: sb.repo, home: sb.home },
    );
    assert.equal(report.action, "created");
    assert.equal(report.identity.project_slug, "my-great-project");
    assert.equal(report.identity.repo_slug, null);
  } finally {
    await sb.cleanup();
  }
});

Deno.test("backfill of a partial config keeps comments, quoting and other keys", async () => {
  const sb = await sandbox({ name: "fallback_project" });
  try {
    const original = [
      "# Spec Kitty project configuration",
      "vcs:",
      "  type: git    # keep this comment",
      "agents:",
      "  available: [claude, opencode]",
      "project:",
      "  uuid: '8a4a7da6-a97c-4bb4-893a-b31664abfee4'  # quoted",
      "",
      "sync:",
      "  auto_start: false",
      "",
    ].join("\n");
    await Deno.mkdir(join(sb.repo, ".kittify"));
    await Deno.writeTextFile(configPath(sb.repo), original);
    const id = await kittifyJson<IdentityJson>(["identity", "--json"], {
      cwd: sb.repo,
      home: sb.home,
    });
    assert.equal(id.project_uuid, "8a4a7da6-a97c-4bb4-893a-b31664abfee4");
    assert.equal(id.project_slug, "fallback-project");
    assert.equal(id.source, "config");
    const after = await Deno.readTextFile(configPath(sb.repo));
    const added = after.split("\n").filter((l) => !original.split("\n").includes(l));
    assert.deepEqual(added, ["  slug: fallback-project", `  node_id: ${id.node_id}`]);
    const withoutAdded = after.split("\n").filter((l) => !added.includes(l)).join("\n");
    assert.equal(withoutAdded, original);
  } finally {
    await sb.cleanup();
  }
});

async function concurrentIdentities(repo: string, home: string): Promise<IdentityJson[]> {
  return await Promise.all(
    Array.from(
      { length: 8 },
      () => kittifyJson<IdentityJson>(["identity", "--json"], { cwd: repo, home }),
    ),
  );
}

Deno.test("8 processes backfilling one repository at once end with one identity", async () => {
  for (const start of ["no config", "partial config"]) {
    const sb = await sandbox();
    try {
      if (start === "partial config") {
        await Deno.mkdir(join(sb.repo, ".kittify"));
        await Deno.writeTextFile(configPath(sb.repo), "# keep me\nvcs:\n  type: git\n");
      }
      const ids = await concurrentIdentities(sb.repo, sb.home);
      const uuids = new Set(ids.map((i) => i.project_uuid));
      assert.equal(uuids.size, 1, `${start}: ${[...uuids].join(", ")}`);
      const onDisk = await kittifyJson<IdentityJson>(["identity", "--json"], {
        cwd: sb.repo,
        home: sb.home,
      });
      assert.equal(onDisk.project_uuid, ids[0].project_uuid);
      assert.ok(ids.every((i) => i.source === "config"));
      const text = await Deno.readTextFile(configPath(sb.repo));
      assert.equal(text.match(/uuid:/g)?.length, 1, text);
      if (start === "partial config") assert.ok(text.startsWith("# keep me\nvcs:\n  type: git\n"));
    } finally {
      await sb.cleanup();
    }
  }
});

Deno.test({
  name: "a read-only .kittify directory gives a stable fallback identity and one warning",
  ignore: Deno.build.os === "windows", // POSIX mode bits
}, async () => {
  const sb = await sandbox();
  try {
    const kittify = join(sb.repo, ".kittify");
    await Deno.mkdir(kittify);
    const original = "vcs:\n  type: git\n";
    await Deno.writeTextFile(configPath(sb.repo), original);
    await Deno.chmod(kittify, 0o555);
    const runs = [];
    for (let i = 0; i < 2; i++) {
      const r = await runKittify(["identity", "--json"], { cwd: sb.repo, home: sb.home });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(warnings(r.stderr).length, 1, r.stderr);
      assert.match(r.stderr, /fallback identity/);
      runs.push(JSON.parse(r.stdout) as IdentityJson);
    }
    assert.equal(runs[0].source, "fallback");
    assert.equal(runs[1].project_uuid, runs[0].project_uuid);
    // The user home holding the fallback store was created private.
    assert.equal((await Deno.stat(sb.home)).mode! & 0o777, 0o700);
    assert.equal(await Deno.readTextFile(configPath(sb.repo)), original);
  } finally {
    await sb.cleanup();
  }
});

Deno.test({
  name: "a read-only repository without .kittify gets a fallback identity, nothing created",
  ignore: Deno.build.os === "windows", // POSIX mode bits
}, async () => {
  const sb = await sandbox();
  try {
    await Deno.chmod(sb.repo, 0o555);
    const a = await kittifyJson<IdentityJson>(["identity", "--json"], {
      cwd: sb.repo,
      home: sb.home,
    });
    const b = await kittifyJson<IdentityJson>(["identity", "--json"], {
      cwd: sb.repo,
      home: sb.home,
    });
    assert.equal(a.source, "fallback");
    assert.equal(a.project_uuid, b.project_uuid);
    await assert.rejects(Deno.stat(join(sb.repo, ".kittify")), Deno.errors.NotFound);
  } finally {
    await sb.cleanup();
  }
});

Deno.test(
  "--deny-write on the repository: fallback identity, same uuid next run, file unchanged",
  FROM_SOURCE_ONLY,
  async () => {
    const sb = await sandbox();
    try {
      await Deno.mkdir(join(sb.repo, ".kittify"));
      const original = "# partial\nproject:\n  slug: denied\n";
      await Deno.writeTextFile(configPath(sb.repo), original);
      const opts = { cwd: sb.repo, home: sb.home, extraFlags: [`--deny-write=${sb.repo}`] };
      const first = await runKittify(["identity", "--json"], opts);
      assert.equal(first.code, 0, first.stderr);
      assert.match(first.stderr, /Deno permissions/);
      const a = JSON.parse(first.stdout) as IdentityJson;
      const b = await kittifyJson<IdentityJson>(["identity", "--json"], opts);
      assert.equal(a.source, "fallback");
      assert.equal(a.project_slug, "denied");
      assert.equal(b.project_uuid, a.project_uuid);
      assert.equal(await Deno.readTextFile(configPath(sb.repo)), original);
    } finally {
      await sb.cleanup();
    }
  },
);

Deno.test(
  "nothing writable at all: the identity is process-local and says so",
  FROM_SOURCE_ONLY,
  async () => {
    const sb = await sandbox();
    try {
      const r = await runKittify(["identity", "--json"], {
        cwd: sb.repo,
        home: sb.home,
        // A bare --deny-write is ignored by Deno 2.9 when --allow-run=<list> is also given.
        extraFlags: ["--deny-write=/"],
      });
      assert.equal(r.code, 0, r.stderr);
      assert.equal((JSON.parse(r.stdout) as IdentityJson).source, "memory");
      assert.equal(warnings(r.stderr).length, 1, r.stderr);
      assert.match(r.stderr, /in memory only/);
    } finally {
      await sb.cleanup();
    }
  },
);

Deno.test("each kind of broken config: warning with the reason, file untouched, fallback", async () => {
  const cases: Array<[string, RegExp]> = [
    ["project:\n  uuid: [unclosed\n", /line \d+, column \d+/],
    ["project: just-a-string\n", /`project` is not a mapping/],
    ["project:\n  uuid: 1234\n  slug: x\n", /not a UUID4/],
    ['project:\n  uuid: 550e8400-e29b-41d4-a716-446655440000\n  slug: ""\n', /slug is empty/],
  ];
  const sb = await sandbox();
  try {
    await Deno.mkdir(join(sb.repo, ".kittify"));
    for (const [text, reason] of cases) {
      await Deno.writeTextFile(configPath(sb.repo), text);
      const r = await runKittify(["identity", "--json"], { cwd: sb.repo, home: sb.home });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(warnings(r.stderr).length, 1, r.stderr);
      assert.match(r.stderr, reason);
      assert.match(r.stderr, /init --repair/);
      assert.equal((JSON.parse(r.stdout) as IdentityJson).source, "fallback");
      assert.equal(await Deno.readTextFile(configPath(sb.repo)), text);
    }
  } finally {
    await sb.cleanup();
  }
});

Deno.test("init --repair backs up a broken config and keeps its readable uuid", async () => {
  const sb = await sandbox();
  try {
    await Deno.mkdir(join(sb.repo, ".kittify"));
    const broken = 'project:\n  uuid: 550e8400-e29b-41d4-a716-446655440000\n  slug: ""\n';
    await Deno.writeTextFile(configPath(sb.repo), broken);
    const plain = await runKittify(["init"], { cwd: sb.repo, home: sb.home });
    assert.equal(plain.code, 1);
    assert.match(plain.stderr, /--repair/);
    assert.equal(await Deno.readTextFile(configPath(sb.repo)), broken);

    const report = await kittifyJson<{ action: string; backup: string; identity: IdentityJson }>(
      ["init", "--repair", "--json"],
      { cwd: sb.repo, home: sb.home },
    );
    assert.equal(report.action, "repaired");
    assert.match(report.backup, /config\.yaml\.broken-\d{8}T\d{6}Z$/);
    assert.equal(await Deno.readTextFile(report.backup), broken);
    assert.equal(report.identity.project_uuid, "550e8400-e29b-41d4-a716-446655440000");
    assert.equal(report.identity.source, "config");

    // A second repair never replaces an earlier backup, even one made in the same second: every
    // name this run could pick from the clock is taken already.
    const taken = new Map<string, string>();
    for (let s = -1; s <= 30; s++) {
      const path = `${configPath(sb.repo)}.broken-${backupSuffix(new Date(Date.now() + s * 1000))}`;
      if (path === report.backup) continue;
      await Deno.writeTextFile(path, `earlier backup ${s}`);
      taken.set(path, `earlier backup ${s}`);
    }
    const brokenAgain = "project: [\n";
    await Deno.writeTextFile(configPath(sb.repo), brokenAgain);
    const again = await kittifyJson<{ backup: string }>(["init", "--repair", "--json"], {
      cwd: sb.repo,
      home: sb.home,
    });
    assert.ok(!taken.has(again.backup) && again.backup !== report.backup, again.backup);
    assert.equal(await Deno.readTextFile(again.backup), brokenAgain);
    assert.equal(await Deno.readTextFile(report.backup), broken);
    for (const [path, content] of taken) assert.equal(await Deno.readTextFile(path), content);
  } finally {
    await sb.cleanup();
  }
});

Deno.test("a config.yaml that is a directory: identity falls back, init is a user error", async () => {
  const sb = await sandbox();
  try {
    await Deno.mkdir(configPath(sb.repo), { recursive: true });
    const identity = await runKittify(["identity", "--json"], { cwd: sb.repo, home: sb.home });
    assert.equal(identity.code, 0, identity.stderr);
    assert.equal((JSON.parse(identity.stdout) as IdentityJson).source, "fallback");
    for (const args of [["init"], ["init", "--repair"]]) {
      const r = await runKittify(args, { cwd: sb.repo, home: sb.home });
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /^error: cannot update .*config\.yaml: /);
      assert.doesNotMatch(r.stderr, /internal error/);
    }
    assert.ok((await Deno.stat(configPath(sb.repo))).isDirectory);
  } finally {
    await sb.cleanup();
  }
});

Deno.test("init outside a git repository works and warns what is off there", async () => {
  const sb = await sandbox({ git: false });
  try {
    const r = await runKittify(["init", "--json"], { cwd: sb.repo, home: sb.home });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).action, "created");
    assert.deepEqual(warnings(r.stderr), [
      `warning: ${sb.repo} is not a git repository: features are not detected from the branch, and ` +
      "events carry no repo_slug, branch or commit (run `git init` first if you want them)",
    ]);
  } finally {
    await sb.cleanup();
  }
});

Deno.test("outside any repository identity is a user error (exit 1, one line, no stack)", async () => {
  const sb = await sandbox({ git: false });
  try {
    const r = await runKittify(["identity"], { cwd: sb.repo, home: sb.home });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^error: not inside a git repository/);
    assert.doesNotMatch(r.stderr, /\s+at /);
    assert.equal(r.stdout, "");
  } finally {
    await sb.cleanup();
  }
});

Deno.test("in a worktree the identity is the main checkout's", async () => {
  const sb = await sandbox({ commit: true });
  try {
    const main = await kittifyJson<IdentityJson>(["init", "--json"], {
      cwd: sb.repo,
      home: sb.home,
    });
    const tree = join(sb.repo, "..", "001-feature-WP01");
    await git(sb.repo, "worktree", "add", "-q", "-b", "001-feature-WP01", tree);
    const inTree = await kittifyJson<IdentityJson>(["identity", "--json"], {
      cwd: join(tree),
      home: sb.home,
    });
    assert.equal(
      inTree.project_uuid,
      (main as unknown as { identity: IdentityJson }).identity.project_uuid,
    );
    assert.equal(inTree.config_path, configPath(sb.repo));
  } finally {
    await sb.cleanup();
  }
});

Deno.test("init --repair of a config without a readable uuid adopts the fallback identity", async () => {
  const sb = await sandbox();
  try {
    await Deno.mkdir(join(sb.repo, ".kittify"));
    await Deno.writeTextFile(configPath(sb.repo), "project: [not, a, mapping]\n");
    const opts = { cwd: sb.repo, home: sb.home };
    // While the config is broken, the fallback identity is what events carry.
    const during = await kittifyJson<IdentityJson>(["identity", "--json"], opts);
    assert.equal(during.source, "fallback");
    const repaired = await kittifyJson<{ identity: IdentityJson }>(
      ["init", "--repair", "--json"],
      opts,
    );
    assert.equal(repaired.identity.source, "config");
    assert.equal(repaired.identity.project_uuid, during.project_uuid);
  } finally {
    await sb.cleanup();
  }
});

Deno.test({
  name: "every emitting command in a read-only .kittify warns once and uses one identity",
  ignore: Deno.build.os === "windows", // POSIX mode bits
}, async () => {
  const sb = await sandbox({ commit: true });
  try {
    const kittify = join(sb.repo, ".kittify");
    await Deno.mkdir(kittify);
    await Deno.writeTextFile(configPath(sb.repo), "vcs:\n  type: git\n");
    await Deno.chmod(kittify, 0o555);
    const feature = "001-demo";
    for (const id of ["WP01", "WP02"]) await writeWp(sb.repo, feature, { id, lane: "planned" });
    const commands = [
      ["tasks", "finalize"],
      ["implement", "WP01"],
      ["move", "WP01", "--to", "for_review"],
      ["accept", "--allow-incomplete"],
    ];
    for (const args of commands) {
      const r = await runKittify(args, { cwd: sb.repo, home: sb.home });
      assert.equal(r.code, 0, `${args.join(" ")}: ${r.stderr}`);
      const lines = warnings(r.stderr);
      assert.equal(lines.length, 1, `${args.join(" ")} warns once:\n${r.stderr}`);
      assert.match(lines[0], /cannot write .*config\.yaml.*using the fallback identity kept in/);
    }
    const stored = await kittifyJson<
      Array<{ event: { event_type: string; project_uuid: string } }>
    >(
      ["events", "--json"],
      { cwd: sb.repo, home: sb.home },
    );
    assert.deepEqual(stored.map((r) => r.event.event_type), [
      "WPCreated",
      "WPCreated",
      "WPStatusChanged",
      "WPStatusChanged",
      "WPStatusChanged",
    ]);
    const id = await kittifyJson<IdentityJson>(["identity", "--json"], {
      cwd: sb.repo,
      home: sb.home,
    });
    assert.equal(id.source, "fallback");
    assert.deepEqual(new Set(stored.map((r) => r.event.project_uuid)), new Set([id.project_uuid]));
  } finally {
    await sb.cleanup();
  }
});

Deno.test("a .kittify folder alone (no .git) marks the project root, found from any folder below", async () => {
  const sb = await sandbox({ git: false });
  try {
    const created = await kittifyJson<{ identity: IdentityJson }>(["init", "--json"], {
      cwd: sb.repo,
      home: sb.home,
    });
    const deep = join(sb.repo, "docs", "notes");
    await Deno.mkdir(deep, { recursive: true });
    const below = await kittifyJson<IdentityJson>(["identity", "--json"], {
      cwd: deep,
      home: sb.home,
    });
    assert.equal(below.config_path, configPath(sb.repo));
    assert.equal(below.project_uuid, created.identity.project_uuid);
    assert.equal(below.source, "config");
    await assert.rejects(Deno.stat(join(deep, ".kittify")), Deno.errors.NotFound);
  } finally {
    await sb.cleanup();
  }
});

Deno.test("without KITTIFY_HOME the home is ~/.spec-kitty, where spec-kitty keeps its login", async () => {
  const sb = await sandbox({ commit: true });
  try {
    const userHome = join(sb.home, "..", "user");
    const shared = join(userHome, ".spec-kitty");
    const server = "http://127.0.0.1:9";
    await Deno.mkdir(shared, { recursive: true, mode: 0o700 });
    // A login written by the Python CLI (its format, reference §5.2).
    await Deno.writeTextFile(
      join(shared, "credentials"),
      `[tokens]\naccess = "eyJ.access"\nrefresh = "eyJ.refresh"\n` +
        `access_expires_at = "2999-02-12T10:15:00.123456"\n` +
        `refresh_expires_at = "2999-02-19T10:00:00.123456"\n\n` +
        `[user]\nusername = "user@example.com"\nteam_slug = "my-team"\n\n` +
        `[server]\nurl = "${server}"\n`,
      { mode: 0o600 },
    );
    await Deno.writeTextFile(join(shared, "config.toml"), `[sync]\nserver_url = "${server}"\n`);
    // Deno keeps its module cache under HOME too: keep using this one (no downloads).
    const info = await new Deno.Command(Deno.execPath(), { args: ["info", "--json"] }).output();
    const denoDir = (JSON.parse(new TextDecoder().decode(info.stdout)) as { denoDir: string })
      .denoDir;
    const opts = { cwd: sb.repo, home: "", env: { HOME: userHome, DENO_DIR: denoDir } };
    const status = await kittifyJson<
      { logged_in: boolean; username: string; credentials_path: string }
    >(["auth", "status", "--json"], opts);
    assert.deepEqual(
      [status.logged_in, status.username, status.credentials_path],
      [true, "user@example.com", join(shared, "credentials")],
    );
    // kittify's own files go there too.
    assert.equal((await runKittify(["init"], opts)).code, 0);
    assert.equal((await runKittify(["feature", "create", "demo"], opts)).code, 0);
    assert.ok((await Deno.stat(join(shared, "kittify.kv"))).isFile);
    await assert.rejects(Deno.stat(sb.home), Deno.errors.NotFound);
  } finally {
    await sb.cleanup();
  }
});
