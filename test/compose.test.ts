// docker-compose.yaml must stay valid. No Docker engine runs here; the Compose CLI still validates
// the file (Debian's docker-compose package). Skipped, and said so, where the CLI is absent.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';

const root = fileURLToPath(new URL('..', import.meta.url));
const cli = ['docker-compose', 'docker'].find((c) => spawnSync(c, c === 'docker' ? ['compose', 'version'] : ['version'], { encoding: 'utf8' }).status === 0);

describe('docker-compose.yaml', () => {
  it('is accepted by `docker-compose config -q`', { skip: cli ? false : 'no docker-compose or docker compose CLI on this machine' }, () => {
    const args = cli === 'docker' ? ['compose', '-f', 'docker-compose.yaml', 'config', '-q'] : ['-f', 'docker-compose.yaml', 'config', '-q'];
    const r = spawnSync(cli!, args, { cwd: root, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
  });
});
