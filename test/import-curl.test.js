'use strict';
// POST /rest-datasource/import/curl with commands as API docs print them and as Chromium's
// "Copy as cURL (bash)" writes them. Each command is run twice against the same local stand-in
// server: once by bash and /usr/bin/curl, once as the imported datasource + query in Node-RED.
// What arrives must be the same request: method, path, query, the headers the command sets,
// cookies and body. Only transport headers that differ by client are left out (listed below).
const assert = require('assert');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { execFile } = require('child_process');
const { helper, loadQuery, useRuntime } = require('./lib/nr');
const { startServer } = require('./lib/server');

/** Headers each client sets its own way; every other header must match. */
const TRANSPORT = new Set(['host', 'connection', 'content-length', 'accept-encoding', 'transfer-encoding', 'expect']);

/** Real-world commands. `origin` is replaced by the stand-in server's origin before either run. */
const COMMANDS = [
  {
    name: 'Stripe docs: -u key:, -d fields (a form)',
    origin: 'https://api.stripe.com',
    command: `curl https://api.stripe.com/v1/charges \\
  -u sk_test_4eC39HqLyjWDarjtT1zdp7dc: \\
  -d amount=2000 \\
  -d currency=usd \\
  -d "description=My First Test Charge (created for API docs)"`,
  },
  {
    name: 'GitHub docs: -L, Bearer, JSON body with -d',
    origin: 'https://api.github.com',
    command: `curl -L \\
  -X POST \\
  -H "Accept: application/vnd.github+json" \\
  -H "Authorization: Bearer ghp_16C7e42F292c6912E7710c838347Ae178B4a" \\
  -H "X-GitHub-Api-Version: 2022-11-28" \\
  https://api.github.com/repos/OWNER/REPO/issues \\
  -d '{"title":"Found a bug","body":"I'"'"'m having a problem with this.","assignees":["octocat"],"milestone":1,"labels":["bug"]}'`,
  },
  {
    name: 'GitHub docs: a GET with query parameters',
    origin: 'https://api.github.com',
    command: `curl -L \\
  -H "Accept: application/vnd.github+json" \\
  -H "Authorization: Bearer ghp_16C7e42F292c6912E7710c838347Ae178B4a" \\
  -H "X-GitHub-Api-Version: 2022-11-28" \\
  "https://api.github.com/repos/OWNER/REPO/issues?state=open&labels=bug,ui&per_page=50"`,
  },
  {
    name: 'Slack docs: incoming webhook, -X POST with --data',
    origin: 'https://hooks.slack.com',
    command: `curl -X POST -H 'Content-type: application/json' --data '{"text":"Hello, World!"}' https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX`,
  },
  {
    name: 'Twilio docs: --data-urlencode fields and -u SID:token',
    origin: 'https://api.twilio.com',
    command: `curl -X POST "https://api.twilio.com/2010-04-01/Accounts/ACXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX/Messages.json" \\
--data-urlencode "Body=Hi there, it's 5 & 6 = 11?" \\
--data-urlencode "From=+15557122661" \\
--data-urlencode "To=+15558675310" \\
-u ACXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX:your_auth_token`,
  },
  {
    name: 'Mailgun docs: multipart -F fields and --user',
    origin: 'https://api.mailgun.net',
    command: `curl -s --user 'api:key-3ax6xnjp29jd6fds4gc373sgvjxteol0' \\
    https://api.mailgun.net/v3/sandbox123.mailgun.org/messages \\
    -F from='Excited User <mailgun@sandbox123.mailgun.org>' \\
    -F to=alice@example.com \\
    -F subject='Hello' \\
    -F text='Testing some Mailgun awesomeness!'`,
  },
  {
    name: 'NASA docs: an API key as a query parameter',
    origin: 'https://api.nasa.gov',
    command: `curl "https://api.nasa.gov/planetary/apod?api_key=DEMO_KEY&date=2024-01-01"`,
  },
  {
    name: 'OpenAI-style docs: --json (sets Content-Type and Accept)',
    origin: 'https://api.example.com',
    command: `curl https://api.example.com/v1/chat/completions \\
  -H "Authorization: Bearer sk-proj-abc123" \\
  --json '{"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Say this is a test!"}]}'`,
  },
  {
    name: 'Chromium "Copy as cURL (bash)": a fetch() POST with cookies and many headers',
    origin: 'https://shop.example.com',
    command: `curl 'https://shop.example.com/api/v3/cart/items?lang=de' \\
  -H 'accept: application/json, text/plain, */*' \\
  -H 'accept-language: de-DE,de;q=0.9,en;q=0.8' \\
  -H 'content-type: application/json' \\
  -b 'session_id=s%3Aabc.def; _ga=GA1.1.123.456; theme=dark' \\
  -H 'origin: https://shop.example.com' \\
  -H 'priority: u=1, i' \\
  -H 'referer: https://shop.example.com/cart' \\
  -H 'sec-ch-ua: "Chromium";v="131", "Not_A Brand";v="24"' \\
  -H 'sec-ch-ua-mobile: ?0' \\
  -H 'sec-ch-ua-platform: "Linux"' \\
  -H 'sec-fetch-dest: empty' \\
  -H 'sec-fetch-mode: cors' \\
  -H 'sec-fetch-site: same-origin' \\
  -H 'user-agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36' \\
  -H 'x-csrf-token: 4f9c2b1e77' \\
  --data-raw '{"sku":"A-1","qty":2,"note":"gift"}'`,
  },
  {
    name: 'Chromium "Copy as cURL (bash)": a text body that needs $\'...\'',
    origin: 'https://shop.example.com',
    command: `curl 'https://shop.example.com/api/v3/reviews' \\
  -H 'accept: */*' \\
  -H 'content-type: text/plain;charset=UTF-8' \\
  -H 'user-agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36' \\
  --data-raw $'It\\'s great \\u2013 5/5\\nWould buy again'`,
  },
  {
    name: 'Chromium "Copy as cURL (bash)": a GET with an Authorization header, --compressed',
    origin: 'https://shop.example.com',
    command: `curl 'https://shop.example.com/api/v3/products?q=red%20shoes&page=2&sort=price' \\
  -H 'accept: application/json' \\
  -H 'authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig' \\
  --compressed`,
  },
  {
    name: 'curl -G turns -d data into query parameters',
    origin: 'https://api.example.com',
    command: `curl -G https://api.example.com/search --data-urlencode "q=caf\u00e9 & bar" -d limit=5 -H 'X-Trace: 1'`,
  },
];

