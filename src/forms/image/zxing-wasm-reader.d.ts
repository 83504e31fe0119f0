// The reader build of zxing-wasm is published under the package's "exports" map,
// which moduleResolution node10 does not read; point the subpath at its types.
declare module 'zxing-wasm/reader' {
  export * from 'zxing-wasm/dist/cjs/reader/index';
}
