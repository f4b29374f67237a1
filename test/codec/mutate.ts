// Mutations of a valid packet's bytes, shared by the decoder fuzz test and the network fuzzer (npm run fuzz):
// bit flips, truncation, inserted and deleted bytes, a corrupted remaining length, interesting byte values,
// and two packets back to back.
import type { Prng } from './prng.js';

export function mutate(prng: Prng, seed: Buffer): Buffer {
  const b = Buffer.from(seed);
  switch (prng.int(0, 6)) {
    case 0: {
      // flip 1-3 bits
      for (let n = prng.int(1, 3); n > 0 && b.length > 0; n--) {
        const i = prng.int(0, b.length - 1);
        b[i] = (b[i] as number) ^ (1 << prng.int(0, 7));
      }
      return b;
    }
    case 1:
      // truncate
      return b.subarray(0, prng.int(0, b.length));
    case 2: {
      // insert random bytes
      const at = prng.int(0, b.length);
      return Buffer.concat([b.subarray(0, at), prng.bytes(prng.int(1, 4)), b.subarray(at)]);
    }
    case 3: {
      // delete a run
      const at = prng.int(0, b.length);
      return Buffer.concat([b.subarray(0, at), b.subarray(at + prng.int(1, 4))]);
    }
    case 4: {
      // corrupt the remaining length
      if (b.length > 1) b[1] = prng.pick([0, 1, 2, 0x7f, 0x80, 0xff, prng.int(0, 255)]);
      return b;
    }
    case 5: {
      // set a random byte to an interesting value
      if (b.length > 0) b[prng.int(0, b.length - 1)] = prng.pick([0x00, 0x01, 0x7f, 0x80, 0xc0, 0xed, 0xff]);
      return b;
    }
    default:
      // two packets back to back, the second mutated again
      return Buffer.concat([b, mutate(prng, seed)]);
  }
}
