import { createPublicKey, verify as nodeVerify, type KeyObject } from 'node:crypto';
import * as jose from 'jose';
import { licenseSigningPayload } from '../../src/format/signingInput';
import { StatusBits } from '../../src/format/federation/StatusBits';
import { parseCertificate } from '../../src/pki/certificate/ParsedCertificate';
import { FederatedTrust } from '../../src/trust/FederatedTrust';
import { trustListOfCeremony } from '../../src/trust/publish/buildTrustDocuments';
import type { TrustInputs } from '../../src/trust/TrustInputs';
import { createVerifierCaches, verifyLicense } from '../../src/verify/verifyLicense';
import { compare, type CaseResult } from './measure';
import { issueBenchLicences } from './benchLicences';

export interface VerificationBenchResult {
  licences: number;
  fullFormBytes: number;
  cases: CaseResult[];
  /** elicense full-form verification rate / raw node:crypto ECDSA P-256 verify rate (target ≥ 0.8). */
  ratioToRawVerify: number;
  /** jose compact ES256 verify rate / raw node:crypto verify rate, for comparison. */
  joseRatioToRawVerify: number;
  /**
   * ECDSA P-256 verifications a full form needs: the department's signature and the region timestamp's
   * (both always checked). The floor of full-form verification is raw verify / this.
   */
  signaturesPerLicence: number;
  /** elicense full-form rate / (raw verify rate / signaturesPerLicence): how close to the two-signature floor. */
  ratioToTwoSignatureFloor: number;
  /** The same licences as a peer region's, verified through FederatedTrust.combine per request (as the node does) / raw verify. */
  peerRatioToRawVerify: number;
  /** Peer licence rate / own-region rate (issue 17: does a peer's licence cost 2.5×?). */
  peerRatioToOwn: number;
}

/**
 * In-process verification of full-form ES256 licences with a warm trust cache,
 * against the floor (node:crypto ECDSA P-256 verify of the same signing input)
 * and the jose library's compact JWS verify of the same payload.
 */
