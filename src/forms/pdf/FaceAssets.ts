import type { PDFRef } from 'pdf-lib';

/** What a page prints besides the face's text: the QR text, the seal and the holder's photo. */
export interface FaceAssets {
  qrText: string;
  seal?: PDFRef;
  /** The holder's photo (types with photos), placed where the layout's arrangement.photo says. */
  photo?: FacePhoto;
}

/** An embedded photo and its size in pixels (for its aspect ratio). */
export interface FacePhoto {
  ref: PDFRef;
  width: number;
  height: number;
}
