// The JSON API, from the pages. The API key a person signs in with lives in this tab's sessionStorage
// (gone when the tab closes, never in a URL or a cookie) and goes out as "Authorization: Bearer".

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail ?? `HTTP ${status}`);
    this.status = status;
    this.code = problem?.code ?? (status === 0 ? 'NETWORK' : 'HTTP_' + status);
    this.problem = problem ?? null;
  }
}

const KEY_PREFIX = 'elicense.apiKey.';

export const apiKeys = {
  get(scope) {
    try {
      return sessionStorage.getItem(KEY_PREFIX + scope);
    } catch {
      return null;
    }
  },
  set(scope, key) {
    sessionStorage.setItem(KEY_PREFIX + scope, key);
  },
  clear(scope) {
    sessionStorage.removeItem(KEY_PREFIX + scope);
  },
};

/**
 * One API call. Options: key (API key), json (body as JSON), body + type (raw body), headers, as ('json' | 'blob' | 'text').
 * Resolves { status, headers, data }; throws ApiError with the problem document on a non-2xx answer.
 */
export async function api(path, { method = 'GET', key, json, body, type, headers = {}, as } = {}) {
  const h = { ...headers };
  if (key) h['Authorization'] = `Bearer ${key}`;
  let payload = body;
  if (json !== undefined) {
    h['Content-Type'] = 'application/json';
    payload = JSON.stringify(json);
  } else if (type) h['Content-Type'] = type;
  let res;
  try {
    res = await fetch(path, { method, headers: h, body: payload, cache: 'no-store' });
  } catch (e) {
    throw new ApiError(0, { code: 'NETWORK', detail: String(e?.message ?? e) });
  }
  const contentType = res.headers.get('content-type') ?? '';
  if (!res.ok) {
    let problem = null;
    if (/json/.test(contentType)) problem = await res.json().catch(() => null);
    throw new ApiError(res.status, problem);
  }
  const kind = as ?? (/json/.test(contentType) ? 'json' : 'blob');
  const data = res.status === 204 ? null : kind === 'json' ? await res.json() : kind === 'text' ? await res.text() : await res.blob();
  return { status: res.status, headers: res.headers, data };
}

const standards = new Map();
let catalogue;

/** The type standards catalogue (public, cached for the page's life). */
export async function getCatalogue() {
  catalogue ??= api('/v1/standards').then((r) => r.data);
  return catalogue;
}

/** One type standard (labels zh/en, face schema), by type code and optional version. */
export async function getStandard(typeCode, version) {
  const id = `${typeCode}@${version ?? ''}`;
  if (!standards.has(id)) {
    const q = version ? `?version=${encodeURIComponent(version)}` : '';
    standards.set(
      id,
      api(`/v1/standards/${encodeURIComponent(typeCode)}${q}`)
        .then((r) => r.data)
        .catch((e) => {
          standards.delete(id);
          throw e;
        }),
    );
  }
  return standards.get(id);
}

let divisions;

/** GB/T 2260 division names (zh), code → name. */
export async function getDivisions() {
  divisions ??= api('/web/division-codes.json').then((r) => new Map(r.data.divisions));
  return divisions;
}

/** Full division name: province + prefecture + county, e.g. 350102 → 福建省福州市鼓楼区. */
export function divisionName(map, code) {
  if (!map || !/^\d{6}$/.test(code ?? '')) return null;
  const parts = [];
  const province = `${code.slice(0, 2)}0000`;
  const prefecture = `${code.slice(0, 4)}00`;
  for (const c of [province, prefecture, code]) {
    const name = map.get(c);
    if (name && !parts.includes(name)) parts.push(name);
  }
  return parts.length > 0 ? parts.join('') : null;
}
