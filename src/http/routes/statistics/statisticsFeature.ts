import type { NodeServices } from '../../NodeServices';
import { route, type Feature } from '../../RouteSpec';
import { hourIso } from '../../../store/StatisticsStore';
import { bucketStartHour, STATISTICS_QUERY, statisticsQueryOf, toSeries } from './statisticsQuery';

/**
 * Issuance and verification counts over time for the operator dashboard
 * (region admin, auditor): licences issued (from the licences table) and
 * verifications answered (counted in memory by every node process, flushed in
 * batches), per hour or CST day, split by type, department, region or result.
 */
export function createStatisticsFeature(services: NodeServices): Feature {
  return {
    name: 'statistics',
    routes: [
      route({
        method: 'get',
        path: '/v1/statistics',
        permission: 'statistics:read',
        summary:
          'Issuance and verification counts per bucket: ?granularity=hour|day (days are UTC+8), from, to (ISO 8601; default the last 48 hours or 30 days), ' +
          'by=type|department|region|result (issuance "result" is the licence\'s current status). At most 12 series per count, the rest added up as "(others)". ' +
          'Verification counts reach the database within seconds (batched per node process).',
        tag: 'statistics',
        input: { query: { schema: STATISTICS_QUERY } },
        handler: async (_req, res, _ctx, input) => {
          const now = services.clock.now();
          const q = statisticsQueryOf(input.query, now);
          // This process's latest counts first, so the answer includes them.
          await services.statistics.flush();
          const range = { fromHour: bucketStartHour(q.firstBucket, q.granularity), toHour: bucketStartHour(q.endBucket, q.granularity) };
          const { region } = (await services.trust.forVerification()).snapshot;
          const ownRegion = region?.code ?? 'local';
          const [issued, verified] = await Promise.all([
            services.stores.statistics.issuanceCounts(services.db, range, q.by, ownRegion),
            services.stores.statistics.verificationCounts(services.db, range, q.by),
          ]);
          const buckets: string[] = [];
          for (let b = q.firstBucket; b < q.endBucket; b++) buckets.push(hourIso(bucketStartHour(b, q.granularity)));
          res.setHeader('Cache-Control', 'no-store');
          res.json({
            granularity: q.granularity,
            by: q.by,
            timeZone: q.granularity === 'day' ? '+08:00' : 'Z',
            from: buckets[0],
            to: hourIso(range.toHour),
            region: region ? { code: region.code, name: region.name } : null,
            buckets,
            issuance: toSeries(issued, q),
            verifications: toSeries(verified, q),
            asOf: now.toISOString(),
          });
        },
      }),
    ],
  };
}
