import { readFileSync } from 'node:fs';
import { ElicenseError } from '../../errors';
import { readTrueTypeMetrics } from './readTrueTypeMetrics';

/** The TrueType Noto Sans SC shipped by @expo-google-fonts/noto-sans-sc (OFL). */
export function defaultLicenseFontPath(): string {
  return require.resolve('@expo-google-fonts/noto-sans-sc/400Regular/NotoSansSC_400Regular.ttf');
}

/** The C functions of harfbuzzjs's hb-subset build that we call (pointers are wasm addresses). */
interface HarfBuzzSubset {
  memory: { readonly buffer: ArrayBuffer };
  _initialize(): void;
  malloc(size: number): number;
  free(ptr: number): void;
  hb_blob_create(data: number, length: number, mode: number, userData: number, destroy: number): number;
  hb_blob_destroy(blob: number): void;
  hb_blob_get_data(blob: number, lengthOut: number): number;
  hb_blob_get_length(blob: number): number;
  hb_face_create(blob: number, index: number): number;
  hb_face_destroy(face: number): void;
  hb_face_reference_blob(face: number): number;
  hb_set_add(set: number, codepoint: number): void;
  hb_set_clear(set: number): void;
  hb_subset_input_create_or_fail(): number;
  hb_subset_input_destroy(input: number): void;
  hb_subset_input_unicode_set(input: number): number;
  hb_subset_input_set(input: number, which: number): number;
  hb_subset_input_get_flags(input: number): number;
  hb_subset_input_set_flags(input: number, flags: number): void;
  hb_subset_preprocess(face: number): number;
  hb_subset_or_fail(face: number, input: number): number;
}

// hb-blob.h, hb-subset.h
const HB_MEMORY_MODE_READONLY = 1;
const HB_SUBSET_SETS_DROP_TABLE_TAG = 3;
const HB_SUBSET_SETS_LAYOUT_FEATURE_TAG = 6;
const HB_SUBSET_FLAGS_NO_LAYOUT_CLOSURE = 0x200;

/** Tables a PDF viewer never reads for horizontal text: layout, vertical metrics, baselines, variations. */
const DROPPED_TABLES = ['BASE', 'GDEF', 'GPOS', 'GSUB', 'STAT', 'vhea', 'vmtx', 'DSIG', 'meta', 'gasp'];
const hbTag = (tag: string) => ((tag.charCodeAt(0) << 24) | (tag.charCodeAt(1) << 16) | (tag.charCodeAt(2) << 8) | tag.charCodeAt(3)) >>> 0;

/** The part of the WebAssembly global we use (the project's lib settings do not declare it). */
interface WasmGlobal {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { readonly exports: unknown };
}
const wasm = (globalThis as unknown as { WebAssembly: WasmGlobal }).WebAssembly;
let compiledHarfBuzz: object | undefined;

/** A fresh HarfBuzz instance; the module is compiled once per process. */
function instantiateHarfBuzz(): HarfBuzzSubset {
  compiledHarfBuzz ??= new wasm.Module(readFileSync(require.resolve('harfbuzzjs/dist/harfbuzz-subset.wasm')));
  const hb = new wasm.Instance(compiledHarfBuzz, {}).exports as HarfBuzzSubset;
  hb._initialize();
  return hb;
}

/**
 * The CJK font of the licence PDFs. Each document gets its own subset, made
 * by HarfBuzz (harfbuzzjs's hb-subset WebAssembly), because pdf-lib's own
 * subsetter drops or corrupts CJK glyphs (docs/product.md section 7).
 *
 * Every instance owns a HarfBuzz instance holding the 10 MB font in its
 * memory as a face, preprocessed for repeated subsetting, for the life of the
 * LicenseFonts object (the memory goes with it); per document only the
 * subset input and the subset face are made, and both are destroyed.
 */
export class LicenseFonts {
  private constructor(
    private readonly hb: HarfBuzzSubset,
    /** The preprocessed face of the whole font; never destroyed. */
    private readonly face: number,
  ) {}

  /** Size of this instance's HarfBuzz memory (grows, never shrinks): for leak checks. */
  get heapBytes(): number {
    return this.hb.memory.buffer.byteLength;
  }

