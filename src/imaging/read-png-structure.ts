import { crc32 } from 'node:zlib';

const signature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

export type PngStructure = {
  /** From IHDR, when the file starts with a readable one. */
  header?: { width: number; height: number; hasAlpha: boolean };
  /** Why the chunk structure is broken; undefined when it is whole. */
  problem?: string;
  /** An eXIf chunk may carry an orientation that swaps the displayed width and height. */
  hasExif: boolean;
};

/**
 * A PNG's header and chunk structure in one pass, without inflating any pixels: signature, IHDR first,
 * every chunk complete with a matching CRC, at least one IDAT, and IEND (bytes after it are ignored, as
 * decoders do). This catches truncated and corrupted uploads in ~5 ms for a 20 MB file — a decode takes
 * ~80 ms for a 4K PNG — and reads the size without a trip to sharp's thread pool. Only a corrupt yet
 * checksummed deflate stream is left to whichever decoder reads the pixels later.
 */
export function readPngStructure(bytes: Uint8Array): PngStructure {
  const result: PngStructure = { hasExif: false };
  if (bytes.byteLength < signature.length || signature.some((byte, index) => bytes[index] !== byte)) return { ...result, problem: 'not a PNG signature' };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let offset = signature.length;
  let sawData = false;
  let hasTransparencyChunk = false;
  while (offset < bytes.byteLength) {
    if (offset + 12 > bytes.byteLength) return { ...result, problem: 'the file ends inside a chunk header' };
    const length = view.getUint32(offset);
    const type = String.fromCharCode(bytes[offset + 4] ?? 0, bytes[offset + 5] ?? 0, bytes[offset + 6] ?? 0, bytes[offset + 7] ?? 0);
    const end = offset + 12 + length;
    if (length > 0x7fffffff || end > bytes.byteLength) return { ...result, problem: `the file ends inside the ${type} chunk` };
    if (offset === signature.length) {
      if (type !== 'IHDR' || length !== 13) return { ...result, problem: 'the first chunk is not IHDR' };
      const colourType = bytes[offset + 17];
      result.header = { width: view.getUint32(offset + 8), height: view.getUint32(offset + 12), hasAlpha: colourType === 4 || colourType === 6 };
    }
    if (crc32(bytes.subarray(offset + 4, offset + 8 + length)) !== view.getUint32(offset + 8 + length)) return { ...result, problem: `the ${type} chunk fails its checksum` };
    if (type === 'IDAT') sawData = true;
    else if (type === 'tRNS') hasTransparencyChunk = true;
    else if (type === 'eXIf') result.hasExif = true;
    else if (type === 'IEND') {
      if (result.header && hasTransparencyChunk) result.header.hasAlpha = true;
      return sawData ? result : { ...result, problem: 'there is no image data' };
    }
    offset = end;
  }
  return { ...result, problem: 'the file ends before its IEND chunk' };
}
