import type { Matrix3x3 } from 'sharp';
import type { EngineWarning } from '../../domain/job.ts';
import type { EditOperation } from './edit-vocabulary.ts';
import { keyOutBorder } from './key-out-border.ts';
import { throwIfCancelled } from './throw-if-cancelled.ts';
import { hasTransparency, pipelineToRgba, rgbaPipeline, rgbToHex, transformRgba, type Rgb, type RgbaImage } from './rgba-image.ts';
import { textOverlaySvg } from './text-overlay-svg.ts';

export type EditOutcome = { image: RgbaImage; warnings: EngineWarning[] };

const identity: Matrix3x3 = [[1, 0, 0], [0, 1, 0], [0, 0, 1]];
const lumaRow: [number, number, number] = [0.2126, 0.7152, 0.0722];
const sepiaMatrix: Matrix3x3 = [[0.393, 0.769, 0.189], [0.349, 0.686, 0.168], [0.272, 0.534, 0.131]];

/** identity·(1 − amount) + target·amount: how partial strengths of matrix effects are expressed. */
const mix = (target: Matrix3x3, amount: number): Matrix3x3 =>
  identity.map((row, rowIndex) => row.map((value, column) => value * (1 - amount) + (target[rowIndex]?.[column] ?? 0) * amount)) as Matrix3x3;

const diagonal = (red: number, green: number, blue: number): Matrix3x3 => [[red, 0, 0], [0, green, 0], [0, 0, blue]];

/** Luminance-preserving colourise towards `colour`. */
function tintMatrix(colour: Rgb): Matrix3x3 {
  const target = [colour.red, colour.green, colour.blue].map((value) => Math.max(value, 8) / 255);
  const targetLuma = target.reduce((sum, value, index) => sum + value * (lumaRow[index] ?? 0), 0);
  return target.map((value) => lumaRow.map((weight) => (weight * value) / targetLuma)) as Matrix3x3;
}

const minEdge = (image: RgbaImage) => Math.min(image.width, image.height);
const clamp = (value: number, low: number, high: number) => Math.min(high, Math.max(low, value));

async function pixelate(image: RgbaImage, blockSize: number): Promise<RgbaImage> {
  const block = Math.max(2, Math.round(blockSize));
  const small = await transformRgba(image, (pipeline) =>
    pipeline.resize(Math.max(1, Math.ceil(image.width / block)), Math.max(1, Math.ceil(image.height / block)), { fit: 'fill' }),
  );
  return transformRgba(small, (pipeline) => pipeline.resize(image.width, image.height, { fit: 'fill', kernel: 'nearest' }));
}

/** Keeps the top bits of each colour channel (bitwise AND with a constant image), then stretches back to 0–255. */
async function posterize(image: RgbaImage, strength: number): Promise<RgbaImage> {
  const bits = strength <= 0.6 ? 3 : strength <= 1.3 ? 2 : 1;
  const keep = (0xff << (8 - bits)) & 0xff;
  const operand = Buffer.alloc(image.data.length, Buffer.from([keep, keep, keep, 0xff]));
  const stretch = 255 / keep;
  return transformRgba(image, (pipeline) =>
    pipeline.boolean(operand, 'and', { raw: { width: image.width, height: image.height, channels: 4 } }).linear(stretch, 0),
  );
}

function overlay(image: RgbaImage, svg: string | Buffer, blend: 'over' | 'atop' = 'over'): Promise<RgbaImage> {
  return pipelineToRgba(rgbaPipeline(image).composite([{ input: Buffer.isBuffer(svg) ? svg : Buffer.from(svg), blend }]));
}

function vignetteSvg(image: RgbaImage, strength: number): string {
  const opacity = clamp(0.7 * strength, 0.1, 1).toFixed(3);
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${image.width}" height="${image.height}">` +
    `<defs><radialGradient id="v" cx="50%" cy="50%" r="72%"><stop offset="45%" stop-color="#000" stop-opacity="0"/>` +
    `<stop offset="100%" stop-color="#000" stop-opacity="${opacity}"/></radialGradient></defs>` +
    `<rect width="100%" height="100%" fill="url(#v)"/></svg>`
  );
}

function borderSvg(image: RgbaImage, colour: Rgb, strength: number): string {
  const thickness = Math.max(2, Math.round(minEdge(image) * 0.035 * strength));
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${image.width}" height="${image.height}">` +
    `<rect x="${thickness / 2}" y="${thickness / 2}" width="${image.width - thickness}" height="${image.height - thickness}" ` +
    `fill="none" stroke="${rgbToHex(colour)}" stroke-width="${thickness}"/></svg>`
  );
}

