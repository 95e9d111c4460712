'use strict';
// The importer's bash word splitter, checked against bash itself: bash parses each command
// (with a `curl` function that prints its arguments instead of running curl), and our words
// must be the same. Only commands with nothing bash would expand go to bash (asserted first).
const assert = require('assert');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { execFileSync } = require('child_process');
const { splitShellWords, ShellSyntaxError } = require('../../dist/lib/import/shell-words');

/** The words bash hands to `curl` for this command line. */
function bashWords(command) {
  const script = `set -f; curl() { printf '%s\\0' curl "$@"; }\n${command}`;
  const out = execFileSync('/bin/bash', ['--noprofile', '--norc', '-c', script], {
    env: { LC_ALL: 'C.UTF-8' },
    encoding: 'utf8',
  });
  return out.split('\0').slice(0, -1);
}

const SAME_AS_BASH = [
  `curl https://api.example.com/v1/items`,
  `curl -X POST 'https://api.example.com/v1/items?a=1&b=2' -H "Content-Type: application/json" -d '{"name": "x y"}'`,
  // continuations, as API docs print them
  `curl https://api.stripe.com/v1/charges \\\n  -u sk_test_4eC39HqLyjWDarjtT1zdp7dc: \\\n  -d amount=2000 \\\n  -d "description=My First Test Charge (created for API docs)"`,
  // Chromium's "Copy as cURL (bash)": single quotes, and $'...' when the text needs escapes
  `curl 'http://localhost:8080/api/v3/pet' \\\n  -H 'accept: */*' \\\n  -b 'sid=abc; theme=dark' \\\n  --data-raw $'{"name":"it\\'s \\u00e9\\n"}'`,
  `curl $'http://h/p?q=a\\x20b\\101\\t' -H $'x-esc: \\\\ \\" \\? \\a\\e'`,
  // double quotes keep backslashes that escape nothing; escaped $, backtick, quote, backslash
  `curl "http://h/\\d\\w" -d "a\\"b\\\\c\\$d\\\`e"`,
  `curl "multi\nline" -d "x\\\ny"`,
  `curl a\\ b c\\'d "e"'f'$'g' ""`,
  `curl 'x' # a comment -H 'not: a header'`,
  `curl -H$'a: b' -XPUT "$"`,
  `curl $"locale"`,
];

