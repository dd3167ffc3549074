/** The server store conformance suite on Deno KV: a file shared by two handles, and memory. */
import { join } from "node:path";
import { KvServerStore } from "../../../src/server/storage/kv/kv_server_store.ts";
import { removeTree, tempDir } from "../../helpers/fs.ts";
import { storeConformance } from "./store_conformance.ts";

Deno.test("server store conformance: Deno KV file", async (t) => {
  await storeConformance(t, async () => {
    const dir = await tempDir();
    const path = join(dir, "server.kv");
    const store = new KvServerStore(await Deno.openKv(path), path);
    return {
      store,
      another: async () => new KvServerStore(await Deno.openKv(path), path),
      cleanup: async () => {
        await store.close();
        await removeTree(dir);
      },
    };
  });
});

Deno.test("server store conformance: Deno KV in memory", async (t) => {
  await storeConformance(t, async () => {
    const store = new KvServerStore(await Deno.openKv(":memory:"));
    return {
      store,
      // Another connection to one in-memory database is not possible: share this one.
      another: () => {
        const shared = new KvServerStore(store.kv);
        shared.close = () => Promise.resolve();
        return Promise.resolve(shared);
      },
      cleanup: () => store.close(),
    };
  });
});
