import { isTerminalStatus, type Generation, type GenerationEvent } from '../workbench/app/api-types.ts';
import type { DarkroomClient } from '../workbench/app/darkroom-client.ts';
import type { GenerationProgress } from './progress-reporter.ts';

const pollIntervalMs = 1000;

/**
 * Follows generations to their end: live from `/api/events` (opened before submitting, so no event is
 * missed) with polling as the safety net for proxies that buffer streams or servers without events.
 */
export class GenerationWatcher {
  private readonly progress = new Map<string, GenerationProgress>();
  /** Events for ids not being waited on yet (they may arrive before the submit answer). */
  private readonly early: GenerationEvent[] = [];
  private watching = false;
  private onChange: (() => void) | undefined;

  private constructor(
    private readonly client: DarkroomClient,
    private readonly controller: AbortController,
  ) {}

  /** Opens the event stream; a server whose stream cannot be opened is still followed by polling. */
  static async open(client: DarkroomClient): Promise<GenerationWatcher> {
    const watcher = new GenerationWatcher(client, new AbortController());
    try {
      const { ended } = await client.streamEvents((event) => watcher.onEvent(event), { signal: watcher.controller.signal });
      ended.catch(() => undefined);
    } catch {
      // Polling alone still finishes the job.
    }
    return watcher;
  }

  /** Resolves with the final generation objects once every id is succeeded, failed or cancelled. */
  async wait(ids: string[], onUpdate: (progress: GenerationProgress[]) => void): Promise<Generation[]> {
    for (const id of ids) this.progress.set(id, { generationId: id, status: 'queued', partialImages: 0 });
    this.watching = true;
    const report = () => onUpdate(ids.map((id) => this.progress.get(id)).filter((entry) => entry !== undefined));
    for (const event of this.early.splice(0)) this.onEvent(event);
    report();
    let wake: (() => void) | undefined;
    this.onChange = () => {
      report();
      wake?.();
    };
    while (!ids.every((id) => isTerminalStatus(this.progress.get(id)?.status ?? 'queued'))) {
      // Woken early by events; polls only when a full interval passed without one.
      const timedOut = await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(true), pollIntervalMs);
        wake = () => {
          clearTimeout(timer);
          resolve(false);
        };
      });
      wake = undefined;
      if (timedOut) {
        await this.poll(ids);
        report();
      }
    }
    return Promise.all(ids.map((id) => this.client.getGeneration(id)));
  }

  close(): void {
    this.controller.abort();
  }

  private async poll(ids: string[]): Promise<void> {
    await Promise.all(
      ids
        .filter((id) => !isTerminalStatus(this.progress.get(id)?.status ?? 'queued'))
        .map(async (id) => {
          try {
            const generation = await this.client.getGeneration(id);
            const entry = this.progress.get(id);
            if (entry) entry.status = generation.status;
          } catch {
            // A failed poll is retried on the next tick; events may still arrive.
          }
        }),
    );
  }

  private onEvent(event: GenerationEvent): void {
    const id = event.data.generation_id;
    if (!id) return;
    const entry = this.progress.get(id);
    if (!entry) {
      if (!this.watching && this.early.length < 1000) this.early.push(event);
      return;
    }
    if (isTerminalStatus(entry.status)) return;
    switch (event.event) {
      case 'media_generation_started':
      case 'media_generation_progress':
        entry.status = 'processing';
        break;
      case 'media_generation_partial_image':
        entry.status = 'processing';
        entry.partialImages += 1;
        break;
      case 'media_generation_completed':
        entry.status = event.data.status === 'succeeded' ? 'succeeded' : 'failed';
        break;
      case 'media_generation_cancelled':
        entry.status = 'cancelled';
        break;
      default:
        return;
    }
    this.onChange?.();
  }
}
