/** CLI basics as users see them: version, help, usage errors, user errors, internal errors. */
import assert from "node:assert/strict";
import { runKittify } from "../helpers/cli.ts";
import { sandbox } from "../helpers/fs.ts";
import { reportError } from "../../src/cli/run.ts";
import { EXIT, UserError } from "../../src/common/errors.ts";
import { VERSION } from "../../src/cli/version.ts";

Deno.test("--version, --help and <cmd> --help print to stdout and exit 0", async () => {
  const sb = await sandbox();
  try {
    const opts = { cwd: sb.repo, home: sb.home };
    const version = await runKittify(["--version"], opts);
    assert.deepEqual([version.code, version.stdout], [0, `kittify ${VERSION}\n`]);
    const help = await runKittify(["--help"], opts);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /Usage: kittify/);
    assert.match(help.stdout, /identity/);
    const sub = await runKittify(["init", "--help"], opts);
    assert.equal(sub.code, 0);
    assert.match(sub.stdout, /--repair/);
    assert.equal(sub.stderr, "");
  } finally {
    await sb.cleanup();
  }
});

Deno.test("unknown commands and flags: one-line error plus hint, exit 2", async () => {
  const sb = await sandbox();
  try {
    const opts = { cwd: sb.repo, home: sb.home };
    const cmd = await runKittify(["identiy"], opts);
    assert.equal(cmd.code, EXIT.USAGE);
    assert.deepEqual(cmd.stderr.trimEnd().split("\n"), [
      "error: unknown command 'identiy'",
      "hint: Did you mean identity? See 'kittify --help'.",
    ]);
    const flag = await runKittify(["identity", "--jsn"], opts);
    assert.equal(flag.code, EXIT.USAGE);
    assert.match(
      flag.stderr,
      /^error: unknown option '--jsn'\nhint: .*--json.*kittify identity --help/,
    );
    assert.equal(flag.stdout, "");
    const nested = await runKittify(["feature", "create"], opts);
    assert.equal(nested.code, EXIT.USAGE);
    assert.match(
      nested.stderr,
      /^error: missing required argument .*\nhint: see 'kittify feature create --help'\n$/,
    );
    const group = await runKittify(["sync", "stauts"], opts);
    assert.equal(group.code, EXIT.USAGE);
    assert.match(group.stderr, /hint: Did you mean status\? See 'kittify sync --help'\./);
  } finally {
    await sb.cleanup();
  }
});

function captureStderr(fn: () => number): { code: number; text: string } {
  const original = console.error;
  const lines: string[] = [];
  console.error = (...args: unknown[]) => lines.push(args.join(" "));
  try {
    // deno-lint-ignore no-control-regex
    return { code: fn(), text: lines.join("\n").replace(/\x1b\[[0-9;]*m/g, "") };
  } finally {
    console.error = original;
  }
}

Deno.test("user errors: message and hint, no stack; bugs: stack only with --debug", () => {
  const user = captureStderr(() =>
    reportError(new UserError("bad input", { hint: "fix it" }), false)
  );
  assert.equal(user.code, EXIT.USER);
  assert.match(user.text, /error: bad input\n.*hint:.* fix it$/);
  const bug = captureStderr(() => reportError(new TypeError("boom"), false));
  assert.equal(bug.code, EXIT.INTERNAL);
  assert.match(bug.text, /internal error:.* boom/);
  assert.doesNotMatch(bug.text, /\s+at /);
  assert.match(bug.text, /--debug/);
  const debug = captureStderr(() => reportError(new TypeError("boom"), true));
  assert.match(debug.text, /TypeError: boom\n\s+at /);
});

Deno.test("--json: a failing command still prints one JSON document with the error", async () => {
  const sb = await sandbox({ git: false });
  try {
    const opts = { cwd: sb.repo, home: sb.home };
    const outside = await runKittify(["implement", "WP01", "--json"], opts);
    assert.equal(outside.code, EXIT.USER);
    assert.deepEqual(JSON.parse(outside.stdout), {
      error: {
        message: `not inside a git repository or spec-kitty project: ${sb.repo}`,
        hint: "run kittify inside a git repository, or create one with `kittify init`",
        exit_code: 1,
      },
    });
    assert.match(outside.stderr, /^error: not inside a git repository/);
    const usage = await runKittify(["tasks", "list", "--bogus", "--json"], opts);
    assert.equal(usage.code, EXIT.USAGE);
    // The same message and hint as the two lines on stderr.
    assert.deepEqual(JSON.parse(usage.stdout), {
      error: {
        message: "unknown option '--bogus'",
        hint: "see 'kittify tasks list --help'",
        exit_code: 2,
      },
    });
    assert.equal(
      usage.stderr,
      "error: unknown option '--bogus'\nhint: see 'kittify tasks list --help'\n",
    );
    const typo = await runKittify(["idnetity", "--json"], opts);
    assert.deepEqual(JSON.parse(typo.stdout).error, {
      message: "unknown command 'idnetity'",
      hint: "Did you mean identity? See 'kittify --help'.",
      exit_code: 2,
    });
    const dead = await runKittify(["sync", "dead-letter", "retry", "01BOGUS", "--json"], opts);
    assert.equal(dead.code, EXIT.USER);
    assert.deepEqual(JSON.parse(dead.stdout), { requeued: [], missing: ["01BOGUS"] });
  } finally {
    await sb.cleanup();
  }
});
