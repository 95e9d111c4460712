'use strict';
// The cURL import measured on a corpus of real-world commands (test/fixtures/curl-corpus.txt:
// examples as public API documentation prints them). Each command is run by bash and
// /usr/bin/curl and, imported, by Node-RED, against one local server; the two requests are
// compared byte for byte: method, request target, every header the command sets, the Cookie
// header and the body (a multipart boundary is the only thing renamed). Left out are only the
// headers each client sets its own way (transport framing, and its default User-Agent and
// Accept when the command sets none), and a credential query parameter may move to the end
// (the datasource adds it; it is named in credentialsFound).
//
// A command is applicable when curl sent a request, the command reads no local file, needs no
// shell expansion (`$(uuidgen)`, `$TOKEN`: what bash puts there is not in the text; the import
// says so with `unexpanded`) and sends no body with GET or HEAD (the query node cannot;
// `bodyIgnored`).
// The import must make >= 97 % of them equivalent, and name every remaining difference in its
// answer (`ignored`, `warnings`, or a refusal). test/output/curl-corpus.json lists each result.
const assert = require('assert');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { execFile } = require('child_process');
const { helper, loadQuery, useRuntime } = require('./lib/nr');
const { startServer } = require('./lib/server');

const TRANSPORT = new Set(['host', 'connection', 'content-length', 'accept-encoding', 'transfer-encoding', 'expect']);
/** Notices that name no difference in the request (they only say what curl prints). */
const NAMES_NOTHING = new Set(['output']);

