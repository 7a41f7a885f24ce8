import type { Page } from '../../src/topology/host-filter.js';

/** Previous / next over a list shown one page at a time. */
export function Pager<T>({ page, onPage, label }: { page: Page<T>; onPage: (index: number) => void; label: string }) {
  if (page.pages <= 1) return null;
  return (
    <div class="pager" data-testid={`${label}-pager`}>
      <button type="button" disabled={page.index === 0} onClick={() => onPage(page.index - 1)}>
        ‹ previous
      </button>
      <span>
        page {page.index + 1} of {page.pages}
      </span>
      <button type="button" disabled={page.index >= page.pages - 1} onClick={() => onPage(page.index + 1)}>
        next ›
      </button>
    </div>
  );
}
