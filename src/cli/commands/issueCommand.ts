import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { SoftwareSigner } from '../../crypto/SoftwareSigner';
import { ElicenseError } from '../../errors';
import { issueAllForms, type LicenseForms } from '../../issue/issueAllForms';
import { LicenseFonts } from '../../forms/pdf/LicenseFonts';
import { parseStrictJson } from '../../json/parseStrictJson';
import type { LicenseDraft } from '../../issue/prepareLicenseRecord';
import type { DraftWarning } from '../../standards/issuanceWarnings';
import type { StandardsCatalog } from '../../standards/StandardsCatalog';
import type { TypeStandard } from '../../standards/generated/TypeStandard';
import { parseCertificate } from '../../pki/certificate/ParsedCertificate';
import { departmentIdentityOf } from '../../pki/departmentIdentity';
import { importPkcs12 } from '../../pki/pkcs12/importPkcs12';
import { issueOffline } from '../../region/licenses/issueOffline';
import { loadLocalTrustFile } from '../../trust/local/loadLocalTrustFile';
import type { CliContext } from '../CliContext';
import { CliExit, EXIT } from '../exitCodes';
import { readInput, readPassphrase } from '../readInput';
import { writeOutput } from '../writeOutput';
import { TRUST_FILE_NAME } from './verifyCommand';

/** Loads a PKCS#12 key file into a Signer. */
export function signerFromPkcs12(path: string, passphrase: string): SoftwareSigner {
  const { privateKey, certificateChain } = importPkcs12(readInput(path), passphrase);
  return new SoftwareSigner(privateKey, certificateChain);
}

/** The file names of a licence's forms, from one base path: BASE.elic.json, BASE.pdf, BASE.qr.png, BASE.qr.svg, BASE.qr.txt. */
export function licenseFormFiles(base: string): { fullForm: string; pdf: string; qrPng: string; qrSvg: string; qrText: string } {
  return { fullForm: `${base}.elic.json`, pdf: `${base}.pdf`, qrPng: `${base}.qr.png`, qrSvg: `${base}.qr.svg`, qrText: `${base}.qr.txt` };
}

/** Writes the PDF and QR forms next to BASE (the full form is written by the caller, as it always was). */
export function writeLicenseForms(base: string, forms: LicenseForms): ReturnType<typeof licenseFormFiles> {
  const files = licenseFormFiles(base);
  mkdirSync(dirname(base), { recursive: true });
  writeFileSync(files.pdf, forms.pdf);
  writeFileSync(files.qrPng, forms.qrPng);
  writeFileSync(files.qrSvg, forms.qrSvg);
  writeFileSync(files.qrText, `${forms.qrText}\n`);
  return files;
}

/** BASE for --out FILE: the file name without .elic.json (or .json). */
function baseOf(out: string): string {
  const name = basename(out).replace(/(\.elic)?\.json$/, '');
  return join(dirname(out), name);
}

/** Refusals of the data or of the department's right to issue the type (exit 1); anything else is not the operator's input. */
const REFUSALS = new Set([
  'SCHEMA_INVALID',
  'CODE_INVALID',
  'TYPE_UNKNOWN',
  'DEPARTMENT_NOT_FOUND',
  'DEPARTMENT_NOT_ACTIVE',
  'ISSUER_NOT_AUTHORIZED_FOR_TYPE',
  'ISSUANCE_SELF_CHECK_FAILED',
  'RECORD_WARNING_UNACKNOWLEDGED',
  'STANDARD_SUPERSEDED',
  'PHOTO_INVALID',
]);

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** What a data file may set. The type comes from --type and the issuer from --key, never from the file. */
const DATA_FIELDS = new Set(['holder', 'otherHolders', 'relatedItem', 'photos', 'certificateNumber', 'issuedDate', 'effectiveDate', 'expiringDate', 'areaCode', 'extendInfo']);

/**
 * Keys of a sample file (fixtures/data/*.json) that are not licence data: `slug` (must name the --type),
 * `note` (a comment) and `issuer` (the department the sample was written for). The issuer of a licence is
 * always the department of --key; a sample's issuer is only reported when it names another department.
 */
const SAMPLE_KEYS = new Set(['slug', 'note', 'issuer']);

