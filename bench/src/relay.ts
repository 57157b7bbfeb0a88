// The least a gateway in front of moto can do: relay each request to it and
// pipe the reply back, nothing parsed, checked or cached. gwprof.ts --relay
// measures it beside the gateway, as the ceiling of any byte path with a
// second hop through a Node process on this machine.
// node bench/.work/dist/bench/src/relay.js --to http://127.0.0.1:PORT --port N
import { Agent, createServer, request } from 'node:http'
import { parseArgs } from 'node:util'

const { values: flags } = parseArgs({ options: { to: { type: 'string' }, port: { type: 'string' } } })
const to = new URL(flags.to ?? '')
const agent = new Agent({ keepAlive: true })

createServer((req, res) => {
  const out = request({ host: to.hostname, port: to.port, path: req.url, method: req.method, headers: { ...req.headers, host: to.host }, agent }, reply => {
    res.writeHead(reply.statusCode ?? 502, reply.headers)
    reply.pipe(res)
  })
  out.on('error', () => { res.destroy() })
  req.pipe(out)
}).listen(Number(flags.port), '127.0.0.1', () => { process.stdout.write(`relay on ${flags.port ?? ''}\n`) })
