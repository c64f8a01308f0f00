import type { TextPosition } from './edit-vocabulary.ts';
import { rgbToHex, type Rgb } from './rgba-image.ts';
import { fitTextBlock, textBlockHeight, textBlockToPath } from './text-to-svg-path.ts';

export type TextOverlay = { text: string; position: TextPosition; colour: Rgb | undefined; sizeScale: number };

const luminance = ({ red, green, blue }: Rgb) => (0.2126 * red + 0.7152 * green + 0.0722 * blue) / 255;

/**
 * An SVG the size of the image with the text as outlined paths in a band at the top, centre or bottom.
 * The outline (dark for light text, light for dark text) keeps it legible on any photo.
 */
export function textOverlaySvg(width: number, height: number, overlay: TextOverlay): Buffer {
  const margin = Math.round(Math.min(width, height) * 0.04);
  const bandHeight = Math.min(height - 2 * margin, Math.max(8, height * 0.3 * overlay.sizeScale));
  const maxFontSize = Math.max(6, Math.min(height * 0.15 * overlay.sizeScale, width * 0.22));
  const block = fitTextBlock(overlay.text, { width: width - 2 * margin, height: bandHeight }, { min: Math.max(6, height * 0.025), max: maxFontSize });
  const used = textBlockHeight(block);
  const top = overlay.position === 'top' ? margin : overlay.position === 'bottom' ? height - margin - used : (height - used) / 2;
  const path = textBlockToPath(block, { x: margin, y: top, width: width - 2 * margin, height: used });
  const fill = overlay.colour ?? { red: 255, green: 255, blue: 255 };
  const outline = luminance(fill) > 0.5 ? '#000000' : '#ffffff';
  const strokeWidth = Math.max(1, block.fontSize * 0.12).toFixed(2);
  return Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">` +
      `<path d="${path}" fill="${rgbToHex(fill)}" stroke="${outline}" stroke-opacity="0.85" stroke-width="${strokeWidth}" stroke-linejoin="round" paint-order="stroke"/>` +
      `</svg>`,
  );
}
