/** `kittify auth login|logout|status`: the login to the sync server (`[sync] server_url`). */
import { load } from "../../common/load.ts";
import type { CommandBuilder as Command } from "../command_builder.ts";
import { EXIT, UsageError } from "../../common/errors.ts";
import { ink } from "../../common/style.ts";
import { warn } from "../../common/warnings.ts";
import type { AuthDeps, AuthStatus, TokenState } from "../../auth/login.ts";
import { humanizeSeconds } from "../../sync/age.ts";
import type { CommandContext } from "../context.ts";
import { printJson, printRows } from "../output.ts";

/** The home, the configured server and the token API. */
async function authDeps(): Promise<AuthDeps> {
  const [{ kittifyHome }, { readSyncConfig }, { AuthApi }] = await Promise.all([
    load<typeof import("../../common/home.ts")>(new URL("../../common/home.ts", import.meta.url)),
    load<typeof import("../../sync/config.ts")>(new URL("../../sync/config.ts", import.meta.url)),
    load<typeof import("../../transport/auth_api.ts")>(
      new URL("../../transport/auth_api.ts", import.meta.url),
    ),
  ]);
  const home = kittifyHome();
  const settings = await readSyncConfig(home);
  for (const problem of settings.problems) warn(problem);
  return { home, serverUrl: settings.serverUrl, api: new AuthApi(), now: Date.now };
}

function tokenLine(state: TokenState | null, onExpired: string): string {
  if (state === null || state.expires_at === null) return "unknown expiry";
  if (!state.valid) return `expired (${onExpired})`;
  return `valid (${humanizeSeconds(state.remaining_seconds ?? 0)} left)`;
}

function printAuthStatus(s: AuthStatus): void {
  if (!s.logged_in) {
    const who = s.username ? ` (${s.username})` : "";
    console.log(`${ink.yellow("Not logged in")}${who}: ${s.reason}.`);
    console.log(`Run \`kittify auth login\` to log in to ${s.configured_server_url}.`);
    return;
  }
  printRows([
    ["Logged in as", s.username ?? "unknown"],
    ["Team", s.team_slug ?? "-"],
    ["Server", s.server_url ?? s.configured_server_url],
    ["Access token", tokenLine(s.access, "renewed automatically")],
    ["Refresh token", tokenLine(s.refresh, "log in again")],
  ]);
}

interface LoginOptions {
  username?: string;
  passwordStdin?: boolean;
  force?: boolean;
  json?: boolean;
}

export function registerAuth(program: Command, ctx: CommandContext): void {
  const auth = program.command("auth").description("log in to the sync server, log out, status");

  auth
    .command("login")
    .description("log in to the sync server (`kittify sync server` shows which)")
    .option("-u, --username <name>", "user name (asked on a terminal when left out)")
    .option("--password-stdin", "read the password from stdin (scripts, CI)")
    .option("-f, --force", "log in again even when already logged in")
    .option("--json", "print one JSON object")
    .action(async (opts: LoginOptions) => {
      const deps = await authDeps();
      const [{ activeLogin, assertSecureServer, login }, { readCredentials }] = await Promise.all([
        load<typeof import("../../auth/login.ts")>(new URL("../../auth/login.ts", import.meta.url)),
        load<typeof import("../../auth/credentials.ts")>(
          new URL("../../auth/credentials.ts", import.meta.url),
        ),
      ]);
      assertSecureServer(deps.serverUrl);
      const current = activeLogin(await readCredentials(deps.home), deps.serverUrl, deps.now());
      if (current && !opts.force) {
        if (opts.json) {
          printJson({
            already_logged_in: true,
            username: current.username,
            server_url: deps.serverUrl,
          });
        } else {
          console.log(
            `Already logged in as ${current.username ?? "unknown"} on ${deps.serverUrl}. ` +
              "Use --force to log in again, or `kittify auth logout` first.",
          );
        }
        return;
      }
      const { readPipedLine, TerminalInput } = await load<
        typeof import("../../common/terminal_input.ts")
      >(new URL("../../common/terminal_input.ts", import.meta.url));
      const terminal = Deno.stdin.isTerminal() ? new TerminalInput() : null;
      let username = opts.username;
      if (username === undefined) {
        if (!terminal || opts.passwordStdin) {
          throw new UsageError("--username is required when stdin is not a terminal");
        }
        username = (await terminal.prompt("Username: ")).trim();
      }
      let password: string;
      if (opts.passwordStdin) {
        password = await readPipedLine("password");
      } else if (terminal) {
        password = await terminal.prompt(`Password for ${username}: `, { hidden: true });
      } else {
        throw new UsageError("no terminal to ask for the password: use --password-stdin");
      }
      if (!opts.json) console.error(`Logging in to ${deps.serverUrl} ...`);
      const report = await login(deps, username, password);
      if (opts.json) {
        printJson(report);
        return;
      }
      const team = report.team_slug ? ` (team ${report.team_slug})` : "";
      console.log(`${ink.green("Logged in")} as ${report.username}${team} on ${report.server_url}`);
    });

  auth
    .command("logout")
    .description("end the login: revoke it on the server and remove the local credentials")
    .option("--json", "print one JSON object")
    .action(async (opts: { json?: boolean }) => {
      const deps = await authDeps();
      const { logout } = await load<typeof import("../../auth/login.ts")>(
        new URL("../../auth/login.ts", import.meta.url),
      );
      const report = await logout(deps);
      if (report.revoke_problem) {
        warn(
          `could not revoke the login on ${report.server_url} (${report.revoke_problem}); ` +
            "it ends there when its refresh token expires",
        );
      }
      if (opts.json) {
        printJson(report);
        return;
      }
      if (!report.logged_out) {
        console.log("Not logged in: nothing to do.");
        return;
      }
      const revoked = report.revoked ? ` (revoked on ${report.server_url})` : "";
      console.log(`${ink.green("Logged out")} ${report.username ?? ""}${revoked}`.trimEnd());
    });

  auth
    .command("status")
    .description(
      `show the login (user, team, server, token validity; never a token). ` +
        `Exit ${EXIT.NOT_LOGGED_IN} when not logged in`,
    )
    .option("--json", "print one JSON object")
    .action(async (opts: { json?: boolean }) => {
      const deps = await authDeps();
      const [{ authStatus }, { credentialsPath }] = await Promise.all([
        load<typeof import("../../auth/login.ts")>(new URL("../../auth/login.ts", import.meta.url)),
        load<typeof import("../../auth/credentials.ts")>(
          new URL("../../auth/credentials.ts", import.meta.url),
        ),
      ]);
      const status = await authStatus(deps, credentialsPath(deps.home));
      if (status.problem) warn(status.problem);
      if (opts.json) printJson(status);
      else printAuthStatus(status);
      if (!status.logged_in) ctx.setExitCode(EXIT.NOT_LOGGED_IN);
    });
}
