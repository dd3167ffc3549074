/** The README's first quick-start command, `deno task demo`, runs the whole loop and says so. */
import assert from "node:assert/strict";
import { ROOT } from "../helpers/cli.ts";

Deno.test("deno task demo: server, login, commands, delivery; the server holds each event once", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["task", "--quiet", `--config=${ROOT}deno.json`, "demo"],
    cwd: ROOT,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stdout = new TextDecoder().decode(out.stdout);
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  assert.match(stdout, /kittify serve listening on http:\/\/127\.0\.0\.1:\d+/);
  assert.match(stdout, /Logged in as demo \(team demo-team\)/);
  assert.match(stdout, /Events\s+0 pending, 0 held, 0 dead, 7 recently synced/);
  assert.match(stdout, /7 events stored at the server, each exactly once/);
  assert.match(stdout, /demo finished/);
});
