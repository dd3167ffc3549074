/** The feature comes from --feature, the branch, the worktree name, or the only feature. */
import assert from "node:assert/strict";
import { join } from "node:path";
import { git } from "../helpers/fs.ts";
import { laneIn, withWorkSandbox, writeWp } from "./work_sandbox.ts";

Deno.test("branch and worktree names pick the feature; otherwise the error lists candidates", () =>
  withWorkSandbox(async (sb) => {
    const alpha = await writeWp(sb.repo, "001-alpha", { id: "WP01", lane: "planned" });
    const beta = await writeWp(sb.repo, "002-beta", { id: "WP01", lane: "planned" });

    const ambiguous = await sb.run(["implement", "WP01"]);
    assert.equal(ambiguous.code, 1);
    assert.match(ambiguous.stderr, /cannot tell which feature to use/);
    assert.match(ambiguous.stderr, /features: 001-alpha, 002-beta/);

    await git(sb.repo, "checkout", "-q", "-b", "002-beta");
    const onBranch = await sb.run(["implement", "WP01"]);
    assert.equal(onBranch.code, 0, onBranch.stderr);
    assert.equal(await laneIn(beta), "in_progress");
    assert.equal(await laneIn(alpha), "planned");

    const worktree = join(sb.repo, ".worktrees", "001-alpha-WP01");
    await git(sb.repo, "worktree", "add", "-q", "-b", "wp-branch", worktree);
    const inWorktree = await sb.run(["implement", "WP01", "--json"], { cwd: worktree });
    assert.equal(inWorktree.code, 0, inWorktree.stderr);
    assert.equal(JSON.parse(inWorktree.stdout).feature, "001-alpha");
    assert.equal(await laneIn(alpha), "in_progress"); // the main checkout's task file

    const byFlag = await sb.run(["tasks", "list", "--feature", "1", "--lane", "doing", "--json"]);
    assert.equal(byFlag.code, 0, byFlag.stderr);
    assert.deepEqual(JSON.parse(byFlag.stdout).map((e: { feature: string }) => e.feature), [
      "001-alpha",
    ]);
    const missing = await sb.run(["tasks", "list", "--feature", "003-gamma"]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /no feature '003-gamma'/);

    const events = await sb.events();
    assert.deepEqual(events.map((e) => e.payload.feature_slug), ["002-beta", "001-alpha"]);
    // Branch and HEAD are the checkout's the command ran in; the identity is the main one's.
    await git(worktree, "commit", "-q", "--allow-empty", "-m", "work in the worktree");
    assert.deepEqual(events.map((e) => e.git_branch), ["002-beta", "wp-branch"]);
    assert.equal(events[1].head_commit_sha, await git(sb.repo, "rev-parse", "002-beta"));
    assert.equal(events[0].project_uuid, events[1].project_uuid);
    const note = await sb.run(["note", "WP01", "from the worktree"], { cwd: worktree });
    assert.equal(note.code, 0, note.stderr);
    const noted = (await sb.events()).at(-1)!;
    assert.equal(noted.git_branch, "wp-branch");
    assert.equal(noted.head_commit_sha, await git(worktree, "rev-parse", "HEAD"));
    assert.notEqual(noted.head_commit_sha, events[1].head_commit_sha);
  }));

Deno.test("names in any script, a warning for a repeated name, and the folder you are in", () =>
  withWorkSandbox(async (sb) => {
    const created: string[] = [];
    for (const name of ["日本語", "Привет мир", "Café Überblick ✨ 日本語", "Login Flow"]) {
      const out = await sb.run(["feature", "create", name, "--json"]);
      assert.equal(out.code, 0, out.stderr);
      assert.equal(out.stderr, "");
      created.push(JSON.parse(out.stdout).feature);
    }
    assert.deepEqual(created, [
      "001-日本語",
      "002-привет-мир",
      "003-cafe-uberblick-日本語",
      "004-login-flow",
    ]);
    const again = await sb.run(["feature", "create", "login flow"]);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stderr, /warning: 004-login-flow already has this name.*--feature 005/);
    const ambiguous = await sb.run(["tasks", "add", "x", "--feature", "Login Flow"]);
    assert.equal(ambiguous.code, 1);
    assert.match(ambiguous.stderr, /names 2 features: 004-login-flow, 005-login-flow/);

    // Inside kitty-specs/001-日本語/tasks the command works on that feature, whatever the branch.
    const tasks = join(sb.repo, "kitty-specs", "001-日本語", "tasks");
    const added = await sb.run(["tasks", "add", "日本", "--json"], { cwd: tasks });
    assert.equal(added.code, 0, added.stderr);
    const wp = JSON.parse(added.stdout);
    assert.equal(wp.feature, "001-日本語");
    assert.match(wp.path, /WP01-日本\.md$/);
    const finalized = await sb.run(["tasks", "finalize"], { cwd: join(tasks, "..") });
    assert.equal(finalized.code, 0, finalized.stderr);
    const events = await sb.events();
    assert.deepEqual(events.map((e) => e.payload.feature_slug), [
      ...created,
      "005-login-flow",
      "001-日本語",
    ]);
    assert.equal(events.at(-1)!.payload.title, "日本");
  }));
