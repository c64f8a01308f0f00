import sharp from 'sharp';

/** A linear congruential generator: the same bytes on every run, so payload sizes never drift. */
function grain(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state >>> 24;
  };
}

/**
 * An RGB gradient with noise of the given amplitude (0–255), as a PNG. Noise keeps zlib from shrinking it,
 * so sizes resemble a photograph's: 1024² at amplitude 16 is ≈ 2.6 MB, i.e. ≈ 3.45 MB as base64 JSON —
 * the payload of a gpt-image-2 `b64_json` answer.
 */
export async function noisyPng(width: number, height: number, amplitude: number, seed = 1): Promise<Buffer> {
  const next = grain(seed);
  const pixels = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      const offset = (y * width + x) * 3;
      pixels[offset] = Math.min(255, Math.floor((200 * x) / width) + ((next() * amplitude) >> 8));
      pixels[offset + 1] = Math.min(255, Math.floor((180 * y) / height) + ((next() * amplitude) >> 8));
      pixels[offset + 2] = Math.min(255, 100 + ((next() * amplitude) >> 8));
    }
  }
  return sharp(pixels, { raw: { width, height, channels: 3 } }).png().toBuffer();
}

/** The b64 payload figure's image: 1024×1024, ≈ 2.6 MB PNG. */
export const payloadPng = (): Promise<Buffer> => noisyPng(1024, 1024, 16);

/** A 3840×2160 PNG with gradient and noise (≈ 21 MB): a worst case, as incompressible as 4K PNGs get. */
export const uhdPng = (): Promise<Buffer> => noisyPng(3840, 2160, 24, 7);

/** A tiny opaque PNG for URL-form answers, where the control plane (not the payload) should dominate. */
export const tinyPng = (): Promise<Buffer> =>
  sharp({ create: { width: 16, height: 16, channels: 3, background: { r: 30, g: 90, b: 160 } } }).png().toBuffer();
