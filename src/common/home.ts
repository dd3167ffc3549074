/** The user home of kittify: `$KITTIFY_HOME`, default `~/.spec-kitty` (shared with spec-kitty). */
import { join } from "./path.ts";
import { UserError } from "./errors.ts";

export function kittifyHome(): string {
  const override = Deno.env.get("KITTIFY_HOME");
  if (override) return override;
  const home = Deno.env.get("HOME") ?? Deno.env.get("USERPROFILE");
  if (!home) {
    throw new UserError("cannot find your home directory", {
      hint: "set HOME, or KITTIFY_HOME to the directory kittify should use",
    });
  }
  return join(home, ".spec-kitty");
}

/** Creates the home directory (mode 0700) if it does not exist yet and returns its path. */
export async function ensureHome(): Promise<string> {
  const dir = kittifyHome();
  try {
    await Deno.mkdir(dir, { recursive: true, mode: 0o700 });
    if (Deno.build.os !== "windows") {
      const info = await Deno.stat(dir);
      if (info.mode !== null && (info.mode & 0o077) !== 0 && info.uid === Deno.uid()) {
        await Deno.chmod(dir, 0o700);
      }
    }
  } catch (err) {
    if (!(err instanceof Deno.errors.AlreadyExists)) throw err;
  }
  return dir;
}
