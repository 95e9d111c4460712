'use strict';
// The datasource most users run rather than the empty one: Bearer auth, two default headers,
// one default query parameter, a `{{id}}` path placeholder, responseType auto. The bench API
// answers GET /items/<id> only when all of it arrived (400 otherwise), so the lane proves the
// datasource applied every part.
const BEARER_TOKEN = 'bench-bearer-token-5f1c2a9e';

function realisticDatasource(id, base) {
  return {
    id,
    type: 'rest-datasource',
    name: 'bench api (realistic)',
    baseUrl: base,
    authType: 'bearer',
    headers: [
      { name: 'X-Client', value: 'node-red-bench' },
      { name: 'Accept-Language', value: 'en' },
    ],
    params: [{ name: 'api-version', value: '2' }],
  };
}

const realisticQuery = { method: 'GET', path: 'items/{{id}}', responseType: 'auto' };

/** What the API checks on GET /items/<id> (cheap string tests). */
function realisticRequestOk(req) {
  return (
    req.headers.authorization === `Bearer ${BEARER_TOKEN}` &&
    req.headers['x-client'] === 'node-red-bench' &&
    req.headers['accept-language'] === 'en' &&
    req.url.includes('?api-version=2')
  );
}

module.exports = { BEARER_TOKEN, realisticDatasource, realisticQuery, realisticRequestOk };
