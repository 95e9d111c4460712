'use strict';
// OAuth 2.0 (client_credentials) through rest-query: requests with a valid cached token, and
// a burst of concurrent messages arriving at an expired token, which must cause exactly one
// token request. Skipped, with a note, when the build has no OAuth 2.0 scheme.
const { measure } = require('./measure');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function oauthScenarios(api, flow, { window, timing, burst }) {
  const nr = await flow.load(
    [{ id: 'q-secure', node: { type: 'rest-query', datasource: 'dso', method: 'GET', path: 'secure' } }],
    [
      {
        id: 'dso',
        type: 'rest-datasource',
        name: 'bench oauth api',
        baseUrl: api.base,
        authType: 'oauth2',
        oauth2GrantType: 'client_credentials',
        oauth2TokenUrl: `${api.base}/oauth/token`,
        oauth2ClientAuth: 'body',
      },
    ],
    { dso: { clientId: 'bench-client', clientSecret: 'bench-client-secret' } },
  );
  try {
    const ds = nr.node('dso');
    if (!ds || ds.configError || !ds.datasource) {
      const why = ds && ds.configError ? ds.configError.message : 'the datasource did not start';
      console.log(`  oauth: skipped (${why})`);
      return { skipped: why };
    }
    const drive = nr.driver('q-secure');
    const request = async () => {
      const msg = await drive({});
      if (msg.statusCode !== 200) throw new Error(`HTTP ${msg.statusCode}`);
    };
    const tokens = async () => (await api.ask({ cmd: 'tokens' })).tokens;

    // A token that expires in one second, used once, then left to expire.
    await api.ask({ cmd: 'nextExpiresIn', seconds: 1 });
    await api.ask({ cmd: 'resetTokens' });
    await request();
    const primerTokens = await tokens();
    await api.ask({ cmd: 'nextExpiresIn', seconds: 3600 });
    await sleep(1500);
    await api.ask({ cmd: 'resetTokens' });
    const t0 = performance.now();
    const outcomes = await Promise.allSettled(Array.from({ length: burst }, () => request()));
    const expiredBurst = {
      messages: burst,
      ok: outcomes.filter((o) => o.status === 'fulfilled').length,
      failed: outcomes.filter((o) => o.status === 'rejected').length,
      tokenRequests: await tokens(),
      ms: performance.now() - t0,
      primerTokenRequests: primerTokens,
    };
    console.log(
      `  oauth: ${burst} concurrent messages at an expired token: ${expiredBurst.tokenRequests} token request(s), ` +
        `${expiredBurst.failed} failed`,
    );

    await api.ask({ cmd: 'resetTokens' });
    const cached = await measure(request, {
      window,
      warmupMs: timing.warmupMs,
      measureMs: timing.measureMs * timing.rounds,
    });
    cached.tokenRequests = await tokens();
    console.log(`  oauth: cached token / ${window} in flight: ${Math.round(cached.perSecond)} msg/s`);
    return { expiredBurst, cached };
  } finally {
    await flow.unload();
  }
}

module.exports = { oauthScenarios };
