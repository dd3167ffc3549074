/**
 * The permission flags of the kittify binary, defined once. `deno task compile` bakes them into
 * the binaries, `deno task kittify` runs the CLI from source with them, and the end-to-end tests
 * spawn the CLI with exactly these flags, so tests see what users get.
 */
export const PERMISSION_FLAGS: readonly string[] = [
  "--allow-read",
  "--allow-write",
  "--allow-env",
  "--allow-net",
  "--allow-run=git",
  "--allow-sys=hostname,uid,gid,userInfo,osRelease",
];

/** Unstable APIs the binary needs (Deno KV). */
export const UNSTABLE_FLAGS: readonly string[] = ["--unstable-kv"];

/**
 * V8 tuning baked into the binary. A 2 MiB young generation keeps `kittify serve` at ~130 MB
 * RSS while ingesting 100,000 events (~185 MB with V8's default), and a heap that grows by half
 * rather than V8's default factor before collecting keeps the server's peak under a flood of
 * maximum-size batches at ~250 MB (~430 MB without) and `sync now` of 100,000 events under
 * 100 MB (~120 MB without); throughput stays within the benchmarks' run-to-run noise, and
 * short-lived commands are not affected measurably (scripts/bench/abuse_bench.ts, sync_bench.ts).
 * The young generation starts at that size too: growing from V8's 1 MiB start cost `implement`
 * two scavenges (~7 ms, a tenth of an empty process's start-up) before its first event.
 */
export const V8_FLAGS: readonly string[] = [
  "--v8-flags=--min-semi-space-size=2,--max-semi-space-size=2,--heap-growing-percent=50",
];

/** Everything `deno run` / `deno compile` needs besides the entry point. */
export const BINARY_FLAGS: readonly string[] = [
  ...PERMISSION_FLAGS,
  ...UNSTABLE_FLAGS,
  ...V8_FLAGS,
];
