import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, extname, join } from 'node:path';
import { GatewayError } from '../domain/gateway-error.ts';

export type ImageToSave = { generationId: string; url: string };

const extensionByType: Record<string, string> = { 'image/png': 'png', 'image/jpeg': 'jpeg', 'image/webp': 'webp' };

/**
 * Where each image goes. `--out` names a directory when it exists as one, ends with a slash or has no
 * extension; otherwise it is the file for the first image and the stem for the others (`cat-2.png`).
 */
export function outputPaths(out: string | undefined, images: Array<{ generationId: string; extension: string }>): string[] {
  const target = out ?? '.';
  const isDirectory = (existsSync(target) && statSync(target).isDirectory()) || /[\\/]$/.test(target) || extname(target) === '';
  if (isDirectory) {
    const perGeneration = new Map<string, number>();
    return images.map(({ generationId, extension }) => {
      const index = (perGeneration.get(generationId) ?? 0) + 1;
      perGeneration.set(generationId, index);
      return join(target, `darkroom-${generationId.slice(0, 8)}-${index}.${extension}`);
    });
  }
  const extension = extname(target);
  const stem = target.slice(0, -extension.length);
  return images.map((_, index) => (index === 0 ? target : `${stem}-${index + 1}${extension}`));
}

/** Downloads the result images and writes them; returns the paths written, in order. */
export async function saveImages(images: ImageToSave[], out: string | undefined, serverUrl: string): Promise<string[]> {
  const downloads = await Promise.all(images.map(async (image) => ({ image, ...(await download(image.url, serverUrl)) })));
  const paths = outputPaths(
    out,
    downloads.map(({ image, extension }) => ({ generationId: image.generationId, extension })),
  );
  downloads.forEach(({ data }, index) => {
    const path = paths[index];
    if (!path) return;
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, data);
  });
  return paths;
}

async function download(url: string, serverUrl: string): Promise<{ data: Uint8Array; extension: string }> {
  let response: Response;
  try {
    response = await fetch(url);
  } catch (error) {
    // The signed URL carries the server's public URL; when that is not reachable from here, use the server's own.
    const path = new URL(url).pathname;
    if (!path.startsWith('/files/')) throw new GatewayError('upstream_error', `Cannot download ${url}`, { cause: error });
    response = await fetch(`${serverUrl}${path}${new URL(url).search}`);
  }
  if (!response.ok) throw new GatewayError('upstream_error', `Downloading ${url} answered ${response.status}`);
  const type = response.headers.get('content-type')?.split(';')[0] ?? '';
  const extension = extensionByType[type] ?? /\.(png|jpe?g|webp)(?:\?|$)/i.exec(url)?.[1] ?? 'png';
  return { data: new Uint8Array(await response.arrayBuffer()), extension };
}
