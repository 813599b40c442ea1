// A static .wasm import yields a compiled WebAssembly.Module (workerd, wrangler, esbuild
// with the file kept external).
declare module "*.wasm" {
  const module: WebAssembly.Module;
  export default module;
}
