// The benchmark's statistics, goal checks and report, on made-up runs.
import t from 'tap'
import { checkGoals } from '../../bench/src/goals.js'
import { failures, num, toJson, toMarkdown } from '../../bench/src/report.js'
import { median, pairedSpeedups, speedup, summarize } from '../../bench/src/stats.js'
import { snapshot, type Dataset } from '../../bench/src/datasets.js'
import { randomOffsets } from '../../bench/src/readers.js'
import type { Metric, RunResults } from '../../bench/src/types.js'

const MiB = 1 << 20

t.test('median, min and max', async t => {
  t.equal(median([3, 1, 2]), 2)
  t.equal(median([4, 1, 3, 2]), 2.5)
  t.equal(median([7]), 7)
  t.throws(() => median([]))
  t.same(summarize([5, 1, 9, 3]), { median: 4, min: 1, max: 9, n: 4 })
  const input = [3, 1, 2]
  median(input)
  t.same(input, [3, 1, 2], 'the input is not sorted in place')
})

t.test('speedups count in the metric\'s direction and pair repetitions', async t => {
  t.equal(speedup(300, 100, 'higher'), 3, 'throughput: ours / theirs')
  t.equal(speedup(0.5, 2, 'lower'), 4, 'durations: theirs / ours')
  // Repetition 2 failed for the peer and is left out, not paired with another.
  const s = pairedSpeedups([10, 20, 30, 40], [5, NaN, 10, 10], 'higher')
  t.same(s, { median: 3, min: 2, max: 4, n: 3 })
  t.equal(pairedSpeedups([NaN], [1], 'lower'), undefined)
})

function run (metrics: Metric[], cacheMiB = 512): RunResults {
  return {
    startedAt: '2026-01-01T00:00:00.000Z',
    seconds: 60,
    config: { mode: 'full', repetitions: 3, heavyRepetitions: 2, budgetMs: 300_000, cacheBytes: cacheMiB * MiB, dropCaches: true, motoPatched: true, scale: { dirFiles: 1000, lsTimes: 10, readers: 16 }, datasets: { big: 'a big file' } },
    machine: { cpu: 'test cpu', cores: 2, memoryBytes: 8 * 1024 * MiB, kernel: '6.1', os: 'Debian', node: 'v20', python: 'Python 3', load: { start: 1.5, end: 2 } },
    systems: [
      { id: 'infinstor', name: 'InfinStor mount', role: 'under test' },
      { id: 'rclone', name: 'rclone mount', role: 'peer' },
      { id: 's3fs', name: 's3fs-fuse', role: 'baseline', skipped: 's3fs is not installed' }
    ],
    metrics
  }
}

const seqCold = (ours: number[], theirs: number[]): Metric => ({
  id: 'seq-cold', scenario: '1. Sequential', label: 'cold read', title: 'Cold read', unit: 'MiB/s', better: 'higher',
  results: { infinstor: { values: ours }, rclone: { values: theirs }, s3fs: { skipped: 's3fs is not installed' } }
})

t.test('goals: met, not met, and not measurable', async t => {
  const goals = checkGoals(run([
    seqCold([400, 500, 300], [100, 100, 200]),
    { id: 'seq-warm', scenario: '1. Sequential', label: 'warm', title: 'Warm', unit: 'MiB/s', better: 'higher', results: { infinstor: { values: [900, 1000, 1100] } } },
    { id: 'ls-times', scenario: '3. ls', label: 'ls', title: 'ls', unit: 's', better: 'lower', results: { infinstor: { values: [1, 1, 1] }, rclone: { values: [12, 9, 15] } } },
    { id: 'par-rss', scenario: '6. par', label: 'rss', title: 'rss', unit: 'MiB', better: 'lower', results: { infinstor: { values: [600, 700, 640] } } }
  ]))
  const byId = Object.fromEntries(goals.map(g => [g.id, g]))
  t.equal(byId['seq-cold'].met, true, 'paired ratios 4, 5, 1.5: median 4 ≥ 2')
  t.equal(byId['seq-cold'].measured?.median, 4)
  t.equal(byId['re-read'].met, false, 'warm 900..1100 against cold 100..200: median 9× < 10×')
  t.equal(byId['re-read'].measured?.median, 9)
  t.match(byId['re-read'].cause, /below 10×/)
  t.equal(byId['ls-times'].met, true)
  t.match(byId['ls-times'].text, /1,000-file folder at 10 past times/)
  // 512 MiB + 150 MB = 655 MiB: the worst run (700) decides.
  t.equal(byId.rss.met, false)
  t.equal(byId.rss.measured?.max, 700)

  t.match(byId['seq-cold-s3fs'].cause, /s3fs-fuse was not measured: s3fs is not installed/)
  t.match(byId['seq-cold@s3'].cause, /did not run/)

  const missing = checkGoals(run([{ ...seqCold([1], [1]), results: { infinstor: { skipped: 'no mount command yet' }, rclone: { values: [1] } } }]))
  t.equal(missing[0].met, false)
  t.match(missing[0].cause, /InfinStor mount was not measured: no mount command yet/)
  t.match(missing.find(g => g.id === 're-read')?.cause, /did not run/)
  const failed = checkGoals(run([{ ...seqCold([NaN, NaN], [1, 1]), results: { infinstor: { values: [NaN], errors: ['run 1: EIO'] }, rclone: { values: [1] } } }]))
  t.match(failed[0].cause, /every run of InfinStor mount failed: run 1: EIO/)
})

