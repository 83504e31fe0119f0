/**
 * x509-limbo conformance of our path validator (src/pki/path/validatePath).
 * Reads ../shared/vectors/x509-limbo in place, runs every host-name-independent
 * testcase, prints pass rates per namespace and every divergence, and writes
 * bench-results/limbo.json. Usage: npm run build && npm run conformance:limbo
 * (LIMBO_DIR overrides the vectors folder).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { KeyUsageName } from '../src/pki/certificate/CertificateExtensions';
import { pemCertificatesToDer } from '../src/pki/certificate/parseCertificatePem';
import { PathValidationResult } from '../src/pki/path/PathErrorCode';
import { validatePath } from '../src/pki/path/validatePath';

interface LimboCase {
  id: string;
  trusted_certs: string[];
  untrusted_intermediates: string[];
  peer_certificate: string;
  validation_time: string | null;
  extended_key_usage: string[];
  key_usage: string[];
  max_chain_depth: number | null;
  expected_result: 'SUCCESS' | 'FAILURE';
}

const EKU_OIDS: Record<string, string> = {
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
  codeSigning: '1.3.6.1.5.5.7.3.3',
  emailProtection: '1.3.6.1.5.5.7.3.4',
  timeStamping: '1.3.6.1.5.5.7.3.8',
  OCSPSigning: '1.3.6.1.5.5.7.3.9',
  anyExtendedKeyUsage: '2.5.29.37.0',
};

const INCLUDED_PREFIXES = ['success-case', 'failure-case: hostname-independent', 'no-peer-name'];

const root = resolve(__dirname, '..', '..');
const limboDir = process.env.LIMBO_DIR ?? [resolve(root, '..', 'shared', 'vectors', 'x509-limbo'), '/work/shared/vectors/x509-limbo'].find((d) => existsSync(d)) ?? resolve(root, '..', 'shared', 'vectors', 'x509-limbo');

function pem(text: string): Uint8Array {
  const d = pemCertificatesToDer(text);
  if (d.length !== 1) throw new Error('expected one certificate');
  return d[0]!;
}

/** Runs one testcase; several required EKUs must all hold. */
export function runCase(tc: LimboCase): { result: 'SUCCESS' | 'FAILURE'; detail: string } {
  let leaf: Uint8Array;
  try {
    leaf = pem(tc.peer_certificate);
  } catch {
    return { result: 'FAILURE', detail: 'CERT_MALFORMED: leaf PEM' };
  }
  const ekus = tc.extended_key_usage.length ? tc.extended_key_usage.map((n) => EKU_OIDS[n] ?? n) : [null];
  let r: PathValidationResult | undefined;
  for (const eku of ekus) {
    r = validatePath({
      leaf,
      intermediates: tc.untrusted_intermediates.flatMap(pemCertificatesToDer),
      anchors: tc.trusted_certs.flatMap(pemCertificatesToDer),
      time: tc.validation_time ? new Date(tc.validation_time) : new Date(),
      eku,
      maxDepth: tc.max_chain_depth ?? undefined,
      leafKeyUsage: tc.key_usage as KeyUsageName[],
    });
    if (!r.ok) break;
  }
  if (r!.ok) return { result: 'SUCCESS', detail: `chain of ${r!.chain.length}` };
  return { result: 'FAILURE', detail: `${r!.code}: ${r!.message}` };
}

function rate(pass: number, total: number): string {
  return total ? `${((100 * pass) / total).toFixed(2)}%` : 'n/a';
}

type RefResults = Map<string, string>;
function loadRef(file: string): RefResults | undefined {
  const p = join(limboDir, 'local-results', file);
  if (!existsSync(p)) return undefined;
  const j = JSON.parse(readFileSync(p, 'utf8')) as { results: { id: string; actual_result: string }[] };
  return new Map(j.results.map((r) => [r.id, r.actual_result]));
}

