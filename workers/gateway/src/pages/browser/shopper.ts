// The storefront's credentials. Its publishable key (`?key=pk_…` once, then kept in localStorage: a publishable key is
// public by design) names the storefront; the shopper is a guest session the API opens for that key, kept in
// localStorage and refreshed when its access token runs out. Every call goes through the typed client.
import { zhongcao } from "#shared/client/index.ts";

export type Api = ReturnType<typeof zhongcao>;

const keyItem = "zhongcao.storefront.publishableKey";
const sessionItem = "zhongcao.storefront.shopperSession";

interface StoredSession {
  publishableKey: string;
  shopperId: string;
  accessToken: string;
  refreshToken: string;
  /** Epoch milliseconds. */
  expiresAt: number;
}

/** The storefront's publishable key: from `?key=` (then dropped from the address bar) or as kept. */
export function publishableKey(): string | null {
  const url = new URL(location.href);
  const given = url.searchParams.get("key");
  if (given) {
    localStorage.setItem(keyItem, given);
    url.searchParams.delete("key");
    history.replaceState(null, "", url);
  }
  return localStorage.getItem(keyItem);
}

export function rememberPublishableKey(key: string): void {
  localStorage.setItem(keyItem, key);
}

/** Public reads: the publishable key alone (so the edge cache may answer). */
export function publicApi(key: string): Api {
  return zhongcao(location.origin, { publishableKey: key });
}

function stored(key: string): StoredSession | null {
  try {
    const session = JSON.parse(localStorage.getItem(sessionItem) ?? "null") as StoredSession | null;
    return session?.publishableKey === key ? session : null;
  } catch {
    return null;
  }
}

/** The signed-in guest shopper's client: a kept session, refreshed, or a new guest session. */
export async function shopperApi(key: string): Promise<{ api: Api; shopperId: string }> {
  let session = stored(key);
  if (!session || session.expiresAt - 30_000 < Date.now()) {
    const api = publicApi(key);
    const refreshed = session
      ? await api.POST("/v1/shopper-sessions/refresh", { body: { refreshToken: session.refreshToken } })
      : undefined;
    const answer = refreshed?.data ? refreshed : await api.POST("/v1/shopper-sessions", { body: {} });
    if (!answer.data) throw answer.error;
    session = {
      publishableKey: key,
      shopperId: answer.data.shopper.id,
      accessToken: answer.data.accessToken,
      refreshToken: answer.data.refreshToken,
      expiresAt: Date.now() + answer.data.expiresIn * 1000,
    };
    localStorage.setItem(sessionItem, JSON.stringify(session));
  }
  return {
    api: zhongcao(location.origin, { publishableKey: key, bearer: session.accessToken }),
    shopperId: session.shopperId,
  };
}
