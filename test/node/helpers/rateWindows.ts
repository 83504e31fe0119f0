/** Fixed windows start on multiples of their length: a test that counts within one window starts well clear of its end. */
export async function clearOfWindowEnd(windowSeconds: number, marginMs = 20_000): Promise<void> {
  const left = windowSeconds * 1000 - (Date.now() % (windowSeconds * 1000));
  if (left < marginMs) await new Promise((ok) => setTimeout(ok, left + 50));
}
