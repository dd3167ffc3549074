/** `POST /api/v1/events/batch/`: auth, body limits, malformed input, per-event results. */
import assert from "node:assert/strict";
import { eventKey } from "../../src/server/storage/kv/keys.ts";
import { envelopeJson, type StoredEvent } from "../../src/server/ingest/stored_event.ts";
import {
  gzipped,
  login,
  postBatch,
  PROJECT,
  results,
  send,
  startTestServer,
  statusEvent,
  type TestServer,
} from "./harness.ts";

async function withServer(run: (server: TestServer, access: string) => Promise<void>) {
  const server = await startTestServer();
  try {
    await run(server, (await login(server.url, "alice")).access);
  } finally {
    await server.close();
  }
}

function rawBatch(
  url: string,
  access: string,
  body: BodyInit,
  headers: Record<string, string> = {},
) {
  return send(`${url}/api/v1/events/batch/`, {
    method: "POST",
    headers: { authorization: `Bearer ${access}`, ...headers },
    body,
  });
}

Deno.test("batch: an empty batch is the connectivity probe (200, no results)", async () => {
  await withServer(async (server, access) => {
    const response = await postBatch(server.url, access, [], { gzip: false });
    assert.equal(response.status, 200);
    assert.deepEqual(response.body, { results: [] });
  });
});

Deno.test("batch: missing, malformed and expired tokens get 401", async () => {
  await withServer(async (server, access) => {
    const cases: Array<Record<string, string>> = [
      {},
      { authorization: "Bearer" },
      { authorization: "Basic YWxpY2U6eA==" },
      { authorization: "Bearer not-a-jwt" },
      { authorization: `Bearer ${access}x` },
    ];
    for (const headers of cases) {
      const response = await send(`${server.url}/api/v1/events/batch/`, {
        method: "POST",
        headers,
        body: "{}",
      });
      assert.equal(response.status, 401, JSON.stringify(headers));
      assert.equal((response.body as { error: string }).error, "Authentication failed");
    }
    const tokens = await login(server.url, "alice");
    server.advance(tokens.access_lifetime + 1);
    const expired = await postBatch(server.url, tokens.access, []);
    assert.equal(expired.status, 401);
    assert.match(String((expired.body as { details: string }).details), /expired/);
  });
});

Deno.test("batch: malformed bodies get 400 {error, details} naming what is wrong", async () => {
  await withServer(async (server, access) => {
    const notAnArray = { error: "Malformed body", details: 'expected {"events": [...]}' };
    const bodies: Array<[BodyInit, Record<string, string>, { error: string; details: RegExp }]> = [
      ["not json", {}, { error: "Malformed JSON body", details: /"not json" is not valid JSON/ }],
      ["[1, 2]", {}, { error: "Malformed body", details: /^expected a JSON object$/ }],
      ['{"events": "nope"}', {}, { ...notAnArray, details: /^expected \{"events": \[\.\.\.\]\}$/ }],
      ["{}", {}, { ...notAnArray, details: /^expected \{"events": \[\.\.\.\]\}$/ }],
      [
        new Uint8Array([0x1f, 0x8b, 8, 0, 1, 2, 3]),
        { "content-encoding": "gzip" },
        { error: "Unreadable body", details: /gzip/ },
      ],
    ];
    for (const [body, headers, expected] of bodies) {
      const response = await rawBatch(server.url, access, body, headers);
      assert.equal(response.status, 400, String(body));
      const json = response.body as { error: string; details: string };
      assert.deepEqual(Object.keys(json).sort(), ["details", "error"], String(body));
      assert.equal(json.error, expected.error, String(body));
      assert.match(json.details, expected.details, String(body));
    }
    const br = await rawBatch(server.url, access, "{}", { "content-encoding": "br" });
    assert.equal(br.status, 415);
    assert.deepEqual(br.body, {
      error: "Unsupported Content-Encoding",
      details: "unsupported Content-Encoding 'br' (use gzip)",
    });
  });
});

