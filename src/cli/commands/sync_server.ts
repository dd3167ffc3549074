/** `kittify sync server [URL] [--json]`: show or set `[sync] server_url`. */
import type { Command } from "commander";
import { ink } from "../../common/style.ts";
import { warn } from "../../common/warnings.ts";
import { printJson, printRows } from "../output.ts";

export function registerSyncServer(sync: Command): void {
  sync
    .command("server")
    .description("show or set the sync server (https, or http to a loopback address)")
    .argument("[url]", "the new server URL")
    .option("--json", "print one JSON object")
    .action(async (url: string | undefined, opts: { json?: boolean }) => {
      const [{ kittifyHome }, config, setting, { readCredentials }, { sameServer }] = await Promise
        .all([
          import("../../common/home.ts"),
          import("../../sync/config.ts"),
          import("../../sync/server_setting.ts"),
          import("../../auth/credentials.ts"),
          import("../../auth/server_url.ts"),
        ]);
      const home = kittifyHome();
      const path = config.configTomlPath(home);
      if (url === undefined) {
        const settings = await config.readSyncConfig(home);
        for (const problem of settings.problems) warn(problem);
        if (opts.json) printJson({ server_url: settings.serverUrl, config_file: path });
        else printRows([["Server URL", settings.serverUrl], ["Config file", path]]);
        return;
      }
      const checked = setting.checkedServerUrl(url);
      await setting.writeServerUrl(home, checked);
      const creds = await readCredentials(home);
      const otherLogin = creds?.serverUrl && !sameServer(creds.serverUrl, checked)
        ? creds.serverUrl
        : null;
      if (opts.json) {
        printJson({ server_url: checked, config_file: path, login_for_other_server: otherLogin });
        return;
      }
      console.log(`${ink.green("Sync server set to")} ${checked}`);
      if (otherLogin) {
        console.log(
          `You are logged in to ${otherLogin}; tokens are never sent elsewhere. ` +
            "Run `kittify auth login` for the new server.",
        );
      }
    });
}
