import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CsvParser, parseCsv } from './csv.ts';

const fields = (text: string) => parseCsv(text).map((r) => r.fields);

/** Feeds the text in pieces of every size from 1 to 7, so records split at every position. */
function pieces(text: string, size: number) {
  const rows: Array<{ fields: string[]; line: number; problem: string | null }> = [];
  const p = new CsvParser((f, line, problem) => rows.push({ fields: f, line, problem }));
  for (let i = 0; i < text.length; i += size) p.push(text.slice(i, i + size));
  p.end();
  return rows;
}

test('plain fields, with and without a final line break', () => {
  assert.deepEqual(fields('a,b,c\n1,2,3\n'), [['a', 'b', 'c'], ['1', '2', '3']]);
  assert.deepEqual(fields('a,b,c\n1,2,3'), [['a', 'b', 'c'], ['1', '2', '3']]);
  assert.deepEqual(fields('a,,c\n,,\n'), [['a', '', 'c'], ['', '', '']]);
});

test('quoted fields: delimiters, doubled quotes, empty quotes, text after the closing quote', () => {
  assert.deepEqual(fields('"On or near Asda, Thurmaston",x\n'), [['On or near Asda, Thurmaston', 'x']]);
  assert.deepEqual(fields('"say ""hello""",b\n'), [['say "hello"', 'b']]);
  assert.deepEqual(fields('"",b\n""\n'), [['', 'b'], ['']]);
  assert.deepEqual(fields('"ab"cd,e\n'), [['abcd', 'e']]);
  assert.deepEqual(fields('a"b,c\n'), [['a"b', 'c']]);
});

test('CRLF and lone CR line ends; a byte-order mark is dropped', () => {
  assert.deepEqual(fields('\ufeffa,b\r\n1,2\r\n'), [['a', 'b'], ['1', '2']]);
  assert.deepEqual(fields('a,b\r1,2\r'), [['a', 'b'], ['1', '2']]);
  assert.deepEqual(fields('a\r\n\r\nb\r\n'), [['a'], ['b']]);
});

test('line numbers are the physical line each record starts on, through embedded line breaks and blank lines', () => {
  const text = 'h1,h2\n"two\nlines",x\n\nplain,y\n"three\r\nline\r\nfield",z\nlast,w\n';
  const rows = parseCsv(text);
  assert.deepEqual(
    rows.map((r) => [r.line, r.fields]),
    [
      [1, ['h1', 'h2']],
      [2, ['two\nlines', 'x']],
      [5, ['plain', 'y']],
      [6, ['three\r\nline\r\nfield', 'z']],
      [9, ['last', 'w']],
    ],
  );
});

test('ragged rows are passed on as they are, with their line', () => {
  const rows = parseCsv('a,b,c\n1,2\n1,2,3,4\n5,6,7\n');
  assert.deepEqual(
    rows.map((r) => [r.line, r.fields.length]),
    [
      [1, 3],
      [2, 2],
      [3, 4],
      [4, 3],
    ],
  );
});

test('pieces of any size give the same records and lines as the whole text', () => {
  const text = '\ufeffCrime ID,Location\r\n"x1","On or near ""The Crown"", High St"\r\n,"multi\nline"\r\ny,"a,b"\r\n\r\nz,last';
  const whole = parseCsv(text);
  assert.equal(whole.length, 5);
  for (let size = 1; size <= 7; size++) assert.deepEqual(pieces(text, size), whole, `pieces of ${size}`);
});

test('an unterminated quote is reported, not lost', () => {
  const rows = parseCsv('a,b\n1,"open\n2,3\n');
  assert.equal(rows.length, 2);
  assert.equal(rows[1]!.line, 2);
  assert.match(rows[1]!.problem!, /not closed/);
  assert.deepEqual(rows[1]!.fields, ['1', 'open\n2,3\n']);
});

test('another delimiter', () => {
  assert.deepEqual(parseCsv('a;b\n"x;y";2\n', { delimiter: ';' }).map((r) => r.fields), [['a', 'b'], ['x;y', '2']]);
  assert.throws(() => new CsvParser(() => {}, { delimiter: '"' }), /delimiter/);
});
