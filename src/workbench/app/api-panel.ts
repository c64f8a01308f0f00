import { supportsOpenAiDialect, type Dialect, type WorkbenchForm } from './build-request.ts';
import { h, replaceChildren, uniqueId } from './dom.ts';
import { abbreviateDataUris, requestSnippets, snippetLanguages, type SnippetLanguage } from './request-snippets.ts';
import { Tabs } from './tabs.ts';

/** The API tab: the current form as cURL, Python and TypeScript, per dialect, with the key as `$DARKROOM_API_KEY`. */
export class ApiPanel {
  readonly element: HTMLElement;
  private readonly code: Record<SnippetLanguage, HTMLElement>;
  private readonly dialects: HTMLElement;
  private readonly copied: HTMLElement;
  private snippets: Record<SnippetLanguage, string> = { curl: '', python: '', typescript: '' };
  private dialect: Dialect = 'oxen';
  private language: SnippetLanguage = 'curl';
  private form: WorkbenchForm | undefined;
  private openAiOffered: boolean | undefined;

  constructor(private readonly baseUrl: string) {
    this.code = { curl: h('code'), python: h('code'), typescript: h('code') };
    this.dialects = h('fieldset', { class: 'segmented dialects' });
    this.copied = h('span', { class: 'copied', role: 'status' });
    const tabs = new Tabs(
      'Language',
      snippetLanguages.map(({ id, label }) => ({ id, label, panel: h('pre', { class: 'snippet', 'data-language': id, tabindex: 0 }, this.code[id]) })),
      (id) => (this.language = id as SnippetLanguage),
    );
    this.element = h(
      'div',
      { class: 'api-panel' },
      h('p', { class: 'help' }, 'The exact request the Run button sends. Set DARKROOM_API_KEY in your environment (leave it unset for a server in open mode); keys are never written into snippets.'),
      this.dialects,
      tabs.element,
      h(
        'div',
        { class: 'panel-toolbar' },
        h('button', { type: 'button', class: 'primary', onClick: () => void this.copy() }, 'Copy'),
        this.copied,
        h('span', { class: 'help' }, 'Long inline images are shortened on screen; Copy copies them whole.'),
      ),
    );
  }

  update(form: WorkbenchForm): void {
    this.form = form;
    const openAi = supportsOpenAiDialect(form.model);
    if (!openAi && this.dialect === 'openai') this.dialect = 'oxen';
    // Redrawn only when the choice changes, so a focused radio button keeps its focus.
    if (openAi !== this.openAiOffered) this.renderDialects(openAi);
    this.openAiOffered = openAi;
    this.snippets = requestSnippets(form, { baseUrl: this.baseUrl, dialect: this.dialect });
    for (const { id } of snippetLanguages) this.code[id].textContent = abbreviateDataUris(this.snippets[id]);
  }

  /** The full snippet of the visible language, as Copy puts it on the clipboard. */
  currentSnippet(): string {
    return this.snippets[this.language];
  }

  private renderDialects(openAi: boolean): void {
    const name = uniqueId('dialect');
    const options: Array<[Dialect, string]> = [['oxen', 'Oxen (/api/ai)']];
    if (openAi) options.push(['openai', 'OpenAI (/v1/images)']);
    replaceChildren(
      this.dialects,
      h('legend', {}, 'Dialect'),
      options.map(([value, label]) => {
        const id = uniqueId(name);
        return [
          h('input', {
            type: 'radio',
            name,
            id,
            value,
            checked: value === this.dialect,
            onChange: () => {
              this.dialect = value;
              if (this.form) this.update(this.form);
            },
          }),
          h('label', { for: id }, label),
        ];
      }),
    );
  }

  private async copy(): Promise<void> {
    const text = this.currentSnippet();
    try {
      await navigator.clipboard.writeText(text);
    } catch {
      // No clipboard permission (plain http on another host): fall back to a selected textarea.
      const area = h('textarea', { class: 'visually-hidden' });
      area.value = text;
      document.body.append(area);
      area.select();
      document.execCommand('copy');
      area.remove();
    }
    this.copied.textContent = 'Copied';
    setTimeout(() => (this.copied.textContent = ''), 2000);
  }
}
