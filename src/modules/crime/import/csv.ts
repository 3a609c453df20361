/**
 * A streaming RFC 4180 CSV parser: quoted fields with doubled quotes, delimiters and line
 * breaks inside quotes, LF, CRLF or lone CR line ends, a leading byte-order mark. Text is
 * pushed in pieces of any size; each complete record is handed to `onRow` with the physical
 * line (1-based) on which it starts, so a report can point at the line a person sees in an
 * editor even when earlier records span several lines. Blank lines are skipped (but counted).
 * Ragged records are passed on as they are: checking the column count is the caller's job.
 */
export type RowHandler = (fields: string[], line: number, problem: string | null) => void;

const QUOTE = 34;
const LF = 10;
const CR = 13;

export class CsvParser {
  private readonly onRow: RowHandler;
  private readonly delimiter: number;
  /** text after the last complete record, to be parsed again with the next piece */
  private rest = '';
  /** the physical line on which `rest` starts */
  private line = 1;
  private started = false;
  private done = false;

  constructor(onRow: RowHandler, options: { delimiter?: string } = {}) {
    this.onRow = onRow;
    const d = options.delimiter ?? ',';
    if (d.length !== 1 || d === '"' || d === '\n' || d === '\r') throw new Error(`CSV delimiter must be one character other than a quote or line break, not ${JSON.stringify(d)}`);
    this.delimiter = d.charCodeAt(0);
  }

  /** Parses every complete record in the text so far. */
  push(text: string): void {
    if (this.done) throw new Error('CsvParser: push after end');
    if (!this.started) {
      if (text.length === 0) return;
      this.started = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    this.parse(this.rest.length ? this.rest + text : text, false);
  }

  /** Parses what is left, including a last record with no line break after it. */
  end(): void {
    if (this.done) return;
    this.done = true;
    if (this.rest.length) this.parse(this.rest, true);
    this.rest = '';
  }

  private parse(s: string, final: boolean): void {
    const n = s.length;
    const delim = this.delimiter;
    const delimChar = String.fromCharCode(delim);
    let i = 0;
    let line = this.line;
    // The next quote, CR, LF and delimiter at or after i (-1: none left), found with indexOf,
    // which scans far faster than a loop over characters: a record with no quote and no lone
    // CR is cut at its delimiters directly.
    let nextQuote = -2;
    let nextCr = -2;
    let nextLf = -2;
    let nextDelim = -2;
    while (i < n) {
      if (nextLf !== -1 && nextLf < i) nextLf = s.indexOf('\n', i);
      if (nextLf !== -1) {
        const end = nextLf > i && s.charCodeAt(nextLf - 1) === CR ? nextLf - 1 : nextLf;
        if (nextQuote !== -1 && nextQuote < i) nextQuote = s.indexOf('"', i);
        if (nextCr !== -1 && nextCr < i) nextCr = s.indexOf('\r', i);
        if ((nextQuote === -1 || nextQuote > nextLf) && (nextCr === -1 || nextCr >= end)) {
          const fields: string[] = [];
          let start = i;
          for (;;) {
            if (nextDelim !== -1 && nextDelim < start) nextDelim = s.indexOf(delimChar, start);
            if (nextDelim === -1 || nextDelim >= end) {
              fields.push(s.slice(start, end));
              break;
            }
            fields.push(s.slice(start, nextDelim));
            start = nextDelim + 1;
          }
          i = nextLf + 1;
          this.emit(fields, line++, false, null);
          continue;
        }
      }
      const recordStart = i;
      const recordLine = line;
      const fields: string[] = [];
      let quotedSeen = false;
      let problem: string | null = null;
      for (;;) {
        // One field starts at i (possibly at the end of the text).
        if (i < n && s.charCodeAt(i) === QUOTE) {
          quotedSeen = true;
          let value = '';
          let segment = i + 1;
          let j = i + 1;
          let closed = false;
          for (;;) {
            const q = s.indexOf('"', j);
            if (q === -1) break;
            if (q + 1 < n && s.charCodeAt(q + 1) === QUOTE) {
              value += s.slice(segment, q + 1);
              j = q + 2;
              segment = j;
              continue;
            }
            if (q + 1 >= n && !final) break; // could be the first of a doubled quote: wait for more
            value += s.slice(segment, q);
            line += countLineBreaks(s, i + 1, q);
            i = q + 1;
            closed = true;
            break;
          }
          if (!closed) {
            if (!final) return this.keep(s, recordStart, recordLine);
            // An unterminated quote runs to the end of the input: report it, keep the text.
            value += s.slice(segment);
            line += countLineBreaks(s, i + 1, n);
            i = n;
            problem = 'a quoted field is not closed before the end of the file';
          }
          // Text between a closing quote and the next delimiter is kept, as most readers do.
          let k = i;
          while (k < n) {
            const c = s.charCodeAt(k);
            if (c === delim || c === LF || c === CR) break;
            k++;
          }
          if (k > i) {
            value += s.slice(i, k);
            i = k;
          }
          fields.push(value);
        } else {
          let j = i;
          while (j < n) {
            const c = s.charCodeAt(j);
            if (c === delim || c === LF || c === CR) break;
            j++;
          }
          fields.push(s.slice(i, j));
          i = j;
        }
        if (i >= n) {
          if (!final) return this.keep(s, recordStart, recordLine);
          this.emit(fields, recordLine, quotedSeen, problem);
          this.line = line;
          this.rest = '';
          return;
        }
        const c = s.charCodeAt(i);
        if (c === delim) {
          i++;
          continue;
        }
        // A line break ends the record.
        if (c === CR) {
          if (i + 1 >= n && !final) return this.keep(s, recordStart, recordLine);
          i += i + 1 < n && s.charCodeAt(i + 1) === LF ? 2 : 1;
        } else {
          i++;
        }
        line++;
        this.emit(fields, recordLine, quotedSeen, problem);
        break;
      }
    }
    this.line = line;
    this.rest = '';
  }

  private emit(fields: string[], line: number, quotedSeen: boolean, problem: string | null): void {
    if (fields.length === 1 && fields[0] === '' && !quotedSeen) return; // a blank line
    this.onRow(fields, line, problem);
  }

  private keep(s: string, from: number, line: number): void {
    this.rest = s.slice(from);
    this.line = line;
  }
}

/** Line breaks (LF, CRLF counted once, lone CR) in s[from, to). */
function countLineBreaks(s: string, from: number, to: number): number {
  let count = 0;
  for (let k = from; k < to; k++) {
    const c = s.charCodeAt(k);
    if (c === LF) count++;
    else if (c === CR && (k + 1 >= to || s.charCodeAt(k + 1) !== LF)) count++;
  }
  return count;
}

/** Parses a whole string at once: for tests and small inputs. */
export function parseCsv(text: string, options: { delimiter?: string } = {}): Array<{ fields: string[]; line: number; problem: string | null }> {
  const rows: Array<{ fields: string[]; line: number; problem: string | null }> = [];
  const parser = new CsvParser((fields, line, problem) => rows.push({ fields, line, problem }), options);
  parser.push(text);
  parser.end();
  return rows;
}
