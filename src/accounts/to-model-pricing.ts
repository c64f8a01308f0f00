import type { JsonObject } from '../domain/json-value.ts';
import { formatSize, parseSizeString } from '../domain/size-rules.ts';
import type { PriceBook } from './price-book.ts';
import type { PriceTier } from './price-book-schema.ts';

const reference = { width: 1024, height: 1024 };
const highResolution = { width: 2560, height: 1440 };
const tierSizes: Record<PriceTier, { width: number; height: number }> = {
  '1k': { width: 1024, height: 1024 },
  '2k': { width: 2048, height: 2048 },
  '4k': { width: 3840, height: 2160 },
};

/**
 * The Oxen catalog's `pricing` object for a model served by an engine: `cost_per_image` is a 1024x1024
 * high-quality image, `cost_per_image_high_res` a 2560x1440 one (Oxen's QHD+ tier); `table` lists every
 * price-book cell with its billing tier; token-billed engines add their per-token prices.
 */
export function toModelPricing(prices: PriceBook, engineId: string): JsonObject {
  const pricing = prices.pricingOf(engineId);
  const priced = (size: { width: number; height: number }) =>
    prices.estimate(engineId, { size, aspectRatio: undefined, quality: 'high', imageCount: 1 }).usd;
  const tiers: JsonObject = {
    standard: `up to ${prices.data.standardTierMaxPixels} pixels (1920x1080 and lower)`,
    high_resolution: `more than ${prices.data.standardTierMaxPixels} pixels (2560x1440 and higher)`,
  };
  if (pricing.table === 'free') {
    return { method: 'per_image', currency: 'USD', cost_per_image: 0, cost_per_image_high_res: 0, basis: 'free', engine: engineId, tiers };
  }
  const table =
    pricing.table === 'size'
      ? Object.entries(prices.data.sizeTable).map(([size, cell]) => ({
          size,
          tier: prices.billingTier(parseSizeString(size) ?? reference),
          ...cell,
        }))
      : (['1k', '2k', '4k'] as const).map((tier) => ({
          resolution: tier,
          tier: prices.billingTier(tierSizes[tier]),
          low: prices.data.tierTable.low[tier],
          medium: prices.data.tierTable.medium[tier],
          high: prices.data.tierTable.high[tier],
        }));
  const result: JsonObject = {
    method: pricing.tokens ? 'token' : 'per_image',
    currency: 'USD',
    cost_per_image: priced(reference),
    cost_per_image_high_res: priced(highResolution),
    reference_size: formatSize(reference),
    basis: pricing.tokens ? 'tokens the engine reports; the table estimates before a run' : 'table',
    engine: engineId,
    tiers,
    quality_auto_priced_as: 'high',
    table,
  };
  if (pricing.tokens) {
    const { text, image } = prices.data.tokens;
    result.input_cost_per_token = text.input / 1_000_000;
    result.output_cost_per_token = image.output / 1_000_000;
    result.usd_per_million_tokens = { text: { ...text }, image: { ...image } };
  }
  return result;
}
