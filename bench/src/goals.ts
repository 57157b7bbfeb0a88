import { pairedSpeedups, summarize, type Summary } from './stats.js'
import { isMeasurement, type Metric, type RunResults, type SystemId } from './types.js'

/** The performance goals (issue #16, those of #3 it keeps, #15's for the S3 gateway, #14's for the history index), each checked against this run's figures. */
export interface GoalResult {
  id: string
  text: string
  target: string
  /** The figure the goal is judged on, when there is one. */
  measured?: Summary & { unit: string }
  met: boolean
  /** Why it is not met or not measurable; written for the report reader. */
  cause?: string
}

const MB = 1e6
const MiB = 1 << 20

interface RatioGoal {
  id: string
  text: (scale: RunResults['config']['scale']) => string
  ours: string
  theirs: string
  peer: SystemId
  /** Ours: the plain mount unless the goal is about another InfinStor system. */
  system?: SystemId
  /**
   * The median paired speedup must reach this (above 1: InfinStor better).
   * With `share`, the goal is stated as InfinStor's figure over the peer's,
   * at most 1 / atLeast (for costs: "CPU at most 0.6× the peer's").
   */
  atLeast: number
  share?: boolean
  /** How the target reads, when not as a speedup or a share (e.g. a time bound). */
  target?: string
}

const S3 = 'S3-like network'
const RATIO_GOALS: RatioGoal[] = [
  { id: 'seq-cold', text: () => 'Cold sequential read of a past version vs rclone --s3-version-at (loopback)', ours: 'seq-cold', theirs: 'seq-cold', peer: 'rclone', atLeast: 2 },
  { id: 'seq-cold-s3fs', text: () => 'Cold sequential read vs s3fs (loopback; s3fs reads the latest version)', ours: 'seq-cold', theirs: 'seq-cold', peer: 's3fs', atLeast: 1 },
  { id: 'seq-cold@s3', text: () => `Cold sequential read vs rclone (${S3})`, ours: 'seq-cold@s3', theirs: 'seq-cold@s3', peer: 'rclone', atLeast: 4 },
  { id: 'seq-cold-s3fs@s3', text: () => `Cold sequential read vs s3fs (${S3})`, ours: 'seq-cold@s3', theirs: 'seq-cold@s3', peer: 's3fs', atLeast: 1 },
  { id: 'par', text: s => `${s.readers} parallel readers' throughput vs s3fs (loopback)`, ours: 'par-tput', theirs: 'par-tput', peer: 's3fs', atLeast: 1 },
  { id: 'par@s3', text: s => `${s.readers} parallel readers' throughput vs s3fs (${S3})`, ours: 'par-tput@s3', theirs: 'par-tput@s3', peer: 's3fs', atLeast: 1 },
  { id: 'rand', text: () => 'Random reads vs s3fs (loopback)', ours: 'rand', theirs: 'rand', peer: 's3fs', atLeast: 1 },
  { id: 'small', text: () => 'Reading many small files vs rclone (loopback)', ours: 'small', theirs: 'small', peer: 'rclone', atLeast: 2 },
  { id: 'cpu', text: () => 'CPU per GiB of a cold sequential read vs rclone\'s (loopback)', ours: 'seq-cold-cpu', theirs: 'seq-cold-cpu', peer: 'rclone', atLeast: 1 / 0.6, share: true },
  { id: 're-read', text: () => 'Re-reading a past version vs rclone\'s cold read', ours: 'seq-warm', theirs: 'seq-cold', peer: 'rclone', atLeast: 10 },
  { id: 'ls-times', text: s => `\`ls -l\` of the ${s.dirFiles.toLocaleString('en-US')}-file folder at ${s.lsTimes} past times vs rclone (a mount per time)`, ours: 'ls-times', theirs: 'ls-times', peer: 'rclone', atLeast: 10 },
  // #15: the S3 gateway.
  { id: 'gw-get', text: () => 'GET of a past version through the S3 gateway vs direct GETs from moto by VersionId, one client', ours: 'gw-get', theirs: 'gw-get', peer: 'direct', atLeast: 0.7 },
  { id: 'gw-get8', text: () => 'The same with 8 clients, aggregate', ours: 'gw-get8', theirs: 'gw-get8', peer: 'direct', atLeast: 0.7 },
  { id: 'gw-list', text: s => `ListObjectsV2 of the ${s.dirFiles.toLocaleString('en-US')}-key folder at a past time through the gateway vs at latest from moto`, ours: 'gw-list', theirs: 'gw-list', peer: 'direct', atLeast: 1 / 1.5, target: '≤ 1.5× the time (≥ 0.67×)' },
  { id: 'gw-download', text: () => 'boto3 download_file of a past version through the gateway vs rclone copy --s3-version-at', ours: 'gw-dl', theirs: 'gw-dl', peer: 'rclone', atLeast: 2 },
  // #14: the history index, through the mount that reads it.
  { id: 'ix-find', text: () => '`find` + stat of the tree at a past time, mount + index vs rclone', ours: 'find', theirs: 'find', peer: 'rclone', system: 'infinstor-ix', atLeast: 10 },
  { id: 'ix-find-s3fs', text: () => '`find` + stat of the tree at a past time, mount + index vs s3fs (latest)', ours: 'find', theirs: 'find', peer: 's3fs', system: 'infinstor-ix', atLeast: 2 },
  { id: 'ix-ls', text: s => `First \`ls -l\` at T of the ${s.dirFiles.toLocaleString('en-US')}-file folder in a fresh mount, index built, vs s3fs's at latest`, ours: 'ls-cold', theirs: 'ls-cold', peer: 's3fs', system: 'infinstor-ix', atLeast: 2, share: true }
]

