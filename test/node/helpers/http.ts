/** Small fetch wrapper for end-to-end tests: JSON in, status + headers + parsed body out. */
export interface HttpResult<T = any> {
  status: number;
  headers: Headers;
  /** Parsed JSON when the response is JSON (application/json or problem+json), else the text. */
  body: T;
  text: string;
}

export interface HttpOptions {
  /** API key secret, sent as a bearer token. */
  key?: string;
  /** Serialised as JSON unless `raw` is given. */
  json?: unknown;
  /** Body sent as is (with Content-Type application/json unless headers say otherwise). */
  raw?: string | Uint8Array;
  headers?: Record<string, string>;
}

export async function http<T = any>(base: string, method: string, path: string, options: HttpOptions = {}): Promise<HttpResult<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.key !== undefined) headers['authorization'] = `Bearer ${options.key}`;
  let body: string | Uint8Array | undefined;
  if (options.raw !== undefined) body = options.raw;
  else if (options.json !== undefined) body = JSON.stringify(options.json);
  if (body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['content-type'] = 'application/json';
  const res = await fetch(base + path, { method, headers, ...(body !== undefined ? { body } : {}) });
  const text = await res.text();
  const type = res.headers.get('content-type') ?? '';
  let parsed: unknown = text;
  if (/json/.test(type) && text.length > 0) parsed = JSON.parse(text);
  return { status: res.status, headers: res.headers, body: parsed as T, text };
}
