/** Shown while a page's data loads; announced politely to screen readers. */
export function Loading({ what = 'Loading' }: { what?: string }) {
  return (
    <p className="govuk-body" role="status">
      {what}…
    </p>
  );
}