/** A figure of one system against a fixed bound (#14's), judged on its median. */
interface BoundGoal {
  id: string
  text: (scale: RunResults['config']['scale']) => string
  metric: string
  system: SystemId
  atMost?: number
  atLeast?: number
  target: string
}

const BOUND_GOALS: BoundGoal[] = [
  { id: 'ix-cli-ls', text: s => `A fresh CLI process: \`infinstor ls -l s3://b/folder/@T\` of ${s.dirFiles.toLocaleString('en-US')} files, Node's start included`, metric: 'ix-cli-ls', system: 'infinstor-ix', atMost: 0.5, target: '≤ 0.5 s' },
  { id: 'ix-cli-requests', text: () => 'The same command\'s S3 requests (every run counts)', metric: 'ix-cli-requests', system: 'infinstor-ix', atMost: 0, target: '0' },
  { id: 'ix-rss', text: () => 'The mount\'s RSS does not grow with the bucket: after the same work, synthetic 5M versions over 20k, the index answering (stored run)', metric: 'ix-rss-growth', system: 'infinstor-ix', atMost: 1.2, target: '≤ 1.2×' },
  { id: 'ix-sweep', text: () => 'Full sweep rate as a share of the rate moto pages ListObjectVersions', metric: 'ix-sweep-share', system: 'infinstor-ix', atLeast: 80, target: '≥ 80%' },
  ...(['sqlite', 'postgres'] as const).flatMap(engine => {
    const name = engine === 'sqlite' ? 'SQLite' : 'PostgreSQL'
    return [
      { id: `ix-synth-folder-${engine}`, text: () => `A 1,000-entry folder listing at T, synthetic 5M-version index, ${name} (stored run)`, metric: `ix-synth-folder-${engine}`, system: 'infinstor-ix' as const, atMost: 10, target: '≤ 10 ms' },
      { id: `ix-synth-key-${engine}`, text: () => `A key at T, synthetic 5M-version index, ${name} (stored run)`, metric: `ix-synth-key-${engine}`, system: 'infinstor-ix' as const, atMost: 0.1, target: '≤ 0.1 ms' }
    ]
  })
]

function metric (run: RunResults, id: string): Metric | undefined {
  return run.metrics.find(m => m.id === id)
}

/** Why a system has no figure for a metric, or undefined when it has one. */
function missing (run: RunResults, m: Metric | undefined, system: SystemId): string | undefined {
  const name = run.systems.find(s => s.id === system)?.name ?? system
  if (m === undefined) return 'the scenario did not run'
  const o = m.results[system]
  if (o === undefined) return `${name} was not measured`
  if (!isMeasurement(o)) return `${name} was not measured: ${o.skipped}`
  if (!o.values.some(Number.isFinite)) return `every run of ${name} failed${o.errors?.[0] !== undefined ? ': ' + o.errors[0] : ''}`
  return undefined
}

