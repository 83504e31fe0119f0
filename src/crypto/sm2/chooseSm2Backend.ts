import type { NativeSm2, Sm2Backend } from './Sm2Backend';
import { jsSm2Backend } from './jsSm2Backend';
import type { Sm2PrivateMaterial, Sm2PublicMaterial } from './sm2KeyMaterial';

/** The backend over a native binding: it reads the DER keys itself. */
export function nativeSm2Backend(native: NativeSm2): Sm2Backend {
  return Object.freeze({
    name: 'native' as const,
    sign: (key: Sm2PrivateMaterial, data: Uint8Array, id: Uint8Array): Uint8Array => native.sign(key.pkcs8Der, data, id),
    verify: (key: Sm2PublicMaterial, data: Uint8Array, signature: Uint8Array, id: Uint8Array): boolean =>
      native.verify(key.spkiDer, data, signature, id),
  });
}

/** The native backend when a binding is given, else the pure-JS one. */
export function sm2BackendOf(native: NativeSm2 | null | undefined): Sm2Backend {
  return native ? nativeSm2Backend(native) : jsSm2Backend;
}

/**
 * The native binding when its loader (./nativeSm2) exists in this build and
 * the addon loads; null otherwise. Required at run time, not imported, so
 * this layer builds and runs without the binding.
 */
export function loadOptionalNativeSm2(): NativeSm2 | null {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const loader = require('./nativeSm2') as { loadNativeSm2?: () => NativeSm2 | null };
    return typeof loader.loadNativeSm2 === 'function' ? loader.loadNativeSm2() : null;
  } catch {
    return null;
  }
}

let chosen: Sm2Backend | undefined;

/**
 * The process's SM2 backend, chosen once: native when the binding loads
 * (ELICENSE_SM2_NATIVE=0 makes its loader answer null), pure JS otherwise.
 */
export function sm2Backend(): Sm2Backend {
  chosen ??= sm2BackendOf(loadOptionalNativeSm2());
  return chosen;
}