async function fillBackground(image: RgbaImage, colour: Rgb, strength: number): Promise<EditOutcome> {
  let source = image;
  const warnings: EngineWarning[] = [];
  if (!hasTransparency(image)) {
    const keyed = keyOutBorder(image, 40 * clamp(strength, 0.5, 2));
    if (keyed) source = keyed.image;
    else warnings.push({ feature: 'background', message: 'No transparent area or uniform border colour was found, so there was no background to fill' });
  }
  return { image: await transformRgba(source, (pipeline) => pipeline.flatten({ background: rgbToHex(colour) })), warnings };
}

async function rotate(image: RgbaImage, degrees: number): Promise<RgbaImage> {
  const rotated = await transformRgba(image, (pipeline) => pipeline.rotate(degrees, { background: { r: 0, g: 0, b: 0, alpha: 0 } }));
  if (degrees % 90 === 0) return rotated;
  // Any other angle turns the picture inside the original frame; corners become transparent. A long thin
  // image's rotated bounding box can be narrower than the frame, so pad before cutting the frame out.
  const padX = Math.max(0, image.width - rotated.width);
  const padY = Math.max(0, image.height - rotated.height);
  const transparent = { r: 0, g: 0, b: 0, alpha: 0 };
  const canvas =
    padX + padY === 0
      ? rotated
      : await transformRgba(rotated, (pipeline) =>
          pipeline.extend({ left: Math.floor(padX / 2), right: Math.ceil(padX / 2), top: Math.floor(padY / 2), bottom: Math.ceil(padY / 2), background: transparent }),
        );
  const left = Math.round((canvas.width - image.width) / 2);
  const top = Math.round((canvas.height - image.height) / 2);
  return transformRgba(canvas, (pipeline) => pipeline.extract({ left, top, width: image.width, height: image.height }));
}

