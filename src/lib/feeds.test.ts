import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { FeedError, parseFeed, parseWebhookMessages, plainText } from './feeds.ts';

const fixture = (name: string) => readFileSync(new URL(`../modules/reports/fixtures/${name}`, import.meta.url), 'utf8');
const NOW = Date.parse('2026-11-26T21:00:00Z');

test('RSS 2.0: items normalised, markup removed, GeoRSS points read; bad items rejected with the reason and their place', () => {
  const f = parseFeed(fixture('rss.xml'), NOW);
  assert.equal(f.format, 'rss');
  assert.equal(f.title, 'Leicester community alerts');
  assert.equal(f.messages.length, 2);
  const [a, b] = f.messages;
  assert.deepEqual(a, {
    id: 'alert-101',
    text: 'Youths throwing stones at buses\nStones thrown at the number 14 on Narborough Road & nobody hurt.',
    time: '2026-11-26T19:45:00.000Z',
    author: '@westend_watch',
    link: 'https://alerts.example.org/posts/101',
    latitude: 52.6301,
    longitude: -1.156,
    place: null,
  });
  assert.equal(b!.time, '2026-11-26T08:10:00.000Z');
  assert.equal(b!.latitude, null);
  assert.deepEqual(
    f.rejected.map((r) => [r.index, r.problem]),
    [
      [2, 'it has no id (guid, id or link), so a repeat of it could not be recognised'],
      [3, 'its location 152.6, -1.1 is not on Earth (latitude within ±90, longitude within ±180)'],
      [4, 'its date "yesterday-ish" is not a date'],
    ],
  );
});

test('Atom: entries with ids, authors, alternate links; escaped markup stays text', () => {
  const f = parseFeed(fixture('atom.xml'), NOW);
  assert.equal(f.format, 'atom');
  assert.equal(f.messages.length, 2);
  assert.equal(f.messages[0]!.author, 'Granby traders');
  assert.equal(f.messages[0]!.link, 'https://partner.example.net/a/1');
  assert.equal(f.messages[0]!.latitude, 52.634);
  // The title held "&lt;script&gt;" escaped twice: once decoded it is text about a script tag, not a tag.
  assert.match(f.messages[0]!.text, /^Car alarm <script> going for an hour\n/);
  assert.equal(f.messages[1]!.time, '2026-11-26T18:30:00.000Z');
});

test('JSON Feed 1.1: numeric ids, HTML content as text, the _peel location extension; empty and future items rejected', () => {
  const f = parseFeed(fixture('feed.json'), NOW);
  assert.equal(f.format, 'jsonfeed');
  assert.deepEqual(
    f.messages.map((m) => [m.id, m.text, m.author, m.latitude]),
    [
      ['n-1', 'Suspicious van parked outside the school on Saffron Lane', '@saffron_parent', 52.612],
      ['2', 'Dog fouling near the park in Blaby', null, null],
    ],
  );
  assert.deepEqual(
    f.rejected.map((r) => r.problem),
    ['it has no text', 'its date 2099-01-01T00:00:00.000Z is in the future'],
  );
});

test('forged and broken documents are refused whole, with a reason', () => {
  assert.throws(() => parseFeed('', NOW), FeedError);
  assert.throws(() => parseFeed('hello', NOW), /neither XML/);
  assert.throws(() => parseFeed('<rss><channel><item></channel></rss>', NOW), /not well-formed XML/);
  const bomb = '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]><rss><channel><item><title>&lol2;</title></item></channel></rss>';
  assert.throws(() => parseFeed(bomb, NOW), /document type or entities/);
  assert.throws(() => parseFeed('<html><body>not a feed</body></html>', NOW), /neither an RSS 2.0 document/);
  assert.throws(() => parseFeed('{"items": []}', NOW), /not a JSON Feed/);
  assert.throws(() => parseFeed('{"version": "https://jsonfeed.org/version/1.1", "items": 3}', NOW), /no "items"/);
  assert.throws(() => parseFeed('{"version": ', NOW), /not valid JSON/);
});

test('webhook messages: the same checks; duplicates within one body rejected', () => {
  const r = parseWebhookMessages(
    {
      messages: [
        { id: 'p-1', text: ' Fight outside the <b>Clock Tower</b> ', time: '2026-11-26T20:55:00Z', author: '@someone', place: 'Leicester' },
        { id: 'p-1', text: 'again', time: '2026-11-26T20:55:00Z' },
        { id: 'p-2', text: 'x', time: '2026-11-26T20:55:00Z', latitude: 52.6 },
        'not an object',
      ],
    },
    NOW,
  );
  // A partner's text is plain text: kept as written (trimmed), markup and all, for the page to show as text.
  assert.deepEqual(r.messages.map((m) => [m.id, m.text, m.place]), [['p-1', 'Fight outside the <b>Clock Tower</b>', 'Leicester']]);
  assert.deepEqual(
    r.rejected.map((x) => [x.index, x.problem]),
    [
      [1, 'the same id appears earlier in the document'],
      [2, 'its location needs both a numeric latitude and longitude'],
      [3, 'it has no id (guid, id or link), so a repeat of it could not be recognised'],
    ],
  );
  assert.throws(() => parseWebhookMessages({ message: [] }, NOW), /"messages"/);
});

test('plain text: tags and scripts gone, entities decoded', () => {
  assert.equal(plainText('<p>a &amp; b</p><script>alert(1)</script><p>c&#39;s &#x263A;</p>'), "a & b\nc's ☺");
  assert.equal(plainText('5 &lt; 6 &unknown;'), '5 < 6 &unknown;');
});
