// A deterministic byte source (xoshiro256** seeded through splitmix64) for guest entropy:
// the machine takes its seed from the embedding, so a run replays exactly.

const M64 = (1n << 64n) - 1n;

function splitmix(state: { s: bigint }): bigint {
  state.s = (state.s + 0x9e3779b97f4a7c15n) & M64;
  let z = state.s;
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & M64;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & M64;
  return z ^ (z >> 31n);
}

const rotl = (x: bigint, k: bigint) => ((x << k) | (x >> (64n - k))) & M64;

export class SeededRandom {
  private s: bigint[];

  constructor(seed: bigint) {
    const st = { s: seed & M64 };
    this.s = [splitmix(st), splitmix(st), splitmix(st), splitmix(st)];
  }

  next64(): bigint {
    const s = this.s as [bigint, bigint, bigint, bigint];
    const result = (rotl((s[1] * 5n) & M64, 7n) * 9n) & M64;
    const t = (s[1] << 17n) & M64;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45n);
    return result;
  }

  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i += 8) {
      let v = this.next64();
      for (let j = i; j < Math.min(n, i + 8); j++) {
        out[j] = Number(v & 0xffn);
        v >>= 8n;
      }
    }
    return out;
  }

  /** State for snapshots. */
  get state(): string[] {
    return this.s.map((x) => x.toString());
  }
  set state(v: string[]) {
    if (!Array.isArray(v) || v.length !== 4) throw new Error("bad random state");
    this.s = v.map((x) => BigInt.asUintN(64, BigInt(x)));
  }
}
