/**
 * The network the read scenarios run under. moto on loopback delivers a
 * GET as fast as it can copy bytes and answers at once; on a real S3
 * connection from EC2, one stream delivers tens of MB/s after a first-byte
 * latency of tens of milliseconds, and parallel connections multiply it.
 * The bench's moto patch adds both limits by sleeping in the server.
 */
export interface Network {
  id: 'loopback' | 's3'
  /** Shown in reports. */
  name: string
  /** Bytes per second one connection may carry; 0 for no cap. */
  rate: number
  /** Seconds before a response's first byte. */
  delay: number
}

const MiB = 1 << 20

export const NETWORKS: Record<Network['id'], Network> = {
  loopback: { id: 'loopback', name: 'loopback', rate: 0, delay: 0 },
  s3: { id: 's3', name: 'S3-like (80 MiB/s per connection, 20 ms to first byte)', rate: 80 * MiB, delay: 0.02 }
}

/** Switches the patched moto at `endpoint` to a network profile. */
export async function setNetwork (endpoint: string, n: Network): Promise<void> {
  const res = await fetch(`${endpoint}/_bench/network?rate=${n.rate}&delay=${n.delay}`)
  const text = await res.text()
  const [rate, delay] = text.trim().split(' ').map(Number)
  if (!res.ok || rate !== n.rate || delay !== n.delay) {
    throw new Error(`moto did not take the ${n.id} network profile (is bench/moto-patch loaded?): ${res.status} ${text.trim().slice(0, 200)}`)
  }
}

/** The whole numbers a counter of the patched moto answers (`/_bench/<what>`), as many as `count`. */
async function motoCounters (endpoint: string, what: string, count: number, meaning: string): Promise<number[]> {
  const res = await fetch(`${endpoint}/_bench/${what}`)
  const text = (await res.text()).trim()
  const numbers = text.split(' ')
  if (!res.ok || numbers.length !== count || !numbers.every(n => /^\d+$/.test(n))) {
    throw new Error(`moto did not tell ${meaning} (is bench/moto-patch loaded?): ${res.status} ${text.slice(0, 200)}`)
  }
  return numbers.map(Number)
}

/** Bytes the patched moto at `endpoint` has sent so far, heads and bodies. */
export async function motoSent (endpoint: string): Promise<number> {
  const [bytes] = await motoCounters(endpoint, 'sent', 1, 'the bytes it sent')
  return bytes
}

/** Requests the patched moto at `endpoint` has been sent so far, and how many of them asked for a Range. */
export async function motoRequests (endpoint: string): Promise<{ requests: number, ranged: number }> {
  const [requests, ranged] = await motoCounters(endpoint, 'requests', 2, 'the requests it was sent')
  return { requests, ranged }
}
