import { describe, expect, it } from 'vitest';
import { jsonWithBase64 } from './json-with-base64.ts';

describe('jsonWithBase64', () => {
  it('is the JSON of the answer with each placeholder replaced by its image in base64', () => {
    const images = [200_000, 200_001, 5].map((length, seed) => Buffer.from(Array.from({ length }, (_, index) => (index * 7 + seed) & 0xff)));
    const bytes = jsonWithBase64(images, (placeholder) => ({
      created: 1,
      data: images.map((_, index) => ({ b64_json: placeholder(index), revised_prompt: 'quotes " and \u0000 and ü' })),
    }));
    const parsed = JSON.parse(bytes.toString('utf8')) as { data: Array<{ b64_json: string; revised_prompt: string }> };
    expect(parsed.data.map((entry) => Buffer.from(entry.b64_json, 'base64'))).toEqual(images);
    expect(parsed.data[0]?.revised_prompt).toBe('quotes " and \u0000 and ü');
  });

  it('leaves an answer without placeholders as plain JSON', () => {
    expect(jsonWithBase64([], () => ({ data: [{ url: 'https://x' }] })).toString()).toBe('{"data":[{"url":"https://x"}]}');
  });
});
