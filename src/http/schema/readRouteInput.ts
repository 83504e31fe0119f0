import type { Request } from 'express';
import Ajv2020, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020';
import { ElicenseError, type ErrorCode } from '../../errors';
import type { InputPart, RouteSpec, RouteInputValues } from '../RouteSpec';

/** One refusal of a request part: where (a JSON pointer into the part) and what. */
export interface InputIssue {
  path: string;
  message: string;
}

type Part = 'params' | 'query' | 'headers' | 'body';
type Values = RouteInputValues<unknown, unknown, unknown, unknown>;

const WHAT: Record<Part, string> = { params: 'path parameter', query: 'query parameter', headers: 'header', body: 'property' };
/** The code a part's refusal carries unless the route names another (the OpenAPI document lists the same). */
export const DEFAULT_CODE: Readonly<Record<Part, ErrorCode>> = { params: 'INPUT_MALFORMED', query: 'INPUT_MALFORMED', headers: 'INPUT_MALFORMED', body: 'SCHEMA_INVALID' };
/** Keywords that only wrap the failures of their branches, which say more. */
const WRAPPERS = new Set(['anyOf', 'oneOf', 'if', 'allOf']);
const MAX_ISSUES = 20;

/**
 * Compiles the input a route declares into the check its door runs before the
 * handler: each part against its schema with ajv (bodies as sent, text parts,
 * which arrive as strings, read as the types their schemas name), refusing
 * with the part's code and every issue at its JSON pointer. A route that
 * declares nothing, or a body it only describes, costs nothing per request.
 */
export class RouteInputReader {
  readonly #bodies = new Ajv2020({ strict: true, strictRequired: false, strictTypes: false, allErrors: true });
  readonly #text = new Ajv2020({ strict: true, strictRequired: false, strictTypes: false, allErrors: true, coerceTypes: true });

  /** The reader of one route, compiled once when the route is mounted. */
  compile(route: RouteSpec): (req: Request) => Values {
    const input = route.input ?? {};
    const check = {
      params: input.params && this.#part('params', input.params, this.#text),
      query: input.query && this.#part('query', input.query, this.#text),
      headers: input.headers && this.#part('headers', input.headers, this.#text),
      body: input.body && input.body.mode !== 'describe' ? this.#part('body', input.body, this.#bodies, input.body.itemsReadAlone) : undefined,
    };
    const headerNames = Object.keys((input.headers?.schema.json['properties'] as object | undefined) ?? {});
    const optionalBody = input.body?.optional === true;
    const bodyCode = input.body?.code ?? DEFAULT_CODE.body;
    const before = input.body?.before;
    const readsJsonOnly = input.body !== undefined && input.body.otherTypes === undefined;
    const readBody = (req: Request): unknown => {
      if (req.body === undefined) {
        // Nothing parsed: a body in another media type (the JSON parser reads application/json only), or none.
        if (readsJsonOnly && hasBody(req)) throw notJson(req);
        if (optionalBody) return check.body!({});
        throw new ElicenseError(bodyCode, `the request body is missing: ${JSON_BODY}`, { errors: [{ path: '', message: `required: ${JSON_BODY}` }] });
      }
      before?.(req.body);
      return check.body!(req.body);
    };
    if (!check.params && !check.query && !check.headers && !check.body) return () => ({ params: undefined, query: undefined, headers: undefined, body: undefined });
    return (req) => ({
      params: check.params?.({ ...req.params }),
      query: check.query?.({ ...(req.query as object) }),
      headers: check.headers?.(Object.fromEntries(headerNames.flatMap((name) => {
        const value = req.get(name);
        return value === undefined ? [] : [[name, value]];
      }))),
      body: check.body && readBody(req),
    });
  }

