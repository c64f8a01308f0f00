import { h, uniqueId } from './dom.ts';

export type TabDefinition = { id: string; label: string; panel: HTMLElement };

/** WAI-ARIA tabs: arrow keys, Home and End move between tabs; only the selected tab is in the tab order. */
export class Tabs {
  readonly element: HTMLElement;
  private readonly buttons = new Map<string, HTMLButtonElement>();
  private readonly panels = new Map<string, HTMLElement>();
  selected: string;

  constructor(label: string, tabs: TabDefinition[], private readonly onSelect?: (id: string) => void) {
    const prefix = uniqueId('tabs');
    const list = h('div', { role: 'tablist', 'aria-label': label, class: 'tablist' });
    const panels: HTMLElement[] = [];
    for (const tab of tabs) {
      const button = h(
        'button',
        { type: 'button', role: 'tab', id: `${prefix}-${tab.id}-tab`, 'aria-controls': `${prefix}-${tab.id}-panel`, 'data-tab': tab.id, onClick: () => this.select(tab.id) },
        tab.label,
      );
      const panel = h('div', { role: 'tabpanel', id: `${prefix}-${tab.id}-panel`, 'aria-labelledby': button.id, class: 'tabpanel', tabindex: -1 }, tab.panel);
      this.buttons.set(tab.id, button);
      this.panels.set(tab.id, panel);
      list.append(button);
      panels.push(panel);
    }
    list.addEventListener('keydown', (event) => this.onKey(event, tabs));
    this.element = h('div', { class: 'tabs' }, list, panels);
    this.selected = tabs[0]?.id ?? '';
    this.select(this.selected, { notify: false });
  }

  select(id: string, options: { notify?: boolean; focus?: boolean } = {}): void {
    this.selected = id;
    for (const [tabId, button] of this.buttons) {
      const active = tabId === id;
      button.setAttribute('aria-selected', String(active));
      button.tabIndex = active ? 0 : -1;
      const panel = this.panels.get(tabId);
      if (panel) panel.hidden = !active;
    }
    if (options.focus) this.buttons.get(id)?.focus();
    if (options.notify !== false) this.onSelect?.(id);
  }

  setLabel(id: string, label: string): void {
    const button = this.buttons.get(id);
    if (button) button.textContent = label;
  }

  private onKey(event: KeyboardEvent, tabs: TabDefinition[]): void {
    // From the focused tab, which need not be the selected one.
    const focused = (event.target as HTMLElement).closest<HTMLElement>('[role="tab"]')?.dataset.tab ?? this.selected;
    const index = tabs.findIndex((tab) => tab.id === focused);
    const targets: Record<string, number> = { ArrowRight: index + 1, ArrowLeft: index - 1, Home: 0, End: tabs.length - 1 };
    const target = targets[event.key];
    if (target === undefined) return;
    event.preventDefault();
    const next = tabs[(target + tabs.length) % tabs.length];
    if (next) this.select(next.id, { focus: true });
  }
}
