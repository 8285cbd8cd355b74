import { describe, expect, it } from 'vitest';
import { createParser, type ParsedEvent } from '../../src/page/events/parse.js';
import { reconnectDelay } from '../../src/page/events/stream.js';

/** Feeds `chunks` to one parser and collects what it reported, in order. */
function parse(chunks: string[], lastEventId = ''): { events: ParsedEvent[]; ids: string[]; retries: number[] } {
  const events: ParsedEvent[] = [];
  const ids: string[] = [];
  const retries: number[] = [];
  const parser = createParser(lastEventId, {
    event: (event) => events.push(event),
    id: (id) => ids.push(id),
    retry: (ms) => retries.push(ms),
  });
  for (const chunk of chunks) parser.feed(chunk);
  return { events, ids, retries };
}

const message = (data: string, lastEventId = '', type = 'message'): ParsedEvent => ({ type, data, lastEventId });

describe('event stream parser (HTML, interpreting an event stream)', () => {
  it('joins data lines with LF and dispatches at the blank line', () => {
    expect(parse(['data: YHOO\ndata: +2\ndata: 10\n\n']).events).toEqual([message('YHOO\n+2\n10')]);
  });

  it('the standard example: empty data, a lone newline, and an unterminated block that is dropped', () => {
    expect(parse(['data\n\ndata\ndata\n\ndata:']).events).toEqual([message(''), message('\n')]);
  });

  it('removes one space after the colon, no more', () => {
    expect(parse(['data:test\n\ndata: test\n\ndata:  two\n\n']).events.map((e) => e.data)).toEqual(['test', 'test', ' two']);
  });

  it('ignores comments and unknown fields', () => {
    expect(parse([': keep-alive\nfoo: bar\ndata: x\n:another\n\n']).events).toEqual([message('x')]);
  });

  it('names events with event:, and a bare event line means message again', () => {
    expect(parse(['event: notice\ndata: a\n\nevent\ndata: b\n\n']).events).toEqual([message('a', '', 'notice'), message('b')]);
  });

  it('an event type without data dispatches nothing, and does not leak into the next event', () => {
    expect(parse(['event: lonely\n\ndata: x\n\n']).events).toEqual([message('x')]);
  });

  it('keeps the last event id across events and sets it at every blank line, data or not', () => {
    const { events, ids } = parse(['id: 1\ndata: a\n\ndata: b\n\nid: 7\n\n']);
    expect(events).toEqual([message('a', '1'), message('b', '1')]);
    expect(ids).toEqual(['1', '1', '7']);
  });

  it('starts from the previous connection’s last event id', () => {
    expect(parse(['data: x\n\n'], '41').events).toEqual([message('x', '41')]);
  });

  it('an empty id: resets the last event id; an id with NUL is ignored', () => {
    expect(parse(['id: 3\ndata: a\n\nid\ndata: b\n\nid: 4\0\ndata: c\n\n']).events.map((e) => e.lastEventId)).toEqual(['3', '', '']);
  });

  it('takes retry: only as ASCII digits', () => {
    expect(parse(['retry: 1500\n\nretry: 2s\nretry: -1\nretry: 1.5\nretry:\nretry: 30\n\n']).retries).toEqual([1500, 30]);
  });

  it('accepts LF, CR and CRLF line endings', () => {
    const expected = [message('a\nb'), message('c')];
    expect(parse(['data: a\ndata: b\n\ndata: c\n\n']).events).toEqual(expected);
    expect(parse(['data: a\rdata: b\r\rdata: c\r\r']).events).toEqual(expected);
    expect(parse(['data: a\r\ndata: b\r\n\r\ndata: c\r\n\r\n']).events).toEqual(expected);
  });

  it('gives the same events however the text is split, including between CR and LF', () => {
    const stream = 'id: 1\r\nevent: tick\r\ndata: one\r\n\r\n: c\ndata: two\rdata: 2\r\r\nid: 3\ndata: three\n\n';
    const whole = parse([stream]);
    expect(whole.events).toEqual([message('one', '1', 'tick'), message('two\n2', '1'), message('three', '3')]);
    for (let size = 1; size <= 7; size++) {
      const chunks = Array.from({ length: Math.ceil(stream.length / size) }, (_, i) => stream.slice(i * size, (i + 1) * size));
      expect(parse(chunks).events, `chunks of ${size}`).toEqual(whole.events);
    }
  });

  it('a CR at the end of a chunk followed by a chunk without LF is still one line ending', () => {
    expect(parse(['data: a\r', 'data: b\r', '\r']).events).toEqual([message('a\nb')]);
  });
});

describe('reconnectDelay', () => {
  it('never sooner than the reconnection time, doubling per failed attempt up to the cap', () => {
    expect(reconnectDelay(0, 1_000, 30_000, () => 0)).toBe(1_000);
    expect(reconnectDelay(1, 1_000, 30_000, () => 0)).toBe(2_000);
    expect(reconnectDelay(4, 1_000, 30_000, () => 0)).toBe(16_000);
    expect(reconnectDelay(5, 1_000, 30_000, () => 0)).toBe(30_000);
    expect(reconnectDelay(500, 1_000, 30_000, () => 0)).toBe(30_000);
  });

  it('adds up to half again of jitter', () => {
    expect(reconnectDelay(0, 1_000, 30_000, () => 0.999_999)).toBeCloseTo(1_500, 0);
    expect(reconnectDelay(5, 1_000, 30_000, () => 0.5)).toBe(37_500);
  });

  it('a server retry: above the cap still holds: the cap never shortens it', () => {
    expect(reconnectDelay(0, 60_000, 30_000, () => 0)).toBe(60_000);
    expect(reconnectDelay(3, 60_000, 30_000, () => 0)).toBe(60_000);
  });

  it('retry: 0 reconnects at once after a drop, but failed attempts still back off', () => {
    expect(reconnectDelay(0, 0, 30_000, () => 0.7)).toBe(0);
    expect(reconnectDelay(1, 0, 30_000, () => 0)).toBe(500);
    expect(reconnectDelay(3, 0, 30_000, () => 0)).toBe(2_000);
  });
});
