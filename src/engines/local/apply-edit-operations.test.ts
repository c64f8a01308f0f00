import { describe, expect, it } from 'vitest';
import { applyEditOperation, applyEditOperations } from './apply-edit-operations.ts';
import type { AdjustmentName, EditOperation } from './edit-vocabulary.ts';
import { parseEditPrompt } from './parse-edit-prompt.ts';
import type { RgbaImage } from './rgba-image.ts';
import { channelMean, pixelAt, productShot, testPhoto } from './test-support.ts';

const photo = testPhoto(64, 48);
const signal = new AbortController().signal;

const edit = async (operation: EditOperation, image: RgbaImage = photo) => (await applyEditOperation(image, operation)).image;
const adjust = (operation: AdjustmentName, image?: RgbaImage, strength = 1) => edit({ operation, strength }, image);

function luminanceMean(image: RgbaImage): number {
  return 0.2126 * channelMean(image, 0) + 0.7152 * channelMean(image, 1) + 0.0722 * channelMean(image, 2);
}

/** Mean absolute difference between horizontal neighbours: high for detail, low for blur. */
function detail(image: RgbaImage): number {
  let sum = 0;
  for (let y = 0; y < image.height; y += 1) {
    for (let x = 1; x < image.width; x += 1) sum += Math.abs((pixelAt(image, x, y)[1] ?? 0) - (pixelAt(image, x - 1, y)[1] ?? 0));
  }
  return sum / (image.height * (image.width - 1));
}

function standardDeviation(image: RgbaImage, channel: number): number {
  const mean = channelMean(image, channel);
  let sum = 0;
  for (let offset = channel; offset < image.data.length; offset += 4) sum += ((image.data[offset] ?? 0) - mean) ** 2;
  return Math.sqrt(sum / (image.width * image.height));
}

function saturation(image: RgbaImage): number {
  let sum = 0;
  for (let offset = 0; offset < image.data.length; offset += 4) {
    const values = [image.data[offset] ?? 0, image.data[offset + 1] ?? 0, image.data[offset + 2] ?? 0];
    sum += Math.max(...values) - Math.min(...values);
  }
  return sum / (image.width * image.height);
}

const rowsEqual = (left: RgbaImage, right: RgbaImage, fromRow: number, toRow: number) =>
  left.data.subarray(fromRow * left.width * 4, toRow * left.width * 4).equals(right.data.subarray(fromRow * right.width * 4, toRow * right.width * 4));

