/**
 * The source tablist: arrow keys, Home and End move between tabs (roving tabindex), Enter/Space or a click
 * selects; only the selected tab's panel is shown.
 */
export function attachTabs(root: ParentNode, onSelect: (source: string) => void): { select(source: string): void; selected(): string } {
  const tabs = Array.from(root.querySelectorAll<HTMLButtonElement>('[role="tab"]'));

  const select = (source: string, focus = false) => {
    const target = tabs.find((tab) => tab.dataset.source === source);
    if (!target) return;
    for (const tab of tabs) {
      const selected = tab === target;
      tab.setAttribute('aria-selected', String(selected));
      tab.tabIndex = selected ? 0 : -1;
      const panel = document.getElementById(tab.getAttribute('aria-controls') ?? '');
      if (panel) panel.hidden = !selected;
    }
    if (focus) target.focus();
  };

  for (const [index, tab] of tabs.entries()) {
    tab.addEventListener('click', () => {
      if (tab.getAttribute('aria-selected') === 'true') return;
      select(tab.dataset.source!);
      onSelect(tab.dataset.source!);
    });
    tab.addEventListener('keydown', (event) => {
      const moves: Record<string, number> = { ArrowRight: index + 1, ArrowDown: index + 1, ArrowLeft: index - 1, ArrowUp: index - 1, Home: 0, End: tabs.length - 1 };
      const to = moves[event.key];
      if (to === undefined) return;
      event.preventDefault();
      const next = tabs[(to + tabs.length) % tabs.length]!;
      select(next.dataset.source!, true);
      onSelect(next.dataset.source!);
    });
  }
  return {
    select: (source) => select(source),
    selected: () => tabs.find((tab) => tab.getAttribute('aria-selected') === 'true')?.dataset.source ?? 'local',
  };
}
