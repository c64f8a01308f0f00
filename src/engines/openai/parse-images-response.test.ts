import { describe, expect, it } from 'vitest';
import { parseImagesResponse } from './parse-images-response.ts';

const bytesOf = (text: string) => new Uint8Array(Buffer.from(text, 'utf8'));
const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 1, 2, 3, 250, 251, 252, 253, 254, 255]);

describe('parseImagesResponse', () => {
  it('decodes every b64_json from the bytes and keeps the rest of the answer', () => {
    const other = Buffer.from('second image');
    const body = JSON.stringify({
      created: 1,
      data: [
        { b64_json: png.toString('base64'), revised_prompt: 'a café — "b64_json": here' },
        { b64_json: other.toString('base64') },
      ],
      usage: { total_tokens: 7 },
    });
    const parsed = parseImagesResponse(bytesOf(body));
    expect(parsed.data?.map((entry) => Buffer.from(entry.decoded ?? []))).toEqual([png, other]);
    expect(parsed.data?.[0]?.revised_prompt).toBe('a café — "b64_json": here');
    expect(parsed.data?.[0]?.b64_json).toBeUndefined();
    expect(parsed.usage).toEqual({ total_tokens: 7 });
  });

  it('decodes values longer than one decoding step, with every padding', () => {
    for (const length of [200_000, 200_001, 200_002]) {
      const image = Buffer.alloc(length);
      for (let index = 0; index < length; index += 1) image[index] = (index * 31 + (index >> 8)) & 0xff;
      const parsed = parseImagesResponse(bytesOf(JSON.stringify({ data: [{ b64_json: image.toString('base64') }] })));
      expect(Buffer.from(parsed.data?.[0]?.decoded ?? []).equals(image)).toBe(true);
    }
  });

  it('reads pretty-printed answers and leaves URL answers alone', () => {
    const pretty = JSON.stringify({ data: [{ b64_json: png.toString('base64') }] }, null, 2);
    expect(Buffer.from(parseImagesResponse(bytesOf(pretty)).data?.[0]?.decoded ?? [])).toEqual(png);
    const url = parseImagesResponse(bytesOf(JSON.stringify({ data: [{ url: 'https://example.com/a.png' }] })));
    expect(url.data?.[0]).toEqual({ url: 'https://example.com/a.png' });
  });

  it('falls back to a full parse when base64 is JSON-escaped or the key sits elsewhere', () => {
    const escaped = `{"data":[{"b64_json":"${png.toString('base64').replace(/\//g, '\\/')}"}]}`;
    expect(parseImagesResponse(bytesOf(escaped)).data?.[0]?.b64_json).toBe(png.toString('base64'));
    const elsewhere = JSON.stringify({ meta: { b64_json: 'QUJD' }, data: [{ url: 'https://example.com/a.png' }] });
    expect(parseImagesResponse(bytesOf(elsewhere))).toEqual(JSON.parse(elsewhere));
  });

  it('throws on a body that is not JSON', () => {
    expect(() => parseImagesResponse(bytesOf('<html>oops</html>'))).toThrow();
    expect(() => parseImagesResponse(bytesOf('{"data":[{"b64_json":"QUJD'))).toThrow();
  });
});
