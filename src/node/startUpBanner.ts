import type { RunningNode } from './startNode';

/**
 * What a person starting the node reads once, beside the JSON log lines (main
 * writes it to standard error): the region, where the node listens, its pages
 * and, for a demo region, the file with the API keys and curl examples.
 */
export function startUpBanner(node: Pick<RunningNode, 'host' | 'port' | 'baseUrl' | 'region' | 'demoCredentialsFile'>): string {
  const region = node.region
    ? node.region.mode === 'demo'
      ? `DEMO region ${node.region.name} (${node.region.code}): fictional departments and data, not for production`
      : `region ${node.region.name} (${node.region.code})`
    : 'no region set up yet: run `npm run -s elicense -- init --ceremony FILE` (ELICENSE_DEMO=off)';
  const reach =
    node.host === '127.0.0.1' || node.host === '::1' || node.host === 'localhost'
      ? 'this machine only; set HOST=0.0.0.0 to listen on every interface'
      : node.host === '0.0.0.0' || node.host === '::'
        ? 'every interface'
        : node.host;
  const lines = [
    `elicense node ready: ${region}`,
    `  listening on ${node.host}:${node.port} (${reach})`,
    `  verifier page    ${node.baseUrl}/verify`,
    `  issuer console   ${node.baseUrl}/console`,
    `  operator         ${node.baseUrl}/operator`,
    `  holders          ${node.baseUrl}/wallet`,
    `  API docs         ${node.baseUrl}/docs`,
  ];
  if (node.demoCredentialsFile) lines.push(`  demo API keys and curl examples: ${node.demoCredentialsFile}`, `    e.g. jq -r .examples.issue ${node.demoCredentialsFile} | sh`);
  return `${lines.join('\n')}\n`;
}
