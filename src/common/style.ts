/** Terminal colour that respects NO_COLOR (https://no-color.org) and non-TTY output. */

function colourEnabled(fd: "stdout" | "stderr"): boolean {
  try {
    if (Deno.env.get("NO_COLOR")) return false;
    if (Deno.env.get("FORCE_COLOR")) return true;
    return fd === "stdout" ? Deno.stdout.isTerminal() : Deno.stderr.isTerminal();
  } catch {
    return false;
  }
}

function wrap(open: number, close: number, fd: "stdout" | "stderr") {
  return (text: string) => colourEnabled(fd) ? `\x1b[${open}m${text}\x1b[${close}m` : text;
}

/** Colours for stderr (warnings, errors, progress). */
export const paint = {
  red: wrap(31, 39, "stderr"),
  yellow: wrap(33, 39, "stderr"),
  dim: wrap(2, 22, "stderr"),
};

/** Colours for stdout (human-readable results). */
export const ink = {
  green: wrap(32, 39, "stdout"),
  yellow: wrap(33, 39, "stdout"),
  bold: wrap(1, 22, "stdout"),
  dim: wrap(2, 22, "stdout"),
};
