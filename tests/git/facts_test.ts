/**
 * Git facts read from the files must be exactly what git prints, in every case: each scenario is
 * a real repository, and git's own output (run with the same environment, without the machine's
 * system config) is the expectation. Each also says whether the files may answer alone (the
 * plain cases: if they stop answering, every command starts git processes again) or git must be
 * asked (cases the files cannot be sure of), counted by the git runner handed in.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { removeTree, tempDir } from "../helpers/fs.ts";
import type { GitHost } from "../../src/git/discover.ts";
import { originUrl, REV_PARSE_ARGS, revParseHead } from "../../src/git/facts.ts";

interface World {
  base: string;
  repo: string;
  env: Record<string, string>;
  /** What the readers see: `env` without the test's own isolation, no system config file. */
  host: GitHost;
  /** The system config file git reads (none unless a test sets one; the machine's never). */
  systemConfig: string | null;
  git(cwd: string, ...args: string[]): Promise<string | null>;
}

async function world(): Promise<World> {
  const base = await tempDir("kittify-git-");
  const repo = join(base, "repo");
  const home = join(base, "home");
  await Deno.mkdir(repo);
  await Deno.mkdir(home);
  const env: Record<string, string> = {
    HOME: home,
    PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
    GIT_AUTHOR_NAME: "Test",
    GIT_AUTHOR_EMAIL: "test@example.com",
    GIT_COMMITTER_NAME: "Test",
    GIT_COMMITTER_EMAIL: "test@example.com",
  };
  const git = async (cwd: string, ...args: string[]) => {
    // The machine's own system config stays out of the comparison, on both sides.
    const system: Record<string, string> = w.systemConfig === null
      ? { GIT_CONFIG_NOSYSTEM: "1" }
      : { GIT_CONFIG_SYSTEM: w.systemConfig };
    const out = await new Deno.Command("git", {
      args,
      cwd,
      env: { ...env, ...system },
      clearEnv: true,
      stdin: "null",
      stdout: "piped",
      stderr: "null",
    }).output();
    return out.success ? new TextDecoder().decode(out.stdout).trim() : null;
  };
  const host: GitHost = {
    env: (name) => env[name],
    envNames: () => Object.keys(env),
    uid: () => Deno.uid(),
    systemConfigFiles: () => (w.systemConfig === null ? [] : [w.systemConfig]),
  };
  const w: World = { base, repo, env, host, systemConfig: null, git };
  return w;
}

/** Runs git and insists that it worked (setting a scenario up). */
async function must(w: World, cwd: string, ...args: string[]): Promise<string> {
  const out = await w.git(cwd, ...args);
  if (out === null) throw new Error(`git ${args.join(" ")} failed in ${cwd}`);
  return out;
}

async function committed(w: World, branch = "main"): Promise<void> {
  await must(w, w.repo, "init", "-q", "-b", branch);
  await must(w, w.repo, "commit", "-q", "--allow-empty", "-m", "first");
}

/**
 * Reads both facts as kittify does and as git does; checks they agree, and which source answered
 * (whether kittify started git for it).
 */
async function check(
  w: World,
  cwd: string,
  expect: { head: "files" | "git"; origin: "files" | "git" },
): Promise<{ head: string | null; origin: string | null }> {
  const started: string[][] = [];
  const run = (args: string[], dir: string) => {
    started.push(args);
    return w.git(dir, ...args);
  };
  const head = await revParseHead(cwd, w.host, run);
  const headFrom = started.length === 0 ? "files" : "git";
  const origin = await originUrl(cwd, w.host, run);
  const originFrom = started.length === (headFrom === "files" ? 0 : 1) ? "files" : "git";
  assert.equal(head, await w.git(cwd, ...REV_PARSE_ARGS), "rev-parse HEAD --abbrev-ref HEAD");
  assert.equal(origin, await w.git(cwd, "remote", "get-url", "origin"), "remote get-url origin");
  assert.deepEqual({ head: headFrom, origin: originFrom }, expect, "which source answered");
  return { head, origin };
}

