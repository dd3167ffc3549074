/**
 * Warnings go to stderr, one line each, never to stdout. `warnOnce` keys a warning so a
 * process prints it at most once however often the condition is met.
 */
import { paint } from "./style.ts";

const seen = new Set<string>();

export function warn(message: string): void {
  console.error(`${paint.yellow("warning:")} ${message}`);
}

export function warnOnce(key: string, message: string): void {
  if (seen.has(key)) return;
  seen.add(key);
  warn(message);
}
