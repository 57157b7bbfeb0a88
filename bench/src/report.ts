import { checkGoals, type GoalResult } from './goals.js'
import { pairedSpeedups, summarize, type Summary } from './stats.js'
import { isMeasurement, SYSTEM_ORDER, type Metric, type Outcome, type RunResults, type SystemId } from './types.js'

export interface FigureJson {
  median: number | null
  min: number | null
  max: number | null
  /** Every repetition, in order; null where it failed. */
  runs: Array<number | null>
  note?: string
  errors?: string[]
}

export interface MetricJson {
  id: string
  scenario: string
  label: string
  title: string
  unit: string
  better: 'higher' | 'lower'
  results: Partial<Record<SystemId, FigureJson | { skipped: string }>>
  /** How many times better InfinStor is than each peer, from paired runs. */
  infinstorSpeedup: Partial<Record<SystemId, Summary>>
}

export interface ReportJson extends Omit<RunResults, 'metrics'> {
  goals: GoalResult[]
  metrics: MetricJson[]
}

function figure (o: Outcome): FigureJson | { skipped: string } {
  if (!isMeasurement(o)) return o
  const ok = o.values.filter(Number.isFinite)
  const s = ok.length > 0 ? summarize(ok) : undefined
  return {
    median: s?.median ?? null,
    min: s?.min ?? null,
    max: s?.max ?? null,
    runs: o.values.map(v => Number.isFinite(v) ? v : null),
    ...(o.note !== undefined ? { note: o.note } : {}),
    ...(o.errors !== undefined && o.errors.length > 0 ? { errors: o.errors } : {})
  }
}

function speedups (m: Metric): Partial<Record<SystemId, Summary>> {
  const out: Partial<Record<SystemId, Summary>> = {}
  const ours = m.results.infinstor
  if (!isMeasurement(ours)) return out
  for (const id of SYSTEM_ORDER) {
    const theirs = m.results[id]
    if (id === 'infinstor' || !isMeasurement(theirs)) continue
    const s = pairedSpeedups(ours.values, theirs.values, m.better)
    if (s !== undefined) out[id] = s
  }
  return out
}

export function toJson (run: RunResults): ReportJson {
  return {
    ...run,
    goals: checkGoals(run),
    metrics: run.metrics.map(m => ({
      id: m.id,
      scenario: m.scenario,
      label: m.label,
      title: m.title,
      unit: m.unit,
      better: m.better,
      results: Object.fromEntries(SYSTEM_ORDER.filter(id => m.results[id] !== undefined)
        .map(id => [id, figure(m.results[id] as Outcome)])),
      infinstorSpeedup: speedups(m)
    }))
  }
}

/** Three significant digits, without exponents. */
export function num (v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—'
  const a = Math.abs(v)
  if (a >= 100) return v.toFixed(0)
  if (a >= 10) return v.toFixed(1)
  if (a >= 1) return v.toFixed(2)
  return v.toPrecision(3)
}

function range (s: Summary | undefined | null, unit = ''): string {
  if (s === undefined || s === null) return '—'
  return `${num(s.median)}${unit} [${num(s.min)}–${num(s.max)}]`
}

const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ')

function goalsTable (goals: GoalResult[]): string[] {
  const lines = ['| Goal (#16, #3\'s kept, #15, #14) | Target | Measured: median [min–max] | Status |', '|---|---|---|---|']
  for (const g of goals) {
    const measured = g.measured !== undefined ? range(g.measured, g.measured.unit === '×' ? '×' : ' ' + g.measured.unit) : '—'
    const status = `**${g.met ? 'met' : 'not met'}**${g.cause !== undefined ? ': ' + g.cause : ''}`
    lines.push(`| ${cell(g.text)} | ${cell(g.target)} | ${measured} | ${cell(status)} |`)
  }
  return lines
}

/** One line per metric: every system's median side by side. */
function summaryTable (report: ReportJson): string[] {
  const ids = SYSTEM_ORDER.filter(id => report.systems.some(s => s.id === id))
  const name = (id: SystemId): string => report.systems.find(s => s.id === id)?.name ?? id
  const lines = [
    `| Metric | Unit | ${ids.map(name).map(cell).join(' | ')} | InfinStor vs rclone | InfinStor vs s3fs |`,
    `|---|---|${ids.map(() => '---|').join('')}---|---|`
  ]
  for (const m of report.metrics) {
    const medians = ids.map(id => {
      const r = m.results[id]
      return r === undefined || 'skipped' in r ? '—' : num(r.median)
    })
    const vs = (peer: SystemId): string => m.infinstorSpeedup[peer] !== undefined ? `${num(m.infinstorSpeedup[peer]?.median)}×` : '—'
    lines.push(`| ${cell(`${m.scenario.split('.')[0]}. ${m.label}`)} | ${m.unit}${m.better === 'higher' ? ' ↑' : ' ↓'} | ${medians.join(' | ')} | ${vs('rclone')} | ${vs('s3fs')} |`)
  }
  return lines
}

/**
 * Failures grouped by message, e.g. "runs 1, 2: find exited 1: …", with
 * the random part of mount points dropped so equal failures group.
 */
export function failures (errors: string[]): string[] {
  const byMessage = new Map<string, string[]>()
  for (const e of errors) {
    const m = /^run (\d+): ([\s\S]*)$/.exec(e)
    const text = (m?.[2] ?? e).replace(/\/tmp\/infinstor-bench-[a-z0-9]+-[A-Za-z0-9]{6}/g, 'MOUNT')
    byMessage.set(text, [...(byMessage.get(text) ?? []), m?.[1] ?? '?'])
  }
  return [...byMessage].map(([text, runs]) => `failed in run${runs.length > 1 ? 's' : ''} ${runs.join(', ')}: ${text}`)
}

