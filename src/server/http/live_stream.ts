/**
 * The dashboard's live channel: a Server-Sent Events stream that says "change" whenever events
 * are stored for the team. The page then refetches the view, so the stream stays tiny.
 */
import type { Principal } from "../auth/tokens.ts";
import type { Hub, Subscriber } from "../hub.ts";

const KEEPALIVE_MS = 15_000;

export function liveStream(hub: Hub, principal: Principal): Response {
  const encoder = new TextEncoder();
  let subscriber: Subscriber | undefined;
  let keepalive: ReturnType<typeof setInterval> | undefined;
  const stop = () => {
    clearInterval(keepalive);
    if (subscriber) hub.remove(subscriber);
  };
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      const push = (text: string) => {
        try {
          controller.enqueue(encoder.encode(text));
        } catch {
          stop();
        }
      };
      const close = () => {
        stop();
        try {
          controller.close();
        } catch {
          // Already closed by the client.
        }
      };
      subscriber = {
        principal,
        deliver: ({ events }) =>
          push(`event: change\ndata: ${JSON.stringify({ events: events.length })}\n\n`),
        close,
        // The page reloads and, its session no longer valid, shows the sign-in form.
        revoke: () => {
          push("event: signed-out\ndata: {}\n\n");
          close();
        },
      };
      hub.add(subscriber);
      keepalive = setInterval(() => push(": keep-alive\n\n"), KEEPALIVE_MS);
      push("retry: 2000\n\n");
    },
    cancel: stop,
  });
  return new Response(body, {
    headers: {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-store",
      "x-accel-buffering": "no",
    },
  });
}
