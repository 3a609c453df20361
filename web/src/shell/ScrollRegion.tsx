import type { ReactNode } from 'react';

/**
 * A region that scrolls sideways when its table is wider than the page. It can take
 * focus so that keyboard users can scroll it too (WCAG 2.1.1).
 */
export function ScrollRegion({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="peel-table-scroll" role="region" aria-label={label} tabIndex={0}>
      {children}
    </div>
  );
}
