import { h, uniqueId } from './dom.ts';
import type { InputImage } from './input-images.ts';

type Tool = 'brush' | 'eraser';
type View = 'overlay' | 'mask' | 'image';

/**
 * Paints a mask over the first input image. The mask lives in an offscreen canvas at the image's own
 * resolution (opaque white = edit); exports are the Oxen convention (white on black) and OpenAI's
 * (transparent = edit). The image itself is never drawn into a canvas, so cross-origin inputs work.
 */
export class MaskPainter {
  readonly element: HTMLElement;
  private readonly mask = document.createElement('canvas');
  private readonly overlay: HTMLCanvasElement;
  private readonly picture: HTMLImageElement;
  private readonly stage: HTMLElement;
  private readonly empty: HTMLElement;
  private readonly summary: HTMLElement;
  private tool: Tool = 'brush';
  private view: View = 'overlay';
  private brushSize = 40;
  private source: string | undefined;
  private exported: { white: string; alpha: string } | undefined;
  private painted = false;

  constructor(private readonly onChange: () => void) {
    const sizeId = uniqueId('brush-size');
    const sizeOutput = h('output', { for: sizeId, class: 'slider-value' }, String(this.brushSize));
    const radios = <T extends string>(legend: string, options: Array<[T, string]>, current: T, set: (value: T) => void) => {
      const name = uniqueId('mask-option');
      return h(
        'fieldset',
        { class: 'segmented' },
        h('legend', { class: 'visually-hidden' }, legend),
        options.map(([value, label]) => {
          const id = uniqueId(name);
          return [h('input', { type: 'radio', name, id, value, checked: value === current, onChange: () => set(value) }), h('label', { for: id }, label)];
        }),
      );
    };
    this.picture = h('img', { alt: 'First input image (the mask applies to it)', draggable: 'false' });
    this.overlay = h('canvas', { class: 'mask-overlay', 'aria-label': 'Mask canvas: paint with the pointer where the model may edit', role: 'img' });
    this.stage = h('div', { class: 'mask-stage', hidden: true }, this.picture, this.overlay);
    this.empty = h('p', { class: 'help' }, 'Add an input image to paint a mask on it.');
    this.summary = h('span', { class: 'mask-state' }, 'no mask');
    this.element = h(
      'details',
      { class: 'mask-painter' },
      h('summary', {}, 'Mask ', this.summary),
      h('p', { class: 'help' }, 'Paint where the model may change the first image (white = edit, black = keep). No paint = no mask.'),
      h(
        'div',
        { class: 'mask-toolbar', role: 'toolbar', 'aria-label': 'Mask tools' },
        radios('Tool', [['brush', 'Brush'], ['eraser', 'Eraser']], this.tool, (value) => (this.tool = value)),
        h(
          'span',
          { class: 'brush-size' },
          h('label', { for: sizeId }, 'Size'),
          h('input', {
            id: sizeId,
            type: 'range',
            min: 2,
            max: 200,
            value: String(this.brushSize),
            onInput: (event: Event) => {
              this.brushSize = Number((event.target as HTMLInputElement).value);
              sizeOutput.textContent = String(this.brushSize);
            },
          }),
          sizeOutput,
        ),
        h('button', { type: 'button', onClick: () => this.clear() }, 'Clear'),
        h('button', { type: 'button', onClick: () => this.invert() }, 'Invert'),
        radios('Preview', [['overlay', 'Overlay'], ['mask', 'Mask'], ['image', 'Image']], this.view, (value) => {
          this.view = value;
          this.redraw();
        }),
      ),
      this.empty,
      this.stage,
    );
    this.listenForStrokes();
  }

  /** Shows the first input image; a different image starts a new, empty mask. */
  setImage(image: InputImage | undefined): void {
    if (image?.source === this.source && (image?.width === undefined || image.width === this.mask.width)) return;
    this.source = image?.source;
    this.stage.hidden = !image || !image.width;
    this.empty.hidden = !this.stage.hidden;
    if (!image?.width || !image.height) return;
    this.picture.src = image.source;
    for (const canvas of [this.mask, this.overlay]) {
      canvas.width = image.width;
      canvas.height = image.height;
    }
    this.clear();
  }

  hasMask(): boolean {
    return this.painted && this.exports() !== undefined;
  }

  /** PNG data URI, white = edit on black, same size as the first image; undefined without paint. */
  whiteEdits(): string | undefined {
    return this.exports()?.white;
  }

  /** PNG data URI, transparent = edit (OpenAI's convention). */
  alphaEdits(): string | undefined {
    return this.exports()?.alpha;
  }

