/**
 * Tokens obtained at runtime survive a restart here: one JSON file in the Node-RED user
 * directory, each entry AES-256-GCM encrypted with a key derived from the runtime's credential
 * secret, keyed by node id and a fingerprint of the OAuth settings the tokens belong to.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { TokenSet } from './tokens';

export const VAULT_FILE = 'rest-datasource-tokens.json';
/** Entries (settings fingerprints) kept per node: the deployed one plus a few unsaved edits. */
const FINGERPRINTS_PER_NODE = 3;

interface StoredEntry {
  fp: string;
  savedAt: number;
  /** base64 of iv(12) | tag(16) | ciphertext; or plain JSON when encryption is off */
  data?: string;
  plain?: TokenSet;
}

/** Keyed by node id: a null-prototype object, so `__proto__` or `constructor` is an id like any other. */
type VaultFile = Record<string, StoredEntry[]>;

function emptyFile(): VaultFile {
  return Object.create(null) as VaultFile;
}

export interface VaultOptions {
  /** Folder of the file; without one, tokens live in memory only. */
  dir?: string;
  /** The file's name in `dir` [VAULT_FILE]; the DPoP keys have their own. */
  fileName?: string;
  /**
   * The credential secret: a string encrypts, `false` means the user turned credential
   * encryption off (the file is then plain, like flows_cred.json), undefined keeps tokens in
   * memory only. A function is asked at each use (the runtime may create its secret late).
   */
  secret: () => string | false | undefined;
  /** Told about problems writing or reading the file (never with a token in it). */
  warn?: (text: string) => void;
}

type Listener = (nodeId: string, fp: string, tokens: TokenSet) => void;

export class TokenVault {
  private readonly memory = new Map<string, TokenSet>();
  private readonly listeners = new Set<Listener>();
  private warned = false;

  constructor(private readonly options: VaultOptions) {}

  get file(): string | undefined {
    return this.options.dir ? path.join(this.options.dir, this.options.fileName ?? VAULT_FILE) : undefined;
  }

  /** Tokens stored for this node and settings fingerprint. */
  load(nodeId: string, fp: string): TokenSet | undefined {
    const key = `${nodeId}\n${fp}`;
    const cached = this.memory.get(key);
    if (cached) return cached;
    const target = this.target();
    if (!target) return undefined;
    const entry = this.read(target.file)[nodeId]?.find((e) => e?.fp === fp);
    if (!entry) return undefined;
    const tokens = this.open(entry, target.key);
    if (tokens) this.memory.set(key, tokens);
    return tokens;
  }

  /** The newest tokens stored for this node whatever its settings (status of an undeployed node). */
  latest(nodeId: string): TokenSet | undefined {
    const target = this.target();
    if (!target) {
      for (const [k, v] of this.memory) if (k.startsWith(nodeId + '\n')) return v;
      return undefined;
    }
    const entries = (this.read(target.file)[nodeId] ?? []).slice().sort((a, b) => b.savedAt - a.savedAt);
    return entries.length ? this.open(entries[0], target.key) : undefined;
  }

  save(nodeId: string, fp: string, tokens: TokenSet): void {
    this.memory.set(`${nodeId}\n${fp}`, tokens);
    const target = this.target();
    if (target) {
      const content = this.read(target.file);
      const entry: StoredEntry = { fp, savedAt: Date.now(), ...this.seal(tokens, target.key) };
      const others = (content[nodeId] ?? []).filter((e) => e.fp !== fp);
      content[nodeId] = [entry, ...others].slice(0, FINGERPRINTS_PER_NODE);
      this.write(target.file, content);
    }
    for (const l of this.listeners) l(nodeId, fp, tokens);
  }

  /** Forget a node's tokens (the node was deleted). */
  remove(nodeId: string): void {
    for (const k of [...this.memory.keys()]) if (k.startsWith(nodeId + '\n')) this.memory.delete(k);
    const target = this.target();
    if (!target) return;
    const content = this.read(target.file);
    if (!content[nodeId]) return;
    delete content[nodeId];
    this.write(target.file, content);
  }

  /** Be told when tokens are saved (the callback route storing tokens for a running node). */
  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private target(): { file: string; key: Buffer | null } | undefined {
    const file = this.file;
    if (!file) return undefined;
    const secret = this.options.secret();
    if (secret === undefined || secret === '') {
      this.warnOnce('no credential secret is available yet, so OAuth tokens are kept in memory only');
      return undefined;
    }
    const key =
      secret === false
        ? null
        : createHash('sha256')
            .update('rest-datasource-tokens\n' + secret)
            .digest();
    return { file, key };
  }

  private seal(tokens: TokenSet, key: Buffer | null): Pick<StoredEntry, 'data' | 'plain'> {
    if (!key) return { plain: tokens };
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    const body = Buffer.concat([cipher.update(JSON.stringify(tokens), 'utf8'), cipher.final()]);
    return { data: Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64') };
  }

  private open(entry: StoredEntry, key: Buffer | null): TokenSet | undefined {
    try {
      if (entry.plain) return isTokenSet(entry.plain) ? entry.plain : undefined;
      if (!key || !entry.data) return undefined;
      const raw = Buffer.from(entry.data, 'base64');
      const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
      decipher.setAuthTag(raw.subarray(12, 28));
      const text = Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
      const parsed: unknown = JSON.parse(text);
      return isTokenSet(parsed) ? parsed : undefined;
    } catch {
      // A changed credential secret: the entry cannot be read and is as good as gone.
      return undefined;
    }
  }

  private read(file: string): VaultFile {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      return emptyFile();
    }
    try {
      const parsed: unknown = JSON.parse(text);
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
        // Own keys only (JSON.parse makes "__proto__" an own key), into a null-prototype object.
        const content = emptyFile();
        for (const [id, entries] of Object.entries(parsed)) if (Array.isArray(entries)) content[id] = entries;
        return content;
      }
    } catch {
      // fall through
    }
    this.warnOnce(`${file} is not valid JSON; stored OAuth tokens were discarded`);
    return emptyFile();
  }

  private write(file: string, content: VaultFile): void {
    const tmp = `${file}.${process.pid}.tmp`;
    try {
      fs.writeFileSync(tmp, JSON.stringify(content, null, 1), { mode: 0o600 });
      fs.renameSync(tmp, file);
    } catch (err) {
      this.warnOnce(`could not write ${file}: ${(err as Error).message}`);
    }
  }

  private warnOnce(text: string): void {
    if (this.warned) return;
    this.warned = true;
    if (this.options.warn) this.options.warn(text);
  }
}

function isTokenSet(v: unknown): v is TokenSet {
  return !!v && typeof v === 'object' && typeof (v as TokenSet).accessToken === 'string';
}