Deno.test("batch: an event without project_uuid (null or missing) is rejected alone; the rest is stored", async () => {
  await withServer(async (server, access) => {
    const before = statusEvent({ lamport_clock: 1 });
    const outside = statusEvent({ project_uuid: null, lamport_clock: 2 });
    const missing: Record<string, unknown> = { ...statusEvent({ lamport_clock: 3 }) };
    delete missing.project_uuid;
    const after = statusEvent({ lamport_clock: 4, to: "for_review", from: "in_progress" });
    const response = await postBatch(server.url, access, [before, outside, missing, after]);
    assert.equal(response.status, 200);
    const nullError =
      "Invalid event: project_uuid is missing (events outside a project stay local)";
    const missingError = "Invalid event: project_uuid: missing required envelope field";
    assert.deepEqual(results(response), [
      { event_id: before.event_id, status: "success" },
      {
        event_id: outside.event_id,
        status: "rejected",
        error: nullError,
        error_message: nullError,
      },
      {
        event_id: missing.event_id,
        status: "rejected",
        error: missingError,
        error_message: missingError,
      },
      { event_id: after.event_id, status: "success" },
    ]);
    const stored = [];
    for await (const e of server.kv.list({ prefix: ["events", "acme"] })) stored.push(e.key[2]);
    assert.deepEqual(stored.sort(), [before.event_id, after.event_id].sort());
  });
});

Deno.test("batch: more than 1000 events is 413; exactly 1000 is accepted", async () => {
  await withServer(async (server, access) => {
    const tooMany = await postBatch(server.url, access, Array.from({ length: 1001 }, () => ({})));
    assert.equal(tooMany.status, 413);
    assert.match(String((tooMany.body as { details: string }).details), /1000/);
    const events = Array.from({ length: 1000 }, (_, i) => statusEvent({ lamport_clock: i + 1 }));
    const ok = await postBatch(server.url, access, events);
    assert.equal(ok.status, 200);
    assert.equal(results(ok).filter((r) => r.status === "success").length, 1000);
  });
});

Deno.test("batch: a body over 8 MiB on the wire is 413", async () => {
  await withServer(async (server, access) => {
    const big = new Uint8Array(8 * 1024 * 1024 + 1).fill(0x20);
    const response = await rawBatch(server.url, access, big);
    assert.equal(response.status, 413);
  });
});

Deno.test("batch: a gzip bomb is cut off at 16 MiB decompressed (413)", async () => {
  await withServer(async (server, access) => {
    // 64 MiB of spaces compresses to ~64 KiB: small on the wire, huge when inflated.
    const bomb = await gzipped(new Uint8Array(64 * 1024 * 1024).fill(0x20));
    assert.ok(bomb.length < 8 * 1024 * 1024);
    const response = await rawBatch(server.url, access, bomb, { "content-encoding": "gzip" });
    assert.equal(response.status, 413);
    assert.match(String((response.body as { details: string }).details), /decompressed/);
    // The server is still fine afterwards.
    assert.equal((await postBatch(server.url, access, [statusEvent()])).status, 200);
  });
});

Deno.test("batch: results follow request order; repeats and invalid events are per event", async () => {
  await withServer(async (server, access) => {
    const a = statusEvent({ lamport_clock: 1 });
    const b = statusEvent({ lamport_clock: 2 });
    const invalid = { ...statusEvent(), event_type: "Nope" };
    const response = await postBatch(server.url, access, [a, invalid, b, a, "junk"], {
      gzip: false,
    });
    assert.equal(response.status, 200);
    assert.deepEqual(
      results(response).map((r) => [r.event_id, r.status]),
      [
        [a.event_id, "success"],
        [invalid.event_id, "rejected"],
        [b.event_id, "success"],
        [a.event_id, "duplicate"],
        [null, "rejected"],
      ],
    );
    assert.match(String(results(response)[1].error_message), /event_type/);
    const again = await postBatch(server.url, access, [b, a]);
    assert.deepEqual(results(again).map((r) => r.status), ["duplicate", "duplicate"]);
  });
});

