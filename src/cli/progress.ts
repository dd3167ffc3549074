/**
 * A progress bar on stderr for long work, drawn only when stderr is a terminal (never in pipes,
 * logs or `--json` runs), redrawn at most ten times a second and erased when done.
 */
import { formatCount } from "./output.ts";

const WIDTH = 30;
const REDRAW_MS = 100;

export interface Progress {
  update(done: number): void;
  /** Erases the bar. */
  done(): void;
}

const SILENT: Progress = { update() {}, done() {} };

export function progressBar(label: string, total: number, enabled = true): Progress {
  if (!enabled || total <= 0 || !Deno.stderr.isTerminal()) return SILENT;
  const encoder = new TextEncoder();
  let last = 0;
  let drawn = false;
  const draw = (done: number) => {
    const ratio = Math.min(1, done / total);
    const filled = Math.round(ratio * WIDTH);
    const bar = `${"█".repeat(filled)}${"░".repeat(WIDTH - filled)}`;
    const text = `\r${label} ${bar} ${formatCount(done)}/` +
      `${formatCount(total)} (${Math.floor(ratio * 100)}%)`;
    Deno.stderr.writeSync(encoder.encode(text));
    drawn = true;
  };
  return {
    update(done) {
      const now = performance.now();
      if (now - last < REDRAW_MS && done < total) return;
      last = now;
      draw(done);
    },
    done() {
      if (drawn) Deno.stderr.writeSync(encoder.encode("\r\x1b[2K"));
    },
  };
}
