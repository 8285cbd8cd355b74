// @ts-check
/**
 * Just enough of Source Map v3 to say which source file each byte of a bundle (or each
 * profiled function) came from: decodes `mappings` and looks up generated positions.
 */

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const DIGITS = new Map([...BASE64].map((char, index) => [char, index]));

/**
 * @typedef {{ column: number, source: number | null }} Segment generated column (0-based) and source index
 * @typedef {{ sources: string[], lines: Segment[][] }} DecodedMap
 */

/**
 * @param {{ sources: string[], mappings: string }} map
 * @returns {DecodedMap}
 */
export function decodeSourceMap(map) {
  /** @type {Segment[][]} */
  const lines = [];
  let source = 0;
  for (const line of map.mappings.split(';')) {
    /** @type {Segment[]} */
    const segments = [];
    let column = 0;
    for (const text of line.split(',')) {
      if (text === '') continue;
      const fields = decodeVlq(text);
      column += /** @type {number} */ (fields[0]);
      if (fields.length >= 4) {
        source += /** @type {number} */ (fields[1]);
        // Source line/column/name deltas are not needed, but they are relative across segments,
        // and only source index and generated column are used here, so they can be skipped.
        segments.push({ column, source });
      } else {
        segments.push({ column, source: null });
      }
    }
    lines.push(segments);
  }
  return { sources: map.sources, lines };
}

/**
 * @param {string} text one segment
 * @returns {number[]}
 */
function decodeVlq(text) {
  /** @type {number[]} */
  const values = [];
  let value = 0;
  let shift = 0;
  for (const char of text) {
    const digit = DIGITS.get(char);
    if (digit === undefined) throw new Error(`bad source map character ${char}`);
    value += (digit & 31) << shift;
    if (digit & 32) {
      shift += 5;
    } else {
      values.push(value & 1 ? -(value >>> 1) : value >>> 1);
      value = 0;
      shift = 0;
    }
  }
  return values;
}

/**
 * The source file of a generated position (0-based line and column), or null when unmapped.
 * @param {DecodedMap} map
 * @param {number} line
 * @param {number} column
 * @returns {string | null}
 */
export function sourceAt(map, line, column) {
  const segments = map.lines[line];
  if (segments === undefined) return null;
  /** @type {Segment | undefined} */
  let found;
  for (const segment of segments) {
    if (segment.column > column) break;
    found = segment;
  }
  if (found === undefined || found.source === null) return null;
  return map.sources[found.source] ?? null;
}

/**
 * Bytes of the generated file attributed to each source (a byte belongs to the last mapping
 * at or before it on its line).
 * @param {string} code the generated file
 * @param {DecodedMap} map
 * @returns {Map<string, number>} source → bytes, plus '(unmapped)'
 */
export function bytesBySource(code, map) {
  /** @type {Map<string, number>} */
  const bytes = new Map();
  const add = (/** @type {string} */ source, /** @type {number} */ count) => bytes.set(source, (bytes.get(source) ?? 0) + count);
  const lines = code.split('\n');
  lines.forEach((text, index) => {
    const segments = map.lines[index] ?? [];
    const newline = index < lines.length - 1 ? 1 : 0;
    let cursor = 0;
    /** @type {string} */
    let current = '(unmapped)';
    for (const segment of segments) {
      if (segment.column > cursor) add(current, Buffer.byteLength(text.slice(cursor, segment.column)));
      cursor = Math.max(cursor, segment.column);
      current = segment.source === null ? '(unmapped)' : (map.sources[segment.source] ?? '(unmapped)');
    }
    add(current, Buffer.byteLength(text.slice(cursor)) + newline);
  });
  return bytes;
}

/**
 * Groups a source path into what a reader cares about: a dependency package, or our own file.
 * @param {string} source as written in the map (relative to the bundle)
 * @returns {string}
 */
export function sourceGroup(source) {
  if (source === '(unmapped)') return '(unmapped: whitespace, comments, glue)';
  const modules = source.lastIndexOf('node_modules/');
  if (modules !== -1) {
    const rest = source.slice(modules + 'node_modules/'.length).split('/');
    const name = rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1]}` : (rest[0] ?? source);
    return name;
  }
  const own = source.match(/(?:^|\/)((?:src|sw|bench)\/.*)$/);
  return own?.[1] ?? source;
}
