// Runs before `npm start`, `npm test` and `npm run bench`: on a fresh clone it installs the
// locked dependencies first, so the README's two commands work without a separate install step.
import { execSync } from 'node:child_process'
import { existsSync } from 'node:fs'

if (!existsSync('node_modules/.bin/vitest') || !existsSync('node_modules/.bin/wrangler')) {
  console.log('Installing dependencies …')
  // `npm ci`: exactly the locked versions, and the lock file is never rewritten.
  execSync('npm ci --no-audit --no-fund', { stdio: 'inherit' })
}