describe('applyEditOperation', () => {
  it('grayscale makes R = G = B everywhere', async () => {
    const result = await adjust('grayscale');
    for (let offset = 0; offset < result.data.length; offset += 4) {
      expect(result.data[offset]).toBe(result.data[offset + 1]);
      expect(result.data[offset]).toBe(result.data[offset + 2]);
    }
  });

  it('sepia tones every pixel brown (R ≥ G ≥ B)', async () => {
    const result = await adjust('sepia');
    const [red = 0, green = 0, blue = 0] = pixelAt(result, 10, 10);
    expect(red).toBeGreaterThanOrEqual(green);
    expect(green).toBeGreaterThanOrEqual(blue);
  });

  it('invert gives exactly 255 − v and keeps alpha', async () => {
    const result = await adjust('invert');
    const before = pixelAt(photo, 7, 9);
    expect(pixelAt(result, 7, 9)).toEqual([255 - (before[0] ?? 0), 255 - (before[1] ?? 0), 255 - (before[2] ?? 0), 255]);
  });

  it('blur removes detail and sharpen adds it', async () => {
    expect(detail(await adjust('blur'))).toBeLessThan(detail(photo) * 0.6);
    expect(detail(await adjust('sharpen'))).toBeGreaterThan(detail(photo) * 1.1);
  });

  it('brighten and darken move the mean luminance, more with strength', async () => {
    const base = luminanceMean(photo);
    const bright = luminanceMean(await adjust('brighten'));
    expect(bright).toBeGreaterThan(base + 10);
    expect(luminanceMean(await adjust('brighten', photo, 0.5))).toBeLessThan(bright);
    expect(luminanceMean(await adjust('darken'))).toBeLessThan(base - 10);
  });

  it('contrast spreads values apart; negative strength pulls them together', async () => {
    const spread = standardDeviation(photo, 1);
    expect(standardDeviation(await adjust('contrast'), 1)).toBeGreaterThan(spread * 1.2);
    expect(standardDeviation(await adjust('contrast', photo, -1), 1)).toBeLessThan(spread * 0.8);
  });

  it('warm shifts towards red, cool towards blue', async () => {
    const balance = (image: RgbaImage) => channelMean(image, 0) - channelMean(image, 2);
    expect(balance(await adjust('warm'))).toBeGreaterThan(balance(photo) + 10);
    expect(balance(await adjust('cool'))).toBeLessThan(balance(photo) - 10);
  });

  it('saturate and desaturate change colourfulness', async () => {
    expect(saturation(await adjust('saturate'))).toBeGreaterThan(saturation(photo) * 1.15);
    expect(saturation(await adjust('desaturate'))).toBeLessThan(saturation(photo) * 0.7);
  });

  it('pixelate makes blocks of identical pixels', async () => {
    const result = await adjust('pixelate', testPhoto(256, 256), 1);
    // Blocks are 2.5% of the short edge: 6 px here, so at most ⌈256 / 6⌉² colours remain of 65,536.
    expect(pixelAt(result, 0, 0)).toEqual(pixelAt(result, 4, 4));
    const distinct = new Set<number>();
    for (let offset = 0; offset < result.data.length; offset += 4) distinct.add(result.data.readUInt32BE(offset));
    expect(distinct.size).toBeLessThanOrEqual(43 * 43);
  });

  it('mirror swaps left and right; flip swaps top and bottom', async () => {
    const mirrored = await adjust('mirror');
    const flipped = await adjust('flip');
    expect(pixelAt(mirrored, 0, 5)).toEqual(pixelAt(photo, 63, 5));
    expect(pixelAt(mirrored, 63, 20)).toEqual(pixelAt(photo, 0, 20));
    expect(pixelAt(flipped, 5, 0)).toEqual(pixelAt(photo, 5, 47));
  });

  it('rotate 90 swaps the dimensions and turns clockwise', async () => {
    const rotated = await edit({ operation: 'rotate', strength: 1, degrees: 90 });
    expect([rotated.width, rotated.height]).toEqual([48, 64]);
    // Clockwise: the original's bottom-left corner becomes the top-left.
    expect(pixelAt(rotated, 0, 0)).toEqual(pixelAt(photo, 0, 47));
    const tilted = await edit({ operation: 'rotate', strength: 1, degrees: 45 });
    expect([tilted.width, tilted.height]).toEqual([64, 48]);
    expect(pixelAt(tilted, 0, 0)[3]).toBe(0);
    // A long thin image's rotated bounding box is narrower than the image itself.
    const sliver = await edit({ operation: 'rotate', strength: 1, degrees: 45 }, testPhoto(17, 5));
    expect([sliver.width, sliver.height]).toEqual([17, 5]);
  });

  it('text overlay changes only the band it was asked for', async () => {
    const canvas = testPhoto(200, 120);
    const top = await edit({ operation: 'text', strength: 1, text: 'Hello', position: 'top', colour: undefined }, canvas);
    const bottom = await edit({ operation: 'text', strength: 1, text: 'Hello', position: 'bottom', colour: { red: 255, green: 0, blue: 0 } }, canvas);
    expect(rowsEqual(top, canvas, 0, 40)).toBe(false);
    expect(rowsEqual(top, canvas, 60, 120)).toBe(true);
    expect(rowsEqual(bottom, canvas, 0, 60)).toBe(true);
    expect(rowsEqual(bottom, canvas, 80, 120)).toBe(false);
    // Red text: somewhere in the band a strongly red pixel appears.
    let reddest = 0;
    for (let offset = 80 * 200 * 4; offset < bottom.data.length; offset += 4) reddest = Math.max(reddest, (bottom.data[offset] ?? 0) - (bottom.data[offset + 1] ?? 0));
    expect(reddest).toBeGreaterThan(200);
  });

  it('background fills transparent areas, or else the uniform border colour, and keeps the subject', async () => {
    const transparent = productShot(40, 40, [0, 0, 0], [200, 30, 30]);
    for (let offset = 0; offset < transparent.data.length; offset += 4) if (transparent.data[offset] === 0) transparent.data[offset + 3] = 0;
    const filled = await edit({ operation: 'background', strength: 1, colour: { red: 0, green: 0, blue: 255 } }, transparent);
    expect(pixelAt(filled, 0, 0)).toEqual([0, 0, 255, 255]);
    expect(pixelAt(filled, 20, 20)).toEqual([200, 30, 30, 255]);

    const opaque = productShot(40, 40, [250, 250, 250], [30, 120, 30]);
    const refilled = await edit({ operation: 'background', strength: 1, colour: { red: 255, green: 216, blue: 0 } }, opaque);
    expect(pixelAt(refilled, 1, 1)).toEqual([255, 216, 0, 255]);
    expect(pixelAt(refilled, 20, 20)).toEqual([30, 120, 30, 255]);
  });

  it('remove-background keys out the border colour only', async () => {
    const shot = productShot(40, 40, [20, 200, 20], [200, 30, 200]);
    const cut = await adjust('remove-background', shot);
    expect(pixelAt(cut, 0, 0)[3]).toBe(0);
    expect(pixelAt(cut, 39, 39)[3]).toBe(0);
    expect(pixelAt(cut, 20, 20)).toEqual([200, 30, 200, 255]);
    const busy = await applyEditOperation(photo, { operation: 'remove-background', strength: 1 });
    expect(busy.warnings[0]?.feature).toBe('remove-background');
  });

  it('vignette darkens the corners much more than the centre', async () => {
    const flat = productShot(80, 80, [180, 180, 180], [180, 180, 180]);
    const result = await adjust('vignette', flat);
    expect(pixelAt(result, 0, 0)[0]).toBeLessThan(120);
    expect(pixelAt(result, 40, 40)[0]).toBeGreaterThan(170);
  });

  it('posterize leaves only a few levels per channel', async () => {
    const result = await adjust('posterize');
    const levels = new Set<number>();
    for (let offset = 0; offset < result.data.length; offset += 4) levels.add(result.data[offset] ?? 0);
    expect(levels.size).toBeLessThanOrEqual(4);
  });

  it('border paints the edge in the colour and leaves the middle alone', async () => {
    const result = await edit({ operation: 'border', strength: 1, colour: { red: 255, green: 0, blue: 0 } });
    expect(pixelAt(result, 0, 0)).toEqual([255, 0, 0, 255]);
    expect(pixelAt(result, 63, 30)).toEqual([255, 0, 0, 255]);
    expect(pixelAt(result, 32, 24)).toEqual(pixelAt(photo, 32, 24));
  });

  it('tint pulls colours towards the named colour', async () => {
    const result = await edit({ operation: 'tint', strength: 1, colour: { red: 255, green: 0, blue: 0 } });
    const redness = (image: RgbaImage) => channelMean(image, 0) - (channelMean(image, 1) + channelMean(image, 2)) / 2;
    expect(redness(result)).toBeGreaterThan(redness(photo) + 20);
  });

  it('enhance stretches a flat image to the full range', async () => {
    const dull = testPhoto(64, 48);
    for (let offset = 0; offset < dull.data.length; offset += 4) for (let channel = 0; channel < 3; channel += 1) dull.data[offset + channel] = 100 + ((dull.data[offset + channel] ?? 0) >> 3);
    const result = await adjust('enhance', dull);
    expect(standardDeviation(result, 1)).toBeGreaterThan(standardDeviation(dull, 1) * 2);
  });
});

