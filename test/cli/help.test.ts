import { cli } from './cliHarness';

/** Every command and subcommand with the options (or subcommands) its help must mention. */
const HELP: Array<[string[], string[]]> = [
  [[], ['demo', 'verify', 'issue', 'ca', 'pki']],
  [['demo'], ['--out']],
  [['verify'], ['<file>', '--trust', '--at', '--json', 'Exit codes']],
  [['issue'], ['--type', '--data', '--key', '--tsa-key', '--trust', '--passphrase-file', '--out', 'Exit codes']],
  [['ca'], ['init', 'issue-department']],
  [['ca', 'init'], ['--ceremony', '--out', '--passphrase-file', '--pkcs12-iterations']],
  [['ca', 'issue-department'], ['--ca-key', '--name', '--uscc', '--division', '--csr', '--algorithm', '--validity-days', '--types', '--trust', '--out', '--passphrase-file', '--pkcs12-iterations']],
  [['pki'], ['validate-path']],
  [['pki', 'validate-path'], ['--leaf', '--intermediates', '--anchors', '--at', '--eku', '--json', 'Exit codes']],
];

describe('--help everywhere', () => {
  it.each(HELP)('elicense %j --help exits 0 and mentions its options', async (command, mentions) => {
    for (const flag of ['--help', '-h']) {
      const r = await cli([...command, flag]);
      expect(r.code).toBe(0);
      expect(r.out).toContain(`Usage: elicense${command.length ? ` ${command.join(' ')}` : ''}`);
      for (const m of mentions) expect(r.out).toContain(m);
      expect(r.err).toBe('');
    }
  });

  it.each(HELP.filter(([c]) => c.length > 0))('elicense help %j exits 0', async (command) => {
    // `help` takes a command name; subcommands answer through their parent.
    const r = await cli(['help', command[0]!]);
    expect(r.code).toBe(0);
    expect(r.out).toContain(`Usage: elicense ${command[0]}`);
  });

  it('no command at all → 2 with the usage on stderr', async () => {
    const r = await cli([]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('Usage: elicense');
  });

  it('an unknown command → 2', async () => {
    const r = await cli(['frobnicate']);
    expect(r.code).toBe(2);
    expect(r.err).toContain("unknown command 'frobnicate'");
  });

  it.each([
    [['demo', '--bogus']],
    // Required options are given so that the unknown one is what commander trips on.
    [['issue', '--type', 't', '--data', 'd', '--key', 'k', '--tsa-key', 'k', '--bogus']],
    [['ca', 'init', '--ceremony', 'c', '--out', 'o', '--bogus']],
    [['ca', 'issue-department', '--ca-key', 'k', '--name', 'n', '--uscc', 'u', '--division', 'd', '--out', 'o', '--bogus']],
    [['pki', 'validate-path', '--leaf', 'l', '--anchors', 'a', '--bogus']],
    [['ca', 'frobnicate']],
    [['pki', 'frobnicate']],
  ])('%j → 2 (usage error)', async (argv) => {
    const r = await cli(argv);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/unknown (option|command)/);
  });

  it.each([
    [['issue', '--type', 'business-licence']],
    [['ca', 'init', '--out', '/nonexistent-elicense-test']],
    [['ca', 'issue-department', '--name', 'x']],
    [['pki', 'validate-path', '--leaf', 'x.pem']],
  ])('%j with required options missing → 2', async (argv) => {
    const r = await cli(argv);
    expect(r.code).toBe(2);
    expect(r.err).toContain('required option');
  });
});
