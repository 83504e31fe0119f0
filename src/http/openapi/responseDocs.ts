import type { ResponseDoc } from '../RouteSpec';
import { schemaRef } from './componentSchemas';

/** A documented refusal: problem+json, its codes in the description. */
export const problem = (description: string): ResponseDoc => ({ description, schema: schemaRef('Problem'), contentType: 'application/problem+json' });

/** A signed federation document (compact JWS), cacheable with ETag. */
export const joseDocument = (description: string): Record<string, ResponseDoc> => ({
  '200': { description, schema: { type: 'string' }, contentType: 'application/jose' },
  '304': { description: 'Not modified (If-None-Match)' },
});
