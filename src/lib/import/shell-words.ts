/**
 * Splits one bash command line into words the way bash does before it expands anything, and
 * expands nothing: `$(...)`, backticks, `$VAR` and globs stay literal text, so a pasted command
 * can never run or read anything. Handles `\` line continuations (also `\` CR LF), single and
 * double quotes, `$'...'` (ANSI-C escapes), `$"..."`, comments, here-documents and here-strings
 * (their text becomes `stdin`), and stops at the first unquoted control or redirection operator
 * (`|`, `;`, `&`, `<`, `>`, a newline), returning the rest.
 *
 * Our own rather than an npm package: shell-quote substitutes `$VAR` (an unknown one becomes an
 * empty string) and turns a continuation into an empty word; shlex fits but would be the sixth
 * runtime dependency. This one is tested against bash itself (test/unit/shell-words.test.js).
 */

export interface ShellWords {
  words: string[];
  /** Text after the first unquoted operator or newline that ends the command, trimmed ('' if none). */
  rest: string;
  /** Words holding `$(`, a backtick or `$name` outside single quotes: bash would expand them, we did not. */
  unexpanded: string[];
  /**
   * Standard input from a here-document (`<<EOF` … `EOF`, `<<-` strips leading tabs) or a
   * here-string (`<<< word`, which bash ends with a newline), as bash hands it to the command.
   */
  stdin?: string;
}

/** End (exclusive) of the line starting at i, without its newline. */
function lineEnd(text: string, i: number): number {
  const nl = text.indexOf('\n', i);
  return nl < 0 ? text.length : nl;
}

/** Remove leading tabs (index loop: no regex over unbounded input). */
function stripTabs(line: string): string {
  let k = 0;
  while (k < line.length && line[k] === '\t') k++;
  return line.slice(k);
}

export class ShellSyntaxError extends Error {}

const BLANK = new Set([' ', '\t']);
const OPERATOR = new Set(['|', ';', '&', '<', '>', '(', ')']);

/** `\` escapes inside `$'...'` (bash's ANSI-C quoting). */
function ansiEscape(text: string, at: number): [value: string, next: number] {
  const c = text[at];
  const simple: Record<string, string> = {
    n: '\n',
    t: '\t',
    r: '\r',
    a: '\x07',
    b: '\b',
    e: '\x1b',
    E: '\x1b',
    f: '\f',
    v: '\v',
    '\\': '\\',
    "'": "'",
    '"': '"',
    '?': '?',
  };
  if (c in simple) return [simple[c], at + 1];
  const hex = (max: number): [string, number] => {
    const m = new RegExp(`^[0-9a-fA-F]{1,${max}}`).exec(text.slice(at + 1));
    if (!m) return ['\\' + c, at + 1];
    return [String.fromCodePoint(parseInt(m[0], 16)), at + 1 + m[0].length];
  };
  if (c === 'x') return hex(2);
  if (c === 'u') return hex(4);
  if (c === 'U') return hex(8);
  if (c >= '0' && c <= '7') {
    const m = /^[0-7]{1,3}/.exec(text.slice(at)) as RegExpExecArray;
    return [String.fromCharCode(parseInt(m[0], 8) & 0xff), at + m[0].length];
  }
  if (c === 'c' && at + 1 < text.length) return [String.fromCharCode(text.charCodeAt(at + 1) & 0x1f), at + 2];
  return ['\\' + (c ?? ''), at + 1];
}

/**
 * End (exclusive) of a substitution starting at i: `$(...)` with nested parentheses, `${...}`
 * or `` `...` ``, or i itself when none starts there. Its text is kept as one literal piece.
 */
function substitutionEnd(text: string, i: number): number {
  const open =
    text[i] === '`' ? '`' : text[i] === '$' && (text[i + 1] === '(' || text[i + 1] === '{') ? text[i + 1] : '';
  if (!open) return i;
  if (open === '`') {
    let j = i + 1;
    while (j < text.length && text[j] !== '`') j += text[j] === '\\' ? 2 : 1;
    if (j >= text.length) throw new ShellSyntaxError('a backtick (`) is not closed');
    return j + 1;
  }
  const close = open === '(' ? ')' : '}';
  let depth = 0;
  for (let j = i + 1; j < text.length; j++) {
    if (text[j] === open) depth++;
    else if (text[j] === close && --depth === 0) return j + 1;
    else if (text[j] === "'") {
      const q = text.indexOf("'", j + 1);
      if (q < 0) break;
      j = q;
    }
  }
  throw new ShellSyntaxError(`a $${open}...${close} is not closed`);
}

function isContinuation(text: string, i: number): number {
  if (text[i] !== '\\') return 0;
  if (text[i + 1] === '\n') return 2;
  if (text[i + 1] === '\r' && text[i + 2] === '\n') return 3;
  return 0;
}

