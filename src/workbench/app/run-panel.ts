import { GatewayError } from '../../domain/gateway-error.ts';
import { isTerminalStatus, type Generation, type GenerationEvent, type GenerationStatus } from './api-types.ts';
import type { HttpRequest, RunMode } from './build-request.ts';
import type { DarkroomClient } from './darkroom-client.ts';
import { h } from './dom.ts';
import type { EventStream } from './event-stream.ts';
import { formatCost, formatSeconds, resultLabel } from './format.ts';
import { resultTile, type ResultActions } from './result-tile.ts';

type Run = {
  generationId: string | undefined;
  mode: RunMode;
  model: string;
  prompt: string;
  status: GenerationStatus;
  startedAt: number;
  endedAt: number | undefined;
  partials: Map<number, string>;
  images: string[];
  abort: AbortController | undefined;
  view: {
    card: HTMLElement;
    status: HTMLElement;
    elapsed: HTMLElement;
    progress: HTMLElement;
    partials: HTMLElement;
    images: HTMLElement;
    error: HTMLElement;
    warnings: HTMLElement;
    cancel: HTMLButtonElement;
    cost: HTMLElement;
  };
};

const statusLabels: Record<GenerationStatus, string> = {
  queued: 'queued',
  processing: 'processing',
  succeeded: 'done',
  failed: 'failed',
  cancelled: 'cancelled',
};
const pollIntervalMs = 1500;

