/** Users and their teams, kept in the server store. Managed with `kittify serve user ...`. */
import { UserError } from "../../common/errors.ts";
import type { UserRecords } from "../storage/server_store.ts";
import { MAX_USERNAME_LENGTH, normalizeUsername, usernameProblem } from "./username.ts";
import { hashPassword, type PasswordHash, verifyAgainstDecoy, verifyPassword } from "./password.ts";

export interface UserRecord {
  username: string;
  team: string;
  password: PasswordHash;
  /** ISO-8601 UTC */
  created_at: string;
}

/** What may be shown about a user (never the hash). */
export interface UserInfo {
  username: string;
  team: string;
  created_at: string;
  /** Why the name is refused now (a user added before names were checked): it cannot log in. */
  refused?: string;
}

export const MIN_PASSWORD_LENGTH = 8;
const TEAM_PATTERN = /^[a-z0-9][a-z0-9_-]{0,62}$/;

/** Returns a reason why `team` is not a usable team slug, or undefined. */
export function teamProblem(team: string): string | undefined {
  if (!TEAM_PATTERN.test(team)) {
    return `team '${team}' is not a slug (lowercase letters, digits, '-' and '_'; at most 63)`;
  }
  if (team === "local") return "team 'local' is reserved for events of logged-out users";
  return undefined;
}

/** Throws the UserError for an unusable username or team (checked before asking a password). */
export function checkNewUser(username: string, team: string): void {
  const problem = usernameProblem(normalizeUsername(username)) ?? teamProblem(team);
  if (problem) throw new UserError(problem);
}

export class UserStore {
  constructor(private readonly records: UserRecords) {}

  /** Adds a user; fails if the name is taken or invalid. */
  async add(name: string, team: string, password: string): Promise<UserInfo> {
    const username = normalizeUsername(name);
    checkNewUser(username, team);
    if (password.length < MIN_PASSWORD_LENGTH) {
      throw new UserError(`the password must have at least ${MIN_PASSWORD_LENGTH} characters`);
    }
    const record: UserRecord = {
      username,
      team,
      password: await hashPassword(password),
      created_at: new Date().toISOString(),
    };
    if (!(await this.records.insert(record))) {
      throw new UserError(`user '${username}' already exists`);
    }
    return info(record);
  }

  /**
   * The user named `name` (in any Unicode form that normalises to it). A user added before names
   * were checked is found under its name as stored; one whose name is now refused (a look-alike)
   * is not found at all, so its tokens and sockets stop working (`serve` says so at start, and
   * `serve user remove` still removes it).
   */
  async get(name: string): Promise<UserRecord | undefined> {
    const record = await this.#find(name);
    return record && !usernameProblem(normalizeUsername(record.username)) ? record : undefined;
  }

  /** Every user, with the reason its name is refused now when it is (added before the check). */
  async list(): Promise<UserInfo[]> {
    return (await this.records.list()).map(info);
  }

  /** Removes a user; their tokens stop working at once (every request looks the user up). */
  async remove(name: string): Promise<void> {
    const record = await this.#find(name);
    if (!record) throw new UserError(`no user '${name}'`);
    await this.records.delete(record.username);
  }

  /** The record stored under `name` normalised, or under `name` itself (older records). */
  async #find(name: string): Promise<UserRecord | undefined> {
    if (typeof name !== "string" || name.length === 0 || name.length > MAX_USERNAME_LENGTH) {
      return undefined;
    }
    const normalized = normalizeUsername(name);
    for (const key of normalized === name ? [name] : [normalized, name]) {
      const record = await this.records.get(key);
      if (record) return record;
    }
    return undefined;
  }

  /**
   * The user if the password is right, else undefined. Unknown users cost the same time as a
   * wrong password, so the answer does not reveal which usernames exist.
   */
  async authenticate(username: string, password: string): Promise<UserRecord | undefined> {
    // A name that could never be a user (too long for a store key, say) is simply unknown.
    const possible = typeof username === "string" &&
      usernameProblem(normalizeUsername(username)) === undefined;
    const user = possible ? await this.get(username) : undefined;
    if (!user) {
      await verifyAgainstDecoy(password);
      return undefined;
    }
    return (await verifyPassword(password, user.password)) ? user : undefined;
  }
}

function info(record: UserRecord): UserInfo {
  const refused = usernameProblem(normalizeUsername(record.username));
  return {
    username: record.username,
    team: record.team,
    created_at: record.created_at,
    ...(refused ? { refused } : {}),
  };
}
