/** A WebSocket test client: queued messages, awaited close, Bearer header on the upgrade. */

export interface Frame {
  type?: string;
  [key: string]: unknown;
}

export class WsClient {
  private readonly queue: Frame[] = [];
  private waiters: Array<() => void> = [];
  readonly closed: Promise<CloseEvent>;
  readonly opened: Promise<void>;

  private constructor(readonly socket: WebSocket) {
    this.opened = new Promise((resolve, reject) => {
      socket.addEventListener("open", () => resolve(), { once: true });
      socket.addEventListener("error", () => reject(new Error("websocket failed to open")), {
        once: true,
      });
    });
    this.opened.catch(() => {});
    this.closed = new Promise((resolve) => socket.addEventListener("close", resolve));
    socket.addEventListener("message", (e) => {
      this.queue.push(JSON.parse(String(e.data)));
      this.wake();
    });
    socket.addEventListener("close", () => this.wake());
  }

  static async connect(url: string, wsToken: string): Promise<WsClient> {
    const ws = new WebSocket(`${url.replace(/^http/, "ws")}/ws/v1/events/`, {
      headers: { authorization: `Bearer ${wsToken}` },
    });
    const client = new WsClient(ws);
    await client.opened;
    return client;
  }

  /** The next frame (throws if the socket closes first). */
  async next(): Promise<Frame> {
    while (this.queue.length === 0) {
      if (this.socket.readyState >= WebSocket.CLOSING) throw new Error("socket closed");
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    return this.queue.shift()!;
  }

  /** The next frame of `type`, skipping others (e.g. pings). */
  async nextOfType(type: string): Promise<Frame> {
    for (;;) {
      const frame = await this.next();
      if (frame.type === type) return frame;
    }
  }

  send(value: unknown): void {
    this.socket.send(typeof value === "string" ? value : JSON.stringify(value));
  }

  async close(): Promise<void> {
    if (this.socket.readyState < WebSocket.CLOSING) this.socket.close(1000);
    await this.closed;
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}

export async function wsToken(url: string, access: string): Promise<string> {
  const response = await fetch(`${url}/api/v1/ws-token/`, {
    method: "POST",
    headers: { authorization: `Bearer ${access}` },
  });
  const body = await response.json();
  if (response.status !== 200) throw new Error(`ws-token: ${response.status}`);
  return body.ws_token;
}
