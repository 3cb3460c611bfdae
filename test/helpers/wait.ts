/** Polls until a condition holds (replication is asynchronous). */
export async function waitUntil(cond: () => Promise<boolean> | boolean, timeoutMs = 10000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await cond()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** One INFO field as a string ('' when absent). */
export function infoField(info: string, name: string): string {
  const m = new RegExp(`^${name}:(.*)\\r?$`, 'm').exec(info);
  return m ? m[1].trim() : '';
}
