import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, connect, type Server } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/**
 * The first minutes with the node as `npm start` runs it (the compiled dist/src/node/main.js as a child
 * process, on a temporary data directory): a readable banner beside the JSON logs, a busy port refused
 * before anything is written, a demo region on 127.0.0.1 only, and the demo credentials' curl examples
 * working run after run.
 */
const REPO = resolve(__dirname, '..', '..', '..');
const MAIN = join(REPO, 'dist', 'src', 'node', 'main.js');

let dir: string;
const children: ChildProcess[] = [];
const servers: Server[] = [];

async function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => ok(port));
    });
  });
}

/** The environment of a newcomer's `npm start`: no HOST, the default ELICENSE_DEMO=auto. */
function nodeEnv(dataDir: string, port: number, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { PATH: process.env['PATH'] ?? '', ELICENSE_DATA_DIR: dataDir, PORT: String(port), ELICENSE_SKIP_NATIVE: process.env['ELICENSE_SKIP_NATIVE'] ?? '', ...extra };
}

interface Started {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

function run(env: NodeJS.ProcessEnv): Started {
  const child = spawn(process.execPath, [MAIN], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  let err = '';
  child.stdout!.on('data', (b: Buffer) => (out += b.toString('utf8')));
  child.stderr!.on('data', (b: Buffer) => (err += b.toString('utf8')));
  const exited = new Promise<number | null>((ok) => child.once('exit', (code) => ok(code)));
  return { child, stdout: () => out, stderr: () => err, exited };
}

async function untilReady(s: Started, timeoutMs = 150_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let early: number | null | undefined;
  void s.exited.then((c) => (early = c));
  while (!s.stderr().includes('elicense node ready')) {
    if (early !== undefined) throw new Error(`node exited ${early} before it was ready:\n${s.stderr()}`);
    if (Date.now() > deadline) throw new Error(`node not ready in ${timeoutMs} ms:\n${s.stderr()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function stop(s: Started): Promise<number | null> {
  s.child.kill('SIGTERM');
  return s.exited;
}

beforeAll(() => {
  const build = spawnSync('npm', ['run', 'build'], { cwd: REPO, encoding: 'utf8', timeout: 240_000 });
  if (build.status !== 0 && !existsSync(MAIN)) throw new Error(`npm run build failed and produced no ${MAIN}:\n${build.stdout}\n${build.stderr}`);
  dir = mkdtempSync(join(tmpdir(), 'elicense-start-up-'));
}, 300_000);

afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await Promise.all(servers.map((s) => new Promise((done) => s.close(done))));
  rmSync(dir, { recursive: true, force: true });
});

describe('starting on a port another process holds', () => {
  let port: number;
  beforeAll(async () => {
    port = await freePort();
    const holder = createServer();
    servers.push(holder);
    await new Promise<void>((ok) => holder.listen(port, '127.0.0.1', () => ok()));
  });

  it('says "address in use" with the port, exits non-zero and writes no data directory', async () => {
    const dataDir = join(dir, 'busy-fresh');
    const s = run(nodeEnv(dataDir, port));
    const code = await s.exited;
    expect(code).not.toBe(0);
    expect(s.stderr()).toContain(`elicense: cannot start: address in use: port ${port}`);
    expect(s.stderr()).toContain('nothing was written');
    expect(s.stderr()).not.toContain('TypeError');
    expect(existsSync(dataDir)).toBe(false);
  }, 60_000);

  it('with HOST set and an existing empty data directory: the same, and the directory stays empty', async () => {
    const dataDir = join(dir, 'busy-existing');
    mkdirSync(dataDir);
    const s = run(nodeEnv(dataDir, port, { HOST: '127.0.0.1' }));
    expect(await s.exited).not.toBe(0);
    expect(s.stderr()).toContain(`address in use: port ${port} (127.0.0.1)`);
    expect(readdirSync(dataDir)).toEqual([]);
  }, 60_000);
});

describe('a newcomer’s npm start on a fresh data directory', () => {
  let dataDir: string;
  let port: number;
  let node: Started;
  let base: string;
  let credentialsFile: string;
  beforeAll(async () => {
    dataDir = join(dir, 'data');
    port = await freePort();
    base = `http://127.0.0.1:${port}`;
    credentialsFile = join(dataDir, 'demo-credentials.json');
    node = run(nodeEnv(dataDir, port));
    await untilReady(node);
  }, 200_000);
  afterAll(async () => {
    if (node && node.child.exitCode === null) await stop(node);
  }, 60_000);

  it('prints once, readably and outside the JSON log lines, where the pages are and where the demo credentials file is', () => {
    const banner = node.stderr();
    expect(banner.split('elicense node ready').length - 1).toBe(1);
    expect(banner).toContain('elicense node ready: DEMO region 福建省 (350000)');
    expect(banner).toContain(`listening on 127.0.0.1:${port} (this machine only; set HOST=0.0.0.0 to listen on every interface)`);
    for (const [what, path] of [['verifier page', '/verify'], ['issuer console', '/console'], ['operator', '/operator'], ['API docs', '/docs']] as const) {
      expect(banner).toMatch(new RegExp(`  ${what} +${base.replace(/[.]/g, '\\.')}${path}\\n`));
    }
    expect(banner).toContain(`demo API keys and curl examples: ${credentialsFile}`);
    // Standard output stays JSON log lines only.
    const lines = node.stdout().split('\n').filter((l) => l !== '');
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(() => JSON.parse(line) as unknown).not.toThrow();
    expect(node.stdout()).not.toContain('/console');
  });

  it('every page the banner names answers 200', async () => {
    for (const path of ['/verify', '/console', '/operator', '/docs']) expect((await fetch(base + path)).status).toBe(200);
  });

  it('listens on 127.0.0.1 only (HOST unset, demo region) and the credentials point at that address', async () => {
    const credentials = JSON.parse(readFileSync(credentialsFile, 'utf8')) as { baseUrl: string };
    expect(credentials.baseUrl).toBe(base);
    const outside = Object.values(networkInterfaces())
      .flat()
      .find((i) => i && i.family === 'IPv4' && !i.internal);
    if (outside) {
      const refused = await new Promise<string>((ok) => {
        const socket = connect(port, outside.address);
        socket.once('connect', () => (socket.destroy(), ok('connected')));
        socket.once('error', (e: NodeJS.ErrnoException) => ok(e.code ?? 'error'));
      });
      expect(refused).toBe('ECONNREFUSED');
    }
  });

  it('the curl examples of the credentials file run again and again: a new licence each run, get and revoke find it by itself', () => {
    const work = join(dir, 'work');
    mkdirSync(work, { recursive: true });
    const credentials = JSON.parse(readFileSync(credentialsFile, 'utf8')) as { examples: Record<'issue' | 'get' | 'verify' | 'revoke', string> };
    const sh = (command: string) => {
      const r = spawnSync('sh', ['-c', command], { cwd: work, encoding: 'utf8', timeout: 60_000, env: { PATH: process.env['PATH'] ?? '' } });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      return r.stdout;
    };
    const licenceFile = join(work, 'licence.elic.json');
    const issueOnce = () => {
      expect(sh(credentials.examples.issue)).toMatch(/^HTTP\/1\.1 201 Created/);
      return JSON.parse(readFileSync(licenceFile, 'utf8')) as { license: { certificateIdentifier: string; certificateNumber: string } };
    };
    const first = issueOnce();
    expect(JSON.parse(sh(credentials.examples.verify))).toMatchObject({ result: 'accepted' });
    expect(JSON.parse(sh(credentials.examples.get))).toMatchObject({ license: { certificateIdentifier: first.license.certificateIdentifier } });
    expect(JSON.parse(sh(credentials.examples.revoke))).toMatchObject({ identifier: first.license.certificateIdentifier, status: 'revoked' });
    expect(JSON.parse(sh(credentials.examples.verify))).toMatchObject({ result: 'rejected', reasons: ['LICENSE_REVOKED'] });
    // A second run is a second licence (its own key and number), not the first one returned revoked.
    const second = issueOnce();
    expect(second.license.certificateIdentifier).not.toBe(first.license.certificateIdentifier);
    expect(second.license.certificateNumber).not.toBe(first.license.certificateNumber);
    expect(second.license.certificateNumber).toMatch(/^DEMO\d{14}\d+$/);
    expect(JSON.parse(sh(credentials.examples.verify))).toMatchObject({ result: 'accepted' });
  }, 120_000);

  it('stops on SIGTERM, and a second start of the same data directory names the credentials file again', async () => {
    expect(await stop(node)).toBe(0);
    const again = run(nodeEnv(dataDir, port));
    try {
      await untilReady(again);
      expect(again.stderr()).toContain(`demo API keys and curl examples: ${credentialsFile}`);
      expect(again.stderr()).toContain(`listening on 127.0.0.1:${port}`);
    } finally {
      expect(await stop(again)).toBe(0);
    }
  }, 200_000);
});