  clear(): void {
    this.mask.getContext('2d')?.clearRect(0, 0, this.mask.width, this.mask.height);
    this.painted = false;
    this.changed();
  }

  invert(): void {
    const context = this.mask.getContext('2d');
    if (!context || this.mask.width === 0) return;
    const copy = document.createElement('canvas');
    copy.width = this.mask.width;
    copy.height = this.mask.height;
    copy.getContext('2d')?.drawImage(this.mask, 0, 0);
    context.globalCompositeOperation = 'source-over';
    context.fillStyle = '#fff';
    context.fillRect(0, 0, this.mask.width, this.mask.height);
    context.globalCompositeOperation = 'destination-out';
    context.drawImage(copy, 0, 0);
    context.globalCompositeOperation = 'source-over';
    this.painted = true;
    this.changed();
  }

  private listenForStrokes(): void {
    let last: { x: number; y: number } | undefined;
    const point = (event: PointerEvent) => {
      const box = this.overlay.getBoundingClientRect();
      return { x: ((event.clientX - box.left) / box.width) * this.overlay.width, y: ((event.clientY - box.top) / box.height) * this.overlay.height };
    };
    const stroke = (from: { x: number; y: number }, to: { x: number; y: number }) => {
      const context = this.mask.getContext('2d');
      if (!context) return;
      // The brush size is in screen pixels; the mask is at the image's resolution.
      const scale = this.overlay.width / Math.max(1, this.overlay.getBoundingClientRect().width);
      context.globalCompositeOperation = this.tool === 'eraser' ? 'destination-out' : 'source-over';
      context.strokeStyle = '#fff';
      context.lineCap = 'round';
      context.lineJoin = 'round';
      context.lineWidth = this.brushSize * scale;
      context.beginPath();
      context.moveTo(from.x, from.y);
      context.lineTo(to.x + 0.01, to.y);
      context.stroke();
      context.globalCompositeOperation = 'source-over';
      this.redraw();
    };
    this.overlay.addEventListener('pointerdown', (event) => {
      event.preventDefault();
      this.overlay.setPointerCapture(event.pointerId);
      last = point(event);
      stroke(last, last);
    });
    this.overlay.addEventListener('pointermove', (event) => {
      if (!last) return;
      const next = point(event);
      stroke(last, next);
      last = next;
    });
    const end = () => {
      if (!last) return;
      last = undefined;
      this.painted = true;
      this.changed();
    };
    this.overlay.addEventListener('pointerup', end);
    this.overlay.addEventListener('pointercancel', end);
  }

  private changed(): void {
    this.exported = undefined;
    this.redraw();
    this.summary.textContent = this.hasMask() ? 'painted' : 'no mask';
    this.onChange();
  }

  private redraw(): void {
    const context = this.overlay.getContext('2d');
    if (!context) return;
    const { width, height } = this.overlay;
    context.clearRect(0, 0, width, height);
    if (this.view === 'image') return;
    if (this.view === 'mask') {
      context.fillStyle = '#000';
      context.fillRect(0, 0, width, height);
      context.drawImage(this.mask, 0, 0);
      return;
    }
    context.drawImage(this.mask, 0, 0);
    context.globalCompositeOperation = 'source-in';
    context.fillStyle = 'rgba(255, 70, 110, 0.55)';
    context.fillRect(0, 0, width, height);
    context.globalCompositeOperation = 'source-over';
  }

  /** Both exports, made once per change; undefined when nothing is painted. */
  private exports(): { white: string; alpha: string } | undefined {
    if (!this.painted || this.mask.width === 0) return undefined;
    if (this.exported) return this.exported;
    const { width, height } = this.mask;
    const pixels = this.mask.getContext('2d')?.getImageData(0, 0, width, height).data;
    let any = false;
    for (let index = 3; pixels && index < pixels.length; index += 4) {
      if (pixels[index] !== 0) {
        any = true;
        break;
      }
    }
    if (!any) return undefined;
    const canvas = document.createElement('canvas');
    canvas.width = width;
    canvas.height = height;
    const context = canvas.getContext('2d');
    if (!context) return undefined;
    context.fillStyle = '#000';
    context.fillRect(0, 0, width, height);
    context.drawImage(this.mask, 0, 0);
    const white = canvas.toDataURL('image/png');
    context.clearRect(0, 0, width, height);
    context.fillRect(0, 0, width, height);
    context.globalCompositeOperation = 'destination-out';
    context.drawImage(this.mask, 0, 0);
    const alpha = canvas.toDataURL('image/png');
    this.exported = { white, alpha };
    return this.exported;
  }
}
