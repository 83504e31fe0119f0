import { parentPort } from 'node:worker_threads';
import { readQrFromImage } from './readQrFromImage';

/** One task of QrImageReaderPool: image bytes in, the outcome of reading its QR out. */
export interface QrImageTask {
  id: number;
  bytes: Uint8Array;
}

/** Worker thread entry (QrImageReaderPool): decodes the image and reads its QR, one task at a time. */
parentPort?.on('message', (task: QrImageTask) => {
  readQrFromImage(task.bytes).then(
    (outcome) => parentPort!.postMessage({ id: task.id, outcome }),
    () => parentPort!.postMessage({ id: task.id, outcome: { ok: false, code: 'INPUT_MALFORMED', message: 'the image could not be read' } }),
  );
});
