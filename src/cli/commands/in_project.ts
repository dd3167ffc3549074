/**
 * The start of a work command: its module is loaded while the project around the working
 * directory is looked up, rather than one after the other.
 */
import { load } from "../../common/load.ts";
import type { ProjectWorkspace } from "../services.ts";
import type { CommandContext } from "../context.ts";

export function inProject<M>(ctx: CommandContext, module: URL): Promise<[M, ProjectWorkspace]> {
  return Promise.all([load<M>(module), ctx.services.project(Deno.cwd())]);
}
