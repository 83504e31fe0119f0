import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

/**
 * The dependency rule of the source tree (docs/adr/0007-layout.md). Each folder of src/ is a layer and may
 * import only the layers listed for it; every import counts, type-only ones included, since a type import is
 * still a claim that the importer knows about the imported. Imports inside one layer are free, but no file may
 * reach itself through a chain of imports (no cycles).
 */
export const LAYERS = [
  'base', 'codes', 'crypto', 'pki', 'standards', 'format', 'forms', 'store', 'trust', 'annotation', 'verify', 'issue', 'demo', 'region', 'holder', 'consumer', 'http', 'cli', 'node',
] as const;
export type Layer = (typeof LAYERS)[number];

const FOUNDATION: Layer[] = ['base', 'codes', 'crypto', 'pki', 'standards'];

/** What each layer may import besides itself. */
export const ALLOWED: Record<Layer, readonly Layer[]> = {
  base: [],
  codes: ['base'],
  crypto: ['base'],
  pki: ['base', 'crypto', 'codes'],
  standards: ['base', 'codes'],
  format: [...FOUNDATION],
  forms: [...FOUNDATION, 'format'],
  store: ['base', 'format'],
  trust: [...FOUNDATION, 'format', 'store'],
  /** The annotated copy (加注件, docs/adr/0012): its format, signature, check and PDF; verify dispatches to it. */
  annotation: [...FOUNDATION, 'format', 'forms', 'trust'],
  verify: [...FOUNDATION, 'format', 'forms', 'trust', 'annotation'],
  issue: [...FOUNDATION, 'format', 'forms', 'trust', 'verify', 'annotation'],
  demo: [...FOUNDATION, 'format', 'forms', 'trust', 'verify', 'issue', 'annotation'],
  region: [...FOUNDATION, 'format', 'forms', 'store', 'trust', 'verify', 'issue', 'demo', 'annotation'],
  /** The holder's side (docs/adr/0012): wallet, presentations, grants, usage log, over the region's stores and signers. */
  holder: [...FOUNDATION, 'format', 'forms', 'store', 'trust', 'verify', 'issue', 'demo', 'region', 'annotation'],
  /** Consuming departments (用证部门, issue 16, docs/adr/0012): per-type permissions, causes, uses in the holder's log, annotated copies. */
  consumer: [...FOUNDATION, 'format', 'forms', 'store', 'trust', 'verify', 'issue', 'demo', 'region', 'annotation', 'holder'],
  http: [...FOUNDATION, 'format', 'forms', 'store', 'trust', 'verify', 'issue', 'region', 'annotation', 'holder', 'consumer'],
  cli: [...FOUNDATION, 'format', 'forms', 'store', 'trust', 'verify', 'issue', 'region', 'demo', 'annotation'],
  node: [...FOUNDATION, 'format', 'forms', 'store', 'trust', 'verify', 'issue', 'region', 'http', 'annotation'],
};

/** The layer of a file under src/ (path relative to src/). */
export function layerOf(pathInSrc: string): Layer {
  const top = pathInSrc.split('/')[0]!;
  if (!pathInSrc.includes('/')) return 'base'; // errors.ts, clock.ts, repoPath.ts, chinaCalendarDate.ts
  if (top === 'json') return 'base';
  if ((LAYERS as readonly string[]).includes(top)) return top as Layer;
  throw new Error(`src/${pathInSrc}: no layer for folder ${top}/ (add it to LAYERS and ALLOWED)`);
}

export interface ImportEdge {
  from: string;
  to: string;
  typeOnly: boolean;
}

function listTs(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...listTs(p));
    else if (name.endsWith('.ts')) out.push(p);
  }
  return out;
}

function resolveLocal(fromFile: string, spec: string): string | null {
  if (!spec.startsWith('.')) return null;
  const base = resolve(dirname(fromFile), spec);
  for (const candidate of [`${base}.ts`, join(base, 'index.ts'), base]) {
    try {
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // next candidate
    }
  }
  return null;
}

/** Every relative import (and re-export, and import type) between files of srcDir, paths relative to srcDir. */
export function importEdges(srcDir: string): ImportEdge[] {
  const edges: ImportEdge[] = [];
  for (const file of listTs(srcDir)) {
    const text = readFileSync(file, 'utf8');
    const info = ts.preProcessFile(text, true, true);
    for (const ref of info.importedFiles) {
      const target = resolveLocal(file, ref.fileName);
      if (target === null || !target.endsWith('.ts')) continue;
      const lineStart = text.lastIndexOf('\n', ref.pos) + 1;
      const statement = text.slice(lineStart, text.indexOf('\n', ref.pos) === -1 ? undefined : text.indexOf('\n', ref.pos));
      edges.push({ from: relative(srcDir, file), to: relative(srcDir, target), typeOnly: /^\s*(import|export)\s+type\b/.test(statement) });
    }
  }
  return edges;
}

export function ruleViolations(edges: readonly ImportEdge[]): string[] {
  const out: string[] = [];
  for (const e of edges) {
    const a = layerOf(e.from);
    const b = layerOf(e.to);
    if (a === b || ALLOWED[a].includes(b)) continue;
    out.push(`${e.from} (${a}) imports ${e.typeOnly ? 'type from ' : ''}${e.to} (${b})`);
  }
  return out;
}

/** Cycles among files (strongly connected components of more than one file, or a file importing itself). */
export function importCycles(edges: readonly ImportEdge[]): string[][] {
  const graph = new Map<string, string[]>();
  for (const e of edges) {
    if (!graph.has(e.from)) graph.set(e.from, []);
    if (!graph.has(e.to)) graph.set(e.to, []);
    graph.get(e.from)!.push(e.to);
  }
  // Tarjan's algorithm, iterative enough for a few hundred files
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (v: string): void => {
    idx.set(v, index);
    low.set(v, index);
    index++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v)!) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const component: string[] = [];
      for (;;) {
        const w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
        if (w === v) break;
      }
      if (component.length > 1 || graph.get(v)!.includes(v)) cycles.push(component.sort());
    }
  };
  for (const v of [...graph.keys()].sort()) if (!idx.has(v)) visit(v);
  return cycles;
}