Deno.test("batch: a project belongs to the first team; the other team's events are rejected", async () => {
  await withServer(async (server, access) => {
    const rival = (await login(server.url, "eve")).access;
    const colleague = (await login(server.url, "bob")).access;
    assert.equal(
      results(await postBatch(server.url, access, [statusEvent()]))[0].status,
      "success",
    );
    const foreign = statusEvent({ team_slug: "rival" });
    const own = statusEvent({ project_uuid: "0b9c7e7a-3f0a-4d55-8e7b-5f1f2d9c4a01" });
    const response = await postBatch(server.url, rival, [foreign, own]);
    assert.deepEqual(results(response).map((r) => r.status), ["rejected", "success"]);
    assert.equal(
      results(response)[0].error,
      "Invalid schema: project_uuid authorization check failed for team 'rival'",
    );
    // Same team, another user: fine.
    const mate = await postBatch(server.url, colleague, [statusEvent({ project_uuid: PROJECT })]);
    assert.equal(results(mate)[0].status, "success");
  });
});

Deno.test("batch: dedup is per team: an id another team stored first cannot suppress an event", async () => {
  await withServer(async (server, access) => {
    const rival = (await login(server.url, "eve")).access;
    const rivalProject = "0b9c7e7a-3f0a-4d55-8e7b-5f1f2d9c4a01";
    const mine = statusEvent({ to: "for_review" });
    // The other team sends an event with that id first (a replay, or an id it learned).
    const squatter = { ...statusEvent({ project_uuid: rivalProject }), event_id: mine.event_id };
    assert.equal(results(await postBatch(server.url, rival, [squatter]))[0].status, "success");

    assert.equal(results(await postBatch(server.url, access, [mine]))[0].status, "success");
    assert.equal(results(await postBatch(server.url, access, [mine]))[0].status, "duplicate");
    assert.equal(results(await postBatch(server.url, rival, [squatter]))[0].status, "duplicate");
    const stored = (await server.kv.get<StoredEvent>(eventKey("acme", mine.event_id))).value!;
    assert.deepEqual(JSON.parse(envelopeJson(stored)), mine);
    const view = await send(`${server.url}/api/v1/projects/${PROJECT}/`, {
      headers: { authorization: `Bearer ${access}` },
    });
    const project = view.body as { features: Array<{ work_packages: Array<{ lane: string }> }> };
    assert.equal(project.features[0].work_packages[0].lane, "for_review");
  });
});

Deno.test("batch: 1000 events with maximal view rows are all stored and shown", async () => {
  await withServer(async (server, access) => {
    const wps = Array.from({ length: 100 }, (_, i) => `WP${String(i).padStart(2, "0")}`);
    const events = Array.from({ length: 1000 }, (_, i) => {
      const wp = wps[i % 100];
      const feature = `${String(Math.floor(i / 100)).padStart(3, "0")}-${"f".repeat(150)}`;
      return {
        ...statusEvent({ wp, feature, node_id: "n".repeat(200), lamport_clock: i }),
        event_type: "WPCreated" as const,
        payload: { wp_id: wp, title: "t".repeat(400), feature_slug: feature, dependencies: wps },
      };
    });
    const response = await postBatch(server.url, access, events);
    assert.equal(response.status, 200);
    assert.equal(results(response).filter((r) => r.status === "success").length, 1000);
    const view = await send(`${server.url}/api/v1/projects/${PROJECT}/`, {
      headers: { authorization: `Bearer ${access}` },
    });
    const project = view.body as { features: Array<{ work_packages: unknown[] }> };
    assert.equal(project.features.length, 10);
    assert.equal(project.features.reduce((n, f) => n + f.work_packages.length, 0), 1000);
  });
});

Deno.test("batch: a stored event keeps the envelope as sent, the receiving team and the time", async () => {
  await withServer(async (server, access) => {
    const event = statusEvent();
    const before = new Date().toISOString();
    await postBatch(server.url, access, [event]);
    const stored = (await server.kv.get<StoredEvent>(eventKey("acme", event.event_id))).value!;
    assert.deepEqual(JSON.parse(envelopeJson(stored)), event);
    assert.equal(stored.team, "acme");
    assert.ok(stored.received_at >= before && stored.received_at <= new Date().toISOString());
  });
});