function metricTable (report: ReportJson, m: MetricJson): string[] {
  const direction = m.better === 'higher' ? 'higher is better' : 'lower is better'
  const lines = [
    `#### ${m.title} (${m.unit}, ${direction})`, '',
    '| System | Median | Min | Max | Runs | InfinStor speedup: median [min–max] | Note |',
    '|---|---|---|---|---|---|---|'
  ]
  for (const id of SYSTEM_ORDER) {
    const r = m.results[id]
    if (r === undefined) continue
    const name = report.systems.find(s => s.id === id)?.name ?? id
    if ('skipped' in r) {
      lines.push(`| ${cell(name)} | — | — | — | — | — | ${cell('not measured: ' + r.skipped)} |`)
      continue
    }
    const ok = r.runs.filter(v => v !== null).length
    const speed = id === 'infinstor' ? '—' : range(m.infinstorSpeedup[id], '×')
    const notes = [r.note, ...failures(r.errors ?? [])].filter(Boolean).join('; ')
    lines.push(`| ${cell(name)} | ${num(r.median)} | ${num(r.min)} | ${num(r.max)} | ${ok}/${r.runs.length} | ${speed} | ${cell(notes)} |`)
  }
  return [...lines, '']
}

/** How the read scenarios' networks were made. */
function networkText (report: ReportJson): string {
  const nets = report.config.networks ?? [{ id: 'loopback', name: 'loopback', rate: 0, delay: 0 }]
  const shaped = nets.filter(n => n.rate > 0 || n.delay > 0)
  if (shaped.length === 0) return 'Reads ran over plain loopback.'
  return `Read scenarios ran twice: over plain loopback, where moto answers at once and as fast as it can copy, and under ${shaped.map(n => `an ${n.name} profile`).join(' and ')}, which the moto patch makes by sleeping in the server (no CPU): on S3, one connection carries tens of MB/s after tens of milliseconds, and parallel connections multiply it. CPU per GiB is each system's user + system CPU from /proc over the measured operation (its daemons; curl for direct GETs).`
}

export function toMarkdown (report: ReportJson): string {
  const mc = report.machine
  const out = [
    `# InfinStor benchmark (${report.config.mode} run)`, '',
    `Run on ${report.startedAt}, ${num(report.seconds)} s in all. Every figure is the median of ` +
      `${report.config.repetitions} repetitions (${report.config.heavyRepetitions} for the random reads and the parallel readers), ` +
      'with min and max. Speedups pair repetition *i* of InfinStor with repetition *i* of the peer, measured ' +
      'back to back on the same moto server and data; above 1× InfinStor is faster.', '',
    '## Goals', '', ...goalsTable(report.goals), '',
    '## Summary (medians; ↑ higher is better, ↓ lower is better)', '', ...summaryTable(report), '',
    '## Machine', '',
    `- CPU: ${mc.cpu}, ${mc.cores} cores; memory ${num(mc.memoryBytes / (1 << 30))} GiB`,
    `- Kernel ${mc.kernel}; ${mc.os}; Node ${mc.node}; ${mc.python}`,
    `- Load average (1 min) ${num(mc.load.start)} at the start, ${num(mc.load.end)} at the end ` +
      `(${mc.cores} cores; other work shares this machine, which the min–max spreads show)`,
    `- InfinStor cache size: ${num(report.config.cacheBytes / (1 << 20))} MiB; page cache ` +
      `${report.config.dropCaches ? 'dropped before every cold run' : 'could not be dropped (not root): cold runs rely on fresh mounts'}`, '',
    '## The backend', '',
    'All systems read the same moto server. ' + (report.config.motoPatched
      ? 'Stock moto answers every GET, ranged or not, by copying the whole object first (about 0.5 s for ' +
        'the 256 MiB file here), and every ListObjectVersions page by deep-copying every version in the ' +
        'bucket, bytes included. Both would bury any time-travel or block-reading design under costs S3 ' +
        'does not have, so this run loads `bench/moto-patch/sitecustomize.py` into moto: an object\'s bytes ' +
        'are kept once and sliced, and listing copies share them. Run with `--stock-moto` to measure without it.'
      : 'This run used stock moto (`--stock-moto`): every GET, ranged or not, copies the whole object ' +
        'first, and every ListObjectVersions page deep-copies every version in the bucket, bytes included; ' +
        'ranged reads of the big file and version listings cost far more than on S3.') +
      ' The direct-GET rows show the floor the server sets. ' + networkText(report) + ' A measured operation that runs past ' +
      `${num(report.config.budgetMs / 1000)} s is stopped and counted as failed; later repetitions of it are skipped.`, '',
    '## Systems', '',
    '| System | Role | Version | Status |', '|---|---|---|---|',
    ...report.systems.map(s => `| ${cell(s.name)} | ${cell(s.role)} | ${cell(s.version ?? '—')} | ${cell(s.skipped !== undefined ? 'skipped: ' + s.skipped : 'measured')} |`), '',
    '## Datasets', '',
    ...Object.entries(report.config.datasets).map(([k, v]) => `- **${k}**: ${v}`), '',
    '## Results', ''
  ]
  let scenario = ''
  for (const m of report.metrics) {
    if (m.scenario !== scenario) {
      scenario = m.scenario
      out.push(`### ${m.scenario}`, '')
    }
    out.push(...metricTable(report, m))
  }
  return out.join('\n')
}