/** A sample file's own keys taken off its data: `slug` must be --type's, `issuer` is left to --key (noted on stderr when it differs). */
function withoutSampleKeys(data: Record<string, unknown>, path: string, standard: TypeStandard, catalog: StandardsCatalog): { data: Record<string, unknown>; sampleIssuer: unknown } {
  const slug = data['slug'];
  if (slug !== undefined && (typeof slug !== 'string' || catalog.getTypeBySlug(slug)?.typeCode !== standard.typeCode)) {
    throw new CliExit(EXIT.REJECTED, `SCHEMA_INVALID: ${path}: slug ${JSON.stringify(slug)} names another licence type than --type ${standard.slug}`);
  }
  const note0 = data['note'];
  if (note0 !== undefined && typeof note0 !== 'string') throw new CliExit(EXIT.REJECTED, `SCHEMA_INVALID: ${path}: note must be text`);
  const rest = Object.fromEntries(Object.entries(data).filter(([k]) => !SAMPLE_KEYS.has(k)));
  return { data: rest, sampleIssuer: data['issuer'] };
}

/** Refuses (exit 1) data files of the wrong shape before they reach the record builder. */
function checkDataShape(data: unknown, path: string): Omit<LicenseDraft, 'typeCode'> {
  if (!isObject(data)) throw new CliExit(EXIT.REJECTED, `SCHEMA_INVALID: ${path}: licence data must be a JSON object`);
  const unknown = Object.keys(data).filter((k) => !DATA_FIELDS.has(k));
  if (unknown.length > 0) {
    throw new CliExit(EXIT.REJECTED, `SCHEMA_INVALID: ${path}: fields a data file cannot set: ${unknown.join(', ')} (allowed: ${[...DATA_FIELDS].join(', ')})`);
  }
  if (!isObject(data['holder'])) throw new CliExit(EXIT.REJECTED, `SCHEMA_INVALID: ${path}: holder must be an object {name, code, typeCode, typeName}`);
  const photos = data['photos'];
  if (photos !== undefined) {
    if (!isObject(photos)) throw new CliExit(EXIT.REJECTED, `SCHEMA_INVALID: ${path}: photos must be an object {field: {mediaType, file | data}}`);
    data['photos'] = Object.fromEntries(Object.entries(photos).map(([field, p]) => [field, photoOf(p, field, path)]));
  }
  return data as unknown as Omit<LicenseDraft, 'typeCode'>;
}

/** A photo of a data file: {mediaType, data (base64)} or {mediaType, file} with the file relative to the data file. */
function photoOf(p: unknown, field: string, path: string): { mediaType: unknown; data: unknown } {
  const photo = p as { mediaType?: unknown; file?: unknown; data?: unknown } | null;
  if (typeof photo !== 'object' || photo === null || (typeof photo.file === 'string') === (photo.data !== undefined)) {
    throw new CliExit(EXIT.REJECTED, `SCHEMA_INVALID: ${path}: photos.${field} must be {mediaType, file} or {mediaType, data}`);
  }
  if (typeof photo.file !== 'string') return { mediaType: photo.mediaType, data: photo.data };
  const file = resolve(path === '-' ? '.' : dirname(path), photo.file);
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    throw new CliExit(EXIT.UNREADABLE, `${file}: ${(e as Error).message}`);
  }
  return { mediaType: photo.mediaType, data: bytes.toString('base64') };
}

