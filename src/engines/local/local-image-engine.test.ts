import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../domain/gateway-error.ts';
import { LocalImageEngine } from './local-image-engine.ts';
import type { RgbaImage } from './rgba-image.ts';
import { decodeRgba, engineImage, engineRequest, pixelAt, productShot, recordingContext, testPhoto } from './test-support.ts';

const engine = new LocalImageEngine();
const photo = testPhoto(96, 64, 7);

async function failure(promise: Promise<unknown>): Promise<GatewayError> {
  const error: unknown = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  if (!(error instanceof GatewayError)) throw new Error(`expected a GatewayError, got ${String(error)}`);
  return error;
}

/** White (edit) rectangle x 20–59, y 10–39 on black. */
async function rectangleMask(width: number, height: number): Promise<Awaited<ReturnType<typeof engineImage>>> {
  const data = Buffer.alloc(width * height * 4);
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) data.set(x >= 20 && x < 60 && y >= 10 && y < 40 ? [255, 255, 255, 255] : [0, 0, 0, 255], (y * width + x) * 4);
  }
  return engineImage({ data, width, height, channels: 4 });
}

const insideRectangle = (x: number, y: number) => x >= 20 && x < 60 && y >= 10 && y < 40;

function standardDeviation(image: RgbaImage, region: { x: number; y: number; width: number; height: number }): number {
  const values: number[] = [];
  for (let y = region.y; y < region.y + region.height; y += 1) for (let x = region.x; x < region.x + region.width; x += 1) values.push(pixelAt(image, x, y)[1] ?? 0);
  const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
  return Math.sqrt(values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / values.length);
}

