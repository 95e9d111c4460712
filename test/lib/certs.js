'use strict';
// Certificates made inside the test run: a CA and what it signs, a second unrelated CA, a
// self-signed, an expired and a wrong-host certificate. Keys come from node:crypto (native,
// fast) and are shared between certificates; node-forge builds and signs the X.509 parts.
// Everything is generated once per process, on first use.
const crypto = require('crypto');
const forge = require('node-forge');
const { secret } = require('./secrets');

const DAY = 24 * 3600 * 1000;
let serial = 1;

function rsaKey() {
  const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' });
  return { pem, object: privateKey, forge: forge.pki.privateKeyFromPem(pem) };
}

function publicOf(key) {
  return forge.pki.setRsaPublicKey(key.forge.n, key.forge.e);
}

/**
 * One certificate. `issuer` is {cert, key} of the signing CA, or absent for self-signed.
 * `hosts` become subjectAltNames (IP or DNS); `ca` makes a CA certificate.
 */
function makeCert({ cn, key, issuer, hosts = [], ca = false, client = false, notBefore, notAfter }) {
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicOf(key);
  cert.serialNumber = (serial++).toString(16).padStart(4, '0');
  const now = Date.now();
  cert.validity.notBefore = notBefore || new Date(now - DAY);
  cert.validity.notAfter = notAfter || new Date(now + 30 * DAY);
  const subject = [{ name: 'commonName', value: cn }];
  cert.setSubject(subject);
  cert.setIssuer(issuer ? issuer.cert.subject.attributes : subject);
  const extensions = [{ name: 'basicConstraints', cA: ca, critical: true }];
  if (ca) {
    extensions.push({ name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true });
  } else {
    extensions.push({ name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true });
    extensions.push(client ? { name: 'extKeyUsage', clientAuth: true } : { name: 'extKeyUsage', serverAuth: true });
  }
  if (hosts.length) {
    extensions.push({
      name: 'subjectAltName',
      altNames: hosts.map((h) => (/^[\d.]+$/.test(h) ? { type: 7, ip: h } : { type: 2, value: h })),
    });
  }
  extensions.push({ name: 'subjectKeyIdentifier' });
  cert.setExtensions(extensions);
  cert.sign(issuer ? issuer.key.forge : key.forge, forge.md.sha256.create());
  return { cert, key, pem: forge.pki.certificateToPem(cert), keyPem: key.pem };
}

let cached;

/** All test certificates; `*.pem` is the certificate, `*.keyPem` its key. */
function certs() {
  if (cached) return cached;
  // Four keys in all: generating RSA keys is the slow part, so certificates share them.
  const caKey = rsaKey();
  const otherCaKey = rsaKey();
  const serverKey = rsaKey();
  const clientKey = rsaKey();
  const local = ['127.0.0.1', 'localhost'];

  const ca = makeCert({ cn: 'Test Root CA', key: caKey, ca: true });
  const otherCa = makeCert({ cn: 'Unrelated Root CA', key: otherCaKey, ca: true });
  const server = makeCert({ cn: '127.0.0.1', key: serverKey, issuer: ca, hosts: local });
  const otherServer = makeCert({ cn: '127.0.0.1', key: serverKey, issuer: otherCa, hosts: local });
  const client = makeCert({ cn: 'node-red-client', key: clientKey, issuer: ca, client: true });
  const otherClient = makeCert({ cn: 'stranger', key: serverKey, issuer: otherCa, client: true });
  const selfSigned = makeCert({ cn: '127.0.0.1', key: serverKey, hosts: local });
  const expired = makeCert({
    cn: '127.0.0.1',
    key: serverKey,
    issuer: ca,
    hosts: local,
    notBefore: new Date(Date.now() - 60 * DAY),
    notAfter: new Date(Date.now() - 30 * DAY),
  });
  const wrongHost = makeCert({ cn: 'api.example.com', key: serverKey, issuer: ca, hosts: ['api.example.com'] });

  const passphrase = secret('passphrase');
  const encryptedClientKey = clientKey.object.export({
    type: 'pkcs8',
    format: 'pem',
    cipher: 'aes-256-cbc',
    passphrase,
  });

  cached = {
    ca,
    otherCa,
    server,
    otherServer,
    client,
    otherClient,
    selfSigned,
    expired,
    wrongHost,
    encryptedClientKey,
    passphrase,
  };
  return cached;
}

/** Options for https.createServer from one of the certificates above. */
function serverOptions(entry, extra = {}) {
  return { cert: entry.pem, key: entry.keyPem, ...extra };
}

/** A recording HTTPS server (test/lib/server.js) presenting one of the certificates above. */
function startHttpsServer(handler, entry, extra = {}) {
  const https = require('https');
  const { startServer } = require('./server');
  return startServer(handler, { createServer: https.createServer, options: serverOptions(entry, extra) });
}

module.exports = { certs, serverOptions, startHttpsServer };
