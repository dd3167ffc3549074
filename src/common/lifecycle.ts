/**
 * Process-wide shutdown hooks. Resources opened lazily (the KV store, the sync runtime) register
 * a closer here; the CLI runs them once, in reverse order, after the command has finished.
 */
type Closer = () => void | Promise<void>;

const closers: Closer[] = [];

export function onShutdown(closer: Closer): void {
  closers.push(closer);
}

/** Runs every registered closer once (last registered first); errors are swallowed. */
export async function runShutdown(): Promise<void> {
  while (closers.length > 0) {
    const closer = closers.pop()!;
    try {
      await closer();
    } catch {
      // A failing closer must not change the command's outcome.
    }
  }
}