/** One edit. Strength-to-parameter mappings are tuned so strength 1 is clearly visible but not extreme. */
export async function applyEditOperation(image: RgbaImage, operation: EditOperation): Promise<EditOutcome> {
  const strength = operation.strength;
  const done = (result: RgbaImage): EditOutcome => ({ image: result, warnings: [] });
  switch (operation.operation) {
    case 'grayscale':
      return done(await transformRgba(image, (pipeline) => pipeline.recomb(mix([lumaRow, lumaRow, lumaRow], clamp(strength, 0, 1)))));
    case 'sepia':
      return done(await transformRgba(image, (pipeline) => pipeline.recomb(mix(sepiaMatrix, clamp(strength, 0, 1)))));
    case 'invert':
      return done(await transformRgba(image, (pipeline) => pipeline.negate({ alpha: false })));
    case 'blur':
      // σ ≈ 6 at 1024 px, ≈ 1.3 at 64 px: visibly soft at any size.
      return done(await transformRgba(image, (pipeline) => pipeline.blur(Math.max(0.4, (1 + minEdge(image) / 200) * strength))));
    case 'sharpen':
      return done(await transformRgba(image, (pipeline) => pipeline.sharpen({ sigma: Math.max(0.5, (minEdge(image) / 1024) * 1.5 * strength), m2: 2 + strength })));
    case 'brighten':
      return done(await transformRgba(image, (pipeline) => pipeline.linear(1 + 0.12 * strength, 28 * strength)));
    case 'darken':
      return done(await transformRgba(image, (pipeline) => pipeline.linear(clamp(1 - 0.3 * strength, 0.1, 1), 0)));
    case 'contrast': {
      const slope = clamp(1 + 0.45 * strength, 0.25, 3);
      return done(await transformRgba(image, (pipeline) => pipeline.linear(slope, 128 * (1 - slope))));
    }
    case 'warm':
      return done(await transformRgba(image, (pipeline) => pipeline.recomb(diagonal(1 + 0.14 * strength, 1 + 0.03 * strength, clamp(1 - 0.16 * strength, 0, 1)))));
    case 'cool':
      return done(await transformRgba(image, (pipeline) => pipeline.recomb(diagonal(clamp(1 - 0.16 * strength, 0, 1), 1 + 0.02 * strength, 1 + 0.14 * strength))));
    case 'saturate':
      return done(await transformRgba(image, (pipeline) => pipeline.modulate({ saturation: 1 + 0.7 * strength })));
    case 'desaturate':
      return done(await transformRgba(image, (pipeline) => pipeline.modulate({ saturation: clamp(1 - 0.55 * strength, 0, 1) })));
    case 'pixelate':
      return done(await pixelate(image, minEdge(image) * 0.025 * strength));
    case 'mirror':
      return done(await transformRgba(image, (pipeline) => pipeline.flop()));
    case 'flip':
      return done(await transformRgba(image, (pipeline) => pipeline.flip()));
    case 'rotate':
      return done(await rotate(image, operation.degrees));
    case 'vignette':
      return done(await overlay(image, vignetteSvg(image, strength), 'atop'));
    case 'posterize':
      return done(await posterize(image, strength));
    case 'cinematic': {
      // Teal-and-orange: cool the shadows and warm the highlights, lift contrast, then darken the corners.
      const slope = clamp(1 + 0.3 * strength, 0.25, 3);
      const graded = await transformRgba(image, (pipeline) =>
        pipeline.linear([slope * 1.06, slope, slope * 0.94], [128 * (1 - slope) - 6 * strength, 128 * (1 - slope), 128 * (1 - slope) + 10 * strength]),
      );
      return done(await overlay(graded, vignetteSvg(graded, 0.7 * strength), 'atop'));
    }
    case 'enhance':
      return done(await transformRgba(image, (pipeline) => pipeline.normalise({ lower: 1, upper: 99 }).modulate({ saturation: 1 + 0.15 * strength })));
    case 'tint':
      return done(await transformRgba(image, (pipeline) => pipeline.recomb(mix(tintMatrix(operation.colour), clamp(0.6 * strength, 0, 1)))));
    case 'border':
      return done(await overlay(image, borderSvg(image, operation.colour, strength)));
    case 'text':
      return done(await overlay(image, textOverlaySvg(image.width, image.height, { text: operation.text, position: operation.position, colour: operation.colour, sizeScale: strength })));
    case 'background':
      return fillBackground(image, operation.colour, strength);
    case 'remove-background': {
      const keyed = keyOutBorder(image, 40 * clamp(strength, 0.5, 2));
      if (keyed) return done(keyed.image);
      return { image, warnings: [{ feature: 'remove-background', message: 'No uniform border colour was found, so the background was left as it is' }] };
    }
  }
}

/**
 * Variant i > 0 of an edit scales every strength (1.3×, 0.75×, 1.6×…) so `n` > 1 gives a spread of
 * deterministic alternatives instead of n identical images.
 */
export function variantStrengthFactor(variant: number): number {
  if (variant === 0) return 1;
  const step = Math.ceil(variant / 2) * 0.3;
  return variant % 2 === 1 ? 1 + step : 1 / (1 + step);
}

/** Orientation, text size and frames are not "stronger" in a variant; everything else is. */
const keepsStrengthAcrossVariants = new Set<EditOperation['operation']>(['rotate', 'text', 'mirror', 'flip', 'invert', 'border']);

/** A small deterministic colour grade that makes variant i > 0 differ even for exact edits such as mirror. */
export function applyVariantGrade(image: RgbaImage, variant: number): Promise<RgbaImage> {
  const direction = variant % 2 === 1 ? 1 : -1;
  const hue = direction * 14 * Math.ceil(variant / 2);
  const brightness = 1 + direction * 0.04;
  return transformRgba(image, (pipeline) => pipeline.modulate({ hue: ((hue % 360) + 360) % 360, brightness }));
}

/** Applies the edits in prompt order, checking for cancellation between steps. */
export async function applyEditOperations(
  image: RgbaImage,
  operations: readonly EditOperation[],
  options: { variant: number; signal: AbortSignal },
): Promise<EditOutcome> {
  const factor = variantStrengthFactor(options.variant);
  let current = image;
  const warnings: EngineWarning[] = [];
  for (const operation of operations) {
    throwIfCancelled(options.signal);
    const scaled = keepsStrengthAcrossVariants.has(operation.operation) ? operation : { ...operation, strength: operation.strength * factor };
    const outcome = await applyEditOperation(current, scaled);
    current = outcome.image;
    warnings.push(...outcome.warnings);
  }
  if (options.variant > 0) {
    throwIfCancelled(options.signal);
    current = await applyVariantGrade(current, options.variant);
  }
  return { image: current, warnings };
}
