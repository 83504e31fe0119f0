/**
 * Bounds on an uploaded QR image, checked from its header before any pixel
 * is decoded. A phone photo of a licence is a few MB and ~12 MP (4032×3024;
 * 16 MP sensors give 4608×3456); reading 16 MP costs about a second of CPU
 * and 64 MB of RGBA. Anything larger is refused: a 23 KB PNG can declare
 * 4898×4898 pixels and cost seconds to decode.
 */
export const MAX_QR_IMAGE_BYTES = 12 * 1024 * 1024;
export const MAX_QR_IMAGE_PIXELS = 4096 * 4096;

export const QR_IMAGE_LIMITS = { maxBytes: MAX_QR_IMAGE_BYTES, maxPixels: MAX_QR_IMAGE_PIXELS } as const;
