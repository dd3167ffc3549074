/**
 * `sync server [URL]`: reading and setting `[sync] server_url` in `<home>/config.toml`. The file
 * is patched, not rewritten: other keys, comments and layout stay as they were (toml-patch).
 */
import { insecureUrlProblem, normalizeServerUrl } from "../auth/server_url.ts";
import { atomicWrite } from "../common/atomic_write.ts";
import { UserError } from "../common/errors.ts";
import { configTomlPath } from "./config.ts";

/** A server URL as typed, checked: http(s) with a host, https unless the host is loopback. */
export function checkedServerUrl(input: string): string {
  if (/^[a-z][a-z0-9+.-]*:\/\/[^/]*@/i.test(input.trim())) {
    // Never repeat a password typed into a URL.
    throw new UserError("a server URL must not hold a user name or password", {
      hint: "give the URL alone, then log in with `kittify auth login`",
    });
  }
  const url = normalizeServerUrl(input);
  if (url === null) {
    throw new UserError(`'${input}' is not a server URL`, {
      hint: "e.g. https://sync.example.com, or http://127.0.0.1:8787 for a local `kittify serve`",
    });
  }
  const problem = insecureUrlProblem(url);
  if (problem) throw new UserError(problem, { hint: "use https:// for a server on another host" });
  return url;
}

/** Sets `[sync] server_url`, keeping everything else in the file; returns the file's path. */
export async function writeServerUrl(home: string, url: string): Promise<string> {
  const path = configTomlPath(home);
  let text = "";
  try {
    text = await Deno.readTextFile(path);
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
  const { parse, patch } = await import("toml-patch");
  let doc: Record<string, unknown>;
  try {
    doc = text.trim() === "" ? {} : parse(text);
  } catch (err) {
    throw new UserError(`${path} is not valid TOML; it was left untouched`, {
      hint: `fix or remove it (${(err as Error).message.split("\n")[0]})`,
    });
  }
  const sync = typeof doc.sync === "object" && doc.sync !== null && !Array.isArray(doc.sync)
    ? doc.sync as Record<string, unknown>
    : {};
  doc.sync = { ...sync, server_url: url };
  const next = patch(text, doc);
  await Deno.mkdir(home, { recursive: true, mode: 0o700 });
  await atomicWrite(path, next.endsWith("\n") ? next : `${next}\n`, 0o600);
  return path;
}
