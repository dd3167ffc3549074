/** Users in Deno KV, one record per name under `["users", username]`. */
import { retryLocked } from "../../../store/retry.ts";
import type { UserRecord } from "../../auth/users.ts";
import type { UserRecords } from "../server_store.ts";
import { userKey, USERS_PREFIX } from "./keys.ts";

/** Deno KV refuses keys over 2 KiB: such a name cannot be a stored user. */
const MAX_KEY_NAME = 1024;

export class KvUserRecords implements UserRecords {
  constructor(private readonly kv: Deno.Kv) {}

  async insert(record: UserRecord): Promise<boolean> {
    const key = userKey(record.username);
    const result = await retryLocked(() =>
      this.kv.atomic().check({ key, versionstamp: null }).set(key, record).commit()
    );
    return result.ok;
  }

  async get(username: string): Promise<UserRecord | undefined> {
    if (username.length > MAX_KEY_NAME) return undefined;
    return (await this.kv.get<UserRecord>(userKey(username))).value ?? undefined;
  }

  async list(): Promise<UserRecord[]> {
    const users: UserRecord[] = [];
    for await (const entry of this.kv.list<UserRecord>({ prefix: USERS_PREFIX })) {
      users.push(entry.value);
    }
    return users;
  }

  async delete(username: string): Promise<void> {
    await retryLocked(() => this.kv.delete(userKey(username)));
  }
}
