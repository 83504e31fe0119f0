// subset-font ships no types; only the options the PDF renderer uses are declared.
declare module 'subset-font' {
  interface SubsetFontOptions {
    targetFormat?: 'sfnt' | 'woff' | 'woff2' | 'truetype';
    noLayoutClosure?: boolean;
    noHinting?: boolean;
    keepFeatures?: string[];
    dropTables?: string[];
  }
  function subsetFont(font: Buffer, text: string, options?: SubsetFontOptions): Promise<Buffer>;
  export = subsetFont;
}
