import { z } from 'zod';

const usd = z.number().finite().min(0, 'must be a price of 0 or more USD');
const strict = <T extends z.ZodRawShape>(shape: T) => z.strictObject(shape);

/** Prices of the three gpt-image quality levels; `auto` is priced as `high` (see {@link priceBookSchema}). */
const qualityPrices = strict({ low: usd, medium: usd, high: usd });

/** USD per 1M tokens, OpenAI's units. */
const tokenPrices = strict({ input: usd, cachedInput: usd, output: usd });

const sizeKey = z.string().regex(/^\d{1,5}x\d{1,5}$/, 'size keys look like 1024x768');

/**
 * How one engine is billed. `table` prices a request before it runs (and afterwards when the engine
 * reports no token usage): `size` = {@link PriceBook.sizeTable}, `tier` = {@link PriceBook.tierTable},
 * `free` = always 0. `tokens: true` = once the engine reports usage, the job costs its tokens instead.
 */
const enginePricing = strict({
  table: z.enum(['free', 'size', 'tier']),
  tokens: z.boolean(),
});

/**
 * The price book: what each engine charges, in USD. Defaults reproduce the seeds (fal's size × quality table,
 * WaveSpeed's quality × resolution table, fal's per-token prices). Operators override any entry with a JSON
 * file (`DARKROOM_PRICE_BOOK`) of the same shape, merged key by key over the defaults.
 */
export const priceBookSchema = strict({
  tokens: strict({ text: tokenPrices, image: tokenPrices }),
  /** fal (seed 003): rows are output sizes, priced per image. */
  sizeTable: z.record(sizeKey, qualityPrices).refine((table) => Object.keys(table).length > 0, 'needs at least one size'),
  /** WaveSpeed (seed 004): rows are qualities, columns the `1k|2k|4k` resolution tiers, priced per image. */
  tierTable: strict({
    low: strict({ '1k': usd, '2k': usd, '4k': usd }),
    medium: strict({ '1k': usd, '2k': usd, '4k': usd }),
    high: strict({ '1k': usd, '2k': usd, '4k': usd }),
  }),
  /** Engine id → billing; engines not listed use `defaultEngine`. */
  engines: z.record(z.string().min(1), enginePricing),
  defaultEngine: enginePricing,
  /** Oxen's two billing tiers: sizes up to this pixel count (1920x1080) are `standard`, larger ones `high_resolution`. */
  standardTierMaxPixels: z.int().min(1),
  /** The size an estimate assumes when the request leaves it to the engine (`auto`). */
  autoSize: sizeKey,
});

export type PriceBookData = z.output<typeof priceBookSchema>;
export type EnginePricing = z.output<typeof enginePricing>;
export type QualityPrices = z.output<typeof qualityPrices>;
export type TokenPrices = z.output<typeof tokenPrices>;
export type PricedQuality = keyof QualityPrices;
export type PriceTier = '1k' | '2k' | '4k';