function scenario(name: string, fn: (w: World) => Promise<void>): void {
  Deno.test(`git facts: ${name}`, async () => {
    const w = await world();
    try {
      await fn(w);
    } finally {
      await removeTree(w.base);
    }
  });
}

const FILES = { head: "files", origin: "files" } as const;

scenario("a plain repository, from its top and from a subdirectory", async (w) => {
  await committed(w);
  await must(w, w.repo, "remote", "add", "origin", "git@github.com:acme/widgets.git");
  const top = await check(w, w.repo, FILES);
  assert.match(top.head!, /^[0-9a-f]{40}\nmain$/);
  assert.equal(top.origin, "git@github.com:acme/widgets.git");
  await Deno.mkdir(join(w.repo, "a", "b"), { recursive: true });
  await check(w, join(w.repo, "a", "b"), FILES);
});

scenario("branches with slashes and dots, detached HEAD, packed and loose refs", async (w) => {
  await committed(w);
  await must(w, w.repo, "checkout", "-q", "-b", "feature/wp.01-x_y");
  assert.match((await check(w, w.repo, FILES)).head!, /\nfeature\/wp\.01-x_y$/);
  await must(w, w.repo, "pack-refs", "--all");
  await Deno.stat(join(w.repo, ".git", "refs", "heads", "feature", "wp.01-x_y")).then(
    () => assert.fail("the ref should be packed"),
    () => {},
  );
  await check(w, w.repo, FILES);
  await must(w, w.repo, "commit", "-q", "--allow-empty", "-m", "loose again");
  await check(w, w.repo, FILES);
  await must(w, w.repo, "checkout", "-q", "--detach");
  assert.match((await check(w, w.repo, FILES)).head!, /\nHEAD$/);
});

scenario(
  "cases git answers: unborn branch, ambiguous names, odd names, symbolic refs",
  async (w) => {
    await must(w, w.repo, "init", "-q", "-b", "main");
    assert.equal((await check(w, w.repo, { head: "git", origin: "files" })).head, null);
    await must(w, w.repo, "commit", "-q", "--allow-empty", "-m", "first");
    await must(w, w.repo, "tag", "main");
    assert.match(
      (await check(w, w.repo, { head: "git", origin: "files" })).head!,
      /\nheads\/main$/,
    );
    await must(w, w.repo, "checkout", "-q", "-b", "origin");
    await must(w, w.repo, "update-ref", "refs/remotes/origin/HEAD", "HEAD");
    await check(w, w.repo, { head: "git", origin: "files" });
    await must(w, w.repo, "pack-refs", "--all");
    await check(w, w.repo, { head: "git", origin: "files" });
    await must(w, w.repo, "checkout", "-q", "-b", "fix-ü");
    await check(w, w.repo, { head: "git", origin: "files" });
    await must(w, w.repo, "checkout", "-q", "-b", "target");
    await must(w, w.repo, "symbolic-ref", "refs/heads/alias", "refs/heads/target");
    await must(w, w.repo, "symbolic-ref", "HEAD", "refs/heads/alias");
    await check(w, w.repo, { head: "git", origin: "files" });
  },
);

scenario("a linked worktree: its own branch and HEAD, the main checkout's origin", async (w) => {
  await committed(w);
  await must(w, w.repo, "remote", "add", "origin", "https://gitlab.example.com/a/b/c.git");
  const tree = join(w.base, "tree");
  await must(w, w.repo, "worktree", "add", "-q", "-b", "wp-branch", tree);
  await must(w, tree, "commit", "-q", "--allow-empty", "-m", "in the worktree");
  const inTree = await check(w, tree, FILES);
  assert.match(inTree.head!, /\nwp-branch$/);
  assert.notEqual(inTree.head, (await check(w, w.repo, FILES)).head);
  await must(w, w.repo, "pack-refs", "--all");
  await check(w, tree, FILES);
});

