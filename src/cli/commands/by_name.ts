/**
 * Every top-level command, by name, in the order `kittify --help` lists them, with the module
 * that registers it. The start-up path (run.ts) loads only the module of the command being run;
 * help and errors load them all ({@link allCommands}).
 */
import type { CommandBuilder } from "../command_builder.ts";
import type { CommandContext } from "../context.ts";

export type Register = (program: CommandBuilder, ctx: CommandContext) => void;

interface CommandModule {
  url: URL;
  /** The module's register function. */
  register: string;
}

const at = (file: string, register: string): CommandModule => ({
  url: new URL(file, import.meta.url),
  register,
});

export const COMMAND_MODULES: Readonly<Record<string, CommandModule>> = {
  init: at("./init.ts", "registerInit"),
  identity: at("./identity.ts", "registerIdentity"),
  feature: at("./feature.ts", "registerFeature"),
  tasks: at("./tasks.ts", "registerTasks"),
  implement: at("./implement.ts", "registerImplement"),
  move: at("./move.ts", "registerMove"),
  accept: at("./accept.ts", "registerAccept"),
  note: at("./note.ts", "registerNote"),
  events: at("./events.ts", "registerEvents"),
  emit: at("./emit.ts", "registerEmit"),
  auth: at("./auth.ts", "registerAuth"),
  sync: at("./sync.ts", "registerSync"),
  serve: at("./serve.ts", "registerServe"),
};

/** The register function of the command named `name`, or undefined for an unknown name. */
export async function registerOf(name: string): Promise<Register | undefined> {
  if (!Object.hasOwn(COMMAND_MODULES, name)) return undefined;
  const { url, register } = COMMAND_MODULES[name];
  const module: Record<string, unknown> = await import(url.href);
  return module[register] as Register;
}

/** Every command's register function, in listing order (for commander: help and errors). */
export function allCommands(): Promise<Register[]> {
  return Promise.all(Object.keys(COMMAND_MODULES).map(async (name) => (await registerOf(name))!));
}
