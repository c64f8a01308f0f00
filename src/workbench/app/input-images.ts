import { h, uniqueId } from './dom.ts';

export type InputImage = {
  id: string;
  /** A data URI (uploaded, pasted) or an http(s) URL (typed, or a result reused as input). */
  source: string;
  name: string;
  width: number | undefined;
  height: number | undefined;
};

const acceptedTypes = ['image/png', 'image/jpeg', 'image/webp'];
const reorderType = 'application/x-darkroom-input-index';

/** Input images from drag and drop, the clipboard, a file picker or a URL: thumbnails, reorder, remove. */
export class InputImages {
  readonly element: HTMLElement;
  images: InputImage[] = [];
  private readonly list: HTMLOListElement;
  private readonly status: HTMLElement;
  private readonly help: HTMLElement;
  private maxItems = 16;

  constructor(private readonly onChange: () => void) {
    const headingId = uniqueId('inputs-heading');
    const fileInput = h('input', {
      type: 'file',
      multiple: true,
      accept: acceptedTypes.join(','),
      class: 'visually-hidden',
      tabindex: -1,
      'aria-hidden': 'true',
      'data-testid': 'file-input',
      onChange: () => {
        void this.addFiles(Array.from(fileInput.files ?? []));
        fileInput.value = '';
      },
    });
    const urlInput = h('input', { type: 'url', id: uniqueId('image-url'), placeholder: 'https://example.com/photo.png', inputmode: 'url' });
    const addUrl = () => {
      const url = urlInput.value.trim();
      if (!/^https?:\/\//i.test(url) && !url.startsWith('data:image/')) {
        this.announce('Enter an http(s) URL of a png, jpeg or webp image.');
        return;
      }
      void this.add(url, url.split('/').pop()?.split('?')[0] || 'image');
      urlInput.value = '';
    };
    const dropZone = h(
      'div',
      { class: 'drop-zone', tabindex: 0, role: 'button', 'aria-describedby': `${headingId}-help`, onClick: () => fileInput.click() },
      h('strong', {}, 'Drop images here'),
      h('span', {}, ', paste them (Ctrl+V) or '),
      h('span', { class: 'link' }, 'choose files'),
    );
    dropZone.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' || event.key === ' ') {
        event.preventDefault();
        fileInput.click();
      }
    });
    for (const target of [dropZone]) {
      target.addEventListener('dragover', (event) => {
        event.preventDefault();
        target.classList.add('dragging');
      });
      target.addEventListener('dragleave', () => target.classList.remove('dragging'));
      target.addEventListener('drop', (event) => {
        event.preventDefault();
        target.classList.remove('dragging');
        void this.addFromTransfer(event.dataTransfer);
      });
    }
    this.list = h('ol', { class: 'thumbnails', 'aria-label': 'Input images, in order' });
    this.status = h('p', { class: 'visually-hidden', role: 'status' });
    this.help = h('p', { class: 'help', id: `${headingId}-help` });
    this.element = h(
      'section',
      { class: 'inputs', 'aria-labelledby': headingId },
      h('h2', { id: headingId }, 'Input images'),
      this.help,
      dropZone,
      fileInput,
      h(
        'div',
        { class: 'url-row' },
        h('label', { for: urlInput.id }, 'Image URL'),
        urlInput,
        h('button', { type: 'button', onClick: addUrl }, 'Add URL'),
      ),
      this.list,
      this.status,
    );
    urlInput.addEventListener('keydown', (event) => {
      if (event.key === 'Enter') {
        event.preventDefault();
        addUrl();
      }
    });
    document.addEventListener('paste', (event) => void this.onPaste(event));
  }

  configure(options: { description: string | undefined; required: boolean; maxItems: number }): void {
    this.maxItems = options.maxItems;
    this.help.textContent = `${options.required ? 'Required. ' : 'Optional: add images to edit them. '}${options.description ?? ''} The mask applies to the first image.`;
  }

  sources(): string[] {
    return this.images.map((image) => image.source);
  }

  async addFiles(files: File[]): Promise<void> {
    const images = files.filter((file) => acceptedTypes.includes(file.type));
    if (images.length < files.length) this.announce('Only png, jpeg and webp images can be added.');
    for (const file of images) await this.add(await readAsDataUri(file), file.name);
  }

  async add(source: string, name: string): Promise<void> {
    if (this.images.length >= this.maxItems) {
      this.announce(`This model takes at most ${this.maxItems} images.`);
      return;
    }
    const image: InputImage = { id: uniqueId('input'), source, name, width: undefined, height: undefined };
    this.images.push(image);
    this.render();
    const size = await measure(source);
    image.width = size?.width;
    image.height = size?.height;
    this.announce(`Added ${name}${size ? ` (${size.width}×${size.height})` : ''}.`);
    this.render();
  }

  /** Replaces all inputs (re-run from history). */
  async setSources(sources: string[]): Promise<void> {
    this.images = [];
    for (const source of sources) await this.add(source, source.startsWith('data:') ? 'image' : (source.split('/').pop()?.split('?')[0] ?? 'image'));
    this.render();
  }

  remove(id: string): void {
    const index = this.images.findIndex((image) => image.id === id);
    if (index < 0) return;
    const [removed] = this.images.splice(index, 1);
    this.announce(`Removed ${removed?.name ?? 'image'}.`);
    this.render();
  }

  move(from: number, to: number): void {
    if (to < 0 || to >= this.images.length || from === to) return;
    const [moved] = this.images.splice(from, 1);
    if (!moved) return;
    this.images.splice(to, 0, moved);
    this.announce(`Moved ${moved.name} to position ${to + 1}.`);
    this.render();
  }

  private async onPaste(event: ClipboardEvent): Promise<void> {
    const files = Array.from(event.clipboardData?.files ?? []).filter((file) => file.type.startsWith('image/'));
    if (files.length > 0) {
      event.preventDefault();
      await this.addFiles(files);
      return;
    }
    // A pasted image URL counts too, unless the user is typing into a field.
    const target = event.target as HTMLElement | null;
    const editing = target?.closest('input, textarea, [contenteditable]');
    const text = event.clipboardData?.getData('text/plain').trim() ?? '';
    if (!editing && /^https?:\/\/\S+$/i.test(text)) {
      event.preventDefault();
      await this.add(text, text.split('/').pop() ?? 'image');
    }
  }

  private async addFromTransfer(transfer: DataTransfer | null): Promise<void> {
    if (!transfer || transfer.types.includes(reorderType)) return;
    const files = Array.from(transfer.files);
    if (files.length > 0) return this.addFiles(files);
    const url = transfer.getData('text/uri-list').split('\n').find((line) => line && !line.startsWith('#')) ?? transfer.getData('text/plain');
    if (url && /^(https?:|data:image\/)/i.test(url.trim())) await this.add(url.trim(), url.split('/').pop()?.split('?')[0] ?? 'image');
  }

  private render(): void {
    const count = this.images.length;
    this.list.replaceChildren(
      ...this.images.map((image, index) => {
        const item = h(
          'li',
          { class: 'thumbnail', draggable: 'true', 'data-index': index },
          h('img', { src: image.source, alt: `Input ${index + 1}: ${image.name}`, loading: 'lazy', decoding: 'async' }),
          h('span', { class: 'badge' }, String(index + 1)),
          h('span', { class: 'dimensions' }, image.width ? `${image.width}×${image.height}` : ''),
          h(
            'div',
            { class: 'thumbnail-actions' },
            h('button', { type: 'button', 'aria-label': `Move input ${index + 1} earlier`, disabled: index === 0, onClick: () => this.move(index, index - 1) }, '←'),
            h('button', { type: 'button', 'aria-label': `Move input ${index + 1} later`, disabled: index === count - 1, onClick: () => this.move(index, index + 1) }, '→'),
            h('button', { type: 'button', class: 'danger', 'aria-label': `Remove input ${index + 1}`, onClick: () => this.remove(image.id) }, '×'),
          ),
        );
        item.addEventListener('dragstart', (event) => event.dataTransfer?.setData(reorderType, String(index)));
        item.addEventListener('dragover', (event) => {
          if (event.dataTransfer?.types.includes(reorderType)) event.preventDefault();
        });
        item.addEventListener('drop', (event) => {
          const from = Number(event.dataTransfer?.getData(reorderType));
          if (Number.isInteger(from)) {
            event.preventDefault();
            this.move(from, index);
          }
        });
        return item;
      }),
    );
    this.onChange();
  }

  private announce(message: string): void {
    this.status.textContent = message;
  }
}

function readAsDataUri(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.onerror = () => reject(reader.error ?? new Error(`Could not read ${file.name}`));
    reader.readAsDataURL(file);
  });
}

/** Natural size of an image (cross-origin images can be measured, just not read). */
export function measure(source: string): Promise<{ width: number; height: number } | undefined> {
  return new Promise((resolve) => {
    const image = new Image();
    image.onload = () => resolve({ width: image.naturalWidth, height: image.naturalHeight });
    image.onerror = () => resolve(undefined);
    image.src = source;
  });
}
