// Every setting is checked against its declaration (type, range, whole numbers, the form of a text), from
// every source, and a bad one stops every command with exit code 2 and the setting's name, never a stack trace.
import { execFile } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { SETTING_DEFS, Settings, type SettingDef } from '../../src/config/settings.js'
import { parseValue, type TextFormat } from '../../src/config/values.js'
import { InfinError } from '../../src/core/errors.js'
import { BIN } from '../helpers/s3env.js'
import { tempDir } from '../helpers/temp.js'

/** Texts that break each format: written here, not derived from the checks they test. */
const BAD_TEXT: Record<TextFormat, string[]> = {
  url: ['not a url', 'ftp://example.com', 'localhost:9000'],
  origins: ['http://localhost:8888/', 'localhost:8888', 'http://a.example,*'],
  'absolute-path': ['relative/dir', '~/infinstor'],
  path: ['a\0b'],
  token: ['two words', 'semi;colon', 'quo"te'],
  word: ['us east 1', 'us/east'],
  host: ['bad host!', 'http://127.0.0.1'],
  'label-store': ['s3://Bad_Bucket/labels/', 's3://x/'],
  index: ['mysql://db/index', 'a\0b', 'http://example.com/index'],
  buckets: ['Bad_Bucket', 'sales,,data', 'x']
}

/** Values that break a setting's declaration, derived from it. */
function badValues (def: SettingDef): string[] {
  if (def.type === 'boolean') return ['maybe', '2']
  if (def.type === 'string') {
    if (def.format === undefined) throw new Error(`${def.name}: a text setting without a format cannot be checked`)
    return BAD_TEXT[def.format]
  }
  const out = ['abc', '12abc', 'NaN', 'Infinity']
  if (def.min !== undefined) out.push(String(def.min - 1))
  if (def.max !== undefined) out.push(String(def.max + 1))
  if (def.integer === true) out.push(String((def.min ?? 0) + 1.5))
  return out
}

/** Values at the edges of a declaration that must be accepted. */
function goodValues (def: SettingDef): string[] {
  if (def.type === 'boolean') return ['true', 'off']
  if (def.type === 'string') return []
  const out = [def.min, def.max].filter((n): n is number => n !== undefined).map(String)
  if (def.integer !== true) out.push(String((def.min ?? 0) + 0.5))
  return out
}

const home = tempDir(t, 'settings')
const noConfig = { INFINSTOR_CONFIG: join(home, 'none.json') }

function failure (fn: () => unknown): InfinError | undefined {
  try {
    fn()
  } catch (e) {
    if (e instanceof InfinError) return e
    throw e
  }
  return undefined
}

t.test('every default fits its own declaration', async t => {
  for (const def of SETTING_DEFS) {
    if (def.default !== undefined) t.equal(parseValue(def, def.default), def.default, def.name)
  }
})

t.test('every setting refuses values its declaration rules out, from a flag, the environment and the config file', async t => {
  for (const def of SETTING_DEFS) {
    for (const bad of badValues(def)) {
      const config = join(home, `${def.name}.json`)
      writeFileSync(config, JSON.stringify({ [def.name]: bad }))
      const sources: Array<[string, () => unknown]> = [
        [`--${def.name}`, () => new Settings({ [def.name]: bad }, noConfig)],
        [`$${def.env}`, () => new Settings({}, { ...noConfig, [def.env]: bad })],
        [config, () => new Settings({}, { INFINSTOR_CONFIG: config })]
      ]
      for (const [source, make] of sources) {
        // NUL cannot reach a flag or the environment, only a config file.
        if (bad.includes('\0') && !source.endsWith('.json')) continue
        const e = failure(make)
        t.equal(e?.code, 'Usage', `${def.name} = ${JSON.stringify(bad)} from ${source}: refused`)
        t.match(e?.message, new RegExp(`setting ${def.name} \\(from ${source.replace(/[$.]/g, '\\$&')}\\) must be `), 'names the setting and where it came from')
        if (def.secret === true) t.notOk(e?.message.includes(bad), 'a secret is not shown')
      }
    }
    for (const good of goodValues(def)) {
      t.equal(failure(() => new Settings({ [def.name]: good }, noConfig)), undefined, `${def.name} = ${good} is accepted`)
    }
  }
})

interface Run { code: number, stdout: string, stderr: string }

async function cli (args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return await new Promise(resolve => {
    execFile(process.execPath, [BIN, ...args], {
      env: { ...process.env, XDG_CONFIG_HOME: home, ...noConfig, AWS_ENDPOINT_URL: 'http://127.0.0.1:9', ...env }
    }, (err, stdout, stderr) => {
      resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : 1, stdout, stderr })
    })
  })
}

t.test('the CLI exits 2 naming the setting, for the cases found by hand', async t => {
  const cases: Array<[string[], NodeJS.ProcessEnv, string]> = [
    [['--s3-concurrency=0'], {}, 's3-concurrency'],
    [['--s3-concurrency=1.5'], {}, 's3-concurrency'],
    [['--s3-attempts=0'], {}, 's3-attempts'],
    [['--s3-timeout-ms=0'], {}, 's3-timeout-ms'],
    [['--settle-margin-ms=-1'], {}, 'settle-margin-ms'],
    [[], { AWS_ENDPOINT_URL: 'not a url' }, 'endpoint']
  ]
  for (const [flags, env, name] of cases) {
    const r = await cli(['label', 'ls', ...flags], env)
    t.equal(r.code, 2, `${flags.join(' ')}${JSON.stringify(env)}: exit 2 (${r.stderr.trim()})`)
    t.match(r.stderr, new RegExp(`^infinstor: setting ${name} \\(from [^)]+\\) must be `), 'one line naming the setting')
    t.notMatch(r.stderr, /\n\s+at /, 'no stack trace')
  }
  t.match((await cli(['label', 'ls', '--settle-margin-ms=-1'])).stderr, /must be a whole number of at least 0, not '-1'/)
})

t.test('the CLI exits 2 for one bad value of every setting, and 0 for the same command with good settings', async t => {
  const store = { INFINSTOR_LABEL_STORE: join(home, 'labels.json') }
  t.equal((await cli(['label', 'ls'], store)).code, 0, 'label ls works with good settings')
  for (const def of SETTING_DEFS) {
    const bad = badValues(def)[0]
    const config = join(home, `cli-${def.name}.json`)
    writeFileSync(config, JSON.stringify({ [def.name]: bad }))
    // node's parser takes no value for a boolean flag, and no flag holds a NUL: those come from elsewhere.
    const r = bad.includes('\0')
      ? await cli(['label', 'ls'], { ...store, INFINSTOR_CONFIG: config })
      : def.type === 'boolean'
        ? await cli(['label', 'ls'], { ...store, [def.env]: bad })
        : await cli(['label', 'ls', `--${def.name}=${bad}`], store)
    t.equal(r.code, 2, `${def.name} = ${bad}: exit 2 (${r.stderr.trim()})`)
    t.match(r.stderr, `setting ${def.name} `, 'names it')
  }
})
