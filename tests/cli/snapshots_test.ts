/**
 * Snapshots of the human-readable output of every command (tests/helpers/snapshot.ts): real
 * subprocesses with NO_COLOR, compared with `tests/cli/__snapshots__/*.txt`. An accidental change
 * of what users read fails here; an intended one is recorded with `deno task snapshots:update`.
 * This file: identity and work commands; snapshots_server_test.ts: auth, sync and serve.
 */
import { sandbox } from "../helpers/fs.ts";
import { Transcript } from "../helpers/snapshot.ts";

const NOTE = JSON.stringify({
  wp_id: "WP01",
  entry_type: "note",
  entry_content: "by hand",
  author: "script",
});

Deno.test("snapshot: identity and work commands", async () => {
  const sb = await sandbox({ name: "demo-repo", commit: true });
  const t = new Transcript().literal(sb.repo, "<repo>").literal(sb.home, "<home>");
  const opts = { cwd: sb.repo, home: sb.home };
  const run = (...args: string[]) => t.run(args, opts);
  try {
    await t.runAll([["--version"], ["--help"]], opts);
    await run("identity");
    await run("init");
    await run("init");
    await run("identity");
    await run("feature", "create", "Café ✨ 日本語");
    await run("tasks", "add", "Write the parser");
    await run("tasks", "add", "日本 review", "--depends", "WP01");
    await run("tasks", "add", "Third");
    await run("tasks", "add", "Fourth, under way");
    await run("tasks", "list");
    await run("tasks", "finalize");
    await run("tasks", "finalize");
    await run("implement", "WP02", "--agent", "claude");
    await run("implement", "WP02");
    await run("implement", "WP04");
    await run("move", "WP02", "--to", "for_review", "--note", "ready for review");
    await run("move", "WP01", "--to", "done");
    await run("move", "WP03", "--to", "canceled", "--force", "--reason", "not needed");
    await run("note", "WP02", "looks good", "--type", "review", "--author", "ann");
    await run("accept");
    await run("accept", "--allow-incomplete");
    await run("tasks", "list", "--lane", "done");
    await run("emit", "HistoryAdded", "--aggregate-id", "WP01", "--payload", NOTE);
    // Read-only from here on: run together, recorded in this order.
    await t.runAll([
      ["events", "--limit", "5"],
      ["sync", "diagnose"],
      ["sync", "server"],
      ["sync", "status"],
      ["sync", "dead-letter", "list"],
      ["sync", "dead-letter", "retry", "--all"],
      ["sync", "dead-letter", "drop"],
      ["sync", "import-spec-kitty"],
      ["auth", "status"],
      ["frobnicate"],
    ], opts);
    await t.check("work");
  } finally {
    await sb.cleanup();
  }
});
