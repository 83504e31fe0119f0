/* Quick speed check, not a test (no .test suffix): compile with tsc to a temp dir and run with node. */
import { parseStrictJson } from '../../src/json/parseStrictJson';
import { canonicalJson } from '../../src/json/canonicalJson';
const rec: Record<string, unknown> = {
  format: 'elicense/full@1', license: { certificateIdentifier: '11330100MB1234567X-0001-2024', typeCode: 'FOOD_BUSINESS', holder: { name: '杭州某某餐饮管理有限公司', uscc: '91330100MA2XXXXX1X', address: '浙江省杭州市西湖区文三路 100 号 5 幢 301 室', legalRepresentative: '张三' },
  issuer: { uscc: '11330100MB1234567X', name: '杭州市市场监督管理局', division: '330100' }, validFrom: '2024-01-01', validUntil: '2029-12-31', issuedAt: '2024-01-01T08:00:00Z',
  fields: { businessItems: ['预包装食品销售（含冷藏冷冻食品）', '散装食品销售', '热食类食品制售', '冷食类食品制售', '生食类食品制售'], mainBusiness: '餐饮服务经营者', premisesArea: 120.5, staffCount: 12, remarks: '网络经营：是', extra: 'x'.repeat(700) },
  status: { list: 'https://example.org/status/1', index: 12345 } },
  signature: 'eyJhbGciOiJFUzI1NiIsImtpZCI6ImFiY2RlZmdoIn0..' + 'A'.repeat(86),
};
const text = JSON.stringify(rec, null, 1);
console.log('bytes', Buffer.byteLength(text));
const buf = Buffer.from(text);
/** Best of 7 rounds: the machine is shared, so the minimum is the honest figure. */
function bench(name: string, f: () => unknown, n = 50000) {
  for (let i = 0; i < 20000; i++) f();
  let best = Infinity;
  for (let r = 0; r < 7; r++) {
    const t = process.hrtime.bigint();
    for (let i = 0; i < n; i++) f();
    best = Math.min(best, Number(process.hrtime.bigint() - t) / n / 1000);
  }
  console.log(name, best.toFixed(2), 'µs');
}
bench('JSON.parse string', () => JSON.parse(text));
bench('parseStrictJson string', () => parseStrictJson(text));
bench('parseStrictJson bytes', () => parseStrictJson(buf));
const obj = JSON.parse(text);
const lic = JSON.stringify(obj.license);
console.log('license bytes', Buffer.byteLength(lic));
bench('JSON.stringify record', () => JSON.stringify(obj.license));
bench('canonicalJson record', () => canonicalJson(obj.license));
bench('canonicalJson 2KB doc', () => canonicalJson(obj));
const compact = JSON.stringify(obj);
console.log('compact bytes', Buffer.byteLength(compact));
bench('JSON.parse compact', () => JSON.parse(compact));
bench('parseStrictJson compact string', () => parseStrictJson(compact));
bench('parseStrictJson compact bytes', () => parseStrictJson(Buffer.from(compact)));
