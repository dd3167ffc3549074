/** `kittify sync watch [--json]`: live sync in the foreground, with the team's activity feed. */
import { load } from "../../common/load.ts";
import type { CommandBuilder as Command } from "../command_builder.ts";
import { paint } from "../../common/style.ts";
import { terminalSafe } from "../../common/terminal_text.ts";
import { RecentIds } from "../../sync/recent_ids.ts";
import { StdoutLines } from "../stdout_lines.ts";
import type { WatchState } from "../../sync/watch.ts";
import type { CommandContext } from "../context.ts";

/** How many event ids the feed remembers to print each event once. */
const PRINTED_IDS_KEPT = 10_000;

function describe(state: WatchState, serverUrl: string): string {
  switch (state.kind) {
    case "connecting":
      return `connecting to ${serverUrl} ...`;
    case "connected":
      return `connected: delivering live (${state.workPackages} work package(s) on the board)`;
    case "reconnecting":
      return `reconnecting in ${(state.inMs / 1000).toFixed(1)} s (${state.reason})`;
    case "logged_out":
      return `logged out: ${state.reason}; waiting for \`kittify auth login\``;
    case "waiting":
      return `waiting for kittify pid ${state.holder.pid} (${state.holder.purpose}) to finish delivering`;
    case "delivered":
      return `delivered ${state.count} event(s)`;
    case "stopped":
      return state.pending > 0
        ? `stopped; ${state.pending} event(s) wait in the outbox`
        : "stopped; nothing left to deliver";
  }
}

/** SIGINT (and SIGTERM where there is one) end the watch. */
function stopOnSignals(controller: AbortController): () => void {
  const signals: Deno.Signal[] = Deno.build.os === "windows" ? ["SIGINT"] : ["SIGINT", "SIGTERM"];
  const stop = () => controller.abort();
  for (const s of signals) Deno.addSignalListener(s, stop);
  return () => {
    for (const s of signals) Deno.removeSignalListener(s, stop);
  };
}

export function registerSyncWatch(sync: Command, ctx: CommandContext): void {
  sync
    .command("watch")
    .description(
      "stay connected and deliver every event live; print the team's events as they happen " +
        "(until Ctrl-C)",
    )
    .option("--json", "print each event of the feed as one JSON line")
    .action(async (opts: { json?: boolean }) => {
      const [{ watch }, { feedLine }, { kittifyHome }] = await Promise.all([
        load<typeof import("../../sync/watch.ts")>(new URL("../../sync/watch.ts", import.meta.url)),
        load<typeof import("../../sync/feed.ts")>(new URL("../../sync/feed.ts", import.meta.url)),
        load<typeof import("../../common/home.ts")>(
          new URL("../../common/home.ts", import.meta.url),
        ),
      ]);
      // An event can reach the feed twice (the broadcast of what the HTTP fallback stored, a
      // duplicate after a lost ack): each is printed once.
      const printed = new RecentIds(PRINTED_IDS_KEPT);
      const lines = new StdoutLines();
      const print = (event: Record<string, unknown>) => {
        if (!printed.add(String(event.event_id))) return;
        lines.push(opts.json ? JSON.stringify(event) : feedLine(event));
      };
      const runtime = await (await ctx.services.runtimes()).forRoot(null);
      const serverUrl = runtime.settings.serverUrl;
      const controller = new AbortController();
      const release = stopOnSignals(controller);
      try {
        await watch({
          home: kittifyHome(),
          serverUrl,
          outbox: runtime.outbox,
          fetch: globalThis.fetch,
          now: Date.now,
          onEvent: print,
          onDelivered: print,
          onState: (state) => {
            // The feed's lines so far come first (a terminal shows both streams in order).
            lines.flush();
            console.error(paint.dim(terminalSafe(describe(state, serverUrl))));
          },
        }, controller.signal);
      } finally {
        lines.flush();
        release();
      }
    });
}
