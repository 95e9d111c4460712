/**
 * String helpers in plain index loops, for input of any length. A regular expression anchored
 * at the end with a run quantifier (`/\/+$/`, `/[\t ]+$/`) is retried from every position of a
 * long run and costs quadratic time: 60,000 spaces blocked the event loop for seconds. These
 * run in linear time (docs/security.md, "Linear time").
 */

/** `text` without the run of `char` at its end (`char` is one UTF-16 unit). */
export function trimTrailing(text: string, char: string): string {
  let end = text.length;
  while (end > 0 && text[end - 1] === char) end--;
  return end === text.length ? text : text.slice(0, end);
}

/** `text` without the run of `char` at its start. */
export function trimLeading(text: string, char: string): string {
  let start = 0;
  while (start < text.length && text[start] === char) start++;
  return start === 0 ? text : text.slice(start);
}

const isSpaceOrTab = (c: string): boolean => c === ' ' || c === '\t';

/** `text` without spaces and tabs at either end (HTTP's optional whitespace, OWS). */
export function trimSpacesAndTabs(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && isSpaceOrTab(text[start])) start++;
  while (end > start && isSpaceOrTab(text[end - 1])) end--;
  return start === 0 && end === text.length ? text : text.slice(start, end);
}

/** Each `begin … end` block of `text`, markers included, in order (PEM blocks and the like). */
export function blocksBetween(text: string, begin: string, end: string): string[] {
  const blocks: string[] = [];
  let from = 0;
  for (;;) {
    const start = text.indexOf(begin, from);
    if (start < 0) return blocks;
    // At least one character between the markers, as /begin[\s\S]+?end/ required.
    const stop = text.indexOf(end, start + begin.length + 1);
    if (stop < 0) return blocks;
    blocks.push(text.slice(start, stop + end.length));
    from = stop + end.length;
  }
}
