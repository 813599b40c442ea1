// TextDecoder/TextEncoder exist in Node and workerd; declared here for the pure machine build.
declare class TextDecoder {
  constructor(label?: string);
  decode(input?: Uint8Array): string;
}
declare class TextEncoder {
  encode(input?: string): Uint8Array;
}
