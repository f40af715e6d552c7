import * as z from 'zod';
import type { components } from '../../../generated/td-synnex.js';
import { CachedTokenProvider, refreshMarginMs } from '../../core/auth/cached-token-provider.js';
import type { AccessToken, FetchedToken, TokenCacheStore, TokenProvider } from '../../core/auth/token-provider.js';
import type { StoredRefreshToken, TokenStore } from '../../core/auth/token-store.js';
import { AuthenticationError, MarketplaceError } from '../../core/errors.js';
import type { EventHub } from '../../core/events.js';
import type { HttpTransport } from '../../core/http.js';
import type { Redactor, Secret } from '../../core/redact.js';
import { parseWire } from '../../core/wire.js';

type RefreshTokenForm = components['schemas']['RefreshTokenForm'];

const TokenWire = z.looseObject({
  access_token: z.string().min(1),
  expires_in: z.coerce.number().positive(),
  refresh_token: z.string().min(1),
});

/** Error code of a rotated refresh token that could not be saved. */
export const TOKEN_NOT_SAVED = 'REFRESH_TOKEN_NOT_SAVED';

/**
 * Rotated tokens whose save failed, per store key (process-wide, so every client of the key retries the save
 * before it refreshes again). Without this the only valid refresh token would be lost with the error.
 */
const unsaved = new Map<string, StoredRefreshToken>();
/** Access tokens the vendor refused (403/401), so a copy in the store is not handed out again. */
const refusedAccess = new Set<string>();

/** Options of {@link IonTokenProvider}. */
export interface IonTokenProviderOptions {
  transport: HttpTransport;
  /** Store key: hash of base URL and account id (never a secret). */
  key: string;
  /** The refresh token from the credentials: used only while the store holds none for the key. */
  initialRefreshToken: Secret;
  store: TokenStore;
  cache?: TokenCacheStore | undefined;
  events: EventHub;
  redactor: Redactor;
  now?: () => number;
}

/**
 * TD SYNNEX Ion's grant: `POST /oauth/token` with `grant_type=refresh_token`; every answer carries a new
 * refresh token and spends the old one. Order of a refresh, under the store's lock for the key:
 * 1. save a rotated token an earlier save failed on (or fail again, without refreshing);
 * 2. if another client/process refreshed meanwhile and stored a fresh access token, use it (no request);
 * 3. refresh with the stored token (the credentials' token when the store has none);
 * 4. save the new refresh token; only once it is saved is the access token handed out.
 * Access tokens are cached like any other grant's (single-flight per key in the process).
 */
export class IonTokenProvider implements TokenProvider {
  readonly #o: IonTokenProviderOptions;
  readonly #cached: CachedTokenProvider;
  readonly #now: () => number;

  constructor(options: IonTokenProviderOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
    this.#cached = new CachedTokenProvider({
      provider: 'td-synnex',
      cacheKey: options.key,
      cache: options.cache,
      events: options.events,
      redactor: options.redactor,
      now: this.#now,
      fetchToken: (signal) => options.store.withLock(options.key, () => this.#refreshLocked(signal)),
    });
  }

  getToken(signal?: AbortSignal): Promise<AccessToken> {
    return this.#cached.getToken(signal);
  }

  invalidate(token: string): void {
    if (token) refusedAccess.add(token);
    this.#cached.invalidate(token);
  }

  async #persist(record: StoredRefreshToken): Promise<void> {
    const { key, store } = this.#o;
    try {
      await store.set(key, record);
      unsaved.delete(key);
    } catch (cause) {
      unsaved.set(key, record);
      const detail = this.#o.redactor.redact(cause instanceof Error ? cause.message : String(cause));
      throw new AuthenticationError(
        `token: TD SYNNEX rotated the refresh token but the new one could not be saved to the token store (${detail}); the access token was not used`,
        {
          provider: 'td-synnex',
          operation: 'token',
          code: TOKEN_NOT_SAVED,
          retryable: false,
          hint:
            'Fix the token store (disk full, permissions, Redis down) and call again: this process keeps the rotated ' +
            'token in memory and saves it first. If the process exits before that, generate a new refresh token in ' +
            'the StreamOne Ion portal (the old one is spent).',
          cause: cause instanceof Error ? new Error(detail) : undefined,
        },
      );
    }
  }

  async #refreshLocked(signal?: AbortSignal): Promise<FetchedToken> {
    const { key, store, redactor } = this.#o;
    const pendingSave = unsaved.get(key);
    if (pendingSave) await this.#persist(pendingSave);
    const stored = await store.get(key);
    // Whatever the store holds was issued to this credential: known to the scrubber even when not used.
    if (stored) redactor.addToken(stored.refreshToken);
    if (stored?.accessToken) redactor.addToken(stored.accessToken);
    const now = this.#now();
    if (stored?.accessToken && stored.accessExpiresAt && !refusedAccess.has(stored.accessToken)) {
      const left = stored.accessExpiresAt - now;
      if (left > refreshMarginMs(left)) {
        // Another client or process refreshed while this one waited for the lock: use its token.
        redactor.addToken(stored.accessToken);
        return { accessToken: stored.accessToken, expiresInSeconds: Math.floor(left / 1000) };
      }
    }
    const initial = this.#o.initialRefreshToken.reveal();
    const current = stored?.refreshToken ?? initial;
    let wire: z.infer<typeof TokenWire>;
    try {
      wire = await this.#refresh(current, signal);
    } catch (error) {
      // The stored chain is dead but the caller passed a different (new, from the portal) token: try it once.
      if (!(error instanceof MarketplaceError) || error.status !== 400 || current === initial) throw error;
      this.#o.events.emit('warning', {
        provider: 'td-synnex',
        code: 'stored-refresh-token-refused',
        message: 'token: the stored refresh token was refused; trying the refresh token from the credentials',
      });
      wire = await this.#refresh(initial, signal);
    }
    redactor.addToken(wire.refresh_token);
    redactor.addToken(wire.access_token);
    const expiresAt = this.#now() + wire.expires_in * 1000;
    await this.#persist({
      refreshToken: wire.refresh_token,
      accessToken: wire.access_token,
      accessExpiresAt: expiresAt,
      updatedAt: new Date(this.#now()).toISOString(),
    });
    this.#o.events.emit('token', {
      provider: 'td-synnex',
      action: 'rotated',
      expiresAt: new Date(expiresAt).toISOString(),
    });
    return { accessToken: wire.access_token, expiresInSeconds: wire.expires_in };
  }

  async #refresh(refreshToken: string, signal?: AbortSignal): Promise<z.infer<typeof TokenWire>> {
    const form: RefreshTokenForm = { grant_type: 'refresh_token', refresh_token: refreshToken };
    // Not idempotent: the token is spent once the vendor answers, so a lost answer is never resent.
    const res = await this.#o.transport.send({
      operation: 'token',
      method: 'POST',
      path: '/oauth/token',
      form: { ...form },
      auth: false,
      retry: 'write',
      signal,
    });
    return parseWire(TokenWire, res.data, 'token response', { provider: 'td-synnex', operation: 'token' });
  }
}
