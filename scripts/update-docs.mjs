// Regenerates the README's settings table from src/config/settings.ts (run after `npm run build`).
import { readFileSync, writeFileSync } from 'node:fs'
import { withSettingsTable } from '../dist/config/docs.js'

const path = new URL('../README.md', import.meta.url)
writeFileSync(path, withSettingsTable(readFileSync(path, 'utf8')))
