/**
 * Bounds on an uploaded QR image, checked before any pixel is decoded: a
 * phone photo of a licence is a few MB and ~12 MP; RGBA at the pixel cap is
 * 96 MB of memory, which is as far as one verification may go.
 */
export const MAX_QR_IMAGE_BYTES = 12 * 1024 * 1024;
export const MAX_QR_IMAGE_PIXELS = 24_000_000;
