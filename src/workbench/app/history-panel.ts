import type { JsonValue } from '../../domain/json-value.ts';
import type { Generation } from './api-types.ts';
import type { DarkroomClient } from './darkroom-client.ts';
import { h } from './dom.ts';
import { formatCost, formatSeconds, formatTimestamp, resultLabel } from './format.ts';
import { resultTile, type ResultActions } from './result-tile.ts';

const pageSize = 10;
/** Generation fields that are not submitted parameters. */
const bookkeeping = new Set([
  'generation_id', 'model_name', 'prompt', 'media_type', 'status', 'result_url', 'result_urls', 'error_message',
  'enqueued_at', 'started_at', 'completed_at', 'engine', 'warnings', 'cost', 'price', 'cost_usd', 'usage',
]);

/** The submitted parameters a history entry echoes (inline images are redacted by the server). */
export function generationParameters(generation: Generation): Record<string, JsonValue> {
  const parameters: Record<string, JsonValue> = {};
  for (const [name, value] of Object.entries(generation)) if (!bookkeeping.has(name) && value !== undefined) parameters[name] = value;
  return parameters;
}

export type HistoryActions = ResultActions & { rerun: (generation: Generation) => void };

/** The key's generations, newest first, paged with `before=`; each can be reopened, downloaded or re-run. */
export class HistoryPanel {
  readonly element: HTMLElement;
  private readonly list: HTMLOListElement;
  private readonly more: HTMLButtonElement;
  private readonly status: HTMLElement;
  private oldestId: string | undefined;
  private loading = false;

  constructor(
    private readonly client: DarkroomClient,
    private readonly actions: HistoryActions,
  ) {
    this.list = h('ol', { class: 'history', 'aria-label': 'Generations, newest first' });
    this.more = h('button', { type: 'button', hidden: true, onClick: () => void this.load(false) }, 'Load older generations');
    this.status = h('p', { class: 'help', role: 'status' });
    this.element = h(
      'div',
      { class: 'history-panel' },
      h('div', { class: 'panel-toolbar' }, h('button', { type: 'button', onClick: () => void this.refresh() }, 'Refresh')),
      this.status,
      this.list,
      this.more,
    );
  }

  refresh(): Promise<void> {
    return this.load(true);
  }

  private async load(reset: boolean): Promise<void> {
    if (this.loading) return;
    this.loading = true;
    this.status.textContent = 'Loading…';
    try {
      const generations = await this.client.listGenerations({ status: 'all', limit: pageSize, ...(reset || !this.oldestId ? {} : { before: this.oldestId }) });
      if (reset) this.list.replaceChildren();
      this.list.append(...generations.map((generation) => this.entry(generation)));
      this.oldestId = generations.at(-1)?.generation_id ?? (reset ? undefined : this.oldestId);
      this.more.hidden = generations.length < pageSize;
      this.status.textContent = this.list.childElementCount === 0 ? 'No generations yet.' : '';
    } catch (error) {
      this.status.textContent = `Could not load the history: ${error instanceof Error ? error.message : String(error)}`;
    } finally {
      this.loading = false;
    }
  }

  private entry(generation: Generation): HTMLElement {
    const parameters = generationParameters(generation);
    const duration = generation.completed_at && generation.enqueued_at ? formatSeconds((generation.completed_at - generation.enqueued_at) * 1000) : undefined;
    const cost = formatCost(generation);
    const urls = generation.result_urls ?? (generation.result_url ? [generation.result_url] : []);
    return h(
      'li',
      { class: 'history-entry', 'data-generation-id': generation.generation_id },
      h(
        'header',
        {},
        h('span', { class: `status status-${generation.status}` }, generation.status),
        h('span', { class: 'model' }, generation.model_name),
        h('time', {}, formatTimestamp(generation.enqueued_at)),
        duration ? h('span', { class: 'elapsed' }, duration) : null,
        cost ? h('span', { class: 'cost' }, cost) : null,
      ),
      h('p', { class: 'prompt' }, generation.prompt),
      h(
        'ul',
        { class: 'chips', 'aria-label': 'Parameters' },
        Object.entries(parameters).map(([name, value]) => h('li', {}, h('span', { class: 'chip-name' }, name), ' ', describeValue(value))),
      ),
      generation.error_message ? h('p', { class: 'error' }, generation.error_message) : null,
      Array.isArray(generation.warnings) ? h('ul', { class: 'warnings' }, generation.warnings.map((warning) => h('li', {}, String(warning)))) : null,
      h('div', { class: 'images' }, urls.map((url, index) => resultTile(url, resultLabel(generation.prompt, index), this.actions))),
      h('div', { class: 'entry-actions' }, h('button', { type: 'button', onClick: () => this.actions.rerun(generation) }, 'Re-run with edits')),
    );
  }
}

function describeValue(value: JsonValue): string {
  if (Array.isArray(value)) return value.length === 1 ? shorten(String(value[0])) : `${value.length} items`;
  if (typeof value === 'string') return shorten(value);
  return JSON.stringify(value);
}

const shorten = (text: string) => (text.startsWith('data:') ? 'inline image' : text.length > 48 ? `${text.slice(0, 45)}…` : text);