export function registerIssue(program: Command, ctx: CliContext): void {
  program
    .command('issue')
    .description('issue a licence: type + data file → signed, region-timestamped full form (*.elic.json)')
    .requiredOption('--type <code|slug>', 'licence type code (21 characters) or slug, e.g. business-licence')
    .requiredOption('--data <file>', 'licence data JSON: holder, otherHolders?, relatedItem?, photos?, certificateNumber, effectiveDate, expiringDate?, issuedDate?, areaCode?, extendInfo (a sample file of fixtures/data may also carry slug, note and issuer: the issuer is always the department of --key)')
    .requiredOption('--key <p12>', "the department's PKCS#12 key file")
    .requiredOption('--tsa-key <p12>', "the region time-stamping authority's PKCS#12 key file")
    .option('--trust <dir>', `directory holding ${TRUST_FILE_NAME}: the licence must verify against it before it is written`, 'trust')
    .option('--passphrase-file <file>', 'file holding the key passphrase (else ELICENSE_PASSPHRASE)')
    .option('--out <file>', 'where to write the full form (default: standard output); the PDF and QR forms are written next to it (FILE without .elic.json + .pdf, .qr.png, .qr.svg, .qr.txt)')
    .option('--out-dir <dir>', 'write every form to DIR, named after the licence identifier')
    .option('--seal <png>', "the department's seal image for the PDF (PNG, transparent background)")
    .option('--acknowledge-warning <code...>', 'sign despite these validation warnings (e.g. USCC_CHECK_CHARACTER_MISMATCH for a pilot-era USCC); without it data a verifier would flag is refused')
    .addHelpText('after', '\nExit codes: 0 issued, 1 refused (data or authorisation), 2 unreadable input.')
    .action(async (opts: { type: string; data: string; key: string; tsaKey: string; trust: string; passphraseFile?: string; out?: string; outDir?: string; seal?: string; acknowledgeWarning?: string[] }) => {
      const catalog = ctx.catalog();
      const standard = /^[0-9A-Z]{21}$/.test(opts.type) ? catalog.getType(opts.type) : catalog.getTypeBySlug(opts.type);
      if (!standard) throw new CliExit(EXIT.UNREADABLE, `unknown licence type: ${opts.type}`);
      let parsed: unknown;
      try {
        parsed = parseStrictJson(readInput(opts.data));
      } catch (e) {
        throw new CliExit(EXIT.UNREADABLE, `${opts.data}: ${(e as Error).message}`);
      }
      const sample = isObject(parsed) ? withoutSampleKeys(parsed, opts.data, standard, catalog) : { data: parsed, sampleIssuer: undefined };
      const data = checkDataShape(sample.data, opts.data);
      const passphrase = readPassphrase(opts.passphraseFile, ctx.env);
      const signer = signerFromPkcs12(opts.key, passphrase);
      const tsa = signerFromPkcs12(opts.tsaKey, passphrase);
      const identity = departmentIdentityOf(parseCertificate(signer.certificateChain[0]!));
      if (!identity.uscc || !identity.divisionCode || !identity.name) {
        throw new CliExit(EXIT.UNREADABLE, `${opts.key}: not a department signing certificate (no USCC, division or name in its subject)`);
      }
      const named = isObject(sample.sampleIssuer) ? sample.sampleIssuer['code'] : sample.sampleIssuer;
      if (sample.sampleIssuer !== undefined && named !== identity.uscc) {
        ctx.err(`note: ${opts.data} names issuer ${JSON.stringify(named)}; the licence is issued by the department of --key, ${identity.name} (${identity.uscc})`);
      }
      const trustPath = join(opts.trust, TRUST_FILE_NAME);
      const trust = loadLocalTrustFile(readInput(trustPath), trustPath);
      const at = ctx.clock.now();
      const sealPng = opts.seal ? readInput(opts.seal) : undefined;
      let form;
      let warnings: DraftWarning[];
      try {
        ({ form, warnings } = await issueOffline(
          {
            draft: { ...data, typeCode: standard.typeCode, standardVersion: standard.version },
            department: { name: identity.name, uscc: identity.uscc, divisionCode: identity.divisionCode, signer },
            timestampAuthority: tsa,
            acknowledged: new Set(opts.acknowledgeWarning ?? []),
            howToAcknowledge: (codes) => `add ${codes.map((c) => `--acknowledge-warning ${c}`).join(' ')}`,
          },
          { catalog, trust, random: (n) => new Uint8Array(randomBytes(n)), at },
        ));
      } catch (e) {
        if (e instanceof ElicenseError && REFUSALS.has(e.code)) {
          throw new CliExit(EXIT.REJECTED, `${e.code}: ${e.message}`);
        }
        throw e;
      }
      const identifier = String(form.license['certificateIdentifier']);
      const text = JSON.stringify(form, null, 2);
      const nextToOut = opts.out && opts.out !== '-' ? baseOf(opts.out) : undefined;
      const inDir = opts.outDir ? join(opts.outDir, identifier) : undefined;
      const bases = [nextToOut, inDir].filter((b): b is string => b !== undefined);
      // The QR and the PDF are signed by the department key that signed the full form.
      const forms = bases.length > 0 ? await issueAllForms(form, { standard, signer, at, fonts: LicenseFonts.load(), ...(sealPng ? { sealPng } : {}) }) : undefined;
      writeOutput(opts.out, text, ctx);
      if (inDir) writeOutput(licenseFormFiles(inDir).fullForm, text, ctx);
      for (const base of bases) writeLicenseForms(base, forms!);
      if (warnings.length > 0) ctx.err(`warnings (acknowledged): ${warnings.map((w) => `${w.path} ${w.code}`).join('; ')}`);
      ctx.err(`issued ${identifier}${forms ? ` (QR version ${forms.qrSymbol.version}; forms: ${bases.map((b) => `${b}.{pdf,qr.png,qr.svg,qr.txt}`).join(', ')})` : ''}`);
    });
}

