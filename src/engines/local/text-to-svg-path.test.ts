import { describe, expect, it } from 'vitest';
import { fitTextBlock, measureText, textBlockToPath, wrapText } from './text-to-svg-path.ts';

describe('text to SVG paths', () => {
  it('measures with the bundled font, proportional to the size', () => {
    const small = measureText('Hello world', 10);
    expect(small).toBeGreaterThan(40);
    expect(measureText('Hello world', 20)).toBeCloseTo(small * 2, 5);
    expect(measureText('WWW', 10)).toBeGreaterThan(measureText('iii', 10));
  });

  it('wraps on words and breaks words longer than a line', () => {
    const lines = wrapText('the quick brown fox jumps over the lazy dog', 20, 150);
    expect(lines.length).toBeGreaterThan(2);
    for (const line of lines) expect(measureText(line, 20)).toBeLessThanOrEqual(150);
    expect(lines.join(' ')).toBe('the quick brown fox jumps over the lazy dog');
    const broken = wrapText('supercalifragilisticexpialidocious', 20, 100);
    expect(broken.length).toBeGreaterThan(1);
    expect(broken.join('')).toBe('supercalifragilisticexpialidocious');
  });

  it('picks the largest size that fits, and truncates with an ellipsis when nothing fits', () => {
    const short = fitTextBlock('Hi', { width: 400, height: 300 }, { min: 8, max: 120 });
    expect(short.fontSize).toBe(120);
    const long = fitTextBlock('word '.repeat(2000), { width: 200, height: 100 }, { min: 10, max: 40 });
    expect(long.fontSize).toBe(10);
    expect(long.lines.at(-1)?.endsWith('…')).toBe(true);
    expect(long.lines.length).toBeLessThanOrEqual(8);
  });

  it('produces path data, not <text>, so rendering never depends on system fonts', () => {
    const block = fitTextBlock('Darkroom', { width: 300, height: 100 }, { min: 8, max: 60 });
    const path = textBlockToPath(block, { x: 0, y: 0, width: 300, height: 100 });
    expect(path).toMatch(/^M[\d.-]+ [\d.-]+/);
    expect(path).not.toContain('<');
  });
});
