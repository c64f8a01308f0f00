import { GatewayError } from '../../domain/gateway-error.ts';
import type { Generation, ModelInfo } from './api-types.ts';
import { oxenRequest, type HttpRequest, type RunMode, type WorkbenchForm } from './build-request.ts';
import { h, uniqueId } from './dom.ts';
import { generationParameters } from './history-panel.ts';
import { InputImages } from './input-images.ts';
import { MaskPainter } from './mask-painter.ts';
import { ParameterForm } from './parameter-form.ts';
import { describeRequestSchema, type RequestForm } from './schema-fields.ts';

export type ComposerOptions = {
  onFormChange: (form: WorkbenchForm) => void;
  /** Sends the request; rejects with a GatewayError the composer shows beside the field it names. */
  onRun: (request: HttpRequest, form: WorkbenchForm) => Promise<void>;
};

/** The request form: model, prompt, input images, mask, generated parameters, run mode. */
export class Composer {
  readonly element: HTMLFormElement;
  private models: ModelInfo[] = [];
  private model: ModelInfo | undefined;
  private requestForm: RequestForm = describeRequestSchema(undefined);
  private readonly modelSelect: HTMLSelectElement;
  private readonly description: HTMLElement;
  private readonly notice: HTMLElement;
  private readonly prompt: HTMLTextAreaElement;
  private readonly promptHelp: HTMLElement;
  private readonly inputs: InputImages;
  private readonly mask: MaskPainter;
  private readonly parameters: ParameterForm;
  private readonly generations: HTMLInputElement;
  private readonly generationsRow: HTMLElement;
  private readonly error: HTMLElement;
  private mode: RunMode = 'queued';
  private scheduled = false;

