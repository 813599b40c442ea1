// In workerd (and esbuild bundles that keep *.wasm external) importing a .wasm file
// yields a compiled WebAssembly.Module.
declare module "*.wasm" {
  const module: WebAssembly.Module;
  export default module;
}
