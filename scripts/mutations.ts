/**
 * The mutations `deno task mutate` tries (scripts/mutate.ts): each a small deliberate bug in
 * `src/`, with the test files expected to catch it. `from` must occur exactly once in the file.
 * Add one whenever a bug slipped past the tests, together with the test that now catches it.
 */

export interface Mutation {
  name: string;
  /** Path relative to the repository root. */
  file: string;
  /** Applied in order; each `from` must occur exactly once. */
  edits: Array<{ from: string; to: string }>;
  /** Test files (relative to the root) that must fail with the mutation. */
  tests: string[];
  /** `deno test --filter`, to run only some tests of those files. */
  filter?: string;
}

export const MUTATIONS: Mutation[] = [
  {
    name: "identity: no per-process cache, warning key random",
    file: "src/identity/resolve.ts",
    edits: [
      { from: "let pending = cache.get(root);", to: "let pending = undefined;" },
      {
        from: "warnOnce(IDENTITY_WARNING, `${reason}; using the fallback",
        to: "warnOnce(crypto.randomUUID(), `${reason}; using the fallback",
      },
    ],
    tests: ["tests/identity/identity_cli_test.ts"],
  },
  {
    name: "server: project owners never read back from the store",
    file: "src/server/storage/kv/kv_events.ts",
    edits: [{
      from: "if (entry.value !== null) this.remember(",
      to: "if (entry.value !== null && entry.key.length < 0) this.remember(",
    }],
    tests: ["tests/server/serve_cli_test.ts"],
  },
  {
    name: "server: pongs ignored",
    file: "src/server/ws/event_socket.ts",
    edits: [{
      from:
        'case "pong":\n          clearTimeout(this.pongDeadline);\n          this.pongDeadline = undefined;',
      to: 'case "pong":',
    }],
    tests: ["tests/server/ws_test.ts"],
  },
  {
    name: "server: no guard for events without project_uuid",
    file: "src/server/ingest/screen.ts",
    edits: [{ from: "if (event.project_uuid === null) {", to: "if (false as boolean) {" }],
    tests: ["tests/server/batch_test.ts", "tests/server/ws_test.ts"],
  },
  {
    name: "server: a JSON array taken for the batch object",
    file: "src/server/http/json_body.ts",
    edits: [{
      from: 'if (typeof value !== "object" || value === null || Array.isArray(value)) {',
      to: 'if (typeof value !== "object" || value === null) {',
    }],
    tests: ["tests/server/batch_test.ts"],
  },
  {
    name: "identity: a .kittify folder alone does not mark the repository root",
    file: "src/identity/repo_root.ts",
    edits: [{
      from: "if (kittify?.isDirectory) return dir;",
      to: "if (kittify?.isDirectory && false) return dir;",
    }],
    tests: ["tests/identity/identity_cli_test.ts"],
  },
  {
    name: "home: default home is not ~/.spec-kitty",
    file: "src/common/home.ts",
    edits: [{ from: 'return join(home, ".spec-kitty");', to: 'return join(home, ".kittify");' }],
    tests: ["tests/identity/identity_cli_test.ts"],
  },
  {
    name: "size: no headroom for the Lamport value",
    file: "src/events/size.ts",
    edits: [{
      from: "if (bytes + LAMPORT_HEADROOM <= MAX_EVENT_BYTES) return null;",
      to: "if (bytes <= MAX_EVENT_BYTES) return null;",
    }],
    tests: ["tests/events/ids_and_time_test.ts", "tests/sync/emit_test.ts"],
  },
  {
    name: "size: the limit itself is refused",
    file: "src/events/size.ts",
    edits: [{
      from: "if (bytes + LAMPORT_HEADROOM <= MAX_EVENT_BYTES) return null;",
      to: "if (bytes + LAMPORT_HEADROOM < MAX_EVENT_BYTES) return null;",
    }],
    tests: ["tests/events/ids_and_time_test.ts", "tests/sync/emit_test.ts"],
  },
  {
    name: "size: characters counted instead of UTF-8 bytes",
    file: "src/events/size.ts",
    edits: [{
      from: "return new TextEncoder().encode(JSON.stringify(event)).length;",
      to: "return JSON.stringify(event).length;",
    }],
    tests: ["tests/events/ids_and_time_test.ts", "tests/sync/emit_test.ts"],
  },
  {
    name: "view: equal Lamport values decided by event_id before node_id",
    file: "src/server/view/order.ts",
    edits: [{
      from: "  if (a.node_id !== b.node_id) return a.node_id < b.node_id ? -1 : 1;\n",
      to: "",
    }],
    tests: ["tests/server/view_test.ts"],
    // The folds and the server, not only the unit test of compareOrder.
    filter: "/any order|shuffled arrival/",
  },
  {
    name: "validator: every required field named as missing",
    file: "src/events/validate.ts",
    edits: [{
      from: 'missing required field(s) [${missing.join(", ")}]',
      to: 'missing required field(s) [${rule.required.join(", ")}]',
    }],
    tests: ["tests/server/contract_fixtures_test.ts"],
  },
  {
    name: "sync status: held and dead counts swapped in the text",
    file: "src/cli/commands/sync.ts",
    edits: [{
      from: "`${n(q.pending)} pending, ${n(q.held)} held, ${n(q.dead)} dead, `",
      to: "`${n(q.pending)} pending, ${n(q.dead)} held, ${n(q.held)} dead, `",
    }],
    tests: ["tests/sync/cli_test.ts"],
  },
  {
    name: "sync status: project_root is the folder it runs in",
    file: "src/sync/status.ts",
    edits: [{ from: "    project_root: root,", to: "    project_root: cwd," }],
    tests: ["tests/sync/cli_test.ts"],
  },
  {
    name: "output: finalize lists what was announced before without saying so",
    file: "src/cli/commands/tasks.ts",
    edits: [{
      from: 'ink.dim(`already announced: ${report.already_announced.join(", ")}`)',
      to: 'ink.dim(report.already_announced.join(", "))',
    }],
    tests: ["tests/cli/snapshots_test.ts"],
  },
  {
    name: "output: serve user list leaves out when a user was added",
    file: "src/cli/commands/serve.ts",
    edits: [{ from: "`team ${u.team}, added ${u.created_at}` +", to: "`team ${u.team}` +" }],
    tests: ["tests/cli/snapshots_server_test.ts"],
  },
  {
    name: "output: the events table calls its time column TIME",
    file: "src/cli/commands/events.ts",
    edits: [{ from: '"TIME (UTC)"', to: '"TIME"' }],
    tests: ["tests/cli/snapshots_test.ts"],
  },
  {
    name: "server: events other processes store never reach this one's sockets",
    file: "src/server/server.ts",
    edits: [{
      from: "store.feed?.follow((team, events) => ctx.hub.publish(team, events))",
      to: "store.feed?.follow(() => {})",
    }],
    tests: ["tests/server/postgres_serve_test.ts"],
  },
  {
    name: "postgres: a duplicate in a batch counted as stored",
    file: "src/server/storage/postgres/pg_events.ts",
    edits: [{
      from: 'status: stored.has(id) ? "success" : "duplicate"',
      to: 'status: "success"',
    }],
    tests: ["tests/server/storage/postgres_store_test.ts"],
  },
  {
    name: "postgres: another team's project taken over",
    file: "src/server/storage/postgres/pg_events.ts",
    edits: [{
      from: "if (owners.get(c.event.project_uuid!) === team) mine.push(c);",
      to: "if (owners.get(c.event.project_uuid!) !== undefined) mine.push(c);",
    }],
    tests: ["tests/server/storage/postgres_store_test.ts"],
  },
  {
    name: "postgres: no catch-up after the listening connection comes back",
    file: "src/server/storage/postgres/pg_feed.ts",
    edits: [{ from: "() => this.enqueue(() => this.catchUp(listener)),", to: "() => {}," }],
    tests: ["tests/server/storage/postgres_feed_test.ts"],
  },
  {
    name: "postgres: a follower sends its own events back",
    file: "src/server/storage/postgres/pg_feed.ts",
    edits: [{
      from: "if (BigInt(payload) < this.horizon || this.handled.has(payload)) return;",
      to: "if (BigInt(payload) < this.horizon) return;",
    }],
    tests: ["tests/server/storage/postgres_feed_test.ts"],
  },
  {
    name: "git files: another ref of the branch's short name is ignored",
    file: "src/git/head_files.ts",
    edits: [{
      from: "if (rivals.some((path) => lstatSyncOrNull(path) !== null)) return null;",
      to: "",
    }],
    tests: ["tests/git/facts_test.ts"],
  },
  {
    name: "git files: a ref named HEAD is no rival",
    file: "src/git/head_files.ts",
    edits: [{
      from: 'return branch === "HEAD" ? head : [...head, branch',
      to: 'return branch === "HEAD" ? [] : [branch',
    }],
    tests: ["tests/git/facts_test.ts"],
  },
  {
    name: "git files: packed refs win over a newer loose ref",
    file: "src/git/head_files.ts",
    edits: [{ from: "sha ??= packedSha(", to: "sha = packedSha(" }],
    tests: ["tests/git/facts_test.ts"],
  },
  {
    name: "git files: packed-refs read however it is written",
    file: "src/git/head_files.ts",
    edits: [{
      from: "(sorted && match[1] <= previous)",
      to: "(sorted && match[1] < previous && false)",
    }],
    tests: ["tests/git/facts_test.ts"],
  },
  {
    name: "git files: insteadOf in the repository's config is not noticed",
    file: "src/git/origin_files.ts",
    edits: [{
      from: "if ([...local, ...outside].some(rewritesUrls))",
      to: "if (outside.some(rewritesUrls))",
    }],
    tests: ["tests/git/facts_test.ts"],
  },
  {
    name: "git files: a repository of another user is read anyway",
    file: "src/git/discover.ts",
    edits: [{ from: "owner === null || owner.uid !== uid", to: "owner === null" }],
    tests: ["tests/git/facts_test.ts"],
  },
  {
    name: "git files: a .git that is no repository is read anyway",
    file: "src/git/discover.ts",
    edits: [{
      from: "if (commonDir === null || !looksLikeRepository(gitDir, commonDir))",
      to: "if (commonDir === null)",
    }],
    tests: ["tests/git/facts_test.ts"],
  },
  {
    name: "git files: a config line git rejects is skipped",
    file: "src/git/config_syntax.ts",
    edits: [{
      from: "if (!entry || section === null) return null;",
      to: "if (!entry || section === null) continue;",
    }],
    tests: ["tests/git/facts_test.ts"],
  },
  {
    name: "git files: unknown repository extensions are accepted",
    file: "src/git/config_files.ts",
    edits: [{ from: 'if (e.section === "extensions") {', to: 'if (e.section === "extensionz") {' }],
    tests: ["tests/git/facts_test.ts"],
  },
  {
    name: "git files: HEAD never read from the files, git is always started",
    file: "src/git/head_files.ts",
    edits: [{
      from: "return readHead(dirs, OBJECT_ID[configs.objectFormat]);",
      to: "return readHead(dirs, OBJECT_ID[configs.objectFormat]) && null;",
    }],
    tests: ["tests/git/facts_test.ts"],
  },
  {
    name: "git files: the files' answers are read but git is started anyway",
    file: "src/git/facts.ts",
    edits: [
      { from: "if (head !== null) return `${head.sha}\\n${head.branch}`;", to: "" },
      { from: "if (url !== undefined) return url;", to: "" },
    ],
    tests: ["tests/git/facts_test.ts"],
  },
  {
    name: "git files: values git checks at start are not checked",
    file: "src/git/config_files.ts",
    edits: [{ from: "return rule === undefined || rule.test(e.value);", to: "return true;" }],
    tests: ["tests/git/facts_test.ts"],
  },
  {
    name: "git files: a ref twice in packed-refs is read past",
    file: "src/git/head_files.ts",
    edits: [{ from: "if (!match || seen.has(match[1]) ||", to: "if (!match ||" }],
    tests: ["tests/git/facts_test.ts"],
  },
  {
    name: "exit delivery: the budget counts from the attempt, not from the process's start",
    file: "src/sync/exit_delivery.ts",
    edits: [{
      from: "exitAttemptMs(deps.exitBudgetMs, deps.uptimeMs())",
      to: "exitAttemptMs(deps.exitBudgetMs, 0)",
    }],
    tests: ["tests/sync/exit_budget_test.ts"],
  },
];
