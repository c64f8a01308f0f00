import type { CompareSelection } from './compare-selection.ts';
import { h } from './dom.ts';

export type ResultActions = {
  useAsInput: (url: string) => void;
  selection: CompareSelection;
};

/** One output image: open, download, use as the next input, pick for comparison. */
export function resultTile(url: string, label: string, actions: ResultActions): HTMLElement {
  const compare = h('input', {
    type: 'checkbox',
    class: 'compare-checkbox',
    'data-compare-url': url,
    checked: actions.selection.has(url),
    onChange: (event: Event) => actions.selection.toggle({ url, label }, (event.target as HTMLInputElement).checked),
  });
  return h(
    'figure',
    { class: 'result' },
    h('a', { href: url, target: '_blank', rel: 'noopener', class: 'result-open', title: 'Open full size' }, h('img', { src: url, alt: label, decoding: 'async' })),
    h(
      'figcaption',
      {},
      h('label', { class: 'compare-toggle' }, compare, ' Compare'),
      h('button', { type: 'button', onClick: () => actions.useAsInput(url) }, 'Use as input'),
      h('button', { type: 'button', onClick: () => void downloadImage(url, label) }, 'Download'),
    ),
  );
}

/** Keeps the checkboxes of every tile showing `url` in step with the selection. */
export function syncCompareCheckboxes(selection: CompareSelection): void {
  for (const checkbox of Array.from(document.querySelectorAll<HTMLInputElement>('input.compare-checkbox'))) {
    checkbox.checked = selection.has(checkbox.dataset.compareUrl ?? '');
  }
}

/**
 * Signed URLs carry the server's public URL, which may be another origin than the page's (localhost vs
 * 127.0.0.1); `/files/` paths are served by this same server, so fetch them from the page's origin.
 */
export function sameOriginFileUrl(url: string, origin: string): string {
  if (url.startsWith('data:')) return url;
  try {
    const parsed = new URL(url, origin);
    if (parsed.origin === origin || !parsed.pathname.startsWith('/files/')) return parsed.href;
    return `${origin}${parsed.pathname}${parsed.search}`;
  } catch {
    return url;
  }
}

export async function downloadImage(url: string, label: string): Promise<void> {
  let href = url;
  let revoke = false;
  try {
    const response = await fetch(sameOriginFileUrl(url, location.origin));
    if (response.ok) {
      href = URL.createObjectURL(await response.blob());
      revoke = true;
    }
  } catch {
    // Cross-origin without CORS: let the browser open it instead.
  }
  const extension = /\.(png|jpe?g|webp)(?:\?|$)/i.exec(url)?.[1] ?? /^data:image\/(\w+)/.exec(url)?.[1] ?? 'png';
  const link = h('a', { href, download: `${label.replace(/[^\w.-]+/g, '-').slice(0, 60) || 'darkroom'}.${extension}` });
  document.body.append(link);
  link.click();
  link.remove();
  if (revoke) setTimeout(() => URL.revokeObjectURL(href), 10_000);
}
