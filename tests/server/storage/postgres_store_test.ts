/**
 * The server store conformance suite on a real PostgreSQL (tests/helpers/postgres.ts starts one):
 * a fresh database per step, and a second connection pool on it as the other server process.
 */
import {
  openPostgresStore,
  type PostgresServerStore,
} from "../../../src/server/storage/postgres/postgres_server_store.ts";
import assert from "node:assert/strict";
import { UserError } from "../../../src/common/errors.ts";
import { createDatabase, startPostgres } from "../../helpers/postgres.ts";
import { storeConformance } from "./store_conformance.ts";

Deno.test("server store conformance: PostgreSQL", async (t) => {
  await using pg = await startPostgres();
  await storeConformance(t, async () => {
    const url = await createDatabase(pg.url);
    const store: PostgresServerStore = await openPostgresStore(url, "create");
    return {
      store,
      another: () => openPostgresStore(url, "create"),
      cleanup: () => store.close(),
    };
  });
});

Deno.test("a database with a newer kittify schema is refused with what to do", async () => {
  await using pg = await startPostgres();
  const url = await createDatabase(pg.url);
  const store = await openPostgresStore(url, "create");
  try {
    await store.migrate();
    await store.sql`INSERT INTO kittify_schema (version) VALUES (99)`;
    await assert.rejects(store.migrate(), (err: unknown) => {
      assert.ok(err instanceof UserError);
      assert.match(err.message, /schema version 99, newer than this kittify knows/);
      assert.match(err.hint!, /upgrade kittify/);
      return true;
    });
    await assert.rejects(openPostgresStore(url, "existing"), UserError);
  } finally {
    await store.close();
  }
});
