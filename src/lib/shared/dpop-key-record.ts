/**
 * The DPoP key of a datasource in the shared store: sealed like the token records (AES-256-GCM
 * under the key derived from the credential secret, bound to the record's key name). The first
 * instance to write it wins (SET NX); every instance then proves with that key, so a token one
 * instance obtained is valid on all of them.
 */
import type { DpopKeySharing } from '../oauth/dpop-key';
import type { SharedStore } from './store';
import { openTokens, sealTokens } from './token-record';

export class SharedDpopKey implements DpopKeySharing {
  constructor(
    private readonly store: SharedStore,
    private readonly sealKey: Buffer,
    private readonly recordKey: string,
    private readonly timeoutMs: number,
  ) {}

  async adopt(jwk: string): Promise<string> {
    // The token-record envelope carries the JWK in its one string field.
    const sealed = sealTokens(this.sealKey, this.recordKey, { tokens: { accessToken: jwk }, issuedAt: 0 });
    await this.store.set(this.recordKey, sealed, { onlyIfAbsent: true, timeoutMs: this.timeoutMs });
    const stored = await this.store.get(this.recordKey, this.timeoutMs);
    const opened = stored ? openTokens(this.sealKey, this.recordKey, stored) : undefined;
    if (!opened)
      throw new Error(`the stored DPoP key in ${this.store.label} cannot be read with this credential secret`);
    return opened.tokens.accessToken;
  }
}
