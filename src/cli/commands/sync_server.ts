/** `kittify sync server [URL] [--json]`: show or set `[sync] server_url`. */
import { load } from "../../common/load.ts";
import type { CommandBuilder as Command } from "../command_builder.ts";
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
          load<typeof import("../../common/home.ts")>(
            new URL("../../common/home.ts", import.meta.url),
          ),
          load<typeof import("../../sync/config.ts")>(
            new URL("../../sync/config.ts", import.meta.url),
          ),
          load<typeof import("../../sync/server_setting.ts")>(
            new URL("../../sync/server_setting.ts", import.meta.url),
          ),
          load<typeof import("../../auth/credentials.ts")>(
            new URL("../../auth/credentials.ts", import.meta.url),
          ),
          load<typeof import("../../auth/server_url.ts")>(
            new URL("../../auth/server_url.ts", import.meta.url),
          ),
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
