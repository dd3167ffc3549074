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
/**
 * The upload itself failed while arriving (the connection dropped, or the server is shutting
 * down): not the client's data's fault, so worth retrying.
 */
export class BodyInterrupted extends Error {}

export interface BodyLimits {
  wireBytes: number;
  decodedBytes: number;
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
  let stream: ReadableStream<Uint8Array> = interruptible(request.body).pipeThrough(
    limitStream(limits.wireBytes, "request body"),
  );
  if (encoding === "gzip") {
    stream = stream
      // DecompressionStream inflates each input chunk in one go (a 64 KiB chunk of a bomb is
      // 64 MiB out): feed it small slices so the limit below can stop it close to the limit.
      .pipeThrough(sliceStream(GZIP_SLICE_BYTES))
      .pipeThrough(new DecompressionStream("gzip") as TransformStream<Uint8Array, Uint8Array>)
      .pipeThrough(limitStream(limits.decodedBytes, "decompressed body"));
  }
  const bytes = await collect(stream);
  return new TextDecoder().decode(bytes);
}

/** Compressed bytes handed to the decoder at a time: deflate inflates ≤ ~1032:1, so ≤ ~4 MiB out. */
const GZIP_SLICE_BYTES = 4096;

/** The request body, with a failure to read it reported as {@link BodyInterrupted}. */
function interruptible(body: ReadableStream<Uint8Array>): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      let result: ReadableStreamReadResult<Uint8Array>;
      try {
        result = await reader.read();
      } catch (err) {
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

async function collect(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  try {
    return await new Response(stream).bytes();
  } catch (err) {
    if (err instanceof BodyTooLarge || err instanceof BodyInterrupted) throw err;
    throw new BadBody(err instanceof Error ? err.message : String(err));
  }
}
