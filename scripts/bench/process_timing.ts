/** Times whole processes: medians and percentiles over repeated runs (no shell in between). */

export interface Timing {
  name: string;
  runs: number;
  medianMs: number;
  p90Ms: number;
}

function percentile(sorted: number[], p: number): number {
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1));
  return sorted[index];
}

/** One run of a whole process, in ms; it must exit 0. */
async function timeOnce(name: string, command: () => Deno.Command): Promise<number> {
  const start = performance.now();
  const out = await command().output();
  const elapsed = performance.now() - start;
  if (!out.success) {
    throw new Error(`${name} exited ${out.code}: ${new TextDecoder().decode(out.stderr)}`);
  }
  return elapsed;
}

function timingOf(name: string, samples: number[]): Timing {
  samples.sort((a, b) => a - b);
  return {
    name,
    runs: samples.length,
    medianMs: percentile(samples, 0.5),
    p90Ms: percentile(samples, 0.9),
  };
}

/** Runs `command` `warmup + runs` times; every run must exit 0. */
export async function timeProcess(
  name: string,
  command: () => Deno.Command,
  runs = 25,
  warmup = 3,
): Promise<Timing> {
  const samples: number[] = [];
  for (let i = 0; i < warmup + runs; i++) {
    const elapsed = await timeOnce(name, command);
    if (i >= warmup) samples.push(elapsed);
  }
  return timingOf(name, samples);
}

export interface TimedCase {
  name: string;
  command: () => Deno.Command;
  /** Fewer runs than the others (a slow case); it takes part in the first rounds only. */
  runs?: number;
}

/**
 * Times every case in rounds (each round runs each case once, in order), so that a change in the
 * machine's load during the run weighs on every case alike and the ratios between them hold.
 */
export async function timeInterleaved(
  cases: TimedCase[],
  runs = 25,
  warmup = 3,
): Promise<Timing[]> {
  const samples = cases.map(() => [] as number[]);
  for (let round = 0; round < warmup + runs; round++) {
    for (const [i, c] of cases.entries()) {
      if (round >= warmup + (c.runs ?? runs)) continue;
      const elapsed = await timeOnce(c.name, c.command);
      if (round >= warmup) samples[i].push(elapsed);
    }
  }
  return cases.map((c, i) => timingOf(c.name, samples[i]));
}

/** A table of timings with ratios against the first row (the baseline) and a fixed reference. */
export function formatTimings(timings: Timing[], reference?: { label: string; ms: number }) {
  const base = timings[0];
  const rows = timings.map((t) => {
    const vsBase = (t.medianMs / base.medianMs).toFixed(2);
    const vsRef = reference
      ? `  ${(reference.ms / t.medianMs).toFixed(1)}x faster than ${reference.label}`
      : "";
    return `${t.name.padEnd(34)} median ${t.medianMs.toFixed(1).padStart(7)} ms  p90 ${
      t.p90Ms.toFixed(1).padStart(7)
    } ms  ${vsBase}x baseline${vsRef}`;
  });
  return rows.join("\n");
}
