import { createPublicKey, verify as nodeVerify } from 'node:crypto';
import { buildDemoRegion } from '../../src/demo/buildDemoRegion';
import { LicenseFonts } from '../../src/forms/pdf/LicenseFonts';
import { renderLicensePdf } from '../../src/forms/pdf/renderLicensePdf';
import { coseSign1ToBeSigned } from '../../src/forms/qr/coseSign1';
import { decodeCompactLicense, encodeCompactLicense } from '../../src/forms/qr/compactLicense';
import { verifyCompactLicense } from '../../src/verify/forms/verifyCompactLicense';
import { readQrFromImage } from '../../src/forms/image/readQrFromImage';
import { qrSymbolOf, renderQrPng } from '../../src/forms/image/renderQrImage';
import { StandardsCatalog } from '../../src/standards/StandardsCatalog';
import { createVerifierCaches } from '../../src/verify/verifyLicense';
import { compare, type CaseResult } from './measure';

export interface TimingSummary {
  samples: number;
  medianMs: number;
  p95Ms: number;
}

export interface FormsBenchResult {
  licenceTypes: number;
  pdf: {
    unsigned: TimingSummary;
    signed: TimingSummary;
    /** Signed PDF sizes over the licence types (bytes). */
    sizeBytes: { median: number; max: number; byType: Record<string, number> };
  };
  qr: {
    encodeAndSign: TimingSummary;
    /** Reading the QR back from its PNG (ZXing, WebAssembly). */
    readPng: TimingSummary;
    versionByType: Record<string, number>;
    verification: CaseResult[];
    /** verifyCompactLicense rate / raw node:crypto ECDSA P-256 verify of the same COSE input (target ≥ 0.8). */
    ratioToRawVerify: number;
  };
}

function summarise(ms: number[]): TimingSummary {
  const s = [...ms].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
  const m = s.length >> 1;
  const median = s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
  return { samples: s.length, medianMs: Math.round(median * 100) / 100, p95Ms: Math.round(at(0.95) * 100) / 100 };
}

async function time(n: number, op: (i: number) => Promise<unknown>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = process.hrtime.bigint();
    await op(i);
    out.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return out;
}

/**
 * The licence forms: PDF rendering of every demo type, unsigned and with the
 * PAdES signature (the targets are ≤ 15 ms and ≤ 25 ms median, ≤ 60 KB), QR
 * encoding and signing, reading a QR PNG, and compact QR verification against
 * the floor measured in the same run: node:crypto ECDSA P-256 verify of the
 * same COSE Sig_structure.
 */
export async function formsBench(opts: { renders: number; rounds: number; millis: number; qrTexts: number }): Promise<FormsBenchResult> {
  const now = new Date();
  const catalog = StandardsCatalog.load();
  const demo = await buildDemoRegion({ catalog, now: new Date(now.getTime() - 3_600_000) });
  const fonts = LicenseFonts.load();
  const licenses = demo.licenses;
  const qrTextOf = new Map<string, string>();
  for (const l of licenses) qrTextOf.set(l.slug, await encodeCompactLicense(l.form, l.standard, demo.signerOf(l.department), now));

  const pdfOf = (i: number, signed: boolean) => {
    const l = licenses[i % licenses.length]!;
    return renderLicensePdf(l.form, { standard: l.standard, qrText: qrTextOf.get(l.slug)!, at: now, fonts, ...(signed ? { signer: demo.signerOf(l.department) } : {}) });
  };
  // Warm up: font parsing, the subsetter's WebAssembly, JIT.
  for (let i = 0; i < 2 * licenses.length; i++) await pdfOf(i, i % 2 === 0);
  // Interleaved, so machine noise hits both alike.
  const unsigned: number[] = [];
  const signed: number[] = [];
  for (let i = 0; i < opts.renders; i++) {
    unsigned.push(...(await time(1, () => pdfOf(i, false))));
    signed.push(...(await time(1, () => pdfOf(i, true))));
  }
  const byType: Record<string, number> = {};
  for (let i = 0; i < licenses.length; i++) byType[licenses[i]!.slug] = (await pdfOf(i, true)).length;
  const sizes = Object.values(byType).sort((a, b) => a - b);

  // QR encode + sign (the business licence's ES256 department), and reading a PNG back.
  const business = licenses.find((l) => l.slug === 'business-licence')!;
  const signer = demo.signerOf(business.department);
  await time(20, () => encodeCompactLicense(business.form, business.standard, signer, now));
  const encode = await time(opts.renders, (i) => encodeCompactLicense(business.form, business.standard, signer, new Date(now.getTime() - i * 1000)));
  const png = await renderQrPng(qrTextOf.get('business-licence')!);
  await readQrFromImage(png);
  const readPng = await time(Math.max(10, opts.renders >> 2), () => readQrFromImage(png));

  // Distinct QR texts (distinct signatures) of the ES256 department, all verified before timing.
  const texts: string[] = [];
  for (let i = 0; i < opts.qrTexts; i++) texts.push(await encodeCompactLicense(business.form, business.standard, signer, new Date(now.getTime() - i * 1000)));
  const publicKey = createPublicKey(business.department.privateKey);
  const raw = texts.map((t) => {
    const { cose } = decodeCompactLicense(t);
    return { data: coseSign1ToBeSigned(cose.protectedBytes, cose.payload), signature: cose.signature };
  });
  const ctx = { trust: demo.trust, catalog, at: now, caches: createVerifierCaches() };
  for (const t of texts) {
    const r = verifyCompactLicense(t, ctx);
    if (r.result !== 'accepted') throw new Error(`bench QR rejected: ${r.reasons.join(',')}`);
  }
  const n = texts.length;
  const verification = await compare(
    [
      {
        name: 'raw node:crypto ECDSA P-256 verify (same COSE input)',
        run: (i) => {
          const x = raw[i % n]!;
          if (!nodeVerify('sha256', x.data, { key: publicKey, dsaEncoding: 'ieee-p1363' }, x.signature)) throw new Error('raw verify failed');
        },
      },
      {
        name: 'elicense verifyCompactLicence (QR text, warm trust cache)',
        run: (i) => {
          if (verifyCompactLicense(texts[i % n]!, ctx).result !== 'accepted') throw new Error('verify failed');
        },
      },
    ],
    { rounds: opts.rounds, millis: opts.millis, warmupMillis: 500 },
  );
  const [rawCase, ours] = verification as [CaseResult, CaseResult];
  return {
    licenceTypes: licenses.length,
    pdf: {
      unsigned: summarise(unsigned),
      signed: summarise(signed),
      sizeBytes: { median: sizes[sizes.length >> 1]!, max: sizes[sizes.length - 1]!, byType },
    },
    qr: {
      encodeAndSign: summarise(encode),
      readPng: summarise(readPng),
      versionByType: Object.fromEntries(licenses.map((l) => [l.slug, qrSymbolOf(qrTextOf.get(l.slug)!).version])),
      verification,
      ratioToRawVerify: ours.opsPerSecond / rawCase.opsPerSecond,
    },
  };
}
