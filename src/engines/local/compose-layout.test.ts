import { describe, expect, it } from 'vitest';
import { composeLayout } from './compose-layout.ts';
import { localSizeLimits } from './local-size-limits.ts';
import { solidRgba } from './rgba-image.ts';
import { pixelAt } from './test-support.ts';

const red = solidRgba(100, 50, { red: 255, green: 0, blue: 0 });
const green = solidRgba(40, 40, { red: 0, green: 255, blue: 0 });
const blue = solidRgba(60, 120, { red: 0, green: 0, blue: 255 });

describe('composeLayout', () => {
  it('side by side matches heights to the first image', async () => {
    const { image } = await composeLayout([red, green, blue], 'side-by-side', localSizeLimits);
    expect([image.width, image.height]).toEqual([100 + 50 + 25, 50]);
    expect(pixelAt(image, 99, 25)).toEqual([255, 0, 0, 255]);
    expect(pixelAt(image, 101, 25)).toEqual([0, 255, 0, 255]);
    expect(pixelAt(image, 174, 25)).toEqual([0, 0, 255, 255]);
  });

  it('stack matches widths to the first image', async () => {
    const { image } = await composeLayout([red, green], 'stack', localSizeLimits);
    expect([image.width, image.height]).toEqual([100, 150]);
    expect(pixelAt(image, 50, 49)).toEqual([255, 0, 0, 255]);
    expect(pixelAt(image, 50, 51)).toEqual([0, 255, 0, 255]);
  });

  it('grid is near-square with cells the size of the first image', async () => {
    const { image } = await composeLayout([red, green, blue], 'grid', localSizeLimits);
    expect([image.width, image.height]).toEqual([200, 100]);
    expect(pixelAt(image, 150, 25)).toEqual([0, 255, 0, 255]);
    expect(pixelAt(image, 50, 75)).toEqual([0, 0, 255, 255]);
    // The fourth cell is empty.
    expect(pixelAt(image, 150, 75)[3]).toBe(0);
  });

  it('inset keeps the first image size and puts the second bottom-right', async () => {
    const { image, warnings } = await composeLayout([red, green, blue], 'inset', localSizeLimits);
    expect([image.width, image.height]).toEqual([100, 50]);
    expect(pixelAt(image, 5, 5)).toEqual([255, 0, 0, 255]);
    expect(pixelAt(image, 90, 42)).toEqual([0, 255, 0, 255]);
    expect(warnings).toHaveLength(1);
  });

  it('scales a layout down to the engine limits', async () => {
    const wide = solidRgba(3000, 100, { red: 1, green: 2, blue: 3 });
    const { image } = await composeLayout([wide, wide], 'side-by-side', localSizeLimits);
    expect(image.width).toBeLessThanOrEqual(localSizeLimits.maxEdge);
    expect(image.width).toBeGreaterThan(4000);
  });
});
