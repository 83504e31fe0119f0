import { validatePath, type ParsedPathRequest } from '../pki/path/validatePath';
import type { PathValidationResult } from '../pki/path/PathErrorCode';
import type { ParsedCertificate } from '../pki/certificate/ParsedCertificate';

export type PathRequest = ParsedPathRequest;

type PathSuccess = Extract<PathValidationResult, { ok: true }>;

/**
 * Memoises successful path validations. A success holds for every time inside
 * its [validFrom, validUntil] window (the validator reports it), so a cached
 * result is reused only when the requested time falls inside that window.
 * Failures are not cached: they are rare and must always show their reason.
 * The anchor set is part of the key (by identity), so new trust data never
 * reuses an old answer.
 */
export class PathCache {
  private readonly byAnchors = new WeakMap<readonly ParsedCertificate[], Map<string, PathSuccess>>();

  constructor(private readonly capacity = 2048) {}

  validate(req: PathRequest): PathValidationResult {
    let map = this.byAnchors.get(req.anchors);
    if (!map) {
      map = new Map();
      this.byAnchors.set(req.anchors, map);
    }
    const key = `${req.eku}|${req.leafKeyUsage.join(',')}|${req.leaf.fingerprint}|${req.intermediates.map((c) => c.fingerprint).join(',')}`;
    const hit = map.get(key);
    const t = req.time.getTime();
    if (hit && hit.validFrom.getTime() <= t && t <= hit.validUntil.getTime()) return hit;
    const result = validatePath({
      leaf: req.leaf,
      intermediates: req.intermediates,
      anchors: req.anchors,
      time: req.time,
      eku: req.eku,
      leafKeyUsage: req.leafKeyUsage,
    });
    if (result.ok) {
      if (map.size >= this.capacity) {
        const oldest = map.keys().next().value;
        if (oldest !== undefined) map.delete(oldest);
      }
      map.set(key, result);
    }
    return result;
  }
}
