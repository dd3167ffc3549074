/**
 * The frames of `/ws/v1/events/` (pure), both ways. A client frame is either a bare event
 * envelope (no `type` key, as the spec-kitty client sends it) or a control message (`pong`,
 * `ping`). A server frame has a `type`: `snapshot` (first), `ack` (one per event, in order),
 * `event` (another connection's event, the envelope's keys beside `type`), `ping`, `pong`,
 * `error`.
 */
import { MAX_FRAME_BYTES } from "./limits.ts";
import type { EventResult } from "./results.ts";

export type ClientFrame =
  | { kind: "event"; event: unknown }
  | { kind: "pong" }
  | { kind: "ping"; timestamp: unknown }
  | { kind: "invalid"; error: string };

/** True if a text or binary frame is bigger than the frame limit. */
export function frameTooLarge(data: string | ArrayBuffer): boolean {
  if (typeof data !== "string") return data.byteLength > MAX_FRAME_BYTES;
  if (data.length > MAX_FRAME_BYTES) return true;
  if (data.length * 3 <= MAX_FRAME_BYTES) return false;
  return new TextEncoder().encode(data).length > MAX_FRAME_BYTES;
}

export function parseClientFrame(text: string): ClientFrame {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { kind: "invalid", error: `invalid JSON: ${(err as Error).message}` };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return { kind: "invalid", error: "a frame must be a JSON object (an event envelope)" };
  }
  const type = (value as { type?: unknown }).type;
  if (type === undefined) return { kind: "event", event: value };
  if (type === "pong") return { kind: "pong" };
  if (type === "ping") {
    return { kind: "ping", timestamp: (value as { timestamp?: unknown }).timestamp };
  }
  return { kind: "invalid", error: `unknown message type ${JSON.stringify(type)}` };
}

export function ackFrame(result: EventResult): string {
  const ack: Record<string, unknown> = {
    type: "ack",
    event_id: result.event_id,
    status: result.status,
  };
  if (result.error !== undefined) ack.error = result.error;
  return JSON.stringify(ack);
}

export function errorFrame(error: string): string {
  return JSON.stringify({ type: "error", error });
}

export function pingFrame(now: Date): string {
  return JSON.stringify({ type: "ping", timestamp: now.toISOString() });
}

export function pongFrame(timestamp: unknown): string {
  return JSON.stringify({ type: "pong", timestamp: timestamp ?? null });
}

export function eventFrame(event: object): string {
  return JSON.stringify({ type: "event", ...event });
}

export type ServerFrame =
  | { kind: "snapshot"; workPackages: unknown[] }
  | { kind: "ack"; eventId: string; status: string; error: string | null }
  | { kind: "event"; event: Record<string, unknown> }
  | { kind: "ping"; timestamp: unknown }
  | { kind: "pong" }
  | { kind: "error"; error: string }
  /** Unknown types and undecodable frames: ignored by clients (forward compatibility). */
  | { kind: "other" };

/** What a server frame says, as the client reads it. */
export function parseServerFrame(text: string): ServerFrame {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { kind: "other" };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return { kind: "other" };
  const frame = value as Record<string, unknown>;
  switch (frame.type) {
    case "snapshot":
      return {
        kind: "snapshot",
        workPackages: Array.isArray(frame.work_packages) ? frame.work_packages : [],
      };
    case "ack":
      if (typeof frame.event_id !== "string") return { kind: "other" };
      return {
        kind: "ack",
        eventId: frame.event_id,
        status: String(frame.status),
        error: typeof frame.error === "string" ? frame.error : null,
      };
    case "event": {
      const { type: _type, ...event } = frame;
      return { kind: "event", event };
    }
    case "ping":
      return { kind: "ping", timestamp: frame.timestamp ?? null };
    case "pong":
      return { kind: "pong" };
    case "error":
      return { kind: "error", error: String(frame.error ?? "") };
    default:
      return { kind: "other" };
  }
}
