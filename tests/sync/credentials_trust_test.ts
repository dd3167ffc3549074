/**
 * The credentials file is trusted as ssh trusts keys: readable by others, owned by another user
 * (also through a symlink), or naming a team that is not a slug, it is not used, and the reason
 * says how to fix it.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { runKittify } from "../helpers/cli.ts";
import { sandbox } from "../helpers/fs.ts";

const CREDENTIALS = (team: string) =>
  `[tokens]\naccess = "a.b.c"\nrefresh = "d.e.f"\naccess_expires_at = "2999-01-01T00:00:00"\n` +
  `refresh_expires_at = "2999-01-01T00:00:00"\n\n[user]\nusername = "ann"\nteam_slug = "${team}"\n\n` +
  `[server]\nurl = "http://127.0.0.1:8787"\n`;

const POSIX = Deno.build.os !== "windows";

async function authStatus(cwd: string, home: string) {
  const r = await runKittify(["auth", "status", "--json"], { cwd, home });
  return { code: r.code, status: JSON.parse(r.stdout), stderr: r.stderr };
}

Deno.test({
  name: "credentials readable by others, or another user's, are not used",
  ignore: !POSIX,
}, async () => {
  const sb = await sandbox({ commit: true });
  try {
    await Deno.mkdir(sb.home, { recursive: true });
    const path = join(sb.home, "credentials");
    await Deno.writeTextFile(path, CREDENTIALS("acme"), { mode: 0o600 });
    assert.equal((await authStatus(sb.repo, sb.home)).status.logged_in, true);

    await Deno.chmod(path, 0o644);
    const loose = await authStatus(sb.repo, sb.home);
    assert.equal(loose.code, 3);
    assert.equal(loose.status.logged_in, false);
    assert.match(loose.stderr, /can be read or changed by other users \(mode 644\).*chmod 600/);

    // Another user's file, reached through a symlink (only root can make one here).
    if (Deno.uid() === 0) {
      const theirs = join(sb.home, "..", "someone-elses");
      await Deno.writeTextFile(theirs, CREDENTIALS("acme"), { mode: 0o600 });
      await Deno.chown(theirs, 65534, 65534);
      await Deno.remove(path);
      await Deno.symlink(theirs, path);
      const foreign = await authStatus(sb.repo, sb.home);
      assert.equal(foreign.status.logged_in, false);
      assert.match(foreign.stderr, /belongs to another user \(uid 65534\)/);
    }
  } finally {
    await sb.cleanup();
  }
});

Deno.test("a team that is not a slug never goes into an event", async () => {
  const sb = await sandbox({ commit: true });
  try {
    await Deno.mkdir(sb.home, { recursive: true });
    await Deno.writeTextFile(join(sb.home, "credentials"), CREDENTIALS("Evil\\nTeam\u202e"), {
      mode: 0o600,
    });
    const status = await authStatus(sb.repo, sb.home);
    assert.equal(status.status.logged_in, false);
    assert.match(status.stderr, /which is not a team slug/);
    const emitted = await runKittify(
      [
        "emit",
        "HistoryAdded",
        "--aggregate-id",
        "WP01",
        "--payload",
        '{"wp_id":"WP01","entry_type":"note","entry_content":"x"}',
        "--json",
      ],
      { cwd: sb.repo, home: sb.home },
    );
    assert.equal(emitted.code, 0, emitted.stderr);
    assert.equal(JSON.parse(emitted.stdout).team_slug, "local");
  } finally {
    await sb.cleanup();
  }
});
