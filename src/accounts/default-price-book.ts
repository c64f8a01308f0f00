import type { PriceBookData } from './price-book-schema.ts';

/**
 * darkroom's default prices, copied from the providers' pages (seeds 003 and 004). Change them with a
 * `DARKROOM_PRICE_BOOK` JSON file rather than here; see docs/accounts.md.
 */
export const defaultPriceBook: PriceBookData = {
  // fal's gpt-image-2 page: USD per 1M tokens.
  tokens: {
    text: { input: 5, cachedInput: 1.25, output: 10 },
    image: { input: 8, cachedInput: 2, output: 30 },
  },
  // fal's gpt-image-2 table, per image.
  sizeTable: {
    '1024x768': { low: 0.01, medium: 0.04, high: 0.15 },
    '1024x1024': { low: 0.01, medium: 0.06, high: 0.22 },
    '1024x1536': { low: 0.01, medium: 0.05, high: 0.17 },
    '1920x1080': { low: 0.01, medium: 0.04, high: 0.16 },
    '2560x1440': { low: 0.01, medium: 0.06, high: 0.23 },
    '3840x2160': { low: 0.02, medium: 0.11, high: 0.41 },
  },
  // WaveSpeed's gpt-image-2 edit table, per image.
  tierTable: {
    low: { '1k': 0.03, '2k': 0.06, '4k': 0.09 },
    medium: { '1k': 0.06, '2k': 0.12, '4k': 0.18 },
    high: { '1k': 0.22, '2k': 0.44, '4k': 0.66 },
  },
  engines: {
    local: { table: 'free', tokens: false },
    openai: { table: 'size', tokens: true },
    fal: { table: 'size', tokens: true },
    wavespeed: { table: 'tier', tokens: false },
  },
  // An engine nobody priced is assumed to cost what gpt-image-2 costs, so budgets still hold.
  defaultEngine: { table: 'size', tokens: true },
  standardTierMaxPixels: 1920 * 1080,
  autoSize: '1024x1024',
};
