/**
 * Live fan-out across processes on PostgreSQL (pg_feed.ts), on a real server: each event another
 * process stores reaches the follower exactly once, none of the follower's own come back, and
 * events committed while the listening connection is down arrive after it comes back — also a
 * transaction that took its sequence numbers before others but committed after them.
 */
import assert from "node:assert/strict";
import postgres from "postgres";
import { Ingestor } from "../../../src/server/ingest/ingest.ts";
import { openPostgresStore } from "../../../src/server/storage/postgres/postgres_server_store.ts";
import type { Envelope } from "../../../src/events/types.ts";
import { createDatabase, startPostgres } from "../../helpers/postgres.ts";
import { statusEvent } from "../harness.ts";

const pg = await startPostgres();

async function waitFor(what: string, done: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

Deno.test("postgres feed: concurrent commits of two processes, each event once, never its own", async () => {
  const url = await createDatabase(pg.url);
  const a = await openPostgresStore(url, "create");
  await a.migrate();
  const b = await openPostgresStore(url, "create");
  const heard = new Map<string, number>();
  const stop = await a.feed.follow((_team, events) => {
    for (const e of events) heard.set(e.event_id, (heard.get(e.event_id) ?? 0) + 1);
  });
  try {
    const ingestA = new Ingestor(a.events);
    const ingestB = new Ingestor(b.events);
    const fromB: Envelope[] = [];
    const fromA: Envelope[] = [];
    const work: Promise<unknown>[] = [];
    for (let i = 0; i < 12; i++) {
      // Many projects, so the two processes' transactions run side by side and interleave.
      const project = () => `44444444-0000-4000-8000-${String(i).padStart(12, "0")}`;
      const mine = Array.from({ length: 100 }, () => statusEvent({ project_uuid: project() }));
      const theirs = Array.from(
        { length: 100 },
        () => statusEvent({ project_uuid: project().replace("4444", "5555") }),
      );
      fromA.push(...mine);
      fromB.push(...theirs);
      work.push(ingestA.ingest("acme", mine), ingestB.ingest("acme", theirs));
    }
    await Promise.all(work);
    await waitFor(
      "every event of the other process",
      () => fromB.every((e) => heard.has(e.event_id)),
    );
    await new Promise((resolve) => setTimeout(resolve, 300)); // stragglers would show up here
    for (const e of fromB) assert.equal(heard.get(e.event_id), 1, e.event_id);
    for (const e of fromA) assert.equal(heard.has(e.event_id), false, "its own event came back");
  } finally {
    await stop();
    await a.close();
    await b.close();
  }
});

Deno.test("postgres feed: what commits while the listening connection is down arrives after", async () => {
  const url = await createDatabase(pg.url);
  const a = await openPostgresStore(url, "create");
  await a.migrate();
  const b = await openPostgresStore(url, "create");
  const raw = postgres(url, { max: 2, onnotice: () => {} });
  const heard: string[] = [];
  const stop = await a.feed.follow((_team, events) => heard.push(...events.map((e) => e.event_id)));
  try {
    const ingestB = new Ingestor(b.events);
    const early = statusEvent();
    await ingestB.ingest("acme", [early]);
    await waitFor("the first event", () => heard.includes(early.event_id));

    // A transaction takes its sequence number first, but commits only after a later one was
    // delivered and the follower's listening connection was cut (so no notification reaches it).
    const late = statusEvent();
    const held = Promise.withResolvers<void>();
    const inserted = Promise.withResolvers<void>();
    const holding = raw.begin(async (tx) => {
      await tx`
        INSERT INTO events (team, event_id, project_uuid, envelope, received_at)
        VALUES ('acme', ${late.event_id}, ${late.project_uuid!}, ${JSON.stringify(late)}, now())`;
      inserted.resolve();
      await held.promise;
    });
    await inserted.promise;
    const before = statusEvent();
    await ingestB.ingest("acme", [before]);
    await waitFor("the event stored after it", () => heard.includes(before.event_id));
    const cut = await raw`
      SELECT pg_terminate_backend(pid) FROM pg_stat_activity
      WHERE datname = current_database() AND query ILIKE 'listen%' AND pid <> pg_backend_pid()`;
    assert.equal(cut.length, 1, "the listening connection");
    const during = statusEvent();
    await ingestB.ingest("acme", [during]);
    held.resolve();
    await holding;
    await waitFor(
      "the events committed while disconnected",
      () => heard.includes(during.event_id) && heard.includes(late.event_id),
    );
    assert.equal(new Set(heard).size, heard.length, "nothing twice");
  } finally {
    await stop();
    await raw.end();
    await a.close();
    await b.close();
  }
});

Deno.test("stop postgres", () => pg.stop());
