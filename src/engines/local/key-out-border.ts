import type { Rgb, RgbaImage } from './rgba-image.ts';

export type BorderColour = { colour: Rgb; coverage: number };

/** Share of opaque border pixels that must be close to one colour before we call it a backdrop. */
const minimumCoverage = 0.4;

const distanceSquared = (data: Uint8Array, offset: number, colour: Rgb): number => {
  const red = (data[offset] ?? 0) - colour.red;
  const green = (data[offset + 1] ?? 0) - colour.green;
  const blue = (data[offset + 2] ?? 0) - colour.blue;
  return red * red + green * green + blue * blue;
};

function borderOffsets(width: number, height: number): number[] {
  const offsets: number[] = [];
  for (let x = 0; x < width; x += 1) offsets.push(x * 4, ((height - 1) * width + x) * 4);
  for (let y = 1; y < height - 1; y += 1) offsets.push(y * width * 4, (y * width + width - 1) * 4);
  return offsets;
}

/**
 * The dominant colour along the image edge: border pixels are bucketed at 4 bits per channel and the
 * fullest bucket's mean wins, if enough of the border is near it. Product shots and flat backdrops pass;
 * busy photos do not, and are left alone rather than keyed at random.
 */
export function findBorderColour(image: RgbaImage, tolerance = 40): BorderColour | undefined {
  const { data, width, height } = image;
  const offsets = borderOffsets(width, height).filter((offset) => (data[offset + 3] ?? 0) >= 128);
  if (offsets.length === 0) return undefined;
  const counts = new Uint32Array(4096);
  const bucketOf = (offset: number) => (((data[offset] ?? 0) >> 4) << 8) | (((data[offset + 1] ?? 0) >> 4) << 4) | ((data[offset + 2] ?? 0) >> 4);
  for (const offset of offsets) {
    const key = bucketOf(offset);
    counts[key] = (counts[key] ?? 0) + 1;
  }
  let bucket = 0;
  for (let index = 1; index < counts.length; index += 1) if ((counts[index] ?? 0) > (counts[bucket] ?? 0)) bucket = index;
  const sum = { red: 0, green: 0, blue: 0, count: 0 };
  for (const offset of offsets) {
    if (bucketOf(offset) !== bucket) continue;
    sum.red += data[offset] ?? 0;
    sum.green += data[offset + 1] ?? 0;
    sum.blue += data[offset + 2] ?? 0;
    sum.count += 1;
  }
  const colour = { red: Math.round(sum.red / sum.count), green: Math.round(sum.green / sum.count), blue: Math.round(sum.blue / sum.count) };
  const limit = tolerance * tolerance;
  const near = offsets.filter((offset) => distanceSquared(data, offset, colour) <= limit).length;
  const coverage = near / offsets.length;
  return coverage >= minimumCoverage ? { colour, coverage } : undefined;
}

/**
 * Makes the backdrop transparent: flood fill (4-connected) from every border pixel within `tolerance` of
 * the border colour, so same-coloured areas inside the subject survive. Pixels just outside the region
 * but within twice the tolerance get partial alpha, which softens the cut edge.
 */
export function keyOutBorder(image: RgbaImage, tolerance = 40): { image: RgbaImage; keyedPixels: number; colour: Rgb } | undefined {
  const border = findBorderColour(image, tolerance);
  if (!border) return undefined;
  const { width, height } = image;
  const source = image.data;
  const data = Buffer.from(source);
  const limit = tolerance * tolerance;
  const softLimit = 4 * limit;
  // 0 = unvisited, 1 = keyed, 2 = soft edge
  const state = new Uint8Array(width * height);
  const stack = new Int32Array(width * height);
  let stackSize = 0;
  let keyedPixels = 0;

  const visit = (pixel: number) => {
    if (state[pixel] === 1) return;
    const offset = pixel * 4;
    const distance = distanceSquared(source, offset, border.colour);
    if (distance <= limit) {
      state[pixel] = 1;
      stack[stackSize] = pixel;
      stackSize += 1;
    } else if (distance < softLimit && state[pixel] === 0) {
      state[pixel] = 2;
      const fraction = (Math.sqrt(distance) - tolerance) / tolerance;
      data[offset + 3] = Math.round((source[offset + 3] ?? 0) * fraction);
    }
  };
  for (const offset of borderOffsets(width, height)) visit(offset / 4);
  while (stackSize > 0) {
    stackSize -= 1;
    const pixel = stack[stackSize] ?? 0;
    data[pixel * 4 + 3] = 0;
    keyedPixels += 1;
    const x = pixel % width;
    if (x > 0) visit(pixel - 1);
    if (x < width - 1) visit(pixel + 1);
    if (pixel >= width) visit(pixel - width);
    if (pixel < width * (height - 1)) visit(pixel + width);
  }
  return { image: { data, width, height, channels: 4 }, keyedPixels, colour: border.colour };
}
