import { browsableUrl, listenHost } from '../../../src/node/startNode';
import { startUpBanner } from '../../../src/node/startUpBanner';

describe('where the node listens', () => {
  it('a demo region listens on 127.0.0.1 unless HOST is set; other regions on HOST or its default', () => {
    expect(listenHost({ host: '0.0.0.0', hostExplicit: false }, true)).toBe('127.0.0.1');
    expect(listenHost({ host: '0.0.0.0', hostExplicit: true }, true)).toBe('0.0.0.0');
    expect(listenHost({ host: '10.0.0.5', hostExplicit: true }, true)).toBe('10.0.0.5');
    expect(listenHost({ host: '0.0.0.0', hostExplicit: false }, false)).toBe('0.0.0.0');
  });

  it('pages are named by an address a browser on this machine opens', () => {
    expect(browsableUrl('0.0.0.0', 8080)).toBe('http://localhost:8080');
    expect(browsableUrl('::', 8080)).toBe('http://localhost:8080');
    expect(browsableUrl('127.0.0.1', 8080)).toBe('http://127.0.0.1:8080');
    expect(browsableUrl('::1', 8080)).toBe('http://[::1]:8080');
  });
});

describe('the start-up banner', () => {
  it('a production region on every interface: no credentials line', () => {
    const banner = startUpBanner({ host: '0.0.0.0', port: 8080, baseUrl: 'http://localhost:8080', region: { code: '440000', name: '广东省', mode: 'production' }, demoCredentialsFile: undefined });
    expect(banner).toContain('elicense node ready: region 广东省 (440000)\n');
    expect(banner).toContain('listening on 0.0.0.0:8080 (every interface)');
    expect(banner).toContain('  API docs         http://localhost:8080/docs\n');
    expect(banner).toContain('  holders          http://localhost:8080/wallet\n');
    expect(banner).not.toContain('demo');
  });

  it('no region yet: says how to set one up', () => {
    expect(startUpBanner({ host: '0.0.0.0', port: 8080, baseUrl: 'http://localhost:8080', region: null, demoCredentialsFile: undefined })).toContain('no region set up yet: run `npm run -s elicense -- init --ceremony FILE`');
  });
});
