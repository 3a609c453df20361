import { useEffect, useRef, type ReactNode } from 'react';

/** A link the server gave, made absolute so that it can be copied into an email. */
export function absolute(url: string): string {
  return new URL(url, window.location.origin).href;
}

/**
 * A link made just now, shown this once (the server keeps only its hash): a green panel
 * with the link to copy, then `children` (what the link allows, a copy button). With
 * `takeFocus` the panel takes focus when it appears.
 */
export function LinkShownOnce({
  headingId,
  heading,
  intro,
  url,
  testId,
  takeFocus = false,
  children,
}: {
  headingId: string;
  heading: string;
  intro: ReactNode;
  /** the absolute link */
  url: string;
  testId: string;
  takeFocus?: boolean;
  children: ReactNode;
}) {
  const panel = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (takeFocus) panel.current?.focus();
  }, [takeFocus]);
  return (
    <div
      className="govuk-panel govuk-panel--confirmation peel-panel-left"
      ref={panel}
      tabIndex={takeFocus ? -1 : undefined}
      role="region"
      aria-labelledby={headingId}
    >
      <h2 className="govuk-panel__title govuk-!-font-size-27" id={headingId}>
        {heading}
      </h2>
      <div className="govuk-panel__body govuk-!-font-size-19">
        <p className="peel-panel-text govuk-body">{intro}</p>
        <p className="peel-secret peel-secret--inverse govuk-!-font-size-19">
          <code data-testid={testId}>{url}</code>
        </p>
        {children}
      </div>
    </div>
  );
}