const fixed = (n: number): string => n.toFixed(2)

function ratioGoal (run: RunResults, g: RatioGoal): GoalResult {
  const target = g.target ?? (g.share === true ? `≤ ${fixed(1 / g.atLeast)}×` : `≥ ${g.atLeast}×`)
  const base = { id: g.id, text: g.text(run.config.scale), target }
  const ours = metric(run, g.ours)
  const theirs = metric(run, g.theirs)
  const system = g.system ?? 'infinstor'
  const why = missing(run, ours, system) ?? missing(run, theirs, g.peer)
  if (why !== undefined || ours === undefined || theirs === undefined) return { ...base, met: false, cause: why }
  const o = ours.results[system]
  const t = theirs.results[g.peer]
  if (!isMeasurement(o) || !isMeasurement(t)) return { ...base, met: false, cause: 'not measured' }
  const ratio = pairedSpeedups(o.values, t.values, ours.better)
  if (ratio === undefined) return { ...base, met: false, cause: 'no repetition succeeded on both sides' }
  const met = ratio.median >= g.atLeast
  if (g.share === true) {
    // Shown as our share of the peer's figure: the inverse of the speedups.
    const share = { median: 1 / ratio.median, min: 1 / ratio.max, max: 1 / ratio.min, n: ratio.n, unit: '×' }
    return { ...base, measured: share, met, ...(met ? {} : { cause: `median ${fixed(share.median)}× the peer's is above ${fixed(1 / g.atLeast)}×` }) }
  }
  return { ...base, measured: { ...ratio, unit: '×' }, met, ...(met ? {} : { cause: `median speedup ${fixed(ratio.median)}× is below ${g.atLeast}×` }) }
}

function memoryGoal (run: RunResults): GoalResult {
  const limit = run.config.cacheBytes + 150 * MB
  const base = {
    id: 'rss',
    text: `Peak RSS of the InfinStor daemon under ${run.config.scale.readers} parallel readers`,
    target: `≤ cache size + 150 MB = ${(limit / MiB).toFixed(0)} MiB`
  }
  const m = metric(run, 'par-rss')
  const why = missing(run, m, 'infinstor')
  const o = m?.results.infinstor
  if (why !== undefined || !isMeasurement(o)) return { ...base, met: false, cause: why }
  const s = summarize(o.values.filter(Number.isFinite))
  // A bound, not a typical value: the worst repetition decides.
  const met = s.max * MiB <= limit
  return { ...base, measured: { ...s, unit: 'MiB' }, met, ...(met ? {} : { cause: `peak ${s.max.toFixed(0)} MiB exceeds the limit` }) }
}

function boundGoal (run: RunResults, g: BoundGoal): GoalResult {
  const m = metric(run, g.metric)
  const o = m?.results[g.system]
  const base = { id: g.id, text: g.text(run.config.scale), target: g.target }
  const why = missing(run, m, g.system)
  if (why !== undefined || m === undefined || !isMeasurement(o)) return { ...base, met: false, cause: why }
  const s = summarize(o.values.filter(Number.isFinite))
  // A count that must be zero is a bound on every run, not on the typical one.
  const judged = g.atMost === 0 ? s.max : s.median
  const met = (g.atMost === undefined || judged <= g.atMost) && (g.atLeast === undefined || judged >= g.atLeast)
  const figure = `${g.atMost === 0 ? 'max' : 'median'} ${judged.toPrecision(3)} ${m.unit}`
  const failed = o.values.length - o.values.filter(Number.isFinite).length
  const caveats = [o.note, failed > 0 ? `${failed} of ${o.values.length} runs failed` : undefined].filter(Boolean).join('; ')
  return {
    ...base,
    measured: { ...s, unit: m.unit },
    met: met && failed === 0,
    ...(met && failed === 0 ? (caveats !== '' ? { cause: caveats } : {}) : { cause: [`${figure} misses ${g.target}`, caveats].filter(Boolean).join('; ') })
  }
}

export function checkGoals (run: RunResults): GoalResult[] {
  return [...RATIO_GOALS.map(g => ratioGoal(run, g)), memoryGoal(run), ...BOUND_GOALS.map(g => boundGoal(run, g))]
}
