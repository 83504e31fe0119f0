/**
 * Loopback HTTP servers for the simulated regions, one per region, serving
 * each region's signed documents on the node's own paths with the node's
 * caching rules (src/http/routes/federation/federationFeature.ts): strong
 * ETag, Cache-Control, Elicense-Sequence, 304 on a matching If-None-Match,
 * 404 for an unknown status list. Bytes on the wire (request and response,
 * headers included) are counted at the sockets.
 */
import { createServer, type Server } from 'node:http';
import type { Socket } from 'node:net';
import type { ServedDocument, SimulatedRegion } from './simulatedRegion';

export interface WireCounters {
  requests: number;
  status200: number;
  status304: number;
  other: number;
  /** Bytes the servers read (requests) and wrote (responses). */
  bytesIn: number;
  bytesOut: number;
}

export interface PeerServers {
  /** Base URL of each region's server, by region code. */
  baseUrls: Map<string, string>;
  /** Totals since start (live sockets included). */
  counters(): WireCounters;
  close(): Promise<void>;
}

const STATUS_PREFIX = '/v1/federation/status-lists/';

function documentFor(region: SimulatedRegion, path: string): ServedDocument | undefined {
  if (path === '/v1/federation/trust-list') return region.trustList;
  if (path === '/v1/federation/agreement') return region.agreement;
  if (path.startsWith(STATUS_PREFIX)) {
    let listId: string;
    try {
      listId = decodeURIComponent(path.slice(STATUS_PREFIX.length));
    } catch {
      return undefined;
    }
    return region.statusLists.get(listId)?.doc;
  }
  return undefined;
}

export async function startPeerServers(regions: readonly SimulatedRegion[]): Promise<PeerServers> {
  const servers: Server[] = [];
  const baseUrls = new Map<string, string>();
  const sockets = new Set<Socket>();
  const closed = { bytesIn: 0, bytesOut: 0 };
  const counts = { requests: 0, status200: 0, status304: 0, other: 0 };
  for (const region of regions) {
    const server = createServer((req, res) => {
      counts.requests++;
      const path = (req.url ?? '/').split('?')[0]!;
      // Documents are looked up on every request: a re-signed list is served at once.
      const doc = req.method === 'GET' ? documentFor(region, path) : undefined;
      if (!doc) {
        counts.other++;
        const body = JSON.stringify({ type: 'about:blank', title: 'Not Found', status: 404, code: 'NOT_FOUND' });
        res.writeHead(404, { 'content-type': 'application/problem+json', 'content-length': Buffer.byteLength(body) }).end(body);
        return;
      }
      res.setHeader('ETag', doc.etag);
      res.setHeader('Cache-Control', 'public, max-age=60, must-revalidate');
      res.setHeader('Elicense-Sequence', String(doc.sequence));
      const match = req.headers['if-none-match'];
      if (match !== undefined && match.split(',').some((t) => t.trim() === doc.etag || t.trim() === '*')) {
        counts.status304++;
        res.writeHead(304).end();
        return;
      }
      counts.status200++;
      res.writeHead(200, { 'content-type': 'application/jose; charset=utf-8', 'content-length': Buffer.byteLength(doc.body) }).end(doc.body);
    });
    server.on('connection', (socket: Socket) => {
      sockets.add(socket);
      socket.once('close', () => {
        closed.bytesIn += socket.bytesRead;
        closed.bytesOut += socket.bytesWritten;
        sockets.delete(socket);
      });
    });
    await new Promise<void>((ok, fail) => {
      server.once('error', fail);
      server.listen(0, '127.0.0.1', () => ok());
    });
    servers.push(server);
    baseUrls.set(region.code, `http://127.0.0.1:${(server.address() as { port: number }).port}`);
  }
  return {
    baseUrls,
    counters: () => {
      let bytesIn = closed.bytesIn;
      let bytesOut = closed.bytesOut;
      for (const s of sockets) {
        bytesIn += s.bytesRead;
        bytesOut += s.bytesWritten;
      }
      return { ...counts, bytesIn, bytesOut };
    },
    close: async () => {
      for (const s of servers) s.closeAllConnections();
      await Promise.all(servers.map((s) => new Promise<void>((ok) => s.close(() => ok()))));
    },
  };
}

export function diffCounters(after: WireCounters, before: WireCounters): WireCounters {
  return {
    requests: after.requests - before.requests,
    status200: after.status200 - before.status200,
    status304: after.status304 - before.status304,
    other: after.other - before.other,
    bytesIn: after.bytesIn - before.bytesIn,
    bytesOut: after.bytesOut - before.bytesOut,
  };
}
