import { seededUint32 } from '../../scripts/support/seededRandom';

/** Deterministic randomness for generated test cases. */
export function seededRandomBytes(seed: number): (n: number) => Uint8Array {
  const next = seededUint32(seed);
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
