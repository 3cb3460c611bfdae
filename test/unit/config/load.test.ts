/**
 * Loading: config lines from a file and --flags read as one text (flags
 * last, so they win), repeated directives, include, and the error carrying
 * source, line and reason for the FATAL report.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { argvToLines, ConfigLoadError, loadConfig } from '../../../src/config/load';
import { D } from '../../../src/config/directives';

function tempFile(name: string, lines: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'kts-load-'));
  const file = join(dir, name);
  writeFileSync(file, lines.join('\n'));
  return file;
}

test('--flags become config lines, values quoted', () => {
  expect(argvToLines(['--port', '7000', '--save', '', '--requirepass', 'a b']).map((l) => l.text)).toEqual(['port "7000"', 'save ""', 'requirepass "a b"']);
});

test('a value without its --name is a load error', () => {
  expect(() => argvToLines(['7000'])).toThrow(ConfigLoadError);
});

test('save lines in a file accumulate and replace the defaults; a later save "" clears', () => {
  const file = tempFile('save.conf', ['save 900 1', 'save 300 10']);
  expect(loadConfig(file, []).get(D.save)).toEqual([
    { seconds: 900, changes: 1 },
    { seconds: 300, changes: 10 },
  ]);
  expect(loadConfig(file, ['--save', '60 5']).get(D.save)).toHaveLength(3);
  expect(loadConfig(file, ['--save', '']).get(D.save)).toEqual([]);
  expect(loadConfig(null, []).get(D.save)).toEqual(D.save.defaultValue);
});

test('flags override the file; the last occurrence of a plain directive wins', () => {
  const file = tempFile('main.conf', ['timeout 5', 'timeout 6', 'maxmemory 1gb']);
  const config = loadConfig(file, ['--timeout', '7']);
  expect(config.get(D.timeout)).toBe(7);
  expect(config.get(D.maxmemory)).toBe(1024 * 1024 * 1024);
});

test('include reads another file in place', () => {
  const extra = tempFile('extra.conf', ['timeout 33']);
  const file = tempFile('main.conf', ['timeout 11', `include ${extra}`, '# after', 'hz 20']);
  const config = loadConfig(file, []);
  expect(config.get(D.timeout)).toBe(33);
  expect(config.get(D.hz)).toBe(20);
});

test('errors carry the file, the line number, the line and the reason', () => {
  const file = tempFile('bad.conf', ['# comment', '', 'maxmemory lots']);
  let error: ConfigLoadError | null = null;
  try {
    loadConfig(file, []);
  } catch (e) {
    error = e as ConfigLoadError;
  }
  expect(error).toBeInstanceOf(ConfigLoadError);
  expect(error!.lineNumber).toBe(3);
  expect(error!.report('1.2.3')).toBe(`\n*** FATAL CONFIG FILE ERROR (keydb-ts-server 1.2.3) ***\nReading the configuration file ${file}, at line 3\n>>> 'maxmemory lots'\nargument must be a memory value\n`);
});

test('aliases set the canonical directive', () => {
  const config = loadConfig(null, ['--slave-read-only', 'no', '--hash-max-ziplist-entries', '7']);
  expect(config.get(D.replicaReadOnly)).toBe(false);
  expect(config.get(D.hashMaxListpackEntries)).toBe(7);
});
