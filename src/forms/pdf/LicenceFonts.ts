import { readFileSync } from 'node:fs';
import subsetFont from 'subset-font';
import { ElicenseError } from '../../errors';

/** The TrueType Noto Sans SC shipped by @expo-google-fonts/noto-sans-sc (OFL). */
export function defaultLicenceFontPath(): string {
  return require.resolve('@expo-google-fonts/noto-sans-sc/400Regular/NotoSansSC_400Regular.ttf');
}

/**
 * The CJK font of the licence PDFs, read once and kept in memory (10 MB).
 * Each document gets its own subset, made by HarfBuzz, because pdf-lib's own
 * subsetter drops or corrupts CJK glyphs (product.md section 7).
 */
export class LicenceFonts {
  private constructor(private readonly regular: Uint8Array) {}

  /** Reads the TrueType font once; keep the instance for the life of the process. */
  static load(path: string = defaultLicenceFontPath()): LicenceFonts {
    return LicenceFonts.fromBytes(readFileSync(path));
  }

  static fromBytes(ttf: Uint8Array): LicenceFonts {
    // 0x00010000 is the TrueType sfnt version; OpenType/CFF ('OTTO') is refused, see above.
    if (ttf.byteLength < 12 || ttf[0] !== 0 || ttf[1] !== 1 || ttf[2] !== 0 || ttf[3] !== 0) {
      throw new ElicenseError('FONT_INVALID', 'the licence font must be a TrueType (glyf) font');
    }
    return new LicenceFonts(ttf);
  }

  /**
   * A TrueType subset with the glyphs of `text`. No layout closure and no
   * layout features: the face is set horizontally without ligatures, and the
   * closure over the GSUB tables of a CJK font costs ~80 ms per document.
   */
  async subset(text: string): Promise<Uint8Array> {
    const out = await subsetFont(Buffer.from(this.regular.buffer, this.regular.byteOffset, this.regular.byteLength), text, {
      targetFormat: 'sfnt',
      noLayoutClosure: true,
      keepFeatures: [],
      // Tables a PDF viewer never reads for horizontal text: layout, vertical metrics, baselines, variations.
      dropTables: ['BASE', 'GDEF', 'GPOS', 'GSUB', 'STAT', 'vhea', 'vmtx', 'DSIG', 'meta', 'gasp'],
    });
    return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  }
}
