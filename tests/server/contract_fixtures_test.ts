/**
 * The five contract fixtures of the original (reference §12) as request/response tests against
 * the real server. Where kittify's answer differs in form from the hosted service's, the test
 * says how and checks the same information is there.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { errorCategory } from "../../src/sync/error_category.ts";
import { login, postBatch, results, startTestServer, type TestServer } from "./harness.ts";

const FIXTURES = fileURLToPath(new URL("../fixtures/contract/", import.meta.url));

interface Fixture {
  request: { events: Array<Record<string, unknown>> };
  expected_response: { status_code: number; body: Record<string, unknown> };
}

async function fixture(name: string): Promise<Fixture> {
  return JSON.parse(await Deno.readTextFile(`${FIXTURES}${name}.json`));
}

/** The fixtures' team is "priivacy": a test team of that name sends them. */
async function withServer(run: (server: TestServer, access: string) => Promise<void>) {
  const server = await startTestServer({ extraUsers: [{ username: "pri", team: "priivacy" }] });
  try {
    await run(server, (await login(server.url, "pri")).access);
  } finally {
    await server.close();
  }
}

for (
  const [name, title] of [
    ["fixture_01_single_wp_status_changed", "fixture 01: a single WPStatusChanged is stored"],
    ["fixture_02_mixed_batch", "fixture 02: a mixed batch of three types gets three successes"],
  ]
) {
  Deno.test(`${title} (exact response)`, async () => {
    const f = await fixture(name);
    await withServer(async (server, access) => {
      const response = await postBatch(server.url, access, f.request.events);
      assert.equal(response.status, f.expected_response.status_code);
      assert.deepEqual(response.body, f.expected_response.body);
    });
  });
}

Deno.test("fixture 03: the same event sent again (after fixture 01) is a duplicate", async () => {
  const first = await fixture("fixture_01_single_wp_status_changed");
  const f = await fixture("fixture_03_duplicate_event");
  await withServer(async (server, access) => {
    assert.equal((await postBatch(server.url, access, first.request.events)).status, 200);
    const response = await postBatch(server.url, access, f.request.events);
    assert.equal(response.status, f.expected_response.status_code);
    assert.deepEqual(response.body, f.expected_response.body);
  });
});

Deno.test("fixture 04: ErrorLogged without error_type is rejected with a schema reason", async () => {
  const f = await fixture("fixture_04_rejected_event");
  await withServer(async (server, access) => {
    const response = await postBatch(server.url, access, f.request.events);
    assert.equal(response.status, f.expected_response.status_code);
    const [expected] = (f.expected_response.body as { results: Array<Record<string, string>> })
      .results;
    // The same verdict for the same event. The text differs in form: it comes from the shared
    // validator (the same words `sync diagnose` prints), and is also sent as `error_message`.
    const error = "Invalid event: payload: missing required field(s) [error_type] for ErrorLogged";
    assert.deepEqual(response.body, {
      results: [
        { event_id: expected.event_id, status: expected.status, error, error_message: error },
      ],
    });
    // Either text puts the event in the category the fixture requires.
    assert.equal(errorCategory(expected.error), "schema_mismatch");
    assert.equal(errorCategory(error), "schema_mismatch");
  });
});

Deno.test("fixture 05: another team's project is refused with the ownership reason", async () => {
  const f = await fixture("fixture_05_http_400_error");
  await withServer(async (server, access) => {
    // The project already belongs to team acme.
    const owner = (await login(server.url, "alice")).access;
    const claim = { ...f.request.events[0], event_id: "01JMBYC4D5E6F7G8H9J0K1WAAA" };
    assert.equal(results(await postBatch(server.url, owner, [claim]))[0].status, "success");

    const response = await postBatch(server.url, access, f.request.events);
    // The hosted service answers 400 + details for the whole batch; kittify answers per event
    // (a mixed batch keeps its valid events), with the same event_id and the same reason.
    assert.equal(response.status, 200);
    const expected = (f.expected_response.body as { details: Array<Record<string, string>> })
      .details;
    assert.deepEqual(
      results(response).map((r) => ({ event_id: r.event_id, error: r.error })),
      expected,
    );
    assert.equal(results(response)[0].status, "rejected");
  });
});
