/**
 * A fault-injecting HTTP proxy on loopback, for tests: it speaks HTTP/1.1 on a raw TCP socket
 * (so it can reset a connection or never answer), records every request (batch bodies decoded),
 * and per request either forwards it to the real server or injects a fault: a status with body
 * and headers (Retry-After, ...), a delay, a reset, or a black hole. A WebSocket upgrade that
 * passes is tunnelled byte for byte to the server (`closeTunnels` cuts them all).
 */
import type { Envelope } from "../../src/events/types.ts";

export type Fault =
  | { kind: "pass" }
  | { kind: "delay"; ms: number }
  | { kind: "status"; status: number; body?: unknown; headers?: Record<string, string> }
  /** Close the connection without an answer. */
  | { kind: "reset" }
  /** Never answer (the connection stays open until the proxy closes). */
  | { kind: "blackhole" };

export interface ProxiedRequest {
  method: string;
  path: string;
  headers: Headers;
  /** The events of a batch request (decoded), else null. */
  events: Envelope[] | null;
  /** performance.now() when the request had fully arrived. */
  at: number;
  fault: Fault["kind"];
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function indexOf(haystack: Uint8Array, needle: Uint8Array, from = 0): number {
  outer: for (let i = from; i <= haystack.length - needle.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** Buffered reads from one connection. */
class Reader {
  private buffered: Uint8Array = new Uint8Array(0);
  constructor(private readonly conn: Deno.Conn) {}

  private async fill(): Promise<boolean> {
    const chunk = new Uint8Array(64 * 1024);
    const n = await this.conn.read(chunk).catch(() => null);
    if (n === null) return false;
    this.buffered = concat(this.buffered, chunk.subarray(0, n));
    return true;
  }

  async until(marker: Uint8Array): Promise<Uint8Array | null> {
    for (;;) {
      const at = indexOf(this.buffered, marker);
      if (at >= 0) {
        const out = this.buffered.slice(0, at);
        this.buffered = this.buffered.slice(at + marker.length);
        return out;
      }
      if (!(await this.fill())) return null;
    }
  }

  /** What was read but not consumed yet (handed over when the connection is tunnelled). */
  drainBuffered(): Uint8Array {
    const out = this.buffered;
    this.buffered = new Uint8Array(0);
    return out;
  }

  async exactly(n: number): Promise<Uint8Array | null> {
    while (this.buffered.length < n) if (!(await this.fill())) return null;
    const out = this.buffered.slice(0, n);
    this.buffered = this.buffered.slice(n);
    return out;
  }
}

const CRLF = encoder.encode("\r\n");
const HEAD_END = encoder.encode("\r\n\r\n");

async function readBody(reader: Reader, headers: Headers): Promise<Uint8Array | null> {
  if (headers.get("transfer-encoding")?.toLowerCase().includes("chunked")) {
    let body: Uint8Array = new Uint8Array(0);
    for (;;) {
      const line = await reader.until(CRLF);
      if (line === null) return null;
      const size = parseInt(decoder.decode(line).split(";")[0], 16);
      if (size === 0) {
        await reader.until(CRLF);
        return body;
      }
      const chunk = await reader.exactly(size);
      if (chunk === null || (await reader.until(CRLF)) === null) return null;
      body = concat(body, chunk);
    }
  }
  return await reader.exactly(Number(headers.get("content-length") ?? "0"));
}

async function decodeEvents(headers: Headers, body: Uint8Array): Promise<Envelope[] | null> {
  try {
    let bytes = body;
    if (headers.get("content-encoding") === "gzip") {
      const stream = new Blob([body as Uint8Array<ArrayBuffer>]).stream().pipeThrough(
        new DecompressionStream("gzip"),
      );
      bytes = new Uint8Array(await new Response(stream).arrayBuffer());
    }
    const events = JSON.parse(decoder.decode(bytes)).events;
    return Array.isArray(events) ? events : null;
  } catch {
    return null;
  }
}

function rawResponse(status: number, headers: Headers, body: Uint8Array): Uint8Array {
  const lines = [`HTTP/1.1 ${status} X`];
  headers.forEach((value, name) => {
    if (!["content-length", "transfer-encoding", "connection", "keep-alive"].includes(name)) {
      lines.push(`${name}: ${value}`);
    }
  });
  lines.push(`content-length: ${body.length}`, "connection: keep-alive", "", "");
  return concat(encoder.encode(lines.join("\r\n")), body);
}

async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  let written = 0;
  while (written < bytes.length) written += await conn.write(bytes.subarray(written));
}

export class FaultProxy {
  readonly requests: ProxiedRequest[] = [];
  /** Decides the fault for each request; default: forward it. */
  rule: (request: ProxiedRequest) => Fault = () => ({ kind: "pass" });
  private readonly conns = new Set<Deno.Conn>();
  private readonly tunnels = new Set<Deno.Conn>();
  private readonly served: Promise<void>;

  private constructor(private readonly listener: Deno.Listener, private readonly upstream: string) {
    this.served = this.accept();
  }

  static start(upstream: string): FaultProxy {
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    return new FaultProxy(listener, upstream);
  }

  get url(): string {
    return `http://127.0.0.1:${(this.listener.addr as Deno.NetAddr).port}`;
  }

  /** Requests to a path (e.g. `/api/v1/events/batch/`). */
  to(path: string): ProxiedRequest[] {
    return this.requests.filter((r) => r.path === path);
  }

  /** Every event id the batch requests carried, in order (repeats included). */
  sentEventIds(): string[] {
    return this.requests.flatMap((r) => r.events?.map((e) => e.event_id) ?? []);
  }

  private async accept(): Promise<void> {
    for await (const conn of this.listener) {
      this.conns.add(conn);
      // The server unreachable (stopped by a test) drops the client's connection, as a stopped
      // server would, instead of failing the test module with an unhandled rejection.
      this.serve(conn).catch(() => {}).finally(() => {
        this.conns.delete(conn);
        try {
          conn.close();
        } catch {
          // already closed
        }
      });
    }
  }

  private async serve(conn: Deno.Conn): Promise<void> {
    const reader = new Reader(conn);
    for (;;) {
      const head = await reader.until(HEAD_END);
      if (head === null) return;
      const [requestLine, ...headerLines] = decoder.decode(head).split("\r\n");
      const [method, path] = requestLine.split(" ");
      const headers = new Headers();
      for (const line of headerLines) {
        const colon = line.indexOf(":");
        if (colon > 0) headers.append(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
      }
      const body = await readBody(reader, headers);
      if (body === null) return;
      const request: ProxiedRequest = {
        method,
        path,
        headers,
        events: path.endsWith("/events/batch/") ? await decodeEvents(headers, body) : null,
        at: performance.now(),
        fault: "pass",
      };
      const fault = this.rule(request);
      request.fault = fault.kind;
      this.requests.push(request);
      if (headers.get("upgrade")?.toLowerCase() === "websocket" && fault.kind === "pass") {
        await this.tunnel(conn, head, body, reader);
        return;
      }
      switch (fault.kind) {
        case "reset":
          return;
        case "blackhole":
          await new Promise(() => {}); // held until the proxy closes the connection
          return;
        case "status": {
          const text = fault.body === undefined ? "" : JSON.stringify(fault.body);
          const out = new Headers({ "content-type": "application/json", ...fault.headers });
          await writeAll(conn, rawResponse(fault.status, out, encoder.encode(text)));
          continue;
        }
        case "delay":
          await new Promise((r) => setTimeout(r, fault.ms));
      }
      await writeAll(conn, await this.forward(method, path, headers, body));
    }
  }

  /** Pipes an upgraded connection to the server and back until either side closes. */
  private async tunnel(
    conn: Deno.Conn,
    head: Uint8Array,
    body: Uint8Array,
    reader: Reader,
  ): Promise<void> {
    const { hostname, port } = new URL(this.upstream);
    const upstream = await Deno.connect({ hostname, port: Number(port) });
    this.tunnels.add(upstream);
    this.tunnels.add(conn);
    const close = () => {
      for (const c of [upstream, conn]) {
        try {
          c.close();
        } catch {
          // already closed
        }
      }
    };
    try {
      await writeAll(upstream, concat(concat(head, HEAD_END), body));
      const leftover = reader.drainBuffered();
      if (leftover.length > 0) await writeAll(upstream, leftover);
      await Promise.race([
        upstream.readable.pipeTo(conn.writable, { preventClose: true }).catch(() => {}),
        conn.readable.pipeTo(upstream.writable, { preventClose: true }).catch(() => {}),
      ]);
    } catch {
      // either side went away
    } finally {
      close();
      this.tunnels.delete(upstream);
      this.tunnels.delete(conn);
    }
  }

  /** Cuts every tunnelled WebSocket (as a network failure would). */
  closeTunnels(): void {
    for (const c of this.tunnels) {
      try {
        c.close();
      } catch {
        // already closed
      }
    }
  }

  private async forward(
    method: string,
    path: string,
    headers: Headers,
    body: Uint8Array,
  ): Promise<Uint8Array> {
    const out = new Headers(headers);
    for (const h of ["host", "connection", "content-length", "transfer-encoding", "keep-alive"]) {
      out.delete(h);
    }
    const response = await fetch(`${this.upstream}${path}`, {
      method,
      headers: out,
      body: method === "GET" || method === "HEAD" ? undefined : body as Uint8Array<ArrayBuffer>,
    });
    const bytes = new Uint8Array(await response.arrayBuffer());
    return rawResponse(response.status, response.headers, bytes);
  }

  async close(): Promise<void> {
    this.listener.close();
    this.closeTunnels();
    for (const conn of this.conns) {
      try {
        conn.close();
      } catch {
        // already closed
      }
    }
    await this.served.catch(() => {});
  }
}
