// Test entry for tests/unit/decode.test.ts: re-exports the decoder so it can be compiled
// on its own.
export { decode, insnLength } from "../../../src/machine/core/assembly/decode";
