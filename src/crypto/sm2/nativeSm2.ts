import { existsSync } from 'node:fs';
import { repoPath } from '../../repoPath';
import type { NativeSm2 } from './Sm2Backend';

/*
 * SM2 with SM3 through the OpenSSL inside the running Node binary (the addon
 * in native/sm2, built at install time when a compiler is present). Node's
 * own crypto.sign cannot set the SM2 distinguishing ID; the addon can.
 * Signatures are the 64-byte r‖s form; keys are DER (PKCS#8 / SPKI).
 */
/** What the compiled addon exports (native/sm2/sm2.c). */
interface Sm2Addon {
  publicKey(spkiDer: Uint8Array): object;
  verify(key: object, data: Uint8Array, signature: Uint8Array, id: Uint8Array): boolean;
  /** The same check written out on a precomputed generator table (absent when the addon could not set it up). */
  verifyFast?(key: object, data: Uint8Array, signature: Uint8Array, id: Uint8Array): boolean;
  sign(pkcs8Der: Uint8Array, data: Uint8Array, id: Uint8Array): Uint8Array;
  opensslVersion: string;
}

const ADDON_FILE = ['native', 'sm2', 'build', 'Release', 'elicense_sm2.node'] as const;

/** Parsed public keys kept by the wrapper, most recently used last. */
const PUBLIC_KEY_CACHE_LIMIT = 64;

/**
 * A throwaway SM2 key made with the OpenSSL command line for this self-test
 * only, and OpenSSL's signature (`pkeyutl -sign -rawin -digest sm3 -pkeyopt
 * distid:1234567812345678`) over SELF_TEST_MESSAGE.
 */
const SELF_TEST = {
  pkcs8: 'MIGHAgEAMBMGByqGSM49AgEGCCqBHM9VAYItBG0wawIBAQQgfJBQrgrmZysZYhrH7fHaIOStwZbYNuVmwXsdKy4T2j2hRANCAAR2+Fjk7SKIeJoifTCW8wKDbMZ/NHJOiDroSxlDFMfYwXMtdAxK5TKc4TuvRYfE+BBhVazW1tAjWh0udld7FUP/',
  spki: 'MFkwEwYHKoZIzj0CAQYIKoEcz1UBgi0DQgAEdvhY5O0iiHiaIn0wlvMCg2zGfzRyTog66EsZQxTH2MFzLXQMSuUynOE7r0WHxPgQYVWs1tbQI1odLnZXexVD/w==',
  message: 'elicense native SM2 self-test',
  opensslSignature:
    'd2e57f4793e61091d2a1e656a9b3b81cd4d1473ad3763a549474a4868cfea27edc834dfc5ba10c61d76162651abe484f807e69ab42256cdf1a88c4f7a5a0e625',
  id: '1234567812345678',
};

/** The two verification paths of the addon: `fast` (used in service when present) and `reference` (EVP_DigestVerify). */
export interface NativeSm2Paths {
  readonly fast: NativeSm2 | null;
  readonly reference: NativeSm2;
}

let loaded: NativeSm2Paths | null | undefined;

/**
 * The native SM2 binding, or null (never throws, logs nothing) when
 * ELICENSE_SM2_NATIVE=0, the addon was not built, it cannot be loaded, or it
 * fails its self-test against an OpenSSL-made signature.
 */
export function loadNativeSm2(): NativeSm2 | null {
  const paths = loadNativeSm2Paths();
  return paths === null ? null : (paths.fast ?? paths.reference);
}

/**
 * Both verification paths of the binding (for tests and measurements): the
 * reference path is EVP_DigestVerify; the fast path is null when the addon
 * lacks it or it fails the self-test. Null as loadNativeSm2 is.
 */
export function loadNativeSm2Paths(): NativeSm2Paths | null {
  if (process.env.ELICENSE_SM2_NATIVE === '0') return null;
  if (loaded === undefined) loaded = tryLoad();
  return loaded;
}

function tryLoad(): NativeSm2Paths | null {
  try {
    const file = repoPath(...ADDON_FILE);
    if (!existsSync(file)) return null;
    const module = { exports: {} as Partial<Sm2Addon> };
    process.dlopen(module, file);
    const addon = module.exports;
    if (typeof addon.publicKey !== 'function' || typeof addon.verify !== 'function' || typeof addon.sign !== 'function') return null;
    const reference = wrap(addon as Sm2Addon, 'reference');
    if (!passesSelfTest(reference)) return null;
    const fast = typeof addon.verifyFast === 'function' ? wrap(addon as Sm2Addon, 'fast') : null;
    return { reference, fast: fast !== null && passesSelfTest(fast) ? fast : null };
  } catch {
    return null;
  }
}

function wrap(addon: Sm2Addon, path: 'fast' | 'reference'): NativeSm2 {
  const check = path === 'fast' && addon.verifyFast !== undefined ? addon.verifyFast.bind(addon) : addon.verify.bind(addon);
  const publicKeys = new Map<string, object>();
  const publicKeyOf = (spkiDer: Uint8Array): object => {
    const cacheKey = Buffer.from(spkiDer.buffer, spkiDer.byteOffset, spkiDer.byteLength).toString('base64');
    const cached = publicKeys.get(cacheKey);
    if (cached !== undefined) {
      publicKeys.delete(cacheKey);
      publicKeys.set(cacheKey, cached);
      return cached;
    }
    const key = addon.publicKey(spkiDer);
    publicKeys.set(cacheKey, key);
    if (publicKeys.size > PUBLIC_KEY_CACHE_LIMIT) publicKeys.delete(publicKeys.keys().next().value as string);
    return key;
  };
  return {
    sign: (pkcs8Der, data, id) => new Uint8Array(addon.sign(pkcs8Der, data, id)),
    verify: (spkiDer, data, signature, id) => check(publicKeyOf(spkiDer), data, signature, id),
  };
}

function passesSelfTest(binding: NativeSm2): boolean {
  const pkcs8 = Buffer.from(SELF_TEST.pkcs8, 'base64');
  const spki = Buffer.from(SELF_TEST.spki, 'base64');
  const message = Buffer.from(SELF_TEST.message, 'utf8');
  const id = Buffer.from(SELF_TEST.id, 'utf8');
  const opensslSignature = Buffer.from(SELF_TEST.opensslSignature, 'hex');
  const ours = binding.sign(pkcs8, message, id);
  const otherMessage = Buffer.from(`${SELF_TEST.message}!`, 'utf8');
  return (
    ours.length === 64 &&
    binding.verify(spki, message, opensslSignature, id) &&
    binding.verify(spki, message, ours, id) &&
    !binding.verify(spki, otherMessage, opensslSignature, id) &&
    !binding.verify(spki, message, opensslSignature, new Uint8Array(0)) &&
    !binding.verify(spki, message, Buffer.concat([opensslSignature.subarray(32), opensslSignature.subarray(0, 32)]), id)
  );
}
