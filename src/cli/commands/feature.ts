/** `kittify feature create NAME`: a new feature folder, announced with one FeatureCreated. */
import { inProject } from "./in_project.ts";
import type { CommandBuilder as Command } from "../command_builder.ts";
import { featureNumberValue } from "../option_values.ts";
import type { CommandContext } from "../context.ts";
import { ink } from "../../common/style.ts";
import { printJson } from "../output.ts";

interface CreateOptions {
  number?: string;
  targetBranch?: string;
  json?: boolean;
}

export function registerFeature(program: Command, ctx: CommandContext): void {
  const feature = program
    .command("feature")
    .description("manage the features of this repository (kitty-specs/NNN-slug/)");
  feature
    .command("create")
    .description("create kitty-specs/NNN-<name>/ and emit FeatureCreated")
    .argument("<name>", "what the feature is called (becomes the slug)")
    .option("--number <n>", "feature number (default: the next free one)", featureNumberValue)
    .option("--target-branch <branch>", "branch the feature merges into (default: current)")
    .option("--json", "print one JSON object")
    .action(async (name: string, opts: CreateOptions) => {
      const [{ createFeature }, project] = await inProject<
        typeof import("../../work/feature_create.ts")
      >(
        ctx,
        new URL("../../work/feature_create.ts", import.meta.url),
      );
      const report = await createFeature(project, { name, ...opts });
      if (opts.json) return printJson(report);
      console.log(
        `${ink.green("Created")} feature ${ink.bold(report.feature)} (target branch ` +
          `${report.target_branch}): ${report.path}`,
      );
      console.log(ink.dim(`next: kittify tasks add TITLE --feature ${report.feature}`));
    });
}
