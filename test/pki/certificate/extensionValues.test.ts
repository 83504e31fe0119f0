import { ElicenseError } from '../../../src/errors';
import { decodeExtensions, EXT } from '../../../src/pki/certificate/CertificateExtensions';

const hex = (h: string) => Uint8Array.from(Buffer.from(h.replace(/\s/g, ''), 'hex'));
const decode = (oid: string, value: string) => decodeExtensions([{ oid, critical: true, value: hex(value) }]);

function codeOf(f: () => unknown): string | undefined {
  try {
    f();
    return undefined;
  } catch (e) {
    return e instanceof ElicenseError ? e.code : 'OTHER';
  }
}

describe('extension values read by our own DER reader', () => {
  it('basicConstraints: cA TRUE with pathLen, absent cA, and DER defects refused', () => {
    expect(decode(EXT.basicConstraints, '3006 0101ff 020101').basicConstraints).toEqual({ critical: true, ca: true, pathLen: 1 });
    expect(decode(EXT.basicConstraints, '3000').basicConstraints).toEqual({ critical: true, ca: false, pathLen: undefined });
    for (const bad of [
      '3003 010100', // DEFAULT FALSE encoded
      '3003 010101', // TRUE not 0xff
      '3006 0101ff 0201ff', // negative pathLen
      '3007 0101ff 02020001', // non-minimal INTEGER
      '3005 0101ff 0500', // trailing element
      '3081 03 0101ff', // non-minimal length
      '3003 0101ff 00', // trailing byte
    ]) {
      expect(codeOf(() => decode(EXT.basicConstraints, bad))).toBe('CERT_MALFORMED');
    }
  });

  it('keyUsage: named bits in order, padding bits must be zero', () => {
    expect([...decode(EXT.keyUsage, '03020186').keyUsage!.usages]).toEqual(['digitalSignature', 'keyCertSign', 'cRLSign']);
    expect([...decode(EXT.keyUsage, '0303070080').keyUsage!.usages]).toEqual(['decipherOnly']);
    expect(codeOf(() => decode(EXT.keyUsage, '03020587'))).toBe('CERT_MALFORMED'); // unused bits not zero
    expect(codeOf(() => decode(EXT.keyUsage, '030108'))).toBe('CERT_MALFORMED'); // unused > 7
    expect(codeOf(() => decode(EXT.keyUsage, '040186'))).toBe('CERT_MALFORMED'); // not a BIT STRING
  });

  it('key identifiers: SKI as hex, AKI fields by presence', () => {
    expect(decode(EXT.subjectKeyIdentifier, '0403010203').subjectKeyId!.keyId).toBe('010203');
    expect(decode(EXT.authorityKeyIdentifier, '3005 8003 0a0b0c').authorityKeyId).toEqual({ critical: true, keyId: '0a0b0c', hasIssuer: false, hasSerial: false });
    const withIssuer = decode(EXT.authorityKeyIdentifier, '3011 a10c 820a 69782e6578616d706c65 820101');
    expect(withIssuer.authorityKeyId).toEqual({ critical: true, keyId: undefined, hasIssuer: true, hasSerial: true });
    expect(codeOf(() => decode(EXT.authorityKeyIdentifier, '3002 a100'))).toBe('CERT_MALFORMED'); // empty GeneralNames
    expect(codeOf(() => decode(EXT.authorityKeyIdentifier, '3005 8203 0a0b0c 00'))).toBe('CERT_MALFORMED');
  });

  it('policies, mappings, constraints and inhibitAnyPolicy', () => {
    // { 2.5.29.32.0 }, { 1.2.3 with a CPS qualifier }
    const policies = decode(EXT.certificatePolicies, '3022 3006 0604 551d2000 3018 0602 2a03 3012 3010 0608 2b06010505070201 0c04 68747470');
    expect(policies.certificatePolicies!.policies).toEqual(['2.5.29.32.0', '1.2.3']);
    expect(codeOf(() => decode(EXT.certificatePolicies, '3010 3006 0604 551d2000 3006 0604 551d2000'))).toBe('CERT_MALFORMED'); // duplicate
    expect(codeOf(() => decode(EXT.certificatePolicies, '300a 3008 0602 2a03 3002 0500'))).toBe('CERT_MALFORMED'); // bad qualifier
    expect(decode(EXT.policyMappings, '300a 3008 0602 2a03 0602 2a04').policyMappings!.mappings).toEqual([{ issuerDomainPolicy: '1.2.3', subjectDomainPolicy: '1.2.4' }]);
    expect(decode(EXT.policyConstraints, '3006 800100 810102').policyConstraints).toEqual({ critical: true, requireExplicitPolicy: 0, inhibitPolicyMapping: 2 });
    expect(codeOf(() => decode(EXT.policyConstraints, '3003 8001ff'))).toBe('CERT_MALFORMED');
    expect(decode(EXT.inhibitAnyPolicy, '020103').inhibitAnyPolicy).toEqual({ critical: true, skipCerts: 3 });
    expect(codeOf(() => decode(EXT.inhibitAnyPolicy, '02050100000000'))).toBe('CERT_MALFORMED');
  });
});
