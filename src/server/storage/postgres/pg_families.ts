/** Refresh-token families in PostgreSQL; expired ones are ignored, and pruned as logins come. */
import type { Sql } from "postgres";
import type { RefreshFamilies, RefreshFamily } from "../server_store.ts";

export class PostgresRefreshFamilies implements RefreshFamilies {
  constructor(private readonly sql: Sql) {}

  async create(family: string, state: RefreshFamily, lifetimeMs: number): Promise<void> {
    await this.sql`DELETE FROM refresh_families WHERE expires_at < now()`;
    await this.sql`
      INSERT INTO refresh_families (family, username, current_jti, revoked, expires_at)
      VALUES (${family}, ${state.username}, ${state.current}, ${state.revoked},
              now() + ${lifetimeMs} * interval '1 millisecond')`;
  }

  async get(family: string): Promise<RefreshFamily | undefined> {
    const rows = await this.sql<{ username: string; current_jti: string; revoked: boolean }[]>`
      SELECT username, current_jti, revoked FROM refresh_families
      WHERE family = ${family} AND expires_at > now()`;
    if (rows.length === 0) return undefined;
    return { username: rows[0].username, current: rows[0].current_jti, revoked: rows[0].revoked };
  }

  async rotate(family: string, from: string, to: string, lifetimeMs: number): Promise<boolean> {
    const rows = await this.sql`
      UPDATE refresh_families
      SET current_jti = ${to}, expires_at = now() + ${lifetimeMs} * interval '1 millisecond'
      WHERE family = ${family} AND current_jti = ${from} AND NOT revoked AND expires_at > now()
      RETURNING family`;
    return rows.length === 1;
  }

  async revoke(family: string, lifetimeMs: number): Promise<void> {
    await this.sql`
      UPDATE refresh_families
      SET revoked = true, expires_at = now() + ${lifetimeMs} * interval '1 millisecond'
      WHERE family = ${family} AND expires_at > now()`;
  }
}
