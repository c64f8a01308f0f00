export type CompareItem = { url: string; label: string };

/** The results picked for the Compare tab, in the order they were picked. */
export class CompareSelection {
  private readonly items = new Map<string, CompareItem>();
  private readonly listeners = new Set<() => void>();

  list(): CompareItem[] {
    return [...this.items.values()];
  }

  has(url: string): boolean {
    return this.items.has(url);
  }

  toggle(item: CompareItem, selected: boolean): void {
    if (selected) this.items.set(item.url, item);
    else this.items.delete(item.url);
    this.notify();
  }

  clear(): void {
    this.items.clear();
    this.notify();
  }

  subscribe(listener: () => void): void {
    this.listeners.add(listener);
  }

  private notify(): void {
    for (const listener of this.listeners) listener();
  }
}