scenario("a SHA-256 repository", async (w) => {
  await must(w, w.repo, "init", "-q", "-b", "main", "--object-format=sha256");
  await must(w, w.repo, "commit", "-q", "--allow-empty", "-m", "first");
  assert.match((await check(w, w.repo, FILES)).head!, /^[0-9a-f]{64}\nmain$/);
});

scenario("plain origin spellings the files answer", async (w) => {
  await committed(w);
  assert.equal((await check(w, w.repo, FILES)).origin, null); // no origin at all
  const config = join(w.repo, ".git", "config");
  const plain = await Deno.readTextFile(config);
  await Deno.writeTextFile(config, plain + '[Remote "origin"]\n\tURL=ssh://git@host:22/o/r/\n');
  assert.equal((await check(w, w.repo, FILES)).origin, "ssh://git@host:22/o/r/");
  await Deno.writeTextFile(
    config,
    plain + '# mine\n[remote "Origin"]\n\turl = x:y/z\n[remote "upstream"]\n\turl = u:v/w\n',
  );
  assert.equal((await check(w, w.repo, FILES)).origin, null); // names are case-sensitive
  await Deno.writeTextFile(
    config,
    plain + '[remote "origin"]\n\tfetch = +refs/heads/*:refs/remotes/origin/*\n' +
      '[branch "main"]\n\tremote = origin\n[remote "origin"]\n  url   =  a@b:c/d.git  \r\n',
  );
  assert.equal((await check(w, w.repo, FILES)).origin, "a@b:c/d.git");
});

scenario("origin spellings and settings git answers", async (w) => {
  await committed(w);
  const config = join(w.repo, ".git", "config");
  const plain = await Deno.readTextFile(config);
  const gitAnswers = { head: "files", origin: "git" } as const;
  const onlyGit = { head: "git", origin: "git" } as const;
  const cases: [string, { head: "files" | "git"; origin: "files" | "git" }][] = [
    ['[remote "origin"]\n\turl = "git@github.com:quoted/repo.git"\n', gitAnswers],
    ['[remote "origin"]\n\turl = git@github.com:a/b.git ; a comment\n', gitAnswers],
    [
      '[remote "origin"]\n\turl = git@github.com:first/one.git\n' +
      "\turl = git@github.com:second/two.git\n",
      gitAnswers,
    ],
    ["[remote.origin]\n\turl = git@github.com:old/syntax.git\n", gitAnswers],
    [
      '[remote "origin"]\n\turl = gh:acme/short\n[url "git@github.com:"]\n\tinsteadOf = gh:\n',
      gitAnswers,
    ],
    ['[remote "origin"]\n\tpushurl = git@github.com:push/only.git\n', gitAnswers],
    // Config lines the files do not read alone: git reads (or rejects) the whole file.
    ['[remote "origin"] url = git@github.com:same/line.git\n', onlyGit],
    ['[remote "origin"]\n\turl = git@github.com:a/\\\nb.git\n', onlyGit],
    ['[remote "origin"]\n\turl = git@github.com:a/b.git\n[include]\n\tpath = extra\n', onlyGit],
    ['[remote "origin"]\n\turl\f= git@github.com:form/feed.git\n', onlyGit],
    ['[user]\n\tname = "unterminated\n[remote "origin"]\n\turl = x@y:a/b.git\n', onlyGit],
    ["[core]\n\t1bad = x\n", onlyGit],
    ["[core]\n\tbare = maybe\n", onlyGit],
    ["[core]\n\trepositoryformatversion = 1\n[extensions]\n\trelativeWorktrees = true\n", onlyGit],
    ["[core]\n\trepositoryformatversion = 2\n", onlyGit],
    ["[extensions]\n\tobjectFormat = sha1\n", onlyGit], // any extension needs version 1
    ["[core]\n\tabbrev = 99\n", onlyGit],
    ["[core]\n\tcompression = abc\n", onlyGit],
    ["[core]\n\tfilemode = maybe\n", onlyGit],
    ["[core]\n\teditor\n", onlyGit], // a string without a value
    ["[core]\n\tworktree = /elsewhere\n", onlyGit],
    ['[remote "origin"]\n\turl = x@y:a/b.git\n\tmirror = maybe\n', onlyGit],
    ["[user]\n\tname = a\\qb\n", onlyGit], // an escape git does not know
    ["[user]\n\tname = a\rb\n", onlyGit],
    ['[user]\n\tname = "spaced  out" # quoted, commented\n', { head: "files", origin: "files" }],
  ];
  for (const [text, expect] of cases) {
    await Deno.writeTextFile(config, plain + text);
    await check(w, w.repo, expect);
  }
  await Deno.writeTextFile(config, plain + '[remote "origin"]\n\turl = gh:acme/short\n');
  const global = join(w.env.HOME, ".gitconfig");
  await Deno.writeTextFile(global, '[url "git@github.com:"]\n\tinsteadOf = gh:\n');
  assert.equal((await check(w, w.repo, gitAnswers)).origin, "git@github.com:acme/short");
  await Deno.remove(global);
  const xdg = join(w.env.HOME, ".config", "git");
  await Deno.mkdir(xdg, { recursive: true });
  await Deno.writeTextFile(
    join(xdg, "config"),
    '[url "https://example.com/"]\n\tinsteadOf = gh:\n',
  );
  assert.equal((await check(w, w.repo, gitAnswers)).origin, "https://example.com/acme/short");
  await Deno.remove(join(xdg, "config"));
  await Deno.writeTextFile(global, '[remote "origin"]\n\turl = git@github.com:from/global.git\n');
  await check(w, w.repo, gitAnswers);
  await Deno.remove(global);
  await Deno.writeTextFile(config, plain);
  await Deno.mkdir(join(w.repo, ".git", "remotes"));
  await Deno.writeTextFile(
    join(w.repo, ".git", "remotes", "origin"),
    "URL: git@h:legacy/file.git\n",
  );
  assert.equal((await check(w, w.repo, gitAnswers)).origin, "git@h:legacy/file.git");
});