describe('applyEditOperations', () => {
  it('applies edits in prompt order', async () => {
    // Rotating then mirroring is not the same as mirroring then rotating.
    const first = await applyEditOperations(photo, parseEditPrompt('rotate 90, then mirror').operations, { variant: 0, signal });
    const second = await applyEditOperations(photo, parseEditPrompt('mirror, then rotate 90').operations, { variant: 0, signal });
    expect(first.image.data.equals(second.image.data)).toBe(false);
    expect(pixelAt(first.image, 0, 0)).toEqual(pixelAt(photo, 0, 0));
    expect(pixelAt(second.image, 0, 0)).toEqual(pixelAt(photo, 63, 47));
  });

  it('makes variants differ deterministically, even for exact edits', async () => {
    const operations = parseEditPrompt('mirror').operations;
    const [zero, one, again, two] = await Promise.all([0, 1, 1, 2].map((variant) => applyEditOperations(photo, operations, { variant, signal })));
    expect(zero?.image.data.equals(one?.image.data ?? Buffer.alloc(0))).toBe(false);
    expect(one?.image.data.equals(again?.image.data ?? Buffer.alloc(0))).toBe(true);
    expect(one?.image.data.equals(two?.image.data ?? Buffer.alloc(0))).toBe(false);
  });

  it('stops when the signal is aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(applyEditOperations(photo, parseEditPrompt('blur').operations, { variant: 0, signal: controller.signal })).rejects.toMatchObject({ code: 'cancelled' });
  });
});
