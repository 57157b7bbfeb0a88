// Rewrites a report's Markdown from its JSON: `node render.js DIR/latest.json`
// writes DIR/latest.md. For changes to the report's layout, without a rerun.
import { readFileSync, writeFileSync } from 'node:fs'
import { toMarkdown, type ReportJson } from './report.js'

const file = process.argv[2]
if (file === undefined || !file.endsWith('.json')) throw new Error('usage: render.js REPORT.json')
const report = JSON.parse(readFileSync(file, 'utf8')) as ReportJson
writeFileSync(file.replace(/\.json$/, '.md'), toMarkdown(report) + '\n')