  /** Reads the TrueType font once; keep the instance for the life of the process. */
  static load(path: string = defaultLicenseFontPath()): LicenseFonts {
    return LicenseFonts.fromBytes(readFileSync(path));
  }

  static fromBytes(ttf: Uint8Array): LicenseFonts {
    // 0x00010000 is the TrueType sfnt version; OpenType/CFF ('OTTO') is refused, see above.
    if (ttf.byteLength < 12 || ttf[0] !== 0 || ttf[1] !== 1 || ttf[2] !== 0 || ttf[3] !== 0) {
      throw new ElicenseError('FONT_INVALID', 'the licence font must be a TrueType (glyf) font');
    }
    const hb = instantiateHarfBuzz();
    const data = hb.malloc(ttf.byteLength);
    if (data === 0) throw new ElicenseError('FONT_INVALID', 'the licence font does not fit in HarfBuzz memory');
    new Uint8Array(hb.memory.buffer, data, ttf.byteLength).set(ttf);
    // The bytes stay in wasm memory for the life of the instance: no destroy callback.
    const blob = hb.hb_blob_create(data, ttf.byteLength, HB_MEMORY_MODE_READONLY, 0, 0);
    const face = hb.hb_face_create(blob, 0);
    hb.hb_blob_destroy(blob);
    // The preprocessed face keeps the tables and accelerators subsetting needs, parsed once.
    const prepared = hb.hb_subset_preprocess(face);
    hb.hb_face_destroy(face);
    const fonts = new LicenseFonts(hb, prepared);
    // A font HarfBuzz cannot read gives an empty face, which subsets to a font without our glyphs, or not at all.
    let probe: number;
    try {
      probe = readTrueTypeMetrics(fonts.subset('证')).glyph(0x8bc1).gid;
    } catch (e) {
      throw new ElicenseError('FONT_INVALID', 'HarfBuzz cannot read the licence font', undefined, { cause: e });
    }
    if (probe === 0) throw new ElicenseError('FONT_INVALID', 'the licence font has no Chinese glyphs');
    return fonts;
  }

  /**
   * A TrueType subset with the glyphs of `text`. No layout closure and no
   * layout features: the face is set horizontally without ligatures, and the
   * closure over the GSUB tables of a CJK font costs ~80 ms per document.
   */
  subset(text: string): Uint8Array {
    const hb = this.hb;
    const input = hb.hb_subset_input_create_or_fail();
    if (input === 0) throw new ElicenseError('PDF_RENDER_FAILED', 'HarfBuzz could not allocate a subset input');
    let result = 0;
    try {
      const unicodes = hb.hb_subset_input_unicode_set(input);
      for (const ch of new Set(text)) hb.hb_set_add(unicodes, ch.codePointAt(0)!);
      hb.hb_set_clear(hb.hb_subset_input_set(input, HB_SUBSET_SETS_LAYOUT_FEATURE_TAG));
      const drop = hb.hb_subset_input_set(input, HB_SUBSET_SETS_DROP_TABLE_TAG);
      for (const tag of DROPPED_TABLES) hb.hb_set_add(drop, hbTag(tag));
      hb.hb_subset_input_set_flags(input, hb.hb_subset_input_get_flags(input) | HB_SUBSET_FLAGS_NO_LAYOUT_CLOSURE);
      result = hb.hb_subset_or_fail(this.face, input);
    } finally {
      hb.hb_subset_input_destroy(input);
    }
    if (result === 0) throw new ElicenseError('PDF_RENDER_FAILED', 'HarfBuzz could not subset the licence font');
    const blob = hb.hb_face_reference_blob(result);
    try {
      const at = hb.hb_blob_get_data(blob, 0);
      const length = hb.hb_blob_get_length(blob);
      if (at === 0 || length === 0) throw new ElicenseError('PDF_RENDER_FAILED', 'HarfBuzz made an empty font subset');
      // A copy: the view is over wasm memory, which the next call reuses (and may grow, detaching it).
      return new Uint8Array(hb.memory.buffer, at, length).slice();
    } finally {
      hb.hb_blob_destroy(blob);
      hb.hb_face_destroy(result);
    }
  }
}
