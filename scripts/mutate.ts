/**
 * `deno task mutate [--no-baseline] [name...]`: mutation testing, run by hand (not part of
 * `deno task test`). Each mutation of scripts/mutations.ts is a small deliberate bug in `src/`; it
 * is applied, one at a time, to a temporary copy of this checkout (the files git tracks or would
 * track, so `src/` here is never changed), the tests that cover it are run in that copy, and the
 * file is restored before the next one. A mutation the tests do not notice **survived**: the
 * tests need a case that fails with that bug.
 *
 * First the covering test files are run once unmutated (`--no-baseline` skips that): a test that
 * fails anyway would make every mutation look caught. A mutation whose text no longer occurs
 * exactly once in its file, or that does not type-check, is reported as stale: update its entry.
 * Exit code 1 if anything survived or is stale.
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Mutation, MUTATIONS } from "./mutations.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
/** A test run that takes longer than this is stopped and counted as caught (a hang). */
const TEST_TIMEOUT_MS = 10 * 60_000;

type Verdict = "caught" | "SURVIVED" | "stale" | "timeout";

async function run(
  args: string[],
  cwd: string,
  timeoutMs = TEST_TIMEOUT_MS,
): Promise<{ code: number; output: string; timedOut: boolean }> {
  const child = new Deno.Command(Deno.execPath(), {
    args,
    cwd,
    env: { NO_COLOR: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    try {
      child.kill("SIGKILL");
    } catch {
      // already gone
    }
  }, timeoutMs);
  const out = await child.output();
  clearTimeout(timer);
  const dec = new TextDecoder();
  return {
    code: out.code,
    output: dec.decode(out.stdout) + dec.decode(out.stderr),
    timedOut,
  };
}

/** Copies the files git tracks (or would track) into a fresh temporary folder. */
async function copyCheckout(): Promise<string> {
  const list = await new Deno.Command("git", {
    args: ["ls-files", "-z", "--cached", "--others", "--exclude-standard"],
    cwd: ROOT,
    stdout: "piped",
  }).output();
  if (!list.success) throw new Error("git ls-files failed: run this inside the git checkout");
  const dir = await Deno.makeTempDir({ prefix: "kittify-mutate-" });
  const files = new TextDecoder().decode(list.stdout).split("\0").filter((f) => f !== "");
  for (const file of files) {
    const target = join(dir, file);
    await Deno.mkdir(dirname(target), { recursive: true });
    try {
      await Deno.copyFile(join(ROOT, file), target);
    } catch (err) {
      if (!(err instanceof Deno.errors.NotFound)) throw err; // deleted but not staged
    }
  }
  return dir;
}

function testArgs(mutation: Pick<Mutation, "tests" | "filter">): string[] {
  return [
    "test",
    "--quiet",
    "--allow-all",
    "--no-check", // type-checked once per mutation, below
    "--parallel",
    ...(mutation.filter ? ["--filter", mutation.filter] : []),
    ...mutation.tests,
  ];
}

/** Applies the mutation's edits to `text`, or says why it cannot. */
function apply(mutation: Mutation, text: string): string | { stale: string } {
  let out = text;
  for (const { from, to } of mutation.edits) {
    const count = out.split(from).length - 1;
    if (count !== 1) return { stale: `${JSON.stringify(from)} occurs ${count} times` };
    out = out.replace(from, () => to);
  }
  return out;
}

async function tryMutation(copy: string, mutation: Mutation): Promise<[Verdict, string]> {
  const file = join(copy, mutation.file);
  const original = await Deno.readTextFile(file);
  const mutated = apply(mutation, original);
  if (typeof mutated !== "string") return ["stale", mutated.stale];
  await Deno.writeTextFile(file, mutated);
  try {
    const check = await run(["check", "--quiet", mutation.file], copy);
    if (check.code !== 0) return ["stale", `does not type-check:\n${check.output}`];
    const tests = await run(testArgs(mutation), copy);
    if (tests.timedOut) return ["timeout", ""];
    return tests.code === 0 ? ["SURVIVED", ""] : ["caught", failedTests(tests.output)];
  } finally {
    await Deno.writeTextFile(file, original);
  }
}

/** The names of the failed tests in a `deno test` output. */
function failedTests(output: string): string {
  const names = [...output.matchAll(/^(.+?) \.\.\. FAILED/gm)].map((m) => m[1].trim());
  return [...new Set(names)].join("; ");
}

if (import.meta.main) {
  const baseline = !Deno.args.includes("--no-baseline");
  const names = Deno.args.filter((a) => !a.startsWith("--"));
  const chosen = names.length === 0
    ? MUTATIONS
    : MUTATIONS.filter((m) => names.some((n) => m.name.includes(n)));
  if (chosen.length === 0) {
    console.error(`no mutation matches ${names.join(", ")}`);
    Deno.exit(2);
  }
  const copy = await copyCheckout();
  let bad = 0;
  try {
    if (baseline) {
      const files = [...new Set(chosen.flatMap((m) => m.tests))];
      console.log(`baseline: ${files.length} test files, unmutated`);
      const clean = await run(testArgs({ tests: files }), copy);
      if (clean.code !== 0) {
        console.error(`the tests fail without any mutation:\n${clean.output}`);
        Deno.exit(1);
      }
    }
    for (const mutation of chosen) {
      const started = performance.now();
      const [verdict, detail] = await tryMutation(copy, mutation);
      const seconds = ((performance.now() - started) / 1000).toFixed(0).padStart(4);
      console.log(`${verdict.padEnd(8)} ${seconds}s  ${mutation.name}  (${mutation.file})`);
      if (detail) console.log(`               ${detail.replaceAll("\n", "\n               ")}`);
      if (verdict === "SURVIVED" || verdict === "stale") bad++;
    }
  } finally {
    await Deno.remove(copy, { recursive: true });
  }
  console.log(bad === 0 ? "every mutation was caught" : `${bad} mutation(s) survived or stale`);
  Deno.exit(bad === 0 ? 0 : 1);
}
