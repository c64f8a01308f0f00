import { describe, expect, it } from 'vitest';
import { parseUpstreamPath } from './fake-openai-upstream.ts';

describe('parseUpstreamPath', () => {
  it('reads the answer form, delay, jitter and hold from the base URL prefix', () => {
    expect(parseUpstreamPath('/v1/images/generations', 7)).toEqual({ mode: { form: 'url', delayMs: 7, jitterMs: 0, hold: false }, apiPath: '/v1/images/generations' });
    expect(parseUpstreamPath('/b64/v1/images/edits', 0)?.mode.form).toBe('b64');
    expect(parseUpstreamPath('/url-delay120000-jitter500/v1/images/generations', 0)?.mode).toEqual({ form: 'url', delayMs: 120_000, jitterMs: 500, hold: false });
    expect(parseUpstreamPath('/url-hold/v1/images/generations', 0)?.mode.hold).toBe(true);
  });

  it('refuses unknown modes and paths outside the two image endpoints', () => {
    expect(parseUpstreamPath('/slow/v1/images/generations', 0)).toBeUndefined();
    expect(parseUpstreamPath('/v1/chat/completions', 0)).toBeUndefined();
    expect(parseUpstreamPath('/files/tiny.png', 0)).toBeUndefined();
  });
});
