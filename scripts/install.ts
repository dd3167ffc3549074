/**
 * `deno task install` / `deno task uninstall`: a global `kittify` command from this checkout,
 * installed with Deno's own `deno install --global` and exactly the binary's permission, unstable
 * and V8 flags, so you can `cd` into any repository and run `kittify`. The command runs where you
 * are (no INIT_CWD involved). `DENO_INSTALL_ROOT` chooses where it goes (default ~/.deno).
 * When `deno` itself is not on PATH (Deno came from `npx deno@…`), the command runs the Deno that
 * installed it, by its path; and it says so when its folder is not on PATH yet.
 */
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { BINARY_FLAGS } from "../src/cli/permissions.ts";

const root = fileURLToPath(new URL("..", import.meta.url));
const uninstall = Deno.args.includes("--uninstall");

const args = uninstall ? ["uninstall", "--global", "kittify"] : [
  "install",
  "--global",
  "--force",
  "--name",
  "kittify",
  ...BINARY_FLAGS,
  `--config=${root}deno.json`,
  `${root}main.ts`,
];
const { code } = await new Deno.Command(Deno.execPath(), {
  args,
  stdout: "inherit",
  stderr: "inherit",
}).output();
if (code === 0 && !uninstall) {
  const bin = resolve(Deno.env.get("DENO_INSTALL_ROOT") ?? join(homeDir(), ".deno"), "bin");
  const notes: string[] = [];
  if (Deno.build.os !== "windows" && !onPath("deno")) {
    // Deno ran from elsewhere (`npx deno@…`): the command starts that same Deno by its path.
    const shim = join(bin, "kittify");
    const text = await Deno.readTextFile(shim);
    const quoted = `'${Deno.execPath().replaceAll("'", `'\\''`)}'`;
    await Deno.writeTextFile(shim, text.replace(/^exec deno /m, () => `exec ${quoted} `));
    notes.push(
      `\`deno\` is not on your PATH: kittify runs with ${Deno.execPath()}, the Deno that ` +
        "installed it (run `deno task install` again if that one goes away).",
    );
  }
  if (!pathDirs().some((dir) => dir !== "" && resolve(dir) === bin)) {
    notes.push(`${bin} is not on your PATH yet: add it, e.g. \`export PATH="${bin}:$PATH"\`.`);
  }
  console.log("\nInstalled: `kittify --help` from any folder (it runs this checkout's code).");
  for (const note of notes) console.log(note);
}
Deno.exit(code);

function homeDir(): string {
  return Deno.env.get("HOME") ?? Deno.env.get("USERPROFILE") ?? ".";
}

function pathDirs(): string[] {
  return (Deno.env.get("PATH") ?? "").split(Deno.build.os === "windows" ? ";" : ":");
}

/** Whether an executable `name` is in one of PATH's folders. */
function onPath(name: string): boolean {
  return pathDirs().some((dir) => {
    try {
      const info = Deno.statSync(join(dir, name));
      return info.isFile && ((info.mode ?? 0o111) & 0o111) !== 0;
    } catch {
      return false;
    }
  });
}
