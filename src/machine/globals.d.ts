// WebAssembly is a language builtin in both Node and workerd; ES2022's lib does not
// declare it, so the machine declares the few members it uses.
declare namespace WebAssembly {
  class Module {
    constructor(bytes: ArrayBufferView | ArrayBuffer);
    static exports(m: Module): { name: string; kind: string }[];
  }
  class Instance {
    constructor(module: Module, imports?: Record<string, Record<string, unknown>>);
    readonly exports: Record<string, unknown>;
  }
  function instantiate(
    bytes: ArrayBufferView | ArrayBuffer,
    imports?: Record<string, Record<string, unknown>>,
  ): Promise<{ module: Module; instance: Instance }>;
  class Memory {
    constructor(descriptor: { initial: number; maximum?: number });
    readonly buffer: ArrayBuffer;
    grow(pages: number): number;
  }
}

/** In Node and workerd; ES2022's lib does not declare it. */
declare class FinalizationRegistry<T> {
  constructor(cleanup: (held: T) => void);
  register(target: object, held: T, unregisterToken?: object): void;
  unregister(unregisterToken: object): boolean;
}
