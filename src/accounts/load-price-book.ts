import { readFileSync } from 'node:fs';
import { ConfigError } from '../config/load-config.ts';
import { defaultPriceBook } from './default-price-book.ts';
import { PriceBook } from './price-book.ts';
import { priceBookSchema, type PriceBookData } from './price-book-schema.ts';

type Mergeable = { [key: string]: unknown };
const isObject = (value: unknown): value is Mergeable => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Overrides merged key by key over the base; `null` removes an entry (e.g. a size preset). */
export function mergeOverrides(base: Mergeable, overrides: Mergeable): Mergeable {
  const merged: Mergeable = { ...base };
  for (const [key, value] of Object.entries(overrides)) {
    if (value === null) delete merged[key];
    else if (isObject(value) && isObject(merged[key])) merged[key] = mergeOverrides(merged[key], value);
    else merged[key] = value;
  }
  return merged;
}

/** The defaults with `overrides` applied, validated; every problem is listed with its path. */
export function buildPriceBook(overrides: unknown, source = 'price book'): PriceBook {
  if (!isObject(overrides)) throw new ConfigError([`${source} must hold a JSON object (see docs/accounts.md)`]);
  const parsed = priceBookSchema.safeParse(mergeOverrides(defaultPriceBook as unknown as Mergeable, overrides));
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => `${source}: ${issue.path.map(String).join('.') || '(root)'}: ${issue.message}`),
    );
  }
  return new PriceBook(parsed.data as PriceBookData);
}

/** The price book: the defaults, or the defaults overridden by the JSON file `DARKROOM_PRICE_BOOK` names. */
export function loadPriceBook(path: string | undefined): PriceBook {
  if (!path) return new PriceBook(defaultPriceBook);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError([`DARKROOM_PRICE_BOOK names ${path}, which cannot be read (${(error as Error).message})`]);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ConfigError([`DARKROOM_PRICE_BOOK file ${path} is not valid JSON (${(error as Error).message})`]);
  }
  return buildPriceBook(parsed, `DARKROOM_PRICE_BOOK file ${path}`);
}
