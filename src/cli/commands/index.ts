/** Every top-level command, in the order `kittify --help` lists them. */
import type { Command } from "commander";
import type { CommandContext } from "../context.ts";
import { registerInit } from "./init.ts";
import { registerIdentity } from "./identity.ts";
import { registerEmit } from "./emit.ts";
import { registerEvents } from "./events.ts";
import { registerSync } from "./sync.ts";

export type Register = (program: Command, ctx: CommandContext) => void;

export const COMMANDS: Register[] = [
  registerInit,
  registerIdentity,
  registerEvents,
  registerEmit,
  registerSync,
];