function main(): void {
  const limboPath = join(limboDir, 'limbo.json');
  if (!existsSync(limboPath)) {
    console.error(`x509-limbo not found at ${limboDir}; set LIMBO_DIR`);
    process.exit(2);
  }
  const cases = (JSON.parse(readFileSync(limboPath, 'utf8')) as { testcases: LimboCase[] }).testcases;
  const index = new Map(
    (JSON.parse(readFileSync(join(limboDir, 'derived', 'testcase-index.json'), 'utf8')) as { testcases: { id: string; hostname_class: string }[] }).testcases.map(
      (t) => [t.id, t.hostname_class],
    ),
  );
  const perNs = new Map<string, { pass: number; total: number }>();
  const skipped = new Map<string, number>();
  const divergences: { id: string; expected: string; got: string; detail: string }[] = [];
  const ours = new Map<string, string>();
  const started = Date.now();
  for (const tc of cases) {
    const cls = index.get(tc.id) ?? 'unindexed';
    if (!INCLUDED_PREFIXES.some((p) => cls.startsWith(p))) {
      skipped.set(cls, (skipped.get(cls) ?? 0) + 1);
      continue;
    }
    const ns = tc.id.split('::')[0]!;
    const s = perNs.get(ns) ?? { pass: 0, total: 0 };
    perNs.set(ns, s);
    s.total++;
    const { result, detail } = runCase(tc);
    ours.set(tc.id, result);
    if (result === tc.expected_result) s.pass++;
    else divergences.push({ id: tc.id, expected: tc.expected_result, got: result, detail });
  }
  const elapsedMs = Date.now() - started;
  const total = [...perNs.values()].reduce((a, b) => ({ pass: a.pass + b.pass, total: a.total + b.total }), { pass: 0, total: 0 });

  console.log(`x509-limbo, host-name-independent cases (${limboDir})`);
  for (const [ns, s] of [...perNs].sort()) console.log(`  ${ns.padEnd(14)} ${String(s.pass).padStart(5)}/${String(s.total).padEnd(5)} ${rate(s.pass, s.total)}`);
  console.log(`  ${'OVERALL'.padEnd(14)} ${String(total.pass).padStart(5)}/${String(total.total).padEnd(5)} ${rate(total.pass, total.total)}  (${elapsedMs} ms)`);
  console.log('Skipped (not host-name independent):');
  for (const [cls, n] of skipped) console.log(`  ${n} ${cls}`);
  console.log(`Divergences (${divergences.length}):`);
  for (const d of divergences) console.log(`  ${d.id}: expected ${d.expected} got ${d.got} (${d.detail})`);

  const references: Record<string, unknown> = {};
  for (const [name, file] of [
    ['pyca-cryptography-48.0.0', 'pyca-cryptography-48.0.0.json'],
    ['openssl-3.0.19-no-hostname-check', 'openssl-3.0.19-no-hostname-check.json'],
  ] as const) {
    const ref = loadRef(file);
    if (!ref) continue;
    let pass = 0;
    let run = 0;
    const disagreeWithUs: string[] = [];
    for (const tc of cases) {
      const mine = ours.get(tc.id);
      if (!mine) continue;
      const theirs = ref.get(tc.id);
      if (theirs !== 'SUCCESS' && theirs !== 'FAILURE') continue;
      run++;
      if (theirs === tc.expected_result) pass++;
      if (theirs !== mine) disagreeWithUs.push(tc.id);
    }
    references[name] = { run, pass, rate: rate(pass, run), disagreeWithUs };
    console.log(`Reference ${name}: ${pass}/${run} ${rate(pass, run)} on the cases it runs; differs from us on ${disagreeWithUs.length}`);
  }
  for (const [name, file, key] of [
    ['rustls-webpki', 'rustls-webpki-exceptions.json', null],
    ['go-crypto-x509', 'go-crypto-x509-allowlists.json', 'allowed'],
  ] as const) {
    const p = join(limboDir, 'peer-results', file);
    if (!existsSync(p)) continue;
    const j = JSON.parse(readFileSync(p, 'utf8')) as Record<string, unknown>;
    const ids = key
      ? [...Object.keys((j.allowed_unexpected_verifications ?? {}) as object), ...Object.keys((j.allowed_unexpected_failures ?? {}) as object)]
      : Object.keys(j);
    const inSet = ids.filter((id) => ours.has(id));
    references[name] = { exceptionsInSet: inSet.length, impliedRate: rate(total.total - inSet.length, total.total) };
    console.log(`Peer ${name}: ${inSet.length} listed exceptions in this set, implied ${rate(total.total - inSet.length, total.total)}`);
  }

  const outDir = join(root, 'bench-results');
  mkdirSync(outDir, { recursive: true });
  writeFileSync(
    join(outDir, 'limbo.json'),
    JSON.stringify(
      {
        generatedAt: new Date().toISOString(),
        limboDir,
        elapsedMs,
        overall: { ...total, rate: rate(total.pass, total.total) },
        namespaces: Object.fromEntries([...perNs].map(([ns, s]) => [ns, { ...s, rate: rate(s.pass, s.total) }])),
        skipped: Object.fromEntries(skipped),
        divergences,
        references,
      },
      null,
      2,
    ),
  );
  console.log(`Written ${join(outDir, 'limbo.json')}`);
}

if (require.main === module) main();