t.test('a cost goal is stated as a share of the peer\'s', async t => {
  const cpu = (ours: number[], theirs: number[]): Metric => ({
    id: 'seq-cold-cpu', scenario: '1. Sequential', label: 'cpu', title: 'CPU', unit: 'CPU-s/GiB', better: 'lower',
    results: { infinstor: { values: ours }, rclone: { values: theirs } }
  })
  const met = checkGoals(run([cpu([1, 2, 1.5], [4, 4, 3])])).find(g => g.id === 'cpu')
  t.equal(met?.target, '≤ 0.60×')
  t.equal(met?.met, true, 'shares 0.25, 0.5, 0.5: median 0.5')
  t.equal(met?.measured?.median, 0.5)
  t.equal(met?.measured?.min, 0.25)
  const over = checkGoals(run([cpu([3, 3, 3], [4, 4, 4])])).find(g => g.id === 'cpu')
  t.equal(over?.met, false)
  t.match(over?.cause, /0\.75× the peer's is above 0\.60×/)
})

t.test("#14's goals: the indexed mount against peers, and bounds", async t => {
  const m = (id: string, unit: string, results: Metric['results']): Metric => ({ id, scenario: '8. ix', label: id, title: id, unit, better: unit === 'versions/s' ? 'higher' : 'lower', results })
  const goals = checkGoals(run([
    m('find', 's', { infinstor: { values: [100, 100, 100] }, 'infinstor-ix': { values: [5, 4, 6] }, rclone: { values: [60, 40, 60] } }),
    m('ls-cold', 's', { 'infinstor-ix': { values: [0.2, 0.3, 0.2] }, s3fs: { values: [1, 1, 1] } }),
    m('ix-cli-ls', 's', { 'infinstor-ix': { values: [0.4, 0.45, 0.6, 0.3, 0.4] } }),
    m('ix-cli-requests', 'requests', { 'infinstor-ix': { values: [0, 0, 1, 0, 0] } }),
    m('ix-sweep-share', '%', { 'infinstor-ix': { values: [79, 85, 90] } }),
    m('ix-synth-key-sqlite', 'ms', { 'infinstor-ix': { values: [0.05, 0.04], note: 'from the separate synthetic run of 2026-01-01' } })
  ]))
  const byId = Object.fromEntries(goals.map(g => [g.id, g]))
  t.equal(byId['ix-find'].met, true, 'paired 12×, 10×, 10×: judged on the indexed mount, not the plain one')
  t.equal(byId['ix-find'].measured?.median, 10)
  t.match(byId['ix-find-s3fs'].cause, /s3fs-fuse was not measured/)
  t.equal(byId['ix-ls'].met, true, 'shares 0.2, 0.3, 0.2 of s3fs\'s time')
  t.equal(byId['ix-ls'].target, '≤ 0.50×')
  t.equal(byId['ix-cli-ls'].met, true, 'median 0.4 s')
  t.equal(byId['ix-cli-requests'].met, false, 'one request in one run is enough to miss')
  t.match(byId['ix-cli-requests'].cause, /max 1\.00 requests misses 0/)
  t.equal(byId['ix-sweep'].met, true, 'median 85%')
  t.equal(byId['ix-synth-key-sqlite'].met, true)
  t.match(byId['ix-synth-key-sqlite'].cause, /separate synthetic run of 2026-01-01/, 'stored figures say where they come from')
  t.match(byId['ix-synth-folder-postgres'].cause, /did not run/)
})

t.test('JSON and Markdown reports', async t => {
  const metrics: Metric[] = [{
    ...seqCold([400, NaN, 300], [100, 100, 200]),
    results: {
      infinstor: { values: [400, NaN, 300], errors: ['run 2: EIO'] },
      rclone: { values: [100, 100, 200], note: 'defaults' },
      s3fs: { skipped: 's3fs is not installed' }
    }
  }]
  const json = toJson(run(metrics))
  const m = json.metrics[0]
  t.same(m.results.infinstor, { median: 350, min: 300, max: 400, runs: [400, null, 300], errors: ['run 2: EIO'] })
  t.same(m.results.s3fs, { skipped: 's3fs is not installed' })
  t.same(m.infinstorSpeedup.rclone, { median: 2.75, min: 1.5, max: 4, n: 2 })
  t.equal(m.infinstorSpeedup.s3fs, undefined)
  t.equal(json.goals.length, 27, "#16's and #3's twelve, #15's four (the S3 gateway) and #14's eleven (the history index)")
  t.same(JSON.parse(JSON.stringify(json)), json, 'survives a JSON round trip (no NaN)')

  const md = toMarkdown(json)
  t.match(md, /\| InfinStor mount \| 350 \| 300 \| 400 \| 2\/3 \| — \| failed in run 2: EIO \|/)
  t.match(md, /\| rclone mount \| 100 \| 100 \| 200 \| 3\/3 \| 2\.75× \[1\.50–4\.00\] \| defaults \|/)
  t.match(md, /\| s3fs-fuse \| — \| — \| — \| — \| — \| not measured: s3fs is not installed \|/)
  t.match(md, /\| 1\. cold read \| MiB\/s ↑ \| 350 \| 100 \| — \| 2\.75× \| — \|/, 'summary row')
  t.match(md, /\*\*met\*\*/)
  t.match(md, /\*\*not met\*\*: the scenario did not run/)
})

t.test('failures are grouped by message, mount points made equal', async t => {
  t.same(failures([
    'run 1: find exited 1: /tmp/infinstor-bench-infinstor-k8aOR3/x: Input/output error',
    'run 2: find exited 1: /tmp/infinstor-bench-infinstor-9t6325/x: Input/output error',
    'run 3: dd did not finish within 300 s'
  ]), [
    'failed in runs 1, 2: find exited 1: MOUNT/x: Input/output error',
    'failed in run 3: dd did not finish within 300 s'
  ])
})

t.test('number formatting', async t => {
  t.equal(num(1234.5), '1235')
  t.equal(num(12.345), '12.3')
  t.equal(num(1.2345), '1.23')
  t.equal(num(0.012345), '0.0123')
  t.equal(num(NaN), '—')
  t.equal(num(null), '—')
})

t.test('snapshots of a generated history', async t => {
  const ds: Dataset = {
    name: 'd',
    bucket: 'b',
    times: [1000, 2000, 3000],
    events: [
      { key: 'a', step: 0, versionId: 'a1', size: 1, deleted: false },
      { key: 'b', step: 0, versionId: 'b1', size: 1, deleted: false },
      { key: 'a', step: 1, versionId: 'a2', size: 2, deleted: false },
      { key: 'b', step: 1, versionId: 'b2', size: 0, deleted: true },
      { key: 'b', step: 2, versionId: 'b3', size: 3, deleted: false }
    ]
  }
  t.same([...snapshot(ds, 0).values()].map(e => e.versionId), ['a1', 'b1'])
  t.same([...snapshot(ds, 1).values()].map(e => e.versionId), ['a2'])
  t.same([...snapshot(ds, 2).values()].map(e => e.versionId).sort(), ['a2', 'b3'])
})

t.test('random offsets are deterministic, aligned and in range', async t => {
  const a = randomOffsets(1000, 256 * MiB, 65536)
  t.same(a, randomOffsets(1000, 256 * MiB, 65536))
  t.ok(a.every(o => o % 4096 === 0 && o >= 0 && o + 65536 <= 256 * MiB))
  t.ok(new Set(a).size > 900, 'spread out')
  t.ok(Math.max(...a) > 200 * MiB && Math.min(...a) < 50 * MiB)
})
