import type { JsonValue } from '../../domain/json-value.ts';

/** `1234` ms → `1.2 s`; minutes past 60 s. */
export function formatSeconds(milliseconds: number): string {
  const seconds = Math.max(0, milliseconds) / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  return `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`;
}

/**
 * A generation's cost when the server reports one: a number (USD), `{amount, currency}`, or Oxen-style
 * `cost`/`price` fields. Undefined when there is none, so nothing is shown.
 */
export function formatCost(generation: Record<string, JsonValue | undefined>): string | undefined {
  const value = generation.cost ?? generation.price ?? generation.cost_usd;
  if (typeof value === 'number') return value === 0 ? '$0' : `$${value.toFixed(value < 0.01 ? 4 : 3)}`;
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const amount = value.amount ?? value.total ?? value.value;
    const currency = typeof value.currency === 'string' ? value.currency : 'USD';
    if (typeof amount === 'number') return currency === 'USD' ? `$${amount.toFixed(3)}` : `${amount.toFixed(3)} ${currency}`;
  }
  return undefined;
}

/** A result image's name in compare views and downloads: the start of its prompt and its number. */
export function resultLabel(prompt: string, index: number): string {
  const words = prompt.replace(/\s+/g, ' ').trim();
  return `${words.length > 32 ? `${words.slice(0, 31)}…` : words} #${index + 1}`;
}

/** Unix seconds → local date and time, short. */
export function formatTimestamp(unixSeconds: number | null | undefined): string {
  if (!unixSeconds) return '';
  return new Date(unixSeconds * 1000).toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'medium' });
}
