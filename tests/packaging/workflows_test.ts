/**
 * The GitHub workflows are checked here, so that a broken one fails `deno task test` and not a
 * tag: GitHub's workflow schema (the validator of `action-validator`, from the npm registry),
 * then what a schema cannot see: jobs named in `needs`, outputs of jobs that are not needed,
 * matrix keys, scripts and deno tasks that do not exist. The release's helper scripts are checked
 * too (bash syntax; the tap/bucket push against a local repository).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { validateWorkflow } from "@action-validator/core";
import { parse } from "yaml";
import { PLATFORMS } from "../../scripts/release/package.ts";
import { ROOT } from "../helpers/cli.ts";
import { git, removeTree, tempDir } from "../helpers/fs.ts";

const WORKFLOWS = join(ROOT, ".github", "workflows");
const POSIX = Deno.build.os !== "windows";

interface Job {
  needs?: string | string[];
  strategy?: { matrix?: Record<string, unknown> & { include?: Record<string, unknown>[] } };
  steps?: Array<{ run?: string; uses?: string; with?: Record<string, unknown> }>;
  [key: string]: unknown;
}

async function workflows(): Promise<Array<{ name: string; text: string }>> {
  const files: Array<{ name: string; text: string }> = [];
  for await (const entry of Deno.readDir(WORKFLOWS)) {
    if (/\.ya?ml$/.test(entry.name)) {
      files.push({ name: entry.name, text: await Deno.readTextFile(join(WORKFLOWS, entry.name)) });
    }
  }
  return files.sort((a, b) => a.name.localeCompare(b.name));
}

Deno.test("every workflow is valid for GitHub's workflow schema", async () => {
  const all = await workflows();
  assert.deepEqual(all.map((w) => w.name), ["ci.yml", "release.yml"]);
  for (const { name, text } of all) {
    const { errors } = validateWorkflow(text) as { errors: unknown[] };
    assert.deepEqual(errors, [], `${name}: ${JSON.stringify(errors, null, 2)}`);
  }
  // The validator does catch a broken workflow.
  const broken = "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    step:\n      - run: x\n";
  assert.notDeepEqual((validateWorkflow(broken) as { errors: unknown[] }).errors, []);
});

Deno.test("workflows: needs, outputs, matrix keys, scripts and deno tasks all exist", async () => {
  const tasks = Object.keys(JSON.parse(await Deno.readTextFile(join(ROOT, "deno.json"))).tasks);
  for (const { name, text } of await workflows()) {
    const jobs = (parse(text) as { jobs: Record<string, Job> }).jobs;
    for (const [id, job] of Object.entries(jobs)) {
      const where = `${name} job ${id}`;
      const needs = [job.needs ?? []].flat();
      for (const need of needs) assert.ok(need in jobs, `${where} needs unknown job ${need}`);
      const body = JSON.stringify(job);
      for (const [, other] of body.matchAll(/needs\.([\w-]+)\.outputs/g)) {
        assert.ok(needs.includes(other), `${where} reads outputs of ${other}, not in its needs`);
      }
      const matrix = job.strategy?.matrix ?? {};
      const keys = new Set([
        ...Object.keys(matrix).filter((k) => k !== "include" && k !== "exclude"),
        ...(matrix.include ?? []).flatMap((row) => Object.keys(row)),
      ]);
      for (const [, key] of body.matchAll(/matrix\.([\w-]+)/g)) {
        assert.ok(keys.has(key), `${where} uses matrix.${key}, not in its matrix`);
      }
      for (const step of job.steps ?? []) {
        const run = step.run ?? "";
        for (const [path] of run.matchAll(/(?:\.\/)?scripts\/[\w./-]+\.(?:ts|sh|ps1)/g)) {
          await Deno.stat(join(ROOT, path)).catch(() => assert.fail(`${where}: no ${path}`));
        }
        for (const [, task] of run.matchAll(/deno task ([\w-]+)/g)) {
          assert.ok(tasks.includes(task), `${where}: no deno task ${task}`);
        }
      }
    }
  }
});

Deno.test("release workflow: tag trigger, a dry run, and a smoke test for each of the five platforms", async () => {
  const text = await Deno.readTextFile(join(WORKFLOWS, "release.yml"));
  const doc = parse(text) as { on: Record<string, unknown>; jobs: Record<string, Job> };
  assert.deepEqual(doc.on.push, { tags: ["v*"] });
  assert.equal(
    (doc.on.workflow_dispatch as { inputs: { dry_run: { default: boolean } } }).inputs.dry_run
      .default,
    true,
  );
  const include = doc.jobs.smoke.strategy!.matrix!.include!;
  assert.deepEqual(include.map((row) => row.platform).sort(), [...PLATFORMS].sort());
  for (const row of include) {
    assert.equal(row.ext, String(row.platform).startsWith("windows") ? "zip" : "tar.gz");
  }
  // Publishing and the tap/bucket updates happen only when the plan says so.
  assert.match(String(doc.jobs.publish.if), /needs\.plan\.outputs\.publish == 'true'/);
  for (const id of ["tap", "bucket"]) assert.ok([doc.jobs[id].needs].flat().includes("publish"));
  assert.match(String(doc.jobs["dry-run"].if), /needs\.plan\.outputs\.publish != 'true'/);
});

Deno.test({ name: "the release's bash scripts parse", ignore: !POSIX }, async () => {
  for (const script of ["brew_check.sh", "push_to_repo.sh"]) {
    const out = await new Deno.Command("bash", {
      args: ["-n", join(ROOT, "scripts", "release", script)],
      stderr: "piped",
    }).output();
    assert.equal(out.code, 0, `${script}: ${new TextDecoder().decode(out.stderr)}`);
  }
});

Deno.test({
  name: "push_to_repo.sh commits the file into the tap/bucket repository, once",
  ignore: !POSIX,
}, async () => {
  const dir = await tempDir();
  try {
    const bare = join(dir, "kittify", "homebrew-kittify.git");
    await Deno.mkdir(bare, { recursive: true });
    await git(bare, "init", "-q", "--bare", "-b", "main");
    const seed = join(dir, "seed");
    await Deno.mkdir(seed);
    await git(seed, "init", "-q", "-b", "main");
    await Deno.writeTextFile(join(seed, "README.md"), "tap\n");
    await git(seed, "add", ".");
    await git(seed, "commit", "-q", "-m", "start");
    await git(seed, "push", "-q", bare, "main");
    const formula = join(dir, "kittify.rb");
    await Deno.writeTextFile(formula, "class Kittify < Formula\nend\n");
    const push = () =>
      new Deno.Command("bash", {
        args: [
          join(ROOT, "scripts", "release", "push_to_repo.sh"),
          "kittify/homebrew-kittify",
          "Formula/kittify.rb",
          formula,
          "kittify 9.9.9",
        ],
        env: { RELEASE_REPOS_BASE: dir, RELEASE_REPOS_TOKEN: "" },
        stdout: "piped",
        stderr: "piped",
      }).output();
    const first = await push();
    assert.equal(first.code, 0, new TextDecoder().decode(first.stderr));
    assert.match(new TextDecoder().decode(first.stdout), /pushed Formula\/kittify\.rb/);
    assert.equal(await git(bare, "log", "-1", "--format=%s"), "kittify 9.9.9");
    assert.equal(
      await git(bare, "show", "main:Formula/kittify.rb"),
      "class Kittify < Formula\nend",
    );
    const again = await push();
    assert.equal(again.code, 0);
    assert.match(new TextDecoder().decode(again.stdout), /already up to date/);
    assert.equal(await git(bare, "rev-list", "--count", "main"), "2");
  } finally {
    await removeTree(dir);
  }
});

Deno.test({
  name: "push_to_repo.sh without the token secret says which secret is missing",
  ignore: !POSIX,
}, async () => {
  const out = await new Deno.Command("bash", {
    args: [join(ROOT, "scripts", "release", "push_to_repo.sh"), "o/r", "f", "/dev/null", "m"],
    env: { RELEASE_REPOS_TOKEN: "", RELEASE_REPOS_BASE: "" },
    stderr: "piped",
  }).output();
  assert.equal(out.code, 1);
  assert.match(new TextDecoder().decode(out.stderr), /^error: RELEASE_REPOS_TOKEN is empty/);
});