scenario("variables that steer git, and no repository: git answers", async (w) => {
  await committed(w);
  await must(w, w.repo, "remote", "add", "origin", "git@github.com:acme/widgets.git");
  const other = join(w.base, "other");
  await Deno.mkdir(other);
  await must(w, other, "init", "-q", "-b", "elsewhere");
  await must(w, other, "commit", "-q", "--allow-empty", "-m", "other");
  w.env.GIT_DIR = join(other, ".git");
  assert.match((await check(w, w.repo, { head: "git", origin: "git" })).head!, /\nelsewhere$/);
  delete w.env.GIT_DIR;
  w.env.GIT_CONFIG_GLOBAL = join(w.base, "global.cfg");
  await check(w, w.repo, { head: "git", origin: "git" });
  delete w.env.GIT_CONFIG_GLOBAL;
  const plainDir = join(w.base, "plain");
  await Deno.mkdir(plainDir);
  w.env.GIT_CEILING_DIRECTORIES = w.base; // keep git from finding a repository above the tests
  const none = await check(w, plainDir, { head: "git", origin: "git" });
  assert.deepEqual(none, { head: null, origin: null });
});

Deno.test({
  name: "git facts: a repository owned by another user is git's to judge",
  ignore: Deno.uid() !== 0,
  fn: async () => {
    const w = await world();
    try {
      await committed(w);
      await must(w, w.repo, "remote", "add", "origin", "git@github.com:acme/widgets.git");
      await new Deno.Command("chown", { args: ["-R", "12345:12345", w.repo] }).output();
      const theirs = await check(w, w.repo, { head: "git", origin: "git" });
      assert.deepEqual(theirs, { head: null, origin: null }); // git refuses: dubious ownership
    } finally {
      await removeTree(w.base);
    }
  },
});

