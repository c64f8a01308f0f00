import type { Rgb } from './rgba-image.ts';

const hex = (value: string): Rgb => ({
  red: Number.parseInt(value.slice(1, 3), 16),
  green: Number.parseInt(value.slice(3, 5), 16),
  blue: Number.parseInt(value.slice(5, 7), 16),
});

/** CSS-ish colour names a prompt may use; multi-word names first so "light blue" wins over "blue". */
const namedColourHex: Record<string, string> = {
  'light blue': '#add8e6', 'sky blue': '#87ceeb', 'navy blue': '#1f2f6b', 'dark blue': '#00008b', 'royal blue': '#4169e1',
  'light green': '#90ee90', 'dark green': '#006400', 'lime green': '#32cd32', 'forest green': '#228b22',
  'light grey': '#d3d3d3', 'light gray': '#d3d3d3', 'dark grey': '#404040', 'dark gray': '#404040',
  'hot pink': '#ff69b4', 'light pink': '#ffb6c1', 'dark red': '#8b0000', 'off white': '#f5f5f0', 'off-white': '#f5f5f0',
  black: '#000000', white: '#ffffff', red: '#e02020', green: '#1e9e3a', blue: '#1f5fe0', yellow: '#ffd800',
  orange: '#ff8c00', purple: '#7b2fbe', violet: '#8a2be2', pink: '#ff8fb8', magenta: '#ff00ff', cyan: '#00d5e0',
  teal: '#008080', turquoise: '#40e0d0', navy: '#1f2f6b', maroon: '#800000', olive: '#808000', lime: '#7fff00',
  brown: '#8b5a2b', beige: '#f5f5dc', cream: '#fffdd0', ivory: '#fffff0', tan: '#d2b48c', gold: '#ffc61a',
  golden: '#ffc61a', silver: '#c0c0c0', grey: '#808080', gray: '#808080', indigo: '#4b0082', lavender: '#b9a7e8',
  coral: '#ff7f50', salmon: '#fa8072', crimson: '#dc143c', scarlet: '#ff2400', amber: '#ffbf00', mint: '#98ff98',
  peach: '#ffcba4', charcoal: '#36454f', emerald: '#2ecc71', aqua: '#00ffff', fuchsia: '#ff00ff', khaki: '#c3b091',
  rose: '#ff66a3', ruby: '#c0143c', sapphire: '#0f52ba', chocolate: '#7b3f00',
};

export const namedColours: ReadonlyMap<string, Rgb> = new Map(Object.entries(namedColourHex).map(([name, value]) => [name, hex(value)]));

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&');

/** Regex source matching one colour: a name from the table or `#rgb` / `#rrggbb`. */
export const colourPattern = `(?:${[...namedColours.keys()]
  .sort((left, right) => right.length - left.length)
  .map(escape)
  .join('|')}|#[0-9a-f]{6}\\b|#[0-9a-f]{3}\\b)`;

const colourSearch = new RegExp(`(?<![\\w#-])${colourPattern}(?![\\w-])`, 'i');

export function parseColour(text: string): Rgb | undefined {
  const value = text.trim().toLowerCase();
  const named = namedColours.get(value);
  if (named) return named;
  if (/^#[0-9a-f]{6}$/.test(value)) return hex(value);
  if (/^#[0-9a-f]{3}$/.test(value)) return hex(`#${[...value.slice(1)].map((digit) => digit + digit).join('')}`);
  return undefined;
}

/** The first colour mentioned in a piece of text, if any. */
export function findColour(text: string): Rgb | undefined {
  const match = colourSearch.exec(text);
  return match ? parseColour(match[0]) : undefined;
}