  constructor(private readonly options: ComposerOptions) {
    const changed = () => this.scheduleChange();
    const modelId = uniqueId('model');
    const promptId = uniqueId('prompt');
    const generationsId = uniqueId('generations');
    this.modelSelect = h('select', { id: modelId, onChange: () => this.selectModel(this.modelSelect.value) });
    this.description = h('p', { class: 'help model-description' });
    this.notice = h('p', { class: 'notice', hidden: true });
    this.promptHelp = h('p', { class: 'help', id: `${promptId}-help` });
    this.prompt = h('textarea', { id: promptId, name: 'prompt', rows: 4, required: true, 'aria-describedby': `${promptId}-help`, placeholder: 'A lighthouse at dusk, or for edits: make it black and white', onInput: changed });
    this.inputs = new InputImages(changed);
    this.mask = new MaskPainter(changed);
    this.parameters = new ParameterForm(changed);
    this.generations = h('input', { id: generationsId, type: 'number', min: 1, max: 4, value: '1', onInput: changed });
    this.generationsRow = h('span', { class: 'generations' }, h('label', { for: generationsId }, 'Generations'), this.generations);
    this.error = h('div', { class: 'form-error', role: 'alert' });
    const modeName = uniqueId('mode');
    const modeOption = (value: RunMode, label: string, help: string) => {
      const id = uniqueId(modeName);
      return [
        h('input', { type: 'radio', name: modeName, id, value, checked: value === this.mode, onChange: () => this.setMode(value) }),
        h('label', { for: id, title: help }, label),
      ];
    };
    this.element = h(
      'form',
      { class: 'composer', 'aria-label': 'Request', novalidate: true },
      h('div', { class: 'field' }, h('label', { for: modelId }, 'Model'), this.modelSelect, this.description, this.notice),
      h('div', { class: 'field' }, h('label', { for: promptId }, 'Prompt'), this.prompt, this.promptHelp),
      this.inputs.element,
      this.mask.element,
      h('details', { class: 'parameters-section', open: true }, h('summary', {}, 'Parameters'), this.parameters.element),
      h(
        'div',
        { class: 'run-row' },
        h(
          'fieldset',
          { class: 'segmented' },
          h('legend', { class: 'visually-hidden' }, 'Run mode'),
          modeOption('queued', 'Queued', 'POST /api/ai/queue, live status from /api/events'),
          modeOption('sync', 'Sync', 'POST /api/ai/images/generate|edit, waits for the images'),
        ),
        this.generationsRow,
        h('button', { type: 'submit', class: 'primary run-button' }, 'Run'),
      ),
      h('p', { class: 'help shortcut' }, 'Ctrl+Enter runs from anywhere in the form.'),
      this.error,
    );
    this.element.addEventListener('submit', (event) => {
      event.preventDefault();
      this.run();
    });
    this.element.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        this.run();
      }
    });
  }

  setModels(models: ModelInfo[], preferred: string | undefined): void {
    this.models = models;
    this.modelSelect.replaceChildren(...models.map((model) => h('option', { value: model.id }, model.display_name ? `${model.display_name} (${model.id})` : model.id)));
    const initial = models.find((model) => model.id === preferred) ?? models.find((model) => model.id === 'gpt-image-2') ?? models[0];
    if (initial) this.selectModel(initial.id);
  }

  currentForm(): WorkbenchForm {
    const first = this.inputs.images[0];
    const maskable = this.requestForm.mask !== undefined && this.inputs.images.length > 0;
    return {
      model: this.model?.id ?? '',
      prompt: this.prompt.value.trim(),
      parameters: this.parameters.values(),
      inputImages: this.inputs.sources(),
      firstImageSize: first?.width && first.height ? { width: first.width, height: first.height } : undefined,
      mask: maskable ? this.mask.whiteEdits() : undefined,
      alphaMask: maskable ? this.mask.alphaEdits() : undefined,
      editOnly: this.model?.endpoint === '/images/edit' || this.requestForm.inputImages?.required === true,
      mode: this.mode,
      generations: Math.min(4, Math.max(1, Math.round(Number(this.generations.value) || 1))),
    };
  }

  async useAsInput(url: string): Promise<void> {
    if (!this.requestForm.inputImages) {
      const editor = this.models.find((model) => describeRequestSchema(model.request_schema).inputImages);
      if (editor) this.selectModel(editor.id);
    }
    await this.inputs.add(url, 'result');
    this.inputs.element.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
  }

  /** Loads a past generation into the form so it can be edited and run again. */
  async loadGeneration(generation: Generation): Promise<void> {
    if (this.models.some((model) => model.id === generation.model_name)) this.selectModel(generation.model_name);
    this.prompt.value = generation.prompt;
    const { input_image: inputImage, num_generations: count, ...parameters } = generationParameters(generation);
    this.parameters.setValues(parameters);
    this.generations.value = String(typeof count === 'number' ? count : 1);
    const sources = inputImage === undefined ? [] : Array.isArray(inputImage) ? inputImage.map(String) : [String(inputImage)];
    // The server keeps inline images out of history (`data:image/png;base64,…`): those cannot be restored.
    const restorable = sources.every((source) => !source.startsWith('data:'));
    if (restorable) await this.inputs.setSources(sources);
    this.showError(restorable ? '' : 'Uploaded input images are not stored in history: the current input images were kept.');
    this.prompt.focus();
    this.scheduleChange();
  }

  showError(message: string, field?: string): void {
    this.error.textContent = message;
    const onPrompt = field === 'prompt';
    this.prompt.toggleAttribute('aria-invalid', onPrompt && message !== '');
    if (onPrompt) this.prompt.focus();
    else if (!this.parameters.showError(field, message) && field?.startsWith('input_image')) this.inputs.element.scrollIntoView({ block: 'nearest' });
  }

  private selectModel(modelId: string): void {
    const model = this.models.find((candidate) => candidate.id === modelId);
    if (!model) return;
    this.model = model;
    this.modelSelect.value = model.id;
    this.requestForm = describeRequestSchema(model.request_schema);
    this.description.textContent = model.description ?? '';
    this.notice.textContent = model.notice ?? '';
    this.notice.hidden = !model.notice;
    this.promptHelp.textContent = this.requestForm.prompt?.description ?? '';
    if (this.requestForm.prompt?.maxLength) this.prompt.maxLength = this.requestForm.prompt.maxLength;
    this.inputs.element.hidden = !this.requestForm.inputImages;
    if (this.requestForm.inputImages) this.inputs.configure(this.requestForm.inputImages);
    this.mask.element.hidden = !this.requestForm.mask;
    this.parameters.setFields(this.requestForm.fields);
    const url = new URL(location.href);
    url.searchParams.set('model', model.id);
    history.replaceState(null, '', url);
    this.scheduleChange();
  }

  private setMode(mode: RunMode): void {
    this.mode = mode;
    this.generationsRow.hidden = mode !== 'queued';
    this.scheduleChange();
  }

  private run(): void {
    const form = this.currentForm();
    this.showError('');
    if (!form.prompt) return this.showError('Write a prompt first.', 'prompt');
    if (form.editOnly && form.inputImages.length === 0) return this.showError(`${form.model} edits images: add at least one input image.`, 'input_image');
    const button = this.element.querySelector<HTMLButtonElement>('.run-button');
    if (button) button.disabled = true;
    // Re-enabled once the server accepted the request (queued) or answered (sync).
    const submitted = this.options.onRun(oxenRequest(form), form);
    const enable = () => {
      if (button) button.disabled = false;
    };
    if (form.mode === 'sync') setTimeout(enable, 300);
    submitted
      .catch((error: unknown) => {
        const gatewayError = error instanceof GatewayError ? error : undefined;
        this.showError(gatewayError?.message ?? String(error), gatewayError?.field);
      })
      .finally(enable);
  }

  /** Coalesces change notifications to one per frame (mask export and snippets are not free). */
  private scheduleChange(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    requestAnimationFrame(() => {
      this.scheduled = false;
      this.mask.setImage(this.inputs.images[0]);
      this.options.onFormChange(this.currentForm());
    });
  }
}
