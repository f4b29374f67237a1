// What a connection writes while the engine handles one read, gathered so it leaves as one buffer: one copy
// into one allocation instead of one socket write (and one stream entry) per packet, and no per-packet buffer
// for bytes that differ from a shared template only in their first byte and one 16-bit field.

/** Segments at least this long are written as they are (a view, not copied), between the coalesced parts. */
const WRITE_AS_IS = 4096;
/** Marks a segment written unchanged. */
const NO_PATCH = -1;

/** Where drained bytes go: a socket itself, or an adapter. */
export interface BatchTarget {
  write(bytes: Buffer): unknown;
}

/**
 * Made per connection, so it holds nothing while empty: its two arrays exist only between the first write of a
 * read and the flush (idle connections are counted in bytes).
 */
export class OutputBatch {
  #parts: Buffer[] | undefined;
  /** Two numbers per part: the offset of its 16-bit patch (or NO_PATCH), then its first byte (bits 0-7) and
   * 16-bit value (bits 8-23) to patch in. */
  #patches: number[] | undefined;
  #bytes = 0;

  /** Bytes gathered and not yet taken. */
  get length(): number {
    return this.#bytes;
  }

  get empty(): boolean {
    return this.#parts === undefined;
  }

  /** Returns the number of parts now gathered (1 means the batch was empty before). */
  push(bytes: Buffer): number {
    this.#bytes += bytes.length;
    (this.#patches ??= []).push(NO_PATCH, 0);
    return (this.#parts ??= []).push(bytes);
  }

  /** `bytes` with byte 0 replaced by `firstByte` and the big-endian `value` at `offset` (offset ≥ 1). */
  pushPatched(bytes: Buffer, firstByte: number, offset: number, value: number): number {
    this.#bytes += bytes.length;
    (this.#patches ??= []).push(offset, (firstByte & 0xff) | ((value & 0xffff) << 8));
    return (this.#parts ??= []).push(bytes);
  }

  /** Drops what is gathered. */
  clear(): void {
    this.#parts = undefined;
    this.#patches = undefined;
    this.#bytes = 0;
  }

  /**
   * Hands the gathered bytes to `write` in order, as few buffers as possible: small parts (and the patched heads
   * of large ones) copied into one allocation, large unpatched tails passed as views. Empties the batch.
   */
  drain(target: BatchTarget): void {
    const parts = this.#parts;
    const patches = this.#patches as number[];
    this.clear();
    if (parts === undefined) return;
    const count = parts.length;
    if (count === 1 && patches[0] === NO_PATCH) {
      target.write(parts[0] as Buffer);
      return;
    }
    let copied = 0;
    for (let i = 0; i < count; i++) copied += copyLength(parts[i] as Buffer, patches[2 * i] as number);
    const out = Buffer.allocUnsafe(copied);
    let pos = 0;
    let from = 0;
    for (let i = 0; i < count; i++) {
      const part = parts[i] as Buffer;
      const at = patches[2 * i] as number;
      const head = copyLength(part, at);
      part.copy(out, pos, 0, head);
      if (at !== NO_PATCH) {
        const word = patches[2 * i + 1] as number;
        out[pos] = word & 0xff;
        out[pos + at] = (word >>> 16) & 0xff;
        out[pos + at + 1] = (word >>> 8) & 0xff;
      }
      pos += head;
      if (head < part.length) {
        if (pos > from) target.write(out.subarray(from, pos));
        from = pos;
        target.write(head === 0 ? part : part.subarray(head));
      }
    }
    if (pos > from) target.write(from === 0 && pos === out.length ? out : out.subarray(from, pos));
  }
}

/** How much of a part goes into the coalesced buffer: all of a small one, the patched head of a large one. */
function copyLength(part: Buffer, patchAt: number): number {
  if (part.length < WRITE_AS_IS) return part.length;
  return patchAt === NO_PATCH ? 0 : patchAt + 2;
}
