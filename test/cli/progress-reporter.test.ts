import { describe, expect, it } from 'vitest';
import { formatProgress, ProgressReporter } from '../../src/cli/progress-reporter.ts';

const recorder = (isTTY: boolean) => {
  const chunks: string[] = [];
  return { stream: { isTTY, write: (chunk: string) => chunks.push(chunk) }, chunks };
};

describe('formatProgress', () => {
  it('shows one generation\'s status, elapsed time and partial images', () => {
    expect(formatProgress([{ generationId: '0123456789abcdef', status: 'processing', partialImages: 0 }], 2345)).toBe('01234567 processing · 2.3 s');
    expect(formatProgress([{ generationId: '0123456789abcdef', status: 'processing', partialImages: 1 }], 500)).toBe('01234567 processing · 0.5 s · 1 partial image');
  });

  it('summarises several generations by status', () => {
    const text = formatProgress(
      [
        { generationId: 'a', status: 'processing', partialImages: 2 },
        { generationId: 'b', status: 'queued', partialImages: 0 },
        { generationId: 'c', status: 'processing', partialImages: 1 },
      ],
      1000,
    );
    expect(text).toBe('3 generations: 2 processing, 1 queued · 1.0 s · 3 partial images');
  });
});

describe('ProgressReporter', () => {
  it('prints a plain line per change without escape codes when not on a terminal', () => {
    const { stream, chunks } = recorder(false);
    const reporter = new ProgressReporter(stream, true);
    reporter.update([{ generationId: 'abcdef012345', status: 'queued', partialImages: 0 }]);
    reporter.update([{ generationId: 'abcdef012345', status: 'queued', partialImages: 0 }]);
    reporter.update([{ generationId: 'abcdef012345', status: 'processing', partialImages: 1 }]);
    reporter.stop();
    expect(chunks).toHaveLength(2);
    expect(chunks[0]).toMatch(/^darkroom: abcdef01 queued · \d+\.\d s\n$/);
    expect(chunks[1]).toMatch(/^darkroom: abcdef01 processing · \d+\.\d s · 1 partial image\n$/);
    expect(chunks.join('')).not.toContain('\x1b');
  });

  it('redraws one line in place on a terminal and restores the cursor', () => {
    const { stream, chunks } = recorder(true);
    const reporter = new ProgressReporter(stream, true);
    reporter.update([{ generationId: 'abcdef012345', status: 'processing', partialImages: 0 }]);
    reporter.stop();
    expect(chunks[0]).toBe('\x1b[?25l');
    expect(chunks[1]?.startsWith('\r\x1b[2K')).toBe(true);
    expect(chunks[1]?.slice('\r\x1b[2K'.length)).toMatch(/^. abcdef01 processing · \d+\.\d s$/);
    expect(chunks.at(-1)).toBe('\r\x1b[2K\x1b[?25h');
  });

  it('stays silent when disabled (--json)', () => {
    const { stream, chunks } = recorder(true);
    const reporter = new ProgressReporter(stream, false);
    reporter.update([{ generationId: 'abcdef012345', status: 'processing', partialImages: 0 }]);
    reporter.stop();
    expect(chunks).toEqual([]);
  });
});
