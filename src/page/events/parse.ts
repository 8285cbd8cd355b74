/**
 * The `text/event-stream` interpretation of the HTML standard ("Interpreting an event stream"),
 * fed decoded text in chunks of any size. An event is only dispatched at its blank line, so a
 * connection that drops mid-event dispatches nothing of it: the resumed stream sends it whole.
 */

/** One dispatched event: its type (`message` unless named), data and the last event id. */
export interface ParsedEvent {
  type: string;
  data: string;
  lastEventId: string;
}

/** What a parser reports, in stream order. */
export interface ParserSink {
  /** At every blank line: the source's last event id from now on (before any event it ends). */
  id(lastEventId: string): void;
  /** A complete event with data. */
  event(event: ParsedEvent): void;
  /** A valid `retry:` field: the new reconnection time in ms. */
  retry(ms: number): void;
}

export interface EventStreamParser {
  /** Parses the next piece of decoded text; pieces may split lines and line endings anywhere. */
  feed(text: string): void;
}

/**
 * A parser for one connection. `lastEventId` carries over from the previous connection, as the
 * event source's last event id does: an event without `id:` keeps it.
 */
export function createParser(lastEventId: string, sink: ParserSink): EventStreamParser {
  let pending = '';
  /** The previous chunk ended in CR: a leading LF completes that line ending. */
  let afterCr = false;
  let data = '';
  let type = '';
  let id = lastEventId;

  const dispatch = (): void => {
    // The id is the source's from now on, even when there is no data to dispatch.
    sink.id(id);
    const event = { type: type === '' ? 'message' : type, data: data.slice(0, -1), lastEventId: id };
    const complete = data !== '';
    data = '';
    type = '';
    if (complete) sink.event(event);
  };

  const line = (text: string): void => {
    if (text === '') return dispatch();
    if (text.startsWith(':')) return;
    const colon = text.indexOf(':');
    const field = colon === -1 ? text : text.slice(0, colon);
    let value = colon === -1 ? '' : text.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') data += `${value}\n`;
    else if (field === 'event') type = value;
    else if (field === 'id' && !value.includes('\0')) id = value;
    else if (field === 'retry' && /^\d+$/.test(value)) sink.retry(Number(value));
  };

  return {
    feed(text) {
      let chunk = text;
      if (afterCr && chunk.startsWith('\n')) chunk = chunk.slice(1);
      afterCr = false;
      pending += chunk;
      let start = 0;
      for (let i = 0; i < pending.length; i++) {
        const char = pending[i];
        if (char !== '\n' && char !== '\r') continue;
        line(pending.slice(start, i));
        if (char === '\r') {
          if (i + 1 === pending.length) afterCr = true;
          else if (pending[i + 1] === '\n') i++;
        }
        start = i + 1;
      }
      pending = pending.slice(start);
    },
  };
}
