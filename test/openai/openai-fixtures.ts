import OpenAI from 'openai';
import sharp from 'sharp';
import type { TestGateway } from '../helpers/test-gateway.ts';
import { readJsonResponse } from '../helpers/test-gateway.ts';

/** The official SDK pointed at darkroom, as a user would configure it: only the base URL changes. */
export const openAiClient = (gateway: TestGateway, apiKey = 'sk-anything'): OpenAI => new OpenAI({ baseURL: `${gateway.baseUrl}/v1`, apiKey });

/** OpenAI's mask convention: opaque everywhere (keep) except a fully transparent rectangle (edit). */
export async function alphaMask(width: number, height: number, hole: { left: number; top: number; width: number; height: number }): Promise<Uint8Array> {
  const pixels = Buffer.alloc(width * height * 4, 255);
  for (let y = hole.top; y < hole.top + hole.height; y += 1) {
    for (let x = hole.left; x < hole.left + hole.width; x += 1) pixels[(y * width + x) * 4 + 3] = 0;
  }
  return new Uint8Array(await sharp(pixels, { raw: { width, height, channels: 4 } }).png().toBuffer());
}

export type RawPixels = { data: Buffer; width: number; height: number };

export async function rgbPixels(bytes: Uint8Array | Buffer): Promise<RawPixels> {
  const { data, info } = await sharp(bytes).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

export const pixelAt = (image: RawPixels, x: number, y: number): number[] => {
  const offset = (y * image.width + x) * 3;
  return [image.data[offset] ?? -1, image.data[offset + 1] ?? -1, image.data[offset + 2] ?? -1];
};

export const fromBase64 = (value: string | undefined): Buffer => Buffer.from(value ?? '', 'base64');

/** A multipart POST with parts in the given order, for edge cases the SDK never sends. */
export async function postForm(url: string, parts: Array<[string, string | Blob, string?]>, headers: Record<string, string> = {}) {
  const form = new FormData();
  for (const [name, value, filename] of parts) {
    if (typeof value === 'string') form.append(name, value);
    else form.append(name, value, filename ?? 'image.png');
  }
  const response = await fetch(url, { method: 'POST', body: form, headers });
  return readJsonResponse(response);
}

export const pngBlob = (bytes: Uint8Array): Blob => new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'image/png' });
