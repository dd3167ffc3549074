/**
 * The server store conformance suite on a real PostgreSQL (tests/helpers/postgres.ts starts one):
 * a fresh database per step, and a second connection pool on it as the other server process.
 */
import {
  openPostgresStore,
  type PostgresServerStore,
} from "../../../src/server/storage/postgres/postgres_server_store.ts";
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