export function splitShellWords(text: string): ShellWords {
  const words: string[] = [];
  const unexpanded: string[] = [];
  let word = '';
  let inWord = false;
  let expandable = false;
  let i = 0;
  let stdin: string | undefined;
  /** the next word is a here-string (`<<<`) */
  let hereString = false;
  /** a here-document whose body starts after the current line */
  let hereDoc: { delimiter: string; stripTabs: boolean; quoted: boolean } | undefined;
  const end = () => {
    if (inWord && hereString) {
      stdin = word + '\n';
      hereString = false;
      if (expandable) unexpanded.push(word);
    } else if (inWord) {
      words.push(word);
      if (expandable) unexpanded.push(word);
    }
    word = '';
    inWord = false;
    expandable = false;
  };
  /** `$(`, `` ` ``, `${` or `$name` at i: text bash would expand (we keep it literal). */
  const marksExpansion = (j: number) =>
    text[j] === '`' || (text[j] === '$' && /^[({A-Za-z_0-9@*#?!$-]/.test(text[j + 1] ?? ''));
  /** Keep an expansion at i as literal text of the word; whether one was taken. */
  const takeExpansion = (): boolean => {
    if (!marksExpansion(i)) return false;
    expandable = true;
    const stop = substitutionEnd(text, i);
    if (stop <= i) return false;
    word += text.slice(i, stop);
    i = stop;
    return true;
  };

  while (i < text.length) {
    const c = text[i];
    const cont = isContinuation(text, i);
    if (cont) {
      i += cont;
      continue;
    }
    if (BLANK.has(c) || c === '\r') {
      end();
      i++;
      continue;
    }
    if (c === '<' && text[i + 1] === '<' && !hereString && !hereDoc) {
      end();
      if (text[i + 2] === '<') {
        hereString = true;
        i += 3;
        continue;
      }
      i += 2;
      const strip = text[i] === '-';
      if (strip) i++;
      while (BLANK.has(text[i])) i++;
      let raw = '';
      while (i < text.length && !BLANK.has(text[i]) && text[i] !== '\n' && text[i] !== '\r' && !OPERATOR.has(text[i]))
        raw += text[i++];
      const delimiter = raw.split("'").join('').split('"').join('').split('\\').join('');
      if (!delimiter) throw new ShellSyntaxError('a here-document (<<) has no delimiter word');
      hereDoc = { delimiter, stripTabs: strip, quoted: delimiter !== raw };
      continue;
    }
    if (c === '\n' && hereDoc) {
      end();
      // The body: every line up to the one that is the delimiter alone.
      const lines: string[] = [];
      let at = i + 1;
      let closed = false;
      while (at <= text.length) {
        const stop = lineEnd(text, at);
        let line = text.slice(at, stop);
        if (hereDoc.stripTabs) line = stripTabs(line);
        at = stop + 1;
        // A pasted CR LF text: the end line may end in CR; the body keeps its CRs, as bash does.
        if (line === hereDoc.delimiter || line === hereDoc.delimiter + '\r') {
          closed = true;
          break;
        }
        lines.push(line);
        if (stop >= text.length) break;
      }
      if (!closed) throw new ShellSyntaxError(`the here-document has no line "${hereDoc.delimiter}" that ends it`);
      stdin = lines.length ? lines.join('\n') + '\n' : '';
      if (!hereDoc.quoted && (stdin.includes('$') || stdin.includes('`'))) unexpanded.push('<<' + hereDoc.delimiter);
      return { words, rest: text.slice(Math.min(at, text.length)).trim(), unexpanded, stdin };
    }
    if (c === '\n' || OPERATOR.has(c)) {
      end();
      if (hereString) throw new ShellSyntaxError('a here-string (<<<) has no word');
      return { words, rest: text.slice(i).trim(), unexpanded, ...(stdin !== undefined ? { stdin } : {}) };
    }
    if (c === '#' && !inWord) {
      while (i < text.length && text[i] !== '\n') i++;
      continue;
    }
    inWord = true;
    if (c === '\\') {
      if (i + 1 < text.length) word += text[i + 1];
      i += 2;
      continue;
    }
    if (c === "'") {
      const close = text.indexOf("'", i + 1);
      if (close < 0) throw new ShellSyntaxError("a single quote (') is not closed");
      word += text.slice(i + 1, close);
      i = close + 1;
      continue;
    }
    if (c === '$' && text[i + 1] === "'") {
      i += 2;
      for (;;) {
        if (i >= text.length) throw new ShellSyntaxError("a $'...' string is not closed");
        if (text[i] === "'") break;
        if (text[i] === '\\') {
          const [value, next] = ansiEscape(text, i + 1);
          word += value;
          i = next;
        } else word += text[i++];
      }
      i++;
      continue;
    }
    if (c === '"' || (c === '$' && text[i + 1] === '"')) {
      i += c === '$' ? 2 : 1;
      for (;;) {
        if (i >= text.length) throw new ShellSyntaxError('a double quote (") is not closed');
        const d = text[i];
        if (d === '"') break;
        const inner = isContinuation(text, i);
        if (inner) {
          i += inner;
          continue;
        }
        if (d === '\\' && '$`"\\'.includes(text[i + 1] ?? '')) {
          word += text[i + 1];
          i += 2;
          continue;
        }
        if (takeExpansion()) continue;
        word += d;
        i++;
      }
      i++;
      continue;
    }
    if (takeExpansion()) continue;
    word += c;
    i++;
  }
  end();
  if (hereString) throw new ShellSyntaxError('a here-string (<<<) has no word');
  if (hereDoc) throw new ShellSyntaxError(`the here-document has no line "${hereDoc.delimiter}" that ends it`);
  return { words, rest: '', unexpanded, ...(stdin !== undefined ? { stdin } : {}) };
}
