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
    file: "src/server/ingest/ingest.ts",
    edits: [{
      from: "if (entry.value !== null) this.remember(",
      to: "if (entry.value !== null && entry.key.length < 0) this.remember(",
    }],
    tests: ["tests/server/serve_cli_test.ts"],
  },
];
