// Test support: wait for something to happen instead of sleeping a fixed time and hoping it did.

type Probe<T> = T | undefined | null | false;

/**
 * Polls `probe` every `everyMs` until it returns a value (not undefined, null or false), and returns
 * it. The deadline only bounds a hang: a loaded CI machine is slow, not stuck, so it is generous.
 */
export async function waitUntil<T>(what: string, probe: () => Probe<T> | Promise<Probe<T>>, timeoutMs = 30_000, everyMs = 5): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== null && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`waited ${timeoutMs} ms for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
