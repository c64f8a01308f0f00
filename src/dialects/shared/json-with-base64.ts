import { randomUUID } from 'node:crypto';

/** Input bytes per base64 step: a multiple of 3 (no padding mid-way), small enough for a young, on-heap string. */
const encodeStep = 48 * 1024;

function base64Bytes(data: Uint8Array): Buffer {
  const input = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const output = Buffer.allocUnsafe(Math.ceil(input.length / 3) * 4);
  let written = 0;
  for (let offset = 0; offset < input.length; offset += encodeStep) {
    written += output.write(input.toString('base64', offset, Math.min(input.length, offset + encodeStep)), written, 'latin1');
  }
  return output;
}

/**
 * JSON for an answer that carries images as base64 strings, built as bytes: `build` places
 * `placeholder(index)` where image `index`'s base64 goes, and the images are encoded straight into the
 * output a slice at a time. A multi-megabyte base64 string would be allocated outside the V8 heap and, a
 * few per second, keep V8 in full mark-compacts; JSON.stringify would then copy it once more.
 */
export function jsonWithBase64(images: readonly Uint8Array[], build: (placeholder: (index: number) => string) => unknown): Buffer {
  const nonce = `\u0000darkroom-image-${randomUUID()}-`;
  const json = JSON.stringify(build((index) => `${nonce}${index}`));
  const marker = JSON.stringify(nonce).slice(1, -1);
  const parts: Buffer[] = [];
  let from = 0;
  for (let found = json.indexOf(marker); found >= 0; found = json.indexOf(marker, from)) {
    parts.push(Buffer.from(json.slice(from, found), 'utf8'));
    const digits = /^\d+/.exec(json.slice(found + marker.length, found + marker.length + 12))?.[0] ?? '';
    const image = images[Number(digits)];
    if (image === undefined || digits === '') throw new Error('jsonWithBase64: a placeholder names no image');
    parts.push(base64Bytes(image));
    from = found + marker.length + digits.length;
  }
  parts.push(Buffer.from(json.slice(from), 'utf8'));
  return Buffer.concat(parts);
}
