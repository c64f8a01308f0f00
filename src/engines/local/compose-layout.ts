import sharp, { type OverlayOptions } from 'sharp';
import type { ImageSize } from '../../domain/image-request.ts';
import type { EngineWarning } from '../../domain/job.ts';
import type { SizeLimits } from '../../domain/size-rules.ts';
import type { LayoutName } from './edit-vocabulary.ts';
import { pipelineToRgba, transformRgba, type RgbaImage } from './rgba-image.ts';

type Placement = { image: RgbaImage; left: number; top: number; width: number; height: number; fit: 'fill' | 'cover' };

/** Uniform scale that keeps a canvas inside the engine's edge and pixel limits (never enlarges). */
function scaleToLimits(size: ImageSize, limits: SizeLimits): number {
  return Math.min(1, limits.maxEdge / Math.max(size.width, size.height), Math.sqrt(limits.maxPixels / (size.width * size.height)));
}

async function placeAll(canvas: ImageSize, placements: Placement[]): Promise<RgbaImage> {
  const layers: OverlayOptions[] = [];
  for (const placement of placements) {
    const { image, width, height } = placement;
    const sized = image.width === width && image.height === height ? image : await transformRgba(image, (pipeline) => pipeline.resize(width, height, { fit: placement.fit }));
    layers.push({ input: sized.data, raw: { width, height, channels: 4 }, left: placement.left, top: placement.top });
  }
  const base = sharp({ create: { width: canvas.width, height: canvas.height, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } } });
  return pipelineToRgba(base.composite(layers));
}

/** A row (`horizontal`) or column of images, all scaled to the first image's height (or width). */
function strip(images: RgbaImage[], horizontal: boolean, limits: SizeLimits): Promise<RgbaImage> {
  const [first] = images;
  if (!first) throw new Error('a layout needs at least one image');
  const across = horizontal ? first.height : first.width;
  const lengths = images.map((image) => (horizontal ? (image.width * across) / image.height : (image.height * across) / image.width));
  const total = lengths.reduce((sum, length) => sum + length, 0);
  const scale = scaleToLimits(horizontal ? { width: total, height: across } : { width: across, height: total }, limits);
  const scaledAcross = Math.max(1, Math.round(across * scale));
  let position = 0;
  const placements = images.map((image, index): Placement => {
    const length = Math.max(1, Math.round((lengths[index] ?? 0) * scale));
    const placement: Placement = horizontal
      ? { image, left: position, top: 0, width: length, height: scaledAcross, fit: 'fill' }
      : { image, left: 0, top: position, width: scaledAcross, height: length, fit: 'fill' };
    position += length;
    return placement;
  });
  return placeAll(horizontal ? { width: position, height: scaledAcross } : { width: scaledAcross, height: position }, placements);
}

/** Near-square grid; every cell has the first image's size (scaled down to fit the limits), images cover their cell. */
function grid(images: RgbaImage[], limits: SizeLimits): Promise<RgbaImage> {
  const [first] = images;
  if (!first) throw new Error('a layout needs at least one image');
  const columns = Math.ceil(Math.sqrt(images.length));
  const rows = Math.ceil(images.length / columns);
  const scale = scaleToLimits({ width: first.width * columns, height: first.height * rows }, limits);
  const cellWidth = Math.max(1, Math.floor(first.width * scale));
  const cellHeight = Math.max(1, Math.floor(first.height * scale));
  const placements = images.map((image, index): Placement => ({
    image,
    left: (index % columns) * cellWidth,
    top: Math.floor(index / columns) * cellHeight,
    width: cellWidth,
    height: cellHeight,
    fit: 'cover',
  }));
  return placeAll({ width: cellWidth * columns, height: cellHeight * rows }, placements);
}

/** The second image at up to 30% of the first's size, bottom-right, with a thin white frame. */
async function inset(base: RgbaImage, small: RgbaImage): Promise<RgbaImage> {
  const shortEdge = Math.min(base.width, base.height);
  const margin = Math.round(shortEdge * 0.03);
  const frame = Math.max(1, Math.round(shortEdge * 0.006));
  const scale = Math.min((base.width * 0.3) / small.width, (base.height * 0.3) / small.height);
  const width = Math.max(1, Math.round(small.width * scale));
  const height = Math.max(1, Math.round(small.height * scale));
  const framed = await transformRgba(small, (pipeline) =>
    pipeline.resize(width, height, { fit: 'fill' }).extend({ top: frame, bottom: frame, left: frame, right: frame, background: '#ffffff' }),
  );
  return placeAll({ width: base.width, height: base.height }, [
    { image: base, left: 0, top: 0, width: base.width, height: base.height, fit: 'fill' },
    {
      image: framed,
      left: Math.max(0, base.width - margin - framed.width),
      top: Math.max(0, base.height - margin - framed.height),
      width: framed.width,
      height: framed.height,
      fit: 'fill',
    },
  ]);
}

/** Combines several inputs into one canvas; the edits then run on the result. */
export async function composeLayout(images: RgbaImage[], layout: LayoutName, limits: SizeLimits): Promise<{ image: RgbaImage; warnings: EngineWarning[] }> {
  switch (layout) {
    case 'side-by-side':
      return { image: await strip(images, true, limits), warnings: [] };
    case 'stack':
      return { image: await strip(images, false, limits), warnings: [] };
    case 'grid':
      return { image: await grid(images, limits), warnings: [] };
    case 'inset': {
      const [base, small] = images;
      if (!base || !small) throw new Error('inset needs two images');
      const warnings: EngineWarning[] =
        images.length > 2 ? [{ feature: 'input_images', message: `The inset layout uses the first two images; ${images.length - 2} more were ignored` }] : [];
      return { image: await inset(base, small), warnings };
    }
  }
}

/** Only inset keeps the first image's size, so only inset can be combined with a mask. */
export const layoutKeepsFirstImageSize = (layout: LayoutName): boolean => layout === 'inset';
