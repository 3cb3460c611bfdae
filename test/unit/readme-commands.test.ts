/** The README's command list is generated from the command table; this keeps it current. */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

test('README lists exactly the commands of the command table (run scripts/gen-readme-commands.js)', () => {
  const r = spawnSync(process.execPath, [join(__dirname, '..', '..', 'scripts', 'gen-readme-commands.js'), '--check'], { encoding: 'utf8' });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
});
