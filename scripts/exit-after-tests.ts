// Preloaded into every test file's process (scripts/test.sh). A file whose tests are done but that
// left a handle open (a socket, a timer) would keep its process, and CI, waiting forever; this ends
// it, loudly, 20 s after its last test. Node's own --test-force-exit does the same but can exit before
// the file's results reach the runner, which then reports fewer tests than ran, a failing test by
// its file only (nodejs/node#64833; seen here: 34 of parse.test.ts's 40 tests reported, rc 0).
import { after } from 'node:test';

// Registered before the file's own `after` hooks, so it waits out their cleanup too.
after(() => {
  setTimeout(() => {
    console.error(`[exit-after-tests] ${process.argv.slice(1).join(' ')}: handles still open 20 s after its last test; exiting`);
    process.exit();
  }, 20_000).unref();
});
