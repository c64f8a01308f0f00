import { GatewayError } from '../../domain/gateway-error.ts';
import { ApiPanel } from './api-panel.ts';
import type { Generation } from './api-types.ts';
import { ComparePanel } from './compare-panel.ts';
import { CompareSelection } from './compare-selection.ts';
import { Composer } from './composer.ts';
import { DarkroomClient } from './darkroom-client.ts';
import { h, replaceChildren } from './dom.ts';
import { EventStream, type StreamState } from './event-stream.ts';
import { HistoryPanel } from './history-panel.ts';
import { KeyDialog, storedKey } from './key-dialog.ts';
import { RunPanel } from './run-panel.ts';
import { Tabs } from './tabs.ts';

/** Wires the Workbench together: one client, one event stream, the composer on the left, tabs on the right. */
function startWorkbench(root: HTMLElement): void {
  const keyButton = h('button', { type: 'button', class: 'key-button', onClick: () => void keyDialog.ask('Enter an API key for this server.') });
  const updateKeyButton = () => (keyButton.textContent = storedKey.get() ? 'API key: set' : 'API key: none');
  const keyDialog = new KeyDialog(() => {
    updateKeyButton();
    events.stop();
    events.start();
    void history.refresh();
  });
  const client = new DarkroomClient({
    baseUrl: '',
    apiKey: storedKey.get,
    onUnauthorized: (message) => keyDialog.ask(message),
  });
  const connection = h('span', { class: 'connection', role: 'status' }, 'connecting…');
  const showConnection = (state: StreamState) => {
    connection.textContent = { connecting: 'connecting…', live: 'live', reconnecting: 'reconnecting…', stopped: 'offline' }[state];
    connection.dataset.state = state;
  };
  const events = new EventStream(client, (event) => runs.handleEvent(event), showConnection);

  const selection = new CompareSelection();
  const resultActions = {
    selection,
    useAsInput: (url: string) => {
      void composer.useAsInput(url);
    },
  };
  const runs = new RunPanel(client, events, resultActions, () => {
    if (tabs.selected === 'history') void history.refresh();
  });
  const history = new HistoryPanel(client, {
    ...resultActions,
    rerun: (generation: Generation) => {
      void composer.loadGeneration(generation);
    },
  });
  const compare = new ComparePanel(selection);
  const api = new ApiPanel(location.origin);
  const tabs = new Tabs(
    'Output',
    [
      { id: 'results', label: 'Results', panel: runs.element },
      { id: 'history', label: 'History', panel: history.element },
      { id: 'compare', label: 'Compare', panel: compare.element },
      { id: 'api', label: 'API', panel: api.element },
    ],
    (id) => {
      if (id === 'history') void history.refresh();
    },
  );
  selection.subscribe(() => tabs.setLabel('compare', `Compare (${selection.list().length})`));

  const composer = new Composer({
    onFormChange: (form) => api.update(form),
    onRun: async (request, form) => {
      tabs.select('results');
      await runs.start(request, form.mode, form.prompt);
    },
  });

  updateKeyButton();
  replaceChildren(
    root,
    h(
      'header',
      { class: 'topbar' },
      h('h1', {}, 'darkroom ', h('span', {}, 'Workbench')),
      connection,
      h('a', { href: '/api/ai/models', class: 'subtle', target: '_blank', rel: 'noopener' }, 'Models JSON'),
      keyButton,
    ),
    h('main', { class: 'layout' }, composer.element, h('section', { class: 'output', 'aria-label': 'Output' }, tabs.element)),
    keyDialog.element,
  );

  const load = async () => {
    try {
      const models = await client.listModels();
      composer.setModels(models, new URLSearchParams(location.search).get('model') ?? undefined);
      root.setAttribute('aria-busy', 'false');
      events.start();
    } catch (error) {
      const message = error instanceof GatewayError || error instanceof Error ? error.message : String(error);
      composer.showError(`Could not load the models: ${message}`);
      composer.element.append(h('button', { type: 'button', onClick: () => void load() }, 'Retry'));
    }
  };
  void load();
}

const root = document.getElementById('workbench');
if (root) startWorkbench(root);
