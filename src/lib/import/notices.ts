/**
 * Every explanation the importers give (why a flag was not imported, what to check, which
 * credentials were found, what a security scheme needs), by a stable code with `__name__`
 * placeholders. The routes answer the English text and the code; the dialogs show the text of
 * their catalog (`import.notice.<code>` in locales/<lang>/rest-query.json and
 * `openapi.notice.<code>` in rest-datasource.json), which a test keeps equal to these in en-US.
 */
export const CURL_NOTICES = {
  // why something in the command was not imported
  notCommand: 'not part of the curl command (after | ; & < > or a line end)',
  notHeader: 'not a "Name: value" header',
  removesHeader: "removes one of curl's own headers; nothing to import",
  cookieFile: 'reads cookies from a file; nothing to import',
  notField: 'not a name=value field',
  compressed: 'the datasource always asks for and decodes compressed responses',
  maxRedirs: 'must be 0 to 50',
  maxTime: 'not a number of seconds',
  output: 'changes only what curl prints or saves',
  unsupported: 'not supported by the importer',
  extraUrl: 'only the first URL is imported',
  unsupportedSecret: 'not supported by the importer; its value holds a credential and is not shown',
  hostHeader:
    'the datasource base URL decides the Host header (a query cannot set it); use a base URL that names this host',
  // what to check
  unexpanded: '__word__ holds shell syntax ($(...), backticks or $NAME) that bash would expand; it was kept as text',
  fieldType: "__flag__ __name__: the field's own content type is not imported",
  noPassword: '-u without a password: curl would ask for it; type it in the datasource',
  insecure: '-k: the proposed datasource does not verify the server certificate; prefer a CA certificate',
  dataAndForm: '-d and -F together: curl refuses this; the data was imported, the form fields not',
  bodyIgnored: '__method__ with a body: the query sends no body with __method__',
  jsonAsForm:
    'the body looks like JSON but curl sends it as a form (application/x-www-form-urlencoded), and so does the query; choose "send as JSON" if the API expects JSON',
  formReencoded:
    'the form has secret fields, so the query sends it as fields: the others are URL-encoded anew (a space as %20, a comma as %2C) and the secret ones come first',
  queryEncoded: 'the query is sent with __chars__ percent-encoded; curl sends them as written',
  repeatedField: '__name__ is given more than once: the query sends only the last value',
  repeatedSecret: '__name__ repeats, so it was kept as a query parameter and not taken as an API key',
  // credentials found (never their values)
  user: '-u: __scheme__ authentication',
  oauth2Bearer: '--oauth2-bearer: Bearer token',
  bearerHeader: 'Authorization: Bearer token',
  basicHeader: 'Authorization: Basic user and password',
  authorizationRow: 'Authorization header (secret header row)',
  apiKeyHeader: '__name__: API key header',
  secretHeader: '__name__ (secret header row)',
  apiKeyParam: '__name__: API key query parameter',
  secretParam: '__name__ (secret query parameter row)',
  secretCookie: 'cookie __name__ (secret cookie row)',
  cookieHeader: 'cookies __names__ (one secret Cookie header row, sent as written)',
  emptyUser: '-u with an empty user name: Authorization: Basic header (secret header row)',
  secretBodyField: 'body field __name__ (secret body row; the datasource adds it to the body)',
  secretBodyLeftOut: 'body field __name__ was left out of the payload (it is nested); add it in msg.payload',
  awsSigV4: '--aws-sigv4 with -u: AWS Signature Version 4 (access key ID and secret access key)',
  awsScope: '--aws-sigv4 names no region or service and the host does not show them: type them in the datasource',
} as const;

export const OPENAPI_NOTICES = {
  userPassword: 'enter the user name and password',
  token: 'paste the token',
  apiKey: 'paste the API key',
  httpScheme: 'the HTTP scheme "__scheme__" is not supported',
  apiKeyCookie: 'an API key in the cookie "__name__": add it as a secret cookie row of the datasource',
  oauth2: 'enter the client ID and secret',
  oauth2Authorize: 'enter the client ID and secret, then Authorize',
  oauth2Others: 'enter the client ID and secret; other flows offered: __others__',
  oauth2AuthorizeOthers: 'enter the client ID and secret, then Authorize; other flows offered: __others__',
  implicitOnly: 'only the implicit flow is offered, which the datasource does not support',
  openIdConnect: 'OpenID Connect: take the token and authorization URLs from __url__ and choose OAuth 2.0',
  schemeType: 'the scheme type "__type__" is not supported',
  relativeServer: 'the server URL is relative: type the API origin in front of it',
  noOperations: 'the description has no operations',
  unsendable: 'operations with a method the query cannot send are not in the list: __operations__',
  noSecurity:
    'the description names no security schemes; if the API needs one, choose it in the datasource: usually a Bearer token, an API key (header or query parameter), Basic user and password, or OAuth 2.0',
  awsSigV4: 'AWS Signature Version 4 (API Gateway IAM): enter the access key ID and secret access key',
  awsSigV4Region:
    'AWS Signature Version 4 (API Gateway IAM): enter the region, the access key ID and secret access key',
  oauth1: 'OAuth 1.0a: enter the consumer key and secret, and the token and token secret unless two-legged',
} as const;

/** An explanation: its code, the placeholder values, and the English text. */
export interface Notice {
  code: string;
  vars?: Record<string, string>;
  text: string;
}

function fill(template: string, vars: Record<string, string> = {}): string {
  return template.replace(/__([a-zA-Z]+)__/g, (all, name: string) => vars[name] ?? all);
}

export function curlNotice(code: keyof typeof CURL_NOTICES, vars?: Record<string, string>): Notice {
  return vars ? { code, vars, text: fill(CURL_NOTICES[code], vars) } : { code, text: CURL_NOTICES[code] };
}

export function openApiNotice(code: keyof typeof OPENAPI_NOTICES, vars?: Record<string, string>): Notice {
  return vars ? { code, vars, text: fill(OPENAPI_NOTICES[code], vars) } : { code, text: OPENAPI_NOTICES[code] };
}
