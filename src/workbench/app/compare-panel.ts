import type { CompareSelection } from './compare-selection.ts';
import { h, replaceChildren, uniqueId } from './dom.ts';
import { syncCompareCheckboxes } from './result-tile.ts';

/** Picked results side by side; for exactly two, also a before/after slider overlay. */
export class ComparePanel {
  readonly element: HTMLElement;

  constructor(private readonly selection: CompareSelection) {
    this.element = h('div', { class: 'compare-panel' });
    selection.subscribe(() => {
      this.render();
      syncCompareCheckboxes(selection);
    });
    this.render();
  }

  private render(): void {
    const items = this.selection.list();
    if (items.length < 2) {
      replaceChildren(
        this.element,
        h('p', { class: 'empty' }, items.length === 0 ? 'Tick “Compare” on two or more results (in Results or History) to compare them here.' : 'Pick at least one more result to compare.'),
        items.length === 1 ? this.grid() : null,
      );
      return;
    }
    replaceChildren(
      this.element,
      h('div', { class: 'panel-toolbar' }, h('button', { type: 'button', onClick: () => this.selection.clear() }, 'Clear selection')),
      items.length === 2 ? this.slider() : null,
      this.grid(),
    );
  }

  private grid(): HTMLElement {
    return h(
      'div',
      { class: 'compare-grid' },
      this.selection.list().map((item) =>
        h(
          'figure',
          { class: 'compare-item' },
          h('img', { src: item.url, alt: item.label }),
          h('figcaption', {}, item.label, ' ', h('button', { type: 'button', 'aria-label': `Remove ${item.label} from the comparison`, onClick: () => this.selection.toggle(item, false) }, 'Remove')),
        ),
      ),
    );
  }

  private slider(): HTMLElement {
    const [first, second] = this.selection.list();
    if (!first || !second) return h('div');
    const id = uniqueId('reveal');
    const top = h('img', { src: first.url, alt: first.label, class: 'compare-top' });
    const range = h('input', {
      id,
      type: 'range',
      min: 0,
      max: 100,
      value: '50',
      onInput: () => (top.style.clipPath = `inset(0 ${100 - Number(range.value)}% 0 0)`),
    });
    top.style.clipPath = 'inset(0 50% 0 0)';
    const bottom = h('img', { src: second.url, alt: second.label });
    const stack = h('div', { class: 'compare-stack' }, bottom, top);
    // Both images fill one box shaped like the first, so different sizes still line up.
    top.addEventListener('load', () => (stack.style.aspectRatio = `${top.naturalWidth} / ${top.naturalHeight}`), { once: true });
    return h(
      'figure',
      { class: 'compare-slider' },
      stack,
      h('figcaption', {}, h('label', { for: id }, `Reveal: ${first.label} (left) over ${second.label} (right)`), range),
    );
  }
}
