import { h, uniqueId } from './dom.ts';

const storageName = 'darkroom.apiKey';

/** The API key lives in this browser's localStorage only; it is sent as a Bearer header to this server. */
export const storedKey = {
  get: (): string | undefined => localStorage.getItem(storageName) ?? undefined,
  set: (key: string): void => localStorage.setItem(storageName, key),
  clear: (): void => localStorage.removeItem(storageName),
};

/** Asks for an API key when the server answers 401 (or when the user opens it from the header). */
export class KeyDialog {
  readonly element: HTMLDialogElement;
  private readonly input: HTMLInputElement;
  private readonly message: HTMLElement;
  private pending: Promise<boolean> | undefined;
  private settle: ((saved: boolean) => void) | undefined;

  constructor(private readonly onKeyChange: () => void) {
    const inputId = uniqueId('api-key');
    const titleId = uniqueId('key-title');
    this.input = h('input', { id: inputId, type: 'password', autocomplete: 'off', spellcheck: 'false', required: true, placeholder: 'dk_…' });
    this.message = h('p', { class: 'help', 'aria-live': 'polite' });
    const form = h(
      'form',
      { method: 'dialog' },
      h('h2', { id: titleId }, 'API key'),
      this.message,
      h('label', { for: inputId }, 'Key'),
      this.input,
      h('p', { class: 'help' }, 'Kept in this browser only (localStorage) and sent to this server as "Authorization: Bearer …". Create one with `npx darkroom keys create --name NAME`.'),
      h(
        'div',
        { class: 'dialog-actions' },
        h('button', { type: 'button', onClick: () => this.close(false) }, 'Cancel'),
        h('button', { type: 'button', class: 'danger', onClick: () => this.forget() }, 'Forget key'),
        h('button', { type: 'submit', class: 'primary' }, 'Save key'),
      ),
    );
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const key = this.input.value.trim();
      if (!key) return;
      storedKey.set(key);
      this.onKeyChange();
      this.close(true);
    });
    this.element = h('dialog', { class: 'key-dialog', 'aria-labelledby': titleId }, form);
    this.element.addEventListener('cancel', () => this.settle?.(false));
  }

  /** Opens the dialog once, however many requests are waiting; resolves true when a key was saved. */
  ask(message: string): Promise<boolean> {
    this.pending ??= new Promise<boolean>((resolve) => {
      this.settle = (saved) => {
        this.pending = undefined;
        this.settle = undefined;
        resolve(saved);
      };
      this.message.textContent = message;
      this.input.value = storedKey.get() ?? '';
      if (!this.element.open) this.element.showModal();
      this.input.focus();
    });
    return this.pending;
  }

  private forget(): void {
    storedKey.clear();
    this.input.value = '';
    this.onKeyChange();
    this.close(false);
  }

  private close(saved: boolean): void {
    if (this.element.open) this.element.close();
    this.settle?.(saved);
  }
}
