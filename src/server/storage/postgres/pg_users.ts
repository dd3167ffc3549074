/** Users in PostgreSQL: one row per name, the record as JSON text. */
import type { Sql } from "postgres";
import type { UserRecord } from "../../auth/users.ts";
import type { UserRecords } from "../server_store.ts";

export class PostgresUserRecords implements UserRecords {
  constructor(private readonly sql: Sql) {}

  async insert(record: UserRecord): Promise<boolean> {
    const rows = await this.sql`
      INSERT INTO users (username, record) VALUES (${record.username}, ${JSON.stringify(record)})
      ON CONFLICT (username) DO NOTHING RETURNING username`;
    return rows.length === 1;
  }

  async get(username: string): Promise<UserRecord | undefined> {
    const rows = await this.sql<{ record: string }[]>`
      SELECT record FROM users WHERE username = ${username}`;
    return rows.length === 0 ? undefined : JSON.parse(rows[0].record);
  }

  async list(): Promise<UserRecord[]> {
    const rows = await this.sql<{ record: string }[]>`SELECT record FROM users ORDER BY username`;
    return rows.map((r) => JSON.parse(r.record));
  }

  async delete(username: string): Promise<void> {
    await this.sql`DELETE FROM users WHERE username = ${username}`;
  }
}
