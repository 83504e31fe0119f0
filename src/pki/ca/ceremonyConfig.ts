import type { JwsAlgorithm } from '../../crypto/algorithms';

/** Types of ceremony.schema.json (kept by hand; the schema is the source of truth for validation). */
export interface CeremonySubject {
  commonName: string;
  organization?: string;
  organizationalUnit?: string;
  province?: string;
  locality?: string;
}

export interface CeremonyCaConfig {
  subject: CeremonySubject;
  algorithm?: JwsAlgorithm;
  validityYears: number;
  pathLen: number;
}

export interface CeremonyIntermediateConfig extends CeremonyCaConfig {
  id: string;
  name: string;
  divisionCode: string;
  /** "root" or an earlier intermediate's id. */
  issuer: string;
}

export interface CeremonyServiceKeyConfig {
  subject: CeremonySubject;
  algorithm?: JwsAlgorithm;
  validityDays: number;
}

export interface CeremonyDepartmentConfig {
  id: string;
  name: string;
  label?: string;
  uscc: string;
  divisionCode: string;
  issuer: string;
  algorithm?: JwsAlgorithm;
  validityDays: number;
  licenseTypes: string[];
}

export interface CeremonyConfig {
  $schema?: string;
  ceremonyVersion: 1;
  description?: string;
  /** `demo: true`: a demo region; every certificate of the ceremony carries the demo-region policy (docs/adr/0002). */
  region: { name: string; code: string; demo?: boolean };
  root: CeremonyCaConfig;
  intermediates?: CeremonyIntermediateConfig[];
  trustListSigner: CeremonyServiceKeyConfig;
  timestampAuthority: CeremonyServiceKeyConfig;
  departments: CeremonyDepartmentConfig[];
}

/** The id the root CA is referred to by in `issuer` fields. */
export const ROOT_CA_ID = 'root';
