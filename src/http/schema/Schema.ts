/**
 * JSON Schemas that carry the TypeScript type of what they accept. A route
 * declares its input with them once: the door validates the request with the
 * JSON (ajv), the OpenAPI document shows the same JSON, and the handler gets
 * the value typed by the same declaration. The builders below emit plain JSON
 * Schema 2020-12; the type is a phantom the compiler reads.
 */
export type JsonSchema = Record<string, unknown>;

export interface Schema<T> {
  readonly json: JsonSchema;
  /** Never set: carries T for the compiler (invariant, so Schema<string> is no Schema<number>). */
  readonly type?: (value: T) => T;
}

export type TypeOf<S> = S extends Schema<infer T> ? T : never;

/** Annotations that do not change what is accepted: shown in the OpenAPI document. */
export interface Annotations {
  description?: string;
  examples?: unknown[];
  default?: unknown;
}

type Keywords = Annotations & Record<string, unknown>;

/** A schema written as plain JSON whose accepted type is stated by hand (e.g. a record schema shared with other readers). */
export const jsonSchema = <T>(json: JsonSchema): Schema<T> => ({ json });

export const string = (keywords: Keywords & { minLength?: number; maxLength?: number; pattern?: string; format?: string } = {}): Schema<string> => ({
  json: { type: 'string', ...keywords },
});

/** A non-blank line of text (at least one character that is not white space), at most `max` characters. */
export const text = (max: number, annotations: Annotations = {}): Schema<string> => string({ minLength: 1, maxLength: max, pattern: '\\S', ...annotations });

export const integer = (keywords: Keywords & { minimum?: number; maximum?: number } = {}): Schema<number> => ({ json: { type: 'integer', ...keywords } });

export const oneOf = <const V extends readonly string[]>(values: V, annotations: Annotations = {}): Schema<V[number]> => ({ json: { enum: [...values], ...annotations } });

export const constant = <const V extends string>(value: V, annotations: Annotations = {}): Schema<V> => ({ json: { const: value, ...annotations } });

export const nullable = <T>(schema: Schema<T>): Schema<T | null> => ({ json: { oneOf: [schema.json, { type: 'null' }] } });

export const array = <T>(items: Schema<T>, keywords: Keywords & { minItems?: number; maxItems?: number; uniqueItems?: boolean } = {}): Schema<T[]> => ({
  json: { type: 'array', items: items.json, ...keywords },
});

type Props = Record<string, Schema<any>>;
type Simplify<T> = { [K in keyof T]: T[K] };
type ObjectOf<P extends Props, R extends keyof P> = Simplify<{ [K in R]: TypeOf<P[K]> } & { [K in Exclude<keyof P, R>]?: TypeOf<P[K]> }>;

/**
 * An object with the given properties, `required` of them required. Unknown
 * properties are refused unless `additionalProperties` is true (query strings
 * some routes have always let pass). `keywords` may add conditions (if/then)
 * and annotations.
 */
export function object<P extends Props, R extends keyof P & string = never>(
  properties: P,
  required: readonly R[] = [],
  keywords: Keywords & { additionalProperties?: boolean } = {},
): Schema<ObjectOf<P, R>> {
  const json: JsonSchema = {
    type: 'object',
    additionalProperties: false,
    ...(required.length > 0 ? { required: [...required] } : {}),
    properties: Object.fromEntries(Object.entries(properties).map(([k, s]) => [k, s.json])),
    ...keywords,
  };
  return { json };
}

/** The same schema with more annotations (a description, examples). */
export const annotated = <T>(schema: Schema<T>, annotations: Annotations): Schema<T> => ({ json: { ...schema.json, ...annotations } });
