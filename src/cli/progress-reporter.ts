import type { GenerationStatus } from '../workbench/app/api-types.ts';

export type GenerationProgress = { generationId: string; status: GenerationStatus; partialImages: number };

export type OutputStream = { isTTY?: boolean; write(chunk: string): unknown };

const spinnerFrames = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/** `processing · 2.3 s · 1 partial image`, or for several generations `2 generations: 1 processing, 1 queued · …`. */
export function formatProgress(generations: GenerationProgress[], elapsedMs: number): string {
  const elapsed = `${(elapsedMs / 1000).toFixed(1)} s`;
  const partials = generations.reduce((sum, generation) => sum + generation.partialImages, 0);
  const partialText = partials > 0 ? ` · ${partials} partial image${partials === 1 ? '' : 's'}` : '';
  const [only] = generations;
  if (generations.length === 1 && only) return `${only.generationId.slice(0, 8)} ${only.status} · ${elapsed}${partialText}`;
  const counts = new Map<string, number>();
  for (const generation of generations) counts.set(generation.status, (counts.get(generation.status) ?? 0) + 1);
  const summary = [...counts].map(([status, count]) => `${count} ${status}`).join(', ');
  return `${generations.length} generations: ${summary} · ${elapsed}${partialText}`;
}

/**
 * Progress on stderr while a command waits. On a terminal: one spinner line redrawn in place. Otherwise
 * (pipes, CI logs): a plain line each time the status changes, no escape codes. Disabled for `--json`.
 */
export class ProgressReporter {
  private readonly startedAt = performance.now();
  private generations: GenerationProgress[] = [];
  private timer: ReturnType<typeof setInterval> | undefined;
  private frame = 0;
  private lastPlain = '';

  constructor(
    private readonly stream: OutputStream,
    private readonly enabled: boolean,
  ) {
    if (enabled && stream.isTTY) {
      stream.write('\x1b[?25l');
      this.timer = setInterval(() => this.draw(), 80);
      this.timer.unref();
    }
  }

  update(generations: GenerationProgress[]): void {
    this.generations = generations;
    if (!this.enabled) return;
    if (this.stream.isTTY) return this.draw();
    // Plain mode prints on change only; the elapsed time would make every line differ.
    const key = generations.map((generation) => `${generation.status}:${generation.partialImages}`).join(',');
    if (key === this.lastPlain) return;
    this.lastPlain = key;
    this.stream.write(`darkroom: ${formatProgress(generations, this.elapsed())}\n`);
  }

  /** Clears the spinner line; the caller prints the outcome. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (this.enabled && this.stream.isTTY) this.stream.write('\r\x1b[2K\x1b[?25h');
  }

  elapsed(): number {
    return performance.now() - this.startedAt;
  }

  private draw(): void {
    if (this.generations.length === 0) return;
    this.frame = (this.frame + 1) % spinnerFrames.length;
    this.stream.write(`\r\x1b[2K${spinnerFrames[this.frame]} ${formatProgress(this.generations, this.elapsed())}`);
  }
}
