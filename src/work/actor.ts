/** The actor or author named on the command line (default `user`). */
import { UserError } from "../common/errors.ts";
import { DEFAULT_ACTOR } from "./events.ts";

export function actorArgument(value: string | undefined, flag: string): string {
  if (value === undefined) return DEFAULT_ACTOR;
  const actor = value.trim();
  if (actor === "") throw new UserError(`${flag} cannot be empty`);
  return actor;
}
