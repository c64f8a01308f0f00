import { createHash } from 'node:crypto';
import sharp from 'sharp';
import type { ImageSize } from '../../domain/image-request.ts';
import { pipelineToRgba, rgbToHex, type Rgb, type RgbaImage } from './rgba-image.ts';
import { fitTextBlock, textBlockHeight, textBlockToPath } from './text-to-svg-path.ts';

export type TypesetOptions = { size: ImageSize; seed: number | undefined; variant: number; transparent: boolean };

/** mulberry32: tiny, fast and good enough to place shapes; seeded from a hash so outputs are reproducible. */
function randomSource(prompt: string, seed: number | undefined, variant: number): () => number {
  const digest = createHash('sha256').update(`${prompt}\u0000${seed ?? 'none'}\u0000${variant}`).digest();
  let state = digest.readUInt32LE(0);
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let value = Math.imul(state ^ (state >>> 15), 1 | state);
    value = (value + Math.imul(value ^ (value >>> 7), 61 | value)) ^ value;
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}

function hsl(hue: number, saturation: number, lightness: number): Rgb {
  const h = (((hue % 360) + 360) % 360) / 60;
  const chroma = (1 - Math.abs(2 * lightness - 1)) * saturation;
  const second = chroma * (1 - Math.abs((h % 2) - 1));
  const [red, green, blue] =
    h < 1 ? [chroma, second, 0] : h < 2 ? [second, chroma, 0] : h < 3 ? [0, chroma, second] : h < 4 ? [0, second, chroma] : h < 5 ? [second, 0, chroma] : [chroma, 0, second];
  const base = lightness - chroma / 2;
  return { red: (red + base) * 255, green: (green + base) * 255, blue: (blue + base) * 255 };
}

function shapesSvg(random: () => number, size: ImageSize, baseHue: number): string {
  const shortEdge = Math.min(size.width, size.height);
  const count = 4 + Math.floor(random() * 4);
  const shapes: string[] = [];
  for (let index = 0; index < count; index += 1) {
    const colour = rgbToHex(hsl(baseHue + 120 + random() * 120, 0.55 + random() * 0.35, 0.45 + random() * 0.25));
    const opacity = (0.25 + random() * 0.3).toFixed(3);
    const x = random() * size.width;
    const y = random() * size.height;
    const radius = shortEdge * (0.08 + random() * 0.22);
    const kind = Math.floor(random() * 3);
    if (kind === 0) shapes.push(`<circle cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" r="${radius.toFixed(1)}" fill="${colour}" fill-opacity="${opacity}"/>`);
    else if (kind === 1) {
      const angle = (random() * 90).toFixed(1);
      shapes.push(
        `<rect x="${(x - radius).toFixed(1)}" y="${(y - radius * 0.6).toFixed(1)}" width="${(radius * 2).toFixed(1)}" height="${(radius * 1.2).toFixed(1)}" ` +
          `rx="${(radius * 0.15).toFixed(1)}" fill="${colour}" fill-opacity="${opacity}" transform="rotate(${angle} ${x.toFixed(1)} ${y.toFixed(1)})"/>`,
      );
    } else {
      const start = random() * Math.PI * 2;
      const points = [0, 1, 2].map((corner) => {
        const angle = start + (corner * Math.PI * 2) / 3;
        return `${(x + Math.cos(angle) * radius).toFixed(1)},${(y + Math.sin(angle) * radius).toFixed(1)}`;
      });
      shapes.push(`<polygon points="${points.join(' ')}" fill="${colour}" fill-opacity="${opacity}"/>`);
    }
  }
  return shapes.join('');
}

/**
 * The SVG of a typeset composition: a gradient and a few translucent shapes in a palette derived from
 * (prompt, seed, variant), with the prompt word-wrapped on a translucent panel, as large as fits.
 * With `transparent` the gradient and panel are left out and only shapes and outlined text remain.
 */
export function typesetPromptSvg(prompt: string, options: TypesetOptions): string {
  const { size } = options;
  const random = randomSource(prompt, options.seed, options.variant);
  const baseHue = random() * 360;
  const light = random() < 0.3;
  const from = hsl(baseHue, 0.55 + random() * 0.2, light ? 0.82 + random() * 0.08 : 0.16 + random() * 0.12);
  const to = hsl(baseHue + 30 + random() * 50, 0.6 + random() * 0.2, light ? 0.66 + random() * 0.1 : 0.36 + random() * 0.16);
  const angle = random() * Math.PI * 2;
  const [x1, y1, x2, y2] = [0.5 - Math.cos(angle) / 2, 0.5 - Math.sin(angle) / 2, 0.5 + Math.cos(angle) / 2, 0.5 + Math.sin(angle) / 2].map((value) => value.toFixed(3));

  const shortEdge = Math.min(size.width, size.height);
  const box = { width: size.width * 0.8, height: size.height * 0.7 };
  const block = fitTextBlock(prompt, box, { min: Math.max(6, shortEdge * 0.03), max: Math.max(6, Math.min(size.height * 0.16, size.width * 0.14)) });
  const textHeight = textBlockHeight(block);
  const textBox = { x: size.width * 0.1, y: (size.height - textHeight) / 2, width: box.width, height: textHeight };
  const padding = block.fontSize * 0.6;
  const textColour = light ? '#111111' : '#ffffff';
  const outlineColour = light ? '#ffffff' : '#000000';

  const parts = [`<svg xmlns="http://www.w3.org/2000/svg" width="${size.width}" height="${size.height}" viewBox="0 0 ${size.width} ${size.height}">`];
  if (!options.transparent) {
    parts.push(
      `<defs><linearGradient id="g" x1="${x1}" y1="${y1}" x2="${x2}" y2="${y2}"><stop offset="0" stop-color="${rgbToHex(from)}"/><stop offset="1" stop-color="${rgbToHex(to)}"/></linearGradient></defs>`,
      `<rect width="100%" height="100%" fill="url(#g)"/>`,
    );
  }
  parts.push(shapesSvg(random, size, baseHue));
  if (!options.transparent && block.lines.length > 0) {
    parts.push(
      `<rect x="${(textBox.x - padding).toFixed(1)}" y="${(textBox.y - padding).toFixed(1)}" width="${(textBox.width + 2 * padding).toFixed(1)}" ` +
        `height="${(textHeight + 2 * padding).toFixed(1)}" rx="${padding.toFixed(1)}" fill="${outlineColour}" fill-opacity="0.4"/>`,
    );
  }
  if (block.lines.length > 0) {
    parts.push(
      `<path d="${textBlockToPath(block, textBox)}" fill="${textColour}" stroke="${outlineColour}" stroke-opacity="0.8" ` +
        `stroke-width="${Math.max(1, block.fontSize * 0.08).toFixed(2)}" stroke-linejoin="round" paint-order="stroke"/>`,
    );
  }
  parts.push('</svg>');
  return parts.join('');
}

export async function typesetPrompt(prompt: string, options: TypesetOptions): Promise<RgbaImage> {
  const svg = Buffer.from(typesetPromptSvg(prompt, options));
  return pipelineToRgba(sharp(svg, { density: 72 }).resize(options.size.width, options.size.height, { fit: 'fill' }));
}
