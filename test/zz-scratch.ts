import { prepareLab } from './helpers/jupyterlab.js'
const teardowns: Array<() => unknown> = []
const t = { teardown: (f: () => unknown) => teardowns.push(f) }
try {
  const lab = await prepareLab(t)
  const t0 = Date.now()
  await lab.start()
  console.log('started in', Date.now() - t0)
} finally {
  for (const f of teardowns.reverse()) await f()
}
