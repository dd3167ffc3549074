/**
 * Reading a request body within limits. The wire body is counted as it streams in (a lying or
 * missing Content-Length does not help), and gzip is decoded incrementally so that decoding stops
 * as soon as the decoded size passes its limit: a gzip bomb costs at most that many bytes.
 */

export class BodyTooLarge extends Error {
  /** Bytes that had passed the limit's counter when it stopped the stream. */
  constructor(message: string, readonly seen: number) {
    super(message);
  }
}
export class UnsupportedEncoding extends Error {}
/** The body could not be decoded (truncated or corrupt gzip). */
export class BadBody extends Error {}
/** The server's memory budget cannot take this body now (memory_budget.ts): retry later. */
export class ServerBusy extends Error {}
/** The body did not arrive in time: a stalled upload must not hold the server's memory. */
export class BodyTimeout extends Error {}
/**
 * The upload itself failed while arriving (the connection dropped, or the server is shutting
 * down): not the client's data's fault, so worth retrying.
 */
export class BodyInterrupted extends Error {}

export interface BodyLimits {
  wireBytes: number;
  decodedBytes: number;
  /**
   * Called with each decoded chunk's size before it is kept; false stops the body with
   * {@link ServerBusy} (the server's memory budget, see memory_budget.ts).
   */
  claim?: (bytes: number) => boolean;
  /** The whole body must have arrived within this many ms, else {@link BodyTimeout}. */
  deadlineMs?: number;
}

/** The decoded body as UTF-8 text, or throws one of the errors above. */
export async function readBody(request: Request, limits: BodyLimits): Promise<string> {
  const declared = Number(request.headers.get("content-length") ?? NaN);
  if (declared > limits.wireBytes) {
    throw new BodyTooLarge(`request body larger than ${limits.wireBytes} bytes`, declared);
  }
  const encoding = (request.headers.get("content-encoding") ?? "identity").trim().toLowerCase();
  if (encoding !== "identity" && encoding !== "gzip" && encoding !== "") {
    throw new UnsupportedEncoding(`unsupported Content-Encoding '${encoding}' (use gzip)`);
  }
  if (!request.body) return "";
  const deadline = new AbortController();
  const timer = limits.deadlineMs === undefined ? undefined : setTimeout(
    () => deadline.abort(new BodyTimeout(`the body did not arrive within ${limits.deadlineMs} ms`)),
    limits.deadlineMs,
  );
  let stream: ReadableStream<Uint8Array> = interruptible(request.body, deadline.signal)
    .pipeThrough(limitStream(limits.wireBytes, "request body"));
  if (encoding === "gzip") {
    stream = stream
      // DecompressionStream inflates each input chunk in one go (a 64 KiB chunk of a bomb is
      // 64 MiB out): feed it small slices so the limit below can stop it close to the limit.
      .pipeThrough(sliceStream(GZIP_SLICE_BYTES))
      .pipeThrough(new DecompressionStream("gzip") as TransformStream<Uint8Array, Uint8Array>)
      .pipeThrough(limitStream(limits.decodedBytes, "decompressed body"));
  }
  // A body already in memory streams through as one chain of promise jobs; without a pause now
  // and then, decoding 16 MiB would hold the event loop (and every other request) for ~100 ms.
  stream = stream.pipeThrough(pacedStream());
  if (limits.claim) stream = stream.pipeThrough(claimStream(limits.claim));
  try {
    return await collectText(stream);
  } finally {
    clearTimeout(timer);
  }
}

/** Work done between two pauses of {@link pacedStream}, ms. */
const PACE_MS = 4;

/** Passes chunks on, letting the event loop run other tasks every {@link PACE_MS}. */
function pacedStream(): TransformStream<Uint8Array, Uint8Array> {
  let since = performance.now();
  return new TransformStream({
    async transform(chunk, controller) {
      if (performance.now() - since > PACE_MS) {
        await new Promise((resolve) => setTimeout(resolve, 0));
        since = performance.now();
      }
      controller.enqueue(chunk);
    },
  });
}

/** Stops the stream with {@link ServerBusy} when `claim` refuses a chunk. */
function claimStream(claim: (bytes: number) => boolean): TransformStream<Uint8Array, Uint8Array> {
  return new TransformStream({
    transform(chunk, controller) {
      if (!claim(chunk.byteLength)) {
        controller.error(new ServerBusy("the server is busy with other uploads; retry shortly"));
        return;
      }
      controller.enqueue(chunk);
    },
  });
}

/**
 * Compressed bytes handed to the decoder at a time: deflate inflates ≤ ~1032:1, so ≤ ~512 KiB out
 * per step. Each step is one synchronous piece of work (other requests wait for it), and a body
 * refused by the memory budget costs no more than one step.
 */
const GZIP_SLICE_BYTES = 512;

/**
 * The request body, with a failure to read it reported as {@link BodyInterrupted}, and given up
 * (the upload cancelled) when `signal` aborts.
 */
function interruptible(
  body: ReadableStream<Uint8Array>,
  signal: AbortSignal,
): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  const aborted = new Promise<never>((_, reject) => {
    signal.addEventListener("abort", () => reject(signal.reason), { once: true });
  });
  aborted.catch(() => {});
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      let result: ReadableStreamReadResult<Uint8Array>;
      try {
        result = await Promise.race([reader.read(), aborted]);
      } catch (err) {
        if (signal.aborted) {
          reader.cancel(err).catch(() => {});
          controller.error(err);
          return;
        }
        const reason = err instanceof Error ? err.message : String(err);
        controller.error(new BodyInterrupted(`the upload was interrupted: ${reason}`));
        return;
      }
      if (result.done) controller.close();
      else controller.enqueue(result.value);
    },
    cancel: (reason) => reader.cancel(reason),
  });
}

/** Re-chunks a byte stream into chunks of at most `size` bytes (views, no copies). */
function sliceStream(size: number): TransformStream<Uint8Array, Uint8Array> {
  return new TransformStream({
    transform(chunk, controller) {
      for (let at = 0; at < chunk.byteLength; at += size) {
        controller.enqueue(chunk.subarray(at, at + size));
      }
    },
  });
}

/** A pass-through stream that errors once more than `max` bytes went through it. */
function limitStream(max: number, what: string): TransformStream<Uint8Array, Uint8Array> {
  let seen = 0;
  return new TransformStream({
    transform(chunk, controller) {
      seen += chunk.byteLength;
      if (seen > max) {
        controller.error(new BodyTooLarge(`${what} larger than ${max} bytes`, seen));
        return;
      }
      controller.enqueue(chunk);
    },
  });
}

/**
 * The stream's UTF-8 text. Each chunk is decoded as it arrives and dropped: a 16 MiB body is never
 * held as bytes and as text at once, and no single step decodes (or copies) all of it, which would
 * stall every other request for tens of milliseconds.
 */
async function collectText(stream: ReadableStream<Uint8Array>): Promise<string> {
  try {
    const decoder = new TextDecoder();
    const parts: string[] = [];
    for await (const chunk of stream) parts.push(decoder.decode(chunk, { stream: true }));
    parts.push(decoder.decode());
    return parts.join("");
  } catch (err) {
    if (
      err instanceof BodyTooLarge || err instanceof BodyInterrupted || err instanceof ServerBusy ||
      err instanceof BodyTimeout
    ) {
      throw err;
    }
    throw new BadBody(err instanceof Error ? err.message : String(err));
  }
}
