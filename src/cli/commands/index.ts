/** Every top-level command, in the order `kittify --help` lists them. */
import type { CommandBuilder } from "../command_builder.ts";
import type { CommandContext } from "../context.ts";
import { registerInit } from "./init.ts";
import { registerIdentity } from "./identity.ts";
import { registerEmit } from "./emit.ts";
import { registerEvents } from "./events.ts";
import { registerSync } from "./sync.ts";
import { registerAuth } from "./auth.ts";
import { registerFeature } from "./feature.ts";
import { registerTasks } from "./tasks.ts";
import { registerImplement } from "./implement.ts";
import { registerMove } from "./move.ts";
import { registerAccept } from "./accept.ts";
import { registerNote } from "./note.ts";
import { registerServe } from "./serve.ts";

export type Register = (program: CommandBuilder, ctx: CommandContext) => void;

export const COMMANDS: Register[] = [
  registerInit,
  registerIdentity,
  registerFeature,
  registerTasks,
  registerImplement,
  registerMove,
  registerAccept,
  registerNote,
  registerEvents,
  registerEmit,
  registerAuth,
  registerSync,
  registerServe,
];
