import type { Sm2PrivateMaterial, Sm2PublicMaterial } from './sm2KeyMaterial';

/**
 * The shape of the native SM2 binding (an addon on the OpenSSL that Node
 * ships), as its loader `loadNativeSm2()` in ./nativeSm2 returns it. Declared
 * here, not in the loader, so that this layer compiles and runs whether or not
 * the binding is present. Signatures are r‖s, 64 bytes; id is the distinguishing ID.
 */
export interface NativeSm2 {
  sign(pkcs8Der: Uint8Array, data: Uint8Array, id: Uint8Array): Uint8Array;
  verify(spkiDer: Uint8Array, data: Uint8Array, signature: Uint8Array, id: Uint8Array): boolean;
}

/**
 * One implementation of SM2 with SM3 (GB/T 32918.2): e = SM3(Z_A ‖ data).
 * Inputs are already checked by sm2Sign / sm2Verify (key on the curve,
 * signature of 64 bytes with r and s in [1, n−1]).
 */
export interface Sm2Backend {
  readonly name: 'js' | 'native';
  /** r‖s, 64 bytes. */
  sign(key: Sm2PrivateMaterial, data: Uint8Array, id: Uint8Array): Uint8Array;
  verify(key: Sm2PublicMaterial, data: Uint8Array, signature: Uint8Array, id: Uint8Array): boolean;
}