function runCurl(command, cwd) {
  return new Promise((resolve, reject) => {
    execFile(
      '/bin/bash',
      ['--noprofile', '--norc', '-c', command],
      { cwd, env: { PATH: '/usr/bin:/bin', HOME: cwd, LC_ALL: 'C.UTF-8' } },
      (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve()),
    );
  });
}

function cookiesOf(header) {
  return (header || '')
    .split(';')
    .map((s) => s.trim())
    .filter(Boolean)
    .sort();
}

function multipartFields(body, contentType) {
  const boundary = /boundary=([^;]+)/.exec(contentType)[1].replace(/"/g, '');
  return body
    .toString('utf8')
    .split('--' + boundary)
    .slice(1, -1)
    .map((part) => {
      const [head, ...rest] = part.split('\r\n\r\n');
      return [/name="([^"]*)"/.exec(head)[1], rest.join('\r\n\r\n').replace(/\r\n$/, '')];
    })
    .sort();
}

/** The request as the API sees it, normalised only where two correct clients may differ. */
function seen(req, { defaultUserAgent, defaultAccept }) {
  const url = new URL(req.url, 'http://x');
  const type = (req.headers['content-type'] || '').split(';')[0].trim().toLowerCase();
  const headers = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (TRANSPORT.has(name) || name === 'cookie') continue;
    if (name === 'user-agent' && defaultUserAgent) continue;
    if (name === 'accept' && defaultAccept) continue;
    headers[name] = name === 'content-type' && type.startsWith('multipart/') ? type : value;
  }
  let body;
  if (type.startsWith('multipart/')) body = multipartFields(req.body, req.headers['content-type']);
  else if (/json/.test(type) && req.body.length) body = JSON.parse(req.body.toString('utf8'));
  else if (type === 'application/x-www-form-urlencoded')
    body = [...new URLSearchParams(req.body.toString('utf8'))].sort();
  else body = req.body.toString('utf8');
  return {
    method: req.method,
    path: url.pathname,
    query: [...url.searchParams].sort(),
    headers,
    cookies: cookiesOf(req.headers.cookie),
    body,
  };
}

/** A flow from the import: the proposed datasource (credentials in the credential store) and query. */
function flowFrom(proposal) {
  const { credentials, ...ds } = proposal.datasource;
  return { ds, credentials, query: { ...proposal.query, responseType: 'text' } };
}

async function importCommand(command, datasource) {
  const res = await helper.request().post('/rest-datasource/import/curl').send({ command, datasource });
  assert.strictEqual(res.status, 200, JSON.stringify(res.body));
  return res.body;
}

