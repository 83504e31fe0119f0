import type { KeyObject } from 'node:crypto';
import { isSm2Key } from '../../crypto/sm2/sm2KeyMaterial';

const types = new WeakMap<KeyObject, string>();

/**
 * The key type a signature scheme is matched against: 'sm2' for a key on the
 * SM2 curve (Node calls a generated one 'ec' and gives one read from DER no
 * type at all), otherwise Node's asymmetricKeyType ('' when it has none).
 * An SM2 key is never 'ec', so ECDSA schemes never verify with it. Cached per KeyObject.
 */
export function certificateKeyType(key: KeyObject): string {
  let t = types.get(key);
  if (t === undefined) {
    t = isSm2Key(key) ? 'sm2' : (key.asymmetricKeyType ?? '');
    types.set(key, t);
  }
  return t;
}
