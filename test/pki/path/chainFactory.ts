/** Builds real certificates with @peculiar/x509 for path validation tests. */
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { AsnConvert } from '@peculiar/asn1-schema';
import { GeneralName, GeneralSubtree, GeneralSubtrees, NameConstraints } from '@peculiar/asn1-x509';

x509.cryptoProvider.set(webcrypto as never);

type KeyPair = webcrypto.CryptoKeyPair;
type Params = Record<string, unknown> & { name: string };

export type Alg = 'p256' | 'ed25519' | 'rsa';

const KEY_PARAMS: Record<Alg, { gen: Params; sign: Params }> = {
  p256: { gen: { name: 'ECDSA', namedCurve: 'P-256' }, sign: { name: 'ECDSA', hash: 'SHA-256' } },
  ed25519: { gen: { name: 'Ed25519' }, sign: { name: 'Ed25519' } },
  rsa: {
    gen: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', publicExponent: new Uint8Array([1, 0, 1]), modulusLength: 2048 },
    sign: { name: 'RSASSA-PKCS1-v1_5' },
  },
};

export interface Keys {
  alg: Alg;
  pair: KeyPair;
}

export async function newKeys(alg: Alg = 'p256'): Promise<Keys> {
  const pair = (await webcrypto.subtle.generateKey(KEY_PARAMS[alg].gen as never, true, ['sign', 'verify'])) as KeyPair;
  return { alg, pair };
}

export interface Issued {
  der: Uint8Array;
  name: string;
  keys: Keys;
}

export const KU = x509.KeyUsageFlags;
const DAY = 86_400_000;
export const NOW = new Date('2030-06-15T12:00:00Z');
let serial = 1;

export interface IssueOptions {
  subject: string;
  /** Issuing certificate; absent = self-signed. */
  issuer?: Issued;
  keys?: Keys;
  /** Sign with these keys instead of the issuer's (forged signature). */
  signWith?: Keys;
  /** Override the issuer name written into the certificate. */
  issuerName?: string;
  ca?: boolean;
  pathLen?: number;
  /** basicConstraints omitted entirely. */
  noBasicConstraints?: boolean;
  keyUsage?: number;
  eku?: string[];
  notBefore?: Date;
  notAfter?: Date;
  extensions?: x509.Extension[];
}

export async function issue(o: IssueOptions): Promise<Issued> {
  const keys = o.keys ?? (await newKeys(o.issuer?.keys.alg ?? 'p256'));
  const signer = o.signWith ?? o.issuer?.keys ?? keys;
  const ca = o.ca ?? false;
  const ext: x509.Extension[] = [];
  if (!o.noBasicConstraints) ext.push(new x509.BasicConstraintsExtension(ca, o.pathLen, true));
  ext.push(new x509.KeyUsagesExtension(o.keyUsage ?? (ca ? KU.keyCertSign | KU.cRLSign : KU.digitalSignature), true));
  if (o.eku) ext.push(new x509.ExtendedKeyUsageExtension(o.eku, false));
  ext.push(await x509.SubjectKeyIdentifierExtension.create(keys.pair.publicKey as never));
  if (o.issuer || o.signWith) {
    ext.push(await x509.AuthorityKeyIdentifierExtension.create((o.issuer?.keys ?? signer).pair.publicKey as never));
  }
  ext.push(...(o.extensions ?? []));
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: (0x100000 + serial++).toString(16),
    subject: o.subject,
    issuer: o.issuerName ?? o.issuer?.name ?? o.subject,
    notBefore: o.notBefore ?? new Date(NOW.getTime() - 30 * DAY),
    notAfter: o.notAfter ?? new Date(NOW.getTime() + 365 * DAY),
    signingAlgorithm: KEY_PARAMS[signer.alg].sign,
    publicKey: keys.pair.publicKey as never,
    signingKey: signer.pair.privateKey as never,
    extensions: ext,
  });
  return { der: new Uint8Array(cert.rawData), name: o.subject, keys };
}

/** root -> intermediate -> leaf, all with `alg`. */
export async function simpleChain(alg: Alg = 'p256'): Promise<{ root: Issued; ica: Issued; leaf: Issued }> {
  const root = await issue({ subject: 'CN=Test Root, O=Region', ca: true, keys: await newKeys(alg) });
  const ica = await issue({ subject: 'CN=Test ICA, O=Region', issuer: root, ca: true, keys: await newKeys(alg) });
  const leaf = await issue({ subject: 'CN=Department, O=Region', issuer: ica, keys: await newKeys(alg), eku: ['1.3.6.1.5.5.7.3.8'] });
  return { root, ica, leaf };
}

/** A critical nameConstraints extension permitting the given DNS subtrees. */
export function dnsNameConstraints(permitted: string[], excluded: string[] = []): x509.Extension {
  const subtrees = (names: string[]): GeneralSubtrees | undefined =>
    names.length ? new GeneralSubtrees(names.map((n) => new GeneralSubtree({ base: new GeneralName({ dNSName: n }) }))) : undefined;
  const value = new NameConstraints({ permittedSubtrees: subtrees(permitted), excludedSubtrees: subtrees(excluded) });
  return new x509.Extension('2.5.29.30', true, AsnConvert.serialize(value));
}
