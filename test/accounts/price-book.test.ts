import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildPriceBook, loadPriceBook } from '../../src/accounts/load-price-book.ts';
import { PriceBook, type PricedRequest } from '../../src/accounts/price-book.ts';
import type { Quality } from '../../src/domain/image-request.ts';
import type { ImageUsage, Job } from '../../src/domain/job.ts';
import { ConfigError } from '../../src/config/load-config.ts';
import { sampleRequest } from '../helpers/sample-job.ts';

const prices = new PriceBook();
const request = (overrides: Partial<PricedRequest>): PricedRequest => ({ size: undefined, aspectRatio: undefined, quality: 'high', imageCount: 1, ...overrides });
const at = (width: number, height: number, quality: Quality, imageCount = 1) => request({ size: { width, height }, quality, imageCount });

// Seed 003 (fal's gpt-image-2 table), low / medium / high.
const falTable: Array<[string, number, number, number]> = [
  ['1024x768', 0.01, 0.04, 0.15],
  ['1024x1024', 0.01, 0.06, 0.22],
  ['1024x1536', 0.01, 0.05, 0.17],
  ['1920x1080', 0.01, 0.04, 0.16],
  ['2560x1440', 0.01, 0.06, 0.23],
  ['3840x2160', 0.02, 0.11, 0.41],
];
// Seed 004 (WaveSpeed's table), 1k / 2k / 4k.
const waveSpeedTable: Array<[Quality, number, number, number]> = [
  ['low', 0.03, 0.06, 0.09],
  ['medium', 0.06, 0.12, 0.18],
  ['high', 0.22, 0.44, 0.66],
];

function usage(parts: Partial<ImageUsage>): ImageUsage {
  const filled = { inputTextTokens: 0, inputImageTokens: 0, outputTextTokens: 0, outputImageTokens: 0, ...parts };
  const inputTokens = filled.inputTextTokens + filled.inputImageTokens;
  const outputTokens = filled.outputTextTokens + filled.outputImageTokens;
  return { inputTokens, outputTokens, totalTokens: inputTokens + outputTokens, ...filled };
}

function finishedJob(overrides: Partial<Job>): Job {
  return {
    id: 'job-1',
    ownerKeyId: undefined,
    kind: 'generate',
    model: 'gpt-image-2',
    engineId: 'openai',
    state: 'succeeded',
    request: sampleRequest({ size: { width: 1024, height: 1024 }, quality: 'high' }),
    origin: { dialect: 'oxen', operation: 'queue', extras: {} },
    result: undefined,
    error: undefined,
    attempts: 1,
    createdAt: new Date(0),
    startedAt: new Date(0),
    completedAt: new Date(1),
    ephemeral: false,
    ...overrides,
  };
}

