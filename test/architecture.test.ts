// The shape of the house, read from the imports themselves: each folder of
// src/ imports only folders below it (so there is no cycle), src/core is
// pure, only src/s3 talks to S3, and only src/fs knows FUSE.
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'

/** The folders of src/, lowest first: a folder may import itself and those before it. */
const ORDER = [
  'core', 'config', 's3', 'index', 'engine', 'labels', 'reader', 'tree', 'server',
  'contents', 'dashboard', 'gateway', 'fs', 'jupyter', 'daemon', 'demo', 'cli'
]
/** Front ends with packages of their own: they share only the pure core. */
const FRONT_ENDS = ['ui', 'labext']
/** Packages only one folder may use. */
const OWNERS: Record<string, string> = { '@aws-sdk/': 's3', 'fuse-native': 'fs' }

const SRC = fileURLToPath(new URL('../src/', import.meta.url))

function sources (dir: string): string[] {
  const out: string[] = []
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'lib') continue
    const path = join(dir, name)
    if (statSync(path).isDirectory()) out.push(...sources(path))
    else if (/\.(ts|tsx)$/.test(name) && !name.endsWith('.d.ts')) out.push(path)
  }
  return out
}

interface Import { file: string, folder: string, spec: string, target?: string }

function importsOf (file: string): Import[] {
  const text = readFileSync(file, 'utf8')
  const folder = relative(SRC, file).split('/')[0]
  const out: Import[] = []
  for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|(?:^|\n)\s*import\s+['"]([^'"]+)['"]/g)) {
    const spec = m[1] ?? m[2] ?? m[3]
    const target = spec.startsWith('.') ? relative(SRC, resolve(dirname(file), spec)).split('/')[0] : undefined
    out.push({ file: relative(SRC, file), folder, spec, target })
  }
  return out
}

const all = sources(SRC).flatMap(importsOf)

t.test('every folder of src/ has a place in the order', async t => {
  const folders = readdirSync(SRC).filter(n => statSync(join(SRC, n)).isDirectory())
  t.same(folders.filter(f => !ORDER.includes(f) && !FRONT_ENDS.includes(f)), [], 'no folder outside ORDER')
  const undocumented = folders.filter(f => ORDER.includes(f) && !/^# src\/\w+: \S/.test(readFileSync(join(SRC, f, 'README.md'), { encoding: 'utf8', flag: 'r' }).toString()))
  t.same(undocumented, [], 'each folder opens with a README.md saying what it is for')
  t.ok(all.length > 100, `read ${all.length} imports`)
})

t.test('no folder imports a folder above it (so no folder cycle)', async t => {
  const upward = all.filter(i => i.target !== undefined && ORDER.includes(i.folder) &&
    (!ORDER.includes(i.target) || ORDER.indexOf(i.target) > ORDER.indexOf(i.folder)))
  t.same(upward.map(i => `${i.file} imports ${i.spec}`), [])
})

t.test('the front ends share only the pure core', async t => {
  const bad = all.filter(i => FRONT_ENDS.includes(i.folder) && i.target !== undefined && i.target !== i.folder && i.target !== 'core')
  t.same(bad.map(i => `${i.file} imports ${i.spec}`), [])
})

t.test('src/core is pure: no Node APIs, no packages', async t => {
  const bad = all.filter(i => i.folder === 'core' && i.target === undefined)
  t.same(bad.map(i => `${i.file} imports ${i.spec}`), [])
})

t.test('one folder per outside world: S3 in src/s3, FUSE in src/fs', async t => {
  for (const [pkg, owner] of Object.entries(OWNERS)) {
    const bad = all.filter(i => i.target === undefined && i.spec.startsWith(pkg) && i.folder !== owner)
    t.same(bad.map(i => `${i.file} imports ${i.spec}`), [], `${pkg} only in src/${owner}`)
  }
})
