import { readFileSync, rmSync } from 'node:fs';
import { DEMO_CEREMONY_FILE } from '../../demo/buildDemoRegion';
import type { StandardsCatalog } from '../../standards/StandardsCatalog';
import type { NodeConfig } from '../NodeConfig';
import { demoCredentials, writeDemoCredentials } from './demoCredentials';
import { setUpRegion, type SetUpDeps } from './setUpRegion';

/** What start-up's set-up uses (a node's services fit it): set-up's own dependencies, the node's settings, the catalogue for the credentials file. */
export interface BootstrapDeps extends SetUpDeps {
  config: Pick<NodeConfig, 'demo' | 'demoCeremonyFile' | 'port' | 'dataDir'>;
  catalog: StandardsCatalog;
}

export interface BootstrapResult {
  /** 'demo-created': this process set up the demo region; 'existing': a region was already there; 'none': no region and demo off. */
  outcome: 'demo-created' | 'existing' | 'none';
  credentialsFile?: string;
}

/**
 * Start-up: with ELICENSE_DEMO=auto and no region in the database, set up
 * the clearly labelled demo region (fixtures/ceremony/demo-region.json) and
 * write <dataDir>/demo-credentials.json (its commands use `options.baseUrl`). Several processes may start at once
 * on one PostgreSQL: one sets up the region and writes the credentials, the
 * others wait on the set-up lock and then find the region there.
 */
export async function bootstrapRegion(services: BootstrapDeps, options: { baseUrl?: string } = {}): Promise<BootstrapResult> {
  const existing = await services.stores.region.get(services.db);
  if (existing) return { outcome: 'existing' };
  if (!services.config.demo) {
    services.logger.warn('no region is set up and ELICENSE_DEMO=off: run `elicense init --ceremony FILE` to set one up');
    return { outcome: 'none' };
  }
  const ceremony: unknown = JSON.parse(readFileSync(services.config.demoCeremonyFile ?? DEMO_CEREMONY_FILE, 'utf8'));
  let written: string | undefined;
  try {
    const setUp = await setUpRegion(services, {
      mode: 'demo',
      ceremony,
      actor: 'system:bootstrap',
      beforeCommit: (s) => {
        // The address the node listens on (start-up listens first); before that, the configured port.
        const baseUrl = options.baseUrl ?? `http://localhost:${services.config.port === 0 ? 8080 : services.config.port}`;
        written = writeDemoCredentials(services.config.dataDir, demoCredentials(s, services.catalog, baseUrl));
      },
    });
    if (!setUp) return { outcome: 'existing' };
    services.logger.warn({ file: written, region: setUp.region.code }, 'DEMO region set up: API keys are in the demo credentials file (not for production)');
    return { outcome: 'demo-created', ...(written ? { credentialsFile: written } : {}) };
  } catch (e) {
    // Credentials of a region that was never committed would only mislead.
    if (written) rmSync(written, { force: true });
    throw e;
  }
}