  #part(part: Part, declared: InputPart<unknown>, ajv: Ajv2020, itemsReadAlone?: string): (value: unknown) => unknown {
    const validate: ValidateFunction = ajv.compile(declared.schema.json);
    const code = declared.code ?? DEFAULT_CODE[part];
    // Text parts are coerced to the types their schemas name; a whole number must still be written as one
    // (ajv's coercion alone would take "1e2", " 5" or "0x10").
    const wholeNumbers = ajv === this.#text ? integerProperties(declared.schema.json) : [];
    return (value) => {
      const strict = wholeNumbers.flatMap((name) => {
        const v = (value as Record<string, unknown>)[name];
        return typeof v === 'string' && !WHOLE_NUMBER.test(v) ? [{ path: `/${name}`, message: 'must be a whole number written in digits' }] : [];
      });
      if (strict.length > 0) {
        throw new ElicenseError(code, `the ${WHAT[part]}s: ${strict.map((i) => `${i.path} ${i.message}`).join('; ')}`, { errors: strict });
      }
      if (validate(value)) return value;
      const errors = (validate.errors ?? []).filter((e) => itemsReadAlone === undefined || !e.instancePath.startsWith(`${itemsReadAlone}/`));
      if (errors.length === 0) return value;
      const issues = inputIssues(errors, WHAT[part]);
      const special = errors.map((e) => declared.codeFor?.[e.keyword]);
      const chosen = special.every((c) => c !== undefined && c === special[0]) ? special[0]! : code;
      const where = part === 'body' ? 'the request body' : `the ${WHAT[part]}s`;
      throw new ElicenseError(chosen, `${where}: ${issues.slice(0, 3).map((i) => `${i.path || '/'} ${i.message}`).join('; ')}`, { errors: issues });
    };
  }
}

const WHOLE_NUMBER = /^-?(0|[1-9][0-9]{0,15})$/;

const JSON_BODY = 'send a JSON object with the header Content-Type: application/json';

/** A request that carries body bytes (a declared length above zero, or a chunked body). */
function hasBody(req: Request): boolean {
  const length = req.get('content-length');
  return length !== undefined ? Number(length) > 0 : req.get('transfer-encoding') !== undefined;
}

/** 415 for a body the JSON routes cannot read: it came in another media type, or with none named. */
function notJson(req: Request): ElicenseError {
  const type = req.get('content-type');
  const got = type === undefined || type === '' ? 'it came without a Content-Type header' : `it came as ${type.split(';')[0]!.trim()}`;
  return new ElicenseError('UNSUPPORTED_MEDIA_TYPE', `the request body must be JSON sent with Content-Type: application/json (${got})`, {
    errors: [{ path: '', message: `must be JSON (Content-Type: application/json); ${got}` }],
  });
}

/** The top-level properties a text part's schema declares as integers. */
function integerProperties(schema: Record<string, unknown>): string[] {
  const props = (schema['properties'] ?? {}) as Record<string, { type?: unknown }>;
  return Object.keys(props).filter((name) => props[name]?.type === 'integer');
}

/** Ajv's failures as issues at JSON pointers, one per place and message, the wrappers' branches folded into one. */
export function inputIssues(errors: readonly ErrorObject[], what = 'property'): InputIssue[] {
  const issues: InputIssue[] = [];
  const alternatives = new Map<string, string[]>();
  for (const e of errors) {
    if (WRAPPERS.has(e.keyword)) continue;
    const params = e.params as { missingProperty?: string; additionalProperty?: string; allowedValues?: unknown[] };
    if (e.keyword === 'required' && /\/(anyOf|oneOf)\/\d+\/required$/.test(e.schemaPath)) {
      alternatives.set(e.instancePath, [...(alternatives.get(e.instancePath) ?? []), String(params.missingProperty)]);
      continue;
    }
    if (e.keyword === 'required') issues.push({ path: `${e.instancePath}/${params.missingProperty}`, message: 'required' });
    else if (e.keyword === 'additionalProperties') issues.push({ path: `${e.instancePath}/${params.additionalProperty}`, message: `unknown ${what} ${params.additionalProperty}` });
    else if (e.keyword === 'enum') issues.push({ path: e.instancePath, message: `must be one of ${(params.allowedValues ?? []).join(', ')}` });
    else if (e.keyword === 'const') issues.push({ path: e.instancePath, message: `must be ${String((e.params as { allowedValue?: unknown }).allowedValue)}` });
    else issues.push({ path: e.instancePath, message: e.message ?? e.keyword });
  }
  for (const [path, names] of alternatives) issues.push({ path, message: `needs ${[...new Set(names)].join(' or ')}` });
  return [...new Map(issues.map((i) => [`${i.path} ${i.message}`, i])).values()].slice(0, MAX_ISSUES);
}