describe('LocalImageEngine', () => {
  it('declares its identity, limits and capabilities', () => {
    expect(engine.engineId).toBe('local');
    expect(engine.sizeLimits).toEqual({ edgeMultiple: 1, minEdge: 16, maxEdge: 4096, maxAspectRatio: 8, minPixels: 256, maxPixels: 16_777_216 });
    expect(engine.capabilities).toEqual({ generate: true, edit: true, mask: true, maxInputImages: 16, partialImages: true, transparentBackground: true });
  });

  describe('edits', () => {
    it('edits the first input at its own size by default', async () => {
      const result = await engine.run(engineRequest({ prompt: 'make it black and white' }, [await engineImage(photo)]), recordingContext());
      expect(result.images).toHaveLength(1);
      const [image] = result.images;
      expect(image).toMatchObject({ mediaType: 'image/png', width: 96, height: 64 });
      const decoded = await decodeRgba(image?.data ?? new Uint8Array());
      expect(pixelAt(decoded, 10, 10).slice(0, 3)).toEqual(Array(3).fill(pixelAt(decoded, 10, 10)[0]));
      expect(result.warnings).toEqual([]);
    });

    it('cover-resizes to an explicit size and honours format and quality', async () => {
      const result = await engine.run(
        engineRequest({ prompt: 'sepia', size: { width: 40, height: 40 }, outputFormat: 'jpeg', quality: 'low' }, [await engineImage(photo)]),
        recordingContext(),
      );
      expect(result.images[0]).toMatchObject({ mediaType: 'image/jpeg', width: 40, height: 40 });
      expect((await sharp(result.images[0]?.data).metadata()).format).toBe('jpeg');
    });

    it('crops to a requested aspect ratio when the size is auto', async () => {
      const result = await engine.run(engineRequest({ prompt: 'invert', aspectRatio: '1:1' }, [await engineImage(photo)]), recordingContext());
      expect(result.images[0]).toMatchObject({ width: 64, height: 64 });
    });

    it('explains what it understands when no edit is recognised', async () => {
      const error = await failure(engine.run(engineRequest({ prompt: 'a dragon made of clouds' }, [await engineImage(photo)]), recordingContext()));
      expect(error.code).toBe('unsupported_operation');
      expect(error.message).toContain('did not recognise any edit');
      for (const operation of ['grayscale', 'sepia', 'invert', 'blur', 'rotate', 'text', 'side-by-side']) expect(error.message).toContain(operation);
      expect(error.message).toContain('set OPENAI_API_KEY (or FAL_KEY / WAVESPEED_API_KEY) to route gpt-image-2 to a generative upstream');
    });

    for (const format of ['png', 'webp'] as const) {
      it(`changes only the masked area, bit-exactly elsewhere (${format})`, async () => {
        const result = await engine.run(
          engineRequest({ prompt: 'invert', outputFormat: format }, [await engineImage(photo)], await rectangleMask(96, 64)),
          recordingContext(),
        );
        const output = await decodeRgba(result.images[0]?.data ?? new Uint8Array());
        expect([output.width, output.height]).toEqual([96, 64]);
        let changedInside = 0;
        for (let y = 0; y < 64; y += 1) {
          for (let x = 0; x < 96; x += 1) {
            const before = pixelAt(photo, x, y);
            const after = pixelAt(output, x, y);
            if (insideRectangle(x, y)) {
              if (after.join() !== before.join()) changedInside += 1;
            } else expect(after, `pixel ${x},${y}`).toEqual(before);
          }
        }
        expect(changedInside).toBe(40 * 30);
      });
    }

    it('refuses a mask that cannot line up', async () => {
      const otherSize = await failure(engine.run(engineRequest({ prompt: 'invert' }, [await engineImage(photo)], await rectangleMask(80, 64)), recordingContext()));
      expect(otherSize).toMatchObject({ code: 'invalid_request', field: 'mask' });
      expect(otherSize.message).toContain('80x64');
      expect(otherSize.message).toContain('96x64');

      const layout = await failure(
        engine.run(engineRequest({ prompt: 'side by side' }, [await engineImage(photo), await engineImage(photo)], await rectangleMask(96, 64)), recordingContext()),
      );
      expect(layout).toMatchObject({ code: 'invalid_request', field: 'mask' });
      expect(layout.message).toContain('layout');

      const rotated = await failure(engine.run(engineRequest({ prompt: 'rotate 90' }, [await engineImage(photo)], await rectangleMask(96, 64)), recordingContext()));
      expect(rotated).toMatchObject({ code: 'invalid_request', field: 'mask' });
    });

    it('rejects undecodable inputs as a client error naming the image', async () => {
      const broken = { data: new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]), mediaType: 'image/png', width: 8, height: 8 };
      const error = await failure(engine.run(engineRequest({ prompt: 'blur' }, [broken]), recordingContext()));
      expect(error).toMatchObject({ code: 'invalid_request', field: 'input_image.0' });
    });

    it('lays out several inputs, and otherwise uses the first with a warning', async () => {
      const inputs = [await engineImage(photo), await engineImage(testPhoto(48, 64, 3)), await engineImage(testPhoto(50, 50, 4))];
      const sideBySide = await engine.run(engineRequest({ prompt: 'side by side' }, inputs.slice(0, 2)), recordingContext());
      expect(sideBySide.images[0]).toMatchObject({ width: 144, height: 64 });
      const stacked = await engine.run(engineRequest({ prompt: 'stack them vertically, then grayscale' }, inputs.slice(0, 2)), recordingContext());
      expect(stacked.images[0]).toMatchObject({ width: 96, height: 64 + 128 });
      const grid = await engine.run(engineRequest({ prompt: 'collage' }, inputs), recordingContext());
      expect(grid.images[0]).toMatchObject({ width: 192, height: 128 });
      const inset = await engine.run(engineRequest({ prompt: 'picture in picture' }, inputs.slice(0, 2)), recordingContext());
      expect(inset.images[0]).toMatchObject({ width: 96, height: 64 });

      const firstOnly = await engine.run(engineRequest({ prompt: 'blur' }, inputs), recordingContext());
      expect(firstOnly.images[0]).toMatchObject({ width: 96, height: 64 });
      expect(firstOnly.warnings.map((warning) => warning.feature)).toEqual(['input_images']);
    });

    it('applies at most 32 edits and says so', async () => {
      const result = await engine.run(engineRequest({ prompt: 'invert, '.repeat(40) }, [await engineImage(testPhoto(16, 16))]), recordingContext());
      expect(result.warnings).toEqual([{ feature: 'prompt', message: 'The prompt asks for 40 edits; the local engine applied the first 32' }]);
      // An even number of inversions gives the input back.
      expect(pixelAt(await decodeRgba(result.images[0]?.data ?? new Uint8Array()), 3, 3)).toEqual(pixelAt(testPhoto(16, 16), 3, 3));
    });

    it('is deterministic, and variants differ from each other', async () => {
      const request = engineRequest({ prompt: 'warmer and slightly blurred', imageCount: 3 }, [await engineImage(photo)]);
      const first = await engine.run(request, recordingContext());
      const second = await engine.run(request, recordingContext());
      expect(first.images).toHaveLength(3);
      first.images.forEach((image, index) => expect(Buffer.compare(image.data, second.images[index]?.data ?? new Uint8Array())).toBe(0));
      const distinct = new Set(first.images.map((image) => Buffer.from(image.data).toString('base64')));
      expect(distinct.size).toBe(3);
    });

    it('makes the border-coloured backdrop transparent for background "transparent"', async () => {
      const shot = await engineImage(productShot(60, 40, [240, 240, 240], [20, 60, 200]));
      const result = await engine.run(engineRequest({ prompt: 'sharpen', background: 'transparent' }, [shot]), recordingContext());
      const output = await decodeRgba(result.images[0]?.data ?? new Uint8Array());
      expect(pixelAt(output, 0, 0)[3]).toBe(0);
      expect(pixelAt(output, 30, 20)[3]).toBe(255);

      const jpeg = await engine.run(engineRequest({ prompt: 'sharpen', background: 'transparent', outputFormat: 'jpeg' }, [shot]), recordingContext());
      expect(jpeg.warnings.map((warning) => warning.feature)).toContain('background');
    });
  });

  describe('generation', () => {
    it('typesets the prompt at the requested size, format and count', async () => {
      const result = await engine.run(engineRequest({ prompt: 'A lighthouse at dusk', size: { width: 320, height: 200 }, outputFormat: 'webp', imageCount: 2 }), recordingContext());
      expect(result.images).toHaveLength(2);
      for (const image of result.images) {
        expect(image).toMatchObject({ mediaType: 'image/webp', width: 320, height: 200 });
        expect((await sharp(image.data).metadata()).format).toBe('webp');
      }
      expect(Buffer.compare(result.images[0]?.data ?? new Uint8Array(), result.images[1]?.data ?? new Uint8Array())).not.toBe(0);
      const decoded = await decodeRgba(result.images[0]?.data ?? new Uint8Array());
      // The text sits in the middle: there, dark outlines and light letters give a high spread.
      expect(standardDeviation(decoded, { x: 60, y: 70, width: 200, height: 60 })).toBeGreaterThan(30);
    });

    it('defaults to 1024x1024 and is deterministic per prompt and seed', async () => {
      const request = engineRequest({ prompt: 'Quarterly report cover', seed: 42 });
      const first = await engine.run(request, recordingContext());
      const again = await engine.run(request, recordingContext());
      const otherSeed = await engine.run(engineRequest({ prompt: 'Quarterly report cover', seed: 43 }), recordingContext());
      expect(first.images[0]).toMatchObject({ width: 1024, height: 1024, mediaType: 'image/png' });
      expect(Buffer.compare(first.images[0]?.data ?? new Uint8Array(), again.images[0]?.data ?? new Uint8Array())).toBe(0);
      expect(Buffer.compare(first.images[0]?.data ?? new Uint8Array(), otherSeed.images[0]?.data ?? new Uint8Array())).not.toBe(0);
    });

    it('derives the auto size from an aspect ratio', async () => {
      const result = await engine.run(engineRequest({ prompt: 'wide', aspectRatio: '16:9', quality: 'low' }), recordingContext());
      const { width = 0, height = 0 } = result.images[0] ?? {};
      expect(width / height).toBeCloseTo(16 / 9, 2);
      expect(width * height).toBeGreaterThan(1_000_000);
    });

    it('leaves the canvas transparent behind the text for background "transparent"', async () => {
      const result = await engine.run(engineRequest({ prompt: 'sticker', size: { width: 200, height: 200 }, background: 'transparent' }), recordingContext());
      const decoded = await decodeRgba(result.images[0]?.data ?? new Uint8Array());
      let transparentPixels = 0;
      for (let offset = 3; offset < decoded.data.length; offset += 4) if (decoded.data[offset] === 0) transparentPixels += 1;
      expect(transparentPixels).toBeGreaterThan(200 * 200 * 0.2);

      const jpeg = await engine.run(engineRequest({ prompt: 'sticker', size: { width: 64, height: 64 }, background: 'transparent', outputFormat: 'jpeg' }), recordingContext());
      expect(jpeg.warnings).toEqual([expect.objectContaining({ feature: 'background' })]);
    });
  });

  describe('progress, partial images and cancellation', () => {
    it('reports partial images for the first output only, coarse to fine, before finishing', async () => {
      const context = recordingContext();
      const result = await engine.run(engineRequest({ prompt: 'grayscale', partialImages: 3, imageCount: 2 }, [await engineImage(photo)]), context);
      expect(context.partials.map((partial) => partial.index)).toEqual([0, 1, 2]);
      for (const partial of context.partials) {
        expect(partial).toMatchObject({ mediaType: 'image/png', width: 96, height: 64 });
        expect(Buffer.compare(partial.data, result.images[0]?.data ?? new Uint8Array())).not.toBe(0);
      }
      const coarse = await decodeRgba(context.partials[0]?.data ?? new Uint8Array());
      const fine = await decodeRgba(context.partials[2]?.data ?? new Uint8Array());
      const region = { x: 0, y: 0, width: 96, height: 64 };
      expect(standardDeviation(coarse, region)).toBeLessThan(standardDeviation(fine, region));
      expect(context.progress.length).toBeGreaterThanOrEqual(3);
      expect(context.progress.at(-1)).toEqual({ message: 'done', fraction: 1 });
    });

    it('does not start when already cancelled', async () => {
      const context = recordingContext();
      context.controller.abort();
      const error = await failure(engine.run(engineRequest({ prompt: 'blur' }, [await engineImage(photo)]), context));
      expect(error.code).toBe('cancelled');
    });

    it('stops between steps once cancelled mid-run', async () => {
      const context = recordingContext((_index, controller) => controller.abort());
      const error = await failure(engine.run(engineRequest({ prompt: 'A poster', size: { width: 64, height: 64 }, partialImages: 2, imageCount: 3 }), context));
      expect(error.code).toBe('cancelled');
      expect(context.partials).toHaveLength(1);
    });
  });
});
