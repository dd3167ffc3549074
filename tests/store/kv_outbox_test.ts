/** The outbox conformance suite against Deno KV on a real file and in memory. */
import { join } from "node:path";
import { KvOutbox } from "../../src/store/kv_outbox.ts";
import { removeTree, tempDir } from "../helpers/fs.ts";
import { outboxConformance } from "./outbox_conformance.ts";

outboxConformance("KV file", async ({ capacity, now }) => {
  const dir = await tempDir();
  const kv = await Deno.openKv(join(dir, "kittify.kv"));
  return {
    outbox: new KvOutbox(kv, capacity, now),
    close: async () => {
      kv.close();
      await removeTree(dir);
    },
  };
});

outboxConformance("KV :memory:", async ({ capacity, now }) => {
  const kv = await Deno.openKv(":memory:");
  return {
    outbox: new KvOutbox(kv, capacity, now),
    close: () => Promise.resolve(kv.close()),
  };
});
