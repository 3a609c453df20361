import { useEffect } from 'react';

/** Sets the browser tab's title, GOV.UK style: "Error: " first while the page shows errors. */
export function usePageTitle(title: string, hasErrors = false): void {
  useEffect(() => {
    document.title = `${hasErrors ? 'Error: ' : ''}${title} – Peel`;
  }, [title, hasErrors]);
}
