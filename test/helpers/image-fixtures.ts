import { createServer, type Server } from 'node:http';
import sharp from 'sharp';

export async function solidPng(width: number, height: number, colour = { r: 200, g: 60, b: 30 }): Promise<Uint8Array> {
  return new Uint8Array(await sharp({ create: { width, height, channels: 3, background: colour } }).png().toBuffer());
}

/** A picture with structure (gradient + noise-free pattern) so edits visibly change it. */
export async function patternPng(width: number, height: number): Promise<Uint8Array> {
  const pixels = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      const offset = (y * width + x) * 3;
      pixels[offset] = Math.round((x / width) * 255);
      pixels[offset + 1] = Math.round((y / height) * 255);
      pixels[offset + 2] = (x + y) % 64 < 32 ? 220 : 40;
    }
  }
  return new Uint8Array(await sharp(pixels, { raw: { width, height, channels: 3 } }).png().toBuffer());
}

/** White rectangle (edit) on black (keep), Oxen/fal convention. */
export async function rectangleMask(width: number, height: number, rectangle: { left: number; top: number; width: number; height: number }): Promise<Uint8Array> {
  const white = await sharp({ create: { width: rectangle.width, height: rectangle.height, channels: 3, background: '#ffffff' } }).png().toBuffer();
  return new Uint8Array(
    await sharp({ create: { width, height, channels: 3, background: '#000000' } })
      .composite([{ input: white, left: rectangle.left, top: rectangle.top }])
      .png()
      .toBuffer(),
  );
}

export const dataUri = (bytes: Uint8Array, mediaType = 'image/png'): string => `data:${mediaType};base64,${Buffer.from(bytes).toString('base64')}`;

/** Serves fixed files on 127.0.0.1 (allowlist it to fetch from it). */
export async function startFileServer(files: Record<string, { body: Uint8Array | string; contentType?: string; status?: number }>): Promise<{ url: string; server: Server; requests: string[]; close(): Promise<void> }> {
  const requests: string[] = [];
  const server = createServer((request, response) => {
    requests.push(request.url ?? '');
    const file = files[request.url ?? ''];
    if (!file) {
      response.writeHead(404).end('missing');
      return;
    }
    response.writeHead(file.status ?? 200, { 'content-type': file.contentType ?? 'image/png' }).end(file.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
