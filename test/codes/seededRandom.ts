/** Deterministic randomness for generated test cases (mulberry32). */
export function seededRandomBytes(seed: number): (n: number) => Uint8Array {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
  return (n) => {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = next() & 0xff;
    return out;
  };
}

export function pick(rnd: (n: number) => Uint8Array, items: string): string {
  const b = rnd(2);
  return items[((b[0]! << 8) | b[1]!) % items.length]!;
}