describe('import: bash word splitter', function () {
  for (const command of SAME_AS_BASH) {
    it(`splits like bash: ${JSON.stringify(command).slice(0, 70)}`, function () {
      const ours = splitShellWords(command);
      assert.deepStrictEqual(ours.unexpanded, [], 'nothing bash would expand');
      assert.strictEqual(ours.rest, '');
      assert.deepStrictEqual(ours.words, bashWords(command));
    });
  }

  it('keeps $(...), backticks and $NAME as text and says so, without running them', function () {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shell-words-'));
    const marker = path.join(dir, 'created');
    const command =
      `curl "http://h/$(touch ${marker})" -H "X-User: \`touch ${marker}\`" ` +
      `-d $(touch ${marker}) -u $USER:\${PASS} -H \`touch ${marker}\` -d "$(echo "nested (x)")"`;
    const { words, unexpanded, rest } = splitShellWords(command);
    assert.deepStrictEqual(words, [
      'curl',
      `http://h/$(touch ${marker})`,
      '-H',
      `X-User: \`touch ${marker}\``,
      '-d',
      `$(touch ${marker})`,
      '-u',
      '$USER:${PASS}',
      '-H',
      `\`touch ${marker}\``,
      '-d',
      '$(echo "nested (x)")',
    ]);
    assert.strictEqual(unexpanded.length, 6);
    assert.strictEqual(rest, '');
    assert.strictEqual(fs.existsSync(marker), false);
    // and bash would indeed have run it: the same text through bash creates the file
    execFileSync('/bin/bash', ['-c', `echo $(touch ${marker})`]);
    assert.strictEqual(fs.existsSync(marker), true);
    fs.rmSync(dir, { recursive: true });
  });

  it("'...' keeps $(...) as plain text that bash would not expand either", function () {
    const { words, unexpanded } = splitShellWords(`curl -d '$(rm -rf /)' 'http://h'`);
    assert.deepStrictEqual(words, ['curl', '-d', '$(rm -rf /)', 'http://h']);
    assert.deepStrictEqual(unexpanded, []);
  });

  it('stops at the first pipe, list, redirection or line end and returns the rest', function () {
    assert.deepStrictEqual(splitShellWords('curl http://h | jq .name'), {
      words: ['curl', 'http://h'],
      rest: '| jq .name',
      unexpanded: [],
    });
    assert.strictEqual(splitShellWords('curl http://h > out.json').rest, '> out.json');
    assert.strictEqual(splitShellWords('curl http://h && echo ok').rest, '&& echo ok');
    assert.strictEqual(splitShellWords('curl http://h; rm x').rest, '; rm x');
    assert.strictEqual(splitShellWords('curl http://h\ncurl http://other').rest, 'curl http://other');
    assert.strictEqual(splitShellWords("curl 'a|b;c>d'").rest, '');
  });

  it('also takes a continuation with a Windows line end (\\ CR LF), unlike bash, for text pasted from such docs', function () {
    const { words } = splitShellWords('curl -L \\\r\n  -H "Accept: application/json" \\\r\n  https://api.github.com/x');
    assert.deepStrictEqual(words, ['curl', '-L', '-H', 'Accept: application/json', 'https://api.github.com/x']);
  });

  it('reports an unclosed quote or substitution', function () {
    for (const bad of [`curl 'abc`, `curl "abc`, `curl $'abc`, 'curl `id', 'curl $(id', 'curl "$(id"']) {
      assert.throws(() => splitShellWords(bad), ShellSyntaxError, bad);
    }
  });
});

describe('import: here-documents and here-strings, as bash hands them to curl', function () {
  /** The words and the standard input bash hands to `curl` for this command. */
  function bashCall(command) {
    const script = `set -f; curl() { printf '%s\\0' curl "$@"; printf '\\1'; cat; }\n${command}`;
    const out = execFileSync('/bin/bash', ['--noprofile', '--norc', '-c', script], {
      env: { LC_ALL: 'C.UTF-8' },
      encoding: 'utf8',
    });
    const cut = out.indexOf('\x01');
    return { words: out.slice(0, cut).split('\0').slice(0, -1), stdin: out.slice(cut + 1) };
  }
  const CASES = [
    `curl -d @- http://h <<EOF\n{"a": 1}\n  indented\nEOF`,
    `curl -d @- http://h << EOF\nline\nEOF\n`,
    `curl --data-binary @- \\\n  -H 'X: y' http://h <<'END'\nquoted $HOME \`x\`\nEND`,
    `curl -d @- http://h <<-EOF\n\t\ttabs\n\tmore\n\tEOF`,
    `curl -d @- http://h <<EOF\r\nwindows\r\nEOF\r\n`,
    `curl -d @- http://h <<EOF\nEOF`,
    `curl -d @- http://h <<< 'a=1&b=2'`,
    `curl -d @- http://h <<<"x y"`,
    `curl -d @- http://h <<<plain -H 'After: yes'`,
  ];
  for (const command of CASES) {
    it(JSON.stringify(command), function () {
      const ours = splitShellWords(command);
      const bash = bashCall(command);
      assert.deepStrictEqual({ words: ours.words, stdin: ours.stdin }, bash);
    });
  }
  it('refuses a here-document without its end line', function () {
    assert.throws(() => splitShellWords('curl -d @- http://h <<EOF\nno end'), ShellSyntaxError);
    assert.throws(() => splitShellWords('curl -d @- http://h <<<'), ShellSyntaxError);
  });
});
