import { transformRgba, type RgbaImage } from './rgba-image.ts';

/**
 * A coarse-to-fine preview of a finished render, like a diffusion model's partial images: stage 0 shows
 * the image in blocks of 1/8 of its short edge and each later stage halves the block size. Blocks are
 * averaged (area resize down) and shown hard-edged (nearest-neighbour up), so a preview is the real picture.
 */
export async function progressiveRender(image: RgbaImage, stage: number): Promise<RgbaImage> {
  const shortEdge = Math.min(image.width, image.height);
  const block = Math.max(2, Math.round(shortEdge / (8 * 2 ** stage)));
  const small = await transformRgba(image, (pipeline) =>
    pipeline.resize(Math.max(1, Math.round(image.width / block)), Math.max(1, Math.round(image.height / block)), { fit: 'fill' }),
  );
  return transformRgba(small, (pipeline) => pipeline.resize(image.width, image.height, { fit: 'fill', kernel: 'nearest' }));
}
