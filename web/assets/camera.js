// Camera scanning: frames from getUserMedia are decoded in the browser by ZXing (WebAssembly, served
// by the node from its own node_modules: no CDN), and the QR text found goes to the verifier.

let zxing;

/** Loads the decoder once: the script defines globalThis.ZXingWASM; the .wasm comes from /web/ too. */
function loadDecoder() {
  zxing ??= new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.src = '/web/zxing-reader.js';
    script.onload = () => {
      const z = globalThis.ZXingWASM;
      if (!z) return reject(new Error('QR decoder did not load'));
      z.prepareZXingModule({
        overrides: { locateFile: (path, prefix) => (path.endsWith('.wasm') ? '/web/zxing_reader.wasm' : prefix + path) },
        fireImmediately: true,
      })
        .then(() => resolve(z))
        .catch(reject);
    };
    script.onerror = () => reject(new Error('QR decoder did not load'));
    document.head.append(script);
  }).catch((e) => {
    zxing = undefined;
    throw e;
  });
  return zxing;
}

/** Frames are scaled down to at most this width before decoding (enough for a QR held up to the camera). */
const MAX_WIDTH = 960;
const INTERVAL_MS = 200;
/** The same code is not reported again until it has been out of view for this long. */
const REPEAT_MS = 4000;

/**
 * Starts the camera in `video` and calls onText(text) for each QR code seen.
 * Returns { stop }. Throws the getUserMedia error (NotAllowedError, ...) or one named NoCamera.
 */
export async function startCamera(video, { onText }) {
  if (!navigator.mediaDevices?.getUserMedia) {
    const e = new Error('no camera API');
    e.name = 'NoCamera';
    throw e;
  }
  const [stream, z] = await Promise.all([
    navigator.mediaDevices.getUserMedia({ video: { facingMode: { ideal: 'environment' }, width: { ideal: 1280 } }, audio: false }),
    loadDecoder(),
  ]);
  video.srcObject = stream;
  await video.play().catch(() => undefined);
  const canvas = document.createElement('canvas');
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  let stopped = false;
  let last = { text: null, at: 0 };
  let timer;

  async function tick() {
    if (stopped) return;
    try {
      if (video.readyState >= 2 && video.videoWidth > 0) {
        const scale = Math.min(1, MAX_WIDTH / video.videoWidth);
        canvas.width = Math.round(video.videoWidth * scale);
        canvas.height = Math.round(video.videoHeight * scale);
        ctx.drawImage(video, 0, 0, canvas.width, canvas.height);
        const frame = ctx.getImageData(0, 0, canvas.width, canvas.height);
        const found = await z.readBarcodes(frame, { formats: ['QRCode'], tryHarder: true, maxNumberOfSymbols: 1 });
        const text = found.find((r) => r.isValid && r.text)?.text;
        const now = Date.now();
        if (text && (text !== last.text || now - last.at > REPEAT_MS)) onText(text);
        if (text) last = { text, at: now };
      }
    } catch {
      // A frame that cannot be read is skipped; the next one is tried.
    }
    if (!stopped) timer = setTimeout(tick, INTERVAL_MS);
  }
  timer = setTimeout(tick, INTERVAL_MS);

  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
      for (const track of stream.getTracks()) track.stop();
      video.srcObject = null;
    },
  };
}
