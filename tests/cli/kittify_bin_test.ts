/** KITTIFY_BIN switches every CLI run of the tests from `deno run main.ts` to a compiled binary. */
import assert from "node:assert/strict";
import { ROOT } from "../helpers/cli.ts";

async function argvWith(env: Record<string, string>, unset: boolean): Promise<string[]> {
  const code = `import { cliArgv } from "${ROOT}tests/helpers/cli.ts";\n` +
    `console.log(JSON.stringify(cliArgv(["tasks", "list"])));`;
  const base = Object.fromEntries(
    Object.entries(Deno.env.toObject()).filter(([name]) => !unset || name !== "KITTIFY_BIN"),
  );
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["eval", `--config=${ROOT}deno.json`, code],
    clearEnv: true,
    env: { ...base, ...env },
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  return JSON.parse(new TextDecoder().decode(out.stdout));
}

Deno.test("KITTIFY_BIN=path runs that binary with the command's arguments only", async () => {
  const bin = Deno.build.os === "windows" ? "C:\\bin\\kittify.exe" : "/opt/bin/kittify";
  assert.deepEqual(await argvWith({ KITTIFY_BIN: bin }, false), [bin, "tasks", "list"]);
});

Deno.test("without KITTIFY_BIN the CLI runs from source with the binary's flags", async () => {
  const argv = await argvWith({}, true);
  assert.equal(argv[0], Deno.execPath());
  assert.equal(argv[1], "run");
  assert.ok(argv.includes("--unstable-kv"));
  assert.deepEqual(argv.slice(-3), [`${ROOT}main.ts`, "tasks", "list"]);
});
