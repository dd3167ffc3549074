/** Resident memory of a process from /proc (Linux only; undefined elsewhere). */

/** Peak resident set of a running process (VmHWM), MB. */
export async function peakRssMb(pid: number): Promise<number | undefined> {
  try {
    const status = await Deno.readTextFile(`/proc/${pid}/status`);
    const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1]);
    return Number.isFinite(kb) ? kb / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Samples a child's peak RSS until it exits; resolves with the last value seen, MB. */
export function watchPeakRss(child: Deno.ChildProcess, everyMs = 20): Promise<number | undefined> {
  let peak: number | undefined;
  let done = false;
  child.status.then(() => (done = true));
  return (async () => {
    while (!done) {
      const now = await peakRssMb(child.pid);
      if (now !== undefined) peak = Math.max(peak ?? 0, now);
      await new Promise((r) => setTimeout(r, everyMs));
    }
    return peak;
  })();
}