Deno.test("batch: an event near the size limit with non-Latin-1 text is stored (not a 500)", async () => {
  await withServer(async (server, access) => {
    // 40 KB of UTF-8, under the 60 KiB event limit; as a V8 string it would be UTF-16 (80 KB),
    // over Deno KV's 64 KiB value limit.
    const wide = statusEvent({ lamport_clock: 1 });
    wide.payload.actor = `${"a".repeat(40_000)}€`;
    const plain = statusEvent({ lamport_clock: 2 });
    const response = await postBatch(server.url, access, [plain, wide]);
    assert.equal(response.status, 200);
    assert.deepEqual(results(response).map((r) => r.status), ["success", "success"]);
    const stored = (await server.kv.get<StoredEvent>(eventKey("acme", wide.event_id))).value!;
    assert.deepEqual(JSON.parse(envelopeJson(stored)), wide);
    // Over the limit in UTF-8 bytes (not in characters): rejected per event.
    const tooBig = statusEvent({ lamport_clock: 3 });
    tooBig.payload.actor = "€".repeat(21_000);
    const refused = await postBatch(server.url, access, [tooBig]);
    assert.equal(results(refused)[0].status, "rejected");
    assert.match(String(results(refused)[0].error), /bytes encoded/);
  });
});

/** The header block of a raw HTTP/1.1 batch request, for tests that time the body's bytes. */
function batchHead(access: string, length: number): Uint8Array {
  return new TextEncoder().encode(
    `POST /api/v1/events/batch/ HTTP/1.1\r\nHost: 127.0.0.1\r\n` +
      `Authorization: Bearer ${access}\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${length}\r\n\r\n`,
  );
}

function closeQuietly(conn: Deno.Conn): void {
  try {
    conn.close();
  } catch {
    // already closed with its readable stream
  }
}

Deno.test("batch: shutdown lets a request in flight finish (its events are stored and answered)", async () => {
  // The server reads its clock to verify the token, then to stamp the events it stores.
  let clockReads = -1;
  const inFlight = Promise.withResolvers<void>();
  const server = await startTestServer({
    onClock: () => clockReads >= 0 && ++clockReads === 2 && inFlight.resolve(),
  });
  const access = (await login(server.url, "alice")).access;
  const event = statusEvent();
  const body = new TextEncoder().encode(JSON.stringify({ events: [event] }));
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.port });
  try {
    clockReads = 0;
    await conn.write(batchHead(access, body.length));
    await conn.write(body);
    await inFlight.promise; // the handler is storing the events: the request is in flight
    const stopped = server.close();
    const response = new TextDecoder().decode(await new Response(conn.readable).bytes());
    assert.match(response, /^HTTP\/1.1 200/);
    assert.match(response, new RegExp(`"event_id":"${event.event_id}","status":"success"`));
    await stopped;
  } finally {
    closeQuietly(conn);
  }
});

Deno.test("batch: an upload cut off by shutdown is a 503 (retried), not a 400 against the events", async () => {
  let clockReads = -1;
  const verifying = Promise.withResolvers<void>();
  const server = await startTestServer({
    onClock: () => clockReads >= 0 && ++clockReads === 1 && verifying.resolve(),
  });
  const access = (await login(server.url, "alice")).access;
  const body = new TextEncoder().encode(JSON.stringify({ events: [statusEvent()] }));
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.port });
  try {
    clockReads = 0;
    await conn.write(batchHead(access, body.length));
    await conn.write(body.subarray(0, 10));
    await verifying.promise; // the handler runs; the body has not all arrived
    const stopped = server.close();
    await conn.write(body.subarray(10)); // Deno's server refuses the rest: shutdown began
    const response = new TextDecoder().decode(await new Response(conn.readable).bytes());
    assert.match(response, /^HTTP\/1.1 503/);
    assert.match(response, /"error":"Request body interrupted"/);
    await stopped;
  } finally {
    closeQuietly(conn);
  }
});
