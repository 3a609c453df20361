/** The GOV.UK table as Peel uses it on narrow screens too: each row a block, each cell labelled by its column. */
import type { ReactNode, TableHTMLAttributes } from 'react';

/**
 * A column's heading. `hidden` headings are read by screen readers only (a column of
 * buttons); `numeric` columns are right-aligned.
 */
export type Column = string | { text: string; hidden?: boolean; numeric?: boolean };

/**
 * A table that stacks on a narrow screen (peel-responsive-table), with its headings and
 * body; the children are its rows. Give each `Cell` the heading of its column as `label`,
 * which is what a narrow screen shows beside the value.
 */
export function ResponsiveTable({
  columns,
  caption,
  captionClass,
  className,
  children,
  ...rest
}: Omit<TableHTMLAttributes<HTMLTableElement>, 'className'> & {
  columns: Column[];
  caption?: ReactNode;
  /** a modifier after govuk-table__caption, such as govuk-table__caption--s or govuk-visually-hidden */
  captionClass?: string;
  /** another class after govuk-table peel-responsive-table */
  className?: string;
  children: ReactNode;
}) {
  return (
    <table className={`govuk-table peel-responsive-table${className ? ` ${className}` : ''}`} {...rest}>
      {caption && <caption className={`govuk-table__caption${captionClass ? ` ${captionClass}` : ''}`}>{caption}</caption>}
      <thead className="govuk-table__head">
        <tr className="govuk-table__row">
          {columns.map((column, index) => {
            const { text, hidden = false, numeric = false } = typeof column === 'string' ? { text: column } : column;
            return (
              <th scope="col" className={`govuk-table__header${numeric ? ' govuk-table__header--numeric' : ''}`} key={index}>
                {hidden ? <span className="govuk-visually-hidden">{text}</span> : text}
              </th>
            );
          })}
        </tr>
      </thead>
      <tbody className="govuk-table__body">{children}</tbody>
    </table>
  );
}

/**
 * A cell of a ResponsiveTable; `label` is its column's heading, shown beside it on a narrow
 * screen. A `header` cell is the heading of its row (a th with scope="row").
 */
export function Cell({
  label,
  numeric,
  header,
  className,
  children,
}: {
  label?: string;
  numeric?: boolean;
  header?: boolean;
  className?: string;
  children?: ReactNode;
}) {
  const base = header ? 'govuk-table__header' : 'govuk-table__cell';
  const classes = `${base}${numeric ? ` ${base}--numeric` : ''}${className ? ` ${className}` : ''}`;
  return header ? (
    <th scope="row" className={classes} data-label={label}>
      {children}
    </th>
  ) : (
    <td className={classes} data-label={label}>
      {children}
    </td>
  );
}
