/** Lane changes through the CLI touch the `lane:` value only: everything else stays byte for byte. */
import assert from "node:assert/strict";
import { withWorkSandbox, wpPath } from "./work_sandbox.ts";

const F = "001-event-sync";

const ORIGINAL = `---
work_package_id: "WP01"
subtasks:
  - "T001"
  - "T002"
title: "Frontmatter: keep it"   # a comment
phase: 'Phase 1 - Setup'
lane: "planned"  # planned | doing | for_review | done
assignee: ""
history:
  - timestamp: "2025-01-01T00:00:00Z"
    lane: "planned"
    agent: "system"
    action: "Prompt generated via /spec-kitty.tasks"
unknown_tool_key: {nested: [1, 2, 3], flag: yes}
---

# Work Package Prompt: WP01 – Frontmatter: keep it

lane: planned
Body text with trailing spaces   
and a tab\there, unicode ✓, and no final newline`;

Deno.test("implement and move keep the frontmatter and body byte for byte", () =>
  withWorkSandbox(async (sb) => {
    const path = wpPath(sb.repo, F, "WP01-frontmatter-keep-it.md");
    await Deno.mkdir(wpPath(sb.repo, F, ""), { recursive: true });
    await Deno.writeTextFile(path, ORIGINAL);
    const implement = await sb.run(["implement", "WP01"]);
    assert.equal(implement.code, 0, implement.stderr);
    assert.equal(
      await Deno.readTextFile(path),
      ORIGINAL.replace('lane: "planned"  #', 'lane: "in_progress"  #'),
    );
    const move = await sb.run(["move", "WP01", "--to", "for_review"]);
    assert.equal(move.code, 0, move.stderr);
    assert.equal(
      await Deno.readTextFile(path),
      ORIGINAL.replace('lane: "planned"  #', 'lane: "for_review"  #'),
    );
    const list = await sb.run(["tasks", "list", "--json"]);
    assert.deepEqual(JSON.parse(list.stdout), [{
      feature: F,
      wp_id: "WP01",
      title: "Frontmatter: keep it",
      lane: "for_review",
      dependencies: [],
      path: `kitty-specs/${F}/tasks/WP01-frontmatter-keep-it.md`,
    }]);
  }));

Deno.test("a UTF-8 byte order mark (and CRLF) survive a lane change", () =>
  withWorkSandbox(async (sb) => {
    const path = wpPath(sb.repo, F, "WP01-bom.md");
    await Deno.mkdir(wpPath(sb.repo, F, ""), { recursive: true });
    const text = (lane: string) =>
      `\ufeff---\r\nwork_package_id: WP01\r\ntitle: Windows\r\nlane: ${lane}\r\n---\r\nbody ✓\r\n`;
    const encode = (s: string) => new TextEncoder().encode(s); // keeps U+FEFF as EF BB BF
    await Deno.writeFile(path, encode(text("planned")));
    const implement = await sb.run(["implement", "WP01"]);
    assert.equal(implement.code, 0, implement.stderr);
    assert.deepEqual(await Deno.readFile(path), encode(text("in_progress")));
    assert.equal((await sb.events()).length, 1);
  }));

Deno.test("a broken frontmatter is reported, never rewritten, and emits nothing", () =>
  withWorkSandbox(async (sb) => {
    const path = wpPath(sb.repo, F, "WP01-broken.md");
    await Deno.mkdir(wpPath(sb.repo, F, ""), { recursive: true });
    const broken = "---\ntitle: x\nlane: [planned\n---\nbody\n";
    await Deno.writeTextFile(path, broken);
    const result = await sb.run(["implement", "WP01"]);
    assert.equal(result.code, 1);
    assert.match(
      result.stderr,
      /WP01 cannot be used: .*WP01-broken\.md: invalid frontmatter \(line/,
    );
    const list = await sb.run(["tasks", "list"]);
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stderr, /warning: skipping .*WP01-broken\.md: invalid frontmatter/);
    assert.equal(await Deno.readTextFile(path), broken);
    assert.deepEqual(await sb.events(), []);
  }));
