import type { ImageSize, Quality } from '../domain/image-request.ts';
import type { ImageUsage, Job } from '../domain/job.ts';
import type { JsonObject } from '../domain/json-value.ts';
import { formatSize, parseAspectRatio, parseSizeString, resolutionTierPixels, sizeForTier, type ResolutionTier } from '../domain/size-rules.ts';
import { defaultPriceBook } from './default-price-book.ts';
import type { EnginePricing, PriceBookData, PricedQuality, PriceTier } from './price-book-schema.ts';

export type CostBasis = 'tokens' | 'table' | 'free';
/** Oxen's billing classification: HD sizes (≤ 1920x1080 pixels) are standard, QHD+ high-resolution. */
export type BillingTier = 'standard' | 'high_resolution';

/** What a job (or a request about to be submitted) costs. Money is kept in whole micro-dollars. */
export type Cost = {
  usd: number;
  micros: number;
  basis: CostBasis;
  engineId: string;
  tier: BillingTier;
  details: JsonObject;
};

/** The parts of a request that set its price. */
export type PricedRequest = {
  size: ImageSize | undefined;
  sizeTier?: ResolutionTier | undefined;
  aspectRatio: string | undefined;
  quality: Quality;
  imageCount: number;
};

/** OpenAI-style usage; engines may add the cached subsets of the input tokens. */
export type TokenUsage = ImageUsage & { cachedInputTextTokens?: number; cachedInputImageTokens?: number };

const toMicros = (usd: number): number => Math.round(usd * 1_000_000);
const fromMicros = (micros: number): number => micros / 1_000_000;
const pixelsOf = (size: ImageSize): number => size.width * size.height;
/** Sizes are rounded to multiples of 16, so a tier's size may exceed its nominal pixel budget slightly. */
const tierTolerance = 1.02;

/**
 * Prices requests and finished jobs from the price book. Pure: no I/O.
 *
 * Rules (docs/accounts.md): `auto` quality costs as `high`; a size within 16 px of a preset (either
 * orientation) is that preset; a size between presets costs as the preset with the smallest pixel count at or
 * above it (above the largest preset: scaled by pixel count);
 * an `auto` size is estimated as `autoSize`; table prices multiply by the number of images; token prices
 * apply when the engine reported usage (the usage already covers every image); failed and cancelled jobs
 * cost 0, as upstreams do not bill them.
 */
export class PriceBook {
  constructor(readonly data: PriceBookData = defaultPriceBook) {}

  pricingOf(engineId: string): EnginePricing {
    return this.data.engines[engineId] ?? this.data.defaultEngine;
  }

  /** The cost of a request before it runs: always from the table (token usage is not known yet). */
  estimate(engineId: string, request: PricedRequest): Cost {
    const pricing = this.pricingOf(engineId);
    const size = this.resolveSize(request);
    if (pricing.table === 'free') return this.free(engineId, size);
    return this.fromTable(engineId, pricing, request, size, Math.max(1, request.imageCount));
  }

  /** The recorded cost of a job in a terminal state. */
  costOf(job: Job): Cost {
    const pricing = this.pricingOf(job.engineId);
    const size = job.result?.size && job.result.size.width > 0 ? job.result.size : this.resolveSize(job.request);
    if (pricing.table === 'free') return this.free(job.engineId, size);
    const usage = job.result?.usage;
    if (job.state === 'succeeded' && pricing.tokens && usage && usage.totalTokens + usage.inputTokens + usage.outputTokens > 0) {
      return this.fromTokens(job.engineId, usage, size);
    }
    const images = job.state === 'succeeded' ? (job.result?.images.length ?? 0) : 0;
    const cost = this.fromTable(job.engineId, pricing, job.request, size, images);
    if (job.state !== 'succeeded') cost.details.charged = `no: ${job.state} jobs are not billed by the upstream`;
    return cost;
  }

  /** `standard` for HD sizes (1920x1080 and lower, so also its 1920x1088 rounding), `high_resolution` for QHD+ (Oxen's tiers). */
  billingTier(size: ImageSize): BillingTier {
    return pixelsOf(size) <= this.data.standardTierMaxPixels * tierTolerance ? 'standard' : 'high_resolution';
  }

