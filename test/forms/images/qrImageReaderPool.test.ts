import { ElicenseError } from '../../../src/errors';
import { QrImageReaderPool } from '../../../src/forms/image/QrImageReaderPool';
import { renderQrPng } from '../../../src/forms/image/renderQrImage';
import { busyPng, greyPng } from './craftedImages';

const TEXT = 'LC1:6BFOXN*TS0BI$ZD.P9';

describe('QrImageReaderPool (QR images read on worker threads)', () => {
  let pool: QrImageReaderPool;
  afterEach(() => pool?.close());

  it('reads the QR of an image on a worker thread', async () => {
    pool = new QrImageReaderPool({ workers: 1, maxQueue: 1, timeoutMs: 30_000 });
    expect(await pool.read(await renderQrPng(TEXT))).toEqual({ ok: true, value: TEXT });
    expect(pool.inFlight).toBe(0);
  }, 60_000);

  it('refuses an image declaring too many pixels from its header, without a worker', async () => {
    // The only worker is busy and nothing may wait: an image that needed a worker would be IMAGE_DECODER_BUSY.
    pool = new QrImageReaderPool({ workers: 1, maxQueue: 0, timeoutMs: 30_000 });
    const busy = pool.read(busyPng(2000, 4));
    expect(pool.inFlight).toBe(1);
    expect(await pool.read(greyPng(4898, 4898))).toMatchObject({ ok: false, code: 'INPUT_TOO_LARGE' });
    expect(pool.inFlight).toBe(1);
    await busy;
  }, 60_000);

  it('decodes `workers` images at once, queues `maxQueue`, and refuses the next with IMAGE_DECODER_BUSY', async () => {
    pool = new QrImageReaderPool({ workers: 1, maxQueue: 1, timeoutMs: 30_000 });
    const image = busyPng(2000, 4);
    const reads = [pool.read(image), pool.read(image)];
    expect(pool.inFlight).toBe(2);
    const refused = await pool.read(image).then(
      () => null,
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(ElicenseError);
    expect(refused).toMatchObject({ code: 'IMAGE_DECODER_BUSY', details: { retryAfterSeconds: expect.any(Number) } });
    expect(await Promise.all(reads)).toEqual([expect.objectContaining({ ok: false, code: 'QR_NOT_FOUND' }), expect.objectContaining({ ok: false, code: 'QR_NOT_FOUND' })]);
    expect(pool.inFlight).toBe(0);
  }, 60_000);

  it('a read over the time limit ends its worker and answers INPUT_TOO_LARGE; the next read gets a fresh worker', async () => {
    pool = new QrImageReaderPool({ workers: 1, maxQueue: 1, timeoutMs: 30 });
    const slow = pool.read(busyPng(3000, 4));
    const queued = pool.read(await renderQrPng(TEXT));
    expect(await slow).toMatchObject({ ok: false, code: 'INPUT_TOO_LARGE' });
    // The queued image waited for the replaced worker; with 30 ms it may time out too (a new worker compiles first), but it is answered.
    expect(await queued).toHaveProperty('ok');
  }, 60_000);

  it('close() answers what is queued and ends the workers', async () => {
    pool = new QrImageReaderPool({ workers: 1, maxQueue: 2, timeoutMs: 30_000 });
    const image = busyPng(2000, 4);
    const reads = [pool.read(image), pool.read(image)];
    await pool.close();
    for (const r of await Promise.all(reads)) expect(r).toMatchObject({ ok: false });
    await expect(pool.read(image)).rejects.toMatchObject({ code: 'NOT_READY' });
  }, 60_000);
});
