import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { imageReference, imageRequestBody } from '../../src/cli/run-image-command.ts';
import { outputPaths } from '../../src/cli/save-images.ts';
import { serverUrlFrom } from '../../src/cli/connect-to-server.ts';
import { solidPng } from '../helpers/image-fixtures.ts';

describe('imageRequestBody', () => {
  it('maps command-line flags to the Oxen body', () => {
    const body = imageRequestBody('generate', { size: '1K', 'aspect-ratio': '16:9', quality: 'low', format: 'jpg', count: '3', seed: '-5', background: 'opaque', compression: '80' }, 'a cat', [], undefined);
    expect(body).toEqual({
      model: 'gpt-image-2',
      prompt: 'a cat',
      resolution: '1K',
      aspect_ratio: '16:9',
      quality: 'low',
      output_format: 'jpeg',
      num_images: 3,
      seed: -5,
      background: 'opaque',
      output_compression: 80,
    });
  });

  it('defaults edits to gpt-image-2-edit and passes images and mask through', () => {
    expect(imageRequestBody('edit', {}, 'blur it', ['https://example.com/a.png'], 'data:image/png;base64,AA')).toEqual({
      model: 'gpt-image-2-edit',
      prompt: 'blur it',
      input_image: ['https://example.com/a.png'],
      mask_url: 'data:image/png;base64,AA',
    });
  });

  it('names the flag of a bad number', () => {
    expect(() => imageRequestBody('generate', { count: 'two' }, 'x', [], undefined)).toThrow('-n: must be a whole number from 1 to 4 (got "two")');
    expect(() => imageRequestBody('generate', { compression: '101' }, 'x', [], undefined)).toThrow('--compression: must be a whole number from 0 to 100');
  });
});

describe('imageReference and outputPaths', () => {
  let directory: string;
  beforeAll(async () => {
    directory = mkdtempSync(join(tmpdir(), 'darkroom-cli-unit-'));
    writeFileSync(join(directory, 'photo.dat'), await solidPng(4, 4));
    mkdirSync(join(directory, 'existing'));
  });
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  it('reads files by their bytes, not their names, and passes URLs through', () => {
    expect(imageReference(join(directory, 'photo.dat'), 'input image 1')).toMatch(/^data:image\/png;base64,iVBORw0KGgo/);
    expect(imageReference('https://example.com/a.webp', 'input image 1')).toBe('https://example.com/a.webp');
    expect(() => imageReference(join(directory, 'missing.png'), '--mask')).toThrow('--mask: no such file');
  });

  it('treats --out as a directory (existing, trailing slash or no extension) or as a file stem', () => {
    const images = [
      { generationId: 'aaaaaaaa-1', extension: 'png' },
      { generationId: 'aaaaaaaa-1', extension: 'png' },
      { generationId: 'bbbbbbbb-2', extension: 'webp' },
    ];
    expect(outputPaths(join(directory, 'existing'), images)).toEqual([
      join(directory, 'existing', 'darkroom-aaaaaaaa-1.png'),
      join(directory, 'existing', 'darkroom-aaaaaaaa-2.png'),
      join(directory, 'existing', 'darkroom-bbbbbbbb-1.webp'),
    ]);
    expect(outputPaths('shots/', images.slice(0, 1))).toEqual(['shots/darkroom-aaaaaaaa-1.png']);
    expect(outputPaths(undefined, images.slice(0, 1))).toEqual(['darkroom-aaaaaaaa-1.png']);
    expect(outputPaths('cat.png', images)).toEqual(['cat.png', 'cat-2.png', 'cat-3.png']);
  });

  it('takes the server from --server before DARKROOM_URL and rejects non-URLs', () => {
    expect(serverUrlFrom('http://a:1/', { DARKROOM_URL: 'http://b:2' })).toBe('http://a:1');
    expect(serverUrlFrom(undefined, { DARKROOM_URL: 'http://b:2' })).toBe('http://b:2');
    expect(serverUrlFrom(undefined, {})).toBeUndefined();
    expect(() => serverUrlFrom('localhost:8080', {})).toThrow('--server: "localhost:8080" is not an http(s) URL');
  });
});