scenario("refs that make git print another name, or none", async (w) => {
  await committed(w);
  const both = { head: "git", origin: "files" } as const;
  await must(w, w.repo, "tag", "HEAD"); // git: 'HEAD' is ambiguous, no branch line
  assert.doesNotMatch((await check(w, w.repo, both)).head ?? "", /\nmain$/);
  await must(w, w.repo, "checkout", "-q", "--detach");
  await check(w, w.repo, both);
  await must(w, w.repo, "checkout", "-q", "main");
  await must(w, w.repo, "tag", "-d", "HEAD");
  await check(w, w.repo, FILES);
  await must(w, w.repo, "update-ref", "refs/remotes/origin/main", "HEAD");
  await must(w, w.repo, "checkout", "-q", "-b", "refs/remotes/origin/main");
  await must(w, w.repo, "pack-refs", "--all");
  await must(w, w.repo, "commit", "-q", "--allow-empty", "-m", "second");
  assert.match((await check(w, w.repo, both)).head!, /\nheads\/refs\/remotes\/origin\/main$/);
  await must(w, w.repo, "checkout", "-q", "-b", "main-worktree/HEAD");
  await check(w, w.repo, both);
});

scenario("ref files git would not read as they stand", async (w) => {
  await committed(w);
  const gitDir = join(w.repo, ".git");
  const both = { head: "git", origin: "files" } as const;
  const sha = await must(w, w.repo, "rev-parse", "HEAD");
  await must(w, w.repo, "tag", "later"); // main is not packed-refs' last line
  await must(w, w.repo, "pack-refs", "--all");
  const packed = await Deno.readTextFile(join(gitDir, "packed-refs"));
  await Deno.writeTextFile(join(gitDir, "packed-refs"), packed.replace(/\n$/, ""));
  await check(w, w.repo, both);
  await Deno.writeTextFile(
    join(gitDir, "packed-refs"),
    `# pack-refs with: peeled fully-peeled sorted \n${sha} refs/tags/z\n${sha} refs/heads/main\n`,
  );
  await check(w, w.repo, both);
  await Deno.writeTextFile(
    join(gitDir, "packed-refs"),
    `# pack-refs with: peeled fully-peeled sorted \n${sha} refs/heads/main\nxyz refs/tags/zz\n`,
  );
  await check(w, w.repo, both); // a line git cannot read
  await Deno.writeTextFile(
    join(gitDir, "packed-refs"),
    `${sha} refs/heads/main\n${"0".repeat(40)} refs/heads/main\n`,
  );
  await check(w, w.repo, both); // a ref twice
  await Deno.writeTextFile(join(gitDir, "HEAD"), sha + "0".repeat(24) + "\n");
  await check(w, w.repo, both); // a SHA-256 id in a SHA-1 repository
  await Deno.writeTextFile(join(gitDir, "HEAD"), "ref: refs/heads/main\n");
  await Deno.writeTextFile(join(gitDir, "packed-refs"), packed);
  await Deno.writeTextFile(join(gitDir, "refs", "heads", "target"), sha + "\n");
  await Deno.symlink("target", join(gitDir, "refs", "heads", "main"));
  await check(w, w.repo, both);
});

scenario("directories that are not plain checkouts: git answers", async (w) => {
  await committed(w);
  await must(w, w.repo, "remote", "add", "origin", "git@github.com:acme/widgets.git");
  const onlyGit = { head: "git", origin: "git" } as const;
  await check(w, join(w.repo, ".git"), onlyGit);
  await check(w, join(w.repo, ".git", "refs"), onlyGit);
  const bare = join(w.repo, "bare.git");
  await must(w, w.repo, "clone", "-q", "--bare", w.repo, bare);
  await check(w, bare, onlyGit);
  await check(w, join(bare, "refs"), onlyGit);
  // A .git that is no repository: git walks past it to the one above.
  const inner = join(w.repo, "inner");
  await Deno.mkdir(join(inner, ".git"), { recursive: true });
  await Deno.writeTextFile(join(inner, ".git", "HEAD"), "ref: refs/heads/other\n");
  await Deno.writeTextFile(join(inner, ".git", "config"), "[core]\n\tbare = false\n");
  await check(w, inner, onlyGit);
  await Deno.remove(join(w.repo, ".git", "refs"), { recursive: true });
  await check(w, w.repo, onlyGit);
});