export async function verificationBench(opts: { licences: number; rounds: number; millis: number }): Promise<VerificationBenchResult> {
  const now = new Date();
  // The region exists an hour before the licences, which are signed a second apart; each has a status slot, as the
  // node issues, so that the peer case reads a status list bit.
  const { catalog, demo, standard, dept, signer, forms } = await issueBenchLicences({ count: opts.licences, now, statusSlots: true });

  // Distinct licences (distinct serials and signing times), as a verifier sees them.
  const inputs: Buffer[] = [];
  const rawInputs: { data: Buffer; signature: Buffer }[] = [];
  const joseTokens: string[] = [];
  const publicKey: KeyObject = createPublicKey(dept.privateKey);
  for (const form of forms) {
    const text = JSON.stringify(form);
    inputs.push(Buffer.from(text));
    const [head, , sig] = form.signature.split('.');
    const payloadB64 = licenseSigningPayload(form.license).toString('base64url');
    rawInputs.push({ data: Buffer.from(`${head}.${payloadB64}`), signature: Buffer.from(sig!, 'base64url') });
    joseTokens.push(`${head}.${payloadB64}.${sig}`);
  }
  const joseKey = await jose.importSPKI(publicKey.export({ type: 'spki', format: 'pem' }).toString(), 'ES256');

  const caches = createVerifierCaches();
  const ctx = { trust: demo.trust, catalog, at: now, caches };
  // Every input must verify before it is timed.
  for (const b of inputs) {
    const r = verifyLicense(b, ctx);
    if (r.result !== 'accepted') throw new Error(`bench licence rejected: ${r.reasons.join(',')}`);
  }
  const n = inputs.length;
  const rawCase = {
    name: 'raw node:crypto ECDSA P-256 verify (same signing input)',
    run: (i: number) => {
      const x = rawInputs[i % n]!;
      if (!nodeVerify('sha256', x.data, { key: publicKey, dsaEncoding: 'ieee-p1363' }, x.signature)) throw new Error('raw verify failed');
    },
  };
  const ownCase = {
    name: 'elicense verifyLicense (full form bytes, warm trust cache)',
    run: (i: number) => {
      if (verifyLicense(inputs[i % n]!, ctx).result !== 'accepted') throw new Error('verify failed');
    },
  };
  const cases = await compare(
    [
      rawCase,
      ownCase,
      {
        name: 'jose compactVerify ES256 (same payload)',
        run: (i) => jose.compactVerify(joseTokens[i % n]!, joseKey),
      },
    ],
    { rounds: opts.rounds, millis: opts.millis, warmupMillis: 500 },
  );
  const [raw, ours, joseCase] = cases as [CaseResult, CaseResult, CaseResult];

  // The same region as a peer of a verifying node of another region: its accepted trust list, a status list
  // per department (every slot valid), an agreement recognising its types; the node's own region lists none of them.
  const since = new Date(now.getTime() - 3_600_000);
  const doc = trustListOfCeremony(demo.pki, { sequence: 1, issuedAt: since, validitySeconds: 86_400, since });
  const peers = new FederatedTrust(
    [
      {
        rootSha256: parseCertificate(demo.pki.root.certificate.der).fingerprint,
        region: doc.region,
        trustList: { doc, fetchedAt: since },
        statusLists: new Map(doc.statusLists.map((l) => [l.listId, { listId: l.listId, uscc: l.uscc, bits: StatusBits.empty(Math.max(1024, opts.licences)), sequence: 1, issuedAt: since, ttlSeconds: 86_400, fetchedAt: since }])),
      },
    ],
    [{ peerRegion: doc.region.code, peerTypeCode: standard.typeCode, localTypeCode: standard.typeCode, conditions: { maxStatusAgeSeconds: 86_400 } }],
  );
  const ownRegion: TrustInputs = { anchors: [], lookupDepartment: () => undefined, lookupTimestampAuthority: () => undefined, lookupSignerCertificate: () => undefined, statusOf: () => ({ kind: 'not_covered' }), source: 'the verifying region', asOf: since };
  const verifyingRegion = doc.region.code === '110000' ? '120000' : '110000';
  const peerCaches = createVerifierCaches();
  const verifyAsPeer = (b: Buffer) => {
    // As POST /v1/verifications does: the trust inputs combined per request, then the pure verifier.
    const trust = peers.combine(ownRegion, { ownRegionCode: verifyingRegion, at: () => now, agreementAsOf: since });
    return verifyLicense(b, { trust, catalog, at: now, caches: peerCaches });
  };
  for (const b of inputs) {
    const r = verifyAsPeer(b);
    if (r.result !== 'accepted' || r.status?.value !== 'valid') throw new Error(`bench licence rejected as a peer's: ${r.reasons.join(',')}`);
  }
  // Timed after the cases above, which keep their figures as before (the verifier's call sites see one trust
  // shape there), in interleaved rounds of its own against raw verify and the own-region verification again.
  const peerCases = await compare(
    [
      rawCase,
      ownCase,
      {
        name: 'peer licence verify (FederatedTrust.combine + status list)',
        run: (i) => {
          if (verifyAsPeer(inputs[i % n]!).result !== 'accepted') throw new Error('peer verify failed');
        },
      },
    ],
    { rounds: opts.rounds, millis: opts.millis, warmupMillis: 500 },
  );
  const [rawAgain, ownAgain, peer] = peerCases as [CaseResult, CaseResult, CaseResult];
  cases.push(peer);
  const signaturesPerLicence = 2;
  return {
    licences: n,
    fullFormBytes: Math.round(inputs.reduce((s, b) => s + b.length, 0) / n),
    cases,
    ratioToRawVerify: ours.opsPerSecond / raw.opsPerSecond,
    joseRatioToRawVerify: joseCase.opsPerSecond / raw.opsPerSecond,
    signaturesPerLicence,
    ratioToTwoSignatureFloor: ours.opsPerSecond / (raw.opsPerSecond / signaturesPerLicence),
    peerRatioToRawVerify: peer.opsPerSecond / rawAgain.opsPerSecond,
    peerRatioToOwn: peer.opsPerSecond / ownAgain.opsPerSecond,
  };
}
