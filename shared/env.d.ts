// The few host facilities shared/ may rely on: present, identical and side-effect free in Node,
// browsers and workers. Declared here because shared/ compiles without DOM or Node types.

declare class TextEncoder {
  encode(input?: string): Uint8Array
}

declare class TextDecoder {
  constructor(label?: string, options?: { fatal?: boolean; ignoreBOM?: boolean })
  decode(input?: Uint8Array): string
}