scenario(
  "the user's configuration: broken, rewriting, relative, or reached through a link",
  async (w) => {
    await committed(w);
    await must(w, w.repo, "remote", "add", "origin", "gh:acme/short");
    const onlyGit = { head: "git", origin: "git" } as const;
    const global = join(w.env.HOME, ".gitconfig");
    await Deno.writeTextFile(global, '[user]\n\tname = "open quote\n');
    await check(w, w.repo, onlyGit);
    await Deno.remove(global);
    await Deno.mkdir(global);
    await check(w, w.repo, onlyGit);
    await Deno.remove(global);
    await Deno.mkdir(join(w.repo, "cfg", "git"), { recursive: true });
    await Deno.writeTextFile(
      join(w.repo, "cfg", "git", "config"),
      '[url "git@github.com:"]\n\tinsteadOf = gh:\n',
    );
    w.env.XDG_CONFIG_HOME = "cfg";
    await check(w, w.repo, onlyGit);
    delete w.env.XDG_CONFIG_HOME;
    const link = join(w.base, "link");
    await Deno.symlink(w.repo, link);
    assert.equal((await check(w, link, FILES)).origin, "gh:acme/short");
  },
);

scenario("a system config file's rewrite rule; .git files with relative paths", async (w) => {
  await committed(w);
  await must(w, w.repo, "remote", "add", "origin", "gh:acme/short");
  w.systemConfig = join(w.base, "system.cfg");
  await Deno.writeTextFile(w.systemConfig, '[url "git@github.com:"]\n\tinsteadOf = gh:\n');
  const rewritten = await check(w, w.repo, { head: "files", origin: "git" });
  assert.equal(rewritten.origin, "git@github.com:acme/short");
  await Deno.writeTextFile(w.systemConfig, "[core]\n\tabbrev = 1000\n");
  await check(w, w.repo, { head: "git", origin: "git" });
  w.systemConfig = null;
  const library = join(w.base, "library");
  await Deno.mkdir(library);
  await must(w, library, "init", "-q", "-b", "trunk");
  await must(w, library, "commit", "-q", "--allow-empty", "-m", "lib");
  await must(
    w,
    w.repo,
    "-c",
    "protocol.file.allow=always",
    "submodule",
    "add",
    "-q",
    library,
    "lib",
  );
  assert.match(await Deno.readTextFile(join(w.repo, "lib", ".git")), /^gitdir: \.\.\//);
  // A submodule's config names its worktree (core.worktree): git's to read.
  const sub = await check(w, join(w.repo, "lib"), { head: "git", origin: "git" });
  assert.equal(sub.origin, library);
  // A repository kept elsewhere, named by a relative path.
  await Deno.mkdir(join(w.base, "store"));
  await Deno.rename(join(w.repo, ".git"), join(w.base, "store", "repo.git"));
  await Deno.writeTextFile(join(w.repo, ".git"), "gitdir: ../store/repo.git\n");
  assert.equal((await check(w, w.repo, FILES)).origin, "gh:acme/short");
});

scenario("a repository of another user, or under sudo: git answers (any user)", async (w) => {
  await committed(w);
  await must(w, w.repo, "remote", "add", "origin", "git@github.com:acme/widgets.git");
  const uid = w.host.uid()!;
  const onlyGit = { head: "git", origin: "git" } as const;
  await check(w, w.repo, FILES);
  // Whoever runs the tests, the readers are told they are someone else.
  const owner = w.host;
  w.host = { ...owner, uid: () => uid + 1 };
  await check(w, w.repo, onlyGit);
  w.host = {
    ...owner,
    uid: () => 0,
    env: (name) => (name === "SUDO_UID" ? String(uid + 1) : owner.env(name)),
    envNames: () => [...owner.envNames(), "SUDO_UID"],
  };
  await check(w, w.repo, onlyGit);
  w.host = { ...owner, uid: () => null };
  await check(w, w.repo, onlyGit); // no owners to compare (Windows)
});
