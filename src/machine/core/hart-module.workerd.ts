// The hart's compiled wasm for workerd: wrangler (and miniflare) turn a static .wasm
// import into a WebAssembly.Module, since Workers may not compile wasm at run time.
// Node loads the same file from disk instead (src/cli/hart-module.ts).
import hartModule from "./build/hart.wasm";

export { hartModule };