/** The Results tab: one card per run with live status, elapsed time, partial images, results and cancel. */
export class RunPanel {
  readonly element: HTMLElement;
  private readonly list: HTMLElement;
  private readonly announcer: HTMLElement;
  private readonly runs: Run[] = [];
  /** Events of generations not shown yet: they can arrive before the enqueue answer does. */
  private readonly unclaimed = new Map<string, GenerationEvent[]>();
  private ticker: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly client: DarkroomClient,
    private readonly events: EventStream,
    private readonly actions: ResultActions,
    private readonly onFinished: () => void,
  ) {
    this.list = h('div', { class: 'runs' }, h('p', { class: 'empty' }, 'Results appear here. Write a prompt and press Run (Ctrl+Enter).'));
    this.announcer = h('p', { class: 'visually-hidden', role: 'status', 'aria-live': 'polite' });
    this.element = h('div', { class: 'run-panel' }, this.list, this.announcer);
  }

  /** Submits the request. Errors before a generation exists (validation, auth) are thrown for the form to show. */
  async start(request: HttpRequest, mode: RunMode, prompt: string): Promise<void> {
    const model = String(request.body.model);
    const submittedAt = performance.now();
    if (mode === 'queued') {
      await this.events.ready();
      const ids = await this.client.enqueue(request.body);
      for (const id of ids) {
        const run = this.createRun(mode, model, prompt, id, submittedAt);
        for (const event of this.unclaimed.get(id) ?? []) this.handleEvent(event);
        this.unclaimed.delete(id);
        void this.poll(run);
      }
      return;
    }
    const run = this.createRun(mode, model, prompt, undefined, submittedAt);
    run.abort = new AbortController();
    try {
      const { images, jobId } = await this.client.runSync(request.path, request.body, run.abort.signal);
      run.generationId ??= jobId;
      const format = typeof request.body.output_format === 'string' ? request.body.output_format : 'png';
      const urls = images.images.map((image) => image.url ?? `data:image/${format};base64,${image.b64_json ?? ''}`);
      this.finish(run, 'succeeded', urls, undefined);
      if (run.generationId) void this.showDetails(run, run.generationId);
    } catch (caught) {
      const error = caught instanceof GatewayError ? caught : new GatewayError('internal', String(caught));
      if (error.code === 'cancelled' || run.status === 'cancelled') return this.finish(run, 'cancelled', [], undefined);
      if (!run.generationId && error.status >= 400 && error.status < 500) {
        // Rejected before it became a generation: the form shows the error next to the field.
        this.discard(run);
        throw error;
      }
      this.finish(run, 'failed', [], error.message);
    }
  }

  handleEvent(event: GenerationEvent): void {
    const { data } = event;
    const id = data.generation_id;
    if (!id) return;
    let run = this.runs.find((candidate) => candidate.generationId === id);
    if (!run && (event.event === 'media_generation_queued' || event.event === 'media_generation_started')) {
      // A sync request learns its id only from the response; claim the first unclaimed one of its model.
      run = this.runs.find((candidate) => candidate.mode === 'sync' && !candidate.generationId && !candidate.endedAt && candidate.model === data.model);
      if (run) run.generationId = id;
    }
    if (!run) return this.keepUnclaimed(id, event);
    if (run.endedAt) return;
    switch (event.event) {
      case 'media_generation_started':
        this.setStatus(run, 'processing');
        break;
      case 'media_generation_progress':
        this.setStatus(run, 'processing');
        run.view.progress.textContent = data.message ?? '';
        break;
      case 'media_generation_partial_image':
        this.setStatus(run, 'processing');
        if (data.url) this.addPartial(run, data.index ?? run.partials.size, data.url);
        break;
      case 'media_generation_cancelled':
        this.finish(run, 'cancelled', [], undefined);
        break;
      case 'media_generation_completed':
        // Sync runs show the response's own images (they may be base64); the event only ends queued ones.
        if (run.mode === 'sync') break;
        if (data.status === 'succeeded') this.finish(run, 'succeeded', data.urls ?? (data.url ? [data.url] : []), undefined);
        else this.finish(run, 'failed', [], data.error ?? 'Generation failed');
        if (run.generationId) void this.showDetails(run, run.generationId);
        break;
    }
  }

  private keepUnclaimed(id: string, event: GenerationEvent): void {
    const events = this.unclaimed.get(id) ?? [];
    events.push(event);
    this.unclaimed.set(id, events);
    // Other clients' generations land here too; keep only the most recent few.
    const oldest = this.unclaimed.keys().next().value;
    if (this.unclaimed.size > 100 && oldest !== undefined) this.unclaimed.delete(oldest);
  }

  private createRun(mode: RunMode, model: string, prompt: string, generationId: string | undefined, startedAt: number): Run {
    const cancel = h('button', { type: 'button', class: 'danger', onClick: () => void this.cancel(run) }, 'Cancel');
    const view = {
      status: h('span', { class: 'status status-queued' }, mode === 'sync' ? 'running' : 'queued'),
      elapsed: h('span', { class: 'elapsed', 'aria-label': 'elapsed time' }, '0.0 s'),
      progress: h('p', { class: 'progress' }),
      partials: h('div', { class: 'partials', 'aria-label': 'Partial images' }),
      images: h('div', { class: 'images' }),
      error: h('p', { class: 'error' }),
      warnings: h('ul', { class: 'warnings' }),
      cost: h('span', { class: 'cost' }),
      cancel,
      card: h('article', { class: 'run' }),
    };
    view.card.append(
      h('header', {}, view.status, view.elapsed, h('span', { class: 'model' }, `${model} · ${mode}`), view.cost, cancel),
      h('p', { class: 'prompt' }, prompt),
      view.progress,
      view.partials,
      view.images,
      view.warnings,
      view.error,
    );
    const run: Run = { generationId, mode, model, prompt, status: 'queued', startedAt, endedAt: undefined, partials: new Map(), images: [], abort: undefined, view };
    this.runs.unshift(run);
    this.list.querySelector('.empty')?.remove();
    this.list.prepend(view.card);
    this.startTicker();
    return run;
  }

  private async poll(run: Run): Promise<void> {
    while (!run.endedAt && run.generationId) {
      await new Promise((resolve) => setTimeout(resolve, pollIntervalMs));
      if (run.endedAt) return;
      try {
        this.applyGeneration(run, await this.client.getGeneration(run.generationId));
      } catch {
        // The event stream may still deliver; keep polling.
      }
    }
  }

  private applyGeneration(run: Run, generation: Generation): void {
    if (run.endedAt) return;
    if (isTerminalStatus(generation.status)) {
      this.finish(run, generation.status, generation.result_urls ?? (generation.result_url ? [generation.result_url] : []), generation.error_message ?? undefined);
      this.renderDetails(run, generation);
    } else this.setStatus(run, generation.status);
  }

  private async cancel(run: Run): Promise<void> {
    run.view.cancel.disabled = true;
    run.abort?.abort();
    if (run.generationId) {
      try {
        const answer = await this.client.cancel(run.generationId);
        if (answer.generation_status && answer.generation_status !== 'cancelled') {
          // It finished first: show the real outcome.
          this.applyGeneration(run, await this.client.getGeneration(run.generationId));
          return;
        }
      } catch (error) {
        run.view.error.textContent = error instanceof Error ? error.message : String(error);
      }
    }
    this.finish(run, 'cancelled', [], undefined);
  }

  private setStatus(run: Run, status: GenerationStatus): void {
    if (run.endedAt || run.status === status) return;
    run.status = status;
    run.view.status.textContent = statusLabels[status];
    run.view.status.className = `status status-${status}`;
  }

  private addPartial(run: Run, index: number, url: string): void {
    run.partials.set(index, url);
    run.view.partials.replaceChildren(
      ...[...run.partials.entries()]
        .sort(([left], [right]) => left - right)
        .map(([position, source]) => h('img', { src: source, alt: `Partial image ${position + 1}`, class: 'partial' })),
    );
    run.view.progress.textContent = `${run.partials.size} partial image${run.partials.size === 1 ? '' : 's'}`;
  }

  private finish(run: Run, status: GenerationStatus, urls: string[], error: string | undefined): void {
    if (run.endedAt) return;
    this.setStatus(run, status);
    run.endedAt = performance.now();
    run.view.cancel.hidden = true;
    run.view.elapsed.textContent = formatSeconds(run.endedAt - run.startedAt);
    run.images = urls;
    run.view.images.replaceChildren(...urls.map((url, index) => resultTile(url, resultLabel(run.prompt, index), this.actions)));
    run.view.error.textContent = error ?? '';
    if (status === 'succeeded') run.view.progress.textContent = '';
    this.announcer.textContent = `Generation ${statusLabels[status]}${error ? `: ${error}` : ''}`;
    this.onFinished();
  }

  private discard(run: Run): void {
    run.endedAt = performance.now();
    run.view.card.remove();
    this.runs.splice(this.runs.indexOf(run), 1);
  }

  private async showDetails(run: Run, generationId: string): Promise<void> {
    try {
      this.renderDetails(run, await this.client.getGeneration(generationId));
    } catch {
      // Cost and warnings are extra information; the result is already shown.
    }
  }

  private renderDetails(run: Run, generation: Generation): void {
    run.view.cost.textContent = formatCost(generation) ?? '';
    const warnings = Array.isArray(generation.warnings) ? generation.warnings.map(String) : [];
    run.view.warnings.replaceChildren(...warnings.map((warning) => h('li', {}, warning)));
  }

  private startTicker(): void {
    if (this.ticker) return;
    this.ticker = setInterval(() => {
      const active = this.runs.filter((run) => !run.endedAt);
      for (const run of active) run.view.elapsed.textContent = formatSeconds(performance.now() - run.startedAt);
      if (active.length === 0) {
        clearInterval(this.ticker);
        this.ticker = undefined;
      }
    }, 100);
  }
}