describe('POST /rest-datasource/import/curl: the imported query sends what curl sends', function () {
  let api;
  let dir;
  useRuntime();
  before(async function () {
    api = await startServer();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'import-curl-'));
  });
  after(async function () {
    await api.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(async function () {
    // the admin routes exist once the package's nodes are loaded
    await loadQuery({ ds: { baseUrl: 'http://127.0.0.1:1' } });
  });
  afterEach(async function () {
    await helper.unload();
  });

  /** Replace the loaded flow by the imported one. */
  async function loadImported(proposal) {
    await helper.unload();
    return loadQuery(flowFrom(proposal));
  }

  for (const { name, origin, command: original } of COMMANDS) {
    it(name, async function () {
      const command = original.split(origin).join(api.url);
      api.requests.length = 0;
      await runCurl(command, dir);
      const byCurl = api.requests[0];

      const proposal = await importCommand(command);
      assert.deepStrictEqual(proposal.files, []);
      const flow = flowFrom(proposal);
      // Credentials are never flow properties.
      for (const secret of [
        'sk_test_4eC39HqLyjWDarjtT1zdp7dc',
        'ghp_16C7e42F292c6912E7710c838347Ae178B4a',
        'DEMO_KEY',
      ]) {
        assert.ok(!JSON.stringify([flow.ds, flow.query]).includes(secret), `${secret} in the flow`);
      }
      const { run } = await loadImported(proposal);
      api.requests.length = 0;
      const result = await run(proposal.payload === undefined ? {} : { payload: proposal.payload });
      assert.ok(result.msg, result.error && JSON.stringify(result.error.error));
      assert.strictEqual(result.msg.statusCode, 200);
      const byNodeRed = api.requests[0];

      const commandSets = (header) => new RegExp(`(-H|--header) ['"$]*${header}:`, 'i').test(command);
      const normalise = {
        defaultUserAgent: !commandSets('user-agent'),
        defaultAccept: !commandSets('accept') && !/--json/.test(command),
      };
      assert.deepStrictEqual(seen(byNodeRed, normalise), seen(byCurl, normalise));
    });
  }

  it('makes the path relative to the selected datasource when the URL lies under its base URL', async function () {
    await helper.unload();
    await loadQuery({ ds: { baseUrl: 'https://api.github.com/repos' } });
    const command = `curl -H "Accept: application/vnd.github+json" https://api.github.com/repos/OWNER/REPO/issues?state=open`;
    let proposal = await importCommand(command, 'ds');
    assert.strictEqual(proposal.underDatasource, true);
    assert.strictEqual(proposal.datasource.baseUrl, 'https://api.github.com/repos');
    assert.strictEqual(proposal.query.path, '/OWNER/REPO/issues');
    // the dialog's unsaved base URL wins over the deployed one
    proposal = await importCommand(command, { id: 'ds', baseUrl: 'https://api.github.com' });
    assert.strictEqual(proposal.query.path, '/repos/OWNER/REPO/issues');
    // another origin: a new datasource for that origin is proposed
    proposal = await importCommand('curl https://api.stripe.com/v1/charges/ch_1', 'ds');
    assert.strictEqual(proposal.underDatasource, false);
    assert.strictEqual(proposal.datasource.baseUrl, 'https://api.stripe.com/v1');
    assert.strictEqual(proposal.query.path, '/charges/ch_1');
  });

  it('lists every flag it did not import, and the fields that need a file', async function () {
    const proposal = await importCommand(
      `curl -sS -o out.json --cacert ca.pem -x http://proxy:3128 --retry 3 -F 'photo=@cat.jpg;type=image/jpeg' -F name=Tom https://api.example.com/v1/pets | jq .`,
    );
    assert.deepStrictEqual(
      proposal.ignored.map((i) => i.flag),
      ['| jq .', '-s', '-S', '-o', '--cacert', '-x', '--retry'],
    );
    assert.deepStrictEqual(proposal.files, [{ flag: '-F', field: 'photo', path: 'cat.jpg' }]);
    assert.strictEqual(proposal.query.bodyType, 'multipart');
    assert.deepStrictEqual(proposal.payload, { name: 'Tom' });
  });

  it('never runs $(...) or backticks: a command that would create a file only imports text', async function () {
    const marker = path.join(dir, 'pwned');
    const command = `curl "${api.url}/x?u=$(touch ${marker})" -H "X-A: \`touch ${marker}\`" -d $(touch ${marker})`;
    const proposal = await importCommand(command);
    assert.deepStrictEqual(
      proposal.warnings.map((w) => w.code),
      ['unexpanded', 'unexpanded', 'unexpanded', 'queryEncoded'],
    );
    assert.match(proposal.warnings[0].text, /kept as text/);
    // a space is not what a query row sends back as written: the query stays in the path
    assert.deepStrictEqual(proposal.query.params, []);
    assert.strictEqual(proposal.query.path, `/x?u=$(touch ${marker})`);
    assert.deepStrictEqual(proposal.query.headers, [{ name: 'X-A', value: `\`touch ${marker}\``, valueType: 'str' }]);
    // sending the imported query sends the text, and still creates nothing
    const { run } = await loadImported(proposal);
    api.requests.length = 0;
    const result = await run({ payload: proposal.payload });
    assert.ok(result.msg);
    assert.strictEqual(api.requests[0].headers['x-a'], `\`touch ${marker}\``);
    assert.strictEqual(fs.existsSync(marker), false);
  });

  it('answers 400 with a clear message on bad input', async function () {
    const cases = [
      [{}, /command: paste a curl command/],
      [{ command: 'wget http://x' }, /must start with curl/],
      [{ command: "curl 'http://x" }, /single quote/],
      [{ command: 'curl -H' }, /-H needs a value/],
      [{ command: 'curl -s' }, /has no URL/],
      [{ command: 'curl ftp://x/y' }, /only http/],
      [{ command: 'curl -X BREW http://x' }, /-X BREW/],
      [{ command: 'curl http://x', datasource: 42 }, /datasource: must be/],
    ];
    for (const [body, message] of cases) {
      const res = await helper.request().post('/rest-datasource/import/curl').send(body);
      assert.strictEqual(res.status, 400, JSON.stringify(body));
      assert.match(res.body.error, message);
    }
  });
});
