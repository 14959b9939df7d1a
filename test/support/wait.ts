// Waiting for something asynchronous (a delivery, a worker's job) without sleeping a fixed time.

/** Resolves once `predicate` holds, checking every `intervalMs`; fails after `timeoutMs` naming what it waited for. */
export async function waitUntil(what: string, predicate: () => Promise<boolean> | boolean, timeoutMs = 15_000, intervalMs = 50): Promise<void> {
  const started = Date.now();
  while (!(await predicate())) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