describe('price book defaults', () => {
  it('reproduces every cell of the fal table to the cent, in either orientation', () => {
    for (const [size, low, medium, high] of falTable) {
      const [width, height] = size.split('x').map(Number) as [number, number];
      for (const [quality, expected] of [['low', low], ['medium', medium], ['high', high]] as const) {
        expect(prices.estimate('fal', at(width, height, quality))).toMatchObject({ usd: expected, basis: 'table' });
        expect(prices.estimate('fal', at(height, width, quality)).usd).toBe(expected);
      }
    }
  });

  it('prices gpt-image-2 sizes rounded to 16 px as their preset (1920x1080 is produced as 1920x1088)', () => {
    expect(prices.estimate('fal', at(1920, 1088, 'high'))).toMatchObject({ usd: 0.16, tier: 'standard', details: { preset: '1920x1080', rule: 'preset' } });
  });

  it('reproduces every cell of the WaveSpeed table to the cent, from tiers and from produced sizes', () => {
    for (const [quality, oneK, twoK, fourK] of waveSpeedTable) {
      expect(prices.estimate('wavespeed', request({ sizeTier: '1K', quality })).usd).toBe(oneK);
      expect(prices.estimate('wavespeed', request({ sizeTier: '2K', aspectRatio: '16:9', quality })).usd).toBe(twoK);
      expect(prices.estimate('wavespeed', request({ sizeTier: '4K', quality })).usd).toBe(fourK);
      // What the WaveSpeed engine produces for 16:9 tiers.
      expect(prices.estimate('wavespeed', at(1360, 768, quality)).usd).toBe(oneK);
      expect(prices.estimate('wavespeed', at(2720, 1536, quality)).usd).toBe(twoK);
      expect(prices.estimate('wavespeed', at(3840, 2160, quality)).usd).toBe(fourK);
    }
  });

  it('prices auto quality as high and multiplies by the number of images', () => {
    expect(prices.estimate('fal', at(1024, 1024, 'auto')).usd).toBe(0.22);
    expect(prices.estimate('fal', at(1024, 1024, 'high', 3))).toMatchObject({ usd: 0.66, micros: 660_000, details: { images: 3, unit_usd: 0.22 } });
    expect(prices.estimate('wavespeed', request({ sizeTier: '2K', quality: 'auto', imageCount: 2 })).usd).toBe(0.88);
  });

  it('prices a size between presets as the preset with the nearest pixel count at or above it', () => {
    // 1200x1200 = 1.44 MP: above 1024x1024 (1.05 MP), below 1024x1536 (1.57 MP).
    expect(prices.estimate('fal', at(1200, 1200, 'high'))).toMatchObject({ usd: 0.17, details: { preset: '1024x1536', rule: 'next-larger-preset' } });
    expect(prices.estimate('fal', at(512, 512, 'medium'))).toMatchObject({ usd: 0.04, details: { preset: '1024x768' } });
    expect(prices.estimate('fal', at(2048, 2048, 'high'))).toMatchObject({ usd: 0.41, tier: 'high_resolution', details: { preset: '3840x2160' } });
  });

  it('scales by pixel count above the largest preset', () => {
    const withoutFourK = buildPriceBook({ sizeTable: { '3840x2160': null } });
    // 3840x2160 is 2.25 × the pixels of 2560x1440 ($0.23).
    expect(withoutFourK.estimate('fal', at(3840, 2160, 'high'))).toMatchObject({ usd: 0.5175, details: { rule: 'scaled-from-largest', preset: '2560x1440' } });
  });

  it("classifies sizes into Oxen's HD and QHD+ billing tiers", () => {
    expect(prices.billingTier({ width: 1920, height: 1080 })).toBe('standard');
    expect(prices.billingTier({ width: 1024, height: 1536 })).toBe('standard');
    expect(prices.billingTier({ width: 2560, height: 1440 })).toBe('high_resolution');
    expect(prices.billingTier({ width: 3840, height: 2160 })).toBe('high_resolution');
  });

  it('estimates an auto size as 1024x1024, and the local engine at 0', () => {
    expect(prices.estimate('openai', request({ quality: 'high' })).usd).toBe(0.22);
    expect(prices.estimate('local', at(3840, 2160, 'high'))).toMatchObject({ usd: 0, basis: 'free' });
    // An engine nobody priced costs what gpt-image-2 costs.
    expect(prices.estimate('some-upstream', at(1024, 768, 'high')).usd).toBe(0.15);
  });

  it('applies the token prices to reported usage: a 1024x1024 high-quality generation', () => {
    // 20 prompt tokens at $5/M + 7,296 image output tokens at $30/M = $0.0001 + $0.21888.
    const job = finishedJob({
      result: {
        images: [{ blobKey: 'results/job-1/0.png', mediaType: 'image/png', format: 'png', width: 1024, height: 1024, byteLength: 1 }],
        warnings: [],
        usage: usage({ inputTextTokens: 20, outputImageTokens: 7296 }),
        size: { width: 1024, height: 1024 },
      },
    });
    const cost = prices.costOf(job);
    expect(cost).toMatchObject({ basis: 'tokens', micros: 218_980, usd: 0.21898, engineId: 'openai', tier: 'standard' });
    expect(Math.round(cost.usd * 100) / 100).toBe(0.22);
  });

  it('prices every token kind, cached input at the cached rate, and totals-only usage as text in / image out', () => {
    const book = new PriceBook();
    const all = usage({ inputTextTokens: 1_000_000, inputImageTokens: 1_000_000, outputTextTokens: 1_000_000, outputImageTokens: 1_000_000 });
    expect(book.tokenMicros(all)).toBe((5 + 8 + 10 + 30) * 1_000_000);
    expect(book.tokenMicros({ ...all, cachedInputTextTokens: 1_000_000, cachedInputImageTokens: 500_000 })).toBe((1.25 + 4 + 1 + 10 + 30) * 1_000_000);
    const totalsOnly = { ...usage({}), inputTokens: 100, outputTokens: 1000, totalTokens: 1100 };
    expect(book.tokenMicros(totalsOnly)).toBe(100 * 5 + 1000 * 30);
  });

  it('uses the table when an engine reports no usage, and charges failed jobs nothing', () => {
    const table = finishedJob({
      engineId: 'fal',
      request: sampleRequest({ size: undefined, quality: 'medium', imageCount: 2 }),
      result: {
        images: [0, 1].map((index) => ({ blobKey: `results/job-1/${index}.png`, mediaType: 'image/png', format: 'png' as const, width: 2560, height: 1440, byteLength: 1 })),
        warnings: [],
        usage: undefined,
        size: { width: 2560, height: 1440 },
      },
    });
    expect(prices.costOf(table)).toMatchObject({ basis: 'table', usd: 0.12, tier: 'high_resolution', details: { preset: '2560x1440', images: 2 } });
    const failed = finishedJob({ engineId: 'fal', state: 'failed', error: { code: 'upstream_error', message: 'boom' } });
    expect(prices.costOf(failed)).toMatchObject({ usd: 0, basis: 'table' });
  });
});

