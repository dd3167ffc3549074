/**
 * Running kittify in your own repository from this checkout: `deno task install` (a global
 * command with exactly the binary's flags, running where you are), `deno task uninstall`, and
 * `deno task kittify`, which runs where it was started, not where an inherited INIT_CWD points.
 */
import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { BINARY_FLAGS } from "../../src/cli/permissions.ts";
import { ROOT } from "../helpers/cli.ts";
import { sandbox } from "../helpers/fs.ts";

function denoTask(args: string[], cwd: string, env: Record<string, string>) {
  return new Deno.Command(Deno.execPath(), {
    args: ["task", "--quiet", `--config=${ROOT}deno.json`, ...args],
    cwd,
    // Without what npm or an outer `deno task` (these tests run inside one) left in ours.
    clearEnv: true,
    env: { ...cleanEnv(), NO_COLOR: "1", ...env },
    stdout: "piped",
    stderr: "piped",
  }).output();
}

function cleanEnv(): Record<string, string> {
  return Object.fromEntries(
    Object.entries(Deno.env.toObject()).filter(([key]) =>
      key !== "INIT_CWD" && !key.toLowerCase().startsWith("npm_")
    ),
  );
}

const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

Deno.test("deno task install: a kittify command with the binary's flags that runs where you are", async () => {
  const sb = await sandbox({ commit: true });
  const installRoot = join(sb.home, "..", "deno-install");
  try {
    const installed = await denoTask(["install"], sb.repo, { DENO_INSTALL_ROOT: installRoot });
    assert.equal(installed.code, 0, decode(installed.stderr));
    const shim = join(installRoot, "bin", Deno.build.os === "windows" ? "kittify.cmd" : "kittify");
    const text = await Deno.readTextFile(shim);
    for (const flag of BINARY_FLAGS) assert.ok(text.includes(flag), `the shim carries ${flag}`);

    const run = await new Deno.Command(shim, {
      args: ["init", "--json"],
      cwd: sb.repo,
      env: {
        KITTIFY_HOME: sb.home,
        NO_COLOR: "1",
        PATH: `${dirname(Deno.execPath())}${Deno.build.os === "windows" ? ";" : ":"}${
          Deno.env.get("PATH") ?? ""
        }`,
      },
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(run.code, 0, decode(run.stderr));
    assert.equal(
      JSON.parse(decode(run.stdout)).identity.config_path,
      join(sb.repo, ".kittify", "config.yaml"),
    );

    const removed = await denoTask(["uninstall"], sb.repo, { DENO_INSTALL_ROOT: installRoot });
    assert.equal(removed.code, 0, decode(removed.stderr));
    await assert.rejects(Deno.stat(shim), Deno.errors.NotFound);
  } finally {
    await sb.cleanup();
  }
});

Deno.test({
  name: "deno task install without deno on PATH (npx): the command runs the Deno that installed it",
  ignore: Deno.build.os === "windows",
  fn: async () => {
    const sb = await sandbox({ commit: true });
    const installRoot = join(sb.home, "..", "deno-install");
    // A PATH with git and nothing else (wherever this machine keeps deno).
    const bare = join(sb.home, "..", "bare-path");
    await Deno.mkdir(bare);
    const git = (await new Deno.Command("sh", { args: ["-c", "command -v git"] }).output()).stdout;
    await Deno.symlink(decode(git).trim(), join(bare, "git"));
    try {
      const installed = await denoTask(["install"], sb.repo, {
        DENO_INSTALL_ROOT: installRoot,
        PATH: bare,
      });
      assert.equal(installed.code, 0, decode(installed.stderr));
      const out = decode(installed.stdout);
      assert.match(out, /`deno` is not on your PATH: kittify runs with /);
      assert.ok(out.includes(`${join(installRoot, "bin")} is not on your PATH yet`), out);
      const shim = join(installRoot, "bin", "kittify");
      assert.ok((await Deno.readTextFile(shim)).includes(`exec '${Deno.execPath()}' run`));
      const run = await new Deno.Command(shim, {
        args: ["identity", "--json"],
        cwd: sb.repo,
        env: { KITTIFY_HOME: sb.home, NO_COLOR: "1", PATH: bare },
        stdout: "piped",
        stderr: "piped",
      }).output();
      assert.equal(run.code, 0, decode(run.stderr));
      assert.equal(JSON.parse(decode(run.stdout)).source, "config");
    } finally {
      await sb.cleanup();
    }
  },
});

Deno.test("deno task kittify: runs in your folder, whatever INIT_CWD an npm script left", async () => {
  const sb = await sandbox({ commit: true });
  const other = await sandbox({ commit: true });
  try {
    // A `--` after the task name, as npm users type it, is the task's, not kittify's.
    const here = await denoTask(["kittify", "--", "init", "--json"], sb.repo, {
      KITTIFY_HOME: sb.home,
    });
    assert.equal(here.code, 0, decode(here.stderr));
    assert.equal(
      JSON.parse(decode(here.stdout)).identity.config_path,
      join(sb.repo, ".kittify", "config.yaml"),
    );

    // npx sets INIT_CWD to the folder it runs in: that is the user's folder.
    await Deno.remove(join(sb.repo, ".kittify"), { recursive: true });
    const npx = await denoTask(["kittify", "init"], sb.repo, {
      KITTIFY_HOME: sb.home,
      INIT_CWD: sb.repo,
      npm_lifecycle_event: "npx",
      npm_command: "exec",
    });
    assert.equal(npx.code, 0, decode(npx.stderr));
    await Deno.stat(join(sb.repo, ".kittify", "config.yaml"));

    // An npm script that went into `other` left INIT_CWD naming the folder npm started in.
    const stale = await denoTask(["kittify", "init"], other.repo, {
      KITTIFY_HOME: sb.home,
      INIT_CWD: sb.repo,
      npm_lifecycle_event: "build",
    });
    if (Deno.build.os === "linux") {
      // The folder comes from `deno task` itself: kittify runs where it was started.
      assert.equal(stale.code, 0, decode(stale.stderr));
      await Deno.stat(join(other.repo, ".kittify", "config.yaml"));
    } else {
      assert.equal(stale.code, 2);
      assert.match(decode(stale.stderr), /inside an npm script/);
      await assert.rejects(Deno.stat(join(other.repo, ".kittify")), Deno.errors.NotFound);
    }
  } finally {
    await other.cleanup();
    await sb.cleanup();
  }
});