  /** The per-image table price of one size and quality, and which preset it came from. */
  sizePrice(size: ImageSize, quality: Quality): { micros: number; preset: string; rule: 'preset' | 'next-larger-preset' | 'scaled-from-largest' } {
    const presets = Object.entries(this.data.sizeTable)
      .map(([key, prices]) => ({ key, prices, size: parseSizeString(key) ?? { width: 1, height: 1 } }))
      .sort((left, right) => pixelsOf(left.size) - pixelsOf(right.size));
    const level = pricedQuality(quality);
    // Within one 16-px step of a preset is that preset: 1920x1080 is produced as 1920x1088 (edges ÷ 16).
    const near = (left: number, right: number) => Math.abs(left - right) < 16;
    const exact = presets.find((preset) =>
      (near(preset.size.width, size.width) && near(preset.size.height, size.height)) || (near(preset.size.width, size.height) && near(preset.size.height, size.width)),
    );
    if (exact) return { micros: toMicros(exact.prices[level]), preset: exact.key, rule: 'preset' };
    const larger = presets.find((preset) => pixelsOf(preset.size) >= pixelsOf(size));
    if (larger) return { micros: toMicros(larger.prices[level]), preset: larger.key, rule: 'next-larger-preset' };
    const largest = presets[presets.length - 1];
    if (!largest) return { micros: 0, preset: 'none', rule: 'scaled-from-largest' };
    const scaled = largest.prices[level] * (pixelsOf(size) / pixelsOf(largest.size));
    return { micros: toMicros(scaled), preset: largest.key, rule: 'scaled-from-largest' };
  }

  /** WaveSpeed's `1k|2k|4k` tier of a size: the smallest tier whose pixel budget holds it. */
  resolutionTier(size: ImageSize): PriceTier {
    const pixels = pixelsOf(size);
    if (pixels <= resolutionTierPixels['1K'] * tierTolerance) return '1k';
    if (pixels <= resolutionTierPixels['2K'] * tierTolerance) return '2k';
    return '4k';
  }

  tokenMicros(usage: TokenUsage): number {
    const { text, image } = this.data.tokens;
    const cachedText = Math.min(usage.cachedInputTextTokens ?? 0, usage.inputTextTokens);
    const cachedImage = Math.min(usage.cachedInputImageTokens ?? 0, usage.inputImageTokens);
    // Tokens an upstream reported only as totals: leftover input counts as text, leftover output as image.
    const otherInput = Math.max(0, usage.inputTokens - usage.inputTextTokens - usage.inputImageTokens);
    const otherOutput = Math.max(0, usage.outputTokens - usage.outputTextTokens - usage.outputImageTokens);
    // USD per 1M tokens × tokens = micro-dollars.
    return Math.round(
      (usage.inputTextTokens - cachedText + otherInput) * text.input +
        cachedText * text.cachedInput +
        (usage.inputImageTokens - cachedImage) * image.input +
        cachedImage * image.cachedInput +
        usage.outputTextTokens * text.output +
        (usage.outputImageTokens + otherOutput) * image.output,
    );
  }

  private resolveSize(request: PricedRequest): ImageSize {
    if (request.size) return request.size;
    if (request.sizeTier) {
      const ratio = (request.aspectRatio && parseAspectRatio(request.aspectRatio)) || 1;
      return sizeForTier(request.sizeTier, ratio);
    }
    return parseSizeString(this.data.autoSize) ?? { width: 1024, height: 1024 };
  }

  private free(engineId: string, size: ImageSize): Cost {
    return { usd: 0, micros: 0, basis: 'free', engineId, tier: this.billingTier(size), details: { size: formatSize(size) } };
  }

  private fromTable(engineId: string, pricing: EnginePricing, request: PricedRequest, size: ImageSize, images: number): Cost {
    const quality = pricedQuality(request.quality);
    const details: JsonObject = { size: formatSize(size), quality, images, quality_requested: request.quality };
    let unitMicros: number;
    if (pricing.table === 'tier') {
      const tier = request.sizeTier && !request.size ? (request.sizeTier.toLowerCase() as PriceTier) : this.resolutionTier(size);
      unitMicros = toMicros(this.data.tierTable[quality][tier]);
      Object.assign(details, { table: 'tier', resolution: tier });
    } else {
      const price = this.sizePrice(size, quality);
      unitMicros = price.micros;
      Object.assign(details, { table: 'size', preset: price.preset, rule: price.rule });
    }
    details.unit_usd = fromMicros(unitMicros);
    const micros = unitMicros * images;
    return { usd: fromMicros(micros), micros, basis: 'table', engineId, tier: this.billingTier(size), details };
  }

  private fromTokens(engineId: string, usage: TokenUsage, size: ImageSize): Cost {
    const micros = this.tokenMicros(usage);
    const details: JsonObject = { size: formatSize(size), usd_per_million_tokens: this.data.tokens };
    return { usd: fromMicros(micros), micros, basis: 'tokens', engineId, tier: this.billingTier(size), details };
  }
}

/** `auto` lets the model choose, up to `high`; budgets must hold, so it is priced as `high`. */
export const pricedQuality = (quality: Quality): PricedQuality => (quality === 'auto' ? 'high' : quality);

export const microsToUsd = fromMicros;
export const usdToMicros = toMicros;
