/**
 * A Bloom filter of (scope, key) pairs: `mayContain` is false only for keys never added, true for every key
 * added (and, rarely, for others). About 10 bits per expected key, three probes: ~2 % false positives,
 * 12 MB for ten million keys. Beyond the expected count it stays correct, only less selective.
 */
export class KeyFilter {
  private readonly bits: Uint32Array;
  private readonly mask: number;

  constructor(expectedKeys: number) {
    let size = 1 << 16;
    while (size < expectedKeys * 10 && size < 2 ** 31) size *= 2;
    this.bits = new Uint32Array(size / 32);
    this.mask = size - 1;
  }

  add(scope: string, key: string): void {
    const [a, b] = hashes(scope, key);
    for (let i = 0; i < 3; i++) {
      const bit = (a + i * b) & this.mask;
      this.bits[bit >>> 5] |= 1 << (bit & 31);
    }
  }

  mayContain(scope: string, key: string): boolean {
    const [a, b] = hashes(scope, key);
    for (let i = 0; i < 3; i++) {
      const bit = (a + i * b) & this.mask;
      if ((this.bits[bit >>> 5] & (1 << (bit & 31))) === 0) return false;
    }
    return true;
  }
}

const pair: [number, number] = [0, 0];

/** two independent 32-bit FNV-1a style hashes of scope and key (double hashing gives the probes); the pair is reused, not allocated */
function hashes(scope: string, key: string): [number, number] {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ key.length;
  for (let i = 0; i < scope.length; i++) {
    const c = scope.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
  }
  a = Math.imul(a, 0x01000193);
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
  }
  pair[0] = a >>> 0;
  pair[1] = (b ^ (b >>> 15)) | 1;
  return pair;
}
