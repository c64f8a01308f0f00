import { crc32 } from 'node:zlib';

const signature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/**
 * Why a PNG's chunk structure is broken, or undefined when it is whole: signature, IHDR first, every chunk
 * complete with a matching CRC, at least one IDAT, and IEND at the very end. This catches truncated and
 * corrupted uploads in a few milliseconds for a 20 MB file — a decode would take ~80 ms for a 4K PNG —
 * and leaves only a corrupt-yet-checksummed deflate stream to the decoder that reads the pixels later.
 */
export function checkPngStructure(bytes: Uint8Array): string | undefined {
  if (bytes.byteLength < signature.length || signature.some((byte, index) => bytes[index] !== byte)) return 'not a PNG signature';
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let offset = signature.length;
  let first = true;
  let sawData = false;
  while (offset < bytes.byteLength) {
    if (offset + 12 > bytes.byteLength) return 'the file ends inside a chunk header';
    const length = view.getUint32(offset);
    const type = String.fromCharCode(bytes[offset + 4] ?? 0, bytes[offset + 5] ?? 0, bytes[offset + 6] ?? 0, bytes[offset + 7] ?? 0);
    const end = offset + 12 + length;
    if (length > 0x7fffffff || end > bytes.byteLength) return `the file ends inside the ${type} chunk`;
    if (first && type !== 'IHDR') return 'the first chunk is not IHDR';
    first = false;
    if (crc32(bytes.subarray(offset + 4, offset + 8 + length)) !== view.getUint32(offset + 8 + length)) return `the ${type} chunk fails its checksum`;
    if (type === 'IDAT') sawData = true;
    // Bytes after IEND are ignored, as every decoder does.
    if (type === 'IEND') return sawData ? undefined : 'there is no image data';
    offset = end;
  }
  return 'the file ends before its IEND chunk';
}
