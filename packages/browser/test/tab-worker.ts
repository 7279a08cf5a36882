// One "tab": a separate JavaScript realm of the page's origin (a dedicated worker shares Web Locks
// and BroadcastChannel with the page's tabs, exactly as another tab would).
import { Client } from '../src/index';

self.onmessage = async (event: MessageEvent<{ url: string; tokenUrl: string; key: string }>) => {
  const { url, tokenUrl, key } = event.data;
  const [clientId, clientSecret] = key.split(':');
  try {
    const client = new Client({
      baseUrl: url,
      // The recommended path: the page's backend mints tokens; here it calls the token endpoint.
      tokenProvider: async () => {
        const response = await fetch(tokenUrl, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ client_id: clientId, client_secret: clientSecret }),
        });
        const token = await response.json();
        return { accessToken: token.access_token, expiresIn: token.expires_in };
      },
    });
    const page = await client.documents.list();
    postMessage({ ok: true, count: page.data.length });
  } catch (error) {
    postMessage({ ok: false, error: String(error) });
  }
};
