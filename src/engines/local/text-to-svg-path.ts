import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import opentype from 'opentype.js';

/**
 * Text is drawn as SVG outlines from a bundled DejaVu font, never with `<text>`: rasterising `<text>`
 * would depend on whatever fonts the host has, and outputs must be identical on every machine.
 */
let loadedFont: opentype.Font | undefined;

export function loadFont(): opentype.Font {
  if (loadedFont) return loadedFont;
  const path = createRequire(import.meta.url).resolve('dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf');
  const bytes = readFileSync(path);
  loadedFont = opentype.parse(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  return loadedFont;
}

export type TextBlock = { lines: string[]; fontSize: number; lineHeight: number };
export type Box = { x: number; y: number; width: number; height: number };

const ellipsis = '…';
const lineSpacing = 1.22;

// Glyphs are laid out one by one: opentype.js's own shaping (stringToGlyphs) throws on DejaVu's ccmp table.
function glyphsOf(font: opentype.Font, text: string): opentype.Glyph[] {
  return [...text].map((character) => font.charToGlyph(character));
}

const widthCache = new Map<string, number>();

/** Advance width of a run of text in font units, kerning included; memoised because wrapping re-measures words. */
function unitWidth(font: opentype.Font, text: string): number {
  const cached = widthCache.get(text);
  if (cached !== undefined) return cached;
  const glyphs = glyphsOf(font, text);
  let width = 0;
  glyphs.forEach((glyph, index) => {
    width += glyph.advanceWidth ?? 0;
    const next = glyphs[index + 1];
    if (next) width += font.getKerningValue(glyph, next);
  });
  if (widthCache.size > 20_000) widthCache.clear();
  widthCache.set(text, width);
  return width;
}

export function measureText(text: string, fontSize: number): number {
  const font = loadFont();
  return (unitWidth(font, text) * fontSize) / font.unitsPerEm;
}

/** Greedy word wrap in font units; a word wider than the line is broken between characters. */
export function wrapText(text: string, fontSize: number, maxWidth: number): string[] {
  const font = loadFont();
  const maxUnits = (maxWidth * font.unitsPerEm) / fontSize;
  const spaceUnits = unitWidth(font, ' ');
  const lines: string[] = [];
  let current = '';
  let currentUnits = 0;
  for (const word of text.split(/\s+/)) {
    if (word === '') continue;
    const wordUnits = unitWidth(font, word);
    if (current !== '' && currentUnits + spaceUnits + wordUnits <= maxUnits) {
      current += ` ${word}`;
      currentUnits += spaceUnits + wordUnits;
      continue;
    }
    if (current !== '') lines.push(current);
    current = '';
    currentUnits = 0;
    if (wordUnits <= maxUnits) {
      current = word;
      currentUnits = wordUnits;
      continue;
    }
    for (const character of word) {
      const characterUnits = unitWidth(font, character);
      if (current !== '' && currentUnits + characterUnits > maxUnits) {
        lines.push(current);
        current = '';
        currentUnits = 0;
      }
      current += character;
      currentUnits += characterUnits;
    }
  }
  if (current !== '') lines.push(current);
  return lines;
}

function blockHeight(lineCount: number, fontSize: number): number {
  const font = loadFont();
  const glyphHeight = ((font.ascender - font.descender) * fontSize) / font.unitsPerEm;
  return lineCount === 0 ? 0 : glyphHeight + (lineCount - 1) * fontSize * lineSpacing;
}

function ellipsize(line: string, fontSize: number, maxWidth: number): string {
  let text = line.trimEnd();
  while (text.length > 0 && measureText(text + ellipsis, fontSize) > maxWidth) {
    const lastSpace = text.lastIndexOf(' ');
    text = (lastSpace > 0 && text.length - lastSpace < 12 ? text.slice(0, lastSpace) : [...text].slice(0, -1).join('')).trimEnd();
  }
  return text + ellipsis;
}

/**
 * The largest font size (between the bounds) at which the wrapped text fits the box. When even the
 * minimum size overflows, the text is cut after the last line that fits and ends with an ellipsis.
 */
export function fitTextBlock(text: string, box: { width: number; height: number }, sizes: { min: number; max: number }): TextBlock {
  // Beyond a few thousand characters nothing more could be legible; the ellipsis says so.
  const normalised = [...text.replace(/\s+/g, ' ').trim()].slice(0, 4000).join('');
  const fits = (fontSize: number) => {
    const lines = wrapText(normalised, fontSize, box.width);
    return blockHeight(lines.length, fontSize) <= box.height ? lines : undefined;
  };
  let low = Math.max(1, Math.floor(sizes.min));
  let high = Math.max(low, Math.floor(sizes.max));
  if (fits(low)) {
    while (low < high) {
      const middle = Math.ceil((low + high) / 2);
      if (fits(middle)) low = middle;
      else high = middle - 1;
    }
    return { lines: fits(low) ?? [], fontSize: low, lineHeight: low * lineSpacing };
  }
  const fontSize = low;
  const allLines = wrapText(normalised, fontSize, box.width);
  let lineCount = 1;
  while (lineCount < allLines.length && blockHeight(lineCount + 1, fontSize) <= box.height) lineCount += 1;
  const lines = allLines.slice(0, lineCount);
  const rest = allLines.slice(lineCount - 1).join(' ');
  lines[lineCount - 1] = ellipsize(rest, fontSize, box.width);
  return { lines, fontSize, lineHeight: fontSize * lineSpacing };
}

/** SVG path data for a block, each line centred horizontally, the block centred vertically in the box. */
export function textBlockToPath(block: TextBlock, box: Box): string {
  const font = loadFont();
  const scale = block.fontSize / font.unitsPerEm;
  const top = box.y + (box.height - blockHeight(block.lines.length, block.fontSize)) / 2;
  const parts: string[] = [];
  block.lines.forEach((line, lineIndex) => {
    let x = box.x + (box.width - measureText(line, block.fontSize)) / 2;
    const baseline = top + font.ascender * scale + lineIndex * block.lineHeight;
    const glyphs = glyphsOf(font, line);
    glyphs.forEach((glyph, index) => {
      parts.push(glyph.getPath(x, baseline, block.fontSize).toPathData(2));
      x += (glyph.advanceWidth ?? 0) * scale;
      const next = glyphs[index + 1];
      if (next) x += font.getKerningValue(glyph, next) * scale;
    });
  });
  return parts.join('');
}

/** The rendered height of a block, for placing it against an edge. */
export const textBlockHeight = (block: TextBlock): number => blockHeight(block.lines.length, block.fontSize);