describe('price book overrides', () => {
  const directory = mkdtempSync(join(tmpdir(), 'darkroom-prices-'));
  const write = (name: string, text: string) => {
    const path = join(directory, name);
    writeFileSync(path, text);
    return path;
  };

  it('overrides single entries from a JSON file and keeps every other default', () => {
    const book = loadPriceBook(
      write(
        'prices.json',
        JSON.stringify({
          sizeTable: { '1024x1024': { high: 0.25 } },
          tierTable: { low: { '1k': 0.035 } },
          tokens: { image: { output: 40 } },
          engines: { 'my-localai': { table: 'free', tokens: false }, wavespeed: { table: 'size', tokens: false } },
        }),
      ),
    );
    expect(book.estimate('fal', at(1024, 1024, 'high')).usd).toBe(0.25);
    expect(book.estimate('fal', at(1024, 1024, 'medium')).usd).toBe(0.06);
    expect(book.data.tierTable.low['1k']).toBe(0.035);
    expect(book.data.tokens.image).toEqual({ input: 8, cachedInput: 2, output: 40 });
    expect(book.estimate('my-localai', at(1024, 1024, 'high')).basis).toBe('free');
    expect(book.estimate('wavespeed', at(1024, 768, 'high')).usd).toBe(0.15);
    expect(loadPriceBook(undefined).estimate('wavespeed', at(1024, 768, 'high')).usd).toBe(0.22);
  });

  it('refuses invalid files with errors naming the file and the entry', () => {
    const problems = (path: string) => {
      try {
        loadPriceBook(path);
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigError);
        return (error as ConfigError).problems.join('\n');
      }
      throw new Error('expected a ConfigError');
    };
    expect(problems(write('negative.json', '{"sizeTable":{"1024x1024":{"high":-1}}}'))).toMatch(/negative\.json: sizeTable\.1024x1024\.high: must be a price of 0 or more USD/);
    expect(problems(write('typo.json', '{"tierTabel":{}}'))).toMatch(/typo\.json: \(root\): Unrecognized key: "tierTabel"/);
    expect(problems(write('scheme.json', '{"engines":{"fal":{"table":"per-pixel","tokens":true}}}'))).toMatch(/engines\.fal\.table/);
    expect(problems(write('broken.json', '{"sizeTable":'))).toMatch(/broken\.json is not valid JSON/);
    expect(problems(join(directory, 'missing.json'))).toMatch(/cannot be read/);
  });
});
