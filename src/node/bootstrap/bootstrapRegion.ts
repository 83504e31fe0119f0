import type { NodeServices } from '../NodeServices';

/** TODO(issue 3): on a fresh database, set up the demo region (or nothing in production). */
export async function bootstrapRegion(_services: NodeServices): Promise<void> {}