function readCorpus(file = 'curl-corpus.txt') {
  const text = fs.readFileSync(path.join(__dirname, 'fixtures', file), 'utf8');
  const blocks = text.split(/^### /m).slice(1);
  return blocks.map((block) => {
    const nl = block.indexOf('\n');
    return { source: block.slice(0, nl).trim(), command: block.slice(nl + 1).replace(/\s+$/, '') };
  });
}

/** Point every URL of the command at the local server (both runs get the same command). */
function localise(command, origin) {
  const host = origin.replace(/^http:\/\//, '');
  return command
    .replace(/https?:\/\/([^/\s'"?@]+@)?[^/\s'"?@:]+(:\d+)?/g, (all, userinfo) => `http://${userinfo || ''}${host}`)
    .replace(/(^|[\s'"])(localhost(:\d+)?|ntfy\.sh)(?=[/?'"\s])/g, (all, before) => before + host);
}

function runCurl(command, cwd) {
  return new Promise((resolve) => {
    execFile(
      '/bin/bash',
      ['--noprofile', '--norc', '-c', command],
      { cwd, env: { PATH: '/usr/bin:/bin', HOME: cwd, LC_ALL: 'C.UTF-8' }, timeout: 10000 },
      () => resolve(),
    );
  });
}

function headerMap(req, normalise) {
  const out = {};
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i].toLowerCase();
    if (TRANSPORT.has(name)) continue;
    if (name === 'user-agent' && normalise.defaultUserAgent) continue;
    if (name === 'accept' && normalise.defaultAccept) continue;
    out[name] = out[name] === undefined ? req.rawHeaders[i + 1] : `${out[name]}, ${req.rawHeaders[i + 1]}`;
  }
  return out;
}

/** JSON with its object members in name order (RFC 8259: an object is unordered, whitespace insignificant). */
function canonicalJson(text) {
  const sort = (v) =>
    Array.isArray(v)
      ? v.map(sort)
      : v && typeof v === 'object'
        ? Object.fromEntries(
            Object.keys(v)
              .sort()
              .map((k) => [k, sort(v[k])]),
          )
        : v;
  try {
    return 'JSON ' + JSON.stringify(sort(JSON.parse(text)));
  } catch {
    return text;
  }
}

/**
 * The body; a field the import moved to the datasource's secret body rows (which the datasource
 * adds first) is compared by name and value apart from the others, which keep their bytes.
 */
function bodyOf(text, contentType, moved) {
  const type = contentType.split(';')[0].trim().toLowerCase();
  if (/[/+]json$/.test(type) && text.trim()) return { body: canonicalJson(text), movedFields: [] };
  if (type === 'application/x-www-form-urlencoded' && moved.size) {
    const pieces = text.split('&');
    const name = (p) => decodeURIComponent(p.split('=')[0].replace(/\+/g, ' '));
    return {
      body: pieces.filter((p) => !moved.has(name(p))).join('&'),
      movedFields: pieces
        .filter((p) => moved.has(name(p)))
        .map((p) => decodeURIComponent(p.replace(/\+/g, ' ')))
        .sort(),
    };
  }
  if (type === 'multipart/form-data' && moved.size) {
    const parts = text.split('--BOUNDARY');
    const isMoved = (part) => [...moved].some((n) => part.includes(`name="${n}"`));
    return {
      body: parts.filter((p) => !isMoved(p)).join('--BOUNDARY'),
      movedFields: parts.filter(isMoved).sort(),
    };
  }
  return { body: text, movedFields: [] };
}

/** The request as the server saw it; only the multipart boundary is renamed. */
function seen(req, normalise, movedParams, movedFields) {
  const headers = headerMap(req, normalise);
  let body = req.body.toString('utf8');
  const boundary = /boundary=("?)([^";]+)\1/.exec(headers['content-type'] || '');
  if (boundary) {
    body = body.split(boundary[2]).join('BOUNDARY');
    headers['content-type'] = headers['content-type'].split(boundary[2]).join('BOUNDARY');
  }
  const sortedHeaders = Object.fromEntries(
    Object.keys(headers)
      .sort()
      .map((k) => [k, headers[k]]),
  );
  const q = req.url.indexOf('?');
  const pathname = q < 0 ? req.url : req.url.slice(0, q);
  const pairs = q < 0 ? [] : req.url.slice(q + 1).split('&');
  const nameOf = (pair) => {
    try {
      return decodeURIComponent(pair.split('=')[0].replace(/\+/g, ' '));
    } catch {
      return pair;
    }
  };
  const decoded = (pair) => {
    try {
      return decodeURIComponent(pair.replace(/\+/g, ' '));
    } catch {
      return pair;
    }
  };
  return {
    method: req.method,
    path: pathname,
    query: pairs.filter((p) => !movedParams.has(nameOf(p))).join('&'),
    credentialParams: pairs
      .filter((p) => movedParams.has(nameOf(p)))
      .map(decoded)
      .sort(),
    // RFC 9110 5.3: the order of fields with different names is not significant
    headers: sortedHeaders,
    ...bodyOf(body, headers['content-type'] || '', movedFields),
  };
}

function flowFrom(proposal) {
  const { credentials, ...ds } = proposal.datasource;
  return { ds, credentials, query: { ...proposal.query, responseType: 'text' } };
}

/** The names of query parameters the import moved into the datasource's credentials. */
function movedParamsOf(proposal) {
  const ds = proposal.datasource;
  const names = new Set((ds.params || []).map((p) => p.name));
  if (ds.authType === 'apiKey' && ds.apiKeyIn === 'query') names.add(ds.apiKeyName);
  return names;
}

function differences(a, b) {
  return Object.keys(a).filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]));
}

describe('cURL import on a corpus of real-world commands', function () {
  this.timeout(300000);
  let api;
  let dir;
  useRuntime();
  before(async function () {
    // The raw header list keeps each header as sent (names, order, repeats).
    api = await startServer((req, res) => {
      api.requests[api.requests.length - 1].rawHeaders = req.rawHeaders;
      res.end('ok');
    });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'import-corpus-'));
  });
  after(async function () {
    await api.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** Run every command with curl and imported; one result per command. */
  async function measure(corpus) {
    await loadQuery({ ds: { baseUrl: 'http://127.0.0.1:1' } });
    const results = [];
    for (const { source, command: original } of corpus) {
      const command = localise(original, api.url);
      api.requests.length = 0;
      await runCurl(command, dir);
      const byCurl = api.requests[0];
      const result = { source };
      results.push(result);
      let proposal;
      await helper.unload();
      await loadQuery({ ds: { baseUrl: 'http://127.0.0.1:1' } });
      const res = await helper.request().post('/rest-datasource/import/curl').send({ command });
      if (res.status !== 200) {
        proposal = undefined;
        result.refused = res.body.error;
      } else proposal = res.body;
      const warned = (code) => proposal && proposal.warnings.some((w) => w.code === code);
      const why = !byCurl
        ? 'curl sent no request'
        : proposal && proposal.files.length
          ? 'reads a local file'
          : warned('unexpanded')
            ? 'needs a shell expansion (named: unexpanded)'
            : warned('bodyIgnored')
              ? 'a body with GET or HEAD (named: bodyIgnored)'
              : '';
      if (why) {
        result.applicable = false;
        result.why = why;
        continue;
      }
      result.applicable = true;
      if (!proposal) {
        result.equivalent = false;
        result.named = [`refused: ${result.refused}`];
        continue;
      }
      await helper.unload();
      const { run } = await loadQuery(flowFrom(proposal));
      api.requests.length = 0;
      const out = await run(proposal.payload === undefined ? {} : { payload: proposal.payload });
      const byNodeRed = api.requests[0];
      const sets = (header) => new RegExp(`(-H|--header)\\s*['"$]*${header}:`, 'i').test(command);
      const normalise = {
        defaultUserAgent: !sets('user-agent') && !/(^|\s)(-A|--user-agent)\s/.test(command),
        defaultAccept: !sets('accept') && !/--json/.test(command),
      };
      const moved = movedParamsOf(proposal);
      if (!byNodeRed) {
        result.equivalent = false;
        result.differs = ['not sent: ' + JSON.stringify(out.error && out.error.error)];
      } else {
        const fields = new Set((proposal.datasource.body || []).map((b) => b.name));
        const a = seen(byCurl, normalise, moved, fields);
        const b = seen(byNodeRed, normalise, moved, fields);
        result.differs = differences(a, b);
        result.equivalent = result.differs.length === 0;
        if (!result.equivalent) result.detail = { curl: a, nodeRed: b };
      }
      result.named = [
        ...proposal.ignored.filter((i) => !NAMES_NOTHING.has(i.code)).map((i) => `ignored ${i.flag}: ${i.code}`),
        ...proposal.warnings.map((w) => `warning: ${w.code}`),
      ];
    }
    await helper.unload();
    return results;
  }

  it('imports >= 97 % of the applicable commands to exactly the request curl sends, and names every difference', async function () {
    const corpus = readCorpus();
    assert.ok(corpus.length >= 100, `the corpus has ${corpus.length} commands`);
    const results = await measure(corpus);
    const applicable = results.filter((r) => r.applicable);
    const equivalent = applicable.filter((r) => r.equivalent);
    const rate = equivalent.length / applicable.length;
    const summary = {
      commands: results.length,
      applicable: applicable.length,
      equivalent: equivalent.length,
      rate: Math.round(rate * 1000) / 10,
      notApplicable: results.filter((r) => !r.applicable).map((r) => `${r.source}: ${r.why}`),
      differing: applicable.filter((r) => !r.equivalent),
    };
    fs.mkdirSync(path.join(__dirname, 'output'), { recursive: true });
    fs.writeFileSync(path.join(__dirname, 'output', 'curl-corpus.json'), JSON.stringify(summary, null, 2));
    const silent = summary.differing.filter((r) => !r.named.length);
    assert.deepStrictEqual(
      silent.map((r) => `${r.source}: ${r.differs}`),
      [],
      'differences the import does not name',
    );
    assert.ok(
      rate >= 0.97,
      `${equivalent.length} of ${applicable.length} applicable commands equivalent (${summary.rate} %); ` +
        'see test/output/curl-corpus.json',
    );
  });

  it('imports each fidelity point of issue 22 to exactly the request curl sends', async function () {
    const results = await measure(readCorpus('curl-fidelity.txt'));
    assert.deepStrictEqual(
      results.filter((r) => !r.applicable || !r.equivalent).map((r) => `${r.source}: ${r.why || r.differs}`),
      [],
    );
  });
});
